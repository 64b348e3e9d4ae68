/*
 * Request routing: path -> resource, method check, authentication, media
 * types (TAXII 2.1 §1.6: 406 for an Accept the server cannot satisfy, 415
 * for a body that is not the TAXII media type), collection rights.
 *
 * Order of checks: unknown path 404, method 405, credentials 401, Accept
 * 406, Content-Type 415, then the collection (404 when the reader may
 * neither read nor write it, so its existence does not leak; 403 when it
 * may see it but not do this).
 */
#include "taxii/taxii_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

enum resource { R_NONE, R_ADMIN, R_ADMIN_PEERS, R_DISCOVERY, R_ROOT, R_STATUS, R_COLLECTIONS,
                R_COLLECTION, R_MANIFEST, R_OBJECTS, R_OBJECT, R_VERSIONS,
                R_COOP_ADV_STATUS, R_COOP_ACK, R_COOP_INC_READ, R_COOP_INC_WRITE };

#define MAX_SEGS 8

struct route {
    enum resource res;
    char seg[MAX_SEGS][TAXII_SEG_MAX];
    int nseg;
};

static void split_path(const char *path, struct route *rt)
{
    rt->nseg = 0;
    const char *p = path;
    while (*p && rt->nseg <= MAX_SEGS) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (rt->nseg == MAX_SEGS || n >= sizeof(rt->seg[0])) {
            rt->nseg = MAX_SEGS + 1;
            return;
        }
        memcpy(rt->seg[rt->nseg], p, n);
        rt->seg[rt->nseg][n] = '\0';
        rt->nseg++;
        p += n;
    }
}

/*
 * /coop/incidents/ and /coop/incidents/{id} are read (GET); .../status,
 * .../requests, .../links and .../requests/{n}/answer are written (POST).
 */
static enum resource coop_incident_resource(const struct route *rt)
{
    if (rt->nseg <= 3)
        return R_COOP_INC_READ;
    if (rt->nseg == 4 && (strcmp(rt->seg[3], "status") == 0 ||
                          strcmp(rt->seg[3], "requests") == 0 || strcmp(rt->seg[3], "links") == 0))
        return R_COOP_INC_WRITE;
    if (rt->nseg == 6 && strcmp(rt->seg[3], "requests") == 0 && strcmp(rt->seg[5], "answer") == 0)
        return R_COOP_INC_WRITE;
    return R_NONE;
}

static enum resource classify(const struct route *rt)
{
    if (rt->nseg == 1 && strcmp(rt->seg[0], "taxii2") == 0)
        return R_DISCOVERY;
    if ((rt->nseg == 2 || rt->nseg == 3) && strcmp(rt->seg[0], "admin") == 0 &&
        strcmp(rt->seg[1], "communities") == 0)
        return R_ADMIN;
    if (rt->nseg == 2 && strcmp(rt->seg[0], "admin") == 0 && strcmp(rt->seg[1], "peers") == 0)
        return R_ADMIN_PEERS;
    if (rt->nseg == 4 && strcmp(rt->seg[0], "coop") == 0 &&
        strcmp(rt->seg[1], "advisories") == 0 && strcmp(rt->seg[3], "status") == 0)
        return R_COOP_ADV_STATUS;
    if (rt->nseg == 4 && strcmp(rt->seg[0], "coop") == 0 && strcmp(rt->seg[1], "pings") == 0 &&
        strcmp(rt->seg[3], "ack") == 0)
        return R_COOP_ACK;
    if (rt->nseg >= 2 && strcmp(rt->seg[0], "coop") == 0 && strcmp(rt->seg[1], "incidents") == 0)
        return coop_incident_resource(rt);
    if (rt->nseg < 1 || rt->nseg > 6 || strcmp(rt->seg[0], TAXII_API_ROOT) != 0)
        return R_NONE;
    if (rt->nseg == 1)
        return R_ROOT;
    if (rt->nseg == 3 && strcmp(rt->seg[1], "status") == 0)
        return R_STATUS;
    if (strcmp(rt->seg[1], "collections") != 0)
        return R_NONE;
    if (rt->nseg == 2)
        return R_COLLECTIONS;
    if (rt->nseg == 3)
        return R_COLLECTION;
    if (rt->nseg == 4 && strcmp(rt->seg[3], "manifest") == 0)
        return R_MANIFEST;
    if (strcmp(rt->seg[3], "objects") != 0)
        return R_NONE;
    if (rt->nseg == 4)
        return R_OBJECTS;
    if (rt->nseg == 5)
        return R_OBJECT;
    if (strcmp(rt->seg[5], "versions") == 0)
        return R_VERSIONS;
    return R_NONE;
}

static bool method_allowed(enum resource res, const char *m)
{
    if (res == R_COOP_ADV_STATUS)
        return strcmp(m, "POST") == 0;
    if (res == R_COOP_ACK)
        return strcmp(m, "POST") == 0;
    if (res == R_COOP_INC_WRITE)
        return strcmp(m, "POST") == 0;
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return true;
    if (strcmp(m, "POST") == 0)
        return res == R_OBJECTS;
    if (strcmp(m, "DELETE") == 0)
        return res == R_OBJECTS || res == R_OBJECT || res == R_ADMIN;
    if (strcmp(m, "PUT") == 0)
        return res == R_ADMIN;
    return false;
}

/* The Allow header a 405 must carry (RFC 7231 §6.5.5), matching method_allowed(). */
static const char *methods_of(enum resource res)
{
    if (res == R_OBJECTS)
        return "GET, HEAD, POST, DELETE";
    if (res == R_OBJECT)
        return "GET, HEAD, DELETE";
    if (res == R_ADMIN)
        return "GET, HEAD, PUT, DELETE";
    if (res == R_COOP_ACK)
        return "POST";
    if (res == R_COOP_ADV_STATUS)
        return "POST";
    if (res == R_COOP_INC_WRITE)
        return "POST";
    return "GET, HEAD";
}

/* Is one media range the TAXII 2.1 type ("version" absent or 2.1)? */
static bool is_taxii_type(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    static const char base[] = "application/taxii+json";
    size_t bl = sizeof(base) - 1;
    if (n < bl || strncasecmp(s, base, bl) != 0)
        return false;
    s += bl, n -= bl;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (n == 0)
        return true;
    if (*s != ';')
        return false;
    s++, n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return (n == 11 && strncasecmp(s, "version=2.1", 11) == 0) ||
           (n >= 4 && strncasecmp(s, "q=", 2) == 0) ||
           (n > 12 && strncasecmp(s, "version=2.1;", 12) == 0);
}

static bool accept_ok(const char *h)
{
    if (!h)
        return false;
    while (*h) {
        const char *e = strchr(h, ',');
        size_t n = e ? (size_t)(e - h) : strlen(h);
        if (is_taxii_type(h, n))
            return true;
        h += n + (e ? 1 : 0);
    }
    return false;
}

static int media_checks(struct taxii_req *r)
{
    if (!accept_ok(taxii_req_header(r, "Accept")))
        return taxii_error(r, 406, "not acceptable",
                           "the Accept header must name %s", TAXII_MEDIA);
    if (strcmp(r->method, "POST") == 0) {
        const char *ct = taxii_req_header(r, "Content-Type");
        if (!ct || !is_taxii_type(ct, strlen(ct)))
            return taxii_error(r, 415, "unsupported media type",
                               "the Content-Type must be %s", TAXII_MEDIA);
    }
    return 0;
}

static int load_collection(struct taxii_req *r, const char *id, struct store_coll *c)
{
    int rc = store_coll_get(r->store, id, c);
    if (rc == ERR_NOT_FOUND || (rc == 0 && !auth_can_read(&r->who, c) &&
                                !auth_can_write(&r->who, c)))
        return taxii_error(r, 404, "collection not found", "no collection '%s'", id);
    if (rc)
        return taxii_error_code(r, rc, "cannot read the collection");
    return 0;
}

static void collection_resource(struct taxii_req *r, const struct route *rt, enum resource res)
{
    struct store_coll c;
    if (load_collection(r, rt->seg[2], &c))
        return;
    bool is_get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool is_post = strcmp(r->method, "POST") == 0;
    if (res == R_COLLECTION)
        return taxii_collection(r, &c);
    /* TAXII 2.1 §5.7: DELETE needs both can_read and can_write */
    if (!is_post && !auth_can_read(&r->who, &c)) {
        taxii_error(r, 403, "forbidden", "you may not read collection '%s'", c.id);
        return;
    }
    if (!is_get && !auth_can_write(&r->who, &c)) {
        taxii_error(r, 403, "forbidden", "you may not write to collection '%s'", c.id);
        return;
    }
    const char *oid = rt->nseg >= 5 ? rt->seg[4] : NULL;
    struct share_ctx share;
    share_ctx_init_reader(&share, r->store, r->who.org_id, r->who.org_identity,
                          (const char(*)[64])r->who.communities, r->who.n_communities,
                          &r->srv->markings);
    r->share = &share;
    struct sync_egress eg;
    bool node_reader = sync_egress_init(&eg, r->store, r->who.org_id) == 0 &&
                       sync_egress_is_node_org(&eg, r->who.org_id);
    r->egress = node_reader ? &eg : NULL; /* a peer node reads: re-sharing rule applies */
    if (res == R_MANIFEST)
        taxii_manifest_get(r, &c);
    else if (res == R_VERSIONS)
        taxii_versions_get(r, &c, oid);
    else if (is_post)
        taxii_objects_post(r, &c);
    else if (is_get)
        taxii_objects_get(r, &c, oid);
    else
        taxii_objects_delete(r, &c, oid);
    r->share = NULL;
    r->egress = NULL;
    sync_egress_release(&eg);
    share_ctx_release(&share);
}

void taxii_route(struct taxii_req *r)
{
    struct route rt;
    split_path(r->path, &rt);
    enum resource res = classify(&rt);
    if (res == R_NONE) {
        taxii_error(r, 404, "not found", "no TAXII resource at this path");
        return;
    }
    if (!method_allowed(res, r->method)) {
        taxii_error(r, 405, "method not allowed", "%s is not allowed here", r->method);
        r->allow = methods_of(res);
        return;
    }
    if (taxii_authenticate(r))
        return;
    if (res == R_ADMIN) {
        taxii_admin_communities(r, rt.nseg == 3 ? rt.seg[2] : NULL);
        return;
    }
    if (res == R_ADMIN_PEERS) {
        taxii_admin_peers(r);
        return;
    }
    if (res == R_COOP_ACK) {
        taxii_coop_ping_ack(r, rt.seg[2]);
        return;
    }
    if (res == R_COOP_ADV_STATUS) {
        taxii_coop_advisory_status(r, rt.seg[2]);
        return;
    }
    if (res == R_COOP_INC_READ || res == R_COOP_INC_WRITE) {
        taxii_coop_incident(r, rt.nseg - 2, (const char(*)[TAXII_SEG_MAX])(rt.seg + 2));
        return;
    }
    if (media_checks(r))
        return;
    switch (res) {
    case R_DISCOVERY: taxii_discovery(r); break;
    case R_ROOT: taxii_api_root(r); break;
    case R_STATUS: taxii_status(r, rt.seg[2]); break;
    case R_COLLECTIONS: taxii_collections(r); break;
    default: collection_resource(r, &rt, res); break;
    }
}
