/*
 * Parsing what a peer answers (outside input, fuzzed by
 * fuzz/fuzz_peer_reply.c): the envelope fields that drive paging, status
 * resources (TAXII 2.1 §4.3.1) and collections lists (§5.1).  Nothing
 * here trusts the peer: every field is type-checked and bounded.
 */
#ifndef CONCORD_SYNC_REPLY_H
#define CONCORD_SYNC_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define SYNC_NEXT_MAX 1024   /* longest `next` token accepted (bytes, with the NUL) */

struct sync_page_info {
    bool more;               /* absent = false (TAXII 2.1 §3.7: {} is an empty page) */
    char next[SYNC_NEXT_MAX]; /* "" when absent */
    size_t n_objects;
};

/* Paging fields of an envelope (root borrowed).  ERR_INVALID when malformed. */
int sync_envelope_info(json_t *root, struct sync_page_info *pi, struct error *err);

struct sync_status {
    char id[128];
    bool complete;           /* status == "complete" */
    long total, success, failure, pending;
    char **bad_ids;          /* ids listed in failures and pendings (heap) */
    size_t n_bad;
};

/* Parse a status resource (text borrowed).  ERR_INVALID when malformed. */
int sync_status_parse(const char *text, size_t len, struct sync_status *st, struct error *err);
/* Is id among the failed or pending ones? */
bool sync_status_is_bad(const struct sync_status *st, const char *id);
void sync_status_release(struct sync_status *st);

/* Strings borrowed for the call. */
typedef int (*sync_coll_fn)(void *ctx, const char *id, const char *title, bool can_read,
                            bool can_write);

/* Parse a collections resource and call fn for each collection (stops on non-zero). */
int sync_collections_parse(const char *text, size_t len, sync_coll_fn fn, void *ctx,
                           struct error *err);

#endif
