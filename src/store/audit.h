/*
 * The audit log: an append-only record of who read, wrote, deleted or was
 * denied what (object ids, collection ids, status ids; never contents).
 *
 * It lives in its own SQLite file (DIR/audit.db) so auditing never takes
 * the object store's write lock.  Request threads only copy an entry into
 * a bounded in-memory queue; one writer thread stores queued entries in
 * batches (one transaction per batch).  When the queue is full a request
 * waits: entries are never dropped.  UPDATE and DELETE on the table are
 * refused by triggers.
 */
#ifndef CONCORD_STORE_AUDIT_H
#define CONCORD_STORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct audit_log;

struct audit_entry {
    int64_t time_us;       /* 0: now */
    const char *user;      /* may be NULL (unauthenticated) */
    const char *org;       /* may be NULL */
    const char *peer;      /* client address */
    const char *action;    /* read, write, delete, denied, admin */
    const char *resource;  /* collection id, "status/<id>", path... */
    const char *object;    /* object id or NULL */
    const char *detail;    /* short text, e.g. "count=100 first=... last=..." */
    int status;            /* HTTP status, 0 for CLI actions */
};

/* Open (creating) the audit file and start the writer thread. */
int audit_open(const char *path, struct audit_log **out, struct error *err);
/* Queue an entry (strings copied). Thread-safe; waits when the queue is full. */
void audit_record(struct audit_log *a, const struct audit_entry *e);
/* Store everything queued, stop the writer and close. */
void audit_close(struct audit_log *a);

struct audit_filter {
    const char *user, *org, *action, *object;
    int64_t since_us;      /* -1: no bound */
    long limit;            /* 0: all */
};

/* Call fn for matching entries, oldest first (entries' strings borrowed for the call). */
int audit_query(const char *path, const struct audit_filter *f,
                int (*fn)(void *, const struct audit_entry *), void *ctx, struct error *err);

#endif
