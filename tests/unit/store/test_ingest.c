/*
 * Unit tests for src/store/ingest.c: rejecting bodies that are not
 * envelopes, per-object failures with their property paths, storing the
 * valid objects byte for byte (minified) in a real SQLite store, and the
 * TAXII status resource (counts, messages, stored with its owner).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "store/ingest.h"
#include "store/store.h"
#include "util/error.h"

#include "../../lib/tmpdir.h"

#define SID "4f6ce5e8-3a9d-4a47-a7a5-2b1f5bb0a001"
#define SID2 "4f6ce5e8-3a9d-4a47-a7a5-2b1f5bb0a002"

struct fx {
    char dir[PATH_MAX];
    struct store *s;
    int64_t coll;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char db[PATH_MAX];
    struct error err;
    struct store_coll c;
    error_clear(&err);
    assert_int_equal(tmpdir_make(f->dir, "concord-ingest-"), 0);
    assert_int_equal(tmpdir_path(db, f->dir, "concord.db"), 0);
    assert_int_equal(store_sqlite_open(db, &f->s, &err), 0);
    memset(&c, 0, sizeof(c));
    snprintf(c.id, sizeof(c.id), "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
    snprintf(c.read_orgs, sizeof(c.read_orgs), "*");
    snprintf(c.write_orgs, sizeof(c.write_orgs), "*");
    assert_int_equal(store_coll_add(f->s, &c, &err), 0);
    f->coll = c.seq;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    assert_int_equal(tmpdir_remove(f->dir), 0);
    free(f);
    return 0;
}

/* ---- prepare: bodies that are not envelopes ---- */

static int prepare_fails(const char *text, struct error *err)
{
    struct store_ingest ing;
    error_clear(err);
    int r = store_ingest_prepare(&ing, text, strlen(text), err);
    assert_int_equal(err->code, r);
    store_ingest_release(&ing);
    return r;
}

static void test_prepare_not_json(void **state)
{
    struct error err;
    (void)state;
    /* the offending '}' is at byte 16; jansson reports the position after it */
    assert_int_equal(prepare_fails("{\"objects\": [1, }", &err), ERR_INVALID);
    assert_int_equal(err.offset, 17);
    assert_non_null(strstr(err.msg, "cannot parse JSON"));
    assert_int_equal(prepare_fails("", &err), ERR_INVALID);
    assert_true(err.offset >= 0);
    assert_int_equal(prepare_fails("{\"objects\": []} trailing", &err), ERR_INVALID);
    assert_true(err.offset >= 16);
    /* embedded NUL inside the given length is not JSON either */
    struct store_ingest ing;
    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, "{\"objects\":[]}\0", 15, &err), ERR_INVALID);
    store_ingest_release(&ing);
}

static void test_prepare_not_envelope(void **state)
{
    struct error err;
    (void)state;
    assert_int_equal(prepare_fails("[1, 2]", &err), ERR_INVALID);
    assert_string_equal(err.msg, "the body is not a JSON object");
    assert_int_equal(prepare_fails("\"objects\"", &err), ERR_INVALID);
    assert_int_equal(prepare_fails("{}", &err), ERR_INVALID);
    assert_string_equal(err.path, "objects");
    assert_string_equal(err.msg, "missing 'objects' list");
    assert_int_equal(prepare_fails("{\"more\": false, \"objects\": {}}", &err), ERR_INVALID);
    assert_string_equal(err.path, "objects");
    assert_string_equal(err.msg, "'objects' is not a list");
    assert_int_equal(prepare_fails("{\"objects\": null}", &err), ERR_INVALID);
    assert_string_equal(err.msg, "'objects' is not a list");
}

static void test_prepare_duplicate_keys(void **state)
{
    struct error err;
    (void)state;
    assert_int_equal(prepare_fails("{\"objects\": [], \"objects\": []}", &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "duplicate"));
    /* inside an object too: two different values for one property */
    assert_int_equal(
        prepare_fails("{\"objects\": [{\"type\": \"identity\", \"type\": \"tool\"}]}", &err),
        ERR_INVALID);
    assert_non_null(strstr(err.msg, "duplicate"));
}

static void test_prepare_too_many(void **state)
{
    struct error err;
    struct store_ingest ing;
    (void)state;
    size_t n = LIMIT_OBJECTS_PER_ENVELOPE + 1;
    char *text = malloc(16 + 2 * n);
    size_t o = (size_t)sprintf(text, "{\"objects\":[");
    for (size_t i = 0; i < n; i++) {
        text[o++] = '0';
        text[o++] = i + 1 < n ? ',' : ']';
    }
    text[o++] = '}';
    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, text, o, &err), ERR_TOO_LARGE);
    store_ingest_release(&ing);
    free(text);
}

/* ---- the mixed envelope ---- */

#define ID_IDENT "identity--0f6b6e7a-3c0e-4d7a-9a42-5a2f8a1c3b11"
#define ID_IND1 "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define ID_IND2 "indicator--28bb3599-77cd-4a82-a950-b5bc3caf07c4"
#define ID_IP "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"
#define TS "2024-01-01T00:00:00.000Z"

/* Five elements: valid, bad pattern, valid SCO, valid, not an object. */
static const char mixed[] =
    "{\n"
    "  \"more\": false,\n"
    "  \"objects\": [\n"
    "    {\n"
    "      \"type\": \"identity\",\n"
    "      \"spec_version\": \"2.1\",\n"
    "      \"id\": \"" ID_IDENT "\",\n"
    "      \"created\": \"" TS "\",\n"
    "      \"modified\": \"" TS "\",\n"
    "      \"name\": \"ACME  \\\"CERT\\\" {x} [y], \\\\ z\",\n"
    "      \"identity_class\": \"organization\"\n"
    "    },\n"
    "    {\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"" ID_IND1 "\",\n"
    "     \"created\": \"" TS "\", \"modified\": \"" TS "\",\n"
    "     \"pattern\": 5, \"pattern_type\": \"stix\", \"valid_from\": \"" TS "\"},\n"
    "\t{ \"type\" : \"ipv4-addr\" , \"spec_version\" : \"2.1\" , \"id\" : \"" ID_IP "\" ,"
    " \"value\" : \"10.0.0.1\" }\r\n"
    "    ,{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID_IND2 "\","
    "\"created\":\"" TS "\",\"modified\":\"" TS "\",\"name\":\"tab\\there\","
    "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
    "\"valid_from\":\"" TS "\"},\n"
    "    42\n"
    "  ]\n"
    "}\n";

/* What the store must hold for objects 0, 2 and 3: the text minus outside whitespace. */
static const char *const want_body[] = {
    "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" ID_IDENT "\",\"created\":\"" TS
    "\",\"modified\":\"" TS "\",\"name\":\"ACME  \\\"CERT\\\" {x} [y], \\\\ z\","
    "\"identity_class\":\"organization\"}",
    "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"" ID_IP "\",\"value\":\"10.0.0.1\"}",
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID_IND2 "\",\"created\":\"" TS
    "\",\"modified\":\"" TS "\",\"name\":\"tab\\there\","
    "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
    "\"valid_from\":\"" TS "\"}",
};

static void test_prepare_items(void **state)
{
    struct store_ingest ing;
    struct error err;
    (void)state;
    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, mixed, strlen(mixed), &err), 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(ing.n, 5);
    assert_int_equal(ing.items[0].err.code, 0);
    assert_string_equal(ing.items[0].meta.id, ID_IDENT);
    assert_string_equal(ing.items[0].meta.version, TS);
    assert_true(ing.items[0].meta.versioned);
    assert_int_equal(ing.items[1].err.code, ERR_INVALID);
    assert_string_equal(ing.items[1].err.path, "objects[1].pattern");
    assert_int_equal(ing.items[2].err.code, 0);
    assert_false(ing.items[2].meta.versioned);
    assert_null(ing.items[2].meta.version);
    assert_int_equal(ing.items[3].err.code, 0);
    assert_int_equal(ing.items[4].err.code, ERR_INVALID);
    assert_string_equal(ing.items[4].err.path, "objects[4]");
    assert_string_equal(ing.items[4].err.msg, "not a JSON object");
    /* the spans are the raw text of each element */
    assert_int_equal(mixed[ing.spans[0].off], '{');
    assert_int_equal(mixed[ing.spans[0].off + ing.spans[0].len - 1], '}');
    assert_int_equal(ing.spans[4].len, 2);
    assert_memory_equal(mixed + ing.spans[4].off, "42", 2);
    store_ingest_release(&ing);
}

struct bodies {
    size_t n;
    char id[8][96];
    char *body[8];
    size_t len[8];
    int64_t added[8];
};

static int keep_body(void *ctx, const struct store_row *row)
{
    struct bodies *b = ctx;
    assert_true(b->n < 8);
    snprintf(b->id[b->n], sizeof(b->id[0]), "%s", row->id);
    b->body[b->n] = malloc(row->body_len + 1);
    memcpy(b->body[b->n], row->body, row->body_len);
    b->body[b->n][row->body_len] = '\0';
    b->len[b->n] = row->body_len;
    b->added[b->n] = row->added_us;
    b->n++;
    return 1;
}

static void bodies_free(struct bodies *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->body[i]);
}

static void read_all(struct fx *f, struct bodies *b)
{
    struct store_query q = {.coll = f->coll, .added_after_us = -1, .ver_flags = STORE_VER_ALL};
    bool more = true;
    memset(b, 0, sizeof(*b));
    assert_int_equal(store_obj_query(f->s, &q, keep_body, b, &more), 0);
    assert_false(more);
}

static json_t *status_of(const struct store_ingest *ing)
{
    json_error_t jerr;
    assert_non_null(ing->status_json);
    assert_int_equal(strlen(ing->status_json), ing->status_len);
    json_t *st = json_loadb(ing->status_json, ing->status_len, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(st);
    return st;
}

static json_int_t int_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

static void assert_counts(json_t *st, const char *sid, int total, int ok, int failed)
{
    assert_string_equal(str_of(st, "id"), sid);
    assert_string_equal(str_of(st, "status"), "complete");
    assert_int_equal(strlen(str_of(st, "request_timestamp")), 27); /* microseconds + Z */
    assert_int_equal(int_of(st, "total_count"), total);
    assert_int_equal(int_of(st, "success_count"), ok);
    assert_int_equal(int_of(st, "failure_count"), failed);
    assert_int_equal(int_of(st, "pending_count"), 0);
    assert_int_equal(json_array_size(json_object_get(st, "successes")), ok);
    assert_int_equal(json_array_size(json_object_get(st, "failures")), failed);
    /* TAXII 2.1 §2 prohibits empty lists: a list with no details is left out */
    assert_true(ok ? json_is_array(json_object_get(st, "successes"))
                   : json_object_get(st, "successes") == NULL);
    assert_true(failed ? json_is_array(json_object_get(st, "failures"))
                       : json_object_get(st, "failures") == NULL);
    assert_null(json_object_get(st, "pendings"));
}

static void test_commit_mixed(void **state)
{
    struct fx *f = *state;
    struct store_ingest ing;
    struct error err;
    struct bodies b;

    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, mixed, strlen(mixed), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, SID, 7, &err), 0);
    assert_int_equal(ing.n_ok, 3);
    assert_int_equal(ing.n_failed, 2);
    assert_string_equal(ing.items[0].message, "added");
    assert_string_equal(ing.items[2].message, "added");
    assert_true(ing.items[3].added_us > ing.items[2].added_us);
    assert_true(ing.items[2].added_us > ing.items[0].added_us);

    read_all(f, &b);
    assert_int_equal(b.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(b.len[i], strlen(want_body[i]));
        assert_memory_equal(b.body[i], want_body[i], b.len[i]);
    }
    assert_string_equal(b.id[0], ID_IDENT);
    assert_string_equal(b.id[1], ID_IP);
    assert_string_equal(b.id[2], ID_IND2);
    assert_int_equal(b.added[1], ing.items[2].added_us);
    bodies_free(&b);

    json_t *st = status_of(&ing);
    assert_counts(st, SID, 5, 3, 2);
    json_t *succ = json_object_get(st, "successes"), *fail = json_object_get(st, "failures");
    assert_string_equal(str_of(json_array_get(succ, 0), "id"), ID_IDENT);
    assert_string_equal(str_of(json_array_get(succ, 0), "version"), TS);
    assert_string_equal(str_of(json_array_get(succ, 0), "message"), "added");
    assert_string_equal(str_of(json_array_get(succ, 1), "id"), ID_IP);
    assert_string_equal(str_of(json_array_get(succ, 1), "message"), "added");
    /* an SCO has no version: its date_added stands in */
    assert_int_equal(strlen(str_of(json_array_get(succ, 1), "version")), 27);
    assert_string_equal(str_of(json_array_get(succ, 2), "id"), ID_IND2);
    assert_string_equal(str_of(json_array_get(fail, 0), "id"), ID_IND1);
    assert_string_equal(str_of(json_array_get(fail, 0), "version"), TS);
    assert_true(strncmp(str_of(json_array_get(fail, 0), "message"), "objects[1].pattern: ", 20) ==
                0);
    assert_string_equal(str_of(json_array_get(fail, 1), "id"), "");
    assert_string_equal(str_of(json_array_get(fail, 1), "message"),
                        "objects[4]: not a JSON object");
    json_decref(st);

    /* stored with its owner, byte for byte */
    char *json = NULL;
    size_t len = 0;
    int64_t owner = 0;
    assert_int_equal(store_status_get(f->s, SID, &owner, &json, &len), 0);
    assert_int_equal(owner, 7);
    assert_int_equal(len, ing.status_len);
    assert_memory_equal(json, ing.status_json, len);
    free(json);
    store_ingest_release(&ing);
}

static void test_commit_again(void **state)
{
    struct fx *f = *state;
    struct store_ingest ing;
    struct error err;
    struct bodies b;

    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, mixed, strlen(mixed), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, SID, 7, &err), 0);
    store_ingest_release(&ing);

    assert_int_equal(store_ingest_prepare(&ing, mixed, strlen(mixed), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, SID2, 8, &err), 0);
    assert_int_equal(ing.n_ok, 3);
    json_t *st = status_of(&ing);
    assert_counts(st, SID2, 5, 3, 2);
    json_t *succ = json_object_get(st, "successes");
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(str_of(json_array_get(succ, i), "message"), "already added");
    json_decref(st);
    store_ingest_release(&ing);

    read_all(f, &b);
    assert_int_equal(b.n, 3); /* nothing stored twice */
    bodies_free(&b);

    /* the first status is still there, the second one too */
    char *json = NULL;
    size_t len = 0;
    int64_t owner = 0;
    assert_int_equal(store_status_get(f->s, SID, &owner, &json, &len), 0);
    assert_int_equal(owner, 7);
    free(json);
    assert_int_equal(store_status_get(f->s, SID2, &owner, &json, &len), 0);
    assert_int_equal(owner, 8);
    free(json);
}

static void test_commit_conflict(void **state)
{
    struct fx *f = *state;
    struct store_ingest ing;
    struct error err;
    static const char first[] =
        "{\"objects\":[{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" ID_IDENT
        "\",\"created\":\"" TS "\",\"modified\":\"" TS "\",\"name\":\"one\"}]}";
    /* a bundle: same id and version with another body, and a new one */
    static const char second[] =
        "{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\","
        "\"objects\":[{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" ID_IDENT
        "\",\"created\":\"" TS "\",\"modified\":\"" TS "\",\"name\":\"two\"},"
        "{\"type\":\"ipv4-addr\",\"id\":\"" ID_IP "\",\"value\":\"10.0.0.9\"}]}";

    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, first, strlen(first), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, NULL, 0, &err), 0);
    assert_null(ing.status_json); /* no status without a status id */
    assert_int_equal(ing.n_ok, 1);
    store_ingest_release(&ing);

    assert_int_equal(store_ingest_prepare(&ing, second, strlen(second), &err), 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, SID, 3, &err), 0);
    assert_int_equal(ing.n_ok, 1);
    assert_int_equal(ing.n_failed, 1);
    assert_int_equal(ing.items[0].err.code, ERR_CONFLICT);
    assert_string_equal(ing.items[0].err.path, "objects[0]");
    json_t *st = status_of(&ing);
    assert_counts(st, SID, 2, 1, 1);
    const char *msg = str_of(json_array_get(json_object_get(st, "failures"), 0), "message");
    assert_true(strncmp(msg, "objects[0]: a different object", 30) == 0);
    json_decref(st);
    store_ingest_release(&ing);

    struct bodies b;
    read_all(f, &b);
    assert_int_equal(b.n, 2);
    assert_non_null(strstr(b.body[0], "\"one\""));
    assert_string_equal(b.body[1],
                        "{\"type\":\"ipv4-addr\",\"id\":\"" ID_IP "\",\"value\":\"10.0.0.9\"}");
    bodies_free(&b);
}

static void test_commit_empty(void **state)
{
    struct fx *f = *state;
    struct store_ingest ing;
    struct error err;
    static const char text[] = " { \"objects\" : [ ] } ";
    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, text, strlen(text), &err), 0);
    assert_int_equal(ing.n, 0);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, SID, 1, &err), 0);
    json_t *st = status_of(&ing);
    assert_counts(st, SID, 0, 0, 0);
    json_decref(st);
    store_ingest_release(&ing);
}

static void test_escaped_objects_key(void **state)
{
    struct fx *f = *state;
    struct store_ingest ing;
    struct error err;
    /* "obj\u0065cts" is the key "objects" written with an escape */
    static const char text[] =
        "{\"more\":true,\"obj\\u0065cts\":[{\"type\":\"ipv4-addr\",\"id\":\"" ID_IP
        "\",\"value\":\"10.0.0.1\"}]}";
    error_clear(&err);
    assert_int_equal(store_ingest_prepare(&ing, text, strlen(text), &err), 0);
    assert_int_equal(ing.n, 1);
    assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, NULL, 0, &err), 0);
    assert_int_equal(ing.n_ok, 1);
    store_ingest_release(&ing);
}

static void test_status_valid_utf8(void **state)
{
    struct fx *f = *state;
    struct store_ingest ing;
    struct error err;
    char text[1024];
    /*
     * A bad timestamp full of two-byte characters: the validator quotes it
     * shortened, which may cut a character in two; the status must still be
     * valid JSON (found by fuzz_ingest).
     */
    char junk[400];
    size_t o = 0;
    while (o + 2 < sizeof(junk)) {
        junk[o++] = (char)0xd0;
        junk[o++] = (char)0xa0;
    }
    junk[o] = '\0';
    for (int shift = 0; shift < 2; shift++) {
        snprintf(text, sizeof(text),
                 "{\"objects\":[{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" ID_IDENT
                 "\",\"created\":\"2024-01-01T00:00:00.0%s%s\",\"modified\":\"" TS
                 "\",\"name\":\"n\"}]}",
                 shift ? "x" : "", junk);
        error_clear(&err);
        assert_int_equal(store_ingest_prepare(&ing, text, strlen(text), &err), 0);
        assert_int_equal(store_ingest_commit(&ing, f->s, f->coll, SID, 1, &err), 0);
        assert_int_equal(ing.n_failed, 1);
        json_t *st = status_of(&ing);
        assert_counts(st, SID, 1, 0, 1);
        json_decref(st);
        store_ingest_release(&ing);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_not_json),
        cmocka_unit_test(test_prepare_not_envelope),
        cmocka_unit_test(test_prepare_duplicate_keys),
        cmocka_unit_test(test_prepare_too_many),
        cmocka_unit_test(test_prepare_items),
        T(test_commit_mixed),
        T(test_commit_again),
        T(test_commit_conflict),
        T(test_commit_empty),
        T(test_escaped_objects_key),
        T(test_status_valid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
