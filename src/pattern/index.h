/*
 * The bulk indicator index for streams (`concord match`): every active
 * indicator's STIX pattern compiled once into structures that find, for
 * one log record (pattern/record.h), the indicators it matches without
 * evaluating each pattern.
 *
 * Per bracket ([ ... ]) the compiler (compile.c) picks "anchors": tests
 * that must hold for the bracket to hold and that a record value can be
 * looked up against directly:
 *   - equality / IN on a path of a value kind (enum pat_vkind): one
 *     open-addressing hash table per kind (index_hash.c), addresses as
 *     numbers, CIDR constants and ISSUBSET in a containment structure per
 *     address family (index_cidr.c);
 *   - LIKE / MATCHES on such a path: one multi-pattern regex set per kind
 *     (index_regex.c): a Vectorscan literal prefilter confirmed by PCRE2
 *     for expressions with a required literal, Vectorscan regexes for
 *     the others it compiles, PCRE2 for the rest.
 * A bracket that is an OR of such tests only ("pure") matches as soon as
 * one anchor does.  Any other anchored bracket is a candidate, checked
 * with the reference evaluator (pat_eval_cexpr, eval.h) on the observation
 * built from the record (pat_record_observation, logs.h), built at most
 * once per record and only when a candidate needs it.  A bracket without
 * any anchor is "residual" and evaluated for every record: these should
 * be rare (pat_index_stats says how many).
 *
 * Patterns of conformance level 2 and 3 (observation AND / OR /
 * FOLLOWEDBY, qualifiers) span several records, which this stateless
 * index cannot decide: each of their brackets is indexed like a level-1
 * pattern and reported as a partial hit (struct pat_hit.partial), for a
 * stateful layer above to combine.
 *
 * Lifecycle: a builder collects indicators (pat_index_add), pat_index_build
 * keeps the active ones (valid_from <= now < valid_until, not revoked) and
 * returns an immutable, reference-counted index.  Any number of threads
 * may match against one index at once, each with its own pat_scratch.
 * struct pat_index_holder publishes the current index; pat_index_swap
 * replaces it when the indicators change while readers keep using the old
 * one until they drop their reference.
 */
#ifndef CONCORD_PATTERN_INDEX_H
#define CONCORD_PATTERN_INDEX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern/record.h"
#include "util/error.h"

#define PAT_INDICATOR_ID_LEN 47 /* "indicator--" + 36-character UUID */

struct pat_index_builder;
struct pat_index;
struct pat_scratch;

/* Flags of pat_index_add. */
enum pat_index_flags {
    PAT_INDEX_REVOKED = 1 << 0 /* the indicator is revoked: never active */
};

/* A new, empty builder, owned by the caller (pat_index_builder_free). Never NULL. */
struct pat_index_builder *pat_index_builder_new(void);

/* Free a builder and what it still holds (NULL is fine). */
void pat_index_builder_free(struct pat_index_builder *b);

/*
 * Add one indicator: id "indicator--<uuid>" (copied, stored as 16 bytes,
 * reported in lower case), its STIX pattern text[0..len) (parsed here, not
 * kept), its validity [valid_from_ns, valid_until_ns) in ns since the epoch
 * (INT64_MIN / INT64_MAX when unbounded) and flags.  Returns 0;
 * ERR_INVALID (bad id, pattern that does not parse: err says where) or
 * ERR_TOO_LARGE (too many indicators) and the indicator is left out.  Not
 * thread-safe (one builder, one thread).
 */
int pat_index_add(struct pat_index_builder *b, const char *indicator_id, const char *pattern,
                  size_t len, int64_t valid_from_ns, int64_t valid_until_ns, unsigned flags,
                  struct error *err);

/*
 * Build the index of the indicators active at now_ns and free the builder
 * (taken, whatever the outcome).  Returns the index with one reference
 * (pat_index_unref), or NULL with err filled (ERR_TOO_LARGE: string pool
 * over 4 GiB; ERR_INVALID: a regex back end failed as a whole).
 */
struct pat_index *pat_index_build(struct pat_index_builder *b, int64_t now_ns, struct error *err);

/* Take one more reference (thread-safe); returns idx. */
struct pat_index *pat_index_ref(struct pat_index *idx);

/* Drop one reference; the last frees the index (thread-safe, NULL is fine). */
void pat_index_unref(struct pat_index *idx);

/*
 * Earliest instant after the build's now_ns at which an added indicator
 * becomes active or stops being active (INT64_MAX when none): rebuild by
 * then so the index follows valid_from / valid_until.
 */
int64_t pat_index_next_change_ns(const struct pat_index *idx);

/* What the index holds (figures for `concord match --stats` and the benchmark). */
struct pat_index_stats {
    size_t added;         /* indicators given to pat_index_add (parsed) */
    size_t inactive;      /* of which left out: not yet valid, expired or revoked */
    size_t indicators;    /* active indicators */
    size_t rules;         /* indexed brackets (1 per level-1 pattern) */
    size_t pure;          /* rules matched by anchors alone */
    size_t candidates;    /* rules with anchors, checked by the evaluator */
    size_t residual;      /* rules without anchors, evaluated for every record */
    size_t partial;       /* rules that are brackets of level 2/3 patterns */
    size_t eq[PAT_V_KIND_COUNT]; /* equality anchors per value kind (addresses: hosts) */
    size_t cidr_v4, cidr_v6;     /* prefix anchors (distinct prefixes in cidr_*_nodes) */
    size_t cidr_v4_nodes, cidr_v6_nodes;
    size_t regex_prefilter; /* regex anchors behind a literal prefilter (confirmed by PCRE2) */
    size_t regex_fast;    /* regex anchors compiled as regexes by Vectorscan */
    size_t regex_slow;    /* regex anchors left to PCRE2 */
    size_t regex_bad;     /* regex anchors neither could compile (never match) */
    size_t bytes_ids;     /* indicator ids and rules */
    size_t bytes_hash;    /* hash table slots */
    size_t bytes_pool;    /* string pool */
    size_t bytes_cidr;    /* prefix structures */
    size_t bytes_regex;   /* regex databases as reported by the back ends */
    size_t bytes_trees;   /* parsed patterns kept for the evaluator (estimate) */
    size_t bytes_total;   /* all of the above plus fixed parts */
};

/* Fill *out. */
void pat_index_stats(const struct pat_index *idx, struct pat_index_stats *out);

/* One match, as given to the hit callback. */
struct pat_hit {
    const char *indicator_id;  /* "indicator--<uuid>", valid during the callback only */
    const struct pat_value *v; /* the record value whose lookup found it; NULL for residual */
    unsigned bracket;          /* which bracket of the pattern, left to right from 0 */
    bool partial;              /* level 2/3 pattern: only this bracket is known to match */
};

typedef void pat_index_hit_fn(void *ctx, const struct pat_hit *hit);

/*
 * Per-thread matching state for idx (which must outlive it): regex
 * scratch cloned from the index, the lazily built observation.  Never
 * NULL (aborts on out of memory).
 */
struct pat_scratch *pat_scratch_new(const struct pat_index *idx);
void pat_scratch_free(struct pat_scratch *s);

/*
 * Match one record: call hit once per (indicator, bracket) that matches
 * rec.  rec and idx are borrowed; s belongs to the calling thread and to
 * idx.  Returns the number of hits, or ERR_INVALID when s was made for
 * another index.  Thread-safe with distinct scratches.
 */
int pat_index_match(const struct pat_index *idx, struct pat_scratch *s,
                    const struct pat_record *rec, pat_index_hit_fn *hit, void *ctx);

/*
 * Raw lookup of one value in the equality structures (hash tables and
 * prefix structures, not regexes; no evaluator): fn (may be NULL) is
 * called with each indexed rule whose anchor equals or contains v,
 * duplicates included.  Returns how many.  For benchmarks and tests.
 */
typedef void pat_index_lookup_fn(void *ctx, size_t rule, bool pure);
size_t pat_index_lookup(const struct pat_index *idx, const struct pat_value *v,
                        pat_index_lookup_fn *fn, void *ctx);

/*
 * pat_index_lookup of v[0..n), overlapping the memory latency of several
 * lookups (each value's first slot is prefetched a few values ahead):
 * for a worker holding a batch of values.  Returns the total found.
 */
size_t pat_index_lookup_many(const struct pat_index *idx, const struct pat_value *v, size_t n,
                             pat_index_lookup_fn *fn, void *ctx);

/* The id of the indicator of a rule, into out (NUL-terminated). */
void pat_index_rule_id(const struct pat_index *idx, size_t rule,
                       char out[PAT_INDICATOR_ID_LEN + 1]);

/*
 * Where workers find the current index.  get/swap serialise on a mutex
 * only for the instant of taking a reference, so that the last unref of
 * a replaced index cannot race a reader's ref; the generation counter lets
 * a worker notice a swap with one atomic load.
 */
struct pat_index_holder {
    pthread_mutex_t lock;
    struct pat_index *cur;  /* owned reference, may be NULL; under lock */
    atomic_ulong generation; /* incremented by every swap */
};

/* Start with idx (taken; may be NULL). */
void pat_index_holder_init(struct pat_index_holder *h, struct pat_index *idx);

/* Drop the held index. */
void pat_index_holder_release(struct pat_index_holder *h);

/* A new reference to the current index (NULL when none): pat_index_unref it. */
struct pat_index *pat_index_holder_get(struct pat_index_holder *h);

/* Publish idx (taken) and drop the holder's reference to the previous one. */
void pat_index_swap(struct pat_index_holder *h, struct pat_index *idx);

#endif
