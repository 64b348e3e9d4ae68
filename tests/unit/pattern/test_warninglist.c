/*
 * Unit tests for src/pattern/warninglist*.c: each list type on small lists
 * written to a temporary directory (cidr v4/v6, string, hostname with
 * suffix entries, substring, regex in "/re/flags" form), the
 * matching_attributes rules, counters and load errors; then the 29 real
 * MISP lists under CONCORD_SOURCE_DIR/../shared/data (skipped with a
 * message when absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pattern/warninglist.h"

#define WL_DIR CONCORD_SOURCE_DIR "/../shared/data/misp/warninglists"

static char tmpdir[64];

static void write_list(const char *key, const char *json)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, key);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/%s/list.json", tmpdir, key);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/concord-wl-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    write_list("a-cidr", "{\"name\":\"Nets\",\"type\":\"cidr\",\"list\":[\"10.0.0.0/8\","
                         "\"192.0.2.7\",\"192.0.2.8/31\",\"2001:DB8::/32\",\"not-an-ip\","
                         "\"0.0.0.0/0x\",\"10.1.0.0/16\"],\"matching_attributes\":[\"ip-src\","
                         "\"ip-dst\",\"domain|ip\"]}");
    write_list("b-hosts", "{\"name\":\"Hosts\",\"type\":\"hostname\",\"list\":[\"Example.COM\","
                          "\".dyn.example\",\"trailing.example.\"],\"matching_attributes\":"
                          "[\"domain\",\"hostname\",\"url\"]}");
    write_list("c-strings", "{\"name\":\"Strings\",\"type\":\"string\",\"list\":[\"TLD\","
                            "\"d41d8cd98f00b204e9800998ecf8427e\",\"exact.example\"]}");
    write_list("d-subs", "{\"name\":\"Subs\",\"type\":\"substring\",\"list\":[\"sandbox\"],"
                         "\"matching_attributes\":[\"domain\",\"url\"]}");
    write_list("e-regex", "{\"name\":\"Mails\",\"type\":\"regex\",\"list\":[\"/^(abuse|noc)\\\\@"
                          ".*$/i\",\"/bad(/\"],\"matching_attributes\":[\"email-src\"]}");
    write_list("f-none", "{\"name\":\"Phones\",\"type\":\"regex\",\"list\":[\"/.*/\"],"
                         "\"matching_attributes\":[\"phone-number\"]}");
    char schema[128];
    snprintf(schema, sizeof(schema), "%s/schema.json", tmpdir);
    FILE *f = fopen(schema, "w");
    fputs("{\"not\":\"a list\"}", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *check(const struct pat_wl_set *s, enum pat_vkind k, const char *v)
{
    struct pat_value val = {.kind = k, .role = PAT_ROLE_NONE, .s = v, .len = strlen(v)};
    return pat_wl_check(s, &val);
}

static void test_types(void **state)
{
    struct pat_wl_set *s;
    struct error err;
    (void)state;
    error_clear(&err);
    assert_int_equal(pat_wl_set_load(&s, tmpdir, &err), 0);
    assert_int_equal(pat_wl_set_count(s), 6);
    /* cidr */
    assert_string_equal(check(s, PAT_V_IPV4, "10.255.1.2"), "a-cidr");
    assert_string_equal(check(s, PAT_V_IPV4, "192.0.2.7"), "a-cidr");
    assert_string_equal(check(s, PAT_V_IPV4, "192.0.2.9"), "a-cidr");
    assert_null(check(s, PAT_V_IPV4, "192.0.2.10"));
    assert_null(check(s, PAT_V_IPV4, "11.0.0.0"));
    assert_string_equal(check(s, PAT_V_IPV6, "2001:db8:ffff::1"), "a-cidr");
    assert_null(check(s, PAT_V_IPV6, "2001:db9::1"));
    assert_null(check(s, PAT_V_IPV4, "not an address"));
    assert_null(check(s, PAT_V_DOMAIN, "10.0.0.1")); /* cidr lists judge addresses only */
    /* hostname: the value or a parent; ".x" entries only below x */
    assert_string_equal(check(s, PAT_V_DOMAIN, "example.com"), "b-hosts");
    assert_string_equal(check(s, PAT_V_DOMAIN, "www.Example.com"), "b-hosts");
    assert_null(check(s, PAT_V_DOMAIN, "badexample.com"));
    assert_string_equal(check(s, PAT_V_DOMAIN, "a.b.dyn.example"), "b-hosts");
    assert_null(check(s, PAT_V_DOMAIN, "dyn.example"));
    assert_string_equal(check(s, PAT_V_DOMAIN, "trailing.example"), "b-hosts");
    assert_string_equal(check(s, PAT_V_URL, "https://user@WWW.example.com:8443/x?y"), "b-hosts");
    assert_null(check(s, PAT_V_EMAIL, "a@example.com")); /* not in matching_attributes */
    /* string: exact, case-insensitive; no matching_attributes: every string kind */
    assert_string_equal(check(s, PAT_V_DOMAIN, "tld"), "c-strings");
    assert_string_equal(check(s, PAT_V_MD5, "d41d8cd98f00b204e9800998ecf8427e"), "c-strings");
    assert_null(check(s, PAT_V_DOMAIN, "sub.exact.example"));
    assert_null(check(s, PAT_V_IPV4, "10.0.0.1x"));
    /* substring */
    assert_string_equal(check(s, PAT_V_URL, "http://my.SandBox.example/"), "d-subs");
    assert_null(check(s, PAT_V_EMAIL, "sandbox@x.example"));
    /* regex with flags; the bad expression was skipped */
    assert_string_equal(check(s, PAT_V_EMAIL, "ABUSE@x.example"), "e-regex");
    assert_null(check(s, PAT_V_EMAIL, "me@x.example"));
    /* a list whose attributes name no kind we have applies to nothing */
    assert_null(check(s, PAT_V_URL, "http://z.example/"));
    struct pat_wl_info info;
    assert_int_equal(pat_wl_set_info(s, 0, &info), 0);
    assert_string_equal(info.key, "a-cidr");
    assert_string_equal(info.name, "Nets");
    assert_string_equal(info.type, "cidr");
    assert_int_equal(info.entries, 5);
    assert_int_equal(info.bad_entries, 2);
    assert_int_equal(info.suppressed, 4);
    assert_int_equal(pat_wl_set_info(s, 4, &info), 0);
    assert_int_equal(info.bad_entries, 1);
    assert_int_equal(info.suppressed, 1);
    assert_int_equal(pat_wl_set_info(s, 5, &info), 0);
    assert_int_equal(info.kinds, 0);
    assert_int_equal(pat_wl_set_info(s, 6, &info), ERR_NOT_FOUND);
    pat_wl_set_free(s);
}

static void test_single_file_and_errors(void **state)
{
    struct pat_wl_set *s;
    struct error err;
    char path[256];
    (void)state;
    error_clear(&err);
    snprintf(path, sizeof(path), "%s/b-hosts/list.json", tmpdir);
    assert_int_equal(pat_wl_set_load(&s, path, &err), 0);
    assert_int_equal(pat_wl_set_count(s), 1);
    assert_string_equal(check(s, PAT_V_DOMAIN, "x.example.com"), "b-hosts");
    pat_wl_set_free(s);

    snprintf(path, sizeof(path), "%s/schema.json", tmpdir);
    assert_int_equal(pat_wl_set_load(&s, path, &err), ERR_INVALID);
    assert_null(s);
    assert_non_null(strstr(err.msg, "schema.json"));
    error_clear(&err);
    assert_int_equal(pat_wl_set_load(&s, "/nonexistent/lists", &err), ERR_IO);
    error_clear(&err);
    snprintf(path, sizeof(path), "%s/empty", tmpdir);
    mkdir(path, 0700);
    assert_int_equal(pat_wl_set_load(&s, path, &err), ERR_NOT_FOUND);
    error_clear(&err);
    snprintf(path, sizeof(path), "%s/bad", tmpdir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/bad/x.json", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("{\"name\":\"x\",\"type\":\"bogus\",\"list\":[]}", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/bad", tmpdir);
    assert_int_equal(pat_wl_set_load(&s, path, &err), ERR_INVALID);
    assert_null(pat_wl_check(NULL, &(struct pat_value){.kind = PAT_V_IPV4, .s = "1", .len = 1}));
}

static bool have_dir(const char *path)
{
    if (access(path, R_OK) == 0)
        return true;
    printf("SKIP: %s not found (shared data absent)\n", path);
    return false;
}

/* Load one real list by key and check one value against it. */
static void real_one(const char *key, enum pat_vkind k, const char *v, bool listed)
{
    struct pat_wl_set *s;
    struct error err;
    char path[512];
    error_clear(&err);
    snprintf(path, sizeof(path), "%s/%s/list.json", WL_DIR, key);
    assert_int_equal(pat_wl_set_load(&s, path, &err), 0);
    const char *got = check(s, k, v);
    if (listed) {
        assert_non_null(got);
        assert_string_equal(got, key);
    } else {
        assert_null(got);
    }
    pat_wl_set_free(s);
}

static void test_real_lists(void **state)
{
    struct pat_wl_set *s;
    struct error err;
    struct pat_wl_info info;
    size_t total = 0;
    (void)state;
    if (!have_dir(WL_DIR))
        return;
    error_clear(&err);
    assert_int_equal(pat_wl_set_load(&s, WL_DIR, &err), 0);
    assert_int_equal(pat_wl_set_count(s), 29);
    for (size_t i = 0; i < pat_wl_set_count(s); i++) {
        assert_int_equal(pat_wl_set_info(s, i, &info), 0);
        total += info.entries + info.bad_entries;
        assert_true(info.entries > 0);
    }
    printf("29 warninglists, %zu entries\n", total);
    assert_string_equal(check(s, PAT_V_IPV4, "10.1.2.3"), "rfc1918");
    assert_non_null(check(s, PAT_V_IPV4, "8.8.8.8"));
    assert_non_null(check(s, PAT_V_DOMAIN, "www.google.com"));
    assert_non_null(check(s, PAT_V_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
    assert_non_null(check(s, PAT_V_EMAIL, "abuse@example.org"));
    assert_null(check(s, PAT_V_IPV4, "91.240.118.172"));
    assert_null(check(s, PAT_V_DOMAIN, "ttisecurity-not-listed.example"));
    pat_wl_set_free(s);

    real_one("public-dns-v4", PAT_V_IPV4, "8.8.8.8", true);
    real_one("public-dns-v4", PAT_V_IPV4, "8.8.8.9", false);
    real_one("rfc1918", PAT_V_IPV4, "10.1.2.3", true);
    real_one("rfc1918", PAT_V_IPV4, "172.32.0.1", false);
    real_one("ipv6-linklocal", PAT_V_IPV6, "fe80::1", true);
    real_one("tranco10k", PAT_V_DOMAIN, "google.com", true);
    real_one("tranco10k", PAT_V_DOMAIN, "mail.google.com", true);
    real_one("tranco10k", PAT_V_URL, "https://www.google.com/search?q=x", true);
    real_one("dynamic-dns", PAT_V_DOMAIN, "host.dyndns.org", true);
    real_one("dynamic-dns", PAT_V_DOMAIN, "dyndns.org", false);
    real_one("tlds", PAT_V_DOMAIN, "com", true);
    real_one("empty-hashes", PAT_V_MD5, "d41d8cd98f00b204e9800998ecf8427e", true);
    real_one("empty-hashes", PAT_V_DOMAIN, "d41d8cd98f00b204e9800998ecf8427e", false);
    real_one("common-contact-emails", PAT_V_EMAIL, "NOC@example.org", true);
    real_one("automated-malware-analysis", PAT_V_URL, "https://app.any.run/tasks/1", true);
    real_one("url-shortener", PAT_V_URL, "https://bit.ly/abc", true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_single_file_and_errors),
        cmocka_unit_test(test_real_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
