/*
 * Envelope splitting and JSON minifying (see envelope.h).
 *
 * Both walk the text once, tracking only whether the cursor is inside a
 * string; they rely on the caller having validated the JSON, so they never
 * run past the end even on garbage (every loop is bounded by len) but may
 * return meaningless spans for invalid input.
 */
#include "stix/envelope.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* i at the opening quote; returns index just past the closing quote. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return len;
}

/* i at the first byte of a value; returns index just past it. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len;
    if (t[i] == '"')
        return skip_string(t, len, i);
    if (t[i] != '{' && t[i] != '[') {
        while (i < len && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' &&
               t[i] != '\n' && t[i] != '\t' && t[i] != '\r')
            i++;
        return i;
    }
    int depth = 0;
    for (; i < len; i++) {
        char c = t[i];
        if (c == '"') {
            i = skip_string(t, len, i) - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return len;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * True if the key t[i..end) (i at its opening quote, end just past the
 * closing one) is "objects" once decoded: a key may be written with
 * escapes ("obj\u0065cts") and is still the same key for a JSON parser.
 */
static bool key_is_objects(const char *t, size_t i, size_t end)
{
    static const char want[] = "objects";
    size_t k = 0;
    for (i++; i + 1 < end; i++) {
        unsigned c = (unsigned char)t[i];
        if (c == '\\' && i + 2 < end && t[i + 1] == 'u') {
            if (i + 6 >= end) /* four hex digits before the closing quote */
                return false;
            c = 0;
            for (size_t d = i + 2; d < i + 6; d++) {
                int h = hex_digit(t[d]);
                if (h < 0)
                    return false;
                c = c * 16 + (unsigned)h;
            }
            i += 5;
        } else if (c == '\\') {
            return false; /* other escapes never decode to a letter */
        }
        if (k == sizeof(want) - 1 || c != (unsigned char)want[k])
            return false;
        k++;
    }
    return k == sizeof(want) - 1;
}

static int split_array(const char *t, size_t len, size_t i, struct stix_span **spans, size_t *n)
{
    size_t cap = 64, count = 0;
    struct stix_span *out = xmalloc(cap * sizeof(*out));
    i = skip_ws(t, len, i + 1);
    while (i < len && t[i] != ']') {
        size_t end = skip_value(t, len, i);
        if (count == cap) {
            cap *= 2;
            out = xrealloc(out, cap * sizeof(*out));
        }
        out[count].off = i;
        out[count].len = end - i;
        count++;
        i = skip_ws(t, len, end);
        if (i < len && t[i] == ',')
            i = skip_ws(t, len, i + 1);
    }
    *spans = out;
    *n = count;
    return 0;
}

int stix_envelope_split(const char *t, size_t len, struct stix_span **spans, size_t *n,
                        struct error *err)
{
    *spans = NULL;
    *n = 0;
    size_t i = skip_ws(t, len, 0);
    if (i >= len || t[i] != '{')
        return error_set(err, ERR_INVALID, "the body is not a JSON object");
    i = skip_ws(t, len, i + 1);
    while (i < len && t[i] == '"') {
        size_t kend = skip_string(t, len, i);
        bool is_objects = key_is_objects(t, i, kend);
        i = skip_ws(t, len, kend);
        i = skip_ws(t, len, i + 1); /* past ':' */
        if (is_objects) {
            if (i >= len || t[i] != '[')
                return error_set_at(err, ERR_INVALID, "objects", -1, "'objects' is not a list");
            return split_array(t, len, i, spans, n);
        }
        i = skip_ws(t, len, skip_value(t, len, i));
        if (i < len && t[i] == ',')
            i = skip_ws(t, len, i + 1);
    }
    return 0;
}

size_t stix_json_minify(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '"') {
            size_t end = skip_string(in, len, i);
            memcpy(out + o, in + i, end - i);
            o += end - i;
            i = end - 1;
        } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            out[o++] = c;
        }
    }
    return o;
}
