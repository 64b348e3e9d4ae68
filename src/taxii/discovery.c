/*
 * The small TAXII resources: discovery (§4.1), API root (§4.2),
 * collections and collection (§5.1, §5.2), status (§4.3).
 */
#include "taxii/taxii_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static void json_kv(struct buf *b, const char *key, const char *val, bool comma)
{
    if (comma)
        buf_putc(b, ',');
    buf_json_str(b, key, strlen(key));
    buf_putc(b, ':');
    buf_json_str(b, val, strlen(val));
}

static void root_url(struct taxii_req *r, struct buf *b)
{
    const char *host = taxii_req_header(r, "Host");
    char fallback[96];
    if (!host || !*host || strpbrk(host, "\"\\/ ")) {
        snprintf(fallback, sizeof(fallback), "%s:%u", r->srv->cfg.host, r->srv->port);
        host = fallback;
    }
    buf_printf(b, "%s://%s/%s/", r->srv->cfg.tls ? "https" : "http", host, TAXII_API_ROOT);
}

void taxii_discovery(struct taxii_req *r)
{
    struct buf url;
    buf_init(&url, 1024);
    root_url(r, &url);
    const struct taxii_config *cfg = &r->srv->cfg;
    buf_putc(&r->out, '{');
    json_kv(&r->out, "title", cfg->title, false);
    json_kv(&r->out, "description", cfg->description, true);
    if (cfg->contact[0])
        json_kv(&r->out, "contact", cfg->contact, true);
    json_kv(&r->out, "default", buf_str(&url), true);
    buf_puts(&r->out, ",\"api_roots\":[");
    buf_json_str(&r->out, buf_str(&url), url.len);
    buf_puts(&r->out, "]}");
    buf_release(&url);
}

void taxii_api_root(struct taxii_req *r)
{
    const struct taxii_config *cfg = &r->srv->cfg;
    buf_putc(&r->out, '{');
    json_kv(&r->out, "title", cfg->title, false);
    json_kv(&r->out, "description", cfg->description, true);
    buf_printf(&r->out, ",\"versions\":[\"%s\"],\"max_content_length\":%zu}", TAXII_MEDIA,
               cfg->max_content_length);
}

void taxii_collection_json(struct buf *b, const struct store_coll *c,
                           const struct auth_principal *who)
{
    buf_putc(b, '{');
    json_kv(b, "id", c->id, false);
    json_kv(b, "title", c->title, true);
    if (c->description[0])
        json_kv(b, "description", c->description, true);
    if (c->alias[0])
        json_kv(b, "alias", c->alias, true);
    buf_printf(b, ",\"can_read\":%s,\"can_write\":%s,\"media_types\":[\"%s\"]}",
               auth_can_read(who, c) ? "true" : "false", auth_can_write(who, c) ? "true" : "false",
               STIX_MEDIA);
}

struct coll_list_ctx {
    struct taxii_req *r;
    int n;
};

static int list_one(void *p, const struct store_coll *c)
{
    struct coll_list_ctx *ctx = p;
    if (!auth_can_read(&ctx->r->who, c) && !auth_can_write(&ctx->r->who, c))
        return 0;
    if (ctx->n++)
        buf_putc(&ctx->r->out, ',');
    taxii_collection_json(&ctx->r->out, c, &ctx->r->who);
    return 0;
}

void taxii_collections(struct taxii_req *r)
{
    struct coll_list_ctx ctx = {r, 0};
    buf_puts(&r->out, "{\"collections\":[");
    int rc = store_coll_list(r->store, list_one, &ctx);
    if (rc) {
        taxii_error_code(r, rc, "cannot list collections");
        return;
    }
    if (ctx.n == 0) {
        /* §5.1.1: with no collections the key is omitted (empty lists are prohibited) */
        buf_reset(&r->out);
        buf_puts(&r->out, "{}");
        return;
    }
    buf_puts(&r->out, "]}");
}

void taxii_collection(struct taxii_req *r, const struct store_coll *c)
{
    taxii_collection_json(&r->out, c, &r->who);
}

void taxii_status(struct taxii_req *r, const char *status_id)
{
    char *json = NULL;
    size_t len = 0;
    int64_t owner = 0;
    int rc = store_status_get(r->store, status_id, &owner, &json, &len);
    /* a status names object ids: only the organisation that posted may read it */
    if (rc == 0 && owner != r->who.org_id && r->who.role != STORE_ROLE_ADMIN)
        rc = ERR_NOT_FOUND;
    if (rc) {
        free(json);
        taxii_error_code(r, rc, rc == ERR_NOT_FOUND ? "no such status" : "cannot read status");
        return;
    }
    buf_append(&r->out, json, len);
    free(json);
}
