/*
 * STIX 2.1 timestamps (STIX 2.1 §2.16): RFC 3339, UTC with a literal 'Z',
 * optional fractional seconds.  We keep the original string and compare on
 * nanoseconds since the Unix epoch, so "…12.1Z" and "…12.100Z" are equal.
 */
#ifndef CONCORD_STIX_TIMESTAMP_H
#define CONCORD_STIX_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STIX_TS_MAX 40 /* room for any formatted timestamp with its NUL */

/*
 * Parse s[0..len) strictly: YYYY-MM-DDTHH:MM:SS[.d+]Z, month/day ranges
 * checked (day against the month and leap years), second 60 allowed.
 * On success *ns = nanoseconds since epoch (digits beyond 9 truncated) and,
 * if frac_digits is not NULL, *frac_digits = number of fractional digits.
 * Returns 0 or ERR_INVALID.  A valid timestamp outside the int64 range
 * (before 1677-09-21 or after 2262-04-11) still returns 0 with *ns clamped
 * to INT64_MIN/INT64_MAX: order is kept, equality between two clamped
 * values is not (use stix_ts_parse_full to compare those exactly).
 */
int stix_ts_parse(const char *s, size_t len, int64_t *ns, int *frac_digits);

/*
 * A parsed timestamp that covers the whole range the format allows (years
 * 0000-9999); int64 nanoseconds only cover 1677-2262, so comparisons
 * between arbitrary timestamps (valid_until > valid_from) use this.
 */
struct stix_ts {
    int64_t sec;     /* seconds since epoch (second 60 counts as the next minute's 00) */
    int32_t nsec;    /* 0..999999999, digits beyond 9 truncated */
    int frac_digits; /* fractional digits as written (0 when no '.') */
};

/* Parse s[0..len) with the rules of stix_ts_parse into *out. 0 or ERR_INVALID. */
int stix_ts_parse_full(const char *s, size_t len, struct stix_ts *out);

/* <0, 0, >0 as a is earlier than, equal to, later than b. */
int stix_ts_cmp(const struct stix_ts *a, const struct stix_ts *b);

/*
 * Convert to nanoseconds since epoch.  Returns false (and stores the
 * nearest of INT64_MIN/INT64_MAX in *ns) when t is outside 1677-2262.
 */
bool stix_ts_to_ns(const struct stix_ts *t, int64_t *ns);

/* Format microseconds since epoch as YYYY-MM-DDTHH:MM:SS.ffffffZ into out. */
void stix_ts_format_us(int64_t us, char out[STIX_TS_MAX]);

/* Current time, microseconds since epoch (CLOCK_REALTIME). */
int64_t stix_now_us(void);

#endif
