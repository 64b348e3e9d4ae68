/*
 * Internals shared by the SQLite back end's files (sqlite.c: connection,
 * schema, organisations, users, tokens, collections, statuses;
 * sqlite_obj.c: objects).
 */
#ifndef CONCORD_STORE_SQLITE_INT_H
#define CONCORD_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store.h"

enum sq_stmt {
    SQ_OBJ_VERSIONS,   /* existing versions of one id in one collection */
    SQ_OBJ_INSERT,
    SQ_MARKING_INSERT, /* marking definitions, resolvable across collections */
    SQ_OBJ_CLEAR_LAST,
    SQ_OBJ_CLEAR_FIRST,
    SQ_MAX_ADDED,
    SQ_TOKEN_FIND,
    SQ_USER_GET_ID,
    SQ_CORR_COUNT,     /* rows kept for one value, up to the cap */
    SQ_CORR_INSERT,
    SQ_CORR_OVER,
    SQ_COUNT
};

#define SQ_CACHE_SLOTS 32

struct sqlite_store {
    struct store base;           /* must be first */
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_COUNT]; /* prepared once, reset after each use */
    struct {
        char *sql;               /* owned text the statement was prepared from */
        sqlite3_stmt *st;
        uint64_t used;           /* for least-recently-used eviction */
    } cache[SQ_CACHE_SLOTS];     /* ad-hoc statements, by SQL text */
    uint64_t clock;
    int64_t last_added;          /* greatest date_added, valid inside a write transaction */
    int in_write;                /* inside begin_write .. commit/rollback */
};

static inline struct sqlite_store *sq(struct store *s) { return (struct sqlite_store *)s; }

/* Prepared statement i, reset and with bindings cleared. */
sqlite3_stmt *sq_stmt(struct sqlite_store *q, enum sq_stmt i);
/*
 * An ad-hoc statement from the per-connection cache (prepared on a miss),
 * reset with bindings cleared; give it back with sq_done, never finalize
 * it.  A cached statement still in use (nested query) is not handed out
 * twice: a fresh one is prepared instead.  NULL on failure (logged).
 */
sqlite3_stmt *sq_prepare(struct sqlite_store *q, const char *sql);
void sq_done(struct sqlite_store *q, sqlite3_stmt *st);
/* Map a SQLite result code to ERR_*; logs the database message when it fails. */
int sq_err(struct sqlite_store *q, int rc, const char *what);
/* Copy a text column into out[sz] ("" for NULL). */
void sq_text(sqlite3_stmt *st, int col, char *out, size_t sz);

int sq_obj_put(struct store *s, int64_t coll, const struct store_obj_in *in,
               enum store_put_outcome *outcome, int64_t *added_us, struct error *err);
int sq_obj_query(struct store *s, const struct store_query *q, store_row_fn fn, void *ctx,
                 bool *more);
int sq_obj_delete(struct store *s, const struct store_query *q, size_t *deleted);
int sq_obj_count(struct store *s, int64_t coll, int64_t *count);

/* sqlite_peer.c: federation peers, their checkpoints, quarantined objects. */
extern const char *sq_peer_schema;
int sq_peer_add(struct store *s, struct store_peer *p, struct error *err);
int sq_peer_get(struct store *s, const char *name, struct store_peer *out);
int sq_peer_list(struct store *s, int (*fn)(void *, const struct store_peer *), void *ctx);
int sq_peer_remove(struct store *s, const char *name);
int sq_peer_report(struct store *s, const struct store_peer *p);
int sq_peer_coll_add(struct store *s, const struct store_peer_coll *pc, struct error *err);
int sq_peer_coll_list(struct store *s, int64_t peer_id,
                      int (*fn)(void *, const struct store_peer_coll *), void *ctx);
int sq_peer_coll_save(struct store *s, const struct store_peer_coll *pc);
int sq_quarantine_add(struct store *s, const struct store_quarantine *qr);
int sq_quarantine_list(struct store *s, int64_t peer_id,
                       int (*fn)(void *, const struct store_quarantine *), void *ctx);

/* sqlite_corr.c: correlation rows of a stored version, listing, upkeep. */
int sq_corr_list(struct store *s, const struct store_corr_query *qr,
                 int (*fn)(void *, const struct store_corr_row *), void *ctx);
/* Drop the rows of the objects a DELETE is about to remove (where: its WHERE clause). */
int sq_corr_forget(struct sqlite_store *q, sqlite3_stmt *select_added);
int sq_corr_catch_up(struct store *s, size_t max_rows, size_t *done);
int sq_corr_pending(struct store *s, int64_t *newest, int64_t *upto);

#endif
