/*
 * Cooperation workflows over HTTP (not part of TAXII):
 *
 *   POST /coop/pings/{challenge-id}/ack    acknowledge a reachability test
 *
 * Any authenticated user may call it; the acknowledging user's
 * organisation must be the challenged one (403 otherwise), the challenge
 * must be readable by it through the sharing decision (404 otherwise), and
 * the deadline must not have passed (409, nothing stored).  A repeated
 * acknowledgement answers 200 with the first time (idempotent).  The body
 * is ignored; the answer is application/json:
 *   {"id": "...", "acknowledged": "<RFC 3339 time>"}
 * Errors use the TAXII error shape (TAXII 2.1 §3.6.1).
 */
#include "taxii/taxii_int.h"

#include <stdio.h>
#include <string.h>

#include "coop/coop.h"
#include "util/banned.h"

void taxii_coop_ping_ack(struct taxii_req *r, const char *challenge)
{
    struct share_ctx share;
    struct error err;
    int64_t at = 0;
    error_clear(&err);
    share_ctx_init_reader(&share, r->store, r->who.org_id, r->who.org_identity,
                          (const char(*)[64])r->who.communities, r->who.n_communities,
                          &r->srv->markings);
    pthread_mutex_lock(&r->srv->write_lock);
    int rc = coop_ping_ack(r->store, &share, challenge, r->who.org_id, stix_now_us(), &at, &err);
    pthread_mutex_unlock(&r->srv->write_lock);
    share_ctx_release(&share);
    snprintf(r->audit_object, sizeof(r->audit_object), "%s", challenge);
    if (rc) {
        taxii_error_code(r, rc, err.msg[0] ? err.msg : "cannot acknowledge the challenge");
        return;
    }
    char ts[STIX_TS_MAX];
    stix_ts_format_us(at, ts);
    r->json_media = true;
    buf_puts(&r->out, "{\"id\":");
    buf_json_str(&r->out, challenge, strlen(challenge));
    buf_printf(&r->out, ",\"acknowledged\":\"%s\"}", ts);
}
