/*
 * libFuzzer target for the CSAF 2.0 reader (src/coop/csaf.c): any input
 * is mapped to STIX vulnerabilities.  Checked, abort() on violation: the
 * result is 0 with an array of vulnerability objects (type, a
 * "vulnerability--" id, a non-empty name, the advisory extension), or an
 * error with no output and a message that names the problem.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop.h"
#include "util/error.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0;
}

static void check_vuln(json_t *v)
{
    const char *id = json_string_value(json_object_get(v, "id"));
    const char *name = json_string_value(json_object_get(v, "name"));
    CHECK(!strcmp(json_string_value(json_object_get(v, "type")), "vulnerability"));
    CHECK(id && !strncmp(id, "vulnerability--", 15) && strlen(id) == 51);
    CHECK(name && name[0]);
    CHECK(json_is_object(
        json_object_get(json_object_get(v, "extensions"), COOP_ADVISORY_EXTENSION)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct error err;
    json_t *out = NULL;
    error_clear(&err);
    int r = coop_csaf_to_stix((const char *)data, size, &out, &err);
    if (r) {
        CHECK(out == NULL);
        CHECK(err.code == r && err.msg[0]);
        return 0;
    }
    CHECK(json_is_array(out));
    size_t i;
    json_t *v;
    json_array_foreach(out, i, v) check_vuln(v);
    json_decref(out);
    return 0;
}
