/*
 * A self-signed certificate for the demo node (`concord init`): ECDSA
 * P-256 key, CN=localhost, subject alternative names localhost, 127.0.0.1
 * and ::1, valid for one year.  Written as PEM; the key file is 0600.
 *
 * GnuTLS is not linked: it is loaded with dlopen here (util/dl.h), the
 * only place Concord calls it directly (libmicrohttpd, itself loaded by
 * `concord serve`, brings its own use of it).
 */
#include "cli/cli.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"
#include "util/dl.h"

#ifndef LIBGNUTLS_SONAME
#define LIBGNUTLS_SONAME "libgnutls.so.30"
#endif

/* The GnuTLS functions used here (symbol gnutls_<f>) and `free`, GnuTLS's deallocator variable. */
struct libgnutls_api {
    __typeof__(&gnutls_x509_crt_deinit) x509_crt_deinit;
    __typeof__(&gnutls_x509_crt_export2) x509_crt_export2;
    __typeof__(&gnutls_x509_crt_init) x509_crt_init;
    __typeof__(&gnutls_x509_crt_set_activation_time) x509_crt_set_activation_time;
    __typeof__(&gnutls_x509_crt_set_basic_constraints) x509_crt_set_basic_constraints;
    __typeof__(&gnutls_x509_crt_set_dn_by_oid) x509_crt_set_dn_by_oid;
    __typeof__(&gnutls_x509_crt_set_expiration_time) x509_crt_set_expiration_time;
    __typeof__(&gnutls_x509_crt_set_key) x509_crt_set_key;
    __typeof__(&gnutls_x509_crt_set_key_purpose_oid) x509_crt_set_key_purpose_oid;
    __typeof__(&gnutls_x509_crt_set_key_usage) x509_crt_set_key_usage;
    __typeof__(&gnutls_x509_crt_set_serial) x509_crt_set_serial;
    __typeof__(&gnutls_x509_crt_set_subject_alt_name) x509_crt_set_subject_alt_name;
    __typeof__(&gnutls_x509_crt_set_version) x509_crt_set_version;
    __typeof__(&gnutls_x509_crt_sign2) x509_crt_sign2;
    __typeof__(&gnutls_x509_privkey_deinit) x509_privkey_deinit;
    __typeof__(&gnutls_x509_privkey_export2) x509_privkey_export2;
    __typeof__(&gnutls_x509_privkey_generate) x509_privkey_generate;
    __typeof__(&gnutls_x509_privkey_init) x509_privkey_init;
    gnutls_free_function *free;
};

#define GT_SYM(f) DL_SYM(struct libgnutls_api, "gnutls_", f)

static const struct dl_sym libgnutls_syms[] = {
    GT_SYM(x509_crt_deinit),
    GT_SYM(x509_crt_export2),
    GT_SYM(x509_crt_init),
    GT_SYM(x509_crt_set_activation_time),
    GT_SYM(x509_crt_set_basic_constraints),
    GT_SYM(x509_crt_set_dn_by_oid),
    GT_SYM(x509_crt_set_expiration_time),
    GT_SYM(x509_crt_set_key),
    GT_SYM(x509_crt_set_key_purpose_oid),
    GT_SYM(x509_crt_set_key_usage),
    GT_SYM(x509_crt_set_serial),
    GT_SYM(x509_crt_set_subject_alt_name),
    GT_SYM(x509_crt_set_version),
    GT_SYM(x509_crt_sign2),
    GT_SYM(x509_privkey_deinit),
    GT_SYM(x509_privkey_export2),
    GT_SYM(x509_privkey_generate),
    GT_SYM(x509_privkey_init),
    GT_SYM(free),
};

/* Filled once by cli_tls_selfsigned (a command runs it once), then read-only. */
static struct libgnutls_api gt;

static int write_file(const char *path, const gnutls_datum_t *d, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, d->data, d->size);
    int r = (w == (ssize_t)d->size) ? 0 : -1;
    return close(fd) == 0 ? r : -1;
}

static int fill_cert(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
    unsigned char serial[16], v4[4], v6[16];
    FILE *u = fopen("/dev/urandom", "rb");
    if (!u || fread(serial, 1, sizeof(serial), u) != sizeof(serial)) {
        if (u)
            fclose(u);
        return -1;
    }
    fclose(u);
    serial[0] &= 0x7f;
    time_t now = time(NULL);
    inet_pton(AF_INET, "127.0.0.1", v4);
    inet_pton(AF_INET6, "::1", v6);
    int r = gt.x509_crt_set_version(crt, 3);
    r |= gt.x509_crt_set_serial(crt, serial, sizeof(serial));
    r |= gt.x509_crt_set_activation_time(crt, now - 3600);
    r |= gt.x509_crt_set_expiration_time(crt, now + 365 * 24 * 3600);
    r |= gt.x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
    r |= gt.x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                       "Concord demo node", 17);
    r |= gt.x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                              GNUTLS_FSAN_APPEND);
    r |= gt.x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4,
                                              GNUTLS_FSAN_APPEND);
    r |= gt.x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16,
                                              GNUTLS_FSAN_APPEND);
    r |= gt.x509_crt_set_key(crt, key);
    r |= gt.x509_crt_set_basic_constraints(crt, 0, -1);
    r |= gt.x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    r |= gt.x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    r |= gt.x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
    return r ? -1 : 0;
}

int cli_tls_selfsigned(const char *cert_path, const char *key_path, struct error *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kpem = {NULL, 0}, cpem = {NULL, 0};
    char why[256];
    if (!gt.free && dl_bind(LIBGNUTLS_SONAME, libgnutls_syms,
                            sizeof(libgnutls_syms) / sizeof(libgnutls_syms[0]), &gt, sizeof(gt),
                            why, sizeof(why)) != 0)
        return error_set(err, ERR_IO, "cannot make a TLS certificate: %s", why);
    int result = error_set(err, ERR_IO, "cannot make a TLS certificate");
    if (gt.x509_privkey_init(&key) || gt.x509_crt_init(&crt))
        goto out;
    if (gt.x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0))
        goto out;
    if (fill_cert(crt, key))
        goto out;
    if (gt.x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem) ||
        gt.x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem))
        goto out;
    if (write_file(key_path, &kpem, 0600) || write_file(cert_path, &cpem, 0644))
        goto out;
    error_clear(err);
    result = 0;
out:
    if (gt.free) {
        (*gt.free)(kpem.data);
        (*gt.free)(cpem.data);
    }
    if (crt)
        gt.x509_crt_deinit(crt);
    if (key)
        gt.x509_privkey_deinit(key);
    return result;
}
