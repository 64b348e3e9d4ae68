/*
 * Reading incidents (incident.c writes them, incident_view.c merges their
 * records): summaries with organisation names and the metrics, the
 * history of every record oldest first (the audit trail), the timeline,
 * and the metrics per organisation across incidents.  Every read goes
 * through the sharing decision when a reader is given; NULL is the node
 * operator.
 *
 * Metrics, from the times the records keep: time to acknowledge is from
 * the incident's creation to an organisation's first acknowledgement
 * (the incident's: the lead's); time to resolve, to the first time an
 * organisation set it resolved (the incident's: the first of all).
 */
#include "coop/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop_int.h"
#include "coop/incident_int.h"
#include "util/banned.h"
#include "util/xalloc.h"

/* ---- helpers ---- */

static int by_key_us(json_t *a, json_t *b, const char *key)
{
    int64_t x = coop_ts_us(a, key), y = coop_ts_us(b, key);
    return x < y ? -1 : x > y;
}

/* By `modified`, then by id (records of two organisations may share a millisecond). */
static int by_modified(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = by_key_us(x, y, "modified");
    if (c)
        return c;
    const char *p = json_string_value(json_object_get(x, "id")),
               *q = json_string_value(json_object_get(y, "id"));
    return strcmp(p ? p : "", q ? q : "");
}

static int by_created(const void *a, const void *b)
{
    return by_key_us(*(json_t *const *)a, *(json_t *const *)b, "created");
}

/* The organisation's short name on this node, or its identity id when unknown. */
static json_t *org_name(struct store *s, json_t *identity)
{
    struct store_org o;
    const char *id = json_string_value(identity);
    if (!id)
        return json_null();
    return json_string(coop_org_by_identity(s, id, &o) == 0 ? o.name : id);
}

static json_t *seconds(int64_t us)
{
    return us < 0 ? json_null() : json_real((double)us / 1e6);
}

/* us from the incident's creation to timestamp key of o, or -1. */
static int64_t since_created(json_t *incident, json_t *o, const char *key)
{
    int64_t t = coop_ts_us(o, key);
    return t ? t - coop_ts_us(incident, "created") : -1;
}

static bool same(json_t *a, json_t *b)
{
    return json_is_string(a) && json_is_string(b) &&
           !strcmp(json_string_value(a), json_string_value(b));
}

/* ---- summaries ---- */

static json_t *requests_json(struct store *s, json_t *merged)
{
    json_t *out = json_array(), *q;
    size_t i;
    json_array_foreach (json_object_get(merged, "requests"), i, q) {
        json_t *r = json_deep_copy(q);
        json_object_del(r, "from_ref");
        json_object_del(r, "to_ref");
        json_object_del(r, "key");
        json_object_set_new(r, "from", org_name(s, json_object_get(q, "from_ref")));
        json_object_set_new(r, "to", org_name(s, json_object_get(q, "to_ref")));
        json_array_append_new(out, r);
    }
    return out;
}

static const char *role_of(json_t *incident, json_t *merged, json_t *who)
{
    if (same(json_object_get(INC_EXT_OF(incident), "reporter_ref"), who))
        return "reporter";
    if (same(json_object_get(merged, "lead_ref"), who))
        return "lead";
    size_t i;
    json_t *e;
    json_array_foreach (json_object_get(merged, "assisting_refs"), i, e)
        if (same(e, who))
            return "assisting";
    return "affected";
}

/* One organisation's numbers on one incident; part (its record's times) may be NULL. */
static json_t *org_entry(struct store *s, json_t *incident, json_t *merged, json_t *who,
                         json_t *part)
{
    size_t i, got = 0, answered = 0;
    json_t *q;
    json_array_foreach (json_object_get(merged, "requests"), i, q) {
        if (same(json_object_get(q, "to_ref"), who)) {
            got++;
            answered += json_object_get(q, "answer") != NULL;
        }
    }
    const char *role = role_of(incident, merged, who);
    return json_pack("{s:o, s:s, s:o, s:o, s:I, s:I}", "name", org_name(s, who), "role", role,
                     "time_to_acknowledge_seconds",
                     seconds(strcmp(role, "reporter") ? since_created(incident, part, "acknowledged")
                                                      : -1),
                     "time_to_resolve_seconds", seconds(since_created(incident, part, "resolved")),
                     "requests_received", (json_int_t)got, "requests_answered",
                     (json_int_t)answered);
}

/* Every organisation with a record, then those asked for assistance without one. */
static json_t *orgs_json(struct store *s, json_t *incident, json_t *merged)
{
    json_t *out = json_array(), *seen = json_array(), *p, *e;
    size_t i;
    json_array_foreach (json_object_get(merged, "parts"), i, p) {
        json_array_append(seen, json_object_get(p, "org_ref"));
        json_array_append_new(out, org_entry(s, incident, merged, json_object_get(p, "org_ref"), p));
    }
    json_array_foreach (json_object_get(merged, "assisting_refs"), i, e) {
        size_t k;
        json_t *x;
        bool known = false;
        json_array_foreach (seen, k, x)
            known |= same(x, e);
        if (!known)
            json_array_append_new(out, org_entry(s, incident, merged, e, NULL));
    }
    json_decref(seen);
    return out;
}

static json_t *summary(struct store *s, json_t *incident, json_t *merged, json_t *modified)
{
    json_t *x = INC_EXT_OF(incident), *assist = json_array(), *e;
    size_t i;
    json_array_foreach (json_object_get(merged, "assisting_refs"), i, e)
        json_array_append_new(assist, org_name(s, e));
    json_t *sum = json_pack(
        "{s:O, s:O, s:O, s:O, s:o, s:o, s:o, s:O, s:O, s:O, s:O, s:o, s:o}", "id",
        json_object_get(incident, "id"), "title", json_object_get(incident, "name"), "status",
        json_object_get(merged, "status"), "severity", json_object_get(x, "severity"), "reporter",
        org_name(s, json_object_get(x, "reporter_ref")), "lead",
        org_name(s, json_object_get(merged, "lead_ref")), "assisting", assist, "countries",
        json_object_get(x, "affected_countries"), "sectors", json_object_get(x, "affected_sectors"),
        "created", json_object_get(incident, "created"), "modified", modified,
        "time_to_acknowledge_seconds", seconds(since_created(incident, merged, "acknowledged")),
        "time_to_resolve_seconds", seconds(since_created(incident, merged, "resolved")));
    json_object_set(sum, "links", json_object_get(merged, "links"));
    json_object_set_new(sum, "requests", requests_json(s, merged));
    json_object_set_new(sum, "organizations", orgs_json(s, incident, merged));
    return sum;
}

/* The latest `modified` of the incident and its counted notes (borrowed). */
static json_t *last_modified(json_t *incident, json_t *notes)
{
    json_t *best = incident, *n;
    size_t i;
    json_array_foreach (notes, i, n)
        if (coop_ts_us(n, "modified") > coop_ts_us(best, "modified"))
            best = n;
    return json_object_get(best, "modified");
}

/* ---- the list ---- */

struct list_ctx {
    struct store *s;
    enum coop_inc_status status;
    json_t *notes; /* by incident id (borrowed) */
    json_t *out;
};

static int list_one(void *p, json_t *obj)
{
    struct list_ctx *l = p;
    if (!INC_EXT_OF(obj))
        return 0;
    json_t *found = json_object_get(l->notes, json_string_value(json_object_get(obj, "id")));
    json_t *notes = found ? json_deep_copy(found) : json_array();
    json_t *merged = coop_inc_merge(obj, notes, inc_country_of, l->s);
    const char *st = json_string_value(json_object_get(merged, "status"));
    if (l->status == COOP_INC_NONE || coop_inc_status_parse(st) == l->status)
        json_array_append_new(l->out, summary(l->s, obj, merged, last_modified(obj, notes)));
    json_decref(merged);
    json_decref(notes);
    return 0;
}

int coop_incident_list(struct store *s, struct share_ctx *reader, enum coop_inc_status status,
                       json_t **out)
{
    struct list_ctx l = {s, status, NULL, json_array()};
    int r = inc_notes_by_incident(s, reader, &l.notes);
    if (!r)
        r = coop_obj_each(s, reader, "incident", list_one, &l);
    json_decref(l.notes);
    if (r < 0) {
        json_decref(l.out);
        *out = NULL;
        return r;
    }
    coop_json_sort(l.out, by_created);
    *out = l.out;
    return 0;
}

/* ---- history and timeline ---- */

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

/* Every version of the records of view v visible to reader, oldest first (new array). */
static int history(struct store *s, struct share_ctx *reader, struct inc_view *v, json_t **out)
{
    struct error err;
    int64_t coll = 0;
    error_clear(&err);
    if (coop_dir_coll(s, &coll, &err))
        return ERR_NOT_FOUND;
    size_t n = 1 + json_array_size(v->notes);
    const char **ids = xcalloc(n, sizeof(*ids));
    ids[0] = json_string_value(json_object_get(v->incident, "id"));
    for (size_t i = 1; i < n; i++)
        ids[i] = json_string_value(json_object_get(json_array_get(v->notes, i - 1), "id"));
    struct store_query q = {.coll = coll, .added_after_us = -1, .ids = ids, .n_ids = n,
                            .ver_flags = STORE_VER_ALL};
    if (reader) {
        q.visible = share_ctx_visible;
        q.visible_ctx = reader;
    }
    struct hist_ctx h = {reader, json_array()};
    bool more = false;
    int r = store_obj_query(s, &q, hist_row, &h, &more);
    free(ids);
    if (r < 0) {
        json_decref(h.out);
        return r;
    }
    coop_json_sort(h.out, by_modified);
    *out = h.out;
    return 0;
}

/*
 * One entry per version; `status` is the incident's status after that
 * version.  A reader brought in late may not see the first versions: until
 * a status change is seen, a version's own last status stands in.
 */
static json_t *timeline(struct store *s, json_t *versions)
{
    json_t *out = json_array(), *v, *status = NULL;
    size_t i;
    json_array_foreach (versions, i, v) {
        json_t *x = INC_EXT_OF(v);
        if (same(json_object_get(x, "status_at"), json_object_get(v, "modified")) || !status)
            status = json_object_get(x, "status");
        json_array_append_new(
            out, json_pack("{s:O, s:o, s:O, s:O*}", "at", json_object_get(v, "modified"), "by",
                           org_name(s, json_object_get(x, "changed_by_ref")), "change",
                           json_object_get(x, "change"), "status", status));
    }
    return out;
}

int coop_incident_show(struct store *s, struct share_ctx *reader, const char *id, json_t **out)
{
    struct inc_view v;
    struct error err;
    json_t *versions = NULL;
    error_clear(&err);
    *out = NULL;
    int r = inc_view_load(s, reader, id, &v, &err);
    if (!r)
        r = history(s, reader, &v, &versions);
    if (!r)
        *out = json_pack("{s:o, s:o, s:O}", "incident",
                         summary(s, v.incident, v.merged, last_modified(v.incident, v.notes)),
                         "timeline", timeline(s, versions), "object", v.incident);
    json_decref(versions);
    inc_view_release(&v);
    return r;
}

/* ---- metrics per organisation ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of the numbers in a (sorted copy); null when none. */
static json_t *median(json_t *a)
{
    size_t n = json_array_size(a);
    if (!n)
        return json_null();
    double *v = xmalloc(n * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_number_value(json_array_get(a, i));
    qsort(v, n, sizeof(*v), cmp_double);
    double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    free(v);
    return json_real(m);
}

static json_t *worst(json_t *a)
{
    json_t *w = NULL, *e;
    size_t i;
    json_array_foreach (a, i, e)
        if (!w || json_number_value(e) > json_number_value(w))
            w = e;
    return w ? json_incref(w) : json_null();
}

static void add_int(json_t *o, const char *key, json_int_t d)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + d));
}

/* Fold one organisation entry of one incident summary into the totals acc. */
static void fold(json_t *acc, json_t *e)
{
    const char *name = json_string_value(json_object_get(e, "name"));
    json_t *a = json_object_get(acc, name), *ack, *res;
    if (!a) {
        a = json_pack("{s:s, s:i, s:i, s:[], s:[], s:i, s:i}", "organization", name, "reported", 0,
                      "incidents", 0, "ack", "res", "requests_received", 0, "requests_answered",
                      0);
        json_object_set_new(acc, name, a);
    }
    bool rep = !strcmp(json_string_value(json_object_get(e, "role")), "reporter");
    add_int(a, rep ? "reported" : "incidents", 1);
    if (json_is_number(ack = json_object_get(e, "time_to_acknowledge_seconds")))
        json_array_append(json_object_get(a, "ack"), ack);
    if (json_is_number(res = json_object_get(e, "time_to_resolve_seconds")))
        json_array_append(json_object_get(a, "res"), res);
    add_int(a, "requests_received", json_integer_value(json_object_get(e, "requests_received")));
    add_int(a, "requests_answered", json_integer_value(json_object_get(e, "requests_answered")));
}

static json_t *finish(json_t *a)
{
    json_t *ack = json_object_get(a, "ack"), *res = json_object_get(a, "res");
    json_t *out = json_pack(
        "{s:O, s:O, s:O, s:I, s:o, s:o, s:I, s:o, s:O, s:O}", "organization",
        json_object_get(a, "organization"), "reported", json_object_get(a, "reported"),
        "incidents", json_object_get(a, "incidents"), "acknowledged",
        (json_int_t)json_array_size(ack), "median_time_to_acknowledge_seconds", median(ack),
        "worst_time_to_acknowledge_seconds", worst(ack), "resolved",
        (json_int_t)json_array_size(res), "median_time_to_resolve_seconds", median(res),
        "requests_received", json_object_get(a, "requests_received"), "requests_answered",
        json_object_get(a, "requests_answered"));
    return out;
}

int coop_incident_org_metrics(struct store *s, struct share_ctx *reader, json_t **out)
{
    json_t *list = NULL, *acc = json_object(), *sum, *e, *a;
    size_t i, k;
    const char *name;
    *out = NULL;
    int r = coop_incident_list(s, reader, COOP_INC_NONE, &list);
    if (r) {
        json_decref(acc);
        return r;
    }
    json_array_foreach (list, i, sum)
        json_array_foreach (json_object_get(sum, "organizations"), k, e)
            fold(acc, e);
    *out = json_array();
    json_object_foreach (acc, name, a)
        json_array_append_new(*out, finish(a));
    json_decref(acc);
    json_decref(list);
    return 0;
}
