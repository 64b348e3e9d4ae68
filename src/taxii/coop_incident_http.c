/*
 * Incident status over HTTP (not part of TAXII; docs/coop.md "Incident
 * coordination"):
 *
 *   POST /coop/incidents/{incident-id}/status   {"status": "acknowledged"}
 *
 * Moves the incident to that status as the authenticated user's
 * organisation (src/coop/incident.c: one new version per change).  The
 * incident must be readable by that organisation through the sharing
 * decision (404 otherwise, so its existence does not leak); the
 * organisation must be involved in it (403); the transition must be
 * allowed (409, nothing stored).  Readers (role "reader") get 403; a body
 * that is not JSON with a known "status" gets 400.  The answer is
 * application/json {"id", "organization", "status"}; errors use the TAXII
 * error shape (TAXII 2.1 §3.6.1).
 */
#include "taxii/taxii_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/incident.h"
#include "util/banned.h"

/* The status named by the body, or -1 with a 400 set. */
static int body_status(struct taxii_req *r, enum coop_inc_status *st)
{
    json_error_t jerr;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    *st = coop_inc_status_parse(json_string_value(json_object_get(j, "status")));
    json_decref(j);
    if (!j)
        return taxii_error(r, 400, "bad request", "the body is not JSON: %s", jerr.text);
    if (*st == COOP_INC_NONE || *st == COOP_INC_REPORTED)
        return taxii_error(r, 400, "bad request",
                           "\"status\" must be acknowledged, investigating, contained, "
                           "resolved or closed");
    return 0;
}

static void set_error(struct taxii_req *r, const struct error *err)
{
    if (err->code == ERR_CONFLICT)
        taxii_error(r, 409, "invalid transition", "%s", err->msg);
    else if (err->code == ERR_FORBIDDEN)
        taxii_error(r, 403, "forbidden", "%s", err->msg);
    else if (err->code == ERR_INVALID)
        taxii_error(r, 400, "bad request", "%s", err->msg);
    else if (err->code == ERR_NOT_FOUND)
        taxii_error(r, 404, "not found", "%s", err->msg);
    else
        taxii_error_code(r, err->code ? err->code : ERR_DB, "cannot record the status");
}

static void reply(struct taxii_req *r, const char *id, const char *org, enum coop_inc_status st)
{
    json_t *j = json_pack("{s:s, s:s, s:s}", "id", id, "organization", org, "status",
                          coop_inc_status_name(st));
    char *text = json_dumps(j, JSON_COMPACT);
    buf_puts(&r->out, text ? text : "{}");
    free(text);
    json_decref(j);
}

void taxii_coop_incident_status(struct taxii_req *r, const char *incident_id)
{
    enum coop_inc_status st;
    struct store_org org;
    struct share_ctx share;
    struct error err;
    error_clear(&err);
    r->json_media = true;
    snprintf(r->audit_object, sizeof(r->audit_object), "%s", incident_id);
    if (r->who.role < STORE_ROLE_MEMBER) {
        taxii_error(r, 403, "forbidden", "readers may not change incidents");
        return;
    }
    if (body_status(r, &st))
        return;
    if (store_org_get_id(r->store, r->who.org_id, &org) != 0) {
        taxii_error(r, 404, "not found", "no incident '%s'", incident_id);
        return;
    }
    share_ctx_init_reader(&share, r->store, r->who.org_id, r->who.org_identity,
                          (const char(*)[64])r->who.communities, r->who.n_communities,
                          &r->srv->markings);
    pthread_mutex_lock(&r->srv->write_lock);
    int rc = coop_incident_set_status(r->store, &share, incident_id, r->who.org_id, st,
                                      stix_now_us(), &err);
    pthread_mutex_unlock(&r->srv->write_lock);
    share_ctx_release(&share);
    if (rc)
        set_error(r, &err);
    else
        reply(r, incident_id, org.name, st);
}
