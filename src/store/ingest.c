/*
 * Ingest of envelopes and bundles (see ingest.h).
 *
 * The JSON is parsed once with jansson (duplicate keys rejected) for
 * validation; the text of each object is then cut out of the request body
 * and stored minified, byte for byte as the client sent it, so reads return
 * exactly what was written and never pay for re-serialization.
 */
#include "store/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share.h"
#include "stix/timestamp.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int prepare(struct store_ingest *ing, const char *text, size_t len, struct error *err);

int store_ingest_prepare(struct store_ingest *ing, const char *text, size_t len,
                         struct error *err)
{
    memset(ing, 0, sizeof(*ing));
    json_arena_install();
    json_arena_use(&ing->arena);
    int r = prepare(ing, text, len, err);
    json_arena_use(NULL);
    return r;
}

/* Parse and validate, with this ingest's arena current. */
static int prepare(struct store_ingest *ing, const char *text, size_t len, struct error *err)
{
    ing->text = text;
    ing->request_us = stix_now_us();
    json_error_t jerr;
    ing->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!ing->root)
        return error_set_at(err, ERR_INVALID, "", (long)jerr.position,
                            "cannot parse JSON at line %d column %d: %s", jerr.line, jerr.column,
                            jerr.text);
    if (!json_is_object(ing->root))
        return error_set(err, ERR_INVALID, "the body is not a JSON object");
    json_t *objs = json_object_get(ing->root, "objects");
    if (!json_is_array(objs))
        return error_set_at(err, ERR_INVALID, "objects", -1,
                            objs ? "'objects' is not a list" : "missing 'objects' list");
    ing->n = json_array_size(objs);
    if (ing->n > LIMIT_OBJECTS_PER_ENVELOPE)
        return error_set(err, ERR_TOO_LARGE, "%zu objects in one request (at most %d)", ing->n,
                         LIMIT_OBJECTS_PER_ENVELOPE);
    size_t nspans = 0;
    int r = stix_envelope_split(text, len, &ing->spans, &nspans, err);
    if (r)
        return r;
    if (nspans != ing->n)
        return error_set(err, ERR_INVALID, "cannot locate the objects in the body");
    ing->items = xcalloc(ing->n ? ing->n : 1, sizeof(*ing->items));
    for (size_t i = 0; i < ing->n; i++) {
        struct store_ingest_item *it = &ing->items[i];
        error_clear(&it->err);
        json_t *o = json_array_get(objs, i);
        if (!json_is_object(o)) {
            error_set(&it->err, ERR_INVALID, "not a JSON object");
        } else if (stix_validate(o, &it->meta, &it->err) == 0) {
            enum share_tlp tlp;
            share_marks_of(o, &tlp, &it->mrefs, &it->granular);
            it->tlp = (int)tlp;
            continue;
        }
        char at[32];
        snprintf(at, sizeof(at), "objects[%zu]", i);
        error_prefix_path(&it->err, at);
    }
    return 0;
}

static void mark_all_failed(struct store_ingest *ing, const char *why)
{
    for (size_t i = 0; i < ing->n; i++) {
        struct store_ingest_item *it = &ing->items[i];
        if (it->err.code == 0)
            error_set(&it->err, ERR_DB, "%s", why);
    }
}

static int put_one(struct store_ingest *ing, size_t i, struct store *s, int64_t coll,
                   int64_t origin, char *scratch)
{
    struct store_ingest_item *it = &ing->items[i];
    const struct stix_meta *m = &it->meta;
    size_t n = stix_json_minify(ing->text + ing->spans[i].off, ing->spans[i].len, scratch);
    struct store_obj_in in = {
        .id = m->id, .type = m->type, .spec_version = m->spec_version,
        .version = m->version, .version_ns = m->version_ns, .created_by = m->created_by_ref,
        .revoked = m->revoked, .versioned = m->versioned, .body = scratch, .body_len = n,
        .tlp = it->tlp, .mrefs = it->mrefs, .granular = it->granular, .origin_org = origin,
    };
    enum store_put_outcome out = 0;
    int r = store_obj_put(s, coll, &in, &out, &it->added_us, &it->err);
    if (r == ERR_CONFLICT || r == ERR_INVALID) {
        char at[32];
        snprintf(at, sizeof(at), "objects[%zu]", i);
        error_prefix_path(&it->err, at);
        return 0; /* this object fails; the envelope goes on */
    }
    if (r)
        return r;
    it->message = out == STORE_PUT_EXISTS ? "already added" : "added";
    return 0;
}

static void count_outcomes(struct store_ingest *ing)
{
    ing->n_ok = ing->n_failed = 0;
    for (size_t i = 0; i < ing->n; i++) {
        if (ing->items[i].err.code == 0)
            ing->n_ok++;
        else
            ing->n_failed++;
    }
}

static char *status_json(const struct store_ingest *ing, const char *status_id, size_t *len);

static void set_status(struct store_ingest *ing, const char *status_id)
{
    free(ing->status_json);
    count_outcomes(ing);
    ing->status_json = status_json(ing, status_id, &ing->status_len);
}

int store_ingest_commit(struct store_ingest *ing, struct store *s, int64_t coll,
                        const char *status_id, int64_t owner_org, struct error *err)
{
    size_t maxlen = 0;
    for (size_t i = 0; i < ing->n; i++)
        if (ing->spans[i].len > maxlen)
            maxlen = ing->spans[i].len;
    char *scratch = xmalloc(maxlen + 1);
    int r = store_begin_write(s);
    bool in_txn = r == 0;
    for (size_t i = 0; r == 0 && i < ing->n; i++)
        if (ing->items[i].err.code == 0) {
            r = put_one(ing, i, s, coll, owner_org, scratch);
            if (ing->progress && (i + 1) % 1000 == 0)
                ing->progress(ing->progress_ctx, i + 1, ing->n);
        }
    free(scratch);
    if (r == 0 && ing->in_txn)
        r = ing->in_txn(ing->in_txn_ctx, s);
    if (r == 0 && status_id) {
        set_status(ing, status_id);
        r = store_status_put(s, status_id, owner_org, ing->status_json, ing->status_len);
    }
    if (r == 0)
        r = store_commit(s);
    else if (in_txn)
        store_rollback(s);
    count_outcomes(ing);
    if (r == 0)
        return 0;
    mark_all_failed(ing, "storage failure: nothing from this request was stored");
    count_outcomes(ing);
    if (status_id) {
        set_status(ing, status_id);
        store_status_put(s, status_id, owner_org, ing->status_json, ing->status_len);
    }
    return error_set(err, ERR_DB, "cannot store the objects");
}

/* Best id for a status detail: the object's id when it has a string one. */
static const char *item_id(const struct store_ingest *ing, size_t i)
{
    json_t *o = json_array_get(json_object_get(ing->root, "objects"), i);
    const char *id = json_string_value(json_object_get(o, "id"));
    return id ? id : "";
}

static void put_detail(struct buf *b, const struct store_ingest *ing, size_t i)
{
    const struct store_ingest_item *it = &ing->items[i];
    const char *id = item_id(ing, i);
    buf_puts(b, "{\"id\":");
    buf_json_str(b, id, strlen(id));
    const char *ver = it->err.code == 0 ? it->meta.version : NULL;
    json_t *o = json_array_get(json_object_get(ing->root, "objects"), i);
    if (!ver)
        ver = json_string_value(json_object_get(o, "modified"));
    if (!ver)
        ver = json_string_value(json_object_get(o, "created"));
    char ts[STIX_TS_MAX];
    if (!ver) {
        /* version is required (TAXII 2.1 §4.3.1): date_added once stored, else the request time */
        stix_ts_format_us(it->err.code == 0 ? it->added_us : ing->request_us, ts);
        ver = ts;
    }
    buf_puts(b, ",\"version\":");
    buf_json_str(b, ver, strlen(ver));
    buf_puts(b, ",\"message\":");
    if (it->err.code == 0) {
        const char *m = it->message ? it->message : "added";
        buf_json_str(b, m, strlen(m));
    } else {
        char msg[ERROR_MSG_MAX + ERROR_PATH_MAX + 4];
        snprintf(msg, sizeof(msg), "%s%s%s", it->err.path, it->err.path[0] ? ": " : "",
                 it->err.msg);
        buf_json_str(b, msg, strlen(msg));
    }
    buf_putc(b, '}');
}

/* ,"key":[details...] for the successes (ok) or failures; nothing when there are none,
 * as TAXII 2.1 §2 prohibits empty lists. */
static void put_details(struct buf *b, const char *key, const struct store_ingest *ing, bool ok)
{
    size_t n = 0;
    for (size_t i = 0; i < ing->n; i++) {
        if ((ing->items[i].err.code == 0) != ok)
            continue;
        if (n++)
            buf_putc(b, ',');
        else
            buf_printf(b, ",\"%s\":[", key);
        put_detail(b, ing, i);
    }
    if (n)
        buf_putc(b, ']');
}

/* The TAXII 2.1 status resource (§4.3.1). */
static char *status_json(const struct store_ingest *ing, const char *status_id, size_t *len)
{
    char ts[STIX_TS_MAX];
    stix_ts_format_us(ing->request_us, ts);
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    buf_puts(&b, "{\"id\":");
    buf_json_str(&b, status_id, strlen(status_id));
    buf_printf(&b, ",\"status\":\"complete\",\"request_timestamp\":\"%s\",\"total_count\":%zu,"
                   "\"success_count\":%zu",
               ts, ing->n, ing->n_ok);
    put_details(&b, "successes", ing, true);
    buf_printf(&b, ",\"failure_count\":%zu", ing->n_failed);
    put_details(&b, "failures", ing, false);
    buf_puts(&b, ",\"pending_count\":0}");
    return buf_take(&b, len);
}

void store_ingest_release(struct store_ingest *ing)
{
    json_arena_release(&ing->arena); /* the DOM lives there: no json_decref */
    for (size_t i = 0; ing->items && i < ing->n; i++)
        free(ing->items[i].mrefs);
    free(ing->status_json);
    free(ing->spans);
    free(ing->items);
    memset(ing, 0, sizeof(*ing));
}
