/*
 * Unit tests for src/coop/incident.c: the status machine (every allowed
 * transition, refusals of the others), a walk through the stored
 * incident (report, acknowledge making the acknowledging organisation the
 * lead, refused changes storing nothing, an uninvolved organisation
 * refused, a request for assistance making the assisted organisation
 * involved), the history and timeline, list filters and the metrics (time
 * to acknowledge and to resolve).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coop/incident.h"
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

static const char *status_of(struct fx *f, const char *id)
{
    static char out[32];
    json_t *h = NULL;
    assert_int_equal(coop_incident_history(f->s, NULL, id, &h), 0);
    json_t *sum = coop_incident_summary(f->s, json_array_get(h, json_array_size(h) - 1));
    snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(sum, "status")));
    json_decref(sum);
    json_decref(h);
    return out;
}

static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    struct error err;
    char id[96];
    int64_t t0 = stix_now_us() / 1000 * 1000;
    report(f, t0, id);
    assert_int_equal(fx_versions(f, id), 1);
    assert_string_equal(status_of(f, id), "reported");

    /* refused: a jump, and an unknown incident; nothing stored */
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, id, f->kh.id, S(RESOLVED), t0 + 1000, &err),
        ERR_CONFLICT);
    error_clear(&err);
    assert_int_equal(coop_incident_set_status(f->s, NULL,
                                              "incident--00000000-0000-4000-8000-"
                                              "000000000000",
                                              f->kh.id, S(ACKNOWLEDGED), t0 + 1000, &err),
                     ERR_NOT_FOUND);
    assert_int_equal(fx_versions(f, id), 1);

    /* kh-cert (affected country) acknowledges after 2 s and becomes the lead */
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, id, f->kh.id, S(ACKNOWLEDGED), t0 + 2000000, &err), 0);
    assert_int_equal(fx_versions(f, id), 2);
    error_clear(&err);
    assert_int_equal(coop_incident_assist(f->s, id, "kh-cert", "sg-cert", "data-preservation",
                                          "2030-01-01T00:00:00Z", t0 + 3000000, &err),
                     0);
    error_clear(&err);
    assert_int_equal(
        coop_incident_assist(f->s, id, "kh-cert", "sg-cert", "prayer", NULL, t0 + 3000000, &err),
        ERR_INVALID);
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, id, f->sg.id, S(CONTAINED), t0 + 4000000, &err), 0);
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, id, f->kh.id, S(RESOLVED), t0 + 10000000, &err), 0);
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, id, f->kh.id, S(CLOSED), t0 + 11000000, &err), 0);
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, id, f->kh.id, S(INVESTIGATING), t0 + 12000000, &err),
        ERR_CONFLICT);
    assert_int_equal(fx_versions(f, id), 6);

    json_t *h = NULL;
    assert_int_equal(coop_incident_history(f->s, NULL, id, &h), 0);
    assert_int_equal(json_array_size(h), 6);
    json_t *last = json_array_get(h, 5);
    int64_t ack, res;
    coop_incident_metrics(last, &ack, &res);
    assert_int_equal(ack, 2000000);
    assert_int_equal(res, 10000000);
    coop_incident_metrics(json_array_get(h, 0), &ack, &res);
    assert_int_equal(ack, -1);
    assert_int_equal(res, -1);
    json_t *sum = coop_incident_summary(f->s, last);
    assert_string_equal(json_string_value(json_object_get(sum, "lead")), "kh-cert");
    assert_string_equal(json_string_value(json_object_get(sum, "status")), "closed");
    json_decref(sum);
    json_t *tl = coop_incident_timeline(f->s, h);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "by")), "kh-cert");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "change")),
                        "status acknowledged");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 3), "by")), "sg-cert");
    json_decref(tl);
    json_decref(h);
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
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, a, vn.id, S(ACKNOWLEDGED), t0 + 5000, &err),
        ERR_FORBIDDEN);
    assert_int_equal(fx_versions(f, a), 1);
    /* asked for assistance, it is involved */
    error_clear(&err);
    assert_int_equal(
        coop_incident_assist(f->s, a, "sg-cert", "vn-cert", "takedown", NULL, t0 + 6000, &err), 0);
    error_clear(&err);
    assert_int_equal(
        coop_incident_set_status(f->s, NULL, a, vn.id, S(ACKNOWLEDGED), t0 + 7000, &err), 0);
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
    char id[96];
    int64_t t0 = stix_now_us() / 1000 * 1000;
    static const char *const good[] = {"indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                                       "vulnerability--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"};
    static const char *const bad[] = {"malware--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"};
    report(f, t0, id);
    error_clear(&err);
    assert_int_equal(
        coop_incident_assist(f->s, id, "sg-cert", "kh-cert", "information", NULL, t0 + 1000, &err),
        0);
    /* only the target answers, once */
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, id, "sg-cert", 0, "here", t0 + 2000, &err),
                     ERR_FORBIDDEN);
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, id, "kh-cert", 1, "here", t0 + 2000, &err),
                     ERR_NOT_FOUND);
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, id, "kh-cert", 0, "logs attached", t0 + 2000, &err),
                     0);
    error_clear(&err);
    assert_int_equal(coop_incident_answer(f->s, id, "kh-cert", 0, "again", t0 + 3000, &err),
                     ERR_CONFLICT);
    error_clear(&err);
    assert_int_equal(coop_incident_link(f->s, id, "kh-cert", bad, 1, t0 + 4000, &err), ERR_INVALID);
    error_clear(&err);
    assert_int_equal(coop_incident_link(f->s, id, "kh-cert", good, 2, t0 + 4000, &err), 0);
    error_clear(&err);
    assert_int_equal(coop_incident_link(f->s, id, "kh-cert", good, 1, t0 + 5000, &err), 0);
    assert_int_equal(fx_versions(f, id), 5);
    json_t *h = NULL;
    assert_int_equal(coop_incident_history(f->s, NULL, id, &h), 0);
    /* TLP:AMBER by default, with the involved organisations' sharing group */
    json_t *m0 = json_object_get(json_array_get(h, 0), "object_marking_refs");
    json_t *m1 = json_object_get(json_array_get(h, 1), "object_marking_refs");
    assert_int_equal(json_array_size(m0), 2);
    assert_string_equal(json_string_value(json_array_get(m0, 0)), share_tlp_id(SHARE_TLP_AMBER));
    assert_non_null(strstr(json_string_value(json_array_get(m0, 1)), "marking-definition--"));
    assert_string_not_equal(json_string_value(json_array_get(m0, 1)),
                            json_string_value(json_array_get(m1, 1))); /* regrouped on assist */
    json_t *sum = coop_incident_summary(f->s, json_array_get(h, json_array_size(h) - 1));
    assert_int_equal(json_array_size(json_object_get(sum, "links")), 2);
    json_t *req = json_array_get(json_object_get(sum, "requests"), 0);
    assert_string_equal(json_string_value(json_object_get(req, "answer")), "logs attached");
    assert_string_equal(json_string_value(json_object_get(req, "to")), "kh-cert");
    json_decref(sum);
    json_decref(h);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
