/*
 * libFuzzer target for pat_indicators_scan (src/pattern/indicators.c), the
 * tree-less reader of indicator files for `concord match --indicators`.
 * Invariants: spans handed to the callback lie inside the input; a
 * failure is ERR_INVALID with an offset inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/indicators.h"

struct bounds {
    const char *lo, *hi;
};

static void inside(const struct bounds *b, const char *s, size_t n)
{
    if (s && (s < b->lo || s + n > b->hi))
        abort();
}

static int check(void *ctx, const struct pat_indicator_in *in)
{
    const struct bounds *b = ctx;
    inside(b, in->id, in->id_len);
    inside(b, in->pattern, in->pattern_len);
    if (in->pattern_type && in->pattern_type[0])
        inside(b, in->pattern_type, in->pattern_type_len);
    inside(b, in->valid_from, in->valid_from_len);
    inside(b, in->valid_until, in->valid_until_len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    struct bounds b = {text, text + size};
    struct error err;
    error_clear(&err);
    size_t objects = 0;
    int r = pat_indicators_scan(text, size, check, &b, &objects, &err);
    if (r != 0 && (r != ERR_INVALID || err.offset < 0 || (size_t)err.offset > size))
        abort();
    free(text);
    return 0;
}
