/*
 * Cross-border incident coordination (incident.c writes, incident_list.c
 * reads; docs/coop.md "Incident coordination", domain.md §9).  Kept in its
 * own header so the shared coop.h needs no edit; the same conventions apply.
 *
 * Every version is stored by the node on behalf of the organisation that
 * made the change (`changed_by_ref`); `created_by_ref` stays the reporter.
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
 * Organisation org_id moves incident id to status `to` (a new version).
 * reader (borrowed; NULL: the node) decides visibility: ERR_NOT_FOUND
 * when it may not read it; ERR_FORBIDDEN when org is not involved
 * (reporter, lead, assisting or of an affected country); ERR_CONFLICT
 * for a transition not allowed.  Nothing stored on error.
 */
int coop_incident_set_status(struct store *s, struct share_ctx *reader, const char *id,
                             int64_t org_id, enum coop_inc_status to, int64_t now_us,
                             struct error *err);

/*
 * Record a request for assistance (kind information, takedown,
 * mitigation or data-preservation) from organisation `from` to `to`
 * (names), due (STIX timestamp or NULL); `to` becomes an assisting
 * organisation.  A new version; ERR_INVALID / ERR_NOT_FOUND / ERR_CONFLICT
 * (closed incident) with nothing stored.
 */
int coop_incident_assist(struct store *s, const char *id, const char *from, const char *to,
                         const char *kind, const char *due, int64_t now_us, struct error *err);

/*
 * Organisation org (name; the request's target) answers request n
 * (0-based, in the order made) of incident id: a new version with the
 * request's `answer` and `answered` set.  ERR_NOT_FOUND (no such request),
 * ERR_FORBIDDEN (not addressed to org), ERR_CONFLICT (already answered or
 * closed incident), ERR_INVALID (empty answer): nothing stored.
 */
int coop_incident_answer(struct store *s, const char *id, const char *org, size_t n,
                         const char *answer, int64_t now_us, struct error *err);

/*
 * Involved organisation org (name) links objects refs[0..n) (indicator,
 * sighting, observed-data or vulnerability ids; borrowed) to incident id:
 * a new version with them added to `links` (no duplicates).  The linked
 * objects need not be stored here.  ERR_INVALID / ERR_FORBIDDEN /
 * ERR_CONFLICT / ERR_NOT_FOUND with nothing stored.
 */
int coop_incident_link(struct store *s, const char *id, const char *org, const char *const *refs,
                       size_t n, int64_t now_us, struct error *err);

/*
 * Every version of incident id visible to reader (NULL: all), oldest
 * first, as a new JSON array (caller owns).  ERR_NOT_FOUND when none.
 */
int coop_incident_history(struct store *s, struct share_ctx *reader, const char *id,
                          json_t **out);

/*
 * Summaries of the latest version of every incident reader may see
 * (status filter: COOP_INC_NONE for all), by creation time, as a new JSON
 * array (caller owns).  Each summary: id, title, status, severity,
 * reporter, lead, assisting, countries, sectors, created, modified,
 * time_to_acknowledge_seconds, time_to_resolve_seconds (null when not yet),
 * links, requests (kind, from, to, requested, due, answer, answered).
 */
int coop_incident_list(struct store *s, struct share_ctx *reader, enum coop_inc_status status,
                       json_t **out);

/* The summary of one incident version obj (borrowed); new reference. */
json_t *coop_incident_summary(struct store *s, json_t *obj);

/*
 * The timeline of versions (borrowed, oldest first, from
 * coop_incident_history): a new array of {at, by (organisation name),
 * change, status}, one per version.
 */
json_t *coop_incident_timeline(struct store *s, json_t *versions);

/* Time to acknowledge / to resolve of incident version obj in us; -1 when not yet. */
void coop_incident_metrics(json_t *obj, int64_t *ack_us, int64_t *resolve_us);

#endif
