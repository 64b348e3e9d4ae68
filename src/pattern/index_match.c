/*
 * Matching one log record against the bulk index (pat_index_match), with
 * the per-thread scratch it needs, and the raw equality lookup used by the
 * benchmark (pat_index_lookup).
 *
 * For each value of the record: the kind's hash table, the prefix
 * structure of its address family and the kind's regex set give refs;
 * each rule is decided once per record (a small set of rules seen, reset
 * by bumping a generation number): a pure rule is a hit, a candidate is
 * evaluated (pat_eval_cexpr) on the observation of the record, built on
 * first need and dropped after the record.  Residual rules are evaluated
 * last.
 *
 * The observation (pat_record_observation, logs_obsv.c) decides what an
 * anchor hit means, so the index follows its shape: values that are not
 * UTF-8 are left out of it, so they are not looked up; the one file
 * object keeps the last value of each hash kind, and network-traffic
 * src_ref / dst_ref the first address of each role, so a hit from any
 * other such value is ignored (a rule true on the observation is still
 * found through the value the observation kept).
 */
#include "pattern/index_int.h"

#include <stdlib.h>
#include <string.h>

#include "pattern/eval.h"
#include "pattern/logs.h"
#include "util/xalloc.h"

enum val_flags {
    VAL_SKIP = 1 << 0,      /* not UTF-8: not in the observation */
    VAL_NOT_ROLE = 1 << 1,  /* not the first address of its role: not src_ref / dst_ref */
    VAL_NOT_HASH = 1 << 2   /* not the last value of its hash kind: not in file.hashes */
};

struct seen_slot {
    uint32_t rule;
    uint32_t gen; /* the slot is used in this record when gen == scratch gen */
};

struct pat_scratch {
    const struct pat_index *idx;
    struct idx_rxscratch *rx[PAT_V_KIND_COUNT];
    struct seen_slot *seen; /* rules decided in this record */
    size_t seen_mask, seen_n;
    uint32_t gen;
    /* the record being matched */
    const struct pat_record *rec;
    size_t vi; /* value being looked up */
    uint8_t vflags[PAT_RECORD_VALUES];
    bool obs_built;
    int obs_rc;
    struct pat_obsv obs; /* roots / by_ref owned while obs_built */
    pat_index_hit_fn *hit;
    void *ctx;
    int hits;
    char id[PAT_INDICATOR_ID_LEN + 1];
};

struct pat_scratch *pat_scratch_new(const struct pat_index *idx)
{
    struct pat_scratch *s = xcalloc(1, sizeof(*s));
    s->idx = idx;
    for (int k = 0; k < PAT_V_KIND_COUNT; k++)
        if (idx->rx[k])
            s->rx[k] = idx_rxscratch_new(idx->rx[k]);
    s->seen_mask = 255;
    s->seen = xcalloc(s->seen_mask + 1, sizeof(*s->seen));
    s->gen = 1;
    return s;
}

void pat_scratch_free(struct pat_scratch *s)
{
    if (!s)
        return;
    for (int k = 0; k < PAT_V_KIND_COUNT; k++)
        idx_rxscratch_free(s->rx[k]);
    free(s->seen);
    free(s);
}

static inline size_t seen_hash(uint32_t rule, size_t mask)
{
    return (size_t)((rule * 0x9e3779b1u) >> 8) & mask;
}

static void seen_grow(struct pat_scratch *s)
{
    struct seen_slot *old = s->seen;
    size_t old_n = s->seen_mask + 1;
    s->seen_mask = old_n * 2 - 1;
    s->seen = xcalloc(old_n * 2, sizeof(*s->seen));
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].gen != s->gen)
            continue;
        size_t j = seen_hash(old[i].rule, s->seen_mask);
        while (s->seen[j].gen == s->gen)
            j = (j + 1) & s->seen_mask;
        s->seen[j] = old[i];
    }
    free(old);
}

/* Mark rule decided in this record; false if it already was. */
static bool seen_add(struct pat_scratch *s, uint32_t rule)
{
    if (s->seen_n * 2 >= s->seen_mask)
        seen_grow(s);
    size_t j = seen_hash(rule, s->seen_mask);
    for (; s->seen[j].gen == s->gen; j = (j + 1) & s->seen_mask)
        if (s->seen[j].rule == rule)
            return false;
    s->seen[j] = (struct seen_slot){rule, s->gen};
    s->seen_n++;
    return true;
}

static void next_record(struct pat_scratch *s)
{
    s->seen_n = 0;
    if (++s->gen == 0) { /* wrapped: forget every old stamp */
        memset(s->seen, 0, (s->seen_mask + 1) * sizeof(*s->seen));
        s->gen = 1;
    }
}

static const struct pat_obsv *observation(struct pat_scratch *s)
{
    if (!s->obs_built) {
        s->obs_built = true;
        s->obs = (struct pat_obsv){NULL, NULL, s->rec->time_ns, s->rec->time_ns, 1};
        s->obs_rc = pat_record_observation(s->rec, &s->obs.roots, &s->obs.by_ref);
    }
    return s->obs_rc ? NULL : &s->obs;
}

static void drop_observation(struct pat_scratch *s)
{
    if (s->obs_built && !s->obs_rc) {
        json_decref(s->obs.roots);
        json_decref(s->obs.by_ref);
    }
    s->obs_built = false;
}

static void report(struct pat_scratch *s, uint32_t rule, const struct pat_value *v)
{
    const struct idx_rule *r = &s->idx->rules[rule];
    pat_index_rule_id(s->idx, rule, s->id);
    struct pat_hit h = {s->id, v, r->bracket, (r->flags & IDX_RULE_PARTIAL) != 0};
    s->hits++;
    if (s->hit)
        s->hit(s->ctx, &h);
}

/* A ref found for value s->vi. */
static void on_ref(void *ctx, uint32_t ref)
{
    struct pat_scratch *s = ctx;
    const struct pat_value *v = &s->rec->v[s->vi];
    uint8_t f = s->vflags[s->vi];
    if ((IDX_REF_ROLE(ref) != PAT_ROLE_NONE && (f & VAL_NOT_ROLE)) || (f & VAL_NOT_HASH))
        return;
    uint32_t rule = IDX_REF_RULE(ref);
    if (!seen_add(s, rule))
        return;
    const struct idx_rule *r = &s->idx->rules[rule];
    if (r->flags & IDX_RULE_PURE) {
        report(s, rule, v);
        return;
    }
    const struct pat_obsv *o = observation(s);
    if (o && pat_eval_cexpr(r->cexpr, o))
        report(s, rule, v);
}

static bool utf8_ok(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], need, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, min = 0x10000;
        else
            return false;
        if (n - i <= need)
            return false;
        unsigned cp = c & (0x3f >> need);
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

static bool is_hash(enum pat_vkind k)
{
    return k >= PAT_V_MD5 && k <= PAT_V_SHA512;
}

/* Which values the observation leaves out or does not reference (see the top). */
static void value_flags(struct pat_scratch *s, const struct pat_record *rec)
{
    bool role_seen[3] = {false, false, false};
    bool hash_seen[PAT_V_KIND_COUNT] = {false};
    size_t n = rec->n < PAT_RECORD_VALUES ? rec->n : PAT_RECORD_VALUES;
    for (size_t i = 0; i < n; i++) {
        const struct pat_value *v = &rec->v[i];
        s->vflags[i] = utf8_ok(v->s, v->len) ? 0 : VAL_SKIP;
        if (s->vflags[i] || (v->kind != PAT_V_IPV4 && v->kind != PAT_V_IPV6) ||
            v->role == PAT_ROLE_NONE || (unsigned)v->role > PAT_ROLE_DST)
            continue;
        if (role_seen[v->role])
            s->vflags[i] |= VAL_NOT_ROLE;
        role_seen[v->role] = true;
    }
    for (size_t i = n; i-- > 0;) {
        const struct pat_value *v = &rec->v[i];
        if (s->vflags[i] & VAL_SKIP || !is_hash(v->kind))
            continue;
        if (hash_seen[v->kind])
            s->vflags[i] |= VAL_NOT_HASH;
        hash_seen[v->kind] = true;
    }
}

/* Prefix structures: the address (or network) of an address value. */
static size_t lookup_net(const struct pat_index *idx, const struct pat_value *v,
                         idx_ref_fn *fn, void *ctx)
{
    uint32_t a4;
    uint64_t hi, lo;
    unsigned plen;
    if (v->kind == PAT_V_IPV4 && idx->net4.n_nodes) {
        if (idx_parse_v4(v->s, v->len, &a4))
            plen = 32;
        else if (!idx_parse_net4(v->s, v->len, &a4, &plen))
            return 0;
        return idx_cidr_find(&idx->net4, 0, a4, plen + 96, v->role, fn, ctx);
    }
    if (v->kind == PAT_V_IPV6 && idx->net6.n_nodes) {
        if (idx_parse_v6(v->s, v->len, &hi, &lo))
            plen = 128;
        else if (!idx_parse_net6(v->s, v->len, &hi, &lo, &plen))
            return 0;
        return idx_cidr_find(&idx->net6, hi, lo, plen, v->role, fn, ctx);
    }
    return 0;
}

static size_t lookup_eq(const struct pat_index *idx, const struct pat_value *v, uint64_t h,
                        idx_ref_fn *fn, void *ctx)
{
    size_t n = idx_strtab_find_h(&idx->str[v->kind], idx->pool, v->s, v->len, h, v->role, fn,
                                 ctx);
    return n + lookup_net(idx, v, fn, ctx);
}

/* Hash of v, its table's first slot prefetched (lookups of a record overlap their misses). */
static uint64_t hash_prefetch(const struct pat_index *idx, const struct pat_value *v)
{
    uint64_t h = idx_hash_bytes(v->s, v->len);
    idx_strtab_prefetch(&idx->str[v->kind], h);
    return h;
}

int pat_index_match(const struct pat_index *idx, struct pat_scratch *s,
                    const struct pat_record *rec, pat_index_hit_fn *hit, void *ctx)
{
    if (s->idx != idx)
        return ERR_INVALID;
    size_t n = rec->n < PAT_RECORD_VALUES ? rec->n : PAT_RECORD_VALUES;
    next_record(s);
    s->rec = rec;
    s->hit = hit;
    s->ctx = ctx;
    s->hits = 0;
    value_flags(s, rec);
    uint64_t h[PAT_RECORD_VALUES];
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)rec->v[i].kind >= PAT_V_KIND_COUNT)
            s->vflags[i] |= VAL_SKIP;
        else if (!(s->vflags[i] & VAL_SKIP))
            h[i] = hash_prefetch(idx, &rec->v[i]);
    }
    for (size_t i = 0; i < n; i++) {
        const struct pat_value *v = &rec->v[i];
        if (s->vflags[i] & VAL_SKIP)
            continue;
        s->vi = i;
        lookup_eq(idx, v, h[i], on_ref, s);
        if (idx->rx[v->kind])
            idx_rxset_scan(idx->rx[v->kind], s->rx[v->kind], v->s, v->len, v->role, on_ref, s);
    }
    for (size_t i = 0; i < idx->n_residual; i++) {
        uint32_t rule = idx->residual[i];
        const struct pat_obsv *o = observation(s);
        if (o && pat_eval_cexpr(idx->rules[rule].cexpr, o))
            report(s, rule, NULL);
    }
    int rc = s->obs_built ? s->obs_rc : 0;
    drop_observation(s);
    s->rec = NULL;
    return rc ? rc : s->hits;
}

struct raw_ctx {
    const struct pat_index *idx;
    pat_index_lookup_fn *fn;
    void *ctx;
};

static void on_raw(void *ctx, uint32_t ref)
{
    struct raw_ctx *c = ctx;
    uint32_t rule = IDX_REF_RULE(ref);
    c->fn(c->ctx, rule, (c->idx->rules[rule].flags & IDX_RULE_PURE) != 0);
}

size_t pat_index_lookup(const struct pat_index *idx, const struct pat_value *v,
                        pat_index_lookup_fn *fn, void *ctx)
{
    struct raw_ctx c = {idx, fn, ctx};
    if ((unsigned)v->kind >= PAT_V_KIND_COUNT)
        return 0;
    return lookup_eq(idx, v, idx_hash_bytes(v->s, v->len), fn ? on_raw : NULL, fn ? &c : NULL);
}

#define AHEAD 8 /* values hashed and prefetched ahead of the lookup */

size_t pat_index_lookup_many(const struct pat_index *idx, const struct pat_value *v, size_t n,
                             pat_index_lookup_fn *fn, void *ctx)
{
    struct raw_ctx c = {idx, fn, ctx};
    uint64_t ring[AHEAD];
    size_t found = 0;
    for (size_t i = 0; i < n + AHEAD; i++) {
        size_t j = i - AHEAD; /* the value looked up now, hashed AHEAD steps ago */
        if (i >= AHEAD && (unsigned)v[j].kind < PAT_V_KIND_COUNT)
            found += lookup_eq(idx, &v[j], ring[j % AHEAD], fn ? on_raw : NULL, fn ? &c : NULL);
        if (i < n && (unsigned)v[i].kind < PAT_V_KIND_COUNT)
            ring[i % AHEAD] = hash_prefetch(idx, &v[i]);
    }
    return found;
}
