/*
 * sync/client.c: TAXII 2.1 requests to other nodes over libcurl.  TLS is
 * verified unless the caller says otherwise; replies are bounded
 * (SYNC_REPLY_MAX) so a misbehaving peer cannot exhaust memory.  A
 * `struct sync_http` keeps one curl handle so a sync round reuses its
 * connection; the Authorization header and the secret it holds are never
 * logged.  This is the only file that includes curl.h.
 *
 * libcurl is not linked: it is loaded with dlopen on the first request
 * (libcurl_load, once per process) and called through the table `cu`.  Most
 * commands never speak HTTP, and resolving libcurl and its ~20 dependencies
 * at every process start cost more than the rest of a small command.  When
 * it cannot be loaded, requests fail with ERR_IO ("cannot load
 * libcurl.so.4: ...").  curl.h is included for types and constants only.
 */
#include "sync/client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/dl.h"
#include "util/banned.h"

#define SYNC_REPLY_MAX (64u * 1024 * 1024)

/* ---- libcurl, loaded on first use ---- */

#ifndef LIBCURL_SONAME /* tests/unit/sync/test_client.c names a missing one */
#define LIBCURL_SONAME "libcurl.so.4"
#endif

/* The libcurl functions this file calls; field f is the symbol curl_<f>. */
struct libcurl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_reset)(CURL *c);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
};

#define LIBCURL_SYM(f) DL_SYM(struct libcurl_api, "curl_", f)

static const struct dl_sym libcurl_syms[] = {
    LIBCURL_SYM(global_init),    LIBCURL_SYM(easy_init),     LIBCURL_SYM(easy_setopt),
    LIBCURL_SYM(easy_perform),   LIBCURL_SYM(easy_getinfo),  LIBCURL_SYM(easy_reset),
    LIBCURL_SYM(easy_cleanup),   LIBCURL_SYM(easy_strerror), LIBCURL_SYM(slist_append),
    LIBCURL_SYM(slist_free_all),
};

/*
 * Process-wide, written only inside libcurl_load (under pthread_once), then
 * read-only: the one exception to "no mutable globals", since a shared
 * library is loaded once per process whatever the caller.
 */
static struct libcurl_api cu;
static char libcurl_failed[256]; /* why loading failed; "" once loaded */
static pthread_once_t libcurl_once = PTHREAD_ONCE_INIT;

/* dlopen libcurl, bind cu, curl_global_init; on failure say why in libcurl_failed. */
static void libcurl_load(void)
{
    if (dl_bind(LIBCURL_SONAME, libcurl_syms, sizeof(libcurl_syms) / sizeof(libcurl_syms[0]), &cu,
                sizeof(cu), libcurl_failed, sizeof(libcurl_failed)) == 0 &&
        cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        snprintf(libcurl_failed, sizeof(libcurl_failed),
                 "cannot load " LIBCURL_SONAME ": curl_global_init failed");
}

/* 0 when libcurl is usable (loading it on first call), else ERR_IO with err saying why. */
static int libcurl_need(struct error *err)
{
    pthread_once(&libcurl_once, libcurl_load);
    if (!libcurl_failed[0])
        return 0;
    return error_set(err, ERR_IO, "%s", libcurl_failed);
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    return buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* The server's TAXII error description, or a short reason. */
static void describe(struct error *err, long status, const struct buf *reply, const char *url)
{
    json_t *doc = reply->len ? json_loadb(reply->data, reply->len, 0, NULL) : NULL;
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *desc = json_string_value(json_object_get(doc, "description"));
    error_set(err, ERR_INVALID, "'%s' answered %ld%s%s%s%s", url, status, title ? ": " : "",
              title ? title : "", desc ? ": " : "", desc ? desc : "");
    json_decref(doc);
}

static struct curl_slist *headers(const struct sync_target *t)
{
    struct curl_slist *h = NULL;
    h = cu.slist_append(h, "Accept: application/taxii+json;version=2.1");
    h = cu.slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    if (t->token) {
        struct buf a;
        buf_init(&a, 4096);
        buf_printf(&a, "Authorization: Bearer %s", t->token);
        h = cu.slist_append(h, buf_str(&a));
        buf_release(&a);
    }
    return h;
}

/* Basic credentials, CA file and the --insecure switch of target t, for any request. */
static void set_auth_tls(CURL *c, const struct sync_target *t)
{
    if (t->basic) {
        cu.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        cu.easy_setopt(c, CURLOPT_USERPWD, t->basic);
    }
    if (t->cafile)
        cu.easy_setopt(c, CURLOPT_CAINFO, t->cafile);
    if (t->insecure) {
        cu.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        cu.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

int sync_post_envelope(const struct sync_target *t, const char *body, size_t len, char **reply,
                       struct error *err)
{
    if (libcurl_need(err) != 0)
        return ERR_IO;
    int result = 0;
    struct buf got;
    buf_init(&got, SYNC_REPLY_MAX);
    CURL *c = cu.easy_init();
    struct curl_slist *h = headers(t);
    if (!c) {
        result = error_set(err, ERR_NOMEM, "cannot start an HTTP request");
        goto out;
    }
    cu.easy_setopt(c, CURLOPT_URL, t->url);
    cu.easy_setopt(c, CURLOPT_HTTPHEADER, h);
    cu.easy_setopt(c, CURLOPT_POSTFIELDS, body);
    cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    cu.easy_setopt(c, CURLOPT_WRITEDATA, &got);
    cu.easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_s > 0 ? t->timeout_s : 60L);
    cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    set_auth_tls(c, t);
    CURLcode rc = cu.easy_perform(c);
    long status = 0;
    cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        result = error_set(err, ERR_IO, "cannot reach '%s': %s", t->url, cu.easy_strerror(rc));
    } else if (status < 200 || status > 299) {
        describe(err, status, &got, t->url);
        result = ERR_INVALID;
    } else if (reply) {
        *reply = buf_take(&got, NULL);
    }
out:
    cu.slist_free_all(h);
    if (c)
        cu.easy_cleanup(c);
    buf_release(&got);
    return result;
}

/* ---- reusable requests (federation) ---- */

struct sync_http {
    CURL *curl; /* NULL when libcurl cannot be loaded: each request then fails */
};

struct sync_http *sync_http_new(void)
{
    struct error ignored;
    struct sync_http *h = calloc(1, sizeof(*h));
    error_clear(&ignored);
    if (!h || libcurl_need(&ignored) != 0)
        return h; /* sync_http_request reports why */
    if (!(h->curl = cu.easy_init())) {
        free(h);
        h = NULL;
    }
    return h;
}

void sync_http_free(struct sync_http *h)
{
    if (!h)
        return;
    if (h->curl)
        cu.easy_cleanup(h->curl);
    free(h);
}

void sync_reply_release(struct sync_reply *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
    r->retry_after = -1;
}

/* Copy a header value (trimmed) into out when the line is "name: value". */
static void header_value(const char *line, size_t n, const char *name, char *out, size_t outsz)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    snprintf(out, outsz, "%.*s", (int)(e - v), v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct sync_reply *r = ctx;
    size_t len = size * n;
    char ra[24] = "";
    header_value(p, len, "X-TAXII-Date-Added-First", r->date_first, sizeof(r->date_first));
    header_value(p, len, "X-TAXII-Date-Added-Last", r->date_last, sizeof(r->date_last));
    header_value(p, len, "Retry-After", ra, sizeof(ra));
    if (ra[0] >= '0' && ra[0] <= '9')
        r->retry_after = strtol(ra, NULL, 10);
    return len;
}

/* Abort a transfer when the caller's stop flag is raised (server shutdown). */
static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const atomic_int *stop = ctx;
    return stop && atomic_load(stop) ? 1 : 0;
}

static void set_common(CURL *c, const struct sync_target *t, struct curl_slist *h)
{
    cu.easy_setopt(c, CURLOPT_HTTPHEADER, h);
    cu.easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_s > 0 ? t->timeout_s : 60L);
    cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    cu.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    set_auth_tls(c, t);
    if (t->stop) {
        cu.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        cu.easy_setopt(c, CURLOPT_XFERINFODATA, (void *)t->stop);
        cu.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
}

int sync_http_request(struct sync_http *h, const struct sync_target *t, const char *method,
                      const char *url, const char *body, size_t len, struct sync_reply *rep,
                      struct error *err)
{
    memset(rep, 0, sizeof(*rep));
    rep->retry_after = -1;
    if (libcurl_need(err) != 0)
        return ERR_IO;
    int result = 0;
    struct buf got;
    buf_init(&got, SYNC_REPLY_MAX);
    CURL *c = h->curl;
    cu.easy_reset(c);
    struct curl_slist *hd = headers(t);
    set_common(c, t, hd);
    cu.easy_setopt(c, CURLOPT_URL, url);
    cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    cu.easy_setopt(c, CURLOPT_WRITEDATA, &got);
    cu.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    cu.easy_setopt(c, CURLOPT_HEADERDATA, rep);
    if (strcmp(method, "POST") == 0) {
        cu.easy_setopt(c, CURLOPT_POSTFIELDS, body);
        cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        cu.easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = cu.easy_perform(c);
    cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->status);
    if (rc != CURLE_OK) {
        result = error_set(err, ERR_IO, "cannot reach '%s': %s", url,
                           rc == CURLE_ABORTED_BY_CALLBACK ? "stopped" : cu.easy_strerror(rc));
        goto out;
    }
    rep->body = buf_take(&got, &rep->len);
out:
    cu.slist_free_all(hd);
    buf_release(&got);
    return result;
}

int sync_url_escape(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~')
            buf_putc(out, (char)ch);
        else
            buf_printf(out, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
    }
    return buf_failed(out) ? ERR_TOO_LARGE : 0;
}
