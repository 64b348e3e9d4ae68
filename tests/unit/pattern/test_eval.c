/*
 * Tests of the reference evaluator (src/pattern/eval*.c).
 *
 * 1. tests/cases/pattern/eval/NAME.json: each file is one case or a list
 *    of cases {"name": ..., "observations": <bundle, array of bundles or
 *    array of objects>, "patterns": [{"pattern": "...", "expect": true |
 *    false | "error"}]}; every pattern is parsed and evaluated against all
 *    the observations of its case ("error": pat_parse must reject it); each
 *    file parsed with pat_json_parse must give jansson's value.
 * 2. The C interface: pat_eval_cexpr on one hand-built observation, the
 *    errors of pat_obsv_load, the `_hex`/`_bin` decoders, concurrent
 *    evaluation of one pattern, and the bound on the search.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern/eval.h"
#include "pattern/eval_int.h"
#include "pattern/pattern.h"
#include "util/error.h"

#define CASES_DIR CONCORD_SOURCE_DIR "/tests/cases/pattern/eval"

struct tally {
    int files, cases, checks, failed;
};

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static struct pattern *parse(const char *text, struct error *err)
{
    struct pattern *p = NULL;

    error_clear(err);
    if (pat_parse(text, strlen(text), &p, err) != 0)
        return NULL;
    return p;
}

/* One {"pattern", "expect"} against the set; returns true if as expected (else printed). */
static bool run_check(const char *where, json_t *chk, const struct pat_obsv_set *set)
{
    const char *text = json_string_value(json_object_get(chk, "pattern"));
    json_t *expect = json_object_get(chk, "expect");
    struct error err;
    struct pattern *p;
    bool got;

    if (!text || !(json_is_boolean(expect) || json_is_string(expect))) {
        printf("%s: malformed check\n", where);
        return false;
    }
    p = parse(text, &err);
    if (json_is_string(expect)) {
        if (p)
            printf("%s: %s: parsed, expected an error\n", where, text);
        pat_free(p);
        return p == NULL;
    }
    if (!p) {
        printf("%s: %s: does not parse: %s\n", where, text, err.msg);
        return false;
    }
    got = pat_eval(p, set);
    pat_free(p);
    if (got != json_is_true(expect))
        printf("%s: %s: got %s, expected %s\n", where, text, got ? "true" : "false",
               got ? "false" : "true");
    return got == json_is_true(expect);
}

static void run_case(const char *file, json_t *c, struct tally *t)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *checks = json_object_get(c, "patterns"), *chk;
    struct pat_obsv_set set;
    struct error err;
    char where[512];
    size_t i;

    snprintf(where, sizeof(where), "%s: %s", file, name ? name : "(unnamed)");
    t->cases++;
    error_clear(&err);
    if (!json_is_array(checks) || pat_obsv_load(json_object_get(c, "observations"), &set, &err)) {
        printf("%s: malformed case: %s\n", where, err.msg);
        t->failed++;
        return;
    }
    json_array_foreach (checks, i, chk) {
        t->checks++;
        t->failed += !run_check(where, chk, &set);
    }
    pat_obsv_set_release(&set);
}

/* pat_json_parse (the parser of `concord pattern eval`) gives the file's doc too. */
static bool fast_parse_agrees(const char *path, json_t *doc)
{
    FILE *f = fopen(path, "rb");
    char *text = malloc(1 << 20); /* case files are small */
    size_t n = f ? fread(text, 1, 1 << 20, f) : 0;
    json_t *fast = pat_json_parse(text, n);
    bool same = false;

    if (fast) {
        char *a = json_dumps(fast, 0), *b = json_dumps(doc, 0);
        same = strcmp(a, b) == 0;
        free(a);
        free(b);
    }
    json_decref(fast);
    free(text);
    if (f)
        fclose(f);
    return same;
}

static void run_file(const char *dir, const char *name, struct tally *t)
{
    char path[4096];
    json_error_t je;
    json_t *doc, *c;
    size_t i;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    doc = json_load_file(path, 0, &je);
    t->files++;
    if (!doc) {
        printf("%s: cannot parse: %s\n", path, je.text);
        t->failed++;
        return;
    }
    if (!fast_parse_agrees(path, doc)) {
        printf("%s: pat_json_parse differs from jansson\n", path);
        t->failed++;
    }
    if (json_is_array(doc)) {
        json_array_foreach (doc, i, c)
            run_case(name, c, t);
    } else {
        run_case(name, doc, t);
    }
    json_decref(doc);
}

static void test_case_files(void **state)
{
    DIR *d = opendir(CASES_DIR);
    struct dirent *e;
    struct tally t = {0, 0, 0, 0};
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (has_suffix(e->d_name, ".json"))
            run_file(CASES_DIR, e->d_name, &t);
    closedir(d);
    printf("%d case files, %d cases, %d pattern checks, %d failed\n", t.files, t.cases, t.checks,
           t.failed);
    assert_true(t.checks >= 150);
    assert_int_equal(t.failed, 0);
}

/* ---- the C interface ------------------------------------------------------ */

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        printf("bad test JSON: %s\n", je.text);
    assert_non_null(j);
    return j;
}

/* pat_eval_cexpr: one bracket against one observation built by hand (the `concord match` path). */
static void test_cexpr_one_observation(void **state)
{
    json_t *roots = load("[{\"type\":\"network-traffic\",\"src_ref\":\"s\",\"dst_port\":443},"
                         "{\"type\":\"ipv4-addr\",\"value\":\"10.1.2.3\"}]");
    json_t *by_ref = json_object();
    struct pat_obsv o = {roots, by_ref, 0, 0, 1};
    struct error err;
    struct pattern *yes = parse("[network-traffic:src_ref.value ISSUBSET '10.0.0.0/8' AND "
                                "network-traffic:dst_port = 443]",
                                &err);
    struct pattern *no = parse("[network-traffic:src_ref.value = '10.1.2.3' AND "
                               "network-traffic:dst_port = 80]",
                               &err);
    (void)state;

    json_object_set(by_ref, "s", json_array_get(roots, 1));
    assert_non_null(yes);
    assert_non_null(no);
    assert_true(pat_eval_cexpr(yes->root->cexpr, &o));
    assert_false(pat_eval_cexpr(no->root->cexpr, &o));
    pat_free(yes);
    pat_free(no);
    json_decref(roots);
    json_decref(by_ref);
}

static void expect_load_error(const char *doc_text, const char *msg_part)
{
    json_t *doc = load(doc_text);
    struct pat_obsv_set set;
    struct error err;

    error_clear(&err);
    assert_int_equal(pat_obsv_load(doc, &set, &err), ERR_INVALID);
    if (!strstr(err.msg, msg_part))
        printf("message '%s' lacks '%s'\n", err.msg, msg_part);
    assert_non_null(strstr(err.msg, msg_part));
    assert_int_equal(set.n, 0);
    pat_obsv_set_release(&set);
    json_decref(doc);
}

static void test_load_errors(void **state)
{
    (void)state;
    expect_load_error("[{\"type\":\"observed-data\",\"id\":\"observed-data--1\","
                      "\"number_observed\":1,\"object_refs\":[]}]",
                      "first_observed");
    expect_load_error("[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\","
                      "\"last_observed\":\"2019-01-01T00:00:00Z\",\"object_refs\":[]}]",
                      "before first_observed");
    expect_load_error("[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\","
                      "\"number_observed\":0,\"object_refs\":[]}]",
                      "number_observed");
    expect_load_error("{\"type\":\"bundle\",\"objects\":[{\"type\":\"observed-data\","
                      "\"first_observed\":\"2020-01-01T00:00:00Z\"}]}",
                      "neither object_refs nor objects");
}

static void test_load_shapes(void **state)
{
    json_t *doc = load("[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\","
                       "\"number_observed\":4,\"object_refs\":[\"x--1\",\"x--2\",\"x--1\"]},"
                       "{\"type\":\"x\",\"id\":\"x--1\"}]");
    struct pat_obsv_set set;
    struct error err;
    (void)state;

    error_clear(&err);
    assert_int_equal(pat_obsv_load(doc, &set, &err), 0);
    assert_int_equal(set.n, 1);
    assert_int_equal(set.v[0].count, 4);
    assert_int_equal(set.v[0].first_ns, set.v[0].last_ns);
    assert_int_equal(json_array_size(set.v[0].roots), 1); /* x--2 missing, x--1 listed twice */
    pat_obsv_set_release(&set);
    json_decref(doc);
}

static void test_decoders(void **state)
{
    char *b = NULL;
    size_t n = 0;
    (void)state;

    assert_true(pat_ev_decode_hex("48656C6c6f", 10, &b, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(b, "Hello", 5);
    free(b);
    assert_false(pat_ev_decode_hex("486", 3, &b, &n));
    assert_false(pat_ev_decode_hex("4g", 2, &b, &n));
    assert_true(pat_ev_decode_b64("SGVsbG8=", 8, &b, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(b, "Hello", 5);
    free(b);
    assert_true(pat_ev_decode_b64("SGVsbG8", 7, &b, &n));
    assert_int_equal(n, 5);
    free(b);
    assert_true(pat_ev_decode_b64("", 0, &b, &n));
    assert_int_equal(n, 0);
    free(b);
    assert_false(pat_ev_decode_b64("SGVsbG8=x", 9, &b, &n));
    assert_false(pat_ev_decode_b64("S", 1, &b, &n));
    assert_false(pat_ev_decode_b64("SGV=bG8=", 8, &b, &n));
}

/* A set of n observations, one second apart, each with one domain-name "d<i % mod>". */
static json_t *domain_series(int n, int mod)
{
    json_t *arr = json_array();
    char id[64], ts[64], val[32];

    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "domain-name--%d", i);
        snprintf(ts, sizeof(ts), "2020-01-01T00:%02d:%02dZ", i / 60, i % 60);
        snprintf(val, sizeof(val), "d%d", i % mod);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:i, s:[s]}", "type", "observed-data",
                                             "first_observed", ts, "last_observed", ts,
                                             "number_observed", 1, "object_refs", id));
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "type", "domain-name", "id", id, "value", val));
    }
    return arr;
}

struct thread_arg {
    const struct pattern *p;
    const struct pat_obsv_set *set;
    int trues;
};

static void *eval_thread(void *arg)
{
    struct thread_arg *a = arg;
    for (int i = 0; i < 20; i++)
        a->trues += pat_eval(a->p, a->set);
    return NULL;
}

/* One const pattern, one set, four threads: every call gives the same answer. */
static void test_threads(void **state)
{
    json_t *doc = domain_series(40, 4);
    struct pat_obsv_set set;
    struct error err;
    struct pattern *p = parse("([domain-name:value MATCHES '^d[12]$'] FOLLOWEDBY "
                              "[domain-name:value LIKE 'd3']) REPEATS 3 TIMES WITHIN 60 SECONDS",
                              &err);
    pthread_t th[4];
    struct thread_arg args[4];
    (void)state;

    assert_non_null(p);
    assert_int_equal(pat_obsv_load(doc, &set, &err), 0);
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){p, &set, 0};
        assert_int_equal(pthread_create(&th[i], NULL, eval_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].trues, 20);
    }
    pat_free(p);
    pat_obsv_set_release(&set);
    json_decref(doc);
}

/* A search with no answer and factorially many orders stops at the work bound. */
static void test_work_bound(void **state)
{
    json_t *doc = domain_series(40, 2); /* d0 x 20, d1 x 20 */
    struct pat_obsv_set set;
    struct error err;
    struct pattern *slow = parse("([domain-name:value = 'd0'] OR [domain-name:value = 'd0']) "
                                 "REPEATS 21 TIMES",
                                 &err);
    struct pattern *fast = parse("[domain-name:value = 'd0'] REPEATS 20 TIMES", &err);
    struct pattern *too_many = parse("[domain-name:value = 'd0'] REPEATS 2000 TIMES", &err);
    (void)state;

    assert_non_null(slow);
    assert_non_null(fast);
    assert_non_null(too_many);
    assert_int_equal(pat_obsv_load(doc, &set, &err), 0);
    assert_false(pat_eval(slow, &set));
    assert_true(pat_eval(fast, &set));
    assert_false(pat_eval(too_many, &set));
    pat_free(slow);
    pat_free(fast);
    pat_free(too_many);
    pat_obsv_set_release(&set);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_files),  cmocka_unit_test(test_cexpr_one_observation),
        cmocka_unit_test(test_load_errors), cmocka_unit_test(test_load_shapes),
        cmocka_unit_test(test_decoders),    cmocka_unit_test(test_threads),
        cmocka_unit_test(test_work_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
