/*
 * Unit tests for src/stix/envelope.c: finding the raw text of each element
 * of the top-level "objects" array of an envelope or bundle (whatever the
 * key order, whatever braces, brackets, quotes and escapes the other values
 * hold), and minifying JSON without touching strings.  Every split is
 * also checked against jansson's reading of the same text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "stix/envelope.h"
#include "util/error.h"

/*
 * Split text, check the spans against jansson (same count, each span
 * parses to the same value as the array element) and against the expected
 * element texts (NULL-terminated, may be NULL to skip).
 */
static void split_ok(const char *text, const char *const *want)
{
    struct stix_span *spans = NULL;
    size_t n = 99, len = strlen(text);
    struct error err;
    json_error_t jerr;

    error_clear(&err);
    assert_int_equal(stix_envelope_split(text, len, &spans, &n, &err), 0);
    assert_int_equal(err.code, 0);
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(root);
    json_t *objs = json_object_get(root, "objects");
    assert_int_equal(n, json_array_size(objs));
    for (size_t i = 0; i < n; i++) {
        assert_true(spans[i].off + spans[i].len <= len);
        json_t *v = json_loadb(text + spans[i].off, spans[i].len, JSON_DECODE_ANY, &jerr);
        assert_non_null(v);
        assert_true(json_equal(v, json_array_get(objs, i)));
        json_decref(v);
    }
    if (want) {
        size_t k = 0;
        for (; want[k]; k++) {
            assert_true(k < n);
            assert_int_equal(spans[k].len, strlen(want[k]));
            assert_memory_equal(text + spans[k].off, want[k], spans[k].len);
        }
        assert_int_equal(k, n);
    }
    json_decref(root);
    free(spans);
}

static void test_split_envelope(void **state)
{
    (void)state;
    const char *want[] = {"{\"type\":\"indicator\",\"id\":\"a\"}",
                          "{ \"type\" : \"identity\" , \"name\" : \"x\" }", NULL};
    split_ok("{\"more\":false,\"objects\":[{\"type\":\"indicator\",\"id\":\"a\"},"
             "{ \"type\" : \"identity\" , \"name\" : \"x\" }]}",
             want);
    /* objects first, other keys after it */
    split_ok("{\"objects\":[{\"type\":\"indicator\",\"id\":\"a\"},"
             "{ \"type\" : \"identity\" , \"name\" : \"x\" }],\"more\":true,\"next\":\"10\"}",
             want);
    /* a bundle */
    const char *one[] = {"{\"id\":\"tool--1\"}", NULL};
    split_ok("{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\","
             "\"objects\":[{\"id\":\"tool--1\"}]}",
             one);
}

static void test_split_whitespace(void **state)
{
    (void)state;
    const char *want[] = {"{\n\t\"a\" :\r\n 1\n}", "{}", NULL};
    split_ok(" \r\n\t{ \n\"more\" \t:\n false\r\n ,\n \"objects\"\n:\n[\n{\n\t\"a\" :\r\n 1\n}\n"
             " ,\t{}\r\n]\n}\n ",
             want);
}

static void test_split_tricky_values(void **state)
{
    (void)state;
    /* values before "objects" full of brackets, quotes and escapes */
    const char *want[] = {"{\"y\":2}", NULL};
    split_ok("{\"meta\":{\"objects\":[{\"x\":1}],\"s\":\"]}[{\"},"
             "\"list\":[[],[[{}]],\"[\",\"{\\\"objects\\\":[\",{\"k\":[\"}\"]}],"
             "\"q\":\"a \\\"quoted\\\" \\\\\",\"u\":\"\\u005d\\u007d\","
             "\"k\\\"objects\":[1],\"objects\\\\\":[2],\"n\":-1.5e3,\"t\":true,\"z\":null,"
             "\"objects\":[{\"y\":2}]}",
             want);
    /* the same tricks inside the objects themselves */
    const char *elems[] = {"{\"a\":\"}\",\"b\":\"]\"}",
                           "{\"c\":[{\"d\":\"\\\"}\"},[\"\\\\\"]],\"e\":{\"f\":{}}}",
                           "{\"g\":\"\\\\\\\"\",\"h\":\"\\u0022\"}", NULL};
    split_ok("{\"objects\":[{\"a\":\"}\",\"b\":\"]\"},"
             "{\"c\":[{\"d\":\"\\\"}\"},[\"\\\\\"]],\"e\":{\"f\":{}}},"
             "{\"g\":\"\\\\\\\"\",\"h\":\"\\u0022\"}]}",
             elems);
}

static void test_split_scalars(void **state)
{
    (void)state;
    /* elements that are not objects are cut out as they are (ingest rejects them) */
    const char *want[] = {"1",    "\"a,]\"", "[2,[3]]",       "true",
                          "null", "-1.5e3",  "{\"k\":\"}\"}", NULL};
    split_ok("{\"objects\":[1,\"a,]\",[2,[3]],true,null,-1.5e3,{\"k\":\"}\"}]}", want);
    const char *spaced[] = {"1", "2", "false", NULL};
    split_ok("{\"objects\":[ 1 ,\n2\t,\r\nfalse ]}", spaced);
}

static void test_split_many(void **state)
{
    (void)state;
    /* more elements than the initial span array holds */
    size_t n = 300;
    char *text = malloc(16 + n * 16);
    size_t o = (size_t)snprintf(text, 16, "{\"objects\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(text + o, 16, "%s{\"i\":%zu}", i ? "," : "", i);
    memcpy(text + o, "]}", 3);
    split_ok(text, NULL);
    free(text);
}

static void test_split_escaped_key(void **state)
{
    (void)state;
    const char *want[] = {"{\"a\":1}", NULL};
    split_ok("{\"obj\\u0065cts\":[{\"a\":1}]}", want);
    split_ok("{\"\\u006F\\u0062jects\":[{\"a\":1}]}", want);
    split_ok("{\"\\u006f\\u0062\\u006a\\u0065\\u0063\\u0074\\u0073\":[{\"a\":1}]}", want);
    /* near misses are other keys */
    split_ok("{\"objectsx\":[{\"a\":1}],\"object\":[1],\"Objects\":[2],\"objects\\u0020\":[3],"
             "\"obj\\\\ects\":[4],\"objects\":[{\"a\":1}]}",
             want);
}

static void split_none(const char *text)
{
    struct stix_span *spans = (struct stix_span *)1;
    size_t n = 99;
    struct error err;
    error_clear(&err);
    assert_int_equal(stix_envelope_split(text, strlen(text), &spans, &n, &err), 0);
    assert_int_equal(n, 0);
    free(spans);
}

static void test_split_no_objects(void **state)
{
    struct stix_span *spans = (struct stix_span *)1;
    size_t n = 99;
    struct error err;
    (void)state;

    error_clear(&err);
    assert_int_equal(stix_envelope_split("{}", 2, &spans, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(spans);
    const char *nested = "{\"more\":false,\"x\":{\"objects\":[1]}}";
    assert_int_equal(stix_envelope_split(nested, strlen(nested), &spans, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(spans);
    split_none("{\"objects\":[]}");
    split_none("{ \"objects\" : [ \n ] }");
}

static void split_err(const char *text, const char *path)
{
    struct stix_span *spans = (struct stix_span *)1;
    size_t n = 99;
    struct error err;
    error_clear(&err);
    assert_int_equal(stix_envelope_split(text, strlen(text), &spans, &n, &err), ERR_INVALID);
    assert_int_equal(err.code, ERR_INVALID);
    assert_string_equal(err.path, path);
    assert_null(spans);
    assert_int_equal(n, 0);
}

static void test_split_errors(void **state)
{
    (void)state;
    split_err("[{\"objects\":[]}]", "");
    split_err("\"objects\"", "");
    split_err("", "");
    split_err("   ", "");
    split_err("{\"objects\":{}}", "objects");
    split_err("{\"more\":true,\"objects\":5}", "objects");
    split_err("{\"objects\":\"[1]\"}", "objects");
    split_err("{\"objects\":null}", "objects");
}

/* ---- minify ---- */

static void minify_is(const char *in, const char *want)
{
    size_t len = strlen(in);
    char *out = malloc(len + 8);
    memset(out, '#', len + 8);
    size_t n = stix_json_minify(in, len, out);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    assert_int_equal(out[n], '#'); /* nothing written past the result */
    free(out);
}

static void test_minify(void **state)
{
    (void)state;
    minify_is("{ \"a\" : 1 ,\n\t\"b\" : [ 1 , 2 ]\r\n}", "{\"a\":1,\"b\":[1,2]}");
    minify_is("{\"a\":1}", "{\"a\":1}");
    minify_is("", "");
    minify_is(" \n\t\r ", "");
    minify_is(" [ true , false , null , -0.5e-3 ] ", "[true,false,null,-0.5e-3]");
}

static void test_minify_strings(void **state)
{
    (void)state;
    /* spaces, escaped quotes and escaped backslashes inside strings stay */
    minify_is("{ \"a b\" : \"x  y\\\" z\" }", "{\"a b\":\"x  y\\\" z\"}");
    minify_is("[ \"ends with \\\\\" , \" \\\\\\\" \" ]", "[\"ends with \\\\\",\" \\\\\\\" \"]");
    minify_is("{\"t\" :\t\"\\t\\n { [ , ] } \\u0020\"}", "{\"t\":\"\\t\\n { [ , ] } \\u0020\"}");
    /* UTF-8 bytes pass through */
    minify_is("{ \"name\" : \"Đà Nẵng \xe2\x80\x83 \" }", "{\"name\":\"Đà Nẵng \xe2\x80\x83 \"}");
}

static void test_minify_reparses(void **state)
{
    (void)state;
    const char *in = "{\n  \"type\": \"indicator\",\n  \"pattern\": \"[file:name = 'a \\\\ b']\",\n"
                     "  \"labels\": [ \"x\" , \"y z\" ],\n  \"n\": { \"k\" : [ ] }\n}\n";
    size_t len = strlen(in);
    char *out = malloc(len);
    size_t n = stix_json_minify(in, len, out);
    json_error_t jerr;
    json_t *a = json_loads(in, 0, &jerr), *b = json_loadb(out, n, 0, &jerr);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(json_equal(a, b));
    for (size_t i = 0; i < n; i++)
        assert_true(out[i] != '\n');
    json_decref(a);
    json_decref(b);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_envelope),
        cmocka_unit_test(test_split_whitespace),
        cmocka_unit_test(test_split_tricky_values),
        cmocka_unit_test(test_split_scalars),
        cmocka_unit_test(test_split_many),
        cmocka_unit_test(test_split_escaped_key),
        cmocka_unit_test(test_split_no_objects),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_minify),
        cmocka_unit_test(test_minify_strings),
        cmocka_unit_test(test_minify_reparses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
