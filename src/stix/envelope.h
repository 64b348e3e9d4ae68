/*
 * Splitting a TAXII envelope or a STIX bundle into the raw text of each
 * object, so the store can keep each object's JSON exactly as received
 * (only insignificant whitespace removed) instead of re-serializing it.
 *
 * The input must already be known to be valid JSON (the caller parses it
 * with jansson first); this scanner does not re-check syntax.
 */
#ifndef CONCORD_STIX_ENVELOPE_H
#define CONCORD_STIX_ENVELOPE_H

#include <stddef.h>

#include "util/error.h"

struct stix_span {
    size_t off; /* byte offset of the object's '{' in the input */
    size_t len; /* bytes up to and including its '}' */
};

/*
 * Find the elements of the top-level "objects" array of the JSON object in
 * text[0..len).  On success *spans (heap, caller frees) holds *n spans in
 * array order; *n is 0 (and *spans NULL) when there is no "objects" member.
 * Returns 0, or ERR_INVALID when the top level is not an object or
 * "objects" is not an array.
 */
int stix_envelope_split(const char *text, size_t len, struct stix_span **spans, size_t *n,
                        struct error *err);

/*
 * Copy in[0..len) to out without whitespace outside strings; out needs len
 * bytes.  Returns the number of bytes written.  Input must be valid JSON.
 */
size_t stix_json_minify(const char *in, size_t len, char *out);

#endif
