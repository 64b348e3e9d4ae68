/*
 * MISP warninglists (github.com/MISP/misp-warninglists): lists of values
 * known to be benign or too common to mean anything (public DNS
 * resolvers, top sites, RFC 1918 ranges, empty-file hashes).  `concord
 * match` drops a sighting whose value is on a list, and counts it.
 *
 * A list file is JSON: {"name", "type", "list": [...],
 * "matching_attributes": [...], ...}.  Types and their semantics here:
 *   cidr      IPv4/IPv6 prefixes or single addresses; an address inside
 *             any of them is listed (sorted merged ranges, binary search)
 *   string    the whole value equals an entry (case-insensitive hash set)
 *   hostname  the value, or any parent domain of it, is an entry; an
 *             entry with a leading '.' lists only the names below it.
 *             For a URL the host is checked, for an e-mail its domain.
 *   substring an entry occurs in the value (case-insensitive)
 *   regex     PCRE2; "/re/flags" (flags i, m, s, x; g ignored) or bare
 * A list applies to the value kinds its matching_attributes name (ip-src,
 * ip-dst, domain|ip... -> addresses; domain, hostname -> domains; url,
 * uri, link -> URLs; email-src/-dst, target-email -> e-mails; md5, sha1,
 * sha256, sha512 and filename|<hash> -> hashes; filename -> file names),
 * limited to what its type can judge (cidr only addresses, the others
 * never addresses).  Without matching_attributes, cidr lists apply to
 * addresses and the others to every string kind.
 *
 * A loaded set is immutable except for its suppression counters, which
 * are atomic (relaxed; a suppression is rare next to a lookup), so one set
 * may be shared by any number of threads.
 */
#ifndef CONCORD_PATTERN_WARNINGLIST_H
#define CONCORD_PATTERN_WARNINGLIST_H

#include <stddef.h>

#include "pattern/record.h"
#include "util/error.h"

struct pat_wl_set;

/* Facts about one loaded list (strings owned by the set). */
struct pat_wl_info {
    const char *key;          /* directory name (<key>/list.json) or file name without .json */
    const char *name;         /* the list's "name" */
    const char *type;         /* "cidr", "string", "hostname", "substring", "regex" */
    size_t entries;           /* entries compiled */
    size_t bad_entries;       /* entries skipped (not an address, bad regex, empty) */
    unsigned kinds;           /* bit (1u << enum pat_vkind) per kind the list applies to */
    unsigned long suppressed; /* values suppressed so far */
};

/*
 * Load path: a list file, or a directory holding <key>/list.json entries
 * (and/or *.json list files; schema.json is ignored), loaded in name order.
 * Returns 0 with *out (free with pat_wl_set_free), or ERR_IO (unreadable),
 * ERR_INVALID (not JSON, no list, unknown type; err names the file) or
 * ERR_NOT_FOUND (a directory without lists).
 */
int pat_wl_set_load(struct pat_wl_set **out, const char *path, struct error *err);

void pat_wl_set_free(struct pat_wl_set *set); /* NULL is allowed */

/*
 * The key of the first list (in load order) that suppresses v, or NULL.
 * The returned string lives as long as the set.  Counts the suppression
 * on that list.  Thread-safe.
 */
const char *pat_wl_check(const struct pat_wl_set *set, const struct pat_value *v);

size_t pat_wl_set_count(const struct pat_wl_set *set);

/* Facts about list i (< pat_wl_set_count). 0 or ERR_NOT_FOUND. */
int pat_wl_set_info(const struct pat_wl_set *set, size_t i, struct pat_wl_info *out);

#endif
