/*
 * Internals of the pattern module shared by its own files: the bump arena
 * that owns a parsed tree (arena.c), the tokens of the STIX 2.1 patterning
 * grammar (lexer.c), and the semantic checks run after parsing (check.c).
 * Not an interface for other modules: they use pattern.h.
 *
 * Every error these functions report is ERR_INVALID (or ERR_TOO_LARGE) with
 * err->offset the byte offset in the pattern text and a message that ends
 * in "at offset N" or carries it, like "expected ']' at offset 14".
 */
#ifndef CONCORD_PATTERN_PATTERN_INT_H
#define CONCORD_PATTERN_PATTERN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "pattern/pattern.h"
#include "util/error.h"

/* ---- arena.c ---------------------------------------------------------- */

/*
 * A bump allocator: memory comes from a list of chunks and is released all
 * at once by pat_arena_free.  Allocation never fails (xmalloc aborts on
 * OOM, safe because patterns are bounded by PAT_TEXT_MAX).  One thread.
 */
struct pat_arena;

struct pat_arena *pat_arena_new(void);
void pat_arena_free(struct pat_arena *a); /* NULL is fine */
/* n zeroed bytes aligned for any type; valid until pat_arena_free. */
void *pat_arena_alloc(struct pat_arena *a, size_t n);
/* Copy of s[0..n) with a NUL after it (s may hold NULs). */
char *pat_arena_strndup(struct pat_arena *a, const char *s, size_t n);
/* Copy of the NUL-terminated s. */
char *pat_arena_strdup(struct pat_arena *a, const char *s);
/* Bytes handed out so far (for tests). */
size_t pat_arena_used(const struct pat_arena *a);

/* ---- lexer.c ---------------------------------------------------------- */

enum pat_tok_kind {
    PAT_T_EOF,
    PAT_T_IDENT, /* [A-Za-z_][A-Za-z0-9_-]*, not a keyword */
    PAT_T_LIT,   /* any literal: tok.lit holds the decoded constant */
    PAT_T_EQ,    /* = == */
    PAT_T_NE,    /* != <> */
    PAT_T_LT,
    PAT_T_LE,
    PAT_T_GT,
    PAT_T_GE,
    PAT_T_LPAREN,
    PAT_T_RPAREN,
    PAT_T_LBRACK,
    PAT_T_RBRACK,
    PAT_T_COMMA,
    PAT_T_COLON,
    PAT_T_DOT,
    PAT_T_STAR,
    /* keywords (upper case only) */
    PAT_T_AND,
    PAT_T_OR,
    PAT_T_NOT,
    PAT_T_FOLLOWEDBY,
    PAT_T_LIKE,
    PAT_T_MATCHES,
    PAT_T_ISSUBSET,
    PAT_T_ISSUPERSET,
    PAT_T_EXISTS,
    PAT_T_IN,
    PAT_T_START,
    PAT_T_STOP,
    PAT_T_WITHIN,
    PAT_T_SECONDS,
    PAT_T_REPEATS,
    PAT_T_TIMES,
    PAT_T_LAST /* reserved: never valid */
};

struct pat_token {
    enum pat_tok_kind kind;
    long offset;        /* byte offset of the first byte in the text */
    size_t len;         /* bytes of source text */
    struct pat_lit lit; /* PAT_T_LIT: strings live in the lexer's arena */
};

struct pat_lexer {
    const char *text; /* borrowed, text[0..len) */
    size_t len;
    size_t pos;
    struct pat_arena *arena; /* borrowed: decoded literals go here */
};

void pat_lex_init(struct pat_lexer *lx, const char *text, size_t len, struct pat_arena *a);
/* Skip blanks and comments, then read one token into *tok. 0 or ERR_INVALID. */
int pat_lex_next(struct pat_lexer *lx, struct pat_token *tok, struct error *err);
/*
 * A short quoted description of tok for messages, e.g. "'AND'",
 * "string 'abc'", "end of pattern"; written into out[0..n).
 */
const char *pat_tok_describe(const struct pat_lexer *lx, const struct pat_token *tok, char *out,
                             size_t n);

/* ---- check.c ---------------------------------------------------------- */

/*
 * Semantic checks of a parsed tree (domain.md §3.2): AND in a bracket on
 * one object type, operand kinds, regexes, CIDRs, qualifier ranges; sets
 * p->level (and p->mixed_and).  text is the pattern text (for mapping
 * regex error offsets); flags are enum pat_parse_flags.
 */
int pat_check(struct pattern *p, const char *text, size_t len, unsigned flags, struct error *err);

#endif
