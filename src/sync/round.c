/*
 * sync/round.c: one sync round for a peer: pull every pull pair, then
 * push every push pair, then record what happened (last success, lag,
 * counts, last error) in the store for `concord peer list` and
 * GET /admin/peers/.  Requests are retried with exponential backoff on no
 * answer, 429 and 5xx (Retry-After honoured, capped); a round is bounded
 * by max_pages per pair, and stops promptly when the stop flag rises.
 * A failing pair does not stop the others; the round then fails with the
 * first error.  Secrets stay in the request: they are never logged.
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stix/timestamp.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define SYNC_BACKOFF_CAP_MS 30000L

bool sync_stopping(const struct sync_run *run)
{
    return run->o.stop && atomic_load(run->o.stop);
}

/* Sleep ms, waking early when the round is asked to stop. */
static void wait_ms(const struct sync_run *run, long ms)
{
    while (ms > 0 && !sync_stopping(run)) {
        long step = ms < 50 ? ms : 50;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static long backoff_of(const struct sync_run *run, const struct sync_reply *rep,
                       unsigned attempt)
{
    long ms = rep->retry_after >= 0 ? rep->retry_after * 1000
                                    : run->o.backoff_ms << (attempt < 16 ? attempt : 16);
    return ms > SYNC_BACKOFF_CAP_MS ? SYNC_BACKOFF_CAP_MS : ms;
}

int sync_request(struct sync_run *run, const char *method, const char *url, const char *body,
                 size_t len, struct sync_reply *rep)
{
    for (unsigned attempt = 0;; attempt++) {
        if (sync_stopping(run))
            return error_set(&run->res->err, ERR_IO, "stopped");
        struct error e;
        error_clear(&e);
        int r = sync_http_request(run->http, &run->target, method, url, body, len, rep, &e);
        bool again = r != 0 || rep->status == 429 || rep->status >= 500;
        if (!again)
            return 0;
        if (attempt >= run->o.retries) {
            if (r)
                return error_set(&run->res->err, ERR_IO, "peer '%s': %s", run->peer->name,
                                 e.msg);
            return 0; /* the caller reports the status */
        }
        long ms = backoff_of(run, rep, attempt);
        log_info("sync", "peer=%s answered %ld; trying again in %ld ms", run->peer->name,
                 rep->status, ms);
        sync_reply_release(rep);
        wait_ms(run, ms);
    }
}

int sync_fail_status(struct sync_run *run, const char *what, const struct sync_reply *rep)
{
    json_t *doc = rep->len ? json_loadb(rep->body, rep->len, 0, NULL) : NULL;
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *desc = json_string_value(json_object_get(doc, "description"));
    error_set(&run->res->err, ERR_INVALID, "peer '%s': %s answered %ld%s%.100s%s%.200s",
              run->peer->name, what, rep->status, title ? ": " : "", title ? title : "",
              desc ? ": " : "", desc ? desc : "");
    json_decref(doc);
    return ERR_INVALID;
}

void sync_url(const struct sync_run *run, struct buf *out, const char *path)
{
    const char *root = run->peer->url;
    size_t n = strlen(root);
    buf_puts(out, root);
    if (n == 0 || root[n - 1] != '/')
        buf_putc(out, '/');
    buf_puts(out, path);
}

static void options_defaults(struct sync_options *o)
{
    if (!o->page_limit)
        o->page_limit = 1000;
    if (!o->push_batch)
        o->push_batch = 1000;
    if (!o->push_max_bytes)
        o->push_max_bytes = 4u * 1024 * 1024;
    if (!o->max_pages)
        o->max_pages = 5000;
    if (!o->retries)
        o->retries = 4;
    if (!o->backoff_ms)
        o->backoff_ms = 500;
    if (!o->status_polls)
        o->status_polls = 10;
}

struct pairs {
    struct store_peer_coll *v;
    size_t n;
};

static int add_pair(void *ctx, const struct store_peer_coll *pc)
{
    struct pairs *p = ctx;
    p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
    p->v[p->n++] = *pc;
    return 0;
}

static void run_pairs(struct sync_run *run, struct pairs *pairs)
{
    for (int dir = STORE_PEER_PULL; dir <= STORE_PEER_PUSH; dir++)
        for (size_t i = 0; i < pairs->n && !sync_stopping(run); i++) {
            if ((int)pairs->v[i].dir != dir)
                continue;
            int r = dir == STORE_PEER_PULL ? sync_pull_pair(run, &pairs->v[i])
                                           : sync_push_pair(run, &pairs->v[i]);
            if (r && !run->res->err.code)
                error_set(&run->res->err, r, "peer '%s': %s", run->peer->name, error_name(r));
        }
    if (sync_stopping(run))
        error_set(&run->res->err, ERR_IO, "stopped");
}

/* Record the round in the peer's row. */
static void report(struct sync_run *run, int64_t started)
{
    struct store_peer p = *run->peer;
    const struct sync_result *res = run->res;
    int64_t now = stix_now_us();
    p.last_try_us = started;
    p.pulled += res->pulled;
    p.pushed += res->pushed;
    p.quarantined += res->quarantined;
    if (res->err.code == 0) {
        p.last_ok_us = now;
        p.last_error[0] = '\0';
    } else {
        snprintf(p.last_error, sizeof(p.last_error), "%.250s", res->err.msg);
    }
    p.lag_us = res->caught_up ? 0 : (res->newest_us >= 0 ? now - res->newest_us : -1);
    store_peer_report(run->s, &p);
}

static void target_of(struct sync_run *run)
{
    const struct store_peer *p = run->peer;
    memset(&run->target, 0, sizeof(run->target));
    run->target.cafile = run->o.cafile;
    run->target.insecure = run->o.insecure;
    run->target.stop = run->o.stop;
    run->target.timeout_s = 300;
    if (p->token) {
        run->target.token = p->secret;
    } else {
        snprintf(run->basic_buf, sizeof(run->basic_buf), "%s:%s", p->user, p->secret);
        run->target.basic = run->basic_buf;
    }
}

int sync_peer_round(struct store *s, const struct store_peer *p, const struct sync_options *o,
                    struct sync_result *res)
{
    memset(res, 0, sizeof(*res));
    error_clear(&res->err);
    res->newest_us = -1;
    res->caught_up = true;
    struct sync_run run = {.s = s, .peer = p, .o = *o, .res = res};
    options_defaults(&run.o);
    target_of(&run);
    int64_t started = stix_now_us();
    struct pairs pairs = {NULL, 0};
    if (!(run.http = sync_http_new()))
        error_set(&res->err, ERR_NOMEM, "cannot start an HTTP client");
    else if (store_peer_coll_list(s, p->id, add_pair, &pairs) != 0)
        error_set(&res->err, ERR_DB, "cannot read the collections of peer '%s'", p->name);
    else
        run_pairs(&run, &pairs);
    report(&run, started);
    sync_http_free(run.http);
    free(pairs.v);
    memset(run.basic_buf, 0, sizeof(run.basic_buf));
    return res->err.code;
}

struct peers {
    struct store_peer *v;
    size_t n;
};

static int add_peer(void *ctx, const struct store_peer *p)
{
    struct peers *ps = ctx;
    ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof(*ps->v));
    ps->v[ps->n++] = *p;
    return 0;
}

int sync_round_all(struct store *s, const char *only, const struct sync_options *o)
{
    struct peers ps = {NULL, 0};
    int failed = 0;
    size_t matched = 0;
    if (store_peer_list(s, add_peer, &ps) != 0)
        return ERR_DB;
    for (size_t i = 0; i < ps.n && !(o->stop && atomic_load(o->stop)); i++) {
        if (only && strcmp(only, ps.v[i].name) != 0)
            continue;
        matched++;
        struct sync_result res;
        int r = sync_peer_round(s, &ps.v[i], o, &res);
        if (r) {
            failed++;
            log_warn("sync", "peer=%s round failed: %s", ps.v[i].name, res.err.msg);
        } else {
            log_info("sync", "peer=%s pulled=%lld added=%lld quarantined=%lld pushed=%lld",
                     ps.v[i].name, (long long)res.pulled, (long long)res.added,
                     (long long)res.quarantined, (long long)res.pushed);
        }
    }
    if (ps.v)
        memset(ps.v, 0, ps.n * sizeof(*ps.v)); /* the secrets */
    free(ps.v);
    return only && !matched ? ERR_NOT_FOUND : failed;
}
