/*
 * Unit tests for the SQLite store's connection and administrative tables
 * (src/store/sqlite.c) through the store.h interface, on a real database
 * file in a temporary directory: the schema, organisations, users, tokens,
 * collections, status resources, meta and collection org lists.  Objects
 * are in test_sqlite_obj.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "stix/timestamp.h"
#include "store/store.h"
#include "util/error.h"

#include "../../lib/store_fixture.h"

#define CREATOR_1 "identity--0f6b6e7a-3c0e-4d7a-9a42-5a2f8a1c3b11"
#define CREATOR_2 "identity--1c8e2a3b-5d4f-4e6a-8b7c-9d0e1f2a3b44"

/* ---- schema ---- */

static int count_tables(void *ctx, int n, char **vals, char **cols)
{
    (void)n;
    (void)cols;
    static const char *want[] = {"meta", "org",  "user",    "token",    "coll",
                                 "obj",  "status", "marking", "community", "corr",
                                 "corr_over"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strcmp(vals[0], want[i]) == 0)
            (*(int *)ctx)++;
    return 0;
}

static void test_open_creates_schema(void **state)
{
    struct fx *f = *state;
    sqlite3 *db;
    int tables = 0;
    char *msg = NULL;

    assert_int_equal(access(f->db, F_OK), 0);
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT name FROM sqlite_master WHERE type = 'table'",
                                  count_tables, &tables, &msg),
                     SQLITE_OK);
    assert_int_equal(tables, 11);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 4);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_reopen_keeps_data(void **state)
{
    struct fx *f = *state;
    struct store *s2 = NULL;
    struct error err;
    struct store_coll c;
    error_clear(&err);
    /* a second connection on the same file runs the schema again harmlessly */
    assert_int_equal(store_sqlite_open(f->db, &s2, &err), 0);
    assert_int_equal(store_coll_get(s2, "main", &c), 0);
    assert_int_equal(c.seq, f->coll);
    store_close(s2);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_sqlite_open(f->db, &f->s, &err), 0);
    assert_int_equal(store_coll_get(f->s, "other", &c), 0);
    assert_int_equal(c.seq, f->coll2);
}

static void test_open_bad_path(void **state)
{
    struct fx *f = *state;
    struct store *s2 = (struct store *)1;
    struct error err;
    char path[PATH_MAX];
    error_clear(&err);
    tmpdir_path(path, f->dir, "no/such/dir/concord.db");
    assert_int_equal(store_sqlite_open(path, &s2, &err), ERR_IO);
    assert_null(s2);
    assert_int_equal(err.code, ERR_IO);
    assert_non_null(strstr(err.msg, "cannot open database"));
}

/* ---- organisations, users, tokens, collections ---- */

static int64_t add_org(struct store *s, const char *name, const char *identity, int expect)
{
    struct store_org o;
    struct error err;
    memset(&o, 0, sizeof(o));
    error_clear(&err);
    snprintf(o.name, sizeof(o.name), "%s", name);
    snprintf(o.identity_id, sizeof(o.identity_id), "%s", identity);
    snprintf(o.country, sizeof(o.country), "SG");
    snprintf(o.role, sizeof(o.role), "national-cert");
    assert_int_equal(store_org_add(s, &o, &err), expect);
    assert_int_equal(err.code, expect);
    if (expect == ERR_EXISTS)
        assert_non_null(strstr(err.msg, "already exists"));
    return o.id;
}

struct names {
    size_t n;
    char name[8][LIMIT_NAME];
    int64_t id[8];
};

static int list_org(void *ctx, const struct store_org *o)
{
    struct names *n = ctx;
    snprintf(n->name[n->n], LIMIT_NAME, "%s", o->name);
    n->id[n->n++] = o->id;
    return 0;
}

static void test_orgs(void **state)
{
    struct fx *f = *state;
    struct store_org o;
    struct names n = {0};

    int64_t b = add_org(f->s, "zz-cert", CREATOR_2, 0);
    int64_t a = add_org(f->s, "aa-cert", CREATOR_1, 0);
    assert_true(a > 0 && b > 0 && a != b);
    add_org(f->s, "aa-cert", CREATOR_2, ERR_EXISTS);

    assert_int_equal(store_org_get(f->s, "aa-cert", &o), 0);
    assert_int_equal(o.id, a);
    assert_string_equal(o.identity_id, CREATOR_1);
    assert_string_equal(o.country, "SG");
    assert_string_equal(o.role, "national-cert");
    assert_int_equal(store_org_get(f->s, CREATOR_2, &o), 0); /* by identity id too */
    assert_int_equal(o.id, b);
    assert_string_equal(o.name, "zz-cert");
    assert_int_equal(store_org_get_id(f->s, b, &o), 0);
    assert_string_equal(o.name, "zz-cert");
    assert_int_equal(store_org_get(f->s, "nobody", &o), ERR_NOT_FOUND);
    assert_int_equal(store_org_get_id(f->s, 9999, &o), ERR_NOT_FOUND);

    assert_int_equal(store_org_list(f->s, list_org, &n), 0);
    assert_int_equal(n.n, 2);
    assert_string_equal(n.name[0], "aa-cert"); /* by name */
    assert_string_equal(n.name[1], "zz-cert");
}

static int list_user(void *ctx, const struct store_user *u)
{
    struct names *n = ctx;
    assert_string_equal(u->pwhash, ""); /* lists never carry hashes */
    snprintf(n->name[n->n], LIMIT_NAME, "%.100s/%.100s/%d", u->name, u->org_name, (int)u->role);
    n->id[n->n++] = u->id;
    return 0;
}

static int64_t add_user(struct store *s, const char *name, int64_t org, int expect)
{
    struct store_user u;
    struct error err;
    memset(&u, 0, sizeof(u));
    error_clear(&err);
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.org_id = org;
    u.role = STORE_ROLE_MEMBER;
    snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$fake-%s", name);
    assert_int_equal(store_user_add(s, &u, &err), expect);
    assert_int_equal(err.code, expect);
    return u.id;
}

static void test_users(void **state)
{
    struct fx *f = *state;
    struct store_user u;
    struct names n = {0};
    struct error err;

    int64_t org = add_org(f->s, "cert", CREATOR_1, 0);
    int64_t bob = add_user(f->s, "bob", org, 0);
    int64_t al = add_user(f->s, "al", org, 0);
    assert_true(bob > 0 && al > 0 && bob != al);
    add_user(f->s, "bob", org, ERR_EXISTS);

    assert_int_equal(store_user_get(f->s, "bob", &u), 0);
    assert_int_equal(u.id, bob);
    assert_int_equal(u.org_id, org);
    assert_string_equal(u.org_name, "cert");
    assert_int_equal(u.role, STORE_ROLE_MEMBER);
    assert_string_equal(u.pwhash, "$argon2id$fake-bob");
    assert_int_equal(store_user_get_id(f->s, al, &u), 0);
    assert_string_equal(u.name, "al");
    assert_string_equal(u.pwhash, "$argon2id$fake-al");
    assert_int_equal(store_user_get(f->s, "carol", &u), ERR_NOT_FOUND);
    assert_int_equal(store_user_get_id(f->s, 9999, &u), ERR_NOT_FOUND);

    assert_int_equal(store_user_list(f->s, list_user, &n), 0);
    assert_int_equal(n.n, 2);
    assert_string_equal(n.name[0], "al/cert/1");
    assert_string_equal(n.name[1], "bob/cert/1");

    /* a user of an organisation that does not exist is not "already there" */
    memset(&u, 0, sizeof(u));
    error_clear(&err);
    snprintf(u.name, sizeof(u.name), "ghost");
    u.org_id = 4242;
    snprintf(u.pwhash, sizeof(u.pwhash), "x");
    int r = store_user_add(f->s, &u, &err);
    assert_true(r < 0);
    assert_int_not_equal(r, ERR_EXISTS);
    assert_null(strstr(err.msg, "already exists"));
    assert_int_equal(store_user_get(f->s, "ghost", &u), ERR_NOT_FOUND);
}

struct toks {
    size_t n;
    struct store_token t[8];
};

static int list_tok(void *ctx, const struct store_token *t)
{
    struct toks *k = ctx;
    k->t[k->n++] = *t;
    return 0;
}

static void test_tokens(void **state)
{
    struct fx *f = *state;
    unsigned char h1[32], h2[32];
    int64_t t1, t2, uid = 0;
    int count = -1;
    struct toks k = {0};

    memset(h1, 0x11, sizeof(h1));
    memset(h2, 0x22, sizeof(h2));
    int64_t org = add_org(f->s, "cert", CREATOR_1, 0);
    int64_t bob = add_user(f->s, "bob", org, 0);
    int64_t before = stix_now_us() / 1000000 * 1000000;
    assert_int_equal(store_token_add(f->s, bob, "cct_aaaa", h1, &t1), 0);
    assert_int_equal(store_token_add(f->s, bob, "cct_bbbb", h2, &t2), 0);
    assert_true(t2 > t1);
    assert_int_equal(store_token_add(f->s, bob, "cct_cccc", h1, NULL), ERR_EXISTS);

    assert_int_equal(store_token_find(f->s, h1, &uid), 0);
    assert_int_equal(uid, bob);
    unsigned char h3[32];
    memset(h3, 0x33, sizeof(h3));
    assert_int_equal(store_token_find(f->s, h3, &uid), ERR_NOT_FOUND);

    assert_int_equal(store_token_list(f->s, list_tok, &k), 0);
    assert_int_equal(k.n, 2);
    assert_int_equal(k.t[0].id, t1);
    assert_int_equal(k.t[0].user_id, bob);
    assert_string_equal(k.t[0].user_name, "bob");
    assert_string_equal(k.t[0].prefix, "cct_aaaa");
    assert_false(k.t[0].revoked);
    assert_true(k.t[0].created_us >= before && k.t[0].created_us <= stix_now_us());

    /* revoke by prefix, then by id */
    assert_int_equal(store_token_revoke(f->s, "cct_aaaa", &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(store_token_find(f->s, h1, &uid), ERR_NOT_FOUND);
    assert_int_equal(store_token_revoke(f->s, "cct_aaaa", &count), 0);
    assert_int_equal(count, 0); /* already revoked */
    char idtxt[32];
    snprintf(idtxt, sizeof(idtxt), "%lld", (long long)t2);
    assert_int_equal(store_token_revoke(f->s, idtxt, &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(store_token_find(f->s, h2, &uid), ERR_NOT_FOUND);
    assert_int_equal(store_token_revoke(f->s, "nothing", &count), 0);
    assert_int_equal(count, 0);

    k.n = 0;
    assert_int_equal(store_token_list(f->s, list_tok, &k), 0);
    assert_int_equal(k.n, 2);
    assert_true(k.t[0].revoked && k.t[1].revoked);
}

struct colls {
    size_t n;
    struct store_coll c[4];
};

static int list_coll(void *ctx, const struct store_coll *c)
{
    struct colls *k = ctx;
    k->c[k->n++] = *c;
    return 0;
}

static void test_collections(void **state)
{
    struct fx *f = *state;
    struct store_coll c;
    struct colls k = {0};
    struct error err;

    int64_t third = add_coll(f->s, "c6a0e1a3-7a8e-4b43-a2f2-57d1f4c8a001", "");
    assert_true(third > f->coll2 && f->coll2 > f->coll);

    assert_int_equal(store_coll_get(f->s, "91a7b528-80eb-42ed-a74d-c6fbd5a26116", &c), 0);
    assert_int_equal(c.seq, f->coll);
    assert_string_equal(c.alias, "main");
    assert_string_equal(c.title, "title of 91a7b528-80eb-42ed-a74d-c6fbd5a26116");
    assert_string_equal(c.read_orgs, "*");
    assert_string_equal(c.write_orgs, ",1,");
    assert_int_equal(store_coll_get(f->s, "other", &c), 0); /* by alias */
    assert_int_equal(c.seq, f->coll2);
    assert_int_equal(store_coll_get(f->s, "", &c), ERR_NOT_FOUND); /* "" is no alias */
    assert_int_equal(store_coll_get(f->s, "missing", &c), ERR_NOT_FOUND);

    memset(&c, 0, sizeof(c));
    error_clear(&err);
    snprintf(c.id, sizeof(c.id), "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
    assert_int_equal(store_coll_add(f->s, &c, &err), ERR_EXISTS);
    assert_non_null(strstr(err.msg, "already exists"));

    assert_int_equal(store_coll_list(f->s, list_coll, &k), 0);
    assert_int_equal(k.n, 3);
    assert_int_equal(k.c[0].seq, f->coll);
    assert_int_equal(k.c[1].seq, f->coll2);
    assert_int_equal(k.c[2].seq, third);
    assert_string_equal(k.c[2].alias, "");
}

static int stop_list(void *ctx, const struct store_org *o)
{
    (void)o;
    (*(int *)ctx)++;
    return ERR_IO;
}

static void test_list_callback_stops(void **state)
{
    struct fx *f = *state;
    int calls = 0;
    add_org(f->s, "a", CREATOR_1, 0);
    add_org(f->s, "b", CREATOR_2, 0);
    assert_int_equal(store_org_list(f->s, stop_list, &calls), ERR_IO);
    assert_int_equal(calls, 1);
}

/* ---- statuses, meta, org lists ---- */

static void test_status(void **state)
{
    struct fx *f = *state;
    const char *sid = "2d086da7-4bdc-4f91-900e-d77486753710";
    const char *body = "{\"id\":\"2d086da7\",\"status\":\"complete\"}";
    char *json = NULL;
    size_t len = 0;
    int64_t owner = 0;

    assert_int_equal(store_status_get(f->s, sid, &owner, &json, &len), ERR_NOT_FOUND);
    assert_int_equal(store_status_put(f->s, sid, 7, body, strlen(body)), 0);
    assert_int_equal(store_status_get(f->s, sid, &owner, &json, &len), 0);
    assert_int_equal(owner, 7);
    assert_int_equal(len, strlen(body));
    assert_memory_equal(json, body, len);
    assert_int_equal(json[len], '\0');
    free(json);

    /* only len bytes are stored; a replace changes body and owner */
    assert_int_equal(store_status_put(f->s, sid, 9, "{}trailing", 2), 0);
    assert_int_equal(store_status_get(f->s, sid, &owner, &json, &len), 0);
    assert_int_equal(owner, 9);
    assert_string_equal(json, "{}");
    assert_int_equal(len, 2);
    free(json);
}

static void test_meta(void **state)
{
    struct fx *f = *state;
    char out[64], small[4];
    assert_int_equal(store_meta_get(f->s, "node_id", out, sizeof(out)), ERR_NOT_FOUND);
    assert_int_equal(store_meta_set(f->s, "node_id", "abcdef"), 0);
    assert_int_equal(store_meta_get(f->s, "node_id", out, sizeof(out)), 0);
    assert_string_equal(out, "abcdef");
    assert_int_equal(store_meta_set(f->s, "node_id", "xyz"), 0);
    assert_int_equal(store_meta_get(f->s, "node_id", out, sizeof(out)), 0);
    assert_string_equal(out, "xyz");
    assert_int_equal(store_meta_set(f->s, "long", "abcdef"), 0);
    assert_int_equal(store_meta_get(f->s, "long", small, sizeof(small)), 0);
    assert_string_equal(small, "abc"); /* truncated, terminated */
}

static void test_orglist_has(void **state)
{
    (void)state;
    assert_true(store_orglist_has("*", 1));
    assert_true(store_orglist_has("*", 123456));
    assert_true(store_orglist_has(",3,7,", 3));
    assert_true(store_orglist_has(",3,7,", 7));
    assert_false(store_orglist_has(",3,7,", 37));
    assert_false(store_orglist_has(",3,7,", 73));
    assert_false(store_orglist_has(",13,17,", 3));
    assert_false(store_orglist_has(",13,17,", 1));
    assert_false(store_orglist_has(",3,7,", 0));
    assert_false(store_orglist_has("", 3));
    assert_false(store_orglist_has(",,", 0));
    assert_true(store_orglist_has(",9223372036854775807,", INT64_MAX));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_open_creates_schema),
        T(test_reopen_keeps_data),
        T(test_open_bad_path),
        T(test_orgs),
        T(test_users),
        T(test_tokens),
        T(test_collections),
        T(test_list_callback_stops),
        T(test_status),
        T(test_meta),
        T(test_orglist_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
