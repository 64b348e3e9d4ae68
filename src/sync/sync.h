/*
 * Federation: sovereign nodes that exchange objects over TAXII 2.1.  A
 * peer (store_peer) is another TAXII 2.1 server; one sync round, for each
 * peer, pulls its collections incrementally (added_after checkpoints on
 * the peer's date_added, `next` paging, objects and checkpoint in one
 * transaction) and pushes new local objects that the sharing decision lets
 * the peer's organisation read (egress.c).  docs/federation.md describes
 * the semantics for operators.
 *
 * Threads: a round uses the store it is given from one thread (a pull
 * fetches and parses pages on a second thread of its own, fetch.c); several
 * rounds may run at once on separate store connections (the database
 * serialises writers).
 */
#ifndef CONCORD_SYNC_SYNC_H
#define CONCORD_SYNC_SYNC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "share/context.h"
#include "store/store.h"
#include "util/error.h"

struct sync_options {
    const atomic_int *stop;      /* non-zero: finish promptly (serve shutdown); may be NULL */
    const char *cafile;          /* PEM to verify peers with, NULL: the system's */
    bool insecure;               /* do not verify TLS certificates (tests, demos) */
    size_t page_limit;           /* `limit` of each GET; 0 = 1000 */
    size_t push_batch;           /* objects per POSTed envelope; 0 = 1000 */
    size_t push_max_bytes;       /* bytes per envelope; 0 = 4 MiB */
    unsigned max_pages;          /* pages per collection per round (the bound); 0 = 5000 */
    unsigned retries;            /* more tries on 429/5xx/no answer; 0 = 4 */
    long backoff_ms;             /* first wait, doubled each try; 0 = 500 */
    long status_polls;           /* GETs of a pending status resource; 0 = 10 */
    /* called after each page or envelope (may be NULL) */
    void (*progress)(void *ctx, const char *peer, int64_t pulled, int64_t pushed);
    void *progress_ctx;
};

/* What one round did for one peer. */
struct sync_result {
    int64_t pulled;              /* objects received */
    int64_t added;               /* of which new versions */
    int64_t quarantined;         /* of which rejected (quarantine table) */
    int64_t pushed;              /* objects the peer accepted */
    int64_t rejected;            /* objects the peer refused (retried next round) */
    int64_t filtered;            /* local objects the egress rules kept back */
    int64_t newest_us;           /* the peer's date_added of the newest object pulled, -1 none */
    bool caught_up;              /* every pull ended with more = false */
    struct error err;            /* why the round failed, if it did */
};

/*
 * One round for peer p (as stored; its fields are read, and its state
 * fields are updated in the store with store_peer_report).  Returns 0 when
 * every collection pair succeeded, else the first error (res->err).
 */
int sync_peer_round(struct store *s, const struct store_peer *p, const struct sync_options *o,
                    struct sync_result *res);

/*
 * One round for every peer, or only the one named (NULL: all).  Returns
 * the number of peers that failed (0: all succeeded), or ERR_NOT_FOUND
 * when `only` names no peer.  Messages go to the log, never the secrets.
 */
int sync_round_all(struct store *s, const char *only, const struct sync_options *o);

/*
 * The egress rules (egress.c): besides the sharing decision for the
 * peer's organisation, nothing goes back to where it came from, and what
 * another node delivered (origin = a peer's organisation) travels on only
 * when TLP:CLEAR or TLP:GREEN.
 */
struct sync_egress {
    int64_t peer_org;            /* the receiving peer's organisation */
    char peer_identity[96];      /* its STIX identity ("" unknown) */
    int64_t *node_orgs;          /* organisations operating some peer (heap) */
    size_t n_node_orgs;
};

/* Load the rules for a peer operated by org peer_org. */
int sync_egress_init(struct sync_egress *e, struct store *s, int64_t peer_org);
void sync_egress_release(struct sync_egress *e);
/* Does organisation org operate one of this node's peers? */
bool sync_egress_is_node_org(const struct sync_egress *e, int64_t org);
/* Was the row delivered by another node (its origin operates a peer)? */
bool sync_egress_third_party(const struct sync_egress *e, const struct store_row *row);
/*
 * The re-sharing rule alone: false for what another node delivered as
 * TLP:AMBER, AMBER+STRICT, RED or unmarked (the TAXII server applies it
 * too when the reader's organisation operates a peer, so a peer pulling
 * gets no more than a push would send).
 */
bool sync_egress_reshare_ok(const struct sync_egress *e, const struct store_row *row);
/* May the row go to the peer?  c: share_ctx bound to the peer's organisation. */
bool sync_egress_allows(const struct sync_egress *e, struct share_ctx *c,
                        const struct store_row *row);

/*
 * Send the stored text unredacted?  A sharing group's recipient lists are
 * shown only to its creator (share_redact), but the receiving node needs
 * them to enforce the group: a group definition that names the peer's
 * organisation goes whole (its recipients may know the group).  Anything
 * else goes as share_ctx_emit writes it.
 */
bool sync_egress_whole(const struct sync_egress *e, const struct store_row *row);

#endif
