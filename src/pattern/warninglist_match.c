/*
 * Compiled warninglists and their lookups (semantics in warninglist.h):
 * CIDR lists become sorted, merged address ranges (binary search),
 * string and hostname lists case-insensitive hash sets (a hostname is
 * looked up together with each of its parent domains), substring lists a
 * short array scanned with memmem, regex lists PCRE2 codes compiled once
 * (match data is made per call, so lookups share nothing).
 *
 * Values are lower-cased into a bounded stack copy before lookup; values
 * longer than WL_VALUE_MAX are never suppressed.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pattern/warninglist_int.h"
#include "util/xalloc.h"

#define WL_VALUE_MAX 4096

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void lower_copy(char *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    d[n] = '\0';
}

/* ---- string set ---- */

static void set_init(struct wl_strset *s, size_t n)
{
    size_t slots = 16;
    while (slots < n * 2)
        slots *= 2;
    s->slot = xcalloc(slots, sizeof(*s->slot));
    s->hash = xcalloc(slots, sizeof(*s->hash));
    s->mask = slots - 1;
    s->n = 0;
}

/* Add str (the set then owns it); false when it was there already. */
static bool set_add(struct wl_strset *s, const char *str)
{
    size_t n = strlen(str);
    uint32_t h = fnv1a(str, n);
    size_t i = h & s->mask;
    while (s->slot[i]) {
        if (s->hash[i] == h && strcmp(s->slot[i], str) == 0)
            return false;
        i = (i + 1) & s->mask;
    }
    s->slot[i] = str;
    s->hash[i] = h;
    s->n++;
    return true;
}

static bool set_has(const struct wl_strset *s, const char *str, size_t n)
{
    if (!s->slot || s->n == 0)
        return false;
    uint32_t h = fnv1a(str, n);
    for (size_t i = h & s->mask; s->slot[i]; i = (i + 1) & s->mask)
        if (s->hash[i] == h && strncmp(s->slot[i], str, n) == 0 && s->slot[i][n] == '\0')
            return true;
    return false;
}

/* ---- CIDR ---- */

/* Parse "addr" or "addr/len" into a v4 or v6 range. 4, 6 or 0. */
static int parse_cidr(const char *e, struct wl_range4 *r4, struct wl_range6 *r6)
{
    char tmp[INET6_ADDRSTRLEN + 8];
    size_t n = strlen(e);
    if (n >= sizeof(tmp))
        return 0;
    memcpy(tmp, e, n + 1);
    char *slash = strchr(tmp, '/');
    long plen = -1;
    if (slash) {
        char *endp;
        *slash = '\0';
        plen = strtol(slash + 1, &endp, 10);
        if (endp == slash + 1 || *endp || plen < 0)
            return 0;
    }
    unsigned char b[16];
    if (inet_pton(AF_INET, tmp, b) == 1) {
        if (plen > 32)
            return 0;
        uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        uint32_t host = plen < 0 || plen == 32 ? 0 : plen == 0 ? 0xffffffffu : 0xffffffffu >> plen;
        r4->lo = a & ~host;
        r4->hi = a | host;
        return 4;
    }
    if (inet_pton(AF_INET6, tmp, b) == 1) {
        if (plen > 128)
            return 0;
        unsigned __int128 a = 0, host;
        for (int i = 0; i < 16; i++)
            a = a << 8 | b[i];
        host = plen < 0 || plen == 128 ? 0
               : plen == 0             ? ~(unsigned __int128)0
                                       : ~(unsigned __int128)0 >> plen;
        r6->lo = a & ~host;
        r6->hi = a | host;
        return 6;
    }
    return 0;
}

static int cmp4(const void *a, const void *b)
{
    const struct wl_range4 *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp6(const void *a, const void *b)
{
    const struct wl_range6 *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent ranges in place; returns the new count. */
#define MERGE_RANGES(r, n, cmp)                                                                    \
    do {                                                                                           \
        qsort(r, n, sizeof(*(r)), cmp);                                                            \
        size_t o_ = 0;                                                                             \
        for (size_t i_ = 0; i_ < (n); i_++) {                                                      \
            if (o_ > 0 && (r)[i_].lo <= (r)[o_ - 1].hi + 1 && (r)[o_ - 1].hi + 1 != 0) {           \
                if ((r)[i_].hi > (r)[o_ - 1].hi)                                                   \
                    (r)[o_ - 1].hi = (r)[i_].hi;                                                   \
            } else if (o_ > 0 && (r)[o_ - 1].hi + 1 == 0) {                                        \
                continue; /* the previous range reaches the top: covers the rest */                \
            } else {                                                                               \
                (r)[o_++] = (r)[i_];                                                               \
            }                                                                                      \
        }                                                                                          \
        (n) = o_;                                                                                  \
    } while (0)

static void compile_cidr(struct wl_list *l, json_t *list)
{
    size_t i, cap = json_array_size(list) + 1;
    json_t *e;
    l->r4 = xmalloc(cap * sizeof(*l->r4));
    l->r6 = xmalloc(cap * sizeof(*l->r6));
    json_array_foreach (list, i, e) {
        const char *s = json_string_value(e);
        int v = s ? parse_cidr(s, &l->r4[l->n4], &l->r6[l->n6]) : 0;
        if (v == 4)
            l->n4++;
        else if (v == 6)
            l->n6++;
        else
            l->bad_entries++;
    }
    l->entries = l->n4 + l->n6;
    MERGE_RANGES(l->r4, l->n4, cmp4);
    MERGE_RANGES(l->r6, l->n6, cmp6);
}

/* Index of the last range with lo <= x, or -1 (ranges sorted by lo). */
#define FIND_RANGE(r, n, x, out)                                                                   \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = (n);                                                                 \
        while (lo_ < hi_) {                                                                        \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                   \
            if ((r)[mid_].lo <= (x))                                                               \
                lo_ = mid_ + 1;                                                                    \
            else                                                                                   \
                hi_ = mid_;                                                                        \
        }                                                                                          \
        (out) = (long)lo_ - 1;                                                                     \
    } while (0)

static bool cidr_match(const struct wl_list *l, const struct pat_value *v)
{
    char tmp[INET6_ADDRSTRLEN + 8];
    unsigned char b[16];
    long at;
    if (v->len >= sizeof(tmp))
        return false;
    memcpy(tmp, v->s, v->len);
    tmp[v->len] = '\0';
    if (v->kind == PAT_V_IPV4 && inet_pton(AF_INET, tmp, b) == 1) {
        uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        FIND_RANGE(l->r4, l->n4, a, at);
        return at >= 0 && a <= l->r4[at].hi;
    }
    if (v->kind == PAT_V_IPV6 && inet_pton(AF_INET6, tmp, b) == 1) {
        unsigned __int128 a = 0;
        for (int i = 0; i < 16; i++)
            a = a << 8 | b[i];
        FIND_RANGE(l->r6, l->n6, a, at);
        return at >= 0 && a <= l->r6[at].hi;
    }
    return false;
}

/* ---- compile ---- */

/* Options of a "/re/flags" entry; the expression is (*pat)[0..*plen). */
static uint32_t regex_form(const char *e, const char **pat, size_t *plen)
{
    const char *last = strrchr(e, '/');
    uint32_t opt = 0;
    *pat = e;
    *plen = strlen(e);
    if (e[0] != '/' || !last || last == e || strspn(last + 1, "imsxgu") != strlen(last + 1))
        return 0;
    for (const char *f = last + 1; *f; f++)
        opt |= *f == 'i'   ? PCRE2_CASELESS
               : *f == 'm' ? PCRE2_MULTILINE
               : *f == 's' ? PCRE2_DOTALL
               : *f == 'x' ? PCRE2_EXTENDED
               : *f == 'u' ? PCRE2_UTF
                           : 0;
    *pat = e + 1;
    *plen = (size_t)(last - e - 1);
    return opt;
}

static void compile_regex(struct wl_list *l, const char *e)
{
    const char *pat;
    size_t plen;
    int errcode;
    PCRE2_SIZE erroff;
    uint32_t opt = regex_form(e, &pat, &plen);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, plen, opt, &errcode, &erroff, NULL);
    if (!re) {
        l->bad_entries++;
        return;
    }
    l->re[l->nre++] = re;
}

/* Add one string entry (not cidr). */
static void compile_entry(struct wl_list *l, const char *e)
{
    size_t n = strlen(e);
    if (n == 0) {
        l->bad_entries++;
        return;
    }
    if (l->type == WL_REGEX) {
        compile_regex(l, e);
        return;
    }
    char *low = xmalloc(n + 1);
    lower_copy(low, e, n);
    bool kept = true; /* the list owns low (freed by wl_release) */
    if (l->type == WL_SUBSTRING) {
        l->subs[l->nsubs++] = low;
    } else if (l->type == WL_HOSTNAME && low[0] == '.') {
        memmove(low, low + 1, n); /* ".example.com": names below example.com */
        kept = n > 1 && set_add(&l->suffix, low);
        l->bad_entries += n == 1;
    } else {
        if (l->type == WL_HOSTNAME && n > 1 && low[n - 1] == '.')
            low[n - 1] = '\0';
        kept = set_add(&l->exact, low);
    }
    if (!kept)
        free(low);
}

void wl_compile(struct wl_list *l, json_t *list)
{
    size_t i, n = json_array_size(list);
    json_t *e;
    if (l->type == WL_CIDR) {
        compile_cidr(l, list);
        return;
    }
    set_init(&l->exact, n);
    set_init(&l->suffix, l->type == WL_HOSTNAME ? n : 0);
    l->subs = xcalloc(n + 1, sizeof(*l->subs));
    l->re = xcalloc(n + 1, sizeof(*l->re));
    json_array_foreach (list, i, e) {
        const char *s = json_string_value(e);
        if (!s) {
            l->bad_entries++;
            continue;
        }
        compile_entry(l, s);
    }
    l->entries = l->exact.n + l->suffix.n + l->nsubs + l->nre;
}

static void set_free(struct wl_strset *s)
{
    for (size_t i = 0; s->slot && i <= s->mask; i++)
        free((char *)s->slot[i]);
    free(s->slot);
    free(s->hash);
}

void wl_release(struct wl_list *l)
{
    free(l->r4);
    free(l->r6);
    set_free(&l->exact);
    set_free(&l->suffix);
    for (size_t i = 0; i < l->nsubs; i++)
        free(l->subs[i]);
    free(l->subs);
    for (size_t i = 0; i < l->nre; i++)
        pcre2_code_free(l->re[i]);
    free(l->re);
}

/* ---- match ---- */

/* The part of v a hostname list judges: a URL's host, an e-mail's domain, else all. */
static const char *host_part(const char *s, size_t n, enum pat_vkind k, size_t *hn)
{
    *hn = n;
    if (k == PAT_V_EMAIL) {
        const char *at = memrchr(s, '@', n);
        if (at) {
            *hn = n - (size_t)(at + 1 - s);
            return at + 1;
        }
    } else if (k == PAT_V_URL) {
        const char *p = memmem(s, n, "://", 3);
        if (p) {
            p += 3;
            size_t h = 0, rest = n - (size_t)(p - s);
            while (h < rest && p[h] != '/' && p[h] != '?' && p[h] != '#' && p[h] != ':')
                h++;
            const char *at = memchr(p, '@', h);
            if (at) {
                h -= (size_t)(at + 1 - p);
                p = at + 1;
            }
            *hn = h;
            return p;
        }
    }
    return s;
}

static bool hostname_match(const struct wl_list *l, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (set_has(&l->exact, s, n))
        return true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '.')
            continue;
        if (set_has(&l->exact, s + i + 1, n - i - 1) || set_has(&l->suffix, s + i + 1, n - i - 1))
            return true;
    }
    return false;
}

static bool regex_match(const struct wl_list *l, const char *s, size_t n)
{
    for (size_t i = 0; i < l->nre; i++) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(l->re[i], NULL);
        if (!md)
            return false;
        int rc = pcre2_match(l->re[i], (PCRE2_SPTR)s, n, 0, 0, md, NULL);
        pcre2_match_data_free(md);
        if (rc >= 0)
            return true;
    }
    return false;
}

bool wl_match(const struct wl_list *l, const struct pat_value *v)
{
    char low[WL_VALUE_MAX + 1];
    size_t hn;
    if (l->type == WL_CIDR)
        return cidr_match(l, v);
    if (l->type == WL_REGEX) /* the expression decides about case */
        return regex_match(l, v->s, v->len);
    if (v->len > WL_VALUE_MAX)
        return false;
    lower_copy(low, v->s, v->len);
    switch (l->type) {
    case WL_STRING:
        return set_has(&l->exact, low, v->len);
    case WL_HOSTNAME: {
        const char *h = host_part(low, v->len, v->kind, &hn);
        return hostname_match(l, h, hn);
    }
    default: /* WL_SUBSTRING */
        for (size_t i = 0; i < l->nsubs; i++)
            if (memmem(low, v->len, l->subs[i], strlen(l->subs[i])))
                return true;
        return false;
    }
}
