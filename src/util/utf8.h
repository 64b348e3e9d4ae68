/*
 * UTF-8 (RFC 3629) decoding and validation, shared by the parsers of
 * outside text (the pattern lexer, the JSON scanner, the log readers):
 * overlong forms, surrogates and code points past U+10FFFF are malformed.
 */
#ifndef CONCORD_UTIL_UTF8_H
#define CONCORD_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the sequence at s[0..n) (n >= 1): its length (1-4) with *cp set,
 * or 0 when the bytes are not well-formed UTF-8.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Is s[0..n) well-formed UTF-8? */
bool utf8_valid(const char *s, size_t n);

#endif
