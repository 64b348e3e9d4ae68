/*
 * Unit tests for src/coop/incident*.c: the status machine (every allowed
 * transition, refusals of the others), a walk through the stored
 * incident (report, acknowledge in the organisation's own note making it
 * the lead, refused changes storing nothing, an uninvolved organisation
 * refused, a request for assistance making the assisted organisation
 * involved), the timeline, list filters, the metrics per incident and per
 * organisation, and the merge alone: independent of the order of the
 * records, deaf to organisations not involved and to records speaking
 * for another organisation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coop/coop_int.h"
#include "coop/incident.h"
#include "coop/incident_int.h"
#include "stix/timestamp.h"

#include "coop_fixture.h"

#define S(x) COOP_INC_##x

static void test_transitions(void **state)
{
    (void)state;
    struct error err;
    /* the full table: allowed pairs, every other pair refused */
    static const unsigned ok[][2] = {
        {S(REPORTED), S(ACKNOWLEDGED)},      {S(REPORTED), S(CLOSED)},
        {S(ACKNOWLEDGED), S(INVESTIGATING)}, {S(ACKNOWLEDGED), S(CONTAINED)},
        {S(ACKNOWLEDGED), S(RESOLVED)},      {S(ACKNOWLEDGED), S(CLOSED)},
        {S(INVESTIGATING), S(CONTAINED)},    {S(INVESTIGATING), S(RESOLVED)},
        {S(CONTAINED), S(INVESTIGATING)},    {S(CONTAINED), S(RESOLVED)},
        {S(RESOLVED), S(INVESTIGATING)},     {S(RESOLVED), S(CLOSED)},
    };
    for (int from = S(REPORTED); from <= S(CLOSED); from++) {
        for (int to = S(ACKNOWLEDGED); to <= S(CLOSED); to++) {
            bool allowed = false;
            for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                allowed |= ok[i][0] == (unsigned)from && ok[i][1] == (unsigned)to;
            error_clear(&err);
            int r = coop_inc_transition((enum coop_inc_status)from, (enum coop_inc_status)to, &err);
            assert_int_equal(r, allowed ? 0 : ERR_CONFLICT);
        }
    }
    error_clear(&err);
    assert_int_equal(coop_inc_transition(S(CLOSED), S(INVESTIGATING), &err), ERR_CONFLICT);
    assert_string_equal(err.msg, "invalid transition from 'closed' to 'investigating'");
    error_clear(&err);
    assert_int_equal(coop_inc_transition(S(ACKNOWLEDGED), S(REPORTED), &err), ERR_INVALID);
    error_clear(&err);
    assert_int_equal(coop_inc_transition(S(ACKNOWLEDGED), S(NONE), &err), ERR_INVALID);
    assert_int_equal(coop_inc_status_parse("contained"), S(CONTAINED));
    assert_int_equal(coop_inc_status_parse("Contained"), S(NONE));
    assert_int_equal(coop_inc_status_parse(NULL), S(NONE));
    assert_string_equal(coop_inc_status_name(S(CLOSED)), "closed");
}

static void report(struct fx *f, int64_t t0, char id[96])
{
    static const char *const cc[] = {"KH"}, *const sec[] = {"energy"};
    struct coop_inc_new in = {"sg-cert",     "Wiper at a power utility", cc, 1, sec, 1, "critical",
                              SHARE_TLP_NONE};
    struct error err;
    error_clear(&err);
    assert_int_equal(coop_incident_report(f->s, &in, t0, id, &err), 0);
}

static json_t *show(struct fx *f, const char *id)
{
    json_t *doc = NULL;
    assert_int_equal(coop_incident_show(f->s, NULL, id, &doc), 0);
    return doc;
}

static const char *sum_str(json_t *doc, const char *key)
{
    return json_string_value(json_object_get(json_object_get(doc, "incident"), key));
}

static double sum_num(json_t *doc, const char *key)
{
    return json_number_value(json_object_get(json_object_get(doc, "incident"), key));
}

/* Versions of org's participation note on incident id. */
static int note_versions(struct fx *f, const char *id, const struct store_org *o)
{
    char nid[96];
    inc_note_id(nid, id, o->identity_id);
    return fx_versions(f, nid);
}

static void set(struct fx *f, const char *id, const char *org, enum coop_inc_status to,
                int64_t at, int want)
{
    struct error err;
    error_clear(&err);
    assert_int_equal(coop_incident_set_status(f->s, NULL, id, org, to, at, &err), want);
}

static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    struct error err;
    char id[96];
    int64_t t0 = stix_now_us() / 1000 * 1000;
    report(f, t0, id);
    assert_int_equal(fx_versions(f, id), 1);
    json_t *doc = show(f, id);
    assert_string_equal(sum_str(doc, "status"), "reported");
    json_decref(doc);

    /* refused: a jump, and an unknown incident; nothing stored */
    set(f, id, "kh-cert", S(RESOLVED), t0 + 1000, ERR_CONFLICT);
    set(f, "incident--00000000-0000-4000-8000-000000000000", "kh-cert", S(ACKNOWLEDGED),
        t0 + 1000, ERR_NOT_FOUND);
    set(f, id, "xx-cert", S(ACKNOWLEDGED), t0 + 1000, ERR_NOT_FOUND);
    assert_int_equal(fx_versions(f, id), 1);
    assert_int_equal(note_versions(f, id, &f->kh), 0);

    /* kh-cert (affected country) acknowledges after 2 s in its own note and becomes the lead */
    set(f, id, "kh-cert", S(ACKNOWLEDGED), t0 + 2000000, 0);
    assert_int_equal(fx_versions(f, id), 1);
    assert_int_equal(note_versions(f, id, &f->kh), 1);
    error_clear(&err);
    assert_int_equal(coop_incident_assist(f->s, NULL, id, "kh-cert", "sg-cert", "data-preservation",
                                          "2030-01-01T00:00:00Z", t0 + 3000000, &err),
                     0);
    error_clear(&err);
    assert_int_equal(coop_incident_assist(f->s, NULL, id, "kh-cert", "sg-cert", "prayer", NULL,
                                          t0 + 3000000, &err),
                     ERR_INVALID);
    set(f, id, "sg-cert", S(CONTAINED), t0 + 4000000, 0); /* the reporter: the incident itself */
    assert_int_equal(fx_versions(f, id), 2);
    set(f, id, "kh-cert", S(RESOLVED), t0 + 10000000, 0);
    set(f, id, "kh-cert", S(CLOSED), t0 + 11000000, 0);
    set(f, id, "kh-cert", S(INVESTIGATING), t0 + 12000000, ERR_CONFLICT);
    assert_int_equal(note_versions(f, id, &f->kh), 4);

    doc = show(f, id);
    assert_string_equal(sum_str(doc, "status"), "closed");
    assert_string_equal(sum_str(doc, "lead"), "kh-cert");
    assert_true(sum_num(doc, "time_to_acknowledge_seconds") == 2.0);
    assert_true(sum_num(doc, "time_to_resolve_seconds") == 10.0);
    json_t *tl = json_object_get(doc, "timeline");
    static const char *const by[] = {"sg-cert", "kh-cert", "kh-cert", "sg-cert", "kh-cert",
                                     "kh-cert"};
    static const char *const st[] = {"reported",  "acknowledged", "acknowledged",
                                     "contained", "resolved",     "closed"};
    assert_int_equal(json_array_size(tl), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *e = json_array_get(tl, i);
        assert_string_equal(json_string_value(json_object_get(e, "by")), by[i]);
        assert_string_equal(json_string_value(json_object_get(e, "status")), st[i]);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "change")),
                        "status acknowledged");
    /* per organisation: kh-cert acknowledged after 2 s, resolved after 10 s */
    json_t *orgs = json_object_get(json_object_get(doc, "incident"), "organizations");
    assert_int_equal(json_array_size(orgs), 2);
    json_t *sg = json_array_get(orgs, 0), *kh = json_array_get(orgs, 1);
    assert_string_equal(json_string_value(json_object_get(sg, "role")), "reporter");
    assert_true(json_is_null(json_object_get(sg, "time_to_acknowledge_seconds")));
    assert_int_equal(json_integer_value(json_object_get(sg, "requests_received")), 1);
    assert_string_equal(json_string_value(json_object_get(kh, "role")), "lead");
    assert_true(json_number_value(json_object_get(kh, "time_to_acknowledge_seconds")) == 2.0);
    assert_true(json_number_value(json_object_get(kh, "time_to_resolve_seconds")) == 10.0);
    json_decref(doc);

    json_t *m = NULL;
    assert_int_equal(coop_incident_org_metrics(f->s, NULL, &m), 0);
    assert_int_equal(json_array_size(m), 2);
    json_t *mk = json_array_get(m, 1);
    assert_string_equal(json_string_value(json_object_get(mk, "organization")), "kh-cert");
    assert_int_equal(json_integer_value(json_object_get(mk, "acknowledged")), 1);
    assert_true(json_number_value(json_object_get(mk, "median_time_to_acknowledge_seconds")) == 2.0);
    json_decref(m);
}

static void test_involvement_and_list(void **state)
{
    struct fx *f = *state;
    struct error err;
    struct store_org vn;
    char a[96], b[96];
    int64_t t0 = stix_now_us() / 1000 * 1000;
    fx_org(f, "vn-cert", "VN", "identity--2a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", &vn);
    report(f, t0, a);
    report(f, t0 + 1000, b);
    /* vn-cert is neither reporter, lead, assisting nor of an affected country */
    set(f, a, "vn-cert", S(ACKNOWLEDGED), t0 + 5000, ERR_FORBIDDEN);
    assert_int_equal(note_versions(f, a, &vn), 0);
    /* asked for assistance, it is involved */
    error_clear(&err);
    assert_int_equal(coop_incident_assist(f->s, NULL, a, "sg-cert", "vn-cert", "takedown", NULL,
                                          t0 + 6000, &err),
                     0);
    set(f, a, "vn-cert", S(ACKNOWLEDGED), t0 + 7000, 0);
    json_t *l = NULL;
    assert_int_equal(coop_incident_list(f->s, NULL, S(NONE), &l), 0);
    assert_int_equal(json_array_size(l), 2);
    json_decref(l);
    assert_int_equal(coop_incident_list(f->s, NULL, S(REPORTED), &l), 0);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "id")), b);
    json_decref(l);
    assert_int_equal(coop_incident_list(f->s, NULL, S(ACKNOWLEDGED), &l), 0);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "lead")),
                        "vn-cert");
    json_decref(l);
}

static void test_answer_and_link(void **state)
{
    struct fx *f = *state;
    struct error err;
    char id[96], nid[96];
    int64_t t0 = stix_now_us() / 1000 * 1000;
    static const char *const good[] = {"indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                                       "vulnerability--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"};
    static const char *const bad[] = {"malware--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"};
    report(f, t0, id);
    error_clear(&err);
    assert_int_equal(coop_incident_assist(f->s, NULL, id, "sg-cert", "kh-cert", "information",
                                          NULL, t0 + 1000, &err),
                     0);
    /* only the target answers, once */
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, NULL, id, "sg-cert", 0, "here", t0 + 2000, &err),
                     ERR_FORBIDDEN);
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, NULL, id, "kh-cert", 1, "here", t0 + 2000, &err),
                     ERR_NOT_FOUND);
    error_clear(&err);
    assert_int_equal(
        coop_incident_answer(f->s, NULL, id, "kh-cert", 0, "logs attached", t0 + 2000, &err), 0);
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, NULL, id, "kh-cert", 0, "again", t0 + 3000, &err),
                     ERR_CONFLICT);
    error_clear(&err);
    assert_int_equal(coop_incident_link(f->s, NULL, id, "kh-cert", bad, 1, t0 + 4000, &err),
                     ERR_INVALID);
    error_clear(&err);
    assert_int_equal(coop_incident_link(f->s, NULL, id, "kh-cert", good, 2, t0 + 4000, &err), 0);
    error_clear(&err);
    assert_int_equal(coop_incident_link(f->s, NULL, id, "kh-cert", good, 1, t0 + 5000, &err), 0);
    assert_int_equal(fx_versions(f, id), 2);
    assert_int_equal(note_versions(f, id, &f->kh), 3);
    /* TLP:AMBER by default, each record with a sharing group made by its owner */
    json_t *doc = show(f, id), *note = NULL;
    json_t *m0 = json_object_get(json_object_get(doc, "object"), "object_marking_refs");
    assert_int_equal(json_array_size(m0), 2);
    assert_string_equal(json_string_value(json_array_get(m0, 0)), share_tlp_id(SHARE_TLP_AMBER));
    inc_note_id(nid, id, f->kh.identity_id);
    assert_int_equal(coop_obj_latest(f->s, NULL, nid, &note), 0);
    assert_string_equal(json_string_value(json_object_get(note, "created_by_ref")),
                        f->kh.identity_id);
    json_t *m1 = json_object_get(note, "object_marking_refs");
    assert_int_equal(json_array_size(m1), 2);
    assert_string_not_equal(json_string_value(json_array_get(m0, 1)),
                            json_string_value(json_array_get(m1, 1)));
    json_decref(note);
    json_t *sum = json_object_get(doc, "incident");
    assert_int_equal(json_array_size(json_object_get(sum, "links")), 2);
    json_t *req = json_array_get(json_object_get(sum, "requests"), 0);
    assert_string_equal(json_string_value(json_object_get(req, "answer")), "logs attached");
    assert_string_equal(json_string_value(json_object_get(req, "to")), "kh-cert");
    json_decref(doc);
}

/* ---- the merge alone: order, and records that must not count ---- */

#define INC_ID "incident--0a0a0a0a-0000-4000-8000-000000000001"
#define REP "identity--00000000-0000-4000-8000-00000000000a"
#define KH "identity--00000000-0000-4000-8000-00000000000b"
#define VN "identity--00000000-0000-4000-8000-00000000000c"
#define XX "identity--00000000-0000-4000-8000-00000000000d"

static bool kh_only(void *ctx, const char *identity, json_t *countries)
{
    (void)ctx;
    (void)countries;
    return !strcmp(identity, KH);
}

static json_t *rec(const char *type, const char *id, const char *owner, const char *ext)
{
    json_error_t jerr;
    json_t *x = json_loads(ext, 0, &jerr);
    assert_non_null(x);
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:o}}", "type", type, "id", id, "created_by_ref",
                     owner, "created", "2026-01-01T00:00:00.000Z", "extensions",
                     COOP_INCIDENT_EXTENSION, x);
}

static json_t *merged_of(json_t *inc, json_t *const *notes, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(a, notes[i]);
    json_t *m = coop_inc_merge(inc, a, kh_only, NULL);
    json_decref(a);
    return m;
}

static void test_merge(void **state)
{
    (void)state;
    json_t *inc = rec("incident", INC_ID, REP,
                      "{\"reporter_ref\": \"" REP "\", \"affected_countries\": [\"KH\"],"
                      " \"status\": \"reported\", \"status_at\": \"2026-01-01T00:00:00.000Z\"}");
    json_t *n[4];
    /* kh: acknowledged at :02, asks vn; vn: answers, investigating at :05 */
    n[0] = rec("note", "note--k", KH,
               "{\"incident_ref\": \"" INC_ID "\", \"status\": \"acknowledged\","
               " \"status_at\": \"2026-01-01T00:00:02.000Z\","
               " \"acknowledged\": \"2026-01-01T00:00:02.000Z\", \"requests\": [{\"kind\":"
               " \"takedown\", \"from_ref\": \"" KH "\", \"to_ref\": \"" VN "\","
               " \"requested\": \"2026-01-01T00:00:03.000Z\"}]}");
    n[1] = rec("note", "note--v", VN,
               "{\"incident_ref\": \"" INC_ID "\", \"status\": \"investigating\","
               " \"status_at\": \"2026-01-01T00:00:05.000Z\", \"answers\": [{\"request\":"
               " \"note--k#0\", \"answer\": \"done\", \"answered\": \"2026-01-01T00:00:06.000Z\"}]}");
    /* xx is not involved: its closing and its answer must not count */
    n[2] = rec("note", "note--x", XX,
               "{\"incident_ref\": \"" INC_ID "\", \"status\": \"closed\","
               " \"status_at\": \"2026-01-01T00:00:09.000Z\", \"answers\": [{\"request\":"
               " \"note--k#0\", \"answer\": \"forged\", \"answered\": \"2026-01-01T00:00:04.000Z\"}]}");
    /* kh's request claiming to come from vn must not count either */
    n[3] = rec("note", "note--k2", KH,
               "{\"incident_ref\": \"" INC_ID "\", \"requests\": [{\"kind\": \"information\","
               " \"from_ref\": \"" VN "\", \"to_ref\": \"" XX "\","
               " \"requested\": \"2026-01-01T00:00:01.000Z\"}]}");
    json_t *rev[4] = {n[3], n[2], n[1], n[0]};
    json_t *m1 = merged_of(inc, n, 4), *m2 = merged_of(inc, rev, 4);
    assert_true(json_equal(json_object_get(m1, "status"), json_object_get(m2, "status")));
    assert_true(json_equal(json_object_get(m1, "requests"), json_object_get(m2, "requests")));
    assert_string_equal(json_string_value(json_object_get(m1, "status")), "investigating");
    assert_string_equal(json_string_value(json_object_get(m1, "lead_ref")), KH);
    json_t *reqs = json_object_get(m1, "requests");
    assert_int_equal(json_array_size(reqs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "answer")),
                        "done");
    assert_int_equal(json_array_size(json_object_get(m1, "assisting_refs")), 1);
    json_decref(m1);
    json_decref(m2);
    for (size_t i = 0; i < 4; i++)
        json_decref(n[i]);
    json_decref(inc);
}

static void test_report_checks(void **state)
{
    struct fx *f = *state;
    struct error err;
    char id[96];
    static const char *const bad_cc[] = {"KHM"};
    struct coop_inc_new in = {"sg-cert", "t", NULL, 0, NULL, 0, "urgent", SHARE_TLP_NONE};
    error_clear(&err);
    assert_int_equal(coop_incident_report(f->s, &in, stix_now_us(), id, &err), ERR_INVALID);
    in.severity = NULL;
    in.countries = bad_cc;
    in.n_countries = 1;
    error_clear(&err);
    assert_int_equal(coop_incident_report(f->s, &in, stix_now_us(), id, &err), ERR_INVALID);
    in.n_countries = 0;
    in.org = "xx-cert";
    error_clear(&err);
    assert_int_equal(coop_incident_report(f->s, &in, stix_now_us(), id, &err), ERR_NOT_FOUND);
    json_t *l = NULL;
    assert_int_equal(coop_incident_list(f->s, NULL, S(NONE), &l), 0);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transitions),
        cmocka_unit_test_setup_teardown(test_lifecycle, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_involvement_and_list, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_answer_and_link, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_report_checks, fx_setup, fx_teardown),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
