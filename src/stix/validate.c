/*
 * STIX 2.1 object validation: the driver.
 *
 * stix_validate() checks one object in a fixed order and stops at the
 * first problem: the type (§3.1), spec_version (§3.2), the id and its
 * prefix (§2.9), created/modified (§3.2: millisecond precision in 2.1,
 * modified >= created), then, for 2.1 objects, the common properties of
 * the object's family and the type's own properties from the table in
 * validate_types.c (checked by validate_props.c), the type's
 * cross-property rules, and last the naming rules every 2.1 property
 * follows (§3.1: *_ref, *_refs, *_bin, *_hex, *_enc).  Objects that are
 * STIX 2.0 (no spec_version on an SDO or SRO) only get the 2.0 common
 * checks.  Unknown properties are allowed: custom properties and
 * toplevel-property extensions are legal STIX.
 *
 * This is on the ingest hot path: it never allocates, looks properties up
 * with json_object_get, and builds error paths and messages only once an
 * error is found.  The error path is relative to the object
 * ("external_references[0].source_name"); callers that validate a bundle
 * or an envelope prefix it with error_prefix_path().
 *
 * created and modified must also fit int64 nanoseconds (years 1678-2261)
 * because the store orders versions on stix_meta.version_ns; any other
 * timestamp may use the whole 0000-9999 range.
 */
#include "stix/validate.h"

#include <string.h>

#include "stix/id.h"
#include "stix/timestamp.h"
#include "stix/validate_int.h"
#include "util/banned.h"

#define QMAX 100 /* longest part of a value quoted in a message */

/* What the driver learned about the object, for struct stix_meta. */
struct vstate {
    const struct stix_vtype_def *def;
    const char *type;
    size_t type_len;
    const char *id;
    const char *spec; /* "2.0" or "2.1" (static strings) */
    bool v21;
    const char *version; /* modified, else created, else NULL */
    int64_t version_ns;
};

static int qlen(size_t len)
{
    return len > QMAX ? QMAX : (int)len;
}

static const char *const t_identity[] = {"identity", NULL};
static const struct stix_vref ref_identity = {0, t_identity, NULL, "an identity"};

static int check_type(json_t *obj, struct vstate *st, struct error *err)
{
    json_t *v = json_object_get(obj, "type");
    const char *s;
    size_t len;

    if (!v)
        return stix_vfail_missing(err, NULL, -1, "type");
    if (!json_is_string(v))
        return stix_vfail_shape(err, "type", -1, NULL, "a string");
    s = json_string_value(v);
    len = json_string_length(v);
    if (!stix_type_name_valid(s, len))
        return stix_vfail(err, "type", "invalid type name '%.*s'", qlen(len), s);
    if (stix_vkind(s, len) == STIX_VK_BUNDLE)
        return stix_vfail(err, "type", "a bundle is not a STIX object (check its objects instead)");
    st->type = s;
    st->type_len = len;
    st->def = stix_vtype_lookup(s, len);
    if (!st->def)
        st->def = stix_vtype_custom();
    return 0;
}

static bool str_eq(json_t *v, const char *s)
{
    size_t n = strlen(s);
    return json_string_length(v) == n && memcmp(json_string_value(v), s, n) == 0;
}

/* spec_version (§3.2): "2.1"; absent means 2.0 on SDOs/SROs and 2.1 on SCOs. */
static int check_spec(json_t *obj, struct vstate *st, struct error *err)
{
    json_t *v = json_object_get(obj, "spec_version");
    enum stix_vspec rule = st->def->spec;

    if (!v) {
        if (rule == STIX_VS_REQUIRED)
            return stix_vfail_missing(err, NULL, -1, "spec_version");
        st->spec = rule == STIX_VS_SCO || (rule == STIX_VS_CUSTOM && !stix_vhas(obj, "created"))
                       ? "2.1"
                       : "2.0";
    } else if (!json_is_string(v)) {
        return stix_vfail_shape(err, "spec_version", -1, NULL, "a string");
    } else if (str_eq(v, "2.1")) {
        st->spec = "2.1";
    } else if (str_eq(v, "2.0") && rule != STIX_VS_REQUIRED && rule != STIX_VS_SCO) {
        st->spec = "2.0";
    } else {
        return stix_vfail(err, "spec_version", "unsupported spec_version '%.*s'",
                          qlen(json_string_length(v)), json_string_value(v));
    }
    st->v21 = st->spec[2] == '1';
    return 0;
}

static int check_id(json_t *obj, struct vstate *st, struct error *err)
{
    json_t *v = json_object_get(obj, "id");
    const char *why;

    if (!v)
        return stix_vfail_missing(err, NULL, -1, "id");
    if (!json_is_string(v))
        return stix_vfail_shape(err, "id", -1, NULL, "a string");
    why = stix_id_problem(json_string_value(v), json_string_length(v), st->type, st->type_len);
    if (why)
        return stix_vfail(err, "id", "invalid identifier '%.*s': %s", qlen(json_string_length(v)),
                          json_string_value(v), why);
    st->id = json_string_value(v);
    return 0;
}

/*
 * created/modified (§3.2): valid timestamps, at least millisecond precision
 * in 2.1, and representable as int64 nanoseconds (years 1678-2261) because
 * the store orders versions on that.  *t is set when present.
 */
static int get_time(json_t *obj, const char *name, bool req, bool v21, struct stix_ts *t,
                    bool *present, struct error *err)
{
    json_t *v = json_object_get(obj, name);
    int64_t ns;
    int r;

    *present = v != NULL;
    if (!v)
        return req ? stix_vfail_missing(err, NULL, -1, name) : 0;
    r = stix_vts_check(v, name, -1, err);
    if (r != 0)
        return r;
    stix_ts_parse_full(json_string_value(v), json_string_length(v), t);
    if (v21 && t->frac_digits < 3)
        return stix_vfail(err, name, "'%s' must have at least millisecond precision", name);
    if (!stix_ts_to_ns(t, &ns))
        return stix_vfail(err, name, "'%s' is outside the supported years 1678 to 2261", name);
    return 0;
}

static int check_times(json_t *obj, struct vstate *st, struct error *err)
{
    enum stix_vtimes rule = st->def->times;
    struct stix_ts c = {0}, m = {0};
    bool has_c = false, has_m = false;
    int r;

    if (rule == STIX_VT_NONE)
        return 0;
    r = get_time(obj, "created", rule != STIX_VT_OPTIONAL, st->v21, &c, &has_c, err);
    if (r == 0 && rule != STIX_VT_CREATED)
        r = get_time(obj, "modified", rule == STIX_VT_BOTH, st->v21, &m, &has_m, err);
    if (r != 0)
        return r;
    if (has_c && has_m && stix_ts_cmp(&m, &c) < 0)
        return stix_vfail(err, "modified", "'modified' is earlier than 'created'");
    if (has_m || has_c) {
        st->version = json_string_value(json_object_get(obj, has_m ? "modified" : "created"));
        stix_ts_to_ns(has_m ? &m : &c, &st->version_ns);
    }
    return 0;
}

/* SCOs such as process must carry something besides the common properties. */
static int check_needs_one(json_t *obj, const struct stix_vtype_def *def, struct error *err)
{
    if (!def->needs_one || stix_vhas(obj, "extensions"))
        return 0;
    for (const struct stix_vprop *p = def->props; p->name; p++)
        if (stix_vhas(obj, p->name))
            return 0;
    return stix_vfail(err, "", "'%s' needs at least one property besides the common ones",
                      def->name);
}

/* The 2.0 rules kept for objects without spec_version: creator and revocation. */
static const struct stix_vprop v20_props[] = {
    {.name = "created_by_ref", .type = STIX_V_REF, .ref = &ref_identity},
    {.name = "revoked", .type = STIX_V_BOOL},
    {.name = NULL},
};

static int check_body(json_t *obj, const struct vstate *st, struct error *err)
{
    const struct stix_vtype_def *def = st->def;
    int r;

    if (!st->v21) {
        r = stix_vprops_check(obj, v20_props, err);
        /* STIX 2.0 indicators have no pattern_type: their pattern is STIX */
        if (r == 0 && strcmp(def->name, "indicator") == 0)
            r = stix_vpattern_check(obj, err);
        return r;
    }
    r = stix_vprops_check(obj, def->common, err);
    if (r == 0)
        r = stix_vprops_check(obj, def->props, err);
    if (r == 0)
        r = check_needs_one(obj, def, err);
    if (r == 0 && def->check)
        r = def->check(obj, err);
    if (r == 0)
        r = stix_vsuffixes_check(obj, err);
    return r;
}

static void fill_meta(json_t *obj, const struct vstate *st, struct stix_meta *meta)
{
    json_t *cbr = json_object_get(obj, "created_by_ref");

    meta->type = st->type;
    meta->id = st->id;
    meta->spec_version = st->spec;
    meta->created_by_ref = json_is_string(cbr) ? json_string_value(cbr) : NULL;
    meta->version = st->version;
    meta->version_ns = st->version ? st->version_ns : 0;
    meta->revoked = json_is_true(json_object_get(obj, "revoked"));
    meta->kind = st->def->kind;
    meta->versioned = st->def->times == STIX_VT_BOTH ||
                      (st->def->times == STIX_VT_OPTIONAL && stix_vhas(obj, "modified"));
}

int stix_validate(json_t *obj, struct stix_meta *meta, struct error *err)
{
    struct vstate st = {0};
    int r;

    if (!json_is_object(obj))
        return stix_vfail(err, "", "a STIX object must be a JSON object");
    r = check_type(obj, &st, err);
    if (r == 0)
        r = check_spec(obj, &st, err);
    if (r == 0)
        r = check_id(obj, &st, err);
    if (r == 0)
        r = check_times(obj, &st, err);
    if (r == 0)
        r = check_body(obj, &st, err);
    if (r == 0 && meta)
        fill_meta(obj, &st, meta);
    return r;
}

enum stix_kind stix_kind_of(const char *type)
{
    int k;

    if (!type)
        return STIX_KIND_CUSTOM;
    k = stix_vkind(type, strlen(type));
    return k == STIX_VK_BUNDLE ? STIX_KIND_CUSTOM : (enum stix_kind)k;
}
