/*
 * Audit log (see audit.h): bounded queue, one writer thread, batched
 * inserts into an append-only table.  Request threads wake the writer only
 * when a batch is ready; otherwise it flushes every FLUSH_MS, so a busy
 * server does not pay a thread wake-up per request.
 */
#include "store/audit.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stix/timestamp.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define QUEUE_MAX 65536
#define BATCH_MAX 4096
#define WAKE_AT 1024          /* wake the writer early only for a full-ish batch */
#define FLUSH_MS 50           /* otherwise it flushes on this period */

struct item {
    int64_t time_us;
    int status;
    char *text[7]; /* user, org, peer, action, resource, object, detail */
};

struct audit_log {
    sqlite3 *db;
    sqlite3_stmt *insert;
    pthread_t writer;
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    struct item *queue;          /* ring */
    size_t head, count;
    bool stopping;
};

static const char *schema =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    " user TEXT, org TEXT, peer TEXT, action TEXT NOT NULL, resource TEXT, object TEXT,"
    " detail TEXT, status INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_by_time ON audit(time);"
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

static void store_item(struct audit_log *a, struct item *it)
{
    sqlite3_stmt *st = a->insert;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, it->time_us);
    for (int i = 0; i < 7; i++) {
        if (it->text[i])
            sqlite3_bind_text(st, 2 + i, it->text[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 2 + i);
    }
    sqlite3_bind_int(st, 9, it->status);
    if (sqlite3_step(st) != SQLITE_DONE)
        log_error("audit", "cannot store an audit entry: %s", sqlite3_errmsg(a->db));
    sqlite3_reset(st);
    for (int i = 0; i < 7; i++)
        free(it->text[i]);
}

/* Take up to BATCH_MAX entries off the queue (lock held by caller). */
static size_t take_batch(struct audit_log *a, struct item *batch)
{
    size_t n = 0;
    while (a->count && n < BATCH_MAX) {
        batch[n++] = a->queue[a->head];
        a->head = (a->head + 1) % QUEUE_MAX;
        a->count--;
    }
    return n;
}

static void *writer(void *p)
{
    struct audit_log *a = p;
    struct item *batch = xmalloc(BATCH_MAX * sizeof(*batch));
    for (;;) {
        pthread_mutex_lock(&a->lock);
        while (a->count < WAKE_AT && !a->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += FLUSH_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&a->not_empty, &a->lock, &until) != 0 && a->count)
                break; /* the period is over: store what is there */
        }
        size_t n = take_batch(a, batch);
        bool done = a->stopping && !a->count && !n;
        pthread_cond_broadcast(&a->not_full);
        pthread_mutex_unlock(&a->lock);
        if (done)
            break;
        sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL);
        for (size_t i = 0; i < n; i++)
            store_item(a, &batch[i]);
        sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
    }
    free(batch);
    return NULL;
}

static int open_db(const char *path, sqlite3 **db, struct error *err)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(*db, 30000) != SQLITE_OK ||
        sqlite3_exec(*db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        error_set(err, ERR_IO, "cannot open audit log '%s': %s", path,
                  *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return ERR_IO;
    }
    return 0;
}

int audit_open(const char *path, struct audit_log **out, struct error *err)
{
    struct audit_log *a = xcalloc(1, sizeof(*a));
    int r = open_db(path, &a->db, err);
    if (r) {
        free(a);
        return r;
    }
    sqlite3_prepare_v2(a->db,
                       "INSERT INTO audit(time, user, org, peer, action, resource, object,"
                       " detail, status) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                       -1, &a->insert, NULL);
    a->queue = xmalloc(QUEUE_MAX * sizeof(*a->queue));
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->not_empty, NULL);
    pthread_cond_init(&a->not_full, NULL);
    pthread_create(&a->writer, NULL, writer, a);
    *out = a;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void audit_record(struct audit_log *a, const struct audit_entry *e)
{
    if (!a)
        return;
    struct item it = {e->time_us ? e->time_us : stix_now_us(), e->status,
                      {dup_or_null(e->user), dup_or_null(e->org), dup_or_null(e->peer),
                       dup_or_null(e->action), dup_or_null(e->resource), dup_or_null(e->object),
                       dup_or_null(e->detail)}};
    pthread_mutex_lock(&a->lock);
    while (a->count == QUEUE_MAX)
        pthread_cond_wait(&a->not_full, &a->lock);
    a->queue[(a->head + a->count) % QUEUE_MAX] = it;
    if (++a->count == WAKE_AT)
        pthread_cond_signal(&a->not_empty);
    pthread_mutex_unlock(&a->lock);
}

void audit_close(struct audit_log *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stopping = true;
    pthread_cond_signal(&a->not_empty);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->writer, NULL);
    sqlite3_finalize(a->insert);
    sqlite3_close(a->db);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->not_empty);
    pthread_cond_destroy(&a->not_full);
    free(a->queue);
    free(a);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int audit_query(const char *path, const struct audit_filter *f,
                int (*fn)(void *, const struct audit_entry *), void *ctx, struct error *err)
{
    sqlite3 *db = NULL;
    int r = open_db(path, &db, err);
    if (r)
        return r;
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT time, user, org, peer, action, resource, object, detail, status"
                       " FROM audit WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR org = ?2)"
                       " AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR object = ?4)"
                       " AND time > ?5 ORDER BY seq LIMIT ?6",
                       -1, &st, NULL);
    bind_opt(st, 1, f->user);
    bind_opt(st, 2, f->org);
    bind_opt(st, 3, f->action);
    bind_opt(st, 4, f->object);
    sqlite3_bind_int64(st, 5, f->since_us);
    sqlite3_bind_int64(st, 6, f->limit > 0 ? f->limit : -1);
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        struct audit_entry e = {
            sqlite3_column_int64(st, 0),          (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
            (const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7),
            sqlite3_column_int(st, 8)};
        r = fn(ctx, &e);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return r;
}
