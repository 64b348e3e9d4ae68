/*
 * sync/client.c: TAXII 2.1 requests to other nodes over libcurl.  TLS is
 * verified unless the caller says otherwise; replies are bounded
 * (SYNC_REPLY_MAX) so a misbehaving peer cannot exhaust memory.  A
 * `struct sync_http` keeps one curl handle so a sync round reuses its
 * connection; the Authorization header and the secret it holds are never
 * logged.  This is the only file that includes curl.h.
 */
#include "sync/client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/banned.h"

#define SYNC_REPLY_MAX (64u * 1024 * 1024)

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
    h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
    h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    if (t->token) {
        struct buf a;
        buf_init(&a, 4096);
        buf_printf(&a, "Authorization: Bearer %s", t->token);
        h = curl_slist_append(h, buf_str(&a));
        buf_release(&a);
    }
    return h;
}

int sync_post_envelope(const struct sync_target *t, const char *body, size_t len, char **reply,
                       struct error *err)
{
    int result = 0;
    struct buf got;
    buf_init(&got, SYNC_REPLY_MAX);
    CURL *c = curl_easy_init();
    struct curl_slist *h = headers(t);
    if (!c) {
        result = error_set(err, ERR_NOMEM, "cannot start an HTTP request");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_s > 0 ? t->timeout_s : 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (t->basic) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, t->basic);
    }
    if (t->cafile)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->cafile);
    if (t->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        result = error_set(err, ERR_IO, "cannot reach '%s': %s", t->url, curl_easy_strerror(rc));
    } else if (status < 200 || status > 299) {
        describe(err, status, &got, t->url);
        result = ERR_INVALID;
    } else if (reply) {
        *reply = buf_take(&got, NULL);
    }
out:
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    buf_release(&got);
    return result;
}

/* ---- reusable requests (federation) ---- */

struct sync_http {
    CURL *curl;
};

struct sync_http *sync_http_new(void)
{
    struct sync_http *h = calloc(1, sizeof(*h));
    if (h && !(h->curl = curl_easy_init())) {
        free(h);
        h = NULL;
    }
    return h;
}

void sync_http_free(struct sync_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
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
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_s > 0 ? t->timeout_s : 60L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    if (t->basic) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, t->basic);
    }
    if (t->cafile)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->cafile);
    if (t->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (t->stop) {
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)t->stop);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
}

int sync_http_request(struct sync_http *h, const struct sync_target *t, const char *method,
                      const char *url, const char *body, size_t len, struct sync_reply *rep,
                      struct error *err)
{
    int result = 0;
    struct buf got;
    buf_init(&got, SYNC_REPLY_MAX);
    memset(rep, 0, sizeof(*rep));
    rep->retry_after = -1;
    CURL *c = h->curl;
    curl_easy_reset(c);
    struct curl_slist *hd = headers(t);
    set_common(c, t, hd);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rep);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->status);
    if (rc != CURLE_OK) {
        result = error_set(err, ERR_IO, "cannot reach '%s': %s", url,
                           rc == CURLE_ABORTED_BY_CALLBACK ? "stopped" : curl_easy_strerror(rc));
        goto out;
    }
    rep->body = buf_take(&got, &rep->len);
out:
    curl_slist_free_all(hd);
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
