/*
 * Listing advisories: the latest version of each vulnerability carrying
 * the advisory extension that the reader may see (share_ctx_may_read on
 * every row, the reader's copy via share_ctx_emit), filtered by sector /
 * country, with the per-organisation states from the status notes the
 * reader may see.
 *
 * "Open" (docs/coop.md): an advisory is open until at least one
 * organisation has reported on it and every organisation that reported
 * (the organisations concerned) has reached "remediated".
 */
#include "coop/coop.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "share/context.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/banned.h"

struct list_ctx {
    struct share_ctx *share;     /* NULL: everything */
    json_t *objs;                /* bodies of visible rows (reader's copies) */
};

static json_t *reader_copy(struct share_ctx *share, const struct store_row *row)
{
    if (!share)
        return json_loadb(row->body, row->body_len, 0, NULL);
    struct buf b;
    buf_init(&b, (size_t)-1);
    json_t *o = NULL;
    if (share_ctx_emit(share, row, &b) == 0 && !buf_failed(&b))
        o = json_loadb(b.data, b.len, 0, NULL);
    buf_release(&b);
    return o;
}

static int collect(void *p, const struct store_row *row)
{
    struct list_ctx *l = p;
    if (l->share && !share_ctx_may_read(l->share, row))
        return 0;
    if (row->peek)
        return 1;
    json_t *o = reader_copy(l->share, row);
    if (o)
        json_array_append_new(l->objs, o);
    return 1;
}

static json_t *load_type(struct store *s, int64_t coll, struct share_ctx *share,
                         const char *type)
{
    const char *types[1] = {type};
    struct store_query q = {.coll = coll, .added_after_us = -1, .types = types, .n_types = 1,
                            .ver_flags = STORE_VER_LAST};
    if (share) {
        q.visible = share_ctx_visible;
        q.visible_ctx = share;
    }
    struct list_ctx l = {share, json_array()};
    bool more = false;
    if (store_obj_query(s, &q, collect, &l, &more)) {
        json_decref(l.objs);
        return NULL;
    }
    return l.objs;
}

static json_t *ext_of(json_t *o)
{
    return json_object_get(json_object_get(o, "extensions"), COOP_ADVISORY_EXTENSION);
}

/* vulnerability id -> {organisation: state} from the status notes. */
static json_t *states_by_vuln(json_t *notes)
{
    json_t *map = json_object(), *n;
    size_t i;
    json_array_foreach(notes, i, n) {
        json_t *ext = ext_of(n);
        const char *st = json_string_value(json_object_get(ext, "advisory_state"));
        const char *org = json_string_value(json_object_get(ext, "organization"));
        const char *vid = json_string_value(json_array_get(json_object_get(n, "object_refs"), 0));
        if (!st || !org || !vid)
            continue;
        json_t *m = json_object_get(map, vid);
        if (!m)
            json_object_set_new(map, vid, m = json_object());
        json_object_set_new(m, org, json_string(st));
    }
    return map;
}

static bool has_string(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *x = json_string_value(v);
        if (x && !strcasecmp(x, s))
            return true;
    }
    return false;
}

static bool wanted(json_t *ext, const struct coop_adv_filter *f)
{
    if (!ext)
        return false;
    if (f && f->sector && !has_string(json_object_get(ext, "sectors"), f->sector))
        return false;
    if (f && f->country && !has_string(json_object_get(ext, "countries"), f->country))
        return false;
    return true;
}

static const char *cve_of(json_t *v)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(v, "external_references"), i, r) {
        const char *src = json_string_value(json_object_get(r, "source_name"));
        if (src && !strcmp(src, "cve"))
            return json_string_value(json_object_get(r, "external_id"));
    }
    return NULL;
}

static json_t *affected_of(json_t *products)
{
    static const char *keys[] = {"known_affected", "first_affected", "last_affected"};
    json_t *out = json_array();
    for (size_t k = 0; k < 3; k++)
        json_array_extend(out, json_object_get(products, keys[k]));
    return out;
}

/* Status counts and whether the advisory is still open. */
static void add_states(json_t *e, json_t *states)
{
    size_t counts[4] = {0, 0, 0, 0}, n = 0;
    const char *org;
    json_t *v;
    json_object_foreach(states, org, v) {
        counts[coop_adv_state_parse(json_string_value(v))]++;
        n++;
    }
    json_object_set_new(e, "status", states ? json_incref(states) : json_object());
    json_object_set_new(e, "status_counts",
                        json_pack("{s:I, s:I, s:I}", "received", (json_int_t)counts[1],
                                  "acknowledged", (json_int_t)counts[2], "remediated",
                                  (json_int_t)counts[3]));
    json_object_set_new(e, "open", json_boolean(n == 0 || counts[3] < n));
}

static json_t *summary(json_t *v, json_t *ext, json_t *states)
{
    const char *cve = cve_of(v);
    json_t *score = json_array_get(json_object_get(ext, "scores"), 0);
    json_t *e = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O}", "id",
                          json_object_get(v, "id"), "name", json_object_get(v, "name"),
                          "advisory_id", json_object_get(ext, "advisory_id"), "title",
                          json_object_get(ext, "advisory_title"), "modified",
                          json_object_get(v, "modified"), "sectors",
                          json_object_get(ext, "sectors"), "countries",
                          json_object_get(ext, "countries"), "tlp", json_object_get(ext, "tlp"),
                          "products", affected_of(json_object_get(ext, "products")), "fixed",
                          json_object_get(json_object_get(ext, "products"), "fixed")
                              ? json_object_get(json_object_get(ext, "products"), "fixed")
                              : json_null());
    if (!e) /* an extension not written by csaf.c (e.g. from a peer): skipped */
        return NULL;
    json_object_set_new(e, "cve", cve ? json_string(cve) : json_null());
    json_object_set(e, "cvss", score ? json_object_get(score, "base_score") : json_null());
    json_object_set(e, "severity", score ? json_object_get(score, "base_severity") : json_null());
    add_states(e, states);
    return e;
}

int coop_advisory_list(struct store *s, int64_t coll, struct share_ctx *share,
                       const struct coop_adv_filter *f, json_t **out)
{
    json_t *vulns = load_type(s, coll, share, "vulnerability");
    json_t *notes = load_type(s, coll, share, "note");
    int r = (vulns && notes) ? 0 : ERR_DB;
    json_t *map = states_by_vuln(notes), *v;
    json_t *list = json_array();
    size_t i;
    json_array_foreach(r ? NULL : vulns, i, v) {
        json_t *ext = ext_of(v);
        if (!wanted(ext, f))
            continue;
        json_t *st = json_object_get(map, json_string_value(json_object_get(v, "id")));
        json_t *e = summary(v, ext, st);
        if (!e || (f && f->open_only && !json_is_true(json_object_get(e, "open"))))
            json_decref(e);
        else
            json_array_append_new(list, e);
    }
    json_decref(map);
    json_decref(vulns);
    json_decref(notes);
    *out = r ? NULL : list;
    if (r)
        json_decref(list);
    return r;
}
