/*
 * libFuzzer target for the log readers (src/pattern/logs*.c, jscan.c):
 * the input is read as a log in every format (detected, and each one
 * forced), and each record is turned into its STIX observation.
 *
 * Checked, abort() on violation: open succeeds, and next returns 1 or 0,
 * except on gzip input (ERR_IO for a corrupt stream); counters add up; each value is non-empty,
 * of a known kind and role; domains and hashes are lower-case (hashes hex
 * of their kind's length), addresses parse; the observation builds and
 * serialises (jansson accepted every string).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/logs.h"
#include "pattern/logs_int.h"
#include "fuzz_check.h"

static void check_value(const struct pat_value *v)
{
    static const size_t hash_len[] = {
        [PAT_V_MD5] = 32, [PAT_V_SHA1] = 40, [PAT_V_SHA256] = 64, [PAT_V_SHA512] = 128};
    char tmp[128];
    unsigned char bin[16];
    CHECK(v->s && v->len > 0);
    CHECK((unsigned)v->kind < PAT_V_KIND_COUNT && (unsigned)v->role <= PAT_ROLE_DST);
    if (v->kind == PAT_V_DOMAIN || (v->kind >= PAT_V_MD5 && v->kind <= PAT_V_SHA512))
        for (size_t i = 0; i < v->len; i++)
            CHECK(!(v->s[i] >= 'A' && v->s[i] <= 'Z'));
    if (v->kind >= PAT_V_MD5 && v->kind <= PAT_V_SHA512)
        CHECK(v->len == hash_len[v->kind]);
    if (v->kind == PAT_V_IPV4)
        CHECK(logs_is_ipv4(v->s, v->len));
    if (v->kind == PAT_V_IPV6) {
        CHECK(v->len < sizeof(tmp));
        memcpy(tmp, v->s, v->len);
        tmp[v->len] = '\0';
        CHECK(inet_pton(AF_INET6, tmp, bin) == 1);
    }
}

static void check_record(const struct pat_record *rec)
{
    json_t *roots, *by_ref;
    CHECK(rec->n <= PAT_RECORD_VALUES);
    for (size_t i = 0; i < rec->n; i++)
        check_value(&rec->v[i]);
    CHECK(pat_record_observation(rec, &roots, &by_ref) == 0);
    CHECK(json_array_size(roots) == json_object_size(by_ref));
    char *text = json_dumps(roots, JSON_COMPACT);
    CHECK(text != NULL);
    free(text);
    json_decref(roots);
    json_decref(by_ref);
}

static void run(const uint8_t *data, size_t size, enum pat_format fmt)
{
    struct pat_reader *r;
    struct pat_record rec;
    struct pat_reader_stats st;
    struct error err;
    int rc;
    long n = 0;
    error_clear(&err);
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return;
    bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    rc = pat_reader_open(&r, f, fmt, &err);
    if (rc) { /* only a corrupt gzip stream fails (while detecting the format) */
        CHECK(rc == ERR_IO && gz && err.code == ERR_IO);
        fclose(f);
        return;
    }
    while ((rc = pat_reader_next(r, &rec, &err)) == 1) {
        check_record(&rec);
        n++;
    }
    CHECK(rc == 0 || (rc == ERR_IO && gz));
    pat_reader_stats(r, &st);
    CHECK(st.records == n && st.bad_lines <= st.lines && st.records <= st.lines);
    pat_reader_free(r);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum pat_format fmts[] = {PAT_FMT_AUTO,      PAT_FMT_EVE,   PAT_FMT_ZEEK_TSV,
                                           PAT_FMT_ZEEK_JSON, PAT_FMT_JSONL, PAT_FMT_TEXT};
    if (size == 0)
        return 0; /* fmemopen refuses an empty buffer */
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
        run(data, size, fmts[i]);
    return 0;
}
