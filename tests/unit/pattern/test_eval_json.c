/*
 * Tests of pat_json_parse and pat_json_parse_tail (src/pattern/eval_json.c):
 * whatever they accept, json_loadb gives the same value (same dump: types,
 * numbers, decoded strings, member order, a repeated key's last value);
 * what jansson rejects they reject too; some valid JSON they leave to
 * jansson (NULL).  The observation files of tests/cases/pattern/eval and
 * of the evaluator's bench go through them in test_eval.c and
 * tests/integration/test_pattern_eval.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern/eval.h"

/* Both parsers on text: the fast one accepts iff accepted is set, with jansson's value. */
static void check(const char *text, bool accepted)
{
    json_error_t je;
    json_t *fast = pat_json_parse(text, strlen(text));
    json_t *ref = json_loadb(text, strlen(text), 0, &je);

    if (!accepted) {
        json_decref(ref);
        assert_null(fast);
        return;
    }
    assert_non_null(fast);
    assert_non_null(ref);
    char *a = json_dumps(fast, JSON_ENCODE_ANY), *b = json_dumps(ref, JSON_ENCODE_ANY);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(fast);
    json_decref(ref);
}

static void test_same_values(void **state)
{
    (void)state;
    check("{}", true);
    check("[]", true);
    check("  [ 1 , {\"x\" : [ ] } ]\n", true);
    check("{\"a\":1,\"a\":2,\"b\":3}", true); /* last value, first place */
    check("{\"k\\u00e9y\":\"v\\\"\\\\\\/\\b\\f\\n\\r\\t\\u20ac\\ud83d\\ude00\"}", true);
    check("[9223372036854775807,-9223372036854775808]", true);
    check("[-0,-0.0,0.5,1E2,1e+2,1e-400]", true);
    check("[true,false,null,\"\"]", true);
    check("[{\"e\\u0301\":1,\"\xc3\xa9\":2,\"\\\"\":{\"\\\\\":[\"\\u00e9\"]}}]", true);
}

static void test_rejected(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        " ",
        "\"str\"",
        "1",
        "[1,2,]",
        "{\"a\":1,}",
        "[1 2]",
        "[1]x",
        "[01]",
        "[tru]",
        "[\"\\ud800\"]",
        "[\"\\udc00\\ud800\"]",
        "[\"\xc0\xaf\"]",
        "[\"\xed\xa0\x80\"]",
        "[\"a\tb\"]",
        "{\"a\":\"\\u0000\"}",
        "{\"\\u0000\":1}",
        "[9223372036854775808]",
        "[-9223372036854775809]",
        "[1e400]",
        "{\"a\" 1}",
        "{1:2}",
        "[",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check(bad[i], false);
}

/* Valid JSON left to jansson: deep nesting, a long number text. */
static void test_left_to_jansson(void **state)
{
    char deep[2 * 70 + 1];

    (void)state;
    memset(deep, '[', 70);
    memset(deep + 70, ']', 70);
    deep[140] = '\0';
    check(deep, false);
    check("[0.1000000000000000000000000000000000000000000000000000000000000000001]", false);
}

static void test_tail(void **state)
{
    json_t *a = json_array();

    (void)state;
    const char *tail = " {\"x\":1}, [2] ,\"\\u00e9\"] \n";

    assert_int_equal(pat_json_parse_tail(tail, strlen(tail), a), 0);
    assert_int_equal(json_array_size(a), 3);
    assert_string_equal(json_string_value(json_array_get(a, 2)), "\xc3\xa9");
    json_array_clear(a);
    assert_int_equal(pat_json_parse_tail("]", 1, a), -1);   /* "[...,]": trailing comma */
    assert_int_equal(pat_json_parse_tail("1,2", 3, a), -1); /* no ']' */
    assert_int_equal(pat_json_parse_tail("1]]", 3, a), -1); /* more after the array */
    assert_int_equal(pat_json_parse_tail("1,]", 3, a), -1); /* trailing comma */
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_values),
        cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_left_to_jansson),
        cmocka_unit_test(test_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
