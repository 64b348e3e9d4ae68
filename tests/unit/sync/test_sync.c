/*
 * Unit tests of src/sync/ with a real SQLite store: the pull checkpoint
 * rule (date_added, one microsecond back while more is to come), peers
 * and their checkpoints in the store (saved inside the transaction, rolled
 * back with it), quarantine, the reply parsers, and the egress rules (no
 * echo, third-party AMBER/RED never re-shared, the sharing decision).
 */
#include "../../lib/store_fixture.h"

#include "share/context.h"
#include "share/share.h"
#include "store/ingest.h"
#include "sync/reply.h"
#include "sync/sync.h"
#include "sync/sync_int.h"

static void test_checkpoint_rule(void **state)
{
    (void)state;
    assert_int_equal(sync_pull_checkpoint(-1, false, 0, -1), -1);       /* empty page */
    assert_int_equal(sync_pull_checkpoint(-1, false, 3, 1000), 1000);   /* last page */
    assert_int_equal(sync_pull_checkpoint(-1, true, 3, 1000), 999);     /* more to come */
    assert_int_equal(sync_pull_checkpoint(999, true, 1, 1000), 999);    /* same instant again */
    assert_int_equal(sync_pull_checkpoint(1000, true, 1, 1000), 1000);  /* never backwards */
    assert_int_equal(sync_pull_checkpoint(500, false, 2, -1), 500);     /* no header: keep */
}

static int64_t add_org(struct store *s, const char *name, const char *ident)
{
    struct store_org o = {0};
    struct error err;
    error_clear(&err);
    snprintf(o.name, sizeof(o.name), "%s", name);
    snprintf(o.identity_id, sizeof(o.identity_id), "%s", ident);
    assert_int_equal(store_org_add(s, &o, &err), 0);
    return o.id;
}

static int64_t add_peer(struct store *s, const char *name, int64_t org)
{
    struct store_peer p = {0};
    struct error err;
    error_clear(&err);
    snprintf(p.name, sizeof(p.name), "%s", name);
    snprintf(p.url, sizeof(p.url), "http://127.0.0.1:1/api/");
    snprintf(p.user, sizeof(p.user), "u");
    snprintf(p.secret, sizeof(p.secret), "secret");
    p.org_id = org;
    assert_int_equal(store_peer_add(s, &p, &err), 0);
    struct store_peer_coll pc = {.peer_id = p.id, .dir = STORE_PEER_PULL, .after_us = -1,
                                 .base_us = -1};
    snprintf(pc.remote, sizeof(pc.remote), "r1");
    snprintf(pc.local, sizeof(pc.local), "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
    assert_int_equal(store_peer_coll_add(s, &pc, &err), 0);
    return p.id;
}

static int first_pair(void *ctx, const struct store_peer_coll *pc)
{
    *(struct store_peer_coll *)ctx = *pc;
    return 0;
}

static void test_checkpoint_in_transaction(void **state)
{
    struct fx *f = *state;
    int64_t org = add_org(f->s, "b-cert", "identity--0b1c0000-0000-4000-8000-000000000001");
    int64_t pid = add_peer(f->s, "b", org);
    struct store_peer_coll pc;
    assert_int_equal(store_peer_coll_list(f->s, pid, first_pair, &pc), 0);
    assert_int_equal(pc.after_us, -1);
    /* a rolled-back page leaves the checkpoint where it was */
    pc.after_us = 1234;
    snprintf(pc.next, sizeof(pc.next), "tok");
    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(store_peer_coll_save(f->s, &pc), 0);
    assert_int_equal(store_rollback(f->s), 0);
    struct store_peer_coll got;
    store_peer_coll_list(f->s, pid, first_pair, &got);
    assert_int_equal(got.after_us, -1);
    assert_string_equal(got.next, "");
    /* a committed one moves it */
    assert_int_equal(store_begin_write(f->s), 0);
    assert_int_equal(store_peer_coll_save(f->s, &pc), 0);
    assert_int_equal(store_commit(f->s), 0);
    store_peer_coll_list(f->s, pid, first_pair, &got);
    assert_int_equal(got.after_us, 1234);
    assert_string_equal(got.next, "tok");
    struct store_peer p;
    assert_int_equal(store_peer_get(f->s, "b", &p), 0);
    assert_string_equal(p.org_name, "b-cert");
    assert_int_equal(store_peer_remove(f->s, "b"), 0);
    assert_int_equal(store_peer_get(f->s, "b", &p), ERR_NOT_FOUND);
}

static int count_q(void *ctx, const struct store_quarantine *q)
{
    (*(int *)ctx)++;
    assert_string_equal(q->object_id, "indicator--x");
    return 0;
}

static void test_quarantine(void **state)
{
    struct fx *f = *state;
    int64_t org = add_org(f->s, "c-cert", "identity--0b1c0000-0000-4000-8000-000000000002");
    int64_t pid = add_peer(f->s, "c", org);
    struct store_quarantine q = {.peer_id = pid, .created_us = 1, .body = "{}", .body_len = 2};
    snprintf(q.object_id, sizeof(q.object_id), "indicator--x");
    snprintf(q.reason, sizeof(q.reason), "bad");
    assert_int_equal(store_quarantine_add(f->s, &q), 0);
    int n = 0;
    assert_int_equal(store_quarantine_list(f->s, pid, count_q, &n), 0);
    assert_int_equal(n, 1);
}

static void test_replies(void **state)
{
    (void)state;
    struct sync_page_info pi;
    struct error err;
    error_clear(&err);
    json_t *j = json_loads("{\"more\":true,\"next\":\"abc\",\"objects\":[{}]}", 0, NULL);
    assert_int_equal(sync_envelope_info(j, &pi, &err), 0);
    assert_true(pi.more);
    assert_string_equal(pi.next, "abc");
    json_decref(j);
    j = json_loads("{\"more\":\"yes\"}", 0, NULL);
    assert_int_equal(sync_envelope_info(j, &pi, &err), ERR_INVALID);
    json_decref(j);
    struct sync_status st;
    const char *ok = "{\"id\":\"s1\",\"status\":\"complete\",\"total_count\":2,\"success_count\":1,"
                     "\"failure_count\":1,\"pending_count\":0,\"failures\":[{\"id\":\"x--1\","
                     "\"version\":\"v\",\"message\":\"m\"}]}";
    assert_int_equal(sync_status_parse(ok, strlen(ok), &st, &err), 0);
    assert_true(st.complete);
    assert_true(sync_status_is_bad(&st, "x--1"));
    assert_false(sync_status_is_bad(&st, "x--2"));
    sync_status_release(&st);
    assert_int_equal(sync_status_parse("{\"id\":1}", 8, &st, &err), ERR_INVALID);
}

/* Store one object delivered by origin (0 = local). */
static void put(struct fx *f, const char *json, int64_t origin)
{
    struct store_ingest ing;
    struct error err;
    error_clear(&err);
    char *copy = strdup(json);
    assert_int_equal(store_ingest_prepare(&ing, copy, strlen(copy), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, NULL, origin, &err), 0);
    if (ing.n_failed)
        fprintf(stderr, "%s: %s\n", ing.items[0].err.path, ing.items[0].err.msg);
    assert_int_equal(ing.n_failed, 0);
    store_ingest_release(&ing);
    free(copy);
}

struct seen {
    struct sync_egress *eg;
    struct share_ctx *c;
    char ids[16][80];
    int n;
};

static int seen_row(void *ctx, const struct store_row *row)
{
    struct seen *s = ctx;
    if (!row->peek && sync_egress_allows(s->eg, s->c, row))
        snprintf(s->ids[s->n++], sizeof(s->ids[0]), "%s", row->id);
    return 1;
}

#define IND(uuid, mark, by)                                                                \
    "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" uuid \
    "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","         \
    "\"pattern\":\"[ipv4-addr:value = '1.2.3.4']\",\"pattern_type\":\"stix\","               \
    "\"valid_from\":\"2024-01-01T00:00:00Z\",\"created_by_ref\":\"" by "\","                 \
    "\"object_marking_refs\":[\"" mark "\"]}]}"
#define CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define ID_A "identity--0a000000-0000-4000-8000-00000000000a"
#define ID_B "identity--0b000000-0000-4000-8000-00000000000b"
#define ID_C "identity--0c000000-0000-4000-8000-00000000000c"

static void test_egress(void **state)
{
    struct fx *f = *state;
    int64_t a = add_org(f->s, "a", ID_A), b = add_org(f->s, "b", ID_B);
    int64_t c = add_org(f->s, "c", ID_C);
    add_peer(f->s, "node-b", b);
    add_peer(f->s, "node-c", c);
    put(f, IND("00000000-0000-4000-8000-000000000001", CLEAR, ID_A), a);  /* local, clear */
    put(f, IND("00000000-0000-4000-8000-000000000002", CLEAR, ID_B), b);  /* from B: echo */
    put(f, IND("00000000-0000-4000-8000-000000000003", CLEAR, ID_A), b);  /* via B, clear */
    put(f, IND("00000000-0000-4000-8000-000000000004", AMBER, ID_A), b);  /* via B, amber */
    put(f, IND("00000000-0000-4000-8000-000000000005", AMBER, ID_A), a);  /* local amber, no group */
    struct share_ctx ctx;
    struct sync_egress eg;
    assert_int_equal(share_ctx_init(&ctx, f->s, b, false), 0);
    assert_int_equal(sync_egress_init(&eg, f->s, b), 0);
    struct seen to_b = {&eg, &ctx, {{0}}, 0};
    struct store_query q = {.coll = f->coll, .added_after_us = -1, .ver_flags = STORE_VER_ALL};
    bool more;
    assert_int_equal(store_obj_query(f->s, &q, seen_row, &to_b, &more), 0);
    assert_int_equal(to_b.n, 1); /* only the local clear one; nothing back to B */
    assert_string_equal(to_b.ids[0], "indicator--00000000-0000-4000-8000-000000000001");
    sync_egress_release(&eg);
    share_ctx_release(&ctx);
    assert_int_equal(share_ctx_init(&ctx, f->s, c, false), 0);
    assert_int_equal(sync_egress_init(&eg, f->s, c), 0);
    struct seen to_c = {&eg, &ctx, {{0}}, 0};
    assert_int_equal(store_obj_query(f->s, &q, seen_row, &to_c, &more), 0);
    assert_int_equal(to_c.n, 3); /* 1, 2 and 3: clear ones travel on; amber 4 never */
    for (int i = 0; i < to_c.n; i++)
        assert_null(strstr(to_c.ids[i], "0000000000004"));
    sync_egress_release(&eg);
    share_ctx_release(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoint_rule),
        cmocka_unit_test(test_replies),
        cmocka_unit_test_setup_teardown(test_checkpoint_in_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_egress, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
