/*
 * Unit tests for src/cli/config.c: the node configuration file
 * ("key = value" lines, blank lines and '#' comments), its defaults, the
 * errors that name the offending line, and save + load of a data directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "util/error.h"
#include "util/limits.h"

#include "../../lib/tmpdir.h"

static void test_defaults(void **state)
{
    struct cli_config c;
    (void)state;
    memset(&c, 0x5a, sizeof(c));
    cli_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8443");
    assert_string_equal(c.tls_cert, "tls/cert.pem");
    assert_string_equal(c.tls_key, "tls/key.pem");
    assert_string_equal(c.title, "Concord node");
    assert_string_equal(c.description, "Concord regional cyber cooperation node (TAXII 2.1)");
    assert_string_equal(c.contact, "");
    assert_string_equal(c.default_collection, "");
    assert_int_equal(c.max_content_length, LIMIT_BODY_DEFAULT);
    assert_int_equal(c.threads, 4);
}

static int parse(struct cli_config *c, const char *text, struct error *err)
{
    cli_config_defaults(c);
    error_clear(err);
    int r = cli_config_parse(c, text, err);
    assert_int_equal(err->code, r);
    return r;
}

static void test_valid_file(void **state)
{
    struct cli_config c;
    struct error err;
    (void)state;
    assert_int_equal(parse(&c,
                           "listen = 0.0.0.0:9443\n"
                           "tls_cert = /etc/concord/cert.pem\n"
                           "tls_key=/etc/concord/key.pem\n"
                           "title = Regional node = one\n"
                           "description = shared threat data\n"
                           "contact = soc@example.org\n"
                           "default_collection = indicators\n"
                           "max_content_length = 1048576\n"
                           "threads = 16\n",
                           &err),
                     0);
    assert_string_equal(c.listen, "0.0.0.0:9443");
    assert_string_equal(c.tls_cert, "/etc/concord/cert.pem");
    assert_string_equal(c.tls_key, "/etc/concord/key.pem");
    assert_string_equal(c.title, "Regional node = one"); /* split at the first '=' */
    assert_string_equal(c.description, "shared threat data");
    assert_string_equal(c.contact, "soc@example.org");
    assert_string_equal(c.default_collection, "indicators");
    assert_int_equal(c.max_content_length, 1048576);
    assert_int_equal(c.threads, 16);
}

static void test_comments_blank_lines(void **state)
{
    struct cli_config c;
    struct error err;
    (void)state;
    assert_int_equal(parse(&c,
                           "# a comment\n"
                           "\n"
                           "   \t \n"
                           "   # indented comment with key = value\n"
                           "\ttitle\t=\t  spaced out  \t\r\n"
                           "contact = a # not a comment here\r\n"
                           "\r\n"
                           "threads = 2", /* no final newline */
                           &err),
                     0);
    assert_string_equal(c.title, "spaced out");
    assert_string_equal(c.contact, "a # not a comment here");
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.listen, "127.0.0.1:8443"); /* untouched keys keep defaults */
    assert_int_equal(parse(&c, "", &err), 0);
    assert_int_equal(parse(&c, "\n\n#\n", &err), 0);
    /* an empty value is allowed for strings */
    assert_int_equal(parse(&c, "contact =\n", &err), 0);
    assert_string_equal(c.contact, "");
}

static void test_unknown_key(void **state)
{
    struct cli_config c;
    struct error err;
    (void)state;
    assert_int_equal(parse(&c, "# header\n\nlisten = 1.2.3.4:1\ntheads = 4\nthreads = 2\n", &err),
                     ERR_INVALID);
    assert_string_equal(err.msg, "line 4: unknown key 'theads'");
    assert_int_equal(parse(&c, "Listen = x\n", &err), ERR_INVALID); /* keys are case-sensitive */
    assert_string_equal(err.msg, "line 1: unknown key 'Listen'");
    assert_int_equal(parse(&c, "= value\n", &err), ERR_INVALID);
    assert_string_equal(err.msg, "line 1: unknown key ''");
    assert_int_equal(parse(&c, "\n\njust words\n", &err), ERR_INVALID);
    assert_string_equal(err.msg, "line 3: expected 'key = value'");
}

static void bad_value(const char *text, const char *msg)
{
    struct cli_config c;
    struct error err;
    assert_int_equal(parse(&c, text, &err), ERR_INVALID);
    assert_string_equal(err.msg, msg);
}

static void test_bad_numbers(void **state)
{
    (void)state;
    bad_value("threads = 0\n", "line 1: bad value for 'threads'");
    bad_value("threads = 65\n", "line 1: bad value for 'threads'");
    bad_value("threads = four\n", "line 1: bad value for 'threads'");
    bad_value("threads = 4x\n", "line 1: bad value for 'threads'");
    bad_value("threads = 4 4\n", "line 1: bad value for 'threads'");
    bad_value("threads =\n", "line 1: bad value for 'threads'");
    bad_value("threads = -1\n", "line 1: bad value for 'threads'");
    bad_value("threads = 18446744073709551617\n", "line 1: bad value for 'threads'");
    bad_value("#\nmax_content_length = 1023\n", "line 2: bad value for 'max_content_length'");
    bad_value("max_content_length = 268435457\n", "line 1: bad value for 'max_content_length'");
    bad_value("max_content_length = 1e6\n", "line 1: bad value for 'max_content_length'");
    bad_value("max_content_length = -4294967296\n", "line 1: bad value for 'max_content_length'");

    struct cli_config c;
    struct error err;
    assert_int_equal(parse(&c, "threads = 1\nmax_content_length = 1024\n", &err), 0);
    assert_int_equal(c.threads, 1);
    assert_int_equal(c.max_content_length, 1024);
    assert_int_equal(parse(&c, "threads = 64\nmax_content_length = 268435456\n", &err), 0);
    assert_int_equal(c.threads, 64);
    assert_int_equal(c.max_content_length, LIMIT_BODY_MAX);
}

static void test_long_values(void **state)
{
    struct cli_config c;
    struct error err;
    char text[4096];
    (void)state;

    /* listen holds 95 characters and its NUL */
    snprintf(text, sizeof(text), "listen = %095d\n", 0);
    assert_int_equal(parse(&c, text, &err), 0);
    assert_int_equal(strlen(c.listen), 95);
    snprintf(text, sizeof(text), "listen = %096d\n", 0);
    bad_value(text, "line 1: bad value for 'listen'");
    snprintf(text, sizeof(text), "\ndefault_collection = %064d\n", 0);
    bad_value(text, "line 2: bad value for 'default_collection'");

    /* a line longer than the parser's line buffer */
    memset(text, 'x', sizeof(text));
    memcpy(text, "title = ", 8);
    text[3000] = '\0';
    bad_value(text, "line 1: too long");
    memcpy(text, "# ", 2); /* even a comment */
    bad_value(text, "line 1: too long");
}

static void test_save_load(void **state)
{
    struct cli_config c, back;
    struct error err;
    char dir[PATH_MAX], path[PATH_MAX];
    (void)state;

    assert_int_equal(tmpdir_make(dir, "concord-config-"), 0);
    cli_config_defaults(&c);
    snprintf(c.listen, sizeof(c.listen), "10.1.2.3:443");
    snprintf(c.tls_cert, sizeof(c.tls_cert), "/srv/tls/cert.pem");
    snprintf(c.title, sizeof(c.title), "Node = #1");
    snprintf(c.contact, sizeof(c.contact), "soc@example.org");
    snprintf(c.default_collection, sizeof(c.default_collection), "shared");
    c.max_content_length = 2048;
    c.threads = 9;
    error_clear(&err);
    assert_int_equal(cli_config_save(dir, &c, &err), 0);
    memset(&back, 0x5a, sizeof(back));
    assert_int_equal(cli_config_load(dir, &back, &err), 0);
    assert_string_equal(back.listen, c.listen);
    assert_string_equal(back.tls_cert, c.tls_cert);
    assert_string_equal(back.tls_key, c.tls_key);
    assert_string_equal(back.title, c.title);
    assert_string_equal(back.description, c.description);
    assert_string_equal(back.contact, c.contact);
    assert_string_equal(back.default_collection, c.default_collection);
    assert_int_equal(back.max_content_length, 2048);
    assert_int_equal(back.threads, 9);

    /* defaults round-trip too (empty contact and collection) */
    cli_config_defaults(&c);
    assert_int_equal(cli_config_save(dir, &c, &err), 0);
    assert_int_equal(cli_config_load(dir, &back, &err), 0);
    assert_memory_equal(&back, &c, sizeof(c));

    /* a bad file: the error names the file and the line */
    assert_int_equal(tmpdir_path(path, dir, "concord.conf"), 0);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("threads = 2\nbogus = 1\n", fp);
    fclose(fp);
    error_clear(&err);
    assert_int_equal(cli_config_load(dir, &back, &err), ERR_INVALID);
    assert_string_equal(err.msg, "line 2: unknown key 'bogus'");
    assert_string_equal(err.path, path);

    /* no file at all */
    assert_int_equal(remove(path), 0);
    error_clear(&err);
    assert_int_equal(cli_config_load(dir, &back, &err), ERR_IO);
    assert_non_null(strstr(err.msg, "concord.conf"));
    assert_int_equal(tmpdir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_comments_blank_lines),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_save_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
