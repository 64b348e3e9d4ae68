/*
 * Error codes and the error record used across Concord.
 *
 * Functions return 0 or a negative ERR_* code.  Code that judges outside
 * input also fills a `struct error` (code, message, byte offset, property
 * path).  The first error recorded wins: later error_set() calls on a record
 * that already holds an error are ignored, so a validator can keep going
 * without overwriting the root cause.
 */
#ifndef CONCORD_UTIL_ERROR_H
#define CONCORD_UTIL_ERROR_H

#include <stddef.h>

enum err_code {
    ERR_OK = 0,
    ERR_NOMEM = -1,       /* allocation failed */
    ERR_INVALID = -2,     /* outside input rejected */
    ERR_NOT_FOUND = -3,   /* no such thing */
    ERR_EXISTS = -4,      /* already there (idempotent success for callers that want it) */
    ERR_CONFLICT = -5,    /* clashes with stored state */
    ERR_IO = -6,          /* file or socket failure */
    ERR_DB = -7,          /* storage back end failure */
    ERR_AUTH = -8,        /* no or bad credentials */
    ERR_FORBIDDEN = -9,   /* authenticated but not allowed */
    ERR_TOO_LARGE = -10,  /* input over a limit */
    ERR_UNSUPPORTED = -11 /* valid but not supported here */
};

#define ERROR_MSG_MAX 512
#define ERROR_PATH_MAX 256

struct error {
    int code;                    /* 0 while no error is recorded */
    long offset;                 /* byte offset in the input, -1 when none */
    char path[ERROR_PATH_MAX];   /* property path, e.g. "objects[3].pattern"; "" when none */
    char msg[ERROR_MSG_MAX];     /* lowercase, no full stop */
};

/* Short stable name of a code ("invalid", "not-found", ...). Never NULL. */
const char *error_name(int code);

/* Reset to "no error". */
void error_clear(struct error *err);

/*
 * Record an error unless one is already recorded.  err may be NULL.
 * Returns code, so callers can write `return error_set(err, ERR_INVALID, ...)`.
 */
int error_set(struct error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As error_set, with a property path (copied) and byte offset (-1 for none). */
int error_set_at(struct error *err, int code, const char *path, long offset, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

/* Prefix the recorded path with `prefix` (e.g. "objects[3]"), joining with '.' when needed. */
void error_prefix_path(struct error *err, const char *prefix);

#endif
