/*
 * SQLite back end: one connection per `struct store`, WAL mode so readers
 * never block the writer, schema created on first open.  This file holds
 * the connection, the schema and the small administrative tables
 * (organisations, users, tokens, collections, status resources, meta);
 * objects live in sqlite_obj.c.
 *
 * Every SQL statement is a bound prepared statement; no value is ever
 * formatted into SQL text.
 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS org(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " identity_id TEXT NOT NULL, country TEXT NOT NULL, role TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS user(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " org_id INTEGER NOT NULL REFERENCES org(id), role INTEGER NOT NULL, pwhash TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS token(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL"
    " REFERENCES user(id), prefix TEXT NOT NULL, hash BLOB UNIQUE NOT NULL,"
    " created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS coll(seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,"
    " title TEXT NOT NULL, description TEXT NOT NULL, alias TEXT NOT NULL,"
    " read_orgs TEXT NOT NULL, write_orgs TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS coll_by_alias ON coll(alias);"
    /* added = date_added in microseconds: unique, strictly increasing (see store.h) */
    "CREATE TABLE IF NOT EXISTS obj(added INTEGER PRIMARY KEY, coll INTEGER NOT NULL,"
    " idh INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, ver INTEGER NOT NULL,"
    " ver_s TEXT, spec TEXT NOT NULL, created_by TEXT, revoked INTEGER NOT NULL,"
    " is_first INTEGER NOT NULL, is_last INTEGER NOT NULL, body BLOB NOT NULL,"
    " tlp INTEGER NOT NULL, mrefs TEXT, gran INTEGER NOT NULL, origin INTEGER NOT NULL);"
    /* marking definitions by id, across collections: the sharing decision resolves them */
    "CREATE TABLE IF NOT EXISTS marking(id TEXT PRIMARY KEY, body BLOB NOT NULL,"
    " origin INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS community(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " title TEXT NOT NULL, countries TEXT NOT NULL, orgs TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS obj_by_id ON obj(coll, idh);"
    "CREATE INDEX IF NOT EXISTS obj_by_type ON obj(coll, type, added);"
    "CREATE INDEX IF NOT EXISTS obj_by_coll ON obj(coll, added);"
    "CREATE TABLE IF NOT EXISTS status(id TEXT PRIMARY KEY, created INTEGER NOT NULL,"
    " owner_org INTEGER NOT NULL, body TEXT NOT NULL);"
    /*
     * Correlation (store/corr.h): an indicator version's equality values,
     * at most LIMIT_CORR_PER_VALUE rows per value (vh = store_corr_hash),
     * the rest counted in corr_over.  The view is for operators (sqlite3).
     */
    "CREATE TABLE IF NOT EXISTS corr(vh INTEGER NOT NULL, added INTEGER NOT NULL,"
    " path TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(vh, added, path, value))"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS corr_over(vh INTEGER NOT NULL, path TEXT NOT NULL,"
    " value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(vh, path, value)) WITHOUT ROWID;"
    "CREATE VIEW IF NOT EXISTS correlation AS SELECT c.path AS path, c.value AS value,"
    " count(DISTINCT coalesce(o.created_by, 'origin:' || o.origin)) AS organizations,"
    " count(*) AS indicators FROM corr c JOIN obj o ON o.added = c.added"
    " WHERE o.is_last AND NOT o.revoked GROUP BY c.vh, c.path, c.value;"
    "PRAGMA user_version = 4;";

static const char *stmt_sql[SQ_COUNT] = {
    [SQ_OBJ_VERSIONS] = "SELECT added, ver, revoked, created_by, body, is_first, is_last"
                        " FROM obj WHERE coll = ?1 AND idh = ?2 AND id = ?3",
    [SQ_OBJ_INSERT] = "INSERT INTO obj(added, coll, idh, id, type, ver, ver_s, spec, created_by,"
                      " revoked, is_first, is_last, body, tlp, mrefs, gran, origin)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                      " ?16, ?17)",
    [SQ_MARKING_INSERT] = "INSERT OR IGNORE INTO marking(id, body, origin) VALUES(?1, ?2, ?3)",
    [SQ_OBJ_CLEAR_LAST] = "UPDATE obj SET is_last = 0 WHERE added = ?1",
    [SQ_OBJ_CLEAR_FIRST] = "UPDATE obj SET is_first = 0 WHERE added = ?1",
    [SQ_MAX_ADDED] = "SELECT max(added) FROM obj",
    [SQ_TOKEN_FIND] = "SELECT user_id FROM token WHERE hash = ?1 AND revoked = 0",
    [SQ_USER_GET_ID] = "SELECT u.id, u.name, u.org_id, o.name, u.role, u.pwhash"
                       " FROM user u JOIN org o ON o.id = u.org_id WHERE u.id = ?1",
    [SQ_CORR_COUNT] = "SELECT count(*) FROM (SELECT 1 FROM corr WHERE vh = ?1 LIMIT ?2)",
    [SQ_CORR_INSERT] = "INSERT OR IGNORE INTO corr(vh, added, path, value) VALUES(?1, ?2, ?3, ?4)",
    [SQ_CORR_OVER] = "INSERT INTO corr_over(vh, path, value, n) VALUES(?1, ?2, ?3, 1)"
                     " ON CONFLICT(vh, path, value) DO UPDATE SET n = n + 1",
};

int sq_err(struct sqlite_store *q, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_CONSTRAINT) {
        /* only a duplicate is "already there"; a missing referenced row is not */
        int ext = sqlite3_extended_errcode(q->db);
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return ERR_EXISTS;
        log_warn("store", "%s failed: %s", what, sqlite3_errmsg(q->db));
        return ERR_INVALID;
    }
    log_error("store", "%s failed: %s", what, sqlite3_errmsg(q->db));
    return ERR_DB;
}

sqlite3_stmt *sq_stmt(struct sqlite_store *q, enum sq_stmt i)
{
    sqlite3_stmt *st = q->stmt[i];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

void sq_text(sqlite3_stmt *st, int col, char *out, size_t sz)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, sz, "%s", t ? (const char *)t : "");
}

static int exec(struct sqlite_store *q, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(q->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("store", "cannot run '%.40s': %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_DB;
    }
    return 0;
}

static void sq_close(struct store *s)
{
    struct sqlite_store *q = sq(s);
    for (int i = 0; i < SQ_COUNT; i++)
        sqlite3_finalize(q->stmt[i]);
    for (int i = 0; i < SQ_CACHE_SLOTS; i++) {
        sqlite3_finalize(q->cache[i].st);
        free(q->cache[i].sql);
    }
    sqlite3_close(q->db);
    free(q);
}

static int sq_begin_write(struct store *s)
{
    struct sqlite_store *q = sq(s);
    int r = exec(q, "BEGIN IMMEDIATE");
    if (r)
        return r;
    sqlite3_stmt *st = sq_stmt(q, SQ_MAX_ADDED);
    q->last_added = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    q->in_write = 1;
    return 0;
}

static int sq_commit(struct store *s)
{
    sq(s)->in_write = 0;
    return exec(sq(s), "COMMIT");
}

static int sq_rollback(struct store *s)
{
    sq(s)->in_write = 0;
    return exec(sq(s), "ROLLBACK");
}

static sqlite3_stmt *prepare_new(struct sqlite_store *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("store", "cannot prepare '%.40s': %s", sql, sqlite3_errmsg(q->db));
        return NULL;
    }
    return st;
}

sqlite3_stmt *sq_prepare(struct sqlite_store *q, const char *sql)
{
    int victim = 0;
    for (int i = 0; i < SQ_CACHE_SLOTS; i++) {
        if (q->cache[i].sql && strcmp(q->cache[i].sql, sql) == 0) {
            if (sqlite3_stmt_busy(q->cache[i].st))
                return prepare_new(q, sql);
            q->cache[i].used = ++q->clock;
            sqlite3_reset(q->cache[i].st);
            sqlite3_clear_bindings(q->cache[i].st);
            return q->cache[i].st;
        }
        if (q->cache[i].used < q->cache[victim].used)
            victim = i;
    }
    sqlite3_stmt *st = prepare_new(q, sql);
    if (!st || sqlite3_stmt_busy(q->cache[victim].st))
        return st;
    sqlite3_finalize(q->cache[victim].st);
    free(q->cache[victim].sql);
    q->cache[victim].sql = xstrdup(sql);
    q->cache[victim].st = st;
    q->cache[victim].used = ++q->clock;
    return st;
}

void sq_done(struct sqlite_store *q, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < SQ_CACHE_SLOTS; i++) {
        if (q->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    }
    sqlite3_finalize(st);
}

/* Prepare an ad-hoc statement (cached); NULL on failure (logged). */
static sqlite3_stmt *prep(struct sqlite_store *q, const char *sql)
{
    return sq_prepare(q, sql);
}

/* Step a one-shot write statement and finalize it. */
static int run(struct sqlite_store *q, sqlite3_stmt *st, const char *what)
{
    if (!st)
        return ERR_DB;
    int r = sq_err(q, sqlite3_step(st), what);
    sq_done(q, st);
    return r;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* ---- organisations ---- */

static void org_from_row(sqlite3_stmt *st, struct store_org *o)
{
    o->id = sqlite3_column_int64(st, 0);
    sq_text(st, 1, o->name, sizeof(o->name));
    sq_text(st, 2, o->identity_id, sizeof(o->identity_id));
    sq_text(st, 3, o->country, sizeof(o->country));
    sq_text(st, 4, o->role, sizeof(o->role));
}

static int sq_org_add(struct store *s, struct store_org *o, struct error *err)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st =
        prep(q, "INSERT INTO org(name, identity_id, country, role) VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, o->name);
    bind_text(st, 2, o->identity_id);
    bind_text(st, 3, o->country);
    bind_text(st, 4, o->role);
    int r = run(q, st, "org insert");
    if (r == ERR_EXISTS)
        return error_set(err, ERR_EXISTS, "organisation '%s' already exists", o->name);
    if (r)
        return error_set(err, r, "cannot store organisation '%s'", o->name);
    o->id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int org_get_where(struct store *s, const char *where, const char *name, int64_t id,
                         struct store_org *out)
{
    struct sqlite_store *q = sq(s);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT id, name, identity_id, country, role FROM org WHERE %s",
             where);
    sqlite3_stmt *st = prep(q, sql);
    if (!st)
        return ERR_DB;
    if (name)
        bind_text(st, 1, name);
    else
        sqlite3_bind_int64(st, 1, id);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        org_from_row(st, out);
        r = 0;
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_org_get(struct store *s, const char *name, struct store_org *out)
{
    return org_get_where(s, "name = ?1 OR identity_id = ?1", name, 0, out);
}

static int sq_org_get_id(struct store *s, int64_t id, struct store_org *out)
{
    return org_get_where(s, "id = ?1", NULL, id, out);
}

static int sq_org_list(struct store *s, int (*fn)(void *, const struct store_org *), void *ctx)
{
    sqlite3_stmt *st =
        prep(sq(s), "SELECT id, name, identity_id, country, role FROM org ORDER BY name");
    if (!st)
        return ERR_DB;
    int r = 0;
    struct store_org o;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        org_from_row(st, &o);
        r = fn(ctx, &o);
    }
    sq_done(sq(s), st);
    return r;
}

/* ---- users ---- */

static void user_from_row(sqlite3_stmt *st, struct store_user *u)
{
    u->id = sqlite3_column_int64(st, 0);
    sq_text(st, 1, u->name, sizeof(u->name));
    u->org_id = sqlite3_column_int64(st, 2);
    sq_text(st, 3, u->org_name, sizeof(u->org_name));
    u->role = (enum store_user_role)sqlite3_column_int(st, 4);
    sq_text(st, 5, u->pwhash, sizeof(u->pwhash));
}

static int sq_user_add(struct store *s, struct store_user *u, struct error *err)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st =
        prep(q, "INSERT INTO user(name, org_id, role, pwhash) VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, u->name);
    sqlite3_bind_int64(st, 2, u->org_id);
    sqlite3_bind_int(st, 3, (int)u->role);
    bind_text(st, 4, u->pwhash);
    int r = run(q, st, "user insert");
    if (r == ERR_EXISTS)
        return error_set(err, ERR_EXISTS, "user '%s' already exists", u->name);
    if (r)
        return error_set(err, r, "cannot store user '%s'", u->name);
    u->id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int sq_user_get(struct store *s, const char *name, struct store_user *out)
{
    sqlite3_stmt *st = prep(sq(s), "SELECT u.id, u.name, u.org_id, o.name, u.role, u.pwhash"
                                   " FROM user u JOIN org o ON o.id = u.org_id WHERE u.name = ?1");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, name);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        user_from_row(st, out);
        r = 0;
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_user_get_id(struct store *s, int64_t id, struct store_user *out)
{
    sqlite3_stmt *st = sq_stmt(sq(s), SQ_USER_GET_ID);
    sqlite3_bind_int64(st, 1, id);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        user_from_row(st, out);
        r = 0;
    }
    sqlite3_reset(st);
    return r;
}

static int sq_user_list(struct store *s, int (*fn)(void *, const struct store_user *), void *ctx)
{
    sqlite3_stmt *st = prep(sq(s), "SELECT u.id, u.name, u.org_id, o.name, u.role, ''"
                                   " FROM user u JOIN org o ON o.id = u.org_id ORDER BY u.name");
    if (!st)
        return ERR_DB;
    int r = 0;
    struct store_user u;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        user_from_row(st, &u);
        r = fn(ctx, &u);
    }
    sq_done(sq(s), st);
    return r;
}

/* ---- tokens ---- */

static int sq_token_add(struct store *s, int64_t user_id, const char *prefix,
                        const unsigned char hash[32], int64_t *id_out)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = prep(q, "INSERT INTO token(user_id, prefix, hash, created)"
                               " VALUES(?1, ?2, ?3, strftime('%s','now') * 1000000)");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, user_id);
    bind_text(st, 2, prefix);
    sqlite3_bind_blob(st, 3, hash, 32, SQLITE_TRANSIENT);
    int r = run(q, st, "token insert");
    if (!r && id_out)
        *id_out = sqlite3_last_insert_rowid(q->db);
    return r;
}

static int sq_token_find(struct store *s, const unsigned char hash[32], int64_t *user_id)
{
    sqlite3_stmt *st = sq_stmt(sq(s), SQ_TOKEN_FIND);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(st, 0);
        r = 0;
    }
    sqlite3_reset(st);
    return r;
}

static int sq_token_revoke(struct store *s, const char *key, int *count)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = prep(q, "UPDATE token SET revoked = 1 WHERE revoked = 0 AND"
                               " (prefix = ?1 OR CAST(id AS TEXT) = ?1)");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, key);
    int r = run(q, st, "token revoke");
    *count = r ? 0 : sqlite3_changes(q->db);
    return r;
}

static int sq_token_list(struct store *s, int (*fn)(void *, const struct store_token *), void *ctx)
{
    sqlite3_stmt *st = prep(sq(s), "SELECT t.id, t.user_id, u.name, t.prefix, t.created, t.revoked"
                                   " FROM token t JOIN user u ON u.id = t.user_id ORDER BY t.id");
    if (!st)
        return ERR_DB;
    int r = 0;
    struct store_token t;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        t.id = sqlite3_column_int64(st, 0);
        t.user_id = sqlite3_column_int64(st, 1);
        sq_text(st, 2, t.user_name, sizeof(t.user_name));
        sq_text(st, 3, t.prefix, sizeof(t.prefix));
        t.created_us = sqlite3_column_int64(st, 4);
        t.revoked = sqlite3_column_int(st, 5) != 0;
        r = fn(ctx, &t);
    }
    sq_done(sq(s), st);
    return r;
}

/* ---- collections ---- */

static const char *coll_cols = "SELECT seq, id, title, description, alias, read_orgs, write_orgs"
                               " FROM coll";

static void coll_from_row(sqlite3_stmt *st, struct store_coll *c)
{
    c->seq = sqlite3_column_int64(st, 0);
    sq_text(st, 1, c->id, sizeof(c->id));
    sq_text(st, 2, c->title, sizeof(c->title));
    sq_text(st, 3, c->description, sizeof(c->description));
    sq_text(st, 4, c->alias, sizeof(c->alias));
    sq_text(st, 5, c->read_orgs, sizeof(c->read_orgs));
    sq_text(st, 6, c->write_orgs, sizeof(c->write_orgs));
}

static int sq_coll_add(struct store *s, struct store_coll *c, struct error *err)
{
    struct sqlite_store *q = sq(s);
    /* TAXII 2.1 §5.2.1: an alias is unique in the API root (nor may it be another's id) */
    sqlite3_stmt *st = prep(q, "INSERT INTO coll(id, title, description, alias, read_orgs,"
                               " write_orgs) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE ?4 = ''"
                               " OR NOT EXISTS (SELECT 1 FROM coll WHERE alias = ?4 OR id = ?4)");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, c->id);
    bind_text(st, 2, c->title);
    bind_text(st, 3, c->description);
    bind_text(st, 4, c->alias);
    bind_text(st, 5, c->read_orgs);
    bind_text(st, 6, c->write_orgs);
    int r = run(q, st, "collection insert");
    if (r == ERR_EXISTS)
        return error_set(err, ERR_EXISTS, "collection '%s' already exists", c->id);
    if (r)
        return error_set(err, r, "cannot store collection '%s'", c->title);
    if (sqlite3_changes(q->db) == 0)
        return error_set(err, ERR_EXISTS, "a collection with alias '%s' already exists", c->alias);
    c->seq = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int sq_coll_get(struct store *s, const char *id, struct store_coll *out)
{
    char sql[200];
    snprintf(sql, sizeof(sql), "%s WHERE id = ?1 OR (alias = ?1 AND alias != '')", coll_cols);
    sqlite3_stmt *st = prep(sq(s), sql);
    if (!st)
        return ERR_DB;
    bind_text(st, 1, id);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        coll_from_row(st, out);
        r = 0;
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_coll_list(struct store *s, int (*fn)(void *, const struct store_coll *), void *ctx)
{
    char sql[200];
    snprintf(sql, sizeof(sql), "%s ORDER BY seq", coll_cols);
    sqlite3_stmt *st = prep(sq(s), sql);
    if (!st)
        return ERR_DB;
    int r = 0;
    struct store_coll c;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        coll_from_row(st, &c);
        r = fn(ctx, &c);
    }
    sq_done(sq(s), st);
    return r;
}

/* ---- status resources and meta ---- */

static int sq_status_put(struct store *s, const char *id, int64_t owner_org, const char *json,
                         size_t len)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = prep(q, "INSERT OR REPLACE INTO status(id, created, owner_org, body)"
                               " VALUES(?1, strftime('%s','now'), ?3, ?2)");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, id);
    sqlite3_bind_text(st, 2, json, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, owner_org);
    return run(q, st, "status insert");
}

/* One row's (text, integer) by id: statuses and marking definitions. */
static int body_by_id(struct store *s, const char *sql, const char *id, char **json, size_t *len,
                      int64_t *num)
{
    sqlite3_stmt *st = prep(sq(s), sql);
    if (!st)
        return ERR_DB;
    bind_text(st, 1, id);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *json = xstrndup((const char *)sqlite3_column_blob(st, 0), *len);
        *num = sqlite3_column_int64(st, 1);
        r = 0;
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_status_get(struct store *s, const char *id, int64_t *owner_org, char **json,
                         size_t *len)
{
    return body_by_id(s, "SELECT body, owner_org FROM status WHERE id = ?1", id, json, len,
                      owner_org);
}

static int sq_marking_get(struct store *s, const char *id, char **json, size_t *len,
                          int64_t *origin_org)
{
    return body_by_id(s, "SELECT body, origin FROM marking WHERE id = ?1", id, json, len,
                      origin_org);
}

/* ---- communities ---- */

static int sq_community_put(struct store *s, const struct store_community *c, struct error *err)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = prep(q, "INSERT INTO community(name, title, countries, orgs)"
                               " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET"
                               " title = ?2, countries = ?3, orgs = ?4");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, c->name);
    bind_text(st, 2, c->title);
    bind_text(st, 3, c->countries);
    bind_text(st, 4, c->orgs);
    int r = run(q, st, "community upsert");
    return r ? error_set(err, r, "cannot store community '%s'", c->name) : 0;
}

static void community_from_row(sqlite3_stmt *st, struct store_community *c)
{
    c->id = sqlite3_column_int64(st, 0);
    sq_text(st, 1, c->name, sizeof(c->name));
    sq_text(st, 2, c->title, sizeof(c->title));
    sq_text(st, 3, c->countries, sizeof(c->countries));
    sq_text(st, 4, c->orgs, sizeof(c->orgs));
}

static int sq_community_get(struct store *s, const char *name, struct store_community *out)
{
    sqlite3_stmt *st =
        prep(sq(s), "SELECT id, name, title, countries, orgs FROM community WHERE name = ?1");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, name);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        community_from_row(st, out);
        r = 0;
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_community_list(struct store *s, int (*fn)(void *, const struct store_community *),
                             void *ctx)
{
    sqlite3_stmt *st =
        prep(sq(s), "SELECT id, name, title, countries, orgs FROM community ORDER BY name");
    if (!st)
        return ERR_DB;
    int r = 0;
    struct store_community c;
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        community_from_row(st, &c);
        r = fn(ctx, &c);
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_community_delete(struct store *s, const char *name)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = prep(q, "DELETE FROM community WHERE name = ?1");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, name);
    int r = run(q, st, "community delete");
    return r ? r : (sqlite3_changes(q->db) ? 0 : ERR_NOT_FOUND);
}

static int sq_meta_get(struct store *s, const char *key, char *out, size_t outsz)
{
    sqlite3_stmt *st = prep(sq(s), "SELECT value FROM meta WHERE key = ?1");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, key);
    int r = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        sq_text(st, 0, out, outsz);
        r = 0;
    }
    sq_done(sq(s), st);
    return r;
}

static int sq_meta_set(struct store *s, const char *key, const char *value)
{
    struct sqlite_store *q = sq(s);
    sqlite3_stmt *st = prep(q, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    if (!st)
        return ERR_DB;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    return run(q, st, "meta set");
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .begin_write = sq_begin_write,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .org_add = sq_org_add,
    .org_get = sq_org_get,
    .org_get_id = sq_org_get_id,
    .org_list = sq_org_list,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .user_get_id = sq_user_get_id,
    .user_list = sq_user_list,
    .token_add = sq_token_add,
    .token_find = sq_token_find,
    .token_revoke = sq_token_revoke,
    .token_list = sq_token_list,
    .coll_add = sq_coll_add,
    .coll_get = sq_coll_get,
    .coll_list = sq_coll_list,
    .obj_put = sq_obj_put,
    .obj_query = sq_obj_query,
    .obj_delete = sq_obj_delete,
    .obj_count = sq_obj_count,
    .status_put = sq_status_put,
    .status_get = sq_status_get,
    .marking_get = sq_marking_get,
    .community_put = sq_community_put,
    .community_get = sq_community_get,
    .community_list = sq_community_list,
    .community_delete = sq_community_delete,
    .corr_list = sq_corr_list,
    .corr_catch_up = sq_corr_catch_up,
    .corr_pending = sq_corr_pending,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .peer_add = sq_peer_add,
    .peer_get = sq_peer_get,
    .peer_list = sq_peer_list,
    .peer_remove = sq_peer_remove,
    .peer_report = sq_peer_report,
    .peer_coll_add = sq_peer_coll_add,
    .peer_coll_list = sq_peer_coll_list,
    .peer_coll_save = sq_peer_coll_save,
    .quarantine_add = sq_quarantine_add,
    .quarantine_list = sq_quarantine_list,
};

#define SCHEMA_VERSION 4

/* 0 for a new file, else the schema version it was made with. */
static int schema_version(struct sqlite_store *q)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int configure(struct sqlite_store *q, struct error *err)
{
    sqlite3_busy_timeout(q->db, 30000);
    int v = schema_version(q);
    bool upgrade = v == 3; /* version 3 lacks only the correlation tables (filled by catch-up) */
    if (v != 0 && v != SCHEMA_VERSION && !upgrade)
        return error_set(err, ERR_UNSUPPORTED,
                         "the database has schema version %d; this Concord reads version %d "
                         "(make a new data directory and import an export of the old one)",
                         v, SCHEMA_VERSION);
    int r = exec(q, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    " PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;"
                    " PRAGMA temp_store=MEMORY;");
    if (!r && upgrade)
        r = exec(q, "BEGIN IMMEDIATE");
    if (!r)
        r = exec(q, schema_sql);
    if (!r)
        r = exec(q, sq_peer_schema); /* IF NOT EXISTS: older v4 files get the tables too */
    for (int i = 0; !r && i < SQ_COUNT; i++) {
        if (sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->stmt[i],
                               NULL) != SQLITE_OK)
            r = sq_err(q, SQLITE_ERROR, "prepare");
    }
    if (upgrade) {
        int end = exec(q, r ? "ROLLBACK" : "COMMIT");
        r = r ? r : end;
        if (!r)
            log_notice("store", "upgraded the database to schema version %d", SCHEMA_VERSION);
    }
    return r;
}

int store_sqlite_open(const char *path, struct store **out, struct error *err)
{
    struct sqlite_store *q = xcalloc(1, sizeof(*q));
    q->base.ops = &sqlite_ops;
    *out = NULL;
    int rc = sqlite3_open_v2(path, &q->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        error_set(err, ERR_IO, "cannot open database '%s': %s", path,
                  q->db ? sqlite3_errmsg(q->db) : "out of memory");
        sq_close(&q->base);
        return ERR_IO;
    }
    if (configure(q, err)) {
        error_set(err, ERR_DB, "cannot set up database '%s': %s", path, sqlite3_errmsg(q->db));
        sq_close(&q->base);
        return ERR_DB;
    }
    *out = &q->base;
    return 0;
}

bool store_orglist_has(const char *list, int64_t org_id)
{
    if (strcmp(list, "*") == 0)
        return true;
    char needle[32];
    snprintf(needle, sizeof(needle), ",%lld,", (long long)org_id);
    return strstr(list, needle) != NULL;
}
