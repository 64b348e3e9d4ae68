/*
 * Hexadecimal digits, for the parsers that decode them (h'..' literals,
 * \uXXXX and \xHH escapes, indicator ids).
 */
#ifndef CONCORD_UTIL_HEX_H
#define CONCORD_UTIL_HEX_H

/* Value of hex digit c (either case), or -1. */
static inline int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
