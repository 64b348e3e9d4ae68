/*
 * Cross-border incident coordination (domain.md §9, docs/coop.md
 * "Incident coordination"): the writes.  An incident is a STIX 2.1
 * `incident` (§4.8) of the reporter carrying Concord's coordination
 * property extension (COOP_INCIDENT_EXTENSION), plus one participation
 * `note` per other organisation taking part (incident_int.h): each
 * organisation versions only its own record, so the change travels to
 * every node of a federation.  Every change is a new version of the
 * acting organisation's record naming what changed (`changed_by_ref`,
 * `change`), so the versions are the audit trail and the timeline; the
 * merged view (incident_view.c) decides status, lead and requests.
 *
 * Status machine (anything else is ERR_CONFLICT, nothing stored):
 *   reported      -> acknowledged | closed
 *   acknowledged  -> investigating | contained | resolved | closed
 *   investigating -> contained | resolved
 *   contained     -> investigating | resolved
 *   resolved      -> investigating (reopened) | closed
 *   closed        -> (final)
 * A transition is judged against the merged status.  The first
 * organisation other than the reporter to acknowledge is the lead.  Each
 * record keeps the first time its owner acknowledged and resolved: the
 * metrics.
 *
 * Marking: TLP:AMBER by default, which the sharing decision opens only to
 * the members of a sharing group on the object; so an AMBER record also
 * names a sharing group of the involved organisations, made by the
 * record's owner (only a group's creator may define its recipients), made
 * anew when a participation note is first written and whenever a request
 * for assistance adds an organisation.
 */
#include "coop/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop_int.h"
#include "coop/incident_int.h"
#include "stix/id.h"
#include "util/banned.h"

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

/* ---- TLP:AMBER: a sharing group of the involved organisations ---- */

struct members_ctx {
    json_t *countries, *ids; /* borrowed; ids gets identity ids */
};

static void add_member(json_t *ids, const char *identity)
{
    size_t i;
    json_t *e;
    if (!identity)
        return;
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
 * A new sharing-group marking-definition (share/policy.c) created by
 * `creator`, naming every organisation involved: reporter (of incident
 * extension x), lead and assisting (merged view, may be NULL), `extra`
 * (may be NULL), and each organisation of an affected country known now.
 * id gets its id.  New reference.
 */
static json_t *group_json(struct store *s, json_t *x, json_t *merged, const char *creator,
                          const char *extra, int64_t now_us, char id[128])
{
    char uuid[STIX_UUID_LEN + 1], now[STIX_TS_MAX];
    struct members_ctx m = {json_object_get(x, "affected_countries"), json_array()};
    size_t i;
    json_t *e;
    add_member(m.ids, json_string_value(json_object_get(x, "reporter_ref")));
    add_member(m.ids, creator);
    add_member(m.ids, json_string_value(json_object_get(merged, "lead_ref")));
    json_array_foreach (json_object_get(merged, "assisting_refs"), i, e)
        add_member(m.ids, json_string_value(e));
    add_member(m.ids, extra);
    store_org_list(s, member_of_country, &m);
    stix_uuid4(uuid);
    snprintf(id, 128, "marking-definition--%s", uuid);
    coop_ts_ms(now_us, now);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:o}}}", "type",
                     "marking-definition", "spec_version", "2.1", "id", id, "created", now,
                     "created_by_ref", creator, "name", "Concord incident: involved organisations",
                     "extensions", SHARE_GROUP_EXTENSION, "extension_type", "property-extension",
                     "organizations", m.ids);
}

/*
 * For record rec (a version about to be stored) of an AMBER incident
 * (extension x): a new group by the record's owner (returned, new
 * reference) and rec marked with it.  NULL when the incident is not AMBER.
 */
static json_t *regroup(struct store *s, json_t *x, json_t *merged, json_t *rec, const char *owner,
                       const char *extra, int64_t now_us)
{
    json_t *rx = INC_EXT_OF(rec);
    if (!json_object_get(x, "group_ref"))
        return NULL;
    char gid[128];
    json_t *g = group_json(s, x, merged, owner, extra, now_us, gid);
    json_object_set_new(rx, "group_ref", json_string(gid));
    json_object_set_new(rec, "object_marking_refs",
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

/* The parts every record's extension has: no links, requests or answers yet. */
static json_t *part_json(const char *owner, const char *change)
{
    return json_pack("{s:s, s:[], s:[], s:[], s:s, s:s}", "extension_type", "property-extension",
                     "links", "requests", "answers", "changed_by_ref", owner, "change", change);
}

static json_t *report_json(const struct coop_inc_new *in, const struct store_org *o, int64_t now_us,
                           char id[96])
{
    char uuid[STIX_UUID_LEN + 1], now[STIX_TS_MAX];
    stix_uuid4(uuid);
    snprintf(id, 96, "incident--%s", uuid);
    coop_ts_ms(now_us, now);
    enum share_tlp tlp = in->tlp == SHARE_TLP_NONE ? SHARE_TLP_AMBER : in->tlp;
    json_t *x = part_json(o->identity_id, "reported");
    json_object_update_new(
        x, json_pack("{s:s, s:o, s:o, s:s, s:s, s:s}", "reporter_ref", o->identity_id,
                     "affected_countries", str_array(in->countries, in->n_countries, true),
                     "affected_sectors", str_array(in->sectors, in->n_sectors, false), "severity",
                     in->severity ? in->severity : "medium", "status", "reported", "status_at",
                     now));
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
    json_t *g = regroup(s, INC_EXT_OF(obj), NULL, obj, o.identity_id, NULL, now_us);
    r = store_version_group(s, g, obj, err);
    json_decref(obj);
    if (!r)
        snprintf(id_out, 96, "%s", id);
    return r;
}

/* ---- changes: the next version of the acting organisation's record ---- */

struct change {
    struct store_org org;
    struct inc_view view;
    json_t *rec;   /* next version of org's record (owned) */
    bool fresh;    /* a participation note not stored before */
};

static bool in_array(json_t *a, const char *v)
{
    size_t i;
    json_t *e;
    json_array_foreach (a, i, e)
        if (json_is_string(e) && !strcmp(json_string_value(e), v))
            return true;
    return false;
}

static const char *merged_str(struct change *c, const char *key)
{
    return json_string_value(json_object_get(c->view.merged, key));
}

/* Reporter, lead, assisting, or an organisation of an affected country. */
static bool involved(struct change *c)
{
    json_t *x = INC_EXT_OF(c->view.incident);
    const char *rep = json_string_value(json_object_get(x, "reporter_ref"));
    const char *lead = merged_str(c, "lead_ref"), *me = c->org.identity_id;
    return (rep && !strcmp(rep, me)) || (lead && !strcmp(lead, me)) ||
           in_array(json_object_get(c->view.merged, "assisting_refs"), me) ||
           (c->org.country[0] && in_array(json_object_get(x, "affected_countries"), c->org.country));
}

static bool is_reporter(struct change *c)
{
    const char *rep = json_string_value(json_object_get(INC_EXT_OF(c->view.incident), "reporter_ref"));
    return rep && !strcmp(rep, c->org.identity_id);
}

/* A first participation note of c->org: marked like the incident (the group comes later). */
static json_t *note_json(struct change *c, const char *id, int64_t now_us)
{
    char now[STIX_TS_MAX], content[LIMIT_NAME + 160];
    const char *inc = json_string_value(json_object_get(c->view.incident, "id"));
    coop_ts_ms(now_us, now);
    snprintf(content, sizeof(content), "%s's part in the coordination of %s", c->org.name, inc);
    json_t *x = part_json(c->org.identity_id, "");
    json_object_set_new(x, "incident_ref", json_string(inc));
    if (json_object_get(INC_EXT_OF(c->view.incident), "group_ref"))
        json_object_set_new(x, "group_ref", json_string("")); /* set by regroup() */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[O], s:{s:o}}", "type", "note",
                     "spec_version", "2.1", "id", id, "created", now, "modified", now,
                     "created_by_ref", c->org.identity_id, "content", content, "object_refs", inc,
                     "object_marking_refs",
                     json_array_get(json_object_get(c->view.incident, "object_marking_refs"), 0),
                     "extensions", COOP_INCIDENT_EXTENSION, x);
}

/* c->rec: the next version of the organisation's own record. */
static void own_next(struct store *s, struct change *c, const char *change, int64_t now_us)
{
    json_t *prev = NULL;
    char nid[96], ver[STIX_TS_MAX];
    if (is_reporter(c)) {
        prev = json_incref(c->view.incident);
    } else {
        inc_note_id(nid, json_string_value(json_object_get(c->view.incident, "id")),
                    c->org.identity_id);
        if (coop_obj_latest(s, NULL, nid, &prev) != 0)
            prev = NULL;
    }
    if (prev) {
        coop_next_version(json_string_value(json_object_get(prev, "modified")), now_us, ver);
        c->rec = json_deep_copy(prev);
        json_object_set_new(c->rec, "modified", json_string(ver));
    } else {
        c->fresh = true;
        c->rec = note_json(c, nid, now_us);
    }
    json_decref(prev);
    json_t *x = INC_EXT_OF(c->rec);
    json_object_set_new(x, "changed_by_ref", json_string(c->org.identity_id));
    json_object_set_new(x, "change", json_string(change));
}

static void change_release(struct change *c)
{
    inc_view_release(&c->view);
    json_decref(c->rec);
}

/*
 * Begin a change of incident id by organisation org (name): load what
 * reader may see, check that org is involved and, unless any_status, that
 * the incident is not closed; c->rec is then the next version of org's
 * record.  Release c in every case.
 */
static int change_begin(struct store *s, struct share_ctx *reader, const char *id, const char *org,
                        const char *change, bool any_status, int64_t now_us, struct change *c,
                        struct error *err)
{
    memset(c, 0, sizeof(*c));
    if (!org || store_org_get(s, org, &c->org) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", org ? org : "");
    int r = inc_view_load(s, reader, id, &c->view, err);
    if (r)
        return r;
    if (!involved(c))
        return error_set(err, ERR_FORBIDDEN, "organisation '%s' is not involved in this incident",
                         c->org.name);
    if (!any_status &&
        coop_inc_status_parse(merged_str(c, "status")) == COOP_INC_CLOSED)
        return error_set(err, ERR_CONFLICT, "the incident is closed");
    own_next(s, c, change, now_us);
    return 0;
}

/*
 * Store c->rec, with a new group when it is a first note or `extra`
 * joins; then a request by another than the reporter may regroup the
 * incident itself (coop_incident_reconcile).
 */
static int change_commit(struct store *s, struct change *c, const char *extra, int64_t now_us,
                         struct error *err)
{
    json_t *g = NULL;
    if (c->fresh || extra)
        g = regroup(s, INC_EXT_OF(c->view.incident), c->view.merged, c->rec, c->org.identity_id,
                    extra, now_us);
    int r = store_version_group(s, g, c->rec, err);
    if (!r && extra && !is_reporter(c)) {
        int k = coop_incident_reconcile(
            s, json_string_value(json_object_get(c->view.incident, "id")), now_us + 1000, err);
        r = k < 0 ? k : 0;
    }
    return r;
}

static void apply_status(json_t *rec, enum coop_inc_status to)
{
    json_t *x = INC_EXT_OF(rec), *mod = json_object_get(rec, "modified");
    json_object_set_new(x, "status", json_string(coop_inc_status_name(to)));
    json_object_set(x, "status_at", mod);
    if (to == COOP_INC_ACKNOWLEDGED && !json_object_get(x, "acknowledged"))
        json_object_set(x, "acknowledged", mod);
    if (to == COOP_INC_RESOLVED && !json_object_get(x, "resolved"))
        json_object_set(x, "resolved", mod);
}

int coop_incident_set_status(struct store *s, struct share_ctx *reader, const char *id,
                             const char *org, enum coop_inc_status to, int64_t now_us,
                             struct error *err)
{
    struct change c;
    char change[64];
    snprintf(change, sizeof(change), "status %s", coop_inc_status_name(to));
    int r = change_begin(s, reader, id, org, change, true, now_us, &c, err);
    if (!r)
        r = coop_inc_transition(coop_inc_status_parse(merged_str(&c, "status")), to, err);
    if (!r) {
        apply_status(c.rec, to);
        r = change_commit(s, &c, NULL, now_us, err);
    }
    change_release(&c);
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

int coop_incident_assist(struct store *s, struct share_ctx *reader, const char *id,
                         const char *from, const char *to, const char *kind, const char *due,
                         int64_t now_us, struct error *err)
{
    struct store_org t;
    struct change c;
    char change[LIMIT_NAME + 64];
    int r = assist_check(s, to, kind, due, &t, err);
    if (r)
        return r;
    snprintf(change, sizeof(change), "assistance requested: %s from %s", kind, t.name);
    r = change_begin(s, reader, id, from, change, false, now_us, &c, err);
    if (!r && c.org.id == t.id)
        r = error_set(err, ERR_INVALID, "an organisation cannot ask itself for assistance");
    if (!r) {
        /* "answer" and "answered" go in the target's own record */
        json_t *req = json_pack("{s:s, s:s, s:s, s:O}", "kind", kind, "from_ref",
                                c.org.identity_id, "to_ref", t.identity_id, "requested",
                                json_object_get(c.rec, "modified"));
        if (due)
            json_object_set_new(req, "due", json_string(due));
        json_array_append_new(json_object_get(INC_EXT_OF(c.rec), "requests"), req);
        r = change_commit(s, &c, t.identity_id, now_us, err); /* AMBER: t may read it */
    }
    change_release(&c);
    return r;
}

/* ---- answers and links ---- */

int coop_incident_answer(struct store *s, struct share_ctx *reader, const char *id,
                         const char *org, size_t n, const char *answer, int64_t now_us,
                         struct error *err)
{
    struct change c;
    char change[64];
    if (!answer || !*answer || strlen(answer) > 4096)
        return error_set(err, ERR_INVALID, "the answer must be 1 to 4096 characters");
    snprintf(change, sizeof(change), "request %zu answered", n);
    int r = change_begin(s, reader, id, org, change, false, now_us, &c, err);
    json_t *req = r ? NULL : json_array_get(json_object_get(c.view.merged, "requests"), n);
    const char *to = json_string_value(json_object_get(req, "to_ref"));
    if (!r && !req)
        r = error_set(err, ERR_NOT_FOUND, "no request %zu on this incident", n);
    else if (!r && (!to || strcmp(to, c.org.identity_id)))
        r = error_set(err, ERR_FORBIDDEN, "request %zu is not addressed to '%s'", n, c.org.name);
    else if (!r && json_object_get(req, "answer"))
        r = error_set(err, ERR_CONFLICT, "request %zu is already answered", n);
    if (!r) {
        json_array_append_new(json_object_get(INC_EXT_OF(c.rec), "answers"),
                              json_pack("{s:O, s:s, s:O}", "request", json_object_get(req, "key"),
                                        "answer", answer, "answered",
                                        json_object_get(c.rec, "modified")));
        r = change_commit(s, &c, NULL, now_us, err);
    }
    change_release(&c);
    return r;
}

static bool link_valid(const char *ref)
{
    static const char *const types[] = {"indicator--", "sighting--", "observed-data--",
                                        "vulnerability--"};
    for (size_t i = 0; i < 4; i++) {
        size_t k = strlen(types[i]);
        if (!strncmp(ref, types[i], k) && stix_uuid_valid(ref + k, strlen(ref + k)))
            return true;
    }
    return false;
}

int coop_incident_link(struct store *s, struct share_ctx *reader, const char *id, const char *org,
                       const char *const *refs, size_t n, int64_t now_us, struct error *err)
{
    struct change c;
    for (size_t i = 0; i < n; i++)
        if (!link_valid(refs[i]))
            return error_set(err, ERR_INVALID,
                             "'%s' is not an indicator, sighting, observed-data or "
                             "vulnerability id",
                             refs[i]);
    if (n == 0)
        return error_set(err, ERR_INVALID, "nothing to link");
    int r = change_begin(s, reader, id, org, "linked objects", false, now_us, &c, err);
    if (!r) {
        json_t *links = json_object_get(INC_EXT_OF(c.rec), "links");
        for (size_t i = 0; i < n; i++)
            if (!in_array(links, refs[i]))
                json_array_append_new(links, json_string(refs[i]));
        r = change_commit(s, &c, NULL, now_us, err);
    }
    change_release(&c);
    return r;
}

/* ---- regrouping an AMBER incident when others ask for assistance ---- */

/* Does the sharing group gid name every organisation asked for assistance in merged? */
static bool group_covers(struct store *s, const char *gid, json_t *merged)
{
    char *text = NULL;
    size_t len = 0;
    int64_t origin = 0;
    if (!gid || store_marking_get(s, gid, &text, &len, &origin) != 0)
        return false;
    json_t *g = json_loadb(text, len, 0, NULL), *e;
    free(text);
    json_t *orgs = json_object_get(json_object_get(json_object_get(g, "extensions"),
                                                   SHARE_GROUP_EXTENSION),
                                   "organizations");
    bool ok = true;
    size_t i;
    json_array_foreach (json_object_get(merged, "assisting_refs"), i, e)
        ok &= in_array(orgs, json_string_value(e));
    json_decref(g);
    return ok;
}

/* 1 when incident id was regrouped, 0 when it needed nothing, or an error. */
static int reconcile_one(struct store *s, const char *id, int64_t now_us, struct error *err)
{
    struct inc_view v;
    int64_t origin = -1;
    if (coop_obj_origin(s, id, &origin) != 0 || origin != 0)
        return 0; /* only the reporter's own node speaks for it */
    int r = inc_view_load(s, NULL, id, &v, err);
    if (r)
        return r;
    json_t *x = INC_EXT_OF(v.incident);
    const char *gid = json_string_value(json_object_get(x, "group_ref"));
    if (gid && !group_covers(s, gid, v.merged)) {
        char ver[STIX_TS_MAX];
        const char *rep = json_string_value(json_object_get(x, "reporter_ref"));
        json_t *next = json_deep_copy(v.incident), *nx = INC_EXT_OF(next);
        coop_next_version(json_string_value(json_object_get(next, "modified")), now_us, ver);
        json_object_set_new(next, "modified", json_string(ver));
        json_object_set_new(nx, "changed_by_ref", json_string(rep));
        json_object_set_new(nx, "change", json_string("sharing group updated"));
        r = store_version_group(s, regroup(s, x, v.merged, next, rep, NULL, now_us), next, err);
        json_decref(next);
        r = r ? r : 1;
    }
    inc_view_release(&v);
    return r;
}

static int collect_id(void *p, json_t *obj)
{
    json_array_append(p, json_object_get(obj, "id"));
    return 0;
}

int coop_incident_reconcile(struct store *s, const char *id, int64_t now_us, struct error *err)
{
    json_t *ids = json_array(), *e;
    size_t i;
    int n = 0, r = 0;
    if (id)
        json_array_append_new(ids, json_string(id));
    else
        r = coop_obj_each(s, NULL, "incident", collect_id, ids);
    json_array_foreach (ids, i, e) {
        if (r < 0)
            break;
        r = reconcile_one(s, json_string_value(e), now_us, err);
        n += r > 0;
    }
    json_decref(ids);
    return r < 0 ? r : n;
}
