/*
 * Authentication and authorisation without HTTP (the CLI uses it too):
 * argon2id password hashes, random API tokens stored as BLAKE2b hashes,
 * a small cache of verified Basic credentials so that a busy client does
 * not pay for argon2id on every request, and per-collection rights.
 */
#ifndef CONCORD_AUTH_AUTH_H
#define CONCORD_AUTH_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define AUTH_HASH_MAX 160
#define AUTH_TOKEN_MAX 64 /* "cct_" + 43 base64url characters + NUL, rounded up */
#define AUTH_CACHE_SLOTS 256

/* Who is asking: filled by auth_basic / auth_bearer. */
struct auth_principal {
    int64_t user_id;
    char user[LIMIT_NAME];
    int64_t org_id;
    char org[LIMIT_NAME];
    char org_identity[96];      /* the organisation's STIX identity id */
    enum store_user_role role;
    char communities[16][64];   /* communities the organisation is in (sharing rules) */
    size_t n_communities;
};

/* Call once at start-up (wraps sodium_init). Returns 0 or ERR_UNSUPPORTED. */
int auth_init(void);

/* Hash a password with argon2id into out. Returns 0 or ERR_NOMEM. */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX]);
/* Constant-time check of password against a stored hash. */
bool auth_password_check(const char *hash, const char *password);

/*
 * Make a new random token into out and its hash into hash; prefix (first
 * 8 characters) goes into prefix for listing.
 */
void auth_token_new(char out[AUTH_TOKEN_MAX], unsigned char hash[32], char prefix[16]);
/* Hash a presented token the way tokens are stored. */
void auth_token_hash(const char *token, size_t len, unsigned char hash[32]);

/*
 * Cache of verified credentials: keyed hashes of "user\0password" (five
 * minutes) and of bearer tokens (five seconds, so a revoked token stops
 * working within that time), each with the principal it resolved to.
 */
struct auth_cache {
    pthread_mutex_t lock;
    unsigned char key[32];      /* random per process: cache keys are useless elsewhere */
    struct {
        unsigned char h[32];
        struct auth_principal who;
        int64_t expires_us;
    } slot[AUTH_CACHE_SLOTS];
};

void auth_cache_init(struct auth_cache *c);
void auth_cache_release(struct auth_cache *c);

/*
 * Check user/password (cache may be NULL).  Returns 0 and fills *who, or
 * ERR_AUTH for unknown user or wrong password (the caller logs the failure).
 */
int auth_basic(struct store *s, struct auth_cache *c, const char *user, const char *password,
               struct auth_principal *who);
/* Check a bearer token (cache may be NULL). Returns 0 and fills *who, or ERR_AUTH. */
int auth_bearer(struct store *s, struct auth_cache *c, const char *token, size_t len,
                struct auth_principal *who);
/* Fill *who for a known user id. Returns 0 or ERR_NOT_FOUND. */
int auth_principal_load(struct store *s, int64_t user_id, struct auth_principal *who);

/* Collection rights: admins may do everything; others by org list and role. */
bool auth_can_read(const struct auth_principal *who, const struct store_coll *c);
bool auth_can_write(const struct auth_principal *who, const struct store_coll *c);

#endif
