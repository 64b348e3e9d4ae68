/*
 * The TAXII 2.1 client side: the only place that speaks HTTP to other
 * nodes (libcurl).  `concord match --post` uses it to deliver sightings;
 * federation (pull/push between nodes) builds on it.
 */
#ifndef CONCORD_SYNC_CLIENT_H
#define CONCORD_SYNC_CLIENT_H

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
};

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
