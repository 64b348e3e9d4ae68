/*
 * sync/client.c: TAXII 2.1 requests to other nodes over libcurl.  TLS is
 * verified unless the caller says otherwise; replies are bounded
 * (SYNC_REPLY_MAX) so a misbehaving peer cannot exhaust memory.
 */
#include "sync/client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
