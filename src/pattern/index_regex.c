/*
 * Regex sets of the bulk index: the LIKE / MATCHES anchors of one value
 * kind, compiled by a chain of back ends (regex.h): a literal prefilter
 * with PCRE2 confirmation for expressions with a required literal (fast
 * to compile), Vectorscan for the rest, PCRE2 for what it rejects.  Expressions neither compiles never match (the
 * evaluator treats a regex that does not compile as not applicable).
 *
 * Values are scanned in NFC, as the evaluator compares them (eval_cmp.c);
 * the expressions were put in NFC by compile.c.  ASCII text is its own NFC
 * form, so the normalisation costs nothing on most values.
 */
#include "pattern/index_int.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "pattern/regex.h"
#include "util/xalloc.h"

#define RX_ENGINES 3

static const struct pat_regex_ops *const rx_chain[RX_ENGINES] = {
    &pat_regex_literal, &pat_regex_vectorscan, &pat_regex_pcre};

struct idx_rxset {
    void *db[RX_ENGINES]; /* NULL when the engine holds no expression */
    uint32_t *refs;       /* expression id -> ref */
    size_t n;
};

struct idx_rxscratch {
    void *s[RX_ENGINES];
};

/* Offer the expressions not yet taken (todo) to engine e; returns how many it took. */
static int offer(struct idx_rxset *set, int e, const struct pat_regex_expr *ex, bool *todo,
                 size_t *taken, struct error *err)
{
    size_t n = set->n, m = 0;
    struct pat_regex_expr *sub = xmalloc(n * sizeof(*sub));
    bool *rej = xcalloc(n, sizeof(*rej));
    for (size_t i = 0; i < n; i++)
        if (todo[i])
            sub[m++] = ex[i];
    int rc = m ? rx_chain[e]->compile(sub, m, rej, &set->db[e], err) : 0;
    *taken = 0;
    for (size_t i = 0; rc == 0 && i < m; i++) {
        if (!rej[i]) {
            todo[sub[i].id] = false;
            (*taken)++;
        }
    }
    free(sub);
    free(rej);
    return rc;
}

struct idx_rxset *idx_rxset_new(const struct idx_rx_in *in, size_t n,
                                struct idx_rx_counts *counts, struct error *err)
{
    struct idx_rxset *set = xcalloc(1, sizeof(*set));
    struct pat_regex_expr *ex = xmalloc(n * sizeof(*ex));
    bool *todo = xmalloc(n * sizeof(*todo));
    size_t taken[RX_ENGINES] = {0};
    set->n = n;
    set->refs = xmalloc(n * sizeof(*set->refs));
    for (size_t i = 0; i < n; i++) {
        ex[i] = (struct pat_regex_expr){in[i].expr, in[i].len, (unsigned)i};
        set->refs[i] = in[i].ref;
        todo[i] = true;
    }
    for (int e = 0; e < RX_ENGINES; e++) {
        if (offer(set, e, ex, todo, &taken[e], err)) {
            idx_rxset_free(set);
            set = NULL;
            goto out;
        }
    }
    counts->prefilter += taken[0];
    counts->fast += taken[1];
    counts->slow += taken[2];
    counts->bad += n - taken[0] - taken[1] - taken[2];
    for (int e = 0; e < RX_ENGINES; e++)
        if (set->db[e])
            counts->bytes += rx_chain[e]->bytes(set->db[e]);
    counts->bytes += n * sizeof(*set->refs);
out:
    free(ex);
    free(todo);
    return set;
}

void idx_rxset_free(struct idx_rxset *set)
{
    if (!set)
        return;
    for (int e = 0; e < RX_ENGINES; e++)
        if (set->db[e])
            rx_chain[e]->free(set->db[e]);
    free(set->refs);
    free(set);
}

struct idx_rxscratch *idx_rxscratch_new(const struct idx_rxset *set)
{
    struct idx_rxscratch *s = xcalloc(1, sizeof(*s));
    for (int e = 0; e < RX_ENGINES; e++)
        if (set->db[e])
            s->s[e] = rx_chain[e]->scratch_new(set->db[e]);
    return s;
}

void idx_rxscratch_free(struct idx_rxscratch *s)
{
    if (!s)
        return;
    for (int e = 0; e < RX_ENGINES; e++)
        if (s->s[e])
            rx_chain[e]->scratch_free(s->s[e]);
    free(s);
}

struct scan_ctx {
    const struct idx_rxset *set;
    enum pat_vrole role;
    idx_ref_fn *fn;
    void *ctx;
    size_t found;
};

static void on_match(void *ctx, unsigned id)
{
    struct scan_ctx *c = ctx;
    uint32_t ref = c->set->refs[id];
    if (!idx_role_ok(IDX_REF_ROLE(ref), c->role))
        return;
    c->found++;
    if (c->fn)
        c->fn(c->ctx, ref);
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

size_t idx_rxset_scan(const struct idx_rxset *set, struct idx_rxscratch *s, const char *v,
                      size_t len, enum pat_vrole role, idx_ref_fn *fn, void *ctx)
{
    struct scan_ctx c = {set, role, fn, ctx, 0};
    utf8proc_uint8_t *nfc = NULL;
    if (!is_ascii(v, len)) {
        utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)v, (utf8proc_ssize_t)len,
                                          &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (r < 0)
            return 0; /* not UTF-8: the evaluator finds no match either */
        v = (const char *)nfc;
        len = (size_t)r;
    }
    for (int e = 0; e < RX_ENGINES; e++)
        if (set->db[e])
            rx_chain[e]->scan(set->db[e], s->s[e], v, len, on_match, &c);
    free(nfc);
    return c.found;
}
