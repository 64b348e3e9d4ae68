/*
 * sync/pull.c: pull one collection of a peer into a local collection,
 * incrementally, following TAXII 2.1 §3.4 exactly:
 *
 *   - a run starts with added_after = the checkpoint (none the first time)
 *     and pages with `next`, sending the same original filters with it (the
 *     specification's "along with the same original query options"); only
 *     a peer that says more without a `next` is paged with added_after =
 *     X-TAXII-Date-Added-Last, as §3.4 allows;
 *   - the checkpoint is the peer's date_added (the X-TAXII-Date-Added-Last
 *     header), never `modified`.  Many objects may share one date_added
 *     (not on Concord, but on other servers), so after a page with more to
 *     come the checkpoint is one microsecond before that page's last
 *     date_added: everything strictly earlier is stored, and the rest of
 *     that instant is fetched again after an interruption (idempotent:
 *     "already added").  After the last page it is the last date_added;
 *   - each page's objects, quarantined rejects and the new checkpoint (and
 *     the `next` token, so an interrupted run resumes where it was) are
 *     committed in ONE transaction: a crash loses nothing and duplicates
 *     nothing.  A `next` the peer no longer accepts restarts from the
 *     checkpoint.
 *
 * Pulled objects are stored with origin = the peer's operating
 * organisation, so the sharing rules treat them as delivered by it.
 *
 * Two stages (the pull is bound by parsing, validating and storing, not
 * by the network): fetch.c GETs, parses and validates pages on a second
 * thread, at most SYNC_FETCH_QUEUE ahead; this file stores them in order
 * on the round's thread.  The fetch of page N+1 (which needs only page
 * N's `next`) overlaps the storing of page N; what is committed, and when,
 * is the same as one page at a time.
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/timestamp.h"
#include "util/log.h"
#include "util/banned.h"

struct page {
    struct sync_run *run;
    struct sync_pulled *p;          /* its ing, and the pair's state once committed */
    const char *coll;               /* local collection id */
    int64_t quarantined;
};

static void quarantine_one(struct page *pg, struct store *s, size_t i)
{
    struct store_ingest *ing = &pg->p->ing;
    struct store_ingest_item *it = &ing->items[i];
    json_t *o = json_array_get(json_object_get(ing->root, "objects"), i);
    const char *id = json_string_value(json_object_get(o, "id"));
    struct store_quarantine q = {.peer_id = pg->run->peer->id, .created_us = stix_now_us()};
    snprintf(q.coll, sizeof(q.coll), "%s", pg->coll);
    snprintf(q.object_id, sizeof(q.object_id), "%s", id ? id : "");
    snprintf(q.reason, sizeof(q.reason), "%.200s%s%.300s", it->err.path,
             it->err.path[0] ? ": " : "", it->err.msg);
    q.body = ing->text + ing->spans[i].off;
    q.body_len = ing->spans[i].len;
    log_warn("sync", "quarantined peer=%s object=%s reason=%s", pg->run->peer->name,
             q.object_id[0] ? q.object_id : "-", q.reason);
    if (store_quarantine_add(s, &q) == 0)
        pg->quarantined++;
}

/* Inside the page's write transaction: quarantine the rejects, save the checkpoint. */
static int page_in_txn(void *ctx, struct store *s)
{
    struct page *pg = ctx;
    pg->quarantined = 0;
    for (size_t i = 0; i < pg->p->ing.n; i++)
        if (pg->p->ing.items[i].err.code != 0)
            quarantine_one(pg, s, i);
    return store_peer_coll_save(s, &pg->p->next);
}

int64_t sync_pull_checkpoint(int64_t current, bool more, size_t n_objects, int64_t last_us)
{
    if (!n_objects || last_us < 0)
        return current;
    int64_t cp = more ? last_us - 1 : last_us;
    return cp > current ? cp : current;
}

/* Store a page with objects (one transaction with the checkpoint). */
static int commit_page(struct page *pg, const struct store_coll *coll)
{
    struct sync_run *run = pg->run;
    struct store_ingest *ing = &pg->p->ing;
    struct error err;
    error_clear(&err);
    ing->in_txn = page_in_txn;
    ing->in_txn_ctx = pg;
    int r = store_ingest_commit(ing, run->s, coll->seq, NULL, run->peer->org_id, &err);
    if (r)
        return error_set(&run->res->err, r, "cannot store objects from peer '%s': %s",
                         run->peer->name, err.msg);
    for (size_t i = 0; i < ing->n; i++)
        if (ing->items[i].err.code == 0 && ing->items[i].message &&
            strcmp(ing->items[i].message, "added") == 0)
            run->res->added++;
    run->res->pulled += (int64_t)ing->n;
    run->res->quarantined += pg->quarantined;
    return 0;
}

/* Save the state alone (an empty page that ends a resumed run). */
static int save_state(struct sync_run *run, const struct store_peer_coll *pc)
{
    int r = store_begin_write(run->s);
    if (r == 0) {
        r = store_peer_coll_save(run->s, pc);
        if (r == 0)
            r = store_commit(run->s);
        else
            store_rollback(run->s);
    }
    return r ? error_set(&run->res->err, r, "cannot save the checkpoint of peer '%s'",
                         run->peer->name)
             : 0;
}

static bool state_changed(const struct store_peer_coll *a, const struct store_peer_coll *b)
{
    return a->after_us != b->after_us || a->base_us != b->base_us || strcmp(a->next, b->next);
}

/* Store one fetched page with its state; pc becomes that state. */
static int store_page(struct sync_run *run, struct store_peer_coll *pc,
                      const struct store_coll *coll, struct sync_pulled *p)
{
    struct page pg = {.run = run, .p = p, .coll = coll->id};
    int r = 0;
    if (p->n_objects)
        r = commit_page(&pg, coll);
    else if (state_changed(&p->next, pc))
        r = save_state(run, &p->next);
    if (r)
        return r;
    *pc = p->next;
    if (p->n_objects && p->last_us > run->res->newest_us)
        run->res->newest_us = p->last_us;
    return 0;
}

/* Handle what the fetch stage queued: 0 go on, 1 the pull is over, or an error. */
static int pull_step(struct sync_run *run, struct store_peer_coll *pc,
                     const struct store_coll *coll, struct sync_pulled *p)
{
    if (!p || sync_stopping(run))
        return error_set(&run->res->err, ERR_IO, "stopped");
    if (p->kind == SYNC_PULLED_ERROR)
        return error_set(&run->res->err, p->code, "%s", p->err.msg);
    if (p->kind == SYNC_PULLED_BOUND) {
        run->res->caught_up = false; /* the bound of one round: the rest comes next round */
        return 1;
    }
    int r = store_page(run, pc, coll, p);
    if (r || p->done)
        return r ? r : 1;
    if (run->o.progress)
        run->o.progress(run->o.progress_ctx, run->peer->name, run->res->pulled,
                        run->res->pushed);
    return 0;
}

int sync_pull_pair(struct sync_run *run, struct store_peer_coll *pc)
{
    struct store_coll coll;
    if (store_coll_get(run->s, pc->local, &coll) != 0)
        return error_set(&run->res->err, ERR_NOT_FOUND, "no local collection '%s'", pc->local);
    if (sync_stopping(run))
        return error_set(&run->res->err, ERR_IO, "stopped");
    struct sync_fetcher *f;
    int r = sync_fetcher_start(&f, run, pc);
    if (r)
        return r;
    while (r == 0) {
        struct sync_pulled *p = sync_fetcher_next(f);
        r = pull_step(run, pc, &coll, p);
        sync_pulled_free(p);
    }
    sync_fetcher_stop(f);
    return r == 1 ? 0 : r;
}
