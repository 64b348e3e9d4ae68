/*
 * Cross-border incident coordination (incident.c writes, incident_list.c
 * reads; docs/coop.md "Incident coordination", domain.md §9).  Kept in its
 * own header so the shared coop.h needs no edit; the same conventions apply.
 *
 * Each organisation versions only its own record: the reporter the
 * `incident`, every other organisation taking part its participation
 * `note` (incident_int.h), so changes federate like any other object.
 * Organisations are named by their short names; reader (borrowed; NULL:
 * the node operator, who sees everything) decides what may be seen.
 */
#ifndef CONCORD_COOP_INCIDENT_H
#define CONCORD_COOP_INCIDENT_H

#include <jansson.h>
#include <stdint.h>

#include "share/share.h"
#include "store/store.h"
#include "util/error.h"

struct share_ctx;

/* Concord's coordination property extension on `incident`. */
#define COOP_INCIDENT_EXTENSION "extension-definition--4e2a9c17-8b3d-4c5f-9a6e-7d1b2c3e4f50"

enum coop_inc_status {
    COOP_INC_NONE = 0,
    COOP_INC_REPORTED,
    COOP_INC_ACKNOWLEDGED,
    COOP_INC_INVESTIGATING,
    COOP_INC_CONTAINED,
    COOP_INC_RESOLVED,
    COOP_INC_CLOSED
};

/* "reported" -> COOP_INC_REPORTED ...; COOP_INC_NONE otherwise (s may be NULL). */
enum coop_inc_status coop_inc_status_parse(const char *s);
const char *coop_inc_status_name(enum coop_inc_status st);
/* Is from -> to allowed (table in incident.c)?  0, or ERR_INVALID / ERR_CONFLICT with err. */
int coop_inc_transition(enum coop_inc_status from, enum coop_inc_status to, struct error *err);

struct coop_inc_new {
    const char *org;             /* reporting organisation (short name) */
    const char *title;
    const char *const *countries; /* ISO 3166-1 alpha-2 */
    size_t n_countries;
    const char *const *sectors;
    size_t n_sectors;
    const char *severity;        /* low, medium, high, critical; NULL: medium */
    enum share_tlp tlp;          /* CLEAR, GREEN or AMBER; SHARE_TLP_NONE: AMBER (docs/coop.md) */
};

/*
 * Store a new incident (status reported) with the extension definition
 * when first needed; id_out gets its id.  ERR_NOT_FOUND (organisation),
 * ERR_INVALID (title, severity, country): nothing stored.  Fields borrowed.
 */
int coop_incident_report(struct store *s, const struct coop_inc_new *in, int64_t now_us,
                         char id_out[96], struct error *err);

/*
 * Organisation org moves incident id to status `to` (a new version of its
 * record).  ERR_NOT_FOUND when reader may not read the incident (or no
 * such organisation); ERR_FORBIDDEN when org is not involved (reporter,
 * lead, assisting or of an affected country); ERR_CONFLICT for a
 * transition not allowed from the merged status.  Nothing stored on error.
 */
int coop_incident_set_status(struct store *s, struct share_ctx *reader, const char *id,
                             const char *org, enum coop_inc_status to, int64_t now_us,
                             struct error *err);

/*
 * Record a request for assistance (kind information, takedown,
 * mitigation or data-preservation) from organisation `from` to `to`, due
 * (STIX timestamp or NULL); `to` becomes an assisting organisation.
 * ERR_INVALID / ERR_NOT_FOUND / ERR_FORBIDDEN / ERR_CONFLICT (closed
 * incident) with nothing stored.
 */
int coop_incident_assist(struct store *s, struct share_ctx *reader, const char *id,
                         const char *from, const char *to, const char *kind, const char *due,
                         int64_t now_us, struct error *err);

/*
 * Organisation org (the request's target) answers request n (0-based, in
 * the order of the merged view: by request time) of incident id.
 * ERR_NOT_FOUND (no such request), ERR_FORBIDDEN (not addressed to org),
 * ERR_CONFLICT (already answered or closed incident), ERR_INVALID (empty
 * answer): nothing stored.
 */
int coop_incident_answer(struct store *s, struct share_ctx *reader, const char *id,
                         const char *org, size_t n, const char *answer, int64_t now_us,
                         struct error *err);

/*
 * Involved organisation org links objects refs[0..n) (indicator,
 * sighting, observed-data or vulnerability ids; borrowed) to incident id.
 * The linked objects need not be stored here.  ERR_INVALID /
 * ERR_FORBIDDEN / ERR_CONFLICT / ERR_NOT_FOUND with nothing stored.
 */
int coop_incident_link(struct store *s, struct share_ctx *reader, const char *id, const char *org,
                       const char *const *refs, size_t n, int64_t now_us, struct error *err);

/*
 * Summaries of every incident reader may see (status filter:
 * COOP_INC_NONE for all), by creation time, as a new JSON array (caller
 * owns).  Each summary: id, title, status, severity, reporter, lead,
 * assisting, countries, sectors, created, modified (of the latest
 * record), time_to_acknowledge_seconds, time_to_resolve_seconds (null
 * when not yet), links, requests (kind, from, to, requested, due, answer,
 * answered), organizations (per organisation taking part: name, role,
 * time_to_acknowledge_seconds, time_to_resolve_seconds, requests_received,
 * requests_answered).
 */
int coop_incident_list(struct store *s, struct share_ctx *reader, enum coop_inc_status status,
                       json_t **out);

/*
 * One incident as reader sees it: a new object {incident (summary as
 * above), timeline (one entry per version of every record, oldest first:
 * at, by, change, status after it), object (the latest incident
 * version)}.  ERR_NOT_FOUND when reader may not see it.
 */
int coop_incident_show(struct store *s, struct share_ctx *reader, const char *id, json_t **out);

/*
 * The metrics per organisation over every incident reader may see: a new
 * array, one object per organisation taking part in any: organization,
 * incidents, acknowledged, median_time_to_acknowledge_seconds,
 * worst_time_to_acknowledge_seconds, resolved, median_time_to_resolve_seconds,
 * requests_received, requests_answered (medians null when none).
 */
int coop_incident_org_metrics(struct store *s, struct share_ctx *reader, json_t **out);

/*
 * Keep the sharing groups of the AMBER incidents reported on this node
 * (latest version written here, not received from a peer) in step with
 * the requests for assistance in every organisation's record: when an
 * organisation asked for assistance is missing from the incident's group,
 * the incident gets a new version by its reporter with a new group, so
 * the organisation asked can read the incident it is asked about.  id
 * names one incident, NULL all.  Runs after each request for assistance
 * and after each federation round.  Returns the number of incidents
 * regrouped, or a negative ERR_* with err.
 */
int coop_incident_reconcile(struct store *s, const char *id, int64_t now_us, struct error *err);

#endif
