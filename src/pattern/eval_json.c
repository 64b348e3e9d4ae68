/*
 * A faster way to jansson values for the evaluator's input (`concord
 * pattern eval`): the strict scanner of jscan.h walks the text and the
 * values are built with jansson's constructors, without jansson's lexer
 * (a byte-at-a-time stream with a string buffer), which was most of the
 * cost of loading an observations file (bench/pattern_eval_vs_stix2matcher.sh).
 *
 * The result is the value json_loadb(text, len, 0) gives: same types and
 * numbers (strtoll / strtod, as jansson), decoded strings, members in
 * document order, a repeated key's last value in its first place
 * (json_object_setn_new_nocheck, as jansson's parser).  Whatever this
 * scanner accepts jansson accepts too; the reverse does not hold (nesting
 * past PAT_JSCAN_DEPTH, long numbers), so on any failure the caller parses
 * again with jansson, for the same value or jansson's error message.
 */
#include "pattern/eval.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/jscan.h"
#include "util/banned.h"
#include "util/xalloc.h"

#define NUMBER_MAX 64 /* longer number texts: left to jansson */

struct builder {
    struct pat_jscan j;
    char *tmp; /* owned: scratch for strings with escapes */
    size_t cap;
};

static json_t *build_value(struct builder *b);

/*
 * s itself, or decoded into b->tmp when it has escapes; NULL when it holds
 * U+0000 (jansson refuses it without JSON_ALLOW_NUL; raw control bytes never
 * pass the scanner).
 */
static const char *decoded(struct builder *b, struct pat_jstr *s)
{
    if (!s->esc)
        return s->s;
    if (s->len + 1 > b->cap) {
        b->cap = s->len + 1;
        b->tmp = xrealloc(b->tmp, b->cap);
    }
    memcpy(b->tmp, s->s, s->len);
    s->s = b->tmp;
    pat_jstr_decode(s);
    return memchr(s->s, '\0', s->len) ? NULL : s->s;
}

static json_t *build_string(struct builder *b)
{
    struct pat_jstr s;
    const char *v;

    if (pat_jscan_string(&b->j, &s) != 0 || !(v = decoded(b, &s)))
        return NULL;
    return json_stringn_nocheck(v, s.len);
}

/* An integer (no fraction or exponent) as strtoll, else a real as strtod; NULL past range. */
static json_t *build_number(struct builder *b)
{
    char text[NUMBER_MAX];
    const char *s;
    size_t len;

    if (pat_jscan_number(&b->j, &s, &len) != 0 || len >= sizeof(text))
        return NULL;
    memcpy(text, s, len);
    text[len] = '\0';
    errno = 0;
    if (!strpbrk(text, ".eE")) {
        long long v = strtoll(text, NULL, 10);
        return errno == ERANGE ? NULL : json_integer((json_int_t)v);
    }
    double d = strtod(text, NULL);
    return errno == ERANGE && isinf(d) ? NULL : json_real(d);
}

/* A key: borrowed from the text, or a copy when it has escapes (b->tmp is reused by values). */
static char *build_key(struct builder *b, struct pat_jstr *k)
{
    const char *v = decoded(b, k);

    if (!v)
        return NULL;
    return k->s == b->tmp ? xstrndup(v, k->len) : (char *)v;
}

static json_t *build_object(struct builder *b)
{
    json_t *o = json_object(), *v;
    struct pat_jstr k;
    char *key;
    int i = 0, r;

    if (pat_jscan_obj_begin(&b->j) != 0) {
        json_decref(o);
        return NULL;
    }
    while ((r = pat_jscan_obj_next(&b->j, &i, &k)) > 0) {
        bool copied = k.esc;
        if (!(key = build_key(b, &k)) || !(v = build_value(b)) ||
            json_object_setn_new_nocheck(o, key, k.len, v) != 0)
            r = -1;
        if (copied)
            free(key);
        if (r < 0)
            break;
    }
    return r == 0 ? o : (json_decref(o), NULL);
}

/* The elements of an open array (after '[', or after a comma with i = 1) into a. 0 or -1. */
static int build_elements(struct builder *b, json_t *a, int i)
{
    json_t *v;
    int r;

    while ((r = pat_jscan_arr_next(&b->j, &i)) > 0)
        if (!(v = build_value(b)) || json_array_append_new(a, v) != 0)
            return -1;
    return r;
}

static json_t *build_array(struct builder *b)
{
    json_t *a = json_array();

    if (pat_jscan_arr_begin(&b->j) != 0 || build_elements(b, a, 0) != 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *build_value(struct builder *b)
{
    switch (pat_jscan_peek(&b->j)) {
    case '{':
        return build_object(b);
    case '[':
        return build_array(b);
    case '"':
        return build_string(b);
    case 't':
        return pat_jscan_skip(&b->j) == 0 ? json_true() : NULL;
    case 'f':
        return pat_jscan_skip(&b->j) == 0 ? json_false() : NULL;
    case 'n':
        return pat_jscan_skip(&b->j) == 0 ? json_null() : NULL;
    case -1:
        return NULL;
    default:
        return build_number(b);
    }
}

json_t *pat_json_parse(const char *text, size_t len)
{
    struct builder b = {.tmp = NULL};
    json_t *doc = NULL;
    int c;

    pat_jscan_init(&b.j, (char *)text, len); /* never decoded in place: text stays as it is */
    c = pat_jscan_peek(&b.j);
    if (c == '{' || c == '[')
        doc = build_value(&b);
    if (doc && pat_jscan_finish(&b.j) != 0) {
        json_decref(doc);
        doc = NULL;
    }
    free(b.tmp);
    return doc;
}

int pat_json_parse_tail(const char *text, size_t len, json_t *arr)
{
    struct builder b = {.tmp = NULL};
    int r = -1;

    pat_jscan_init(&b.j, (char *)text, len);
    b.j.depth = 1; /* inside the array whose first elements were parsed elsewhere */
    if (pat_jscan_peek(&b.j) != ']' && build_elements(&b, arr, 0) == 0)
        r = pat_jscan_finish(&b.j);
    free(b.tmp);
    return r;
}
