/*
 * One comparison of a STIX pattern against one property value (STIX 2.1
 * §9.5 "Comparison Operators", domain.md §3.2 items 5-9).  eval.c walks
 * the object path and calls pat_ev_test for every value the path reaches;
 * this file knows nothing of objects or observations.
 *
 * Rules (where the specification is silent, as stix2-matcher does):
 * - Strings compare by code point (UTF-8 byte order is code point order),
 *   a longer string that is otherwise equal is greater; no normalisation.
 * - Integers and floats compare numerically; booleans only for = and !=.
 * - A timestamp constant t'...' against a string property parses the
 *   property as a STIX timestamp and compares instants.
 * - Bytes (`_hex` / `_bin` properties, b'' / h'' constants) compare as
 *   unsigned octets; a string on the other side is turned into octets only
 *   when all its code points are below U+0100, else it is incomparable.
 * - Incomparable types: = is false, != is true, IN is false (not a
 *   member); ordering, LIKE, MATCHES, ISSUBSET/ISSUPERSET are "not
 *   applicable", which stays false under NOT (like missing data).
 * - NOT negates the result of the operator on the value.
 * - LIKE (% any run, _ one code point) and MATCHES work on the NFC form of
 *   both the constant and the value (libutf8proc); MATCHES is a PCRE2
 *   search (unanchored unless the expression anchors) with UTF and DOTALL,
 *   JIT-compiled where PCRE2 can (a JIT error, such as its stack limit,
 *   runs the interpreter, whose answer stands).
 *   On byte values MATCHES runs the expression, as octets, without UTF.
 * - ISSUBSET / ISSUPERSET treat both sides as CIDR sets (IPv4 or IPv6, a
 *   bare address being /32 or /128); different families never contain
 *   each other.
 */
#include "pattern/eval_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "stix/timestamp.h"
#include "util/banned.h"
#include "util/xalloc.h"
#include "util/hex.h"

#define RX_MATCH_LIMIT 1000000u /* PCRE2 backtracking steps per match */
#define RX_DEPTH_LIMIT 10000u   /* PCRE2 nested backtracking depth per match */

struct pat_ev_rx {
    const struct pat_cmp *cmp; /* the MATCHES comparison this was compiled for */
    bool bin;                  /* compiled for byte values: octets, no UTF */
    bool jit;                  /* code has a JIT-compiled form, which pcre2_match runs */
    pcre2_code *code;          /* NULL when the expression does not compile */
    pcre2_match_data *md;
};

static void cidrs_free(struct pat_ev_cidrs *x);

void pat_ev_ctx_init(struct pat_ev_ctx *c)
{
    memset(c, 0, sizeof(*c));
}

void pat_ev_ctx_release(struct pat_ev_ctx *c)
{
    for (size_t i = 0; i < c->n_rx; i++) {
        pcre2_match_data_free(c->rx[i].md);
        pcre2_code_free(c->rx[i].code);
    }
    free(c->rx);
    pcre2_match_context_free(c->match_ctx);
    cidrs_free(c->cidrs);
    memset(c, 0, sizeof(*c));
}

/* ---- text helpers ----------------------------------------------------- */

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/*
 * The NFC form of s[0..n): *out points at s itself (ASCII is already NFC)
 * or at *buf, malloc'd, which the caller frees.  False if s is not UTF-8.
 */
static bool nfc(const char *s, size_t n, const char **out, size_t *out_n, char **buf)
{
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r;

    *buf = NULL;
    if (is_ascii(s, n)) {
        *out = s;
        *out_n = n;
        return true;
    }
    r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (r < 0)
        return false;
    *buf = (char *)dst;
    *out = *buf;
    *out_n = (size_t)r;
    return true;
}

/* The code points of the UTF-8 text s[0..n), xmalloc'd; NULL if s is not UTF-8. */
static int32_t *code_points(const char *s, size_t n, size_t *count)
{
    int32_t *cp = xmalloc((n + 1) * sizeof(*cp));
    size_t i = 0, k = 0;

    while (i < n) {
        utf8proc_ssize_t m =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp[k]);
        if (m <= 0) {
            free(cp);
            return NULL;
        }
        i += (size_t)m;
        k++;
    }
    *count = k;
    return cp;
}

/* The octets of UTF-8 text whose code points are all < U+0100 (xmalloc'd), or NULL. */
static char *latin1_of(const char *s, size_t n, size_t *out_n)
{
    size_t k = 0;
    int32_t *cp = code_points(s, n, &k);
    char *out;

    if (!cp)
        return NULL;
    out = xmalloc(k + 1);
    for (size_t i = 0; i < k; i++) {
        if (cp[i] > 0xff) {
            free(cp);
            free(out);
            return NULL;
        }
        out[i] = (char)(unsigned char)cp[i];
    }
    out[k] = '\0';
    free(cp);
    *out_n = k;
    return out;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;

    if (c)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* Compare text s (as octets, STIX 2.1 §9.5 binary rule) with bytes b; false if not convertible. */
static bool cmp_text_bytes(const char *s, size_t n, const char *b, size_t bn, int *out)
{
    size_t k;
    char *oct = latin1_of(s, n, &k);

    if (!oct)
        return false;
    *out = cmp_bytes(oct, k, b, bn);
    free(oct);
    return true;
}

/* ---- ordering and equality -------------------------------------------- */

static int cmp_ld(long double a, long double b)
{
    return (a > b) - (a < b);
}

static bool value_number(const struct pat_ev_val *v, long double *x)
{
    if (v->kind == PAT_EV_INT)
        *x = (long double)v->i;
    else if (v->kind == PAT_EV_FLOAT)
        *x = (long double)v->f;
    else
        return false;
    return true;
}

static bool compare_number(const struct pat_lit *l, const struct pat_ev_val *v, int *out)
{
    long double x;

    if (l->kind == PAT_LIT_INT && v->kind == PAT_EV_INT) {
        *out = (v->i > l->i) - (v->i < l->i);
        return true;
    }
    if (!value_number(v, &x))
        return false;
    *out = cmp_ld(x, l->kind == PAT_LIT_INT ? (long double)l->i : (long double)l->f);
    return true;
}

static bool compare_bytes_lit(const struct pat_lit *l, const struct pat_ev_val *v, int *out)
{
    if (v->kind == PAT_EV_BYTES) {
        *out = cmp_bytes(v->s, v->len, l->str, l->len);
        return true;
    }
    if (v->kind == PAT_EV_STR)
        return cmp_text_bytes(v->s, v->len, l->str, l->len, out);
    return false;
}

static bool compare_string_lit(const struct pat_lit *l, const struct pat_ev_val *v, bool eq_only,
                               int *out)
{
    int c;

    if (v->kind == PAT_EV_STR && eq_only && v->len != l->len) {
        *out = 1; /* unequal, which is all = / != / IN need: the text is not read */
        return true;
    }
    if (v->kind == PAT_EV_STR) {
        *out = cmp_bytes(v->s, v->len, l->str, l->len);
        return true;
    }
    if (v->kind == PAT_EV_BYTES && cmp_text_bytes(l->str, l->len, v->s, v->len, &c)) {
        *out = -c;
        return true;
    }
    return false;
}

static bool compare_timestamp(const struct pat_lit *l, const struct pat_ev_val *v, int *out)
{
    int64_t ns;

    if (v->kind != PAT_EV_STR || stix_ts_parse(v->s, v->len, &ns, NULL) != 0)
        return false;
    *out = (ns > l->ns) - (ns < l->ns);
    return true;
}

/*
 * Order of value v against constant l: *out <0, 0, >0.  False when the
 * pair is incomparable; booleans only compare for equality (eq_only).
 */
static bool compare(const struct pat_lit *l, const struct pat_ev_val *v, bool eq_only, int *out)
{
    switch (l->kind) {
    case PAT_LIT_STRING:
        return compare_string_lit(l, v, eq_only, out);
    case PAT_LIT_INT:
    case PAT_LIT_FLOAT:
        return compare_number(l, v, out);
    case PAT_LIT_BOOL:
        if (!eq_only || v->kind != PAT_EV_BOOL)
            return false;
        *out = v->b != l->b;
        return true;
    case PAT_LIT_BINARY:
    case PAT_LIT_HEX:
        return compare_bytes_lit(l, v, out);
    case PAT_LIT_TIMESTAMP:
        return compare_timestamp(l, v, out);
    }
    return false;
}

static enum pat_ev_res res_of(bool b)
{
    return b ? PAT_EV_TRUE : PAT_EV_FALSE;
}

static enum pat_ev_res test_eq(const struct pat_cmp *cmp, const struct pat_ev_val *v)
{
    int c = 1;
    bool ok = cmp->n_vals == 1 && compare(&cmp->vals[0], v, true, &c);

    if (cmp->op == PAT_OP_EQ)
        return res_of(ok && c == 0);
    return res_of(!ok || c != 0);
}

static enum pat_ev_res test_order(const struct pat_cmp *cmp, const struct pat_ev_val *v)
{
    int c;

    if (cmp->n_vals != 1 || !compare(&cmp->vals[0], v, false, &c))
        return PAT_EV_NA;
    switch (cmp->op) {
    case PAT_OP_LT:
        return res_of(c < 0);
    case PAT_OP_LE:
        return res_of(c <= 0);
    case PAT_OP_GT:
        return res_of(c > 0);
    default:
        return res_of(c >= 0);
    }
}

static enum pat_ev_res test_in(const struct pat_cmp *cmp, const struct pat_ev_val *v)
{
    int c;

    for (size_t i = 0; i < cmp->n_vals; i++)
        if (compare(&cmp->vals[i], v, true, &c) && c == 0)
            return PAT_EV_TRUE;
    return PAT_EV_FALSE;
}

/* ---- LIKE --------------------------------------------------------------- */

/* SQL LIKE over code points: % any run (possibly empty), _ exactly one. */
static bool like_match(const int32_t *t, size_t tn, const int32_t *p, size_t pn)
{
    size_t ti = 0, pi = 0, star_p = SIZE_MAX, star_t = 0;

    while (ti < tn) {
        if (pi < pn && p[pi] == '%') {
            star_p = pi++;
            star_t = ti;
        } else if (pi < pn && (p[pi] == '_' || p[pi] == t[ti])) {
            pi++;
            ti++;
        } else if (star_p != SIZE_MAX) {
            pi = star_p + 1;
            ti = ++star_t;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
}

#define LIKE_ASCII_MAX 256 /* text and pattern both ASCII and this short: no allocation */

/* LIKE on ASCII text and pattern (already NFC, one code point per byte), on the stack. */
static bool like_ascii(const char *s, size_t n, const char *pat, size_t pn)
{
    int32_t t[LIKE_ASCII_MAX], p[LIKE_ASCII_MAX];

    for (size_t i = 0; i < n; i++)
        t[i] = (unsigned char)s[i];
    for (size_t i = 0; i < pn; i++)
        p[i] = (unsigned char)pat[i];
    return like_match(t, n, p, pn);
}

static enum pat_ev_res test_like(const struct pat_cmp *cmp, const struct pat_ev_val *v)
{
    const struct pat_lit *l = &cmp->vals[0];
    const char *ts, *ps;
    size_t tn, pn, tk = 0, pk = 0;
    char *tbuf = NULL, *pbuf = NULL;
    int32_t *t = NULL, *p = NULL;
    enum pat_ev_res r = PAT_EV_NA;

    if (cmp->n_vals != 1 || l->kind != PAT_LIT_STRING || v->kind != PAT_EV_STR)
        return PAT_EV_NA;
    if (v->len <= LIKE_ASCII_MAX && l->len <= LIKE_ASCII_MAX && is_ascii(v->s, v->len) &&
        is_ascii(l->str, l->len))
        return res_of(like_ascii(v->s, v->len, l->str, l->len));
    if (!nfc(v->s, v->len, &ts, &tn, &tbuf) || !nfc(l->str, l->len, &ps, &pn, &pbuf))
        goto out;
    t = code_points(ts, tn, &tk);
    p = code_points(ps, pn, &pk);
    if (t && p)
        r = res_of(like_match(t, tk, p, pk));
out:
    free(t);
    free(p);
    free(tbuf);
    free(pbuf);
    return r;
}

/* ---- MATCHES ------------------------------------------------------------ */

static pcre2_code *rx_compile(const struct pat_lit *l, bool bin)
{
    const char *ps;
    size_t pn, on = 0;
    char *pbuf = NULL, *oct = NULL;
    pcre2_code *code = NULL;
    int errcode;
    PCRE2_SIZE erroff;

    if (l->kind != PAT_LIT_STRING || !nfc(l->str, l->len, &ps, &pn, &pbuf))
        return NULL;
    if (bin) {
        oct = latin1_of(ps, pn, &on);
        if (oct)
            code = pcre2_compile((PCRE2_SPTR)oct, on, PCRE2_DOTALL, &errcode, &erroff, NULL);
    } else {
        code = pcre2_compile((PCRE2_SPTR)ps, pn, PCRE2_UTF | PCRE2_DOTALL, &errcode, &erroff, NULL);
    }
    free(oct);
    free(pbuf);
    return code;
}

/* The compiled expression of cmp for text (bin false) or byte values, cached in c. */
static struct pat_ev_rx *rx_get(struct pat_ev_ctx *c, const struct pat_cmp *cmp, bool bin)
{
    struct pat_ev_rx *rx;

    for (size_t i = 0; i < c->n_rx; i++)
        if (c->rx[i].cmp == cmp && c->rx[i].bin == bin)
            return &c->rx[i];
    if (c->n_rx == c->cap_rx) {
        c->cap_rx = c->cap_rx ? 2 * c->cap_rx : 4;
        c->rx = xrealloc(c->rx, c->cap_rx * sizeof(*c->rx));
    }
    rx = &c->rx[c->n_rx++];
    rx->cmp = cmp;
    rx->bin = bin;
    rx->code = cmp->n_vals == 1 ? rx_compile(&cmp->vals[0], bin) : NULL;
    /* JIT: a tenth of the interpreter's time per match on short values; else the interpreter */
    rx->jit = rx->code && pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0;
    rx->md = rx->code ? pcre2_match_data_create_from_pattern(rx->code, NULL) : NULL;
    if (!c->match_ctx) {
        c->match_ctx = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(c->match_ctx, RX_MATCH_LIMIT);
        pcre2_set_depth_limit(c->match_ctx, RX_DEPTH_LIMIT);
    }
    return rx;
}

static enum pat_ev_res rx_search(struct pat_ev_ctx *c, struct pat_ev_rx *rx, const char *s,
                                 size_t n)
{
    int r;

    if (!rx->code || !rx->md || !c->match_ctx)
        return PAT_EV_NA;
    /* s is valid UTF-8 (ASCII or utf8proc's NFC) when the expression is UTF */
    r = pcre2_match(rx->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, rx->md, c->match_ctx);
    if (r < 0 && r != PCRE2_ERROR_NOMATCH && rx->jit) /* a JIT limit: the interpreter decides */
        r = pcre2_match(rx->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_JIT | PCRE2_NO_UTF_CHECK, rx->md,
                        c->match_ctx);
    if (r >= 0)
        return PAT_EV_TRUE;
    return r == PCRE2_ERROR_NOMATCH ? PAT_EV_FALSE : PAT_EV_NA;
}

static enum pat_ev_res test_matches(struct pat_ev_ctx *c, const struct pat_cmp *cmp,
                                    const struct pat_ev_val *v)
{
    const char *s;
    size_t n;
    char *buf = NULL;
    enum pat_ev_res r;

    if (v->kind == PAT_EV_BYTES)
        return rx_search(c, rx_get(c, cmp, true), v->s, v->len);
    if (v->kind != PAT_EV_STR)
        return PAT_EV_NA;
    if (!nfc(v->s, v->len, &s, &n, &buf))
        return PAT_EV_NA;
    r = rx_search(c, rx_get(c, cmp, false), s, n);
    free(buf);
    return r;
}

/* ---- ISSUBSET / ISSUPERSET ---------------------------------------------- */

struct cidr {
    int af;              /* AF_INET or AF_INET6 */
    unsigned char a[16]; /* network order */
    int bits;            /* prefix length */
};

static bool parse_prefix(const char *s, int max, int *bits)
{
    int v = 0;

    if (!*s || strlen(s) > 3)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
    }
    if (v > max)
        return false;
    *bits = v;
    return true;
}

#define CIDR_TEXT_MAX 64 /* cidr_parse takes texts shorter than this */

/* "a.b.c.d", "a.b.c.d/n", IPv6 text, "v6/n". */
static bool cidr_parse(const char *s, size_t n, struct cidr *c)
{
    char buf[CIDR_TEXT_MAX], *slash;
    int max;

    if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(c->a, 0, sizeof(c->a));
    if (inet_pton(AF_INET, buf, c->a) == 1) {
        c->af = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, c->a) == 1) {
        c->af = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    c->bits = max;
    return !slash || parse_prefix(slash + 1, max, &c->bits);
}

/* Does the network `outer` contain every address of `inner`? */
static bool cidr_contains(const struct cidr *outer, const struct cidr *inner)
{
    int full = outer->bits / 8, rest = outer->bits % 8;
    unsigned char mask;

    if (outer->af != inner->af || outer->bits > inner->bits)
        return false;
    if (memcmp(outer->a, inner->a, (size_t)full) != 0)
        return false;
    if (!rest)
        return true;
    mask = (unsigned char)(0xff << (8 - rest));
    return (outer->a[full] & mask) == (inner->a[full] & mask);
}

/*
 * The operands of ISSUBSET / ISSUPERSET, parsed once per call: each
 * constant by its comparison, and the last value (a bracket's comparisons
 * on one root come one after the other, so one value is tested by many
 * constants in a row).  The value is kept by content, never by address.
 */
struct cidr_const {
    const struct pat_cmp *cmp;
    bool ok; /* c holds the parsed constant */
    struct cidr c;
};

struct pat_ev_cidrs {
    struct cidr_const *con; /* owned: n_con constants */
    size_t n_con, cap_con;
    char last[CIDR_TEXT_MAX]; /* the last value's text, last_len bytes; valid when last_set */
    size_t last_len;
    bool last_set, last_ok;
    struct cidr last_c;
};

static void cidrs_free(struct pat_ev_cidrs *x)
{
    if (x)
        free(x->con);
    free(x);
}

/* cmp's constant (one string, checked by the caller) parsed, or NULL when it is no CIDR. */
static const struct cidr *cidr_const(struct pat_ev_cidrs *x, const struct pat_cmp *cmp)
{
    struct cidr_const *k;

    for (size_t i = 0; i < x->n_con; i++)
        if (x->con[i].cmp == cmp)
            return x->con[i].ok ? &x->con[i].c : NULL;
    if (x->n_con == x->cap_con) {
        x->cap_con = x->cap_con ? 2 * x->cap_con : 8;
        x->con = xrealloc(x->con, x->cap_con * sizeof(*x->con));
    }
    k = &x->con[x->n_con++];
    k->cmp = cmp;
    k->ok = cidr_parse(cmp->vals[0].str, cmp->vals[0].len, &k->c);
    return k->ok ? &k->c : NULL;
}

/* The value s[0..n) parsed, or NULL when it is no CIDR. */
static const struct cidr *cidr_value(struct pat_ev_cidrs *x, const char *s, size_t n)
{
    if (n >= sizeof(x->last))
        return NULL; /* cidr_parse takes no text this long */
    if (!x->last_set || x->last_len != n || memcmp(x->last, s, n) != 0) {
        memcpy(x->last, s, n);
        x->last_len = n;
        x->last_set = true;
        x->last_ok = cidr_parse(s, n, &x->last_c);
    }
    return x->last_ok ? &x->last_c : NULL;
}

static enum pat_ev_res test_cidr(struct pat_ev_ctx *c, const struct pat_cmp *cmp,
                                 const struct pat_ev_val *v)
{
    const struct cidr *val, *con;
    const struct pat_lit *l = &cmp->vals[0];

    if (cmp->n_vals != 1 || l->kind != PAT_LIT_STRING || v->kind != PAT_EV_STR)
        return PAT_EV_NA;
    if (!c->cidrs)
        c->cidrs = xcalloc(1, sizeof(*c->cidrs));
    if (!(val = cidr_value(c->cidrs, v->s, v->len)) || !(con = cidr_const(c->cidrs, cmp)))
        return PAT_EV_NA;
    if (cmp->op == PAT_OP_ISSUBSET)
        return res_of(cidr_contains(con, val));
    return res_of(cidr_contains(val, con));
}

/* ---- dispatch ----------------------------------------------------------- */

enum pat_ev_res pat_ev_test(struct pat_ev_ctx *c, const struct pat_cmp *cmp,
                            const struct pat_ev_val *v)
{
    enum pat_ev_res r;

    switch (cmp->op) {
    case PAT_OP_EQ:
    case PAT_OP_NE:
        r = test_eq(cmp, v);
        break;
    case PAT_OP_LT:
    case PAT_OP_LE:
    case PAT_OP_GT:
    case PAT_OP_GE:
        r = test_order(cmp, v);
        break;
    case PAT_OP_IN:
        r = test_in(cmp, v);
        break;
    case PAT_OP_LIKE:
        r = test_like(cmp, v);
        break;
    case PAT_OP_MATCHES:
        r = test_matches(c, cmp, v);
        break;
    case PAT_OP_ISSUBSET:
    case PAT_OP_ISSUPERSET:
        r = test_cidr(c, cmp, v);
        break;
    default:
        r = PAT_EV_NA;
        break;
    }
    if (r != PAT_EV_NA && cmp->negated)
        r = r == PAT_EV_TRUE ? PAT_EV_FALSE : PAT_EV_TRUE;
    return r;
}

/* ---- decoding of `_hex` / `_bin` properties ------------------------------ */

bool pat_ev_decode_hex(const char *s, size_t n, char **out, size_t *out_len)
{
    char *b;

    if (n % 2)
        return false;
    b = xmalloc(n / 2 + 1);
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return false;
        }
        b[i / 2] = (char)(hi << 4 | lo);
    }
    b[n / 2] = '\0';
    *out = b;
    *out_len = n / 2;
    return true;
}

static int b64_digit(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    return ch == '/' ? 63 : -1;
}

/* Standard base64 (RFC 4648 §4); padding optional, but if present the length is a multiple of 4. */
bool pat_ev_decode_b64(const char *s, size_t n, char **out, size_t *out_len)
{
    size_t body = n, k = 0;
    uint32_t acc = 0;
    int bits = 0;
    char *b;

    while (body > 0 && n - body < 2 && s[body - 1] == '=')
        body--;
    if ((body != n && n % 4) || body % 4 == 1)
        return false;
    b = xmalloc(body * 3 / 4 + 1);
    for (size_t i = 0; i < body; i++) {
        int d = b64_digit(s[i]);
        if (d < 0) {
            free(b);
            return false;
        }
        acc = (acc << 6 | (uint32_t)d) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    b[k] = '\0';
    *out = b;
    *out_len = k;
    return true;
}
