/*
 * STIX 2.1 property checks: the interpreter for the property tables of
 * validate_types.c (struct stix_vprop) and the checkers of the common
 * data types it uses: timestamps (§2.16), identifiers and their allowed
 * targets (§2.9, §3.3), lists (§2.12: never empty), dictionaries (§2.3),
 * hashes (§2.7), binary and hex (§2.1, §2.8), kill-chain phases (§2.11),
 * external references (§2.5), granular markings (§7.2.3) and the
 * extensions dictionary (§3.2, §7.3).
 *
 * Every checker takes the property path it reports on and builds an
 * indexed path ("external_references[2].source_name") and the message
 * only when it fails, so the success path does no formatting and no
 * allocation.  The first failure ends the check (first error wins).
 */
#include "stix/validate_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stix/id.h"
#include "stix/timestamp.h"
#include "util/banned.h"

#define QMAX 100                    /* longest part of a value quoted in a message */
#define ID_TAIL (2 + STIX_UUID_LEN) /* "--" + uuid after the type of an id */

static int qlen(size_t len)
{
    return len > QMAX ? QMAX : (int)len;
}

int stix_vfail(struct error *err, const char *path, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;

    if (!err || err->code != 0)
        return ERR_INVALID; /* nobody listening, or an earlier error wins */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error_set_at(err, ERR_INVALID, path, -1, "%s", msg);
}

/*
 * out = path, path[idx] or path[idx].sub (idx < 0: no index).  A path
 * longer than ERROR_PATH_MAX (deep dictionary keys) ends in "...".
 */
static void vpath(char out[ERROR_PATH_MAX], const char *path, long idx, const char *sub)
{
    int n;

    if (idx < 0 && !sub)
        n = snprintf(out, ERROR_PATH_MAX, "%s", path);
    else if (idx < 0)
        n = snprintf(out, ERROR_PATH_MAX, "%s.%s", path, sub);
    else if (!sub)
        n = snprintf(out, ERROR_PATH_MAX, "%s[%ld]", path, idx);
    else
        n = snprintf(out, ERROR_PATH_MAX, "%s[%ld].%s", path, idx, sub);
    if (n < 0 || n >= ERROR_PATH_MAX)
        memcpy(out + ERROR_PATH_MAX - 4, "...", 4);
}

int stix_vfail_shape(struct error *err, const char *path, long idx, const char *sub,
                     const char *what)
{
    char p[ERROR_PATH_MAX];

    vpath(p, path, idx, sub);
    return stix_vfail(err, p, "'%s' must be %s", p, what);
}

int stix_vfail_missing(struct error *err, const char *path, long idx, const char *name)
{
    char p[ERROR_PATH_MAX];

    if (!path)
        snprintf(p, sizeof(p), "%s", name);
    else
        vpath(p, path, idx, name);
    return stix_vfail(err, p, "missing required property '%s'", name);
}

bool stix_vstr_is(json_t *obj, const char *name, const char *s)
{
    json_t *v = json_object_get(obj, name);
    size_t n = strlen(s);

    /* length first: a JSON string may hold an embedded NUL (JSON_ALLOW_NUL) */
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), s, n) == 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t sn)
{
    return n > sn && memcmp(s + n - sn, suffix, sn) == 0;
}

static bool in_list(const char *const *list, const char *s, size_t len)
{
    for (; list && *list; list++)
        if (strlen(*list) == len && memcmp(*list, s, len) == 0)
            return true;
    return false;
}

static const char *const t_marking[] = {"marking-definition", NULL};
static const struct stix_vref ref_marking = {0, t_marking, NULL, "a marking-definition"};

/* --- scalar values ---------------------------------------------------- */

int stix_vts_check(json_t *v, const char *path, long idx, struct error *err)
{
    struct stix_ts t;
    char p[ERROR_PATH_MAX];

    if (!json_is_string(v))
        return stix_vfail_shape(err, path, idx, NULL, "a timestamp string");
    if (stix_ts_parse_full(json_string_value(v), json_string_length(v), &t) == 0)
        return 0;
    vpath(p, path, idx, NULL);
    return stix_vfail(err, p, "invalid timestamp '%.*s'", qlen(json_string_length(v)),
                      json_string_value(v));
}

static bool ref_allowed(const struct stix_vref *rule, const char *type, size_t len)
{
    if (in_list(rule->exclude, type, len))
        return false;
    if (in_list(rule->types, type, len))
        return true;
    return (rule->kinds & STIX_VBIT(stix_vkind(type, len))) != 0;
}

/* An identifier (§2.9) whose type the rule allows (§3.3); rule NULL = any. */
static int check_ref(json_t *v, const struct stix_vref *rule, const char *path, long idx,
                     struct error *err)
{
    char p[ERROR_PATH_MAX];
    const char *s, *why;
    size_t len;

    if (!json_is_string(v))
        return stix_vfail_shape(err, path, idx, NULL, "an identifier string");
    s = json_string_value(v);
    len = json_string_length(v);
    why = stix_id_problem(s, len, NULL, 0);
    if (!why && (!rule || ref_allowed(rule, s, len - ID_TAIL)))
        return 0;
    vpath(p, path, idx, NULL);
    if (why)
        return stix_vfail(err, p, "invalid identifier '%.*s': %s", qlen(len), s, why);
    return stix_vfail(err, p, "'%s' must refer to %s, not '%.*s'", p, rule->what,
                      (int)(len - ID_TAIL), s);
}

static int check_enum(json_t *v, const char *const *values, const char *path, long idx,
                      struct error *err)
{
    char p[ERROR_PATH_MAX];

    if (!json_is_string(v))
        return stix_vfail_shape(err, path, idx, NULL, "a string");
    if (in_list(values, json_string_value(v), json_string_length(v)))
        return 0;
    vpath(p, path, idx, NULL);
    return stix_vfail(err, p, "invalid value '%.*s' for '%s'", qlen(json_string_length(v)),
                      json_string_value(v), p);
}

static int check_number(json_t *v, const struct stix_vprop *p, struct error *err)
{
    double d;

    if (p->type == STIX_V_INT && !json_is_integer(v))
        return stix_vfail_shape(err, p->name, -1, NULL, "an integer");
    if (!json_is_number(v))
        return stix_vfail_shape(err, p->name, -1, NULL, "a number");
    d = json_number_value(v);
    if (d >= p->min && d <= p->max)
        return 0;
    return stix_vfail(err, p->name, "'%s' must be between %.15g and %.15g", p->name, p->min,
                      p->max);
}

/* Base64 (§2.1), the OASIS schema's form: groups of 4, '=' padding only at the end. */
static bool base64_ok(const char *s, size_t len)
{
    size_t pad = 0;

    if (len == 0 || len % 4 != 0)
        return false;
    while (pad < 2 && s[len - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < len - pad; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    return true;
}

/* Hexadecimal (§2.8): an even number of hex digits. */
static bool hex_ok(const char *s, size_t len, size_t want)
{
    if (len == 0 || len % 2 != 0 || (want && len != want))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

static int check_bin(json_t *v, const char *path, struct error *err)
{
    if (json_is_string(v) && base64_ok(json_string_value(v), json_string_length(v)))
        return 0;
    return stix_vfail_shape(err, path, -1, NULL, "a base64 string");
}

static int check_hex(json_t *v, const char *path, struct error *err)
{
    if (json_is_string(v) && hex_ok(json_string_value(v), json_string_length(v), 0))
        return 0;
    return stix_vfail_shape(err, path, -1, NULL, "an even number of hex digits");
}

/* --- lists and dictionaries ------------------------------------------- */

/* A non-empty list (§2.12: empty lists are prohibited). */
static int check_list(json_t *v, const char *path, struct error *err)
{
    if (!json_is_array(v))
        return stix_vfail_shape(err, path, -1, NULL, "a list");
    if (json_array_size(v) == 0)
        return stix_vfail(err, path, "'%s' must not be an empty list", path);
    return 0;
}

static int check_dict(json_t *v, const char *path, struct error *err)
{
    if (!json_is_object(v))
        return stix_vfail_shape(err, path, -1, NULL, "an object");
    if (json_object_size(v) == 0)
        return stix_vfail(err, path, "'%s' must not be empty", path);
    return 0;
}

static int check_strs(json_t *v, const char *path, struct error *err)
{
    size_t i;
    json_t *it;
    int r = check_list(v, path, err);

    json_array_foreach(v, i, it)
    {
        if (r == 0 && !json_is_string(it))
            r = stix_vfail_shape(err, path, (long)i, NULL, "a string");
    }
    return r;
}

static int check_refs(json_t *v, const struct stix_vref *rule, const char *path, struct error *err)
{
    size_t i;
    json_t *it;
    int r = check_list(v, path, err);

    json_array_foreach(v, i, it)
    {
        if (r == 0)
            r = check_ref(it, rule, path, (long)i, err);
    }
    return r;
}

static int check_enums(json_t *v, const char *const *values, const char *path, struct error *err)
{
    size_t i;
    json_t *it;
    int r = check_list(v, path, err);

    json_array_foreach(v, i, it)
    {
        if (r == 0)
            r = check_enum(it, values, path, (long)i, err);
    }
    return r;
}

/* Hash dictionary keys (§2.7): [a-zA-Z0-9_-], 3 to 250 characters. */
static bool hash_key_ok(const char *k, size_t len)
{
    if (len < 3 || len > 250)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Hex length of the algorithms the OASIS schema pins down; 0 = any string. */
static size_t hash_hex_len(const char *k)
{
    static const struct {
        const char *name;
        size_t len;
    } known[] = {
        {"MD5", 32},      {"SHA-1", 40},    {"SHA-256", 64},
        {"SHA-512", 128}, {"SHA3-256", 64}, {"SHA3-512", 128},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(k, known[i].name) == 0)
            return known[i].len;
    return 0;
}

static int check_hashes(json_t *v, const char *path, struct error *err)
{
    const char *k;
    json_t *h;
    char p[ERROR_PATH_MAX];
    int r = check_dict(v, path, err);

    json_object_foreach(v, k, h)
    {
        size_t want = hash_hex_len(k);
        bool key_ok = hash_key_ok(k, strlen(k));
        if (r != 0)
            break;
        if (key_ok && json_is_string(h) &&
            (!want || hex_ok(json_string_value(h), json_string_length(h), want)))
            continue;
        vpath(p, path, -1, k); /* only now: the success path formats nothing */
        if (!key_ok)
            r = stix_vfail(err, p, "invalid hash algorithm name '%.*s'", qlen(strlen(k)), k);
        else if (!json_is_string(h))
            r = stix_vfail_shape(err, p, -1, NULL, "a string");
        else
            r = stix_vfail(err, p, "'%s' must be %zu hex digits", p, want);
    }
    return r;
}

/* --- structured common types (validate_common part) -------------------- */

/* Optional string member of a list item. */
static int item_str(json_t *item, const char *path, long idx, const char *name, bool req,
                    struct error *err)
{
    json_t *v = json_object_get(item, name);

    if (!v)
        return req ? stix_vfail_missing(err, path, idx, name) : 0;
    return json_is_string(v) ? 0 : stix_vfail_shape(err, path, idx, name, "a string");
}

/* kill-chain-phase (§2.11): kill_chain_name and phase_name strings. */
static int check_kcp(json_t *v, const char *path, struct error *err)
{
    size_t i;
    json_t *it;
    int r = check_list(v, path, err);

    json_array_foreach(v, i, it)
    {
        if (r == 0 && !json_is_object(it))
            r = stix_vfail_shape(err, path, (long)i, NULL, "an object");
        if (r == 0)
            r = item_str(it, path, (long)i, "kill_chain_name", true, err);
        if (r == 0)
            r = item_str(it, path, (long)i, "phase_name", true, err);
    }
    return r;
}

/* external-reference (§2.5): source_name plus one of description, url, external_id. */
static int check_extref(json_t *it, const char *path, long i, struct error *err)
{
    static const char *const opt[] = {"description", "url", "external_id"};
    char p[ERROR_PATH_MAX];
    bool any = false;
    int r;

    if (!json_is_object(it))
        return stix_vfail_shape(err, path, i, NULL, "an object");
    r = item_str(it, path, i, "source_name", true, err);
    for (size_t k = 0; r == 0 && k < 3; k++) {
        any = any || json_object_get(it, opt[k]) != NULL;
        r = item_str(it, path, i, opt[k], false, err);
    }
    if (r == 0 && !any) {
        vpath(p, path, i, NULL);
        r = stix_vfail(err, p, "external reference needs 'description', 'url' or 'external_id'");
    }
    if (r == 0 && json_object_get(it, "hashes")) {
        vpath(p, path, i, "hashes");
        r = check_hashes(json_object_get(it, "hashes"), p, err);
    }
    return r;
}

static int check_extrefs(json_t *v, const char *path, struct error *err)
{
    size_t i;
    json_t *it;
    int r = check_list(v, path, err);

    json_array_foreach(v, i, it)
    {
        if (r == 0)
            r = check_extref(it, path, (long)i, err);
    }
    return r;
}

/* Index "[n]" in seg[0..len) into *idx. */
static bool parse_index(const char *seg, size_t len, size_t *idx)
{
    size_t n = 0;

    if (len < 3 || seg[0] != '[' || seg[len - 1] != ']')
        return false;
    for (size_t i = 1; i < len - 1; i++) {
        if (seg[i] < '0' || seg[i] > '9' || n > 100000000)
            return false;
        n = n * 10 + (size_t)(seg[i] - '0');
    }
    *idx = n;
    return true;
}

/*
 * A granular-marking selector must select content present in the object
 * (§7.2.3): components split by '.', each a property/dictionary key or a
 * list index "[n]".
 */
static bool selector_resolves(json_t *obj, const char *s, size_t len)
{
    json_t *cur = obj;
    size_t i = 0, idx;

    while (cur) {
        size_t j = i;
        while (j < len && s[j] != '.')
            j++;
        if (j == i)
            return false; /* empty component */
        if (s[i] == '[')
            cur = json_is_array(cur) && parse_index(s + i, j - i, &idx) ? json_array_get(cur, idx)
                                                                        : NULL;
        else
            cur = json_is_object(cur) ? json_object_getn(cur, s + i, j - i) : NULL;
        if (j == len)
            break;
        i = j + 1;
    }
    return cur != NULL;
}

static int check_selectors(json_t *obj, json_t *gm, const char *path, long i, struct error *err)
{
    char p[ERROR_PATH_MAX];
    json_t *sel = json_object_get(gm, "selectors"), *s;
    size_t k;
    int r;

    if (!sel)
        return stix_vfail_missing(err, path, i, "selectors");
    vpath(p, path, i, "selectors");
    r = check_strs(sel, p, err);
    json_array_foreach(sel, k, s)
    {
        if (r == 0 && !selector_resolves(obj, json_string_value(s), json_string_length(s))) {
            char q[ERROR_PATH_MAX];
            vpath(q, p, (long)k, NULL);
            r = stix_vfail(err, q, "selector '%.*s' does not select anything in the object",
                           qlen(json_string_length(s)), json_string_value(s));
        }
    }
    return r;
}

/* granular-marking (§7.2.3): selectors, and exactly one of marking_ref / lang. */
static int check_granular_one(json_t *obj, json_t *gm, const char *path, long i, struct error *err)
{
    char p[ERROR_PATH_MAX];
    json_t *ref, *lang;
    int r;

    if (!json_is_object(gm))
        return stix_vfail_shape(err, path, i, NULL, "an object");
    r = check_selectors(obj, gm, path, i, err);
    ref = json_object_get(gm, "marking_ref");
    lang = json_object_get(gm, "lang");
    if (r == 0 && (!ref) == (!lang)) {
        vpath(p, path, i, NULL);
        return stix_vfail(err, p, "granular marking needs exactly one of 'marking_ref' or 'lang'");
    }
    if (r == 0 && ref) {
        vpath(p, path, i, "marking_ref");
        r = check_ref(ref, &ref_marking, p, -1, err);
    }
    if (r == 0 && lang)
        r = item_str(gm, path, i, "lang", false, err);
    return r;
}

static int check_granular(json_t *obj, json_t *v, const char *path, struct error *err)
{
    size_t i;
    json_t *it;
    int r = check_list(v, path, err);

    json_array_foreach(v, i, it)
    {
        if (r == 0)
            r = check_granular_one(obj, it, path, (long)i, err);
    }
    return r;
}

static const char *const ext_types[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension", NULL};

static bool ext_type_ok(json_t *v)
{
    return in_list(ext_types, json_string_value(v), json_string_length(v));
}

static int check_ext_type(json_t *v, const char *ext_path, struct error *err)
{
    char p[ERROR_PATH_MAX];

    vpath(p, ext_path, -1, "extension_type");
    return check_enum(v, ext_types, p, -1, err);
}

/*
 * extensions (§3.2, §7.3): a non-empty dictionary of objects.  A key that
 * is an extension-definition id uses the extension facility, so its value
 * must carry a valid extension_type; other keys are predefined extensions.
 */
static int check_extension(const char *k, json_t *e, const char *path, struct error *err)
{
    static const char prefix[] = "extension-definition--";
    bool facility = strncmp(k, prefix, sizeof(prefix) - 1) == 0;
    const char *why = NULL;
    char p[ERROR_PATH_MAX];

    if (facility)
        why = stix_id_problem(k, strlen(k), "extension-definition", sizeof(prefix) - 3);
    if (json_is_object(e) && !facility)
        return 0; /* a predefined extension: its properties are not checked */
    if (json_is_object(e) && !why && json_is_string(json_object_get(e, "extension_type")) &&
        ext_type_ok(json_object_get(e, "extension_type")))
        return 0;
    vpath(p, path, -1, k);
    if (!json_is_object(e))
        return stix_vfail_shape(err, p, -1, NULL, "an object");
    if (why)
        return stix_vfail(err, p, "invalid identifier '%.*s': %s", qlen(strlen(k)), k, why);
    if (!json_object_get(e, "extension_type"))
        return stix_vfail_missing(err, p, -1, "extension_type");
    return check_ext_type(json_object_get(e, "extension_type"), p, err);
}

static int check_extensions(json_t *v, const char *path, struct error *err)
{
    const char *k;
    json_t *e;
    int r = check_dict(v, path, err);

    json_object_foreach(v, k, e)
    {
        if (r != 0)
            break;
        r = check_extension(k, e, path, err);
    }
    return r;
}

/* --- the property interpreter ----------------------------------------- */

static int check_value(json_t *obj, json_t *v, const struct stix_vprop *p, struct error *err)
{
    switch (p->type) {
    case STIX_V_STR:
        return json_is_string(v) ? 0 : stix_vfail_shape(err, p->name, -1, NULL, "a string");
    case STIX_V_BOOL:
        return json_is_boolean(v) ? 0 : stix_vfail_shape(err, p->name, -1, NULL, "a boolean");
    case STIX_V_INT:
    case STIX_V_NUM:
        return check_number(v, p, err);
    case STIX_V_TS:
        return stix_vts_check(v, p->name, -1, err);
    case STIX_V_REF:
        return check_ref(v, p->ref, p->name, -1, err);
    case STIX_V_REFS:
        return check_refs(v, p->ref, p->name, err);
    case STIX_V_STRS:
        return check_strs(v, p->name, err);
    case STIX_V_ENUM:
        return check_enum(v, p->values, p->name, -1, err);
    case STIX_V_ENUMS:
        return check_enums(v, p->values, p->name, err);
    case STIX_V_OBJ:
        return json_is_object(v) ? 0 : stix_vfail_shape(err, p->name, -1, NULL, "an object");
    case STIX_V_DICT:
        return check_dict(v, p->name, err);
    case STIX_V_LIST:
        return check_list(v, p->name, err);
    case STIX_V_HASHES:
        return check_hashes(v, p->name, err);
    case STIX_V_BIN:
        return check_bin(v, p->name, err);
    case STIX_V_KCP:
        return check_kcp(v, p->name, err);
    case STIX_V_EXTREFS:
        return check_extrefs(v, p->name, err);
    case STIX_V_GRANULAR:
        return check_granular(obj, v, p->name, err);
    case STIX_V_EXTENSIONS:
        return check_extensions(v, p->name, err);
    }
    return 0;
}

int stix_vprops_check(json_t *obj, const struct stix_vprop *props, struct error *err)
{
    for (const struct stix_vprop *p = props; p && p->name; p++) {
        json_t *v = json_object_get(obj, p->name);
        int r;
        if (!v) {
            if (p->flags & STIX_VF_REQ)
                return stix_vfail_missing(err, NULL, -1, p->name);
            continue;
        }
        r = check_value(obj, v, p, err);
        if (r != 0)
            return r;
    }
    return 0;
}

int stix_vorder(json_t *obj, const char *early, const char *late, bool strict, struct error *err)
{
    json_t *a = json_object_get(obj, early), *b = json_object_get(obj, late);
    struct stix_ts ta, tb;
    int c;

    if (!json_is_string(a) || !json_is_string(b))
        return 0;
    if (stix_ts_parse_full(json_string_value(a), json_string_length(a), &ta) != 0 ||
        stix_ts_parse_full(json_string_value(b), json_string_length(b), &tb) != 0)
        return 0; /* reported by the property checks */
    c = stix_ts_cmp(&tb, &ta);
    if (strict && c <= 0)
        return stix_vfail(err, late, "'%s' must be later than '%s'", late, early);
    if (!strict && c < 0)
        return stix_vfail(err, late, "'%s' is earlier than '%s'", late, early);
    return 0;
}

/*
 * Naming rules every 2.1 property follows (§3.1), custom ones included:
 * *_ref holds an identifier, *_refs a non-empty list of them, *_bin
 * base64, *_hex hex, and *_enc only appears next to the property it
 * describes.  Specific target types are checked by the type tables.
 *
 * One tolerance, for real data: an empty string in a *_ref property is
 * taken as "no reference".  MITRE ATT&CK ships x_mitre_data_source_ref: ""
 * on current data components; every *_ref the specification defines is
 * in the type tables, which have already rejected "" there, so only
 * custom properties reach this case.
 */
int stix_vsuffixes_check(json_t *obj, struct error *err)
{
    const char *k;
    json_t *v;
    int r = 0;

    json_object_foreach(obj, k, v)
    {
        size_t n = strlen(k);
        if (ends_with(k, n, "_ref", 4))
            r = json_is_string(v) && json_string_length(v) == 0 ? 0
                                                                : check_ref(v, NULL, k, -1, err);
        else if (ends_with(k, n, "_refs", 5))
            r = check_refs(v, NULL, k, err);
        else if (ends_with(k, n, "_bin", 4))
            r = check_bin(v, k, err);
        else if (ends_with(k, n, "_hex", 4))
            r = check_hex(v, k, err);
        else if (ends_with(k, n, "_enc", 4) && !json_object_getn(obj, k, n - 4))
            r = stix_vfail(err, k, "'%s' is present without '%.*s'", k, (int)(n - 4), k);
        if (r != 0)
            break;
    }
    return r;
}
