/*
 * Literal-prefilter back end of the index's regex sets (regex.h), the
 * first of the chain: Vectorscan compiles thousands of full regexes slowly
 * (milliseconds each, worse than linear in one database), but literals
 * fast.  So for each expression that has a *required literal* (a run of
 * at least PREFILTER_MIN plain characters every match must contain), the
 * literals go into one Vectorscan literal database (hs_compile_lit_multi)
 * and an expression is confirmed with PCRE2 (JIT) only when its literal
 * occurs in the value (the two-stage matching of Suricata's MPM + pcre).
 * Expressions without one are rejected, for the full-regex back ends.
 *
 * The literal is found conservatively: none when the expression holds an
 * alternation '|' or an inline option "(?"; otherwise the longest run of
 * literal characters outside groups and classes, a character followed by
 * a quantifier being left out.  Options and limits of the confirming
 * PCRE2 match are the evaluator's (see regex_pcre.c).
 */
#include "pattern/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "util/hex.h"

#define PREFILTER_MIN 4            /* shortest literal worth a prefilter */
#define LIT_MAX 256                /* longest literal kept */
#define LIT_SHARED_MAX 8           /* literals that may share their last 8 bytes */
#define LIT_MATCH_LIMIT 1000000u   /* as RX_MATCH_LIMIT in eval_cmp.c */
#define LIT_DEPTH_LIMIT 10000u

struct lit_db {
    hs_database_t *db;
    hs_scratch_t *proto;
    pcre2_code **code; /* by literal id */
    unsigned *ids;     /* caller's id by literal id */
    size_t n, bytes;
};

struct lit_scratch {
    hs_scratch_t *hs;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

struct lit_run {
    char best[LIT_MAX], cur[LIT_MAX];
    size_t best_n, cur_n;
};

static void run_end(struct lit_run *r)
{
    if (r->cur_n > r->best_n) {
        memcpy(r->best, r->cur, r->cur_n);
        r->best_n = r->cur_n;
    }
    r->cur_n = 0;
}

static void run_add(struct lit_run *r, char c)
{
    if (r->cur_n < LIT_MAX)
        r->cur[r->cur_n++] = c;
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skip a character class starting at s[i] == '['; index after its ']'. */
static size_t skip_class(const char *s, size_t n, size_t i)
{
    i++;
    if (i < n && s[i] == '^')
        i++;
    if (i < n && s[i] == ']')
        i++;
    for (; i < n && s[i] != ']'; i++)
        if (s[i] == '\\')
            i++;
    return i + 1;
}

/* One escape at s[i] == '\\' at depth 0: literal byte into the run, or end the run. */
static size_t escape(const char *s, size_t n, size_t i, struct lit_run *r)
{
    if (i + 1 >= n) {
        run_end(r);
        return n;
    }
    unsigned char c = (unsigned char)s[i + 1];
    if (c == 'x' && i + 3 < n && hex_digit(s[i + 2]) >= 0 && hex_digit(s[i + 3]) >= 0) {
        int v = hex_digit(s[i + 2]) << 4 | hex_digit(s[i + 3]);
        if (v > 0 && v < 0x80) {
            run_add(r, (char)v);
            return i + 4;
        }
    } else if (!is_alnum(c) && c < 0x80) {
        run_add(r, (char)c); /* \. \/ \- ... */
        return i + 2;
    }
    run_end(r); /* \d \w \b \A \z \1 ... */
    return i + 2;
}

/* The required literal of a regex (see the top); false when none is long enough. */
static bool required_literal(const char *s, size_t n, char *out, size_t *out_n)
{
    struct lit_run r = {.best_n = 0, .cur_n = 0};
    int depth = 0;
    if (memchr(s, '|', n) || memchr(s, '\0', n))
        return false;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '(' && s[i + 1] == '?')
            return false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '*' || c == '?' || c == '{' || c == '+') {
            if (depth == 0 && r.cur_n)
                r.cur_n--; /* the quantified character is not required */
            run_end(&r);
            i++;
        } else if (c == '(' || c == ')') {
            depth += c == '(' ? 1 : -1;
            run_end(&r);
            i++;
        } else if (c == '[') {
            run_end(&r);
            i = skip_class(s, n, i);
        } else if (depth > 0) {
            i += c == '\\' ? 2 : 1;
        } else if (c == '\\') {
            i = escape(s, n, i, &r);
        } else if (is_alnum(c) || (c < 0x80 && strchr(" !\"#%&',-/:;<=>@_`~", c))) {
            run_add(&r, (char)c);
            i++;
        } else {
            run_end(&r); /* . ^ $ ] } and non-ASCII bytes */
            i++;
        }
    }
    run_end(&r);
    if (r.best_n < PREFILTER_MIN)
        return false;
    memcpy(out, r.best, r.best_n);
    *out_n = r.best_n;
    return true;
}

static pcre2_code *confirm_compile(const struct pat_regex_expr *e)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)e->expr, e->len, PCRE2_UTF | PCRE2_DOTALL, &ec,
                                  &off, NULL);
    if (c)
        (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    return c;
}

/* The literal database of the accepted expressions; 0 or ERR_INVALID. */
static int lit_build(struct lit_db *d, char **lits, size_t *lens, struct error *err)
{
    unsigned *flags = xmalloc(d->n * sizeof(*flags)), *lid = xmalloc(d->n * sizeof(*lid));
    hs_compile_error_t *cerr = NULL;
    int rc = 0;
    for (size_t i = 0; i < d->n; i++) {
        flags[i] = HS_FLAG_SINGLEMATCH;
        lid[i] = (unsigned)i;
    }
    if (hs_compile_lit_multi((const char *const *)lits, flags, lid, lens, (unsigned)d->n,
                             HS_MODE_BLOCK, NULL, &d->db, &cerr) != HS_SUCCESS) {
        rc = error_set(err, ERR_INVALID, "vectorscan cannot compile the literal set: %s",
                       cerr ? cerr->message : "unknown error");
        hs_free_compile_error(cerr);
    } else if (hs_alloc_scratch(d->db, &d->proto) != HS_SUCCESS) {
        rc = error_set(err, ERR_NOMEM, "cannot allocate vectorscan scratch");
    }
    free(flags);
    free(lid);
    return rc;
}

static void lit_free(void *db);

struct lit_key {
    uint64_t key; /* the literal's last 8 bytes (fewer: zero-padded, length mixed in) */
    size_t i;
};

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = ((const struct lit_key *)a)->key, y = ((const struct lit_key *)b)->key;
    return x < y ? -1 : x > y;
}

/*
 * Vectorscan's literal matcher buckets literals by their last bytes: when
 * many share them (".example/"), every occurrence in a value confirms all
 * of them.  Shorten such literals from the right (a part of a required
 * literal is still required) until their endings are rare.
 */
static void spread_endings(char **lits, size_t *lens, size_t n)
{
    struct lit_key *k = xmalloc((n + 1) * sizeof(*k));
    bool *trim = xmalloc(n + 1);
    for (int round = 0; round < LIT_MAX; round++) {
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            size_t m = lens[i] < 8 ? lens[i] : 8;
            uint64_t key = lens[i] < 8 ? (uint64_t)lens[i] << 56 : 0;
            memcpy(&key, lits[i] + lens[i] - m, m);
            k[i] = (struct lit_key){key ^ ((uint64_t)m << 59), i};
            trim[i] = false;
        }
        qsort(k, n, sizeof(*k), cmp_key);
        for (size_t a = 0, b; a < n; a = b) {
            for (b = a + 1; b < n && k[b].key == k[a].key; b++)
                ;
            for (size_t j = a; b - a > LIT_SHARED_MAX && j < b; j++)
                trim[k[j].i] = lens[k[j].i] > PREFILTER_MIN;
        }
        for (size_t i = 0; i < n; i++) {
            lens[i] -= trim[i];
            any |= trim[i];
        }
        if (!any)
            break;
    }
    free(k);
    free(trim);
}

static int lit_compile(const struct pat_regex_expr *exprs, size_t n, bool *rejected, void **out,
                       struct error *err)
{
    struct lit_db *d = xcalloc(1, sizeof(*d));
    char **lits = xmalloc(n * sizeof(*lits));
    size_t *lens = xmalloc(n * sizeof(*lens));
    int rc = 0;
    d->code = xmalloc(n * sizeof(*d->code));
    d->ids = xmalloc(n * sizeof(*d->ids));
    for (size_t i = 0; i < n; i++) {
        char lit[LIT_MAX];
        size_t ln = 0;
        pcre2_code *c = NULL;
        rejected[i] = !required_literal(exprs[i].expr, exprs[i].len, lit, &ln) ||
                      !(c = confirm_compile(&exprs[i]));
        if (rejected[i])
            continue;
        size_t sz = 0;
        pcre2_pattern_info(c, PCRE2_INFO_SIZE, &sz);
        d->bytes += sz + ln;
        lits[d->n] = xmalloc(ln);
        memcpy(lits[d->n], lit, ln);
        lens[d->n] = ln;
        d->code[d->n] = c;
        d->ids[d->n++] = exprs[i].id;
    }
    spread_endings(lits, lens, d->n);
    if (d->n)
        rc = lit_build(d, lits, lens, err);
    for (size_t i = 0; i < d->n; i++)
        free(lits[i]);
    free(lits);
    free(lens);
    if (rc || !d->n) {
        lit_free(d);
        d = NULL;
    }
    *out = d;
    return rc;
}

static void *lit_scratch_new(const void *db)
{
    const struct lit_db *d = db;
    struct lit_scratch *s = xcalloc(1, sizeof(*s));
    s->md = pcre2_match_data_create(1, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (hs_clone_scratch(d->proto, &s->hs) != HS_SUCCESS || !s->md || !s->mctx) {
        log_error("pattern", "cannot allocate regex prefilter scratch");
        abort();
    }
    pcre2_set_match_limit(s->mctx, LIT_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, LIT_DEPTH_LIMIT);
    return s;
}

static void lit_scratch_free(void *scratch)
{
    struct lit_scratch *s = scratch;
    if (!s)
        return;
    hs_free_scratch(s->hs);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    free(s);
}

struct lit_cb {
    const struct lit_db *d;
    struct lit_scratch *s;
    const char *text;
    size_t len;
    pat_regex_match_fn *fn;
    void *ctx;
};

static int lit_on_match(unsigned id, unsigned long long from, unsigned long long to,
                        unsigned flags, void *ctx)
{
    struct lit_cb *cb = ctx;
    int r = pcre2_match(cb->d->code[id], (PCRE2_SPTR)cb->text, cb->len, 0, PCRE2_NO_UTF_CHECK,
                        cb->s->md, cb->s->mctx);
    if (r >= 0)
        cb->fn(cb->ctx, cb->d->ids[id]);
    return 0;
}

static void lit_scan(const void *db, void *scratch, const char *text, size_t len,
                     pat_regex_match_fn *fn, void *ctx)
{
    const struct lit_db *d = db;
    struct lit_scratch *s = scratch;
    struct lit_cb cb = {d, s, text, len, fn, ctx};
    if (len > UINT32_MAX)
        return;
    hs_scan(d->db, text, (unsigned)len, 0, s->hs, lit_on_match, &cb);
}

static size_t lit_bytes(const void *db)
{
    const struct lit_db *d = db;
    size_t db_size = 0, scratch_size = 0;
    hs_database_size(d->db, &db_size);
    hs_scratch_size(d->proto, &scratch_size);
    return db_size + scratch_size + d->bytes + d->n * (sizeof(*d->code) + sizeof(*d->ids));
}

static void lit_free(void *db)
{
    struct lit_db *d = db;
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        pcre2_code_free(d->code[i]);
    hs_free_scratch(d->proto);
    hs_free_database(d->db);
    free(d->code);
    free(d->ids);
    free(d);
}

const struct pat_regex_ops pat_regex_literal = {
    .name = "literal+pcre2",
    .compile = lit_compile,
    .scratch_new = lit_scratch_new,
    .scratch_free = lit_scratch_free,
    .scan = lit_scan,
    .bytes = lit_bytes,
    .free = lit_free,
};
