/*
 * libFuzzer target for redaction (src/share/redact.c, with the marking
 * decision of policy.c under it): the input is parsed as a JSON object and
 * handed to share_redact for fixed readers (an outsider, an organisation
 * named in a sharing group, a member of a group's community, the creator)
 * with a fixed set of known markings (two sharing groups, a statement;
 * any other non-TLP id is unknown).
 *
 * Checked, abort() on violation:
 *   - the redacted object serializes, and parses back to the same value;
 *   - the creator gets the object unchanged, and share_redact says so;
 *   - redacting the copy again changes nothing (unless a selector points
 *     into object_marking_refs or granular_markings, whose removal changes
 *     the decision itself);
 *   - when every selector of the input selects something, every selector
 *     left in the copy does too (kept entries follow the shortened lists,
 *     entries whose content went are gone).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "share/share.h"
#include "fuzz_check.h"

#define ID_A "identity--0a0a0a0a-0000-4000-8000-00000000000a"
#define ID_C "identity--0c0c0c0c-0000-4000-8000-00000000000c"
#define ID_D "identity--0d0d0d0d-0000-4000-8000-00000000000d"
#define ID_E "identity--0e0e0e0e-0000-4000-8000-00000000000e"
#define G_NAMED "marking-definition--11111111-1111-4111-8111-111111111111"
#define G_COMM "marking-definition--22222222-2222-4222-8222-222222222222"
#define M_STATEMENT "marking-definition--44444444-4444-4444-8444-444444444444"

static const char *named_orgs[] = {ID_C};
static const char *comm_names[] = {"asean"};
static const struct share_marking mk_named = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                              named_orgs, 1, NULL, 0};
static const struct share_marking mk_comm = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                             NULL, 0, comm_names, 1};
static const struct share_marking mk_statement = {SHARE_MK_OTHER, SHARE_TLP_NONE, NULL,
                                                  NULL, 0, NULL, 0};

static const struct share_marking *lookup(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, G_NAMED) == 0)
        return &mk_named;
    if (strcmp(id, G_COMM) == 0)
        return &mk_comm;
    if (strcmp(id, M_STATEMENT) == 0)
        return &mk_statement;
    return NULL;
}

static const struct share_policy policy = {lookup, NULL, SHARE_TLP_AMBER};
static const char *asean[] = {"asean"};
static const struct share_reader readers[] = {
    {5, ID_E, NULL, 0, false},  /* outsider */
    {3, ID_C, NULL, 0, false},  /* named in G_NAMED */
    {4, ID_D, asean, 1, false}, /* member of G_COMM through its community */
};
static const struct share_reader creator = {1, ID_A, NULL, 0, false};

/* Does selector s (s[0..n)) select something in obj? (STIX 2.1 §7.2.3.1) */
static bool resolves(json_t *obj, const char *s, size_t n)
{
    json_t *cur = obj;
    size_t i = 0;
    while (cur) {
        size_t j = i;
        while (j < n && s[j] != '.')
            j++;
        if (j == i)
            return false;
        if (s[i] == '[') {
            if (j - i < 3 || s[j - 1] != ']' || !json_is_array(cur))
                return false;
            size_t idx = 0;
            for (size_t k = i + 1; k < j - 1; k++) {
                if (s[k] < '0' || s[k] > '9' || idx > 100000000)
                    return false;
                idx = idx * 10 + (size_t)(s[k] - '0');
            }
            cur = json_array_get(cur, idx);
        } else {
            cur = json_is_object(cur) ? json_object_getn(cur, s + i, j - i) : NULL;
        }
        if (j == n)
            break;
        i = j + 1;
    }
    return cur != NULL;
}

/*
 * Do all selectors resolve?  *touchy: some selector points into the
 * markings themselves.  Non-string selectors count as not resolving.
 */
static bool all_resolve(json_t *obj, bool *touchy)
{
    bool ok = true;
    size_t i, k;
    json_t *gm, *s;
    json_array_foreach(json_object_get(obj, "granular_markings"), i, gm) {
        json_array_foreach(json_object_get(gm, "selectors"), k, s) {
            const char *v = json_string_value(s);
            size_t n = json_string_length(s);
            if (!v) {
                ok = false;
                continue;
            }
            if (!strncmp(v, "object_marking_refs", 19) || !strncmp(v, "granular_markings", 17))
                *touchy = true;
            if (!resolves(obj, v, n))
                ok = false;
        }
    }
    return ok;
}

static void check_reader(json_t *in, const struct share_reader *r, bool valid, bool touchy)
{
    json_t *o = json_deep_copy(in);
    CHECK(o != NULL);
    share_redact(&policy, r, o);
    char *text = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
    CHECK(text != NULL);
    json_error_t jerr;
    json_t *back = json_loads(text, JSON_DECODE_ANY, &jerr);
    CHECK(back != NULL);
    CHECK(json_equal(back, o));
    json_decref(back);
    free(text);
    if (valid) {
        bool t = false;
        CHECK(all_resolve(o, &t));
    }
    if (!touchy) {
        json_t *again = json_deep_copy(o);
        CHECK(!share_redact(&policy, r, again));
        CHECK(json_equal(again, o));
        json_decref(again);
    }
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *in = json_loadb((const char *)data, size, 0, &jerr);
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    bool touchy = false;
    bool valid = all_resolve(in, &touchy);
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
        check_reader(in, &readers[i], valid, touchy);
    /* the creator gets everything, whatever the markings say */
    json_object_set_new(in, "created_by_ref", json_string(ID_A));
    json_t *o = json_deep_copy(in);
    CHECK(!share_redact(&policy, &creator, o));
    CHECK(json_equal(o, in));
    json_decref(o);
    json_decref(in);
    return 0;
}
