/*
 * sync/reply.c: the shapes a peer sends back (see reply.h).  Tolerant
 * where TAXII 2.1 allows it (absent `more` is false, an empty answer is
 * {}), strict where a wrong value would mislead paging or checkpoints (a
 * `more` that is not a boolean, a `next` that is not a short printable
 * string, counts that are not non-negative integers).
 */
#include "sync/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

int sync_envelope_info(json_t *root, struct sync_page_info *pi, struct error *err)
{
    memset(pi, 0, sizeof(*pi));
    if (!json_is_object(root))
        return error_set(err, ERR_INVALID, "the envelope is not a JSON object");
    json_t *more = json_object_get(root, "more");
    json_t *next = json_object_get(root, "next");
    json_t *objs = json_object_get(root, "objects");
    if (more && !json_is_boolean(more))
        return error_set(err, ERR_INVALID, "'more' is not a boolean");
    if (objs && !json_is_array(objs))
        return error_set(err, ERR_INVALID, "'objects' is not a list");
    pi->more = json_is_true(more);
    pi->n_objects = json_array_size(objs);
    if (next) {
        const char *t = json_string_value(next);
        if (!t || strlen(t) >= sizeof(pi->next) || !printable(t))
            return error_set(err, ERR_INVALID, "'next' is not a short printable string");
        snprintf(pi->next, sizeof(pi->next), "%s", t);
    }
    return 0;
}

/* A required non-negative integer count. */
static int count_of(json_t *root, const char *key, long *out, struct error *err)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > (1L << 40))
        return error_set(err, ERR_INVALID, "status: '%s' is not a count", key);
    *out = (long)json_integer_value(v);
    return 0;
}

static int collect_ids(json_t *list, struct sync_status *st, struct error *err)
{
    size_t i;
    json_t *d;
    if (list && !json_is_array(list))
        return error_set(err, ERR_INVALID, "status: a details list is not a list");
    json_array_foreach(list, i, d) {
        const char *id = json_is_string(d) ? json_string_value(d)
                                           : json_string_value(json_object_get(d, "id"));
        if (!id)
            return error_set(err, ERR_INVALID, "status: a detail has no 'id'");
        st->bad_ids = xrealloc(st->bad_ids, (st->n_bad + 1) * sizeof(*st->bad_ids));
        st->bad_ids[st->n_bad++] = xstrdup(id);
    }
    return 0;
}

static int status_fields(json_t *root, struct sync_status *st, struct error *err)
{
    const char *id = json_string_value(json_object_get(root, "id"));
    const char *status = json_string_value(json_object_get(root, "status"));
    if (!id || strlen(id) >= sizeof(st->id) || !printable(id))
        return error_set(err, ERR_INVALID, "status: missing or bad 'id'");
    if (!status || (strcmp(status, "complete") && strcmp(status, "pending")))
        return error_set(err, ERR_INVALID, "status: 'status' is neither complete nor pending");
    snprintf(st->id, sizeof(st->id), "%s", id);
    st->complete = strcmp(status, "complete") == 0;
    int r = count_of(root, "total_count", &st->total, err);
    if (!r)
        r = count_of(root, "success_count", &st->success, err);
    if (!r)
        r = count_of(root, "failure_count", &st->failure, err);
    if (!r)
        r = count_of(root, "pending_count", &st->pending, err);
    if (!r)
        r = collect_ids(json_object_get(root, "failures"), st, err);
    if (!r)
        r = collect_ids(json_object_get(root, "pendings"), st, err);
    return r;
}

int sync_status_parse(const char *text, size_t len, struct sync_status *st, struct error *err)
{
    memset(st, 0, sizeof(*st));
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    int r = json_is_object(root) ? status_fields(root, st, err)
                                 : error_set(err, ERR_INVALID, "status: not a JSON object");
    json_decref(root);
    if (r)
        sync_status_release(st);
    return r;
}

bool sync_status_is_bad(const struct sync_status *st, const char *id)
{
    for (size_t i = 0; i < st->n_bad; i++)
        if (strcmp(st->bad_ids[i], id) == 0)
            return true;
    return false;
}

void sync_status_release(struct sync_status *st)
{
    for (size_t i = 0; i < st->n_bad; i++)
        free(st->bad_ids[i]);
    free(st->bad_ids);
    st->bad_ids = NULL;
    st->n_bad = 0;
}

int sync_collections_parse(const char *text, size_t len, sync_coll_fn fn, void *ctx,
                           struct error *err)
{
    int r = 0;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *list = json_object_get(root, "collections"), *c;
    size_t i;
    if (!json_is_object(root) || (list && !json_is_array(list))) {
        r = error_set(err, ERR_INVALID, "not a TAXII collections resource");
        goto out;
    }
    json_array_foreach(list, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *title = json_string_value(json_object_get(c, "title"));
        if (!id || !printable(id) || strlen(id) > 64) {
            r = error_set(err, ERR_INVALID, "collections[%zu]: missing or bad 'id'", i);
            goto out;
        }
        r = fn(ctx, id, title ? title : "", json_is_true(json_object_get(c, "can_read")),
               json_is_true(json_object_get(c, "can_write")));
        if (r)
            goto out;
    }
out:
    json_decref(root);
    return r;
}
