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

int sync_pull_pair(struct sync_run *run, struct store_peer_coll *pc);
int sync_push_pair(struct sync_run *run, struct store_peer_coll *pc);

#endif
