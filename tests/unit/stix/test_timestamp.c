/*
 * Unit tests for src/stix/timestamp.c: the strict STIX timestamp parser
 * (STIX 2.1 §2.16), nanosecond arithmetic and range, and the formatter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stix/timestamp.h"
#include "util/error.h"

static int parse(const char *s, int64_t *ns, int *frac)
{
    return stix_ts_parse(s, strlen(s), ns, frac);
}

static void test_valid_forms(void **state)
{
    static const char *const ok[] = {
        "2016-01-20T12:31:12Z",
        "2016-01-20T12:31:12.123Z",
        "2016-01-20T12:31:12.1Z",
        "2016-01-20T12:31:12.123456789Z",
        "2016-01-20T12:31:12.1234567891234Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "2016-12-31T23:59:60Z", /* leap second */
        "2016-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z", /* 400-year rule */
    };
    int64_t ns;
    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (parse(ok[i], &ns, NULL) != 0)
            fail_msg("rejected valid timestamp '%s'", ok[i]);
    }
}

static void test_invalid_forms(void **state)
{
    static const char *const bad[] = {
        "",
        "2016-01-20",
        "2016-01-20T12:31:12",       /* no Z */
        "2016-01-20T12:31:12+00:00", /* offsets are not allowed */
        "2016-01-20T12:31:12.000+00:00",
        "2016-01-20t12:31:12Z", /* lowercase t */
        "2016-01-20T12:31:12z", /* lowercase z */
        "2016-01-20 12:31:12Z",
        "2016-01-20T12:31:12.Z", /* dot without digits */
        "2016-01-20T12:31:12.12aZ",
        "2016-13-01T00:00:00Z", /* month 13 */
        "2016-00-01T00:00:00Z",
        "2016-01-00T00:00:00Z",
        "2016-01-32T00:00:00Z",
        "2016-04-31T00:00:00Z", /* April has 30 days */
        "2021-02-29T00:00:00Z", /* not a leap year */
        "1900-02-29T00:00:00Z", /* century, not a leap year */
        "2016-01-20T24:00:00Z",
        "2016-01-20T12:60:00Z",
        "2016-01-20T12:31:61Z",
        "+016-01-20T12:31:12Z",
        "20160-01-20T12:31:12Z",
        "2016-1-20T12:31:12Z",
        "2016-01-20T12:31:12ZZ",
        "2016-01-20T12:31:12Z ",
    };
    int64_t ns;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &ns, NULL) != ERR_INVALID)
            fail_msg("accepted invalid timestamp '%s'", bad[i]);
    }
}

static void test_embedded_nul_and_length(void **state)
{
    int64_t ns;
    (void)state;
    /* Only s[0..len) is read: a prefix of a valid timestamp is not valid. */
    assert_int_equal(stix_ts_parse("2016-01-20T12:31:12Z", 19, &ns, NULL), ERR_INVALID);
    assert_int_equal(stix_ts_parse("2016-01-20T12:31:12.5Z\0", 23, &ns, NULL), ERR_INVALID);
    assert_int_equal(stix_ts_parse(NULL, 0, &ns, NULL), ERR_INVALID);
}

static void test_nanoseconds(void **state)
{
    int64_t ns;
    int frac = -1;
    (void)state;
    assert_int_equal(parse("1970-01-01T00:00:00Z", &ns, &frac), 0);
    assert_int_equal(ns, 0);
    assert_int_equal(frac, 0);
    assert_int_equal(parse("1970-01-01T00:00:01.5Z", &ns, &frac), 0);
    assert_int_equal(ns, 1500000000LL);
    assert_int_equal(frac, 1);
    assert_int_equal(parse("2016-01-20T12:31:12.123Z", &ns, &frac), 0);
    assert_int_equal(ns, 1453293072123000000LL);
    assert_int_equal(frac, 3);
    assert_int_equal(parse("1969-12-31T23:59:59.999999999Z", &ns, NULL), 0);
    assert_int_equal(ns, -1);
    /* digits beyond nanoseconds are truncated, but counted */
    assert_int_equal(parse("1970-01-01T00:00:00.0000000019Z", &ns, &frac), 0);
    assert_int_equal(ns, 1);
    assert_int_equal(frac, 10);
}

static void test_precision_equality(void **state)
{
    int64_t a, b;
    (void)state;
    /* §1.3 of the domain brief: compare numerically, not as strings */
    assert_int_equal(parse("2016-01-20T12:31:12.1Z", &a, NULL), 0);
    assert_int_equal(parse("2016-01-20T12:31:12.100Z", &b, NULL), 0);
    assert_int_equal(a, b);
    assert_int_equal(parse("2016-01-20T12:31:12.100000000Z", &b, NULL), 0);
    assert_int_equal(a, b);
    assert_int_equal(parse("2016-01-20T12:31:12Z", &b, NULL), 0);
    assert_true(b < a);
}

static void test_leap_day_and_second(void **state)
{
    int64_t feb29, mar1, leap, next;
    (void)state;
    assert_int_equal(parse("2016-02-29T00:00:00Z", &feb29, NULL), 0);
    assert_int_equal(parse("2016-03-01T00:00:00Z", &mar1, NULL), 0);
    assert_int_equal(mar1 - feb29, 86400LL * 1000000000LL);
    /* a leap second counts as the first second of the next minute */
    assert_int_equal(parse("2016-12-31T23:59:60Z", &leap, NULL), 0);
    assert_int_equal(parse("2017-01-01T00:00:00Z", &next, NULL), 0);
    assert_int_equal(leap, next);
}

static void test_range_clamp(void **state)
{
    struct stix_ts a, b;
    int64_t ns;
    (void)state;
    assert_int_equal(parse("9999-12-31T23:59:59Z", &ns, NULL), 0);
    assert_int_equal(ns, INT64_MAX);
    assert_int_equal(parse("0001-01-01T00:00:00Z", &ns, NULL), 0);
    assert_int_equal(ns, INT64_MIN);
    assert_int_equal(parse("2262-04-11T23:47:16.854775807Z", &ns, NULL), 0);
    assert_int_equal(ns, INT64_MAX); /* the largest exact value */
    assert_int_equal(parse("1677-09-21T00:12:43.145224192Z", &ns, NULL), 0);
    assert_int_equal(ns, INT64_MIN); /* the smallest exact value */
    assert_int_equal(stix_ts_parse_full("1677-09-21T00:12:43.145224192Z", 30, &a), 0);
    assert_true(stix_ts_to_ns(&a, &ns));
    assert_int_equal(stix_ts_parse_full("1677-09-21T00:12:43.145224191Z", 30, &a), 0);
    assert_false(stix_ts_to_ns(&a, &ns));
    /* the full form still orders timestamps outside the int64 range */
    assert_int_equal(stix_ts_parse_full("9999-12-31T23:59:59Z", 20, &a), 0);
    assert_int_equal(stix_ts_parse_full("9999-12-31T23:59:58Z", 20, &b), 0);
    assert_true(stix_ts_cmp(&b, &a) < 0);
    assert_true(stix_ts_cmp(&a, &b) > 0);
    assert_int_equal(stix_ts_cmp(&a, &a), 0);
}

static void test_format(void **state)
{
    char out[STIX_TS_MAX];
    int64_t ns;
    (void)state;
    stix_ts_format_us(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
    stix_ts_format_us(1453293072123456LL, out);
    assert_string_equal(out, "2016-01-20T12:31:12.123456Z");
    stix_ts_format_us(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
    stix_ts_format_us(951782400000000LL, out); /* leap day 2000 */
    assert_string_equal(out, "2000-02-29T00:00:00.000000Z");
    /* round trip */
    assert_int_equal(parse(out, &ns, NULL), 0);
    assert_int_equal(ns, 951782400000000000LL);
    stix_ts_format_us(INT64_MAX, out);
    assert_true(strlen(out) < STIX_TS_MAX);
    stix_ts_format_us(INT64_MIN, out);
    assert_true(strlen(out) < STIX_TS_MAX);
}

static void test_now(void **state)
{
    int64_t a = stix_now_us(), b = stix_now_us();
    char out[STIX_TS_MAX];
    int64_t ns;
    (void)state;
    assert_true(a > 1600000000LL * 1000000); /* after September 2020 */
    assert_true(b >= a);
    stix_ts_format_us(a, out);
    assert_int_equal(parse(out, &ns, NULL), 0);
    assert_int_equal(ns / 1000, a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_forms),
        cmocka_unit_test(test_invalid_forms),
        cmocka_unit_test(test_embedded_nul_and_length),
        cmocka_unit_test(test_nanoseconds),
        cmocka_unit_test(test_precision_equality),
        cmocka_unit_test(test_leap_day_and_second),
        cmocka_unit_test(test_range_clamp),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
