/*
 * STIX timestamps (STIX 2.1 §2.16): a strict parser, a formatter and the
 * clock.
 *
 * The accepted form is exactly YYYY-MM-DDTHH:MM:SS[.d+]Z (the OASIS schema
 * regex): upper-case 'T' and 'Z', no offsets, a '.' only when at least one
 * digit follows, second 60 allowed for leap seconds.  On top of the regex
 * the day is checked against the month and leap years, so 2021-02-29 fails.
 * Parsing never allocates and reads only s[0..len), so it works on strings
 * that are not NUL-terminated or that hold an embedded NUL (which fails).
 *
 * Time is kept as seconds since the epoch plus nanoseconds (struct
 * stix_ts), which spans every year the format can express; the int64
 * nanosecond form used by the store only spans 1677-2262 and is clamped
 * outside it.  A leap second counts as the first second of the next minute,
 * so "23:59:60Z" compares equal to the next day's "00:00:00Z".
 */
#include "stix/timestamp.h"

#include <stdio.h>
#include <time.h>

#include "util/banned.h"
#include "util/error.h"

#define NS_PER_SEC 1000000000LL
#define TS_MIN_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Parse n ASCII digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); exact for every year, including before 1970.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = era * 400 + yoe + (*m <= 2);
}

/* Fixed punctuation of the date-time part. */
static bool shape_ok(const char *s)
{
    return s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':';
}

/*
 * The optional fraction and the final 'Z' in s[19..len): ".d+Z" or "Z".
 * Stores nanoseconds (first 9 digits) and the digit count.
 */
static int parse_tail(const char *s, size_t len, int32_t *nsec, int *frac)
{
    size_t i = 19;
    int32_t ns = 0;
    int n = 0;

    if (s[len - 1] != 'Z')
        return ERR_INVALID;
    if (s[i] == '.') {
        for (i++; i < len - 1; i++, n++) {
            if (s[i] < '0' || s[i] > '9')
                return ERR_INVALID;
            if (n < 9)
                ns = ns * 10 + (s[i] - '0');
        }
        if (n == 0)
            return ERR_INVALID; /* "12.Z": no dot without digits (§2.16.1) */
        for (int k = n; k < 9; k++)
            ns *= 10;
    } else if (i != len - 1) {
        return ERR_INVALID;
    }
    *nsec = ns;
    *frac = n;
    return 0;
}

int stix_ts_parse_full(const char *s, size_t len, struct stix_ts *out)
{
    int y, mo, d, h, mi, se;

    if (!s || len < TS_MIN_LEN || !shape_ok(s))
        return ERR_INVALID;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return ERR_INVALID;
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return ERR_INVALID;
    if (parse_tail(s, len, &out->nsec, &out->frac_digits) != 0)
        return ERR_INVALID;
    out->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

int stix_ts_cmp(const struct stix_ts *a, const struct stix_ts *b)
{
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    if (a->nsec != b->nsec)
        return a->nsec < b->nsec ? -1 : 1;
    return 0;
}

bool stix_ts_to_ns(const struct stix_ts *t, int64_t *ns)
{
    int64_t base;

    /*
     * For negative seconds borrow one second first so that the most
     * negative representable value (1677-09-21T00:12:43.145224192Z) fits.
     */
    if (t->sec >= 0) {
        if (!__builtin_mul_overflow(t->sec, NS_PER_SEC, &base) &&
            !__builtin_add_overflow(base, (int64_t)t->nsec, ns))
            return true;
        *ns = INT64_MAX;
        return false;
    }
    if (!__builtin_mul_overflow(t->sec + 1, NS_PER_SEC, &base) &&
        !__builtin_add_overflow(base, (int64_t)t->nsec - NS_PER_SEC, ns))
        return true;
    *ns = INT64_MIN;
    return false;
}

int stix_ts_parse(const char *s, size_t len, int64_t *ns, int *frac_digits)
{
    struct stix_ts t;

    if (stix_ts_parse_full(s, len, &t) != 0)
        return ERR_INVALID;
    stix_ts_to_ns(&t, ns); /* clamps out of range, see the header */
    if (frac_digits)
        *frac_digits = t.frac_digits;
    return 0;
}

/* Write v as n decimal digits at p (v >= 0); returns the end. */
static char *put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

void stix_ts_format_us(int64_t us, char out[STIX_TS_MAX])
{
    int64_t sec = us / 1000000, frac = us % 1000000, days, rem, y;
    int m, d, n;
    char *p;

    if (frac < 0) { /* floor division for times before 1970 */
        frac += 1000000;
        sec--;
    }
    days = sec / 86400;
    rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    /* int64 microseconds span +-292277 years: at most 7 characters here */
    n = snprintf(out, STIX_TS_MAX, "%04d", (int)y);
    p = out + n;
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, rem / 3600, 2);
    *p++ = ':';
    p = put_digits(p, rem / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, rem % 60, 2);
    *p++ = '.';
    p = put_digits(p, frac, 6);
    *p++ = 'Z';
    *p = '\0';
}

int64_t stix_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
