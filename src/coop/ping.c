/*
 * Reachability tests ("ping tests", domain.md §6.1-6.2): the node sends
 * each target organisation a challenge and measures who acknowledges and
 * how quickly.  A challenge is a custom STIX object `x-concord-ping`
 * (STIX 2.1 §11.1) with round_id, target_ref and deadline, marked
 * TLP:GREEN so the target organisation may read it; the acknowledgement is
 * a new version of the same challenge with `acknowledged` (time) and
 * `acknowledged_by_ref` set, so history shows when it was answered.
 *
 * State machine of one challenge: SENT -> ACKNOWLEDGED (by the target
 * organisation only, at or before the deadline).  After the deadline it
 * stays SENT for good (missed): an acknowledgement is refused and nothing
 * is stored.  A second acknowledgement is idempotent: the first time is
 * kept and nothing new is stored.
 */
#include "coop/coop_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share.h"
#include "stix/id.h"
#include "util/banned.h"
#include "util/xalloc.h"

#define PING_TYPE "x-concord-ping"

static json_t *challenge_json(const char *round, const struct store_org *o, int64_t now_us,
                              int64_t deadline_us)
{
    char uuid[STIX_UUID_LEN + 1], id[96], now[STIX_TS_MAX], dl[STIX_TS_MAX];
    stix_uuid4(uuid);
    snprintf(id, sizeof(id), PING_TYPE "--%s", uuid);
    coop_ts_ms(now_us, now);
    stix_ts_format_us(deadline_us, dl);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type", PING_TYPE,
                     "spec_version", "2.1", "id", id, "created", now, "modified", now, "name",
                     "reachability test: please acknowledge", "round_id", round, "target_ref",
                     o->identity_id, "deadline", dl, "object_marking_refs",
                     share_tlp_id(SHARE_TLP_GREEN));
}

struct start_ctx {
    json_t *objs;
    const char *round;
    int64_t now_us, deadline_us;
};

static int add_target(void *p, const struct store_org *o)
{
    struct start_ctx *c = p;
    json_array_append_new(c->objs, challenge_json(c->round, o, c->now_us, c->deadline_us));
    return 0;
}

/* One challenge per named organisation (all must exist) or per organisation. */
static int targets(struct store *s, const char *const *orgs, size_t n, struct start_ctx *c,
                   struct error *err)
{
    if (n == 0)
        return store_org_list(s, add_target, c);
    for (size_t i = 0; i < n; i++) {
        struct store_org o;
        if (store_org_get(s, orgs[i], &o) != 0)
            return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", orgs[i]);
        add_target(c, &o);
    }
    return 0;
}

int coop_ping_start(struct store *s, const char *const *orgs, size_t n, int64_t deadline_s,
                    int64_t now_us, char round_out[96], struct error *err)
{
    if (deadline_s <= 0 || deadline_s > 366LL * 86400)
        return error_set(err, ERR_INVALID, "the deadline must be 1 to 31622400 seconds");
    char uuid[STIX_UUID_LEN + 1], round[96];
    stix_uuid4(uuid);
    snprintf(round, sizeof(round), PING_TYPE "-round--%s", uuid);
    now_us = now_us / 1000 * 1000; /* the deadline counts from `created` (ms) */
    struct start_ctx c = {json_array(), round, now_us, now_us + deadline_s * 1000000};
    int r = targets(s, orgs, n, &c, err);
    if (!r && json_array_size(c.objs) == 0)
        r = error_set(err, ERR_NOT_FOUND, "no organisations to test");
    if (!r)
        r = coop_obj_store(s, c.objs, err);
    json_decref(c.objs);
    if (!r)
        snprintf(round_out, 96, "%s", round);
    return r;
}

/* Store the acknowledged version of challenge obj. */
static int store_ack(struct store *s, json_t *obj, const char *by, int64_t now_us,
                     struct error *err)
{
    char ver[STIX_TS_MAX], at[STIX_TS_MAX];
    coop_next_version(json_string_value(json_object_get(obj, "modified")), now_us, ver);
    stix_ts_format_us(now_us, at);
    json_t *v = json_deep_copy(obj);
    json_object_set_new(v, "modified", json_string(ver));
    json_object_set_new(v, "acknowledged", json_string(at));
    json_object_set_new(v, "acknowledged_by_ref", json_string(by));
    json_t *objs = json_pack("[o]", v);
    int r = coop_obj_store(s, objs, err);
    json_decref(objs);
    return r;
}

/* The state machine's decision for obj; 0 = store an acknowledgement. */
static int ack_decide(json_t *obj, const struct store_org *o, int64_t now_us, int64_t *acked_us,
                      struct error *err)
{
    const char *target = json_string_value(json_object_get(obj, "target_ref"));
    if (!target || strcmp(target, o->identity_id))
        return error_set(err, ERR_FORBIDDEN, "this challenge is not for organisation '%s'",
                         o->name);
    *acked_us = coop_ts_us(obj, "acknowledged");
    if (*acked_us)
        return ERR_EXISTS;
    if (now_us > coop_ts_us(obj, "deadline"))
        return error_set(err, ERR_CONFLICT, "the deadline of this challenge has passed");
    return 0;
}

int coop_ping_ack(struct store *s, struct share_ctx *reader, const char *id, int64_t org_id,
                  int64_t now_us, int64_t *acked_us, struct error *err)
{
    struct store_org o;
    json_t *obj = NULL;
    int64_t when = 0;
    if (store_org_get_id(s, org_id, &o) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation %lld", (long long)org_id);
    if (strncmp(id, PING_TYPE "--", sizeof(PING_TYPE) + 1) != 0 ||
        coop_obj_latest(s, reader, id, &obj) != 0)
        return error_set(err, ERR_NOT_FOUND, "no challenge '%s'", id);
    int r = ack_decide(obj, &o, now_us, &when, err);
    if (r == 0) {
        r = store_ack(s, obj, o.identity_id, now_us, err);
        when = now_us;
    } else if (r == ERR_EXISTS) {
        r = 0; /* idempotent: the first acknowledgement stands */
    }
    json_decref(obj);
    if (acked_us)
        *acked_us = r ? 0 : when;
    return r;
}

/* ---- report ---- */

struct list_ctx {
    struct store *s;
    const char *round;
    struct coop_ping *v;
    size_t n, cap;
};

static void org_name_of(struct store *s, const char *identity, char *out, size_t n);

static int collect(void *p, json_t *obj)
{
    struct list_ctx *l = p;
    const char *round = json_string_value(json_object_get(obj, "round_id"));
    if (!round || (l->round && strcmp(round, l->round)))
        return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    struct coop_ping *c = &l->v[l->n++];
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", json_string_value(json_object_get(obj, "id")));
    snprintf(c->round, sizeof(c->round), "%s", round);
    const char *t = json_string_value(json_object_get(obj, "target_ref"));
    snprintf(c->org_identity, sizeof(c->org_identity), "%s", t ? t : "");
    org_name_of(l->s, c->org_identity, c->org, sizeof(c->org));
    c->sent_us = coop_ts_us(obj, "created");
    c->deadline_us = coop_ts_us(obj, "deadline");
    c->acked_us = coop_ts_us(obj, "acknowledged");
    return 0;
}

static void org_name_of(struct store *s, const char *identity, char *out, size_t n)
{
    struct store_org o;
    snprintf(out, n, "%s", coop_org_by_identity(s, identity, &o) == 0 ? o.name : identity);
}

static int by_time(const void *a, const void *b)
{
    const struct coop_ping *x = a, *y = b;
    if (x->sent_us != y->sent_us)
        return x->sent_us < y->sent_us ? -1 : 1;
    int c = strcmp(x->round, y->round);
    return c ? c : strcmp(x->org, y->org);
}

int coop_ping_list(struct store *s, const char *round, struct coop_ping **out, size_t *n)
{
    struct list_ctx l = {s, round, NULL, 0, 0};
    int r = coop_obj_each(s, NULL, PING_TYPE, collect, &l);
    if (r < 0) {
        free(l.v);
        l.v = NULL, l.n = 0;
    } else if (l.n) {
        qsort(l.v, l.n, sizeof(*l.v), by_time);
    }
    *out = l.v;
    *n = l.n;
    return r < 0 ? r : 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void coop_ping_stats(const struct coop_ping *p, size_t n, struct coop_ping_stats *out)
{
    int64_t *t = xmalloc((n ? n : 1) * sizeof(*t));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].acked_us)
            t[k++] = p[i].acked_us - p[i].sent_us;
    qsort(t, k, sizeof(*t), cmp_i64);
    out->targets = n;
    out->acked = k;
    out->rate = n ? (double)k / (double)n : 0.0;
    out->median_us = !k ? -1 : k % 2 ? t[k / 2] : (t[k / 2 - 1] + t[k / 2]) / 2;
    out->worst_us = k ? t[k - 1] : -1;
    free(t);
}
