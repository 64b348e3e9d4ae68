/*
 * Reader for JSON lines of STIX observables (STIX 2.1 §6 SCOs): each line
 * is one SCO, an observed-data (its 2.0-style "objects" map, whose keys
 * the refs inside use, and first_observed as the record time) or a
 * bundle (all its objects, refs by id).  This format is for replaying
 * observations, not for line-rate logs, so it uses jansson.
 *
 * Taken: ipv4-addr/ipv6-addr/domain-name/url/email-addr "value";
 * file "hashes" (MD5, SHA-1, SHA-256, SHA-512, any spelling of case and
 * dash) and "name"; network-traffic src_ref/dst_ref (resolved in the same
 * line, giving the address its role), src_port, dst_port, protocols[0].
 * Strings are copied to the scratch, as the jansson tree is freed at once.
 */
#include <string.h>

#include "pattern/logs_int.h"
#include "stix/timestamp.h"

/* A scratch copy of the string s (NUL-terminated), or NULL when s is not a string. */
static char *copy_str(struct pat_reader *r, json_t *s, size_t *len)
{
    if (!json_is_string(s))
        return NULL;
    *len = json_string_length(s);
    char *d = logs_alloc(r, *len + 1);
    memcpy(d, json_string_value(s), *len + 1);
    return d;
}

static void push_value(struct pat_reader *r, const char *type, json_t *obj, enum pat_vrole role)
{
    size_t len;
    char *v = copy_str(r, json_object_get(obj, "value"), &len);
    if (!v)
        return;
    if (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0)
        logs_push_ip(r, role, v, len);
    else if (strcmp(type, "domain-name") == 0)
        logs_push_domain(r, v, len);
    else if (strcmp(type, "url") == 0)
        logs_push_url(r, v, len);
    else if (strcmp(type, "email-addr") == 0)
        logs_push_email(r, v, len);
}

static void push_file(struct pat_reader *r, json_t *obj)
{
    const char *name;
    json_t *h;
    size_t len;
    json_object_foreach (json_object_get(obj, "hashes"), name, h) {
        char norm[16];
        size_t n = 0;
        for (const char *p = name; *p && n < sizeof(norm) - 1; p++)
            if (*p != '-' && *p != '_')
                norm[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        norm[n] = '\0';
        if (strcmp(norm, "MD5") && strcmp(norm, "SHA1") && strcmp(norm, "SHA256") &&
            strcmp(norm, "SHA512"))
            continue;
        char *v = copy_str(r, h, &len);
        if (v)
            logs_push_hash(r, v, len);
    }
    char *fname = copy_str(r, json_object_get(obj, "name"), &len);
    if (fname)
        logs_push_filename(r, fname, len);
}

/* The object a ref names: a key of the 2.0 objects map, or an id among the bundle's objects. */
static json_t *resolve(json_t *scope, json_t *ref)
{
    const char *id = json_string_value(ref);
    size_t i;
    json_t *o;
    if (!id)
        return NULL;
    if (json_is_object(scope))
        return json_object_get(scope, id);
    json_array_foreach (scope, i, o) {
        const char *oid = json_string_value(json_object_get(o, "id"));
        if (oid && strcmp(oid, id) == 0)
            return o;
    }
    return NULL;
}

static void push_traffic(struct pat_reader *r, json_t *obj, json_t *scope)
{
    static const char *const refs[] = {"src_ref", "dst_ref"};
    for (int i = 0; i < 2; i++) {
        json_t *t = resolve(scope, json_object_get(obj, refs[i]));
        const char *type = json_string_value(json_object_get(t, "type"));
        if (type)
            push_value(r, type, t, i == 0 ? PAT_ROLE_SRC : PAT_ROLE_DST);
    }
    json_t *sp = json_object_get(obj, "src_port"), *dp = json_object_get(obj, "dst_port");
    if (json_is_integer(sp) && json_integer_value(sp) >= 0 && json_integer_value(sp) < 65536)
        r->rec->src_port = (long)json_integer_value(sp);
    if (json_is_integer(dp) && json_integer_value(dp) >= 0 && json_integer_value(dp) < 65536)
        r->rec->dst_port = (long)json_integer_value(dp);
    size_t len;
    char *proto = copy_str(r, json_array_get(json_object_get(obj, "protocols"), 0), &len);
    if (proto) {
        logs_lower(proto, len);
        r->rec->proto = proto;
    }
}

static void push_object(struct pat_reader *r, json_t *obj, json_t *scope);

/* Every object of a bundle's array or an observed-data's map. */
static void push_all(struct pat_reader *r, json_t *scope)
{
    const char *key;
    size_t i;
    json_t *o;
    if (json_is_array(scope))
        json_array_foreach (scope, i, o)
            push_object(r, o, scope);
    else
        json_object_foreach (scope, key, o)
            push_object(r, o, scope);
}

static void push_object(struct pat_reader *r, json_t *obj, json_t *scope)
{
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type)
        return;
    if (strcmp(type, "bundle") == 0 && !scope) {
        push_all(r, json_object_get(obj, "objects"));
    } else if (strcmp(type, "observed-data") == 0 && !json_is_object(scope)) {
        /* (not inside another observed-data's map: nesting stays bounded) */
        const char *first = json_string_value(json_object_get(obj, "first_observed"));
        int64_t ns;
        if (first && r->rec->time_ns == 0 && stix_ts_parse(first, strlen(first), &ns, NULL) == 0)
            r->rec->time_ns = ns;
        json_t *objects = json_object_get(obj, "objects");
        if (json_is_object(objects))
            push_all(r, objects);
    } else if (strcmp(type, "file") == 0) {
        push_file(r, obj);
    } else if (strcmp(type, "network-traffic") == 0) {
        push_traffic(r, obj, scope);
    } else {
        push_value(r, type, obj, PAT_ROLE_NONE);
    }
}

int logs_jsonl_line(struct pat_reader *r, char *line, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return -1;
    }
    push_object(r, root, NULL);
    json_decref(root);
    return 1;
}
