/*
 * Unit tests for src/coop/csaf.c (CSAF 2.0 -> STIX vulnerability mapping)
 * and the advisory state machine / status notes of src/coop/advisory.c,
 * on small inline documents and a temporary SQLite store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coop/coop.h"
#include "share/share.h"

#define DOC_HEAD                                                                             \
    "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","      \
    "\"title\":\"Acme PLC\",\"publisher\":{\"name\":\"CISA\",\"category\":\"coordinator\"," \
    "\"namespace\":\"https://www.cisa.gov/\"},"                                              \
    "\"distribution\":{\"tlp\":{\"label\":\"%s\"}},"                                         \
    "\"references\":[{\"category\":\"self\",\"summary\":\"s\","                              \
    "\"url\":\"https://example.org/adv-1.json\"}],"                                          \
    "\"notes\":[{\"category\":\"other\",\"title\":\"Critical infrastructure sectors\","     \
    "\"text\":\"Energy, Water and Wastewater Systems\"},"                                    \
    "{\"category\":\"other\",\"title\":\"Company headquarters location\","                   \
    "\"text\":\"France\"}],"                                                                 \
    "\"tracking\":{\"id\":\"ADV-1\",\"version\":\"2\",\"status\":\"final\","                \
    "\"initial_release_date\":\"2024-01-01T00:00:00Z\","                                     \
    "\"current_release_date\":\"2024-02-01T00:00:00.000Z\"}},"

static const char *tree =
    "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"Acme\",\"branches\":"
    "[{\"category\":\"product_name\",\"name\":\"PLC\",\"branches\":[{\"category\":"
    "\"product_version\",\"name\":\"1.0\",\"product\":{\"name\":\"Acme PLC 1.0\","
    "\"product_id\":\"P1\"}}]}]}],\"full_product_names\":[{\"name\":\"Acme PLC 2.0\","
    "\"product_id\":\"P2\"}]},";

static const char *vulns =
    "\"vulnerabilities\":[{\"cve\":\"CVE-2024-0001\",\"title\":\"Overflow\","
    "\"product_status\":{\"known_affected\":[\"P1\"],\"fixed\":[\"P2\"]},"
    "\"remediations\":[{\"category\":\"vendor_fix\",\"details\":\"Update to 2.0\","
    "\"url\":\"https://example.org/fix\",\"product_ids\":[\"P1\"]}],"
    "\"scores\":[{\"products\":[\"P1\"],\"cvss_v3\":{\"version\":\"3.1\",\"baseScore\":9.8,"
    "\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\","
    "\"baseSeverity\":\"CRITICAL\"}}]},"
    "{\"notes\":[{\"category\":\"summary\",\"text\":\"No CVE yet\"}]}]}";

static json_t *map_doc(const char *tlp, int expect)
{
    char doc[8192];
    struct error err;
    json_t *out = NULL;
    error_clear(&err);
    int n = snprintf(doc, sizeof(doc), DOC_HEAD, tlp);
    n += snprintf(doc + n, sizeof(doc) - (size_t)n, "%s%s", tree, vulns);
    assert_int_equal(coop_csaf_to_stix(doc, (size_t)n, &out, &err), expect);
    return out;
}

static json_t *ext(json_t *v)
{
    return json_object_get(json_object_get(v, "extensions"), COOP_ADVISORY_EXTENSION);
}

static void test_cve_and_references(void **state)
{
    (void)state;
    json_t *arr = map_doc("WHITE", 0);
    assert_int_equal(json_array_size(arr), 2);
    json_t *v = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(v, "name")), "CVE-2024-0001");
    json_t *refs = json_object_get(v, "external_references");
    assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "external_id")),
                        "CVE-2024-0001");
    json_t *adv = json_array_get(refs, 1);
    assert_string_equal(json_string_value(json_object_get(adv, "source_name")), "CISA");
    assert_string_equal(json_string_value(json_object_get(adv, "external_id")), "ADV-1");
    assert_string_equal(json_string_value(json_object_get(adv, "url")),
                        "https://example.org/adv-1.json");
    assert_string_equal(json_string_value(json_object_get(v, "modified")),
                        "2024-02-01T00:00:00.000000Z");
    json_decref(arr);
}

static void test_no_cve(void **state)
{
    (void)state;
    json_t *arr = map_doc("WHITE", 0);
    json_t *v = json_array_get(arr, 1);
    assert_string_equal(json_string_value(json_object_get(v, "name")), "ADV-1-2");
    assert_string_equal(json_string_value(json_object_get(v, "description")), "No CVE yet");
    assert_int_equal(json_array_size(json_object_get(v, "external_references")), 1);
    json_decref(arr);
}

static void test_products_remediation_cvss(void **state)
{
    (void)state;
    json_t *arr = map_doc("WHITE", 0);
    json_t *e = ext(json_array_get(arr, 0));
    json_t *p = json_object_get(e, "products");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "known_affected"), 0)),
                        "Acme PLC 1.0"); /* resolved through branches */
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "fixed"), 0)),
                        "Acme PLC 2.0");
    json_t *rem = json_array_get(json_object_get(e, "remediations"), 0);
    assert_string_equal(json_string_value(json_object_get(rem, "category")), "vendor_fix");
    assert_string_equal(json_string_value(json_object_get(rem, "url")), "https://example.org/fix");
    json_t *sc = json_array_get(json_object_get(e, "scores"), 0);
    assert_true(json_real_value(json_object_get(sc, "base_score")) > 9.7);
    assert_string_equal(json_string_value(json_object_get(sc, "base_severity")), "CRITICAL");
    json_t *sec = json_object_get(e, "sectors");
    assert_string_equal(json_string_value(json_array_get(sec, 0)), "energy");
    assert_string_equal(json_string_value(json_array_get(sec, 1)), "water");
    assert_string_equal(json_string_value(json_array_get(json_object_get(e, "countries"), 0)),
                        "FR");
    json_decref(arr);
}

static void test_tlp_mapping(void **state)
{
    (void)state;
    static const struct {
        const char *label;
        enum share_tlp t;
    } cases[] = {{"WHITE", SHARE_TLP_CLEAR}, {"GREEN", SHARE_TLP_GREEN},
                 {"AMBER", SHARE_TLP_AMBER}, {"RED", SHARE_TLP_RED}};
    for (size_t i = 0; i < 4; i++) {
        json_t *arr = map_doc(cases[i].label, 0);
        json_t *m = json_object_get(json_array_get(arr, 0), "object_marking_refs");
        assert_string_equal(json_string_value(json_array_get(m, 0)), share_tlp_id(cases[i].t));
        json_decref(arr);
    }
}

static void test_deterministic_ids(void **state)
{
    (void)state;
    json_t *a = map_doc("WHITE", 0), *b = map_doc("GREEN", 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "id")),
                        json_string_value(json_object_get(json_array_get(b, 0), "id")));
    assert_string_not_equal(json_string_value(json_object_get(json_array_get(a, 0), "id")),
                            json_string_value(json_object_get(json_array_get(a, 1), "id")));
    json_decref(a);
    json_decref(b);
}

static void expect_error(const char *doc, const char *msg)
{
    struct error err;
    json_t *out = (json_t *)1;
    error_clear(&err);
    assert_int_equal(coop_csaf_to_stix(doc, strlen(doc), &out, &err), ERR_INVALID);
    assert_null(out);
    assert_non_null(strstr(err.msg, msg));
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("{", "not JSON");
    expect_error("[]", "not a JSON object");
    expect_error("{\"vulnerabilities\":[]}", "document missing");
    expect_error("{\"document\":{\"tracking\":{}}}", "document.tracking.id missing");
    expect_error("{\"document\":{\"tracking\":{\"id\":\"X\"},\"title\":\"t\"}}",
                 "document.publisher.name missing");
    expect_error("{\"document\":{\"tracking\":{\"id\":\"X\",\"version\":\"1\","
                 "\"initial_release_date\":\"2024-01-01T00:00:00Z\","
                 "\"current_release_date\":\"yesterday\"},\"title\":\"t\","
                 "\"publisher\":{\"name\":\"p\"}}}",
                 "document.tracking.current_release_date");
    expect_error("{\"document\":{\"tracking\":{\"id\":\"X\",\"version\":\"1\","
                 "\"initial_release_date\":\"2024-01-01T00:00:00Z\","
                 "\"current_release_date\":\"2024-01-01T00:00:00Z\"},\"title\":\"t\","
                 "\"publisher\":{\"name\":\"p\"}},\"vulnerabilities\":[{\"cve\":\"XYZ\"}]}",
                 "vulnerabilities[0].cve is not a CVE id");
    expect_error("{\"document\":{\"tracking\":{\"id\":\"X\",\"version\":\"1\","
                 "\"initial_release_date\":\"2024-01-01T00:00:00Z\","
                 "\"current_release_date\":\"2024-01-01T00:00:00Z\"},\"title\":\"t\","
                 "\"publisher\":{\"name\":\"p\"}}}",
                 "vulnerabilities missing");
}

static void test_state_machine(void **state)
{
    (void)state;
    struct error err;
    error_clear(&err);
    assert_int_equal(coop_adv_state_parse("acknowledged"), COOP_ADV_ACKNOWLEDGED);
    assert_int_equal(coop_adv_state_parse("bogus"), COOP_ADV_NONE);
    assert_int_equal(coop_adv_transition(COOP_ADV_NONE, COOP_ADV_RECEIVED, &err), 0);
    assert_int_equal(coop_adv_transition(COOP_ADV_RECEIVED, COOP_ADV_REMEDIATED, &err), 0);
    assert_int_equal(coop_adv_transition(COOP_ADV_ACKNOWLEDGED, COOP_ADV_RECEIVED, &err),
                     ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "'acknowledged' -> 'received'"));
    error_clear(&err);
    assert_int_equal(coop_adv_transition(COOP_ADV_REMEDIATED, COOP_ADV_REMEDIATED, &err),
                     ERR_CONFLICT);
    error_clear(&err);
    assert_int_equal(coop_adv_transition(COOP_ADV_NONE, COOP_ADV_NONE, &err), ERR_INVALID);
}

static void test_status_notes(void **state)
{
    (void)state;
    char path[] = "/tmp/concord-adv-XXXXXX", db[64], doc[8192];
    struct store *s;
    struct error err;
    struct store_org org = {0};
    struct store_coll c = {0};
    struct coop_import_result res;
    error_clear(&err);
    assert_non_null(mkdtemp(path));
    snprintf(db, sizeof(db), "%s/t.db", path);
    assert_int_equal(store_sqlite_open(db, &s, &err), 0);
    snprintf(org.name, sizeof(org.name), "sg-cert");
    snprintf(org.identity_id, sizeof(org.identity_id),
             "identity--11111111-2222-4333-8444-555555555555");
    assert_int_equal(store_org_add(s, &org, &err), 0);
    snprintf(c.title, sizeof(c.title), "t");
    snprintf(c.read_orgs, sizeof(c.read_orgs), "*");
    snprintf(c.write_orgs, sizeof(c.write_orgs), "*");
    snprintf(c.id, sizeof(c.id), "00000000-0000-4000-8000-000000000001");
    assert_int_equal(store_coll_add(s, &c, &err), 0);
    int n = snprintf(doc, sizeof(doc), DOC_HEAD, "WHITE");
    n += snprintf(doc + n, sizeof(doc) - (size_t)n, "%s%s", tree, vulns);
    assert_int_equal(coop_advisory_import(s, c.seq, doc, (size_t)n, &res, &err), 0);
    assert_int_equal(res.added, 2);
    assert_int_equal(coop_advisory_import(s, c.seq, doc, (size_t)n, &res, &err), 0);
    assert_int_equal(res.existing, 2);
    json_t *arr = map_doc("WHITE", 0);
    const char *vid = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
    assert_int_equal(coop_advisory_set_state(s, c.seq, vid, &org, COOP_ADV_ACKNOWLEDGED, &err), 0);
    assert_int_equal(coop_advisory_state_of(s, c.seq, vid, org.identity_id),
                     COOP_ADV_ACKNOWLEDGED);
    assert_int_equal(coop_advisory_set_state(s, c.seq, vid, &org, COOP_ADV_RECEIVED, &err),
                     ERR_CONFLICT);
    assert_int_equal(coop_advisory_state_of(s, c.seq, vid, org.identity_id),
                     COOP_ADV_ACKNOWLEDGED);
    assert_int_equal(coop_advisory_set_state(s, c.seq, "vulnerability--00000000-0000-4000-8000-"
                                                       "000000000000",
                                             &org, COOP_ADV_RECEIVED, &err),
                     ERR_NOT_FOUND);
    json_t *list = NULL;
    assert_int_equal(coop_advisory_list(s, c.seq, NULL, NULL, &list), 0);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    json_decref(arr);
    store_close(s);
    unlink(db);
    rmdir(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cve_and_references),  cmocka_unit_test(test_no_cve),
        cmocka_unit_test(test_products_remediation_cvss), cmocka_unit_test(test_tlp_mapping),
        cmocka_unit_test(test_deterministic_ids),   cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_state_machine),       cmocka_unit_test(test_status_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
