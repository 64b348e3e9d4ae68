/*
 * Node administration over HTTP (not part of TAXII): communities.
 *
 *   GET    /admin/communities/          list
 *   GET    /admin/communities/{name}/   one
 *   PUT    /admin/communities/{name}/   create or replace:
 *          {"title": "...", "countries": ["SG", ...], "organizations": ["sg-cert", ...]}
 *   DELETE /admin/communities/{name}/
 *
 *   GET    /admin/peers/                federation peers (read-only): URL,
 *          organisation, collections and checkpoints, last success, lag,
 *          counts, last error; never the password or token
 *
 * Node admins only (403 otherwise); JSON in and out (application/json);
 * errors use the TAXII error shape.  The same operations as `concord
 * community` on the command line.
 */
#include "taxii/taxii_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static void community_json(struct buf *b, const struct store_community *c, struct store *s)
{
    json_t *countries = json_array(), *orgs = json_array();
    for (const char *p = c->countries; *p;) {
        if (*p == ',') {
            p++;
            continue;
        }
        json_array_append_new(countries, json_stringn(p, 2));
        p += 2;
    }
    for (const char *p = c->orgs; *p;) {
        long long id = 0;
        if (*p == ',') {
            p++;
            continue;
        }
        while (*p >= '0' && *p <= '9')
            id = id * 10 + (*p++ - '0');
        struct store_org o;
        if (store_org_get_id(s, id, &o) == 0)
            json_array_append_new(orgs, json_string(o.name));
    }
    json_t *j = json_pack("{s:s, s:s, s:o, s:o}", "name", c->name, "title", c->title, "countries",
                          countries, "organizations", orgs);
    char *text = json_dumps(j, JSON_COMPACT);
    buf_puts(b, text);
    free(text);
    json_decref(j);
}

struct list_ctx {
    struct taxii_req *r;
    int n;
};

static int list_one(void *p, const struct store_community *c)
{
    struct list_ctx *l = p;
    if (l->n++)
        buf_putc(&l->r->out, ',');
    community_json(&l->r->out, c, l->r->store);
    return 0;
}

/* Parse the PUT body into c; returns 0 or -1 with a 400 set. */
static int parse_body(struct taxii_req *r, const char *name, struct store_community *c)
{
    json_error_t jerr;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    const char *title = json_string_value(json_object_get(j, "title"));
    snprintf(c->title, sizeof(c->title), "%s", title ? title : name);
    size_t len = 1, i;
    json_t *v;
    c->countries[0] = ',';
    json_array_foreach(json_object_get(j, "countries"), i, v) {
        const char *cc = json_string_value(v);
        if (!cc || strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' ||
            len + 4 >= sizeof(c->countries)) {
            json_decref(j);
            return taxii_error(r, 400, "bad community", "countries are ISO 3166 codes like 'SG'");
        }
        len += (size_t)snprintf(c->countries + len, sizeof(c->countries) - len, "%s,", cc);
    }
    c->countries[len == 1 ? 0 : len] = '\0';
    len = 1;
    c->orgs[0] = ',';
    json_array_foreach(json_object_get(j, "organizations"), i, v) {
        struct store_org o;
        const char *on = json_string_value(v);
        if (!on || store_org_get(r->store, on, &o) != 0 || len + 24 >= sizeof(c->orgs)) {
            /* the message quotes `on`, which lives in j: free j after */
            taxii_error(r, 400, "bad community", "unknown organisation '%s'",
                        on ? on : "(not a string)");
            json_decref(j);
            return -1;
        }
        len += (size_t)snprintf(c->orgs + len, sizeof(c->orgs) - len, "%lld,", (long long)o.id);
    }
    c->orgs[len == 1 ? 0 : len] = '\0';
    bool ok = json_is_object(j);
    json_decref(j);
    return ok ? 0 : taxii_error(r, 400, "bad community", "expected a JSON object");
}

void taxii_admin_communities(struct taxii_req *r, const char *name)
{
    if (r->who.role != STORE_ROLE_ADMIN) {
        taxii_error(r, 403, "forbidden", "node administrators only");
        return;
    }
    struct store_community c;
    struct error err;
    error_clear(&err);
    r->json_media = true;
    if (!name) {
        struct list_ctx l = {r, 0};
        buf_puts(&r->out, "{\"communities\":[");
        store_community_list(r->store, list_one, &l);
        buf_puts(&r->out, "]}");
    } else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
        if (store_community_get(r->store, name, &c) != 0)
            taxii_error(r, 404, "not found", "no community '%s'", name);
        else
            community_json(&r->out, &c, r->store);
    } else if (!strcmp(r->method, "DELETE")) {
        if (store_community_delete(r->store, name) != 0)
            taxii_error(r, 404, "not found", "no community '%s'", name);
    } else if (strlen(name) < sizeof(c.name) && !strchr(name, ',') &&
               parse_body(r, name, &c) == 0) {
        if (store_community_put(r->store, &c, &err) != 0)
            taxii_error_code(r, err.code ? err.code : ERR_DB, err.msg);
        else
            community_json(&r->out, &c, r->store);
    }
    snprintf(r->audit_object, sizeof(r->audit_object), "community/%s", name ? name : "");
}

/* ---- peers (read-only) ---- */

static void ts_json(json_t *o, const char *key, int64_t us)
{
    char ts[STIX_TS_MAX];
    if (us <= 0) {
        json_object_set_new(o, key, json_null());
        return;
    }
    stix_ts_format_us(us, ts);
    json_object_set_new(o, key, json_string(ts));
}

static int peer_coll_json(void *ctx, const struct store_peer_coll *pc)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "direction",
                          pc->dir == STORE_PEER_PULL ? "pull" : "push", "remote", pc->remote,
                          "local", pc->local, "count", (json_int_t)pc->count);
    ts_json(o, "checkpoint", pc->after_us);
    json_array_append_new(ctx, o);
    return 0;
}

struct peers_ctx {
    struct taxii_req *r;
    json_t *list;
};

static int peer_one(void *p, const struct store_peer *peer)
{
    struct peers_ctx *c = p;
    json_t *colls = json_array();
    store_peer_coll_list(c->r->store, peer->id, peer_coll_json, colls);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}", "name",
                          peer->name, "url", peer->url, "organization", peer->org_name, "user",
                          peer->user, "auth", peer->token ? "token" : "basic", "pulled",
                          (json_int_t)peer->pulled, "pushed", (json_int_t)peer->pushed,
                          "quarantined", (json_int_t)peer->quarantined, "last_error",
                          peer->last_error, "collections", colls);
    ts_json(o, "last_success", peer->last_ok_us);
    ts_json(o, "last_attempt", peer->last_try_us);
    json_object_set_new(o, "lag_seconds", peer->lag_us >= 0 ? json_real((double)peer->lag_us / 1e6)
                                                            : json_null());
    json_array_append_new(c->list, o);
    return 0;
}

void taxii_admin_peers(struct taxii_req *r)
{
    if (r->who.role != STORE_ROLE_ADMIN) {
        taxii_error(r, 403, "forbidden", "node administrators only");
        return;
    }
    r->json_media = true;
    struct peers_ctx c = {r, json_array()};
    if (store_peer_list(r->store, peer_one, &c) != 0) {
        json_decref(c.list);
        taxii_error_code(r, ERR_DB, "cannot read the peers");
        return;
    }
    json_t *doc = json_pack("{s:o}", "peers", c.list);
    char *text = json_dumps(doc, JSON_COMPACT);
    buf_puts(&r->out, text ? text : "{}");
    free(text);
    json_decref(doc);
    snprintf(r->audit_object, sizeof(r->audit_object), "peers");
}
