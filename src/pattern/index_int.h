/*
 * Internals of the bulk indicator index shared by its own files: compile.c
 * (patterns to rules and anchors), index.c (builder, build, lifetime),
 * index_match.c (per-record matching), index_hash.c (hash tables and the
 * string pool), index_cidr.c (prefix containment) and index_regex.c (regex
 * sets).  Not an interface: other modules use pattern/index.h.
 *
 * Vocabulary: a *rule* is one bracket of one indicator's pattern; an
 * *anchor* is one lookup key (kind, role, value) whose presence in a
 * record is necessary for its rule.  Structures store a *ref*: the rule
 * number shifted left by 2, or'ed with the anchor's role.
 */
#ifndef CONCORD_PATTERN_INDEX_INT_H
#define CONCORD_PATTERN_INDEX_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern/index.h"
#include "pattern/pattern.h"
#include "pattern/record.h"
#include "util/error.h"

#define IDX_REF(rule, role) (((uint32_t)(rule) << 2) | (uint32_t)(role))
#define IDX_REF_RULE(ref) ((ref) >> 2)
#define IDX_REF_ROLE(ref) ((ref) & 3u)
#define IDX_REF_EMPTY UINT32_MAX     /* an empty hash slot */
#define IDX_RULES_MAX ((1u << 30) - 2) /* rules an index can number */
#define IDX_POOL_MAX UINT32_MAX       /* bytes of the string pool */

/* An anchor of role r found by a value of role v? (a role-less anchor takes any value) */
static inline bool idx_role_ok(uint32_t anchor_role, enum pat_vrole value_role)
{
    return anchor_role == PAT_ROLE_NONE || anchor_role == (uint32_t)value_role;
}

/* Called with each ref found (roles already checked). */
typedef void idx_ref_fn(void *ctx, uint32_t ref);

/* ---- index_hash.c ---- */

/* Growable byte pool; strings are addressed by 32-bit offsets. */
struct idx_pool {
    char *p;
    size_t len, cap;
};

int idx_pool_add(struct idx_pool *pool, const char *s, size_t len, uint32_t *off,
                 struct error *err);
void idx_pool_release(struct idx_pool *pool);

uint64_t idx_hash_bytes(const char *s, size_t len);

/* Aligned (huge-page advised when large) memory for read-mostly arrays; free() it. */
void *idx_big_alloc(size_t bytes);

struct idx_strslot {
    uint32_t hash; /* low 32 bits of idx_hash_bytes */
    uint32_t off;  /* in the pool */
    uint32_t len;
    uint32_t ref;  /* IDX_REF_EMPTY when free */
};

struct idx_strtab {
    struct idx_strslot *slots;
    size_t mask; /* slots - 1 (a power of two minus one); 0 with no slots */
    size_t n;
};

/* A table sized for n entries (load factor at most 3/4). */
void idx_strtab_init(struct idx_strtab *t, size_t n);

/* Insert; the string is copied into pool unless an equal one is there. */
int idx_strtab_insert(struct idx_strtab *t, struct idx_pool *pool, const char *s, size_t len,
                      uint32_t ref, struct error *err);

/* Call fn for each entry equal to the key whose role fits; return how many. */
size_t idx_strtab_find(const struct idx_strtab *t, const char *pool, const char *s, size_t len,
                       enum pat_vrole role, idx_ref_fn *fn, void *ctx);

/* As idx_strtab_find with h = idx_hash_bytes(s, len) already computed. */
size_t idx_strtab_find_h(const struct idx_strtab *t, const char *pool, const char *s, size_t len,
                         uint64_t h, enum pat_vrole role, idx_ref_fn *fn, void *ctx);
/* Start loading the slot a lookup of hash h reads first. */
void idx_strtab_prefetch(const struct idx_strtab *t, uint64_t h);

void idx_strtab_release(struct idx_strtab *t);

/* ---- index_cidr.c ---- */

/* Address parsing: the textual forms a record or constant may use. */
bool idx_parse_v4(const char *s, size_t len, uint32_t *addr);
bool idx_parse_v6(const char *s, size_t len, uint64_t *hi, uint64_t *lo);
/* "addr/plen" (plen 0..32 / 0..128, 1-3 digits); host bits are cleared in the result. */
bool idx_parse_net4(const char *s, size_t len, uint32_t *addr, unsigned *plen);
bool idx_parse_net6(const char *s, size_t len, uint64_t *hi, uint64_t *lo, unsigned *plen);

struct idx_cidr_in {   /* one prefix anchor, as collected before building */
    uint64_t hi, lo;   /* network (IPv4: lo only) */
    uint32_t plen;     /* IPv4 prefixes are stored as plen + 96 */
    uint32_t ref;
};

struct idx_cidr_node {
    uint64_t shi, slo; /* first address */
    uint64_t ehi, elo; /* last address */
    uint32_t parent;   /* nearest enclosing prefix, UINT32_MAX at top level */
    uint32_t first;    /* refs[first .. first + n) */
    uint32_t n;
    uint32_t plen;
};

/*
 * Prefixes as a sorted list of nested intervals (prefixes never overlap
 * partially): the prefixes containing an address are the last one
 * starting at or before it, if it contains the address, or else its
 * nearest enclosing prefix that does, and all their enclosing prefixes.
 */
#define IDX_CIDR_BUCKETS 65536 /* first-level table on the top 16 address bits */

struct idx_cidr {
    struct idx_cidr_node *nodes;
    size_t n_nodes;
    uint32_t *bucket; /* [b]: first node starting at or after top-16-bit value b; [65536] = n */
    uint64_t *live;   /* bit b: some prefix may contain an address of bucket b */
    bool v4;          /* addresses in lo's low 32 bits */
    uint32_t *refs;
    size_t n_refs;
};

/* Build from in[0..n) (sorted here, so in is modified); never fails. */
void idx_cidr_build(struct idx_cidr *c, struct idx_cidr_in *in, size_t n, bool v4);
/* Refs of the prefixes of length <= max_plen containing hi:lo, roles checked. */
size_t idx_cidr_find(const struct idx_cidr *c, uint64_t hi, uint64_t lo, unsigned max_plen,
                     enum pat_vrole role, idx_ref_fn *fn, void *ctx);
size_t idx_cidr_bytes(const struct idx_cidr *c);
void idx_cidr_release(struct idx_cidr *c);

/* ---- index_regex.c ---- */

struct idx_rxset;   /* the regex anchors of one value kind */
struct idx_rxscratch;

struct idx_rx_in {
    const char *expr; /* PCRE syntax, NUL-terminated (NULs inside escaped) */
    size_t len;
    uint32_t ref;
};

struct idx_rx_counts {
    size_t prefilter, fast, slow, bad, bytes;
};

/* Compile in[0..n) (n > 0); adds to *counts.  NULL with err on a back-end failure. */
struct idx_rxset *idx_rxset_new(const struct idx_rx_in *in, size_t n,
                                struct idx_rx_counts *counts, struct error *err);
void idx_rxset_free(struct idx_rxset *set);
struct idx_rxscratch *idx_rxscratch_new(const struct idx_rxset *set);
void idx_rxscratch_free(struct idx_rxscratch *s);
/* Scan one value (valid UTF-8); fn once per matching anchor whose role fits. */
size_t idx_rxset_scan(const struct idx_rxset *set, struct idx_rxscratch *s, const char *v,
                      size_t len, enum pat_vrole role, idx_ref_fn *fn, void *ctx);

/* ---- compile.c ---- */

enum idx_anchor_type {
    IDX_A_STR,   /* exact string (kind's hash table) */
    IDX_A_V4,    /* IPv4 host */
    IDX_A_V6,    /* IPv6 host */
    IDX_A_NET4,  /* IPv4 prefix */
    IDX_A_NET6,  /* IPv6 prefix */
    IDX_A_REGEX  /* regex on the kind's values */
};

struct idx_anchor {
    uint8_t type; /* enum idx_anchor_type */
    uint8_t kind; /* enum pat_vkind */
    uint8_t role; /* enum pat_vrole */
    uint8_t plen; /* NET4 / NET6 */
    uint32_t rule; /* builder rule number */
    uint64_t a, b; /* V4: a; V6 / NET*: a = high, b = low 64 bits; STR / REGEX: pool offset, length */
};

enum idx_rule_flags {
    IDX_RULE_PURE = 1 << 0,    /* anchors alone decide */
    IDX_RULE_PARTIAL = 1 << 1, /* a bracket of a level 2/3 pattern */
    IDX_RULE_RESIDUAL = 1 << 2 /* no anchor: evaluated for every record */
};

struct idx_rule {
    uint32_t ind;                  /* indicator number */
    uint16_t bracket;              /* bracket number within the pattern */
    uint8_t flags;                 /* enum idx_rule_flags */
    uint8_t pad;
    const struct pat_cexpr *cexpr; /* the bracket (in a kept tree); NULL when pure */
};

struct idx_bind { /* an indicator in the builder */
    uint8_t uuid[16];
    int64_t from, until;
    bool revoked;
    struct pattern *tree; /* kept when a rule needs the evaluator, else NULL */
    uint32_t first_rule, n_rules;
};

struct pat_index_builder {
    struct idx_bind *inds;
    size_t n_inds, cap_inds;
    struct idx_rule *rules;
    size_t n_rules, cap_rules;
    struct idx_anchor *anchors;
    size_t n_anchors, cap_anchors;
    struct idx_pool pool; /* anchor strings and regexes */
};

/*
 * Compile the brackets of tree into rules and anchors of indicator ind
 * (the last one added).  *keep is set when a rule refers into tree.
 */
int idx_compile(struct pat_index_builder *b, uint32_t ind, const struct pattern *tree,
                bool *keep, struct error *err);

/* Translate a LIKE pattern to an anchored regex, appended to pool. */
int idx_like_to_regex(const char *like, size_t len, struct idx_pool *pool, uint32_t *off,
                      size_t *out_len, struct error *err);

/* ---- the index ---- */

struct pat_index {
    atomic_long refs;
    uint8_t (*uuids)[16];
    size_t n_inds;
    struct idx_rule *rules;
    size_t n_rules;
    struct pattern **trees; /* kept trees (owned) */
    size_t n_trees;
    uint32_t *residual;     /* rules evaluated for every record */
    size_t n_residual;
    struct idx_strtab str[PAT_V_KIND_COUNT]; /* string kinds (not IPV4 / IPV6) */
    struct idx_cidr net4, net6;
    char *pool;
    size_t pool_len;
    struct idx_rxset *rx[PAT_V_KIND_COUNT];
    int64_t next_change;
    struct pat_index_stats stats;
};

#endif
