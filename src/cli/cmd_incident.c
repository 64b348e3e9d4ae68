/*
 * `concord incident`: cross-border incident coordination (src/coop/incident.c).
 *   report  a new incident by --org (prints its id)
 *   update  organisation --org moves an incident to --status
 *   assist  a request for assistance --from an organisation --to another
 *   answer  the target organisation --org answers request --request N
 *   link    organisation --org links indicators, sightings, observed-data,
 *           vulnerabilities (--object ID, repeated)
 *   list    every incident (latest versions), optionally of one --status
 *   show    one incident with its timeline (one line per version of any
 *           organisation's record) and its organisations' numbers
 *   metrics time to acknowledge and to resolve per organisation, over all
 *           incidents
 * The CLI is the node operator's view: it reads everything.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "coop/incident.h"
#include "stix/timestamp.h"
#include "util/banned.h"

#define INC_MAX_LIST 64

static const char incident_help[] =
    "usage: concord incident report -D DIR --org ORG --title T [--country CC]... [--sector S]...\n"
    "                [--severity low|medium|high|critical] [--tlp amber|green|clear]\n"
    "       concord incident update -D DIR ID --org ORG --status STATUS\n"
    "       concord incident assist -D DIR ID --from ORG --to ORG\n"
    "                --kind information|takedown|mitigation|data-preservation [--due TS]\n"
    "       concord incident answer -D DIR ID --org ORG --request N --answer TEXT\n"
    "       concord incident link -D DIR ID --org ORG --object ID...\n"
    "       concord incident list -D DIR [--status STATUS] [--json]\n"
    "       concord incident show -D DIR ID [--json]\n"
    "       concord incident metrics -D DIR [--json]\n";

struct inc_opts {
    const char *dir, *org, *title, *severity, *tlp, *status, *from, *to, *kind, *due, *answer;
    const char *countries[INC_MAX_LIST], *sectors[INC_MAX_LIST], *objects[INC_MAX_LIST];
    size_t n_countries, n_sectors, n_objects;
    long long request;          /* --request N; -1 when absent */
    bool json;
};

static int inc_opt(struct inc_opts *o, int c)
{
    switch (c) {
    case 'D': o->dir = optarg; break;
    case 'o': o->org = optarg; break;
    case 't': o->title = optarg; break;
    case 'v': o->severity = optarg; break;
    case 'l': o->tlp = optarg; break;
    case 's': o->status = optarg; break;
    case 'f': o->from = optarg; break;
    case 'T': o->to = optarg; break;
    case 'k': o->kind = optarg; break;
    case 'd': o->due = optarg; break;
    case 'j': o->json = true; break;
    case 'a': o->answer = optarg; break;
    case 'r': {
        char *end;
        o->request = strtoll(optarg, &end, 10);
        if (o->request < 0 || *end || end == optarg)
            return -1;
        break;
    }
    case 'O':
        if (o->n_objects == INC_MAX_LIST)
            return -1;
        o->objects[o->n_objects++] = optarg;
        break;
    case 'c':
        if (o->n_countries == INC_MAX_LIST)
            return -1;
        o->countries[o->n_countries++] = optarg;
        break;
    case 'S':
        if (o->n_sectors == INC_MAX_LIST)
            return -1;
        o->sectors[o->n_sectors++] = optarg;
        break;
    case 'h': return printf("%s", incident_help), 1;
    default: return -1;
    }
    return 0;
}

static int inc_parse_opts(int argc, char **argv, struct inc_opts *o)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'},    {"org", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'},   {"country", required_argument, NULL, 'c'},
        {"sector", required_argument, NULL, 'S'},  {"severity", required_argument, NULL, 'v'},
        {"tlp", required_argument, NULL, 'l'},     {"status", required_argument, NULL, 's'},
        {"from", required_argument, NULL, 'f'},    {"to", required_argument, NULL, 'T'},
        {"kind", required_argument, NULL, 'k'},    {"due", required_argument, NULL, 'd'},
        {"answer", required_argument, NULL, 'a'},  {"request", required_argument, NULL, 'r'},
        {"object", required_argument, NULL, 'O'},  {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, r;
    memset(o, 0, sizeof(*o));
    o->request = -1;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1)
        if ((r = inc_opt(o, c)) != 0)
            return r;
    return 0;
}

static int fail(struct store *s, const struct error *err)
{
    fprintf(stderr, "concord: %s\n", err->msg);
    store_close(s);
    return CLI_FAIL;
}

static int usage(struct store *s, const char *what)
{
    fprintf(stderr, "concord: %s\n%s", what, incident_help);
    store_close(s);
    return CLI_USAGE;
}

static enum share_tlp tlp_parse(const char *v)
{
    if (!v || !strcasecmp(v, "amber") || !strcasecmp(v, "tlp:amber"))
        return SHARE_TLP_AMBER;
    if (!strcasecmp(v, "green") || !strcasecmp(v, "tlp:green"))
        return SHARE_TLP_GREEN;
    if (!strcasecmp(v, "clear") || !strcasecmp(v, "tlp:clear"))
        return SHARE_TLP_CLEAR;
    return SHARE_TLP_NONE;
}

static int inc_report(struct store *s, const struct inc_opts *o)
{
    struct error err;
    char id[96];
    error_clear(&err);
    if (!o->org || !o->title)
        return usage(s, "incident report needs --org and --title");
    struct coop_inc_new in = {o->org,    o->title,      o->countries, o->n_countries,
                              o->sectors, o->n_sectors, o->severity,  tlp_parse(o->tlp)};
    if (in.tlp == SHARE_TLP_NONE)
        return usage(s, "--tlp must be clear, green or amber");
    if (coop_incident_report(s, &in, stix_now_us(), id, &err))
        return fail(s, &err);
    printf("%s\n", id);
    store_close(s);
    return CLI_OK;
}

static int inc_update(struct store *s, const struct inc_opts *o, const char *id)
{
    struct error err;
    error_clear(&err);
    if (!o->org || !o->status)
        return usage(s, "incident update needs --org and --status");
    if (coop_incident_set_status(s, NULL, id, o->org, coop_inc_status_parse(o->status),
                                 stix_now_us(), &err))
        return fail(s, &err);
    printf("%s %s\n", id, o->status);
    store_close(s);
    return CLI_OK;
}

static int inc_assist(struct store *s, const struct inc_opts *o, const char *id)
{
    struct error err;
    error_clear(&err);
    if (!o->from || !o->to || !o->kind)
        return usage(s, "incident assist needs --from, --to and --kind");
    if (coop_incident_assist(s, NULL, id, o->from, o->to, o->kind, o->due, stix_now_us(), &err))
        return fail(s, &err);
    printf("%s %s requested from %s\n", id, o->kind, o->to);
    store_close(s);
    return CLI_OK;
}

static int inc_answer(struct store *s, const struct inc_opts *o, const char *id)
{
    struct error err;
    error_clear(&err);
    if (!o->org || o->request < 0 || !o->answer)
        return usage(s, "incident answer needs --org, --request and --answer");
    if (coop_incident_answer(s, NULL, id, o->org, (size_t)o->request, o->answer,
                             stix_now_us(), &err))
        return fail(s, &err);
    printf("%s request %lld answered\n", id, o->request);
    store_close(s);
    return CLI_OK;
}

static int inc_link(struct store *s, const struct inc_opts *o, const char *id)
{
    struct error err;
    error_clear(&err);
    if (!o->org || !o->n_objects)
        return usage(s, "incident link needs --org and --object");
    if (coop_incident_link(s, NULL, id, o->org, o->objects, o->n_objects, stix_now_us(), &err))
        return fail(s, &err);
    printf("%s linked %zu object%s\n", id, o->n_objects, o->n_objects == 1 ? "" : "s");
    store_close(s);
    return CLI_OK;
}

static void print_json(json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    printf("%s\n", text);
    free(text);
}

/* "12.345 s" or "-" for a JSON null. */
static void fmt_seconds(const json_t *v, char out[32])
{
    if (json_is_number(v))
        snprintf(out, 32, "%.3f s", json_number_value(v));
    else
        snprintf(out, 32, "-");
}

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : dflt;
}

static void print_summary_line(json_t *j)
{
    char ack[32], res[32];
    fmt_seconds(json_object_get(j, "time_to_acknowledge_seconds"), ack);
    fmt_seconds(json_object_get(j, "time_to_resolve_seconds"), res);
    printf("%s  %-13s %-8s %-16s lead %-16s ack %s  resolve %s  %s\n", str_or(j, "id", ""),
           str_or(j, "status", ""), str_or(j, "severity", ""), str_or(j, "reporter", "-"),
           str_or(j, "lead", "-"), ack, res, str_or(j, "title", ""));
}

static int inc_list(struct store *s, const struct inc_opts *o)
{
    json_t *list = NULL;
    struct error err;
    error_clear(&err);
    enum coop_inc_status st = coop_inc_status_parse(o->status);
    if (o->status && st == COOP_INC_NONE)
        return usage(s, "unknown --status");
    if (coop_incident_list(s, NULL, st, &list) != 0)
        return error_set(&err, ERR_DB, "cannot read the incidents"), fail(s, &err);
    if (o->json) {
        json_t *doc = json_pack("{s:O}", "incidents", list);
        print_json(doc);
        json_decref(doc);
    } else {
        size_t i;
        json_t *j;
        json_array_foreach(list, i, j)
            print_summary_line(j);
    }
    json_decref(list);
    store_close(s);
    return CLI_OK;
}

static void print_show(json_t *doc)
{
    json_t *inc = json_object_get(doc, "incident"), *e;
    size_t i;
    print_summary_line(inc);
    json_array_foreach(json_object_get(doc, "timeline"), i, e)
        printf("  %s  %-16s %s\n", str_or(e, "at", ""), str_or(e, "by", "-"),
               str_or(e, "change", ""));
    json_array_foreach(json_object_get(inc, "requests"), i, e)
        printf("  request %zu: %s from %s to %s, due %s: %s\n", i, str_or(e, "kind", ""),
               str_or(e, "from", "-"), str_or(e, "to", "-"), str_or(e, "due", "-"),
               str_or(e, "answer", "(no answer yet)"));
    json_array_foreach(json_object_get(inc, "links"), i, e)
        printf("  linked: %s\n", json_string_value(e));
    json_array_foreach(json_object_get(inc, "organizations"), i, e) {
        char ack[32], res[32];
        fmt_seconds(json_object_get(e, "time_to_acknowledge_seconds"), ack);
        fmt_seconds(json_object_get(e, "time_to_resolve_seconds"), res);
        printf("  %-16s %-9s ack %s  resolve %s  requests answered %lld/%lld\n",
               str_or(e, "name", "-"), str_or(e, "role", "-"), ack, res,
               (long long)json_integer_value(json_object_get(e, "requests_answered")),
               (long long)json_integer_value(json_object_get(e, "requests_received")));
    }
}

static int inc_show(struct store *s, const struct inc_opts *o, const char *id)
{
    json_t *doc = NULL;
    struct error err;
    error_clear(&err);
    if (coop_incident_show(s, NULL, id, &doc) != 0)
        return error_set(&err, ERR_NOT_FOUND, "no incident '%s'", id), fail(s, &err);
    if (o->json)
        print_json(doc);
    else
        print_show(doc);
    json_decref(doc);
    store_close(s);
    return CLI_OK;
}

static void print_metric_line(json_t *m)
{
    char med[32], wst[32], res[32];
    fmt_seconds(json_object_get(m, "median_time_to_acknowledge_seconds"), med);
    fmt_seconds(json_object_get(m, "worst_time_to_acknowledge_seconds"), wst);
    fmt_seconds(json_object_get(m, "median_time_to_resolve_seconds"), res);
    printf("%-16s reported %lld  involved %lld  acknowledged %lld (median %s, worst %s)  "
           "resolved %lld (median %s)  requests answered %lld/%lld\n",
           str_or(m, "organization", "-"),
           (long long)json_integer_value(json_object_get(m, "reported")),
           (long long)json_integer_value(json_object_get(m, "incidents")),
           (long long)json_integer_value(json_object_get(m, "acknowledged")), med, wst,
           (long long)json_integer_value(json_object_get(m, "resolved")), res,
           (long long)json_integer_value(json_object_get(m, "requests_answered")),
           (long long)json_integer_value(json_object_get(m, "requests_received")));
}

static int inc_metrics(struct store *s, const struct inc_opts *o)
{
    json_t *list = NULL, *m;
    struct error err;
    size_t i;
    error_clear(&err);
    if (coop_incident_org_metrics(s, NULL, &list) != 0)
        return error_set(&err, ERR_DB, "cannot read the incidents"), fail(s, &err);
    if (o->json) {
        json_t *doc = json_pack("{s:O}", "organizations", list);
        print_json(doc);
        json_decref(doc);
    } else {
        json_array_foreach(list, i, m)
            print_metric_line(m);
    }
    json_decref(list);
    store_close(s);
    return CLI_OK;
}

static int inc_run(struct store *s, const struct inc_opts *o, int n, char **args)
{
    if (!strcmp(args[0], "report") && n == 1)
        return inc_report(s, o);
    if (!strcmp(args[0], "update") && n == 2)
        return inc_update(s, o, args[1]);
    if (!strcmp(args[0], "assist") && n == 2)
        return inc_assist(s, o, args[1]);
    if (!strcmp(args[0], "answer") && n == 2)
        return inc_answer(s, o, args[1]);
    if (!strcmp(args[0], "link") && n == 2)
        return inc_link(s, o, args[1]);
    if (!strcmp(args[0], "list") && n == 1)
        return inc_list(s, o);
    if (!strcmp(args[0], "show") && n == 2)
        return inc_show(s, o, args[1]);
    if (!strcmp(args[0], "metrics") && n == 1)
        return inc_metrics(s, o);
    store_close(s);
    fprintf(stderr, "%s", incident_help);
    return CLI_USAGE;
}

int cmd_incident(int argc, char **argv)
{
    struct inc_opts o;
    int r = inc_parse_opts(argc, argv, &o);
    if (r)
        return r > 0 ? CLI_OK : (fprintf(stderr, "%s", incident_help), CLI_USAGE);
    int n = argc - optind;
    if (n < 1) {
        fprintf(stderr, "%s", incident_help);
        return CLI_USAGE;
    }
    struct store *s;
    if (!(o.dir = cli_data_dir(o.dir)) || cli_open_store(o.dir, &s))
        return CLI_FAIL;
    return inc_run(s, &o, n, argv + optind);
}
