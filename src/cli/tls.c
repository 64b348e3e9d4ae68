/*
 * A self-signed certificate for the demo node (`concord init`): ECDSA
 * P-256 key, CN=localhost, subject alternative names localhost, 127.0.0.1
 * and ::1, valid for one year.  Written as PEM; the key file is 0600.
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
    int r = gnutls_x509_crt_set_version(crt, 3);
    r |= gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    r |= gnutls_x509_crt_set_activation_time(crt, now - 3600);
    r |= gnutls_x509_crt_set_expiration_time(crt, now + 365 * 24 * 3600);
    r |= gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
    r |= gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                       "Concord demo node", 17);
    r |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                              GNUTLS_FSAN_APPEND);
    r |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4,
                                              GNUTLS_FSAN_APPEND);
    r |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16,
                                              GNUTLS_FSAN_APPEND);
    r |= gnutls_x509_crt_set_key(crt, key);
    r |= gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    r |= gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    r |= gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    r |= gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
    return r ? -1 : 0;
}

int cli_tls_selfsigned(const char *cert_path, const char *key_path, struct error *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kpem = {NULL, 0}, cpem = {NULL, 0};
    int result = error_set(err, ERR_IO, "cannot make a TLS certificate");
    if (gnutls_x509_privkey_init(&key) || gnutls_x509_crt_init(&crt))
        goto out;
    if (gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0))
        goto out;
    if (fill_cert(crt, key))
        goto out;
    if (gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem) ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem))
        goto out;
    if (write_file(key_path, &kpem, 0600) || write_file(cert_path, &cpem, 0644))
        goto out;
    error_clear(err);
    result = 0;
out:
    gnutls_free(kpem.data);
    gnutls_free(cpem.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return result;
}
