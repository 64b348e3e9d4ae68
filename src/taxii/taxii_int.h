/*
 * Internals of the TAXII module: the request record handlers work on and
 * the helpers that http.c (the only file that sees libmicrohttpd) offers.
 */
#ifndef CONCORD_TAXII_INT_H
#define CONCORD_TAXII_INT_H

#include <pthread.h>

#include "auth/auth.h"
#include "share/context.h"
#include "stix/timestamp.h"
#include "store/audit.h"
#include "store/store.h"
#include "sync/sync.h"
#include "taxii/server.h"
#include "util/buf.h"

#define TAXII_MEDIA "application/taxii+json;version=2.1"
#define STIX_MEDIA "application/stix+json;version=2.1"

struct taxii_server {
    struct taxii_config cfg;
    void *daemon;                 /* struct MHD_Daemon, opaque outside http.c */
    uint16_t port;
    pthread_key_t store_key;      /* per-thread store connection */
    pthread_mutex_t write_lock;   /* one writer at a time, fairly, without busy waits */
    struct audit_log *audit;      /* NULL when auditing is off */
    struct share_cache markings;  /* marking definitions resolved once per process */
    struct auth_cache cache;
};

struct taxii_req {
    struct taxii_server *srv;
    void *conn;                   /* struct MHD_Connection */
    const char *method;
    const char *path;
    const char *body;             /* request body, NUL-terminated (may be "") */
    size_t body_len;
    struct store *store;          /* this thread's connection */
    struct auth_principal who;    /* valid after taxii_authenticate */
    struct share_ctx *share;      /* the sharing decision for who (collection resources) */
    const struct sync_egress *egress; /* re-sharing rule when who's organisation is a peer node */
    char peer[64];                /* client address for logs */
    /* response */
    int status;
    struct buf out;
    char date_first[STIX_TS_MAX]; /* X-TAXII-Date-Added-First, "" when none */
    char date_last[STIX_TS_MAX];
    bool www_authenticate;
    bool json_media;              /* answer is application/json (admin resources) */
    /* for the audit log (set by handlers; ids and counts, never contents) */
    char audit_object[160];
    char audit_detail[256];
    bool audit_hidden;            /* an object exists but the reader may not see it */
    const char *allow;            /* Allow header of a 405 (static string), NULL otherwise */
};

/* http.c */
const char *taxii_req_header(struct taxii_req *r, const char *name);
const char *taxii_req_arg(struct taxii_req *r, const char *name);
/* Call fn for each query argument; stops at the first non-zero return, which it returns. */
int taxii_req_args_each(struct taxii_req *r, int (*fn)(void *, const char *, const char *),
                        void *ctx);

/* errors.c: set a TAXII error response; returns -1 for handler convenience. */
int taxii_error(struct taxii_req *r, int http_status, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Map an ERR_* code to an error response. */
int taxii_error_code(struct taxii_req *r, int code, const char *what);

/* router.c */
void taxii_route(struct taxii_req *r);

/* auth_http.c: 0 when authenticated, else the 401 response is set. */
int taxii_authenticate(struct taxii_req *r);

/* discovery.c */
void taxii_discovery(struct taxii_req *r);
void taxii_api_root(struct taxii_req *r);
void taxii_collections(struct taxii_req *r);
void taxii_collection(struct taxii_req *r, const struct store_coll *c);
void taxii_status(struct taxii_req *r, const char *status_id);
void taxii_collection_json(struct buf *b, const struct store_coll *c,
                           const struct auth_principal *who);

/* admin.c: /admin/communities/[name/] (name NULL: the list) */
void taxii_admin_communities(struct taxii_req *r, const char *name);
/* admin.c: GET /admin/peers/ (federation peers and their state, never secrets) */
void taxii_admin_peers(struct taxii_req *r);
/* coop_advisory_http.c: POST /coop/advisories/{id}/status */
void taxii_coop_advisory_status(struct taxii_req *r, const char *vuln_id);

/* coop_http.c: POST /coop/pings/{challenge}/ack */
void taxii_coop_ping_ack(struct taxii_req *r, const char *challenge);

/* The longest path segment the router keeps. */
#define TAXII_SEG_MAX 200

/*
 * coop_incident_http.c: /coop/incidents/ (GET), /coop/incidents/{id}
 * (GET), and POST .../status, .../requests, .../links,
 * .../requests/{n}/answer; seg[0..nseg) are the segments after
 * "coop/incidents".
 */
void taxii_coop_incident(struct taxii_req *r, int nseg, const char (*seg)[TAXII_SEG_MAX]);

/* objects.c */
void taxii_objects_get(struct taxii_req *r, const struct store_coll *c, const char *object_id);
void taxii_manifest_get(struct taxii_req *r, const struct store_coll *c);
void taxii_versions_get(struct taxii_req *r, const struct store_coll *c, const char *object_id);
void taxii_objects_post(struct taxii_req *r, const struct store_coll *c);
void taxii_objects_delete(struct taxii_req *r, const struct store_coll *c, const char *object_id);

#endif
