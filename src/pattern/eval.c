/*
 * The reference evaluator of STIX 2.1 patterns (STIX 2.1 §9; domain.md
 * §3.2; docs/patterns.md "Evaluation semantics").  Three layers:
 *
 * 1. Object paths (walk_*, eval_path.c): from one root SCO, follow the
 *    steps of a path; keys ending in `_ref` are replaced by the SCO they
 *    name, keys ending in `_refs` by the list of SCOs they name
 *    (references that do not resolve in the observation are dropped),
 *    `[n]` picks one element and `[*]` tries every element.  Each value
 *    reached is tested by pat_ev_test (eval_cmp.c); the comparison holds
 *    if any value passes.  A path that reaches nothing is missing data:
 *    false, even under NOT.  The first step from a root goes through the
 *    root's view (eval_sco.c: its properties in a flat array, `_ref`
 *    already resolved), the same values as the JSON object without a hash
 *    lookup per comparison.
 * 2. Brackets (cexpr_*, eval_path.c): a [ ... ] holds on an observation
 *    when one root SCO satisfies the whole boolean expression (so AND
 *    needs the same root, OR may take different roots: domain.md §3.2
 *    items 1-2).  This file runs them for many patterns at once
 *    (brackets_run).
 * 3. Observation expressions (plan_*, solve_*): every bracket is first
 *    evaluated against every observation (the "hits"), then a depth-first
 *    backtracking search binds brackets to observations.  An observed-data
 *    with number_observed N can be bound N times (it stands for N
 *    observations, as in stix2-matcher); otherwise every bracket of one
 *    binding has its own observation (AND, FOLLOWEDBY, REPEATS).  Each
 *    partial binding carries the latest first_observed and the earliest
 *    last_observed of its observations, which is all the qualifiers need:
 *      A FOLLOWEDBY B  max first(A) <= min last(B)
 *      WITHIN x        max first - min last < x seconds
 *      START s STOP t  max first < t and min last >= s
 *    (an observation happened at some instant of [first, last]; these are
 *    the stix2-matcher rules, exact for first == last, except that WITHIN
 *    excludes its boundary as domain.md §3.2 says: latest < earliest + x).
 *
 * The search continues through explicit continuations (struct kont) so a
 * failure deep inside backtracks into the alternatives of every enclosing
 * operator.  It is bounded: PAT_EVAL_WORK_MAX steps and
 * PAT_EVAL_BINDING_MAX observations per binding; past either it logs a
 * warning and answers false.  The n bindings of a REPEATS are tried in
 * one order only (ascending lowest observation), not n! orders.
 *
 * All state lives in the call (struct search, struct pat_ev_ctx), so
 * concurrent calls on one const pattern are safe.
 */
#include "pattern/eval.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/eval_int.h"
#include "util/banned.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Brackets x observations evaluated in one batch of pat_eval_many (bounds the hits arrays). */
#define PAT_EVAL_BATCH_CELLS ((size_t)1 << 21)

/* ---- the search plan ---------------------------------------------------------- */

/* The observation tree, with what the search needs to know beforehand. */
struct plan {
    const struct pat_obs *n;
    struct plan *l, *r;
    size_t *hits; /* TEST: indexes of the observations the bracket holds on, ascending */
    size_t n_hits;
    size_t cap_hits; /* hits grow as found: most brackets hold on few observations */
    long need;       /* fewest observations one binding uses */
    bool possible;   /* false when no binding can exist (a bracket without hits...) */
};

static long sat_add(long a, long b)
{
    return a > LONG_MAX - b ? LONG_MAX : a + b;
}

static long sat_mul(long a, long b)
{
    return b > 0 && a > LONG_MAX / b ? LONG_MAX : a * b;
}

/*
 * Brackets are evaluated for a batch of patterns at once, root by root: a
 * root SCO is tested against every bracket naming its type while it is in
 * the cache (the JSON nodes, not the comparisons, are what cost).  Each
 * TEST plan keeps its own hits, so the answers are those of one pattern
 * at a time.
 */
struct plan_env {
    const struct pat_obsv_set *s;
    const struct pat_ev_types *types;
    struct pat_ev_ctx *ctx;
    struct plan **tests; /* the TEST plans of the batch */
    size_t n_tests, cap_tests;
};

/* Grow *v (elements of size) to hold n + 1. */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return v;
    *cap = *cap ? 2 * *cap : 8;
    return xrealloc(v, *cap * size);
}

/* The positions in types->v of the types c's comparisons name, each once, into g[0..*n). */
static void bracket_groups(const struct pat_ev_types *types, const struct pat_cexpr *c, size_t **g,
                           size_t *n, size_t *cap)
{
    for (; c; c = c->l) {
        const struct pat_ev_bytype *b;
        size_t i, at;

        if (c->kind != PAT_CMP_TEST) {
            bracket_groups(types, c->r, g, n, cap);
            continue;
        }
        if (!(b = pat_ev_types_get(types, c->test.path.type)))
            return;
        at = (size_t)(b - types->v);
        for (i = 0; i < *n && (*g)[i] != at; i++)
            ;
        if (i == *n) {
            *g = grow(*g, cap, *n, sizeof(**g));
            (*g)[(*n)++] = at;
        }
        return;
    }
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* A bracket whose roots came from several types: its hits in ascending order, each once. */
static void hits_sort(struct plan *t)
{
    size_t k = 0;

    qsort(t->hits, t->n_hits, sizeof(*t->hits), cmp_size);
    for (size_t j = 0; j < t->n_hits; j++)
        if (k == 0 || t->hits[k - 1] != t->hits[j])
            t->hits[k++] = t->hits[j];
    t->n_hits = k;
}

/* Observation i is a hit of the TEST plan t. */
static void hit_add(struct plan *t, size_t i)
{
    if (t->n_hits == t->cap_hits)
        t->hits = grow(t->hits, &t->cap_hits, t->n_hits, sizeof(*t->hits));
    t->hits[t->n_hits++] = i;
}

/*
 * Start loading the property values of the root tested next: they lie apart
 * in the document, and reading them was most of the cache misses of
 * brackets_run (perf annotate).  A hint only.
 */
static void prefetch_values(const struct pat_ev_sco *root)
{
    for (size_t i = 0; i < root->n_prop; i++)
        __builtin_prefetch(root->prop[i].val);
}

/*
 * The observations every bracket of the batch holds on.  A comparison is
 * false on a root of another type than its path's, so a bracket only
 * visits the roots of the types it names (the same answer as trying every
 * root).  Roots of one type come in ascending observation order, so a
 * bracket's hits do too unless it names several types.
 */
static void brackets_run(struct plan_env *env)
{
    const struct pat_ev_types *types = env->types;
    struct {
        size_t *v, n, cap; /* tests naming this type */
    } *by_type = xcalloc(types->n ? types->n : 1, sizeof(*by_type));
    size_t *g = NULL, n_g = 0, cap_g = 0;
    bool *several = xcalloc(env->n_tests ? env->n_tests : 1, sizeof(*several));

    for (size_t t = 0; t < env->n_tests; t++) {
        n_g = 0;
        bracket_groups(types, env->tests[t]->n->cexpr, &g, &n_g, &cap_g);
        several[t] = n_g > 1; /* an observation may hold once per type before hits_sort */
        for (size_t j = 0; j < n_g; j++) {
            by_type[g[j]].v =
                grow(by_type[g[j]].v, &by_type[g[j]].cap, by_type[g[j]].n, sizeof(size_t));
            by_type[g[j]].v[by_type[g[j]].n++] = t;
        }
    }
    for (size_t ty = 0; ty < types->n; ty++) {
        const struct pat_ev_bytype *b = &types->v[ty];
        for (size_t k = 0; k < b->n && by_type[ty].n; k++) {
            const struct pat_ev_sco *root = b->v[k];
            size_t i = root->obs;
            if (k + 1 < b->n)
                prefetch_values(b->v[k + 1]);
            for (size_t j = 0; j < by_type[ty].n; j++) {
                struct plan *t = env->tests[by_type[ty].v[j]];
                if (t->n_hits && t->hits[t->n_hits - 1] == i)
                    continue; /* another root of this observation already holds */
                if (pat_ev_cexpr_root(env->ctx, t->n->cexpr, root, &env->s->v[i]))
                    hit_add(t, i);
            }
        }
        free(by_type[ty].v);
    }
    for (size_t t = 0; t < env->n_tests; t++)
        if (several[t])
            hits_sort(env->tests[t]);
    free(several);
    free(by_type);
    free(g);
}

/* The plan of n; TEST plans are registered in env, their hits found later by brackets_run. */
static struct plan *plan_build(const struct pat_obs *n, struct plan_env *env)
{
    struct plan *p = xcalloc(1, sizeof(*p));

    p->n = n;
    p->need = 1;
    if (n->kind == PAT_OBS_TEST) { /* hits: grown by brackets_run */
        env->tests = grow(env->tests, &env->cap_tests, env->n_tests, sizeof(*env->tests));
        env->tests[env->n_tests++] = p;
        return p;
    }
    p->l = plan_build(n->l, env);
    p->need = p->l->need;
    switch (n->kind) {
    case PAT_OBS_AND:
    case PAT_OBS_FOLLOWEDBY:
    case PAT_OBS_OR:
        p->r = plan_build(n->r, env);
        if (n->kind == PAT_OBS_OR)
            p->need = p->l->need < p->r->need ? p->l->need : p->r->need;
        else
            p->need = sat_add(p->l->need, p->r->need);
        break;
    case PAT_OBS_REPEATS:
        p->need = sat_mul(p->l->need, n->times);
        break;
    default: /* WITHIN, STARTSTOP */
        break;
    }
    return p;
}

/* Whether a binding can exist, once the brackets' hits are known. */
static bool plan_possible(struct plan *p)
{
    const struct pat_obs *n = p->n;

    if (n->kind == PAT_OBS_TEST)
        return p->possible = p->n_hits > 0;
    p->possible = plan_possible(p->l);
    switch (n->kind) {
    case PAT_OBS_AND:
    case PAT_OBS_FOLLOWEDBY:
        p->possible = plan_possible(p->r) && p->possible;
        break;
    case PAT_OBS_OR:
        p->possible = plan_possible(p->r) || p->possible;
        break;
    case PAT_OBS_REPEATS:
        p->possible = p->possible && n->times >= 1;
        break;
    case PAT_OBS_STARTSTOP:
        p->possible = p->possible && n->start_ns < n->stop_ns;
        break;
    default: /* WITHIN */
        break;
    }
    return p->possible;
}

static void plan_free(struct plan *p)
{
    if (!p)
        return;
    plan_free(p->l);
    plan_free(p->r);
    free(p->hits);
    free(p);
}

/* ---- the search ------------------------------------------------------------------ */

/* What the enclosing operators need to know of a (partial) binding. */
struct sum {
    int64_t max_first; /* latest first_observed among its observations */
    int64_t min_last;  /* earliest last_observed */
    size_t min_idx;    /* lowest index of its observations */
};

static const struct sum sum_empty = {INT64_MIN, INT64_MAX, SIZE_MAX};

struct search {
    const struct pat_obsv_set *s;
    long *uses;   /* per observation: times bound in the current partial binding */
    long work;    /* steps so far */
    bool gave_up; /* PAT_EVAL_WORK_MAX reached */
};

/* What to do with a binding once found: the rest of the enclosing expression. */
struct kont {
    bool (*fn)(struct search *S, const struct kont *k, struct sum got);
    const struct kont *up; /* the continuation of the enclosing expression */
    const struct plan *p;  /* the operator this continuation belongs to */
    struct sum acc;        /* left operand's binding, or repeats so far */
    long left;             /* REPEATS: bindings still to find, this one included */
    size_t min_idx;        /* observations below this index are not to be bound */
};

static struct sum sum_merge(struct sum a, struct sum b)
{
    struct sum m;

    m.max_first = a.max_first > b.max_first ? a.max_first : b.max_first;
    m.min_last = a.min_last < b.min_last ? a.min_last : b.min_last;
    m.min_idx = a.min_idx < b.min_idx ? a.min_idx : b.min_idx;
    return m;
}

static bool step(struct search *S)
{
    if (++S->work > PAT_EVAL_WORK_MAX)
        S->gave_up = true;
    return S->gave_up;
}

static bool solve(struct search *S, const struct plan *p, size_t min_idx, const struct kont *k);

/* The first j with p->hits[j] >= min_idx (hits are ascending). */
static size_t first_hit(const struct plan *p, size_t min_idx)
{
    size_t lo = 0, hi = p->n_hits;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->hits[mid] < min_idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool solve_test(struct search *S, const struct plan *p, size_t min_idx, const struct kont *k)
{
    for (size_t j = first_hit(p, min_idx); j < p->n_hits; j++) {
        size_t h = p->hits[j];
        const struct pat_obsv *o = &S->s->v[h];
        struct sum got = {o->first_ns, o->last_ns, h};
        bool r;

        if (S->uses[h] >= o->count)
            continue;
        if (step(S))
            return false;
        S->uses[h]++;
        r = k->fn(S, k, got);
        S->uses[h]--;
        if (r)
            return true;
        if (S->gave_up)
            return false;
    }
    return false;
}

static bool after_right(struct search *S, const struct kont *k, struct sum got)
{
    if (k->p->n->kind == PAT_OBS_FOLLOWEDBY && k->acc.max_first > got.min_last)
        return false;
    return k->up->fn(S, k->up, sum_merge(k->acc, got));
}

static bool after_left(struct search *S, const struct kont *k, struct sum got)
{
    struct kont k2 = {after_right, k->up, k->p, got, 0, k->min_idx};
    return solve(S, k->p->r, k->min_idx, &k2);
}

static bool within(struct sum got, double seconds)
{
    long double span = (long double)got.max_first - (long double)got.min_last;
    return span < (long double)seconds * 1e9L; /* domain.md §3.2 item 4: latest < earliest + x */
}

static bool after_qualifier(struct search *S, const struct kont *k, struct sum got)
{
    const struct pat_obs *n = k->p->n;

    if (n->kind == PAT_OBS_WITHIN && !within(got, n->seconds))
        return false;
    if (n->kind == PAT_OBS_STARTSTOP && (got.max_first >= n->stop_ns || got.min_last < n->start_ns))
        return false;
    return k->up->fn(S, k->up, got);
}

/*
 * The n bindings of a REPEATS are unordered, so only one order is tried:
 * ascending lowest observation index.  Every observation of the next
 * binding is at or above the lowest of this one (equal only when
 * number_observed allows binding an observation twice).
 */
static bool after_repeat(struct search *S, const struct kont *k, struct sum got)
{
    struct sum acc = sum_merge(k->acc, got);
    struct kont k2 = {after_repeat, k->up, k->p, acc, k->left - 1, got.min_idx};

    if (k->left <= 1)
        return k->up->fn(S, k->up, acc);
    return solve(S, k->p->l, got.min_idx, &k2);
}

static bool solve(struct search *S, const struct plan *p, size_t min_idx, const struct kont *k)
{
    struct kont k1 = {NULL, k, p, sum_empty, 0, min_idx};

    if (S->gave_up || !p->possible || step(S))
        return false;
    switch (p->n->kind) {
    case PAT_OBS_TEST:
        return solve_test(S, p, min_idx, k);
    case PAT_OBS_OR:
        return solve(S, p->l, min_idx, k) || (!S->gave_up && solve(S, p->r, min_idx, k));
    case PAT_OBS_AND:
    case PAT_OBS_FOLLOWEDBY:
        k1.fn = after_left;
        break;
    case PAT_OBS_REPEATS:
        k1.fn = after_repeat;
        k1.left = p->n->times;
        break;
    default: /* WITHIN, STARTSTOP */
        k1.fn = after_qualifier;
        break;
    }
    return solve(S, p->l, min_idx, &k1);
}

static bool found(struct search *S, const struct kont *k, struct sum got)
{
    (void)S;
    (void)k;
    (void)got;
    return true;
}

static long capacity(const struct pat_obsv_set *s)
{
    long cap = 0;

    for (size_t i = 0; i < s->n; i++)
        cap = sat_add(cap, s->v[i].count > 0 ? s->v[i].count : 0);
    return cap;
}

static bool search_run(const struct plan *plan, const struct pat_obsv_set *s)
{
    struct search S = {s, xcalloc(s->n ? s->n : 1, sizeof(long)), 0, false};
    struct kont top = {found, NULL, NULL, sum_empty, 0, 0};
    bool r = solve(&S, plan, 0, &top);

    if (S.gave_up) {
        log_warn("pattern", "evaluation stopped after %ld steps (limit): no match reported",
                 S.work);
        r = false;
    }
    free(S.uses);
    return r;
}

/* The answer for one plan whose brackets have been run. */
static bool plan_decide(struct plan *plan, const struct pat_obsv_set *s)
{
    if (!plan_possible(plan) || plan->need > capacity(s))
        return false;
    if (plan->need > PAT_EVAL_BINDING_MAX) {
        log_warn("pattern", "evaluation refused: a match needs %ld observations (limit %ld)",
                 plan->need, PAT_EVAL_BINDING_MAX);
        return false;
    }
    return search_run(plan, s);
}

/* The number of brackets of an observation expression. */
static size_t count_tests(const struct pat_obs *n)
{
    size_t k = 0;

    for (; n; n = n->l) {
        if (n->kind == PAT_OBS_TEST)
            return k + 1;
        if (n->kind == PAT_OBS_AND || n->kind == PAT_OBS_OR || n->kind == PAT_OBS_FOLLOWEDBY)
            k += count_tests(n->r);
    }
    return k;
}

/* Patterns from p[0] that fit one batch: at least one, brackets x observations bounded. */
static size_t batch_size(const struct pattern *const *p, size_t n, const struct pat_obsv_set *s)
{
    size_t k = 0, cells = 0;

    for (; k < n; k++) {
        size_t c = (p[k] && p[k]->root ? count_tests(p[k]->root) : 0) * s->n;
        if (k > 0 && cells + c > PAT_EVAL_BATCH_CELLS)
            break;
        cells += c;
    }
    return k;
}

static void eval_batch(const struct pattern *const *p, size_t n, const struct pat_obsv_set *s,
                       bool *out)
{
    struct pat_ev_ctx ctx;
    struct pat_ev_types *own_types = NULL;
    struct plan_env env = {s, s->types, &ctx, NULL, 0, 0};
    struct plan **plans = xcalloc(n, sizeof(*plans));

    if (!env.types)
        env.types = own_types = pat_ev_types_new(s);
    pat_ev_ctx_init(&ctx);
    for (size_t k = 0; k < n; k++)
        if (p[k] && p[k]->root)
            plans[k] = plan_build(p[k]->root, &env);
    brackets_run(&env);
    for (size_t k = 0; k < n; k++) {
        out[k] = plans[k] && plan_decide(plans[k], s);
        plan_free(plans[k]);
    }
    free(plans);
    free(env.tests);
    pat_ev_types_free(own_types);
    pat_ev_ctx_release(&ctx);
}

void pat_eval_many(const struct pattern *const *p, size_t n, const struct pat_obsv_set *s,
                   bool *out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = false;
    if (!p || !s || s->n == 0)
        return;
    for (size_t k = 0, m; k < n; k += m) {
        m = batch_size(p + k, n - k, s);
        eval_batch(p + k, m, s, out + k);
    }
}

bool pat_eval(const struct pattern *p, const struct pat_obsv_set *s)
{
    bool r;

    pat_eval_many(&p, 1, s, &r);
    return r;
}
