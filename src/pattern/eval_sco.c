/*
 * The evaluator's views of an observation set (eval_int.h): every root SCO
 * of every observation as a struct pat_ev_sco, its top-level properties in
 * a flat array with each `_ref` already resolved in that observation, and
 * the roots grouped by their `type`.
 *
 * Built once per set (pat_obsv_load) and then immutable, so the threads of
 * pat_eval_many share it.  A bracket tests the same few properties of a
 * root once per comparison; finding them by a short scan of the view, and
 * a reference by a pointer, replaces a jansson hash lookup of the key (and
 * of the referenced id) per comparison, which was most of the evaluator's
 * cost on many patterns (bench/pattern_eval_vs_stix2matcher.sh).  The
 * values are the JSON object's own, so the answers are unchanged.
 */
#include "pattern/eval_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"
#include "util/json_arena.h"
#include "util/xalloc.h"

/* key[0..len) ends with the NUL-terminated suffix. */
static bool ends_with(const char *key, size_t len, const char *suffix)
{
    size_t k = strlen(suffix);
    return len >= k && memcmp(key + len - k, suffix, k) == 0;
}

enum pat_ev_suffix pat_ev_suffix_of(const char *key, size_t len)
{
    if (ends_with(key, len, "_ref"))
        return PAT_EV_SFX_REF;
    if (ends_with(key, len, "_refs"))
        return PAT_EV_SFX_REFS;
    if (ends_with(key, len, "_hex"))
        return PAT_EV_SFX_HEX;
    return ends_with(key, len, "_bin") ? PAT_EV_SFX_BIN : PAT_EV_SFX_NONE;
}

json_t *pat_ev_deref(const struct pat_obsv *o, json_t *ref)
{
    json_t *t;

    if (!json_is_string(ref) || !o->by_ref)
        return NULL;
    t = json_object_get(o->by_ref, json_string_value(ref));
    return json_is_object(t) ? t : NULL;
}

/* ---- building the views ------------------------------------------------------ */

/* n bytes (aligned for pointers and sizes) that stay where they are until w is released. */
static void *views_alloc(struct pat_ev_views *w, size_t n)
{
    return json_arena_alloc(&w->mem, n);
}

/* The properties of sco->obj (a JSON object) as a view. */
static void view_props(struct pat_ev_views *w, struct pat_ev_sco *sco)
{
    size_t n = json_object_size(sco->obj);

    sco->prop = views_alloc(w, n ? n * sizeof(*sco->prop) : 1); /* never NULL: an object */
    n = 0;
    for (void *it = json_object_iter(sco->obj); it; it = json_object_iter_next(sco->obj, it)) {
        struct pat_ev_prop *p = &sco->prop[n++];
        p->key = json_object_iter_key(it);
        p->len = (uint32_t)json_object_iter_key_len(it); /* < LIMIT_IMPORT_FILE */
        p->head = pat_ev_key_head(p->key, p->len);
        p->val = json_object_iter_value(it);
        p->sfx = pat_ev_suffix_of(p->key, p->len);
        p->sco = NULL;
        if (p->len == 4 && !memcmp(p->key, "type", 4))
            sco->type = json_string_value(p->val);
    }
    sco->n_prop = n;
}

/* Resolve the `_ref` properties of the views v[0..n) of observation o among themselves. */
static void view_refs(struct pat_ev_sco *v, size_t n, const struct pat_obsv *o)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < v[i].n_prop; j++) {
            struct pat_ev_prop *p = &v[i].prop[j];
            json_t *ref;
            if (p->sfx != PAT_EV_SFX_REF || !(ref = pat_ev_deref(o, p->val)))
                continue;
            for (size_t k = 0; k < n && !p->sco; k++)
                if (v[k].obj == ref)
                    p->sco = &v[k];
        }
    }
}

void pat_ev_views_add(struct pat_ev_views *w, const struct pat_obsv *o, size_t obs)
{
    size_t n = json_is_array(o->roots) ? json_array_size(o->roots) : 0, k;
    struct pat_ev_sco *v;
    json_t *obj;

    if (!n)
        return;
    v = views_alloc(w, n * sizeof(*v));
    if (w->n + n > w->cap) {
        w->cap = w->n + n > 2 * w->cap ? w->n + n : 2 * w->cap;
        w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
    }
    json_array_foreach (o->roots, k, obj) {
        struct pat_ev_sco *sco = &v[k];
        *sco = (struct pat_ev_sco){obs, obj, NULL, NULL, 0};
        if (json_is_object(obj))
            view_props(w, sco);
        w->v[w->n++] = sco;
    }
    view_refs(v, n, o);
}

void pat_ev_views_join(struct pat_ev_views *w, struct pat_ev_views *from)
{
    if (w->n + from->n > w->cap) {
        w->cap = w->n + from->n;
        w->v = xrealloc(w->v, (w->cap ? w->cap : 1) * sizeof(*w->v));
    }
    if (from->n)
        memcpy(w->v + w->n, from->v, from->n * sizeof(*w->v));
    w->n += from->n;
    json_arena_adopt(&w->mem, &from->mem);
    free(from->v);
    memset(from, 0, sizeof(*from));
}

void pat_ev_views_release(struct pat_ev_views *w)
{
    json_arena_release(&w->mem);
    free(w->v);
    memset(w, 0, sizeof(*w));
}

/* ---- roots by type ------------------------------------------------------------ */

#define TYPES_SCAN_MAX 8 /* this many types or fewer: compared in turn, not hashed */

static struct pat_ev_bytype *bytype_of(struct pat_ev_types *t, const char *type)
{
    json_t *at = NULL;
    struct pat_ev_bytype *b;

    if (t->n <= TYPES_SCAN_MAX) { /* the few types of most sets: no hashing of each root's */
        for (size_t i = 0; i < t->n; i++)
            if (!strcmp(t->v[i].type, type))
                return &t->v[i];
    } else if ((at = json_object_get(t->index, type)) != NULL) {
        return &t->v[json_integer_value(at)];
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    json_object_set_new_nocheck(t->index, type, json_integer((json_int_t)t->n));
    b = &t->v[t->n++];
    memset(b, 0, sizeof(*b));
    b->type = type;
    return b;
}

struct pat_ev_types *pat_ev_types_of(struct pat_ev_views *w)
{
    struct pat_ev_types *t = xcalloc(1, sizeof(*t));

    t->index = json_object();
    t->views = *w;
    memset(w, 0, sizeof(*w));
    for (size_t i = 0; i < t->views.n; i++) {
        struct pat_ev_sco *sco = t->views.v[i];
        struct pat_ev_bytype *b;
        if (!sco->type)
            continue; /* no type: no comparison holds on it */
        b = bytype_of(t, sco->type);
        sco->type = b->type; /* the same text, one copy: stays in the cache */
        if (b->n == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 16;
            b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
        }
        b->v[b->n++] = sco;
    }
    return t;
}

struct pat_ev_types *pat_ev_types_new(const struct pat_obsv_set *s)
{
    struct pat_ev_views w = {0};

    for (size_t i = 0; i < s->n; i++)
        pat_ev_views_add(&w, &s->v[i], i);
    return pat_ev_types_of(&w);
}

const struct pat_ev_bytype *pat_ev_types_get(const struct pat_ev_types *t, const char *type)
{
    json_t *at = type ? json_object_get(t->index, type) : NULL;
    return at ? &t->v[json_integer_value(at)] : NULL;
}

void pat_ev_types_free(struct pat_ev_types *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].v);
    free(t->v);
    pat_ev_views_release(&t->views);
    json_decref(t->index);
    free(t);
}
