/*
 * Redaction: the copy of an object a reader gets without what granular
 * markings hide from it (STIX 2.1 §7.2.3), and without the recipient lists
 * of a sharing group it did not create.
 *
 * Selectors are paths rooted at the object: property names and dictionary
 * keys joined by '.', list indexes as "[n]".  List elements are first
 * replaced by a sentinel and removed at the end, so removing "labels.[0]"
 * does not shift what "labels.[1]" means.  Granular-marking entries whose
 * content was removed go too, and the selectors of those kept are
 * renumbered past the removed list elements ("labels.[1]" becomes
 * "labels.[0]"), so the redacted object still refers only to content that
 * exists, and to the same content.
 */
#include "share/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define MAX_GROUPS 16

bool share_marking_allows(const struct share_policy *p, const struct share_reader *r,
                          const char *marking_id, const char *creator,
                          const struct share_marking **groups, size_t ng);
bool share_object_groups(const struct share_policy *p, json_t *obj,
                         const struct share_marking **groups, size_t *ng);

/* Parse "[n]" into n; -1 when seg is not an index. */
static long seg_index(const char *seg, size_t n)
{
    if (n < 3 || seg[0] != '[' || seg[n - 1] != ']')
        return -1;
    long v = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (seg[i] < '0' || seg[i] > '9' || v > 100000000)
            return -1;
        v = v * 10 + (seg[i] - '0');
    }
    return v;
}

/* Step from cur along one segment; NULL when it does not exist. */
static json_t *step(json_t *cur, const char *seg, size_t n)
{
    long idx = seg_index(seg, n);
    if (idx >= 0)
        return json_is_array(cur) ? json_array_get(cur, (size_t)idx) : NULL;
    /* keys of any length: the validator accepts dictionary keys longer than property names */
    return json_is_object(cur) ? json_object_getn(cur, seg, n) : NULL;
}

/* Remove what selector sel points at; list elements become the sentinel. */
static void remove_selected(json_t *obj, const char *sel, json_t *sentinel)
{
    json_t *cur = obj;
    const char *s = sel;
    while (cur) {
        const char *e = strchr(s, '.');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (!e) {
            long idx = seg_index(s, n);
            if (idx >= 0 && json_is_array(cur) && (size_t)idx < json_array_size(cur))
                json_array_set(cur, (size_t)idx, sentinel);
            else if (idx < 0 && json_is_object(cur))
                json_object_deln(cur, s, n);
            return;
        }
        cur = step(cur, s, n);
        s = e + 1;
    }
}

static bool selector_exists(json_t *obj, const char *sel, json_t *sentinel)
{
    json_t *cur = obj;
    const char *s = sel;
    while (cur && cur != sentinel) {
        const char *e = strchr(s, '.');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        cur = step(cur, s, n);
        if (!e)
            return cur && cur != sentinel;
        s = e + 1;
    }
    return false;
}

static void drop_sentinels(json_t *v, json_t *sentinel)
{
    if (json_is_array(v)) {
        for (size_t i = json_array_size(v); i-- > 0;) {
            if (json_array_get(v, i) == sentinel)
                json_array_remove(v, i);
            else
                drop_sentinels(json_array_get(v, i), sentinel);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) drop_sentinels(x, sentinel);
    }
}

/*
 * sel with every list index lowered by the removed elements (sentinels)
 * before it, so it still selects the same content once they are dropped;
 * NULL on failure (the caller keeps the selector as it was).  Indexes only
 * get smaller, so the result is never longer than sel, however long that is.
 */
static json_t *renumbered(json_t *obj, const char *sel, json_t *sentinel)
{
    size_t cap = strlen(sel) + 1, len = 0;
    char *out = malloc(cap);
    json_t *cur = obj, *res = NULL;
    for (const char *s = sel; out;) {
        const char *e = strchr(s, '.');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        long idx = seg_index(s, n), shift = 0;
        for (long k = 0; idx > 0 && json_is_array(cur) && k < idx; k++)
            shift += json_array_get(cur, (size_t)k) == sentinel;
        int w = idx >= 0 ? snprintf(out + len, cap - len, "%s[%ld]", len ? "." : "", idx - shift)
                         : snprintf(out + len, cap - len, "%s%.*s", len ? "." : "", (int)n, s);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
        cur = step(cur, s, n);
        if (!e) {
            res = json_string(out);
            break;
        }
        s = e + 1;
    }
    free(out);
    return res;
}

/*
 * The selectors of an entry that still select something, renumbered; NULL
 * when none is left.  An entry keeps marking what remains of its content:
 * dropping it because one of its selectors went would leave the rest
 * looking less restricted than it is.
 */
static json_t *kept_selectors(json_t *obj, json_t *gm, json_t *sentinel)
{
    json_t *out = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(gm, "selectors"), i, s) {
        const char *v = json_string_value(s);
        if (!v || !selector_exists(obj, v, sentinel))
            continue;
        json_t *r = renumbered(obj, v, sentinel);
        json_array_append_new(out, r ? r : json_incref(s));
    }
    if (json_array_size(out))
        return out;
    json_decref(out);
    return NULL;
}

static bool entry_allowed(const struct share_policy *p, const struct share_reader *r, json_t *obj,
                          json_t *gm, bool groups_ok, const struct share_marking **groups,
                          size_t ng)
{
    const char *ref = json_string_value(json_object_get(gm, "marking_ref"));
    /* language markings and allowed markings keep their content */
    const char *creator = json_string_value(json_object_get(obj, "created_by_ref"));
    return !ref || (groups_ok && share_marking_allows(p, r, ref, creator, groups, ng));
}

/*
 * Apply the granular markings; returns true when something was removed.
 * removed: content went already (a group's recipient lists), so entries
 * may point at nothing.
 */
static bool apply_granular(const struct share_policy *p, const struct share_reader *r,
                           json_t *obj, json_t *sentinel, bool removed)
{
    json_t *gms = json_object_get(obj, "granular_markings");
    const struct share_marking *groups[MAX_GROUPS];
    size_t ng = 0;
    bool groups_ok = share_object_groups(p, obj, groups, &ng);
    bool changed = false;
    size_t i;
    json_t *gm;
    json_array_foreach(gms, i, gm) {
        if (entry_allowed(p, r, obj, gm, groups_ok, groups, ng))
            continue;
        size_t k;
        json_t *sel;
        json_array_foreach(json_object_get(gm, "selectors"), k, sel) {
            if (json_is_string(sel))
                remove_selected(obj, json_string_value(sel), sentinel);
        }
        changed = true;
    }
    if (!changed && !removed)
        return false;
    json_t *kept = json_array();
    json_array_foreach(json_object_get(obj, "granular_markings"), i, gm) {
        json_t *sels = entry_allowed(p, r, obj, gm, groups_ok, groups, ng)
                           ? kept_selectors(obj, gm, sentinel)
                           : NULL;
        if (sels) {
            json_object_set_new(gm, "selectors", sels);
            json_array_append(kept, gm);
        }
    }
    if (json_array_size(kept))
        json_object_set_new(obj, "granular_markings", kept);
    else {
        json_decref(kept);
        json_object_del(obj, "granular_markings");
    }
    drop_sentinels(obj, sentinel);
    return true;
}

/* A sharing group's recipients are visible only to the organisation that made it. */
static bool hide_recipients(json_t *obj)
{
    json_t *ext = json_object_get(json_object_get(obj, "extensions"), SHARE_GROUP_EXTENSION);
    if (!json_is_object(ext))
        return false;
    bool had = json_object_get(ext, "organizations") || json_object_get(ext, "communities");
    json_object_del(ext, "organizations");
    json_object_del(ext, "communities");
    return had;
}

static bool is_creator(const struct share_reader *r, json_t *obj)
{
    const char *c = json_string_value(json_object_get(obj, "created_by_ref"));
    return c && r->identity && strcmp(c, r->identity) == 0;
}

bool share_needs_redact(const struct share_reader *r, const struct share_marks *m,
                        const char *type)
{
    if (r->everything || share_is_owner(r, m))
        return false;
    return m->granular || (type && strcmp(type, "marking-definition") == 0);
}

bool share_redact(const struct share_policy *p, const struct share_reader *r, json_t *obj)
{
    /* the origin case is decided by share_needs_redact, which callers ask first */
    if (r->everything || is_creator(r, obj))
        return false;
    bool changed = false;
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (type && strcmp(type, "marking-definition") == 0)
        changed = hide_recipients(obj);
    if (json_array_size(json_object_get(obj, "granular_markings"))) {
        json_t *sentinel = json_object();
        changed |= apply_granular(p, r, obj, sentinel, changed);
        json_decref(sentinel);
    }
    return changed;
}
