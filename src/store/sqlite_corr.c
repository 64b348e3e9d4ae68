/*
 * Correlation in the SQLite back end (store/corr.h).  Each stored
 * indicator version gets one corr row per equality value of its pattern,
 * keyed (value hash, date_added), until LIMIT_CORR_PER_VALUE versions hold
 * the value; further ones only increment corr_over.  Listing joins with
 * obj so that only latest, unrevoked versions count, which also makes
 * rows of superseded versions harmless.
 */
#include "store/sqlite_int.h"

#include <string.h>

#include "store/corr.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"
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

int sq_corr_add(struct sqlite_store *q, int64_t added, const struct store_obj_in *in)
{
    int r = 0;
    for (size_t i = 0; i < in->n_corr && !r; i++)
        r = add_one(q, added, &in->corr[i]);
    return r;
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

int sq_corr_backfill(struct sqlite_store *q)
{
    sqlite3_stmt *sel = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT added, body FROM obj WHERE type = 'indicator'", -1, &sel,
                           NULL) != SQLITE_OK)
        return sq_err(q, SQLITE_ERROR, "correlation backfill");
    int rc, r = 0;
    size_t n = 0;
    while (r == 0 && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        struct store_corr_set set;
        const char *body = sqlite3_column_blob(sel, 1);
        store_corr_extract_pattern_of_body(body, (size_t)sqlite3_column_bytes(sel, 1), &set);
        struct store_obj_in in = {.corr = set.v, .n_corr = set.n};
        r = sq_corr_add(q, sqlite3_column_int64(sel, 0), &in);
        store_corr_set_release(&set);
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_err(q, rc, "correlation backfill");
    sqlite3_finalize(sel);
    log_notice("store", "correlation: indexed %zu stored indicator versions", n);
    return r;
}
