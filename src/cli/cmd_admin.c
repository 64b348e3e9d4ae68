/*
 * Administration subcommands: org, user, token, collection (add / list,
 * token revoke).  Each opens the store, does one thing, prints the result
 * on stdout and errors on stderr.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "stix/id.h"
#include "util/banned.h"

static const char *role_names[] = {"reader", "member", "admin"};

static int fail(struct store *s, const struct error *err)
{
    fprintf(stderr, "concord: %s\n", err->msg);
    store_close(s);
    return CLI_FAIL;
}

static int usage(const char *text)
{
    fprintf(stderr, "%s", text);
    return CLI_USAGE;
}

/* ---- org ---- */

static const char org_help[] =
    "usage: concord org add -D DIR NAME [--country CC] [--role ROLE] [--name FULL_NAME]\n"
    "                        [--identity identity--UUID]   (another node's organisation)\n"
    "       concord org list -D DIR\n"
    "  ROLE: national-cert, defence, law-enforcement, regulator, sector-operator, hub\n";

static int print_org(void *ctx, const struct store_org *o)
{
    printf("%-20s %-3s %-16s %s\n", o->name, o->country[0] ? o->country : "-",
           o->role[0] ? o->role : "-", o->identity_id);
    return 0;
}

int cmd_org(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"country", required_argument, NULL, 'c'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"identity", required_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *country = NULL, *role = NULL, *full = NULL, *identity = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'c': country = optarg; break;
        case 'r': role = optarg; break;
        case 'n': full = optarg; break;
        case 'i': identity = optarg; break;
        case 'h': printf("%s", org_help); return CLI_OK;
        default: return usage(org_help);
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    bool add = n == 2 && strcmp(args[0], "add") == 0, list = n == 1 && !strcmp(args[0], "list");
    if (!add && !list)
        return usage(org_help);
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    if (list) {
        store_org_list(s, print_org, NULL);
        store_close(s);
        return CLI_OK;
    }
    struct error err;
    error_clear(&err);
    struct store_org o;
    if (cli_org_create_id(s, args[1], identity, country, role, full, &o, &err))
        return fail(s, &err);
    printf("%s\n", o.identity_id);
    store_close(s);
    return CLI_OK;
}

/* ---- user ---- */

static const char user_help[] =
    "usage: concord user add -D DIR USER --org NAME [--admin | --reader]   (password on stdin)\n"
    "       concord user list -D DIR\n";

static int print_user(void *ctx, const struct store_user *u)
{
    printf("%-24s %-20s %s\n", u->name, u->org_name, role_names[u->role]);
    return 0;
}

static int user_add(struct store *s, const char *name, const char *org, int role)
{
    struct error err;
    error_clear(&err);
    char pw[512];
    if (cli_read_secret(pw, sizeof(pw)) != 0) {
        fprintf(stderr, "concord: no password on standard input\n");
        store_close(s);
        return CLI_FAIL;
    }
    int r = cli_user_create(s, name, org, role, pw, &err);
    memset(pw, 0, sizeof(pw));
    if (r)
        return fail(s, &err);
    printf("user '%s' added to '%s' as %s\n", name, org, role_names[role]);
    store_close(s);
    return CLI_OK;
}

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"admin", no_argument, NULL, 'a'},
                                         {"reader", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *org = NULL;
    int role = STORE_ROLE_MEMBER, c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'o': org = optarg; break;
        case 'a': role = STORE_ROLE_ADMIN; break;
        case 'r': role = STORE_ROLE_READER; break;
        case 'h': printf("%s", user_help); return CLI_OK;
        default: return usage(user_help);
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    bool add = n == 2 && !strcmp(args[0], "add"), list = n == 1 && !strcmp(args[0], "list");
    if ((!add && !list) || (add && !org))
        return usage(user_help);
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    if (add)
        return user_add(s, args[1], org, role);
    store_user_list(s, print_user, NULL);
    store_close(s);
    return CLI_OK;
}

/* ---- token ---- */

static const char token_help[] =
    "usage: concord token create -D DIR USER      (prints the token once)\n"
    "       concord token revoke -D DIR TOKEN_PREFIX|ID\n"
    "       concord token list -D DIR\n";

static int print_token(void *ctx, const struct store_token *t)
{
    printf("%-6lld %-16s %-24s %s\n", (long long)t->id, t->prefix, t->user_name,
           t->revoked ? "revoked" : "active");
    return 0;
}

static int token_create(struct store *s, const char *user)
{
    struct store_user u;
    if (store_user_get(s, user, &u) != 0) {
        fprintf(stderr, "concord: no user '%s'\n", user);
        store_close(s);
        return CLI_FAIL;
    }
    char tok[AUTH_TOKEN_MAX], prefix[16];
    unsigned char hash[32];
    auth_token_new(tok, hash, prefix);
    int r = store_token_add(s, u.id, prefix, hash, NULL);
    store_close(s);
    if (r) {
        fprintf(stderr, "concord: cannot store the token\n");
        return CLI_FAIL;
    }
    printf("%s\n", tok);
    return CLI_OK;
}

int cmd_token(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        if (c == 'D')
            dir = optarg;
        else if (c == 'h')
            return printf("%s", token_help), CLI_OK;
        else
            return usage(token_help);
    }
    int n = argc - optind;
    char **args = argv + optind;
    if (!(n == 2 && (!strcmp(args[0], "create") || !strcmp(args[0], "revoke"))) &&
        !(n == 1 && !strcmp(args[0], "list")))
        return usage(token_help);
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    if (!strcmp(args[0], "create"))
        return token_create(s, args[1]);
    if (!strcmp(args[0], "list")) {
        store_token_list(s, print_token, NULL);
        store_close(s);
        return CLI_OK;
    }
    int count = 0;
    int r = store_token_revoke(s, args[1], &count);
    store_close(s);
    if (r || count == 0) {
        fprintf(stderr, "concord: no active token '%s'\n", args[1]);
        return CLI_FAIL;
    }
    printf("revoked %d token%s\n", count, count == 1 ? "" : "s");
    return CLI_OK;
}

/* ---- collection ---- */

static const char coll_help[] =
    "usage: concord collection add -D DIR TITLE [--read ORG,...] [--write ORG,...]\n"
    "                              [--alias ALIAS] [--description TEXT]   (prints its id)\n"
    "       concord collection list -D DIR\n"
    "  --read/--write: organisations allowed ('*' = all; default: all may read and write)\n";

/* Turn "sg-cert,my-cert" into ",3,7," (org ids); "*" (or NULL) stays "*". */
int cli_org_list(struct store *s, const char *names, char *out, size_t n, struct error *err)
{
    if (!names || strcmp(names, "*") == 0)
        return snprintf(out, n, "*"), 0;
    size_t len = (size_t)snprintf(out, n, ",");
    const char *p = names;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        char name[LIMIT_NAME];
        snprintf(name, sizeof(name), "%.*s", (int)k, p);
        struct store_org o;
        if (store_org_get(s, name, &o) != 0)
            return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", name);
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%lld,", (long long)o.id);
        if (len >= n)
            return error_set(err, ERR_TOO_LARGE, "too many organisations");
        p += k + (e ? 1 : 0);
    }
    return 0;
}

static int print_coll(void *ctx, const struct store_coll *c)
{
    printf("%s  %-20s %-14s read=%s write=%s\n", c->id, c->title, c->alias[0] ? c->alias : "-",
           c->read_orgs, c->write_orgs);
    return 0;
}

int cli_collection_create(struct store *s, const char *title, const char *alias,
                          const char *desc, const char *readers, const char *writers,
                          struct store_coll *out, struct error *err)
{
    struct store_coll c;
    memset(&c, 0, sizeof(c));
    if (!*title || strlen(title) >= sizeof(c.title))
        return error_set(err, ERR_INVALID, "bad collection title");
    stix_uuid4(c.id);
    snprintf(c.title, sizeof(c.title), "%s", title);
    snprintf(c.alias, sizeof(c.alias), "%s", alias ? alias : "");
    snprintf(c.description, sizeof(c.description), "%s", desc ? desc : "");
    int r = cli_org_list(s, readers, c.read_orgs, sizeof(c.read_orgs), err);
    if (!r)
        r = cli_org_list(s, writers, c.write_orgs, sizeof(c.write_orgs), err);
    if (!r)
        r = store_coll_add(s, &c, err);
    if (!r && out)
        *out = c;
    return r;
}

int cmd_collection(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"read", required_argument, NULL, 'r'},
                                         {"write", required_argument, NULL, 'w'},
                                         {"alias", required_argument, NULL, 'a'},
                                         {"description", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *rd = NULL, *wr = NULL, *alias = NULL, *desc = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'r': rd = optarg; break;
        case 'w': wr = optarg; break;
        case 'a': alias = optarg; break;
        case 'd': desc = optarg; break;
        case 'h': printf("%s", coll_help); return CLI_OK;
        default: return usage(coll_help);
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    bool add = n == 2 && !strcmp(args[0], "add"), list = n == 1 && !strcmp(args[0], "list");
    if (!add && !list)
        return usage(coll_help);
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    if (list) {
        store_coll_list(s, print_coll, NULL);
        store_close(s);
        return CLI_OK;
    }
    struct error err;
    error_clear(&err);
    struct store_coll col;
    if (cli_collection_create(s, args[1], alias, desc, rd, wr, &col, &err))
        return fail(s, &err);
    printf("%s\n", col.id);
    store_close(s);
    return CLI_OK;
}
