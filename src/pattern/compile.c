/*
 * Pattern compiler of the bulk index: turns each bracket of a parsed
 * pattern into a rule and chooses the rule's anchors (index_int.h), the
 * lookups that find the rule from the values of a record.
 *
 * Anchors are necessary conditions.  For a test `path op constant` on a
 * path that names a value kind (enum pat_vkind; network-traffic
 * src_ref.value / dst_ref.value name either address kind, with a role):
 *   - = and IN with string constants: exact-string keys (the evaluator
 *     compares strings, eval_cmp.c; readers write one normal form);
 *     integer, float and boolean constants never equal a string value, so
 *     they add nothing;
 *   - ISSUBSET on an address path: the prefix structures;
 *   - LIKE (translated to an anchored regex) and MATCHES: the regex sets,
 *     constants in NFC like the evaluator's;
 *   - anything negated, ordered, on another path or with other constants
 *     has no anchor.
 * AND takes the cheaper side that has anchors (an empty anchor set, from
 * a test that can never hold, is cheapest: the rule never fires); OR
 * needs anchors on both sides and takes their union.
 *
 * A rule whose bracket is an OR of anchored tests only is "pure": an
 * anchor hit is a match.  Other anchored rules are candidates for the
 * evaluator.  Rules without anchors are residual.
 *
 * file:hashes keys other than the four the observation holds (MD5,
 * 'SHA-1', 'SHA-256', 'SHA-512', logs_obsv.c) can never hold, since the
 * evaluator looks keys up verbatim; normalising 'sha256' would make the
 * index disagree with it.
 */
#include "pattern/index_int.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/xalloc.h"

#define KIND_ANY_IP PAT_V_KIND_COUNT /* a network-traffic *_ref.value path */

/* Which value kind a path names. */
enum path_class {
    PATH_OTHER, /* not indexable */
    PATH_NEVER, /* a path the record observation never holds */
    PATH_VALUE  /* kind / role below */
};

struct path_info {
    enum path_class cls;
    unsigned kind; /* enum pat_vkind or KIND_ANY_IP */
    enum pat_vrole role;
};

static bool step_is(const struct pat_path *p, size_t i, const char *key)
{
    return i < p->n_steps && p->steps[i].kind == PAT_STEP_KEY && strcmp(p->steps[i].key, key) == 0;
}

static const struct {
    const char *type;
    enum pat_vkind kind;
} value_types[] = {
    {"ipv4-addr", PAT_V_IPV4}, {"ipv6-addr", PAT_V_IPV6},   {"domain-name", PAT_V_DOMAIN},
    {"url", PAT_V_URL},        {"email-addr", PAT_V_EMAIL},
};

static const struct {
    const char *name;
    enum pat_vkind kind;
} hash_names[] = {
    {"MD5", PAT_V_MD5}, {"SHA-1", PAT_V_SHA1}, {"SHA-256", PAT_V_SHA256}, {"SHA-512", PAT_V_SHA512},
};

static struct path_info file_path(const struct pat_path *p)
{
    struct path_info r = {PATH_OTHER, 0, PAT_ROLE_NONE};
    if (p->n_steps == 1 && step_is(p, 0, "name"))
        return (struct path_info){PATH_VALUE, PAT_V_FILENAME, PAT_ROLE_NONE};
    if (p->n_steps != 2 || !step_is(p, 0, "hashes") || p->steps[1].kind != PAT_STEP_KEY)
        return r;
    for (size_t i = 0; i < sizeof(hash_names) / sizeof(hash_names[0]); i++)
        if (strcmp(p->steps[1].key, hash_names[i].name) == 0)
            return (struct path_info){PATH_VALUE, hash_names[i].kind, PAT_ROLE_NONE};
    r.cls = PATH_NEVER;
    return r;
}

static struct path_info classify(const struct pat_path *p)
{
    struct path_info r = {PATH_OTHER, 0, PAT_ROLE_NONE};
    if (strcmp(p->type, "file") == 0)
        return file_path(p);
    if (strcmp(p->type, "network-traffic") == 0) {
        if (p->n_steps == 2 && step_is(p, 1, "value") && step_is(p, 0, "src_ref"))
            return (struct path_info){PATH_VALUE, KIND_ANY_IP, PAT_ROLE_SRC};
        if (p->n_steps == 2 && step_is(p, 1, "value") && step_is(p, 0, "dst_ref"))
            return (struct path_info){PATH_VALUE, KIND_ANY_IP, PAT_ROLE_DST};
        return r;
    }
    if (p->n_steps != 1 || !step_is(p, 0, "value"))
        return r;
    for (size_t i = 0; i < sizeof(value_types) / sizeof(value_types[0]); i++)
        if (strcmp(p->type, value_types[i].type) == 0)
            return (struct path_info){PATH_VALUE, value_types[i].kind, PAT_ROLE_NONE};
    return r;
}

/* ---- anchor sets ---- */

struct aset {
    struct idx_anchor *v; /* the anchors chosen so far, for the bracket being compiled */
    size_t n, cap;
    struct idx_pool *pool;
    struct error *err;
    int rc; /* first error (pool overflow) */
};

/* The outcome for one sub-expression: anchors v[first .. first+n). */
struct pick {
    bool ok;       /* has an anchor set (possibly empty) */
    bool pure;     /* anchors decide it exactly */
    unsigned cost; /* lookups a record pays for it */
    size_t first, n;
};

static void push(struct aset *s, struct idx_anchor a)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = a;
}

static void push_str(struct aset *s, enum idx_anchor_type type, unsigned kind,
                     enum pat_vrole role, const char *str, size_t len)
{
    uint32_t off = 0;
    int rc = idx_pool_add(s->pool, str, len, &off, s->err);
    if (rc && !s->rc)
        s->rc = rc;
    push(s, (struct idx_anchor){.type = (uint8_t)type, .kind = (uint8_t)kind, .role = (uint8_t)role,
                                .a = off, .b = len});
}

/* Equality with one string constant; a role path gets a key in both address tables. */
static void eq_anchor(struct aset *s, const struct path_info *pi, const struct pat_lit *l)
{
    if (pi->kind == KIND_ANY_IP) {
        push_str(s, IDX_A_STR, PAT_V_IPV4, pi->role, l->str, l->len);
        push_str(s, IDX_A_STR, PAT_V_IPV6, pi->role, l->str, l->len);
    } else {
        push_str(s, IDX_A_STR, pi->kind, pi->role, l->str, l->len);
    }
}

/* = / IN: false when a constant's kind cannot be decided by string keys. */
static bool eq_anchors(struct aset *s, const struct path_info *pi, const struct pat_cmp *c)
{
    for (size_t i = 0; i < c->n_vals; i++) {
        enum pat_lit_kind k = c->vals[i].kind;
        if (k != PAT_LIT_STRING && k != PAT_LIT_INT && k != PAT_LIT_FLOAT && k != PAT_LIT_BOOL)
            return false; /* bytes and timestamps may equal some strings */
    }
    for (size_t i = 0; i < c->n_vals; i++)
        if (c->vals[i].kind == PAT_LIT_STRING && pi->cls == PATH_VALUE)
            eq_anchor(s, pi, &c->vals[i]);
    return true;
}

/* ISSUBSET: the constant as a prefix of the family its path allows. */
static bool subset_anchor(struct aset *s, const struct path_info *pi, const struct pat_lit *l)
{
    uint32_t a4;
    uint64_t hi, lo;
    unsigned plen;
    if (l->kind != PAT_LIT_STRING)
        return false;
    if (pi->kind != PAT_V_IPV4 && pi->kind != PAT_V_IPV6 && pi->kind != KIND_ANY_IP)
        return false; /* a file name may well read as an address */
    bool is4 = idx_parse_v4(l->str, l->len, &a4) ? (plen = 32, true)
                                                 : idx_parse_net4(l->str, l->len, &a4, &plen);
    if (is4) {
        if (pi->kind == PAT_V_IPV6)
            return true; /* a v6 value is never inside a v4 network */
        push(s, (struct idx_anchor){.type = IDX_A_NET4, .kind = PAT_V_IPV4,
                                    .role = (uint8_t)pi->role, .plen = (uint8_t)plen, .b = a4});
        return true;
    }
    bool is6 = idx_parse_v6(l->str, l->len, &hi, &lo) ? (plen = 128, true)
                                                      : idx_parse_net6(l->str, l->len, &hi, &lo,
                                                                       &plen);
    if (!is6)
        return false; /* let the evaluator judge the constant */
    if (pi->kind == PAT_V_IPV4)
        return true;
    push(s, (struct idx_anchor){.type = IDX_A_NET6, .kind = PAT_V_IPV6, .role = (uint8_t)pi->role,
                                .plen = (uint8_t)plen, .a = hi, .b = lo});
    return true;
}

/* NFC of a constant (a malloc'd copy, or NULL when it is not UTF-8). */
static char *nfc_copy(const char *s, size_t len, size_t *out_len)
{
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (r < 0)
        return NULL;
    *out_len = (size_t)r;
    return (char *)dst;
}

static void regex_anchor(struct aset *s, const struct path_info *pi, const struct pat_cmp *c)
{
    size_t len = 0;
    char *text = nfc_copy(c->vals[0].str, c->vals[0].len, &len);
    if (!text)
        return; /* the evaluator cannot use it either: never true */
    uint32_t off = 0;
    size_t rlen = len;
    int rc = c->op == PAT_OP_LIKE ? idx_like_to_regex(text, len, s->pool, &off, &rlen, s->err)
                                  : idx_pool_add(s->pool, text, len, &off, s->err);
    free(text);
    if (rc) {
        if (!s->rc)
            s->rc = rc;
        return;
    }
    unsigned k0 = pi->kind == KIND_ANY_IP ? PAT_V_IPV4 : pi->kind;
    unsigned k1 = pi->kind == KIND_ANY_IP ? PAT_V_IPV6 : pi->kind;
    for (unsigned k = k0; k <= k1; k++)
        push(s, (struct idx_anchor){.type = IDX_A_REGEX, .kind = (uint8_t)k,
                                    .role = (uint8_t)pi->role, .a = off, .b = rlen});
}

static unsigned anchor_cost(const struct idx_anchor *a)
{
    switch (a->type) {
    case IDX_A_STR:
        return 1;
    case IDX_A_REGEX:
        return 8;
    default:
        return 2;
    }
}

static struct pick pick_test(struct aset *s, const struct pat_cmp *c)
{
    struct pick p = {false, false, 0, s->n, 0};
    struct path_info pi = classify(&c->path);
    bool str1 = c->n_vals == 1 && c->vals[0].kind == PAT_LIT_STRING;
    if (c->negated || pi.cls == PATH_OTHER)
        return p;
    if (c->op == PAT_OP_EQ || c->op == PAT_OP_IN)
        p.ok = eq_anchors(s, &pi, c);
    else if ((c->op == PAT_OP_LIKE || c->op == PAT_OP_MATCHES) && str1) {
        p.ok = true;
        if (pi.cls == PATH_VALUE)
            regex_anchor(s, &pi, c);
    } else if (c->op == PAT_OP_ISSUBSET && c->n_vals == 1)
        p.ok = pi.cls == PATH_NEVER || subset_anchor(s, &pi, &c->vals[0]);
    if (!p.ok) {
        s->n = p.first;
        return p;
    }
    p.pure = true;
    p.n = s->n - p.first;
    for (size_t i = p.first; i < s->n; i++)
        p.cost += anchor_cost(&s->v[i]);
    return p;
}

static struct pick pick_cexpr(struct aset *s, const struct pat_cexpr *e, int depth);

/* AND: the cheaper side with anchors; the other side's anchors are dropped. */
static struct pick pick_and(struct pick l, struct pick r, struct aset *s)
{
    struct pick best = l;
    if (!l.ok || (r.ok && r.cost < l.cost)) {
        best = r;
        if (r.ok && l.n)
            memmove(&s->v[l.first], &s->v[r.first], r.n * sizeof(*s->v));
        best.first = l.first;
    }
    s->n = best.ok ? best.first + best.n : l.first;
    best.pure = false;
    return best;
}

static struct pick pick_cexpr(struct aset *s, const struct pat_cexpr *e, int depth)
{
    if (e->kind == PAT_CMP_TEST)
        return pick_test(s, &e->test);
    if (depth > PAT_DEPTH_MAX * 4) /* the parser bounds nesting; this only guards the stack */
        return (struct pick){false, false, 0, s->n, 0};
    struct pick l = pick_cexpr(s, e->l, depth + 1);
    struct pick r = pick_cexpr(s, e->r, depth + 1);
    if (e->kind == PAT_CMP_AND)
        return pick_and(l, r, s);
    if (!l.ok || !r.ok) {
        s->n = l.first;
        return (struct pick){false, false, 0, l.first, 0};
    }
    return (struct pick){true, l.pure && r.pure, l.cost + r.cost, l.first, l.n + r.n};
}

int idx_like_to_regex(const char *like, size_t len, struct idx_pool *pool, uint32_t *off,
                      size_t *out_len, struct error *err)
{
    static const char hex[] = "0123456789abcdef";
    char *re = xmalloc(len * 4 + 8);
    size_t n = 0;
    memcpy(re, "\\A", 2);
    n = 2;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)like[i];
        if (ch == '%') {
            re[n++] = '.';
            re[n++] = '*';
        } else if (ch == '_') {
            re[n++] = '.';
        } else if (ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= 'A' && ch <= 'Z')) {
            re[n++] = (char)ch;
        } else { /* every other ASCII character as \xHH: literal in both engines */
            re[n++] = '\\';
            re[n++] = 'x';
            re[n++] = hex[ch >> 4];
            re[n++] = hex[ch & 15];
        }
    }
    memcpy(re + n, "\\z", 2);
    n += 2;
    int rc = idx_pool_add(pool, re, n, off, err);
    free(re);
    *out_len = n;
    return rc;
}

/* ---- rules ---- */

static int add_rule(struct pat_index_builder *b, uint32_t ind, unsigned bracket, bool partial,
                    const struct pat_cexpr *cexpr, bool *keep, struct error *err)
{
    struct aset s = {.pool = &b->pool, .err = err};
    struct pick p = pick_cexpr(&s, cexpr, 0);
    if (s.rc) {
        free(s.v);
        return s.rc;
    }
    if (b->n_rules >= IDX_RULES_MAX || bracket > UINT16_MAX) {
        free(s.v);
        return error_set(err, ERR_TOO_LARGE, "too many indicators or brackets for one index");
    }
    if (b->n_rules == b->cap_rules) {
        b->cap_rules = b->cap_rules ? 2 * b->cap_rules : 1024;
        b->rules = xrealloc(b->rules, b->cap_rules * sizeof(*b->rules));
    }
    uint32_t rule = (uint32_t)b->n_rules++;
    struct idx_rule *r = &b->rules[rule];
    r->ind = ind;
    r->bracket = (uint16_t)bracket;
    r->flags = (uint8_t)((partial ? IDX_RULE_PARTIAL : 0) | (p.ok && p.pure ? IDX_RULE_PURE : 0) |
                         (p.ok ? 0 : IDX_RULE_RESIDUAL));
    r->pad = 0;
    r->cexpr = (r->flags & IDX_RULE_PURE) ? NULL : cexpr;
    if (r->cexpr)
        *keep = true;
    if (b->n_anchors + s.n > b->cap_anchors) {
        while (b->n_anchors + s.n > b->cap_anchors)
            b->cap_anchors = b->cap_anchors ? 2 * b->cap_anchors : 1024;
        b->anchors = xrealloc(b->anchors, b->cap_anchors * sizeof(*b->anchors));
    }
    for (size_t i = 0; p.ok && i < s.n; i++) {
        s.v[i].rule = rule;
        b->anchors[b->n_anchors++] = s.v[i];
    }
    free(s.v);
    return 0;
}

/* The brackets of an observation expression, left to right. */
static int add_brackets(struct pat_index_builder *b, uint32_t ind, const struct pat_obs *o,
                        unsigned *bracket, bool *keep, struct error *err)
{
    if (o->kind == PAT_OBS_TEST)
        return add_rule(b, ind, (*bracket)++, true, o->cexpr, keep, err);
    int rc = add_brackets(b, ind, o->l, bracket, keep, err);
    if (!rc && o->r && (o->kind == PAT_OBS_AND || o->kind == PAT_OBS_OR ||
                        o->kind == PAT_OBS_FOLLOWEDBY))
        rc = add_brackets(b, ind, o->r, bracket, keep, err);
    return rc;
}

int idx_compile(struct pat_index_builder *b, uint32_t ind, const struct pattern *tree, bool *keep,
                struct error *err)
{
    unsigned bracket = 0;
    size_t rules0 = b->n_rules, anchors0 = b->n_anchors;
    int rc;
    *keep = false;
    if (tree->level == 1 && tree->root->kind == PAT_OBS_TEST)
        rc = add_rule(b, ind, 0, false, tree->root->cexpr, keep, err);
    else
        rc = add_brackets(b, ind, tree->root, &bracket, keep, err);
    if (rc) { /* leave nothing of this indicator behind */
        b->n_rules = rules0;
        b->n_anchors = anchors0;
        *keep = false;
    }
    return rc;
}
