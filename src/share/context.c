/*
 * share_ctx: the sharing decision over a store (see context.h).
 * Marking definitions are immutable (STIX 2.1 §7.2: never versioned), so a
 * definition, once read, is good for the whole request; a marking not in
 * the store is remembered as unknown for the request and denies.
 */
#include "share/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

struct comm_scan {
    const struct store_org *org;
    char (*out)[64];
    size_t max, n;
};

static int comm_one(void *p, const struct store_community *c)
{
    struct comm_scan *sc = p;
    char cc[16], id[32];
    snprintf(cc, sizeof(cc), ",%s,", sc->org->country);
    snprintf(id, sizeof(id), ",%lld,", (long long)sc->org->id);
    bool member = (sc->org->country[0] && strstr(c->countries, cc)) || strstr(c->orgs, id);
    if (member && sc->n < sc->max)
        snprintf(sc->out[sc->n++], 64, "%s", c->name);
    return 0;
}

size_t share_org_communities(struct store *s, const struct store_org *o, char out[][64],
                             size_t max)
{
    struct comm_scan sc = {o, out, max, 0};
    store_community_list(s, comm_one, &sc);
    return sc.n;
}

/*
 * A marking definition counts only when the organisation that delivered it
 * is the one its created_by_ref names (or it came from the node operator),
 * so no organisation can post a recipient list, or any other handling rule,
 * in another's name.  (TLP markings are known by id and never looked up.)
 */
static bool delivered_by_creator(struct share_ctx *c, json_t *obj, int64_t origin)
{
    if (origin == 0)
        return true;
    struct store_org o;
    const char *creator = json_string_value(json_object_get(obj, "created_by_ref"));
    return creator && store_org_get_id(c->store, origin, &o) == 0 &&
           strcmp(o.identity_id, creator) == 0;
}

void share_cache_init(struct share_cache *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
}

void share_cache_release(struct share_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        share_marking_release(&c->slot[i].m);
        json_decref(c->slot[i].obj);
    }
    c->n = 0;
    pthread_mutex_destroy(&c->lock);
}

/* Copy a shared entry into request slot i (borrowed). */
static bool from_shared(struct share_ctx *c, size_t i, const char *id)
{
    bool hit = false;
    pthread_mutex_lock(&c->shared->lock);
    for (size_t k = 0; k < c->shared->n && !hit; k++) {
        if (strcmp(c->shared->slot[k].id, id) == 0) {
            c->cache[i].obj = c->shared->slot[k].obj;
            c->cache[i].m = c->shared->slot[k].m;
            c->cache[i].borrowed = true;
            hit = true;
        }
    }
    pthread_mutex_unlock(&c->shared->lock);
    return hit;
}

/* Hand request slot i's marking to the shared cache (it becomes borrowed). */
static void to_shared(struct share_ctx *c, size_t i)
{
    struct share_cache *sh = c->shared;
    pthread_mutex_lock(&sh->lock);
    bool present = false;
    for (size_t k = 0; k < sh->n && !present; k++)
        present = strcmp(sh->slot[k].id, c->cache[i].id) == 0;
    if (!present && sh->n < SHARE_SHARED_SLOTS) {
        size_t k = sh->n++;
        snprintf(sh->slot[k].id, sizeof(sh->slot[k].id), "%s", c->cache[i].id);
        sh->slot[k].obj = c->cache[i].obj;
        sh->slot[k].m = c->cache[i].m;
        c->cache[i].borrowed = true;
    }
    pthread_mutex_unlock(&sh->lock);
}

/* Load marking id from the store into request slot i; false when unknown. */
static bool from_store(struct share_ctx *c, size_t i, const char *id)
{
    char *text = NULL;
    size_t len = 0;
    int64_t origin = 0;
    json_t *obj = NULL;
    if (store_marking_get(c->store, id, &text, &len, &origin) == 0)
        obj = json_loadb(text, len, 0, NULL);
    free(text);
    if (obj && !delivered_by_creator(c, obj, origin)) {
        json_decref(obj); /* posted in someone else's name: unknown, denies */
        obj = NULL;
    }
    c->cache[i].obj = obj;
    if (!obj)
        return false;
    share_marking_parse(obj, &c->cache[i].m);
    if (c->shared)
        to_shared(c, i);
    return true;
}

static const struct share_marking *lookup(void *p, const char *id)
{
    struct share_ctx *c = p;
    for (size_t i = 0; i < c->n_cache; i++)
        if (strcmp(c->cache[i].id, id) == 0)
            return c->cache[i].obj ? &c->cache[i].m : &c->unknown;
    if (c->n_cache == SHARE_CACHE_SLOTS || strlen(id) >= sizeof(c->cache[0].id))
        return &c->unknown; /* cache full: such a request is denied rather than slowed */
    size_t i = c->n_cache++;
    snprintf(c->cache[i].id, sizeof(c->cache[i].id), "%s", id);
    c->cache[i].borrowed = false;
    if ((c->shared && from_shared(c, i, id)) || from_store(c, i, id))
        return &c->cache[i].m;
    return &c->unknown;
}

static void init_common(struct share_ctx *c, struct store *s)
{
    memset(c, 0, sizeof(*c));
    c->store = s;
    c->policy.lookup = lookup;
    c->policy.ctx = c;
    c->policy.default_tlp = SHARE_TLP_AMBER;
}

static void set_communities(struct share_ctx *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c->community_ptrs[i] = c->communities[i];
    c->reader.communities = c->community_ptrs;
    c->reader.n_communities = n;
}

void share_ctx_init_reader(struct share_ctx *c, struct store *s, int64_t org_id,
                           const char *identity, const char (*communities)[64], size_t n,
                           struct share_cache *shared)
{
    init_common(c, s);
    c->shared = shared;
    snprintf(c->identity, sizeof(c->identity), "%s", identity);
    c->reader.org_id = org_id;
    c->reader.identity = c->identity;
    if (n > SHARE_MAX_COMMUNITIES)
        n = SHARE_MAX_COMMUNITIES;
    memcpy(c->communities, communities, n * sizeof(c->communities[0]));
    set_communities(c, n);
}

int share_ctx_init(struct share_ctx *c, struct store *s, int64_t org_id, bool everything)
{
    init_common(c, s);
    c->reader.everything = everything;
    if (everything)
        return 0;
    struct store_org o;
    if (store_org_get_id(s, org_id, &o) != 0)
        return ERR_NOT_FOUND;
    snprintf(c->identity, sizeof(c->identity), "%s", o.identity_id);
    c->reader.org_id = o.id;
    c->reader.identity = c->identity;
    set_communities(c, share_org_communities(s, &o, c->communities, SHARE_MAX_COMMUNITIES));
    return 0;
}

void share_ctx_release(struct share_ctx *c)
{
    for (size_t i = 0; i < c->n_cache; i++) {
        if (c->cache[i].borrowed)
            continue;
        share_marking_release(&c->cache[i].m);
        json_decref(c->cache[i].obj);
    }
    c->n_cache = 0;
}

static void marks_of_row(const struct store_row *row, struct share_marks *m)
{
    m->tlp = (enum share_tlp)row->tlp;
    m->others = row->mrefs;
    m->created_by = row->created_by;
    m->origin_org = row->origin_org;
    m->granular = row->granular;
}

bool share_ctx_may_read(struct share_ctx *c, const struct store_row *row)
{
    struct share_marks m;
    marks_of_row(row, &m);
    return share_may_read(&c->policy, &c->reader, &m);
}

bool share_ctx_visible(void *ctx, const struct store_row *row)
{
    return share_ctx_may_read(ctx, row);
}

int share_ctx_emit(struct share_ctx *c, const struct store_row *row, struct buf *out)
{
    struct share_marks m;
    marks_of_row(row, &m);
    if (!share_needs_redact(&c->reader, &m, row->type))
        return buf_append(out, row->body, row->body_len);
    json_t *obj = json_loadb(row->body, row->body_len, 0, NULL);
    if (!obj)
        return ERR_DB;
    int r;
    if (share_redact(&c->policy, &c->reader, obj)) {
        char *text = json_dumps(obj, JSON_COMPACT);
        r = text ? buf_puts(out, text) : ERR_NOMEM;
        free(text);
    } else {
        r = buf_append(out, row->body, row->body_len);
    }
    json_decref(obj);
    return r;
}
