/*
 * Reading incidents (incident.c writes them): every version of one
 * incident oldest first (the audit trail), its timeline, summaries of the
 * latest versions with organisation names and the metrics (time to
 * acknowledge and to resolve, from the `acknowledged` / `resolved` times
 * the status changes keep).  Every read goes through the sharing decision
 * when a reader is given; NULL is the node operator.
 */
#include "coop/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop_int.h"
#include "util/banned.h"
#include "util/xalloc.h"

#define INC_EXT_OF(o) json_object_get(json_object_get((o), "extensions"), COOP_INCIDENT_EXTENSION)

static int64_t ts_us(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    int64_t ns;
    int digits;
    if (!v || stix_ts_parse(v, strlen(v), &ns, &digits) != 0)
        return 0;
    return ns / 1000;
}

struct hist_ctx {
    struct share_ctx *reader;
    json_t *out;
};

static int hist_row(void *p, const struct store_row *row)
{
    struct hist_ctx *h = p;
    struct buf b;
    json_t *obj = NULL;
    if (!h->reader) {
        obj = json_loadb(row->body, row->body_len, 0, NULL);
    } else {
        buf_init(&b, LIMIT_BODY_MAX);
        if (share_ctx_emit(h->reader, row, &b) == 0 && !buf_failed(&b))
            obj = json_loadb(b.data, b.len, 0, NULL);
        buf_release(&b);
    }
    if (obj)
        json_array_append_new(h->out, obj);
    return 1;
}

static int by_modified(const void *a, const void *b)
{
    int64_t x = ts_us(*(json_t *const *)a, "modified"), y = ts_us(*(json_t *const *)b, "modified");
    return x < y ? -1 : x > y;
}

static void sort_array(json_t *a, int (*cmp)(const void *, const void *))
{
    size_t k = json_array_size(a);
    if (k < 2)
        return;
    json_t **v = xmalloc(k * sizeof(*v));
    for (size_t i = 0; i < k; i++)
        v[i] = json_incref(json_array_get(a, i));
    qsort(v, k, sizeof(*v), cmp);
    json_array_clear(a);
    for (size_t i = 0; i < k; i++)
        json_array_append_new(a, v[i]);
    free(v);
}

int coop_incident_history(struct store *s, struct share_ctx *reader, const char *id, json_t **out)
{
    struct error err;
    int64_t coll = 0;
    error_clear(&err);
    *out = NULL;
    if (coop_dir_coll(s, &coll, &err))
        return ERR_NOT_FOUND;
    const char *ids[1] = {id};
    struct store_query q;
    memset(&q, 0, sizeof(q));
    q.coll = coll;
    q.added_after_us = -1;
    q.ids = ids;
    q.n_ids = 1;
    q.ver_flags = STORE_VER_ALL;
    if (reader) {
        q.visible = share_ctx_visible;
        q.visible_ctx = reader;
    }
    struct hist_ctx h = {reader, json_array()};
    bool more = false;
    int r = store_obj_query(s, &q, hist_row, &h, &more);
    if (r >= 0 && json_array_size(h.out) == 0)
        r = ERR_NOT_FOUND;
    if (r < 0) {
        json_decref(h.out);
        return r;
    }
    sort_array(h.out, by_modified);
    *out = h.out;
    return 0;
}

void coop_incident_metrics(json_t *obj, int64_t *ack_us, int64_t *resolve_us)
{
    json_t *x = INC_EXT_OF(obj);
    int64_t c = ts_us(obj, "created"), a = ts_us(x, "acknowledged"), r = ts_us(x, "resolved");
    *ack_us = a ? a - c : -1;
    *resolve_us = r ? r - c : -1;
}

struct name_find {
    const char *identity;
    char *out;
    size_t n;
};

static int name_one(void *p, const struct store_org *o)
{
    struct name_find *f = p;
    if (!strcmp(o->identity_id, f->identity))
        snprintf(f->out, f->n, "%s", o->name);
    return 0;
}

static json_t *org_name(struct store *s, json_t *identity)
{
    char out[LIMIT_NAME];
    const char *id = json_string_value(identity);
    if (!id)
        return json_null();
    struct name_find f = {id, out, sizeof(out)};
    snprintf(out, sizeof(out), "%s", id);
    store_org_list(s, name_one, &f);
    return json_string(out);
}

static json_t *seconds(int64_t us)
{
    return us < 0 ? json_null() : json_real((double)us / 1e6);
}

/* The requests for assistance of extension x with organisation names. */
static json_t *requests_json(struct store *s, json_t *x)
{
    json_t *out = json_array(), *q;
    size_t i;
    json_array_foreach (json_object_get(x, "requests"), i, q) {
        json_t *r = json_deep_copy(q);
        json_object_del(r, "from_ref");
        json_object_del(r, "to_ref");
        json_object_set_new(r, "from", org_name(s, json_object_get(q, "from_ref")));
        json_object_set_new(r, "to", org_name(s, json_object_get(q, "to_ref")));
        json_array_append_new(out, r);
    }
    return out;
}

json_t *coop_incident_summary(struct store *s, json_t *obj)
{
    json_t *x = INC_EXT_OF(obj), *assist = json_array(), *e;
    int64_t ack, res;
    size_t i;
    coop_incident_metrics(obj, &ack, &res);
    json_array_foreach (json_object_get(x, "assisting_refs"), i, e)
        json_array_append_new(assist, org_name(s, e));
    json_t *sum = json_pack(
        "{s:O, s:O, s:O, s:O, s:o, s:o, s:o, s:O, s:O, s:O, s:O, s:o, s:o}", "id",
        json_object_get(obj, "id"), "title", json_object_get(obj, "name"), "status",
        json_object_get(x, "status"), "severity", json_object_get(x, "severity"), "reporter",
        org_name(s, json_object_get(x, "reporter_ref")), "lead",
        org_name(s, json_object_get(x, "lead_ref")), "assisting", assist, "countries",
        json_object_get(x, "affected_countries"), "sectors", json_object_get(x, "affected_sectors"),
        "created", json_object_get(obj, "created"), "modified", json_object_get(obj, "modified"),
        "time_to_acknowledge_seconds", seconds(ack), "time_to_resolve_seconds", seconds(res));
    json_t *links = json_object_get(x, "links");
    json_object_set_new(sum, "links", links ? json_deep_copy(links) : json_array());
    json_object_set_new(sum, "requests", requests_json(s, x));
    return sum;
}

struct list_ctx {
    struct store *s;
    enum coop_inc_status status;
    json_t *out;
};

static int list_one(void *p, json_t *obj)
{
    struct list_ctx *l = p;
    json_t *x = INC_EXT_OF(obj);
    if (!x)
        return 0;
    const char *st = json_string_value(json_object_get(x, "status"));
    if (l->status != COOP_INC_NONE && coop_inc_status_parse(st) != l->status)
        return 0;
    json_t *sum = coop_incident_summary(l->s, obj);
    if (sum)
        json_array_append_new(l->out, sum);
    return 0;
}

static int by_created(const void *a, const void *b)
{
    int64_t x = ts_us(*(json_t *const *)a, "created"), y = ts_us(*(json_t *const *)b, "created");
    return x < y ? -1 : x > y;
}

int coop_incident_list(struct store *s, struct share_ctx *reader, enum coop_inc_status status,
                       json_t **out)
{
    struct list_ctx l = {s, status, json_array()};
    int r = coop_obj_each(s, reader, "incident", list_one, &l);
    if (r < 0) {
        json_decref(l.out);
        *out = NULL;
        return r;
    }
    sort_array(l.out, by_created);
    *out = l.out;
    return 0;
}

json_t *coop_incident_timeline(struct store *s, json_t *versions)
{
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach (versions, i, v) {
        json_t *x = INC_EXT_OF(v);
        json_array_append_new(
            out, json_pack("{s:O, s:o, s:O, s:O}", "at", json_object_get(v, "modified"), "by",
                           org_name(s, json_object_get(x, "changed_by_ref")), "change",
                           json_object_get(x, "change"), "status", json_object_get(x, "status")));
    }
    return out;
}
