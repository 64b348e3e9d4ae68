/*
 * The observation set of the reference evaluator: turns a STIX document
 * (a bundle, a JSON array of bundles, or a JSON array of objects) into one
 * struct pat_obsv per observed-data (STIX 2.1 §4.14 observed-data).
 *
 * 2.1 observed-data name their SCOs in object_refs: the roots of a bracket
 * are exactly those objects, looked up among every object of the document,
 * and only they can be reached through *_ref / *_refs (domain.md §3.2
 * item 11).  2.0 observed-data embed their objects in a dictionary keyed
 * "0", "1", ...: the roots are its values and references name its keys.
 *
 * The set borrows the document; the arrays and dictionaries built for 2.1
 * are held (with references to the borrowed SCOs) in set->owned.  The
 * document's objects and the table of their ids are plain C arrays for the
 * time of pat_obsv_load (jansson containers were most of its cost).
 *
 * Speed (bench/pattern_eval_vs_stix2matcher.sh): reading the set is
 * mostly cache misses, so members are read in one pass over an object
 * (members) rather than hashed in turn, and the evaluator's views of an
 * observation's roots (eval_sco.c) are made right after it is loaded,
 * while its SCOs are in the cache.  (Loading the two halves on two
 * threads gained nothing measurable: page faults dominate the rest.)
 */
#include "pattern/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/eval_int.h"
#include "stix/timestamp.h"
#include "util/banned.h"
#include "util/xalloc.h"

/*
 * out[i] = json_object_get(o, names[i]) for i < n, all NULL when o is no
 * object, in one pass over o's members: they lie together, in document
 * order, where the parser put them, while each json_object_get hashes its
 * key and jumps to a bucket (cache misses were most of building the set).
 */
static void members(json_t *o, const char *const *names, size_t n, json_t **out)
{
    size_t found = 0;

    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    for (void *it = json_object_iter(o); it && found < n; it = json_object_iter_next(o, it)) {
        const char *key = json_object_iter_key(it);
        size_t len = json_object_iter_key_len(it);
        for (size_t i = 0; i < n; i++) {
            if (!out[i] && strlen(names[i]) == len && memcmp(names[i], key, len) == 0) {
                out[i] = json_object_iter_value(it);
                found++;
                break;
            }
        }
    }
}

/* v is the JSON string type. */
static bool is_text(json_t *v, const char *type)
{
    const char *t = json_string_value(v);
    return t && !strcmp(t, type);
}

/* The objects of a document, in document order (borrowed). */
struct objs {
    json_t **v; /* owned array */
    size_t n, cap;
};

static void objs_push(struct objs *a, json_t *o)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 256;
        a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = o;
}

/* Append the objects of doc (bundle, array of bundles, array of objects) to all. */
static void collect_objects(json_t *doc, struct objs *all)
{
    static const char *const names[] = {"type", "objects"};
    json_t *v, *m[2];
    size_t i;

    if (json_is_array(doc)) {
        json_array_foreach (doc, i, v)
            collect_objects(v, all);
        return;
    }
    if (!json_is_object(doc))
        return;
    members(doc, names, 2, m); /* once: json_array_foreach re-evaluates its array */
    if (json_is_array(m[1]) && is_text(m[0], "bundle")) {
        json_array_foreach (m[1], i, v)
            objs_push(all, v);
        return;
    }
    objs_push(all, doc);
}

/* ---- the objects by id ------------------------------------------------------ */

struct id_slot {
    const char *id; /* borrowed; NULL: free slot */
    size_t len;
    json_t *obj; /* borrowed */
};

/* id -> object, open addressing; a later object with the same id replaces the earlier. */
struct id_index {
    struct id_slot *v; /* owned: mask + 1 slots */
    size_t mask;
    uint64_t seed; /* from the table's (randomized) address: a document cannot aim at collisions */
};

static void id_index_init(struct id_index *x, size_t n)
{
    size_t cap = 16;

    while (cap < 2 * n)
        cap *= 2;
    x->v = xcalloc(cap, sizeof(*x->v));
    x->mask = cap - 1;
    x->seed = (uint64_t)(uintptr_t)x->v * 0x9E3779B97F4A7C15ull;
}

/*
 * A multiply-xorshift hash from a seeded basis, eight bytes at a time (ids
 * are about 45 bytes: byte-at-a-time FNV-1a was a fifth of building the set),
 * mixed at the end so that ids differing in their last bytes spread.
 */
static size_t id_hash(uint64_t seed, const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull ^ seed ^ n, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, n - i);
    h ^= w; /* then MurmurHash3's fmix64: every bit of h reaches the low bits the table uses */
    h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDull;
    h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53ull;
    return (size_t)(h ^ (h >> 33));
}

/* The slot holding id, or the free slot where it would go (the table is never full). */
static struct id_slot *id_index_slot(const struct id_index *x, const char *id, size_t len)
{
    size_t i = id_hash(x->seed, id, len) & x->mask;

    while (x->v[i].id && (x->v[i].len != len || memcmp(x->v[i].id, id, len) != 0))
        i = (i + 1) & x->mask;
    return &x->v[i];
}

/* The object whose id is the JSON string s, or NULL. */
static json_t *id_index_get(const struct id_index *x, json_t *s)
{
    struct id_slot *slot;

    if (!json_is_string(s))
        return NULL;
    slot = id_index_slot(x, json_string_value(s), json_string_length(s));
    return slot->id ? slot->obj : NULL;
}

/* Index every object of all with a string id; the positions of the observed-data go to at. */
static size_t id_index_fill(struct id_index *x, const struct objs *all, size_t *at)
{
    static const char *const names[] = {"id", "type"};
    size_t n = 0;

    for (size_t i = 0; i < all->n; i++) {
        json_t *o = all->v[i], *m[2];
        members(o, names, 2, m);
        if (json_is_string(m[0])) {
            const char *id = json_string_value(m[0]);
            size_t len = json_string_length(m[0]);
            *id_index_slot(x, id, len) = (struct id_slot){id, len, o};
        }
        if (is_text(m[1], "observed-data"))
            at[n++] = i;
    }
    return n;
}

static const char *obj_name(json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    return id ? id : "(no id)";
}

/* The members of an observed-data that pat_obsv_load reads, in the order of obsv_names. */
enum obsv_member { OM_FIRST, OM_LAST, OM_NUMBER, OM_REFS, OM_OBJECTS, OM_COUNT };

static const char *const obsv_names[OM_COUNT] = {"first_observed", "last_observed",
                                                 "number_observed", "object_refs", "objects"};

static int load_times(json_t *o, json_t *const *m, struct pat_obsv *ob, struct error *err)
{
    json_t *f = m[OM_FIRST], *l = m[OM_LAST], *n = m[OM_NUMBER];

    if (!json_is_string(f) ||
        stix_ts_parse(json_string_value(f), json_string_length(f), &ob->first_ns, NULL) != 0)
        return error_set(err, ERR_INVALID, "observed-data '%s': missing or invalid first_observed",
                         obj_name(o));
    ob->last_ns = ob->first_ns;
    if (l && (!json_is_string(l) ||
              stix_ts_parse(json_string_value(l), json_string_length(l), &ob->last_ns, NULL) != 0))
        return error_set(err, ERR_INVALID, "observed-data '%s': invalid last_observed",
                         obj_name(o));
    if (ob->last_ns < ob->first_ns)
        return error_set(err, ERR_INVALID,
                         "observed-data '%s': last_observed is before first_observed", obj_name(o));
    ob->count = 1;
    if (n &&
        (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 999999999))
        return error_set(err, ERR_INVALID, "observed-data '%s': invalid number_observed",
                         obj_name(o));
    if (n)
        ob->count = (long)json_integer_value(n);
    return 0;
}

/* 2.1: roots and references are the objects named in object_refs that exist in the document. */
static void load_refs(json_t *refs, const struct id_index *index, struct pat_obsv *ob,
                      json_t *owned)
{
    json_t *roots = json_array(), *by_ref = json_object(), *r, *sco;
    size_t i;

    json_array_foreach (refs, i, r) {
        size_t before = json_object_size(by_ref);
        if (!(sco = id_index_get(index, r)))
            continue;
        json_object_set_nocheck(by_ref, json_string_value(r), sco);
        if (json_object_size(by_ref) == before)
            continue; /* listed twice: one root (the same SCO, set again) */
        json_array_append(roots, sco);
    }
    json_array_append_new(owned, roots);
    json_array_append_new(owned, by_ref);
    ob->roots = roots;
    ob->by_ref = by_ref;
}

/* 2.0: the embedded dictionary is both the reference table and, by its values, the roots. */
static void load_embedded(json_t *objects, struct pat_obsv *ob, json_t *owned)
{
    json_t *roots = json_array(), *v;
    const char *k;

    json_object_foreach (objects, k, v)
        json_array_append(roots, v);
    json_array_append_new(owned, roots);
    ob->roots = roots;
    ob->by_ref = objects;
}

static int load_one(json_t *o, const struct id_index *index, struct pat_obsv *ob, json_t *owned,
                    struct error *err)
{
    json_t *m[OM_COUNT];
    int r;

    members(o, obsv_names, OM_COUNT, m);
    if ((r = load_times(o, m, ob, err)) != 0)
        return r;
    if (json_is_array(m[OM_REFS]))
        load_refs(m[OM_REFS], index, ob, owned);
    else if (json_is_object(m[OM_OBJECTS]))
        load_embedded(m[OM_OBJECTS], ob, owned);
    else
        return error_set(err, ERR_INVALID, "observed-data '%s': neither object_refs nor objects",
                         obj_name(o));
    return 0;
}

int pat_obsv_load(json_t *doc, struct pat_obsv_set *out, struct error *err)
{
    struct objs all = {NULL, 0, 0};
    struct pat_ev_views views = {0};
    struct id_index index;
    size_t i, n, *at;
    int result = 0;
    char where[48];

    memset(out, 0, sizeof(*out));
    out->owned = json_array();
    collect_objects(doc, &all);
    id_index_init(&index, all.n);
    at = xmalloc((all.n + 1) * sizeof(*at)); /* positions of the observed-data */
    n = id_index_fill(&index, &all, at);
    out->v = xcalloc(n ? n : 1, sizeof(*out->v));
    for (size_t k = 0; k < n; k++) {
        i = at[k];
        result = load_one(all.v[i], &index, &out->v[out->n], out->owned, err);
        if (result) {
            snprintf(where, sizeof(where), "objects[%zu]", i);
            error_prefix_path(err, where);
            goto out;
        }
        pat_ev_views_add(&views, &out->v[out->n], out->n); /* while its SCOs are in the cache */
        out->n++;
    }
out:
    free(at);
    free(all.v);
    free(index.v);
    if (result) {
        pat_ev_views_release(&views);
        pat_obsv_set_release(out);
    } else {
        out->types = pat_ev_types_of(&views);
    }
    return result;
}

void pat_obsv_set_release(struct pat_obsv_set *s)
{
    if (!s)
        return;
    pat_ev_types_free(s->types);
    free(s->v);
    json_decref(s->owned);
    memset(s, 0, sizeof(*s));
}
