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
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/timestamp.h"
#include "store/ingest.h"
#include "util/log.h"
#include "util/banned.h"

struct page {
    struct sync_run *run;
    struct store_ingest ing;
    struct store_peer_coll next;    /* the pair's state once this page is committed */
    const char *coll;               /* local collection id */
    int64_t quarantined;
};

/* The peer's date_added in a header as microseconds; -1 when absent or malformed. */
static int64_t header_us(const char *v)
{
    int64_t ns = 0;
    if (!v[0] || stix_ts_parse(v, strlen(v), &ns, NULL) != 0 || ns < 0)
        return -1;
    return ns / 1000;
}

static void quarantine_one(struct page *pg, struct store *s, size_t i)
{
    struct store_ingest_item *it = &pg->ing.items[i];
    json_t *o = json_array_get(json_object_get(pg->ing.root, "objects"), i);
    const char *id = json_string_value(json_object_get(o, "id"));
    struct store_quarantine q = {.peer_id = pg->run->peer->id, .created_us = stix_now_us()};
    snprintf(q.coll, sizeof(q.coll), "%s", pg->coll);
    snprintf(q.object_id, sizeof(q.object_id), "%s", id ? id : "");
    snprintf(q.reason, sizeof(q.reason), "%.200s%s%.300s", it->err.path,
             it->err.path[0] ? ": " : "", it->err.msg);
    q.body = pg->ing.text + pg->ing.spans[i].off;
    q.body_len = pg->ing.spans[i].len;
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
    for (size_t i = 0; i < pg->ing.n; i++)
        if (pg->ing.items[i].err.code != 0)
            quarantine_one(pg, s, i);
    return store_peer_coll_save(s, &pg->next);
}

int64_t sync_pull_checkpoint(int64_t current, bool more, size_t n_objects, int64_t last_us)
{
    if (!n_objects || last_us < 0)
        return current;
    int64_t cp = more ? last_us - 1 : last_us;
    return cp > current ? cp : current;
}

/* The pair's state after this page (TAXII 2.1 §3.4); ERR_INVALID when paging cannot go on. */
static int next_state(struct page *pg, const struct sync_page_info *pi, int64_t base,
                      int64_t last_us)
{
    struct store_peer_coll *n = &pg->next;
    n->after_us = sync_pull_checkpoint(n->after_us, pi->more, pi->n_objects, last_us);
    n->next[0] = '\0';
    n->base_us = -1;
    if (pi->more && pi->next[0]) {
        snprintf(n->next, sizeof(n->next), "%s", pi->next);
        n->base_us = base;
    } else if (pi->more && last_us < 0) {
        return error_set(&pg->run->res->err, ERR_INVALID,
                         "peer '%s' says more but gives neither next nor "
                         "X-TAXII-Date-Added-Last", pg->run->peer->name);
    } else if (pi->more && last_us > n->after_us) {
        n->after_us = last_us; /* §3.4 fallback for servers without next */
    }
    n->count += (int64_t)pi->n_objects;
    return 0;
}

/* Store a page with objects (one transaction with the checkpoint). */
static int commit_page(struct page *pg, const struct store_coll *coll)
{
    struct sync_run *run = pg->run;
    struct error err;
    error_clear(&err);
    pg->ing.in_txn = page_in_txn;
    pg->ing.in_txn_ctx = pg;
    int r = store_ingest_commit(&pg->ing, run->s, coll->seq, NULL, run->peer->org_id, &err);
    if (r)
        return error_set(&run->res->err, r, "cannot store objects from peer '%s': %s",
                         run->peer->name, err.msg);
    for (size_t i = 0; i < pg->ing.n; i++)
        if (pg->ing.items[i].err.code == 0 && pg->ing.items[i].message &&
            strcmp(pg->ing.items[i].message, "added") == 0)
            run->res->added++;
    run->res->pulled += (int64_t)pg->ing.n;
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

/* Parse and store one 200 answer; *done when the run is over. */
static int pull_page(struct sync_run *run, struct store_peer_coll *pc,
                     const struct store_coll *coll, const struct sync_reply *rep, int64_t base,
                     bool *done)
{
    struct page pg = {.run = run, .next = *pc, .coll = coll->id};
    struct sync_page_info pi;
    struct error err;
    error_clear(&err);
    int r = store_ingest_prepare(&pg.ing, rep->body, rep->len, &err);
    bool empty = r == ERR_INVALID && json_is_object(pg.ing.root) &&
                 !json_object_get(pg.ing.root, "objects");
    if (r && !empty) {
        r = error_set(&run->res->err, r, "peer '%s' sent a bad envelope: %s", run->peer->name,
                      err.msg);
        goto out;
    }
    if ((r = sync_envelope_info(pg.ing.root, &pi, &run->res->err)) != 0)
        goto out;
    int64_t last_us = header_us(rep->date_last);
    if ((r = next_state(&pg, &pi, base, last_us)) != 0)
        goto out;
    if (pi.n_objects)
        r = commit_page(&pg, coll);
    else if (state_changed(&pg.next, pc))
        r = save_state(run, &pg.next);
    if (r)
        goto out;
    *pc = pg.next;
    if (pi.n_objects && last_us > run->res->newest_us)
        run->res->newest_us = last_us;
    *done = !pi.more;
out:
    store_ingest_release(&pg.ing);
    return r;
}

static void page_url(struct sync_run *run, const struct store_peer_coll *pc, int64_t base,
                     struct buf *url)
{
    struct buf path;
    buf_init(&path, 4096);
    buf_puts(&path, "collections/");
    sync_url_escape(&path, pc->remote);
    buf_printf(&path, "/objects/?limit=%zu", run->o.page_limit);
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

int sync_pull_pair(struct sync_run *run, struct store_peer_coll *pc)
{
    struct store_coll coll;
    if (store_coll_get(run->s, pc->local, &coll) != 0)
        return error_set(&run->res->err, ERR_NOT_FOUND, "no local collection '%s'", pc->local);
    bool token_refused = false;
    for (unsigned page = 0; page < run->o.max_pages; page++) {
        if (sync_stopping(run))
            return error_set(&run->res->err, ERR_IO, "stopped");
        int64_t base = pc->next[0] ? pc->base_us : pc->after_us;
        struct buf url;
        buf_init(&url, 8192);
        page_url(run, pc, base, &url);
        struct sync_reply rep;
        int r = sync_request(run, "GET", buf_str(&url), NULL, 0, &rep);
        buf_release(&url);
        if (r)
            return r;
        bool done = false;
        if (rep.status == 400 && pc->next[0] && !token_refused) {
            /* the peer no longer takes the saved token: restart from the checkpoint */
            log_notice("sync", "peer=%s refused a saved next token; resuming from the checkpoint",
                       run->peer->name);
            token_refused = true;
            pc->next[0] = '\0';
            pc->base_us = -1;
        } else if (rep.status != 200) {
            r = sync_fail_status(run, "GET objects", &rep);
        } else {
            r = pull_page(run, pc, &coll, &rep, base, &done);
        }
        sync_reply_release(&rep);
        if (r || done)
            return r;
        if (run->o.progress)
            run->o.progress(run->o.progress_ctx, run->peer->name, run->res->pulled,
                            run->res->pushed);
    }
    run->res->caught_up = false; /* the bound of one round: the rest comes next round */
    return 0;
}
