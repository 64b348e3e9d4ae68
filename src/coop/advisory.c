/*
 * Critical-infrastructure advisories: CSAF documents become STIX
 * `vulnerability` objects (csaf.c), and each organisation records how far
 * it got with one (received -> acknowledged -> remediated) as its own
 * `note` on the vulnerability: created_by_ref = the organisation, one
 * deterministic id per (vulnerability, organisation), a new version per
 * state change, so the store keeps the history.  States only move
 * forward; a refused transition stores nothing.
 *
 * Every read here that serves a reader goes through the sharing decision
 * (share_ctx_may_read); the state lookups used to validate a transition
 * read the organisation's own notes only.
 */
#include "coop/coop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/context.h"
#include "stix/timestamp.h"
#include "store/ingest.h"
#include "util/banned.h"

static const char *state_names[] = {"none", "received", "acknowledged", "remediated"};

enum coop_adv_state coop_adv_state_parse(const char *s)
{
    for (int i = COOP_ADV_RECEIVED; s && i <= COOP_ADV_REMEDIATED; i++)
        if (!strcmp(s, state_names[i]))
            return (enum coop_adv_state)i;
    return COOP_ADV_NONE;
}

const char *coop_adv_state_name(enum coop_adv_state st)
{
    return st <= COOP_ADV_REMEDIATED ? state_names[st] : "none";
}

int coop_adv_transition(enum coop_adv_state from, enum coop_adv_state to, struct error *err)
{
    if (to < COOP_ADV_RECEIVED || to > COOP_ADV_REMEDIATED)
        return error_set(err, ERR_INVALID,
                         "unknown state: expected received, acknowledged or remediated");
    if (to <= from)
        return error_set(err, ERR_CONFLICT,
                         "invalid transition '%s' -> '%s': states only move forward "
                         "(received -> acknowledged -> remediated)",
                         coop_adv_state_name(from), coop_adv_state_name(to));
    return 0;
}

/* ---- import ---- */

static int ingest_text(struct store *s, int64_t coll, int64_t origin, const char *json,
                       size_t len, struct store_ingest *ing, struct error *err)
{
    int r = store_ingest_prepare(ing, json, len, err);
    if (!r)
        r = store_ingest_commit(ing, s, coll, NULL, origin, err);
    return r;
}

static void count_items(const struct store_ingest *ing, struct coop_import_result *res,
                        struct error *err)
{
    for (size_t i = 1; i < ing->n; i++) { /* item 0 is the extension definition */
        const struct store_ingest_item *it = &ing->items[i];
        res->vulns++;
        if (it->err.code) {
            if (!res->rejected++)
                error_set_at(err, it->err.code, it->err.path, -1, "%s", it->err.msg);
        } else if (!strcmp(it->message, "already added")) {
            res->existing++;
        } else {
            res->added++;
        }
    }
}

int coop_advisory_import(struct store *s, int64_t coll, const char *text, size_t len,
                         struct coop_import_result *res, struct error *err)
{
    json_t *vulns = NULL;
    memset(res, 0, sizeof(*res));
    int r = coop_csaf_to_stix(text, len, &vulns, err);
    if (r)
        return r;
    json_array_insert_new(vulns, 0, coop_advisory_extension_def());
    json_t *env = json_pack("{s:o}", "objects", vulns);
    char *json = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    struct store_ingest ing;
    r = ingest_text(s, coll, 0, json, strlen(json), &ing, err);
    if (!r)
        count_items(&ing, res, err);
    store_ingest_release(&ing);
    free(json);
    return r;
}

/* ---- per-organisation state ---- */

struct latest {
    json_t *obj;                 /* the latest version's body (owned), NULL none */
};

static int take_latest(void *ctx, const struct store_row *row)
{
    struct latest *l = ctx;
    if (row->peek)
        return 1;
    json_decref(l->obj);
    l->obj = json_loadb(row->body, row->body_len, 0, NULL);
    return 1;
}

static json_t *load_latest(struct store *s, int64_t coll, const char *id)
{
    struct latest l = {NULL};
    const char *ids[1] = {id};
    struct store_query q = {.coll = coll, .added_after_us = -1, .ids = ids, .n_ids = 1,
                            .ver_flags = STORE_VER_LAST};
    bool more = false;
    if (store_obj_query(s, &q, take_latest, &l, &more)) {
        json_decref(l.obj);
        return NULL;
    }
    return l.obj;
}

static void status_note_id(char out[96], const char *vuln_id, const char *org_identity)
{
    char key[512];
    snprintf(key, sizeof(key), "advisory-status|%.200s|%.200s", vuln_id, org_identity);
    coop_det_id(out, "note", key);
}

static enum coop_adv_state state_in(json_t *note)
{
    json_t *ext = json_object_get(json_object_get(note, "extensions"), COOP_ADVISORY_EXTENSION);
    return coop_adv_state_parse(json_string_value(json_object_get(ext, "advisory_state")));
}

enum coop_adv_state coop_advisory_state_of(struct store *s, int64_t coll, const char *vuln_id,
                                           const char *org_identity)
{
    char id[96];
    status_note_id(id, vuln_id, org_identity);
    json_t *note = load_latest(s, coll, id);
    enum coop_adv_state st = note ? state_in(note) : COOP_ADV_NONE;
    json_decref(note);
    return st;
}

static json_t *status_note(const char *id, const char *created, const char *vuln_id,
                           const struct store_org *org, enum coop_adv_state to)
{
    char now[STIX_TS_MAX], content[400];
    stix_ts_format_us(stix_now_us(), now);
    snprintf(content, sizeof(content), "advisory status of %s: %s", org->name,
             coop_adv_state_name(to));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:{s:{s:s, s:s, s:s}}}",
                     "type", "note", "spec_version", "2.1", "id", id, "created",
                     created ? created : now, "modified", now, "created_by_ref",
                     org->identity_id, "content", content, "object_refs", vuln_id,
                     "object_marking_refs", share_tlp_id(SHARE_TLP_GREEN), "extensions",
                     COOP_ADVISORY_EXTENSION, "extension_type", "property-extension",
                     "advisory_state", coop_adv_state_name(to), "organization", org->name);
}

static int store_note(struct store *s, int64_t coll, const struct store_org *org, json_t *note,
                      struct error *err)
{
    json_t *env = json_pack("{s:[o]}", "objects", note);
    char *json = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    struct store_ingest ing;
    int r = ingest_text(s, coll, org->id, json, strlen(json), &ing, err);
    if (!r && ing.n_failed)
        r = error_set(err, ing.items[0].err.code, "%s", ing.items[0].err.msg);
    store_ingest_release(&ing);
    free(json);
    return r;
}

int coop_advisory_set_state(struct store *s, int64_t coll, const char *vuln_id,
                            const struct store_org *org, enum coop_adv_state to,
                            struct error *err)
{
    char id[96];
    json_t *vuln = load_latest(s, coll, vuln_id);
    const char *type = json_string_value(json_object_get(vuln, "type"));
    int r = (!type || strcmp(type, "vulnerability"))
                ? error_set(err, ERR_NOT_FOUND, "no vulnerability '%s'", vuln_id)
                : 0;
    json_decref(vuln);
    if (r)
        return r;
    status_note_id(id, vuln_id, org->identity_id);
    json_t *prev = load_latest(s, coll, id);
    r = coop_adv_transition(prev ? state_in(prev) : COOP_ADV_NONE, to, err);
    if (!r)
        r = store_note(s, coll, org,
                       status_note(id, json_string_value(json_object_get(prev, "created")),
                                   vuln_id, org, to),
                       err);
    json_decref(prev);
    return r;
}
