/*
 * Internals shared by the POC directory and the ping tests (poc.c,
 * ping.c, coop_obj.c): storing objects through the normal ingest path and
 * reading the latest visible version of an object.
 */
#ifndef CONCORD_COOP_INT_H
#define CONCORD_COOP_INT_H

#include <jansson.h>

#include "coop/coop.h"
#include "share/context.h"
#include "stix/timestamp.h"

/* The collection POC and ping objects live in (made by `concord init`). */
#define COOP_COLLECTION "directory"

/* Format us as a STIX timestamp with millisecond precision. */
void coop_ts_ms(int64_t us, char out[STIX_TS_MAX]);

/* A version timestamp strictly newer than prev (ms), at now_us when possible. */
void coop_next_version(const char *prev, int64_t now_us, char out[STIX_TS_MAX]);

/*
 * Store the objects of array objs (borrowed) in the directory collection,
 * validated and in one transaction, as any import.  Any invalid object
 * fails the whole call (ERR_INVALID, nothing stored).
 */
int coop_obj_store(struct store *s, json_t *objs, struct error *err);

/*
 * The latest version of object id that reader may see (NULL reader: the
 * node sees all).  Returns 0 and *out (new reference), or ERR_NOT_FOUND.
 */
int coop_obj_latest(struct store *s, struct share_ctx *reader, const char *id, json_t **out);

/*
 * Call fn with the latest visible version of every object of type in the
 * directory collection (obj borrowed for the call).  A non-zero return of
 * fn stops and is returned.
 */
int coop_obj_each(struct store *s, struct share_ctx *reader, const char *type,
                  int (*fn)(void *, json_t *), void *ctx);

/*
 * The organisation that delivered the latest version of object id (0: a
 * write on this node), or ERR_NOT_FOUND.
 */
int coop_obj_origin(struct store *s, const char *id, int64_t *origin);

/* The organisation registered here under STIX identity id (borrowed), or ERR_NOT_FOUND. */
int coop_org_by_identity(struct store *s, const char *identity, struct store_org *out);

/* Microseconds of the STIX timestamp property key of o (borrowed); 0 when absent or bad. */
int64_t coop_ts_us(json_t *o, const char *key);

/* Sort JSON array a in place with cmp, which compares two json_t ** (as qsort). */
void coop_json_sort(json_t *a, int (*cmp)(const void *, const void *));

/* The directory collection's seq, or ERR_NOT_FOUND (err set). */
int coop_dir_coll(struct store *s, int64_t *seq, struct error *err);

#endif
