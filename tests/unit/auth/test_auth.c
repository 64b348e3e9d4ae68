/*
 * Unit tests for src/auth/auth.c: argon2id password hashes, API tokens,
 * Basic and Bearer authentication against a real SQLite store (with and
 * without the credential cache) and collection rights.  A second, empty
 * store shows when an answer came from the cache: it knows no users.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "stix/timestamp.h"
#include "store/store.h"
#include "util/error.h"

#include "../../lib/tmpdir.h"

#define IDENT_A "identity--0f6b6e7a-3c0e-4d7a-9a42-5a2f8a1c3b11"
#define IDENT_B "identity--1c8e2a3b-5d4f-4e6a-8b7c-9d0e1f2a3b44"
#define PW_ALICE "correct horse battery"

struct fx {
    char dir[PATH_MAX];
    struct store *s;     /* orgs and users below */
    struct store *empty; /* no users at all */
    int64_t org_a, org_b;
    int64_t alice, bob; /* member of A, reader of B */
};

static int64_t add_org(struct store *s, const char *name, const char *identity)
{
    struct store_org o;
    struct error err;
    memset(&o, 0, sizeof(o));
    error_clear(&err);
    snprintf(o.name, sizeof(o.name), "%s", name);
    snprintf(o.identity_id, sizeof(o.identity_id), "%s", identity);
    snprintf(o.role, sizeof(o.role), "national-cert");
    assert_int_equal(store_org_add(s, &o, &err), 0);
    return o.id;
}

static int64_t add_user(struct store *s, const char *name, int64_t org, enum store_user_role role,
                        const char *password)
{
    struct store_user u;
    struct error err;
    memset(&u, 0, sizeof(u));
    error_clear(&err);
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.org_id = org;
    u.role = role;
    assert_int_equal(auth_password_hash(password, u.pwhash), 0);
    assert_int_equal(store_user_add(s, &u, &err), 0);
    return u.id;
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char path[PATH_MAX];
    struct error err;
    error_clear(&err);
    assert_int_equal(auth_init(), 0);
    assert_int_equal(tmpdir_make(f->dir, "concord-auth-"), 0);
    assert_int_equal(tmpdir_path(path, f->dir, "concord.db"), 0);
    assert_int_equal(store_sqlite_open(path, &f->s, &err), 0);
    assert_int_equal(tmpdir_path(path, f->dir, "empty.db"), 0);
    assert_int_equal(store_sqlite_open(path, &f->empty, &err), 0);
    f->org_a = add_org(f->s, "a-cert", IDENT_A);
    f->org_b = add_org(f->s, "b-cert", IDENT_B);
    f->alice = add_user(f->s, "alice", f->org_a, STORE_ROLE_MEMBER, PW_ALICE);
    f->bob = add_user(f->s, "bob", f->org_b, STORE_ROLE_READER, "bob's password");
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    store_close(f->empty);
    assert_int_equal(tmpdir_remove(f->dir), 0);
    free(f);
    return 0;
}

static void assert_alice(const struct fx *f, const struct auth_principal *who)
{
    assert_int_equal(who->user_id, f->alice);
    assert_string_equal(who->user, "alice");
    assert_int_equal(who->org_id, f->org_a);
    assert_string_equal(who->org, "a-cert");
    assert_string_equal(who->org_identity, IDENT_A);
    assert_int_equal(who->role, STORE_ROLE_MEMBER);
}

/* ---- passwords and tokens ---- */

static void test_password_hash(void **state)
{
    char h1[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
    (void)state;
    assert_int_equal(auth_password_hash("s3cret pass", h1), 0);
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_true(strlen(h1) < AUTH_HASH_MAX);
    assert_true(auth_password_check(h1, "s3cret pass"));
    assert_false(auth_password_check(h1, "s3cret pas"));
    assert_false(auth_password_check(h1, "s3cret pass "));
    assert_false(auth_password_check(h1, ""));
    assert_false(auth_password_check("not a hash", "s3cret pass"));
    assert_int_equal(auth_password_hash("s3cret pass", h2), 0);
    assert_string_not_equal(h1, h2); /* random salt */
    assert_true(auth_password_check(h2, "s3cret pass"));
}

static bool base64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static void test_token_new(void **state)
{
    char t1[AUTH_TOKEN_MAX], t2[AUTH_TOKEN_MAX], p1[16], p2[16];
    unsigned char h1[32], h2[32], again[32];
    (void)state;

    auth_token_new(t1, h1, p1);
    auth_token_new(t2, h2, p2);
    assert_int_equal(strlen(t1), 4 + 43);
    assert_int_equal(strncmp(t1, "cct_", 4), 0);
    for (size_t i = 4; i < 47; i++)
        assert_true(base64url(t1[i]));
    assert_int_equal(strncmp(p1, t1, strlen(p1)), 0);
    assert_int_equal(strlen(p1), 12);
    auth_token_hash(t1, strlen(t1), again);
    assert_memory_equal(again, h1, 32);
    auth_token_hash(t1, strlen(t1), again);
    assert_memory_equal(again, h1, 32);
    assert_string_not_equal(t1, t2);
    assert_memory_not_equal(h1, h2, 32);
    auth_token_hash(t1, strlen(t1) - 1, again); /* one character less: another hash */
    assert_memory_not_equal(again, h1, 32);

    /* BLAKE2b-256, unkeyed: the stored hashes stay valid across versions */
    static const unsigned char abc[32] = {0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72,
                                          0x31, 0x71, 0xef, 0x3f, 0xee, 0x98, 0x57, 0x9b,
                                          0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb, 0x3e, 0x42,
                                          0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19};
    auth_token_hash("abc", 3, again);
    assert_memory_equal(again, abc, 32);
}

/* ---- Basic ---- */

static void test_basic_no_cache(void **state)
{
    struct fx *f = *state;
    struct auth_principal who;
    memset(&who, 0, sizeof(who));
    assert_int_equal(auth_basic(f->s, NULL, "alice", PW_ALICE, &who), 0);
    assert_alice(f, &who);
    assert_int_equal(auth_basic(f->s, NULL, "alice", "correct horse", &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->s, NULL, "alice", "", &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->s, NULL, "bob", PW_ALICE, &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->s, NULL, "mallory", PW_ALICE, &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->s, NULL, "bob", "bob's password", &who), 0);
    assert_int_equal(who.user_id, f->bob);
    assert_int_equal(who.role, STORE_ROLE_READER);
    assert_string_equal(who.org_identity, IDENT_B);
}

static int live_slots(const struct auth_cache *c)
{
    int n = 0;
    for (int i = 0; i < AUTH_CACHE_SLOTS; i++)
        n += c->slot[i].expires_us != 0;
    return n;
}

static void test_basic_cache(void **state)
{
    struct fx *f = *state;
    struct auth_principal who;
    struct auth_cache *c = malloc(sizeof(*c));
    auth_cache_init(c);

    /* a wrong password is never cached */
    assert_int_equal(auth_basic(f->s, c, "alice", "wrong", &who), ERR_AUTH);
    assert_int_equal(live_slots(c), 0);
    assert_int_equal(auth_basic(f->s, c, "mallory", "wrong", &who), ERR_AUTH);
    assert_int_equal(live_slots(c), 0);

    memset(&who, 0, sizeof(who));
    assert_int_equal(auth_basic(f->s, c, "alice", PW_ALICE, &who), 0);
    assert_alice(f, &who);
    assert_int_equal(live_slots(c), 1);

    /* a hit: the empty store knows nobody, yet the same principal comes back */
    memset(&who, 0, sizeof(who));
    assert_int_equal(auth_basic(f->empty, c, "alice", PW_ALICE, &who), 0);
    assert_alice(f, &who);
    assert_int_equal(auth_basic(f->empty, NULL, "alice", PW_ALICE, &who), ERR_AUTH);

    /* the cached entry answers only for that exact pair */
    assert_int_equal(auth_basic(f->empty, c, "alice", "wrong", &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->empty, c, "alic", "e" PW_ALICE, &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->empty, c, "alice" PW_ALICE, "", &who), ERR_AUTH);
    assert_int_equal(auth_basic(f->s, c, "alice", "wrong", &who), ERR_AUTH);
    assert_int_equal(live_slots(c), 1);

    /* the key is per cache: another cache knows nothing */
    struct auth_cache *c2 = malloc(sizeof(*c2));
    auth_cache_init(c2);
    assert_memory_not_equal(c->key, c2->key, sizeof(c->key));
    assert_int_equal(auth_basic(f->empty, c2, "alice", PW_ALICE, &who), ERR_AUTH);
    auth_cache_release(c2);
    free(c2);

    auth_cache_release(c);
    free(c);
}

/* ---- Bearer ---- */

static void new_token(struct fx *f, int64_t uid, char tok[AUTH_TOKEN_MAX], char prefix[16])
{
    unsigned char h[32];
    int64_t id;
    auth_token_new(tok, h, prefix);
    assert_int_equal(store_token_add(f->s, uid, prefix, h, &id), 0);
}

static void test_bearer_no_cache(void **state)
{
    struct fx *f = *state;
    struct auth_principal who;
    char tok[AUTH_TOKEN_MAX], prefix[16], other[AUTH_TOKEN_MAX];
    unsigned char h[32];
    int count = 0;

    new_token(f, f->alice, tok, prefix);
    memset(&who, 0, sizeof(who));
    assert_int_equal(auth_bearer(f->s, NULL, tok, strlen(tok), &who), 0);
    assert_alice(f, &who);
    assert_int_equal(auth_bearer(f->s, NULL, tok, strlen(tok) - 1, &who), ERR_AUTH);
    assert_int_equal(auth_bearer(f->s, NULL, "", 0, &who), ERR_AUTH);
    auth_token_new(other, h, prefix); /* never stored */
    assert_int_equal(auth_bearer(f->s, NULL, other, strlen(other), &who), ERR_AUTH);

    /* revoked: refused at once without a cache */
    snprintf(prefix, sizeof(prefix), "%.12s", tok);
    assert_int_equal(store_token_revoke(f->s, prefix, &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(auth_bearer(f->s, NULL, tok, strlen(tok), &who), ERR_AUTH);
}

static void test_bearer_cache(void **state)
{
    struct fx *f = *state;
    struct auth_principal who;
    char tok[AUTH_TOKEN_MAX], prefix[16];
    struct auth_cache *c = malloc(sizeof(*c));
    auth_cache_init(c);

    new_token(f, f->alice, tok, prefix);
    assert_int_equal(auth_bearer(f->s, c, "cct_nope", 8, &who), ERR_AUTH);
    assert_int_equal(live_slots(c), 0);
    memset(&who, 0, sizeof(who));
    assert_int_equal(auth_bearer(f->s, c, tok, strlen(tok), &who), 0);
    assert_alice(f, &who);
    assert_int_equal(live_slots(c), 1);
    memset(&who, 0, sizeof(who));
    assert_int_equal(auth_bearer(f->empty, c, tok, strlen(tok), &who), 0); /* hit */
    assert_alice(f, &who);
    assert_int_equal(auth_bearer(f->empty, NULL, tok, strlen(tok), &who), ERR_AUTH);
    /* a token entry is not a Basic entry and the other way round */
    assert_int_equal(auth_basic(f->empty, c, "token", tok, &who), ERR_AUTH);
    /* the token entry lives seconds, not minutes */
    int64_t now = stix_now_us();
    for (int i = 0; i < AUTH_CACHE_SLOTS; i++)
        if (c->slot[i].expires_us)
            assert_true(c->slot[i].expires_us <= now + 5 * 1000000LL);
    auth_cache_release(c);
    free(c);
}

static void test_principal_load(void **state)
{
    struct fx *f = *state;
    struct auth_principal who;
    assert_int_equal(auth_principal_load(f->s, f->alice, &who), 0);
    assert_alice(f, &who);
    assert_int_equal(auth_principal_load(f->s, 4242, &who), ERR_NOT_FOUND);
    assert_int_equal(auth_principal_load(f->empty, f->alice, &who), ERR_NOT_FOUND);
}

/* ---- rights ---- */

static struct auth_principal as(int64_t org, enum store_user_role role)
{
    struct auth_principal p;
    memset(&p, 0, sizeof(p));
    p.org_id = org;
    p.role = role;
    return p;
}

static struct store_coll coll(const char *readers, const char *writers)
{
    struct store_coll c;
    memset(&c, 0, sizeof(c));
    snprintf(c.read_orgs, sizeof(c.read_orgs), "%s", readers);
    snprintf(c.write_orgs, sizeof(c.write_orgs), "%s", writers);
    return c;
}

static void test_rights(void **state)
{
    (void)state;
    struct store_coll closed = coll(",3,7,", ",3,"), open = coll("*", "*"), none = coll("", "");
    struct auth_principal admin = as(9, STORE_ROLE_ADMIN), m3 = as(3, STORE_ROLE_MEMBER),
                          m7 = as(7, STORE_ROLE_MEMBER), m37 = as(37, STORE_ROLE_MEMBER),
                          r3 = as(3, STORE_ROLE_READER);

    /* admins may do everything, even where their organisation is not listed */
    assert_true(auth_can_read(&admin, &closed));
    assert_true(auth_can_write(&admin, &closed));
    assert_true(auth_can_read(&admin, &none));
    assert_true(auth_can_write(&admin, &none));

    /* members by the lists */
    assert_true(auth_can_read(&m3, &closed));
    assert_true(auth_can_write(&m3, &closed));
    assert_true(auth_can_read(&m7, &closed));
    assert_false(auth_can_write(&m7, &closed));
    assert_false(auth_can_read(&m37, &closed));
    assert_false(auth_can_write(&m37, &closed));
    assert_true(auth_can_read(&m37, &open));
    assert_true(auth_can_write(&m37, &open));
    assert_false(auth_can_read(&m3, &none));
    assert_false(auth_can_write(&m3, &none));

    /* readers never write, even when listed */
    assert_true(auth_can_read(&r3, &closed));
    assert_false(auth_can_write(&r3, &closed));
    assert_true(auth_can_read(&r3, &open));
    assert_false(auth_can_write(&r3, &open));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash),   cmocka_unit_test(test_token_new),
        cmocka_unit_test(test_basic_no_cache),  cmocka_unit_test(test_basic_cache),
        cmocka_unit_test(test_bearer_no_cache), cmocka_unit_test(test_bearer_cache),
        cmocka_unit_test(test_principal_load),  cmocka_unit_test(test_rights),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
