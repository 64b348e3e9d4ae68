/*
 * Sharing-group squatting, end to end over a real SQLite store, ingest
 * (store_ingest_* with the delivering organisation as owner_org, as the
 * TAXII server and `concord import` store objects) and the sharing
 * decision bound to the store (share_ctx).
 *
 * The attack: organisation A marks its object TLP:AMBER with a sharing
 * group id G whose definition is not on the node yet (posted later, or in
 * another collection, or never); organisation M defines G first -- its own
 * group (created_by_ref M) naming itself, or one in A's name (created_by_ref
 * A, forged) -- and would then read A's object.  The rules that close it
 * (share.h, policy.c marking_applies, context.c delivered_by_creator):
 *   (a) a group counts on an object only when the group's created_by_ref
 *       is the object's created_by_ref;
 *   (b) a group definition counts only when the organisation that
 *       delivered it is the one its created_by_ref names (or the node did,
 *       owner_org 0);
 * and marking definitions are immutable: the first definition of an id
 * stored is the one the node uses.  So after a squat A cannot redefine G
 * and its object stays with A and its origin only: closed, not open.
 * The normal case -- A defines G naming B, B reads A's object -- and the
 * same rules through granular markings are checked too.
 *
 * (a) and (b) hold for every marking other than TLP, not only for sharing
 * groups: a statement (or PAP, ...) that does not count denies like an
 * unknown marking.  Otherwise M could post a statement under the id of A's
 * pending group: a statement does not restrict, so A's TLP:GREEN object
 * would open to everyone.  Checked: A's own statement (no restriction),
 * another organisation's (denies), the squat as a statement, a statement
 * delivered by someone other than its creator (denies), one imported by
 * the node (counts on its creator's objects), and statements as granular
 * markings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "share/context.h"
#include "store/ingest.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

#include "../../lib/tmpdir.h"

#define EXT "extension-definition--3c2f7f4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f"
#define AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"

enum { A, B, M, C, N_ORGS }; /* creator, its recipient, the squatter, an outsider */
static const char *org_name[N_ORGS] = {"a-cert", "b-cert", "m-cert", "c-cert"};
static const char *ident[N_ORGS] = {
    "identity--aaaaaaaa-0000-4000-8000-00000000000a",
    "identity--bbbbbbbb-0000-4000-8000-00000000000b",
    "identity--dddddddd-0000-4000-8000-00000000000d",
    "identity--cccccccc-0000-4000-8000-00000000000c",
};
#define NODE (-1) /* delivered by the node itself: a local import (owner_org 0) */

struct fx {
    char dir[PATH_MAX];
    struct store *s;
    int64_t org[N_ORGS];
    int64_t coll, other; /* two collections */
    unsigned seq;        /* for fresh ids */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char db[PATH_MAX];
    struct error err;
    error_clear(&err);
    assert_int_equal(tmpdir_make(f->dir, "concord-squat-"), 0);
    assert_int_equal(tmpdir_path(db, f->dir, "concord.db"), 0);
    assert_int_equal(store_sqlite_open(db, &f->s, &err), 0);
    for (int i = 0; i < N_ORGS; i++) {
        struct store_org o;
        memset(&o, 0, sizeof(o));
        snprintf(o.name, sizeof(o.name), "%s", org_name[i]);
        snprintf(o.identity_id, sizeof(o.identity_id), "%s", ident[i]);
        snprintf(o.country, sizeof(o.country), "SG");
        snprintf(o.role, sizeof(o.role), "national-cert");
        assert_int_equal(store_org_add(f->s, &o, &err), 0);
        f->org[i] = o.id;
    }
    for (int k = 0; k < 2; k++) {
        struct store_coll c;
        memset(&c, 0, sizeof(c));
        snprintf(c.id, sizeof(c.id), "91a7b528-80eb-42ed-a74d-c6fbd5a2611%d", k);
        snprintf(c.title, sizeof(c.title), "collection %d", k);
        snprintf(c.read_orgs, sizeof(c.read_orgs), "*");
        snprintf(c.write_orgs, sizeof(c.write_orgs), "*");
        assert_int_equal(store_coll_add(f->s, &c, &err), 0);
        *(k ? &f->other : &f->coll) = c.seq;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    assert_int_equal(tmpdir_remove(f->dir), 0);
    free(f);
    return 0;
}

/* ---- building and storing objects ---- */

/* A fresh id of this type (a different one on every call). */
static void fresh_id(struct fx *f, const char *type, char out[96])
{
    snprintf(out, 96, "%s--6a0f%04x-1111-4222-8333-%012x", type, f->seq, f->seq + 1);
    f->seq++;
}

/* Store one object (JSON text) in coll as delivered by org `by` (NODE: the node); its message. */
static int post(struct fx *f, int64_t coll, int by, const char *json, char msg[600])
{
    struct store_ingest ing;
    struct error err;
    char env[8192];
    error_clear(&err);
    snprintf(env, sizeof(env), "{\"objects\":[%s]}", json);
    assert_int_equal(store_ingest_prepare(&ing, env, strlen(env), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, coll, NULL, by == NODE ? 0 : f->org[by], &err),
                     0);
    assert_int_equal(ing.n, 1);
    int failed = (int)ing.n_failed;
    if (msg)
        snprintf(msg, 600, "%s", failed ? ing.items[0].err.msg : "");
    store_ingest_release(&ing);
    return failed;
}

static void post_ok(struct fx *f, int64_t coll, int by, const char *json)
{
    char msg[600];
    if (post(f, coll, by, json, msg))
        fail_msg("refused: %s: %s", msg, json);
}

/* A sharing-group definition: id, created_by_ref (NULL none), named organisations. */
static void group_json(char *out, size_t n, const char *id, const char *creator, const char *name,
                       int named1, int named2)
{
    char orgs[256], by[160] = "";
    snprintf(orgs, sizeof(orgs), "\"%s\"", ident[named1]);
    if (named2 >= 0) {
        size_t l = strlen(orgs);
        snprintf(orgs + l, sizeof(orgs) - l, ",\"%s\"", ident[named2]);
    }
    if (creator)
        snprintf(by, sizeof(by), "\"created_by_ref\":\"%s\",", creator);
    snprintf(out, n,
             "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"%s\","
             "\"created\":\"2024-03-01T00:00:00.000Z\",%s\"name\":\"%s\","
             "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\","
             "\"organizations\":[%s]}}}",
             id, by, name, orgs);
}

/* A statement marking definition: id, created_by_ref (NULL none). */
static void statement_json(char *out, size_t n, const char *id, const char *creator,
                           const char *text)
{
    char by[160] = "";
    if (creator)
        snprintf(by, sizeof(by), "\"created_by_ref\":\"%s\",", creator);
    snprintf(out, n,
             "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"%s\","
             "\"created\":\"2024-03-01T00:00:00.000Z\",%s\"name\":\"%s\","
             "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"%s\"}}",
             id, by, text, text);
}

/* An indicator created by `creator` (NULL: none) marked tlp + group. */
static void object_json(char *out, size_t n, const char *id, const char *creator, const char *tlp,
                        const char *group)
{
    char by[160] = "";
    if (creator)
        snprintf(by, sizeof(by), "\"created_by_ref\":\"%s\",", creator);
    snprintf(out, n,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
             "\"created\":\"2024-03-02T00:00:00.000Z\",\"modified\":\"2024-03-02T00:00:00.000Z\","
             "%s\"name\":\"secret\",\"pattern\":\"[ipv4-addr:value = '10.1.2.3']\","
             "\"pattern_type\":\"stix\",\"valid_from\":\"2024-03-02T00:00:00.000Z\","
             "\"object_marking_refs\":[\"%s\",\"%s\"]}",
             id, by, tlp, group);
}

/* ---- reading as an organisation ---- */

struct one {
    struct share_ctx *sc;
    struct buf out;
    int rows;
};

static int take(void *p, const struct store_row *row)
{
    struct one *o = p;
    if (!share_ctx_may_read(o->sc, row))
        return 0;
    if (row->peek)
        return 1;
    buf_reset(&o->out);
    assert_int_equal(share_ctx_emit(o->sc, row, &o->out), 0);
    o->rows++;
    return 1;
}

/*
 * The copy of object id (latest version) in coll that organisation r
 * (NODE: the node, everything) gets, parsed; NULL when it may not see it.
 */
static json_t *read_as(struct fx *f, int r, int64_t coll, const char *id)
{
    struct share_ctx sc;
    assert_int_equal(share_ctx_init(&sc, f->s, r == NODE ? 0 : f->org[r], r == NODE), 0);
    const char *ids[1] = {id};
    struct store_query q = {
        .coll = coll, .added_after_us = -1, .ids = ids, .n_ids = 1, .ver_flags = STORE_VER_LAST};
    if (r != NODE) {
        q.visible_to = sc.reader.identity;
        q.visible_org = sc.reader.org_id;
        q.visible = share_ctx_visible;
        q.visible_ctx = &sc;
    }
    struct one o = {&sc, {0}, 0};
    buf_init(&o.out, (size_t)1 << 20);
    bool more = false;
    assert_int_equal(store_obj_query(f->s, &q, take, &o, &more), 0);
    json_t *j = o.rows ? json_loadb(o.out.data, o.out.len, 0, NULL) : NULL;
    assert_true(o.rows <= 1);
    assert_true(!o.rows || j);
    buf_release(&o.out);
    share_ctx_release(&sc);
    return j;
}

static bool sees(struct fx *f, int r, int64_t coll, const char *id)
{
    json_t *j = read_as(f, r, coll, id);
    json_decref(j);
    return j != NULL;
}

/* Who of A, B, M, C sees the object: a bit per organisation. */
static unsigned audience(struct fx *f, int64_t coll, const char *id)
{
    unsigned bits = 0;
    for (int r = 0; r < N_ORGS; r++)
        bits |= (unsigned)sees(f, r, coll, id) << r;
    assert_true(sees(f, NODE, coll, id)); /* the node always does */
    return bits;
}

#define ONLY(x) (1u << (x))

static void expect_audience(struct fx *f, int64_t coll, const char *id, unsigned want,
                            const char *what)
{
    unsigned got = audience(f, coll, id);
    if (got != want)
        fail_msg("%s: seen by%s%s%s%s, expected%s%s%s%s", what, got & ONLY(A) ? " A" : "",
                 got & ONLY(B) ? " B" : "", got & ONLY(M) ? " M" : "", got & ONLY(C) ? " C" : "",
                 want & ONLY(A) ? " A" : "", want & ONLY(B) ? " B" : "", want & ONLY(M) ? " M" : "",
                 want & ONLY(C) ? " C" : "");
}

/* The stored definition of marking id: its name and who delivered it (0: the node). */
static void stored_definition(struct fx *f, const char *id, char name[64], int64_t *origin)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(store_marking_get(f->s, id, &text, &len, origin), 0);
    json_t *j = json_loadb(text, len, 0, NULL);
    assert_non_null(j);
    snprintf(name, 64, "%s", json_string_value(json_object_get(j, "name")) ?: "");
    json_decref(j);
    free(text);
}

/* ---- the attack ---- */

/* M defines A's pending group id first, as its own group naming itself. */
static void test_squat_own_group(void **state)
{
    struct fx *f = *state;
    char g[96], obj[96], gj[1024], oj[1024], msg[600], name[64];
    int64_t origin;
    fresh_id(f, "marking-definition", g);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g);
    post_ok(f, f->coll, A, oj);
    /* G not defined yet: an unknown marking, A only */
    expect_audience(f, f->coll, obj, ONLY(A), "before any definition");

    group_json(gj, sizeof(gj), g, ident[M], "m squats", M, C);
    post_ok(f, f->coll, M, gj);
    expect_audience(f, f->coll, obj, ONLY(A), "after M defined G as its own group");

    /* A cannot redefine G: refused in the same collection, ignored from another */
    group_json(gj, sizeof(gj), g, ident[A], "a's real group", B, -1);
    assert_int_equal(post(f, f->coll, A, gj, msg), 1);
    assert_non_null(strstr(msg, "already exists"));
    post_ok(f, f->other, A, gj);
    stored_definition(f, g, name, &origin);
    assert_string_equal(name, "m squats");
    assert_int_equal(origin, f->org[M]);
    /* fail closed: still A's alone, B (whom A meant) included */
    expect_audience(f, f->coll, obj, ONLY(A), "after A tried to redefine G");

    /* M's group does work on M's own objects */
    char mine[96];
    fresh_id(f, "indicator", mine);
    object_json(oj, sizeof(oj), mine, ident[M], RED, g);
    post_ok(f, f->coll, M, oj);
    expect_audience(f, f->coll, mine, ONLY(M) | ONLY(C), "M's object with M's group");
}

/* M defines A's pending group id first, in A's name (created_by_ref forged). */
static void test_squat_forged_group(void **state)
{
    struct fx *f = *state;
    char g[96], obj[96], gj[1024], oj[1024], name[64];
    int64_t origin;
    fresh_id(f, "marking-definition", g);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g);
    post_ok(f, f->coll, A, oj);

    group_json(gj, sizeof(gj), g, ident[A], "m forges a's group", M, -1);
    post_ok(f, f->other, M, gj);
    expect_audience(f, f->coll, obj, ONLY(A), "after M defined G in A's name");
    /* RED and GREEN objects of A's naming it: the same */
    char red[96], green[96];
    fresh_id(f, "indicator", red);
    object_json(oj, sizeof(oj), red, ident[A], RED, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, red, ONLY(A), "RED object, forged group");
    fresh_id(f, "indicator", green);
    object_json(oj, sizeof(oj), green, ident[A], GREEN, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, green, ONLY(A), "GREEN object, forged group");

    /* A's real definition comes too late: the forged one stays, and stays ignored */
    group_json(gj, sizeof(gj), g, ident[A], "a's real group", B, M);
    post_ok(f, f->coll, A, gj);
    stored_definition(f, g, name, &origin);
    assert_string_equal(name, "m forges a's group");
    assert_int_equal(origin, f->org[M]);
    expect_audience(f, f->coll, obj, ONLY(A), "after A posted the real G");
    expect_audience(f, f->coll, red, ONLY(A), "RED object after A posted the real G");

    /* a recipient relaying the creator's group ahead of it is not the creator either */
    char g2[96], obj2[96];
    fresh_id(f, "marking-definition", g2);
    fresh_id(f, "indicator", obj2);
    object_json(oj, sizeof(oj), obj2, ident[A], AMBER, g2);
    post_ok(f, f->coll, A, oj);
    group_json(gj, sizeof(gj), g2, ident[A], "relayed by b", B, -1);
    post_ok(f, f->coll, B, gj);
    expect_audience(f, f->coll, obj2, ONLY(A), "group delivered by its recipient");
}

/* M's own group, defined legitimately, named on A's object: not A's, so nobody's. */
static void test_other_creators_group(void **state)
{
    struct fx *f = *state;
    char g[96], obj[96], gj[1024], oj[1024];
    fresh_id(f, "marking-definition", g);
    fresh_id(f, "indicator", obj);
    group_json(gj, sizeof(gj), g, ident[M], "m's group", B, M);
    post_ok(f, f->coll, M, gj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "A's object, M's group");
    /* delivered by B instead of A: B sees it as its origin, M still not */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g);
    post_ok(f, f->coll, B, oj);
    expect_audience(f, f->coll, obj, ONLY(A) | ONLY(B), "A's object by B, M's group");
}

/* ---- the normal case ---- */

static void test_creator_defines_its_group(void **state)
{
    struct fx *f = *state;
    char g[96], obj[96], gj[1024], oj[1024];
    fresh_id(f, "marking-definition", g);
    fresh_id(f, "indicator", obj);
    /* the object first, its group later: hidden until the group arrives */
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "before A's group arrived");
    group_json(gj, sizeof(gj), g, ident[A], "a to b", B, -1);
    post_ok(f, f->other, A, gj);
    expect_audience(f, f->coll, obj, ONLY(A) | ONLY(B), "A's group naming B");
    /* RED: B is named */
    char red[96];
    fresh_id(f, "indicator", red);
    object_json(oj, sizeof(oj), red, ident[A], RED, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, red, ONLY(A) | ONLY(B), "RED, A's group naming B");
    /* a later definition by M changes nothing */
    group_json(gj, sizeof(gj), g, ident[M], "m too late", M, -1);
    post_ok(f, f->coll, M, gj);
    expect_audience(f, f->coll, obj, ONLY(A) | ONLY(B), "after M's late definition");
    /* the recipient lists are A's business: B gets the definition without them */
    json_t *def = read_as(f, B, f->other, g);
    assert_non_null(def);
    json_t *ext = json_object_get(json_object_get(def, "extensions"), EXT);
    assert_non_null(ext);
    assert_null(json_object_get(ext, "organizations"));
    json_decref(def);
    def = read_as(f, A, f->other, g);
    assert_non_null(
        json_object_get(json_object_get(json_object_get(def, "extensions"), EXT), "organizations"));
    json_decref(def);
    /* an object without created_by_ref naming A's group: its origin only */
    char anon[96];
    fresh_id(f, "indicator", anon);
    object_json(oj, sizeof(oj), anon, NULL, AMBER, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, anon, ONLY(A), "anonymous object, A's group");
    /* the same delivered by B: B (origin) only, A made neither it nor delivered it */
    fresh_id(f, "indicator", anon);
    object_json(oj, sizeof(oj), anon, NULL, AMBER, g);
    post_ok(f, f->coll, B, oj);
    expect_audience(f, f->coll, anon, ONLY(B), "anonymous object by B, A's group");
}

/* The node's own import (owner_org 0) may carry any creator's group. */
static void test_node_import(void **state)
{
    struct fx *f = *state;
    char g[96], obj[96], gj[1024], oj[1024];
    fresh_id(f, "marking-definition", g);
    fresh_id(f, "indicator", obj);
    group_json(gj, sizeof(gj), g, ident[A], "imported for a", B, -1);
    post_ok(f, f->coll, NODE, gj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A) | ONLY(B), "group imported by the node");
    /* ...but rule (a) still holds: M's object cannot use A's group */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[M], AMBER, g);
    post_ok(f, f->coll, M, oj);
    expect_audience(f, f->coll, obj, ONLY(M), "M's object, A's imported group");
    /* and an imported group without created_by_ref applies to nobody's object */
    char g2[96];
    fresh_id(f, "marking-definition", g2);
    group_json(gj, sizeof(gj), g2, NULL, "nobody's", B, C);
    post_ok(f, f->coll, NODE, gj);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, g2);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "group without creator");
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, NULL, AMBER, g2);
    post_ok(f, f->coll, NODE, oj);
    expect_audience(f, f->coll, obj, 0, "anonymous import, group without creator");
}

/* ---- the same through granular markings ---- */

static void test_granular(void **state)
{
    struct fx *f = *state;
    char good[96], forged[96], squat[96], gj[1024], oj[2048];
    fresh_id(f, "marking-definition", good);
    fresh_id(f, "marking-definition", forged);
    fresh_id(f, "marking-definition", squat);
    group_json(gj, sizeof(gj), good, ident[A], "a's", B, M);
    post_ok(f, f->coll, A, gj);
    group_json(gj, sizeof(gj), forged, ident[A], "forged", B, M);
    post_ok(f, f->coll, M, gj);
    group_json(gj, sizeof(gj), squat, ident[M], "m's", B, M);
    post_ok(f, f->coll, M, gj);
    char obj[96];
    fresh_id(f, "indicator", obj);
    snprintf(oj, sizeof(oj),
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
             "\"created\":\"2024-03-02T00:00:00.000Z\",\"modified\":\"2024-03-02T00:00:00.000Z\","
             "\"created_by_ref\":\"%s\",\"name\":\"n\",\"description\":\"d\","
             "\"labels\":[\"l0\",\"l1\"],\"pattern\":\"[ipv4-addr:value = '10.1.2.3']\","
             "\"pattern_type\":\"stix\",\"valid_from\":\"2024-03-02T00:00:00.000Z\","
             "\"object_marking_refs\":[\"" GREEN "\"],\"granular_markings\":["
             "{\"marking_ref\":\"%s\",\"selectors\":[\"name\"]},"
             "{\"marking_ref\":\"%s\",\"selectors\":[\"description\"]},"
             "{\"marking_ref\":\"%s\",\"selectors\":[\"labels.[0]\"]}]}",
             obj, ident[A], good, forged, squat);
    post_ok(f, f->coll, A, oj);
    /* B and M: the name (A's own group names them), not what the other two mark */
    for (int r = B; r <= M; r++) {
        json_t *j = read_as(f, r, f->coll, obj);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "name")), "n");
        assert_null(json_object_get(j, "description"));
        json_t *labels = json_object_get(j, "labels");
        assert_int_equal(json_array_size(labels), 1);
        assert_string_equal(json_string_value(json_array_get(labels, 0)), "l1");
        assert_int_equal(json_array_size(json_object_get(j, "granular_markings")), 1);
        json_decref(j);
    }
    /* C: none of the three */
    json_t *j = read_as(f, C, f->coll, obj);
    assert_non_null(j);
    assert_null(json_object_get(j, "name"));
    assert_null(json_object_get(j, "description"));
    assert_null(json_object_get(j, "granular_markings"));
    json_decref(j);
    /* A: everything */
    j = read_as(f, A, f->coll, obj);
    assert_string_equal(json_string_value(json_object_get(j, "description")), "d");
    assert_int_equal(json_array_size(json_object_get(j, "labels")), 2);
    json_decref(j);
}

/* ---- statements (and any other marking) follow the same rules ---- */

#define ALL (ONLY(A) | ONLY(B) | ONLY(M) | ONLY(C))

/* A's statement, delivered by A, on A's objects: no restriction beyond TLP. */
static void test_statement_of_creator(void **state)
{
    struct fx *f = *state;
    char st[96], g[96], obj[96], sj[1024], gj[1024], oj[1024];
    fresh_id(f, "marking-definition", st);
    statement_json(sj, sizeof(sj), st, ident[A], "copyright a");
    post_ok(f, f->other, A, sj);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ALL, "GREEN, A's statement");
    /* delivered by B: the same (the object's origin does not matter, the statement's does) */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
    post_ok(f, f->coll, B, oj);
    expect_audience(f, f->coll, obj, ALL, "GREEN, A's statement, object delivered by B");
    /* AMBER: still AMBER, the statement adds no recipients */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], AMBER, st);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "AMBER, A's statement");
    /* next to A's group: the group decides */
    fresh_id(f, "marking-definition", g);
    group_json(gj, sizeof(gj), g, ident[A], "a to b", B, -1);
    post_ok(f, f->coll, A, gj);
    fresh_id(f, "indicator", obj);
    snprintf(
        oj, sizeof(oj),
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
        "\"created\":\"2024-03-02T00:00:00.000Z\",\"modified\":\"2024-03-02T00:00:00.000Z\","
        "\"created_by_ref\":\"%s\",\"name\":\"n\",\"pattern\":\"[ipv4-addr:value = '10.1.2.3']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2024-03-02T00:00:00.000Z\","
        "\"object_marking_refs\":[\"" RED "\",\"%s\",\"%s\"]}",
        obj, ident[A], st, g);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A) | ONLY(B), "RED, A's statement and A's group");
    /* the statement definition itself is CLEAR: everyone reads it */
    expect_audience(f, f->other, st, ALL, "A's statement definition");
}

/* M's statement, properly delivered by M, on A's object: denies everyone but A and the origin. */
static void test_statement_of_another(void **state)
{
    struct fx *f = *state;
    char st[96], obj[96], sj[1024], oj[1024];
    fresh_id(f, "marking-definition", st);
    statement_json(sj, sizeof(sj), st, ident[M], "copyright m");
    post_ok(f, f->coll, M, sj);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "A's GREEN object, M's statement");
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
    post_ok(f, f->coll, B, oj);
    expect_audience(f, f->coll, obj, ONLY(A) | ONLY(B), "A's GREEN object by B, M's statement");
    /* on M's own object it is just a statement */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[M], GREEN, st);
    post_ok(f, f->coll, M, oj);
    expect_audience(f, f->coll, obj, ALL, "M's GREEN object, M's statement");
    /* and on an object without created_by_ref: its origin only */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, NULL, GREEN, st);
    post_ok(f, f->coll, M, oj);
    expect_audience(f, f->coll, obj, ONLY(M), "anonymous GREEN object, M's statement");
}

/*
 * The hole this closes: M posts a statement under the id of A's pending
 * sharing group.  A's TLP:GREEN object naming that group must not open.
 */
static void test_squat_statement(void **state)
{
    struct fx *f = *state;
    /* the squat's created_by_ref: M itself, A (forged), nobody; where it is posted */
    const char *creators[3] = {ident[M], ident[A], NULL};
    for (int k = 0; k < 3; k++) {
        for (int where = 0; where < 2; where++) {
            int64_t coll = where ? f->other : f->coll;
            char g[96], green[96], red[96], sj[1024], gj[1024], oj[1024], msg[600], name[64];
            char what[160];
            int64_t origin;
            fresh_id(f, "marking-definition", g);
            fresh_id(f, "indicator", green);
            fresh_id(f, "indicator", red);
            object_json(oj, sizeof(oj), green, ident[A], GREEN, g);
            post_ok(f, f->coll, A, oj);
            object_json(oj, sizeof(oj), red, ident[A], RED, g);
            post_ok(f, f->coll, A, oj);
            static const char *const by[3] = {"M", "M in A's name", "M without creator"};
            snprintf(what, sizeof(what), "squat as statement by %s, %s collection", by[k],
                     where ? "another" : "the same");
            expect_audience(f, f->coll, green, ONLY(A), what);

            statement_json(sj, sizeof(sj), g, creators[k], "m squats as a statement");
            post_ok(f, coll, M, sj);
            stored_definition(f, g, name, &origin);
            assert_string_equal(name, "m squats as a statement");
            assert_int_equal(origin, f->org[M]);
            expect_audience(f, f->coll, green, ONLY(A), what);
            expect_audience(f, f->coll, red, ONLY(A), what);

            /* A's real group comes too late: refused or ignored, the objects stay closed */
            group_json(gj, sizeof(gj), g, ident[A], "a's real group", B, -1);
            if (where == 0) {
                assert_int_equal(post(f, coll, A, gj, msg), 1);
                assert_non_null(strstr(msg, "already exists"));
            } else {
                post_ok(f, f->coll, A, gj);
            }
            expect_audience(f, f->coll, green, ONLY(A), what);
            expect_audience(f, f->coll, red, ONLY(A), what);

            /* delivered by B, A's GREEN object naming the squatted id: A and B only */
            char byb[96];
            fresh_id(f, "indicator", byb);
            object_json(oj, sizeof(oj), byb, ident[A], GREEN, g);
            post_ok(f, f->coll, B, oj);
            expect_audience(f, f->coll, byb, ONLY(A) | ONLY(B), what);
        }
    }
    /* the node's own import of A's object naming a squatted id: A only */
    char g[96], obj[96], sj[1024], oj[1024];
    fresh_id(f, "marking-definition", g);
    statement_json(sj, sizeof(sj), g, ident[M], "m squats");
    post_ok(f, f->other, M, sj);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, g);
    post_ok(f, f->coll, NODE, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "imported GREEN object, squatted as M's statement");
}

/* A statement in A's name delivered by someone else than A: denies. */
static void test_statement_relayed(void **state)
{
    struct fx *f = *state;
    for (int by = B; by <= C; by++) {
        char st[96], obj[96], sj[1024], oj[1024];
        fresh_id(f, "marking-definition", st);
        statement_json(sj, sizeof(sj), st, ident[A], "a's statement, relayed");
        post_ok(f, by == M ? f->other : f->coll, by, sj);
        fresh_id(f, "indicator", obj);
        object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
        post_ok(f, f->coll, A, oj);
        expect_audience(f, f->coll, obj, ONLY(A), "A's statement delivered by another");
        /* CLEAR: the same, TLP does not reopen it */
        fresh_id(f, "indicator", obj);
        object_json(oj, sizeof(oj), obj, ident[A], CLEAR, st);
        post_ok(f, f->coll, A, oj);
        expect_audience(f, f->coll, obj, ONLY(A), "CLEAR, A's statement delivered by another");
        /* nor does it count on the deliverer's own objects (its created_by_ref is A) */
        fresh_id(f, "indicator", obj);
        object_json(oj, sizeof(oj), obj, ident[by], GREEN, st);
        post_ok(f, f->coll, by, oj);
        expect_audience(f, f->coll, obj, ONLY(by), "deliverer's object, A's relayed statement");
    }
}

/* The node's own import (owner_org 0) of a statement: counts on its creator's objects. */
static void test_statement_node_import(void **state)
{
    struct fx *f = *state;
    char st[96], anon_st[96], obj[96], sj[1024], oj[1024];
    fresh_id(f, "marking-definition", st);
    statement_json(sj, sizeof(sj), st, ident[A], "imported for a");
    post_ok(f, f->coll, NODE, sj);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ALL, "A's GREEN object, A's statement imported by the node");
    /* imported too: the same */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, st);
    post_ok(f, f->coll, NODE, oj);
    expect_audience(f, f->coll, obj, ALL, "both imported by the node");
    /* rule (a) still holds: M's object cannot use A's statement */
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[M], GREEN, st);
    post_ok(f, f->coll, M, oj);
    expect_audience(f, f->coll, obj, ONLY(M), "M's object, A's imported statement");
    /* an imported statement without created_by_ref applies to nobody's object */
    fresh_id(f, "marking-definition", anon_st);
    statement_json(sj, sizeof(sj), anon_st, NULL, "nobody's");
    post_ok(f, f->coll, NODE, sj);
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, ident[A], GREEN, anon_st);
    post_ok(f, f->coll, A, oj);
    expect_audience(f, f->coll, obj, ONLY(A), "statement without creator");
    fresh_id(f, "indicator", obj);
    object_json(oj, sizeof(oj), obj, NULL, GREEN, anon_st);
    post_ok(f, f->coll, NODE, oj);
    expect_audience(f, f->coll, obj, 0, "anonymous import, statement without creator");
}

/* Statements as granular markings: only the object creator's own keep their content. */
static void test_statement_granular(void **state)
{
    struct fx *f = *state;
    char own[96], imported[96], other[96], forged[96], sj[1024], oj[2048];
    fresh_id(f, "marking-definition", own);
    fresh_id(f, "marking-definition", imported);
    fresh_id(f, "marking-definition", other);
    fresh_id(f, "marking-definition", forged);
    statement_json(sj, sizeof(sj), own, ident[A], "a's");
    post_ok(f, f->coll, A, sj);
    statement_json(sj, sizeof(sj), imported, ident[A], "a's, imported");
    post_ok(f, f->coll, NODE, sj);
    statement_json(sj, sizeof(sj), other, ident[M], "m's");
    post_ok(f, f->coll, M, sj);
    statement_json(sj, sizeof(sj), forged, ident[A], "forged");
    post_ok(f, f->coll, M, sj);
    char obj[96];
    fresh_id(f, "indicator", obj);
    snprintf(oj, sizeof(oj),
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
             "\"created\":\"2024-03-02T00:00:00.000Z\",\"modified\":\"2024-03-02T00:00:00.000Z\","
             "\"created_by_ref\":\"%s\",\"name\":\"n\",\"description\":\"d\","
             "\"labels\":[\"l0\",\"l1\",\"l2\"],\"pattern\":\"[ipv4-addr:value = '10.1.2.3']\","
             "\"pattern_type\":\"stix\",\"valid_from\":\"2024-03-02T00:00:00.000Z\","
             "\"object_marking_refs\":[\"" GREEN "\",\"%s\"],\"granular_markings\":["
             "{\"marking_ref\":\"%s\",\"selectors\":[\"name\"]},"
             "{\"marking_ref\":\"%s\",\"selectors\":[\"labels.[2]\"]},"
             "{\"marking_ref\":\"%s\",\"selectors\":[\"description\"]},"
             "{\"marking_ref\":\"%s\",\"selectors\":[\"labels.[0]\"]}]}",
             obj, ident[A], own, own, imported, other, forged);
    post_ok(f, f->coll, A, oj);
    /* B, M, C: the object (A's statement on it counts), without what M's and the forged mark */
    for (int r = B; r <= C; r++) {
        json_t *j = read_as(f, r, f->coll, obj);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "name")), "n");
        assert_null(json_object_get(j, "description"));
        json_t *labels = json_object_get(j, "labels");
        assert_int_equal(json_array_size(labels), 2);
        assert_string_equal(json_string_value(json_array_get(labels, 0)), "l1");
        assert_string_equal(json_string_value(json_array_get(labels, 1)), "l2");
        json_t *gms = json_object_get(j, "granular_markings");
        assert_int_equal(json_array_size(gms), 2);
        assert_string_equal(json_string_value(json_array_get(
                                json_object_get(json_array_get(gms, 1), "selectors"), 0)),
                            "labels.[1]");
        json_decref(j);
    }
    /* A: everything */
    json_t *j = read_as(f, A, f->coll, obj);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "description")), "d");
    assert_int_equal(json_array_size(json_object_get(j, "labels")), 3);
    assert_int_equal(json_array_size(json_object_get(j, "granular_markings")), 4);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_squat_own_group),
        cmocka_unit_test(test_squat_forged_group),
        cmocka_unit_test(test_other_creators_group),
        cmocka_unit_test(test_creator_defines_its_group),
        cmocka_unit_test(test_node_import),
        cmocka_unit_test(test_granular),
        cmocka_unit_test(test_statement_of_creator),
        cmocka_unit_test(test_statement_of_another),
        cmocka_unit_test(test_squat_statement),
        cmocka_unit_test(test_statement_relayed),
        cmocka_unit_test(test_statement_node_import),
        cmocka_unit_test(test_statement_granular),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
