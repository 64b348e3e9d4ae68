/*
 * SQLite back end, objects: storing versions, querying with the TAXII
 * filters, deleting.
 *
 * Invariants kept by sq_obj_put (inside the caller's write transaction):
 * - (coll, id, version) is unique; a second, different body for it is
 *   rejected, an identical one is reported as STORE_PUT_EXISTS;
 * - unversioned objects (SCOs, marking definitions) have one row per id;
 * - is_first / is_last flag exactly the earliest / latest version of each
 *   id in each collection, so "match[version]=last" is an indexed filter;
 * - no version newer than a revoked one is accepted (STIX 2.1 §3.6), and a
 *   new version must keep the first version's created_by_ref (§3.5).
 */
#include "store/sqlite_int.h"

#include <string.h>

#include "stix/id.h"
#include "stix/timestamp.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/banned.h"

struct existing {
    int64_t min_ver, max_ver;      /* version range of stored rows */
    int64_t min_added, max_added;  /* rows holding those versions */
    int64_t revoked_ver;           /* smallest revoked version, INT64_MAX when none */
    int count;
    char first_creator[96];        /* created_by of the earliest version ("" none) */
    int same_ver;                  /* 0 none, 1 identical body, 2 different body */
    int64_t same_added;            /* date_added of that row */
};

static void scan_existing(struct sqlite_store *q, int64_t coll, const struct store_obj_in *in,
                          struct existing *ex)
{
    memset(ex, 0, sizeof(*ex));
    ex->revoked_ver = INT64_MAX;
    sqlite3_stmt *st = sq_stmt(q, SQ_OBJ_VERSIONS);
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_int64(st, 2, (int64_t)stix_id_hash(in->id, strlen(in->id)));
    sqlite3_bind_text(st, 3, in->id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t added = sqlite3_column_int64(st, 0), ver = sqlite3_column_int64(st, 1);
        if (ex->count == 0 || ver < ex->min_ver) {
            ex->min_ver = ver;
            ex->min_added = added;
            sq_text(st, 3, ex->first_creator, sizeof(ex->first_creator));
        }
        if (ex->count == 0 || ver > ex->max_ver) {
            ex->max_ver = ver;
            ex->max_added = added;
        }
        if (sqlite3_column_int(st, 2) && ver < ex->revoked_ver)
            ex->revoked_ver = ver;
        if (ver == in->version_ns || !in->versioned) {
            const void *body = sqlite3_column_blob(st, 4);
            size_t n = (size_t)sqlite3_column_bytes(st, 4);
            ex->same_ver = (n == in->body_len && memcmp(body, in->body, n) == 0) ? 1 : 2;
            ex->same_added = added;
        }
        ex->count++;
    }
    sqlite3_reset(st);
}

static int check_existing(const struct store_obj_in *in, const struct existing *ex,
                          enum store_put_outcome *outcome, struct error *err)
{
    if (ex->same_ver == 1) {
        *outcome = STORE_PUT_EXISTS;
        return 0;
    }
    if (ex->same_ver == 2)
        return error_set(err, ERR_CONFLICT,
                         in->versioned ? "a different object with this id and version '%s' "
                                         "already exists"
                                       : "a different object with this id already exists "
                                         "(%s is not versioned)",
                         in->versioned ? in->version : in->type);
    if (ex->count && in->version_ns > ex->revoked_ver)
        return error_set(err, ERR_CONFLICT, "the object was revoked; no newer version may be added");
    /* every stored version has the same creator, so this holds for late older versions too */
    const char *creator = in->created_by ? in->created_by : "";
    if (ex->count && strcmp(creator, ex->first_creator) != 0)
        return error_set_at(err, ERR_CONFLICT, "created_by_ref", -1,
                            "'created_by_ref' differs from the first version's: only the "
                            "creator may version an object");
    return 0;
}

static int insert_row(struct sqlite_store *q, int64_t coll, const struct store_obj_in *in,
                      int is_first, int is_last, int64_t added)
{
    sqlite3_stmt *st = sq_stmt(q, SQ_OBJ_INSERT);
    sqlite3_bind_int64(st, 1, added);
    sqlite3_bind_int64(st, 2, coll);
    sqlite3_bind_int64(st, 3, (int64_t)stix_id_hash(in->id, strlen(in->id)));
    sqlite3_bind_text(st, 4, in->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, in->type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, in->version_ns);
    if (in->version)
        sqlite3_bind_text(st, 7, in->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->spec_version, -1, SQLITE_STATIC);
    if (in->created_by)
        sqlite3_bind_text(st, 9, in->created_by, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, in->revoked);
    sqlite3_bind_int(st, 11, is_first);
    sqlite3_bind_int(st, 12, is_last);
    sqlite3_bind_blob(st, 13, in->body, (int)in->body_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 14, in->tlp);
    if (in->mrefs)
        sqlite3_bind_text(st, 15, in->mrefs, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 16, in->granular);
    sqlite3_bind_int64(st, 17, in->origin_org);
    int r = sq_err(q, sqlite3_step(st), "object insert");
    sqlite3_reset(st);
    if (r == 0 && strcmp(in->type, "marking-definition") == 0) {
        st = sq_stmt(q, SQ_MARKING_INSERT);
        sqlite3_bind_text(st, 1, in->id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, in->body, (int)in->body_len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, in->origin_org);
        r = sq_err(q, sqlite3_step(st), "marking insert");
        sqlite3_reset(st);
    }
    return r;
}

static int clear_flag(struct sqlite_store *q, enum sq_stmt which, int64_t added)
{
    sqlite3_stmt *st = sq_stmt(q, which);
    sqlite3_bind_int64(st, 1, added);
    int r = sq_err(q, sqlite3_step(st), "flag update");
    sqlite3_reset(st);
    return r;
}

int sq_obj_put(struct store *s, int64_t coll, const struct store_obj_in *in,
               enum store_put_outcome *outcome, int64_t *added_us, struct error *err)
{
    struct sqlite_store *q = sq(s);
    struct existing ex;

    if (!q->in_write)
        return error_set(err, ERR_DB, "object stored outside a write transaction");
    scan_existing(q, coll, in, &ex);
    int r = check_existing(in, &ex, outcome, err);
    if (!r && *outcome == STORE_PUT_EXISTS)
        *added_us = ex.same_added; /* the version of an SCO is its date_added */
    if (r || *outcome == STORE_PUT_EXISTS)
        return r;
    int is_last = ex.count == 0 || in->version_ns > ex.max_ver;
    int is_first = ex.count == 0 || in->version_ns < ex.min_ver;
    if (ex.count && is_last && (r = clear_flag(q, SQ_OBJ_CLEAR_LAST, ex.max_added)))
        return error_set(err, r, "cannot update version flags");
    if (ex.count && is_first && (r = clear_flag(q, SQ_OBJ_CLEAR_FIRST, ex.min_added)))
        return error_set(err, r, "cannot update version flags");
    int64_t now = stix_now_us();
    int64_t added = now > q->last_added ? now : q->last_added + 1;
    if ((r = insert_row(q, coll, in, is_first, is_last, added)))
        return error_set(err, r, "cannot store object");
    q->last_added = added;
    *added_us = added;
    *outcome = STORE_PUT_ADDED;
    return 0;
}

/* ---- queries ---- */

static void add_in_list(struct buf *sql, const char *col, size_t n)
{
    buf_printf(sql, " AND %s IN (", col);
    for (size_t i = 0; i < n; i++)
        buf_puts(sql, i ? ",?" : "?");
    buf_putc(sql, ')');
}

/* first/last per reader (store_query.visible): every version is read, sq_obj_query picks */
static bool pick_versions(const struct store_query *qr)
{
    unsigned f = qr->ver_flags ? qr->ver_flags : STORE_VER_LAST;
    return qr->visible && !(f & STORE_VER_ALL) && (f & (STORE_VER_LAST | STORE_VER_FIRST));
}

static void add_version_clause(struct buf *sql, const struct store_query *qr)
{
    unsigned f = qr->ver_flags ? qr->ver_flags : STORE_VER_LAST;
    if (f & STORE_VER_ALL)
        return;
    buf_puts(sql, " AND (0");
    if (f & STORE_VER_LAST)
        buf_puts(sql, " OR is_last = 1");
    if (f & STORE_VER_FIRST)
        buf_puts(sql, " OR is_first = 1");
    if ((f & STORE_VER_LIST) && qr->n_versions) {
        /* an object without modified/created has its date_added as version (TAXII 2.1 §5.3.1) */
        buf_puts(sql, " OR (CASE WHEN ver_s IS NULL THEN added * 1000 ELSE ver END) IN (");
        for (size_t i = 0; i < qr->n_versions; i++)
            buf_puts(sql, i ? ",?" : "?");
        buf_putc(sql, ')');
    }
    buf_putc(sql, ')');
}

/* Build the WHERE clause shared by query and delete (parameters in bind order). */
static void build_where(struct buf *sql, const struct store_query *qr, bool pick)
{
    buf_puts(sql, " WHERE coll = ? AND added > ?");
    if (qr->n_ids) {
        add_in_list(sql, "idh", qr->n_ids);
        add_in_list(sql, "id", qr->n_ids);
    }
    if (qr->n_types)
        add_in_list(sql, "type", qr->n_types);
    if (qr->n_specs)
        add_in_list(sql, "spec", qr->n_specs);
    if (!pick)
        add_version_clause(sql, qr);
    if (qr->visible_to) /* share_tlp: 1 CLEAR, 2 GREEN (see store_query.visible_to) */
        buf_puts(sql, " AND (tlp IN (1, 2) OR mrefs IS NOT NULL OR created_by = ? OR origin = ?)");
}

static void bind_where(sqlite3_stmt *st, const struct store_query *qr, bool pick)
{
    int i = 1;
    sqlite3_bind_int64(st, i++, qr->coll);
    sqlite3_bind_int64(st, i++, qr->added_after_us < 0 ? -1 : qr->added_after_us);
    for (size_t k = 0; k < qr->n_ids; k++)
        sqlite3_bind_int64(st, i++, (int64_t)stix_id_hash(qr->ids[k], strlen(qr->ids[k])));
    for (size_t k = 0; k < qr->n_ids; k++)
        sqlite3_bind_text(st, i++, qr->ids[k], -1, SQLITE_STATIC);
    for (size_t k = 0; k < qr->n_types; k++)
        sqlite3_bind_text(st, i++, qr->types[k], -1, SQLITE_STATIC);
    for (size_t k = 0; k < qr->n_specs; k++)
        sqlite3_bind_text(st, i++, qr->specs[k], -1, SQLITE_STATIC);
    unsigned f = qr->ver_flags ? qr->ver_flags : STORE_VER_LAST;
    if (!pick && !(f & STORE_VER_ALL) && (f & STORE_VER_LIST))
        for (size_t k = 0; k < qr->n_versions; k++)
            sqlite3_bind_int64(st, i++, qr->versions[k]);
    if (qr->visible_to) {
        sqlite3_bind_text(st, i++, qr->visible_to, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, i++, qr->visible_org ? qr->visible_org : -1);
    }
}

static sqlite3_stmt *prepare_query(struct sqlite_store *q, const char *head,
                                   const struct store_query *qr, const char *tail, bool pick)
{
    struct buf sql;
    buf_init(&sql, 64 * 1024);
    buf_puts(&sql, head);
    build_where(&sql, qr, pick);
    buf_puts(&sql, tail);
    sqlite3_stmt *st = buf_failed(&sql) ? NULL : sq_prepare(q, buf_str(&sql));
    buf_release(&sql);
    if (st)
        bind_where(st, qr, pick);
    return st;
}

static void row_from_stmt(sqlite3_stmt *st, struct store_row *row)
{
    row->added_us = sqlite3_column_int64(st, 0);
    row->id = (const char *)sqlite3_column_text(st, 1);
    row->type = (const char *)sqlite3_column_text(st, 2);
    row->version = (const char *)sqlite3_column_text(st, 3);
    row->spec_version = (const char *)sqlite3_column_text(st, 4);
    row->created_by = (const char *)sqlite3_column_text(st, 5);
    row->revoked = sqlite3_column_int(st, 6) != 0;
    row->body = sqlite3_column_blob(st, 7);
    row->body_len = (size_t)sqlite3_column_bytes(st, 7);
    row->tlp = sqlite3_column_int(st, 8);
    row->mrefs = (const char *)sqlite3_column_text(st, 9);
    row->granular = sqlite3_column_int(st, 10) != 0;
    row->origin_org = sqlite3_column_int64(st, 11);
}

#define ROW_COLUMNS \
    "added, id, type, ver_s, spec, created_by, revoked, body, tlp, mrefs, gran, origin"

/* Does id have a version newer (older) than ver that the reader may see? */
static bool other_visible(struct sqlite_store *q, const struct store_query *qr, const char *id,
                          int64_t ver, bool newer)
{
    sqlite3_stmt *st = sq_prepare(q, newer ? "SELECT " ROW_COLUMNS " FROM obj WHERE coll = ?1"
                                             " AND idh = ?2 AND id = ?3 AND ver > ?4"
                                           : "SELECT " ROW_COLUMNS " FROM obj WHERE coll = ?1"
                                             " AND idh = ?2 AND id = ?3 AND ver < ?4");
    if (!st)
        return true; /* cannot tell: do not serve the older one as the latest */
    sqlite3_bind_int64(st, 1, qr->coll);
    sqlite3_bind_int64(st, 2, (int64_t)stix_id_hash(id, strlen(id)));
    sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, ver);
    bool seen = false;
    while (!seen && sqlite3_step(st) == SQLITE_ROW) {
        struct store_row row;
        row_from_stmt(st, &row);
        seen = qr->visible(qr->visible_ctx, &row);
    }
    sq_done(q, st);
    return seen;
}

/*
 * With pick_versions: is the row one of the versions asked for, as this
 * reader sees the object?  Columns 12-14 are ver, is_first, is_last.
 */
static bool picked(struct sqlite_store *q, const struct store_query *qr, sqlite3_stmt *st,
                   const struct store_row *row)
{
    unsigned f = qr->ver_flags ? qr->ver_flags : STORE_VER_LAST;
    int64_t ver = sqlite3_column_int64(st, 12);
    /* as add_version_clause: an object without version has its date_added as version */
    int64_t as_listed = row->version ? ver : row->added_us * 1000;
    for (size_t i = 0; (f & STORE_VER_LIST) && i < qr->n_versions; i++)
        if (qr->versions[i] == as_listed)
            return true;
    if (!qr->visible(qr->visible_ctx, row))
        return false;
    if ((f & STORE_VER_LAST) &&
        (sqlite3_column_int(st, 14) || !other_visible(q, qr, row->id, ver, true)))
        return true;
    return (f & STORE_VER_FIRST) &&
           (sqlite3_column_int(st, 13) || !other_visible(q, qr, row->id, ver, false));
}

int sq_obj_query(struct store *s, const struct store_query *qr, store_row_fn fn, void *ctx,
                 bool *more)
{
    struct sqlite_store *q = sq(s);
    bool pick = pick_versions(qr);
    sqlite3_stmt *st = prepare_query(
        q, pick ? "SELECT " ROW_COLUMNS ", ver, is_first, is_last FROM obj"
                : "SELECT " ROW_COLUMNS " FROM obj",
        qr, " ORDER BY added", pick);
    if (!st)
        return ERR_DB;
    size_t taken = 0;
    int r = 0, rc;
    *more = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_row row;
        row_from_stmt(st, &row);
        if (pick && !picked(q, qr, st, &row))
            continue;
        row.visible = pick; /* picked() asked qr->visible: the callback need not ask again */
        row.peek = qr->limit && taken == qr->limit;
        r = fn(ctx, &row);
        if (r < 0)
            break;
        if (r == 1 && row.peek) {
            *more = true;
            break;
        }
        taken += (size_t)r;
        r = 0;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = sq_err(q, rc, "object query");
    sq_done(q, st);
    return r < 0 ? r : 0;
}

/* Re-derive is_first/is_last for one id after a delete. */
static int refresh_flags(struct sqlite_store *q, int64_t coll, const char *id)
{
    static const char *sql =
        "UPDATE obj SET"
        " is_first = (ver = (SELECT min(ver) FROM obj o WHERE o.coll = ?1 AND o.idh = ?2"
        " AND o.id = ?3)),"
        " is_last = (ver = (SELECT max(ver) FROM obj o WHERE o.coll = ?1 AND o.idh = ?2"
        " AND o.id = ?3))"
        " WHERE coll = ?1 AND idh = ?2 AND id = ?3";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_err(q, SQLITE_ERROR, "flag refresh");
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_int64(st, 2, (int64_t)stix_id_hash(id, strlen(id)));
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    int r = sq_err(q, sqlite3_step(st), "flag refresh");
    sqlite3_finalize(st);
    return r;
}

/* The delete itself: correlation rows first, then the objects, then the version flags. */
static int delete_in(struct sqlite_store *q, const struct store_query *qr, size_t *deleted)
{
    sqlite3_stmt *st =
        prepare_query(q, "SELECT added, body FROM obj", qr, " AND type = 'indicator'", false);
    int r = st ? sq_corr_forget(q, st) : ERR_DB;
    if (st)
        sq_done(q, st);
    st = r ? NULL : prepare_query(q, "DELETE FROM obj", qr, "", false);
    if (!st)
        return r ? r : ERR_DB;
    r = sq_err(q, sqlite3_step(st), "object delete");
    sq_done(q, st);
    if (r)
        return r;
    *deleted = (size_t)sqlite3_changes(q->db);
    for (size_t i = 0; i < qr->n_ids && *deleted && !r; i++)
        r = refresh_flags(q, qr->coll, qr->ids[i]);
    return r;
}

int sq_obj_delete(struct store *s, const struct store_query *qr, size_t *deleted)
{
    struct sqlite_store *q = sq(s);
    *deleted = 0;
    bool own = !q->in_write; /* one transaction, so no half-done delete is ever seen */
    int r = own ? store_begin_write(s) : 0;
    if (r)
        return r;
    r = delete_in(q, qr, deleted);
    if (own && r)
        store_rollback(s);
    else if (own)
        r = store_commit(s);
    return r;
}

int sq_obj_count(struct store *s, int64_t coll, int64_t *count)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM obj WHERE coll = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return sq_err(q, SQLITE_ERROR, "count");
    sqlite3_bind_int64(st, 1, coll);
    *count = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return 0;
}
