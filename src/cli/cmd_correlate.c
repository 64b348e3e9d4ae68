/*
 * `concord correlate`: observable values that indicators of different
 * organisations name (store/corr.h).  One JSON object per value on stdout:
 *   {"path": "ipv4-addr:value", "value": "198.51.100.7",
 *    "organizations": ["identity--…", …], "indicators": ["indicator--…", …],
 *    "overflow": 0}
 * Only the latest, unrevoked version of each indicator counts.  With --as
 * ORG only indicators ORG may read take part (the sharing decision), so
 * the answer never tells ORG of an indicator it may not see.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/context.h"
#include "util/banned.h"

static const char correlate_help[] =
    "usage: concord correlate -D DIR [--min-orgs N] [--value VALUE] [--as ORG]\n"
    "  Observable values named with equality by indicators of at least N (default 2)\n"
    "  different organisations; one JSON object per value.\n"
    "  --value VALUE  only this value (e.g. an IP address or a hash)\n"
    "  --as ORG       only indicators ORG may read\n";

struct corr_run {
    struct share_ctx *share;
    int min_orgs;
    json_t *cur;          /* the value being gathered, or NULL */
    json_t *orgs;         /* distinct creators of cur (object used as a set) */
    size_t printed;
};

static void flush(struct corr_run *r)
{
    if (!r->cur)
        return;
    if ((int)json_object_size(r->orgs) >= r->min_orgs) {
        json_t *list = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(r->orgs, k, v) json_array_append_new(list, json_string(k));
        json_object_set_new(r->cur, "organizations", list);
        char *text = json_dumps(r->cur, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text)
            printf("%s\n", text);
        free(text);
        r->printed++;
    }
    json_decref(r->cur);
    json_decref(r->orgs);
    r->cur = r->orgs = NULL;
}

static bool same_value(json_t *cur, const struct store_corr_row *row)
{
    return cur && !strcmp(json_string_value(json_object_get(cur, "path")), row->path) &&
           !strcmp(json_string_value(json_object_get(cur, "value")), row->value);
}

static int one_row(void *p, const struct store_corr_row *row)
{
    struct corr_run *r = p;
    if (!same_value(r->cur, row)) {
        flush(r);
        r->cur = json_pack("{s:s, s:s, s:[], s:I}", "path", row->path, "value", row->value,
                           "indicators", "overflow", (json_int_t)row->overflow);
        r->orgs = json_object();
        json_object_set_new(r->cur, "organizations", json_null()); /* keeps the key order */
    }
    if (!share_ctx_may_read(r->share, &row->obj))
        return 0;
    char origin[40];
    snprintf(origin, sizeof(origin), "origin:%lld", (long long)row->obj.origin_org);
    json_object_set_new(r->orgs, row->obj.created_by ? row->obj.created_by : origin,
                        json_true());
    json_array_append_new(json_object_get(r->cur, "indicators"), json_string(row->obj.id));
    return 0;
}

static int parse_opts(int argc, char **argv, const char **dir, struct store_corr_query *q,
                      const char **as)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'},     {"min-orgs", required_argument, NULL, 'm'},
        {"value", required_argument, NULL, 'v'},    {"as", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': *dir = optarg; break;
        case 'v': q->value = optarg; break;
        case 'a': *as = optarg; break;
        case 'm':
            q->min_orgs = (int)strtol(optarg, &end, 10);
            if (*end || q->min_orgs < 1 || q->min_orgs > 1000) {
                fprintf(stderr, "concord: correlate: --min-orgs wants a number from 1 to 1000\n");
                return CLI_USAGE;
            }
            break;
        case 'h': printf("%s", correlate_help); return -1;
        default: fprintf(stderr, "%s", correlate_help); return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s", correlate_help);
        return CLI_USAGE;
    }
    return 0;
}

int cmd_correlate(int argc, char **argv)
{
    struct store_corr_query q = {.min_orgs = 2};
    const char *dir = NULL, *as = NULL;
    int r = parse_opts(argc, argv, &dir, &q, &as);
    if (r)
        return r < 0 ? CLI_OK : r;
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    struct store_org org = {.id = 0};
    if (as && store_org_get(s, as, &org) != 0) {
        fprintf(stderr, "concord: no organisation '%s'\n", as);
        store_close(s);
        return CLI_FAIL;
    }
    size_t done = 1;
    while (done && (r = store_corr_catch_up(s, 50000, &done)) == 0)
        ; /* index what was stored since the last catch-up */
    if (r) {
        fprintf(stderr, "concord: correlate: cannot index new indicators: %s\n", error_name(r));
        store_close(s);
        return CLI_FAIL;
    }
    struct share_ctx share;
    share_ctx_init(&share, s, org.id, as == NULL);
    struct corr_run run = {&share, q.min_orgs, NULL, NULL, 0};
    /* the store counts every creator; --as may see fewer, so one_row/flush count again */
    r = store_corr_list(s, &q, one_row, &run);
    flush(&run);
    share_ctx_release(&share);
    store_close(s);
    if (r) {
        fprintf(stderr, "concord: correlate: %s\n", error_name(r));
        return CLI_FAIL;
    }
    fprintf(stderr, "%zu correlated value%s\n", run.printed, run.printed == 1 ? "" : "s");
    return CLI_OK;
}
