/*
 * The TAXII 2.1 client side: the only place that speaks HTTP to other
 * nodes (libcurl).  `concord match --post` uses it to deliver sightings;
 * federation (pull/push between nodes) builds on it.
 */
#ifndef CONCORD_SYNC_CLIENT_H
#define CONCORD_SYNC_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* How to reach a TAXII server. Strings borrowed for the call. */
struct sync_target {
    const char *url;       /* a collection's objects URL (…/collections/ID/objects/) */
    const char *token;     /* Bearer token, or NULL */
    const char *basic;     /* "user:password" for Basic, or NULL */
    const char *cafile;    /* PEM file to verify the server with, or NULL for the system's */
    bool insecure;         /* skip certificate verification (tests, self-signed demos) */
    long timeout_s;        /* whole-request timeout; 0 = 60 s */
    const atomic_int *stop; /* when set and non-zero, transfers abort promptly (ERR_IO) */
};

/* The answer to one request.  body is heap (sync_reply_release). */
struct sync_reply {
    long status;           /* HTTP status */
    char *body;            /* NUL-terminated, "" when empty */
    size_t len;
    char date_first[48];   /* X-TAXII-Date-Added-First, "" when absent */
    char date_last[48];    /* X-TAXII-Date-Added-Last, "" when absent */
    long retry_after;      /* Retry-After in seconds, -1 when absent */
};

void sync_reply_release(struct sync_reply *r);

/*
 * A reusable connection (keep-alive) to TAXII servers; one thread at a time.
 * libcurl is loaded (dlopen "libcurl.so.4") on the first sync_http_new,
 * sync_http_request or sync_post_envelope of the process; when it cannot
 * be, sync_http_new still returns a handle and every request fails with
 * ERR_IO, err saying "cannot load libcurl.so.4: ...".  sync_http_new
 * returns NULL only when out of memory.
 */
struct sync_http;

struct sync_http *sync_http_new(void);
void sync_http_free(struct sync_http *h);

/*
 * One request: method "GET" or "POST" (body[0..len) sent as a TAXII
 * envelope), url absolute, credentials and TLS settings from t (t->url is
 * not used).  Returns 0 when the server answered (any HTTP status: see
 * rep->status), ERR_IO when it did not (err says why); the reply is
 * bounded by SYNC_REPLY_MAX.
 */
int sync_http_request(struct sync_http *h, const struct sync_target *t, const char *method,
                      const char *url, const char *body, size_t len, struct sync_reply *rep,
                      struct error *err);

/* Append s to out with URL percent-encoding of everything but unreserved characters. */
struct buf;
int sync_url_escape(struct buf *out, const char *s);

/*
 * POST a TAXII envelope (body[0..len), JSON) to t->url.  Returns 0 when the
 * server answered 2xx, with its reply (heap, NUL-terminated; the status
 * resource) in *reply if reply is not NULL.  Otherwise ERR_IO (no answer)
 * or ERR_INVALID (an error status), with err quoting the server's TAXII
 * error title/description when it sent one.
 */
int sync_post_envelope(const struct sync_target *t, const char *body, size_t len, char **reply,
                       struct error *err);

#endif
