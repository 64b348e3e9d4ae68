/*
 * TAXII error resources (TAXII 2.1 §3.6.1): every 4xx/5xx answer carries
 * a JSON error with title, description, http_status, error_code.
 */
#include "taxii/taxii_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

int taxii_error(struct taxii_req *r, int http_status, const char *title, const char *fmt, ...)
{
    char desc[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    r->status = http_status;
    r->json_media = false;
    r->date_first[0] = r->date_last[0] = '\0';
    buf_reset(&r->out);
    buf_puts(&r->out, "{\"title\":");
    buf_json_str(&r->out, title, strlen(title));
    buf_puts(&r->out, ",\"description\":");
    buf_json_str(&r->out, desc, strlen(desc));
    buf_printf(&r->out, ",\"http_status\":\"%d\",\"error_code\":\"%d\"}", http_status,
               http_status);
    return -1;
}

int taxii_error_code(struct taxii_req *r, int code, const char *what)
{
    switch (code) {
    case ERR_INVALID: return taxii_error(r, 400, "bad request", "%s", what);
    case ERR_NOT_FOUND: return taxii_error(r, 404, "not found", "%s", what);
    case ERR_AUTH: return taxii_error(r, 401, "unauthorized", "%s", what);
    case ERR_FORBIDDEN: return taxii_error(r, 403, "forbidden", "%s", what);
    case ERR_TOO_LARGE: return taxii_error(r, 413, "request too large", "%s", what);
    case ERR_CONFLICT: return taxii_error(r, 409, "conflict", "%s", what);
    case ERR_UNSUPPORTED: return taxii_error(r, 422, "unprocessable", "%s", what);
    default: return taxii_error(r, 500, "internal error", "%s", what);
    }
}
