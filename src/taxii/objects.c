/*
 * Object resources: objects (GET, POST, DELETE), object by id (GET,
 * DELETE), versions and manifest (TAXII 2.1 §5.3-5.8).
 *
 * Every read goes through read_row(), the single place where a stored row
 * becomes visible to the requester; list responses are built from rows it
 * accepted only, so `more`, `next` and the X-TAXII-Date-Added-* headers
 * never count a row the requester did not get.
 */
#include "taxii/taxii_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/id.h"
#include "store/ingest.h"
#include "taxii/filters.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum list_kind { LIST_OBJECTS, LIST_MANIFEST, LIST_VERSIONS };

struct list_ctx {
    struct taxii_req *r;
    enum list_kind kind;
    size_t n;
    int64_t first_us, last_us;
};

/* The one visibility decision for a stored row: share/ decides. */
static bool read_row(const struct taxii_req *r, const struct store_row *row)
{
    /* row->visible: the store already asked this same decision (store_query.visible) */
    if (r->egress && !sync_egress_reshare_ok(r->egress, row))
        return false; /* docs/federation.md: what a node received as AMBER/RED stays */
    return row->visible || share_ctx_may_read(r->share, row);
}

/* Only rows some sharing rule could show this reader come out of the store. */
static void prefilter(const struct taxii_req *r, struct store_query *q)
{
    q->visible_to = r->share->reader.everything ? NULL : r->share->reader.identity;
    q->visible_org = r->share->reader.org_id;
}

static void version_of(const struct store_row *row, char out[STIX_TS_MAX])
{
    if (row->version)
        snprintf(out, STIX_TS_MAX, "%s", row->version);
    else
        stix_ts_format_us(row->added_us, out);
}

static void emit_manifest(struct buf *b, const struct store_row *row)
{
    char added[STIX_TS_MAX], ver[STIX_TS_MAX];
    stix_ts_format_us(row->added_us, added);
    version_of(row, ver);
    buf_puts(b, "{\"id\":");
    buf_json_str(b, row->id, strlen(row->id));
    buf_printf(b, ",\"date_added\":\"%s\",\"version\":", added);
    buf_json_str(b, ver, strlen(ver));
    buf_printf(b, ",\"media_type\":\"application/stix+json;version=%s\"}",
               strcmp(row->spec_version, "2.0") == 0 ? "2.0" : "2.1");
}

static int on_row(void *p, const struct store_row *row)
{
    struct list_ctx *c = p;
    if (!read_row(c->r, row))
        return 0;
    if (row->peek)
        return 1;
    struct buf *b = &c->r->out;
    if (c->n++)
        buf_putc(b, ',');
    if (c->kind == LIST_OBJECTS) {
        /* a peer node named in a sharing group gets its recipients, to enforce them (as push) */
        if (c->r->egress && sync_egress_whole(c->r->egress, row))
            buf_append(b, row->body, row->body_len);
        else if (share_ctx_emit(c->r->share, row, b))
            return ERR_DB;
    } else if (c->kind == LIST_MANIFEST) {
        emit_manifest(b, row);
    } else {
        char ver[STIX_TS_MAX];
        version_of(row, ver);
        buf_json_str(b, ver, strlen(ver));
    }
    if (c->n == 1)
        c->first_us = row->added_us;
    c->last_us = row->added_us;
    return buf_failed(b) ? ERR_TOO_LARGE : 1;
}

static const char *list_key(enum list_kind k)
{
    return k == LIST_VERSIONS ? "versions" : "objects";
}

/* Run the query and write the list resource; returns rows served or -1 on error. */
static long run_list(struct taxii_req *r, struct taxii_filter *f, enum list_kind kind)
{
    struct list_ctx c = {r, kind, 0, 0, 0};
    bool more = false;
    prefilter(r, &f->q);
    /* first/last: the reader's first/last version (not for deletes, which go by the store's) */
    f->q.visible = r->share->reader.everything ? NULL : share_ctx_visible;
    f->q.visible_ctx = r->share;
    buf_printf(&r->out, "{\"%s\":[", list_key(kind));
    int rc = store_obj_query(r->store, &f->q, on_row, &c, &more);
    if (rc) {
        taxii_error_code(r, rc, "cannot read objects");
        return -1;
    }
    if (c.n == 0) {
        /* TAXII 2.1 §2 prohibits empty lists: an empty result is {} (§3.7, §5.3.1, §5.8.1) */
        buf_reset(&r->out);
        buf_puts(&r->out, "{}");
        return 0;
    }
    buf_printf(&r->out, "],\"more\":%s", more ? "true" : "false");
    if (more) {
        char tok[32];
        taxii_next_token(f, c.last_us, tok);
        buf_printf(&r->out, ",\"next\":\"%s\"", tok);
    }
    buf_putc(&r->out, '}');
    if (c.n) {
        stix_ts_format_us(c.first_us, r->date_first);
        stix_ts_format_us(c.last_us, r->date_last);
    }
    snprintf(r->audit_detail, sizeof(r->audit_detail), "%s count=%zu first=%s last=%s more=%d",
             list_key(kind), c.n, r->date_first, r->date_last, more);
    return (long)c.n;
}

static bool object_id_ok(struct taxii_req *r, const char *oid)
{
    if (stix_id_check(oid, NULL, NULL) == 0)
        return true;
    taxii_error(r, 404, "object not found", "'%s' is not a STIX identifier", oid);
    return false;
}

struct presence {
    struct taxii_req *r;
    bool exists;  /* some version is stored */
    bool visible; /* some version may be read by the requester */
};

static int presence_row(void *p, const struct store_row *row)
{
    struct presence *pr = p;
    if (row->peek)
        return 1; /* one visible version was found already: stop */
    pr->exists = true;
    pr->visible = read_row(pr->r, row);
    return pr->visible ? 1 : 0; /* stop at the first visible version */
}

/*
 * After an empty answer for oid: does it exist, and may the requester see
 * any version of it?  One query; "exists but hidden" is only for the audit
 * log, the requester gets the same 404 either way.
 */
static struct presence object_presence(struct taxii_req *r, const struct store_coll *c,
                                       const char *oid)
{
    const char *ids[1] = {oid};
    struct store_query q = {.coll = c->seq, .added_after_us = -1, .ids = ids, .n_ids = 1,
                            .ver_flags = STORE_VER_ALL, .limit = 1};
    struct presence pr = {r, false, false};
    bool more = false;
    store_obj_query(r->store, &q, presence_row, &pr, &more);
    return pr;
}

static void list_one_object(struct taxii_req *r, const struct store_coll *c, const char *oid,
                            unsigned allowed, unsigned defver, enum list_kind kind)
{
    if (!object_id_ok(r, oid))
        return;
    struct taxii_filter f;
    if (taxii_filter_parse(r, allowed, defver, &f) == 0) {
        f.q.coll = c->seq;
        f.ids[0] = oid;
        f.q.n_ids = 1;
        snprintf(r->audit_object, sizeof(r->audit_object), "%s", oid);
        long n = run_list(r, &f, kind);
        struct presence pr = n == 0 ? object_presence(r, c, oid) : (struct presence){r, 1, 1};
        if (!pr.visible) {
            r->audit_hidden = pr.exists;
            taxii_error(r, 404, "object not found", "no object '%s' in this collection", oid);
        }
    }
    taxii_filter_release(&f);
}

void taxii_objects_get(struct taxii_req *r, const struct store_coll *c, const char *object_id)
{
    if (object_id) {
        list_one_object(r, c, object_id,
                        TF_ADDED_AFTER | TF_LIMIT | TF_NEXT | TF_VERSION | TF_SPEC,
                        STORE_VER_LAST, LIST_OBJECTS);
        return;
    }
    struct taxii_filter f;
    if (taxii_filter_parse(r, TF_ALL, STORE_VER_LAST, &f) == 0) {
        f.q.coll = c->seq;
        run_list(r, &f, LIST_OBJECTS);
    }
    taxii_filter_release(&f);
}

void taxii_manifest_get(struct taxii_req *r, const struct store_coll *c)
{
    struct taxii_filter f;
    if (taxii_filter_parse(r, TF_ALL, STORE_VER_LAST, &f) == 0) {
        f.q.coll = c->seq;
        run_list(r, &f, LIST_MANIFEST);
    }
    taxii_filter_release(&f);
}

void taxii_versions_get(struct taxii_req *r, const struct store_coll *c, const char *object_id)
{
    list_one_object(r, c, object_id, TF_ADDED_AFTER | TF_LIMIT | TF_NEXT | TF_SPEC,
                    STORE_VER_ALL, LIST_VERSIONS);
}

void taxii_objects_post(struct taxii_req *r, const struct store_coll *c)
{
    struct store_ingest ing;
    struct error err;
    error_clear(&err);
    int rc = store_ingest_prepare(&ing, r->body, r->body_len, &err);
    if (rc) {
        taxii_error(r, rc == ERR_TOO_LARGE ? 413 : 400, "invalid envelope", "%s%s%s", err.path,
                    err.path[0] ? ": " : "", err.msg);
        store_ingest_release(&ing);
        return;
    }
    char sid[STIX_UUID_LEN + 1];
    stix_uuid4(sid);
    pthread_mutex_lock(&r->srv->write_lock);
    rc = store_ingest_commit(&ing, r->store, c->seq, sid, r->who.org_id, &err);
    pthread_mutex_unlock(&r->srv->write_lock);
    log_info("taxii", "post collection=%s status=%s total=%zu ok=%zu failed=%zu user=%s peer=%s",
             c->id, sid, ing.n, ing.n_ok, ing.n_failed, r->who.user, r->peer);
    snprintf(r->audit_object, sizeof(r->audit_object), "status/%s", sid);
    snprintf(r->audit_detail, sizeof(r->audit_detail), "total=%zu ok=%zu failed=%zu", ing.n,
             ing.n_ok, ing.n_failed);
    if (rc) {
        taxii_error(r, 500, "storage failure", "%s", err.msg);
    } else {
        r->status = 202;
        buf_append(&r->out, ing.status_json, ing.status_len);
    }
    store_ingest_release(&ing);
}

/* One readable version to delete: id and version as the store keys it (see STORE_VER_LIST). */
struct delete_key {
    char *id;
    int64_t ver;
};

struct delete_check {
    struct taxii_req *r;
    size_t matched;   /* versions the requester may read */
    size_t hidden;    /* versions it may not: they do not exist for it */
    bool refused;
    struct delete_key *keys; /* the matched versions */
};

/*
 * A requester may delete only versions it can read and that its own
 * organisation created, unless it is a node admin (who still cannot
 * delete, or learn of, versions it may not read: those are left alone
 * and not reported).
 */
static int check_delete_row(void *p, const struct store_row *row)
{
    struct delete_check *d = p;
    const struct auth_principal *who = &d->r->who;
    if (!read_row(d->r, row)) {
        d->hidden++;
        return 0;
    }
    int64_t ver = row->added_us * 1000;
    if (row->version && stix_ts_parse(row->version, strlen(row->version), &ver, NULL) != 0)
        return ERR_DB;
    d->keys = xrealloc(d->keys, (d->matched + 1) * sizeof(*d->keys));
    d->keys[d->matched].id = xstrdup(row->id);
    d->keys[d->matched].ver = ver;
    d->matched++;
    if (who->role != STORE_ROLE_ADMIN &&
        (!row->created_by || strcmp(row->created_by, who->org_identity) != 0))
        d->refused = true;
    return 0;
}

/* Delete what f selects, or, when some of it is hidden, exactly the readable versions. */
static int delete_matched(struct taxii_req *r, struct taxii_filter *f,
                          const struct delete_check *d, size_t *n)
{
    if (!d->hidden)
        return store_obj_delete(r->store, &f->q, n);
    *n = 0;
    for (size_t i = 0; i < d->matched; i++) {
        const char *ids[1] = {d->keys[i].id};
        struct store_query q = {.coll = f->q.coll, .added_after_us = -1, .ids = ids, .n_ids = 1,
                                .ver_flags = STORE_VER_LIST, .versions = &d->keys[i].ver,
                                .n_versions = 1};
        size_t k = 0;
        int rc = store_obj_delete(r->store, &q, &k);
        if (rc)
            return rc;
        *n += k;
    }
    return 0;
}

static void delete_release(struct delete_check *d)
{
    for (size_t i = 0; i < d->matched; i++)
        free(d->keys[i].id);
    free(d->keys);
}

static void delete_rows(struct taxii_req *r, struct taxii_filter *f)
{
    struct delete_check d = {r, 0, 0, false, NULL};
    bool more = false;
    prefilter(r, &f->q);
    f->q.limit = 0;
    int rc = store_obj_query(r->store, &f->q, check_delete_row, &d, &more);
    if (rc) {
        taxii_error_code(r, rc, "cannot read objects");
        delete_release(&d);
        return;
    }
    if (d.matched == 0) {
        taxii_error(r, 404, "object not found", "no object matches");
        delete_release(&d);
        return;
    }
    if (d.refused) {
        taxii_error(r, 403, "forbidden", "only the creating organisation or an admin may delete");
        delete_release(&d);
        return;
    }
    size_t n = 0;
    pthread_mutex_lock(&r->srv->write_lock);
    rc = store_begin_write(r->store);
    if (!rc) {
        rc = delete_matched(r, f, &d, &n);
        if (!rc)
            rc = store_commit(r->store);
        else
            store_rollback(r->store);
    }
    pthread_mutex_unlock(&r->srv->write_lock);
    delete_release(&d);
    if (rc) {
        taxii_error_code(r, rc, "cannot delete objects");
        return;
    }
    log_info("taxii", "delete rows=%zu user=%s peer=%s", n, r->who.user, r->peer);
    snprintf(r->audit_object, sizeof(r->audit_object), "%s", f->ids[0]);
    snprintf(r->audit_detail, sizeof(r->audit_detail), "versions deleted=%zu ids=%zu", n,
             f->q.n_ids);
}

void taxii_objects_delete(struct taxii_req *r, const struct store_coll *c, const char *object_id)
{
    if (object_id && !object_id_ok(r, object_id))
        return;
    struct taxii_filter f;
    unsigned allowed = TF_VERSION | TF_SPEC | (object_id ? 0 : TF_ID);
    if (taxii_filter_parse(r, allowed, STORE_VER_ALL, &f) == 0) {
        f.q.coll = c->seq;
        if (object_id) {
            f.ids[0] = object_id;
            f.q.n_ids = 1;
        }
        if (f.q.n_ids == 0)
            taxii_error(r, 400, "invalid filter", "deleting objects needs match[id]");
        else
            delete_rows(r, &f);
    }
    taxii_filter_release(&f);
}
