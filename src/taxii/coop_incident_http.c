/*
 * Incident coordination over HTTP (not part of TAXII; docs/coop.md
 * "Incident coordination"), as the authenticated user's organisation:
 *
 *   GET  /coop/incidents/[?status=S]         {"incidents": [summary...]}
 *   GET  /coop/incidents/{id}                {incident, timeline, object}
 *   POST /coop/incidents/{id}/status         {"status": "acknowledged"}
 *   POST /coop/incidents/{id}/requests       {"to": ORG, "kind": K, "due": TS?}
 *   POST /coop/incidents/{id}/requests/{n}/answer   {"answer": TEXT}
 *   POST /coop/incidents/{id}/links          {"objects": [ID...]}
 *
 * Reads go through the sharing decision: an incident the organisation may
 * not read is 404 (its existence does not leak), and so are the records
 * of other organisations it may not read.  Writes (src/coop/incident.c:
 * one new version of the organisation's own record per change) need role
 * member or above (403), an involved organisation (403) and an allowed
 * transition or state (409); a body that is not the JSON object described
 * is 400.  Nothing is stored on error.  Answers are application/json;
 * errors use the TAXII error shape (TAXII 2.1 §3.6.1).
 */
#include "taxii/taxii_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/incident.h"
#include "util/banned.h"

#define INC_MAX_LINKS 64

static void set_error(struct taxii_req *r, const struct error *err)
{
    if (err->code == ERR_CONFLICT)
        taxii_error(r, 409, "conflict", "%s", err->msg);
    else if (err->code == ERR_FORBIDDEN)
        taxii_error(r, 403, "forbidden", "%s", err->msg);
    else if (err->code == ERR_INVALID)
        taxii_error(r, 400, "bad request", "%s", err->msg);
    else if (err->code == ERR_NOT_FOUND)
        taxii_error(r, 404, "not found", "%s", err->msg);
    else
        taxii_error_code(r, err->code ? err->code : ERR_DB, "cannot record the change");
}

/* Write doc (taken) as the answer. */
static void reply(struct taxii_req *r, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
    buf_puts(&r->out, text ? text : "{}");
    free(text);
    json_decref(doc);
}

/* ---- reads ---- */

static void get_incidents(struct taxii_req *r, struct share_ctx *share, int nseg,
                          const char (*seg)[TAXII_SEG_MAX])
{
    json_t *out = NULL;
    struct error err;
    error_clear(&err);
    if (nseg == 1) {
        if (coop_incident_show(r->store, share, seg[0], &out) != 0)
            return (void)taxii_error(r, 404, "not found", "no incident '%s'", seg[0]);
        return reply(r, out);
    }
    const char *sv = taxii_req_arg(r, "status");
    enum coop_inc_status st = coop_inc_status_parse(sv);
    if (sv && st == COOP_INC_NONE)
        return (void)taxii_error(r, 400, "bad request", "unknown status '%s'", sv);
    if (coop_incident_list(r->store, share, st, &out) != 0)
        return (void)taxii_error_code(r, ERR_DB, "cannot read the incidents");
    reply(r, json_pack("{s:o}", "incidents", out));
}

/* ---- writes ---- */

/* The body as a JSON object (new reference), or NULL with a 400 set. */
static json_t *body_object(struct taxii_req *r)
{
    json_error_t jerr;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        taxii_error(r, 400, "bad request", "the body is not JSON: %s", jerr.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        taxii_error(r, 400, "bad request", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

static const char *str_field(json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

static int post_status(struct taxii_req *r, struct share_ctx *share, const char *id,
                       const char *org, json_t *body, struct error *err)
{
    enum coop_inc_status st = coop_inc_status_parse(str_field(body, "status"));
    if (st == COOP_INC_NONE || st == COOP_INC_REPORTED)
        return error_set(err, ERR_INVALID,
                         "\"status\" must be acknowledged, investigating, contained, "
                         "resolved or closed");
    int rc = coop_incident_set_status(r->store, share, id, org, st, stix_now_us(), err);
    if (!rc)
        reply(r, json_pack("{s:s, s:s, s:s}", "id", id, "organization", org, "status",
                           coop_inc_status_name(st)));
    return rc;
}

static int post_request(struct taxii_req *r, struct share_ctx *share, const char *id,
                        const char *org, json_t *body, struct error *err)
{
    const char *to = str_field(body, "to"), *kind = str_field(body, "kind");
    const char *due = str_field(body, "due");
    if (!to || !kind || (json_object_get(body, "due") && !due))
        return error_set(err, ERR_INVALID, "expected {\"to\": ORG, \"kind\": KIND, \"due\"?: TS}");
    int rc = coop_incident_assist(r->store, share, id, org, to, kind, due, stix_now_us(), err);
    if (!rc)
        reply(r, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "organization", org, "to", to, "kind",
                           kind));
    return rc;
}

static int post_answer(struct taxii_req *r, struct share_ctx *share, const char *id,
                       const char *org, const char *n_text, json_t *body, struct error *err)
{
    char *end;
    long long n = strtoll(n_text, &end, 10);
    const char *answer = str_field(body, "answer");
    if (n < 0 || *end || end == n_text)
        return error_set(err, ERR_NOT_FOUND, "no request '%s' on this incident", n_text);
    if (!answer)
        return error_set(err, ERR_INVALID, "expected {\"answer\": TEXT}");
    int rc = coop_incident_answer(r->store, share, id, org, (size_t)n, answer, stix_now_us(), err);
    if (!rc)
        reply(r, json_pack("{s:s, s:s, s:I}", "id", id, "organization", org, "request",
                           (json_int_t)n));
    return rc;
}

static int post_links(struct taxii_req *r, struct share_ctx *share, const char *id,
                      const char *org, json_t *body, struct error *err)
{
    json_t *objs = json_object_get(body, "objects"), *e;
    const char *refs[INC_MAX_LINKS];
    size_t i, n = json_array_size(objs);
    if (!json_is_array(objs) || n == 0 || n > INC_MAX_LINKS)
        return error_set(err, ERR_INVALID, "expected {\"objects\": [ID...]} with 1 to %d ids",
                         INC_MAX_LINKS);
    json_array_foreach (objs, i, e)
        if (!(refs[i] = json_string_value(e)))
            return error_set(err, ERR_INVALID, "\"objects\" must hold ids");
    int rc = coop_incident_link(r->store, share, id, org, refs, n, stix_now_us(), err);
    if (!rc)
        reply(r, json_pack("{s:s, s:s, s:I}", "id", id, "organization", org, "linked",
                           (json_int_t)n));
    return rc;
}

static int post_dispatch(struct taxii_req *r, struct share_ctx *share, int nseg,
                         const char (*seg)[TAXII_SEG_MAX], const char *org, json_t *body,
                         struct error *err)
{
    if (nseg == 4)
        return post_answer(r, share, seg[0], org, seg[2], body, err);
    if (!strcmp(seg[1], "status"))
        return post_status(r, share, seg[0], org, body, err);
    if (!strcmp(seg[1], "requests"))
        return post_request(r, share, seg[0], org, body, err);
    return post_links(r, share, seg[0], org, body, err);
}

static void post_incident(struct taxii_req *r, struct share_ctx *share, int nseg,
                          const char (*seg)[TAXII_SEG_MAX])
{
    struct store_org org;
    struct error err;
    error_clear(&err);
    if (r->who.role < STORE_ROLE_MEMBER)
        return (void)taxii_error(r, 403, "forbidden", "readers may not change incidents");
    if (store_org_get_id(r->store, r->who.org_id, &org) != 0)
        return (void)taxii_error(r, 404, "not found", "no incident '%s'", seg[0]);
    json_t *body = body_object(r);
    if (!body)
        return;
    pthread_mutex_lock(&r->srv->write_lock);
    int rc = post_dispatch(r, share, nseg, seg, org.name, body, &err);
    pthread_mutex_unlock(&r->srv->write_lock);
    json_decref(body);
    if (rc)
        set_error(r, &err);
}

void taxii_coop_incident(struct taxii_req *r, int nseg, const char (*seg)[TAXII_SEG_MAX])
{
    struct share_ctx share;
    r->json_media = true;
    if (nseg >= 1)
        snprintf(r->audit_object, sizeof(r->audit_object), "%s", seg[0]);
    share_ctx_init_reader(&share, r->store, r->who.org_id, r->who.org_identity,
                          (const char(*)[64])r->who.communities, r->who.n_communities,
                          &r->srv->markings);
    if (!strcmp(r->method, "POST"))
        post_incident(r, &share, nseg, seg);
    else
        get_incidents(r, &share, nseg, seg);
    share_ctx_release(&share);
}
