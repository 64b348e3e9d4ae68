/*
 * A background thread that calls a function every N seconds until
 * stopped: the schedulers of `concord serve` (federation rounds, ping
 * rounds) share it.  It sleeps on a condition variable, so ticker_stop
 * returns as soon as the running call does; long calls can watch
 * ticker_stopping() to finish early.
 */
#ifndef CONCORD_UTIL_TICKER_H
#define CONCORD_UTIL_TICKER_H

#include <stdatomic.h>
#include <stdbool.h>

struct ticker;

/*
 * Start a thread calling fn(ctx) every interval_s seconds (> 0); the first
 * call comes at once when first_now, else after one interval.  name is for
 * the log.  Returns the ticker, or NULL (logged) when no thread could start.
 * ctx is borrowed until ticker_stop returns.
 */
struct ticker *ticker_start(const char *name, unsigned interval_s, bool first_now,
                            void (*fn)(void *ctx), void *ctx);

/* Set while stopping: a long call may poll it (e.g. sync_options.stop). */
const atomic_int *ticker_stopping(const struct ticker *t);

/* Stop, join and free (NULL is fine). */
void ticker_stop(struct ticker *t);

#endif
