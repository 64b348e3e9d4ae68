/*
 * SQLite back end, federation tables: peers (another TAXII 2.1 server, its
 * credentials and the state of the last rounds), peer_coll (which
 * collections are pulled from / pushed to, each with its checkpoint) and
 * quarantine (objects a peer sent that could not be stored, with why).
 *
 * The checkpoint of a pair is saved with peer_coll_save inside the write
 * transaction that stored the objects it covers (sync/pull.c), so after a
 * crash either both or neither are there.  The tables are created with
 * IF NOT EXISTS on every open, so databases made before federation get
 * them without a schema version change.
 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

const char *sq_peer_schema =
    "CREATE TABLE IF NOT EXISTS peer(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " url TEXT NOT NULL, org_id INTEGER NOT NULL REFERENCES org(id), user TEXT NOT NULL,"
    " secret TEXT NOT NULL, is_token INTEGER NOT NULL, last_try INTEGER NOT NULL DEFAULT 0,"
    " last_ok INTEGER NOT NULL DEFAULT 0, lag INTEGER NOT NULL DEFAULT -1,"
    " pulled INTEGER NOT NULL DEFAULT 0, pushed INTEGER NOT NULL DEFAULT 0,"
    " quarantined INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS peer_coll(peer_id INTEGER NOT NULL, dir INTEGER NOT NULL,"
    " remote TEXT NOT NULL, local TEXT NOT NULL, after INTEGER NOT NULL DEFAULT -1,"
    " next TEXT NOT NULL DEFAULT '', base INTEGER NOT NULL DEFAULT -1,"
    " count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(peer_id, dir, remote, local));"
    "CREATE TABLE IF NOT EXISTS quarantine(id INTEGER PRIMARY KEY, peer_id INTEGER NOT NULL,"
    " coll TEXT NOT NULL, object_id TEXT NOT NULL, reason TEXT NOT NULL, body BLOB,"
    " created INTEGER NOT NULL);";

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/* Step a one-shot statement and give it back. */
static int step_done(struct sqlite_store *q, sqlite3_stmt *st, const char *what)
{
    if (!st)
        return ERR_DB;
    int r = sq_err(q, sqlite3_step(st), what);
    sq_done(q, st);
    return r;
}

int sq_peer_add(struct store *s, struct store_peer *p, struct error *err)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "INSERT INTO peer(name, url, org_id, user, secret, is_token)"
                                     " VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return error_set(err, ERR_DB, "cannot store peer '%s'", p->name);
    bind_str(st, 1, p->name);
    bind_str(st, 2, p->url);
    sqlite3_bind_int64(st, 3, p->org_id);
    bind_str(st, 4, p->user);
    bind_str(st, 5, p->secret);
    sqlite3_bind_int(st, 6, p->token);
    int r = step_done(q, st, "peer insert");
    if (r == ERR_EXISTS)
        return error_set(err, ERR_EXISTS, "peer '%s' already exists", p->name);
    if (r)
        return error_set(err, r, "cannot store peer '%s'", p->name);
    p->id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

#define PEER_COLS                                                                          \
    "SELECT p.id, p.name, p.url, p.org_id, o.name, p.user, p.secret, p.is_token,"          \
    " p.last_try, p.last_ok, p.lag, p.pulled, p.pushed, p.quarantined, p.last_error"      \
    " FROM peer p JOIN org o ON o.id = p.org_id"

static void peer_from_row(sqlite3_stmt *st, struct store_peer *p)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(st, 0);
    sq_text(st, 1, p->name, sizeof(p->name));
    sq_text(st, 2, p->url, sizeof(p->url));
    p->org_id = sqlite3_column_int64(st, 3);
    sq_text(st, 4, p->org_name, sizeof(p->org_name));
    sq_text(st, 5, p->user, sizeof(p->user));
    sq_text(st, 6, p->secret, sizeof(p->secret));
    p->token = sqlite3_column_int(st, 7) != 0;
    p->last_try_us = sqlite3_column_int64(st, 8);
    p->last_ok_us = sqlite3_column_int64(st, 9);
    p->lag_us = sqlite3_column_int64(st, 10);
    p->pulled = sqlite3_column_int64(st, 11);
    p->pushed = sqlite3_column_int64(st, 12);
    p->quarantined = sqlite3_column_int64(st, 13);
    sq_text(st, 14, p->last_error, sizeof(p->last_error));
}

int sq_peer_get(struct store *s, const char *name, struct store_peer *out)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, PEER_COLS " WHERE p.name = ?1");
    if (!st)
        return ERR_DB;
    bind_str(st, 1, name);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        peer_from_row(st, out);
        r = 0;
    }
    sq_done(q, st);
    return r;
}

int sq_peer_list(struct store *s, int (*fn)(void *, const struct store_peer *), void *ctx)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, PEER_COLS " ORDER BY p.name");
    if (!st)
        return ERR_DB;
    int r = 0;
    struct store_peer p;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        peer_from_row(st, &p);
        r = fn(ctx, &p);
    }
    sq_done(q, st);
    return r;
}

int sq_peer_remove(struct store *s, const char *name)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "DELETE FROM peer_coll WHERE peer_id IN"
                                     " (SELECT id FROM peer WHERE name = ?1)");
    if (!st)
        return ERR_DB;
    bind_str(st, 1, name);
    int r = step_done(q, st, "peer_coll delete");
    if (r)
        return r;
    st = sq_prepare(q, "DELETE FROM peer WHERE name = ?1");
    if (!st)
        return ERR_DB;
    bind_str(st, 1, name);
    r = step_done(q, st, "peer delete");
    return r ? r : (sqlite3_changes(q->db) ? 0 : ERR_NOT_FOUND);
}

int sq_peer_report(struct store *s, const struct store_peer *p)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "UPDATE peer SET last_try = ?2, last_ok = ?3, lag = ?4,"
                                     " pulled = ?5, pushed = ?6, quarantined = ?7,"
                                     " last_error = ?8 WHERE id = ?1");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int64(st, 2, p->last_try_us);
    sqlite3_bind_int64(st, 3, p->last_ok_us);
    sqlite3_bind_int64(st, 4, p->lag_us);
    sqlite3_bind_int64(st, 5, p->pulled);
    sqlite3_bind_int64(st, 6, p->pushed);
    sqlite3_bind_int64(st, 7, p->quarantined);
    bind_str(st, 8, p->last_error);
    return step_done(q, st, "peer report");
}

int sq_peer_coll_add(struct store *s, const struct store_peer_coll *pc, struct error *err)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "INSERT INTO peer_coll(peer_id, dir, remote, local)"
                                     " VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return error_set(err, ERR_DB, "cannot store the peer's collections");
    sqlite3_bind_int64(st, 1, pc->peer_id);
    sqlite3_bind_int(st, 2, (int)pc->dir);
    bind_str(st, 3, pc->remote);
    bind_str(st, 4, pc->local);
    int r = step_done(q, st, "peer_coll insert");
    if (r == ERR_EXISTS)
        return error_set(err, r, "collection pair '%s' / '%s' given twice", pc->remote,
                         pc->local);
    return r ? error_set(err, r, "cannot store the peer's collections") : 0;
}

int sq_peer_coll_list(struct store *s, int64_t peer_id,
                      int (*fn)(void *, const struct store_peer_coll *), void *ctx)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "SELECT peer_id, dir, remote, local, after, next, base,"
                                     " count FROM peer_coll WHERE peer_id = ?1"
                                     " ORDER BY dir, remote, local");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, peer_id);
    int r = 0;
    struct store_peer_coll pc;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        memset(&pc, 0, sizeof(pc));
        pc.peer_id = sqlite3_column_int64(st, 0);
        pc.dir = (enum store_peer_dir)sqlite3_column_int(st, 1);
        sq_text(st, 2, pc.remote, sizeof(pc.remote));
        sq_text(st, 3, pc.local, sizeof(pc.local));
        pc.after_us = sqlite3_column_int64(st, 4);
        sq_text(st, 5, pc.next, sizeof(pc.next));
        pc.base_us = sqlite3_column_int64(st, 6);
        pc.count = sqlite3_column_int64(st, 7);
        r = fn(ctx, &pc);
    }
    sq_done(q, st);
    return r;
}

int sq_peer_coll_save(struct store *s, const struct store_peer_coll *pc)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "UPDATE peer_coll SET after = ?5, next = ?6, base = ?7,"
                                     " count = ?8 WHERE peer_id = ?1 AND dir = ?2"
                                     " AND remote = ?3 AND local = ?4");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, pc->peer_id);
    sqlite3_bind_int(st, 2, (int)pc->dir);
    bind_str(st, 3, pc->remote);
    bind_str(st, 4, pc->local);
    sqlite3_bind_int64(st, 5, pc->after_us);
    bind_str(st, 6, pc->next);
    sqlite3_bind_int64(st, 7, pc->base_us);
    sqlite3_bind_int64(st, 8, pc->count);
    int r = step_done(q, st, "peer_coll save");
    return r ? r : (sqlite3_changes(q->db) ? 0 : ERR_NOT_FOUND);
}

int sq_quarantine_add(struct store *s, const struct store_quarantine *qr)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "INSERT INTO quarantine(peer_id, coll, object_id, reason,"
                                     " body, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, qr->peer_id);
    bind_str(st, 2, qr->coll);
    bind_str(st, 3, qr->object_id);
    bind_str(st, 4, qr->reason);
    if (qr->body)
        sqlite3_bind_blob(st, 5, qr->body, (int)qr->body_len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, qr->created_us);
    return step_done(q, st, "quarantine insert");
}

int sq_quarantine_list(struct store *s, int64_t peer_id,
                       int (*fn)(void *, const struct store_quarantine *), void *ctx)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = sq_prepare(q, "SELECT q.id, q.peer_id, coalesce(p.name, ''), q.coll,"
                                     " q.object_id, q.reason, q.created, q.body FROM quarantine q"
                                     " LEFT JOIN peer p ON p.id = q.peer_id"
                                     " WHERE ?1 = 0 OR q.peer_id = ?1 ORDER BY q.id DESC");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, peer_id);
    int r = 0;
    struct store_quarantine qr;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        memset(&qr, 0, sizeof(qr));
        qr.id = sqlite3_column_int64(st, 0);
        qr.peer_id = sqlite3_column_int64(st, 1);
        sq_text(st, 2, qr.peer_name, sizeof(qr.peer_name));
        sq_text(st, 3, qr.coll, sizeof(qr.coll));
        sq_text(st, 4, qr.object_id, sizeof(qr.object_id));
        sq_text(st, 5, qr.reason, sizeof(qr.reason));
        qr.created_us = sqlite3_column_int64(st, 6);
        qr.body = (const char *)sqlite3_column_blob(st, 7);
        qr.body_len = (size_t)sqlite3_column_bytes(st, 7);
        r = fn(ctx, &qr);
    }
    sq_done(q, st);
    return r;
}
