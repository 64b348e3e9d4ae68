/*
 * A strict, allocation-free JSON scanner for one line of log input (used
 * by the EVE and Zeek JSON readers, where jansson's full tree costs ~20x
 * more than the reader may spend).  Internal to src/pattern.
 *
 * The caller walks the document with a cursor: open an object, ask for
 * its next key, then read that key's value as a string or number, descend
 * into it, or skip it.  Everything the cursor passes is checked against
 * RFC 8259: string escapes (including \uXXXX surrogate pairs), UTF-8,
 * control characters, number grammar, literals, commas and nesting
 * (at most PAT_JSCAN_DEPTH levels).  The first error is sticky: every later
 * call fails, so a walk may check once at the end.  Duplicate keys are not
 * detected (the walker sees both).
 *
 * Strings are returned as their raw span between the quotes; those with
 * escapes can be decoded in place (the decoded form is never longer), so
 * the input buffer must be writable and stay alive while spans are used.
 */
#ifndef CONCORD_PATTERN_JSCAN_H
#define CONCORD_PATTERN_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAT_JSCAN_DEPTH 64

struct pat_jscan {
    char *p;     /* cursor */
    char *end;   /* end of input */
    char *start; /* start of input (for error offsets) */
    int depth;   /* open containers */
    int err;     /* 0, or ERR_INVALID once anything was malformed (sticky) */
};

struct pat_jstr {
    char *s;    /* raw bytes between the quotes (points into the input) */
    size_t len; /* raw length */
    bool esc;   /* contains backslash escapes */
};

/* Start scanning s[0..len). */
void pat_jscan_init(struct pat_jscan *j, char *s, size_t len);

/* Next non-blank byte (not consumed), or -1 at end or after an error. */
static inline int pat_jscan_peek(struct pat_jscan *j)
{
    if (j->err)
        return -1;
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
    return j->p < j->end ? (unsigned char)*j->p : -1;
}

/* Consume an opening brace or bracket. 0 or -1. */
int pat_jscan_obj_begin(struct pat_jscan *j);
int pat_jscan_arr_begin(struct pat_jscan *j);

/*
 * Next member of the open object: 1 with *key set and the ':' consumed
 * (the caller must then consume the value), 0 after the closing '}', -1 on
 * error.  *i counts members; start it at 0 for each object.
 */
int pat_jscan_obj_next(struct pat_jscan *j, int *i, struct pat_jstr *key);

/* Next element of the open array: 1 (the caller consumes it), 0 after ']', -1. */
int pat_jscan_arr_next(struct pat_jscan *j, int *i);

/* Consume a string value. 0, or -1 when the value is not a (valid) string. */
int pat_jscan_string(struct pat_jscan *j, struct pat_jstr *out);

/* Consume a number; its text is s[0..len). 0, or -1 when not a valid number. */
int pat_jscan_number(struct pat_jscan *j, const char **s, size_t *len);

/* Consume an integer that fits in int64 (no fraction or exponent). 0 or -1 (error only when
 * malformed). */
int pat_jscan_int(struct pat_jscan *j, int64_t *out, bool *is_int);

/* Consume any value. 0 or -1. */
int pat_jscan_skip(struct pat_jscan *j);

/* After the top-level value: only blanks may remain. 0 or -1. */
int pat_jscan_finish(struct pat_jscan *j);

/* Decode s's escapes in place (s was checked by the scanner); returns the new length. */
size_t pat_jstr_decode(struct pat_jstr *s);

/* Is key k equal to the NUL-terminated lit (escaped keys never are)? */
static inline bool pat_jstr_is(const struct pat_jstr *k, const char *lit, size_t litlen)
{
    return !k->esc && k->len == litlen && __builtin_memcmp(k->s, lit, litlen) == 0;
}
#define PAT_JSTR_IS(k, lit) pat_jstr_is((k), (lit), sizeof(lit) - 1)


#endif
