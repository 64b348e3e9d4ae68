/*
 * Internals of the reference evaluator shared by its own files: eval.c
 * (object paths, brackets, the observation search), eval_cmp.c (one
 * comparison against one property value) and eval_obsv.c (building the
 * observation set).  Not an interface: other modules use pattern/eval.h.
 */
#ifndef CONCORD_PATTERN_EVAL_INT_H
#define CONCORD_PATTERN_EVAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern/eval.h"
#include "pattern/pattern.h"

/* A property value reached by an object path, typed for comparison. */
enum pat_ev_kind {
    PAT_EV_STR,   /* JSON string: s/len (UTF-8) */
    PAT_EV_BYTES, /* a `_hex` / `_bin` property, decoded: s/len */
    PAT_EV_INT,   /* i */
    PAT_EV_FLOAT, /* f */
    PAT_EV_BOOL,  /* b */
    PAT_EV_OTHER  /* null, object, array, list of references: only = / != / IN apply */
};

struct pat_ev_val {
    enum pat_ev_kind kind;
    const char *s; /* STR, BYTES: borrowed */
    size_t len;
    int64_t i;
    double f;
    bool b;
};

/* Outcome of one comparison on one value, before `[*]` / root combining. */
enum pat_ev_res {
    PAT_EV_FALSE,
    PAT_EV_TRUE,
    PAT_EV_NA /* not applicable (types that cannot be ordered, a bad regex...): false, even
                 under NOT, like missing data (domain.md §3.2 item 5) */
};

struct pat_ev_rx; /* one compiled regular expression (eval_cmp.c) */

/*
 * Per-call scratch of one evaluation: the regular expressions compiled so
 * far, keyed by comparison.  Private to one call, so never shared between
 * threads.
 */
struct pat_ev_ctx {
    struct pat_ev_rx *rx; /* owned */
    size_t n_rx, cap_rx;
    void *match_ctx; /* owned pcre2_match_context (match limits), made on first use */
};

void pat_ev_ctx_init(struct pat_ev_ctx *c);
void pat_ev_ctx_release(struct pat_ev_ctx *c);

/*
 * Apply cmp (any operator but EXISTS, NOT included) to one value v.
 * Borrowed arguments; c caches compiled regexes for the call.
 */
enum pat_ev_res pat_ev_test(struct pat_ev_ctx *c, const struct pat_cmp *cmp,
                            const struct pat_ev_val *v);

/*
 * The roots of an observation set grouped by their `type` (built once per
 * set by pat_obsv_load, or per pat_eval call for sets built by hand), so a
 * bracket only visits the roots its comparisons can hold on: a comparison
 * is false on a root of another type, whatever its operator or NOT.
 */
struct pat_ev_root {
    size_t obs;  /* index of the observation in the set */
    json_t *obj; /* borrowed: the root SCO */
};

struct pat_ev_bytype {
    const char *type;      /* borrowed: the roots' "type" */
    struct pat_ev_root *v; /* owned: n roots, ascending obs */
    size_t n, cap;
};

struct pat_ev_types {
    struct pat_ev_bytype *v; /* owned: n distinct types */
    size_t n, cap;
    json_t *index; /* owned: type -> position in v (integer) */
};

/* Group the roots of s (borrowed, must outlive the result); free with pat_ev_types_free. */
struct pat_ev_types *pat_ev_types_new(const struct pat_obsv_set *s);
void pat_ev_types_free(struct pat_ev_types *t);
/* The roots of type, or NULL when the set has none. */
const struct pat_ev_bytype *pat_ev_types_get(const struct pat_ev_types *t, const char *type);

/* Decode hex (`_hex`) or standard base64 (`_bin`) text; *out is malloc'd. False if malformed. */
bool pat_ev_decode_hex(const char *s, size_t n, char **out, size_t *out_len);
bool pat_ev_decode_b64(const char *s, size_t n, char **out, size_t *out_len);

#endif
