/*
 * libFuzzer target for ingest without a store (src/store/ingest.c):
 * store_ingest_prepare on the raw body, then the status resource the
 * server would return for it.  ingest.c is included to reach its static
 * status builder (the way unit tests reach statics); the copy in the core
 * library is then never linked in.
 *
 * Checked, abort() on violation: prepare returns 0, ERR_INVALID or
 * ERR_TOO_LARGE with the error recorded; each item either validated (meta
 * filled, no error) or failed with a path starting "objects[i]"; the text
 * a valid object would be stored as (its minified span) parses to the
 * validated object; the status JSON parses and its counts add up.
 */
#include "store/ingest.c"

#include <stdint.h>
#include "fuzz_check.h"

static void check_item(const struct store_ingest *ing, size_t i, char *scratch)
{
    const struct store_ingest_item *it = &ing->items[i];
    json_t *o = json_array_get(json_object_get(ing->root, "objects"), i);
    json_error_t jerr;

    if (it->err.code) {
        char at[32];
        int n = snprintf(at, sizeof(at), "objects[%zu]", i);
        CHECK(it->err.code == ERR_INVALID);
        CHECK(strncmp(it->err.path, at, (size_t)n) == 0);
        CHECK(it->err.msg[0] != '\0');
        return;
    }
    CHECK(it->meta.type && it->meta.id && it->meta.spec_version);
    size_t len = stix_json_minify(ing->text + ing->spans[i].off, ing->spans[i].len, scratch);
    json_t *back = json_loadb(scratch, len, JSON_REJECT_DUPLICATES, &jerr);
    CHECK(back != NULL);
    CHECK(json_equal(back, o));
    json_decref(back);
}

static void check_status(struct store_ingest *ing)
{
    json_error_t jerr;
    size_t len = 0;
    count_outcomes(ing);
    CHECK(ing->n_ok + ing->n_failed == ing->n);
    char *text = status_json(ing, "status--fuzz", &len);
    json_t *st = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    CHECK(st != NULL);
    json_int_t total = json_integer_value(json_object_get(st, "total_count"));
    json_int_t ok = json_integer_value(json_object_get(st, "success_count"));
    json_int_t failed = json_integer_value(json_object_get(st, "failure_count"));
    CHECK(total == (json_int_t)ing->n && ok == (json_int_t)ing->n_ok &&
          failed == (json_int_t)ing->n_failed);
    CHECK(json_array_size(json_object_get(st, "successes")) == ing->n_ok);
    CHECK(json_array_size(json_object_get(st, "failures")) == ing->n_failed);
    json_decref(st);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct store_ingest ing;
    struct error err;
    error_clear(&err);
    int r = store_ingest_prepare(&ing, (const char *)data, size, &err);
    if (r) {
        CHECK(r == ERR_INVALID || r == ERR_TOO_LARGE);
        CHECK(err.code == r && err.msg[0] != '\0');
    } else {
        char *scratch = malloc(size + 1);
        for (size_t i = 0; i < ing.n; i++)
            check_item(&ing, i, scratch);
        free(scratch);
        check_status(&ing);
    }
    store_ingest_release(&ing);
    return 0;
}
