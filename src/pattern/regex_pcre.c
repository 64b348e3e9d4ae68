/*
 * PCRE2 back end of the index's regex sets (regex.h): the expressions
 * Vectorscan rejects, each compiled on its own (JIT when available) and
 * tried one after another on a value, so it is the slow path: the index
 * statistics count how many expressions end up here.
 *
 * Options and limits are those of the evaluator (eval_cmp.c): PCRE2_UTF |
 * PCRE2_DOTALL, a match limit of 1,000,000 and a depth limit of 10,000
 * (an expression hitting a limit does not match, as in the evaluator).
 * An expression PCRE2 itself rejects is reported rejected (it can never
 * match: the evaluator treats it as not applicable).
 *
 * Scratch: one match data block and one match context (the limits) per
 * thread.
 */
#include "pattern/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

#define PCRE_MATCH_LIMIT 1000000u /* as RX_MATCH_LIMIT in eval_cmp.c */
#define PCRE_DEPTH_LIMIT 10000u   /* as RX_DEPTH_LIMIT */

struct pcre_db {
    pcre2_code **code;
    unsigned *ids;
    size_t n;
    size_t bytes;
};

struct pcre_scratch {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

static int pcre_compile_all(const struct pat_regex_expr *exprs, size_t n, bool *rejected,
                            void **out, struct error *err)
{
    struct pcre_db *d = xcalloc(1, sizeof(*d));
    d->code = xmalloc(n * sizeof(*d->code));
    d->ids = xmalloc(n * sizeof(*d->ids));
    for (size_t i = 0; i < n; i++) {
        int ec;
        PCRE2_SIZE off;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)exprs[i].expr, exprs[i].len,
                                      PCRE2_UTF | PCRE2_DOTALL, &ec, &off, NULL);
        rejected[i] = c == NULL;
        if (!c)
            continue;
        (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* interpreter when JIT is missing */
        size_t sz = 0;
        pcre2_pattern_info(c, PCRE2_INFO_SIZE, &sz);
        d->bytes += sz;
        d->code[d->n] = c;
        d->ids[d->n++] = exprs[i].id;
    }
    if (!d->n) {
        free(d->code);
        free(d->ids);
        free(d);
        d = NULL;
    }
    *out = d;
    return 0;
}

static void *pcre_scratch_new(const void *db)
{
    struct pcre_scratch *s = xcalloc(1, sizeof(*s));
    s->md = pcre2_match_data_create(1, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (!s->md || !s->mctx) {
        log_error("pattern", "cannot allocate pcre2 match data");
        abort();
    }
    pcre2_set_match_limit(s->mctx, PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, PCRE_DEPTH_LIMIT);
    return s;
}

static void pcre_scratch_free(void *scratch)
{
    struct pcre_scratch *s = scratch;
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    free(s);
}

static void pcre_scan(const void *db, void *scratch, const char *text, size_t len,
                      pat_regex_match_fn *fn, void *ctx)
{
    const struct pcre_db *d = db;
    struct pcre_scratch *s = scratch;
    for (size_t i = 0; i < d->n; i++) {
        int r = pcre2_match(d->code[i], (PCRE2_SPTR)text, len, 0, PCRE2_NO_UTF_CHECK, s->md,
                            s->mctx);
        if (r >= 0)
            fn(ctx, d->ids[i]);
    }
}

static size_t pcre_bytes(const void *db)
{
    const struct pcre_db *d = db;
    return d->bytes + d->n * (sizeof(*d->code) + sizeof(*d->ids));
}

static void pcre_free(void *db)
{
    struct pcre_db *d = db;
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        pcre2_code_free(d->code[i]);
    free(d->code);
    free(d->ids);
    free(d);
}

const struct pat_regex_ops pat_regex_pcre = {
    .name = "pcre2",
    .compile = pcre_compile_all,
    .scratch_new = pcre_scratch_new,
    .scratch_free = pcre_scratch_free,
    .scan = pcre_scan,
    .bytes = pcre_bytes,
    .free = pcre_free,
};
