/*
 * share_may_read: the one visibility decision (rules in share.h and
 * docs/sharing.md), and the extraction of what it needs from an object.
 * Markings other than TLP are resolved through the policy's lookup; an
 * unknown one denies (fail closed), so a sharing group whose definition
 * has not arrived yet hides the object instead of exposing it.
 */
#include "share/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_GROUPS 16 /* sharing groups on one object; more: fail closed */

void share_marks_of(json_t *obj, enum share_tlp *tlp, char **others_out, bool *granular)
{
    struct buf others;
    buf_init(&others, 64 * 1024);
    *tlp = SHARE_TLP_NONE;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, v) {
        const char *id = json_string_value(v);
        enum share_tlp t = share_tlp_of(id);
        if (t > *tlp)
            *tlp = t;
        else if (t == SHARE_TLP_NONE && id) {
            if (others.len)
                buf_putc(&others, ',');
            buf_puts(&others, id);
        }
    }
    /*
     * Marking and extension definitions are the vocabulary every reader
     * needs to interpret what it may see: unmarked, they are TLP:CLEAR
     * (recipient lists inside them are redacted, see redact.c).
     */
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (*tlp == SHARE_TLP_NONE && type &&
        (!strcmp(type, "marking-definition") || !strcmp(type, "extension-definition")))
        *tlp = SHARE_TLP_CLEAR;
    *granular = json_array_size(json_object_get(obj, "granular_markings")) > 0;
    *others_out = others.len && !buf_failed(&others) ? buf_take(&others, NULL) : NULL;
    buf_release(&others);
}

static bool listed(const char *needle, const char **list, size_t n)
{
    for (size_t i = 0; needle && i < n; i++)
        if (strcmp(needle, list[i]) == 0)
            return true;
    return false;
}

static bool in_group(const struct share_reader *r, const struct share_marking *g)
{
    if (listed(r->identity, g->orgs, g->n_orgs))
        return true;
    for (size_t i = 0; i < r->n_communities; i++)
        if (listed(r->communities[i], g->communities, g->n_communities))
            return true;
    return false;
}

/*
 * A marking other than TLP counts only on objects its own creator created:
 * the handling of an object is chosen by whoever created it, never by a
 * third party that defines (or first defines) a marking the object names.
 * A marking that does not apply denies, like an unknown one: otherwise a
 * statement posted under a pending sharing group's id would open the
 * object to everyone.
 */
static bool marking_applies(const struct share_marking *g, const char *object_creator)
{
    return g->creator && object_creator && strcmp(g->creator, object_creator) == 0;
}

/*
 * Resolve the non-TLP markings; returns false when one is unknown, is a
 * marking that does not apply (marking_applies), or there are too many
 * groups.  Fills groups[] with the sharing groups.
 */
static bool resolve(const struct share_policy *p, const char *others, const char *creator,
                    const struct share_marking **groups, size_t *ng)
{
    *ng = 0;
    for (const char *s = others; s && *s;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char id[160];
        if (n >= sizeof(id))
            return false;
        memcpy(id, s, n);
        id[n] = '\0';
        const struct share_marking *mk = p->lookup ? p->lookup(p->ctx, id) : NULL;
        if (!mk || mk->kind == SHARE_MK_UNKNOWN || !marking_applies(mk, creator))
            return false;
        if (mk->kind == SHARE_MK_GROUP) {
            if (*ng == MAX_GROUPS)
                return false;
            groups[(*ng)++] = mk;
        }
        s = e ? e + 1 : s + n;
    }
    return true;
}

/* Does TLP level t allow r, given the object's sharing groups (all of which r is in)? */
static bool tlp_allows(enum share_tlp t, const struct share_reader *r,
                       const struct share_marking **groups, size_t ng)
{
    switch (t) {
    case SHARE_TLP_CLEAR:
    case SHARE_TLP_GREEN:
        return true;
    case SHARE_TLP_AMBER:
    case SHARE_TLP_AMBER_STRICT:
        return ng > 0;
    case SHARE_TLP_RED:
        for (size_t i = 0; i < ng; i++)
            if (listed(r->identity, groups[i]->orgs, groups[i]->n_orgs))
                return true;
        return false;
    default:
        return false;
    }
}

bool share_is_owner(const struct share_reader *r, const struct share_marks *m)
{
    if (m->created_by && r->identity && strcmp(m->created_by, r->identity) == 0)
        return true;
    return m->origin_org != 0 && m->origin_org == r->org_id;
}

bool share_may_read(const struct share_policy *p, const struct share_reader *r,
                    const struct share_marks *m)
{
    if (r->everything || share_is_owner(r, m))
        return true;
    const struct share_marking *groups[MAX_GROUPS];
    size_t ng = 0;
    if (!resolve(p, m->others, m->created_by, groups, &ng))
        return false;
    for (size_t i = 0; i < ng; i++)
        if (!in_group(r, groups[i]))
            return false;
    return tlp_allows(m->tlp != SHARE_TLP_NONE ? m->tlp : p->default_tlp, r, groups, ng);
}

/*
 * Used by redact.c: does a single marking (by id) allow r on an object
 * created by creator, with these groups?
 */
bool share_marking_allows(const struct share_policy *p, const struct share_reader *r,
                          const char *marking_id, const char *creator,
                          const struct share_marking **groups, size_t ng)
{
    enum share_tlp t = share_tlp_of(marking_id);
    if (t != SHARE_TLP_NONE)
        return tlp_allows(t, r, groups, ng);
    const struct share_marking *mk = p->lookup ? p->lookup(p->ctx, marking_id) : NULL;
    if (!mk || mk->kind == SHARE_MK_UNKNOWN)
        return false;
    return marking_applies(mk, creator) && (mk->kind != SHARE_MK_GROUP || in_group(r, mk));
}

/* Used by redact.c: the object's sharing groups (false when unresolvable). */
bool share_object_groups(const struct share_policy *p, json_t *obj,
                         const struct share_marking **groups, size_t *ng)
{
    enum share_tlp t;
    char *others = NULL;
    bool gran;
    share_marks_of(obj, &t, &others, &gran);
    bool ok = resolve(p, others, json_string_value(json_object_get(obj, "created_by_ref")), groups,
                      ng);
    free(others);
    return ok;
}

static const char **string_list(json_t *arr, size_t *n)
{
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return NULL;
    const char **out = xcalloc(json_array_size(arr), sizeof(*out));
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (json_is_string(v))
            out[(*n)++] = json_string_value(v);
    }
    return out;
}

void share_marking_parse(json_t *obj, struct share_marking *out)
{
    memset(out, 0, sizeof(*out));
    const char *id = json_string_value(json_object_get(obj, "id"));
    out->creator = json_string_value(json_object_get(obj, "created_by_ref"));
    out->tlp = share_tlp_of(id);
    if (out->tlp != SHARE_TLP_NONE) {
        out->kind = SHARE_MK_TLP;
        return;
    }
    json_t *ext = json_object_get(json_object_get(obj, "extensions"), SHARE_GROUP_EXTENSION);
    if (!json_is_object(ext)) {
        out->kind = json_is_object(obj) ? SHARE_MK_OTHER : SHARE_MK_UNKNOWN;
        return;
    }
    out->kind = SHARE_MK_GROUP;
    out->orgs = string_list(json_object_get(ext, "organizations"), &out->n_orgs);
    out->communities = string_list(json_object_get(ext, "communities"), &out->n_communities);
}

void share_marking_release(struct share_marking *m)
{
    free(m->orgs);
    free(m->communities);
    memset(m, 0, sizeof(*m));
}
