/*
 * Address parsing and CIDR containment for the bulk indicator index.
 *
 * Prefix anchors (ipv4-addr:value ISSUBSET '10.0.0.0/8'; an equality is
 * a string comparison in the evaluator, so it goes to the hash tables)
 * answer "which prefixes contain this address".  Prefixes are intervals that nest or are disjoint, never
 * overlap partially, so sorted by (first address, shorter prefix first)
 * with each one's nearest enclosing prefix ("parent") computed once, the
 * question takes one binary search for the last prefix starting at or
 * before the address, then a walk up its parents: the first one that
 * contains the address and all its ancestors are the answer (any prefix
 * containing the address starts at or before that last prefix and ends
 * after the address, so it encloses it).  The walk is as long as the
 * nesting is deep, at most 33 (129) steps, in practice one or two.
 *
 * A first-level table on the top 16 bits of the address narrows the
 * binary search to the prefixes starting in the address's /16 (v4; /16 of
 * the 128 bits for v6): the last one starting at or before the address
 * is there, or it is the last one before them.
 *
 * Equal prefixes of several indicators share one node with a run of refs.
 * IPv4 prefixes use the same code with the high word zero.  The structure
 * is read-only after idx_cidr_build.
 */
#include "pattern/index_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

bool idx_parse_v4(const char *s, size_t len, uint32_t *addr)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part && (i >= len || s[i++] != '.'))
            return false;
        size_t start = i;
        unsigned v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        a = (a << 8) | v;
    }
    if (i != len)
        return false;
    *addr = a;
    return true;
}

bool idx_parse_v6(const char *s, size_t len, uint64_t *hi, uint64_t *lo)
{
    char buf[INET6_ADDRSTRLEN + 1];
    unsigned char b[16];
    if (len < 2 || len >= sizeof(buf) || memchr(s, '\0', len))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET6, buf, b) != 1)
        return false;
    uint64_t h = 0, l = 0;
    for (int i = 0; i < 8; i++) {
        h = (h << 8) | b[i];
        l = (l << 8) | b[8 + i];
    }
    *hi = h;
    *lo = l;
    return true;
}

/* Split "addr/plen"; false unless plen is 1-3 decimal digits <= max (as eval_cmp.c). */
static bool split_net(const char *s, size_t len, unsigned max, size_t *alen, unsigned *plen)
{
    const char *slash = memchr(s, '/', len);
    if (!slash)
        return false;
    size_t at = (size_t)(slash - s), n = len - at - 1;
    if (n == 0 || n > 3)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (slash[1 + i] < '0' || slash[1 + i] > '9')
            return false;
        v = v * 10 + (unsigned)(slash[1 + i] - '0');
    }
    if (v > max)
        return false;
    *alen = at;
    *plen = v;
    return true;
}

bool idx_parse_net4(const char *s, size_t len, uint32_t *addr, unsigned *plen)
{
    size_t alen;
    if (!split_net(s, len, 32, &alen, plen) || !idx_parse_v4(s, alen, addr))
        return false;
    if (*plen < 32)
        *addr &= *plen ? ~(uint32_t)0 << (32 - *plen) : 0;
    return true;
}

bool idx_parse_net6(const char *s, size_t len, uint64_t *hi, uint64_t *lo, unsigned *plen)
{
    size_t alen;
    if (!split_net(s, len, 128, &alen, plen) || !idx_parse_v6(s, alen, hi, lo))
        return false;
    unsigned p = *plen;
    if (p <= 64) {
        *hi &= p ? ~(uint64_t)0 << (64 - p) : 0;
        *lo = 0;
    } else if (p < 128) {
        *lo &= ~(uint64_t)0 << (128 - p);
    }
    return true;
}

/* ---- the interval structure ---- */

static inline int cmp128(uint64_t ahi, uint64_t alo, uint64_t bhi, uint64_t blo)
{
    if (ahi != bhi)
        return ahi < bhi ? -1 : 1;
    return alo < blo ? -1 : alo > blo;
}

static int cmp_in(const void *pa, const void *pb)
{
    const struct idx_cidr_in *a = pa, *b = pb;
    int c = cmp128(a->hi, a->lo, b->hi, b->lo);
    if (c)
        return c;
    if (a->plen != b->plen)
        return a->plen < b->plen ? -1 : 1;
    return a->ref < b->ref ? -1 : a->ref > b->ref;
}

/* Last address of the prefix (plen counted on 128 bits). */
static void prefix_end(uint64_t hi, uint64_t lo, unsigned plen, uint64_t *ehi, uint64_t *elo)
{
    if (plen >= 64) {
        *ehi = hi;
        *elo = plen >= 128 ? lo : lo | (~(uint64_t)0 >> (plen - 64));
    } else {
        *ehi = hi | (plen ? ~(uint64_t)0 >> plen : ~(uint64_t)0);
        *elo = ~(uint64_t)0;
    }
}

static void link_parents(struct idx_cidr *c)
{
    uint32_t *stack = xmalloc((c->n_nodes + 1) * sizeof(*stack));
    size_t top = 0;
    for (size_t i = 0; i < c->n_nodes; i++) {
        struct idx_cidr_node *n = &c->nodes[i];
        while (top) {
            const struct idx_cidr_node *p = &c->nodes[stack[top - 1]];
            if (cmp128(p->ehi, p->elo, n->shi, n->slo) >= 0)
                break; /* p still open: it encloses n */
            top--;
        }
        n->parent = top ? stack[top - 1] : UINT32_MAX;
        stack[top++] = (uint32_t)i;
    }
    free(stack);
}

static inline unsigned top16(const struct idx_cidr *c, uint64_t hi, uint64_t lo)
{
    return c->v4 ? (unsigned)(lo >> 16) & 0xffff : (unsigned)(hi >> 48);
}

static void fill_buckets(struct idx_cidr *c)
{
    c->bucket = xmalloc((IDX_CIDR_BUCKETS + 1) * sizeof(*c->bucket));
    size_t i = 0;
    for (unsigned b = 0; b <= IDX_CIDR_BUCKETS; b++) {
        while (i < c->n_nodes && top16(c, c->nodes[i].shi, c->nodes[i].slo) < b)
            i++;
        c->bucket[b] = (uint32_t)i;
    }
}

/*
 * live: one bit per top-16-bit bucket, set when some prefix may contain an
 * address of the bucket (one starts in it, or one starting before it
 * reaches into it).  8 KiB, so it stays in cache and most lookups of an
 * address no prefix is near stop there without touching the nodes.
 */
static void fill_live(struct idx_cidr *c)
{
    c->live = xcalloc(IDX_CIDR_BUCKETS / 64, sizeof(*c->live));
    for (unsigned b = 0; b < IDX_CIDR_BUCKETS; b++) {
        bool live = c->bucket[b] < c->bucket[b + 1];
        uint64_t shi = c->v4 ? 0 : (uint64_t)b << 48, slo = c->v4 ? (uint64_t)b << 16 : 0;
        for (uint32_t i = c->bucket[b] ? c->bucket[b] - 1 : UINT32_MAX; !live && i != UINT32_MAX;
             i = c->nodes[i].parent)
            live = cmp128(c->nodes[i].ehi, c->nodes[i].elo, shi, slo) >= 0;
        if (live)
            c->live[b / 64] |= (uint64_t)1 << (b % 64);
    }
}

void idx_cidr_build(struct idx_cidr *c, struct idx_cidr_in *in, size_t n, bool v4)
{
    memset(c, 0, sizeof(*c));
    c->v4 = v4;
    if (!n)
        return;
    qsort(in, n, sizeof(*in), cmp_in);
    c->nodes = xmalloc(n * sizeof(*c->nodes));
    c->refs = xmalloc(n * sizeof(*c->refs));
    for (size_t i = 0; i < n; i++) {
        struct idx_cidr_node *last = c->n_nodes ? &c->nodes[c->n_nodes - 1] : NULL;
        if (!last || last->shi != in[i].hi || last->slo != in[i].lo || last->plen != in[i].plen) {
            last = &c->nodes[c->n_nodes++];
            last->shi = in[i].hi;
            last->slo = in[i].lo;
            last->plen = in[i].plen;
            prefix_end(in[i].hi, in[i].lo, in[i].plen, &last->ehi, &last->elo);
            last->first = (uint32_t)c->n_refs;
            last->n = 0;
        }
        c->refs[c->n_refs++] = in[i].ref;
        last->n++;
    }
    c->nodes = xrealloc(c->nodes, c->n_nodes * sizeof(*c->nodes));
    link_parents(c);
    fill_buckets(c);
    fill_live(c);
}

size_t idx_cidr_find(const struct idx_cidr *c, uint64_t hi, uint64_t lo, unsigned max_plen,
                     enum pat_vrole role, idx_ref_fn *fn, void *ctx)
{
    if (!c->n_nodes)
        return 0;
    unsigned b = top16(c, hi, lo);
    if (!(c->live[b / 64] >> (b % 64) & 1))
        return 0;
    size_t lo_i = c->bucket[b], hi_i = c->bucket[b + 1]; /* first node starting after it */
    while (lo_i < hi_i) {
        size_t mid = lo_i + (hi_i - lo_i) / 2;
        if (cmp128(c->nodes[mid].shi, c->nodes[mid].slo, hi, lo) <= 0)
            lo_i = mid + 1;
        else
            hi_i = mid;
    }
    if (lo_i == 0)
        return 0;
    uint32_t i = (uint32_t)(lo_i - 1);
    while (i != UINT32_MAX && cmp128(c->nodes[i].ehi, c->nodes[i].elo, hi, lo) < 0)
        i = c->nodes[i].parent;
    size_t found = 0;
    for (; i != UINT32_MAX; i = c->nodes[i].parent) {
        const struct idx_cidr_node *node = &c->nodes[i];
        if (node->plen > max_plen)
            continue; /* the value is a network wider than this prefix */
        for (uint32_t k = 0; k < node->n; k++) {
            uint32_t ref = c->refs[node->first + k];
            if (!idx_role_ok(IDX_REF_ROLE(ref), role))
                continue;
            if (fn)
                fn(ctx, ref);
            found++;
        }
    }
    return found;
}

size_t idx_cidr_bytes(const struct idx_cidr *c)
{
    return c->n_nodes * sizeof(*c->nodes) + c->n_refs * sizeof(*c->refs) +
           (c->bucket ? (IDX_CIDR_BUCKETS + 1) * sizeof(*c->bucket) : 0) +
           (c->live ? IDX_CIDR_BUCKETS / 8 : 0);
}

void idx_cidr_release(struct idx_cidr *c)
{
    free(c->nodes);
    free(c->refs);
    free(c->bucket);
    free(c->live);
    memset(c, 0, sizeof(*c));
}
