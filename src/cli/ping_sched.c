/*
 * Scheduled reachability tests for `concord serve`: with ping_interval = N
 * (seconds, 0 = off) in concord.conf, a background thread starts a round
 * to every organisation each N seconds, the first one N seconds after the
 * server starts; each round's deadline is N seconds, so a round is over
 * when the next begins.  Each round opens its own store connection; the
 * thread is a util/ticker, so cli_ping_sched_stop returns at once.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <time.h>

#include "coop/coop.h"
#include "stix/timestamp.h"
#include "util/log.h"
#include "util/ticker.h"
#include "util/banned.h"

struct cli_ping_sched {
    struct ticker *ticker;
    unsigned interval;          /* seconds between rounds, also each round's deadline */
    char db[PATH_MAX];
};

static void ping_round(void *arg)
{
    struct cli_ping_sched *sc = arg;
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

struct cli_ping_sched *cli_ping_sched_start(const char *dir, const struct cli_config *cfg)
{
    if (cfg->ping_interval == 0)
        return NULL;
    struct cli_ping_sched *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return NULL;
    sc->interval = cfg->ping_interval;
    cli_path(sc->db, dir, "concord.db");
    sc->ticker = ticker_start("ping", sc->interval, false, ping_round, sc);
    if (!sc->ticker) {
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
    ticker_stop(sc->ticker);
    free(sc);
}
