/*
 * Tokens of the STIX 2.1 patterning grammar (domain.md §3.1, OASIS
 * STIXPattern.g4).  The lexer walks the pattern text with a byte cursor and
 * hands the parser one token at a time; literals are decoded here, so a
 * bad constant (odd hex, bad base64, impossible timestamp, leading zero) is
 * reported at the literal's own offset.
 *
 * Keywords are upper case only; `true`/`false` lower case only.  Blanks are
 * any Unicode white space of the reference grammar plus U+FEFF, and the
 * comments `/ * ... * /` and `//...` (without the spaces) are skipped.
 * Identifiers may contain '-' (object types do); the parser refuses a
 * hyphen where the grammar has IdentifierWithoutHyphen.
 */
#include "pattern/pattern_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/timestamp.h"
#include "util/utf8.h"
#include "util/hex.h"
#include "util/banned.h"

void pat_lex_init(struct pat_lexer *lx, const char *text, size_t len, struct pat_arena *a)
{
    lx->text = text;
    lx->len = len;
    lx->pos = 0;
    lx->arena = a;
}

/* ---- UTF-8 and white space ---------------------------------------------- */

/* White space of STIXPattern.g4 (WS rule) plus the byte order mark. */
static bool is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

static int lex_fail(struct error *err, long offset, const char *what)
{
    return error_set_at(err, ERR_INVALID, "", offset, "%s at offset %ld", what, offset);
}

/* Skip white space and comments.  Fails only on an unterminated comment. */
static int skip_blanks(struct pat_lexer *lx, struct error *err)
{
    const unsigned char *s = (const unsigned char *)lx->text;
    uint32_t cp;
    size_t k;

    while (lx->pos < lx->len) {
        size_t rest = lx->len - lx->pos;
        if (rest >= 2 && s[lx->pos] == '/' && s[lx->pos + 1] == '*') {
            const char *end = NULL;
            for (size_t i = lx->pos + 2; i + 1 < lx->len && !end; i++)
                if (s[i] == '*' && s[i + 1] == '/')
                    end = lx->text + i;
            if (!end)
                return lex_fail(err, (long)lx->pos, "unterminated comment");
            lx->pos = (size_t)(end - lx->text) + 2;
            continue;
        }
        if (rest >= 2 && s[lx->pos] == '/' && s[lx->pos + 1] == '/') {
            while (lx->pos < lx->len && s[lx->pos] != '\n' && s[lx->pos] != '\r')
                lx->pos++;
            continue;
        }
        k = utf8_decode(s + lx->pos, rest, &cp);
        if (k == 0 || !is_space(cp))
            return 0;
        lx->pos += k;
    }
    return 0;
}

/* ---- literals ------------------------------------------------------------ */

/*
 * Find the closing quote of a quoted literal whose opening quote is at
 * text[q]; with escapes, \' and \\ are the only ones allowed.  Returns 0
 * with *at the closing quote, 1 with *at a bad escape, 2 when unterminated.
 */
static int find_quote(const struct pat_lexer *lx, size_t q, bool escapes, size_t *at)
{
    for (size_t i = q + 1; i < lx->len; i++) {
        char c = lx->text[i];
        if (c == '\'') {
            *at = i;
            return 0;
        }
        if (c == '\\' && escapes && i + 1 < lx->len) {
            if (lx->text[i + 1] != '\'' && lx->text[i + 1] != '\\') {
                *at = i;
                return 1;
            }
            i++;
        }
    }
    return 2;
}

/* 'text' with \' and \\ unescaped. */
static int lex_string(struct pat_lexer *lx, struct pat_token *tok, struct error *err)
{
    size_t q = lx->pos, close, n = 0;
    char *out;
    int r = find_quote(lx, q, true, &close);

    if (r == 1)
        return lex_fail(err, (long)close,
                        "invalid escape in string (only \\' and \\\\ are allowed)");
    if (r == 2)
        return lex_fail(err, (long)q, "unterminated string");
    out = pat_arena_alloc(lx->arena, close - q);
    for (size_t i = q + 1; i < close; i++) {
        if (lx->text[i] == '\\')
            i++;
        out[n++] = lx->text[i];
    }
    if (!utf8_valid(out, n))
        return lex_fail(err, (long)q, "string is not valid utf-8");
    tok->lit.kind = PAT_LIT_STRING;
    tok->lit.str = out;
    tok->lit.len = n;
    lx->pos = close + 1;
    return 0;
}

/* h'<hex digits>': an even number of them (maybe none). */
static int decode_hex(struct pat_lexer *lx, const char *s, size_t n, struct pat_lit *lit,
                      struct error *err)
{
    char *out = pat_arena_alloc(lx->arena, n / 2 + 1);

    for (size_t i = 0; i < n; i++)
        if (hex_digit(s[i]) < 0)
            return lex_fail(err, (long)(s + i - lx->text), "invalid hex digit");
    if (n % 2)
        return lex_fail(err, lit->offset, "hex literal needs an even number of digits");
    for (size_t i = 0; i < n; i += 2)
        out[i / 2] = (char)(hex_digit(s[i]) << 4 | hex_digit(s[i + 1]));
    lit->kind = PAT_LIT_HEX;
    lit->str = out;
    lit->len = n / 2;
    return 0;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * b'<base64>' (RFC 4648 §4, STIXPattern.g4 BinaryLiteral): groups of four,
 * '=' padding only in the last group, at least one group.
 */
static int decode_b64(struct pat_lexer *lx, const char *s, size_t n, struct pat_lit *lit,
                      struct error *err)
{
    size_t pad = 0, len = 0;
    unsigned char *out;
    uint32_t acc = 0;

    if (n == 0 || n % 4)
        return lex_fail(err, lit->offset, "base64 literal needs groups of 4 characters");
    while (pad < 2 && s[n - 1 - pad] == '=')
        pad++;
    out = pat_arena_alloc(lx->arena, n / 4 * 3 + 1);
    for (size_t i = 0; i < n - pad; i++) {
        int v = b64_val(s[i]);
        if (v < 0)
            return lex_fail(err, (long)(s + i - lx->text), "invalid base64 character");
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            out[len++] = (unsigned char)(acc >> 16);
            out[len++] = (unsigned char)(acc >> 8);
            out[len++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (pad == 1) {
        out[len++] = (unsigned char)(acc >> 10);
        out[len++] = (unsigned char)(acc >> 2);
    } else if (pad == 2) {
        out[len++] = (unsigned char)(acc >> 4);
    }
    lit->kind = PAT_LIT_BINARY;
    lit->str = (const char *)out;
    lit->len = len;
    return 0;
}

/* t'YYYY-MM-DDTHH:MM:SS[.s+]Z', checked by the STIX timestamp parser. */
static int decode_ts(struct pat_lexer *lx, const char *s, size_t n, struct pat_lit *lit,
                     struct error *err)
{
    if (stix_ts_parse(s, n, &lit->ns, NULL) != 0)
        return lex_fail(err, lit->offset, "invalid timestamp");
    lit->kind = PAT_LIT_TIMESTAMP;
    lit->str = pat_arena_strndup(lx->arena, s, n);
    lit->len = n;
    return 0;
}

/* b'...', h'...' or t'...': the prefix letter is at lx->pos. */
static int lex_prefixed(struct pat_lexer *lx, struct pat_token *tok, struct error *err)
{
    char prefix = lx->text[lx->pos];
    size_t q = lx->pos + 1, close;
    const char *body = lx->text + q + 1;
    int r = find_quote(lx, q, false, &close);

    if (r)
        return lex_fail(err, tok->offset, "unterminated literal");
    if (prefix == 'h')
        r = decode_hex(lx, body, close - q - 1, &tok->lit, err);
    else if (prefix == 'b')
        r = decode_b64(lx, body, close - q - 1, &tok->lit, err);
    else
        r = decode_ts(lx, body, close - q - 1, &tok->lit, err);
    lx->pos = close + 1;
    return r;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Integer text s[0..n) (digits only) into *v; false on overflow. */
static bool int_value(const char *s, size_t n, bool neg, int64_t *v)
{
    uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (lim - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    *v = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return true;
}

/* [+-]?(0|[1-9][0-9]*) or [+-]?[0-9]*.[0-9]+ */
static int lex_number(struct pat_lexer *lx, struct pat_token *tok, struct error *err)
{
    const char *t = lx->text;
    size_t i = lx->pos, d0, d1;
    bool neg = t[i] == '-';

    if (t[i] == '-' || t[i] == '+')
        i++;
    d0 = i;
    while (i < lx->len && is_digit(t[i]))
        i++;
    d1 = i;
    if (i + 1 < lx->len && t[i] == '.' && is_digit(t[i + 1])) {
        char buf[80];
        size_t n;
        for (i++; i < lx->len && is_digit(t[i]);)
            i++;
        n = i - lx->pos;
        if (n >= sizeof(buf))
            return lex_fail(err, tok->offset, "number too long");
        memcpy(buf, t + lx->pos, n);
        buf[n] = '\0';
        tok->lit.kind = PAT_LIT_FLOAT;
        tok->lit.f = strtod(buf, NULL);
        lx->pos = i;
        return 0;
    }
    if (d1 == d0)
        return lex_fail(err, tok->offset, "expected digits after the sign");
    if (t[d0] == '0' && d1 - d0 > 1)
        return lex_fail(err, tok->offset, "integer with a leading zero");
    if (!int_value(t + d0, d1 - d0, neg, &tok->lit.i))
        return lex_fail(err, tok->offset, "integer out of range");
    tok->lit.kind = PAT_LIT_INT;
    lx->pos = i;
    return 0;
}

/* ---- identifiers, keywords, punctuation ---------------------------------- */

static const struct {
    const char *word;
    enum pat_tok_kind kind;
} keywords[] = {
    {"AND", PAT_T_AND},           {"OR", PAT_T_OR},
    {"NOT", PAT_T_NOT},           {"FOLLOWEDBY", PAT_T_FOLLOWEDBY},
    {"LIKE", PAT_T_LIKE},         {"MATCHES", PAT_T_MATCHES},
    {"ISSUBSET", PAT_T_ISSUBSET}, {"ISSUPERSET", PAT_T_ISSUPERSET},
    {"EXISTS", PAT_T_EXISTS},     {"IN", PAT_T_IN},
    {"START", PAT_T_START},       {"STOP", PAT_T_STOP},
    {"WITHIN", PAT_T_WITHIN},     {"SECONDS", PAT_T_SECONDS},
    {"REPEATS", PAT_T_REPEATS},   {"TIMES", PAT_T_TIMES},
    {"LAST", PAT_T_LAST},
};

static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || is_digit(c) || c == '-';
}

static void lex_word(struct pat_lexer *lx, struct pat_token *tok)
{
    size_t i = lx->pos, n;
    const char *w = lx->text + lx->pos;

    while (i < lx->len && ident_char(lx->text[i]))
        i++;
    n = i - lx->pos;
    lx->pos = i;
    tok->kind = PAT_T_IDENT;
    for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
        if (strlen(keywords[k].word) == n && memcmp(keywords[k].word, w, n) == 0)
            tok->kind = keywords[k].kind;
    if ((n == 4 && memcmp(w, "true", 4) == 0) || (n == 5 && memcmp(w, "false", 5) == 0)) {
        tok->kind = PAT_T_LIT;
        tok->lit.kind = PAT_LIT_BOOL;
        tok->lit.b = n == 4;
    }
}

/* One- and two-character operators and punctuation; 0 when c starts none. */
static size_t lex_punct(const char *s, size_t rest, enum pat_tok_kind *kind)
{
    char c = s[0], d = rest > 1 ? s[1] : '\0';

    /* clang-format off */
    switch (c) {
    case '=': *kind = PAT_T_EQ; return d == '=' ? 2 : 1;
    case '!': *kind = PAT_T_NE; return d == '=' ? 2 : 0;
    case '<':
        *kind = d == '=' ? PAT_T_LE : d == '>' ? PAT_T_NE : PAT_T_LT;
        return d == '=' || d == '>' ? 2 : 1;
    case '>': *kind = d == '=' ? PAT_T_GE : PAT_T_GT; return d == '=' ? 2 : 1;
    case '(': *kind = PAT_T_LPAREN; return 1;
    case ')': *kind = PAT_T_RPAREN; return 1;
    case '[': *kind = PAT_T_LBRACK; return 1;
    case ']': *kind = PAT_T_RBRACK; return 1;
    case ',': *kind = PAT_T_COMMA; return 1;
    case ':': *kind = PAT_T_COLON; return 1;
    case '.': *kind = PAT_T_DOT; return 1;
    case '*': *kind = PAT_T_STAR; return 1;
    default: return 0;
    }
    /* clang-format on */
}

static int lex_bad_char(struct pat_lexer *lx, struct error *err)
{
    unsigned char c = (unsigned char)lx->text[lx->pos];
    long off = (long)lx->pos;

    if (c > 0x20 && c < 0x7F)
        return error_set_at(err, ERR_INVALID, "", off, "unexpected character '%c' at offset %ld", c,
                            off);
    return error_set_at(err, ERR_INVALID, "", off, "unexpected byte 0x%02x at offset %ld", c, off);
}

/* Which literal or token starts at the cursor; fills tok. */
static int lex_token(struct pat_lexer *lx, struct pat_token *tok, struct error *err)
{
    const char *s = lx->text + lx->pos;
    size_t rest = lx->len - lx->pos, n;
    char c = s[0];

    if (c == '\'') {
        tok->kind = PAT_T_LIT;
        return lex_string(lx, tok, err);
    }
    if ((c == 'b' || c == 'h' || c == 't') && rest > 1 && s[1] == '\'') {
        tok->kind = PAT_T_LIT;
        return lex_prefixed(lx, tok, err);
    }
    if (is_digit(c) || ((c == '-' || c == '+') && rest > 1 && (is_digit(s[1]) || s[1] == '.')) ||
        (c == '.' && rest > 1 && is_digit(s[1]))) {
        tok->kind = PAT_T_LIT;
        return lex_number(lx, tok, err);
    }
    if (ident_start(c)) {
        lex_word(lx, tok);
        return 0;
    }
    n = lex_punct(s, rest, &tok->kind);
    if (n == 0)
        return lex_bad_char(lx, err);
    lx->pos += n;
    return 0;
}

int pat_lex_next(struct pat_lexer *lx, struct pat_token *tok, struct error *err)
{
    int r = skip_blanks(lx, err);

    memset(tok, 0, sizeof(*tok));
    tok->offset = (long)lx->pos;
    tok->lit.offset = tok->offset;
    if (r)
        return r;
    if (lx->pos >= lx->len) {
        tok->kind = PAT_T_EOF;
        return 0;
    }
    r = lex_token(lx, tok, err);
    tok->len = lx->pos - (size_t)tok->offset;
    return r;
}

const char *pat_tok_describe(const struct pat_lexer *lx, const struct pat_token *tok, char *out,
                             size_t n)
{
    size_t len = tok->len, max = 24;
    const char *kind = "";

    if (tok->kind == PAT_T_EOF) {
        snprintf(out, n, "end of pattern");
        return out;
    }
    if (tok->kind == PAT_T_LIT)
        kind = tok->lit.kind == PAT_LIT_STRING ? "string " : "constant ";
    if (len > max) {
        /* cut on a UTF-8 character boundary */
        while (max > 0 && ((unsigned char)lx->text[tok->offset + (long)max] & 0xC0) == 0x80)
            max--;
    }
    snprintf(out, n, "%s%s%.*s%s%s", kind, tok->kind == PAT_T_LIT ? "" : "'",
             (int)(len > max ? max : len), lx->text + tok->offset, len > max ? "..." : "",
             tok->kind == PAT_T_LIT ? "" : "'");
    return out;
}
