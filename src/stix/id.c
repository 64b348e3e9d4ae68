/*
 * STIX identifiers (STIX 2.1 §2.9) and type names (§3.1).
 *
 * An id is "<type>--<UUID>".  A type name never contains "--" and never
 * ends with '-', and a UUID is exactly 36 characters, so the separator is
 * always at len - 38: no search is needed.  Every check reads only the
 * bytes it is given (length-based), never allocates and never fails on
 * arbitrary input, so it is safe on the ingest hot path and in fuzzing.
 *
 * The UUID rule is the OASIS schema's: 8-4-4-4-12 hex digits (either
 * case), version digit 1-5, RFC 4122 variant (8, 9, a or b).
 */
#include "stix/id.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define TYPE_MIN 3
#define TYPE_MAX 250
#define SEP_LEN 2 /* "--" */

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 4122 variant: the top bits of clock_seq_hi are 10. */
static bool is_variant(char c)
{
    return c == '8' || c == '9' || c == 'a' || c == 'b' || c == 'A' || c == 'B';
}

bool stix_type_name_valid(const char *type, size_t len)
{
    if (!type || len < TYPE_MIN || len > TYPE_MAX)
        return false;
    if (!is_lower(type[0]) || type[len - 1] == '-')
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = type[i];
        if (c == '-') {
            if (type[i - 1] == '-')
                return false;
        } else if (!is_lower(c) && !is_digit(c)) {
            return false;
        }
    }
    return true;
}

bool stix_uuid_valid(const char *u, size_t len)
{
    if (!u || len != STIX_UUID_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                return false;
        } else if (!is_hex(u[i])) {
            return false;
        }
    }
    if (u[14] < '1' || u[14] > '5')
        return false; /* version 1-5 */
    return is_variant(u[19]);
}

size_t stix_id_type(const char *id, size_t len, const char **type)
{
    size_t tlen;

    if (!id || len < TYPE_MIN + SEP_LEN + STIX_UUID_LEN)
        return 0;
    tlen = len - SEP_LEN - STIX_UUID_LEN;
    if (id[tlen] != '-' || id[tlen + 1] != '-')
        return 0;
    if (!stix_type_name_valid(id, tlen) || !stix_uuid_valid(id + tlen + SEP_LEN, STIX_UUID_LEN))
        return 0;
    *type = id;
    return tlen;
}

const char *stix_id_problem(const char *id, size_t len, const char *type, size_t type_len)
{
    size_t tlen;

    if (!id || len < TYPE_MIN + SEP_LEN + STIX_UUID_LEN)
        return "too short for <type>--<uuid>";
    tlen = len - SEP_LEN - STIX_UUID_LEN;
    if (id[tlen] != '-' || id[tlen + 1] != '-')
        return "no '--' before a 36-character uuid";
    if (!stix_type_name_valid(id, tlen))
        return "invalid type name";
    if (!stix_uuid_valid(id + tlen + SEP_LEN, STIX_UUID_LEN))
        return "invalid uuid";
    if (type && (tlen != type_len || memcmp(id, type, tlen) != 0))
        return "type prefix does not match the object type";
    return NULL;
}

int stix_id_check(const char *id, const char *type, struct error *err)
{
    const char *why;

    if (!id)
        return error_set(err, ERR_INVALID, "missing identifier");
    why = stix_id_problem(id, strlen(id), type, type ? strlen(type) : 0);
    if (why)
        return error_set(err, ERR_INVALID, "invalid identifier '%.100s': %s", id, why);
    return 0;
}

uint64_t stix_id_hash(const char *id, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64-bit offset basis */

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)id[i];
        h *= 1099511628211ULL; /* FNV-1a 64-bit prime */
    }
    return h;
}

void stix_uuid4(char out[STIX_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    size_t o = 0;

    if (sodium_init() < 0)
        abort(); /* no entropy source: cannot make ids safely */
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}
