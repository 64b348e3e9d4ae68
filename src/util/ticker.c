/*
 * ticker (ticker.h): one thread, a mutex and a condition variable; the
 * stop flag is atomic so that the called function can read it unlocked.
 */
#include "util/ticker.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int stop;
    unsigned interval;
    bool first_now;
    void (*fn)(void *ctx);
    void *ctx;
};

/* Wait one interval or until stopped; true when it is time to call again. */
static bool wait_interval(struct ticker *t)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += t->interval;
    pthread_mutex_lock(&t->lock);
    while (!atomic_load(&t->stop) && pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&t->lock);
    return !atomic_load(&t->stop);
}

static void *ticker_main(void *arg)
{
    struct ticker *t = arg;
    if (t->first_now && !atomic_load(&t->stop))
        t->fn(t->ctx);
    while (wait_interval(t))
        t->fn(t->ctx);
    return NULL;
}

struct ticker *ticker_start(const char *name, unsigned interval_s, bool first_now,
                            void (*fn)(void *ctx), void *ctx)
{
    struct ticker *t = xcalloc(1, sizeof(*t));
    t->interval = interval_s;
    t->first_now = first_now;
    t->fn = fn;
    t->ctx = ctx;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    atomic_init(&t->stop, 0);
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        log_error(name, "cannot start the %s thread", name);
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
    }
    return t;
}

const atomic_int *ticker_stopping(const struct ticker *t)
{
    return &t->stop;
}

void ticker_stop(struct ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->stop, 1);
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
