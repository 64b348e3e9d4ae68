/*
 * STIX identifiers (STIX 2.1 §2.9): "<type>--<UUID>", the UUID of version
 * 1-5 and RFC 4122 variant, the prefix exactly the object's type.
 */
#ifndef CONCORD_STIX_ID_H
#define CONCORD_STIX_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define STIX_UUID_LEN 36

/*
 * Type names (STIX 2.1 §3.1): lowercase ASCII letters, digits and '-',
 * start with a letter, end with a letter or digit, 3-250 characters, no "--".
 */
bool stix_type_name_valid(const char *type, size_t len);

/* True if u[0..len) is a UUID in the form the STIX id rule allows. */
bool stix_uuid_valid(const char *u, size_t len);

/*
 * Check that id is "<type>--<UUID>" with the given type (when type is not
 * NULL) and a valid UUID.  Returns 0 or ERR_INVALID with a message in err.
 */
int stix_id_check(const char *id, const char *type, struct error *err);

/*
 * Length-based check of id[0..len) against type[0..type_len) (type may be
 * NULL: any valid type).  Returns NULL when valid, else a static reason
 * ("no '--' separator", "invalid uuid", ...).  Never allocates; used by the
 * validator, which words the error itself.
 */
const char *stix_id_problem(const char *id, size_t len, const char *type, size_t type_len);

/*
 * Point *type at the type part of a syntactically valid id[0..len) and
 * return its length; 0 when id is not "<type>--<UUID>".
 */
size_t stix_id_type(const char *id, size_t len, const char **type);

/* Stable 64-bit hash of an id (FNV-1a), the store's index key. */
uint64_t stix_id_hash(const char *id, size_t len);

/* Write a random (v4) UUID, lowercase, NUL-terminated, into out[37]. */
void stix_uuid4(char out[STIX_UUID_LEN + 1]);

#endif
