/*
 * Recursive-descent parser for STIX 2.1 patterns (domain.md §3.1): text in,
 * the tree of pattern.h out, every node in the pattern's arena.
 *
 * One function per grammar level.  Left-associative operators are loops,
 * so a long chain `A OR B OR C ...` costs no stack; only ( and [ recurse,
 * and their nesting is bounded by PAT_DEPTH_MAX.  Precedence, high to low:
 * brackets, qualifiers (bound to the term just before them), AND, OR,
 * FOLLOWEDBY; inside a bracket AND before OR.
 *
 * Errors say what was found and what was expected, with the byte offset
 * of the offending token: "unexpected 'AND' at offset 3: expected an object
 * path", or "expected ']' at offset 14" at the end of the text.  The first
 * error stops the parse.  pat_check (check.c) then judges the meaning.
 */
#include "pattern/pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"
#include "util/banned.h"
#include "util/xalloc.h"

struct parser {
    struct pat_lexer lx;
    struct pat_token tok; /* the current (lookahead) token */
    struct pat_arena *arena;
    struct error *err;
    int depth; /* ( and [ currently open */
};

static int advance(struct parser *p)
{
    return pat_lex_next(&p->lx, &p->tok, p->err);
}

/* "unexpected X at offset N: expected WHAT", or "expected WHAT at offset N" at the end. */
static int fail_expected(struct parser *p, const char *what)
{
    char d[64];
    long off = p->tok.offset;

    if (p->tok.kind == PAT_T_EOF)
        return error_set_at(p->err, ERR_INVALID, "", off, "expected %s at offset %ld", what, off);
    return error_set_at(p->err, ERR_INVALID, "", off, "unexpected %s at offset %ld: expected %s",
                        pat_tok_describe(&p->lx, &p->tok, d, sizeof(d)), off, what);
}

/* The current token must be kind: consume it, or fail naming what. */
static int expect(struct parser *p, enum pat_tok_kind kind, const char *what)
{
    if (p->tok.kind != kind)
        return fail_expected(p, what);
    return advance(p);
}

/* Entering ( or [: bounded nesting. */
static int enter(struct parser *p)
{
    if (++p->depth > PAT_DEPTH_MAX)
        return error_set_at(p->err, ERR_TOO_LARGE, "", p->tok.offset,
                            "nesting deeper than %d at offset %ld", PAT_DEPTH_MAX, p->tok.offset);
    return advance(p);
}

/* ---- object paths -------------------------------------------------------- */

/* Append a step to a path being built (steps grow in a heap array first). */
static struct pat_step *add_step(struct pat_step **steps, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *steps = xrealloc(*steps, *cap * sizeof(**steps));
    }
    memset(&(*steps)[*n], 0, sizeof(**steps));
    return &(*steps)[(*n)++];
}

/* A property name: an identifier without '-', or a quoted string. */
static int parse_key(struct parser *p, struct pat_step *st)
{
    const struct pat_token *t = &p->tok;

    st->kind = PAT_STEP_KEY;
    if (t->kind == PAT_T_LIT && t->lit.kind == PAT_LIT_STRING) {
        st->key = t->lit.str;
        return advance(p);
    }
    if (t->kind != PAT_T_IDENT)
        return fail_expected(p, "a property name");
    if (memchr(p->lx.text + t->offset, '-', t->len))
        return error_set_at(p->err, ERR_INVALID, "", t->offset,
                            "property name with '-' at offset %ld must be quoted", t->offset);
    st->key = pat_arena_strndup(p->arena, p->lx.text + t->offset, t->len);
    return advance(p);
}

/* [n] or [*]; the '[' is the current token. */
static int parse_index(struct parser *p, struct pat_step *st)
{
    int r = advance(p);

    if (r)
        return r;
    if (p->tok.kind == PAT_T_STAR) {
        st->kind = PAT_STEP_ANY;
    } else if (p->tok.kind == PAT_T_LIT && p->tok.lit.kind == PAT_LIT_INT && p->tok.lit.i >= 0) {
        st->kind = PAT_STEP_INDEX;
        st->index = (long)p->tok.lit.i;
    } else {
        return fail_expected(p, "a list index (a non-negative integer or '*')");
    }
    r = advance(p);
    return r ? r : expect(p, PAT_T_RBRACK, "']'");
}

/* The steps after "type:", into heap memory copied to the arena at the end. */
static int parse_steps(struct parser *p, struct pat_path *path)
{
    struct pat_step *steps = NULL;
    size_t n = 0, cap = 0;
    int r = parse_key(p, add_step(&steps, &n, &cap));

    while (r == 0 && (p->tok.kind == PAT_T_DOT || p->tok.kind == PAT_T_LBRACK)) {
        if (p->tok.kind == PAT_T_DOT) {
            r = advance(p);
            if (r == 0)
                r = parse_key(p, add_step(&steps, &n, &cap));
        } else {
            r = parse_index(p, add_step(&steps, &n, &cap));
        }
    }
    if (r == 0) {
        path->steps = pat_arena_alloc(p->arena, n * sizeof(*steps));
        memcpy(path->steps, steps, n * sizeof(*steps));
        path->n_steps = n;
    }
    free(steps);
    return r;
}

/* object_type ':' first_step { '.' key | '[' index ']' } */
static int parse_path(struct parser *p, struct pat_path *path)
{
    int r;

    path->offset = p->tok.offset;
    if (p->tok.kind != PAT_T_IDENT)
        return fail_expected(p, "an object path");
    path->type = pat_arena_strndup(p->arena, p->lx.text + p->tok.offset, p->tok.len);
    r = advance(p);
    if (r == 0)
        r = expect(p, PAT_T_COLON, "':' after the object type");
    if (r == 0)
        r = parse_steps(p, path);
    return r;
}

/* ---- comparisons --------------------------------------------------------- */

/* One constant; its kind is judged by pat_check. */
static int parse_literal(struct parser *p, struct pat_lit *out)
{
    if (p->tok.kind != PAT_T_LIT)
        return fail_expected(p, "a constant");
    *out = p->tok.lit;
    return advance(p);
}

/* '(' [literal {',' literal}] ')' after IN. */
static int parse_set(struct parser *p, struct pat_cmp *cmp)
{
    struct pat_lit *vals = NULL;
    size_t n = 0, cap = 0;
    int r = expect(p, PAT_T_LPAREN, "'(' after IN");

    while (r == 0 && p->tok.kind != PAT_T_RPAREN) {
        if (n > 0)
            r = expect(p, PAT_T_COMMA, "',' or ')'");
        if (r)
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            vals = xrealloc(vals, cap * sizeof(*vals));
        }
        r = parse_literal(p, &vals[n++]);
    }
    if (r == 0) {
        cmp->vals = pat_arena_alloc(p->arena, n * sizeof(*vals));
        if (n)
            memcpy(cmp->vals, vals, n * sizeof(*vals));
        cmp->n_vals = n;
        r = advance(p);
    }
    free(vals);
    return r;
}

/* The operator after "path [NOT]", or 0 when the token is none. */
static int op_of(enum pat_tok_kind k, enum pat_op *op)
{
    static const struct {
        enum pat_tok_kind tok;
        enum pat_op op;
    } ops[] = {
        {PAT_T_EQ, PAT_OP_EQ},
        {PAT_T_NE, PAT_OP_NE},
        {PAT_T_LT, PAT_OP_LT},
        {PAT_T_LE, PAT_OP_LE},
        {PAT_T_GT, PAT_OP_GT},
        {PAT_T_GE, PAT_OP_GE},
        {PAT_T_IN, PAT_OP_IN},
        {PAT_T_LIKE, PAT_OP_LIKE},
        {PAT_T_MATCHES, PAT_OP_MATCHES},
        {PAT_T_ISSUBSET, PAT_OP_ISSUBSET},
        {PAT_T_ISSUPERSET, PAT_OP_ISSUPERSET},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (ops[i].tok == k) {
            *op = ops[i].op;
            return 1;
        }
    return 0;
}

/* path [NOT] op constant(s) */
static int parse_comparison(struct parser *p, struct pat_cmp *cmp)
{
    int r = parse_path(p, &cmp->path);

    if (r == 0 && p->tok.kind == PAT_T_NOT) {
        cmp->negated = true;
        r = advance(p);
    }
    if (r)
        return r;
    if (!op_of(p->tok.kind, &cmp->op))
        return fail_expected(p, "a comparison operator");
    r = advance(p);
    if (r)
        return r;
    if (cmp->op == PAT_OP_IN)
        return parse_set(p, cmp);
    cmp->vals = pat_arena_alloc(p->arena, sizeof(*cmp->vals));
    cmp->n_vals = 1;
    return parse_literal(p, cmp->vals);
}

/* [NOT] EXISTS path */
static int parse_exists(struct parser *p, struct pat_cmp *cmp)
{
    int r = 0;

    if (p->tok.kind == PAT_T_NOT) {
        cmp->negated = true;
        r = advance(p);
    }
    if (r == 0)
        r = expect(p, PAT_T_EXISTS, "EXISTS");
    if (r == 0)
        r = parse_path(p, &cmp->path);
    cmp->op = PAT_OP_EXISTS;
    return r;
}

static int parse_cexpr_or(struct parser *p, struct pat_cexpr **out);

/* '(' cmp_expr ')' | [NOT] EXISTS path | path [NOT] op constant */
static int parse_prop_test(struct parser *p, struct pat_cexpr **out)
{
    struct pat_cexpr *e;
    int r;

    if (p->tok.kind == PAT_T_LPAREN) {
        r = enter(p);
        if (r == 0)
            r = parse_cexpr_or(p, out);
        p->depth--;
        return r ? r : expect(p, PAT_T_RPAREN, "')'");
    }
    e = *out = pat_arena_alloc(p->arena, sizeof(*e));
    e->kind = PAT_CMP_TEST;
    e->offset = e->test.offset = p->tok.offset;
    if (p->tok.kind == PAT_T_NOT || p->tok.kind == PAT_T_EXISTS)
        return parse_exists(p, &e->test);
    return parse_comparison(p, &e->test);
}

static int parse_cexpr_and(struct parser *p, struct pat_cexpr **out)
{
    int r = parse_prop_test(p, out);

    while (r == 0 && p->tok.kind == PAT_T_AND) {
        struct pat_cexpr *e = pat_arena_alloc(p->arena, sizeof(*e));
        e->kind = PAT_CMP_AND;
        e->offset = p->tok.offset;
        e->l = *out;
        *out = e;
        r = advance(p);
        if (r == 0)
            r = parse_prop_test(p, &e->r);
    }
    return r;
}

static int parse_cexpr_or(struct parser *p, struct pat_cexpr **out)
{
    int r = parse_cexpr_and(p, out);

    while (r == 0 && p->tok.kind == PAT_T_OR) {
        struct pat_cexpr *e = pat_arena_alloc(p->arena, sizeof(*e));
        e->kind = PAT_CMP_OR;
        e->offset = p->tok.offset;
        e->l = *out;
        *out = e;
        r = advance(p);
        if (r == 0)
            r = parse_cexpr_and(p, &e->r);
    }
    return r;
}

/* ---- observation expressions --------------------------------------------- */

static int parse_obs_expr(struct parser *p, struct pat_obs **out);

static struct pat_obs *obs_new(struct parser *p, enum pat_obs_kind kind, long offset)
{
    struct pat_obs *o = pat_arena_alloc(p->arena, sizeof(*o));

    o->kind = kind;
    o->offset = offset;
    o->arg_offset = -1;
    return o;
}

/* A timestamp constant (after START or STOP). */
static int parse_ts(struct parser *p, struct pat_lit **out)
{
    if (p->tok.kind != PAT_T_LIT || p->tok.lit.kind != PAT_LIT_TIMESTAMP)
        return fail_expected(p, "a timestamp t'...'");
    *out = pat_arena_alloc(p->arena, sizeof(**out));
    **out = p->tok.lit;
    return advance(p);
}

/* START t STOP t | WITHIN n SECONDS | REPEATS n TIMES, applied to o. */
static int parse_qualifier(struct parser *p, struct pat_obs *o)
{
    enum pat_tok_kind q = p->tok.kind;
    int r = advance(p);
    bool num;

    if (r)
        return r;
    if (q == PAT_T_START) {
        o->kind = PAT_OBS_STARTSTOP;
        r = parse_ts(p, &o->start);
        if (r == 0)
            r = expect(p, PAT_T_STOP, "STOP");
        if (r == 0)
            r = parse_ts(p, &o->stop);
        if (r == 0) {
            o->start_ns = o->start->ns;
            o->stop_ns = o->stop->ns;
        }
        return r;
    }
    o->arg_offset = p->tok.offset;
    num = p->tok.kind == PAT_T_LIT && (p->tok.lit.kind == PAT_LIT_INT ||
                                       (q == PAT_T_WITHIN && p->tok.lit.kind == PAT_LIT_FLOAT));
    if (!num)
        return fail_expected(p, q == PAT_T_WITHIN ? "a number of seconds" : "a whole number");
    if (q == PAT_T_WITHIN) {
        o->kind = PAT_OBS_WITHIN;
        o->seconds = p->tok.lit.kind == PAT_LIT_INT ? (double)p->tok.lit.i : p->tok.lit.f;
    } else {
        o->kind = PAT_OBS_REPEATS;
        o->times = (long)p->tok.lit.i;
    }
    r = advance(p);
    return r ? r
             : expect(p, q == PAT_T_WITHIN ? PAT_T_SECONDS : PAT_T_TIMES,
                      q == PAT_T_WITHIN ? "SECONDS" : "TIMES");
}

/* '[' cmp_expr ']' | '(' obs_expr ')' */
static int parse_obs_primary(struct parser *p, struct pat_obs **out)
{
    long off = p->tok.offset;
    int r;

    if (p->tok.kind == PAT_T_LPAREN) {
        r = enter(p);
        if (r == 0)
            r = parse_obs_expr(p, out);
        p->depth--;
        return r ? r : expect(p, PAT_T_RPAREN, "')'");
    }
    if (p->tok.kind != PAT_T_LBRACK)
        return fail_expected(p, "'[' or '('");
    *out = obs_new(p, PAT_OBS_TEST, off);
    r = enter(p);
    if (r == 0)
        r = parse_cexpr_or(p, &(*out)->cexpr);
    p->depth--;
    return r ? r : expect(p, PAT_T_RBRACK, "']'");
}

/*
 * A primary followed by qualifiers, each wrapping what is before it.  They
 * may stack (STIXPattern.g4), but at most one of each kind (domain.md §3.2
 * item 4): `[a] WITHIN 5 SECONDS WITHIN 9 SECONDS` is refused.
 */
static int parse_obs_term(struct parser *p, struct pat_obs **out)
{
    long off = p->tok.offset;
    unsigned seen = 0, bit;
    int r = parse_obs_primary(p, out);

    while (r == 0 && (p->tok.kind == PAT_T_START || p->tok.kind == PAT_T_WITHIN ||
                      p->tok.kind == PAT_T_REPEATS)) {
        struct pat_obs *q = obs_new(p, PAT_OBS_WITHIN, off);
        bit = 1u << (p->tok.kind - PAT_T_START);
        if (seen & bit) {
            char d[64];
            return error_set_at(p->err, ERR_INVALID, "", p->tok.offset,
                                "second %s qualifier on the same expression at offset %ld",
                                pat_tok_describe(&p->lx, &p->tok, d, sizeof(d)), p->tok.offset);
        }
        seen |= bit;
        q->l = *out;
        *out = q;
        r = parse_qualifier(p, q);
    }
    return r;
}

/* Left-associative binary level: operand {op operand}. */
static int parse_obs_binary(struct parser *p, struct pat_obs **out, enum pat_tok_kind op,
                            enum pat_obs_kind kind,
                            int (*operand)(struct parser *, struct pat_obs **))
{
    long off = p->tok.offset;
    int r = operand(p, out);

    while (r == 0 && p->tok.kind == op) {
        struct pat_obs *o = obs_new(p, kind, off);
        o->l = *out;
        *out = o;
        r = advance(p);
        if (r == 0)
            r = operand(p, &o->r);
    }
    return r;
}

static int parse_obs_and(struct parser *p, struct pat_obs **out)
{
    return parse_obs_binary(p, out, PAT_T_AND, PAT_OBS_AND, parse_obs_term);
}

static int parse_obs_or(struct parser *p, struct pat_obs **out)
{
    return parse_obs_binary(p, out, PAT_T_OR, PAT_OBS_OR, parse_obs_and);
}

static int parse_obs_expr(struct parser *p, struct pat_obs **out)
{
    return parse_obs_binary(p, out, PAT_T_FOLLOWEDBY, PAT_OBS_FOLLOWEDBY, parse_obs_or);
}

/* ---- entry points -------------------------------------------------------- */

int pat_parse(const char *text, size_t len, struct pattern **out, struct error *err)
{
    return pat_parse_opts(text, len, 0, out, err);
}

int pat_parse_opts(const char *text, size_t len, unsigned flags, struct pattern **out,
                   struct error *err)
{
    struct parser p = {0};
    struct pattern *pat = xcalloc(1, sizeof(*pat));
    int result;

    *out = NULL;
    pat->arena = pat_arena_new();
    if (len > PAT_TEXT_MAX) {
        result =
            error_set_at(err, ERR_TOO_LARGE, "", PAT_TEXT_MAX,
                         "pattern longer than %u bytes at offset %u", PAT_TEXT_MAX, PAT_TEXT_MAX);
        goto out;
    }
    p.arena = pat->arena;
    p.err = err;
    pat_lex_init(&p.lx, text, len, pat->arena);
    result = advance(&p);
    if (result == 0)
        result = parse_obs_expr(&p, &pat->root);
    if (result == 0 && p.tok.kind != PAT_T_EOF)
        result = fail_expected(&p, "AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern");
    if (result == 0)
        result = pat_check(pat, text, len, flags, err);
out:
    if (result != 0) {
        pat_free(pat);
        return result;
    }
    *out = pat;
    return 0;
}

void pat_free(struct pattern *p)
{
    if (!p)
        return;
    pat_arena_free(p->arena);
    free(p);
}
