/*
 * Unit tests for src/coop/poc.c: input checks (role, hours and time zone,
 * unknown organisation) that store nothing, a contact stored as a STIX
 * identity with the extension and its definition, verify making a new
 * version, and list filters (country, role, sector) and the sharing view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coop/coop.h"
#include "stix/timestamp.h"

#include "coop_fixture.h"

static void base_poc(struct coop_poc *p, const char *org, const char *role)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->org, sizeof(p->org), "%s", org);
    snprintf(p->role, sizeof(p->role), "%s", role);
    snprintf(p->name, sizeof(p->name), "Duty Officer");
    snprintf(p->email, sizeof(p->email), "duty@example.org");
    snprintf(p->hours, sizeof(p->hours), "24/7");
    snprintf(p->languages, sizeof(p->languages), "en,km");
}

static void test_hours(void **state)
{
    struct error err;
    const char *good[] = {"24/7", "09:00-17:00 Asia/Singapore", "08:30-16:30 UTC",
                          "00:00-23:59 America/Argentina/Buenos_Aires"};
    const char *bad[] = {"", "always", "9:00-17:00 Asia/Singapore", "09:00-17:00",
                         "09:00-17:00 singapore", "25:00-17:00 Asia/Singapore",
                         "09:00-17:00 Asia/", "09:00-17:00 Asia/Sing apore"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        error_clear(&err);
        assert_int_equal(coop_poc_hours_check(good[i], &err), 0);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        error_clear(&err);
        assert_int_equal(coop_poc_hours_check(bad[i], &err), ERR_INVALID);
    }
    assert_true(coop_poc_role_valid("law-enforcement"));
    assert_false(coop_poc_role_valid("minister"));
    assert_false(coop_poc_role_valid(NULL));
}

static int count_one(void *ctx, const struct coop_poc *p)
{
    (*(int *)ctx)++;
    return 0;
}

static int count(struct fx *f, const struct coop_poc_filter *flt)
{
    struct error err;
    int n = 0;
    error_clear(&err);
    assert_int_equal(coop_poc_list(f->s, flt, count_one, &n, &err), 0);
    return n;
}

static void test_bad_input_stores_nothing(void **state)
{
    struct fx *f = *state;
    struct coop_poc p;
    struct error err;
    char id[96];
    struct coop_poc_filter all = {.everything = true};
    base_poc(&p, "nowhere", "technical");
    error_clear(&err);
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), ERR_NOT_FOUND);
    base_poc(&p, "sg-cert", "chief");
    error_clear(&err);
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), ERR_INVALID);
    base_poc(&p, "sg-cert", "policy");
    snprintf(p.hours, sizeof(p.hours), "09:00-17:00 Singapore");
    error_clear(&err);
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "time zone"));
    assert_int_equal(count(f, &all), 0);
    assert_int_equal(fx_versions(f, COOP_POC_EXTENSION), 0);
}

struct first {
    struct coop_poc p;
    int n;
};

static int keep_first(void *ctx, const struct coop_poc *p)
{
    struct first *fi = ctx;
    if (fi->n++ == 0)
        fi->p = *p;
    return 0;
}

static void test_add_verify(void **state)
{
    struct fx *f = *state;
    struct coop_poc p;
    struct error err;
    char id[96];
    base_poc(&p, "kh-cert", "technical");
    error_clear(&err);
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), 0);
    assert_int_equal(strncmp(id, "identity--", 10), 0);
    assert_int_equal(fx_versions(f, id), 1);
    assert_int_equal(fx_versions(f, COOP_POC_EXTENSION), 1);
    struct coop_poc_filter all = {.everything = true};
    struct first fi = {.n = 0};
    assert_int_equal(coop_poc_list(f->s, &all, keep_first, &fi, &err), 0);
    assert_int_equal(fi.n, 1);
    assert_string_equal(fi.p.org, "kh-cert");
    assert_string_equal(fi.p.country, "KH");
    assert_string_equal(fi.p.languages, "en,km");
    assert_string_equal(fi.p.org_identity, f->kh.identity_id);
    /* verify: a new version, last_verified moves forward */
    error_clear(&err);
    assert_int_equal(coop_poc_verify(f->s, id, stix_now_us() + 5000000, &err), 0);
    assert_int_equal(fx_versions(f, id), 2);
    struct first fi2 = {.n = 0};
    assert_int_equal(coop_poc_list(f->s, &all, keep_first, &fi2, &err), 0);
    assert_true(strcmp(fi2.p.last_verified, fi.p.last_verified) > 0);
    assert_int_equal(coop_poc_verify(f->s, "identity--00000000-0000-4000-8000-000000000000",
                                     stix_now_us(), &err), ERR_NOT_FOUND);
    /* a second contact reuses the stored extension definition */
    base_poc(&p, "sg-cert", "policy");
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), 0);
    assert_int_equal(fx_versions(f, COOP_POC_EXTENSION), 1);
}

static void test_filters(void **state)
{
    struct fx *f = *state;
    struct coop_poc p;
    struct error err;
    char id[96];
    error_clear(&err);
    base_poc(&p, "kh-cert", "technical");
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), 0);
    base_poc(&p, "kh-cert", "policy");
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), 0);
    base_poc(&p, "sg-cert", "policy");
    assert_int_equal(coop_poc_add(f->s, &p, id, &err), 0);
    struct coop_poc_filter flt = {.everything = true};
    assert_int_equal(count(f, &flt), 3);
    flt.country = "KH";
    assert_int_equal(count(f, &flt), 2);
    flt.role = "policy";
    assert_int_equal(count(f, &flt), 1);
    flt.country = NULL;
    assert_int_equal(count(f, &flt), 2);
    flt.sector = "national-cert"; /* the organisation's role counts as its sector */
    assert_int_equal(count(f, &flt), 2);
    flt.sector = "energy";
    assert_int_equal(count(f, &flt), 0);
    /* as an organisation of the node: TLP:GREEN contacts are visible */
    struct coop_poc_filter as = {.as_org = f->sg.id};
    assert_int_equal(count(f, &as), 3);
    flt.sector = NULL;
    flt.role = "minister";
    assert_int_equal(coop_poc_list(f->s, &flt, count_one, &(int){0}, &err), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hours),
        cmocka_unit_test_setup_teardown(test_bad_input_stores_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_add_verify, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_filters, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
