/*
 * The sharing decision: may a reader see an object, and which of its
 * properties.  This is the ONE place where TLP 2.0 / 1.0 markings, the
 * creating organisation, communities, Concord sharing groups and granular
 * markings are interpreted; every read path (TAXII lists, object by id,
 * versions, manifest, export, later sync egress and match output) asks
 * share_may_read() and, for objects with granular markings, share_redact().
 *
 * The rule (docs/sharing.md has the table):
 *   - the creating organisation (created_by_ref = its identity) sees its objects,
 *     and so does the organisation that delivered the object to this node
 *     (its origin: it had the object already);
 *   - otherwise EVERY marking on the object must allow the reader:
 *       TLP:CLEAR / WHITE    anyone on the node;
 *       TLP:GREEN            the node's community (every registered organisation),
 *                            or, when the object names sharing groups, their members;
 *       TLP:AMBER(+STRICT)   members of a sharing group on the object;
 *       TLP:RED              organisations NAMED in a sharing group (not via a community);
 *       sharing group        its organisations and the members of its communities;
 *       other known markings (statements, PAP, ...)  no restriction;
 *       unknown markings     nobody (fail closed);
 *     a marking other than TLP counts only on objects created by the
 *     marking's own creator, and only if the marking was delivered by that
 *     creator (or imported by the node); otherwise it is unknown: it denies;
 *   - an object with no TLP marking is treated as the node's default (AMBER).
 *
 * Nothing here does I/O: marking definitions are resolved through a lookup
 * callback the caller provides (store-backed, cached).
 */
#ifndef CONCORD_SHARE_SHARE_H
#define CONCORD_SHARE_SHARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ordered from least to most restrictive; NONE = no TLP marking at all. */
enum share_tlp {
    SHARE_TLP_NONE = 0,
    SHARE_TLP_CLEAR = 1,
    SHARE_TLP_GREEN = 2,
    SHARE_TLP_AMBER = 3,
    SHARE_TLP_AMBER_STRICT = 4,
    SHARE_TLP_RED = 5
};

/* Concord's sharing-group marking extension (a property extension on marking-definition). */
#define SHARE_GROUP_EXTENSION "extension-definition--3c2f7f4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f"
/* The identity that authors Concord's extension definitions. */
#define SHARE_CONCORD_IDENTITY "identity--8f0c6b3a-1d2e-4f5a-9b7c-2e3d4f5a6b7c"

/* TLP level of a marking-definition id (TLP 2.0 and 1.0, by id only), NONE if not TLP. */
enum share_tlp share_tlp_of(const char *marking_id);
const char *share_tlp_name(enum share_tlp t);
/* The TLP 2.0 marking-definition id of level t; NULL for SHARE_TLP_NONE. */
const char *share_tlp_id(enum share_tlp t);

enum share_marking_kind {
    SHARE_MK_UNKNOWN = 0, /* not found: denies everyone but the creator */
    SHARE_MK_TLP,
    SHARE_MK_GROUP,       /* a Concord sharing group */
    SHARE_MK_OTHER        /* a known marking that does not restrict reading */
};

/* A resolved marking definition.  Strings are owned by whoever returned it. */
struct share_marking {
    enum share_marking_kind kind;
    enum share_tlp tlp;           /* for SHARE_MK_TLP */
    const char *creator;          /* created_by_ref of the marking-definition, may be NULL */
    const char **orgs;            /* SHARE_MK_GROUP: identity ids named */
    size_t n_orgs;
    const char **communities;     /* SHARE_MK_GROUP: community names */
    size_t n_communities;
};

/*
 * Parse a stored marking-definition into a share_marking.  Strings point
 * into obj (borrowed) and the two arrays are heap (share_marking_release).
 */
void share_marking_parse(json_t *obj, struct share_marking *out);
void share_marking_release(struct share_marking *m);

/* Who is reading. */
struct share_reader {
    int64_t org_id;               /* the reader's organisation (store id) */
    const char *identity;         /* the reader's organisation identity id */
    const char **communities;     /* names of the communities the organisation is in */
    size_t n_communities;
    bool everything;              /* the node itself (CLI export without --as): no filter */
};

/* Resolve a marking id (NULL or a SHARE_MK_UNKNOWN marking when not known). */
typedef const struct share_marking *(*share_lookup_fn)(void *ctx, const char *marking_id);

struct share_policy {
    share_lookup_fn lookup;
    void *ctx;
    enum share_tlp default_tlp;   /* for objects without a TLP marking (AMBER) */
};

/* What the store keeps per object version for the decision (see share_marks_of). */
struct share_marks {
    enum share_tlp tlp;           /* most restrictive TLP in object_marking_refs */
    const char *others;           /* other marking ids, comma-separated, or NULL */
    const char *created_by;       /* created_by_ref or NULL */
    int64_t origin_org;           /* organisation that delivered it (0: the node itself) */
    bool granular;                /* granular_markings present */
};

/*
 * Extract the marks of a parsed object.  *others_out is heap (caller
 * frees) or NULL.  Never fails: malformed markings were rejected earlier.
 */
void share_marks_of(json_t *obj, enum share_tlp *tlp, char **others_out, bool *granular);

/* May the reader see this object version at all? */
bool share_may_read(const struct share_policy *p, const struct share_reader *r,
                    const struct share_marks *m);

/*
 * Remove from obj what the reader may not see: properties selected by
 * granular markings that do not allow it (with those granular marking
 * entries), and, on a sharing-group marking-definition the reader did not
 * create, its recipient lists.  Returns true when obj was changed.
 */
bool share_redact(const struct share_policy *p, const struct share_reader *r, json_t *obj);

/* Is r the creator or the origin of the object (sees everything of it)? */
bool share_is_owner(const struct share_reader *r, const struct share_marks *m);

/* Does a redaction possibly apply to this object (so the body must be parsed)? */
bool share_needs_redact(const struct share_reader *r, const struct share_marks *m,
                        const char *type);

#endif
