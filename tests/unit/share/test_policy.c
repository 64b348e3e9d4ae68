/*
 * Unit tests for src/share/policy.c and tlp.c: TLP recognised by id (2.0
 * and 1.0), the marks extracted from an object, parsing a marking
 * definition, and share_may_read for every TLP level against the creator,
 * the origin organisation, an organisation named in a sharing group, a
 * member of a group's community and an outsider; several markings at
 * once, statements, unknown markings, no marking (default AMBER), marking
 * and extension definitions; a marking other than TLP -- a sharing group,
 * a statement, any other marking definition -- counts only on objects its
 * own creator created (one made by another organisation, by nobody, or on
 * an object without created_by_ref denies like an unknown marking), while
 * TLP markings, known by id, apply whoever created the object.
 * Marking definitions are resolved by a lookup over hand-made
 * share_marking values (no store; the delivery rule of context.c is in
 * test_squat.c).
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
#define T_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define T_RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define T1_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define T1_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define T1_AMBER "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
#define T1_RED "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

#define ID_A "identity--0a0a0a0a-0000-4000-8000-00000000000a" /* creator */
#define ID_B "identity--0b0b0b0b-0000-4000-8000-00000000000b" /* origin */
#define ID_C "identity--0c0c0c0c-0000-4000-8000-00000000000c" /* named in G_NAMED */
#define ID_D "identity--0d0d0d0d-0000-4000-8000-00000000000d" /* in community asean */
#define ID_E "identity--0e0e0e0e-0000-4000-8000-00000000000e" /* outsider (community eas) */
#define ID_F "identity--0f0f0f0f-0000-4000-8000-00000000000f" /* named in G_NAMED and in asean */

#define G_NAMED "marking-definition--11111111-1111-4111-8111-111111111111"
#define G_COMM "marking-definition--22222222-2222-4222-8222-222222222222"
#define G_EMPTY "marking-definition--33333333-3333-4333-8333-333333333333"
#define M_STATEMENT "marking-definition--44444444-4444-4444-8444-444444444444"
#define M_UNKNOWN "marking-definition--55555555-5555-4555-8555-555555555555"
#define M_UNKNOWN_KIND "marking-definition--66666666-6666-4666-8666-666666666666"
/* groups naming every reader, made by someone other than the objects' creator A */
#define G_SQUAT "marking-definition--77777777-7777-4777-8777-777777777777" /* by E */
#define G_NOBODY "marking-definition--88888888-8888-4888-8888-888888888888" /* no creator */
#define G_BY_B "marking-definition--99999999-9999-4999-8999-999999999999" /* by B (the origin) */
/* other known markings (statements, PAP, ...) made by someone other than A */
#define M_STMT_E "marking-definition--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"      /* by E */
#define M_STMT_NOBODY "marking-definition--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" /* no creator */
#define M_PAP_B "marking-definition--cccccccc-cccc-4ccc-8ccc-cccccccccccc"       /* by B */

static const char *named_orgs[] = {ID_C, ID_F};
static const char *comm_names[] = {"asean"};
static const char *every_org[] = {ID_A, ID_B, ID_C, ID_D, ID_E, ID_F};
static const char *every_comm[] = {"asean", "eas"};

static const struct share_marking mk_named = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                              named_orgs, 2, NULL, 0};
static const struct share_marking mk_comm = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                             NULL, 0, comm_names, 1};
static const struct share_marking mk_empty = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_A,
                                              NULL, 0, NULL, 0};
static const struct share_marking mk_squat = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_E,
                                              every_org, 6, every_comm, 2};
static const struct share_marking mk_nobody = {SHARE_MK_GROUP, SHARE_TLP_NONE, NULL,
                                               every_org, 6, every_comm, 2};
static const struct share_marking mk_by_b = {SHARE_MK_GROUP, SHARE_TLP_NONE, ID_B,
                                             every_org, 6, every_comm, 2};
static const struct share_marking mk_statement = {SHARE_MK_OTHER, SHARE_TLP_NONE, ID_A,
                                                  NULL, 0, NULL, 0};
static const struct share_marking mk_stmt_e = {SHARE_MK_OTHER, SHARE_TLP_NONE, ID_E,
                                               NULL, 0, NULL, 0};
static const struct share_marking mk_stmt_nobody = {SHARE_MK_OTHER, SHARE_TLP_NONE, NULL,
                                                    NULL, 0, NULL, 0};
static const struct share_marking mk_pap_b = {SHARE_MK_OTHER, SHARE_TLP_NONE, ID_B,
                                              NULL, 0, NULL, 0};
static const struct share_marking mk_unknown_kind = {SHARE_MK_UNKNOWN, SHARE_TLP_NONE, NULL,
                                                     NULL, 0, NULL, 0};

static int lookups; /* how often the policy asked */

static const struct share_marking *lookup(void *ctx, const char *id)
{
    (void)ctx;
    lookups++;
    if (strcmp(id, G_NAMED) == 0)
        return &mk_named;
    if (strcmp(id, G_COMM) == 0)
        return &mk_comm;
    if (strcmp(id, G_EMPTY) == 0)
        return &mk_empty;
    if (strcmp(id, G_SQUAT) == 0)
        return &mk_squat;
    if (strcmp(id, G_NOBODY) == 0)
        return &mk_nobody;
    if (strcmp(id, G_BY_B) == 0)
        return &mk_by_b;
    if (strcmp(id, M_STATEMENT) == 0)
        return &mk_statement;
    if (strcmp(id, M_STMT_E) == 0)
        return &mk_stmt_e;
    if (strcmp(id, M_STMT_NOBODY) == 0)
        return &mk_stmt_nobody;
    if (strcmp(id, M_PAP_B) == 0)
        return &mk_pap_b;
    if (strcmp(id, M_UNKNOWN_KIND) == 0)
        return &mk_unknown_kind;
    return NULL;
}

static const struct share_policy policy = {lookup, NULL, SHARE_TLP_AMBER};

static const char *asean[] = {"asean"};
static const char *eas[] = {"eas"};

enum { R_CREATOR, R_ORIGIN, R_NAMED, R_COMMUNITY, R_OUTSIDER, R_BOTH, N_READERS };

static const struct share_reader readers[N_READERS] = {
    [R_CREATOR] = {1, ID_A, NULL, 0, false},
    [R_ORIGIN] = {2, ID_B, NULL, 0, false},
    [R_NAMED] = {3, ID_C, NULL, 0, false},
    [R_COMMUNITY] = {4, ID_D, asean, 1, false},
    [R_OUTSIDER] = {5, ID_E, eas, 1, false},
    [R_BOTH] = {6, ID_F, asean, 1, false},
};

static const char *reader_name[N_READERS] = {"creator", "origin", "named", "community",
                                             "outsider", "named+community"};

/* An object created by A and delivered by org 2 (B). */
static struct share_marks marks(enum share_tlp tlp, const char *others)
{
    struct share_marks m = {tlp, others, ID_A, 2, false};
    return m;
}

/* ---- TLP by id ---- */

static void test_tlp_of(void **state)
{
    (void)state;
    assert_int_equal(share_tlp_of(T_CLEAR), SHARE_TLP_CLEAR);
    assert_int_equal(share_tlp_of(T_GREEN), SHARE_TLP_GREEN);
    assert_int_equal(share_tlp_of(T_AMBER), SHARE_TLP_AMBER);
    assert_int_equal(share_tlp_of(T_STRICT), SHARE_TLP_AMBER_STRICT);
    assert_int_equal(share_tlp_of(T_RED), SHARE_TLP_RED);
    assert_int_equal(share_tlp_of(T1_WHITE), SHARE_TLP_CLEAR);
    assert_int_equal(share_tlp_of(T1_GREEN), SHARE_TLP_GREEN);
    assert_int_equal(share_tlp_of(T1_AMBER), SHARE_TLP_AMBER);
    assert_int_equal(share_tlp_of(T1_RED), SHARE_TLP_RED);
    /* the STIX spec example id circulating as "GREEN" is not TLP */
    assert_int_equal(share_tlp_of("marking-definition--089a6ecb-cc15-43cc-9494-767639779123"),
                     SHARE_TLP_NONE);
    assert_int_equal(share_tlp_of(G_NAMED), SHARE_TLP_NONE);
    assert_int_equal(share_tlp_of(NULL), SHARE_TLP_NONE);
    assert_int_equal(share_tlp_of(""), SHARE_TLP_NONE);
    /* a TLP uuid under another type, or a prefix of a TLP id */
    assert_int_equal(share_tlp_of("identity--e828b379-4e03-4974-9ac4-e53a884c97c1"),
                     SHARE_TLP_NONE);
    assert_int_equal(share_tlp_of("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c"),
                     SHARE_TLP_NONE);
    assert_int_equal(share_tlp_of(T_RED "0"), SHARE_TLP_NONE);
    assert_string_equal(share_tlp_name(SHARE_TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
    assert_string_equal(share_tlp_name(SHARE_TLP_NONE), "none");
    assert_string_equal(share_tlp_name((enum share_tlp)42), "?");
}

/* ---- what the store keeps per version ---- */

static void marks_of(const char *json, enum share_tlp *tlp, char **others, bool *granular)
{
    json_error_t jerr;
    json_t *o = json_loads(json, 0, &jerr);
    assert_non_null(o);
    share_marks_of(o, tlp, others, granular);
    json_decref(o);
}

static void test_marks_of(void **state)
{
    enum share_tlp t;
    char *others;
    bool gran;
    (void)state;

    marks_of("{\"type\":\"indicator\"}", &t, &others, &gran);
    assert_int_equal(t, SHARE_TLP_NONE);
    assert_null(others);
    assert_false(gran);

    /* the most restrictive TLP wins, 1.0 and 2.0 mixed; others keep their order */
    marks_of("{\"type\":\"note\",\"object_marking_refs\":[\"" T_GREEN "\",\"" G_NAMED "\",\"" T1_RED
             "\",\"" M_STATEMENT "\",\"" T_CLEAR "\"]}",
             &t, &others, &gran);
    assert_int_equal(t, SHARE_TLP_RED);
    assert_string_equal(others, G_NAMED "," M_STATEMENT);
    free(others);

    marks_of("{\"type\":\"note\",\"object_marking_refs\":[\"" T1_WHITE "\"]}", &t, &others, &gran);
    assert_int_equal(t, SHARE_TLP_CLEAR);
    assert_null(others);
    marks_of("{\"type\":\"note\",\"object_marking_refs\":[\"" T1_AMBER "\",\"" T_STRICT "\"]}", &t,
             &others, &gran);
    assert_int_equal(t, SHARE_TLP_AMBER_STRICT);
    assert_null(others);

    /* marking and extension definitions without TLP are CLEAR; with TLP, that TLP */
    marks_of("{\"type\":\"marking-definition\"}", &t, &others, &gran);
    assert_int_equal(t, SHARE_TLP_CLEAR);
    marks_of("{\"type\":\"extension-definition\",\"object_marking_refs\":[\"" G_COMM "\"]}", &t,
             &others, &gran);
    assert_int_equal(t, SHARE_TLP_CLEAR);
    assert_string_equal(others, G_COMM);
    free(others);
    marks_of("{\"type\":\"marking-definition\",\"object_marking_refs\":[\"" T_AMBER "\"]}", &t,
             &others, &gran);
    assert_int_equal(t, SHARE_TLP_AMBER);

    marks_of("{\"type\":\"note\",\"granular_markings\":[{\"lang\":\"fr\",\"selectors\":[\"a\"]}]}",
             &t, &others, &gran);
    assert_true(gran);
    marks_of("{\"type\":\"note\",\"granular_markings\":[]}", &t, &others, &gran);
    assert_false(gran);
}

/* ---- parsing a marking definition ---- */

static void test_marking_parse(void **state)
{
    json_error_t jerr;
    struct share_marking m;
    (void)state;

    json_t *g = json_loads("{\"type\":\"marking-definition\",\"id\":\"" G_NAMED "\","
                           "\"created_by_ref\":\"" ID_A "\",\"extensions\":{\"" SHARE_GROUP_EXTENSION
                           "\":{\"extension_type\":\"property-extension\",\"organizations\":[\"" ID_C
                           "\",7,\"" ID_F "\"],\"communities\":[\"asean\",\"eas\"]}}}",
                           0, &jerr);
    assert_non_null(g);
    share_marking_parse(g, &m);
    assert_int_equal(m.kind, SHARE_MK_GROUP);
    assert_string_equal(m.creator, ID_A);
    assert_int_equal(m.n_orgs, 2); /* the number is skipped */
    assert_string_equal(m.orgs[0], ID_C);
    assert_string_equal(m.orgs[1], ID_F);
    assert_int_equal(m.n_communities, 2);
    assert_string_equal(m.communities[1], "eas");
    share_marking_release(&m);
    assert_null(m.orgs);
    json_decref(g);

    json_t *s = json_loads("{\"type\":\"marking-definition\",\"id\":\"" M_STATEMENT "\","
                           "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"c\"}}",
                           0, &jerr);
    share_marking_parse(s, &m);
    assert_int_equal(m.kind, SHARE_MK_OTHER);
    assert_null(m.creator);
    share_marking_release(&m);
    json_decref(s);

    json_t *t = json_loads("{\"type\":\"marking-definition\",\"id\":\"" T1_RED "\","
                           "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"red\"}}",
                           0, &jerr);
    share_marking_parse(t, &m);
    assert_int_equal(m.kind, SHARE_MK_TLP);
    assert_int_equal(m.tlp, SHARE_TLP_RED);
    share_marking_release(&m);
    json_decref(t);

    /* an empty group: nobody is in it */
    json_t *e = json_loads("{\"type\":\"marking-definition\",\"id\":\"" G_EMPTY "\",\"extensions\":"
                           "{\"" SHARE_GROUP_EXTENSION "\":{\"extension_type\":\"property-extension\","
                           "\"organizations\":[]}}}",
                           0, &jerr);
    share_marking_parse(e, &m);
    assert_int_equal(m.kind, SHARE_MK_GROUP);
    assert_int_equal(m.n_orgs, 0);
    assert_int_equal(m.n_communities, 0);
    share_marking_release(&m);
    json_decref(e);

    share_marking_parse(NULL, &m);
    assert_int_equal(m.kind, SHARE_MK_UNKNOWN);
}

/* ---- share_may_read: the table ---- */

struct row {
    enum share_tlp tlp;
    const char *others;
    /* creator, origin, named, community, outsider, named+community */
    int may[N_READERS];
};

static const struct row table[] = {
    /* TLP alone */
    {SHARE_TLP_CLEAR, NULL, {1, 1, 1, 1, 1, 1}},
    {SHARE_TLP_GREEN, NULL, {1, 1, 1, 1, 1, 1}},
    {SHARE_TLP_AMBER, NULL, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER_STRICT, NULL, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_RED, NULL, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_NONE, NULL, {1, 1, 0, 0, 0, 0}}, /* default AMBER */
    /* a group of named organisations */
    {SHARE_TLP_CLEAR, G_NAMED, {1, 1, 1, 0, 0, 1}},
    {SHARE_TLP_GREEN, G_NAMED, {1, 1, 1, 0, 0, 1}},
    {SHARE_TLP_AMBER, G_NAMED, {1, 1, 1, 0, 0, 1}},
    {SHARE_TLP_AMBER_STRICT, G_NAMED, {1, 1, 1, 0, 0, 1}},
    {SHARE_TLP_RED, G_NAMED, {1, 1, 1, 0, 0, 1}},
    {SHARE_TLP_NONE, G_NAMED, {1, 1, 1, 0, 0, 1}},
    /* a group of a community: RED needs a named recipient */
    {SHARE_TLP_CLEAR, G_COMM, {1, 1, 0, 1, 0, 1}},
    {SHARE_TLP_GREEN, G_COMM, {1, 1, 0, 1, 0, 1}},
    {SHARE_TLP_AMBER, G_COMM, {1, 1, 0, 1, 0, 1}},
    {SHARE_TLP_AMBER_STRICT, G_COMM, {1, 1, 0, 1, 0, 1}},
    {SHARE_TLP_RED, G_COMM, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_NONE, G_COMM, {1, 1, 0, 1, 0, 1}},
    /* two groups: the reader must be in both; RED: named in one of them */
    {SHARE_TLP_GREEN, G_NAMED "," G_COMM, {1, 1, 0, 0, 0, 1}},
    {SHARE_TLP_AMBER, G_COMM "," G_NAMED, {1, 1, 0, 0, 0, 1}},
    {SHARE_TLP_RED, G_COMM "," G_NAMED, {1, 1, 0, 0, 0, 1}},
    /* an empty group lets nobody in */
    {SHARE_TLP_CLEAR, G_EMPTY, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, G_NAMED "," G_EMPTY, {1, 1, 0, 0, 0, 0}},
    /* the creator's statements do not restrict, and are not sharing groups */
    {SHARE_TLP_CLEAR, M_STATEMENT, {1, 1, 1, 1, 1, 1}},
    {SHARE_TLP_GREEN, M_STATEMENT, {1, 1, 1, 1, 1, 1}},
    {SHARE_TLP_NONE, M_STATEMENT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, M_STATEMENT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, M_STATEMENT "," G_COMM, {1, 1, 0, 1, 0, 1}},
    {SHARE_TLP_RED, G_NAMED "," M_STATEMENT, {1, 1, 1, 0, 0, 1}},
    /*
     * a statement (or PAP, ...) made by someone else than the object's
     * creator A -- by E, by nobody, by the origin B -- is like an unknown
     * marking: the owners only, whatever else the object carries
     */
    {SHARE_TLP_CLEAR, M_STMT_E, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_GREEN, M_STMT_E, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_NONE, M_STMT_E, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_CLEAR, M_STMT_NOBODY, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_GREEN, M_STMT_NOBODY, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_CLEAR, M_PAP_B, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_GREEN, M_STATEMENT "," M_STMT_E, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, G_COMM "," M_STMT_NOBODY, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_RED, M_PAP_B "," G_NAMED, {1, 1, 0, 0, 0, 0}},
    /* unknown markings deny everyone but the owners, whatever else is there */
    {SHARE_TLP_CLEAR, M_UNKNOWN, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_GREEN, G_NAMED "," M_UNKNOWN, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_CLEAR, M_UNKNOWN_KIND, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_CLEAR, M_STATEMENT "," M_UNKNOWN, {1, 1, 0, 0, 0, 0}},
    /*
     * a group made by someone else than the object's creator A, even one
     * naming everybody, is like an unknown marking: the owners only.  Made
     * by E (a reader), by nobody, or by the origin B: the same.
     */
    {SHARE_TLP_CLEAR, G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_GREEN, G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER_STRICT, G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_RED, G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_NONE, G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, G_NOBODY, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_RED, G_NOBODY, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, G_BY_B, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_GREEN, G_BY_B, {1, 1, 0, 0, 0, 0}},
    /* next to a group of A's that would let them in: still closed */
    {SHARE_TLP_AMBER, G_NAMED "," G_SQUAT, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_RED, G_SQUAT "," G_NAMED, {1, 1, 0, 0, 0, 0}},
    {SHARE_TLP_AMBER, G_COMM "," G_NOBODY, {1, 1, 0, 0, 0, 0}},
};

static void test_may_read_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        struct share_marks m = marks(table[i].tlp, table[i].others);
        for (int r = 0; r < N_READERS; r++) {
            bool got = share_may_read(&policy, &readers[r], &m);
            if (got != (table[i].may[r] != 0))
                fail_msg("row %zu (%s, %s): reader %s: expected %d, got %d", i,
                         share_tlp_name(table[i].tlp), table[i].others ? table[i].others : "-",
                         reader_name[r], table[i].may[r], got);
        }
    }
}

static void test_may_read_owners(void **state)
{
    (void)state;
    /* no creator, origin the node itself: nobody is an owner, not even org 0 */
    struct share_marks m = {SHARE_TLP_RED, NULL, NULL, 0, false};
    struct share_reader zero = {0, ID_A, NULL, 0, false};
    assert_false(share_may_read(&policy, &zero, &m));
    assert_false(share_is_owner(&zero, &m));
    /* a reader without identity is not the creator of an object without one */
    struct share_reader anon = {9, NULL, NULL, 0, false};
    assert_false(share_may_read(&policy, &anon, &m));
    /* creator only, origin only */
    m.created_by = ID_C;
    assert_true(share_may_read(&policy, &readers[R_NAMED], &m));
    assert_false(share_may_read(&policy, &readers[R_ORIGIN], &m));
    m.created_by = NULL;
    m.origin_org = 5;
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    assert_true(share_is_owner(&readers[R_OUTSIDER], &m));
    assert_false(share_may_read(&policy, &readers[R_CREATOR], &m));
    /* the owners see even what names an unknown marking */
    m.others = M_UNKNOWN;
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    /* the node itself sees everything */
    struct share_reader node = {0, NULL, NULL, 0, true};
    assert_true(share_may_read(&policy, &node, &m));
}

static void test_may_read_default(void **state)
{
    (void)state;
    /* a node configured with another default for unmarked objects */
    struct share_policy green = {lookup, NULL, SHARE_TLP_GREEN};
    struct share_marks m = marks(SHARE_TLP_NONE, NULL);
    assert_true(share_may_read(&green, &readers[R_OUTSIDER], &m));
    assert_false(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    /* no lookup at all: every non-TLP marking is unknown */
    struct share_policy none = {NULL, NULL, SHARE_TLP_AMBER};
    m = marks(SHARE_TLP_CLEAR, M_STATEMENT);
    assert_false(share_may_read(&none, &readers[R_OUTSIDER], &m));
    assert_true(share_may_read(&none, &readers[R_CREATOR], &m));
}

/* The marks of a real object, as the store would keep them, then the decision. */
static bool may_read_obj(const char *json, int reader, int64_t origin)
{
    json_error_t jerr;
    json_t *o = json_loads(json, 0, &jerr);
    assert_non_null(o);
    struct share_marks m = {SHARE_TLP_NONE, NULL, NULL, origin, false};
    char *others = NULL;
    share_marks_of(o, &m.tlp, &others, &m.granular);
    m.others = others;
    m.created_by = json_string_value(json_object_get(o, "created_by_ref"));
    bool r = share_may_read(&policy, &readers[reader], &m);
    free(others);
    json_decref(o);
    return r;
}

static void test_may_read_objects(void **state)
{
    (void)state;
    /* several TLP markings: the most restrictive applies */
    const char *mixed = "{\"type\":\"indicator\",\"created_by_ref\":\"" ID_A "\","
                        "\"object_marking_refs\":[\"" T_CLEAR "\",\"" T1_RED "\",\"" G_NAMED "\"]}";
    assert_true(may_read_obj(mixed, R_NAMED, 0));
    assert_false(may_read_obj(mixed, R_COMMUNITY, 0));
    const char *mixed2 = "{\"type\":\"indicator\",\"created_by_ref\":\"" ID_A "\","
                         "\"object_marking_refs\":[\"" T1_GREEN "\",\"" T1_AMBER "\",\"" G_COMM "\"]}";
    assert_true(may_read_obj(mixed2, R_COMMUNITY, 0));
    assert_false(may_read_obj(mixed2, R_NAMED, 0));
    assert_false(may_read_obj(mixed2, R_OUTSIDER, 0));
    /* the same without created_by_ref: A's groups do not apply, so nobody */
    const char *anon = "{\"type\":\"indicator\",\"object_marking_refs\":[\"" T_CLEAR "\",\"" G_NAMED
                       "\"]}";
    assert_false(may_read_obj(anon, R_NAMED, 0));
    assert_false(may_read_obj(anon, R_CREATOR, 0));
    assert_true(may_read_obj(anon, R_ORIGIN, 2));
    /* unmarked: AMBER, so only the owners */
    const char *bare = "{\"type\":\"indicator\",\"created_by_ref\":\"" ID_A "\"}";
    assert_true(may_read_obj(bare, R_CREATOR, 0));
    assert_true(may_read_obj(bare, R_ORIGIN, 2));
    assert_false(may_read_obj(bare, R_ORIGIN, 0));
    assert_false(may_read_obj(bare, R_OUTSIDER, 0));
    /* marking and extension definitions without TLP: everyone (groups still apply) */
    assert_true(may_read_obj("{\"type\":\"marking-definition\",\"id\":\"" G_NAMED "\"}", R_OUTSIDER,
                             0));
    assert_true(may_read_obj("{\"type\":\"extension-definition\"}", R_OUTSIDER, 0));
    assert_false(may_read_obj("{\"type\":\"marking-definition\",\"created_by_ref\":\"" ID_A "\","
                              "\"object_marking_refs\":[\"" G_NAMED "\"]}",
                              R_OUTSIDER, 0));
    assert_true(may_read_obj("{\"type\":\"marking-definition\",\"created_by_ref\":\"" ID_A "\","
                             "\"object_marking_refs\":[\"" G_NAMED "\"]}",
                             R_NAMED, 0));
    /* a definition marked with a group of someone else's, or without creator: closed */
    assert_false(may_read_obj("{\"type\":\"marking-definition\",\"created_by_ref\":\"" ID_E "\","
                              "\"object_marking_refs\":[\"" G_NAMED "\"]}",
                              R_NAMED, 0));
    assert_false(may_read_obj("{\"type\":\"marking-definition\",\"object_marking_refs\":[\"" G_NAMED
                              "\"]}",
                              R_NAMED, 0));
    assert_false(may_read_obj("{\"type\":\"marking-definition\",\"object_marking_refs\":[\"" T_AMBER
                              "\"]}",
                              R_OUTSIDER, 0));
    assert_false(may_read_obj("{\"type\":\"extension-definition\",\"object_marking_refs\":[\"" T_RED
                              "\",\"" G_COMM "\"]}",
                              R_COMMUNITY, 0));
    /* an unknown marking on a marking definition hides it too */
    assert_false(may_read_obj("{\"type\":\"marking-definition\",\"object_marking_refs\":[\"" M_UNKNOWN
                              "\"]}",
                              R_NAMED, 0));
    /* a granular marking does not decide visibility of the whole object */
    assert_true(may_read_obj("{\"type\":\"note\",\"object_marking_refs\":[\"" T_GREEN "\"],"
                             "\"granular_markings\":[{\"marking_ref\":\"" T_RED "\","
                             "\"selectors\":[\"content\"]}],\"content\":\"x\"}",
                             R_OUTSIDER, 0));
}

/* Rule: a sharing group counts only on objects created by the group's own creator. */
static void test_may_read_group_creator(void **state)
{
    (void)state;
    struct share_marks m = {SHARE_TLP_AMBER, G_SQUAT, ID_E, 2, false};
    /* E's group on E's object: everyone it names (all six) */
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    m.tlp = SHARE_TLP_RED;
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    /* A's group on E's object: E (creator) and B (origin) only, even those A named */
    m.others = G_NAMED;
    m.tlp = SHARE_TLP_AMBER;
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    assert_true(share_may_read(&policy, &readers[R_ORIGIN], &m));
    assert_false(share_may_read(&policy, &readers[R_NAMED], &m));
    assert_false(share_may_read(&policy, &readers[R_BOTH], &m));
    assert_false(share_may_read(&policy, &readers[R_CREATOR], &m));
    /* B's group on an object B created and delivered */
    m = (struct share_marks){SHARE_TLP_AMBER, G_BY_B, ID_B, 2, false};
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    /* B's group on A's object that B delivered: B sees it as its origin, nobody else */
    m.created_by = ID_A;
    assert_true(share_may_read(&policy, &readers[R_ORIGIN], &m));
    assert_true(share_may_read(&policy, &readers[R_CREATOR], &m));
    assert_false(share_may_read(&policy, &readers[R_NAMED], &m));
    assert_false(share_may_read(&policy, &readers[R_COMMUNITY], &m));

    /* an object without created_by_ref: no sharing group opens it, whoever made the group */
    static const char *const any[] = {G_NAMED, G_COMM, G_SQUAT, G_NOBODY, G_BY_B};
    for (size_t k = 0; k < sizeof(any) / sizeof(any[0]); k++) {
        for (enum share_tlp t = SHARE_TLP_NONE; t <= SHARE_TLP_RED; t++) {
            m = (struct share_marks){t, any[k], NULL, 2, false};
            for (int r = 0; r < N_READERS; r++)
                if (share_may_read(&policy, &readers[r], &m) != (r == R_ORIGIN))
                    fail_msg("anonymous object, %s, %s: reader %s", any[k], share_tlp_name(t),
                             reader_name[r]);
            m.origin_org = 0;
            for (int r = 0; r < N_READERS; r++)
                assert_false(share_may_read(&policy, &readers[r], &m));
        }
    }
    /* ...but TLP alone still does: CLEAR without a group is for everyone */
    m = (struct share_marks){SHARE_TLP_CLEAR, NULL, NULL, 0, false};
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    /* (with a statement, not any more: no marking other than TLP counts on it) */
    m.others = M_STATEMENT;
    assert_false(share_may_read(&policy, &readers[R_OUTSIDER], &m));

    /* a creator id equal in text (not the same pointer) is the same creator */
    char copy[sizeof(ID_A)];
    memcpy(copy, ID_A, sizeof(copy));
    m = (struct share_marks){SHARE_TLP_AMBER, G_NAMED, copy, 0, false};
    assert_true(share_may_read(&policy, &readers[R_NAMED], &m));
    /* a prefix or an extension of the creator's id is not */
    char shorter[sizeof(ID_A)];
    memcpy(shorter, ID_A, sizeof(shorter));
    shorter[sizeof(shorter) - 2] = '\0';
    m.created_by = shorter;
    assert_false(share_may_read(&policy, &readers[R_NAMED], &m));
    m.created_by = ID_A "0";
    assert_false(share_may_read(&policy, &readers[R_NAMED], &m));
}

/* A lookup where A's group id G_NAMED resolves to E's statement (E defined it first). */
static const struct share_marking *lookup_squatted(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, G_NAMED) == 0)
        return &mk_stmt_e;
    return lookup(NULL, id);
}

/* Rule: any marking other than TLP (statements, PAP, ...) counts only on its creator's objects. */
static void test_may_read_marking_creator(void **state)
{
    (void)state;
    /* A's statement on A's object: no restriction beyond TLP */
    struct share_marks m = {SHARE_TLP_CLEAR, M_STATEMENT, ID_A, 2, false};
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    m.tlp = SHARE_TLP_GREEN;
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    /* E's statement on A's object: A (creator) and B (origin) only, E included out */
    m.others = M_STMT_E;
    for (int r = 0; r < N_READERS; r++)
        if (share_may_read(&policy, &readers[r], &m) != (r == R_CREATOR || r == R_ORIGIN))
            fail_msg("E's statement on A's object: reader %s", reader_name[r]);
    /* E's statement on E's object: no restriction */
    m.created_by = ID_E;
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    /* A's statement on E's object: E and B only */
    m.others = M_STATEMENT;
    for (int r = 0; r < N_READERS; r++)
        if (share_may_read(&policy, &readers[r], &m) != (r == R_OUTSIDER || r == R_ORIGIN))
            fail_msg("A's statement on E's object: reader %s", reader_name[r]);
    /* B's PAP on B's object: open; on A's object that B delivered: A and B only */
    m = (struct share_marks){SHARE_TLP_GREEN, M_PAP_B, ID_B, 2, false};
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&policy, &readers[r], &m));
    m.created_by = ID_A;
    for (int r = 0; r < N_READERS; r++)
        if (share_may_read(&policy, &readers[r], &m) != (r == R_CREATOR || r == R_ORIGIN))
            fail_msg("B's PAP on A's object: reader %s", reader_name[r]);
    /* a statement without creator applies to nobody's object, anonymous ones included */
    static const char *const creators[] = {ID_A, ID_E, NULL};
    for (size_t k = 0; k < sizeof(creators) / sizeof(creators[0]); k++) {
        m = (struct share_marks){SHARE_TLP_CLEAR, M_STMT_NOBODY, creators[k], 2, false};
        assert_true(share_may_read(&policy, &readers[R_ORIGIN], &m));
        assert_false(share_may_read(&policy, &readers[R_NAMED], &m));
        assert_false(share_may_read(&policy, &readers[R_COMMUNITY], &m));
    }
    /* an anonymous object with A's statement: its origin only (none when the node delivered it) */
    m = (struct share_marks){SHARE_TLP_CLEAR, M_STATEMENT, NULL, 2, false};
    for (int r = 0; r < N_READERS; r++)
        assert_int_equal(share_may_read(&policy, &readers[r], &m), r == R_ORIGIN);
    m.origin_org = 0;
    for (int r = 0; r < N_READERS; r++)
        assert_false(share_may_read(&policy, &readers[r], &m));
    /* the creator compared by text: an equal copy is A, a prefix is not */
    char copy[sizeof(ID_A)];
    memcpy(copy, ID_A, sizeof(copy));
    m = (struct share_marks){SHARE_TLP_CLEAR, M_STATEMENT, copy, 0, false};
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    copy[sizeof(copy) - 2] = '\0';
    assert_false(share_may_read(&policy, &readers[R_OUTSIDER], &m));

    /*
     * Squatting as a statement: E defined the id of A's pending group
     * G_NAMED first, as E's statement.  A's GREEN object naming G_NAMED
     * stays with A and its origin: a statement that is not A's denies.
     */
    struct share_policy squatted = {lookup_squatted, NULL, SHARE_TLP_AMBER};
    for (enum share_tlp t = SHARE_TLP_NONE; t <= SHARE_TLP_RED; t++) {
        m = (struct share_marks){t, G_NAMED, ID_A, 2, false};
        for (int r = 0; r < N_READERS; r++)
            if (share_may_read(&squatted, &readers[r], &m) != (r == R_CREATOR || r == R_ORIGIN))
                fail_msg("%s object, A's group id squatted as E's statement: reader %s",
                         share_tlp_name(t), reader_name[r]);
    }
    /* ...and on E's own objects the squatted id is just E's statement */
    m = (struct share_marks){SHARE_TLP_GREEN, G_NAMED, ID_E, 0, false};
    for (int r = 0; r < N_READERS; r++)
        assert_true(share_may_read(&squatted, &readers[r], &m));

    /* a marking definition marked with another's statement is closed like any object */
    assert_false(may_read_obj("{\"type\":\"marking-definition\",\"created_by_ref\":\"" ID_A "\","
                              "\"object_marking_refs\":[\"" M_STMT_E "\"]}",
                              R_OUTSIDER, 0));
    assert_true(may_read_obj("{\"type\":\"marking-definition\",\"created_by_ref\":\"" ID_A "\","
                             "\"object_marking_refs\":[\"" M_STATEMENT "\"]}",
                             R_OUTSIDER, 0));
    assert_false(may_read_obj("{\"type\":\"extension-definition\","
                              "\"object_marking_refs\":[\"" M_STATEMENT "\"]}",
                              R_OUTSIDER, 0));
}

static void test_may_read_limits(void **state)
{
    (void)state;
    char others[40 * 64] = "";
    /* sixteen groups the reader is in: fine; seventeen: fail closed */
    for (int i = 0; i < 16; i++) {
        if (i)
            strcat(others, ",");
        strcat(others, G_COMM);
    }
    struct share_marks m = marks(SHARE_TLP_AMBER, others);
    assert_true(share_may_read(&policy, &readers[R_COMMUNITY], &m));
    strcat(others, "," G_COMM);
    assert_false(share_may_read(&policy, &readers[R_COMMUNITY], &m));
    assert_true(share_may_read(&policy, &readers[R_CREATOR], &m));
    /* a marking id too long to be one: unknown */
    char lng[300];
    memset(lng, 'a', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    m = marks(SHARE_TLP_CLEAR, lng);
    assert_false(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    /* empty "others" is no marking at all */
    m = marks(SHARE_TLP_CLEAR, "");
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    /* lookups are not needed for TLP-only objects */
    lookups = 0;
    m = marks(SHARE_TLP_GREEN, NULL);
    assert_true(share_may_read(&policy, &readers[R_OUTSIDER], &m));
    assert_int_equal(lookups, 0);
}

static void test_needs_redact(void **state)
{
    (void)state;
    struct share_marks m = marks(SHARE_TLP_GREEN, NULL);
    assert_false(share_needs_redact(&readers[R_OUTSIDER], &m, "indicator"));
    assert_true(share_needs_redact(&readers[R_OUTSIDER], &m, "marking-definition"));
    m.granular = true;
    assert_true(share_needs_redact(&readers[R_OUTSIDER], &m, "indicator"));
    assert_true(share_needs_redact(&readers[R_OUTSIDER], &m, NULL));
    /* the owners and the node get the stored text */
    assert_false(share_needs_redact(&readers[R_CREATOR], &m, "indicator"));
    assert_false(share_needs_redact(&readers[R_ORIGIN], &m, "marking-definition"));
    struct share_reader node = {0, NULL, NULL, 0, true};
    assert_false(share_needs_redact(&node, &m, "marking-definition"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlp_of),           cmocka_unit_test(test_marks_of),
        cmocka_unit_test(test_marking_parse),    cmocka_unit_test(test_may_read_table),
        cmocka_unit_test(test_may_read_owners),  cmocka_unit_test(test_may_read_default),
        cmocka_unit_test(test_may_read_objects), cmocka_unit_test(test_may_read_group_creator),
        cmocka_unit_test(test_may_read_marking_creator),
        cmocka_unit_test(test_may_read_limits),  cmocka_unit_test(test_needs_redact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
