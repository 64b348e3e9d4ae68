/*
 * `concord community` (named sets of organisations, by country and/or by
 * organisation) and `concord group` (a sharing-group marking-definition,
 * Concord's STIX extension naming recipient organisations and
 * communities; objects reference it in object_marking_refs).
 *
 * Presets installed by `concord init` (cli_community_presets):
 *   asean      the ten ASEAN member states
 *   admm-plus  ASEAN + Australia, China, India, Japan, New Zealand,
 *              Republic of Korea, Russia, United States
 *   eas        the eighteen East Asia Summit participants (the same states)
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share.h"
#include "stix/id.h"
#include "stix/timestamp.h"
#include "util/banned.h"

#define ASEAN ",BN,KH,ID,LA,MY,MM,PH,SG,TH,VN,"
#define PLUS8 "AU,CN,IN,JP,NZ,KR,RU,US,"

static const struct store_community presets[] = {
    {0, "asean", "ASEAN member states", ASEAN, ""},
    {0, "admm-plus", "ADMM-Plus: ASEAN and eight dialogue partners", ASEAN PLUS8, ""},
    {0, "eas", "East Asia Summit participating states", ASEAN PLUS8, ""},
};

int cli_community_presets(struct store *s, struct error *err)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        int r = store_community_put(s, &presets[i], err);
        if (r)
            return r;
    }
    return 0;
}

static const char community_help[] =
    "usage: concord community list -D DIR\n"
    "       concord community add -D DIR NAME [--title TEXT] [--country CC,...] [--org ORG,...]\n"
    "       concord community remove -D DIR NAME\n"
    "  A community is a named set of organisations: those whose country is listed\n"
    "  and those named.  'add' on an existing community replaces its definition.\n"
    "  Presets: asean, admm-plus, eas.\n";

static int print_community(void *ctx, const struct store_community *c)
{
    printf("%-12s countries=%s orgs=%s  %s\n", c->name, c->countries[0] ? c->countries : "-",
           c->orgs[0] ? c->orgs : "-", c->title);
    return 0;
}

/* "sg, my" -> ",SG,MY,"; returns -1 on a bad code. */
static int country_list(const char *in, char *out, size_t n)
{
    size_t len = (size_t)snprintf(out, n, ",");
    for (const char *p = in; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char a = p[0] & ~0x20, b = p[1] & ~0x20;
        if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z' || (p[2] && p[2] != ',' && p[2] != ' '))
            return -1;
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%c%c,", a, b);
        p += 2;
    }
    if (len >= n)
        return -1;
    if (len == 1)
        out[0] = '\0';
    return 0;
}

/* Organisation names -> ",3,7,"; none -> "". */
static int org_ids(struct store *s, const char *in, char *out, size_t n, struct error *err)
{
    if (!in || !*in) {
        out[0] = '\0';
        return 0;
    }
    int r = cli_org_list(s, in, out, n, err);
    if (!r && strcmp(out, ",") == 0)
        out[0] = '\0';
    return r;
}

static int community_add(struct store *s, const char *name, const char *title,
                         const char *countries, const char *orgs, struct error *err)
{
    struct store_community c;
    memset(&c, 0, sizeof(c));
    if (!*name || strlen(name) >= sizeof(c.name) || strchr(name, ','))
        return error_set(err, ERR_INVALID, "bad community name '%s'", name);
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.title, sizeof(c.title), "%s", title ? title : name);
    if (country_list(countries, c.countries, sizeof(c.countries)))
        return error_set(err, ERR_INVALID, "bad country list '%s' (ISO codes like SG,MY)",
                         countries);
    int r = org_ids(s, orgs, c.orgs, sizeof(c.orgs), err);
    return r ? r : store_community_put(s, &c, err);
}

int cmd_community(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"title", required_argument, NULL, 't'},
                                         {"country", required_argument, NULL, 'c'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *title = NULL, *countries = NULL, *orgs = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 't': title = optarg; break;
        case 'c': countries = optarg; break;
        case 'o': orgs = optarg; break;
        case 'h': printf("%s", community_help); return CLI_OK;
        default: fprintf(stderr, "%s", community_help); return CLI_USAGE;
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    bool list = n == 1 && !strcmp(args[0], "list");
    bool add = n == 2 && !strcmp(args[0], "add"), rm = n == 2 && !strcmp(args[0], "remove");
    if (!list && !add && !rm) {
        fprintf(stderr, "%s", community_help);
        return CLI_USAGE;
    }
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    struct error err;
    error_clear(&err);
    int r = 0;
    if (list)
        store_community_list(s, print_community, NULL);
    else if (add)
        r = community_add(s, args[1], title, countries, orgs, &err);
    else if ((r = store_community_delete(s, args[1])))
        error_set(&err, r, "no community '%s'", args[1]);
    store_close(s);
    if (r) {
        fprintf(stderr, "concord: %s\n", err.msg);
        return CLI_FAIL;
    }
    if (!list)
        printf("community '%s' %s\n", args[1], add ? "saved" : "removed");
    return CLI_OK;
}

/* ---- sharing groups ---- */

static const char group_help[] =
    "usage: concord group add -D DIR NAME --creator ORG [--org ORG,...] [--community NAME,...]\n"
    "                         [--collection ID]\n"
    "  Creates a sharing-group marking-definition (Concord's STIX extension) in the\n"
    "  collection (default: directory) and prints its id.  Objects that list it in\n"
    "  object_marking_refs reach only those organisations and community members.\n";

static json_t *name_list(const char *csv, struct store *s, bool orgs, struct error *err)
{
    json_t *a = json_array();
    for (const char *p = csv; p && *p;) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        char name[LIMIT_NAME];
        snprintf(name, sizeof(name), "%.*s", (int)k, p);
        struct store_org o;
        struct store_community c;
        if (orgs && store_org_get(s, name, &o) == 0)
            json_array_append_new(a, json_string(o.identity_id));
        else if (!orgs && store_community_get(s, name, &c) == 0)
            json_array_append_new(a, json_string(c.name));
        else {
            error_set(err, ERR_NOT_FOUND, "no %s '%s'", orgs ? "organisation" : "community", name);
            json_decref(a);
            return NULL;
        }
        p += k + (e ? 1 : 0);
    }
    return a;
}

static int group_add(struct store *s, const char *name, const char *creator, const char *orgs,
                     const char *comms, const char *coll, char id[128], struct error *err)
{
    struct store_org co;
    struct store_coll col;
    if (store_org_get(s, creator, &co) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", creator);
    if (store_coll_get(s, coll ? coll : "directory", &col) != 0)
        return error_set(err, ERR_NOT_FOUND, "no collection '%s'", coll ? coll : "directory");
    json_t *o = name_list(orgs, s, true, err), *c = o ? name_list(comms, s, false, err) : NULL;
    if (!o || !c) {
        json_decref(o);
        return ERR_NOT_FOUND;
    }
    char uuid[STIX_UUID_LEN + 1], now[STIX_TS_MAX];
    stix_uuid4(uuid);
    snprintf(id, 128, "marking-definition--%s", uuid);
    stix_ts_format_us(stix_now_us() / 1000 * 1000, now);
    now[23] = 'Z';
    now[24] = '\0';
    json_t *ext = json_pack("{s:s}", "extension_type", "property-extension");
    if (json_array_size(o))
        json_object_set(ext, "organizations", o);
    if (json_array_size(c))
        json_object_set(ext, "communities", c);
    json_decref(o);
    json_decref(c);
    json_t *md = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:o}}", "type",
                           "marking-definition", "spec_version", "2.1", "id", id, "created", now,
                           "created_by_ref", co.identity_id, "name", name, "extensions",
                           SHARE_GROUP_EXTENSION, ext);
    json_t *env = json_pack("{s:[o]}", "objects", md);
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    int r = cli_store_objects(s, col.seq, text, strlen(text), err);
    free(text);
    return r;
}

int cmd_group(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"creator", required_argument, NULL, 'C'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"community", required_argument, NULL, 'c'},
                                         {"collection", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *creator = NULL, *orgs = NULL, *comms = NULL, *coll = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'C': creator = optarg; break;
        case 'o': orgs = optarg; break;
        case 'c': comms = optarg; break;
        case 'l': coll = optarg; break;
        case 'h': printf("%s", group_help); return CLI_OK;
        default: fprintf(stderr, "%s", group_help); return CLI_USAGE;
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "add") != 0 || !creator ||
        (!orgs && !comms)) {
        fprintf(stderr, "%s", group_help);
        return CLI_USAGE;
    }
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    struct error err;
    error_clear(&err);
    char id[128];
    int r = group_add(s, argv[optind + 1], creator, orgs, comms, coll, id, &err);
    store_close(s);
    if (r) {
        fprintf(stderr, "concord: %s\n", err.msg);
        return CLI_FAIL;
    }
    printf("%s\n", id);
    return CLI_OK;
}
