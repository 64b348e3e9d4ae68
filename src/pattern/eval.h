/*
 * The reference evaluator of STIX 2.1 patterns (STIX 2.1 §9, conformance
 * level 3: every comparison operator, observation AND / OR / FOLLOWEDBY
 * and the WITHIN, REPEATS and START/STOP qualifiers).  It is the meaning
 * of a pattern: the bulk index (compile.c) must agree with it.
 *
 * Input is a set of observations, each one observed-data with the SCOs it
 * observed.  pat_obsv_load builds the set from a STIX bundle, a JSON array
 * of bundles or a JSON array of objects (2.1 object_refs or 2.0 embedded
 * `objects`).  The semantics (domain.md §3.2, docs/patterns.md "Evaluation
 * semantics") follow the OASIS matcher (stix2-matcher) where the
 * specification is silent.
 *
 * Threads: pat_eval, pat_eval_many and pat_eval_cexpr keep all their state on the stack
 * or in memory private to the call (no globals, no caches inside the
 * pattern), so any number of threads may evaluate the same const pattern
 * against the same const observation set at once.
 */
#ifndef CONCORD_PATTERN_EVAL_H
#define CONCORD_PATTERN_EVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern/pattern.h"
#include "util/error.h"

struct pat_ev_types;

/* One observation: one observed-data and the SCOs it observed. */
struct pat_obsv {
    json_t *roots;    /* borrowed: array of the SCOs a bracket may start from (2.1: the objects
                         listed in object_refs; 2.0: the values of the embedded `objects`) */
    json_t *by_ref;   /* borrowed: object mapping id (2.1) or embedded key (2.0) -> SCO, used to
                         follow *_ref / *_refs (2.1: only SCOs listed in object_refs) */
    int64_t first_ns; /* first_observed, ns since the epoch */
    int64_t last_ns;  /* last_observed (>= first_ns) */
    long count;       /* number_observed (>= 1): this observed-data stands for `count`
                         observations with the same interval (as stix2-matcher) */
};

/* The observations of one input document. */
struct pat_obsv_set {
    struct pat_obsv *v; /* owned array of n observations */
    size_t n;
    json_t *owned; /* owned: array holding the roots/by_ref containers built for 2.1 */
    /* owned: the roots grouped by type (eval_int.h), made by pat_obsv_load; NULL in a set
       built by hand (pat_eval then groups them per call) */
    struct pat_ev_types *types;
};

/*
 * Build the observation set of doc: a STIX bundle, a JSON array of bundles,
 * or a JSON array of objects.  Every observed-data in it becomes one
 * pat_obsv; the SCOs of 2.1 object_refs are looked up among all objects of
 * doc (references that resolve nowhere are skipped).  doc is borrowed and
 * must outlive the set.  Returns 0, or ERR_INVALID (err says which
 * observed-data and why: bad or missing first_observed, last_observed
 * before first_observed, number_observed < 1, neither object_refs nor
 * objects).  On error *out is empty (nothing to release, releasing is fine).
 * Also builds the evaluator's views of every root (out->types), the part
 * of a set that makes evaluating many patterns fast.
 */
int pat_obsv_load(json_t *doc, struct pat_obsv_set *out, struct error *err);

/*
 * Parse text[0..len) (borrowed, never modified) into the value
 * json_loadb(text, len, 0, ...) gives, with about a third of its CPU (the strict
 * scanner of jscan.h with jansson's constructors).  NULL when text is not
 * a JSON object or array, or is anything this parser does not take
 * (invalid JSON, but also valid JSON nested past 64 levels or with a number
 * text of 64 bytes or more, "\u0000", integers beyond 64 bits, reals that
 * overflow): the caller then parses with jansson for its value or error.
 * Values are allocated through jansson (an arena if one is current); the
 * result is the caller's reference.  Thread-safe.
 */
json_t *pat_json_parse(const char *text, size_t len);

/*
 * As pat_json_parse for the rest of a top-level array after one of its
 * commas: text[0..len) holds one or more elements separated by commas,
 * then ']' and blanks.  Appends the elements to arr (borrowed); 0, or -1
 * when the text is not that (arr then holds some of them).
 */
int pat_json_parse_tail(const char *text, size_t len, json_t *arr);

/* Free what the set owns (not doc); s is left empty.  NULL is fine. */
void pat_obsv_set_release(struct pat_obsv_set *s);

/*
 * True when the whole pattern matches the observation set: a backtracking
 * search binds each bracket to a distinct observation so that every
 * observation operator and qualifier holds.  Time rules (stix2-matcher's,
 * exact for first == last): A FOLLOWEDBY B when max first_observed(A) <=
 * min last_observed(B); WITHIN x when max first - min last <= x seconds
 * (boundary included); START s STOP t when every first < t and last >= s.
 * The search is bounded (PAT_EVAL_WORK_MAX steps, PAT_EVAL_BINDING_MAX
 * observations in one binding): past a bound it logs a warning and returns
 * false.
 * Thread-safe (see above).
 */
bool pat_eval(const struct pattern *p, const struct pat_obsv_set *s);

/*
 * out[k] = pat_eval(p[k], s) for k < n (false for a NULL p[k]), the same
 * answers, faster: the brackets of many patterns are tested together, one
 * root SCO after the other.  Borrowed arguments; thread-safe like pat_eval.
 */
void pat_eval_many(const struct pattern *const *p, size_t n, const struct pat_obsv_set *s,
                   bool *out);

/*
 * One bracket against one observation: true when some SCO of o->roots
 * satisfies every comparison of c (AND needs the same root; OR may use
 * different roots).  Regular expressions are compiled per call.
 * Thread-safe.
 */
bool pat_eval_cexpr(const struct pat_cexpr *c, const struct pat_obsv *o);

#define PAT_EVAL_WORK_MAX 20000000L /* search steps before pat_eval gives up */
#define PAT_EVAL_BINDING_MAX 1024L  /* observations one binding may need */

#endif
