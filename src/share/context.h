/*
 * The sharing decision bound to a store and a reader for the length of one
 * request (or one export): resolves marking definitions from the store
 * (cached for the request), decides visibility of stored rows and writes
 * the reader's copy of each object, redacted when granular markings or a
 * sharing group's recipient list require it.
 */
#ifndef CONCORD_SHARE_CONTEXT_H
#define CONCORD_SHARE_CONTEXT_H

#include <pthread.h>

#include "share/share.h"
#include "store/store.h"
#include "util/buf.h"

#define SHARE_MAX_COMMUNITIES 16
#define SHARE_CACHE_SLOTS 64
#define SHARE_SHARED_SLOTS 256

/*
 * Marking definitions resolved once per process (a server): a stored
 * marking definition never changes (the first one stored for an id is
 * kept), so an entry, once made, is good until the server stops.  Markings
 * not found are not cached (they may arrive later).  Thread-safe.
 */
struct share_cache {
    pthread_mutex_t lock;
    struct {
        char id[128];
        json_t *obj;              /* owned, never modified after insertion */
        struct share_marking m;   /* strings point into obj */
    } slot[SHARE_SHARED_SLOTS];
    size_t n;
};

void share_cache_init(struct share_cache *c);
void share_cache_release(struct share_cache *c);

struct share_ctx {
    struct share_policy policy;
    struct share_reader reader;
    struct store *store;          /* borrowed */
    char identity[96];
    char communities[SHARE_MAX_COMMUNITIES][64];
    const char *community_ptrs[SHARE_MAX_COMMUNITIES];
    struct {
        char id[128];
        json_t *obj;              /* NULL for an unknown marking */
        struct share_marking m;
        bool borrowed;            /* obj and m belong to the shared cache */
    } cache[SHARE_CACHE_SLOTS];
    size_t n_cache;
    struct share_cache *shared;   /* borrowed, may be NULL */
    struct share_marking unknown; /* returned for markings not in the store */
};

/*
 * Bind to store s for organisation org_id (0 and everything=true for the
 * node operator, who sees all).  The organisation's identity and its
 * communities (by country and by name) are loaded from the store.
 */
int share_ctx_init(struct share_ctx *c, struct store *s, int64_t org_id, bool everything);
/* Bind to store s for a reader already known (no store access): identity and communities copied. */
void share_ctx_init_reader(struct share_ctx *c, struct store *s, int64_t org_id,
                           const char *identity, const char (*communities)[64], size_t n,
                           struct share_cache *shared);
void share_ctx_release(struct share_ctx *c);

/* The one decision for a stored row. */
bool share_ctx_may_read(struct share_ctx *c, const struct store_row *row);
/* The same, as store_query.visible (ctx: the share_ctx), so "latest" means latest visible. */
bool share_ctx_visible(void *ctx, const struct store_row *row);

/* Append the reader's copy of the row's object to out (the stored text when nothing is hidden). */
int share_ctx_emit(struct share_ctx *c, const struct store_row *row, struct buf *out);

/* Names of the communities organisation o belongs to. Returns how many (at most max). */
size_t share_org_communities(struct store *s, const struct store_org *o, char out[][64],
                             size_t max);

#endif
