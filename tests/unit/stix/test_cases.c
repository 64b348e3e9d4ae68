/*
 * Data-driven tests for the STIX validator.
 *
 * 1. tests/cases/stix/NAME.json: each file is {"object": ..., "valid": bool,
 *    "path": "<expected error path>", "message": "<optional substring>"}
 *    and documents one rule of the specification.
 * 2. Real published STIX from ../shared/data/stix (OASIS examples, OASIS
 *    common objects, MITRE ATT&CK, and the STIX 2.0 Unit 42 playbooks):
 *    every object must validate.  When ../shared is absent the test says
 *    "skipped: ../shared not present" and passes.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "stix/validate.h"
#include "util/error.h"

#define CASES_DIR CONCORD_SOURCE_DIR "/tests/cases/stix"
#define SHARED_STIX CONCORD_SOURCE_DIR "/../shared/data/stix"
#define DATA_ATTACK CONCORD_SOURCE_DIR "/../shared/data/attack"

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Check one case file; returns 0 or 1 (failure, printed). */
static int run_case(const char *file)
{
    json_error_t je;
    json_t *c = json_load_file(file, 0, &je);
    json_t *obj = json_object_get(c, "object");
    const char *path = json_string_value(json_object_get(c, "path"));
    const char *msg = json_string_value(json_object_get(c, "message"));
    bool valid = json_is_true(json_object_get(c, "valid"));
    struct error err;
    int r, bad = 0;

    if (!c || !obj || !json_is_boolean(json_object_get(c, "valid")) || (!valid && !path)) {
        printf("%s: malformed case file (%s)\n", file, c ? "fields" : je.text);
        json_decref(c);
        return 1;
    }
    error_clear(&err);
    r = stix_validate(obj, NULL, &err);
    if (valid && r != 0)
        bad = printf("%s: rejected: %s at '%s'\n", file, err.msg, err.path);
    else if (!valid && r == 0)
        bad = printf("%s: accepted, expected error at '%s'\n", file, path);
    else if (!valid && strcmp(err.path, path) != 0)
        bad = printf("%s: error at '%s' (%s), expected '%s'\n", file, err.path, err.msg, path);
    else if (!valid && msg && !strstr(err.msg, msg))
        bad = printf("%s: message '%s' lacks '%s'\n", file, err.msg, msg);
    json_decref(c);
    return bad ? 1 : 0;
}

static void test_case_files(void **state)
{
    DIR *d = opendir(CASES_DIR);
    struct dirent *e;
    char file[4096];
    int n = 0, failed = 0;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, ".json"))
            continue;
        snprintf(file, sizeof(file), "%s/%s", CASES_DIR, e->d_name);
        failed += run_case(file);
        n++;
    }
    closedir(d);
    printf("%d case files, %d failed\n", n, failed);
    assert_true(n >= 30);
    assert_int_equal(failed, 0);
}

struct corpus {
    const char *want_spec; /* validate objects whose effective spec is this */
    int checked;           /* objects validated */
    int skipped;           /* objects of another spec_version */
    int failed;
};

/* The spec_version an object claims: explicit, or 2.1 for SCOs, else 2.0. */
static const char *effective_spec(json_t *o)
{
    json_t *sv = json_object_get(o, "spec_version");
    const char *type = json_string_value(json_object_get(o, "type"));

    if (json_is_string(sv))
        return json_string_value(sv);
    return type && stix_kind_of(type) == STIX_KIND_SCO ? "2.1" : "2.0";
}

static void check_object(json_t *o, const char *file, size_t i, struct corpus *c)
{
    struct error err;
    struct stix_meta meta;

    if (strcmp(effective_spec(o), c->want_spec) != 0) {
        c->skipped++;
        return;
    }
    c->checked++;
    error_clear(&err);
    if (stix_validate(o, &meta, &err) == 0)
        return;
    c->failed++;
    printf("%s: objects[%zu] %s: %s at '%s'\n", file, i,
           json_string_value(json_object_get(o, "id")), err.msg, err.path);
}

/* A bundle's objects, or a single object. */
static void check_file(const char *file, struct corpus *c)
{
    json_error_t je;
    json_t *root = json_load_file(file, 0, &je), *objs, *o;
    size_t i;

    if (!root) {
        printf("%s: cannot parse: %s\n", file, je.text);
        c->failed++;
        return;
    }
    objs = json_object_get(root, "objects");
    if (json_is_array(objs)) {
        json_array_foreach(objs, i, o) check_object(o, file, i, c);
    } else if (json_object_get(root, "type")) {
        check_object(root, file, 0, c);
    }
    json_decref(root);
}

static void check_dir(const char *dir, struct corpus *c)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (is_dir(path))
            check_dir(path, c);
        else if (has_suffix(e->d_name, ".json"))
            check_file(path, c);
    }
    closedir(d);
}

/* Validate every object of spec want_spec under dir; all must pass. */
static void check_corpus(const char *dir, const char *want_spec, int min_objects)
{
    struct corpus c = {want_spec, 0, 0, 0};

    if (!is_dir(dir)) {
        printf("skipped: ../shared not present (%s)\n", dir);
        return;
    }
    check_dir(dir, &c);
    printf("%s: %d STIX %s objects checked, %d failed, %d of other versions skipped\n", dir,
           c.checked, want_spec, c.failed, c.skipped);
    assert_true(c.checked >= min_objects);
    assert_int_equal(c.failed, 0);
}

static void test_oasis_examples(void **state)
{
    (void)state;
    check_corpus(SHARED_STIX "/oasis-examples", "2.1", 300);
}

static void test_oasis_common_objects(void **state)
{
    (void)state;
    check_corpus(SHARED_STIX "/common-objects", "2.1", 8);
}

static void test_attack(void **state)
{
    (void)state;
    check_corpus(DATA_ATTACK, "2.1", 3000);
}

static void test_unit42_stix20(void **state)
{
    (void)state;
    check_corpus(SHARED_STIX "/unit42-playbooks", "2.0", 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_files),           cmocka_unit_test(test_oasis_examples),
        cmocka_unit_test(test_oasis_common_objects), cmocka_unit_test(test_attack),
        cmocka_unit_test(test_unit42_stix20),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
