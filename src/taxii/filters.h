/*
 * TAXII 2.1 query parameters (§3.4): added_after, limit, next and the
 * match[...] filters, parsed into a store query, plus the opaque `next`
 * token.  A token carries the date_added of the last row served and a hash
 * of the filter set it belongs to; reusing it with other filters is a 400.
 */
#ifndef CONCORD_TAXII_FILTERS_H
#define CONCORD_TAXII_FILTERS_H

#include "taxii/taxii_int.h"
#include "util/limits.h"

enum taxii_filter_allow {
    TF_ADDED_AFTER = 1 << 0,
    TF_LIMIT = 1 << 1,
    TF_NEXT = 1 << 2,
    TF_ID = 1 << 3,
    TF_TYPE = 1 << 4,
    TF_VERSION = 1 << 5,
    TF_SPEC = 1 << 6,
    TF_ALL = 0x7f
};

struct taxii_filter {
    struct store_query q;
    const char *ids[LIMIT_MATCH_VALUES + 1];
    const char *types[LIMIT_MATCH_VALUES];
    const char *specs[LIMIT_MATCH_VALUES];
    int64_t versions[LIMIT_MATCH_VALUES];
    char *strings[4 * LIMIT_MATCH_VALUES]; /* owned copies the pointers above point into */
    size_t n_strings;
    unsigned allowed;
    uint64_t hash;                         /* of every filter but next and limit */
    bool bad;                              /* an error response was set */
};

/*
 * Parse the request's query into f.  allowed: which parameters this
 * resource takes (others: 400).  default_ver: store_ver_flags when no
 * match[version] is given.  Returns 0, or -1 with a 400 response set.
 */
int taxii_filter_parse(struct taxii_req *r, unsigned allowed, unsigned default_ver,
                       struct taxii_filter *f);
void taxii_filter_release(struct taxii_filter *f);

/* The next token for a page whose last row had date_added last_us (out: 32 bytes). */
void taxii_next_token(const struct taxii_filter *f, int64_t last_us, char out[32]);

#endif
