/*
 * Object plumbing of the cooperation workflows: every write goes through
 * store_ingest (the same validation and transaction as an import), every
 * read through the sharing decision when a reader is given.  Objects live
 * in the `directory` collection next to the organisation identities.
 */
#include "coop/coop_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/ingest.h"
#include "util/banned.h"
#include "util/xalloc.h"

void coop_ts_ms(int64_t us, char out[STIX_TS_MAX])
{
    stix_ts_format_us(us / 1000 * 1000, out);
    out[23] = 'Z'; /* STIX created/modified: millisecond precision */
    out[24] = '\0';
}

int coop_dir_coll(struct store *s, int64_t *seq, struct error *err)
{
    struct store_coll c;
    if (store_coll_get(s, COOP_COLLECTION, &c) != 0)
        return error_set(err, ERR_NOT_FOUND, "no '%s' collection (run 'concord init')",
                         COOP_COLLECTION);
    *seq = c.seq;
    return 0;
}

/* Any object the ingest refused fails the call (before anything is stored). */
static int first_invalid(const struct store_ingest *ing, struct error *err)
{
    for (size_t i = 0; i < ing->n; i++)
        if (ing->items[i].err.code)
            return error_set(err, ERR_INVALID, "%s: %s", ing->items[i].err.path,
                             ing->items[i].err.msg);
    return 0;
}

int coop_obj_store(struct store *s, json_t *objs, struct error *err)
{
    int64_t coll = 0;
    int r = coop_dir_coll(s, &coll, err);
    if (r)
        return r;
    json_t *env = json_pack("{s:O}", "objects", objs);
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    struct store_ingest ing;
    r = store_ingest_prepare(&ing, text, strlen(text), err);
    if (!r)
        r = first_invalid(&ing, err);
    if (!r)
        r = store_ingest_commit(&ing, s, coll, NULL, 0, err);
    if (!r)
        r = first_invalid(&ing, err);
    store_ingest_release(&ing);
    free(text);
    return r;
}

void coop_next_version(const char *prev, int64_t now_us, char out[STIX_TS_MAX])
{
    int64_t ns = 0;
    int digits;
    if (prev && stix_ts_parse(prev, strlen(prev), &ns, &digits) == 0 && now_us < ns / 1000 + 1000)
        now_us = ns / 1000 + 1000;
    coop_ts_ms(now_us, out);
}

struct each_ctx {
    int (*fn)(void *, json_t *);
    void *ctx;
    struct share_ctx *reader;
};

/* The reader's copy (redacted by granular markings) or the stored text. */
static json_t *row_json(struct each_ctx *e, const struct store_row *row)
{
    if (!e->reader)
        return json_loadb(row->body, row->body_len, 0, NULL);
    struct buf b;
    buf_init(&b, LIMIT_BODY_MAX);
    json_t *obj = NULL;
    if (share_ctx_emit(e->reader, row, &b) == 0 && !buf_failed(&b))
        obj = json_loadb(b.data, b.len, 0, NULL);
    buf_release(&b);
    return obj;
}

static int each_row(void *p, const struct store_row *row)
{
    struct each_ctx *e = p;
    json_t *obj = row_json(e, row);
    if (!obj)
        return 0;
    int r = e->fn(e->ctx, obj);
    json_decref(obj);
    return r ? r : 1;
}

static int query(struct store *s, struct share_ctx *reader, const char **ids, const char *type,
                 int (*fn)(void *, json_t *), void *ctx)
{
    struct error err;
    int64_t coll = 0;
    error_clear(&err);
    if (coop_dir_coll(s, &coll, &err))
        return ERR_NOT_FOUND;
    struct store_query q;
    memset(&q, 0, sizeof(q));
    q.coll = coll;
    q.added_after_us = -1;
    q.ids = ids;
    q.n_ids = ids ? 1 : 0;
    q.types = &type;
    q.n_types = type ? 1 : 0;
    q.ver_flags = STORE_VER_LAST;
    if (reader) {
        q.visible = share_ctx_visible;
        q.visible_ctx = reader;
    }
    struct each_ctx e = {fn, ctx, reader};
    bool more = false;
    return store_obj_query(s, &q, each_row, &e, &more);
}

static int keep_one(void *p, json_t *obj)
{
    json_t **out = p;
    json_decref(*out);
    *out = json_incref(obj);
    return 0;
}

int coop_obj_latest(struct store *s, struct share_ctx *reader, const char *id, json_t **out)
{
    *out = NULL;
    const char *ids[1] = {id};
    int r = query(s, reader, ids, NULL, keep_one, out);
    if (!r && !*out)
        r = ERR_NOT_FOUND;
    return r;
}

int coop_obj_each(struct store *s, struct share_ctx *reader, const char *type,
                  int (*fn)(void *, json_t *), void *ctx)
{
    return query(s, reader, NULL, type, fn, ctx);
}

static int origin_row(void *p, const struct store_row *row)
{
    if (!row->peek)
        *(int64_t *)p = row->origin_org;
    return 1;
}

int coop_obj_origin(struct store *s, const char *id, int64_t *origin)
{
    struct error err;
    int64_t coll = 0;
    const char *ids[1] = {id};
    error_clear(&err);
    *origin = -1;
    if (coop_dir_coll(s, &coll, &err))
        return ERR_NOT_FOUND;
    struct store_query q = {.coll = coll, .added_after_us = -1, .ids = ids, .n_ids = 1,
                            .ver_flags = STORE_VER_LAST};
    bool more = false;
    int r = store_obj_query(s, &q, origin_row, origin, &more);
    return r < 0 ? r : *origin < 0 ? ERR_NOT_FOUND : 0;
}

struct org_find {
    const char *identity;
    struct store_org *out;
    bool found;
};

static int org_one(void *p, const struct store_org *o)
{
    struct org_find *f = p;
    if (f->found || strcmp(o->identity_id, f->identity) != 0)
        return 0;
    *f->out = *o;
    f->found = true;
    return 1;
}

int coop_org_by_identity(struct store *s, const char *identity, struct store_org *out)
{
    struct org_find f = {identity, out, false};
    if (identity)
        store_org_list(s, org_one, &f);
    return f.found ? 0 : ERR_NOT_FOUND;
}

int64_t coop_ts_us(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    int64_t ns;
    int digits;
    if (!v || stix_ts_parse(v, strlen(v), &ns, &digits) != 0)
        return 0;
    return ns / 1000;
}

void coop_json_sort(json_t *a, int (*cmp)(const void *, const void *))
{
    size_t k = json_array_size(a);
    if (k < 2)
        return;
    json_t **v = xmalloc(k * sizeof(*v));
    for (size_t i = 0; i < k; i++)
        v[i] = json_incref(json_array_get(a, i));
    qsort(v, k, sizeof(*v), cmp);
    json_array_clear(a);
    for (size_t i = 0; i < k; i++)
        json_array_append_new(a, v[i]);
    free(v);
}
