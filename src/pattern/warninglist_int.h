/*
 * Internals of the warninglists (warninglist.c: loading and the API;
 * warninglist_match.c: the compiled structures and their lookups).
 */
#ifndef CONCORD_PATTERN_WARNINGLIST_INT_H
#define CONCORD_PATTERN_WARNINGLIST_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "pattern/warninglist.h"

enum wl_type { WL_CIDR, WL_STRING, WL_HOSTNAME, WL_SUBSTRING, WL_REGEX };

struct wl_range4 {
    uint32_t lo, hi;
};

struct wl_range6 {
    unsigned __int128 lo, hi;
};

/* Open-addressing set of strings (lower-cased), FNV-1a hashed, load <= 1/2. */
struct wl_strset {
    const char **slot; /* NULL when empty; NUL-terminated strings owned by the list */
    uint32_t *hash;
    size_t mask; /* slots - 1 (power of two) */
    size_t n;
};

struct wl_list {
    char *key, *name;
    enum wl_type type;
    unsigned kinds;
    size_t entries, bad_entries;
    atomic_ulong suppressed;
    /* WL_CIDR */
    struct wl_range4 *r4;
    size_t n4;
    struct wl_range6 *r6;
    size_t n6;
    /* WL_STRING, WL_HOSTNAME (exact-or-parent); suffix: leading-dot entries of WL_HOSTNAME */
    struct wl_strset exact, suffix;
    /* WL_SUBSTRING */
    char **subs;
    size_t nsubs;
    /* WL_REGEX */
    pcre2_code **re;
    size_t nre;
};

struct pat_wl_set {
    struct wl_list *lists;
    size_t n;
};

/* Compile the entries of l from the JSON array list (borrowed). */
void wl_compile(struct wl_list *l, json_t *list);
/* Does l hold v (a value of a kind l applies to)? */
bool wl_match(const struct wl_list *l, const struct pat_value *v);
/* Free what wl_compile made. */
void wl_release(struct wl_list *l);

#endif
