/*
 * The records of an incident and their merge (incident_int.h): the
 * reporter's `incident` plus one participation `note` per other
 * organisation taking part, each versioned by its owner alone, merged into
 * the one view everybody sees.  Nodes of a federation receive the records
 * in any order and at any time; the merge depends only on the set of
 * records, never on arrival order, so every node that holds the same
 * records shows the same incident.
 *
 * A note counts only when its owner is involved: of an affected country
 * (the node knows the organisations' countries) or the target of a
 * request in a record that counts.  Its requests count only when made by
 * its owner, its answers only for requests addressed to its owner, so no
 * organisation can speak for another.
 */
#include "coop/incident_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop_int.h"
#include "util/banned.h"
#include "util/xalloc.h"

void inc_note_id(char out[96], const char *incident_id, const char *identity)
{
    char key[256];
    snprintf(key, sizeof(key), "incident-part|%.100s|%.100s", incident_id, identity);
    coop_det_id(out, "note", key);
}

static const char *owner_of(json_t *rec)
{
    const char *t = json_string_value(json_object_get(rec, "type"));
    if (t && !strcmp(t, "incident"))
        return json_string_value(json_object_get(INC_EXT_OF(rec), "reporter_ref"));
    return json_string_value(json_object_get(rec, "created_by_ref"));
}

static bool str_in(json_t *a, const char *v)
{
    size_t i;
    json_t *e;
    json_array_foreach (a, i, e)
        if (v && json_is_string(e) && !strcmp(json_string_value(e), v))
            return true;
    return false;
}

static void add_unique(json_t *a, json_t *v)
{
    if (json_is_string(v) && !str_in(a, json_string_value(v)))
        json_array_append(a, v);
}

/* ---- which notes count ---- */

/* Is who the target of a request made by the owner of one of recs[0..n)? */
static bool asked(json_t *const *recs, size_t n, const char *who)
{
    for (size_t k = 0; k < n; k++) {
        const char *owner = owner_of(recs[k]);
        size_t i;
        json_t *q;
        json_array_foreach (json_object_get(INC_EXT_OF(recs[k]), "requests"), i, q) {
            const char *from = json_string_value(json_object_get(q, "from_ref"));
            const char *to = json_string_value(json_object_get(q, "to_ref"));
            if (from && owner && to && !strcmp(from, owner) && !strcmp(to, who))
                return true;
        }
    }
    return false;
}

/* recs[0] is the incident; the counted notes follow.  Returns how many records count. */
static size_t counted_records(json_t *incident, json_t *notes, inc_country_fn country, void *ctx,
                              json_t **recs)
{
    json_t *countries = json_object_get(INC_EXT_OF(incident), "affected_countries");
    const char *rep = owner_of(incident);
    size_t n = 1, total = json_array_size(notes);
    bool *in = xcalloc(total + 1, sizeof(*in));
    recs[0] = incident;
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < total; i++) {
            json_t *note = json_array_get(notes, i);
            const char *who = owner_of(note);
            if (in[i] || !who || (rep && !strcmp(who, rep)))
                continue;
            if ((country && country(ctx, who, countries)) || asked(recs, n, who)) {
                in[i] = grew = true;
                recs[n++] = note;
            }
        }
    }
    free(in);
    return n;
}

/* ---- the merge ---- */

struct merge {
    json_t *out;
    int64_t status_at, ack_at, resolved_at;
    char status_by[512], ack_by[512], resolved_by[512]; /* tie-breaks of the winners */
};

/*
 * Does (t, tie) win over the best so far (best_t, best_tie)?  Later wins
 * when `later`, earlier otherwise; equal times go to the greater tie-break
 * string (owner, record id and value), so that the merge never depends on
 * the order of the records.  The winner's tie-break is kept in best_tie.
 */
static bool wins(int64_t t, const char *tie, int64_t *best_t, char best_tie[512], bool later)
{
    bool yes = t && (!*best_t || (t != *best_t ? (later ? t > *best_t : t < *best_t)
                                               : strcmp(tie, best_tie) > 0));
    if (yes) {
        *best_t = t;
        snprintf(best_tie, 512, "%s", tie);
    }
    return yes;
}

/* "<owner> <record id> <value of key in x>" */
static void tie_of(char out[512], const char *owner, json_t *rec, json_t *x, const char *key)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    const char *v = json_string_value(json_object_get(x, key));
    snprintf(out, 512, "%.160s %.160s %.160s", owner ? owner : "", id ? id : "", v ? v : "");
}

static void merge_status(struct merge *m, json_t *rec, json_t *x, bool reporter)
{
    const char *owner = owner_of(rec);
    char tie[512];
    tie_of(tie, owner, rec, x, "status");
    if (json_is_string(json_object_get(x, "status")) &&
        wins(coop_ts_us(x, "status_at"), tie, &m->status_at, m->status_by, true)) {
        json_object_set(m->out, "status", json_object_get(x, "status"));
        json_object_set(m->out, "status_at", json_object_get(x, "status_at"));
    }
    tie_of(tie, owner, rec, x, "acknowledged");
    if (!reporter && wins(coop_ts_us(x, "acknowledged"), tie, &m->ack_at, m->ack_by, false)) {
        json_object_set_new(m->out, "lead_ref", json_string(owner));
        json_object_set(m->out, "acknowledged", json_object_get(x, "acknowledged"));
    }
    tie_of(tie, owner, rec, x, "resolved");
    if (wins(coop_ts_us(x, "resolved"), tie, &m->resolved_at, m->resolved_by, false))
        json_object_set(m->out, "resolved", json_object_get(x, "resolved"));
    json_t *part = json_pack("{s:s?}", "org_ref", owner);
    if (json_object_get(x, "acknowledged"))
        json_object_set(part, "acknowledged", json_object_get(x, "acknowledged"));
    if (json_object_get(x, "resolved"))
        json_object_set(part, "resolved", json_object_get(x, "resolved"));
    json_array_append_new(json_object_get(m->out, "parts"), part);
}

/* The requests made by the owner of rec, each with its key. */
static void merge_requests(struct merge *m, json_t *rec, json_t *x)
{
    const char *owner = owner_of(rec), *id = json_string_value(json_object_get(rec, "id"));
    size_t i;
    json_t *q;
    json_array_foreach (json_object_get(x, "requests"), i, q) {
        const char *from = json_string_value(json_object_get(q, "from_ref"));
        if (!from || !owner || strcmp(from, owner) || !json_is_string(json_object_get(q, "to_ref")))
            continue;
        char key[160];
        snprintf(key, sizeof(key), "%s#%zu", id ? id : "", i);
        json_t *c = json_deep_copy(q);
        json_object_set_new(c, "key", json_string(key));
        json_object_del(c, "answer"); /* only the target's own record answers */
        json_object_del(c, "answered");
        json_array_append_new(json_object_get(m->out, "requests"), c);
        add_unique(json_object_get(m->out, "assisting_refs"), json_object_get(q, "to_ref"));
    }
}

/* Answers in rec to requests addressed to rec's owner. */
static void merge_answers(struct merge *m, json_t *rec)
{
    const char *owner = owner_of(rec);
    size_t i, k;
    json_t *a, *q;
    json_array_foreach (json_object_get(INC_EXT_OF(rec), "answers"), i, a) {
        const char *key = json_string_value(json_object_get(a, "request"));
        json_array_foreach (json_object_get(m->out, "requests"), k, q) {
            const char *to = json_string_value(json_object_get(q, "to_ref"));
            if (key && owner && !strcmp(key, json_string_value(json_object_get(q, "key"))) &&
                !strcmp(to, owner) && !json_object_get(q, "answer")) {
                json_object_set(q, "answer", json_object_get(a, "answer"));
                json_object_set(q, "answered", json_object_get(a, "answered"));
            }
        }
    }
}

static int by_requested(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t t1 = coop_ts_us(x, "requested"), t2 = coop_ts_us(y, "requested");
    if (t1 != t2)
        return t1 < t2 ? -1 : 1;
    int c = strcmp(json_string_value(json_object_get(x, "key")),
                   json_string_value(json_object_get(y, "key")));
    if (c)
        return c;
    /* one key twice: only from records sharing an id, never from one store; stay total */
    char *p1 = json_dumps(x, JSON_SORT_KEYS | JSON_COMPACT);
    char *p2 = json_dumps(y, JSON_SORT_KEYS | JSON_COMPACT);
    c = strcmp(p1 ? p1 : "", p2 ? p2 : "");
    free(p1);
    free(p2);
    return c;
}

json_t *coop_inc_merge(json_t *incident, json_t *notes, inc_country_fn country, void *ctx)
{
    json_t **recs = xcalloc(json_array_size(notes) + 1, sizeof(*recs));
    size_t n = counted_records(incident, notes, country, ctx, recs);
    struct merge m = {json_pack("{s:[], s:[], s:[], s:[]}", "assisting_refs", "links",
                                "requests", "parts"),
                      0, 0, 0, "", "", ""};
    for (size_t i = 0; i < n; i++) {
        json_t *x = INC_EXT_OF(recs[i]), *l;
        size_t k;
        merge_status(&m, recs[i], x, i == 0);
        merge_requests(&m, recs[i], x);
        json_array_foreach (json_object_get(x, "links"), k, l)
            add_unique(json_object_get(m.out, "links"), l);
    }
    coop_json_sort(json_object_get(m.out, "requests"), by_requested);
    for (size_t i = 0; i < n; i++)
        merge_answers(&m, recs[i]);
    /* the notes that count, in the order counted */
    json_t *kept = json_array();
    for (size_t i = 1; i < n; i++)
        json_array_append(kept, recs[i]);
    json_array_clear(notes);
    json_array_extend(notes, kept);
    json_decref(kept);
    free(recs);
    return m.out;
}

/* ---- loading ---- */

bool inc_country_of(void *ctx, const char *identity, json_t *countries)
{
    struct store_org o;
    return json_array_size(countries) && coop_org_by_identity(ctx, identity, &o) == 0 &&
           o.country[0] && str_in(countries, o.country);
}

static int note_one(void *p, json_t *obj)
{
    json_t *by = p;
    const char *inc = json_string_value(json_object_get(INC_EXT_OF(obj), "incident_ref"));
    if (!inc)
        return 0;
    json_t *a = json_object_get(by, inc);
    if (!a)
        json_object_set_new(by, inc, a = json_array());
    json_array_append(a, obj);
    return 0;
}

int inc_notes_by_incident(struct store *s, struct share_ctx *reader, json_t **out)
{
    *out = json_object();
    int r = coop_obj_each(s, reader, "note", note_one, *out);
    if (r < 0) {
        json_decref(*out);
        *out = NULL;
    }
    return r < 0 ? r : 0;
}

int inc_view_load(struct store *s, struct share_ctx *reader, const char *id, struct inc_view *v,
                  struct error *err)
{
    json_t *by = NULL;
    memset(v, 0, sizeof(*v));
    if (strncmp(id, "incident--", 10) != 0 || coop_obj_latest(s, reader, id, &v->incident) != 0 ||
        !INC_EXT_OF(v->incident)) {
        inc_view_release(v);
        return error_set(err, ERR_NOT_FOUND, "no incident '%s'", id);
    }
    if (inc_notes_by_incident(s, reader, &by) != 0) {
        inc_view_release(v);
        return error_set(err, ERR_DB, "cannot read the participation notes");
    }
    json_t *notes = json_object_get(by, id);
    v->notes = notes ? json_incref(notes) : json_array();
    json_decref(by);
    v->merged = coop_inc_merge(v->incident, v->notes, inc_country_of, s);
    return 0;
}

void inc_view_release(struct inc_view *v)
{
    json_decref(v->incident);
    json_decref(v->notes);
    json_decref(v->merged);
    memset(v, 0, sizeof(*v));
}
