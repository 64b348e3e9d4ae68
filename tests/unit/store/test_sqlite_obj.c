/*
 * Unit tests for the SQLite store's objects (src/store/sqlite_obj.c)
 * through the store.h interface, on a real database file in a temporary
 * directory: storing versions (added, already there, conflicting), the
 * first/last flags whatever the arrival order, revocation and creator
 * rules, unversioned objects, date_added ordering, the query filters with
 * the limit/peek protocol, and deletes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stix/timestamp.h"
#include "store/store.h"
#include "util/error.h"

#include "../../lib/store_fixture.h"

#define ID_A "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define ID_B "indicator--28bb3599-77cd-4a82-a950-b5bc3caf07c4"
#define ID_C "identity--2a5b8e1f-0c35-4c6e-9c3f-4b2f8f7f0d6e"
#define ID_IP "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"
#define CREATOR_1 "identity--0f6b6e7a-3c0e-4d7a-9a42-5a2f8a1c3b11"
#define CREATOR_2 "identity--1c8e2a3b-5d4f-4e6a-8b7c-9d0e1f2a3b44"

#define T1 "2024-01-01T00:00:00.000Z"
#define T2 "2024-02-01T00:00:00.000Z"
#define T3 "2024-03-01T00:00:00.000Z"
#define T4 "2024-04-01T00:00:00.000Z"

static int64_t ns_of(const char *ts)
{
    int64_t ns = 0;
    assert_int_equal(stix_ts_parse(ts, strlen(ts), &ns, NULL), 0);
    return ns;
}

/* ---- helpers for objects ---- */

struct obj {
    const char *id;
    const char *type;
    const char *version; /* NULL: unversioned */
    const char *created_by;
    bool revoked;
    const char *body;
    const char *spec; /* NULL: "2.1" */
};

static int put_in(struct store *s, int64_t coll, const struct obj *o, enum store_put_outcome *out,
                  int64_t *added, struct error *err)
{
    struct store_obj_in in = {
        .id = o->id,
        .type = o->type,
        .spec_version = o->spec ? o->spec : "2.1",
        .version = o->version,
        .version_ns = o->version ? ns_of(o->version) : 0,
        .created_by = o->created_by,
        .revoked = o->revoked,
        .versioned = o->version != NULL,
        .body = o->body,
        .body_len = strlen(o->body),
    };
    *out = 0;
    error_clear(err);
    return store_obj_put(s, coll, &in, out, added, err);
}

/* Put one object in its own transaction; returns the outcome or the error code. */
static int put1(struct fx *f, int64_t coll, const struct obj *o, int64_t *added)
{
    enum store_put_outcome out;
    struct error err;
    int64_t a = 0;
    assert_int_equal(store_begin_write(f->s), 0);
    int r = put_in(f->s, coll, o, &out, &a, &err);
    if (r) {
        assert_int_equal(err.code, r);
        assert_int_equal(store_rollback(f->s), 0);
        return r;
    }
    assert_int_equal(store_commit(f->s), 0);
    if (added)
        *added = a;
    return (int)out;
}

static int put_ver(struct fx *f, const char *id, const char *ver, const char *body)
{
    struct obj o = {.id = id, .type = "indicator", .version = ver, .body = body};
    return put1(f, f->coll, &o, NULL);
}

#define MAXROWS 640

/* Rows a query handed over (peek rows excluded), with their versions. */
struct rows {
    size_t n;
    int64_t added[MAXROWS];
    char id[MAXROWS][96];
    char ver[MAXROWS][40]; /* "" for NULL */
    char body[MAXROWS][128];
    size_t peeks;     /* peek calls seen */
    int skip_every;   /* >0: return 0 (skip) on calls c with (c - 1) % skip_every == 1 */
    size_t hide_from; /* >0: return 0 (skip) from this call on (1-based) */
    size_t calls;
    int fail_at; /* >0: return ERR_IO on this call (1-based) */
};

static int collect(void *ctx, const struct store_row *row)
{
    struct rows *r = ctx;
    r->calls++;
    if (r->fail_at && (int)r->calls == r->fail_at)
        return ERR_IO;
    if (r->skip_every && (r->calls - 1) % (size_t)r->skip_every == 1)
        return 0;
    if (r->hide_from && r->calls >= r->hide_from)
        return 0;
    if (row->peek) {
        r->peeks++;
        return 1;
    }
    assert_true(r->n < MAXROWS);
    r->added[r->n] = row->added_us;
    snprintf(r->id[r->n], sizeof(r->id[0]), "%s", row->id);
    snprintf(r->ver[r->n], sizeof(r->ver[0]), "%s", row->version ? row->version : "");
    snprintf(r->body[r->n], sizeof(r->body[0]), "%.*s", (int)row->body_len, row->body);
    r->n++;
    return 1;
}

static void query(struct fx *f, const struct store_query *q, struct rows *r, bool *more)
{
    bool m = true;
    assert_int_equal(store_obj_query(f->s, q, collect, r, &m), 0);
    if (more)
        *more = m;
}

/* Versions of id returned for ver_flags (LIST: the versions given). */
static void versions(struct fx *f, const char *id, unsigned flags, const int64_t *list,
                     size_t n_list, struct rows *r)
{
    const char *ids[] = {id};
    struct store_query q = {.coll = f->coll,
                            .added_after_us = -1,
                            .ids = ids,
                            .n_ids = 1,
                            .ver_flags = flags,
                            .versions = list,
                            .n_versions = n_list};
    memset(r, 0, sizeof(*r));
    query(f, &q, r, NULL);
}

/* True if the rows hold exactly the versions given (any order). */
static bool has_versions(const struct rows *r, size_t n, ...)
{
    va_list ap;
    bool ok = r->n == n;
    va_start(ap, n);
    for (size_t i = 0; ok && i < n; i++) {
        const char *v = va_arg(ap, const char *);
        bool found = false;
        for (size_t k = 0; k < r->n; k++)
            found = found || strcmp(r->ver[k], v) == 0;
        ok = found;
    }
    va_end(ap);
    return ok;
}

static void assert_first_last(struct fx *f, const char *id, const char *first, const char *last)
{
    struct rows r;
    versions(f, id, STORE_VER_FIRST, NULL, 0, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ver[0], first);
    versions(f, id, STORE_VER_LAST, NULL, 0, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ver[0], last);
    versions(f, id, 0, NULL, 0, &r); /* 0 means LAST */
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ver[0], last);
}

/* ---- objects: put ---- */

static void test_put_outcomes(void **state)
{
    struct fx *f = *state;
    struct obj o = {.id = ID_A, .type = "indicator", .version = T1, .body = "{\"v\":1}"};
    enum store_put_outcome out;
    struct error err;
    int64_t added = 0, added2 = 0, n = -1;

    /* outside a write transaction */
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), ERR_DB);
    assert_int_equal(err.code, ERR_DB);

    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), 0);
    assert_int_equal(out, STORE_PUT_ADDED);
    assert_true(added > 0);
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added2, &err), 0);
    assert_int_equal(out, STORE_PUT_EXISTS);
    struct obj other = o;
    other.body = "{\"v\":2}";
    assert_int_equal(put_in(f->s, f->coll, &other, &out, &added2, &err), ERR_CONFLICT);
    assert_int_equal(err.code, ERR_CONFLICT);
    assert_non_null(strstr(err.msg, T1));
    /* the same version in another collection is another object */
    assert_int_equal(put_in(f->s, f->coll2, &other, &out, &added2, &err), 0);
    assert_int_equal(out, STORE_PUT_ADDED);
    assert_true(added2 > added);
    assert_int_equal(store_commit(f->s), 0);

    assert_int_equal(store_obj_count(f->s, f->coll, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_obj_count(f->s, f->coll2, &n), 0);
    assert_int_equal(n, 1);

    /* identical again in a later transaction */
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_EXISTS);
    struct rows r;
    versions(f, ID_A, STORE_VER_ALL, NULL, 0, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.body[0], "{\"v\":1}");
    assert_int_equal(r.added[0], added);
}

static void test_rollback_discards(void **state)
{
    struct fx *f = *state;
    struct obj o = {.id = ID_A, .type = "indicator", .version = T1, .body = "{}"};
    enum store_put_outcome out;
    struct error err;
    int64_t added, n = -1;
    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), 0);
    assert_int_equal(store_rollback(f->s), 0);
    assert_int_equal(store_obj_count(f->s, f->coll, &n), 0);
    assert_int_equal(n, 0);
    /* and the store is not left "in a transaction" */
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), ERR_DB);
}

/* ---- objects: versions ---- */

static void test_versions_in_order(void **state)
{
    struct fx *f = *state;
    struct rows r;

    assert_int_equal(put_ver(f, ID_A, T1, "{\"v\":1}"), STORE_PUT_ADDED);
    assert_first_last(f, ID_A, T1, T1);
    assert_int_equal(put_ver(f, ID_A, T2, "{\"v\":2}"), STORE_PUT_ADDED);
    assert_int_equal(put_ver(f, ID_A, T3, "{\"v\":3}"), STORE_PUT_ADDED);
    assert_first_last(f, ID_A, T1, T3);

    versions(f, ID_A, STORE_VER_ALL, NULL, 0, &r);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.ver[0], T1); /* date_added order */
    assert_string_equal(r.ver[1], T2);
    assert_string_equal(r.ver[2], T3);
    assert_string_equal(r.body[1], "{\"v\":2}");

    int64_t list[] = {ns_of(T2), ns_of(T4)};
    versions(f, ID_A, STORE_VER_LIST, list, 2, &r);
    assert_true(has_versions(&r, 1, T2));
    versions(f, ID_A, STORE_VER_FIRST | STORE_VER_LAST, NULL, 0, &r);
    assert_true(has_versions(&r, 2, T1, T3));
    versions(f, ID_A, STORE_VER_FIRST | STORE_VER_LIST, list, 1, &r);
    assert_true(has_versions(&r, 2, T1, T2));
    versions(f, ID_A, STORE_VER_LIST, list, 0, &r); /* empty list: nothing */
    assert_int_equal(r.n, 0);
    versions(f, ID_A, STORE_VER_ALL | STORE_VER_FIRST, NULL, 0, &r); /* ALL wins */
    assert_int_equal(r.n, 3);
    /* the same version written with other precision is the same version */
    int64_t same[] = {ns_of("2024-02-01T00:00:00Z")};
    versions(f, ID_A, STORE_VER_LIST, same, 1, &r);
    assert_true(has_versions(&r, 1, T2));
}

static void test_versions_out_of_order(void **state)
{
    struct fx *f = *state;
    struct rows r;

    assert_int_equal(put_ver(f, ID_A, T3, "{\"v\":3}"), STORE_PUT_ADDED);
    assert_int_equal(put_ver(f, ID_A, T1, "{\"v\":1}"), STORE_PUT_ADDED); /* older, later */
    assert_first_last(f, ID_A, T1, T3);
    assert_int_equal(put_ver(f, ID_A, T2, "{\"v\":2}"), STORE_PUT_ADDED); /* in between */
    assert_first_last(f, ID_A, T1, T3);
    assert_int_equal(put_ver(f, ID_A, T4, "{\"v\":4}"), STORE_PUT_ADDED);
    assert_first_last(f, ID_A, T1, T4);
    versions(f, ID_A, STORE_VER_FIRST | STORE_VER_LAST, NULL, 0, &r);
    assert_true(has_versions(&r, 2, T1, T4));

    /* all inside one transaction too, on another id */
    struct obj o = {.id = ID_B, .type = "indicator"};
    enum store_put_outcome out;
    struct error err;
    int64_t added;
    const char *order[] = {T2, T4, T1, T3};
    assert_int_equal(store_begin_write(f->s), 0);
    for (size_t i = 0; i < 4; i++) {
        o.version = order[i];
        o.body = order[i];
        assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), 0);
        assert_int_equal(out, STORE_PUT_ADDED);
    }
    assert_int_equal(store_commit(f->s), 0);
    assert_first_last(f, ID_B, T1, T4);
    versions(f, ID_B, STORE_VER_ALL, NULL, 0, &r);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.ver[0], T2); /* still date_added order, not version order */
    assert_string_equal(r.ver[3], T3);
}

static void test_revoked_blocks_newer(void **state)
{
    struct fx *f = *state;
    struct obj o = {.id = ID_A, .type = "indicator", .version = T2, .body = "{\"v\":2}"};
    struct rows r;

    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    o.version = T3;
    o.body = "{\"v\":3,\"revoked\":true}";
    o.revoked = true;
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_EXISTS); /* same revoked one */

    o.version = T4;
    o.body = "{\"v\":4}";
    o.revoked = false;
    assert_int_equal(put1(f, f->coll, &o, NULL), ERR_CONFLICT);
    o.revoked = true;
    assert_int_equal(put1(f, f->coll, &o, NULL), ERR_CONFLICT);

    /* an older version arriving late is still accepted */
    o.version = T1;
    o.body = "{\"v\":1}";
    o.revoked = false;
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    assert_first_last(f, ID_A, T1, T3);
    versions(f, ID_A, STORE_VER_ALL, NULL, 0, &r);
    assert_int_equal(r.n, 3);

    /* revocation is per collection */
    o.version = T4;
    assert_int_equal(put1(f, f->coll2, &o, NULL), STORE_PUT_ADDED);
}

static void test_created_by_change(void **state)
{
    struct fx *f = *state;
    struct obj o = {.id = ID_A,
                    .type = "indicator",
                    .version = T2,
                    .created_by = CREATOR_1,
                    .body = "{\"v\":2}"};
    enum store_put_outcome out;
    struct error err;
    int64_t added;

    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    o.version = T3;
    o.body = "{\"v\":3}";
    o.created_by = CREATOR_2;
    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), ERR_CONFLICT);
    assert_string_equal(err.path, "created_by_ref");
    o.created_by = NULL; /* dropping the creator is a change too */
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), ERR_CONFLICT);
    /* an older version from someone else must not take the object over */
    o.version = T1;
    o.body = "{\"v\":1}";
    o.created_by = CREATOR_2;
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), ERR_CONFLICT);
    assert_int_equal(store_commit(f->s), 0);
    assert_first_last(f, ID_A, T2, T2);

    /* the creator may version it, in either direction */
    o.created_by = CREATOR_1;
    o.version = T3;
    o.body = "{\"v\":3}";
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    o.version = T1;
    o.body = "{\"v\":1}";
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    assert_first_last(f, ID_A, T1, T3);

    /* an object without a creator stays without one */
    struct obj b = {.id = ID_B, .type = "indicator", .version = T1, .body = "{}"};
    assert_int_equal(put1(f, f->coll, &b, NULL), STORE_PUT_ADDED);
    b.version = T2;
    b.body = "{\"x\":1}";
    assert_int_equal(put1(f, f->coll, &b, NULL), STORE_PUT_ADDED);
    b.version = T3;
    b.created_by = CREATOR_1;
    assert_int_equal(put1(f, f->coll, &b, NULL), ERR_CONFLICT);
}

static void test_unversioned(void **state)
{
    struct fx *f = *state;
    struct obj o = {.id = ID_IP, .type = "ipv4-addr", .body = "{\"value\":\"10.0.0.1\"}"};
    enum store_put_outcome out;
    struct error err;
    int64_t added;
    struct rows r;

    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_ADDED);
    assert_int_equal(put1(f, f->coll, &o, NULL), STORE_PUT_EXISTS);
    o.body = "{\"value\":\"10.0.0.2\"}";
    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(put_in(f->s, f->coll, &o, &out, &added, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "not versioned"));
    assert_int_equal(store_rollback(f->s), 0);

    versions(f, ID_IP, STORE_VER_ALL, NULL, 0, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ver[0], ""); /* NULL version */
    assert_string_equal(r.body[0], "{\"value\":\"10.0.0.1\"}");
    assert_first_last(f, ID_IP, "", "");
}

/* ---- objects: date_added ---- */

static void test_date_added_increasing(void **state)
{
    struct fx *f = *state;
    enum store_put_outcome out;
    struct error err;
    static int64_t added[600];
    char ids[600][64];
    int64_t before = stix_now_us();

    for (int t = 0; t < 3; t++) {
        assert_int_equal(store_begin_write(f->s), 0);
        for (int i = 0; i < 200; i++) {
            int k = t * 200 + i;
            snprintf(ids[k], sizeof(ids[k]), "ipv4-addr--00000000-0000-4000-8000-%012d", k);
            struct obj o = {.id = ids[k], .type = "ipv4-addr", .body = ids[k]};
            assert_int_equal(put_in(f->s, f->coll, &o, &out, &added[k], &err), 0);
            assert_int_equal(out, STORE_PUT_ADDED);
            if (k)
                assert_true(added[k] > added[k - 1]);
        }
        assert_int_equal(store_commit(f->s), 0);
    }
    assert_true(added[0] >= before);

    /* a new connection continues after the greatest date_added */
    struct store *s2;
    error_clear(&err);
    assert_int_equal(store_sqlite_open(f->db, &s2, &err), 0);
    struct obj o = {.id = ID_A, .type = "indicator", .version = T1, .body = "{}"};
    int64_t last = 0;
    assert_int_equal(store_begin_write(s2), 0);
    assert_int_equal(put_in(s2, f->coll2, &o, &out, &last, &err), 0);
    assert_int_equal(store_commit(s2), 0);
    store_close(s2);
    assert_true(last > added[599]);

    /* reading back: every row once, strictly increasing */
    struct rows *r = calloc(1, sizeof(*r));
    struct store_query q = {.coll = f->coll, .added_after_us = -1, .ver_flags = STORE_VER_ALL};
    query(f, &q, r, NULL);
    assert_int_equal(r->n, 600);
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(r->added[i], added[i]);
        assert_string_equal(r->id[i], ids[i]);
    }
    free(r);
}

/* ---- objects: queries ---- */

/* Store A (T1,T2), B (T1, spec 2.0), C (T1), IP; returns date_added per put. */
static void seed(struct fx *f, int64_t added[5])
{
    struct obj objs[] = {
        {.id = ID_A, .type = "indicator", .version = T1, .body = "{\"a\":1}"},
        {.id = ID_B, .type = "indicator", .version = T1, .body = "{\"b\":1}", .spec = "2.0"},
        {.id = ID_C, .type = "identity", .version = T1, .body = "{\"c\":1}"},
        {.id = ID_IP, .type = "ipv4-addr", .body = "{\"ip\":1}"},
        {.id = ID_A, .type = "indicator", .version = T2, .body = "{\"a\":2}"},
    };
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(put1(f, f->coll, &objs[i], &added[i]), STORE_PUT_ADDED);
    /* noise in the other collection */
    assert_int_equal(put1(f, f->coll2, &objs[2], NULL), STORE_PUT_ADDED);
}

static void test_query_filters(void **state)
{
    struct fx *f = *state;
    int64_t added[5];
    struct rows r;
    seed(f, added);

    struct store_query q = {.coll = f->coll, .added_after_us = -1};
    memset(&r, 0, sizeof(r));
    query(f, &q, &r, NULL); /* latest of each: B, C, IP, A@T2 */
    assert_int_equal(r.n, 4);
    assert_string_equal(r.id[0], ID_B);
    assert_string_equal(r.id[3], ID_A);
    assert_string_equal(r.ver[3], T2);

    const char *ids[] = {ID_C, ID_A, "indicator--00000000-0000-4000-8000-000000000000"};
    q.ids = ids;
    q.n_ids = 3;
    memset(&r, 0, sizeof(r));
    query(f, &q, &r, NULL);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[0], ID_C);
    assert_string_equal(r.id[1], ID_A);
    q.ver_flags = STORE_VER_ALL;
    memset(&r, 0, sizeof(r));
    query(f, &q, &r, NULL);
    assert_int_equal(r.n, 3);

    const char *types[] = {"indicator", "ipv4-addr"};
    struct store_query qt = {.coll = f->coll,
                             .added_after_us = -1,
                             .types = types,
                             .n_types = 2,
                             .ver_flags = STORE_VER_ALL};
    memset(&r, 0, sizeof(r));
    query(f, &qt, &r, NULL);
    assert_int_equal(r.n, 4); /* A@T1, B, IP, A@T2 */
    assert_string_equal(r.id[2], ID_IP);
    qt.n_types = 1;
    qt.ids = ids;
    qt.n_ids = 1; /* identity id but indicator type: nothing */
    memset(&r, 0, sizeof(r));
    query(f, &qt, &r, NULL);
    assert_int_equal(r.n, 0);

    const char *specs[] = {"2.0"};
    struct store_query qs = {.coll = f->coll, .added_after_us = -1, .specs = specs, .n_specs = 1};
    memset(&r, 0, sizeof(r));
    query(f, &qs, &r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.id[0], ID_B);

    /* added_after is exclusive */
    struct store_query qa = {
        .coll = f->coll, .added_after_us = added[2], .ver_flags = STORE_VER_ALL};
    memset(&r, 0, sizeof(r));
    query(f, &qa, &r, NULL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.added[0], added[3]);
    assert_int_equal(r.added[1], added[4]);
    qa.added_after_us = added[2] - 1;
    memset(&r, 0, sizeof(r));
    query(f, &qa, &r, NULL);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.added[0], added[2]);
    qa.added_after_us = added[4];
    memset(&r, 0, sizeof(r));
    query(f, &qa, &r, NULL);
    assert_int_equal(r.n, 0);

    /* a collection that does not exist is simply empty */
    struct store_query qn = {.coll = 999, .added_after_us = -1, .ver_flags = STORE_VER_ALL};
    memset(&r, 0, sizeof(r));
    query(f, &qn, &r, NULL);
    assert_int_equal(r.n, 0);
}

static void test_query_limit_more(void **state)
{
    struct fx *f = *state;
    int64_t added[5];
    struct rows r;
    bool more;
    seed(f, added);
    struct store_query q = {.coll = f->coll, .added_after_us = -1, .ver_flags = STORE_VER_ALL};

    q.limit = 2;
    memset(&r, 0, sizeof(r));
    query(f, &q, &r, &more);
    assert_int_equal(r.n, 2);
    assert_true(more);
    assert_int_equal(r.peeks, 1);
    assert_int_equal(r.calls, 3); /* stops right after the peek */

    q.limit = 5; /* exactly all */
    memset(&r, 0, sizeof(r));
    query(f, &q, &r, &more);
    assert_int_equal(r.n, 5);
    assert_false(more);
    assert_int_equal(r.peeks, 0);

    q.limit = 0; /* unlimited */
    memset(&r, 0, sizeof(r));
    query(f, &q, &r, &more);
    assert_int_equal(r.n, 5);
    assert_false(more);

    /* pages of 2 following added_after reach every row exactly once */
    q.limit = 2;
    size_t seen = 0, pages = 0;
    do {
        memset(&r, 0, sizeof(r));
        query(f, &q, &r, &more);
        for (size_t i = 0; i < r.n; i++)
            assert_int_equal(r.added[i], added[seen + i]);
        seen += r.n;
        pages++;
        if (r.n)
            q.added_after_us = r.added[r.n - 1];
    } while (more);
    assert_int_equal(seen, 5);
    assert_int_equal(pages, 3);
}

static void test_query_skipped_rows(void **state)
{
    struct fx *f = *state;
    int64_t added[5];
    struct rows r;
    bool more;
    seed(f, added);
    struct store_query q = {.coll = f->coll, .added_after_us = -1, .ver_flags = STORE_VER_ALL};

    /* rows 1 and 3 are hidden: taken 0, 2, then 4 is the peek -> more */
    q.limit = 2;
    memset(&r, 0, sizeof(r));
    r.skip_every = 2;
    query(f, &q, &r, &more);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.added[0], added[0]);
    assert_int_equal(r.added[1], added[2]);
    assert_true(more);

    /* limit 3: rows 0, 2, 4 taken; nothing left -> no more */
    q.limit = 3;
    memset(&r, 0, sizeof(r));
    r.skip_every = 2;
    query(f, &q, &r, &more);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.added[2], added[4]);
    assert_false(more);

    /* only hidden rows after the limit: no more */
    q.added_after_us = added[1]; /* rows 2, 3, 4 */
    q.limit = 1;                 /* row 2 taken; rows 3 and 4 are hidden peeks */
    memset(&r, 0, sizeof(r));
    r.hide_from = 2;
    query(f, &q, &r, &more);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.added[0], added[2]);
    assert_false(more);
    assert_int_equal(r.calls, 3);

    /* a negative return stops the query and is returned */
    memset(&r, 0, sizeof(r));
    r.fail_at = 2;
    q.added_after_us = -1;
    q.limit = 0;
    assert_int_equal(store_obj_query(f->s, &q, collect, &r, &more), ERR_IO);
    assert_int_equal(r.n, 1);
}

/* ---- objects: delete ---- */

static void del(struct fx *f, const char *id, unsigned flags, const int64_t *list, size_t n,
                size_t expect)
{
    const char *ids[] = {id};
    struct store_query q = {.coll = f->coll,
                            .added_after_us = -1,
                            .ids = ids,
                            .n_ids = 1,
                            .ver_flags = flags,
                            .versions = list,
                            .n_versions = n};
    size_t deleted = 99;
    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(store_obj_delete(f->s, &q, &deleted), 0);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(deleted, expect);
}

static void test_delete_refreshes_flags(void **state)
{
    struct fx *f = *state;
    struct rows r;
    assert_int_equal(put_ver(f, ID_A, T1, "{\"v\":1}"), STORE_PUT_ADDED);
    assert_int_equal(put_ver(f, ID_A, T2, "{\"v\":2}"), STORE_PUT_ADDED);
    assert_int_equal(put_ver(f, ID_A, T3, "{\"v\":3}"), STORE_PUT_ADDED);
    assert_int_equal(put_ver(f, ID_A, T4, "{\"v\":4}"), STORE_PUT_ADDED);
    assert_int_equal(put_ver(f, ID_B, T1, "{\"b\":1}"), STORE_PUT_ADDED);

    del(f, ID_A, STORE_VER_LAST, NULL, 0, 1);
    assert_first_last(f, ID_A, T1, T3);
    del(f, ID_A, STORE_VER_FIRST, NULL, 0, 1);
    assert_first_last(f, ID_A, T2, T3);
    int64_t v3[] = {ns_of(T3)};
    del(f, ID_A, STORE_VER_LIST, v3, 1, 1);
    assert_first_last(f, ID_A, T2, T2);
    del(f, ID_A, STORE_VER_LIST, v3, 1, 0); /* nothing left to match */
    assert_first_last(f, ID_A, T2, T2);

    /* a deleted version may be stored again, and becomes last again */
    assert_int_equal(put_ver(f, ID_A, T4, "{\"v\":4}"), STORE_PUT_ADDED);
    assert_first_last(f, ID_A, T2, T4);

    del(f, ID_A, STORE_VER_ALL, NULL, 0, 2);
    versions(f, ID_A, STORE_VER_ALL, NULL, 0, &r);
    assert_int_equal(r.n, 0);
    assert_first_last(f, ID_B, T1, T1); /* untouched */
    int64_t n = 0;
    assert_int_equal(store_obj_count(f->s, f->coll, &n), 0);
    assert_int_equal(n, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_put_outcomes),         T(test_rollback_discards),
        T(test_versions_in_order),    T(test_versions_out_of_order),
        T(test_revoked_blocks_newer), T(test_created_by_change),
        T(test_unversioned),          T(test_date_added_increasing),
        T(test_query_filters),        T(test_query_limit_more),
        T(test_query_skipped_rows),   T(test_delete_refreshes_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
