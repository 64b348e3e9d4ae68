/*
 * STIX 2.1 patterning (STIX 2.1 §9): the parsed form of a pattern and the
 * functions every other part of Concord uses on it.
 *
 * A pattern is parsed once into a tree owned by one `struct pattern`
 * (every node, string and array lives in the pattern's own arena and is
 * freed by pat_free).  The tree is immutable after pat_parse returns, so
 * one parsed pattern may be read by many threads at once.
 *
 * Layout of the tree (grammar in docs/patterns.md, from domain.md §3.1):
 *   pattern      -> struct pat_obs   (observation expression)
 *   PAT_OBS_TEST -> struct pat_cexpr (the comparison expression in [ ... ])
 *   PAT_CMP_TEST -> struct pat_cmp   (path, operator, constant(s))
 *
 * Module files: lexer.c, parser.c (pat_parse), check.c (semantic checks
 * run by pat_parse), eval.c (reference evaluator), compile.c + index_*.c
 * (bulk index for streams), regex_*.c (multi-pattern regex back ends).
 */
#ifndef CONCORD_PATTERN_PATTERN_H
#define CONCORD_PATTERN_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define PAT_TEXT_MAX (64u * 1024) /* longest pattern accepted (bytes) */
#define PAT_DEPTH_MAX 64          /* deepest nesting of ( ) and [ ] */

/* Constants (domain.md §3.1 "Literals"). */
enum pat_lit_kind {
    PAT_LIT_STRING,   /* 'text': str/len hold the unescaped UTF-8 */
    PAT_LIT_INT,      /* i */
    PAT_LIT_FLOAT,    /* f */
    PAT_LIT_BOOL,     /* b */
    PAT_LIT_BINARY,   /* b'base64': str/len hold the decoded bytes */
    PAT_LIT_HEX,      /* h'hex': str/len hold the decoded bytes */
    PAT_LIT_TIMESTAMP /* t'…Z': str/len the text between quotes, ns the instant */
};

struct pat_lit {
    enum pat_lit_kind kind;
    long offset;     /* byte offset of the literal in the pattern text */
    const char *str; /* STRING, BINARY, HEX, TIMESTAMP; NUL-terminated, may hold NULs */
    size_t len;      /* bytes in str, without the terminating NUL */
    int64_t i;       /* INT */
    double f;        /* FLOAT */
    bool b;          /* BOOL */
    int64_t ns;      /* TIMESTAMP: nanoseconds since the epoch (stix_ts_parse) */
};

/* One step of an object path after the object type. */
enum pat_step_kind {
    PAT_STEP_KEY,   /* .name or .'quoted name' (also the first step after ':') */
    PAT_STEP_INDEX, /* [n], n >= 0 */
    PAT_STEP_ANY    /* [*] */
};

struct pat_step {
    enum pat_step_kind kind;
    const char *key; /* KEY: the property or dictionary key, unquoted */
    long index;      /* INDEX */
};

struct pat_path {
    const char *type;       /* object type before ':', e.g. "network-traffic" */
    struct pat_step *steps; /* n_steps >= 1; steps[0] is a KEY */
    size_t n_steps;
    long offset; /* byte offset of the path in the pattern text */
};

enum pat_op {
    PAT_OP_EQ,         /* = or == */
    PAT_OP_NE,         /* != or <> */
    PAT_OP_LT,
    PAT_OP_LE,
    PAT_OP_GT,
    PAT_OP_GE,
    PAT_OP_IN,         /* vals[0..n_vals) */
    PAT_OP_LIKE,       /* vals[0] a STRING */
    PAT_OP_MATCHES,    /* vals[0] a STRING (PCRE) */
    PAT_OP_ISSUBSET,   /* vals[0] a STRING (CIDR or address) */
    PAT_OP_ISSUPERSET, /* vals[0] a STRING (CIDR or address) */
    PAT_OP_EXISTS      /* no value */
};

/* A property test: `path [NOT] op value`, or `[NOT] EXISTS path`. */
struct pat_cmp {
    struct pat_path path;
    enum pat_op op;
    bool negated;          /* NOT written before the operator (or before EXISTS) */
    struct pat_lit *vals;  /* 1 value, n for IN (may be 0 for IN ()), 0 for EXISTS */
    size_t n_vals;
    long offset;           /* byte offset of the test's first token */
};

/* Comparison expression: the contents of one [ ... ]. */
enum pat_cexpr_kind { PAT_CMP_AND, PAT_CMP_OR, PAT_CMP_TEST };

struct pat_cexpr {
    enum pat_cexpr_kind kind;
    struct pat_cexpr *l, *r; /* AND, OR */
    struct pat_cmp test;     /* TEST */
    long offset;             /* AND, OR: byte offset of the operator; TEST: test.offset */
};

/* Observation expression. */
enum pat_obs_kind {
    PAT_OBS_TEST,       /* [ cexpr ] */
    PAT_OBS_AND,        /* l AND r: on different observations */
    PAT_OBS_OR,         /* l OR r */
    PAT_OBS_FOLLOWEDBY, /* l FOLLOWEDBY r: r's observation not earlier than l's */
    PAT_OBS_WITHIN,     /* l WITHIN seconds SECONDS */
    PAT_OBS_REPEATS,    /* l REPEATS times TIMES */
    PAT_OBS_STARTSTOP   /* l START start_ns STOP stop_ns */
};

struct pat_obs {
    enum pat_obs_kind kind;
    struct pat_obs *l, *r;   /* AND, OR, FOLLOWEDBY: both; qualifiers: l only */
    struct pat_cexpr *cexpr; /* TEST */
    double seconds;          /* WITHIN, > 0 */
    long times;              /* REPEATS, >= 1 */
    int64_t start_ns;        /* STARTSTOP: [start_ns, stop_ns) */
    int64_t stop_ns;
    long offset; /* byte offset of the expression's first token */
    long arg_offset;       /* WITHIN, REPEATS: byte offset of the number; else -1 */
    struct pat_lit *start; /* STARTSTOP: the two timestamp literals (arena) */
    struct pat_lit *stop;
};

struct pattern {
    struct pat_obs *root;
    int level;         /* conformance level needed: 1, 2 or 3 (domain.md §3.2 item 13) */
    struct pat_arena *arena; /* owns every node and string of this pattern */
    bool mixed_and;    /* some [ ] ANDs comparisons on different object types, so it
                          can never match (only with PAT_PARSE_ALLOW_MIXED_AND) */
};

enum pat_parse_flags {
    /*
     * Accept `[a:x = 1 AND b:y = 2]` (AND of different object types in one
     * bracket, domain.md §3.2 item 2) and set pattern.mixed_and instead of
     * failing.  Published feeds contain such patterns (Unit 42 playbooks),
     * so ingest stores them; the bracket simply never matches.
     */
    PAT_PARSE_ALLOW_MIXED_AND = 1 << 0,
};

/*
 * Parse and check text[0..len) (need not be NUL-terminated).  On success
 * returns 0 and *out, owned by the caller (pat_free).  On a syntax or
 * semantic error returns ERR_INVALID and fills err: err->offset is the byte
 * offset of the offending token and err->msg says what was expected, e.g.
 * "expected ']' at offset 14".  ERR_TOO_LARGE beyond PAT_TEXT_MAX bytes or
 * PAT_DEPTH_MAX nesting.  Thread-safe.
 */
int pat_parse(const char *text, size_t len, struct pattern **out, struct error *err);

/* pat_parse with flags (enum pat_parse_flags); pat_parse is flags 0. */
int pat_parse_opts(const char *text, size_t len, unsigned flags, struct pattern **out,
                   struct error *err);

/* Free a parsed pattern (NULL is fine). */
void pat_free(struct pattern *p);

#endif
