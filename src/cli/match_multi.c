/*
 * `concord match`: patterns of conformance level 2 and 3 (observation AND,
 * OR, FOLLOWEDBY, qualifiers) span several records.  The bulk index
 * reports records that satisfy one of their brackets (partial hits); each
 * such record becomes one observation (its time, count 1) kept for the
 * indicator, and at the end the reference evaluator decides the whole
 * pattern over them.  At most MATCH_MULTI_OBS_MAX records are kept per
 * indicator: later ones are dropped and the report says so.
 */
#include "cli/match_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/logs.h"
#include "util/xalloc.h"
#include "util/banned.h"

void match_multi_init(struct match_multi *m)
{
    memset(m, 0, sizeof(*m));
    m->by_id = json_object();
}

void match_multi_release(struct match_multi *m)
{
    for (size_t i = 0; i < m->n; i++) {
        pat_free(m->v[i].p);
        free(m->v[i].obs);
        json_decref(m->v[i].owned);
    }
    free(m->v);
    json_decref(m->by_id);
    memset(m, 0, sizeof(*m));
}

static void add_obs(struct match_multi_one *e, const struct pat_record *rec)
{
    json_t *roots = NULL, *by_ref = NULL;
    if (pat_record_observation(rec, &roots, &by_ref) != 0)
        return;
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->obs = xrealloc(e->obs, e->cap * sizeof(*e->obs));
    }
    json_array_append_new(e->owned, roots);
    json_array_append_new(e->owned, by_ref);
    e->obs[e->n++] = (struct pat_obsv){roots, by_ref, rec->time_ns, rec->time_ns, 1};
}

void match_multi_hit(struct match_multi *m, const char *id, const struct pat_record *rec,
                     const char *file)
{
    json_t *at = json_object_get(m->by_id, id);
    if (!at)
        return;
    struct match_multi_one *e = &m->v[json_integer_value(at)];
    /* one observation per record, however many brackets it hits */
    if (e->n && e->last_line == rec->line && e->last_file == file)
        return;
    if (e->n == MATCH_MULTI_OBS_MAX) {
        e->dropped = true;
        return;
    }
    add_obs(e, rec);
    if (e->n == 1 || rec->time_ns < e->first_ns)
        e->first_ns = rec->time_ns;
    if (e->n == 1 || rec->time_ns > e->last_ns)
        e->last_ns = rec->time_ns;
    e->last_line = rec->line;
    e->last_file = file;
}

void match_multi_finish(struct match_multi *m,
                        void (*fn)(void *ctx, const struct match_multi_one *e), void *ctx)
{
    for (size_t i = 0; i < m->n; i++) {
        struct match_multi_one *e = &m->v[i];
        if (!e->n)
            continue;
        struct pat_obsv_set set = {e->obs, e->n, NULL, NULL};
        if (pat_eval(e->p, &set))
            fn(ctx, e);
        if (e->dropped)
            fprintf(stderr, "concord: match: %s: only the first %d records that hit it were kept\n",
                    e->id, MATCH_MULTI_OBS_MAX);
    }
}
