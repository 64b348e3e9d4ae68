/*
 * STIX 2.1 object validation: the common properties (§3.2-3.6), the
 * required properties of every SDO, SRO, SCO and SMO type, id and
 * timestamp formats, modified >= created.  Custom types (x- prefix, or any
 * well-formed type name declared through an extension-definition) are
 * accepted with the common-property checks only.  Objects with
 * spec_version "2.0" (or none, on an SDO/SRO) are checked against the 2.0
 * common rules only.
 */
#ifndef CONCORD_STIX_VALIDATE_H
#define CONCORD_STIX_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum stix_kind {
    STIX_KIND_SDO,
    STIX_KIND_SRO,
    STIX_KIND_SCO,
    STIX_KIND_SMO,   /* marking-definition, extension-definition, language-content */
    STIX_KIND_CUSTOM /* any other well-formed type name */
};

/*
 * What the store needs to know about a valid object.  All strings are
 * borrowed from the json_t passed to stix_validate and live as long as it.
 */
struct stix_meta {
    const char *type;
    const char *id;
    const char *spec_version;   /* "2.1", or "2.0" when absent on an SDO/SRO */
    const char *created_by_ref; /* NULL when absent */
    const char *version;        /* modified, else created, else NULL (SCOs) */
    int64_t version_ns;         /* version parsed, ns since epoch; 0 when version is NULL */
    bool revoked;               /* revoked: true */
    bool versioned;             /* false for SCOs and marking-definitions */
    enum stix_kind kind;
};

/* Kind of a type name (custom for anything not defined by STIX 2.1). */
enum stix_kind stix_kind_of(const char *type);

/*
 * Validate one STIX object.  On success fills *meta and returns 0.  On
 * failure returns ERR_INVALID and err holds the reason and the property
 * path relative to the object ("pattern", "external_references[0].source_name").
 */
int stix_validate(json_t *obj, struct stix_meta *meta, struct error *err);

#endif
