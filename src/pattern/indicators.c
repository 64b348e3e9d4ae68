/*
 * pat_indicators_scan (indicators.h): a cursor over the document with the
 * strict scanner; only indicator objects are looked into, every other
 * value is skipped (and still checked).
 */
#include "pattern/indicators.h"

#include <string.h>

#include "pattern/jscan.h"
#include "util/banned.h"

struct scan {
    struct pat_jscan j;
    pat_indicator_fn fn;
    void *ctx;
    size_t *objects;
};

/* A string value into (s, n), decoded; false (value consumed) when it is not a string. */
static bool string_value(struct scan *sc, const char **s, size_t *n)
{
    if (pat_jscan_peek(&sc->j) != '"')
        return pat_jscan_skip(&sc->j), false;
    struct pat_jstr v;
    if (pat_jscan_string(&sc->j, &v) != 0)
        return false;
    *n = v.esc ? pat_jstr_decode(&v) : v.len;
    *s = v.s;
    return true;
}

static void member(struct scan *sc, const struct pat_jstr *k, struct pat_indicator_in *in,
                   bool *is_indicator)
{
    const char *s;
    size_t n;
    if (PAT_JSTR_IS(k, "type")) {
        *is_indicator = string_value(sc, &s, &n) && n == 9 && memcmp(s, "indicator", 9) == 0;
    } else if (PAT_JSTR_IS(k, "id")) {
        if (!string_value(sc, &in->id, &in->id_len))
            in->id = NULL;
    } else if (PAT_JSTR_IS(k, "pattern")) {
        if (!string_value(sc, &in->pattern, &in->pattern_len))
            in->pattern = NULL;
    } else if (PAT_JSTR_IS(k, "pattern_type")) {
        if (!string_value(sc, &in->pattern_type, &in->pattern_type_len))
            in->pattern_type = "";
    } else if (PAT_JSTR_IS(k, "valid_from")) {
        if (!string_value(sc, &in->valid_from, &in->valid_from_len))
            in->valid_from = NULL;
    } else if (PAT_JSTR_IS(k, "valid_until")) {
        if (!string_value(sc, &in->valid_until, &in->valid_until_len))
            in->valid_until = NULL;
    } else if (PAT_JSTR_IS(k, "revoked")) {
        in->revoked = pat_jscan_peek(&sc->j) == 't';
        pat_jscan_skip(&sc->j);
    } else {
        pat_jscan_skip(&sc->j);
    }
}

/* One STIX object (the cursor is on its '{'). */
static int object(struct scan *sc)
{
    struct pat_indicator_in in;
    memset(&in, 0, sizeof(in));
    bool is_indicator = false;
    struct pat_jstr k;
    int i = 0, r;
    if (pat_jscan_obj_begin(&sc->j) != 0)
        return -1;
    while ((r = pat_jscan_obj_next(&sc->j, &i, &k)) == 1)
        member(sc, &k, &in, &is_indicator);
    if (r < 0)
        return -1;
    (*sc->objects)++;
    if (!is_indicator || !in.id || !in.pattern || memchr(in.id, 0, in.id_len))
        return 0;
    return sc->fn(sc->ctx, &in);
}

static int objects_array(struct scan *sc)
{
    int i = 0, r, stop = 0;
    if (pat_jscan_arr_begin(&sc->j) != 0)
        return -1;
    while (!stop && (r = pat_jscan_arr_next(&sc->j, &i)) == 1)
        stop = pat_jscan_peek(&sc->j) == '{' ? object(sc) : pat_jscan_skip(&sc->j);
    return stop ? stop : r < 0 ? -1 : 0;
}

/* A bundle or envelope: its "objects" array; other members skipped. */
static int container(struct scan *sc)
{
    struct pat_jstr k;
    int i = 0, r, stop = 0;
    if (pat_jscan_obj_begin(&sc->j) != 0)
        return -1;
    while (!stop && (r = pat_jscan_obj_next(&sc->j, &i, &k)) == 1) {
        if (PAT_JSTR_IS(&k, "objects") && pat_jscan_peek(&sc->j) == '[')
            stop = objects_array(sc);
        else
            stop = pat_jscan_skip(&sc->j);
    }
    return stop ? stop : r < 0 ? -1 : 0;
}

/* A top-level array: of objects, or of bundles (objects holding "objects"). */
static int top_array(struct scan *sc)
{
    int i = 0, r, stop = 0;
    if (pat_jscan_arr_begin(&sc->j) != 0)
        return -1;
    while (!stop && (r = pat_jscan_arr_next(&sc->j, &i)) == 1) {
        if (pat_jscan_peek(&sc->j) != '{') {
            stop = pat_jscan_skip(&sc->j);
            continue;
        }
        /* a bundle is told by a first member "type": "bundle" or "objects" */
        char *mark = sc->j.p;
        int depth = sc->j.depth;
        struct pat_jscan probe = sc->j;
        struct pat_jstr k;
        int pi = 0;
        bool bundle = false;
        if (pat_jscan_obj_begin(&probe) == 0) {
            while (!bundle && pat_jscan_obj_next(&probe, &pi, &k) == 1) {
                struct pat_jstr v; /* compared raw: the probe must not decode in place */
                bundle = PAT_JSTR_IS(&k, "objects") ||
                         (PAT_JSTR_IS(&k, "type") && pat_jscan_peek(&probe) == '"' &&
                          pat_jscan_string(&probe, &v) == 0 && PAT_JSTR_IS(&v, "bundle"));
                if (!bundle && !PAT_JSTR_IS(&k, "type") && pat_jscan_skip(&probe) != 0)
                    break;
                if (!bundle && PAT_JSTR_IS(&k, "type"))
                    break; /* an object's type that is not "bundle": a STIX object */
            }
        }
        sc->j.p = mark;
        sc->j.depth = depth;
        stop = bundle ? container(sc) : object(sc);
    }
    return stop ? stop : r < 0 ? -1 : 0;
}

int pat_indicators_scan(char *text, size_t len, pat_indicator_fn fn, void *ctx, size_t *objects,
                        struct error *err)
{
    struct scan sc = {.fn = fn, .ctx = ctx, .objects = objects};
    *objects = 0;
    pat_jscan_init(&sc.j, text, len);
    int c = pat_jscan_peek(&sc.j);
    int r = c == '{' ? container(&sc) : c == '[' ? top_array(&sc) : -1;
    if (r == 0 && pat_jscan_finish(&sc.j) != 0)
        r = -1;
    if (r == -1 || sc.j.err)
        return error_set_at(err, ERR_INVALID, "", (long)(sc.j.p - sc.j.start),
                            "not a STIX bundle, envelope or array of objects: invalid at byte %ld",
                            (long)(sc.j.p - sc.j.start));
    return r;
}
