/*
 * Correlation in the SQLite back end (store/corr.h).  Each stored
 * indicator version gets one corr row per equality value of its pattern,
 * keyed (value hash, date_added), until LIMIT_CORR_PER_VALUE versions hold
 * the value; further ones only increment corr_over.  Rows are added in
 * batches by sq_corr_catch_up, from meta "corr_upto" (the date_added
 * looked at last) onwards, sorted by key.  Listing joins with
 * obj so that only latest, unrevoked versions count, which also makes
 * rows of superseded versions harmless.
 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/corr.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int step_done(struct sqlite_store *q, sqlite3_stmt *st, const char *what)
{
    int r = sq_err(q, sqlite3_step(st), what);
    sqlite3_reset(st);
    return r;
}

static int add_one(struct sqlite_store *q, int64_t added, const struct store_corr_value *v)
{
    int64_t vh = (int64_t)store_corr_hash(v->path, v->value);
    sqlite3_stmt *st = sq_stmt(q, SQ_CORR_COUNT);
    sqlite3_bind_int64(st, 1, vh);
    sqlite3_bind_int(st, 2, LIMIT_CORR_PER_VALUE);
    int64_t kept = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    bool full = kept >= LIMIT_CORR_PER_VALUE;
    st = sq_stmt(q, full ? SQ_CORR_OVER : SQ_CORR_INSERT);
    int i = 1;
    sqlite3_bind_int64(st, i++, vh);
    if (!full)
        sqlite3_bind_int64(st, i++, added);
    sqlite3_bind_text(st, i++, v->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, v->value, -1, SQLITE_STATIC);
    return step_done(q, st, "correlation insert");
}

/* ---- listing ---- */

static const char list_sql[] =
    "WITH v AS (SELECT c.vh AS vh, c.path AS path, c.value AS value,"
    " count(DISTINCT coalesce(o.created_by, 'origin:' || o.origin)) AS norgs"
    " FROM corr c JOIN obj o ON o.added = c.added"
    " WHERE o.is_last AND NOT o.revoked AND (?2 IS NULL OR c.value = ?2)"
    " GROUP BY c.vh, c.path, c.value HAVING norgs >= ?1)"
    " SELECT v.path, v.value, v.norgs,"
    " coalesce((SELECT n FROM corr_over x WHERE x.vh = v.vh AND x.path = v.path"
    " AND x.value = v.value), 0),"
    " o.added, o.id, o.type, o.ver_s, o.spec, o.created_by, o.revoked, o.tlp, o.mrefs, o.gran,"
    " o.origin FROM v JOIN corr c ON c.vh = v.vh AND c.path = v.path AND c.value = v.value"
    " JOIN obj o ON o.added = c.added WHERE o.is_last AND NOT o.revoked"
    " ORDER BY v.value, v.path, o.added";

static void corr_row(sqlite3_stmt *st, struct store_corr_row *row)
{
    memset(row, 0, sizeof(*row));
    row->path = (const char *)sqlite3_column_text(st, 0);
    row->value = (const char *)sqlite3_column_text(st, 1);
    row->n_orgs = sqlite3_column_int64(st, 2);
    row->overflow = sqlite3_column_int64(st, 3);
    struct store_row *o = &row->obj;
    o->added_us = sqlite3_column_int64(st, 4);
    o->id = (const char *)sqlite3_column_text(st, 5);
    o->type = (const char *)sqlite3_column_text(st, 6);
    o->version = (const char *)sqlite3_column_text(st, 7);
    o->spec_version = (const char *)sqlite3_column_text(st, 8);
    o->created_by = (const char *)sqlite3_column_text(st, 9);
    o->revoked = sqlite3_column_int(st, 10) != 0;
    o->tlp = sqlite3_column_int(st, 11);
    o->mrefs = (const char *)sqlite3_column_text(st, 12);
    o->granular = sqlite3_column_int(st, 13) != 0;
    o->origin_org = sqlite3_column_int64(st, 14);
}

int sq_corr_list(struct store *s, const struct store_corr_query *qr,
                 int (*fn)(void *, const struct store_corr_row *), void *ctx)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, list_sql);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int(st, 1, qr->min_orgs > 0 ? qr->min_orgs : 1);
    if (qr->value)
        sqlite3_bind_text(st, 2, qr->value, -1, SQLITE_STATIC);
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_corr_row row;
        corr_row(st, &row);
        r = fn(ctx, &row);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_err(q, rc, "correlation list");
    sq_done(q, st);
    return r < 0 ? r : 0;
}

/* ---- upkeep ---- */

/* Delete the corr rows of each (added, body) row that select_added yields. */
int sq_corr_forget(struct sqlite_store *q, sqlite3_stmt *sel)
{
    sqlite3_stmt *del = sq_prepare(q, "DELETE FROM corr WHERE vh = ?1 AND added = ?2");
    if (!del)
        return ERR_DB;
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        struct store_corr_set set;
        const char *body = sqlite3_column_blob(sel, 1);
        store_corr_extract_pattern_of_body(body, (size_t)sqlite3_column_bytes(sel, 1), &set);
        for (size_t i = 0; i < set.n && !r; i++) {
            sqlite3_bind_int64(del, 1, (int64_t)store_corr_hash(set.v[i].path, set.v[i].value));
            sqlite3_bind_int64(del, 2, sqlite3_column_int64(sel, 0));
            r = step_done(q, del, "correlation delete");
        }
        store_corr_set_release(&set);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_err(q, rc, "correlation delete");
    sq_done(q, del);
    return r;
}

/* ---- catching up ---- */

struct corr_entry {
    uint64_t vh;
    int64_t added;
    size_t path, value; /* offsets in the batch's pool */
};

struct corr_batch {
    struct corr_entry *e;
    size_t n, cap;
    struct buf pool;
    int64_t last;       /* greatest date_added looked at */
};

static void batch_add(struct corr_batch *b, int64_t added, const struct store_corr_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 1024;
            b->e = xrealloc(b->e, b->cap * sizeof(*b->e));
        }
        struct corr_entry *e = &b->e[b->n++];
        e->vh = store_corr_hash(set->v[i].path, set->v[i].value);
        e->added = added;
        e->path = b->pool.len;
        buf_append(&b->pool, set->v[i].path, strlen(set->v[i].path) + 1);
        e->value = b->pool.len;
        buf_append(&b->pool, set->v[i].value, strlen(set->v[i].value) + 1);
    }
}

static int by_key(const void *a, const void *b)
{
    const struct corr_entry *x = a, *y = b;
    if (x->vh != y->vh)
        return x->vh < y->vh ? -1 : 1;
    return x->added < y->added ? -1 : x->added > y->added;
}

/* Read up to max rows stored after `after`; the indicators' values go into b. */
static int batch_read(struct sqlite_store *q, int64_t after, size_t max, struct corr_batch *b)
{
    sqlite3_stmt *sel = sq_prepare(q, "SELECT added, CASE WHEN type = 'indicator' THEN body END"
                                      " FROM obj WHERE added > ?1 ORDER BY added LIMIT ?2");
    if (!sel)
        return ERR_DB;
    sqlite3_bind_int64(sel, 1, after);
    sqlite3_bind_int64(sel, 2, (int64_t)max);
    int rc;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        b->last = sqlite3_column_int64(sel, 0);
        const char *body = sqlite3_column_blob(sel, 1);
        if (!body)
            continue;
        struct store_corr_set set;
        store_corr_extract_pattern_of_body(body, (size_t)sqlite3_column_bytes(sel, 1), &set);
        batch_add(b, b->last, &set);
        store_corr_set_release(&set);
    }
    int r = rc == SQLITE_DONE ? 0 : sq_err(q, rc, "correlation catch-up");
    sq_done(q, sel);
    return r;
}

static int batch_write(struct sqlite_store *q, struct corr_batch *b)
{
    if (buf_failed(&b->pool))
        return ERR_NOMEM;
    if (b->n)
        qsort(b->e, b->n, sizeof(*b->e), by_key); /* one visit per index page */
    int r = 0;
    for (size_t i = 0; i < b->n && !r; i++) {
        struct store_corr_value v = {b->pool.data + b->e[i].path, b->pool.data + b->e[i].value};
        r = add_one(q, b->e[i].added, &v);
    }
    char last[32];
    snprintf(last, sizeof(last), "%lld", (long long)b->last);
    return r ? r : q->base.ops->meta_set(&q->base, "corr_upto", last);
}

static int64_t read_upto(struct store *s)
{
    char upto[32] = "0";
    store_meta_get(s, "corr_upto", upto, sizeof(upto));
    return strtoll(upto, NULL, 10);
}

/*
 * Rows are read and their patterns parsed outside any write transaction
 * (stored rows never change; one deleted meanwhile leaves rows that the
 * listing's join ignores), so the write lock is held only for the sorted
 * inserts.  A concurrent catch-up that moved corr_upto first wins: this
 * one then writes nothing and reports work so that its caller tries again.
 */
int sq_corr_catch_up(struct store *s, size_t max_rows, size_t *done)
{
    struct sqlite_store *q = sq(s);
    *done = 0;
    int64_t from = read_upto(s);
    struct corr_batch b = {.last = from};
    buf_init(&b.pool, (size_t)1 << 30);
    int r = batch_read(q, from, max_rows ? max_rows : 1, &b);
    if (!r && b.last != from) {
        r = store_begin_write(s);
        bool moved = !r && read_upto(s) != from;
        if (!r && !moved)
            r = batch_write(q, &b);
        if (r || moved)
            store_rollback(s);
        else
            r = store_commit(s);
        if (!r)
            *done = b.n ? b.n : 1;
    }
    free(b.e);
    buf_release(&b.pool);
    return r;
}

int sq_corr_pending(struct store *s, int64_t *newest, int64_t *upto)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_stmt(q, SQ_MAX_ADDED);
    int rc = sqlite3_step(st);
    *newest = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    *upto = read_upto(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_err(q, rc, "correlation state");
}
