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
#include <string.h>

#include "pattern/eval.h"
#include "pattern/pattern.h"
#include "util/json_arena.h"

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

struct pat_ev_rx;    /* one compiled regular expression (eval_cmp.c) */
struct pat_ev_cidrs; /* CIDR operands already parsed (eval_cmp.c) */

/*
 * Per-call scratch of one evaluation: the regular expressions compiled so
 * far, keyed by comparison, and the CIDR constants and last CIDR value
 * parsed.  Private to one call, so never shared between threads.
 */
struct pat_ev_ctx {
    struct pat_ev_rx *rx; /* owned */
    size_t n_rx, cap_rx;
    void *match_ctx;            /* owned pcre2_match_context (match limits), made on first use */
    struct pat_ev_cidrs *cidrs; /* owned: parsed ISSUBSET / ISSUPERSET operands, or NULL */
};

void pat_ev_ctx_init(struct pat_ev_ctx *c);
void pat_ev_ctx_release(struct pat_ev_ctx *c);

/*
 * Apply cmp (any operator but EXISTS, NOT included) to one value v.
 * Borrowed arguments; c caches compiled regexes for the call.
 */
enum pat_ev_res pat_ev_test(struct pat_ev_ctx *c, const struct pat_cmp *cmp,
                            const struct pat_ev_val *v);

/* How the evaluator follows a property, by the suffix of its name (STIX 2.1 §9.4 paths). */
enum pat_ev_suffix {
    PAT_EV_SFX_NONE,
    PAT_EV_SFX_REF,  /* `_ref`: the SCO it names replaces it */
    PAT_EV_SFX_REFS, /* `_refs`: a list of references */
    PAT_EV_SFX_HEX,  /* `_hex`: hex text compared as bytes */
    PAT_EV_SFX_BIN   /* `_bin`: base64 text compared as bytes */
};

enum pat_ev_suffix pat_ev_suffix_of(const char *key, size_t len);

struct pat_ev_sco;

/*
 * One top-level property of a root SCO, looked up once per set so that a
 * comparison finds it by a short scan (no hashing) and a `_ref` needs no
 * lookup of the id.  40 bytes: there is one per property of every root.
 */
struct pat_ev_prop {
    const char *key;              /* borrowed: the property name, len bytes */
    json_t *val;                  /* borrowed */
    uint64_t head;                /* pat_ev_key_head(key, len): names told apart without key */
    const struct pat_ev_sco *sco; /* SFX_REF: the view of the SCO val names in the observation,
                                     NULL when it names none or one that is no root */
    uint32_t len;                 /* < LIMIT_IMPORT_FILE */
    enum pat_ev_suffix sfx;       /* of key */
};

/*
 * A root SCO of one observation with its properties in a flat array (the
 * same values as the JSON object; refs resolve in this observation only,
 * so an SCO listed by two observed-data has one view in each).
 */
struct pat_ev_sco {
    size_t obs;               /* index of the observation in the set */
    json_t *obj;              /* borrowed: the root SCO (any JSON value) */
    const char *type;         /* borrowed: its "type" (one copy per type), or NULL */
    struct pat_ev_prop *prop; /* n_prop, in the views' chunks; NULL unless an object */
    size_t n_prop;
};

/*
 * An integer that tells apart the names of one length up to 8 bytes (and
 * the first 8 bytes of longer ones), in any byte order: both sides of a
 * comparison come from here.  Inline, with the lookup below: one call per
 * comparison of a bracket.
 */
static inline uint64_t pat_ev_key_head(const char *key, size_t len)
{
    uint32_t lo, hi;
    uint16_t a, b;

    if (len >= 8) {
        uint64_t h;
        memcpy(&h, key, 8);
        return h;
    }
    if (len >= 4) { /* bytes 0..3 and len-4..len-1: every byte, for one length */
        memcpy(&lo, key, 4);
        memcpy(&hi, key + len - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << 32;
    }
    if (len >= 2) {
        memcpy(&a, key, 2);
        memcpy(&b, key + len - 2, 2);
        return (uint64_t)a | (uint64_t)b << 16;
    }
    return len ? (unsigned char)key[0] : 0;
}

/* The property key[0..len) of sco, or NULL; no read of the names' memory when they are short. */
static inline const struct pat_ev_prop *pat_ev_sco_get(const struct pat_ev_sco *sco,
                                                       const char *key, size_t len)
{
    uint64_t head = pat_ev_key_head(key, len);

    for (size_t i = 0; i < sco->n_prop; i++) {
        const struct pat_ev_prop *p = &sco->prop[i];
        if (p->len == len && p->head == head &&
            (len <= 8 || memcmp(p->key + 8, key + 8, len - 8) == 0))
            return p;
    }
    return NULL;
}

/*
 * The views of the roots of some observations, in observation order; the
 * views and their properties live in chunks that never move, so one set of
 * views can be built in parts (one per thread) and joined.
 */
struct pat_ev_views {
    struct pat_ev_sco **v; /* owned array of n pointers into mem */
    size_t n, cap;
    struct json_arena mem; /* owned: the views and their properties (never current) */
};

/* Append the views of the roots of o, the observation at index obs of its set (borrowed). */
void pat_ev_views_add(struct pat_ev_views *w, const struct pat_obsv *o, size_t obs);
/* Move the views of from behind those of w (from is left empty). */
void pat_ev_views_join(struct pat_ev_views *w, struct pat_ev_views *from);
void pat_ev_views_release(struct pat_ev_views *w);

/*
 * The roots of an observation set as views, grouped by their `type` (built
 * once per set by pat_obsv_load, or per pat_eval call for sets built by
 * hand), so a bracket only visits the roots its comparisons can hold on: a
 * comparison is false on a root of another type, whatever its operator or
 * NOT.  Immutable once built: threads share it.
 */
struct pat_ev_bytype {
    const char *type;            /* borrowed: the roots' "type" */
    const struct pat_ev_sco **v; /* owned array of n roots (in views), ascending obs */
    size_t n, cap;
};

struct pat_ev_types {
    struct pat_ev_bytype *v; /* owned: n distinct types */
    size_t n, cap;
    json_t *index;             /* owned: type -> position in v (integer) */
    struct pat_ev_views views; /* owned: the views of every root of the set */
};

/* Group the roots of s (borrowed, must outlive the result); free with pat_ev_types_free. */
struct pat_ev_types *pat_ev_types_new(const struct pat_obsv_set *s);
/* The same from the views of every root of a set, in order (taken: w is left empty). */
struct pat_ev_types *pat_ev_types_of(struct pat_ev_views *w);
void pat_ev_types_free(struct pat_ev_types *t);
/* The roots of type, or NULL when the set has none. */
const struct pat_ev_bytype *pat_ev_types_get(const struct pat_ev_types *t, const char *type);

/*
 * The bracket c on one root of observation o (eval_path.c): true when the
 * root satisfies the whole boolean expression.  root->prop may be NULL (no
 * view: paths go through the JSON).  Borrowed arguments.
 */
bool pat_ev_cexpr_root(struct pat_ev_ctx *ctx, const struct pat_cexpr *c,
                       const struct pat_ev_sco *root, const struct pat_obsv *o);

/* The SCO a reference names in observation o (a JSON object), or NULL. */
json_t *pat_ev_deref(const struct pat_obsv *o, json_t *ref);

/* Decode hex (`_hex`) or standard base64 (`_bin`) text; *out is malloc'd. False if malformed. */
bool pat_ev_decode_hex(const char *s, size_t n, char **out, size_t *out_len);
bool pat_ev_decode_b64(const char *s, size_t n, char **out, size_t *out_len);

#endif
