/*
 * Unit tests for src/share/redact.c: the copy of an object a reader gets.
 * Every selector form (property, list index, nested property of a list
 * element, whole list element, dictionary key, whole list, long keys),
 * removing several elements of one list (indexes mean the original
 * positions), the selectors of the granular markings that stay being
 * renumbered to the shortened lists, granular-marking entries losing the
 * selectors whose content went (and going when none is left), language
 * markings untouched, TLP/group/statement/unknown markings per reader
 * (AMBER and RED through the object's sharing groups), markings other than
 * TLP -- sharing groups and statements alike -- that are not the object
 * creator's own (made by another organisation or by nobody, or on an object
 * without created_by_ref) hiding their content from everyone but the
 * creator, and the recipient lists of a sharing group hidden from everyone
 * but its creator.
 * Marking definitions come from a lookup over hand-made share_marking values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "share/share.h"

#define T_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define T_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define T_AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define T_RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define T1_RED "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

#define ID_A "identity--0a0a0a0a-0000-4000-8000-00000000000a" /* creator */
#define ID_C "identity--0c0c0c0c-0000-4000-8000-00000000000c" /* named in G_NAMED */
#define ID_D "identity--0d0d0d0d-0000-4000-8000-00000000000d" /* in community asean */
#define ID_E "identity--0e0e0e0e-0000-4000-8000-00000000000e" /* outsider */

#define G_NAMED "marking-definition--11111111-1111-4111-8111-111111111111"
#define G_COMM "marking-definition--22222222-2222-4222-8222-222222222222"
#define M_STATEMENT "marking-definition--44444444-4444-4444-8444-444444444444"
#define M_UNKNOWN "marking-definition--55555555-5555-4555-8555-555555555555"
#define G_SQUAT "marking-definition--77777777-7777-4777-8777-777777777777" /* by E, names C and E */
#define G_NOBODY "marking-definition--88888888-8888-4888-8888-888888888888" /* no creator */
#define M_STMT_E "marking-definition--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" /* statement by E */
#define M_STMT_NOBODY "marking-definition--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" /* no creator */
#define EXT SHARE_GROUP_EXTENSION

static const char *named_orgs[] = {ID_C};
static const char *comm_names[] = {"asean"};
static const struct share_marking mk_named = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                              named_orgs, 1, NULL, 0};
static const struct share_marking mk_comm = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                             NULL, 0, comm_names, 1};
static const char *squat_orgs[] = {ID_C, ID_E};
static const struct share_marking mk_squat = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_E,
                                              squat_orgs, 2, comm_names, 1};
static const struct share_marking mk_nobody = {SHARE_MK_GROUP, SHARE_TLP_NONE, NULL,
                                               squat_orgs, 2, comm_names, 1};
static const struct share_marking mk_statement = {SHARE_MK_OTHER, SHARE_TLP_NONE, ID_A,
                                                  NULL, 0, NULL, 0};
static const struct share_marking mk_stmt_e = {SHARE_MK_OTHER, SHARE_TLP_NONE, ID_E,
                                               NULL, 0, NULL, 0};
static const struct share_marking mk_stmt_nobody = {SHARE_MK_OTHER, SHARE_TLP_NONE, NULL,
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
    if (strcmp(id, G_SQUAT) == 0)
        return &mk_squat;
    if (strcmp(id, G_NOBODY) == 0)
        return &mk_nobody;
    if (strcmp(id, M_STMT_E) == 0)
        return &mk_stmt_e;
    if (strcmp(id, M_STMT_NOBODY) == 0)
        return &mk_stmt_nobody;
    return NULL;
}

static const struct share_policy policy = {lookup, NULL, SHARE_TLP_AMBER};
static const char *asean[] = {"asean"};
static const struct share_reader creator = {1, ID_A, NULL, 0, false};
static const struct share_reader named = {3, ID_C, NULL, 0, false};
static const struct share_reader member = {4, ID_D, asean, 1, false};
static const struct share_reader outsider = {5, ID_E, NULL, 0, false};
static const struct share_reader node = {0, NULL, NULL, 0, true};

/* Redact `in` for r; check the result equals `want` and the changed flag. */
static void check(const struct share_reader *r, const char *in, const char *want, bool changed)
{
    json_error_t jerr;
    json_t *o = json_loads(in, 0, &jerr);
    if (!o)
        fail_msg("input does not parse: %s: %s", jerr.text, in);
    json_t *w = json_loads(want, 0, &jerr);
    if (!w)
        fail_msg("expected does not parse: %s: %s", jerr.text, want);
    bool got = share_redact(&policy, r, o);
    if (!json_equal(o, w) || got != changed) {
        char *g = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        char *e = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "input:    %s\nexpected: %s (changed %d)\ngot:      %s (changed %d)\n", in,
                e, changed, g, got);
        free(g);
        free(e);
        json_decref(o);
        json_decref(w);
        fail();
    }
    json_decref(o);
    json_decref(w);
}

#define HEAD "\"type\":\"indicator\",\"id\":\"indicator--9b8f7e6d-1111-4222-8333-444455556666\","
#define GREEN_BY_A HEAD "\"created_by_ref\":\"" ID_A "\",\"object_marking_refs\":[\"" T_GREEN "\"],"

/* ---- selector forms ---- */

static void test_selector_property(void **state)
{
    (void)state;
    const char *in = "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"secret\","
                     "\"granular_markings\":[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"description\"]}]}";
    check(&outsider, in, "{" GREEN_BY_A "\"name\":\"n\"}", true);
    /* the creator and the node get everything */
    check(&creator, in, in, false);
    check(&node, in, in, false);
}

static void test_selector_list_index(void **state)
{
    (void)state;
    check(&outsider,
          "{" GREEN_BY_A "\"labels\":[\"a\",\"b\",\"c\"],"
          "\"granular_markings\":[{\"marking_ref\":\"" T1_RED "\",\"selectors\":[\"labels.[1]\"]}]}",
          "{" GREEN_BY_A "\"labels\":[\"a\",\"c\"]}", true);
    /* the whole list */
    check(&outsider,
          "{" GREEN_BY_A "\"labels\":[\"a\",\"b\"],\"name\":\"n\","
          "\"granular_markings\":[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"labels\"]}]}",
          "{" GREEN_BY_A "\"name\":\"n\"}", true);
}

static void test_selector_nested(void **state)
{
    (void)state;
    const char *refs = "\"external_references\":[{\"source_name\":\"s0\",\"url\":\"https://e/0\"},"
                       "{\"source_name\":\"s1\",\"url\":\"https://e/1\",\"description\":\"d1\"}],";
    char in[2048], want[2048];
    /* one property of a list element */
    snprintf(in, sizeof(in),
             "{" GREEN_BY_A "%s\"granular_markings\":[{\"marking_ref\":\"" T_RED
             "\",\"selectors\":[\"external_references.[0].url\"]}]}",
             refs);
    snprintf(want, sizeof(want),
             "{" GREEN_BY_A "\"external_references\":[{\"source_name\":\"s0\"},"
             "{\"source_name\":\"s1\",\"url\":\"https://e/1\",\"description\":\"d1\"}]}");
    check(&outsider, in, want, true);
    /* a whole list element */
    snprintf(in, sizeof(in),
             "{" GREEN_BY_A "%s\"granular_markings\":[{\"marking_ref\":\"" T_RED
             "\",\"selectors\":[\"external_references.[1]\"]}]}",
             refs);
    snprintf(want, sizeof(want),
             "{" GREEN_BY_A "\"external_references\":[{\"source_name\":\"s0\",\"url\":\"https://e/0\"}]}");
    check(&outsider, in, want, true);
    /* a dictionary key, and a key inside an extension */
    check(&outsider,
          "{" GREEN_BY_A "\"x_dict\":{\"k1\":\"secret\",\"k2\":\"v2\"},\"extensions\":{\"x-ext\":{"
          "\"extension_type\":\"property-extension\",\"p\":1,\"q\":2}},"
          "\"granular_markings\":[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"x_dict.k1\","
          "\"extensions.x-ext.q\"]}]}",
          "{" GREEN_BY_A "\"x_dict\":{\"k2\":\"v2\"},\"extensions\":{\"x-ext\":{"
          "\"extension_type\":\"property-extension\",\"p\":1}}}",
          true);
    /* a list inside a list */
    check(&outsider,
          "{" GREEN_BY_A "\"x_m\":[[1,2,3],[4]],"
          "\"granular_markings\":[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"x_m.[0].[1]\"]}]}",
          "{" GREEN_BY_A "\"x_m\":[[1,3],[4]]}", true);
}

static void test_selector_long_key(void **state)
{
    (void)state;
    /* dictionary keys are not limited in length by the validator: neither is redaction */
    char key[301];
    memset(key, 'k', 300);
    key[300] = '\0';
    char in[2048], want[2048];
    snprintf(in, sizeof(in),
             "{" GREEN_BY_A "\"x_dict\":{\"%s\":\"secret\",\"short\":\"v\"},\"granular_markings\":"
             "[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"x_dict.%s\"]}]}",
             key, key);
    snprintf(want, sizeof(want), "{" GREEN_BY_A "\"x_dict\":{\"short\":\"v\"}}");
    check(&outsider, in, want, true);
    /* and a long key on the way to the selected content */
    snprintf(in, sizeof(in),
             "{" GREEN_BY_A "\"x_dict\":{\"%s\":{\"a\":\"secret\",\"b\":\"v\"}},\"granular_markings\":"
             "[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"x_dict.%s.a\"]}]}",
             key, key);
    snprintf(want, sizeof(want), "{" GREEN_BY_A "\"x_dict\":{\"%s\":{\"b\":\"v\"}}}", key);
    check(&outsider, in, want, true);
    /* a selector of more than a kilobyte is still renumbered */
    char big[1101], lin[4096], lwant[4096];
    memset(big, 'b', 1100);
    big[1100] = '\0';
    snprintf(lin, sizeof(lin),
             "{" GREEN_BY_A "\"x_dict\":{\"%s\":[\"a\",\"b\"]},\"granular_markings\":["
             "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"x_dict.%s.[0]\"]},"
             "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"x_dict.%s.[1]\"]}]}",
             big, big, big);
    snprintf(lwant, sizeof(lwant),
             "{" GREEN_BY_A "\"x_dict\":{\"%s\":[\"b\"]},\"granular_markings\":["
             "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"x_dict.%s.[0]\"]}]}",
             big, big);
    check(&outsider, lin, lwant, true);
}

/* ---- list indexes ---- */

static void test_index_shifting(void **state)
{
    (void)state;
    /* indexes are the original positions, in one entry or in several */
    check(&outsider,
          "{" GREEN_BY_A "\"labels\":[\"a\",\"b\",\"c\",\"d\"],\"granular_markings\":"
          "[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"labels.[0]\",\"labels.[2]\"]}]}",
          "{" GREEN_BY_A "\"labels\":[\"b\",\"d\"]}", true);
    check(&outsider,
          "{" GREEN_BY_A "\"labels\":[\"a\",\"b\",\"c\",\"d\"],\"granular_markings\":"
          "[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"labels.[0]\"]},"
          "{\"marking_ref\":\"" M_UNKNOWN "\",\"selectors\":[\"labels.[1]\"]}]}",
          "{" GREEN_BY_A "\"labels\":[\"c\",\"d\"]}", true);
    /* removing an element and then a property of it */
    check(&outsider,
          "{" GREEN_BY_A "\"external_references\":[{\"source_name\":\"s0\",\"url\":\"u\"},"
          "{\"source_name\":\"s1\"}],\"granular_markings\":"
          "[{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"external_references.[0]\","
          "\"external_references.[0].url\"]}]}",
          "{" GREEN_BY_A "\"external_references\":[{\"source_name\":\"s1\"}]}", true);
}

static void test_renumber_kept(void **state)
{
    (void)state;
    /* what stays marked keeps its marking: the selectors follow the shortened list */
    check(&outsider,
          "{" GREEN_BY_A "\"labels\":[\"a\",\"b\",\"c\",\"d\"],\"granular_markings\":["
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"labels.[0]\",\"labels.[2]\"]},"
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"labels.[1]\",\"labels.[3]\"]},"
          "{\"lang\":\"fr\",\"selectors\":[\"labels.[3]\"]}]}",
          "{" GREEN_BY_A "\"labels\":[\"b\",\"d\"],\"granular_markings\":["
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"labels.[0]\",\"labels.[1]\"]},"
          "{\"lang\":\"fr\",\"selectors\":[\"labels.[1]\"]}]}",
          true);
    /* nested: an index on the way to the selected content */
    check(&outsider,
          "{" GREEN_BY_A "\"external_references\":[{\"source_name\":\"s0\"},{\"source_name\":\"s1\"},"
          "{\"source_name\":\"s2\",\"url\":\"u2\"}],\"granular_markings\":["
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"external_references.[1]\"]},"
          "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"external_references.[2].url\","
          "\"external_references.[0]\"]}]}",
          "{" GREEN_BY_A "\"external_references\":[{\"source_name\":\"s0\"},"
          "{\"source_name\":\"s2\",\"url\":\"u2\"}],\"granular_markings\":["
          "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"external_references.[1].url\","
          "\"external_references.[0]\"]}]}",
          true);
    /* a reader who may see everything gets the same indexes */
    const char *in = "{" GREEN_BY_A "\"labels\":[\"a\",\"b\"],\"granular_markings\":["
                     "{\"marking_ref\":\"" G_COMM "\",\"selectors\":[\"labels.[0]\"]},"
                     "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"labels.[1]\"]}]}";
    check(&member, in, in, false);
}

/* ---- granular-marking entries ---- */

static void test_drop_emptied(void **state)
{
    (void)state;
    /* an allowed entry loses the selectors whose content went, and goes when none is left */
    check(&outsider,
          "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"labels\":[\"a\"],"
          "\"granular_markings\":["
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"description\",\"name\"]},"
          "{\"marking_ref\":\"" T_CLEAR "\",\"selectors\":[\"description\"]},"
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"description\",\"labels.[0]\"]}]}",
          "{" GREEN_BY_A "\"name\":\"n\",\"labels\":[],"
          "\"granular_markings\":[{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\"]}]}",
          true);
    /* a selector inside removed content goes too */
    check(&outsider,
          "{" GREEN_BY_A "\"x_d\":{\"a\":{\"b\":1}},\"name\":\"n\",\"granular_markings\":["
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"x_d.a.b\",\"name\"]},"
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"x_d\"]}]}",
          "{" GREEN_BY_A "\"name\":\"n\",\"granular_markings\":["
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\"]}]}",
          true);
    /* selectors that select nothing (never valid on input) are dropped without harm */
    check(&outsider,
          "{" GREEN_BY_A "\"name\":\"n\",\"labels\":[\"a\"],\"granular_markings\":["
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"nothing\",\"labels.[7]\",\"name.x\","
          "\"labels.x\",\"labels.[0].y\",\"\",\"..\",\"[0]\"]}]}",
          "{" GREEN_BY_A "\"name\":\"n\",\"labels\":[\"a\"]}", true);
    /* malformed entries (never valid on input) do not crash, and what is selected goes */
    json_t *o = json_loads("{" GREEN_BY_A "\"name\":\"n\",\"granular_markings\":[7,{\"marking_ref\":3,"
                           "\"selectors\":[\"name\"]},{\"marking_ref\":\"" T_RED "\",\"selectors\":"
                           "[1,\"name\"]},{\"marking_ref\":\"" T_RED "\",\"selectors\":\"name\"}]}",
                           0, NULL);
    assert_non_null(o);
    assert_true(share_redact(&policy, &outsider, o));
    assert_null(json_object_get(o, "name"));
    json_decref(o);
    o = json_loads("{" GREEN_BY_A "\"name\":\"n\",\"granular_markings\":{\"a\":1}}", 0, NULL);
    share_redact(&policy, &outsider, o);
    assert_non_null(json_object_get(o, "name"));
    json_decref(o);
}

static void test_language_untouched(void **state)
{
    (void)state;
    check(&outsider,
          "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
          "{\"lang\":\"fr\",\"selectors\":[\"description\"]},"
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"name\"]}]}",
          "{" GREEN_BY_A "\"description\":\"d\",\"granular_markings\":["
          "{\"lang\":\"fr\",\"selectors\":[\"description\"]}]}",
          true);
    const char *only_lang = "{" GREEN_BY_A "\"name\":\"n\",\"granular_markings\":["
                            "{\"lang\":\"ja\",\"selectors\":[\"name\"]}]}";
    check(&outsider, only_lang, only_lang, false);
}

/* ---- which granular markings allow whom ---- */

static void test_marking_kinds(void **state)
{
    (void)state;
    /* CLEAR, GREEN and the creator's statements allow everyone: nothing changes */
    const char *open = "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                       "{\"marking_ref\":\"" T_CLEAR "\",\"selectors\":[\"name\"]},"
                       "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"description\"]},"
                       "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\"]}]}";
    check(&outsider, open, open, false);
    /* unknown markings hide from everyone but the creator */
    const char *unk = "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                      "{\"marking_ref\":\"" M_UNKNOWN "\",\"selectors\":[\"description\"]}]}";
    check(&named, unk, "{" GREEN_BY_A "\"name\":\"n\"}", true);
    check(&creator, unk, unk, false);
    /* a sharing group as granular marking: its members only */
    const char *grp = "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                      "{\"marking_ref\":\"" G_NAMED "\",\"selectors\":[\"description\"]}]}";
    check(&named, grp, grp, false);
    check(&member, grp, "{" GREEN_BY_A "\"name\":\"n\"}", true);
}

static void test_amber_red_granular(void **state)
{
    (void)state;
    /* AMBER and RED granular markings use the object's sharing groups */
#define IN_GROUP(g) HEAD "\"created_by_ref\":\"" ID_A "\",\"object_marking_refs\":[\"" T_GREEN "\",\"" g "\"],"
    const char *comm = "{" IN_GROUP(G_COMM) "\"name\":\"n\",\"description\":\"d\","
                       "\"granular_markings\":["
                       "{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]},"
                       "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"name\"]}]}";
    /* a community member: AMBER yes, RED no (not named) */
    check(&member, comm,
          "{" IN_GROUP(G_COMM) "\"description\":\"d\",\"granular_markings\":["
          "{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]}]}",
          true);
    const char *nam = "{" IN_GROUP(G_NAMED) "\"name\":\"n\",\"description\":\"d\","
                      "\"granular_markings\":["
                      "{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]},"
                      "{\"marking_ref\":\"" T1_RED "\",\"selectors\":[\"name\"]}]}";
    /* named in the object's group: both */
    check(&named, nam, nam, false);
    /* no group on the object: neither AMBER nor RED allows anyone but the owners */
    check(&named,
          "{" GREEN_BY_A "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\","
          "\"granular_markings\":[{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]},"
          "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"name\"]}]}",
          "{" GREEN_BY_A "\"pattern\":\"p\"}", true);
    /* the object's group is unknown: fail closed */
    check(&named,
          "{" IN_GROUP(M_UNKNOWN) "\"pattern\":\"p\",\"name\":\"n\",\"granular_markings\":["
          "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"name\"]}]}",
          "{" IN_GROUP(M_UNKNOWN) "\"pattern\":\"p\"}", true);
#undef IN_GROUP
}

/* ---- sharing groups that are not the object creator's ---- */

static void test_foreign_group_granular(void **state)
{
    (void)state;
    /* a granular group made by E on A's object: gone for everyone but A, even those it names */
    const char *sq = "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"labels\":[\"x\",\"y\"],"
                     "\"granular_markings\":["
                     "{\"marking_ref\":\"" G_SQUAT "\",\"selectors\":[\"description\",\"labels.[0]\"]},"
                     "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"labels.[1]\"]}]}";
    const char *sq_gone = "{" GREEN_BY_A "\"name\":\"n\",\"labels\":[\"y\"],\"granular_markings\":["
                          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"labels.[0]\"]}]}";
    check(&named, sq, sq_gone, true);
    check(&member, sq, sq_gone, true);
    check(&outsider, sq, sq_gone, true); /* E made the group, but not the object */
    check(&creator, sq, sq, false);
    check(&node, sq, sq, false);
    /* a group without creator: the same */
    const char *nb = "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                     "{\"marking_ref\":\"" G_NOBODY "\",\"selectors\":[\"description\"]}]}";
    check(&named, nb, "{" GREEN_BY_A "\"name\":\"n\"}", true);
    /* E's group on E's object: its members keep the content */
#define BY_E HEAD "\"created_by_ref\":\"" ID_E "\",\"object_marking_refs\":[\"" T_GREEN "\"],"
    const char *own = "{" BY_E "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                      "{\"marking_ref\":\"" G_SQUAT "\",\"selectors\":[\"description\"]},"
                      "{\"marking_ref\":\"" G_NAMED "\",\"selectors\":[\"name\"]}]}";
    /* ...and A's group on E's object hides its content from those A named */
    check(&named, own,
          "{" BY_E "\"pattern\":\"p\",\"description\":\"d\",\"granular_markings\":["
          "{\"marking_ref\":\"" G_SQUAT "\",\"selectors\":[\"description\"]}]}",
          true);
    check(&member, own,
          "{" BY_E "\"pattern\":\"p\",\"description\":\"d\",\"granular_markings\":["
          "{\"marking_ref\":\"" G_SQUAT "\",\"selectors\":[\"description\"]}]}",
          true);
    /* A is in neither: not in E's group, and its own group does not apply to E's object */
    check(&creator, own, "{" BY_E "\"pattern\":\"p\"}", true);
    check(&outsider, own, own, false);
#undef BY_E
    /* an object without created_by_ref: a group's granular content is nobody's */
#define ANON HEAD "\"object_marking_refs\":[\"" T_GREEN "\"],"
    const char *anon = "{" ANON "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                       "{\"marking_ref\":\"" G_NAMED "\",\"selectors\":[\"description\"]},"
                       "{\"marking_ref\":\"" G_NOBODY "\",\"selectors\":[\"name\"]},"
                       "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"pattern\"]}],\"pattern\":\"p\"}";
    const char *anon_gone = "{" ANON "\"pattern\":\"p\",\"granular_markings\":["
                            "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"pattern\"]}]}";
    check(&named, anon, anon_gone, true);
    check(&creator, anon, anon_gone, true);
    check(&node, anon, anon, false);
#undef ANON
}

static void test_foreign_group_on_object(void **state)
{
    (void)state;
    /*
     * The object's own markings name a group that is not its creator's:
     * the groups are unresolvable, so AMBER/RED granular content (which
     * needs them) and every other marked content go, as for an unknown group.
     */
#define IN_SQUAT HEAD "\"created_by_ref\":\"" ID_A "\",\"object_marking_refs\":[\"" T_GREEN "\",\"" G_SQUAT "\"],"
    check(&named,
          "{" IN_SQUAT "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
          "{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]},"
          "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"name\"]},"
          "{\"lang\":\"fr\",\"selectors\":[\"pattern\"]}]}",
          "{" IN_SQUAT "\"pattern\":\"p\",\"granular_markings\":["
          "{\"lang\":\"fr\",\"selectors\":[\"pattern\"]}]}",
          true);
#undef IN_SQUAT
    /* the same AMBER/RED content with A's own group on A's object stays for the named */
#define IN_NAMED HEAD "\"created_by_ref\":\"" ID_A "\",\"object_marking_refs\":[\"" T_GREEN "\",\"" G_NAMED "\"],"
    const char *ok = "{" IN_NAMED "\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
                     "{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]},"
                     "{\"marking_ref\":\"" T_RED "\",\"selectors\":[\"name\"]}]}";
    check(&named, ok, ok, false);
#undef IN_NAMED
    /* on an object without creator, A's group resolves to nothing: AMBER content goes */
#define ANON_NAMED HEAD "\"object_marking_refs\":[\"" T_GREEN "\",\"" G_NAMED "\"],"
    check(&named,
          "{" ANON_NAMED "\"pattern\":\"p\",\"description\":\"d\",\"granular_markings\":["
          "{\"marking_ref\":\"" T_AMBER "\",\"selectors\":[\"description\"]}]}",
          "{" ANON_NAMED "\"pattern\":\"p\"}", true);
#undef ANON_NAMED
}

/* ---- statements that are not the object creator's ---- */

static void test_foreign_statement_granular(void **state)
{
    (void)state;
    /*
     * A's statement on A's object keeps its content for everyone; E's (or
     * nobody's) statement on it hides its content from everyone but A (E
     * and those A's groups name included), like an unknown marking.
     */
    const char *in =
        "{" GREEN_BY_A "\"name\":\"n\",\"description\":\"d\",\"labels\":[\"x\",\"y\"],"
        "\"granular_markings\":["
        "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\",\"labels.[1]\"]},"
        "{\"marking_ref\":\"" M_STMT_E "\",\"selectors\":[\"description\"]},"
        "{\"marking_ref\":\"" M_STMT_NOBODY "\",\"selectors\":[\"labels.[0]\"]}]}";
    const char *gone =
        "{" GREEN_BY_A "\"name\":\"n\",\"labels\":[\"y\"],\"granular_markings\":["
        "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\",\"labels.[0]\"]}]}";
    check(&named, in, gone, true);
    check(&member, in, gone, true);
    check(&outsider, in, gone, true); /* E made the statement, not the object */
    check(&creator, in, in, false);
    check(&node, in, in, false);
    /* E's statement on E's object: kept for everyone; A's statement there: gone but for E */
#define BY_E HEAD "\"created_by_ref\":\"" ID_E "\",\"object_marking_refs\":[\"" T_GREEN "\"],"
    const char *own =
        "{" BY_E "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
        "{\"marking_ref\":\"" M_STMT_E "\",\"selectors\":[\"description\"]},"
        "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\"]}]}";
    const char *own_gone =
        "{" BY_E "\"pattern\":\"p\",\"description\":\"d\",\"granular_markings\":["
        "{\"marking_ref\":\"" M_STMT_E "\",\"selectors\":[\"description\"]}]}";
    check(&named, own, own_gone, true);
    check(&creator, own, own_gone, true); /* A made the statement, not the object */
    check(&outsider, own, own, false);
#undef BY_E
    /* an object without created_by_ref: no statement's content is anyone's */
#define ANON HEAD "\"object_marking_refs\":[\"" T_GREEN "\"],"
    const char *anon =
        "{" ANON "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
        "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\"]},"
        "{\"marking_ref\":\"" M_STMT_NOBODY "\",\"selectors\":[\"description\"]},"
        "{\"lang\":\"fr\",\"selectors\":[\"pattern\"]}]}";
    const char *anon_gone = "{" ANON "\"pattern\":\"p\",\"granular_markings\":["
                            "{\"lang\":\"fr\",\"selectors\":[\"pattern\"]}]}";
    check(&named, anon, anon_gone, true);
    check(&creator, anon, anon_gone, true);
    check(&node, anon, anon, false);
#undef ANON
}

static void test_foreign_statement_on_object(void **state)
{
    (void)state;
    /*
     * The object's own markings name E's statement: unresolvable like an
     * unknown marking, so every marked part goes (languages stay), even
     * content marked with A's own statement or with GREEN.
     */
#define IN_STMT_E                                                                                  \
    HEAD "\"created_by_ref\":\"" ID_A "\",\"object_marking_refs\":[\"" T_GREEN "\",\"" M_STMT_E    \
         "\"],"
    check(&named,
          "{" IN_STMT_E
          "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"description\"]},"
          "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"name\"]},"
          "{\"lang\":\"fr\",\"selectors\":[\"pattern\"]}]}",
          "{" IN_STMT_E "\"pattern\":\"p\",\"granular_markings\":["
          "{\"lang\":\"fr\",\"selectors\":[\"pattern\"]}]}",
          true);
#undef IN_STMT_E
    /* with A's own statement on the object instead, the same content stays */
#define IN_STMT_A                                                                                  \
    HEAD "\"created_by_ref\":\"" ID_A "\",\"object_marking_refs\":[\"" T_GREEN "\",\"" M_STATEMENT \
         "\"],"
    const char *ok =
        "{" IN_STMT_A
        "\"pattern\":\"p\",\"name\":\"n\",\"description\":\"d\",\"granular_markings\":["
        "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"description\"]},"
        "{\"marking_ref\":\"" T_GREEN "\",\"selectors\":[\"name\"]}]}";
    check(&named, ok, ok, false);
#undef IN_STMT_A
}

/* ---- sharing groups' recipient lists ---- */

#define GROUP_HEAD                                                                                 \
    "\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" G_NAMED "\","             \
    "\"created\":\"2024-01-01T00:00:00.000Z\",\"created_by_ref\":\"" ID_A "\",\"name\":\"g\","

static void test_recipients_hidden(void **state)
{
    (void)state;
    const char *g = "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":"
                    "\"property-extension\",\"organizations\":[\"" ID_C "\"],\"communities\":[\"asean\"]}}}";
    const char *hidden = "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":"
                         "\"property-extension\"}}}";
    check(&outsider, g, hidden, true);
    /* members too: only the creator knows who else is in the group */
    check(&named, g, hidden, true);
    check(&creator, g, g, false);
    check(&node, g, g, false);
    /* nothing to hide */
    check(&outsider, hidden, hidden, false);
    /* other marking definitions are left as they are */
    const char *st = "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" M_STATEMENT
                     "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"definition_type\":\"statement\","
                     "\"definition\":{\"statement\":\"copyright\"}}";
    check(&outsider, st, st, false);
    /* the extension on an object that is not a marking definition is not a group */
    const char *ind = "{" GREEN_BY_A "\"extensions\":{\"" EXT "\":{\"extension_type\":"
                      "\"property-extension\",\"organizations\":[\"" ID_C "\"]}}}";
    check(&outsider, ind, ind, false);
}

static void test_recipients_granular(void **state)
{
    (void)state;
    /* a granular marking on a recipient list goes with the list */
    check(&outsider,
          "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\","
          "\"organizations\":[\"" ID_C "\",\"" ID_D "\"]}},\"granular_markings\":["
          "{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"extensions." EXT ".organizations.[1]\","
          "\"name\"]}]}",
          "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\"}},"
          "\"granular_markings\":[{\"marking_ref\":\"" M_STATEMENT "\",\"selectors\":[\"name\"]}]}",
          true);
    check(&outsider,
          "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\","
          "\"communities\":[\"asean\"]}},\"granular_markings\":["
          "{\"lang\":\"en\",\"selectors\":[\"extensions." EXT ".communities\"]}]}",
          "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\"}}}",
          true);
    /* on A's group, E's statement marks nothing that others may read: the name goes */
    check(&outsider,
          "{" GROUP_HEAD "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\"}},"
          "\"granular_markings\":[{\"marking_ref\":\"" M_STMT_E "\",\"selectors\":[\"name\"]}]}",
          "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" G_NAMED "\","
          "\"created\":\"2024-01-01T00:00:00.000Z\",\"created_by_ref\":\"" ID_A "\","
          "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\"}}}",
          true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selector_property),   cmocka_unit_test(test_selector_list_index),
        cmocka_unit_test(test_selector_nested),     cmocka_unit_test(test_selector_long_key),
        cmocka_unit_test(test_index_shifting),      cmocka_unit_test(test_renumber_kept),
        cmocka_unit_test(test_drop_emptied),        cmocka_unit_test(test_language_untouched),
        cmocka_unit_test(test_marking_kinds),       cmocka_unit_test(test_amber_red_granular),
        cmocka_unit_test(test_foreign_group_granular), cmocka_unit_test(test_foreign_group_on_object),
        cmocka_unit_test(test_foreign_statement_granular),
        cmocka_unit_test(test_foreign_statement_on_object),
        cmocka_unit_test(test_recipients_hidden),   cmocka_unit_test(test_recipients_granular),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
