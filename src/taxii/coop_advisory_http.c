/*
 * Advisory status over HTTP (not part of TAXII; docs/coop.md):
 *
 *   POST /coop/advisories/{vulnerability-id}/status   {"state": "acknowledged"}
 *
 * Records the authenticated user's organisation's state for a
 * vulnerability (src/coop/advisory.c: forward only, one note version per
 * change).  The vulnerability must be one the organisation may read: in a
 * collection it may read, and allowed by the sharing decision; otherwise
 * 404, so its existence does not leak.  Readers (role "reader") get 403.
 * JSON in and out (application/json); errors use the TAXII error shape.
 */
#include "taxii/taxii_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop.h"
#include "util/banned.h"

struct find_ctx {
    struct taxii_req *r;
    struct share_ctx *share;
    const char *id;
    int64_t coll;                /* collection seq of the visible vulnerability, 0 none */
    int64_t probe;               /* collection being searched */
};

static int seen_row(void *p, const struct store_row *row)
{
    struct find_ctx *f = p;
    if (!share_ctx_may_read(f->share, row))
        return 0;
    f->coll = f->probe;
    return 1;
}

static int find_in_coll(void *p, const struct store_coll *c)
{
    struct find_ctx *f = p;
    if (f->coll || !auth_can_read(&f->r->who, c))
        return 0;
    const char *ids[1] = {f->id}, *types[1] = {"vulnerability"};
    struct store_query q = {.coll = c->seq, .added_after_us = -1, .ids = ids, .n_ids = 1,
                            .types = types, .n_types = 1, .ver_flags = STORE_VER_LAST,
                            .limit = 1, .visible = share_ctx_visible, .visible_ctx = f->share};
    bool more = false;
    f->probe = c->seq;
    return store_obj_query(f->r->store, &q, seen_row, f, &more) ? -1 : 0;
}

/* The state named by the body, or -1 with a 400 set. */
static int body_state(struct taxii_req *r, enum coop_adv_state *st)
{
    json_error_t jerr;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    const char *s = json_string_value(json_object_get(j, "state"));
    *st = coop_adv_state_parse(s);
    json_decref(j);
    if (!j)
        return taxii_error(r, 400, "bad request", "the body is not JSON: %s", jerr.text);
    if (*st == COOP_ADV_NONE)
        return taxii_error(r, 400, "bad request",
                           "\"state\" must be received, acknowledged or remediated");
    return 0;
}

static int64_t find_vuln(struct taxii_req *r, const char *id)
{
    struct share_ctx share;
    share_ctx_init_reader(&share, r->store, r->who.org_id, r->who.org_identity,
                          (const char(*)[64])r->who.communities, r->who.n_communities,
                          &r->srv->markings);
    struct find_ctx f = {r, &share, id, 0, 0};
    store_coll_list(r->store, find_in_coll, &f);
    share_ctx_release(&share);
    return f.coll;
}

static void set_error(struct taxii_req *r, const struct error *err)
{
    if (err->code == ERR_CONFLICT)
        taxii_error(r, 409, "invalid transition", "%s", err->msg);
    else if (err->code == ERR_INVALID)
        taxii_error(r, 400, "bad request", "%s", err->msg);
    else if (err->code == ERR_NOT_FOUND)
        taxii_error(r, 404, "not found", "%s", err->msg);
    else
        taxii_error_code(r, err->code ? err->code : ERR_DB, "cannot record the state");
}

static void reply(struct taxii_req *r, const char *id, const char *org, enum coop_adv_state st)
{
    json_t *j = json_pack("{s:s, s:s, s:s}", "id", id, "organization", org, "state",
                          coop_adv_state_name(st));
    char *text = json_dumps(j, JSON_COMPACT);
    buf_puts(&r->out, text ? text : "{}");
    free(text);
    json_decref(j);
}

void taxii_coop_advisory_status(struct taxii_req *r, const char *vuln_id)
{
    enum coop_adv_state st;
    struct store_org org;
    struct error err;
    error_clear(&err);
    r->json_media = true;
    snprintf(r->audit_object, sizeof(r->audit_object), "%s", vuln_id);
    if (r->who.role < STORE_ROLE_MEMBER) {
        taxii_error(r, 403, "forbidden", "readers may not record advisory states");
        return;
    }
    if (body_state(r, &st))
        return;
    int64_t coll = find_vuln(r, vuln_id);
    if (!coll || store_org_get_id(r->store, r->who.org_id, &org) != 0) {
        taxii_error(r, 404, "not found", "no vulnerability '%s'", vuln_id);
        return;
    }
    pthread_mutex_lock(&r->srv->write_lock);
    int rc = coop_advisory_set_state(r->store, coll, vuln_id, &org, st, &err);
    pthread_mutex_unlock(&r->srv->write_lock);
    if (rc)
        set_error(r, &err);
    else
        reply(r, vuln_id, org.name, st);
}
