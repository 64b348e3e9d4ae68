/*
 * sync/push.c: push new local objects of one collection to a peer's
 * collection.  "New" is date_added after the pair's push checkpoint (every
 * version has its own date_added; a version already stored, however often
 * it arrives again, keeps its first one, which is what ends loops in a
 * mesh).  Each object goes through the egress rules (egress.c) for the
 * peer's organisation and is sent as the copy that organisation may read
 * (share_ctx_emit: granular markings redacted).
 *
 * Objects travel in envelopes of at most push_batch objects and
 * push_max_bytes bytes; the status resource the peer answers is polled
 * until it is complete (bounded).  The checkpoint then advances past every
 * object the peer accepted and every object the rules kept back, and
 * stops just before the first object the peer refused or still holds as
 * pending: those are sent again next round (idempotent on the peer).
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct sent {
    int64_t added_us;
    char id[160];
};

struct batch {
    struct sync_run *run;
    struct share_ctx *share;
    const struct sync_egress *eg;
    struct buf env;              /* the envelope being built */
    struct sent *sent;           /* objects in it, in date_added order (heap) */
    size_t n, cap;
    size_t scanned;
    int64_t last_scanned;        /* date_added of the last row looked at, -1 none */
};

static int batch_row(void *ctx, const struct store_row *row)
{
    struct batch *b = ctx;
    bool ok = sync_egress_allows(b->eg, b->share, row);
    if (row->peek)
        return ok ? 1 : 0;
    b->scanned++;
    b->last_scanned = row->added_us;
    if (!ok) {
        b->run->res->filtered++;
        return 0;
    }
    if (b->n)
        buf_putc(&b->env, ',');
    if (sync_egress_whole(b->eg, row))
        buf_append(&b->env, row->body, row->body_len);
    else if (share_ctx_emit(b->share, row, &b->env))
        return ERR_DB;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->sent = xrealloc(b->sent, b->cap * sizeof(*b->sent));
    }
    b->sent[b->n].added_us = row->added_us;
    snprintf(b->sent[b->n].id, sizeof(b->sent[b->n].id), "%s", row->id);
    b->n++;
    /* the envelope is full: stop here (the store reports the stop as this code) */
    return b->env.len >= b->run->o.push_max_bytes ? ERR_TOO_LARGE : 1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* POST the envelope; poll the status until complete (bounded).  st filled on 0. */
static int post_and_wait(struct batch *b, const struct store_peer_coll *pc,
                         struct sync_status *st)
{
    struct sync_run *run = b->run;
    struct buf url;
    buf_init(&url, 8192);
    struct buf path;
    buf_init(&path, 4096);
    buf_puts(&path, "collections/");
    sync_url_escape(&path, pc->remote);
    buf_puts(&path, "/objects/");
    sync_url(run, &url, buf_str(&path));
    struct sync_reply rep;
    int r = sync_request(run, "POST", buf_str(&url), b->env.data, b->env.len, &rep);
    for (long poll = 0; r == 0; poll++) {
        if (rep.status < 200 || rep.status > 299) {
            r = sync_fail_status(run, "POST objects", &rep);
            break;
        }
        sync_status_release(st);
        if ((r = sync_status_parse(rep.body, rep.len, st, &run->res->err)) != 0 ||
            st->complete || poll >= run->o.status_polls || sync_stopping(run))
            break;
        sync_reply_release(&rep);
        sleep_ms(poll < 4 ? 100L << poll : 2000);
        buf_reset(&path);
        buf_puts(&path, "status/");
        sync_url_escape(&path, st->id);
        buf_putc(&path, '/');
        buf_reset(&url);
        sync_url(run, &url, buf_str(&path));
        r = sync_request(run, "GET", buf_str(&url), NULL, 0, &rep);
    }
    if (r == 0)
        sync_reply_release(&rep);
    buf_release(&path);
    buf_release(&url);
    return r;
}

/* How many sent objects, from the first, the peer took (the rest is retried). */
static size_t accepted_prefix(struct batch *b, const struct sync_status *st)
{
    if (!st->complete && st->pending > 0 && st->n_bad == 0)
        return 0; /* pending without details: nothing can be counted as taken */
    size_t k = 0;
    while (k < b->n && !sync_status_is_bad(st, b->sent[k].id))
        k++;
    return k;
}

/* Send one batch and move the checkpoint; *more when another batch may follow. */
static int push_batch(struct batch *b, struct store_peer_coll *pc)
{
    struct sync_run *run = b->run;
    struct sync_status st;
    memset(&st, 0, sizeof(st));
    int64_t cp = b->last_scanned;
    int r = 0;
    if (b->n) {
        buf_puts(&b->env, "]}");
        if ((r = post_and_wait(b, pc, &st)) != 0)
            goto out;
        size_t k = accepted_prefix(b, &st);
        run->res->pushed += (int64_t)k;
        if (k < b->n) {
            run->res->rejected += (int64_t)(b->n - k);
            cp = b->sent[k].added_us - 1;
            r = error_set(&run->res->err, ERR_CONFLICT,
                          "peer '%s' did not accept '%s' (%s); it is sent again next round",
                          run->peer->name, b->sent[k].id,
                          st.complete ? "refused" : "still pending");
        }
        pc->count += (int64_t)k;
    }
    if (cp > pc->after_us) {
        pc->after_us = cp;
        int w = store_begin_write(run->s);
        if (w == 0) {
            w = store_peer_coll_save(run->s, pc);
            if (w == 0)
                w = store_commit(run->s);
            else
                store_rollback(run->s);
        }
        if (w && !r)
            r = error_set(&run->res->err, w, "cannot save the push checkpoint");
    }
out:
    sync_status_release(&st);
    return r;
}

int sync_push_pair(struct sync_run *run, struct store_peer_coll *pc)
{
    struct store_coll coll;
    if (store_coll_get(run->s, pc->local, &coll) != 0)
        return error_set(&run->res->err, ERR_NOT_FOUND, "no local collection '%s'", pc->local);
    struct share_ctx share;
    struct sync_egress eg;
    int r = share_ctx_init(&share, run->s, run->peer->org_id, false);
    if (r)
        return error_set(&run->res->err, r, "cannot load organisation of peer '%s'",
                         run->peer->name);
    if ((r = sync_egress_init(&eg, run->s, run->peer->org_id)) != 0) {
        share_ctx_release(&share);
        return error_set(&run->res->err, r, "cannot load the peers");
    }
    struct batch b = {.run = run, .share = &share, .eg = &eg};
    buf_init(&b.env, run->o.push_max_bytes + LIMIT_BODY_DEFAULT);
    for (unsigned i = 0; r == 0 && i < run->o.max_pages && !sync_stopping(run); i++) {
        buf_reset(&b.env);
        buf_puts(&b.env, "{\"objects\":[");
        b.n = b.scanned = 0;
        b.last_scanned = -1;
        struct store_query q = {.coll = coll.seq, .added_after_us = pc->after_us,
                                .ver_flags = STORE_VER_ALL, .limit = run->o.push_batch};
        bool more = false;
        r = store_obj_query(run->s, &q, batch_row, &b, &more);
        if (r == ERR_TOO_LARGE && !buf_failed(&b.env))
            r = 0;
        if (r) {
            error_set(&run->res->err, r, "cannot read collection '%s'", pc->local);
            break;
        }
        if (b.scanned == 0)
            break;
        r = push_batch(&b, pc);
        if (run->o.progress)
            run->o.progress(run->o.progress_ctx, run->peer->name, run->res->pulled,
                            run->res->pushed);
    }
    free(b.sent);
    buf_release(&b.env);
    sync_egress_release(&eg);
    share_ctx_release(&share);
    return r;
}
