/*
 * Bounds on every outside input.  xmalloc may abort on OOM only because
 * nothing larger than these reaches an allocation.
 */
#ifndef CONCORD_UTIL_LIMITS_H
#define CONCORD_UTIL_LIMITS_H

#define LIMIT_BODY_DEFAULT (16u * 1024 * 1024)  /* default max_content_length of the API root */
#define LIMIT_BODY_MAX (256u * 1024 * 1024)     /* largest configurable body */
#define LIMIT_OBJECTS_PER_ENVELOPE 100000        /* objects in one POST */
#define LIMIT_PAGE_DEFAULT 1000                  /* objects per page when no limit is given */
#define LIMIT_PAGE_MAX 1000                      /* largest page served */
#define LIMIT_MATCH_VALUES 100                   /* values in one match[...] list */
#define LIMIT_QUERY_VALUE 8192                   /* bytes in one query parameter */
#define LIMIT_NAME 256                           /* names: users, orgs, titles */
#define LIMIT_IMPORT_FILE (1024u * 1024 * 1024)  /* bytes of one imported file */
#define LIMIT_CORR_PER_VALUE 100                 /* indicators kept per correlated value */

#endif
