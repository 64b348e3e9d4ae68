/*
 * The bulk indicator index's lifetime: the builder (pat_index_add parses
 * and compiles each pattern at once, so errors come back per indicator),
 * pat_index_build (keeps the indicators active at `now`, numbers their
 * rules densely and fills the hash tables, prefix structures and regex
 * sets), the reference count and the holder that publishes the current
 * index to worker threads.
 *
 * Invariants after build: nothing in struct pat_index changes until the
 * last pat_index_unref; rule numbers are dense from 0; a rule's cexpr is
 * NULL exactly when the rule is pure, else it points into one of the
 * trees the index owns.  Matching is in index_match.c.
 */
#include "pattern/index_int.h"

#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"
#include "util/xalloc.h"
#include "util/hex.h"

#define ID_PREFIX "indicator--"
#define ID_PREFIX_LEN 11

struct pat_index_builder *pat_index_builder_new(void)
{
    return xcalloc(1, sizeof(struct pat_index_builder));
}

void pat_index_builder_free(struct pat_index_builder *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_inds; i++)
        pat_free(b->inds[i].tree);
    free(b->inds);
    free(b->rules);
    free(b->anchors);
    idx_pool_release(&b->pool);
    free(b);
}

/* "indicator--xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to 16 bytes. */
static bool parse_id(const char *id, uint8_t out[16])
{
    if (!id || strlen(id) != PAT_INDICATOR_ID_LEN || memcmp(id, ID_PREFIX, ID_PREFIX_LEN) != 0)
        return false;
    const char *u = id + ID_PREFIX_LEN;
    size_t k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                return false;
            continue;
        }
        int h = hex_digit(u[i]), l = hex_digit(u[i + 1]);
        if (h < 0 || l < 0)
            return false;
        out[k++] = (uint8_t)(h << 4 | l);
        i++;
    }
    return true;
}

void pat_index_rule_id(const struct pat_index *idx, size_t rule,
                       char out[PAT_INDICATOR_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *u = idx->uuids[idx->rules[rule].ind];
    char *p = out;
    memcpy(p, ID_PREFIX, ID_PREFIX_LEN);
    p += ID_PREFIX_LEN;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[u[i] >> 4];
        *p++ = hex[u[i] & 15];
    }
    *p = '\0';
}

int pat_index_add(struct pat_index_builder *b, const char *indicator_id, const char *pattern,
                  size_t len, int64_t valid_from_ns, int64_t valid_until_ns, unsigned flags,
                  struct error *err)
{
    struct idx_bind bind = {.from = valid_from_ns, .until = valid_until_ns,
                            .revoked = (flags & PAT_INDEX_REVOKED) != 0};
    struct pattern *tree = NULL;
    bool keep = false;
    int rc;
    if (!parse_id(indicator_id, bind.uuid))
        return error_set(err, ERR_INVALID, "bad indicator id '%.80s'",
                         indicator_id ? indicator_id : "");
    if (b->n_inds >= IDX_RULES_MAX)
        return error_set(err, ERR_TOO_LARGE, "too many indicators for one index");
    rc = pat_parse(pattern, len, &tree, err);
    if (rc)
        return rc;
    bind.first_rule = (uint32_t)b->n_rules;
    rc = idx_compile(b, (uint32_t)b->n_inds, tree, &keep, err);
    if (rc) {
        pat_free(tree);
        return rc;
    }
    bind.n_rules = (uint32_t)(b->n_rules - bind.first_rule);
    bind.tree = keep ? tree : NULL;
    if (!keep)
        pat_free(tree);
    if (b->n_inds == b->cap_inds) {
        b->cap_inds = b->cap_inds ? 2 * b->cap_inds : 1024;
        b->inds = xrealloc(b->inds, b->cap_inds * sizeof(*b->inds));
    }
    b->inds[b->n_inds++] = bind;
    return 0;
}

/* ---- build ---- */

struct build {
    struct pat_index_builder *b;
    struct pat_index *idx;
    uint32_t *rule_map; /* builder rule -> index rule, UINT32_MAX when inactive */
    int64_t now;
};

static bool active(const struct idx_bind *d, int64_t now)
{
    return !d->revoked && d->from <= now && now < d->until;
}

static void note_change(struct pat_index *idx, const struct idx_bind *d, int64_t now)
{
    if (d->revoked)
        return;
    if (d->from > now && d->from < idx->next_change)
        idx->next_change = d->from;
    if (d->from <= now && d->until > now && d->until < idx->next_change)
        idx->next_change = d->until;
}

/* Number the active indicators and their rules; move their trees into the index. */
static void take_rules(struct build *bd)
{
    struct pat_index_builder *b = bd->b;
    struct pat_index *idx = bd->idx;
    size_t n_act = 0, n_rules = 0, n_trees = 0;
    for (size_t i = 0; i < b->n_inds; i++) {
        if (active(&b->inds[i], bd->now)) {
            n_act++;
            n_rules += b->inds[i].n_rules;
            n_trees += b->inds[i].tree != NULL;
        }
        note_change(idx, &b->inds[i], bd->now);
    }
    idx->uuids = xmalloc((n_act ? n_act : 1) * sizeof(*idx->uuids));
    idx->rules = xmalloc((n_rules ? n_rules : 1) * sizeof(*idx->rules));
    idx->trees = xmalloc((n_trees ? n_trees : 1) * sizeof(*idx->trees));
    bd->rule_map = xmalloc((b->n_rules ? b->n_rules : 1) * sizeof(*bd->rule_map));
    for (size_t i = 0; i < b->n_rules; i++)
        bd->rule_map[i] = UINT32_MAX;
    for (size_t i = 0; i < b->n_inds; i++) {
        struct idx_bind *d = &b->inds[i];
        if (!active(d, bd->now))
            continue;
        memcpy(idx->uuids[idx->n_inds], d->uuid, 16);
        for (uint32_t k = 0; k < d->n_rules; k++) {
            struct idx_rule r = b->rules[d->first_rule + k];
            r.ind = (uint32_t)idx->n_inds;
            bd->rule_map[d->first_rule + k] = (uint32_t)idx->n_rules;
            idx->rules[idx->n_rules++] = r;
        }
        if (d->tree) {
            idx->stats.bytes_trees += pat_arena_used(d->tree->arena) + sizeof(*d->tree);
            idx->trees[idx->n_trees++] = d->tree;
            d->tree = NULL;
        }
        idx->n_inds++;
    }
    idx->stats.added = b->n_inds;
    idx->stats.inactive = b->n_inds - n_act;
}

static void rule_stats(struct pat_index *idx)
{
    struct pat_index_stats *st = &idx->stats;
    size_t n_res = 0;
    for (size_t i = 0; i < idx->n_rules; i++) {
        uint8_t f = idx->rules[i].flags;
        st->pure += (f & IDX_RULE_PURE) != 0;
        st->residual += (f & IDX_RULE_RESIDUAL) != 0;
        st->partial += (f & IDX_RULE_PARTIAL) != 0;
        n_res += (f & IDX_RULE_RESIDUAL) != 0;
    }
    st->candidates = idx->n_rules - st->pure - st->residual;
    idx->residual = xmalloc((n_res ? n_res : 1) * sizeof(*idx->residual));
    for (size_t i = 0; i < idx->n_rules; i++)
        if (idx->rules[i].flags & IDX_RULE_RESIDUAL)
            idx->residual[idx->n_residual++] = (uint32_t)i;
}

/* Count the active anchors of each structure, then fill the hash tables. */
static int fill_tables(struct build *bd, struct idx_pool *pool, struct error *err)
{
    struct pat_index *idx = bd->idx;
    const struct pat_index_builder *b = bd->b;
    size_t count[PAT_V_KIND_COUNT] = {0};
    for (size_t i = 0; i < b->n_anchors; i++) {
        const struct idx_anchor *a = &b->anchors[i];
        if (a->type == IDX_A_STR && bd->rule_map[a->rule] != UINT32_MAX)
            count[a->kind]++;
    }
    for (int k = 0; k < PAT_V_KIND_COUNT; k++) {
        if (count[k])
            idx_strtab_init(&idx->str[k], count[k]);
        idx->stats.eq[k] = count[k];
    }
    for (size_t i = 0; i < b->n_anchors; i++) {
        const struct idx_anchor *a = &b->anchors[i];
        uint32_t rule = bd->rule_map[a->rule];
        if (a->type != IDX_A_STR || rule == UINT32_MAX)
            continue;
        int rc = idx_strtab_insert(&idx->str[a->kind], pool, b->pool.p + a->a, (size_t)a->b,
                                   IDX_REF(rule, a->role), err);
        if (rc)
            return rc;
    }
    for (int k = 0; k < PAT_V_KIND_COUNT; k++)
        idx->stats.bytes_hash += idx->str[k].slots ? (idx->str[k].mask + 1) * sizeof(struct idx_strslot) : 0;
    return 0;
}

static void fill_cidr(struct build *bd)
{
    struct pat_index *idx = bd->idx;
    const struct pat_index_builder *b = bd->b;
    struct idx_cidr_in *in4 = xmalloc((b->n_anchors + 1) * sizeof(*in4));
    struct idx_cidr_in *in6 = xmalloc((b->n_anchors + 1) * sizeof(*in6));
    size_t n4 = 0, n6 = 0;
    for (size_t i = 0; i < b->n_anchors; i++) {
        const struct idx_anchor *a = &b->anchors[i];
        uint32_t rule = bd->rule_map[a->rule];
        if (rule == UINT32_MAX)
            continue;
        if (a->type == IDX_A_NET4)
            in4[n4++] = (struct idx_cidr_in){0, a->b, a->plen + 96u, IDX_REF(rule, a->role)};
        else if (a->type == IDX_A_NET6)
            in6[n6++] = (struct idx_cidr_in){a->a, a->b, a->plen, IDX_REF(rule, a->role)};
    }
    idx_cidr_build(&idx->net4, in4, n4, true);
    idx_cidr_build(&idx->net6, in6, n6, false);
    idx->stats.cidr_v4 = n4;
    idx->stats.cidr_v6 = n6;
    idx->stats.cidr_v4_nodes = idx->net4.n_nodes;
    idx->stats.cidr_v6_nodes = idx->net6.n_nodes;
    idx->stats.bytes_cidr = idx_cidr_bytes(&idx->net4) + idx_cidr_bytes(&idx->net6);
    free(in4);
    free(in6);
}

static int fill_regex(struct build *bd, struct error *err)
{
    struct pat_index *idx = bd->idx;
    const struct pat_index_builder *b = bd->b;
    struct idx_rx_in *in = xmalloc((b->n_anchors + 1) * sizeof(*in));
    struct idx_rx_counts counts = {0};
    int rc = 0;
    for (int k = 0; k < PAT_V_KIND_COUNT && !rc; k++) {
        size_t n = 0;
        for (size_t i = 0; i < b->n_anchors; i++) {
            const struct idx_anchor *a = &b->anchors[i];
            uint32_t rule = bd->rule_map[a->rule];
            if (a->type == IDX_A_REGEX && a->kind == k && rule != UINT32_MAX)
                in[n++] = (struct idx_rx_in){b->pool.p + a->a, (size_t)a->b,
                                             IDX_REF(rule, a->role)};
        }
        if (!n)
            continue;
        idx->rx[k] = idx_rxset_new(in, n, &counts, err);
        if (!idx->rx[k])
            rc = err && err->code ? err->code : ERR_INVALID;
    }
    free(in);
    idx->stats.regex_prefilter = counts.prefilter;
    idx->stats.regex_fast = counts.fast;
    idx->stats.regex_slow = counts.slow;
    idx->stats.regex_bad = counts.bad;
    idx->stats.bytes_regex = counts.bytes;
    return rc;
}

static void total_bytes(struct pat_index *idx)
{
    struct pat_index_stats *st = &idx->stats;
    st->indicators = idx->n_inds;
    st->rules = idx->n_rules;
    st->bytes_ids = idx->n_inds * sizeof(*idx->uuids) + idx->n_rules * sizeof(*idx->rules) +
                    idx->n_residual * sizeof(*idx->residual) +
                    idx->n_trees * sizeof(*idx->trees);
    st->bytes_pool = idx->pool_len;
    st->bytes_total = sizeof(*idx) + st->bytes_ids + st->bytes_hash + st->bytes_pool +
                      st->bytes_cidr + st->bytes_regex + st->bytes_trees;
}

struct pat_index *pat_index_build(struct pat_index_builder *b, int64_t now_ns, struct error *err)
{
    struct pat_index *idx = xcalloc(1, sizeof(*idx));
    struct build bd = {.b = b, .idx = idx, .now = now_ns};
    struct idx_pool pool = {0};
    int rc;
    atomic_init(&idx->refs, 1);
    idx->next_change = INT64_MAX;
    take_rules(&bd);
    rule_stats(idx);
    rc = fill_tables(&bd, &pool, err);
    if (!rc) {
        fill_cidr(&bd);
        rc = fill_regex(&bd, err);
    }
    if (pool.len) { /* a copy without the doubling slack, huge-page advised */
        idx->pool = idx_big_alloc(pool.len);
        memcpy(idx->pool, pool.p, pool.len);
        idx->pool_len = pool.len;
    }
    free(pool.p);
    total_bytes(idx);
    free(bd.rule_map);
    pat_index_builder_free(b);
    if (rc) {
        pat_index_unref(idx);
        idx = NULL;
    }
    return idx;
}

/* ---- lifetime ---- */

struct pat_index *pat_index_ref(struct pat_index *idx)
{
    atomic_fetch_add_explicit(&idx->refs, 1, memory_order_relaxed);
    return idx;
}

static void index_free(struct pat_index *idx)
{
    for (int k = 0; k < PAT_V_KIND_COUNT; k++) {
        idx_strtab_release(&idx->str[k]);
        idx_rxset_free(idx->rx[k]);
    }
    idx_cidr_release(&idx->net4);
    idx_cidr_release(&idx->net6);
    for (size_t i = 0; i < idx->n_trees; i++)
        pat_free(idx->trees[i]);
    free(idx->trees);
    free(idx->uuids);
    free(idx->rules);
    free(idx->residual);
    free(idx->pool);
    free(idx);
}

void pat_index_unref(struct pat_index *idx)
{
    if (idx && atomic_fetch_sub_explicit(&idx->refs, 1, memory_order_acq_rel) == 1)
        index_free(idx);
}

int64_t pat_index_next_change_ns(const struct pat_index *idx)
{
    return idx->next_change;
}

void pat_index_stats(const struct pat_index *idx, struct pat_index_stats *out)
{
    *out = idx->stats;
}

/* ---- the holder ---- */

void pat_index_holder_init(struct pat_index_holder *h, struct pat_index *idx)
{
    pthread_mutex_init(&h->lock, NULL);
    h->cur = idx;
    atomic_init(&h->generation, 0);
}

void pat_index_holder_release(struct pat_index_holder *h)
{
    pat_index_unref(h->cur);
    h->cur = NULL;
    pthread_mutex_destroy(&h->lock);
}

struct pat_index *pat_index_holder_get(struct pat_index_holder *h)
{
    pthread_mutex_lock(&h->lock);
    struct pat_index *idx = h->cur ? pat_index_ref(h->cur) : NULL;
    pthread_mutex_unlock(&h->lock);
    return idx;
}

void pat_index_swap(struct pat_index_holder *h, struct pat_index *idx)
{
    pthread_mutex_lock(&h->lock);
    struct pat_index *old = h->cur;
    h->cur = idx;
    atomic_fetch_add_explicit(&h->generation, 1, memory_order_release);
    pthread_mutex_unlock(&h->lock);
    pat_index_unref(old); /* outside the lock: freeing a large index takes a while */
}
