/*
 * Internals shared by the STIX validator's files: validate.c (the driver:
 * type, spec_version, id, created/modified, struct stix_meta),
 * validate_props.c (the property-table interpreter and the checkers of the
 * common data types) and validate_types.c (the table of every STIX 2.1
 * type with its properties and cross-property rules).  Not an interface
 * for other modules.
 *
 * A type is described by data: a list of struct stix_vprop (name, JSON
 * shape, required flag, range, allowed reference targets) that the driver
 * checks with one json_object_get per entry, plus an optional check
 * function for rules that involve several properties (valid_until >
 * valid_from, "at least one of ...").  Nothing here allocates.
 */
#ifndef CONCORD_STIX_VALIDATE_INT_H
#define CONCORD_STIX_VALIDATE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "stix/timestamp.h"
#include "stix/validate.h"
#include "util/error.h"

/* Kinds as bits for reference rules; bundle is a kind only here. */
#define STIX_VK_BUNDLE (STIX_KIND_CUSTOM + 1)
#define STIX_VBIT(kind) (1u << (kind))

/* JSON shape of a property value. */
enum stix_vtype {
    STIX_V_STR,        /* string */
    STIX_V_BOOL,       /* true/false */
    STIX_V_INT,        /* JSON integer in [min, max] */
    STIX_V_NUM,        /* any JSON number in [min, max] */
    STIX_V_TS,         /* timestamp (§2.16) */
    STIX_V_REF,        /* identifier (§2.9), target allowed by ref */
    STIX_V_REFS,       /* non-empty list of identifiers */
    STIX_V_STRS,       /* non-empty list of strings */
    STIX_V_ENUM,       /* string, one of values */
    STIX_V_ENUMS,      /* non-empty list of strings, each one of values */
    STIX_V_OBJ,        /* JSON object */
    STIX_V_DICT,       /* non-empty JSON object (§2.3) */
    STIX_V_LIST,       /* non-empty list, items not checked (§2.12) */
    STIX_V_HASHES,     /* hashes (§2.7) */
    STIX_V_BIN,        /* base64 string (§2.1) */
    STIX_V_KCP,        /* list of kill-chain-phase (§2.11) */
    STIX_V_EXTREFS,    /* list of external-reference (§2.5) */
    STIX_V_GRANULAR,   /* list of granular-marking (§7.2.3) */
    STIX_V_EXTENSIONS, /* extensions dictionary (§3.2) */
};

enum stix_vflags {
    STIX_VF_REQ = 1 << 0, /* required */
};

/* Which objects a reference may point to. */
struct stix_vref {
    unsigned kinds;             /* STIX_VBIT() of allowed kinds */
    const char *const *types;   /* or exactly one of these types (NULL-terminated), may be NULL */
    const char *const *exclude; /* never these types, may be NULL */
    const char *what;           /* for messages: "an identity" */
};

struct stix_vprop {
    const char *name; /* NULL ends a list */
    enum stix_vtype type;
    unsigned flags;              /* enum stix_vflags */
    double min, max;             /* STIX_V_INT, STIX_V_NUM: inclusive range */
    const struct stix_vref *ref; /* STIX_V_REF(S): NULL = any type */
    const char *const *values;   /* STIX_V_ENUM(S): NULL-terminated */
};

/* Which of created/modified a type carries (§3.2 table). */
enum stix_vtimes {
    STIX_VT_BOTH,     /* SDO, SRO, language-content, extension-definition */
    STIX_VT_CREATED,  /* marking-definition: created only, never versioned */
    STIX_VT_NONE,     /* SCO */
    STIX_VT_OPTIONAL, /* custom: checked when present */
};

/* What an absent spec_version means (§3.2). */
enum stix_vspec {
    STIX_VS_DEFAULT_20, /* SDO, SRO, marking-definition: absent = STIX 2.0 */
    STIX_VS_REQUIRED,   /* language-content, extension-definition (new in 2.1) */
    STIX_VS_SCO,        /* optional, and "2.1" when present */
    STIX_VS_CUSTOM,     /* absent = 2.0 when it has 'created', else 2.1 */
};

struct stix_vtype_def {
    const char *name;
    enum stix_kind kind;
    enum stix_vtimes times;
    enum stix_vspec spec;
    bool needs_one;                  /* at least one own property or extensions (SCOs) */
    const struct stix_vprop *common; /* common properties of this family */
    const struct stix_vprop *props;  /* type-specific properties */
    int (*check)(json_t *obj, struct error *err); /* cross-property rules, or NULL */
};

/* validate_types.c */

/* Definition of type[0..len), or NULL for a custom (or bundle) type. */
const struct stix_vtype_def *stix_vtype_lookup(const char *type, size_t len);

/* Definition used for custom types. */
const struct stix_vtype_def *stix_vtype_custom(void);

/* Kind of type[0..len), STIX_VK_BUNDLE for "bundle". */
int stix_vkind(const char *type, size_t len);

/* An indicator's STIX pattern (pattern_type "stix" or absent) must parse (pattern.h). */
int stix_vpattern_check(json_t *obj, struct error *err);

/* validate_props.c */

/*
 * Record ERR_INVALID at path with a formatted message; returns ERR_INVALID.
 * Formats nothing when err is NULL or already holds an error.
 */
int stix_vfail(struct error *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "'<path>' must be <what>" at path, path[idx] or path[idx].sub (idx < 0: none). */
int stix_vfail_shape(struct error *err, const char *path, long idx, const char *sub,
                     const char *what);

/* "missing required property '<name>'" at name (path NULL) or path[idx].name. */
int stix_vfail_missing(struct error *err, const char *path, long idx, const char *name);

/* A timestamp string (§2.16) at path[idx]. */
int stix_vts_check(json_t *v, const char *path, long idx, struct error *err);

/* The §3.1 suffix rules (*_ref, *_refs, *_bin, *_hex, *_enc) on every top-level property. */
int stix_vsuffixes_check(json_t *obj, struct error *err);

/* Check every entry of props against obj: presence, shape, range, targets. */
int stix_vprops_check(json_t *obj, const struct stix_vprop *props, struct error *err);

/*
 * If both timestamps are present, require late >= early (or late > early
 * when strict).  Both must already have passed stix_vprops_check.
 */
int stix_vorder(json_t *obj, const char *early, const char *late, bool strict, struct error *err);

/* Shorthand for json_object_get(obj, name) != NULL. */
static inline bool stix_vhas(json_t *obj, const char *name)
{
    return json_object_get(obj, name) != NULL;
}

/* True if the string value of obj[name] equals s. */
bool stix_vstr_is(json_t *obj, const char *name, const char *s);

#endif
