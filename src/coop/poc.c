/*
 * Points-of-contact directory (domain.md §6.1-6.2: OSCE CBM 8, the UN POC
 * directory).  A contact is a STIX 2.1 `identity` with identity_class
 * "individual", created_by_ref the organisation's identity, carrying
 * Concord's contact property extension (COOP_POC_EXTENSION): role,
 * channels, hours, languages, the organisation it speaks for
 * (organization_ref) and when it was last verified.  Every change is a new
 * version (same id, newer `modified`), so the version history is the audit
 * trail.  Contacts are TLP:GREEN: the node's community reads the directory.
 */
#include "coop/coop_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "share/share.h"
#include "stix/id.h"
#include "util/banned.h"

static const char *const poc_roles[] = {"policy", "technical", "law-enforcement", "defence"};

bool coop_poc_role_valid(const char *role)
{
    for (size_t i = 0; role && i < sizeof(poc_roles) / sizeof(poc_roles[0]); i++)
        if (!strcmp(role, poc_roles[i]))
            return true;
    return false;
}

/* "HH:MM" with HH < 24 and MM < 60. */
static bool hhmm_ok(const char *p)
{
    return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
           isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) &&
           (p[0] - '0') * 10 + (p[1] - '0') < 24 && p[3] < '6';
}

/* An IANA zone name: "UTC" or Area/Location[/...] of letters, digits, _ + -. */
static bool tz_ok(const char *tz)
{
    if (!strcmp(tz, "UTC"))
        return true;
    size_t parts = 0, len = 0;
    for (const char *p = tz;; p++) {
        if (*p == '/' || !*p) {
            if (len == 0)
                return false;
            parts++, len = 0;
            if (!*p)
                break;
        } else if (isalnum((unsigned char)*p) || strchr("_+-", *p)) {
            len++;
        } else {
            return false;
        }
    }
    return parts >= 2 && isupper((unsigned char)tz[0]) && strlen(tz) < 64;
}

int coop_poc_hours_check(const char *h, struct error *err)
{
    if (!strcmp(h, "24/7"))
        return 0;
    if (strlen(h) < 13 || !hhmm_ok(h) || h[5] != '-' || !hhmm_ok(h + 6) || h[11] != ' ')
        return error_set(err, ERR_INVALID,
                         "bad hours '%s': expected '24/7' or 'HH:MM-HH:MM Area/City'", h);
    if (!tz_ok(h + 12))
        return error_set(err, ERR_INVALID, "bad time zone '%s': expected an IANA name like "
                         "'Asia/Singapore'", h + 12);
    return 0;
}

/* The extension-definition shipped with Concord (STIX 2.1 §7.3); fixed text. */
static json_t *poc_extension_def(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s}", "type",
                     "extension-definition", "spec_version", "2.1", "id", COOP_POC_EXTENSION,
                     "created_by_ref", SHARE_CONCORD_IDENTITY, "created",
                     "2026-11-01T00:00:00.000Z", "modified", "2026-11-01T00:00:00.000Z",
                     "name", "Concord point of contact", "description",
                     "A national point of contact: role, channels, hours, languages, the "
                     "organisation it speaks for and when it was last verified",
                     "schema", "https://concord.example/schemas/poc-1.0.json", "extension_types",
                     "property-extension", "version", "1.0");
}

static void set_opt(json_t *o, const char *key, const char *v)
{
    if (v && *v)
        json_object_set_new(o, key, json_string(v));
}

static json_t *languages_json(const char *csv)
{
    json_t *a = json_array();
    for (const char *p = csv; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (e ? 1 : 0);
    }
    return a;
}

/* The contact's extension body from p. */
static json_t *poc_ext_json(const struct coop_poc *p)
{
    json_t *x = json_pack("{s:s, s:s, s:s, s:s}", "extension_type", "property-extension",
                          "organization_ref", p->org_identity, "role", p->role, "last_verified",
                          p->last_verified);
    set_opt(x, "email", p->email);
    set_opt(x, "phone", p->phone);
    set_opt(x, "messenger", p->messenger);
    set_opt(x, "pgp_fingerprint", p->pgp);
    set_opt(x, "hours", p->hours);
    json_object_set_new(x, "languages", languages_json(p->languages));
    return x;
}

static json_t *poc_json(const struct coop_poc *p, const char *created)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s]}", "type",
                          "identity", "spec_version", "2.1", "id", p->id, "created", created,
                          "modified", p->modified, "created_by_ref", p->org_identity, "name",
                          p->name, "identity_class", "individual", "roles", p->role,
                          "object_marking_refs", share_tlp_id(SHARE_TLP_GREEN));
    if (p->email[0])
        json_object_set_new(o, "contact_information", json_string(p->email));
    json_object_set_new(o, "extensions", json_pack("{s:o}", COOP_POC_EXTENSION, poc_ext_json(p)));
    return o;
}

static int store_poc(struct store *s, const struct coop_poc *p, const char *created,
                     struct error *err)
{
    json_t *objs = json_pack("[o, o]", poc_extension_def(), poc_json(p, created));
    int r = coop_obj_store(s, objs, err);
    json_decref(objs);
    return r;
}

static int poc_check(const struct coop_poc *in, struct error *err)
{
    if (!coop_poc_role_valid(in->role))
        return error_set(err, ERR_INVALID, "bad role '%s': expected policy, technical, "
                         "law-enforcement or defence", in->role);
    if (!in->name[0])
        return error_set(err, ERR_INVALID, "a contact needs a name");
    if (in->hours[0])
        return coop_poc_hours_check(in->hours, err);
    return 0;
}

int coop_poc_add(struct store *s, const struct coop_poc *in, char id_out[96], struct error *err)
{
    struct store_org o;
    if (store_org_get(s, in->org, &o) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", in->org);
    int r = poc_check(in, err);
    if (r)
        return r;
    struct coop_poc p = *in;
    char uuid[STIX_UUID_LEN + 1], now[STIX_TS_MAX];
    stix_uuid4(uuid);
    snprintf(p.id, sizeof(p.id), "identity--%s", uuid);
    snprintf(p.org_identity, sizeof(p.org_identity), "%s", o.identity_id);
    coop_ts_ms(stix_now_us(), now);
    snprintf(p.last_verified, sizeof(p.last_verified), "%s", now);
    snprintf(p.modified, sizeof(p.modified), "%s", now);
    r = store_poc(s, &p, now, err);
    if (!r)
        snprintf(id_out, 96, "%s", p.id);
    return r;
}

/* Copy a string member of o into out ("" when absent). */
static void get_str(json_t *o, const char *key, char *out, size_t n)
{
    const char *v = json_string_value(json_object_get(o, key));
    snprintf(out, n, "%s", v ? v : "");
}

static void languages_csv(json_t *a, char *out, size_t n)
{
    size_t i, len = 0;
    json_t *v;
    out[0] = '\0';
    json_array_foreach(a, i, v) {
        if (json_is_string(v) && len < n)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
                                    json_string_value(v));
    }
}

/* Flatten a stored contact; false when obj is not one. */
static bool poc_parse(json_t *obj, struct coop_poc *p)
{
    json_t *x = json_object_get(json_object_get(obj, "extensions"), COOP_POC_EXTENSION);
    if (!json_is_object(x))
        return false;
    memset(p, 0, sizeof(*p));
    get_str(obj, "id", p->id, sizeof(p->id));
    get_str(obj, "name", p->name, sizeof(p->name));
    get_str(obj, "modified", p->modified, sizeof(p->modified));
    get_str(x, "organization_ref", p->org_identity, sizeof(p->org_identity));
    get_str(x, "role", p->role, sizeof(p->role));
    get_str(x, "email", p->email, sizeof(p->email));
    get_str(x, "phone", p->phone, sizeof(p->phone));
    get_str(x, "messenger", p->messenger, sizeof(p->messenger));
    get_str(x, "pgp_fingerprint", p->pgp, sizeof(p->pgp));
    get_str(x, "hours", p->hours, sizeof(p->hours));
    get_str(x, "last_verified", p->last_verified, sizeof(p->last_verified));
    languages_csv(json_object_get(x, "languages"), p->languages, sizeof(p->languages));
    return true;
}

int coop_poc_verify(struct store *s, const char *id, int64_t now_us, struct error *err)
{
    json_t *obj;
    struct coop_poc p;
    if (coop_obj_latest(s, NULL, id, &obj) != 0)
        return error_set(err, ERR_NOT_FOUND, "no contact '%s'", id);
    if (!poc_parse(obj, &p)) {
        json_decref(obj);
        return error_set(err, ERR_NOT_FOUND, "'%s' is not a point of contact", id);
    }
    char created[STIX_TS_MAX], ver[STIX_TS_MAX];
    get_str(obj, "created", created, sizeof(created));
    get_str(obj, "name", p.name, sizeof(p.name));
    coop_next_version(p.modified, now_us, ver);
    snprintf(p.modified, sizeof(p.modified), "%s", ver);
    snprintf(p.last_verified, sizeof(p.last_verified), "%s", ver);
    json_decref(obj);
    return store_poc(s, &p, created, err);
}

/* ---- list ---- */

struct list_ctx {
    struct store *s;
    struct share_ctx *reader;
    const struct coop_poc_filter *f;
    int (*fn)(void *, const struct coop_poc *);
    void *ctx;
};

struct org_find {
    const char *identity;
    struct store_org *out;
    bool found;
};

static int org_by_identity(void *p, const struct store_org *o)
{
    struct org_find *f = p;
    if (!f->found && !strcmp(o->identity_id, f->identity)) {
        *f->out = *o;
        f->found = true;
    }
    return 0;
}

/* Is sector among the organisation identity's `sectors` (as the reader sees it)? */
static bool org_has_sector(struct list_ctx *l, const struct store_org *o)
{
    if (!strcmp(o->role, l->f->sector))
        return true;
    json_t *obj;
    if (coop_obj_latest(l->s, l->reader, o->identity_id, &obj) != 0)
        return false;
    size_t i;
    json_t *v;
    bool yes = false;
    json_array_foreach(json_object_get(obj, "sectors"), i, v)
        yes = yes || (json_is_string(v) && !strcmp(json_string_value(v), l->f->sector));
    json_decref(obj);
    return yes;
}

static bool poc_matches(struct list_ctx *l, const struct coop_poc *p, const struct store_org *o)
{
    const struct coop_poc_filter *f = l->f;
    if (f->role && strcmp(f->role, p->role))
        return false;
    if (f->country && strcmp(f->country, o->country))
        return false;
    return !f->sector || org_has_sector(l, o);
}

static int list_one(void *ctx, json_t *obj)
{
    struct list_ctx *l = ctx;
    struct coop_poc p;
    struct store_org o;
    memset(&o, 0, sizeof(o));
    if (!poc_parse(obj, &p))
        return 0;
    struct org_find find = {p.org_identity, &o, false};
    store_org_list(l->s, org_by_identity, &find);
    snprintf(p.org, sizeof(p.org), "%s", o.name);
    snprintf(p.country, sizeof(p.country), "%s", o.country);
    if (!poc_matches(l, &p, &o))
        return 0;
    return l->fn(l->ctx, &p);
}

int coop_poc_list(struct store *s, const struct coop_poc_filter *f,
                  int (*fn)(void *, const struct coop_poc *), void *ctx, struct error *err)
{
    if (f->role && !coop_poc_role_valid(f->role))
        return error_set(err, ERR_INVALID, "bad role '%s'", f->role);
    struct share_ctx reader;
    if (share_ctx_init(&reader, s, f->as_org, f->everything) != 0)
        return error_set(err, ERR_DB, "cannot load the reader's organisation");
    struct list_ctx l = {s, &reader, f, fn, ctx};
    int r = coop_obj_each(s, &reader, "identity", list_one, &l);
    share_ctx_release(&reader);
    if (r < 0)
        error_set(err, r, "cannot list the contacts");
    return r < 0 ? r : 0;
}
