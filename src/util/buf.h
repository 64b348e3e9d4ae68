/*
 * struct buf: a growable byte buffer, always NUL-terminated, with a maximum
 * size fixed at init and a sticky error.  Append freely, then check
 * buf_failed() once after the chain (curl dynbuf, git strbuf).  On overflow
 * the buffer keeps what it had and every later append is a no-op.
 */
#ifndef CONCORD_UTIL_BUF_H
#define CONCORD_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;  /* NUL-terminated once anything was appended; NULL before */
    size_t len;  /* bytes used, not counting the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* largest len allowed */
    int err;     /* 0, or ERR_TOO_LARGE once max was exceeded */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);           /* frees; b can be reused after buf_init */
void buf_reset(struct buf *b);             /* len = 0, keeps memory and clears err */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append s as a JSON string literal (quotes and escapes added; bytes that are not
 * well-formed UTF-8 become U+FFFD, so the output is always valid JSON). */
int buf_json_str(struct buf *b, const char *s, size_t n);
/* Reserve room for n more bytes; returns pointer to write at, or NULL on overflow. */
char *buf_reserve(struct buf *b, size_t n);
/* Hand the memory to the caller (who frees it); b is left empty. Never NULL. */
char *buf_take(struct buf *b, size_t *len);
static inline bool buf_failed(const struct buf *b) { return b->err != 0; }
/* A C string view of the contents ("" when empty). Borrowed. */
const char *buf_str(const struct buf *b);

#endif
