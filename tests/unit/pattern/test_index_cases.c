/*
 * The bulk index (compile.c, index_*.c) against the reference evaluator
 * (eval*.c) on every data-driven case of tests/cases/pattern/eval (every .json file):
 * the "every case" half of "the fast path and the evaluator must agree"
 * (test_index.c has the randomized half).
 *
 * An observation of a case can be given to the index only as a struct
 * pat_record, so each observation is first converted: only observations
 * whose SCOs a record carries exactly are kept (ipv4-addr, ipv6-addr,
 * domain-name, url, email-addr with a value; files with hashes MD5,
 * 'SHA-1', 'SHA-256', 'SHA-512' and a name, as pat_record_observation
 * lays them out; at most one network-traffic with src_ref / dst_ref to
 * two distinct addresses, src_port, dst_port and one protocol).  Anything
 * else (another type or property, a dangling or other reference) makes
 * the observation "not representable" and it is counted and skipped.
 *
 * For every level-1 pattern of a case and every kept observation of the
 * same case three answers are compared:
 *   - the index's: one index holding only that pattern, matched on the record;
 *   - the evaluator's on the record's own observation (pat_record_observation);
 *   - the evaluator's on the original observation (the conversion is exact).
 * When the case has that one observation only, they must also equal the
 * case's "expect".  A second test puts every level-1 pattern of every case
 * in one index and matches every kept observation of every case against
 * all of them (index hits vs. the evaluator on the record's observation).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern/eval.h"
#include "pattern/index.h"
#include "pattern/logs.h"
#include "pattern/pattern.h"
#include "util/error.h"

#define CASES_DIR CONCORD_SOURCE_DIR "/tests/cases/pattern/eval"
#define NOW 1700000000000000000LL
#define MAX_PATTERNS 4096
#define MAX_RECORDS 4096

/* One kept observation: its record (values borrowed from the case file's JSON). */
struct kept {
    struct pat_record rec;
    char where[160]; /* "file: case #k" for messages */
};

/* Everything loaded once for both tests (group setup). */
struct corpus {
    json_t *docs;              /* every case file, kept alive: records point into them */
    char *texts[MAX_PATTERNS]; /* every level-1 pattern of every case (owned copies) */
    size_t n_texts;
    struct kept *recs; /* every kept observation of every case */
    size_t n_recs;
    size_t n_obs, skipped; /* observations seen, not representable */
};

/* ---- observation -> record ------------------------------------------------ */

static bool keys_within(const json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)o, k, v) {
        size_t i;
        for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
            ;
        if (!allowed[i])
            return false;
    }
    return true;
}

static const char *type_of(const json_t *sco)
{
    const char *t = json_string_value(json_object_get(sco, "type"));
    return t ? t : "";
}

static bool in_roots(const json_t *roots, const json_t *sco)
{
    size_t i;
    json_t *r;
    json_array_foreach ((json_t *)roots, i, r)
        if (r == sco)
            return true;
    return false;
}

static bool add_value(struct pat_record *r, enum pat_vkind k, enum pat_vrole role, const json_t *s)
{
    if (!json_is_string(s) || r->n == PAT_RECORD_VALUES)
        return false;
    r->v[r->n++] = (struct pat_value){k, role, json_string_value(s), json_string_length(s)};
    return true;
}

/* The address a network-traffic *_ref names: a root ip address, or NULL (absent), or bad. */
static bool traffic_ref(const struct pat_obsv *o, const json_t *nt, const char *key,
                        const json_t **out)
{
    json_t *ref = json_object_get(nt, key);
    *out = NULL;
    if (!ref)
        return true;
    const json_t *a =
        json_is_string(ref) ? json_object_get(o->by_ref, json_string_value(ref)) : NULL;
    if (!a || !in_roots(o->roots, a))
        return false;
    if (strcmp(type_of(a), "ipv4-addr") != 0 && strcmp(type_of(a), "ipv6-addr") != 0)
        return false;
    *out = a;
    return true;
}

static bool port_of(const json_t *nt, const char *key, long *out)
{
    json_t *p = json_object_get(nt, key);
    *out = -1;
    if (!p)
        return true;
    if (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) > 65535)
        return false;
    *out = (long)json_integer_value(p);
    return true;
}

/* The one network-traffic of o (or none): its addresses, ports and protocol into r. */
static bool convert_traffic(const struct pat_obsv *o, struct pat_record *r, const json_t **src,
                            const json_t **dst)
{
    static const char *const keys[] = {"type",     "id",       "spec_version", "src_ref", "dst_ref",
                                       "src_port", "dst_port", "protocols",    NULL};
    const json_t *nt = NULL;
    size_t i;
    json_t *sco;
    *src = *dst = NULL;
    json_array_foreach (o->roots, i, sco) {
        if (strcmp(type_of(sco), "network-traffic") != 0)
            continue;
        if (nt)
            return false; /* a record makes one traffic at most */
        nt = sco;
    }
    if (!nt)
        return true;
    if (!keys_within(nt, keys) || !traffic_ref(o, nt, "src_ref", src) ||
        !traffic_ref(o, nt, "dst_ref", dst) || !port_of(nt, "src_port", &r->src_port) ||
        !port_of(nt, "dst_port", &r->dst_port))
        return false;
    if ((!*src && !*dst) || *src == *dst)
        return false; /* made only for an address with a role; one SCO per value */
    json_t *protos = json_object_get(nt, "protocols");
    if (protos) {
        if (json_array_size(protos) != 1 || !json_is_string(json_array_get(protos, 0)))
            return false;
        r->proto = json_string_value(json_array_get(protos, 0));
        if (strlen(r->proto) != json_string_length(json_array_get(protos, 0)))
            return false;
    }
    return true;
}

static const struct {
    const char *name;
    enum pat_vkind kind;
} hash_kinds[] = {
    {"MD5", PAT_V_MD5},
    {"SHA-1", PAT_V_SHA1},
    {"SHA-256", PAT_V_SHA256},
    {"SHA-512", PAT_V_SHA512},
};

static bool add_hashes(struct pat_record *r, const json_t *hashes)
{
    const char *k;
    json_t *v;
    if (!json_is_object(hashes) || json_object_size(hashes) == 0)
        return false;
    json_object_foreach ((json_t *)hashes, k, v) {
        size_t i, n = sizeof(hash_kinds) / sizeof(hash_kinds[0]);
        for (i = 0; i < n && strcmp(hash_kinds[i].name, k) != 0; i++)
            ;
        if (i == n || !add_value(r, hash_kinds[i].kind, PAT_ROLE_NONE, v))
            return false;
    }
    return true;
}

/*
 * A file as pat_record_observation makes them: the first holds every hash
 * and the first name; each further file holds one name only (and exists
 * only when the first has a name).
 */
static bool convert_file(struct pat_record *r, const json_t *f, bool *first_seen, bool *first_named)
{
    static const char *const first_keys[] = {"type", "id", "spec_version", "name", "hashes", NULL};
    static const char *const other_keys[] = {"type", "id", "spec_version", "name", NULL};
    json_t *name = json_object_get(f, "name"), *hashes = json_object_get(f, "hashes");
    if (*first_seen) {
        return *first_named && keys_within(f, other_keys) && name &&
               add_value(r, PAT_V_FILENAME, PAT_ROLE_NONE, name);
    }
    *first_seen = true;
    *first_named = name != NULL;
    if (!keys_within(f, first_keys) || (!name && !hashes))
        return false;
    if (hashes && !add_hashes(r, hashes))
        return false;
    return !name || add_value(r, PAT_V_FILENAME, PAT_ROLE_NONE, name);
}

static const struct {
    const char *type;
    enum pat_vkind kind;
} value_kinds[] = {
    {"ipv4-addr", PAT_V_IPV4}, {"ipv6-addr", PAT_V_IPV6},   {"domain-name", PAT_V_DOMAIN},
    {"url", PAT_V_URL},        {"email-addr", PAT_V_EMAIL},
};

/* One root SCO into r; false when a record cannot carry it. */
static bool convert_sco(struct pat_record *r, const json_t *sco, const json_t *src,
                        const json_t *dst, bool *first_seen, bool *first_named)
{
    static const char *const keys[] = {"type", "id", "spec_version", "value", NULL};
    const char *t = type_of(sco);
    if (strcmp(t, "network-traffic") == 0)
        return true;
    if (strcmp(t, "file") == 0)
        return convert_file(r, sco, first_seen, first_named);
    for (size_t i = 0; i < sizeof(value_kinds) / sizeof(value_kinds[0]); i++) {
        if (strcmp(value_kinds[i].type, t) != 0)
            continue;
        enum pat_vrole role = sco == src ? PAT_ROLE_SRC : sco == dst ? PAT_ROLE_DST : PAT_ROLE_NONE;
        return keys_within(sco, keys) &&
               add_value(r, value_kinds[i].kind, role, json_object_get(sco, "value"));
    }
    return false;
}

/* o as a record, or false when o holds something a record cannot carry exactly. */
static bool observation_to_record(const struct pat_obsv *o, struct pat_record *r)
{
    const json_t *src, *dst;
    bool first_seen = false, first_named = false;
    size_t i;
    json_t *sco;
    memset(r, 0, sizeof(*r));
    r->src_port = r->dst_port = -1;
    r->time_ns = o->first_ns;
    r->line = 1;
    if (!convert_traffic(o, r, &src, &dst))
        return false;
    json_array_foreach (o->roots, i, sco)
        if (!convert_sco(r, sco, src, dst, &first_seen, &first_named))
            return false;
    return true;
}

/* ---- loading ------------------------------------------------------------ */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void collect_patterns(struct corpus *c, json_t *checks)
{
    size_t i;
    json_t *chk;
    json_array_foreach (checks, i, chk) {
        const char *text = json_string_value(json_object_get(chk, "pattern"));
        struct pattern *p = NULL;
        struct error err;
        error_clear(&err);
        if (!text || pat_parse(text, strlen(text), &p, &err) != 0)
            continue;
        if (p->level == 1 && c->n_texts < MAX_PATTERNS)
            c->texts[c->n_texts++] = strdup(text);
        pat_free(p);
    }
}

static void collect_case(struct corpus *c, const char *file, json_t *cs)
{
    struct pat_obsv_set set;
    struct error err;
    error_clear(&err);
    if (pat_obsv_load(json_object_get(cs, "observations"), &set, &err) != 0)
        return; /* test_eval reports malformed cases */
    collect_patterns(c, json_object_get(cs, "patterns"));
    for (size_t k = 0; k < set.n; k++) {
        struct kept *kp = &c->recs[c->n_recs];
        c->n_obs++;
        if (c->n_recs == MAX_RECORDS || !observation_to_record(&set.v[k], &kp->rec)) {
            c->skipped++;
            continue;
        }
        snprintf(kp->where, sizeof(kp->where), "%s: %s #%zu", file,
                 json_string_value(json_object_get(cs, "name")), k);
        c->n_recs++;
    }
    pat_obsv_set_release(&set);
}

/* Every case file, in name order (stable messages). */
static json_t *load_files(void)
{
    struct dirent **names;
    json_t *docs = json_array();
    int n = scandir(CASES_DIR, &names, NULL, alphasort);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        char path[4096];
        json_error_t je;
        if (has_suffix(names[i]->d_name, ".json")) {
            snprintf(path, sizeof(path), "%s/%s", CASES_DIR, names[i]->d_name);
            json_t *doc = json_load_file(path, 0, &je);
            if (!doc)
                printf("%s: cannot parse: %s\n", path, je.text);
            assert_non_null(doc);
            json_array_append_new(docs,
                                  json_pack("{s:s, s:o}", "file", names[i]->d_name, "doc", doc));
        }
        free(names[i]);
    }
    free(names);
    return docs;
}

/* The cases of one file: an array of cases or one case; borrowed. */
static json_t *cases_of(json_t *entry, json_t *one)
{
    json_t *doc = json_object_get(entry, "doc");
    if (json_is_array(doc))
        return doc;
    json_array_clear(one);
    json_array_append(one, doc);
    return one;
}

static int setup(void **state)
{
    struct corpus *c = calloc(1, sizeof(*c));
    json_t *one = json_array(), *entry, *cs;
    size_t i, j;
    c->recs = calloc(MAX_RECORDS, sizeof(*c->recs));
    c->docs = load_files();
    json_array_foreach (c->docs, i, entry) {
        const char *file = json_string_value(json_object_get(entry, "file"));
        json_array_foreach (cases_of(entry, one), j, cs)
            collect_case(c, file, cs);
    }
    json_decref(one);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct corpus *c = *state;
    for (size_t i = 0; i < c->n_texts; i++)
        free(c->texts[i]);
    free(c->recs);
    json_decref(c->docs);
    free(c);
    return 0;
}

/* ---- matching ------------------------------------------------------------ */

static void make_id(size_t i, char out[PAT_INDICATOR_ID_LEN + 1])
{
    assert_true(i < MAX_PATTERNS);
    snprintf(out, PAT_INDICATOR_ID_LEN + 1, "indicator--00000000-0000-4000-8000-%012x",
             (unsigned)(i % MAX_PATTERNS));
}

static size_t id_number(const char *id)
{
    return (size_t)strtoull(id + PAT_INDICATOR_ID_LEN - 12, NULL, 16);
}

/* An index of texts[0..n) (all parse), all active; indicator i is texts[i]. */
static struct pat_index *build(char *const *texts, size_t n)
{
    struct pat_index_builder *b = pat_index_builder_new();
    struct error err;
    char id[PAT_INDICATOR_ID_LEN + 1];
    error_clear(&err);
    for (size_t i = 0; i < n; i++) {
        make_id(i, id);
        int rc = pat_index_add(b, id, texts[i], strlen(texts[i]), INT64_MIN, INT64_MAX, 0, &err);
        if (rc)
            printf("cannot index %s: %s\n", texts[i], err.msg);
        assert_int_equal(rc, 0);
    }
    struct pat_index *idx = pat_index_build(b, NOW, &err);
    if (!idx)
        printf("cannot build the index: %s\n", err.msg);
    assert_non_null(idx);
    return idx;
}

struct got {
    uint8_t *hit; /* per indicator */
    size_t n;
};

static void on_hit(void *ctx, const struct pat_hit *h)
{
    struct got *g = ctx;
    size_t i = id_number(h->indicator_id);
    assert_true(i < g->n);
    assert_false(h->partial); /* level 1 only */
    assert_int_equal(h->bracket, 0);
    assert_int_equal(g->hit[i], 0); /* once per record */
    g->hit[i] = 1;
}

static void match(const struct pat_index *idx, struct pat_scratch *s, const struct pat_record *r,
                  struct got *g)
{
    memset(g->hit, 0, g->n);
    assert_true(pat_index_match(idx, s, r, on_hit, g) >= 0);
}

/* The record's own observation (pat_record_observation), as the index's evaluator sees it. */
struct rec_obsv {
    json_t *roots, *by_ref;
    struct pat_obsv o;
};

static void rec_obsv_init(struct rec_obsv *ro, const struct pat_record *r)
{
    assert_int_equal(pat_record_observation(r, &ro->roots, &ro->by_ref), 0);
    ro->o = (struct pat_obsv){ro->roots, ro->by_ref, r->time_ns, r->time_ns, 1};
}

static void rec_obsv_release(struct rec_obsv *ro)
{
    json_decref(ro->roots);
    json_decref(ro->by_ref);
}

static void print_record(const struct pat_record *r)
{
    for (size_t i = 0; i < r->n; i++)
        printf("  value %s role %d '%.*s'\n", pat_vkind_name(r->v[i].kind), (int)r->v[i].role,
               (int)r->v[i].len, r->v[i].s);
    printf("  src_port %ld dst_port %ld proto %s\n", r->src_port, r->dst_port,
           r->proto ? r->proto : "(none)");
}

/* ---- test 1: per case ---------------------------------------------------- */

struct tally {
    size_t pairs, with_expect, disagree, inexact, wrong;
};

/* One pattern of a case against each kept observation of the case. */
static void check_pattern(json_t *chk, const struct pat_obsv_set *set, const char *where,
                          struct tally *t)
{
    char *text = (char *)json_string_value(json_object_get(chk, "pattern"));
    json_t *expect = json_object_get(chk, "expect");
    struct pattern *p = NULL;
    struct error err;
    error_clear(&err);
    if (!text || pat_parse(text, strlen(text), &p, &err) != 0)
        return;
    if (p->level != 1) {
        pat_free(p);
        return;
    }
    struct pat_index *idx = build(&text, 1);
    struct pat_scratch *s = pat_scratch_new(idx);
    uint8_t hit = 0;
    struct got g = {&hit, 1};
    for (size_t k = 0; k < set->n; k++) {
        struct pat_record r;
        struct rec_obsv ro;
        if (!observation_to_record(&set->v[k], &r))
            continue;
        rec_obsv_init(&ro, &r);
        match(idx, s, &r, &g);
        bool by_index = hit != 0;
        bool on_record = pat_eval_cexpr(p->root->cexpr, &ro.o);
        bool on_original = pat_eval_cexpr(p->root->cexpr, &set->v[k]);
        t->pairs++;
        if (by_index != on_record) {
            t->disagree++;
            printf("%s #%zu: DISAGREE %s: index %d, evaluator %d\n", where, k, text, by_index,
                   on_record);
            print_record(&r);
        }
        if (on_original != on_record) {
            t->inexact++;
            printf("%s #%zu: %s: evaluator %d on the original, %d on the record\n", where, k, text,
                   on_original, on_record);
            print_record(&r);
        }
        if (set->n == 1 && json_is_boolean(expect)) {
            t->with_expect++;
            if (on_record != json_is_true(expect) || by_index != json_is_true(expect)) {
                t->wrong++;
                printf("%s: %s: index %d, evaluator %d, expected %d\n", where, text, by_index,
                       on_record, json_is_true(expect));
            }
        }
        rec_obsv_release(&ro);
    }
    pat_scratch_free(s);
    pat_index_unref(idx);
    pat_free(p);
}

static void check_case(const char *file, json_t *cs, struct tally *t)
{
    struct pat_obsv_set set;
    struct error err;
    char where[256];
    size_t i;
    json_t *chk;
    error_clear(&err);
    if (pat_obsv_load(json_object_get(cs, "observations"), &set, &err) != 0)
        return;
    snprintf(where, sizeof(where), "%s: %s", file, json_string_value(json_object_get(cs, "name")));
    json_array_foreach (json_object_get(cs, "patterns"), i, chk)
        check_pattern(chk, &set, where, t);
    pat_obsv_set_release(&set);
}

static void test_case_pairs(void **state)
{
    struct corpus *c = *state;
    struct tally t = {0};
    json_t *one = json_array(), *entry, *cs;
    size_t i, j;
    json_array_foreach (c->docs, i, entry) {
        const char *file = json_string_value(json_object_get(entry, "file"));
        json_array_foreach (cases_of(entry, one), j, cs)
            check_case(file, cs, &t);
    }
    json_decref(one);
    printf("cases: %zu observations, %zu not representable as a record (skipped), %zu kept\n",
           c->n_obs, c->skipped, c->n_recs);
    printf("cases: %zu (pattern, observation) pairs compared, %zu against \"expect\"; "
           "%zu disagreements, %zu inexact conversions, %zu unexpected answers\n",
           t.pairs, t.with_expect, t.disagree, t.inexact, t.wrong);
    assert_true(t.pairs >= 300);
    assert_true(t.with_expect >= 150);
    assert_int_equal(t.disagree, 0);
    assert_int_equal(t.inexact, 0);
    assert_int_equal(t.wrong, 0);
}

/* ---- test 2: every case pattern against every kept observation ------------ */

static void test_all_against_all(void **state)
{
    struct corpus *c = *state;
    struct pattern **trees = calloc(c->n_texts, sizeof(*trees));
    struct got g = {calloc(c->n_texts, 1), c->n_texts};
    size_t pairs = 0, trues = 0, disagree = 0;
    struct error err;
    for (size_t i = 0; i < c->n_texts; i++) {
        error_clear(&err);
        assert_int_equal(pat_parse(c->texts[i], strlen(c->texts[i]), &trees[i], &err), 0);
    }
    struct pat_index *idx = build(c->texts, c->n_texts);
    struct pat_scratch *s = pat_scratch_new(idx);
    for (size_t k = 0; k < c->n_recs; k++) {
        struct rec_obsv ro;
        rec_obsv_init(&ro, &c->recs[k].rec);
        match(idx, s, &c->recs[k].rec, &g);
        for (size_t i = 0; i < c->n_texts; i++) {
            bool want = pat_eval_cexpr(trees[i]->root->cexpr, &ro.o);
            pairs++;
            trues += want;
            if (want != (g.hit[i] != 0) && disagree++ < 20) {
                printf("%s: DISAGREE %s: index %d, evaluator %d\n", c->recs[k].where, c->texts[i],
                       g.hit[i], want);
                print_record(&c->recs[k].rec);
            }
        }
        rec_obsv_release(&ro);
    }
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    printf("all: %zu level-1 patterns (pure %zu, candidates %zu, residual %zu) x %zu records: "
           "%zu pairs, %zu true, %zu disagreements\n",
           c->n_texts, st.pure, st.candidates, st.residual, c->n_recs, pairs, trues, disagree);
    pat_scratch_free(s);
    pat_index_unref(idx);
    for (size_t i = 0; i < c->n_texts; i++)
        pat_free(trees[i]);
    free(trees);
    free(g.hit);
    assert_true(pairs >= 1000);
    assert_int_equal(disagree, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_pairs),
        cmocka_unit_test(test_all_against_all),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
