/*
 * libFuzzer target for the STIX validator (src/stix/validate*.c) and the
 * id and timestamp parsers under it.
 *
 * The input is parsed as JSON (any top-level value, embedded NULs
 * allowed, so the length-based string handling is exercised).  An object
 * is validated; a bundle-like object with an "objects" array also has
 * each element validated, as an envelope or bundle import would; a bare
 * string is fed to the timestamp and id parsers.  Invariants a caller
 * relies on are checked and abort() on violation: success fills the meta
 * strings, failure records ERR_INVALID with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stix/id.h"
#include "stix/timestamp.h"
#include "stix/validate.h"
#include "util/error.h"

static void check_one(json_t *obj)
{
    struct stix_meta meta;
    struct error err;
    int r;

    error_clear(&err);
    r = stix_validate(obj, &meta, &err);
    if (r == 0) {
        if (err.code != 0 || !meta.type || !meta.id || !meta.spec_version)
            abort();
        if (meta.version && meta.version_ns == 0 &&
            strncmp(meta.version, "1970-01-01T00:00:00", 19))
            abort();
        if (meta.kind == STIX_KIND_SCO && (meta.versioned || meta.version))
            abort();
    } else if (r != ERR_INVALID || err.code != ERR_INVALID || err.msg[0] == '\0') {
        abort();
    }
    stix_validate(obj, NULL, NULL); /* NULL meta and err are allowed */
}

static void check_string(json_t *s)
{
    const char *v = json_string_value(s);
    size_t len = json_string_length(s);
    struct stix_ts t;
    int64_t ns;
    int frac;
    const char *type;

    if (stix_ts_parse(v, len, &ns, &frac) == 0 && stix_ts_parse_full(v, len, &t) != 0)
        abort();
    if (stix_id_problem(v, len, NULL, 0) == NULL && stix_id_type(v, len, &type) == 0)
        abort();
    stix_id_check(v, NULL, NULL);
    stix_id_hash(v, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    json_t *objs, *o;
    size_t i;

    if (!root)
        return 0;
    if (json_is_string(root))
        check_string(root);
    else
        check_one(root);
    objs = json_object_get(root, "objects");
    json_array_foreach(objs, i, o) check_one(o);
    json_decref(root);
    return 0;
}
