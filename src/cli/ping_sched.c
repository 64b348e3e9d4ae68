/*
 * Scheduled reachability tests for `concord serve`: with ping_interval = N
 * (seconds, 0 = off) in concord.conf, a background thread starts a round
 * to every organisation each N seconds, the first one N seconds after the
 * server starts; each round's deadline is N seconds, so a round is over
 * when the next begins.  The thread uses its own store connection and
 * sleeps on a condition variable, so cli_ping_sched_stop returns at once.
 */
#include "cli/cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "coop/coop.h"
#include "stix/timestamp.h"
#include "util/log.h"
#include "util/banned.h"

struct cli_ping_sched {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int stop;
    unsigned interval;          /* seconds between rounds, also each round's deadline */
    char db[PATH_MAX];
};

static void ping_round(struct cli_ping_sched *sc)
{
    struct store *s;
    struct error err;
    char round[96];
    error_clear(&err);
    if (store_sqlite_open(sc->db, &s, &err) != 0) {
        log_error("ping", "cannot open the store: %s", err.msg);
        return;
    }
    if (coop_ping_start(s, NULL, 0, sc->interval, stix_now_us(), round, &err) != 0)
        log_warn("ping", "cannot start a round: %s", err.msg);
    else
        log_notice("ping", "round started round=%s", round);
    store_close(s);
}

/* Wait one interval (or until stopped); true when it is time for a round. */
static bool ping_wait(struct cli_ping_sched *sc)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += sc->interval;
    pthread_mutex_lock(&sc->lock);
    while (!atomic_load(&sc->stop) && pthread_cond_timedwait(&sc->wake, &sc->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&sc->lock);
    return !atomic_load(&sc->stop);
}

static void *ping_main(void *arg)
{
    struct cli_ping_sched *sc = arg;
    while (ping_wait(sc))
        ping_round(sc);
    return NULL;
}

struct cli_ping_sched *cli_ping_sched_start(const char *dir, const struct cli_config *cfg)
{
    if (cfg->ping_interval == 0)
        return NULL;
    struct cli_ping_sched *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return NULL;
    sc->interval = cfg->ping_interval;
    cli_path(sc->db, dir, "concord.db");
    pthread_mutex_init(&sc->lock, NULL);
    pthread_cond_init(&sc->wake, NULL);
    atomic_init(&sc->stop, 0);
    if (pthread_create(&sc->thread, NULL, ping_main, sc) != 0) {
        log_error("ping", "cannot start the ping thread");
        pthread_cond_destroy(&sc->wake);
        pthread_mutex_destroy(&sc->lock);
        free(sc);
        return NULL;
    }
    log_notice("ping", "reachability rounds every %u s", sc->interval);
    return sc;
}

void cli_ping_sched_stop(struct cli_ping_sched *sc)
{
    if (!sc)
        return;
    pthread_mutex_lock(&sc->lock);
    atomic_store(&sc->stop, 1);
    pthread_cond_broadcast(&sc->wake);
    pthread_mutex_unlock(&sc->lock);
    pthread_join(sc->thread, NULL);
    pthread_cond_destroy(&sc->wake);
    pthread_mutex_destroy(&sc->lock);
    free(sc);
}
