/*
 * libFuzzer target for src/stix/envelope.c: splitting an envelope or
 * bundle into the raw text of each object, and minifying JSON.
 *
 * Both functions trust the caller to have parsed the text first, so only
 * inputs jansson accepts (duplicate keys rejected, as ingest does) are
 * passed on.  Checked, abort() on violation:
 * - the split finds exactly json_array_size("objects") spans when that is
 *   an array, ERR_INVALID when "objects" is something else or the top
 *   level is not an object, none when there is no "objects";
 * - each span parses to a value equal to its array element;
 * - the minified text is no longer than the input and parses to a value
 *   equal to the input's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stix/envelope.h"
#include "util/error.h"
#include "fuzz_check.h"

static void check_split(const char *text, size_t len, json_t *root)
{
    struct stix_span *spans = NULL;
    size_t n = 0;
    struct error err;
    json_error_t jerr;

    error_clear(&err);
    int r = stix_envelope_split(text, len, &spans, &n, &err);
    json_t *objs = json_object_get(root, "objects");
    if (!json_is_object(root) || (objs && !json_is_array(objs))) {
        CHECK(r == ERR_INVALID && err.code == ERR_INVALID);
        CHECK(n == 0 && spans == NULL);
        return;
    }
    CHECK(r == 0 && err.code == 0);
    CHECK(n == json_array_size(objs));
    for (size_t i = 0; i < n; i++) {
        CHECK(spans[i].off < len && spans[i].len <= len - spans[i].off);
        json_t *v = json_loadb(text + spans[i].off, spans[i].len, JSON_DECODE_ANY, &jerr);
        CHECK(v != NULL);
        CHECK(json_equal(v, json_array_get(objs, i)));
        json_decref(v);
    }
    free(spans);
}

static void check_minify(const char *text, size_t len, json_t *root)
{
    json_error_t jerr;
    char *out = malloc(len ? len : 1);
    size_t n = stix_json_minify(text, len, out);
    CHECK(n <= len);
    json_t *again = json_loadb(out, n, JSON_REJECT_DUPLICATES, &jerr);
    CHECK(again != NULL);
    CHECK(json_equal(root, again));
    json_decref(again);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    json_error_t jerr;
    json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return 0;
    check_split(text, size, root);
    check_minify(text, size, root);
    json_decref(root);
    return 0;
}
