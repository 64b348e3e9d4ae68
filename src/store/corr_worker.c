/*
 * The correlation worker of `concord serve`: a thread with its own store
 * connection that indexes newly stored indicators (store_corr_catch_up)
 * every CORR_WORKER_PERIOD_MS, so the correlation view trails ingest by
 * seconds without ingest paying for it: it waits for a pause in ingest
 * (at most CORR_WORKER_DEFER_S), runs at the lowest CPU priority and holds
 * the write lock for one small batch at a time.
 * Stopping wakes it at once.
 */
#include "store/corr.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "stix/timestamp.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CORR_WORKER_PERIOD_MS 2000
#define CORR_WORKER_BATCH 2000 /* rows per write transaction: ingest waits at most one */
#define CORR_WORKER_DEFER_S 30 /* longest wait for a pause in ingest */

struct store_corr_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_bool stop;            /* set under lock; read by catch_up between batches */
    struct store *s;             /* the worker's own connection */
};

/* Wait one period or until stopped; true when stopping. */
static bool nap(struct store_corr_worker *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += CORR_WORKER_PERIOD_MS / 1000;
    pthread_mutex_lock(&w->lock);
    while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
        ;
    bool stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

/* Index everything pending, one batch per write transaction. */
static void catch_up(struct store_corr_worker *w)
{
    size_t done = 1, total = 0;
    int r = 0;
    while (done && !w->stop && (r = store_corr_catch_up(w->s, CORR_WORKER_BATCH, &done)) == 0)
        total += done;
    if (r)
        log_warn("corr", "cannot index new indicators: %s", error_name(r));
    else if (total)
        log_info("corr", "indexed the values of %zu new indicator versions", total);
}

/*
 * While objects keep arriving (the newest date_added moved since the last
 * look), indexing waits, up to CORR_WORKER_DEFER_S, so that a burst of
 * ingest gets the machine; then, or once ingest pauses, it catches up.
 */
static void *worker(void *p)
{
    struct store_corr_worker *w = p;
    /* background work: the lowest CPU priority (Linux: per thread), so ingest and reads come first */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
    int64_t seen = -1, waiting_since = 0;
    while (!nap(w)) {
        int64_t newest = 0, upto = 0;
        if (store_corr_pending(w->s, &newest, &upto) != 0 || newest <= upto) {
            waiting_since = 0;
            continue;
        }
        int64_t now = stix_now_us();
        if (!waiting_since)
            waiting_since = now;
        bool busy = seen < 0 || newest != seen; /* the first look cannot tell: wait */
        seen = newest;
        if (busy && now - waiting_since < CORR_WORKER_DEFER_S * 1000000LL)
            continue;
        catch_up(w);
        waiting_since = 0;
    }
    return NULL;
}

int store_corr_worker_start(const char *db_path, struct store_corr_worker **out,
                            struct error *err)
{
    struct store_corr_worker *w = xcalloc(1, sizeof(*w));
    int r = store_sqlite_open(db_path, &w->s, err);
    if (r) {
        free(w);
        return r;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, worker, w) != 0) {
        store_close(w->s);
        free(w);
        return error_set(err, ERR_NOMEM, "cannot start the correlation worker");
    }
    *out = w;
    return 0;
}

void store_corr_worker_stop(struct store_corr_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    store_close(w->s);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}
