/*
 * Reading the indicators out of a large STIX document without building a
 * tree: `concord match --indicators` loads a million indicators, where a
 * full jansson DOM costs several seconds and gigabytes.  One strict pass
 * of the JSON scanner (jscan.c) checks the whole document and picks the
 * few properties matching needs.
 */
#ifndef CONCORD_PATTERN_INDICATORS_H
#define CONCORD_PATTERN_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* One indicator; every span points into the (decoded in place) input. */
struct pat_indicator_in {
    const char *id;            /* NUL-free; id_len bytes */
    size_t id_len;
    const char *pattern;       /* unescaped */
    size_t pattern_len;
    const char *pattern_type;  /* NULL when absent (STIX 2.0) */
    size_t pattern_type_len;
    const char *valid_from;    /* NULL when absent */
    size_t valid_from_len;
    const char *valid_until;   /* NULL when absent */
    size_t valid_until_len;
    bool revoked;
};

/* Called per object of type "indicator" that has a string id and pattern; > 0 stops. */
typedef int (*pat_indicator_fn)(void *ctx, const struct pat_indicator_in *in);

/*
 * Walk text[0..len) (writable: escapes are decoded in place): a STIX
 * bundle or TAXII envelope ({"objects": [...]}), a JSON array of objects,
 * or a JSON array of bundles.  *objects counts the objects seen.  Returns
 * 0, what fn returned when it stopped, or ERR_INVALID with err giving the
 * byte offset where the document stops being valid JSON or the expected
 * shape.
 */
int pat_indicators_scan(char *text, size_t len, pat_indicator_fn fn, void *ctx, size_t *objects,
                        struct error *err);

#endif
