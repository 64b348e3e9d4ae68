/*
 * Error names and the first-error-wins record (see error.h).
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *error_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out-of-memory";
    case ERR_INVALID: return "invalid";
    case ERR_NOT_FOUND: return "not-found";
    case ERR_EXISTS: return "exists";
    case ERR_CONFLICT: return "conflict";
    case ERR_IO: return "io";
    case ERR_DB: return "database";
    case ERR_AUTH: return "unauthorized";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_TOO_LARGE: return "too-large";
    case ERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown";
}

void error_clear(struct error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->offset = -1;
    err->path[0] = '\0';
    err->msg[0] = '\0';
}

static int error_vset(struct error *err, int code, const char *path, long offset,
                      const char *fmt, va_list ap)
{
    if (!err || err->code != 0)
        return code;
    err->code = code;
    err->offset = offset;
    snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

int error_set(struct error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, NULL, -1, fmt, ap);
    va_end(ap);
    return code;
}

int error_set_at(struct error *err, int code, const char *path, long offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, path, offset, fmt, ap);
    va_end(ap);
    return code;
}

void error_prefix_path(struct error *err, const char *prefix)
{
    char tmp[2 * ERROR_PATH_MAX + 2];
    if (!err || !prefix || !*prefix)
        return;
    const char *sep = (err->path[0] == '\0' || err->path[0] == '[') ? "" : ".";
    int n = snprintf(tmp, sizeof(tmp), "%s%s%s", prefix, sep, err->path);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len >= sizeof(err->path))
        len = sizeof(err->path) - 1;
    memcpy(err->path, tmp, len);
    err->path[len] = '\0';
}
