/*
 * Correlation across organisations: the observable values that indicators
 * name with equality (pattern/values.h), kept per stored indicator version
 * so the node knows when indicators of different organisations share a
 * value.  The back end indexes them in batches after ingest
 * (store_corr_catch_up: `concord serve` every few seconds, `concord
 * correlate` before it answers), stores at most LIMIT_CORR_PER_VALUE
 * indicators per value and only counts the rest, so a common value cannot
 * blow up storage.
 */
#ifndef CONCORD_STORE_CORR_H
#define CONCORD_STORE_CORR_H

#include <jansson.h>

#include "store/store.h"

/* An equality value of an indicator's pattern. */
struct store_corr_value {
    const char *path;            /* canonical object path, e.g. "ipv4-addr:value" */
    const char *value;
};

/* The values of one object: v[] and the strings they point to are owned. */
struct store_corr_set {
    struct store_corr_value *v;
    size_t n;
    char *pool; /* the path and value strings, NUL-separated */
};

/*
 * Fill out with the equality values of obj when it is an indicator whose
 * pattern is STIX patterning (pattern_type "stix", or absent in STIX 2.0);
 * anything else, or a pattern that does not parse, gives an empty set.
 * Returns 0 (out may be empty); out needs store_corr_set_release.
 */
int store_corr_extract(json_t *obj, struct store_corr_set *out);

/* The same from a pattern's text. */
int store_corr_extract_pattern(const char *pattern, size_t len, struct store_corr_set *out);

/* The same from a stored object's JSON text (body[0..len)). */
int store_corr_extract_pattern_of_body(const char *body, size_t len, struct store_corr_set *out);

void store_corr_set_release(struct store_corr_set *s);

/*
 * `concord serve`'s worker: a thread with its own connection to the
 * database at db_path, catching up every two seconds.  Returns 0 and *out,
 * or the store's error.  _stop wakes, joins and frees it (NULL is fine).
 */
struct store_corr_worker;
int store_corr_worker_start(const char *db_path, struct store_corr_worker **out,
                            struct error *err);
void store_corr_worker_stop(struct store_corr_worker *w);

/* 64-bit key of (path, value): what the back end groups on. */
uint64_t store_corr_hash(const char *path, const char *value);

#endif
