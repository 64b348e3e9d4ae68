/*
 * Query-parameter parsing for the list resources (see filters.h).
 * Every value is checked: a malformed id, type, timestamp, version
 * keyword, spec version, limit or token is a 400 with the parameter named,
 * never silently ignored (a client that mistypes a filter must not get the
 * whole collection).
 */
#include "taxii/filters.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/id.h"
#include "util/xalloc.h"
#include "util/banned.h"

static uint64_t fnv(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int bad(struct taxii_req *r, struct taxii_filter *f, const char *key, const char *why)
{
    f->bad = true;
    return taxii_error(r, 400, "invalid filter", "'%s': %s", key, why);
}

/* Split a comma list, calling each() per item; items are owned copies. */
static int split_list(struct taxii_req *r, struct taxii_filter *f, const char *key,
                      const char *val, int (*each)(struct taxii_req *, struct taxii_filter *,
                                                   const char *, const char *))
{
    const char *p = val;
    if (!*p)
        return bad(r, f, key, "empty value");
    while (1) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || f->n_strings == sizeof(f->strings) / sizeof(f->strings[0]))
            return bad(r, f, key, n ? "too many values" : "empty item in list");
        char *item = xstrndup(p, n);
        f->strings[f->n_strings++] = item;
        if (each(r, f, key, item))
            return -1;
        if (!e)
            return 0;
        p = e + 1;
    }
}

static int add_id(struct taxii_req *r, struct taxii_filter *f, const char *key, const char *v)
{
    if (stix_id_check(v, NULL, NULL) != 0)
        return bad(r, f, key, "not a STIX identifier");
    if (f->q.n_ids == LIMIT_MATCH_VALUES)
        return bad(r, f, key, "too many values");
    f->ids[f->q.n_ids++] = v;
    return 0;
}

static int add_type(struct taxii_req *r, struct taxii_filter *f, const char *key, const char *v)
{
    if (!stix_type_name_valid(v, strlen(v)))
        return bad(r, f, key, "not a STIX type name");
    if (f->q.n_types == LIMIT_MATCH_VALUES)
        return bad(r, f, key, "too many values");
    f->types[f->q.n_types++] = v;
    return 0;
}

static int add_spec(struct taxii_req *r, struct taxii_filter *f, const char *key, const char *v)
{
    if (strcmp(v, "2.0") != 0 && strcmp(v, "2.1") != 0)
        return bad(r, f, key, "spec versions are '2.0' and '2.1'");
    if (f->q.n_specs == LIMIT_MATCH_VALUES)
        return bad(r, f, key, "too many values");
    f->specs[f->q.n_specs++] = v;
    return 0;
}

static int add_version(struct taxii_req *r, struct taxii_filter *f, const char *key,
                       const char *v)
{
    if (strcmp(v, "last") == 0)
        f->q.ver_flags |= STORE_VER_LAST;
    else if (strcmp(v, "first") == 0)
        f->q.ver_flags |= STORE_VER_FIRST;
    else if (strcmp(v, "all") == 0)
        f->q.ver_flags |= STORE_VER_ALL;
    else {
        int64_t ns;
        if (stix_ts_parse(v, strlen(v), &ns, NULL) != 0)
            return bad(r, f, key, "expected 'first', 'last', 'all' or timestamps");
        if (f->q.n_versions == LIMIT_MATCH_VALUES)
            return bad(r, f, key, "too many values");
        f->versions[f->q.n_versions++] = ns;
        f->q.ver_flags |= STORE_VER_LIST;
    }
    return 0;
}

static int parse_limit(struct taxii_req *r, struct taxii_filter *f, const char *v)
{
    /* digits only: strtoll alone would take " 5" and "+5" (values past LLONG_MAX are capped) */
    if (!*v || v[strspn(v, "0123456789")] != '\0')
        return bad(r, f, "limit", "expected a positive integer");
    long long n = strtoll(v, NULL, 10);
    if (n <= 0)
        return bad(r, f, "limit", "expected a positive integer");
    f->q.limit = n > LIMIT_PAGE_MAX ? LIMIT_PAGE_MAX : (size_t)n;
    return 0;
}

static int parse_added_after(struct taxii_req *r, struct taxii_filter *f, const char *v)
{
    int64_t ns;
    if (stix_ts_parse(v, strlen(v), &ns, NULL) != 0)
        return bad(r, f, "added_after", "expected an RFC 3339 timestamp ending in 'Z'");
    int64_t us = ns / 1000 - (ns % 1000 < 0 ? 1 : 0);
    if (us > f->q.added_after_us)
        f->q.added_after_us = us;
    return 0;
}

struct next_tok {
    int64_t added;
    uint64_t hash;
};

static int decode_next(const char *v, struct next_tok *t)
{
    unsigned char raw[16];
    size_t n = 0;
    if (sodium_base642bin(raw, sizeof(raw), v, strlen(v), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != sizeof(raw))
        return -1;
    uint64_t a = 0, h = 0;
    for (int i = 0; i < 8; i++) {
        a = a << 8 | raw[i];
        h = h << 8 | raw[8 + i];
    }
    t->added = (int64_t)a;
    t->hash = h;
    return t->added < 0 ? -1 : 0;
}

void taxii_next_token(const struct taxii_filter *f, int64_t last_us, char out[32])
{
    unsigned char raw[16];
    uint64_t a = (uint64_t)last_us, h = f->hash;
    for (int i = 7; i >= 0; i--) {
        raw[i] = (unsigned char)(a & 0xff);
        raw[8 + i] = (unsigned char)(h & 0xff);
        a >>= 8;
        h >>= 8;
    }
    sodium_bin2base64(out, 32, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

struct parse_ctx {
    struct taxii_req *r;
    struct taxii_filter *f;
    const char *next;
};

static int match_key(struct parse_ctx *c, const char *key, const char *val)
{
    struct taxii_filter *f = c->f;
    static const struct {
        const char *key;
        unsigned flag;
        int (*each)(struct taxii_req *, struct taxii_filter *, const char *, const char *);
    } keys[] = {{"match[id]", TF_ID, add_id},
                {"match[type]", TF_TYPE, add_type},
                {"match[version]", TF_VERSION, add_version},
                {"match[spec_version]", TF_SPEC, add_spec}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i].key) != 0)
            continue;
        if (!(f->allowed & keys[i].flag))
            return bad(c->r, f, key, "this filter is not supported on this resource");
        return split_list(c->r, f, key, val, keys[i].each);
    }
    return bad(c->r, f, key, "unknown filter");
}

static int one_arg(void *p, const char *key, const char *val)
{
    struct parse_ctx *c = p;
    struct taxii_filter *f = c->f;
    if (strlen(val) > LIMIT_QUERY_VALUE)
        return bad(c->r, f, key, "value too long");
    if (strcmp(key, "next") == 0) {
        if (!(f->allowed & TF_NEXT))
            return bad(c->r, f, key, "not supported on this resource");
        c->next = val;
        return 0;
    }
    if (strcmp(key, "limit") == 0)
        return (f->allowed & TF_LIMIT) ? parse_limit(c->r, f, val)
                                       : bad(c->r, f, key, "not supported on this resource");
    f->hash += fnv(val, fnv("=", fnv(key, 0xcbf29ce484222325ULL)));
    if (strcmp(key, "added_after") == 0)
        return (f->allowed & TF_ADDED_AFTER)
                   ? parse_added_after(c->r, f, val)
                   : bad(c->r, f, key, "not supported on this resource");
    if (strncmp(key, "match[", 6) == 0)
        return match_key(c, key, val);
    return 0; /* other parameters are not TAXII filters: ignored */
}

int taxii_filter_parse(struct taxii_req *r, unsigned allowed, unsigned default_ver,
                       struct taxii_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->allowed = allowed;
    f->q.added_after_us = -1;
    f->q.ids = f->ids;
    f->q.types = f->types;
    f->q.specs = f->specs;
    f->q.versions = f->versions;
    f->q.limit = (allowed & TF_LIMIT) ? LIMIT_PAGE_DEFAULT : 0;
    struct parse_ctx c = {r, f, NULL};
    if (taxii_req_args_each(r, one_arg, &c) || f->bad)
        return -1;
    if (!f->q.ver_flags)
        f->q.ver_flags = default_ver;
    if (c.next) {
        struct next_tok t;
        if (decode_next(c.next, &t) != 0)
            return bad(r, f, "next", "not a token this server issued");
        if (t.hash != f->hash)
            return bad(r, f, "next", "the token belongs to a different set of filters");
        if (t.added > f->q.added_after_us)
            f->q.added_after_us = t.added;
    }
    return 0;
}

void taxii_filter_release(struct taxii_filter *f)
{
    for (size_t i = 0; i < f->n_strings; i++)
        free(f->strings[i]);
    f->n_strings = 0;
}
