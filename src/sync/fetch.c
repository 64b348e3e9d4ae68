/*
 * sync/fetch.c: the fetch stage of a pull (pull.c stores).  A second
 * thread GETs the pages of one collection pair in order, parses and
 * validates each (store_ingest_prepare: no store access), works out the
 * pair's state once that page is stored (TAXII 2.1 §3.4, see pull.c) and
 * queues it; the round's thread stores the pages in the same order, each
 * with its checkpoint in one transaction.  Page N+1's request needs only
 * page N's `next`, so it is under way while page N is being stored.
 *
 * The stage works on its own copy of the round: its own result (errors
 * travel in the queue), its own stop flag (raised by sync_fetcher_stop,
 * or passed on from the round's while the store side waits), and the
 * round's HTTP handle, which nobody else uses meanwhile.  The queue holds
 * at most SYNC_FETCH_QUEUE pages; one mutex and one condition guard it.
 */
#include "sync/sync_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stix/timestamp.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define FETCH_AGAIN 1 /* the saved token was refused: ask again from the checkpoint */

struct sync_fetcher {
    struct sync_run run;          /* copy: own res and stop; http borrowed */
    struct sync_result res;
    struct store_peer_coll pc;    /* the pair as this stage sees it */
    atomic_int stop;
    const atomic_int *outer_stop; /* the round's (may be NULL) */
    bool token_refused;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sync_pulled *q[SYNC_FETCH_QUEUE];
    size_t head, count;
    bool finished;                /* the thread queued its last page */
};

/* The peer's date_added in a header as microseconds; -1 when absent or malformed. */
static int64_t header_us(const char *v)
{
    int64_t ns = 0;
    if (!v[0] || stix_ts_parse(v, strlen(v), &ns, NULL) != 0 || ns < 0)
        return -1;
    return ns / 1000;
}

/* The pair's state after a page (TAXII 2.1 §3.4); ERR_INVALID when paging cannot go on. */
static int next_state(struct sync_run *run, struct store_peer_coll *n,
                      const struct sync_page_info *pi, int64_t base, int64_t last_us)
{
    n->after_us = sync_pull_checkpoint(n->after_us, pi->more, pi->n_objects, last_us);
    n->next[0] = '\0';
    n->base_us = -1;
    if (pi->more && pi->next[0]) {
        snprintf(n->next, sizeof(n->next), "%s", pi->next);
        n->base_us = base;
    } else if (pi->more && last_us < 0) {
        return error_set(&run->res->err, ERR_INVALID,
                         "peer '%s' says more but gives neither next nor "
                         "X-TAXII-Date-Added-Last", run->peer->name);
    } else if (pi->more && last_us > n->after_us) {
        n->after_us = last_us; /* §3.4 fallback for servers without next */
    }
    n->count += (int64_t)pi->n_objects;
    return 0;
}

/* Parse and validate one 200 answer; its paging fields give the next state. */
static int prepare_page(struct sync_fetcher *f, struct sync_pulled *p, int64_t base)
{
    struct sync_page_info pi;
    struct error err;
    error_clear(&err);
    int r = store_ingest_prepare(&p->ing, p->rep.body, p->rep.len, &err);
    bool empty = r == ERR_INVALID && json_is_object(p->ing.root) &&
                 !json_object_get(p->ing.root, "objects");
    if (r && !empty)
        return error_set(&f->res.err, r, "peer '%s' sent a bad envelope: %s",
                         f->run.peer->name, err.msg);
    if ((r = sync_envelope_info(p->ing.root, &pi, &f->res.err)) != 0)
        return r;
    p->last_us = header_us(p->rep.date_last);
    p->n_objects = pi.n_objects;
    p->done = !pi.more;
    p->next = f->pc;
    return next_state(&f->run, &p->next, &pi, base, p->last_us);
}

static void page_url(struct sync_run *run, const struct store_peer_coll *pc, int64_t base,
                     struct buf *url)
{
    struct buf path;
    buf_init(&path, 4096);
    buf_puts(&path, "collections/");
    sync_url_escape(&path, pc->remote);
    /* every version, not only the latest (TAXII 2.1 §3.4.1's default): the history is the
     * audit trail, and a version made between two rounds must not be skipped */
    buf_printf(&path, "/objects/?limit=%zu&match%%5Bversion%%5D=all", run->o.page_limit);
    if (base >= 0) {
        char ts[STIX_TS_MAX];
        stix_ts_format_us(base, ts);
        buf_printf(&path, "&added_after=%s", ts);
    }
    if (pc->next[0]) {
        buf_puts(&path, "&next=");
        sync_url_escape(&path, pc->next);
    }
    sync_url(run, url, buf_str(&path));
    buf_release(&path);
}

/* GET and prepare the next page: 0, FETCH_AGAIN, or an error (f->res.err). */
static int fetch_page(struct sync_fetcher *f, struct sync_pulled *p)
{
    if (sync_stopping(&f->run))
        return error_set(&f->res.err, ERR_IO, "stopped");
    int64_t base = f->pc.next[0] ? f->pc.base_us : f->pc.after_us;
    struct buf url;
    buf_init(&url, 8192);
    page_url(&f->run, &f->pc, base, &url);
    int r = sync_request(&f->run, "GET", buf_str(&url), NULL, 0, &p->rep);
    buf_release(&url);
    if (r)
        return r;
    if (p->rep.status == 400 && f->pc.next[0] && !f->token_refused) {
        /* the peer no longer takes the saved token: restart from the checkpoint */
        log_notice("sync", "peer=%s refused a saved next token; resuming from the checkpoint",
                   f->run.peer->name);
        f->token_refused = true;
        f->pc.next[0] = '\0';
        f->pc.base_us = -1;
        return FETCH_AGAIN;
    }
    if (p->rep.status != 200)
        return sync_fail_status(&f->run, "GET objects", &p->rep);
    r = prepare_page(f, p, base);
    if (r == 0)
        f->pc = p->next;
    return r;
}

/* Queue p (taken), waiting for room; false when the stage is stopped (p freed). */
static bool put(struct sync_fetcher *f, struct sync_pulled *p, bool last)
{
    pthread_mutex_lock(&f->mu);
    while (f->count == SYNC_FETCH_QUEUE && !atomic_load(&f->stop))
        pthread_cond_wait(&f->cv, &f->mu);
    bool ok = f->count < SYNC_FETCH_QUEUE;
    if (ok)
        f->q[(f->head + f->count++) % SYNC_FETCH_QUEUE] = p;
    f->finished = last || !ok;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (!ok)
        sync_pulled_free(p);
    return ok;
}

static void *fetch_main(void *arg)
{
    struct sync_fetcher *f = arg;
    for (unsigned page = 0; page < f->run.o.max_pages; page++) {
        struct sync_pulled *p = xcalloc(1, sizeof(*p));
        int r = fetch_page(f, p);
        if (r == FETCH_AGAIN) {
            sync_pulled_free(p);
            continue;
        }
        if (r) {
            p->kind = SYNC_PULLED_ERROR;
            p->code = r;
            p->err = f->res.err;
        }
        bool last = r != 0 || p->done;
        if (!put(f, p, last) || last)
            return NULL;
    }
    struct sync_pulled *bound = xcalloc(1, sizeof(*bound));
    bound->kind = SYNC_PULLED_BOUND;
    put(f, bound, true);
    return NULL;
}

int sync_fetcher_start(struct sync_fetcher **out, struct sync_run *run,
                       const struct store_peer_coll *pc)
{
    struct sync_fetcher *f = xcalloc(1, sizeof(*f));
    f->run = *run;
    f->run.res = &f->res;
    error_clear(&f->res.err);
    atomic_init(&f->stop, 0);
    f->outer_stop = run->o.stop;
    f->run.o.stop = &f->stop;
    f->run.target.stop = &f->stop;
    f->pc = *pc;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    if (pthread_create(&f->thread, NULL, fetch_main, f) != 0) {
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
        memset(f, 0, sizeof(*f)); /* the copied secrets */
        free(f);
        return error_set(&run->res->err, ERR_NOMEM, "cannot start the fetch thread");
    }
    *out = f;
    return 0;
}

/* Wait up to 50 ms on f->cv (mutex held), passing the round's stop flag on. */
static void wait_a_little(struct sync_fetcher *f)
{
    if (f->outer_stop && atomic_load(f->outer_stop))
        atomic_store(&f->stop, 1);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&f->cv, &f->mu, &ts);
}

struct sync_pulled *sync_fetcher_next(struct sync_fetcher *f)
{
    struct sync_pulled *p = NULL;
    pthread_mutex_lock(&f->mu);
    while (f->count == 0 && !f->finished)
        wait_a_little(f);
    if (f->count) {
        p = f->q[f->head];
        f->head = (f->head + 1) % SYNC_FETCH_QUEUE;
        f->count--;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return p;
}

void sync_fetcher_stop(struct sync_fetcher *f)
{
    pthread_mutex_lock(&f->mu);
    atomic_store(&f->stop, 1);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    for (size_t i = 0; i < f->count; i++)
        sync_pulled_free(f->q[(f->head + i) % SYNC_FETCH_QUEUE]);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    memset(f, 0, sizeof(*f)); /* the copied secrets */
    free(f);
}

void sync_pulled_free(struct sync_pulled *p)
{
    if (!p)
        return;
    store_ingest_release(&p->ing);
    sync_reply_release(&p->rep);
    free(p);
}
