/*
 * Semantic checks of a parsed pattern (domain.md §3.2), run by pat_parse
 * after the grammar matched, so that a stored pattern is one the evaluator
 * can give a meaning to.  The checks:
 *
 *   - inside one bracket, AND joins comparisons that one object can
 *     satisfy: the operands must share an object type (item 2; OR may mix:
 *     `[a:x = 1 AND (b:y = 2 OR a:z = 3)]` is fine through `a:z`); with
 *     PAT_PARSE_ALLOW_MIXED_AND this is recorded in pattern.mixed_and;
 *   - LIKE, MATCHES, ISSUBSET, ISSUPERSET take a string; a MATCHES regex
 *     compiles with PCRE2 (UTF, DOTALL, item 6); ISSUBSET/ISSUPERSET
 *     strings are an IPv4/IPv6 address or CIDR (item 9);
 *   - an IN list holds one class of constant (item 8): strings, numbers
 *     (int and float together), booleans, bytes (b'' and h'' together) or
 *     timestamps;
 *   - < <= > >= do not take a boolean;
 *   - WITHIN > 0 seconds, REPEATS >= 1 times, START before STOP;
 *
 * and it records the conformance level (item 13).  Each error names the
 * byte offset of the constant or path at fault.
 */
#include "pattern/pattern_int.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "stix/timestamp.h"
#include "util/banned.h"
#include "util/xalloc.h"

struct checker {
    const char *text; /* the pattern text, for regex offsets */
    size_t len;
    unsigned flags; /* enum pat_parse_flags */
    bool mixed_and; /* an AND of different types was let through */
    struct error *err;
};

/* A set of object types (borrowed strings from the tree), heap array. */
struct tset {
    const char **v;
    size_t n, cap;
};

static void tset_add(struct tset *s, const char *t)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], t) == 0)
            return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 2;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = t;
}

static bool tset_has(const struct tset *s, const char *t)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], t) == 0)
            return true;
    return false;
}

static int fail(struct checker *c, long offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record "<what> at offset N"; returns ERR_INVALID. */
static int fail(struct checker *c, long offset, const char *fmt, ...)
{
    char what[ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return error_set_at(c->err, ERR_INVALID, "", offset, "%s at offset %ld", what, offset);
}

/* ---- one comparison -------------------------------------------------------- */

static const char *op_name(enum pat_op op)
{
    static const char *const names[] = {"=",       "!=",       "<",          "<=",
                                        ">",       ">=",       "IN",         "LIKE",
                                        "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};
    return names[op];
}

/*
 * Offset in the pattern text of byte idx of the unescaped string literal
 * that starts (at its quote) at lit_offset.
 */
static long string_offset(const struct checker *c, long lit_offset, size_t idx)
{
    size_t i = (size_t)lit_offset + 1;

    while (idx > 0 && i < c->len && c->text[i] != '\'') {
        i += c->text[i] == '\\' ? 2 : 1;
        idx--;
    }
    return (long)i;
}

/* PCRE2 with the flags the evaluator uses (domain.md §3.2 item 6). */
static int check_regex(struct checker *c, const struct pat_lit *lit)
{
    PCRE2_UCHAR msg[160];
    PCRE2_SIZE at;
    int code;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)lit->str, lit->len, PCRE2_UTF | PCRE2_DOTALL, &code, &at, NULL);
    long off;

    if (re) {
        pcre2_code_free(re);
        return 0;
    }
    if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
        snprintf((char *)msg, sizeof(msg), "error %d", code);
    off = string_offset(c, lit->offset, at);
    return error_set_at(c->err, ERR_INVALID, "", off,
                        "invalid regular expression at offset %ld: %s", off, (const char *)msg);
}

/* "0" or [1-9][0-9]{0,2}, at most max. */
static bool prefix_ok(const char *s, long max)
{
    size_t n = strlen(s);
    long v = 0;

    if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max;
}

/* An IPv4/IPv6 address, optionally /prefix (domain.md §3.2 item 9). */
static bool cidr_ok(const struct pat_lit *lit)
{
    char buf[64];
    unsigned char addr[16];
    char *slash;
    bool v6;

    if (lit->len >= sizeof(buf) || memchr(lit->str, '\0', lit->len))
        return false;
    memcpy(buf, lit->str, lit->len + 1);
    slash = strchr(buf, '/');
    if (slash)
        *slash++ = '\0';
    v6 = strchr(buf, ':') != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
        return false;
    return !slash || prefix_ok(slash, v6 ? 128 : 32);
}

/* The class of a constant for IN lists: numbers together, bytes together. */
static int lit_class(enum pat_lit_kind k)
{
    switch (k) {
    case PAT_LIT_FLOAT:
        return PAT_LIT_INT;
    case PAT_LIT_HEX:
        return PAT_LIT_BINARY;
    default:
        return (int)k;
    }
}

static const char *class_name(int k)
{
    static const char *const names[] = {"a string", "a number", "a number",   "a boolean",
                                        "bytes",    "bytes",    "a timestamp"};
    return names[k];
}

static int check_in(struct checker *c, const struct pat_cmp *cmp)
{
    for (size_t i = 1; i < cmp->n_vals; i++)
        if (lit_class(cmp->vals[i].kind) != lit_class(cmp->vals[0].kind))
            return fail(c, cmp->vals[i].offset, "IN list mixes %s with %s",
                        class_name(lit_class(cmp->vals[i].kind)),
                        class_name(lit_class(cmp->vals[0].kind)));
    return 0;
}

static int check_cmp(struct checker *c, const struct pat_cmp *cmp)
{
    const struct pat_lit *v = cmp->n_vals ? &cmp->vals[0] : NULL;

    switch (cmp->op) {
    case PAT_OP_LT:
    case PAT_OP_LE:
    case PAT_OP_GT:
    case PAT_OP_GE:
        if (v->kind == PAT_LIT_BOOL)
            return fail(c, v->offset, "'%s' cannot order a boolean", op_name(cmp->op));
        return 0;
    case PAT_OP_IN:
        return check_in(c, cmp);
    case PAT_OP_LIKE:
    case PAT_OP_MATCHES:
    case PAT_OP_ISSUBSET:
    case PAT_OP_ISSUPERSET:
        break;
    default:
        return 0;
    }
    if (v->kind != PAT_LIT_STRING)
        return fail(c, v->offset, "%s needs a string constant", op_name(cmp->op));
    if (cmp->op == PAT_OP_MATCHES)
        return check_regex(c, v);
    if ((cmp->op == PAT_OP_ISSUBSET || cmp->op == PAT_OP_ISSUPERSET) && !cidr_ok(v))
        return fail(c, v->offset, "%s needs an ip address or cidr block such as '%s'",
                    op_name(cmp->op), "198.51.100.0/24");
    return 0;
}

/* ---- comparison expressions ------------------------------------------------ */

/* The leftmost comparison of e (where an operand starts). */
static const struct pat_cmp *first_test(const struct pat_cexpr *e)
{
    while (e->kind != PAT_CMP_TEST)
        e = e->l;
    return &e->test;
}

/*
 * Check e and return in *out the object types that can satisfy it: a test
 * its own type, OR the union, AND the intersection (which may not be empty).
 */
static int check_cexpr(struct checker *c, const struct pat_cexpr *e, struct tset *out)
{
    struct tset a = {0}, b = {0};
    int r;

    if (e->kind == PAT_CMP_TEST) {
        tset_add(out, e->test.path.type);
        return check_cmp(c, &e->test);
    }
    r = check_cexpr(c, e->l, &a);
    if (r == 0)
        r = check_cexpr(c, e->r, &b);
    for (size_t i = 0; r == 0 && i < a.n; i++)
        if (e->kind == PAT_CMP_OR || tset_has(&b, a.v[i]))
            tset_add(out, a.v[i]);
    for (size_t i = 0; r == 0 && e->kind == PAT_CMP_OR && i < b.n; i++)
        tset_add(out, b.v[i]);
    if (r == 0 && out->n == 0 && (c->flags & PAT_PARSE_ALLOW_MIXED_AND)) {
        c->mixed_and = true;
    } else if (r == 0 && out->n == 0) {
        const struct pat_cmp *t = first_test(e->r);
        r = fail(c, t->path.offset,
                 "AND joins object type '%s' to '%s' in one bracket (one object cannot match "
                 "both: use OR, or two brackets)",
                 t->path.type, a.v[0]);
    }
    free(a.v);
    free(b.v);
    return r;
}

/* ---- observation expressions ----------------------------------------------- */

static int check_qualifier(struct checker *c, const struct pat_obs *o)
{
    struct stix_ts t1, t2;

    if (o->kind == PAT_OBS_WITHIN && !(o->seconds > 0 && isfinite(o->seconds)))
        return fail(c, o->arg_offset, "WITHIN needs a positive number of seconds");
    if (o->kind == PAT_OBS_REPEATS && o->times < 1)
        return fail(c, o->arg_offset, "REPEATS needs a count of at least 1");
    if (o->kind != PAT_OBS_STARTSTOP)
        return 0;
    if (stix_ts_parse_full(o->start->str, o->start->len, &t1) != 0 ||
        stix_ts_parse_full(o->stop->str, o->stop->len, &t2) != 0 || stix_ts_cmp(&t1, &t2) >= 0)
        return fail(c, o->stop->offset, "STOP timestamp is not after START '%s'", o->start->str);
    return 0;
}

static int check_obs(struct checker *c, const struct pat_obs *o)
{
    struct tset types = {0};
    int r;

    switch (o->kind) {
    case PAT_OBS_TEST:
        r = check_cexpr(c, o->cexpr, &types);
        free(types.v);
        return r;
    case PAT_OBS_AND:
    case PAT_OBS_OR:
    case PAT_OBS_FOLLOWEDBY:
        r = check_obs(c, o->l);
        return r ? r : check_obs(c, o->r);
    default:
        r = check_obs(c, o->l);
        return r ? r : check_qualifier(c, o);
    }
}

/* 1: one bracket; 2: AND/OR of brackets; 3: qualifiers or FOLLOWEDBY anywhere. */
static int level_of(const struct pat_obs *o)
{
    int l, r;

    if (o->kind == PAT_OBS_TEST)
        return 1;
    if (o->kind != PAT_OBS_AND && o->kind != PAT_OBS_OR)
        return 3;
    l = level_of(o->l);
    r = level_of(o->r);
    return l == 3 || r == 3 ? 3 : 2;
}

int pat_check(struct pattern *p, const char *text, size_t len, unsigned flags, struct error *err)
{
    struct checker c = {text, len, flags, false, err};
    int r = check_obs(&c, p->root);

    if (r == 0) {
        p->level = level_of(p->root);
        p->mixed_and = c.mixed_and;
    }
    return r;
}
