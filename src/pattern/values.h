/*
 * The observable values a pattern names with equality: what correlation
 * across organisations keys on (store/corr.c).  `[ipv4-addr:value =
 * '198.51.100.7']` and `[ipv4-addr:value IN ('198.51.100.7', '::1')]` both
 * name ipv4-addr:value 198.51.100.7; a negated test names nothing.
 */
#ifndef CONCORD_PATTERN_VALUES_H
#define CONCORD_PATTERN_VALUES_H

#include <stddef.h>

#include "pattern/pattern.h"

#define PAT_VALUE_PATH_MAX 256 /* longer canonical paths are skipped */
#define PAT_VALUE_MAX 2048     /* longer values are skipped */

/*
 * Called once per (path, value): path is canonical (keys that are not plain
 * identifiers quoted, hash algorithm names in the STIX vocabulary's
 * spelling: file:hashes.'SHA-256', file:hashes.MD5), value is the constant
 * as text (strings unescaped; hashes, domain names and e-mail addresses in
 * lower case; integers in decimal).  Both are NUL-terminated and borrowed
 * for the call.  Return non-zero to stop.
 */
typedef int (*pat_value_fn)(void *ctx, const char *path, const char *value, size_t len);

/*
 * Walk p's comparison expressions and report each equality constant of a
 * test that is not negated (= and IN, on string and integer constants).
 * A value met twice in one pattern is reported each time.  Returns 0, or
 * what fn returned when it stopped the walk.
 */
int pat_values(const struct pattern *p, pat_value_fn fn, void *ctx);

#endif
