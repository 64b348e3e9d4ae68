/*
 * libFuzzer target for the node configuration parser (src/cli/config.c):
 * the input, made NUL-terminated, is parsed over the defaults.  Checked,
 * abort() on violation: the result is 0 or ERR_INVALID and matches the
 * error record; a failure names its line; every string field stays
 * NUL-terminated inside its array and the numbers inside their ranges.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/error.h"
#include "util/limits.h"
#include "fuzz_check.h"

#define TERMINATED(field) CHECK(memchr((field), '\0', sizeof(field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    struct cli_config c;
    struct error err;
    cli_config_defaults(&c);
    error_clear(&err);
    int r = cli_config_parse(&c, text, &err);
    CHECK(r == 0 || r == ERR_INVALID);
    CHECK(err.code == r);
    if (r)
        CHECK(strncmp(err.msg, "line ", 5) == 0);
    TERMINATED(c.listen);
    TERMINATED(c.tls_cert);
    TERMINATED(c.tls_key);
    TERMINATED(c.title);
    TERMINATED(c.description);
    TERMINATED(c.contact);
    TERMINATED(c.default_collection);
    CHECK(c.threads >= 1 && c.threads <= 64);
    CHECK(c.max_content_length >= 1024 && c.max_content_length <= LIMIT_BODY_MAX);
    free(text);
    return 0;
}
