/*
 * Cross-border incident coordination (domain.md §9, docs/coop.md
 * "Incident coordination").  An incident is a STIX 2.1 `incident` (§4.8)
 * carrying Concord's coordination property extension
 * (COOP_INCIDENT_EXTENSION): reporter, affected countries and sectors,
 * severity, lead and assisting organisations, status, links to other
 * objects and requests for assistance.  Every change is a new version of
 * the incident whose extension names who changed what (`changed_by_ref`,
 * `change`), so the versions are the audit trail and the timeline.
 *
 * Status machine (anything else is ERR_CONFLICT, nothing stored):
 *   reported      -> acknowledged | closed
 *   acknowledged  -> investigating | contained | resolved | closed
 *   investigating -> contained | resolved
 *   contained     -> investigating | resolved
 *   resolved      -> investigating (reopened) | closed
 *   closed        -> (final)
 * The first organisation other than the reporter to acknowledge becomes
 * the lead when none is set.  `acknowledged` and `resolved` keep the first
 * time each status was reached: the metrics.
 *
 * Marking: TLP:AMBER by default, which the sharing decision opens only to
 * the members of a sharing group on the object; so an AMBER incident also
 * names a sharing group of its involved organisations, made anew (a new
 * marking-definition) whenever a request for assistance adds one.
 */
#include "coop/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop_int.h"
#include "stix/id.h"
#include "util/banned.h"

#define INC_EXT_OF(o) json_object_get(json_object_get((o), "extensions"), COOP_INCIDENT_EXTENSION)

static const char *const status_names[] = {"",          "reported", "acknowledged", "investigating",
                                           "contained", "resolved", "closed"};

/* allowed[from] is a bit set of the statuses `from` may move to. */
#define B(x) (1u << (x))
static const unsigned allowed[] = {
    [COOP_INC_NONE] = 0,
    [COOP_INC_REPORTED] = B(COOP_INC_ACKNOWLEDGED) | B(COOP_INC_CLOSED),
    [COOP_INC_ACKNOWLEDGED] = B(COOP_INC_INVESTIGATING) | B(COOP_INC_CONTAINED) |
                              B(COOP_INC_RESOLVED) | B(COOP_INC_CLOSED),
    [COOP_INC_INVESTIGATING] = B(COOP_INC_CONTAINED) | B(COOP_INC_RESOLVED),
    [COOP_INC_CONTAINED] = B(COOP_INC_INVESTIGATING) | B(COOP_INC_RESOLVED),
    [COOP_INC_RESOLVED] = B(COOP_INC_INVESTIGATING) | B(COOP_INC_CLOSED),
    [COOP_INC_CLOSED] = 0,
};
#undef B

enum coop_inc_status coop_inc_status_parse(const char *s)
{
    for (int i = COOP_INC_REPORTED; s && i <= COOP_INC_CLOSED; i++)
        if (!strcmp(s, status_names[i]))
            return (enum coop_inc_status)i;
    return COOP_INC_NONE;
}

const char *coop_inc_status_name(enum coop_inc_status st)
{
    return st > COOP_INC_NONE && st <= COOP_INC_CLOSED ? status_names[st] : "none";
}

int coop_inc_transition(enum coop_inc_status from, enum coop_inc_status to, struct error *err)
{
    if (to <= COOP_INC_NONE || to > COOP_INC_CLOSED || to == COOP_INC_REPORTED)
        return error_set(err, ERR_INVALID,
                         "status must be acknowledged, investigating, "
                         "contained, resolved or closed");
    if (from <= COOP_INC_NONE || from > COOP_INC_CLOSED || !(allowed[from] & (1u << to)))
        return error_set(err, ERR_CONFLICT, "invalid transition from '%s' to '%s'",
                         coop_inc_status_name(from), coop_inc_status_name(to));
    return 0;
}

/* The extension-definition shipped with Concord (STIX 2.1 §7.3); fixed text. */
static json_t *inc_extension_def(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s}", "type",
                     "extension-definition", "spec_version", "2.1", "id", COOP_INCIDENT_EXTENSION,
                     "created_by_ref", SHARE_CONCORD_IDENTITY, "created",
                     "2026-11-01T00:00:00.000Z", "modified", "2026-11-01T00:00:00.000Z", "name",
                     "Concord incident coordination", "description",
                     "Cross-border coordination of an incident: reporter, affected countries "
                     "and sectors, severity, lead and assisting organisations, status, links "
                     "and requests for assistance",
                     "schema", "https://concord.example/schemas/incident-1.0.json",
                     "extension_types", "property-extension", "version", "1.0");
}

/* Store the extension definition, group (taken, may be NULL) and then obj (borrowed). */
static int store_version_group(struct store *s, json_t *group, json_t *obj, struct error *err)
{
    json_t *objs = json_pack("[o]", inc_extension_def());
    if (group)
        json_array_append_new(objs, group);
    json_array_append(objs, obj);
    int r = coop_obj_store(s, objs, err);
    json_decref(objs);
    return r;
}

static int store_version(struct store *s, json_t *obj, struct error *err)
{
    return store_version_group(s, NULL, obj, err);
}

/* ---- TLP:AMBER: a sharing group of the involved organisations ---- */

struct members_ctx {
    json_t *countries, *ids; /* borrowed; ids gets identity ids */
};

static void add_member(json_t *ids, const char *identity)
{
    size_t i;
    json_t *e;
    json_array_foreach (ids, i, e)
        if (!strcmp(json_string_value(e), identity))
            return;
    json_array_append_new(ids, json_string(identity));
}

static int member_of_country(void *p, const struct store_org *o)
{
    struct members_ctx *m = p;
    size_t i;
    json_t *e;
    json_array_foreach (m->countries, i, e)
        if (o->country[0] && !strcmp(json_string_value(e), o->country))
            add_member(m->ids, o->identity_id);
    return 0;
}

/*
 * A new sharing-group marking-definition (domain.md, share/policy.c)
 * created by the reporter, naming every organisation involved according
 * to extension x: reporter, lead, assisting, and each organisation of an
 * affected country known now.  id gets its id.  New reference.
 */
static json_t *group_json(struct store *s, json_t *x, int64_t now_us, char id[128])
{
    char uuid[STIX_UUID_LEN + 1], now[STIX_TS_MAX];
    const char *rep = json_string_value(json_object_get(x, "reporter_ref"));
    const char *lead = json_string_value(json_object_get(x, "lead_ref"));
    struct members_ctx m = {json_object_get(x, "affected_countries"), json_array()};
    size_t i;
    json_t *e;
    add_member(m.ids, rep);
    if (lead)
        add_member(m.ids, lead);
    json_array_foreach (json_object_get(x, "assisting_refs"), i, e)
        add_member(m.ids, json_string_value(e));
    store_org_list(s, member_of_country, &m);
    stix_uuid4(uuid);
    snprintf(id, 128, "marking-definition--%s", uuid);
    coop_ts_ms(now_us, now);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:o}}}", "type",
                     "marking-definition", "spec_version", "2.1", "id", id, "created", now,
                     "created_by_ref", rep, "name", "Concord incident: involved organisations",
                     "extensions", SHARE_GROUP_EXTENSION, "extension_type", "property-extension",
                     "organizations", m.ids);
}

/* For an AMBER incident version v: a new group (returned, new reference) and v marked with it. */
static json_t *regroup(struct store *s, json_t *v, int64_t now_us)
{
    json_t *x = INC_EXT_OF(v);
    if (!json_object_get(x, "group_ref"))
        return NULL;
    char gid[128];
    json_t *g = group_json(s, x, now_us, gid);
    json_object_set_new(x, "group_ref", json_string(gid));
    json_object_set_new(v, "object_marking_refs",
                        json_pack("[s, s]", share_tlp_id(SHARE_TLP_AMBER), gid));
    return g;
}

static bool severity_valid(const char *v)
{
    static const char *const sev[] = {"low", "medium", "high", "critical"};
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(v, sev[i]))
            return true;
    return false;
}

static json_t *str_array(const char *const *v, size_t n, bool upper)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char t[64];
        snprintf(t, sizeof(t), "%s", v[i]);
        for (char *p = t; upper && *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        json_array_append_new(a, json_string(t));
    }
    return a;
}

static int report_check(const struct coop_inc_new *in, struct error *err)
{
    if (!in->title || !*in->title || strlen(in->title) > 1024)
        return error_set(err, ERR_INVALID, "the title must be 1 to 1024 characters");
    if (in->severity && !severity_valid(in->severity))
        return error_set(err, ERR_INVALID, "severity must be low, medium, high or critical");
    for (size_t i = 0; i < in->n_countries; i++)
        if (strlen(in->countries[i]) != 2)
            return error_set(err, ERR_INVALID, "country '%s' is not ISO 3166-1 alpha-2",
                             in->countries[i]);
    if (in->tlp != SHARE_TLP_NONE && in->tlp != SHARE_TLP_CLEAR && in->tlp != SHARE_TLP_GREEN &&
        in->tlp != SHARE_TLP_AMBER)
        return error_set(err, ERR_INVALID, "the marking must be TLP:CLEAR, GREEN or AMBER");
    for (size_t i = 0; i < in->n_sectors; i++)
        if (!*in->sectors[i] || strlen(in->sectors[i]) > 63)
            return error_set(err, ERR_INVALID, "bad sector '%s'", in->sectors[i]);
    return 0;
}

static json_t *report_json(const struct coop_inc_new *in, const struct store_org *o, int64_t now_us,
                           char id[96])
{
    char uuid[STIX_UUID_LEN + 1], now[STIX_TS_MAX];
    stix_uuid4(uuid);
    snprintf(id, 96, "incident--%s", uuid);
    coop_ts_ms(now_us, now);
    enum share_tlp tlp = in->tlp == SHARE_TLP_NONE ? SHARE_TLP_AMBER : in->tlp;
    /* no lead_ref yet: set by the first acknowledgement of another organisation */
    json_t *x =
        json_pack("{s:s, s:s, s:o, s:o, s:s, s:[], s:s, s:[], s:[], s:s, s:s}", "extension_type",
                  "property-extension", "reporter_ref", o->identity_id, "affected_countries",
                  str_array(in->countries, in->n_countries, true), "affected_sectors",
                  str_array(in->sectors, in->n_sectors, false), "severity",
                  in->severity ? in->severity : "medium", "assisting_refs", "status", "reported",
                  "links", "requests", "changed_by_ref", o->identity_id, "change", "reported");
    if (tlp == SHARE_TLP_AMBER)
        json_object_set_new(x, "group_ref", json_string("")); /* set by regroup() */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:o}}", "type", "incident",
                     "spec_version", "2.1", "id", id, "created", now, "modified", now, "name",
                     in->title, "created_by_ref", o->identity_id, "object_marking_refs",
                     share_tlp_id(tlp), "extensions", COOP_INCIDENT_EXTENSION, x);
}

int coop_incident_report(struct store *s, const struct coop_inc_new *in, int64_t now_us,
                         char id_out[96], struct error *err)
{
    struct store_org o;
    int r = report_check(in, err);
    if (r)
        return r;
    if (!in->org || store_org_get(s, in->org, &o) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", in->org ? in->org : "");
    char id[96];
    json_t *obj = report_json(in, &o, now_us, id);
    r = store_version_group(s, regroup(s, obj, now_us), obj, err);
    json_decref(obj);
    if (!r)
        snprintf(id_out, 96, "%s", id);
    return r;
}

/* ---- changes ---- */

static bool in_array(json_t *a, const char *v)
{
    size_t i;
    json_t *e;
    json_array_foreach (a, i, e)
        if (json_is_string(e) && !strcmp(json_string_value(e), v))
            return true;
    return false;
}

/* Reporter, lead, assisting, or an organisation of an affected country. */
static bool involved(json_t *x, const struct store_org *o)
{
    const char *rep = json_string_value(json_object_get(x, "reporter_ref"));
    const char *lead = json_string_value(json_object_get(x, "lead_ref"));
    return (rep && !strcmp(rep, o->identity_id)) || (lead && !strcmp(lead, o->identity_id)) ||
           in_array(json_object_get(x, "assisting_refs"), o->identity_id) ||
           (o->country[0] && in_array(json_object_get(x, "affected_countries"), o->country));
}

/* A copy of obj as its next version, changed by org (the caller edits the extension). */
static json_t *next_version(json_t *obj, const struct store_org *o, const char *change,
                            int64_t now_us)
{
    char ver[STIX_TS_MAX];
    coop_next_version(json_string_value(json_object_get(obj, "modified")), now_us, ver);
    json_t *v = json_deep_copy(obj);
    json_object_set_new(v, "modified", json_string(ver));
    json_t *x = INC_EXT_OF(v);
    json_object_set_new(x, "changed_by_ref", json_string(o->identity_id));
    json_object_set_new(x, "change", json_string(change));
    return v;
}

static int load(struct store *s, struct share_ctx *reader, const char *id, json_t **obj,
                struct error *err)
{
    *obj = NULL;
    if (strncmp(id, "incident--", 10) != 0 || coop_obj_latest(s, reader, id, obj) != 0 ||
        !INC_EXT_OF(*obj)) {
        json_decref(*obj);
        *obj = NULL;
        return error_set(err, ERR_NOT_FOUND, "no incident '%s'", id);
    }
    return 0;
}

static void apply_status(json_t *v, const struct store_org *o, enum coop_inc_status to)
{
    json_t *x = INC_EXT_OF(v);
    const char *rep = json_string_value(json_object_get(x, "reporter_ref"));
    const char *mod = json_string_value(json_object_get(v, "modified"));
    json_object_set_new(x, "status", json_string(coop_inc_status_name(to)));
    if (to == COOP_INC_ACKNOWLEDGED && !json_object_get(x, "lead_ref") && rep &&
        strcmp(rep, o->identity_id))
        json_object_set_new(x, "lead_ref", json_string(o->identity_id));
    if (to == COOP_INC_ACKNOWLEDGED && !json_object_get(x, "acknowledged"))
        json_object_set_new(x, "acknowledged", json_string(mod));
    if (to == COOP_INC_RESOLVED && !json_object_get(x, "resolved"))
        json_object_set_new(x, "resolved", json_string(mod));
}

int coop_incident_set_status(struct store *s, struct share_ctx *reader, const char *id,
                             int64_t org_id, enum coop_inc_status to, int64_t now_us,
                             struct error *err)
{
    struct store_org o;
    json_t *obj = NULL;
    if (store_org_get_id(s, org_id, &o) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation %lld", (long long)org_id);
    int r = load(s, reader, id, &obj, err);
    if (r)
        return r;
    json_t *x = INC_EXT_OF(obj);
    enum coop_inc_status from =
        coop_inc_status_parse(json_string_value(json_object_get(x, "status")));
    if (!involved(x, &o))
        r = error_set(err, ERR_FORBIDDEN, "organisation '%s' is not involved in this incident",
                      o.name);
    if (!r)
        r = coop_inc_transition(from, to, err);
    if (!r) {
        char change[64];
        snprintf(change, sizeof(change), "status %s", coop_inc_status_name(to));
        json_t *v = next_version(obj, &o, change, now_us);
        apply_status(v, &o, to);
        r = store_version(s, v, err);
        json_decref(v);
    }
    json_decref(obj);
    return r;
}

static bool kind_valid(const char *k)
{
    static const char *const kinds[] = {"information", "takedown", "mitigation",
                                        "data-preservation"};
    for (size_t i = 0; k && i < 4; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

static int assist_check(struct store *s, const char *to, const char *kind, const char *due,
                        struct store_org *t, struct error *err)
{
    int64_t ns;
    int digits;
    if (!kind_valid(kind))
        return error_set(err, ERR_INVALID,
                         "kind must be information, takedown, mitigation or data-preservation");
    if (due && stix_ts_parse(due, strlen(due), &ns, &digits) != 0)
        return error_set(err, ERR_INVALID, "due '%s' is not a STIX timestamp", due);
    if (!to || store_org_get(s, to, t) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", to ? to : "");
    return 0;
}

/* The next version of incident id made by involved organisation org (names), or an error. */
static int change_begin(struct store *s, const char *id, const char *org, const char *change,
                        int64_t now_us, struct store_org *o, json_t **v, struct error *err)
{
    json_t *obj = NULL;
    *v = NULL;
    if (!org || store_org_get(s, org, o) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", org ? org : "");
    int r = load(s, NULL, id, &obj, err);
    if (r)
        return r;
    json_t *x = INC_EXT_OF(obj);
    if (!involved(x, o))
        r = error_set(err, ERR_FORBIDDEN, "organisation '%s' is not involved in this incident",
                      o->name);
    else if (coop_inc_status_parse(json_string_value(json_object_get(x, "status"))) ==
             COOP_INC_CLOSED)
        r = error_set(err, ERR_CONFLICT, "the incident is closed");
    if (!r)
        *v = next_version(obj, o, change, now_us);
    json_decref(obj);
    return r;
}

int coop_incident_assist(struct store *s, const char *id, const char *from, const char *to,
                         const char *kind, const char *due, int64_t now_us, struct error *err)
{
    struct store_org f, t;
    json_t *v = NULL;
    char change[LIMIT_NAME + 64];
    int r = assist_check(s, to, kind, due, &t, err);
    if (r)
        return r;
    snprintf(change, sizeof(change), "assistance requested: %s from %s", kind, t.name);
    r = change_begin(s, id, from, change, now_us, &f, &v, err);
    if (!r && f.id == t.id)
        r = error_set(err, ERR_INVALID, "an organisation cannot ask itself for assistance");
    if (!r) {
        json_t *vx = INC_EXT_OF(v);
        /* "answer" and "answered" are added when the request is answered */
        json_t *req =
            json_pack("{s:s, s:s, s:s, s:O}", "kind", kind, "from_ref", f.identity_id, "to_ref",
                      t.identity_id, "requested", json_object_get(v, "modified"));
        if (due)
            json_object_set_new(req, "due", json_string(due));
        json_array_append_new(json_object_get(vx, "requests"), req);
        if (!in_array(json_object_get(vx, "assisting_refs"), t.identity_id))
            json_array_append_new(json_object_get(vx, "assisting_refs"),
                                  json_string(t.identity_id));
        r = store_version_group(s, regroup(s, v, now_us), v, err); /* AMBER: t may read it */
    }
    json_decref(v);
    return r;
}

/* ---- answers and links ---- */

int coop_incident_answer(struct store *s, const char *id, const char *org, size_t n,
                         const char *answer, int64_t now_us, struct error *err)
{
    struct store_org o;
    json_t *v = NULL;
    char change[64];
    if (!answer || !*answer || strlen(answer) > 4096)
        return error_set(err, ERR_INVALID, "the answer must be 1 to 4096 characters");
    snprintf(change, sizeof(change), "request %zu answered", n);
    int r = change_begin(s, id, org, change, now_us, &o, &v, err);
    if (r)
        return r;
    json_t *req = json_array_get(json_object_get(INC_EXT_OF(v), "requests"), n);
    const char *to = json_string_value(json_object_get(req, "to_ref"));
    if (!req)
        r = error_set(err, ERR_NOT_FOUND, "no request %zu on this incident", n);
    else if (!to || strcmp(to, o.identity_id))
        r = error_set(err, ERR_FORBIDDEN, "request %zu is not addressed to '%s'", n, o.name);
    else if (json_object_get(req, "answer"))
        r = error_set(err, ERR_CONFLICT, "request %zu is already answered", n);
    if (!r) {
        json_object_set_new(req, "answer", json_string(answer));
        json_object_set(req, "answered", json_object_get(v, "modified"));
        r = store_version(s, v, err);
    }
    json_decref(v);
    return r;
}

static bool link_valid(const char *ref)
{
    static const char *const types[] = {"indicator--", "sighting--", "observed-data--",
                                        "vulnerability--"};
    for (size_t i = 0; i < 4; i++) {
        size_t k = strlen(types[i]);
        if (!strncmp(ref, types[i], k) && strlen(ref) == k + STIX_UUID_LEN)
            return true;
    }
    return false;
}

int coop_incident_link(struct store *s, const char *id, const char *org, const char *const *refs,
                       size_t n, int64_t now_us, struct error *err)
{
    struct store_org o;
    json_t *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (!link_valid(refs[i]))
            return error_set(err, ERR_INVALID,
                             "'%s' is not an indicator, sighting, observed-data or "
                             "vulnerability id",
                             refs[i]);
    if (n == 0)
        return error_set(err, ERR_INVALID, "nothing to link");
    int r = change_begin(s, id, org, "linked objects", now_us, &o, &v, err);
    if (r)
        return r;
    json_t *links = json_object_get(INC_EXT_OF(v), "links");
    for (size_t i = 0; i < n; i++)
        if (!in_array(links, refs[i]))
            json_array_append_new(links, json_string(refs[i]));
    r = store_version(s, v, err);
    json_decref(v);
    return r;
}
