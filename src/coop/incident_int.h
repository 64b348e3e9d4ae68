/*
 * Internals shared by incident.c (writes), incident_view.c (records and
 * their merge) and incident_list.c (reads).
 *
 * An incident is kept as *records*, each versioned only by the
 * organisation that owns it, so that every node of a federation accepts
 * every version (STIX 2.1 §3.5: only the creator versions an object) and
 * federation's no-echo rule never holds one back:
 *   - the `incident` itself, owned by the reporter: title, countries,
 *     sectors, severity, and the reporter's own part;
 *   - one participation `note` per other organisation taking part, with a
 *     deterministic id per (incident, organisation), `object_refs` naming
 *     the incident: that organisation's part.
 * A part is: the status it last set (`status`, `status_at`), the first
 * time it acknowledged and resolved, its links, its requests for
 * assistance and its answers to requests addressed to it.  The merged
 * view (incident_view.c) is what everyone sees: the status set last, the
 * lead (first organisation other than the reporter to acknowledge), the
 * union of requests, answers and links.
 */
#ifndef CONCORD_COOP_INCIDENT_INT_H
#define CONCORD_COOP_INCIDENT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "coop/incident.h"

/* The coordination extension of an incident or participation note (borrowed), or NULL. */
#define INC_EXT_OF(o) json_object_get(json_object_get((o), "extensions"), COOP_INCIDENT_EXTENSION)

/* The records of one incident visible to a reader, and their merge. */
struct inc_view {
    json_t *incident; /* latest version of the incident (owned) */
    json_t *notes;    /* latest participation notes that count, array (owned) */
    json_t *merged;   /* object (owned): see coop_inc_merge */
};

/*
 * Is the organisation with STIX identity `identity` one of those whose
 * country is in `countries` (a JSON array of ISO codes, borrowed)?  The
 * merge asks the node, which knows the organisations' countries.
 */
typedef bool (*inc_country_fn)(void *ctx, const char *identity, json_t *countries);

/*
 * Merge the reporter's incident (borrowed) with participation notes
 * (array, borrowed; notes of organisations not involved are dropped from
 * it).  A new object:
 *   status, status_at     the status set last, and when
 *   lead_ref, acknowledged the first organisation other than the reporter
 *                          to acknowledge, and when (absent when none)
 *   resolved               the first time any organisation resolved it
 *   assisting_refs         organisations asked for assistance, in order
 *   links                  the union of every part's links
 *   requests               every request, by time, each with its `key`
 *                          ("<record id>#<n>") and, once answered by its
 *                          target, `answer` and `answered`
 *   parts                  one per record: org_ref, acknowledged,
 *                          resolved (when set)
 */
json_t *coop_inc_merge(json_t *incident, json_t *notes, inc_country_fn country, void *ctx);

/*
 * Load incident id as reader (NULL: the node operator) may see it, with
 * its participation notes, merged.  ERR_NOT_FOUND with err when there is
 * no such incident visible.  Release with inc_view_release.
 */
int inc_view_load(struct store *s, struct share_ctx *reader, const char *id, struct inc_view *v,
                  struct error *err);
void inc_view_release(struct inc_view *v);

/* The deterministic id of organisation identity's participation note on incident id. */
void inc_note_id(char out[96], const char *incident_id, const char *identity);

/* Every latest participation note visible to reader, by incident id: a new object of arrays. */
int inc_notes_by_incident(struct store *s, struct share_ctx *reader, json_t **out);

/* The node's inc_country_fn: ctx is the store. */
bool inc_country_of(void *ctx, const char *identity, json_t *countries);


#endif
