/*
 * Vectorscan back end of the index's regex sets (regex.h): every accepted
 * expression in one block-mode database, so one scan of a value finds all
 * matching expressions at once (Suricata util-mpm-hs.c does the same).
 *
 * Flags: HS_FLAG_SINGLEMATCH (one report per expression is all the index
 * needs), HS_FLAG_DOTALL and HS_FLAG_UTF8 (the MATCHES semantics of
 * eval_cmp.c).  Expressions Vectorscan cannot take (back-references,
 * look-behind, possibly empty matches, NULs in the text...) are rejected
 * for PCRE2: first one by one through hs_expression_info, then, should
 * hs_compile_multi still fail on one, through the index it reports,
 * removing that expression and compiling again.
 *
 * Scratch: the database keeps a prototype scratch; each thread gets a
 * clone (hs_clone_scratch).
 */
#include "pattern/regex.h"

#include <hs/hs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

#define VS_FLAGS (HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL | HS_FLAG_UTF8)

struct vs_db {
    hs_database_t *db;
    hs_scratch_t *proto; /* cloned per thread */
};

/* Can this expression go into a Vectorscan database at all? */
static bool vs_accepts(const struct pat_regex_expr *e)
{
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *cerr = NULL;
    if (strlen(e->expr) != e->len)
        return false;
    if (hs_expression_info(e->expr, VS_FLAGS, &info, &cerr) != HS_SUCCESS) {
        hs_free_compile_error(cerr);
        return false;
    }
    bool ok = info->min_width > 0; /* an empty match would need HS_FLAG_ALLOWEMPTY */
    free(info);
    return ok;
}

/* Compile the expressions not rejected; on a per-expression failure reject it and retry. */
static int vs_compile_accepted(const struct pat_regex_expr *exprs, size_t n, bool *rejected,
                               hs_database_t **db, struct error *err)
{
    const char **ex = xmalloc(n * sizeof(*ex));
    unsigned *flags = xmalloc(n * sizeof(*flags)), *ids = xmalloc(n * sizeof(*ids));
    size_t *pos = xmalloc(n * sizeof(*pos));
    int result = 0;
    for (;;) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (rejected[i])
                continue;
            ex[m] = exprs[i].expr;
            flags[m] = VS_FLAGS;
            ids[m] = exprs[i].id;
            pos[m++] = i;
        }
        *db = NULL;
        if (!m)
            break;
        hs_compile_error_t *cerr = NULL;
        if (hs_compile_multi(ex, flags, ids, (unsigned)m, HS_MODE_BLOCK, NULL, db, &cerr) ==
            HS_SUCCESS)
            break;
        int at = cerr ? cerr->expression : -1;
        if (at < 0 || (size_t)at >= m) {
            result = error_set(err, ERR_INVALID, "vectorscan cannot compile the regex set: %s",
                               cerr ? cerr->message : "unknown error");
            hs_free_compile_error(cerr);
            break;
        }
        log_debug("pattern", "vectorscan rejects regex %zu: %s", pos[at], cerr->message);
        hs_free_compile_error(cerr);
        rejected[pos[at]] = true;
    }
    free(ex);
    free(flags);
    free(ids);
    free(pos);
    return result;
}

static int vs_compile(const struct pat_regex_expr *exprs, size_t n, bool *rejected, void **out,
                      struct error *err)
{
    hs_database_t *db = NULL;
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        rejected[i] = !vs_accepts(&exprs[i]);
    int rc = vs_compile_accepted(exprs, n, rejected, &db, err);
    if (rc || !db)
        return rc;
    struct vs_db *v = xcalloc(1, sizeof(*v));
    v->db = db;
    if (hs_alloc_scratch(db, &v->proto) != HS_SUCCESS) {
        hs_free_database(db);
        free(v);
        return error_set(err, ERR_NOMEM, "cannot allocate vectorscan scratch");
    }
    *out = v;
    return 0;
}

static void *vs_scratch_new(const void *db)
{
    const struct vs_db *v = db;
    hs_scratch_t *s = NULL;
    if (hs_clone_scratch(v->proto, &s) != HS_SUCCESS) {
        log_error("pattern", "cannot clone vectorscan scratch");
        abort();
    }
    return s;
}

static void vs_scratch_free(void *scratch)
{
    hs_free_scratch(scratch);
}

struct vs_cb {
    pat_regex_match_fn *fn;
    void *ctx;
};

static int vs_on_match(unsigned id, unsigned long long from, unsigned long long to,
                       unsigned flags, void *ctx)
{
    struct vs_cb *cb = ctx;
    cb->fn(cb->ctx, id);
    return 0;
}

static void vs_scan(const void *db, void *scratch, const char *text, size_t len,
                    pat_regex_match_fn *fn, void *ctx)
{
    const struct vs_db *v = db;
    struct vs_cb cb = {fn, ctx};
    if (len > UINT32_MAX)
        return;
    hs_scan(v->db, text, (unsigned)len, 0, scratch, vs_on_match, &cb);
}

static size_t vs_bytes(const void *db)
{
    const struct vs_db *v = db;
    size_t db_size = 0, scratch_size = 0;
    hs_database_size(v->db, &db_size);
    hs_scratch_size(v->proto, &scratch_size);
    return db_size + scratch_size;
}

static void vs_free(void *db)
{
    struct vs_db *v = db;
    if (!v)
        return;
    hs_free_scratch(v->proto);
    hs_free_database(v->db);
    free(v);
}

const struct pat_regex_ops pat_regex_vectorscan = {
    .name = "vectorscan",
    .compile = vs_compile,
    .scratch_new = vs_scratch_new,
    .scratch_free = vs_scratch_free,
    .scan = vs_scan,
    .bytes = vs_bytes,
    .free = vs_free,
};
