/*
 * The HTTP side of authentication: the Authorization header, Basic
 * (TAXII 2.1 requires it) and Bearer tokens.  Failures are logged with the
 * client address and user name, never the password or token.
 */
#include "taxii/taxii_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/banned.h"

static int unauthorized(struct taxii_req *r, const char *why)
{
    r->www_authenticate = true;
    return taxii_error(r, 401, "unauthorized", "%s", why);
}

static int basic(struct taxii_req *r, const char *b64)
{
    char raw[1024];
    size_t n = 0;
    if (sodium_base642bin((unsigned char *)raw, sizeof(raw) - 1, b64, strlen(b64), " ", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return unauthorized(r, "malformed Basic credentials");
    raw[n] = '\0';
    char *colon = memchr(raw, ':', n);
    if (!colon || memchr(raw, '\0', n))
        return unauthorized(r, "malformed Basic credentials");
    *colon = '\0';
    int rc = auth_basic(r->store, &r->srv->cache, raw, colon + 1, &r->who);
    sodium_memzero(colon + 1, n - (size_t)(colon + 1 - raw));
    if (rc) {
        log_warn("auth", "failed login user=\"%.64s\" peer=%s", raw, r->peer);
        snprintf(r->audit_detail, sizeof(r->audit_detail), "failed login for user '%.64s'", raw);
        return unauthorized(r, "wrong user name or password");
    }
    return 0;
}

int taxii_authenticate(struct taxii_req *r)
{
    const char *h = taxii_req_header(r, "Authorization");
    if (!h || !*h)
        return unauthorized(r, "authentication required (HTTP Basic or Bearer token)");
    if (strncasecmp(h, "Basic ", 6) == 0)
        return basic(r, h + 6);
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        const char *t = h + 7;
        while (*t == ' ')
            t++;
        if (auth_bearer(r->store, &r->srv->cache, t, strlen(t), &r->who) != 0) {
            log_warn("auth", "failed token login peer=%s", r->peer);
            return unauthorized(r, "unknown or revoked token");
        }
        return 0;
    }
    return unauthorized(r, "unsupported authentication scheme");
}
