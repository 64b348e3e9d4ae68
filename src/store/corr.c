/*
 * Extraction of correlation values (corr.h): parse the indicator's
 * pattern and keep each equality constant with its canonical path.
 */
#include "store/corr.h"

#include <stdlib.h>
#include <string.h>

#include "pattern/values.h"
#include "stix/id.h"
#include "util/buf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CORR_VALUES_MAX 256 /* values kept from one pattern */

struct collect {
    struct buf pool;
    size_t offs[CORR_VALUES_MAX][2]; /* path, value offsets in pool */
    size_t n;
};

static int collect_one(void *p, const char *path, const char *value, size_t len)
{
    struct collect *c = p;
    if (c->n == CORR_VALUES_MAX)
        return 1;
    c->offs[c->n][0] = c->pool.len;
    buf_append(&c->pool, path, strlen(path) + 1);
    c->offs[c->n][1] = c->pool.len;
    buf_append(&c->pool, value, len);
    buf_putc(&c->pool, '\0');
    c->n++;
    return 0;
}

int store_corr_extract_pattern(const char *pattern, size_t len, struct store_corr_set *out)
{
    memset(out, 0, sizeof(*out));
    struct pattern *p = NULL;
    struct error err;
    error_clear(&err);
    if (pat_parse(pattern, len, &p, &err) != 0)
        return 0;
    struct collect *c = xcalloc(1, sizeof(*c));
    buf_init(&c->pool, 1024 * 1024);
    pat_values(p, collect_one, c);
    pat_free(p);
    if (c->n && !buf_failed(&c->pool)) {
        out->pool = buf_take(&c->pool, NULL);
        out->v = xcalloc(c->n, sizeof(*out->v));
        for (size_t i = 0; i < c->n; i++) {
            out->v[i].path = out->pool + c->offs[i][0];
            out->v[i].value = out->pool + c->offs[i][1];
        }
        out->n = c->n;
    }
    buf_release(&c->pool);
    free(c);
    return 0;
}

int store_corr_extract(json_t *obj, struct store_corr_set *out)
{
    memset(out, 0, sizeof(*out));
    const char *type = json_string_value(json_object_get(obj, "type"));
    json_t *pt = json_object_get(obj, "pattern_type");
    json_t *pat = json_object_get(obj, "pattern");
    if (!type || strcmp(type, "indicator") != 0 || !json_is_string(pat))
        return 0;
    if (pt && (!json_is_string(pt) || strcmp(json_string_value(pt), "stix") != 0))
        return 0;
    return store_corr_extract_pattern(json_string_value(pat), json_string_length(pat), out);
}

void store_corr_set_release(struct store_corr_set *s)
{
    free(s->v);
    free(s->pool);
    memset(s, 0, sizeof(*s));
}

uint64_t store_corr_hash(const char *path, const char *value)
{
    uint64_t a = stix_id_hash(path, strlen(path));
    uint64_t b = stix_id_hash(value, strlen(value));
    return a ^ (b * 0x9e3779b97f4a7c15ull);
}

int store_corr_extract_pattern_of_body(const char *body, size_t len, struct store_corr_set *out)
{
    memset(out, 0, sizeof(*out));
    json_t *obj = body ? json_loadb(body, len, 0, NULL) : NULL;
    int r = obj ? store_corr_extract(obj, out) : 0;
    json_decref(obj);
    return r;
}
