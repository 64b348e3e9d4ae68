/*
 * Cooperation workflows (architecture.md, coop/): state machines over
 * STIX objects.  Each workflow has its own file; this header declares
 * them all (additive edits only: several people extend it).
 */
#ifndef CONCORD_COOP_COOP_H
#define CONCORD_COOP_COOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/error.h"

/* ---- critical-infrastructure advisories (advisory.c, csaf.c) ---- */

/* Concord's advisory property extension on `vulnerability` and on status `note`s. */
#define COOP_ADVISORY_EXTENSION "extension-definition--6a1d2c3e-4b5f-4a7e-8c9d-0e1f2a3b4c5d"

enum coop_adv_state {
    COOP_ADV_NONE = 0,
    COOP_ADV_RECEIVED = 1,
    COOP_ADV_ACKNOWLEDGED = 2,
    COOP_ADV_REMEDIATED = 3
};

/* "received" -> COOP_ADV_RECEIVED ...; COOP_ADV_NONE for anything else (s may be NULL). */
enum coop_adv_state coop_adv_state_parse(const char *s);
const char *coop_adv_state_name(enum coop_adv_state st);
/*
 * May an organisation whose state is `from` move to `to`?  Only forward
 * (received -> acknowledged -> remediated; steps may be skipped).
 * Returns 0 or ERR_CONFLICT / ERR_INVALID with err saying why.
 */
int coop_adv_transition(enum coop_adv_state from, enum coop_adv_state to, struct error *err);

/*
 * Map one CSAF 2.0 document (text[0..len), borrowed) to STIX 2.1
 * `vulnerability` objects, one per vulnerabilities[] entry, with
 * deterministic ids.  Returns 0 and *out (a new JSON array, caller owns),
 * or ERR_INVALID with err naming the problem ("document.tracking.id
 * missing"); then *out is NULL.
 */
int coop_csaf_to_stix(const char *text, size_t len, json_t **out, struct error *err);

/* The extension-definition object shipped with Concord (new reference, caller owns). */
json_t *coop_advisory_extension_def(void);

/* A deterministic STIX id "<type>--<uuid>" from a name (UUIDv5-like, BLAKE2b). */
void coop_det_id(char out[96], const char *type, const char *name);

struct coop_import_result {
    size_t vulns, added, existing, rejected;
};

/*
 * Store the vulnerabilities of one CSAF document in collection coll (one
 * transaction, with the extension definition when first needed).  On a
 * malformed document nothing is stored: ERR_INVALID with err.
 */
int coop_advisory_import(struct store *s, int64_t coll, const char *text, size_t len,
                         struct coop_import_result *res, struct error *err);

/*
 * Record organisation org's state for vulnerability vuln_id (stored in
 * collection coll): a new version of that organisation's status note.
 * ERR_NOT_FOUND (no such vulnerability), ERR_CONFLICT (not a forward
 * transition) or ERR_INVALID (unknown state); nothing stored then.
 */
int coop_advisory_set_state(struct store *s, int64_t coll, const char *vuln_id,
                            const struct store_org *org, enum coop_adv_state to,
                            struct error *err);

/* The latest state of org on vuln_id in coll (COOP_ADV_NONE when none). */
enum coop_adv_state coop_advisory_state_of(struct store *s, int64_t coll, const char *vuln_id,
                                           const char *org_identity);

/* ---- points-of-contact directory (poc.c) ---- */

/* Concord's contact property extension on `identity` (identity_class individual). */
#define COOP_POC_EXTENSION "extension-definition--9b7e4c21-5d3a-4f6e-8a1b-c2d3e4f5a6b7"

/*
 * One point of contact, flattened from its STIX identity.  Strings are
 * plain copies ("" when absent); languages are comma-joined.
 */
struct coop_poc {
    char id[96];                 /* identity--UUID of the contact */
    char org[LIMIT_NAME];        /* organisation short name (store) */
    char org_identity[96];       /* the organisation's identity id (created_by_ref) */
    char country[8];             /* the organisation's country, "" unknown */
    char role[32];               /* policy, technical, law-enforcement, defence */
    char name[LIMIT_NAME];
    char email[LIMIT_NAME];
    char phone[64];
    char messenger[LIMIT_NAME];
    char pgp[128];
    char hours[128];             /* "24/7" or "HH:MM-HH:MM Area/City" */
    char languages[128];
    char last_verified[40];      /* STIX timestamp */
    char modified[40];           /* version of this record */
};

/* Is role one of the four POC roles? */
bool coop_poc_role_valid(const char *role);
/* Check an hours value; 0 or ERR_INVALID with err. */
int coop_poc_hours_check(const char *hours, struct error *err);

/*
 * Store a new contact for organisation in->org (fields of in borrowed;
 * id, org_identity, country, last_verified, modified are filled here) in
 * the directory collection, with the extension definition when first
 * needed; id_out gets the new identity id.  ERR_NOT_FOUND (unknown
 * organisation) / ERR_INVALID (role, hours, name): nothing stored.
 */
int coop_poc_add(struct store *s, const struct coop_poc *in, char id_out[96], struct error *err);
/* Store a new version of contact id with last_verified = now_us. ERR_NOT_FOUND when none. */
int coop_poc_verify(struct store *s, const char *id, int64_t now_us, struct error *err);

struct coop_poc_filter {
    const char *country;         /* NULL: any */
    const char *role;
    const char *sector;          /* the organisation's identity `sectors` or its store role */
    int64_t as_org;              /* reader organisation (store id); 0 with everything */
    bool everything;             /* the node operator: no sharing filter */
};

/* Call fn for the latest visible version of each contact (fn's record borrowed). */
int coop_poc_list(struct store *s, const struct coop_poc_filter *f,
                  int (*fn)(void *, const struct coop_poc *), void *ctx, struct error *err);

/* ---- reachability tests (ping.c) ---- */

/*
 * One challenge (an `x-concord-ping` object) flattened.  A round is the
 * set of challenges sharing a round id; the acknowledgement is a new
 * version of the challenge with `acknowledged` set.
 */
struct coop_ping {
    char id[96];                 /* x-concord-ping--UUID */
    char round[96];              /* x-concord-ping-round--UUID (a label, no object) */
    char org[LIMIT_NAME];        /* target organisation short name */
    char org_identity[96];       /* target_ref */
    int64_t sent_us;             /* created */
    int64_t deadline_us;
    int64_t acked_us;            /* 0: not acknowledged */
};

/*
 * Start a round: one challenge per organisation in orgs (names; n == 0:
 * every organisation), deadline_s after now_us, all in one transaction.
 * round_out gets the round id.  ERR_NOT_FOUND names an unknown organisation
 * (nothing stored), ERR_INVALID a deadline <= 0.
 */
int coop_ping_start(struct store *s, const char *const *orgs, size_t n, int64_t deadline_s,
                    int64_t now_us, char round_out[96], struct error *err);

/*
 * Organisation org_id acknowledges challenge id at now_us.  reader: the
 * sharing decision of that organisation (NULL: the node), so a challenge it
 * may not read is ERR_NOT_FOUND.  ERR_FORBIDDEN: not the challenged
 * organisation; ERR_CONFLICT: past the deadline (nothing stored).  A second
 * acknowledgement is idempotent: 0, nothing stored, the first time kept.
 * *acked_us (may be NULL) gets the acknowledgement time in force.
 */
struct share_ctx;
int coop_ping_ack(struct store *s, struct share_ctx *reader, const char *id, int64_t org_id,
                  int64_t now_us, int64_t *acked_us, struct error *err);

/* Every challenge (latest version) of round (NULL: all rounds), by send time. */
int coop_ping_list(struct store *s, const char *round, struct coop_ping **out, size_t *n);

struct coop_ping_stats {
    size_t targets, acked;
    double rate;                 /* acked / targets (0 when no targets) */
    int64_t median_us, worst_us; /* of acknowledged ones; -1 when none */
};

/* Figures over p[0..n) (one round). */
void coop_ping_stats(const struct coop_ping *p, size_t n, struct coop_ping_stats *out);

struct share_ctx;

/* Filters of coop_advisory_list; NULL members: no filter. */
struct coop_adv_filter {
    const char *sector;          /* a word of the sector vocabulary, e.g. "energy" */
    const char *country;         /* ISO 3166-1 alpha-2, e.g. "FR" */
    bool open_only;              /* only advisories still open (see docs/coop.md) */
};

/*
 * The advisories (vulnerabilities with the advisory extension, latest
 * versions) of collection coll that share (borrowed; NULL: the node
 * operator, everything) may read, as a new JSON array (caller owns) of
 * summaries with per-organisation states.  Returns 0 or ERR_DB.
 */
int coop_advisory_list(struct store *s, int64_t coll, struct share_ctx *share,
                       const struct coop_adv_filter *f, json_t **out);

#endif
