/*
 * Multi-pattern regular expression back ends of the bulk index: one small
 * interface (struct pat_regex_ops), one file per engine, like Suricata's
 * util-mpm.h: regex_literal.c (a Vectorscan literal database of each
 * expression's required literal, confirmed by PCRE2: fast to build),
 * regex_vectorscan.c (Vectorscan, all remaining expressions in one
 * database, one pass per value) and regex_pcre.c (PCRE2, one expression
 * at a time, for what Vectorscan cannot compile).  index_regex.c chains
 * them in that order.
 *
 * Every back end works with the semantics of MATCHES in eval_cmp.c:
 * search (unanchored unless the expression anchors), UTF-8, DOTALL, on
 * NFC text, and reports each matching expression once per scan.
 *
 * A database is immutable once compiled and shared by all threads; each
 * thread scans with its own scratch (scratch_new).
 */
#ifndef CONCORD_PATTERN_REGEX_H
#define CONCORD_PATTERN_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct pat_regex_expr {
    const char *expr; /* NUL-terminated; may contain escaped NULs only */
    size_t len;       /* bytes in expr */
    unsigned id;      /* reported on a match */
};

/* Called once per expression matching the scanned text. */
typedef void pat_regex_match_fn(void *ctx, unsigned id);

struct pat_regex_ops {
    const char *name;
    /*
     * Compile exprs[0..n) into *db (owned by the caller: free).  Sets
     * rejected[i] for each expression this engine cannot take, which is
     * left out; *db is NULL when all are rejected.  Returns 0, or a
     * negative ERR_* with err when the engine fails as a whole.
     */
    int (*compile)(const struct pat_regex_expr *exprs, size_t n, bool *rejected, void **db,
                   struct error *err);
    /* Scratch for one thread scanning db (never NULL; aborts on OOM). */
    void *(*scratch_new)(const void *db);
    void (*scratch_free)(void *scratch);
    /* Scan text[0..len) (valid UTF-8): fn once per matching expression. */
    void (*scan)(const void *db, void *scratch, const char *text, size_t len,
                 pat_regex_match_fn *fn, void *ctx);
    /* Bytes the compiled database holds. */
    size_t (*bytes)(const void *db);
    void (*free)(void *db);
};

extern const struct pat_regex_ops pat_regex_literal; /* literal prefilter + PCRE2 confirm */
extern const struct pat_regex_ops pat_regex_vectorscan;
extern const struct pat_regex_ops pat_regex_pcre;

#endif
