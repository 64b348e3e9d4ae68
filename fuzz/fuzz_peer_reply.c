/*
 * libFuzzer target for what a federation peer answers (src/sync/reply.c
 * and the envelope path of src/sync/pull.c): an objects page goes through
 * store_ingest_prepare and sync_envelope_info, a status resource through
 * sync_status_parse, a collections list through sync_collections_parse.
 * Checked, abort() on violation: a parsed `next` is a NUL-terminated
 * printable string shorter than SYNC_NEXT_MAX; counts are non-negative;
 * every failed/pending id reported is found again by sync_status_is_bad.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest.h"
#include "sync/reply.h"
#include "fuzz_check.h"

static int on_coll(void *ctx, const char *id, const char *title, bool r, bool w)
{
    CHECK(id && title && strlen(id) <= 64);
    (*(size_t *)ctx)++;
    return 0;
}

static void envelope(const char *text, size_t len)
{
    struct store_ingest ing;
    struct error err;
    error_clear(&err);
    int r = store_ingest_prepare(&ing, text, len, &err);
    if (r == 0 || json_is_object(ing.root)) {
        struct sync_page_info pi;
        if (sync_envelope_info(ing.root, &pi, &err) == 0) {
            size_t n = strlen(pi.next);
            CHECK(n < SYNC_NEXT_MAX);
            for (size_t i = 0; i < n; i++)
                CHECK(pi.next[i] > 0x20 && pi.next[i] < 0x7f);
        }
    }
    store_ingest_release(&ing);
}

static void status(const char *text, size_t len)
{
    struct sync_status st;
    struct error err;
    error_clear(&err);
    if (sync_status_parse(text, len, &st, &err) != 0)
        return;
    CHECK(st.total >= 0 && st.success >= 0 && st.failure >= 0 && st.pending >= 0);
    for (size_t i = 0; i < st.n_bad; i++)
        CHECK(sync_status_is_bad(&st, st.bad_ids[i]));
    sync_status_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    envelope(text, size);
    status(text, size);
    size_t n = 0;
    struct error err;
    error_clear(&err);
    sync_collections_parse(text, size, on_coll, &n, &err);
    free(text);
    return 0;
}
