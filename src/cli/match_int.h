/*
 * Internals of `concord match` shared by its files: cmd_match.c (options,
 * the read loop, output), match_load.c (indicators from a file or a data
 * directory into the bulk index), match_multi.c (patterns that span several
 * records), match_sight.c (STIX sightings, written and POSTed).
 */
#ifndef CONCORD_CLI_MATCH_INT_H
#define CONCORD_CLI_MATCH_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "pattern/eval.h"
#include "pattern/index.h"
#include "pattern/pattern.h"
#include "pattern/record.h"

/* Patterns of conformance level 2/3: decided over the records that hit their brackets. */
struct match_multi {
    json_t *by_id;     /* indicator id -> index into v */
    struct match_multi_one {
        char id[PAT_INDICATOR_ID_LEN + 1];
        struct pattern *p;           /* owned */
        struct pat_obsv *obs;        /* observations of the records that hit a bracket */
        json_t *owned;               /* array holding their roots/by_ref */
        size_t n, cap;
        long last_line;              /* last record that hit (for the report) */
        const char *last_file;       /* borrowed from argv */
        int64_t first_ns, last_ns;
        bool dropped;                /* more records hit than MATCH_MULTI_OBS_MAX */
    } *v;
    size_t n, cap;
};

#define MATCH_MULTI_OBS_MAX 10000 /* records kept per multi-record pattern */

/* What the loader found. */
struct match_load_stats {
    size_t objects;      /* objects read */
    size_t indicators;   /* STIX-pattern indicators given to the index */
    size_t other_types;  /* indicators in other pattern languages (skipped) */
    size_t invalid;      /* patterns that do not parse (skipped, counted) */
    size_t hidden;       /* -D --as ORG: indicators ORG may not read */
};

/*
 * Add the indicators of a STIX bundle, TAXII envelope, JSON array of
 * objects or array of bundles in file `path` to b (and multi-record
 * patterns to m).  Returns 0, or -1 with the reason printed.
 */
int match_load_file(const char *path, struct pat_index_builder *b, struct match_multi *m,
                    struct match_load_stats *st);
/* The same from every collection of data directory dir, as org `as` may read it (NULL: all). */
int match_load_dir(const char *dir, const char *as, struct pat_index_builder *b,
                   struct match_multi *m, struct match_load_stats *st);

void match_multi_init(struct match_multi *m);
void match_multi_release(struct match_multi *m);
/* Record rec (of file, at its line) as hitting a bracket of indicator id. */
void match_multi_hit(struct match_multi *m, const char *id, const struct pat_record *rec,
                     const char *file);
/* For each multi-record pattern that matches what it saw: fn(ctx, entry). */
void match_multi_finish(struct match_multi *m,
                        void (*fn)(void *ctx, const struct match_multi_one *e), void *ctx);

/* Sightings: one per matched indicator, counted, with first/last seen. */
struct match_sight;
struct match_sight *match_sight_new(void);
void match_sight_free(struct match_sight *s);
void match_sight_add(struct match_sight *s, const char *indicator, int64_t first_ns,
                     int64_t last_ns, long count);
size_t match_sight_count(const struct match_sight *s);
/*
 * The sightings as a STIX 2.1 bundle, or a TAXII envelope when envelope
 * (heap JSON text): created_by_ref and where_sighted_refs name identity
 * (an identity object for it is added when make_identity), marked with
 * TLP marking id tlp_ref (NULL: unmarked).
 */
char *match_sight_bundle(const struct match_sight *s, const char *identity, bool make_identity,
                         const char *tlp_ref, bool envelope, size_t *len);

#endif
