/*
 * `concord audit -D DIR [filters] [--json]`: the node's audit log, for node
 * admins (whoever can read the data directory).  One line per entry:
 * time, action, HTTP status, user, organisation, client, resource, object,
 * detail.  Entries hold ids and counts, never object contents.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stix/timestamp.h"
#include "store/audit.h"
#include "util/banned.h"

static const char audit_help[] =
    "usage: concord audit -D DIR [--user USER] [--org ORG] [--action ACTION] [--object ID]\n"
    "                     [--since TIMESTAMP] [--limit N] [--json]\n"
    "  ACTION: read, write, delete, denied.  Oldest first.\n";

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static int print_text(void *ctx, const struct audit_entry *e)
{
    char ts[STIX_TS_MAX];
    stix_ts_format_us(e->time_us, ts);
    printf("%s %-6s %3d %-16s %-12s %-15s %s %s %s\n", ts, e->action, e->status, or_dash(e->user),
           or_dash(e->org), or_dash(e->peer), or_dash(e->resource), or_dash(e->object),
           or_dash(e->detail));
    return 0;
}

static int print_json(void *ctx, const struct audit_entry *e)
{
    char ts[STIX_TS_MAX];
    stix_ts_format_us(e->time_us, ts);
    json_t *o = json_pack("{s:s, s:s, s:i}", "time", ts, "action", e->action, "status", e->status);
    const char *keys[] = {"user", "org", "peer", "resource", "object", "detail"};
    const char *vals[] = {e->user, e->org, e->peer, e->resource, e->object, e->detail};
    for (int i = 0; i < 6; i++)
        if (vals[i])
            json_object_set_new(o, keys[i], json_string(vals[i]));
    char *line = json_dumps(o, JSON_COMPACT);
    puts(line);
    free(line);
    json_decref(o);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", 1, NULL, 'D'},   {"user", 1, NULL, 'u'},  {"org", 1, NULL, 'o'},
        {"action", 1, NULL, 'a'}, {"object", 1, NULL, 'O'}, {"since", 1, NULL, 's'},
        {"limit", 1, NULL, 'l'},  {"json", 0, NULL, 'j'},  {"help", 0, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct audit_filter f = {NULL, NULL, NULL, NULL, -1, 0};
    const char *dir = NULL;
    bool json = false;
    int c;
    int64_t ns;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'u': f.user = optarg; break;
        case 'o': f.org = optarg; break;
        case 'a': f.action = optarg; break;
        case 'O': f.object = optarg; break;
        case 'j': json = true; break;
        case 'l': f.limit = strtol(optarg, NULL, 10); break;
        case 's':
            if (stix_ts_parse(optarg, strlen(optarg), &ns, NULL)) {
                fprintf(stderr, "concord: audit: bad --since timestamp '%s'\n", optarg);
                return CLI_USAGE;
            }
            f.since_us = ns / 1000;
            break;
        case 'h': printf("%s", audit_help); return CLI_OK;
        default: fprintf(stderr, "%s", audit_help); return CLI_USAGE;
        }
    }
    if (optind != argc || f.limit < 0) {
        fprintf(stderr, "%s", audit_help);
        return CLI_USAGE;
    }
    if (!(dir = cli_data_dir(dir)))
        return CLI_USAGE;
    char path[PATH_MAX];
    cli_path(path, dir, "audit.db");
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "concord: no audit log in '%s' yet (it starts with 'concord serve')\n", dir);
        return CLI_FAIL;
    }
    struct error err;
    error_clear(&err);
    if (audit_query(path, &f, json ? print_json : print_text, NULL, &err)) {
        fprintf(stderr, "concord: %s\n", err.msg);
        return CLI_FAIL;
    }
    return CLI_OK;
}
