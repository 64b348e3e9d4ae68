/*
 * Unit tests for src/coop/ping.c, the challenge state machine:
 * acknowledgement before the deadline stored as a new version, after the
 * deadline refused (ERR_CONFLICT, nothing stored), by another organisation
 * refused (ERR_FORBIDDEN), a second acknowledgement idempotent (first
 * time kept, nothing stored), unknown challenges and organisations, and
 * the round figures (response rate, median, worst).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coop/coop.h"
#include "stix/timestamp.h"

#include "coop_fixture.h"

/* Start a round at t0 to both organisations; p gets its challenges (sg first). */
static void start(struct fx *f, int64_t t0, int64_t deadline_s, struct coop_ping **p, size_t *n,
                  char round[96])
{
    struct error err;
    error_clear(&err);
    assert_int_equal(coop_ping_start(f->s, NULL, 0, deadline_s, t0, round, &err), 0);
    assert_int_equal(coop_ping_list(f->s, round, p, n), 0);
    assert_int_equal(*n, 2);
    if (strcmp((*p)[0].org, "sg-cert")) {
        struct coop_ping t = (*p)[0];
        (*p)[0] = (*p)[1];
        (*p)[1] = t;
    }
}

static void test_ack_in_time(void **state)
{
    struct fx *f = *state;
    struct coop_ping *p;
    size_t n;
    char round[96];
    struct error err;
    int64_t t0 = stix_now_us() / 1000 * 1000, at = 0;
    start(f, t0, 60, &p, &n, round);
    assert_int_equal(p[0].deadline_us, t0 + 60000000);
    error_clear(&err);
    assert_int_equal(coop_ping_ack(f->s, NULL, p[0].id, f->sg.id, t0 + 1500000, &at, &err), 0);
    assert_int_equal(at, t0 + 1500000);
    assert_int_equal(fx_versions(f, p[0].id), 2);
    /* idempotent: the first time stands and nothing new is stored */
    assert_int_equal(coop_ping_ack(f->s, NULL, p[0].id, f->sg.id, t0 + 3000000, &at, &err), 0);
    assert_int_equal(at, t0 + 1500000);
    assert_int_equal(fx_versions(f, p[0].id), 2);
    free(p);
    assert_int_equal(coop_ping_list(f->s, round, &p, &n), 0);
    struct coop_ping_stats st;
    coop_ping_stats(p, n, &st);
    assert_int_equal(st.targets, 2);
    assert_int_equal(st.acked, 1);
    assert_true(st.rate > 0.49 && st.rate < 0.51);
    assert_int_equal(st.median_us, 1500000);
    assert_int_equal(st.worst_us, 1500000);
    free(p);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct coop_ping *p;
    size_t n;
    char round[96];
    struct error err;
    int64_t t0 = stix_now_us() / 1000 * 1000, at = 7;
    start(f, t0, 2, &p, &n, round);
    error_clear(&err);
    /* wrong organisation */
    assert_int_equal(coop_ping_ack(f->s, NULL, p[0].id, f->kh.id, t0 + 1000, &at, &err),
                     ERR_FORBIDDEN);
    assert_int_equal(at, 0);
    /* past the deadline */
    error_clear(&err);
    assert_int_equal(coop_ping_ack(f->s, NULL, p[1].id, f->kh.id, t0 + 2000001, &at, &err),
                     ERR_CONFLICT);
    assert_int_equal(fx_versions(f, p[1].id), 1);
    assert_int_equal(fx_versions(f, p[0].id), 1);
    /* exactly at the deadline is still in time */
    error_clear(&err);
    assert_int_equal(coop_ping_ack(f->s, NULL, p[0].id, f->sg.id, t0 + 2000000, &at, &err), 0);
    /* unknown challenge, not a challenge, unknown organisation */
    error_clear(&err);
    assert_int_equal(coop_ping_ack(f->s, NULL, "x-concord-ping--00000000-0000-4000-8000-"
                                   "000000000000", f->sg.id, t0, &at, &err), ERR_NOT_FOUND);
    error_clear(&err);
    assert_int_equal(coop_ping_ack(f->s, NULL, COOP_POC_EXTENSION, f->sg.id, t0, &at, &err),
                     ERR_NOT_FOUND);
    error_clear(&err);
    assert_int_equal(coop_ping_ack(f->s, NULL, p[0].id, 999, t0, &at, &err), ERR_NOT_FOUND);
    free(p);
}

static void test_start_checks(void **state)
{
    struct fx *f = *state;
    struct error err;
    char round[96];
    const char *orgs[] = {"kh-cert", "nowhere"};
    struct coop_ping *p;
    size_t n;
    error_clear(&err);
    assert_int_equal(coop_ping_start(f->s, orgs, 2, 60, stix_now_us(), round, &err),
                     ERR_NOT_FOUND);
    error_clear(&err);
    assert_int_equal(coop_ping_start(f->s, orgs, 1, 0, stix_now_us(), round, &err),
                     ERR_INVALID);
    assert_int_equal(coop_ping_list(f->s, NULL, &p, &n), 0);
    assert_int_equal(n, 0);
    free(p);
    error_clear(&err);
    assert_int_equal(coop_ping_start(f->s, orgs, 1, 60, stix_now_us(), round, &err), 0);
    assert_int_equal(coop_ping_list(f->s, round, &p, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].org, "kh-cert");
    assert_int_equal(p[0].acked_us, 0);
    free(p);
}

static void test_stats(void **state)
{
    struct coop_ping p[4];
    struct coop_ping_stats st;
    memset(p, 0, sizeof(p));
    int64_t acks[4] = {3000000, 0, 1000000, 2000000};
    for (int i = 0; i < 4; i++) {
        p[i].sent_us = 100;
        p[i].acked_us = acks[i] ? 100 + acks[i] : 0;
    }
    coop_ping_stats(p, 4, &st);
    assert_int_equal(st.acked, 3);
    assert_int_equal(st.median_us, 2000000);
    assert_int_equal(st.worst_us, 3000000);
    coop_ping_stats(p, 1, &st);
    assert_int_equal(st.median_us, 3000000);
    p[1].acked_us = 100 + 4000000;
    coop_ping_stats(p, 4, &st);
    assert_int_equal(st.median_us, 2500000); /* even count: mean of the middle two */
    coop_ping_stats(p, 0, &st);
    assert_int_equal(st.median_us, -1);
    assert_int_equal(st.worst_us, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ack_in_time, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_start_checks, fx_setup, fx_teardown),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
