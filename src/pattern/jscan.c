/*
 * Strict allocation-free JSON scanner (see jscan.h).  The log readers call
 * it once per line, so the hot paths are string bodies and skipping: a
 * string body is scanned eight bytes at a time (SWAR) until a quote,
 * backslash, control byte or non-ASCII byte shows up, and only those take
 * the slow per-byte path.  Skipping recurses once per nesting level,
 * bounded by PAT_JSCAN_DEPTH.
 *
 * Invariant: j->p never passes j->end; once j->err is set, every call
 * returns -1 without moving.
 */
#include "pattern/jscan.h"

#include <string.h>

#include "util/error.h"
#include "util/utf8.h"
#include "util/hex.h"

static int fail(struct pat_jscan *j)
{
    j->err = ERR_INVALID;
    return -1;
}

void pat_jscan_init(struct pat_jscan *j, char *s, size_t len)
{
    j->p = s;
    j->start = s;
    j->end = s + len;
    j->depth = 0;
    j->err = 0;
}

static inline void skip_ws(struct pat_jscan *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    uint32_t cp;
    return utf8_decode(s, n, &cp);
}

/* The 4 hex digits at p (room checked by the caller), or -1. */
static long hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_digit((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

/* Check the escape at p (just after the backslash); returns bytes consumed after '\\', 0 if bad. */
static size_t check_escape(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    switch (*p) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return 1;
    case 'u':
        break;
    default:
        return 0;
    }
    if (end - p < 5)
        return 0;
    long u = hex4(p + 1);
    if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF))
        return 0;
    if (u < 0xD800 || u > 0xDBFF)
        return 5;
    /* A high surrogate must be followed by \u and a low surrogate. */
    if (end - p < 11 || p[5] != '\\' || p[6] != 'u')
        return 0;
    long lo = hex4(p + 7);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    return 11;
}

/* Does the 8-byte word hold a '"', '\\', a byte < 0x20 or a byte >= 0x80? */
static inline bool word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
    uint64_t ctl = (w - ones * 0x20) & ~w;
    return ((zq | zb | ctl) & high) != 0 || (w & high) != 0;
}

/* Bytes that end the fast path of a string body: '"', '\\', controls, non-ASCII. */
static const unsigned char str_special[256] = {
    [0 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 1,
};

/* Scan a string body from just after its opening quote; j->p ends after the closing quote. */
static int scan_string(struct pat_jscan *j, struct pat_jstr *out)
{
    char *p = j->p, *end = j->end;
    out->s = p;
    out->esc = false;
    for (;;) {
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (word_special(w))
                break;
            p += 8;
        }
        while (p < end && !str_special[(unsigned char)*p])
            p++;
        if (p >= end)
            return fail(j);
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            size_t n = check_escape(p + 1, end);
            if (!n)
                return fail(j);
            out->esc = true;
            p += 1 + n;
        } else if (c < 0x20) {
            return fail(j);
        } else if (c >= 0x80) {
            size_t n = utf8_seq((const unsigned char *)p, (size_t)(end - p));
            if (!n)
                return fail(j);
            p += n;
        } else {
            p++;
        }
    }
    out->len = (size_t)(p - out->s);
    j->p = p + 1;
    return 0;
}

int pat_jscan_string(struct pat_jscan *j, struct pat_jstr *out)
{
    if (pat_jscan_peek(j) != '"')
        return fail(j);
    j->p++;
    return scan_string(j, out);
}

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

int pat_jscan_number(struct pat_jscan *j, const char **s, size_t *len)
{
    if (pat_jscan_peek(j) < 0)
        return fail(j);
    char *p = j->p, *end = j->end;
    *s = p;
    if (p < end && *p == '-')
        p++;
    if (!is_digit(p, end))
        return fail(j);
    if (*p == '0')
        p++;
    else
        while (is_digit(p, end))
            p++;
    if (p < end && *p == '.') {
        p++;
        if (!is_digit(p, end))
            return fail(j);
        while (is_digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return fail(j);
        while (is_digit(p, end))
            p++;
    }
    *len = (size_t)(p - *s);
    j->p = p;
    return 0;
}

int pat_jscan_int(struct pat_jscan *j, int64_t *out, bool *is_int)
{
    const char *s;
    size_t len;
    if (pat_jscan_number(j, &s, &len))
        return -1;
    size_t i = s[0] == '-';
    int64_t v = 0;
    *is_int = len - i <= 18;
    for (; i < len && *is_int; i++) {
        if (s[i] < '0' || s[i] > '9')
            *is_int = false;
        else
            v = v * 10 + (s[i] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return 0;
}

static int literal(struct pat_jscan *j, const char *lit, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return fail(j);
    j->p += n;
    return 0;
}

int pat_jscan_obj_begin(struct pat_jscan *j)
{
    if (pat_jscan_peek(j) != '{' || j->depth >= PAT_JSCAN_DEPTH)
        return fail(j);
    j->p++;
    j->depth++;
    return 0;
}

int pat_jscan_arr_begin(struct pat_jscan *j)
{
    if (pat_jscan_peek(j) != '[' || j->depth >= PAT_JSCAN_DEPTH)
        return fail(j);
    j->p++;
    j->depth++;
    return 0;
}

/* Shared by obj_next/arr_next: handle ',' and the closing bracket. 1 more, 0 closed, -1. */
static int next_elem(struct pat_jscan *j, int *i, char close)
{
    int c = pat_jscan_peek(j);
    if (c < 0)
        return fail(j);
    if (c == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    if (*i > 0) {
        if (c != ',')
            return fail(j);
        j->p++;
        if (pat_jscan_peek(j) == close)
            return fail(j); /* trailing comma */
    }
    (*i)++;
    return 1;
}

int pat_jscan_obj_next(struct pat_jscan *j, int *i, struct pat_jstr *key)
{
    int r = next_elem(j, i, '}');
    if (r <= 0)
        return r;
    if (pat_jscan_string(j, key) || pat_jscan_peek(j) != ':')
        return fail(j);
    j->p++;
    return 1;
}

int pat_jscan_arr_next(struct pat_jscan *j, int *i)
{
    return next_elem(j, i, ']');
}

int pat_jscan_skip(struct pat_jscan *j)
{
    struct pat_jstr s;
    const char *ns;
    size_t nl;
    int i = 0, r;
    switch (pat_jscan_peek(j)) {
    case '"':
        return pat_jscan_string(j, &s);
    case '{':
        if (pat_jscan_obj_begin(j))
            return -1;
        while ((r = pat_jscan_obj_next(j, &i, &s)) > 0)
            if (pat_jscan_skip(j))
                return -1;
        return r;
    case '[':
        if (pat_jscan_arr_begin(j))
            return -1;
        while ((r = pat_jscan_arr_next(j, &i)) > 0)
            if (pat_jscan_skip(j))
                return -1;
        return r;
    case 't':
        return literal(j, "true", 4);
    case 'f':
        return literal(j, "false", 5);
    case 'n':
        return literal(j, "null", 4);
    default:
        return pat_jscan_number(j, &ns, &nl);
    }
}

int pat_jscan_finish(struct pat_jscan *j)
{
    if (j->err)
        return -1;
    skip_ws(j);
    if (j->p != j->end || j->depth != 0)
        return fail(j);
    return 0;
}

/* Write code point cp as UTF-8 at d; returns bytes written. */
static size_t put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static char simple_escape(char c)
{
    switch (c) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return c; /* '"', '\\', '/' */
    }
}

size_t pat_jstr_decode(struct pat_jstr *s)
{
    if (!s->esc)
        return s->len;
    char *r = s->s, *end = s->s + s->len, *w = s->s;
    while (r < end) {
        if (*r != '\\') {
            *w++ = *r++;
            continue;
        }
        if (r[1] != 'u') {
            *w++ = simple_escape(r[1]);
            r += 2;
            continue;
        }
        unsigned long cp = (unsigned long)hex4(r + 2);
        r += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* checked pair: \uD8xx\uDCxx */
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)hex4(r + 2) - 0xDC00);
            r += 6;
        }
        w += put_utf8(w, cp);
    }
    s->len = (size_t)(w - s->s);
    s->esc = false;
    return s->len;
}
