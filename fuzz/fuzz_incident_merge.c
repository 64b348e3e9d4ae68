/*
 * libFuzzer target for the merge of an incident's records
 * (src/coop/incident_view.c): records arrive from peer nodes, so their
 * extension properties are outside input.  The input is a JSON array whose
 * first element stands for the incident and the rest for participation
 * notes.  Checked, abort() on violation: the merge returns an object with
 * arrays `assisting_refs`, `links`, `requests` and `parts`; every request
 * has a string `key`, `from_ref` and `to_ref`; the same records in reverse
 * order merge to the same status, lead, times and requests.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/incident_int.h"
#include "fuzz_check.h"

/* Country involvement decided from the input itself: identities ending in an even digit. */
static bool even_country(void *ctx, const char *identity, json_t *countries)
{
    (void)ctx;
    (void)countries;
    size_t n = strlen(identity);
    return n && (identity[n - 1] - '0') % 2 == 0;
}

static void check_shape(json_t *m)
{
    size_t i;
    json_t *q;
    CHECK(json_is_object(m));
    CHECK(json_is_array(json_object_get(m, "assisting_refs")));
    CHECK(json_is_array(json_object_get(m, "links")));
    CHECK(json_is_array(json_object_get(m, "parts")));
    json_array_foreach (json_object_get(m, "requests"), i, q) {
        CHECK(json_is_string(json_object_get(q, "key")));
        /* counted requests name their target; only the target's record answers */
        CHECK(json_is_string(json_object_get(q, "to_ref")));
        CHECK(json_is_string(json_object_get(q, "from_ref")));
    }
}

static json_t *merge(json_t *in, bool reverse)
{
    json_t *notes = json_array();
    size_t n = json_array_size(in);
    for (size_t i = 1; i < n; i++)
        json_array_append(notes, json_array_get(in, reverse ? n - i : i));
    json_t *m = coop_inc_merge(json_array_get(in, 0), notes, even_country, NULL);
    json_decref(notes);
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (!json_is_array(in) || json_array_size(in) == 0 ||
        !json_is_object(json_array_get(in, 0))) {
        json_decref(in);
        return 0;
    }
    json_t *a = merge(in, false), *b = merge(in, true);
    check_shape(a);
    check_shape(b);
    CHECK(json_equal(json_object_get(a, "requests"), json_object_get(b, "requests")));
    static const char *const keys[] = {"lead_ref", "status", "acknowledged", "resolved"};
    for (size_t i = 0; i < 4; i++) {
        json_t *x = json_object_get(a, keys[i]), *y = json_object_get(b, keys[i]);
        CHECK((!x && !y) || (x && y && json_equal(x, y)));
    }
    json_decref(a);
    json_decref(b);
    json_decref(in);
    return 0;
}
