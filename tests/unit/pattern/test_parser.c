/*
 * Tests for the STIX pattern parser (src/pattern/lexer.c, parser.c,
 * check.c, arena.c).
 *
 * 1. tests/cases/pattern/syntax/NAME.txt: one case per line (format in the
 *    README there): accepted, accepted at a conformance level, or refused
 *    with an exact byte offset named in the message.
 * 2. Tree shapes for precedence and qualifier binding, decoded literal
 *    values, limits (length, nesting, long chains), the arena.
 * 3. Every pattern of the real data in ../shared/data/stix (Unit 42
 *    playbooks, STIX 2.0, and the OASIS examples, STIX 2.1) must parse;
 *    when ../shared is absent the test is skipped and says why.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "pattern/pattern.h"
#include "pattern/pattern_int.h"
#include "util/error.h"

#define CASES_DIR CONCORD_SOURCE_DIR "/tests/cases/pattern/syntax"
#define SHARED_STIX CONCORD_SOURCE_DIR "/../shared/data/stix"

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    *len = fread(data, 1, (size_t)n, f);
    data[*len] = '\0';
    fclose(f);
    return data;
}

/* ---- data cases ------------------------------------------------------------ */

/* Run one case line; returns 1 (printed) on failure. */
static int run_line(const char *file, int lineno, const char *line, size_t n)
{
    struct pattern *p = NULL;
    struct error err;
    char want[32], head[16] = "";
    long off = -1;
    int level = 0, skip = 0, r;
    const char *pat;

    sscanf(line, "%15s", head);
    if (!strcmp(head, "ok"))
        skip = 3;
    else if (!strcmp(head, "level") && sscanf(line, "level %d %n", &level, &skip) == 1)
        skip = (int)(strchr(line + 6, ' ') - line) + 1;
    else if (!strcmp(head, "error") && sscanf(line, "error %ld", &off) == 1)
        skip = (int)(strchr(line + 6, ' ') - line) + 1;
    if (skip == 0 || (size_t)skip > n)
        return printf("%s:%d: malformed case\n", file, lineno) > 0;
    pat = line + skip;
    error_clear(&err);
    r = pat_parse(pat, n - (size_t)skip, &p, &err);
    if (off < 0 && r != 0)
        return printf("%s:%d: rejected: %s\n", file, lineno, err.msg) > 0;
    if (off < 0 && level && p->level != level) {
        printf("%s:%d: level %d, expected %d\n", file, lineno, p->level, level);
        pat_free(p);
        return 1;
    }
    pat_free(p);
    if (off < 0)
        return 0;
    if (r == 0)
        return printf("%s:%d: accepted, expected error at %ld\n", file, lineno, off) > 0;
    snprintf(want, sizeof(want), "at offset %ld", off);
    if (err.offset != off || !strstr(err.msg, want))
        return printf("%s:%d: error at %ld (%s), expected %ld\n", file, lineno, err.offset, err.msg,
                      off) > 0;
    return 0;
}

static int run_file(const char *file, int *cases)
{
    size_t len = 0;
    char *data = read_all(file, &len);
    int failed = 0, lineno = 0;

    assert_non_null(data);
    for (size_t i = 0; i < len;) {
        char *nl = memchr(data + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
        char *line = data + i;
        i += n + 1;
        lineno++;
        if (n == 0 || line[0] == '#')
            continue;
        line[n] = '\0';
        failed += run_line(file, lineno, line, n);
        (*cases)++;
    }
    free(data);
    return failed;
}

static void test_case_files(void **state)
{
    DIR *d = opendir(CASES_DIR);
    struct dirent *e;
    char file[4096];
    int cases = 0, failed = 0;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, ".txt"))
            continue;
        snprintf(file, sizeof(file), "%s/%s", CASES_DIR, e->d_name);
        failed += run_file(file, &cases);
    }
    closedir(d);
    printf("%d pattern cases, %d failed\n", cases, failed);
    assert_true(cases >= 120);
    assert_int_equal(failed, 0);
}

/* ---- tree shapes ----------------------------------------------------------- */

static struct pattern *parse_ok(const char *text)
{
    struct pattern *p = NULL;
    struct error err;

    error_clear(&err);
    if (pat_parse(text, strlen(text), &p, &err) != 0)
        fail_msg("'%s': %s", text, err.msg);
    return p;
}

static const char *test_type(const struct pat_obs *o)
{
    assert_int_equal(o->kind, PAT_OBS_TEST);
    assert_int_equal(o->cexpr->kind, PAT_CMP_TEST);
    return o->cexpr->test.path.type;
}

static void test_obs_precedence(void **state)
{
    struct pattern *p;
    const struct pat_obs *o;
    (void)state;

    /* FOLLOWEDBY < OR < AND: a AND b OR c FOLLOWEDBY d = ((a AND b) OR c) FOLLOWEDBY d */
    p = parse_ok("[a:x = 1] AND [b:x = 1] OR [c:x = 1] FOLLOWEDBY [d:x = 1]");
    o = p->root;
    assert_int_equal(o->kind, PAT_OBS_FOLLOWEDBY);
    assert_string_equal(test_type(o->r), "d");
    assert_int_equal(o->l->kind, PAT_OBS_OR);
    assert_string_equal(test_type(o->l->r), "c");
    assert_int_equal(o->l->l->kind, PAT_OBS_AND);
    assert_string_equal(test_type(o->l->l->l), "a");
    assert_string_equal(test_type(o->l->l->r), "b");
    assert_int_equal(o->l->l->r->offset, 14);
    pat_free(p);

    /* left-associative: a FOLLOWEDBY b FOLLOWEDBY c = (a FOLLOWEDBY b) FOLLOWEDBY c */
    p = parse_ok("[a:x = 1] FOLLOWEDBY [b:x = 1] FOLLOWEDBY [c:x = 1]");
    assert_int_equal(p->root->l->kind, PAT_OBS_FOLLOWEDBY);
    assert_string_equal(test_type(p->root->r), "c");
    pat_free(p);

    /* parentheses override: a AND (b OR c) */
    p = parse_ok("[a:x = 1] AND ([b:x = 1] OR [c:x = 1])");
    assert_int_equal(p->root->kind, PAT_OBS_AND);
    assert_int_equal(p->root->r->kind, PAT_OBS_OR);
    assert_int_equal(p->root->r->offset, 15);
    pat_free(p);
}

static void test_qualifier_binding(void **state)
{
    struct pattern *p;
    const struct pat_obs *o;
    (void)state;

    /* [a] FOLLOWEDBY [c] REPEATS 5 TIMES = a then (c REPEATS 5) */
    p = parse_ok("[a:x = 1] FOLLOWEDBY [c:x = 1] REPEATS 5 TIMES");
    o = p->root;
    assert_int_equal(o->kind, PAT_OBS_FOLLOWEDBY);
    assert_string_equal(test_type(o->l), "a");
    assert_int_equal(o->r->kind, PAT_OBS_REPEATS);
    assert_int_equal(o->r->times, 5);
    assert_int_equal(o->r->arg_offset, 39);
    assert_string_equal(test_type(o->r->l), "c");
    assert_int_equal(p->level, 3);
    pat_free(p);

    /* ([a] FOLLOWEDBY [c]) REPEATS 5 TIMES = five pairs */
    p = parse_ok("([a:x = 1] FOLLOWEDBY [c:x = 1]) REPEATS 5 TIMES");
    assert_int_equal(p->root->kind, PAT_OBS_REPEATS);
    assert_int_equal(p->root->l->kind, PAT_OBS_FOLLOWEDBY);
    pat_free(p);

    /* stacked: the last written qualifier is outermost */
    p = parse_ok("[a:x = 1] WITHIN 2.5 SECONDS START t'2020-01-01T00:00:00Z' "
                 "STOP t'2020-01-01T00:00:01.5Z'");
    o = p->root;
    assert_int_equal(o->kind, PAT_OBS_STARTSTOP);
    assert_true(o->start_ns == INT64_C(1577836800000000000));
    assert_true(o->stop_ns == INT64_C(1577836801500000000));
    assert_int_equal(o->l->kind, PAT_OBS_WITHIN);
    assert_true(o->l->seconds == 2.5);
    assert_string_equal(test_type(o->l->l), "a");
    pat_free(p);
}

static void test_cmp_precedence(void **state)
{
    struct pattern *p;
    const struct pat_cexpr *e;
    (void)state;

    /* inside brackets AND binds tighter: a OR b AND c = a OR (b AND c) */
    p = parse_ok("[a:x = 1 OR b:x = 2 AND b:y = 3]");
    e = p->root->cexpr;
    assert_int_equal(e->kind, PAT_CMP_OR);
    assert_int_equal(e->l->kind, PAT_CMP_TEST);
    assert_int_equal(e->r->kind, PAT_CMP_AND);
    assert_int_equal(e->r->offset, 20);
    assert_string_equal(e->r->r->test.path.steps[0].key, "y");
    assert_int_equal(p->level, 1);
    pat_free(p);

    /* (a OR b) AND c, left-assoc AND chain */
    p = parse_ok("[(a:x = 1 OR a:y = 2) AND a:z = 3 AND a:w = 4]");
    e = p->root->cexpr;
    assert_int_equal(e->kind, PAT_CMP_AND);
    assert_int_equal(e->l->kind, PAT_CMP_AND);
    assert_int_equal(e->l->l->kind, PAT_CMP_OR);
    assert_string_equal(e->r->test.path.steps[0].key, "w");
    pat_free(p);
}

static void test_paths_and_ops(void **state)
{
    struct pattern *p;
    const struct pat_cmp *c;
    const struct pat_path *path;
    (void)state;

    p = parse_ok("[file:extensions.'windows-pebinary-ext'.sections[*].entropy NOT > 7.5]");
    c = &p->root->cexpr->test;
    path = &c->path;
    assert_string_equal(path->type, "file");
    assert_int_equal(path->offset, 1);
    assert_int_equal(path->n_steps, 5);
    assert_string_equal(path->steps[0].key, "extensions");
    assert_string_equal(path->steps[1].key, "windows-pebinary-ext");
    assert_int_equal(path->steps[2].kind, PAT_STEP_KEY);
    assert_string_equal(path->steps[2].key, "sections");
    assert_int_equal(path->steps[3].kind, PAT_STEP_ANY);
    assert_string_equal(path->steps[4].key, "entropy");
    assert_int_equal(c->op, PAT_OP_GT);
    assert_true(c->negated);
    assert_true(c->vals[0].kind == PAT_LIT_FLOAT && c->vals[0].f == 7.5);
    pat_free(p);

    p = parse_ok("[process:arguments[3] IN ('a', 'b', 'c') AND NOT EXISTS process:pid]");
    c = &p->root->cexpr->l->test;
    assert_int_equal(c->path.steps[1].kind, PAT_STEP_INDEX);
    assert_int_equal(c->path.steps[1].index, 3);
    assert_int_equal(c->op, PAT_OP_IN);
    assert_int_equal(c->n_vals, 3);
    assert_string_equal(c->vals[2].str, "c");
    assert_int_equal(c->vals[2].offset, 36);
    c = &p->root->cexpr->r->test;
    assert_int_equal(c->op, PAT_OP_EXISTS);
    assert_true(c->negated);
    assert_int_equal(c->n_vals, 0);
    assert_int_equal(c->offset, 45);
    pat_free(p);

    p = parse_ok("[a:b[*] <> 'x' AND a:c == 2 AND a:d IN ()]");
    assert_int_equal(p->root->cexpr->l->l->test.path.steps[1].kind, PAT_STEP_ANY);
    assert_int_equal(p->root->cexpr->l->l->test.op, PAT_OP_NE);
    assert_int_equal(p->root->cexpr->l->r->test.op, PAT_OP_EQ);
    assert_int_equal(p->root->cexpr->r->test.n_vals, 0);
    pat_free(p);
}

static void test_literal_values_each(void **state)
{
    static const char *const texts[] = {"[a:b = 'it\\'s \\\\ ok']",
                                        "[a:b = b'AAEC/w==']",
                                        "[a:b = h'00ff7F']",
                                        "[a:b = t'1970-01-01T00:00:01.5Z']",
                                        "[a:b = -12]",
                                        "[a:b = +7]",
                                        "[a:b = 0.25]",
                                        "[a:b = true]"};
    struct pattern *p;
    const struct pat_lit *v;
    (void)state;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        p = parse_ok(texts[i]);
        v = &p->root->cexpr->test.vals[0];
        assert_int_equal(v->offset, 7);
        /* clang-format off */
        switch (i) {
        case 0: assert_int_equal(v->len, 9); assert_memory_equal(v->str, "it's \\ ok", 9); break;
        case 1: assert_int_equal(v->len, 4); assert_memory_equal(v->str, "\x00\x01\x02\xff", 4);
            break;
        case 2: assert_int_equal(v->len, 3); assert_memory_equal(v->str, "\x00\xff\x7f", 3); break;
        case 3: assert_true(v->ns == 1500000000); assert_string_equal(v->str,
                                                                      "1970-01-01T00:00:01.5Z");
            break;
        case 4: assert_true(v->kind == PAT_LIT_INT && v->i == -12); break;
        case 5: assert_true(v->kind == PAT_LIT_INT && v->i == 7); break;
        case 6: assert_true(v->kind == PAT_LIT_FLOAT && v->f == 0.25); break;
        default: assert_true(v->kind == PAT_LIT_BOOL && v->b); break;
        }
        /* clang-format on */
        pat_free(p);
    }
}

/* ---- limits and odd inputs ------------------------------------------------- */

static int parse_code(const char *text, size_t len, struct error *err)
{
    struct pattern *p = NULL;
    int r;

    error_clear(err);
    r = pat_parse(text, len, &p, err);
    pat_free(p);
    return r;
}

static void test_limits(void **state)
{
    size_t n = PAT_TEXT_MAX + 1;
    char *big = malloc(n + 1);
    struct error err;
    size_t len = 0;
    (void)state;

    /* too long */
    memset(big, ' ', n);
    memcpy(big, "[a:b = 1]", 9);
    assert_int_equal(parse_code(big, n, &err), ERR_TOO_LARGE);
    assert_int_equal(parse_code(big, n - 1, &err), 0);
    /* nesting: 63 parentheses + the bracket = 64 levels ok, one more refused at the '[' */
    for (int depth = 63; depth <= 64; depth++) {
        len = 0;
        for (int i = 0; i < depth; i++)
            big[len++] = '(';
        memcpy(big + len, "[a:b = 1]", 9);
        len += 9;
        for (int i = 0; i < depth; i++)
            big[len++] = ')';
        assert_int_equal(parse_code(big, len, &err), depth == 63 ? 0 : ERR_TOO_LARGE);
    }
    assert_int_equal(err.offset, 64);
    assert_non_null(strstr(err.msg, "at offset 64"));
    /* a long flat chain costs no nesting: [a:b = 1] OR [a:b = 1] OR ... */
    len = 0;
    while (len + 20 < PAT_TEXT_MAX) {
        memcpy(big + len, len ? " OR [a:b = 1]" : "[a:b = 1]", len ? 13 : 9);
        len += len ? 13 : 9;
    }
    assert_int_equal(parse_code(big, len, &err), 0);
    /* ... and inside one bracket */
    len = 0;
    big[len++] = '[';
    while (len + 20 < PAT_TEXT_MAX) {
        memcpy(big + len, len > 1 ? " AND a:b = 1" : "a:b = 1", len > 1 ? 12 : 7);
        len += len > 1 ? 12 : 7;
    }
    big[len++] = ']';
    assert_int_equal(parse_code(big, len, &err), 0);
    free(big);
}

static void test_odd_inputs(void **state)
{
    struct error err;
    (void)state;

    /* not NUL-terminated: only len bytes are read */
    assert_int_equal(parse_code("[a:b = 1]XYZ", 9, &err), 0);
    /* an embedded NUL is an unexpected byte, inside a string it is fine */
    assert_int_equal(parse_code("[a:b = 1]\0", 10, &err), ERR_INVALID);
    assert_int_equal(err.offset, 9);
    assert_non_null(strstr(err.msg, "0x00"));
    assert_int_equal(parse_code("[a:b = 'x\0y']", 13, &err), 0);
    /* a raw line break inside a string is part of it */
    assert_int_equal(parse_code("[a:b = 'two\nlines']", 19, &err), 0);
    /* invalid UTF-8 in a string, and outside */
    assert_int_equal(parse_code("[a:b = '\xff']", 12, &err), ERR_INVALID);
    assert_int_equal(err.offset, 7);
    assert_int_equal(parse_code("[a:b = 1] \xc3", 11, &err), ERR_INVALID);
    assert_int_equal(err.offset, 10);
    /* empty */
    assert_int_equal(parse_code("", 0, &err), ERR_INVALID);
    assert_string_equal(err.msg, "expected '[' or '(' at offset 0");
    /* messages */
    assert_int_equal(parse_code("[a:b = 1 AND]", 13, &err), ERR_INVALID);
    assert_string_equal(err.msg, "unexpected ']' at offset 12: expected an object path");
    assert_int_equal(parse_code("[a:b = 1", 8, &err), ERR_INVALID);
    assert_string_equal(err.msg, "expected ']' at offset 8");
    assert_int_equal(parse_code("[AND a:b = 1]", 13, &err), ERR_INVALID);
    assert_string_equal(err.msg, "unexpected 'AND' at offset 1: expected an object path");
    /* NULL err is allowed */
    assert_int_equal(parse_code("[", 1, &err), ERR_INVALID);
    {
        struct pattern *p = NULL;
        assert_int_equal(pat_parse("[", 1, &p, NULL), ERR_INVALID);
        assert_null(p);
    }
    pat_free(NULL);
}

static void test_arena(void **state)
{
    struct pat_arena *a = pat_arena_new();
    (void)state;

    for (size_t n = 0; n < 10000; n += 37) {
        unsigned char *m = pat_arena_alloc(a, n);
        assert_true(((uintptr_t)m % _Alignof(max_align_t)) == 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(m[i], 0);
        memset(m, 0xAA, n);
    }
    assert_string_equal(pat_arena_strndup(a, "abcdef", 3), "abc");
    assert_string_equal(pat_arena_strdup(a, "xyz"), "xyz");
    assert_true(pat_arena_used(a) > 10000);
    pat_arena_free(a);
    pat_arena_free(NULL);
}

/* ---- real data ------------------------------------------------------------- */

struct corpus {
    int indicators; /* STIX patterns seen */
    int parsed;     /* accepted by pat_parse (strict) */
    int lax;        /* accepted with PAT_PARSE_ALLOW_MIXED_AND (as ingest does) */
    int other;      /* pattern_type other than stix */
};

static void check_pattern_of(json_t *o, const char *file, struct corpus *c)
{
    json_t *pat = json_object_get(o, "pattern");
    json_t *type = json_object_get(o, "pattern_type");
    struct pattern *p = NULL;
    struct error err;

    if (!json_is_string(pat))
        return;
    if (type && strcmp(json_string_value(type) ? json_string_value(type) : "", "stix") != 0) {
        c->other++;
        return;
    }
    c->indicators++;
    error_clear(&err);
    if (pat_parse(json_string_value(pat), json_string_length(pat), &p, &err) == 0) {
        c->parsed++;
        c->lax++;
        pat_free(p);
        return;
    }
    printf("strict: %s: %s\n  %s\n", strrchr(file, '/') + 1, err.msg, json_string_value(pat));
    error_clear(&err);
    if (pat_parse_opts(json_string_value(pat), json_string_length(pat), PAT_PARSE_ALLOW_MIXED_AND,
                       &p, &err) == 0) {
        assert_true(p->mixed_and);
        c->lax++;
        pat_free(p);
        return;
    }
    printf("%s: %s: %s\n  pattern: %s\n", file, json_string_value(json_object_get(o, "id")),
           err.msg, json_string_value(pat));
}

static void check_json_file(const char *file, struct corpus *c)
{
    json_error_t je;
    json_t *root = json_load_file(file, 0, &je), *o;
    json_t *objs = json_object_get(root, "objects");
    size_t i;

    if (json_is_array(objs)) {
        json_array_foreach (objs, i, o)
            check_pattern_of(o, file, c);
    } else if (json_is_object(root)) {
        check_pattern_of(root, file, c);
    }
    json_decref(root);
}

static void check_dir(const char *dir, struct corpus *c)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (is_dir(path))
            check_dir(path, c);
        else if (has_suffix(e->d_name, ".json"))
            check_json_file(path, c);
    }
    closedir(d);
}

static void test_shared_patterns(void **state)
{
    static const char *const dirs[] = {SHARED_STIX "/unit42-playbooks",
                                       SHARED_STIX "/oasis-examples"};
    struct corpus c = {0, 0, 0, 0};
    (void)state;

    if (!is_dir(dirs[0]) || !is_dir(dirs[1])) {
        printf("skipped: ../shared not present (%s)\n", SHARED_STIX);
        skip();
    }
    for (size_t i = 0; i < 2; i++)
        check_dir(dirs[i], &c);
    printf("real data: %d of %d STIX patterns parse strictly, %d with "
           "PAT_PARSE_ALLOW_MIXED_AND (ingest); %d other pattern types not judged\n",
           c.parsed, c.indicators, c.lax, c.other);
    assert_true(c.indicators >= 1000);
    /* the rest AND two object types in one bracket (evasive-serpens, fighting-ursa) */
    assert_true(c.parsed >= c.indicators - 8);
    assert_int_equal(c.lax, c.indicators);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_files),
        cmocka_unit_test(test_obs_precedence),
        cmocka_unit_test(test_qualifier_binding),
        cmocka_unit_test(test_cmp_precedence),
        cmocka_unit_test(test_paths_and_ops),
        cmocka_unit_test(test_literal_values_each),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_odd_inputs),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_shared_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
