/*
 * Internals shared by the sync module's files: one round for one peer
 * (struct sync_run), requests with retries and backoff (round.c), the
 * pull (pull.c) and push (push.c) of one collection pair.
 */
#ifndef CONCORD_SYNC_INT_H
#define CONCORD_SYNC_INT_H

#include "sync/client.h"
#include "sync/reply.h"
#include "sync/sync.h"
#include "store/ingest.h"
#include "util/buf.h"

struct sync_run {
    struct store *s;                 /* borrowed */
    const struct store_peer *peer;   /* borrowed */
    struct sync_options o;           /* defaults filled in */
    struct sync_http *http;
    struct sync_target target;       /* credentials; basic points at basic_buf */
    char basic_buf[800];             /* "user:password" (never logged) */
    struct sync_result *res;
};

/* Is the round asked to stop (serve shutdown)? */
bool sync_stopping(const struct sync_run *run);

/*
 * A request with retries: on no answer, 429 or 5xx, wait (Retry-After
 * when given, else backoff_ms doubled per try, capped at 30 s) and try
 * again up to o.retries times.  Returns 0 with any other answer in rep
 * (the caller judges the status), or ERR_IO with run->res->err set.
 */
int sync_request(struct sync_run *run, const char *method, const char *url, const char *body,
                 size_t len, struct sync_reply *rep);

/* Describe an unexpected HTTP answer in run->res->err; returns ERR_INVALID. */
int sync_fail_status(struct sync_run *run, const char *what, const struct sync_reply *rep);

/* The peer's URL for a path below its API root ("collections/ID/objects/"). */
void sync_url(const struct sync_run *run, struct buf *out, const char *path);

/*
 * The pull checkpoint after a page of n_objects whose last date_added is
 * last_us (-1 unknown): last_us when the run is over, one microsecond
 * before it while more is to come (other objects may share that
 * date_added), never earlier than current.
 */
int64_t sync_pull_checkpoint(int64_t current, bool more, size_t n_objects, int64_t last_us);

/*
 * The fetch stage of a pull (fetch.c): a second thread GETs the pages of
 * one pair in order, parses and validates each, and queues it (at most
 * SYNC_FETCH_QUEUE waiting) with the pair's state once it is stored.
 */
#define SYNC_FETCH_QUEUE 2

enum sync_pulled_kind {
    SYNC_PULLED_PAGE,            /* a 200 answer, prepared */
    SYNC_PULLED_ERROR,           /* the fetch stage failed: code, err */
    SYNC_PULLED_BOUND,           /* max_pages reached: the rest comes next round */
};

struct sync_pulled {
    enum sync_pulled_kind kind;
    struct sync_reply rep;           /* the body ing points into */
    struct store_ingest ing;         /* prepared; ing.n == 0 for an empty page */
    struct store_peer_coll next;     /* the pair's state once this page is stored */
    size_t n_objects;
    int64_t last_us;                 /* X-TAXII-Date-Added-Last, -1 unknown */
    bool done;                       /* more == false: the pull is over */
    int code;                        /* SYNC_PULLED_ERROR: the ERR_* */
    struct error err;                /* SYNC_PULLED_ERROR: why */
};

struct sync_fetcher;

/*
 * Start fetching pair pc (copied) for run (borrowed until
 * sync_fetcher_stop; its HTTP handle is the stage's until then).
 */
int sync_fetcher_start(struct sync_fetcher **out, struct sync_run *run,
                       const struct store_peer_coll *pc);
/*
 * The next page in order (owned by the caller: sync_pulled_free).  The
 * last one is an error, a page with done, or a BOUND; NULL only when the
 * stage was stopped.  Waiting, it passes the round's stop flag on.
 */
struct sync_pulled *sync_fetcher_next(struct sync_fetcher *f);
/* Stop the stage (aborting a transfer under way), join it, free f. */
void sync_fetcher_stop(struct sync_fetcher *f);
void sync_pulled_free(struct sync_pulled *p);

int sync_pull_pair(struct sync_run *run, struct store_peer_coll *pc);
int sync_push_pair(struct sync_run *run, struct store_peer_coll *pc);

#endif
