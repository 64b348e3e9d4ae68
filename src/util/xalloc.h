/*
 * Allocation wrappers that abort on out-of-memory (like git's xmalloc).
 * Safe only because util/limits.h bounds every outside input size.
 */
#ifndef CONCORD_UTIL_XALLOC_H
#define CONCORD_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);             /* never NULL */
void *xcalloc(size_t n, size_t sz);  /* never NULL, zeroed */
void *xrealloc(void *p, size_t n);   /* never NULL */
char *xstrdup(const char *s);        /* never NULL; s must not be NULL */
char *xstrndup(const char *s, size_t n);

#endif
