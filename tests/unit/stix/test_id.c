/*
 * Unit tests for src/stix/id.c: type names (STIX 2.1 §3.1), UUIDs and
 * identifiers (§2.9), the FNV-1a id hash and random v4 UUIDs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "stix/id.h"
#include "util/error.h"

static bool type_ok(const char *t)
{
    return stix_type_name_valid(t, strlen(t));
}

static void test_type_names(void **state)
{
    char long_name[252];
    (void)state;
    assert_true(type_ok("indicator"));
    assert_true(type_ok("x-mitre-tactic"));
    assert_true(type_ok("ipv4-addr"));
    assert_true(type_ok("abc"));
    assert_true(type_ok("x509-certificate"));
    assert_false(type_ok("ab"));        /* too short */
    assert_false(type_ok("Indicator")); /* uppercase */
    assert_false(type_ok("1abc"));      /* starts with a digit */
    assert_false(type_ok("-abc"));
    assert_false(type_ok("abc-"));     /* ends with '-' */
    assert_false(type_ok("foo--bar")); /* "--" is the id separator */
    assert_false(type_ok("foo_bar"));
    assert_false(type_ok("foo bar"));
    assert_false(type_ok(""));
    assert_false(stix_type_name_valid(NULL, 0));
    assert_false(stix_type_name_valid("abc\0def", 7));
    memset(long_name, 'a', sizeof(long_name));
    assert_true(stix_type_name_valid(long_name, 250));
    assert_false(stix_type_name_valid(long_name, 251));
}

static bool uuid_ok(const char *u)
{
    return stix_uuid_valid(u, strlen(u));
}

static void test_uuids(void **state)
{
    (void)state;
    assert_true(uuid_ok("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"));   /* v4 */
    assert_true(uuid_ok("28bb3599-77cd-5a82-a950-b5bc3caf07c4"));   /* v5 */
    assert_true(uuid_ok("8E2E2D2B-17D4-1CBF-B38F-98EE46B3CD3F"));   /* upper case, v1 */
    assert_true(uuid_ok("8e2e2d2b-17d4-4cbf-a38f-98ee46b3cd3f"));   /* variant a */
    assert_false(uuid_ok("8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f"));  /* version 6 */
    assert_false(uuid_ok("8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"));  /* version 0 */
    assert_false(uuid_ok("8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"));  /* variant c */
    assert_false(uuid_ok("8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f"));  /* NCS variant */
    assert_false(uuid_ok("8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0"));  /* hyphen moved */
    assert_false(uuid_ok("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3"));   /* short */
    assert_false(uuid_ok("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f0")); /* long */
    assert_false(uuid_ok("8e2e2d2g-17d4-4cbf-938f-98ee46b3cd3f"));  /* not hex */
    assert_false(uuid_ok("00000000-0000-0000-0000-000000000000"));  /* nil */
}

static void test_id_check(void **state)
{
    struct error err;
    (void)state;
    error_clear(&err);
    assert_int_equal(
        stix_id_check("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator", &err), 0);
    assert_int_equal(stix_id_check("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL, &err),
                     0);
    assert_int_equal(stix_id_check("x-foo-bar--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL, &err),
                     0);
    assert_int_equal(err.code, 0);

    assert_int_equal(
        stix_id_check("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator", &err),
        ERR_INVALID);
    assert_int_equal(err.code, ERR_INVALID);
    assert_non_null(strstr(err.msg, "does not match"));
    error_clear(&err);

    /* prefix of a type, and a type that merely contains the other */
    assert_int_equal(
        stix_id_check("indicat--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator", NULL),
        ERR_INVALID);
    assert_int_equal(
        stix_id_check("indicators--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator", NULL),
        ERR_INVALID);
    assert_int_equal(stix_id_check("indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL, NULL),
                     ERR_INVALID);
    assert_int_equal(stix_id_check("indicator---8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL, NULL),
                     ERR_INVALID);
    assert_int_equal(stix_id_check("Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL, NULL),
                     ERR_INVALID);
    assert_int_equal(stix_id_check("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3", NULL, NULL),
                     ERR_INVALID);
    assert_int_equal(stix_id_check("indicator--", NULL, NULL), ERR_INVALID);
    assert_int_equal(stix_id_check("", NULL, NULL), ERR_INVALID);
    assert_int_equal(stix_id_check(NULL, NULL, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "missing"));
}

static void test_id_problem_and_type(void **state)
{
    const char *id = "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4";
    const char *t = NULL;
    (void)state;
    assert_null(stix_id_problem(id, strlen(id), "ipv4-addr", 9));
    assert_non_null(stix_id_problem(id, strlen(id), "ipv6-addr", 9));
    assert_non_null(stix_id_problem(id, strlen(id) - 1, NULL, 0));
    assert_int_equal(stix_id_type(id, strlen(id), &t), 9);
    assert_ptr_equal(t, id);
    assert_int_equal(stix_id_type("0", 1, &t), 0);
    assert_int_equal(stix_id_type("bad--28bb3599-77cd-5a82-a950-b5bc3caf07c", 41, &t), 0);
}

static void test_hash(void **state)
{
    (void)state;
    /* FNV-1a 64 reference values */
    assert_true(stix_id_hash("", 0) == 0xcbf29ce484222325ULL);
    assert_true(stix_id_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(stix_id_hash("foobar", 6) == 0x85944171f73967e8ULL);
    assert_true(stix_id_hash("indicator--a", 11) == stix_id_hash("indicator--b", 11));
    assert_true(stix_id_hash("indicator--a", 12) != stix_id_hash("indicator--b", 12));
}

static void test_uuid4(void **state)
{
    char a[STIX_UUID_LEN + 1], b[STIX_UUID_LEN + 1];
    (void)state;
    stix_uuid4(a);
    stix_uuid4(b);
    assert_int_equal(strlen(a), STIX_UUID_LEN);
    assert_true(stix_uuid_valid(a, strlen(a)));
    assert_true(stix_uuid_valid(b, strlen(b)));
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
    for (size_t i = 0; i < STIX_UUID_LEN; i++)
        assert_true(a[i] == '-' || (a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names), cmocka_unit_test(test_uuids),
        cmocka_unit_test(test_id_check),   cmocka_unit_test(test_id_problem_and_type),
        cmocka_unit_test(test_hash),       cmocka_unit_test(test_uuid4),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
