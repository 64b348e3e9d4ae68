/*
 * Ingest: an envelope (or bundle) of STIX objects becomes stored versions
 * plus a TAXII status resource.  Two steps so a server can validate
 * outside its write lock:
 *   store_ingest_prepare  parse the JSON, split it into the raw text of each
 *                         object, validate each object (no store access);
 *   store_ingest_commit   store every valid object in ONE write transaction.
 * Invalid objects are reported in the status with their reason and do not
 * stop the valid ones; a storage failure rolls the whole envelope back and
 * reports every object as failed, so nothing is half-written.
 */
#ifndef CONCORD_STORE_INGEST_H
#define CONCORD_STORE_INGEST_H

#include <jansson.h>

#include "stix/envelope.h"
#include "stix/validate.h"
#include "store/store.h"
#include "util/json_arena.h"

struct store_ingest_item {
    struct stix_meta meta;   /* valid when err.code == 0 */
    struct error err;        /* why the object failed, if it did */
    const char *message;     /* success message: "added" / "already added" */
    int64_t added_us;        /* date_added once stored */
    int tlp;                 /* what the sharing decision needs (share_marks_of) */
    char *mrefs;             /* heap or NULL */
    bool granular;
};

struct store_ingest {
    struct json_arena arena; /* holds root and everything jansson allocated for it */
    json_t *root;            /* the parsed envelope (in arena) */
    const char *text;        /* the request body (borrowed) */
    struct stix_span *spans; /* raw text of each object (owned) */
    size_t n;                /* objects */
    struct store_ingest_item *items; /* one per object (owned) */
    size_t n_ok, n_failed;
    int64_t request_us;      /* when prepare ran */
    void (*progress)(void *ctx, size_t done, size_t total); /* optional, set after prepare */
    void *progress_ctx;
    /*
     * Optional, set after prepare: called inside the write transaction of
     * store_ingest_commit after the objects are stored and before COMMIT,
     * so the caller's own rows (sync checkpoints, quarantine) commit or roll
     * back with them.  A non-zero return rolls everything back.
     */
    int (*in_txn)(void *ctx, struct store *s);
    void *in_txn_ctx;
    char *status_json;       /* the status resource, after commit (owned); NULL without status */
    size_t status_len;
};

/*
 * Parse and validate text[0..len) (borrowed; must outlive the ingest).
 * Returns 0, or ERR_INVALID (not JSON, not an object, no "objects" list,
 * an element that is not an object) / ERR_TOO_LARGE (too many objects),
 * with err saying why; then nothing is stored.
 */
int store_ingest_prepare(struct store_ingest *ing, const char *text, size_t len,
                         struct error *err);

/*
 * Store the valid objects in collection coll and the status resource
 * (status_id, readable by owner_org; none when status_id is NULL) in one
 * write transaction; the status
 * JSON is left in ing->status_json.  Returns 0, or ERR_DB when the
 * transaction failed (then every object is marked failed, nothing was
 * stored, and the failure status is stored on its own if possible).
 */
int store_ingest_commit(struct store_ingest *ing, struct store *s, int64_t coll,
                        const char *status_id, int64_t owner_org, struct error *err);
/* owner_org is also recorded as each object's origin (0 for a local import). */

void store_ingest_release(struct store_ingest *ing);

#endif
