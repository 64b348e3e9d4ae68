/*
 * Unit tests for the bulk indicator index (src/pattern/index*.c, compile.c,
 * regex_*.c): each structure's exact behaviour (string equality per kind,
 * CIDR containment, regexes through Vectorscan and PCRE2), validity and
 * revocation, pure / candidate / residual rules, level 2/3 brackets, the
 * holder, and a randomized agreement test: for a few thousand random
 * level-1 patterns and random records, the index's matches must equal the
 * reference evaluator's (pat_eval_cexpr on pat_record_observation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern/eval.h"
#include "pattern/index.h"
#include "pattern/logs.h"
#include "pattern/pattern.h"

#define NOW 1700000000000000000LL

static void make_id(size_t i, char out[PAT_INDICATOR_ID_LEN + 1])
{
    snprintf(out, PAT_INDICATOR_ID_LEN + 1, "indicator--00000000-0000-4000-8000-%012zx", i);
}

static size_t id_number(const char *id)
{
    return (size_t)strtoull(id + PAT_INDICATOR_ID_LEN - 12, NULL, 16);
}

/* An index of patterns[0..n), all active; indicator i is patterns[i]. */
static struct pat_index *build(const char *const *patterns, size_t n)
{
    struct pat_index_builder *b = pat_index_builder_new();
    struct error err = {0};
    char id[PAT_INDICATOR_ID_LEN + 1];
    for (size_t i = 0; i < n; i++) {
        make_id(i, id);
        int rc = pat_index_add(b, id, patterns[i], strlen(patterns[i]), INT64_MIN, INT64_MAX, 0,
                               &err);
        if (rc)
            fprintf(stderr, "pattern %zu: %s: %s\n", i, patterns[i], err.msg);
        assert_int_equal(rc, 0);
    }
    struct pat_index *idx = pat_index_build(b, NOW, &err);
    assert_non_null(idx);
    return idx;
}

static void rec_add(struct pat_record *r, enum pat_vkind k, enum pat_vrole role, const char *s)
{
    r->v[r->n++] = (struct pat_value){k, role, s, strlen(s)};
}

static void rec_init(struct pat_record *r)
{
    memset(r, 0, sizeof(*r));
    r->src_port = r->dst_port = -1;
}

struct hits {
    uint64_t mask; /* indicators 0..63 hit */
    int n;
    bool partial[64];
    unsigned bracket[64];
    bool null_value[64];
};

static void on_hit(void *ctx, const struct pat_hit *h)
{
    struct hits *out = ctx;
    size_t i = id_number(h->indicator_id);
    assert_true(i < 64);
    assert_false(out->mask & (1ull << i) && !h->partial); /* once per record */
    out->mask |= 1ull << i;
    out->partial[i] = h->partial;
    out->bracket[i] = h->bracket;
    out->null_value[i] = h->v == NULL;
    out->n++;
}

static uint64_t match(struct pat_index *idx, const struct pat_record *rec)
{
    struct pat_scratch *s = pat_scratch_new(idx);
    struct hits h = {0};
    int rc = pat_index_match(idx, s, rec, on_hit, &h);
    assert_int_equal(rc, h.n);
    pat_scratch_free(s);
    return h.mask;
}

/* Indicators hit by a record of one value. */
static uint64_t match1(struct pat_index *idx, enum pat_vkind k, enum pat_vrole role,
                       const char *s)
{
    struct pat_record r;
    rec_init(&r);
    rec_add(&r, k, role, s);
    return match(idx, &r);
}

#define BIT(i) (1ull << (i))

static void test_equality_kinds(void **state)
{
    (void)state;
    static const char *const p[] = {
        "[ipv4-addr:value = '198.51.100.7']",
        "[ipv6-addr:value = '2001:db8::1']",
        "[domain-name:value = 'evil.example']",
        "[url:value = 'http://evil.example/a?b=c']",
        "[email-addr:value = 'bad@evil.example']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[file:hashes.'MD5' = '0123456789abcdef0123456789abcdef']",
        "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
        "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        "[file:hashes.'SHA-512' = 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce']",
        "[file:name = 'mimikatz.exe']",
        "[domain-name:value IN ('a.example', 'b.example')]",
        "[file:hashes.'sha256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        "[domain-name:value = 'EVIL.example']",
    };
    struct pat_index *idx = build(p, sizeof(p) / sizeof(p[0]));
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    assert_int_equal(st.pure, 14); /* the unknown hash key never holds: pure, no anchor */
    assert_int_equal(st.residual, 0);
    assert_int_equal(st.eq[PAT_V_MD5], 2);
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_NONE, "198.51.100.7"), BIT(0));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_DST, "198.51.100.7"), BIT(0));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_NONE, "198.51.100.70"), 0);
    assert_int_equal(match1(idx, PAT_V_IPV6, PAT_ROLE_NONE, "2001:db8::1"), BIT(1));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_NONE, "2001:db8::1"), 0); /* wrong kind */
    assert_int_equal(match1(idx, PAT_V_DOMAIN, PAT_ROLE_NONE, "evil.example"), BIT(2));
    assert_int_equal(match1(idx, PAT_V_DOMAIN, PAT_ROLE_NONE, "evil.example."), 0);
    assert_int_equal(match1(idx, PAT_V_URL, PAT_ROLE_NONE, "http://evil.example/a?b=c"), BIT(3));
    assert_int_equal(match1(idx, PAT_V_EMAIL, PAT_ROLE_NONE, "bad@evil.example"), BIT(4));
    assert_int_equal(match1(idx, PAT_V_MD5, PAT_ROLE_NONE, "d41d8cd98f00b204e9800998ecf8427e"),
                     BIT(5));
    assert_int_equal(match1(idx, PAT_V_MD5, PAT_ROLE_NONE, "0123456789abcdef0123456789abcdef"),
                     BIT(6));
    assert_int_equal(match1(idx, PAT_V_SHA1, PAT_ROLE_NONE,
                            "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
                     BIT(7));
    /* the SHA-256 value matches by algorithm: as an MD5 or SHA-512 it is nothing */
    const char *e3 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_int_equal(match1(idx, PAT_V_SHA256, PAT_ROLE_NONE, e3), BIT(8));
    assert_int_equal(match1(idx, PAT_V_SHA512, PAT_ROLE_NONE, e3), 0);
    assert_int_equal(match1(idx, PAT_V_SHA512, PAT_ROLE_NONE,
                            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"),
                     BIT(9));
    assert_int_equal(match1(idx, PAT_V_FILENAME, PAT_ROLE_NONE, "mimikatz.exe"), BIT(10));
    assert_int_equal(match1(idx, PAT_V_DOMAIN, PAT_ROLE_NONE, "b.example"), BIT(11));
    assert_int_equal(match1(idx, PAT_V_DOMAIN, PAT_ROLE_NONE, "c.example"), 0);
    /* readers lower-case domains; the evaluator compares verbatim, so does the index */
    assert_int_equal(match1(idx, PAT_V_DOMAIN, PAT_ROLE_NONE, "evil.Example"), 0);
    pat_index_unref(idx);
}

static void test_lookup_raw(void **state)
{
    (void)state;
    static const char *const p[] = {
        "[domain-name:value = 'x.example']",
        "[domain-name:value = 'x.example' AND domain-name:resolves_to_refs[*].value = '1.2.3.4']",
        "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
    };
    struct pat_index *idx = build(p, 3);
    struct pat_value v = {PAT_V_DOMAIN, PAT_ROLE_NONE, "x.example", 9};
    assert_int_equal(pat_index_lookup(idx, &v, NULL, NULL), 2);
    v = (struct pat_value){PAT_V_IPV4, PAT_ROLE_NONE, "10.9.8.7", 8};
    assert_int_equal(pat_index_lookup(idx, &v, NULL, NULL), 1);
    char id[PAT_INDICATOR_ID_LEN + 1];
    pat_index_rule_id(idx, 2, id);
    assert_string_equal(id, "indicator--00000000-0000-4000-8000-000000000002");
    pat_index_unref(idx);
}

static void test_cidr(void **state)
{
    (void)state;
    static const char *const p[] = {
        "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
        "[ipv4-addr:value ISSUBSET '10.1.0.0/16']",
        "[ipv4-addr:value ISSUBSET '10.1.2.3/32']",
        "[ipv4-addr:value ISSUBSET '0.0.0.0/0']",
        "[ipv4-addr:value ISSUBSET '10.1.2.3']",
        "[ipv6-addr:value ISSUBSET '2001:db8::/32']",
        "[ipv6-addr:value ISSUBSET '2001:db8::1/128']",
        "[ipv6-addr:value ISSUBSET '::/0']",
        "[ipv4-addr:value ISSUBSET '10.1.0.0/16']",         /* same prefix, second indicator */
        "[ipv4-addr:value ISSUBSET '192.168.1.77/24']",      /* host bits ignored */
        "[network-traffic:dst_ref.value ISSUBSET '172.16.0.0/12']",
        "[ipv4-addr:value = '10.0.0.0/8']", /* = is a string comparison */
        "[ipv4-addr:value ISSUBSET '2001:db8::/32']", /* another family: never */
    };
    struct pat_index *idx = build(p, sizeof(p) / sizeof(p[0]));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "10.1.2.3"),
                     BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(8));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "10.1.2.4"), BIT(0) | BIT(1) | BIT(3) | BIT(8));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "10.200.0.1"), BIT(0) | BIT(3));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "11.0.0.0"), BIT(3));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "9.255.255.255"), BIT(3));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "192.168.1.1"), BIT(3) | BIT(9));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "10.0.0.0/8"), BIT(0) | BIT(3) | BIT(11));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "10.1.0.0/20"), BIT(0) | BIT(1) | BIT(3) | BIT(8));
    assert_int_equal(match1(idx, PAT_V_IPV4, 0, "not an address"), 0);
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_DST, "172.31.255.255"), BIT(3) | BIT(10));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_SRC, "172.31.255.255"), BIT(3));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_NONE, "172.16.0.1"), BIT(3));
    assert_int_equal(match1(idx, PAT_V_IPV6, 0, "2001:db8::1"), BIT(5) | BIT(6) | BIT(7));
    assert_int_equal(match1(idx, PAT_V_IPV6, 0, "2001:db8:ffff::2"), BIT(5) | BIT(7));
    assert_int_equal(match1(idx, PAT_V_IPV6, 0, "2001:db9::1"), BIT(7));
    assert_int_equal(match1(idx, PAT_V_IPV6, 0, "::"), BIT(7));
    assert_int_equal(match1(idx, PAT_V_IPV6, 0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                     BIT(7));
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    assert_int_equal(st.cidr_v4, 8);
    assert_int_equal(st.cidr_v4_nodes, 6); /* equal prefixes share a node */
    assert_int_equal(st.cidr_v6, 3);
    pat_index_unref(idx);
}

static void test_regex(void **state)
{
    (void)state;
    static const char *const p[] = {
        "[domain-name:value MATCHES '^evil[0-9]+\\\\.example$']",
        "[url:value LIKE 'http://%.example/_dmin%']",
        "[file:name MATCHES '(a)\\\\1']", /* a back-reference: Vectorscan rejects it */
        "[url:value LIKE 'x.y']",          /* '.' is literal in LIKE */
        "[file:name LIKE 'caf\xc3\xa9%']", /* NFC: matches the decomposed value too */
        "[email-addr:value MATCHES 'root@']",
        "[network-traffic:src_ref.value MATCHES '^10\\\\.']",
    };
    struct pat_index *idx = build(p, sizeof(p) / sizeof(p[0]));
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    assert_int_equal(st.regex_slow, 1);      /* the back-reference */
    assert_int_equal(st.regex_prefilter, 3); /* "evil", "http://", "root@" */
    assert_int_equal(st.regex_fast, 4);      /* the role path has one per address kind */
    assert_int_equal(st.pure, 7);
    assert_int_equal(match1(idx, PAT_V_DOMAIN, 0, "evil42.example"), BIT(0));
    assert_int_equal(match1(idx, PAT_V_DOMAIN, 0, "evil.example"), 0);
    assert_int_equal(match1(idx, PAT_V_DOMAIN, 0, "xevil4.example"), 0);
    assert_int_equal(match1(idx, PAT_V_URL, 0, "http://www.example/admin.php"), BIT(1));
    assert_int_equal(match1(idx, PAT_V_URL, 0, "http://www.example/Xdmin"), BIT(1));
    assert_int_equal(match1(idx, PAT_V_URL, 0, "http://www.example/dmin"), 0);
    assert_int_equal(match1(idx, PAT_V_FILENAME, 0, "abab"), 0);
    assert_int_equal(match1(idx, PAT_V_FILENAME, 0, "xaay"), BIT(2));
    assert_int_equal(match1(idx, PAT_V_URL, 0, "x.y"), BIT(3));
    assert_int_equal(match1(idx, PAT_V_URL, 0, "xzy"), 0);
    assert_int_equal(match1(idx, PAT_V_FILENAME, 0, "cafe\xcc\x81.txt"), BIT(4));
    assert_int_equal(match1(idx, PAT_V_FILENAME, 0, "caf\xc3\xa9"), BIT(4));
    assert_int_equal(match1(idx, PAT_V_FILENAME, 0, "cafe"), 0);
    assert_int_equal(match1(idx, PAT_V_EMAIL, 0, "root@example.org"), BIT(5));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_SRC, "10.0.0.1"), BIT(6));
    assert_int_equal(match1(idx, PAT_V_IPV4, PAT_ROLE_DST, "10.0.0.1"), 0);
    assert_int_equal(match1(idx, PAT_V_FILENAME, 0, "\xff" "aa"), 0); /* not UTF-8 */
    pat_index_unref(idx);
}

static void test_validity(void **state)
{
    (void)state;
    struct pat_index_builder *b = pat_index_builder_new();
    struct error err = {0};
    const char *p = "[domain-name:value = 'x.example']";
    char id[PAT_INDICATOR_ID_LEN + 1];
    int64_t s = 1000000000LL;
    struct {
        int64_t from, until;
        unsigned flags;
    } v[] = {
        {NOW - s, INT64_MAX, 0},        /* 0 active */
        {NOW + s, INT64_MAX, 0},        /* 1 not yet */
        {INT64_MIN, NOW, 0},            /* 2 expired: valid_until is exclusive */
        {NOW, NOW + 5 * s, 0},          /* 3 active from now */
        {NOW - s, INT64_MAX, PAT_INDEX_REVOKED}, /* 4 revoked */
        {NOW - s, NOW + 2 * s, 0},      /* 5 active */
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        make_id(i, id);
        assert_int_equal(pat_index_add(b, id, p, strlen(p), v[i].from, v[i].until, v[i].flags,
                                       &err), 0);
    }
    assert_int_equal(pat_index_add(b, "indicator--nope", p, strlen(p), 0, 1, 0, &err),
                     ERR_INVALID);
    error_clear(&err);
    make_id(9, id);
    assert_int_equal(pat_index_add(b, id, "[domain-name:value = ", 21, 0, 1, 0, &err),
                     ERR_INVALID);
    struct pat_index *idx = pat_index_build(b, NOW, &err);
    assert_non_null(idx);
    assert_int_equal(match1(idx, PAT_V_DOMAIN, 0, "x.example"), BIT(0) | BIT(3) | BIT(5));
    assert_int_equal(pat_index_next_change_ns(idx), NOW + s); /* 1 starts, 5 ends */
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    assert_int_equal(st.added, 6);
    assert_int_equal(st.inactive, 3);
    assert_int_equal(st.indicators, 3);
    pat_index_unref(idx);
}

static void test_or_candidates_residual(void **state)
{
    (void)state;
    static const char *const p[] = {
        /* 0: OR of anchors: pure */
        "[domain-name:value = 'a.example' OR url:value = 'http://a.example/']",
        /* 1: candidate: the port is checked by the evaluator */
        "[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 443]",
        /* 2: candidate with an OR of anchors under AND */
        "[file:name = 'x.exe' AND (file:hashes.MD5 = 'aa' OR file:hashes.MD5 = 'bb')]",
        /* 3: residual: no anchor */
        "[network-traffic:dst_port = 4444]",
        /* 4: residual: a negation */
        "[domain-name:value != 'a.example']",
        /* 5: AND picks an anchor; the other side fails */
        "[domain-name:value = 'a.example' AND domain-name:value LIKE 'b%']",
        /* 6: OR with one side unanchored: residual */
        "[domain-name:value = 'a.example' OR file:size > 10]",
        /* 7: src and dst in one traffic */
        "[network-traffic:src_ref.value = '10.0.0.1' AND network-traffic:dst_ref.value = '10.0.0.2']",
    };
    struct pat_index *idx = build(p, sizeof(p) / sizeof(p[0]));
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    assert_int_equal(st.pure, 1);
    assert_int_equal(st.candidates, 4);
    assert_int_equal(st.residual, 3);

    struct pat_record r;
    rec_init(&r);
    rec_add(&r, PAT_V_DOMAIN, 0, "a.example");
    assert_int_equal(match(idx, &r), BIT(0) | BIT(6));
    rec_init(&r);
    rec_add(&r, PAT_V_DOMAIN, 0, "z.example");
    assert_int_equal(match(idx, &r), BIT(4));
    rec_init(&r);
    rec_add(&r, PAT_V_IPV4, PAT_ROLE_SRC, "10.0.0.1");
    rec_add(&r, PAT_V_IPV4, PAT_ROLE_DST, "203.0.113.5");
    r.dst_port = 443;
    assert_int_equal(match(idx, &r), BIT(1));
    r.dst_port = 4444;
    assert_int_equal(match(idx, &r), BIT(3));
    rec_init(&r);
    rec_add(&r, PAT_V_IPV4, PAT_ROLE_SRC, "10.0.0.1");
    rec_add(&r, PAT_V_IPV4, PAT_ROLE_DST, "10.0.0.2");
    assert_int_equal(match(idx, &r), BIT(7));
    rec_init(&r); /* roles swapped */
    rec_add(&r, PAT_V_IPV4, PAT_ROLE_DST, "10.0.0.1");
    rec_add(&r, PAT_V_IPV4, PAT_ROLE_SRC, "10.0.0.2");
    assert_int_equal(match(idx, &r), 0);
    rec_init(&r);
    rec_add(&r, PAT_V_FILENAME, 0, "x.exe");
    rec_add(&r, PAT_V_MD5, 0, "bb");
    assert_int_equal(match(idx, &r), BIT(2));
    rec_init(&r); /* the observation keeps the last MD5 only */
    rec_add(&r, PAT_V_FILENAME, 0, "x.exe");
    rec_add(&r, PAT_V_MD5, 0, "bb");
    rec_add(&r, PAT_V_MD5, 0, "cc");
    assert_int_equal(match(idx, &r), 0);
    pat_index_unref(idx);
}

static void test_partial_brackets(void **state)
{
    (void)state;
    static const char *const p[] = {
        "[domain-name:value = 'a.example'] FOLLOWEDBY [url:value = 'http://b.example/']",
        "[domain-name:value = 'a.example'] REPEATS 3 TIMES",
    };
    struct pat_index *idx = build(p, 2);
    struct pat_scratch *s = pat_scratch_new(idx);
    struct pat_record r;
    struct hits h = {0};
    rec_init(&r);
    rec_add(&r, PAT_V_URL, 0, "http://b.example/");
    assert_int_equal(pat_index_match(idx, s, &r, on_hit, &h), 1);
    assert_int_equal(h.mask, BIT(0));
    assert_true(h.partial[0]);
    assert_int_equal(h.bracket[0], 1);
    memset(&h, 0, sizeof(h));
    rec_init(&r);
    rec_add(&r, PAT_V_DOMAIN, 0, "a.example");
    assert_int_equal(pat_index_match(idx, s, &r, on_hit, &h), 2);
    assert_int_equal(h.bracket[0], 0);
    assert_true(h.partial[1]);
    pat_scratch_free(s);
    pat_index_unref(idx);
}

static void test_holder(void **state)
{
    (void)state;
    static const char *const p1[] = {"[domain-name:value = 'one.example']"};
    static const char *const p2[] = {"[domain-name:value = 'two.example']"};
    struct pat_index_holder h;
    pat_index_holder_init(&h, build(p1, 1));
    struct pat_index *a = pat_index_holder_get(&h);
    pat_index_swap(&h, build(p2, 1));
    struct pat_index *b = pat_index_holder_get(&h);
    assert_int_equal(match1(a, PAT_V_DOMAIN, 0, "one.example"), 1); /* a is still alive */
    assert_int_equal(match1(b, PAT_V_DOMAIN, 0, "two.example"), 1);
    assert_int_equal(match1(b, PAT_V_DOMAIN, 0, "one.example"), 0);
    struct pat_scratch *s = pat_scratch_new(a);
    struct pat_record r;
    rec_init(&r);
    assert_int_equal(pat_index_match(b, s, &r, NULL, NULL), ERR_INVALID);
    pat_scratch_free(s);
    pat_index_unref(a);
    pat_index_unref(b);
    pat_index_holder_release(&h);
}

/* ---- randomized agreement with the evaluator ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

static const char *const v4s[] = {"10.0.0.1", "10.0.0.2", "10.1.2.3", "192.168.0.9", "8.8.8.8"};
static const char *const v6s[] = {"2001:db8::1", "2001:db8::2", "2001:db9::1", "::1"};
static const char *const nets[] = {"10.0.0.0/8", "10.0.0.0/30", "10.1.0.0/16", "0.0.0.0/0",
                                   "10.0.0.2/32", "2001:db8::/32", "2001:db8::/127", "::/0",
                                   "10.0.0.1", "192.168.0.0/24"};
/* Networks as record values, of the value's own family (readers classify addresses). */
static const char *const nets4[] = {"10.0.0.0/8", "10.0.0.0/30", "10.1.0.0/16", "10.0.0.2/32"};
static const char *const nets6[] = {"2001:db8::/32", "2001:db8::/127", "::/0", "2001:db8::2/128"};
static const char *const doms[] = {"a.example", "b.example", "evil.test", "café.example"};
static const char *const urls[] = {"http://a.example/x", "https://b.example/login.php?u=1",
                                   "http://evil.test/"};
static const char *const mails[] = {"root@a.example", "bob@b.example"};
static const char *const hashes[] = {"aa11", "bb22", "cc33"};
static const char *const names[] = {"x.exe", "café.txt", "a.dll"};
static const char *const likes[] = {"%.example", "a%", "_.example", "%evil%", "http://%",
                                    "10.0.0._", "%::1", "%.exe", "caf_.%", "%", ""};
static const char *const regexes[] = {"example$", "^10\\\\.0", "(a)\\\\1", "b.*e", "^$",
                                      "evil|root", "\\\\d+\\\\.\\\\d+", "(?i)CAF", "x{2,}",
                                      "^https?://b\\\\.exa", "exam+ple", "(ex)?ample\\\\.",
                                      "[a-c]\\\\.example$", "8\\\\.8\\\\.8", "ro{1}ot@"};

struct rtype {
    const char *type, *path;
    const char *const *vals;
    size_t n_vals;
};

#define RT(t, p, a) {t, p, a, sizeof(a) / sizeof((a)[0])}
static const struct rtype rtypes[] = {
    RT("ipv4-addr", "value", v4s),        RT("ipv6-addr", "value", v6s),
    RT("domain-name", "value", doms),     RT("url", "value", urls),
    RT("email-addr", "value", mails),     RT("file", "hashes.MD5", hashes),
    RT("file", "hashes.'SHA-256'", hashes), RT("file", "name", names),
    RT("network-traffic", "src_ref.value", v4s), RT("network-traffic", "dst_ref.value", v6s),
};

/* One comparison on type t (index into rtypes, or a same-type extra). */
static void gen_cmp(char *out, size_t n, const struct rtype *t)
{
    const char *v = t->vals[rnd((unsigned)t->n_vals)];
    bool ip = strstr(t->type, "addr") && t->type[0] == 'i';
    switch (rnd(12)) {
    case 0:
    case 1:
    case 2:
        snprintf(out, n, "%s:%s = '%s'", t->type, t->path, v);
        break;
    case 3:
        snprintf(out, n, "%s:%s IN ('%s', '%s')", t->type, t->path, v,
                 t->vals[rnd((unsigned)t->n_vals)]);
        break;
    case 4:
        snprintf(out, n, "%s:%s %s= '%s'", t->type, t->path, rnd(2) ? "!" : "NOT ", v);
        break;
    case 5:
        snprintf(out, n, "%s:%s LIKE '%s'", t->type, t->path, PICK(likes));
        break;
    case 6:
        snprintf(out, n, "%s:%s MATCHES '%s'", t->type, t->path, PICK(regexes));
        break;
    case 7:
        if (ip || strstr(t->path, "_ref"))
            snprintf(out, n, "%s:%s ISSUBSET '%s'", t->type, t->path, PICK(nets));
        else
            snprintf(out, n, "%s:%s > '%s'", t->type, t->path, v);
        break;
    case 8:
        snprintf(out, n, "EXISTS %s:%s", t->type, t->path);
        break;
    case 9:
        if (strcmp(t->type, "network-traffic") == 0)
            snprintf(out, n, "network-traffic:dst_port = %d", rnd(2) ? 443 : 80);
        else
            snprintf(out, n, "%s:%s = %d", t->type, t->path, (int)rnd(3));
        break;
    case 10:
        snprintf(out, n, "%s:%s NOT LIKE '%s'", t->type, t->path, PICK(likes));
        break;
    default:
        snprintf(out, n, "%s:%s IN ()", t->type, t->path);
        break;
    }
}

/* An AND/OR tree on one type, depth-limited. */
static void gen_same(char *out, size_t n, const struct rtype *t, int depth)
{
    if (depth == 0 || rnd(3) == 0) {
        gen_cmp(out, n, t);
        return;
    }
    char l[512], r[512];
    gen_same(l, sizeof(l), t, depth - 1);
    gen_same(r, sizeof(r), t, depth - 1);
    snprintf(out, n, "(%s %s %s)", l, rnd(2) ? "AND" : "OR", r);
}

static void gen_pattern(char *out, size_t n)
{
    char a[1100], b[1100];
    gen_same(a, sizeof(a), &PICK(rtypes), 2);
    if (rnd(4) == 0) {
        gen_same(b, sizeof(b), &PICK(rtypes), 1);
        snprintf(out, n, "[%s OR %s]", a, b);
    } else {
        snprintf(out, n, "[%s]", a);
    }
}

static void gen_record(struct pat_record *r)
{
    static const enum pat_vkind kinds[] = {PAT_V_IPV4,   PAT_V_IPV6,   PAT_V_DOMAIN,
                                           PAT_V_URL,    PAT_V_EMAIL,  PAT_V_MD5,
                                           PAT_V_SHA256, PAT_V_FILENAME, PAT_V_IPV4};
    rec_init(r);
    unsigned n = 1 + rnd(5);
    for (unsigned i = 0; i < n; i++) {
        enum pat_vkind k = PICK(kinds);
        const struct rtype *t = &rtypes[0];
        for (size_t j = 0; j < sizeof(rtypes) / sizeof(rtypes[0]); j++) {
            const char *want = k == PAT_V_IPV4 ? "ipv4-addr" : k == PAT_V_IPV6 ? "ipv6-addr"
                             : k == PAT_V_DOMAIN ? "domain-name" : k == PAT_V_URL ? "url"
                             : k == PAT_V_EMAIL ? "email-addr" : "file";
            if (strcmp(rtypes[j].type, want) == 0) {
                t = &rtypes[j];
                break;
            }
        }
        const char *v = t->vals[rnd((unsigned)t->n_vals)];
        if (k == PAT_V_FILENAME)
            v = PICK(names);
        if (k == PAT_V_IPV4 && rnd(8) == 0)
            v = PICK(nets4); /* a network as a value: ISSUBSET takes it */
        if (k == PAT_V_IPV6 && rnd(8) == 0)
            v = PICK(nets6);
        enum pat_vrole role = (k == PAT_V_IPV4 || k == PAT_V_IPV6) ? (enum pat_vrole)rnd(3)
                                                                    : PAT_ROLE_NONE;
        if (k == PAT_V_FILENAME && rnd(10) == 0)
            v = "bad\xff";
        rec_add(r, k, role, v);
    }
    r->dst_port = rnd(2) ? 443 : 80;
    r->time_ns = NOW;
}

#define RAND_PATTERNS 3000
#define RAND_RECORDS 400

static void on_rand_hit(void *ctx, const struct pat_hit *h)
{
    uint8_t *got = ctx;
    size_t i = id_number(h->indicator_id);
    assert_true(i < RAND_PATTERNS);
    assert_int_equal(got[i], 0); /* once per record */
    got[i] = 1;
}

static void print_record(const struct pat_record *r)
{
    for (size_t i = 0; i < r->n; i++)
        fprintf(stderr, "  value %d role %d '%.*s'\n", (int)r->v[i].kind, (int)r->v[i].role,
                (int)r->v[i].len, r->v[i].s);
}

/* Compare the index's hits on one record with the evaluator's; returns mismatches. */
static size_t agree(struct pat_index *idx, struct pat_scratch *s, struct pattern **trees,
                    char **texts, const struct pat_record *r, uint8_t *got, size_t *hits)
{
    size_t bad = 0;
    json_t *roots, *by_ref;
    memset(got, 0, RAND_PATTERNS);
    assert_true(pat_index_match(idx, s, r, on_rand_hit, got) >= 0);
    assert_int_equal(pat_record_observation(r, &roots, &by_ref), 0);
    struct pat_obsv o = {roots, by_ref, NOW, NOW, 1};
    for (size_t i = 0; i < RAND_PATTERNS; i++) {
        if (!trees[i])
            continue;
        bool want = pat_eval_cexpr(trees[i]->root->cexpr, &o);
        *hits += want;
        if (want != (got[i] != 0)) {
            if (bad++ < 5) {
                fprintf(stderr, "disagree on %s: evaluator %d, index %d\n", texts[i], want,
                        got[i]);
                print_record(r);
            }
        }
    }
    json_decref(roots);
    json_decref(by_ref);
    return bad;
}

static void test_random_agreement(void **state)
{
    (void)state;
    char **texts = calloc(RAND_PATTERNS, sizeof(*texts));
    struct pattern **trees = calloc(RAND_PATTERNS, sizeof(*trees));
    struct pat_index_builder *b = pat_index_builder_new();
    struct error err = {0};
    size_t bad = 0, mismatches = 0, hits = 0;
    char id[PAT_INDICATOR_ID_LEN + 1], text[4096];
    for (size_t i = 0; i < RAND_PATTERNS; i++) {
        gen_pattern(text, sizeof(text));
        texts[i] = strdup(text);
        error_clear(&err);
        if (pat_parse(text, strlen(text), &trees[i], &err) != 0) {
            if (bad++ < 3)
                fprintf(stderr, "(generated pattern rejected: %s: %s)\n", text, err.msg);
            trees[i] = NULL;
            continue;
        }
        make_id(i, id);
        assert_int_equal(pat_index_add(b, id, text, strlen(text), INT64_MIN, INT64_MAX, 0, &err),
                         0);
    }
    assert_true(bad < RAND_PATTERNS / 4);
    struct pat_index *idx = pat_index_build(b, NOW, &err);
    assert_non_null(idx);
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    fprintf(stderr, "random: %zu patterns (%zu rejected), pure %zu, candidates %zu, residual %zu, "
            "regex prefilter %zu fast %zu slow %zu\n", st.indicators, bad, st.pure,
            st.candidates, st.residual, st.regex_prefilter, st.regex_fast, st.regex_slow);
    assert_true(st.pure > 100 && st.candidates > 100 && st.residual > 10);
    assert_true(st.regex_slow > 0 && st.cidr_v4 > 0);
    struct pat_scratch *s = pat_scratch_new(idx);
    uint8_t *got = calloc(RAND_PATTERNS, 1);
    for (int k = 0; k < RAND_RECORDS; k++) {
        struct pat_record r;
        gen_record(&r);
        mismatches += agree(idx, s, trees, texts, &r, got, &hits);
    }
    fprintf(stderr, "random: %d records, %zu matches, %zu disagreements\n", RAND_RECORDS, hits,
            mismatches);
    free(got);
    pat_scratch_free(s);
    pat_index_unref(idx);
    for (size_t i = 0; i < RAND_PATTERNS; i++) {
        pat_free(trees[i]);
        free(texts[i]);
    }
    free(trees);
    free(texts);
    assert_true(hits > 1000);
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equality_kinds),
        cmocka_unit_test(test_lookup_raw),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_validity),
        cmocka_unit_test(test_or_candidates_residual),
        cmocka_unit_test(test_partial_brackets),
        cmocka_unit_test(test_holder),
        cmocka_unit_test(test_random_agreement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
