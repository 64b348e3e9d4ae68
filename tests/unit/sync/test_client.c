/*
 * Unit tests of src/sync/client.c when libcurl cannot be loaded: the file
 * is included with LIBCURL_SONAME naming a library that does not exist, so
 * every request must fail with ERR_IO and say why, never crash.  Requests
 * with the real libcurl run in tests/integration (test_sync, test_match).
 */
#define LIBCURL_SONAME "libconcord-no-such-curl.so.4"
#include "sync/client.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MISSING "cannot load libconcord-no-such-curl.so.4: "

static void test_request_without_libcurl(void **state)
{
    struct sync_target t = {.url = "http://127.0.0.1:9/", .timeout_s = 1};
    struct sync_reply rep = {0};
    struct error err;
    struct sync_http *h = sync_http_new();

    (void)state;
    assert_non_null(h); /* a handle: the request says why it cannot run */
    error_clear(&err);
    assert_int_equal(sync_http_request(h, &t, "GET", t.url, NULL, 0, &rep, &err), ERR_IO);
    assert_int_equal(err.code, ERR_IO);
    assert_memory_equal(err.msg, MISSING, strlen(MISSING));
    assert_null(rep.body);
    assert_int_equal(rep.retry_after, -1);
    sync_reply_release(&rep);
    sync_http_free(h);
}

static void test_post_without_libcurl(void **state)
{
    struct sync_target t = {.url = "http://127.0.0.1:9/", .timeout_s = 1};
    struct error err;
    char *reply = NULL;

    (void)state;
    error_clear(&err);
    assert_int_equal(sync_post_envelope(&t, "{}", 2, &reply, &err), ERR_IO);
    assert_memory_equal(err.msg, MISSING, strlen(MISSING));
    assert_null(reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_without_libcurl),
        cmocka_unit_test(test_post_without_libcurl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
