/*
 * Passwords, tokens and rights (see auth.h).
 *
 * Passwords: libsodium crypto_pwhash_str (argon2id, interactive limits).
 * Tokens: 32 random bytes, base64url, prefixed "cct_"; only a BLAKE2b-256
 * hash is stored, so a stolen database does not yield working tokens.
 * The Basic cache stores keyed BLAKE2b hashes of "user\0password" that
 * verified recently (five minutes), never the password itself.
 */
#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "share/context.h"
#include "stix/timestamp.h"
#include "util/log.h"
#include "util/banned.h"

#define CACHE_TTL_BASIC_US (300LL * 1000000)
#define CACHE_TTL_TOKEN_US (5LL * 1000000)

int auth_init(void)
{
    return sodium_init() < 0 ? ERR_UNSUPPORTED : 0;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX])
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ERR_NOMEM;
    return 0;
}

bool auth_password_check(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_token_hash(const char *token, size_t len, unsigned char hash[32])
{
    crypto_generichash(hash, 32, (const unsigned char *)token, len, NULL, 0);
}

void auth_token_new(char out[AUTH_TOKEN_MAX], unsigned char hash[32], char prefix[16])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, "cct_", 4);
    sodium_bin2base64(out + 4, AUTH_TOKEN_MAX - 4, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    auth_token_hash(out, strlen(out), hash);
    snprintf(prefix, 16, "%.12s", out);
    sodium_memzero(raw, sizeof(raw));
}

void auth_cache_init(struct auth_cache *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    randombytes_buf(c->key, sizeof(c->key));
}

void auth_cache_release(struct auth_cache *c)
{
    pthread_mutex_destroy(&c->lock);
    sodium_memzero(c, sizeof(*c));
}

static void cache_key(const struct auth_cache *c, const char *a, size_t alen, const char *b,
                      size_t blen, unsigned char h[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, c->key, sizeof(c->key), 32);
    crypto_generichash_update(&st, (const unsigned char *)a, alen);
    crypto_generichash_update(&st, (const unsigned char *)b, blen);
    crypto_generichash_final(&st, h, 32);
}

static bool cache_lookup(struct auth_cache *c, const unsigned char h[32],
                         struct auth_principal *who)
{
    bool hit = false;
    int64_t now = stix_now_us();
    unsigned i = (h[0] | (unsigned)h[1] << 8) % AUTH_CACHE_SLOTS;
    pthread_mutex_lock(&c->lock);
    if (c->slot[i].expires_us > now && sodium_memcmp(c->slot[i].h, h, 32) == 0) {
        *who = c->slot[i].who;
        hit = true;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

static void cache_store(struct auth_cache *c, const unsigned char h[32],
                        const struct auth_principal *who, int64_t ttl)
{
    unsigned i = (h[0] | (unsigned)h[1] << 8) % AUTH_CACHE_SLOTS;
    pthread_mutex_lock(&c->lock);
    memcpy(c->slot[i].h, h, 32);
    c->slot[i].who = *who;
    c->slot[i].expires_us = stix_now_us() + ttl;
    pthread_mutex_unlock(&c->lock);
}

int auth_principal_load(struct store *s, int64_t user_id, struct auth_principal *who)
{
    struct store_user u;
    struct store_org o;
    if (store_user_get_id(s, user_id, &u) || store_org_get_id(s, u.org_id, &o))
        return ERR_NOT_FOUND;
    who->user_id = u.id;
    snprintf(who->user, sizeof(who->user), "%s", u.name);
    who->org_id = o.id;
    snprintf(who->org, sizeof(who->org), "%s", o.name);
    snprintf(who->org_identity, sizeof(who->org_identity), "%s", o.identity_id);
    who->role = u.role;
    who->n_communities = share_org_communities(s, &o, who->communities, 16);
    return 0;
}

int auth_basic(struct store *s, struct auth_cache *c, const char *user, const char *password,
               struct auth_principal *who)
{
    unsigned char h[32];
    if (c) {
        /* user name with its NUL, then the password: no two pairs collide */
        cache_key(c, user, strlen(user) + 1, password, strlen(password), h);
        if (cache_lookup(c, h, who))
            return 0;
    }
    struct store_user u;
    if (store_user_get(s, user, &u) != 0) {
        /* spend the same time as a real check so user names cannot be probed */
        char dummy[AUTH_HASH_MAX];
        auth_password_hash(password, dummy);
        return ERR_AUTH;
    }
    if (!auth_password_check(u.pwhash, password))
        return ERR_AUTH;
    if (auth_principal_load(s, u.id, who))
        return ERR_AUTH;
    if (c)
        cache_store(c, h, who, CACHE_TTL_BASIC_US);
    return 0;
}

int auth_bearer(struct store *s, struct auth_cache *c, const char *token, size_t len,
                struct auth_principal *who)
{
    unsigned char h[32], ch[32];
    int64_t uid;
    if (c) {
        /*
         * Two NULs first: a Basic key holds exactly one (after the user
         * name), so no user/password pair can answer for a token.
         */
        cache_key(c, "\0\0token", 7, token, len, ch);
        if (cache_lookup(c, ch, who))
            return 0;
    }
    auth_token_hash(token, len, h);
    if (store_token_find(s, h, &uid) != 0 || auth_principal_load(s, uid, who) != 0)
        return ERR_AUTH;
    if (c)
        cache_store(c, ch, who, CACHE_TTL_TOKEN_US);
    return 0;
}

bool auth_can_read(const struct auth_principal *who, const struct store_coll *c)
{
    return who->role == STORE_ROLE_ADMIN || store_orglist_has(c->read_orgs, who->org_id);
}

bool auth_can_write(const struct auth_principal *who, const struct store_coll *c)
{
    if (who->role == STORE_ROLE_ADMIN)
        return true;
    return who->role >= STORE_ROLE_MEMBER && store_orglist_has(c->write_orgs, who->org_id);
}
