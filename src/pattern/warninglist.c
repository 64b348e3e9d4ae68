/*
 * MISP warninglists: loading list files (one, or a directory of
 * <key>/list.json) and the lookup API (warninglist.h).  The compiled
 * structures and the matching live in warninglist_match.c.
 *
 * Per value kind the set keeps nothing extra: pat_wl_check walks the lists
 * in load order and skips those whose kind mask lacks the value's kind,
 * so only a handful of lists are consulted per value.
 */
#include "pattern/warninglist.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pattern/warninglist_int.h"
#include "util/xalloc.h"

#define K(kind) (1u << (kind))
#define KINDS_IP (K(PAT_V_IPV4) | K(PAT_V_IPV6))
#define KINDS_HASH (K(PAT_V_MD5) | K(PAT_V_SHA1) | K(PAT_V_SHA256) | K(PAT_V_SHA512))
#define KINDS_STRING                                                                               \
    (K(PAT_V_DOMAIN) | K(PAT_V_URL) | K(PAT_V_EMAIL) | KINDS_HASH | K(PAT_V_FILENAME))

static const char *const type_names[] = {
    [WL_CIDR] = "cidr",           [WL_STRING] = "string", [WL_HOSTNAME] = "hostname",
    [WL_SUBSTRING] = "substring", [WL_REGEX] = "regex",
};

/* MISP attribute types (describeTypes.json) -> value kinds. */
static const struct {
    const char *attr;
    unsigned kinds;
} attr_kinds[] = {
    {"ip-src", KINDS_IP},
    {"ip-dst", KINDS_IP},
    {"ip-src|port", KINDS_IP},
    {"ip-dst|port", KINDS_IP},
    {"domain|ip", KINDS_IP | K(PAT_V_DOMAIN)},
    {"domain", K(PAT_V_DOMAIN)},
    {"hostname", K(PAT_V_DOMAIN)},
    {"hostname|port", K(PAT_V_DOMAIN)},
    {"url", K(PAT_V_URL)},
    {"uri", K(PAT_V_URL)},
    {"link", K(PAT_V_URL)},
    {"email", K(PAT_V_EMAIL)},
    {"email-src", K(PAT_V_EMAIL)},
    {"email-dst", K(PAT_V_EMAIL)},
    {"target-email", K(PAT_V_EMAIL)},
    {"whois-registrant-email", K(PAT_V_EMAIL)},
    {"md5", K(PAT_V_MD5)},
    {"sha1", K(PAT_V_SHA1)},
    {"sha256", K(PAT_V_SHA256)},
    {"sha512", K(PAT_V_SHA512)},
    {"filename|md5", K(PAT_V_MD5)},
    {"filename|sha1", K(PAT_V_SHA1)},
    {"filename|sha256", K(PAT_V_SHA256)},
    {"filename|sha512", K(PAT_V_SHA512)},
    {"filename", K(PAT_V_FILENAME)},
};

/* Kinds a list applies to (see warninglist.h). */
static unsigned list_kinds(enum wl_type type, json_t *attrs)
{
    unsigned by_type = type == WL_CIDR ? KINDS_IP : KINDS_STRING, k = 0;
    size_t i;
    json_t *a;
    if (!json_is_array(attrs) || json_array_size(attrs) == 0)
        return by_type;
    json_array_foreach (attrs, i, a) {
        const char *s = json_string_value(a);
        for (size_t x = 0; s && x < sizeof(attr_kinds) / sizeof(attr_kinds[0]); x++)
            if (strcmp(s, attr_kinds[x].attr) == 0)
                k |= attr_kinds[x].kinds;
    }
    return k & by_type;
}

static int parse_type(const char *s, enum wl_type *out)
{
    for (size_t i = 0; s && i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *out = (enum wl_type)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

/* The key of a list file: its directory for ".../<key>/list.json", else its name less ".json". */
static char *list_key(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "list.json") == 0 && base > path + 1) {
        const char *end = base - 1, *start = end;
        while (start > path && start[-1] != '/')
            start--;
        return xstrndup(start, (size_t)(end - start));
    }
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    return xstrndup(base, n);
}

/* Load one list file into a new slot of set. */
static int load_file(struct pat_wl_set *set, const char *path, struct error *err)
{
    json_error_t jerr;
    enum wl_type type;
    int result = 0;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        result = error_set(err, ERR_INVALID, "cannot load warninglist '%s': %s", path, jerr.text);
        goto out;
    }
    json_t *list = json_object_get(root, "list");
    const char *name = json_string_value(json_object_get(root, "name"));
    if (!json_is_array(list) ||
        parse_type(json_string_value(json_object_get(root, "type")), &type)) {
        result =
            error_set(err, ERR_INVALID,
                      "cannot load warninglist '%s': no \"list\" array or unknown \"type\"", path);
        goto out;
    }
    set->lists = xrealloc(set->lists, (set->n + 1) * sizeof(*set->lists));
    struct wl_list *l = &set->lists[set->n++];
    memset(l, 0, sizeof(*l));
    atomic_init(&l->suppressed, 0);
    l->key = list_key(path);
    l->name = xstrdup(name ? name : l->key);
    l->type = type;
    l->kinds = list_kinds(type, json_object_get(root, "matching_attributes"));
    wl_compile(l, list);
out:
    json_decref(root);
    return result;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Paths of the lists in directory dir, sorted; *n of them. */
static char **dir_lists(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **paths = NULL;
    *n = 0;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "schema.json") == 0)
            continue;
        size_t len = strlen(dir) + strlen(de->d_name) + 16;
        char *p = xmalloc(len);
        struct stat st;
        snprintf(p, len, "%s/%s/list.json", dir, de->d_name);
        if (stat(p, &st) != 0) {
            size_t nl = strlen(de->d_name);
            snprintf(p, len, "%s/%s", dir, de->d_name);
            if (nl <= 5 || strcmp(de->d_name + nl - 5, ".json") != 0 || stat(p, &st) != 0 ||
                !S_ISREG(st.st_mode)) {
                free(p);
                continue;
            }
        }
        paths = xrealloc(paths, (*n + 1) * sizeof(*paths));
        paths[(*n)++] = p;
    }
    if (d)
        closedir(d);
    if (*n)
        qsort(paths, *n, sizeof(*paths), cmp_names);
    return paths;
}

int pat_wl_set_load(struct pat_wl_set **out, const char *path, struct error *err)
{
    struct pat_wl_set *set = xcalloc(1, sizeof(*set));
    struct stat st;
    char **paths = NULL;
    size_t n = 0;
    int result = 0;
    *out = NULL;
    if (stat(path, &st) != 0) {
        result = error_set(err, ERR_IO, "cannot read warninglists '%s'", path);
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        result = load_file(set, path, err);
        goto out;
    }
    paths = dir_lists(path, &n);
    if (n == 0) {
        result = error_set(err, ERR_NOT_FOUND, "no warninglists in '%s'", path);
        goto out;
    }
    for (size_t i = 0; i < n && result == 0; i++)
        result = load_file(set, paths[i], err);
out:
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    if (result) {
        pat_wl_set_free(set);
        return result;
    }
    *out = set;
    return 0;
}

void pat_wl_set_free(struct pat_wl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        wl_release(&set->lists[i]);
        free(set->lists[i].key);
        free(set->lists[i].name);
    }
    free(set->lists);
    free(set);
}

const char *pat_wl_check(const struct pat_wl_set *set, const struct pat_value *v)
{
    if (!set || (unsigned)v->kind >= PAT_V_KIND_COUNT)
        return NULL;
    for (size_t i = 0; i < set->n; i++) {
        struct wl_list *l = &set->lists[i];
        if (!(l->kinds & K(v->kind)) || !wl_match(l, v))
            continue;
        atomic_fetch_add_explicit(&l->suppressed, 1, memory_order_relaxed);
        return l->key;
    }
    return NULL;
}

size_t pat_wl_set_count(const struct pat_wl_set *set)
{
    return set ? set->n : 0;
}

int pat_wl_set_info(const struct pat_wl_set *set, size_t i, struct pat_wl_info *out)
{
    if (!set || i >= set->n)
        return ERR_NOT_FOUND;
    const struct wl_list *l = &set->lists[i];
    out->key = l->key;
    out->name = l->name;
    out->type = type_names[l->type];
    out->entries = l->entries;
    out->bad_entries = l->bad_entries;
    out->kinds = l->kinds;
    out->suppressed = atomic_load_explicit(&l->suppressed, memory_order_relaxed);
    return 0;
}
