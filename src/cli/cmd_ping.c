/*
 * `concord ping`: reachability tests (src/coop/ping.c).
 *   start   a round to every organisation or to the --org ones (prints the round id)
 *   ack     organisation --org acknowledges a challenge (as over HTTP)
 *   report  one round (per organisation and totals) or, without ROUND, the
 *           trend over every round, one line (or JSON object) per round
 * The report is the coordinator's view: the node reads everything.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coop/coop.h"
#include "stix/timestamp.h"
#include "util/banned.h"

#define PING_MAX_ORGS 256

static const char ping_help[] =
    "usage: concord ping start -D DIR [--org ORG]... [--deadline SECONDS]   (default 3600)\n"
    "       concord ping ack -D DIR CHALLENGE --org ORG\n"
    "       concord ping report -D DIR [ROUND] [--json]\n";

struct ping_opts {
    const char *dir;
    const char *orgs[PING_MAX_ORGS];
    size_t n_orgs;
    long long deadline;
    bool json;
};

static int ping_parse_opts(int argc, char **argv, struct ping_opts *o)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"deadline", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    char *end;
    memset(o, 0, sizeof(*o));
    o->deadline = 3600;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        if (c == 'D')
            o->dir = optarg;
        else if (c == 'o' && o->n_orgs < PING_MAX_ORGS)
            o->orgs[o->n_orgs++] = optarg;
        else if (c == 'd' && ((o->deadline = strtoll(optarg, &end, 10)) <= 0 || *end))
            return -1;
        else if (c == 'j')
            o->json = true;
        else if (c == 'h')
            return printf("%s", ping_help), 1;
        else if (c != 'd')
            return -1;
    }
    return 0;
}

static int fail(struct store *s, const struct error *err)
{
    fprintf(stderr, "concord: %s\n", err->msg);
    store_close(s);
    return CLI_FAIL;
}

static int ping_start(struct store *s, const struct ping_opts *o)
{
    struct error err;
    char round[96];
    error_clear(&err);
    if (coop_ping_start(s, o->orgs, o->n_orgs, o->deadline, stix_now_us(), round, &err))
        return fail(s, &err);
    printf("%s\n", round);
    store_close(s);
    return CLI_OK;
}

static int ping_ack(struct store *s, const struct ping_opts *o, const char *id)
{
    struct error err;
    struct store_org org;
    int64_t at = 0;
    error_clear(&err);
    if (o->n_orgs != 1) {
        store_close(s);
        fprintf(stderr, "concord: ping ack needs one --org\n");
        return CLI_USAGE;
    }
    if (store_org_get(s, o->orgs[0], &org) != 0)
        error_set(&err, ERR_NOT_FOUND, "no organisation '%s'", o->orgs[0]);
    else
        coop_ping_ack(s, NULL, id, org.id, stix_now_us(), &at, &err);
    if (err.code)
        return fail(s, &err);
    char ts[STIX_TS_MAX];
    stix_ts_format_us(at, ts);
    printf("%s acknowledged at %s\n", id, ts);
    store_close(s);
    return CLI_OK;
}

/* ---- report ---- */

static json_t *seconds(int64_t us)
{
    return us < 0 ? json_null() : json_real((double)us / 1e6);
}

static const char *status_of(const struct coop_ping *p, int64_t now_us)
{
    if (p->acked_us)
        return "acknowledged";
    return now_us > p->deadline_us ? "missed" : "pending";
}

/* Totals of one round as JSON (p[0..n) all of that round). */
static json_t *round_json(const struct coop_ping *p, size_t n)
{
    struct coop_ping_stats st;
    char ts[STIX_TS_MAX];
    coop_ping_stats(p, n, &st);
    stix_ts_format_us(p[0].sent_us, ts);
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:o, s:o}", "round", p[0].round,
                     "started", ts, "deadline_seconds",
                     (json_int_t)((p[0].deadline_us - p[0].sent_us) / 1000000), "targets",
                     (json_int_t)st.targets, "acknowledged", (json_int_t)st.acked,
                     "response_rate", st.rate, "median_seconds", seconds(st.median_us),
                     "worst_seconds", seconds(st.worst_us));
}

static json_t *org_json(const struct coop_ping *p, int64_t now_us)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "organization", p->org, "challenge", p->id,
                     "status", status_of(p, now_us), "seconds",
                     seconds(p->acked_us ? p->acked_us - p->sent_us : -1));
}

/* "1.234 s", or "-" for a JSON null. */
static void fmt_seconds(const json_t *v, char out[32])
{
    if (json_is_number(v))
        snprintf(out, 32, "%.3f s", json_number_value(v));
    else
        snprintf(out, 32, "-");
}

static void print_round_line(const json_t *j)
{
    char med[32], worst[32];
    fmt_seconds(json_object_get(j, "median_seconds"), med);
    fmt_seconds(json_object_get(j, "worst_seconds"), worst);
    printf("%s  %s  targets %lld  acknowledged %lld  rate %.1f%%  median %s  worst %s\n",
           json_string_value(json_object_get(j, "started")),
           json_string_value(json_object_get(j, "round")),
           (long long)json_integer_value(json_object_get(j, "targets")),
           (long long)json_integer_value(json_object_get(j, "acknowledged")),
           100.0 * json_real_value(json_object_get(j, "response_rate")), med, worst);
}

static void print_json(json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    printf("%s\n", text);
    free(text);
}

static void print_org_line(const struct coop_ping *p, int64_t now_us)
{
    if (p->acked_us)
        printf("%-24s %-13s %.3f s\n", p->org, status_of(p, now_us),
               (double)(p->acked_us - p->sent_us) / 1e6);
    else
        printf("%-24s %-13s -\n", p->org, status_of(p, now_us));
}

static void report_round(const struct coop_ping *p, size_t n, bool as_json)
{
    int64_t now = stix_now_us();
    json_t *doc = round_json(p, n), *orgs = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(orgs, org_json(&p[i], now));
    json_object_set_new(doc, "organizations", orgs);
    if (as_json) {
        print_json(doc);
    } else {
        for (size_t i = 0; i < n; i++)
            print_org_line(&p[i], now);
        print_round_line(doc);
    }
    json_decref(doc);
}

/* Challenges of one round are contiguous once sorted by round first. */
static int by_round(const void *a, const void *b)
{
    const struct coop_ping *x = a, *y = b;
    int c = strcmp(x->round, y->round);
    if (c)
        return c;
    return strcmp(x->org, y->org);
}

/* Rounds by start time: the trend. */
static int by_start(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "started_us"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "started_us"));
    return x < y ? -1 : x > y;
}

static json_t *trend_json(struct coop_ping *p, size_t n)
{
    json_t *rounds = json_array();
    if (n)
        qsort(p, n, sizeof(*p), by_round);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && !strcmp(p[j].round, p[i].round); j++)
            ;
        json_t *r = round_json(p + i, j - i);
        json_object_set_new(r, "started_us", json_integer(p[i].sent_us));
        json_array_append_new(rounds, r);
    }
    size_t k = json_array_size(rounds);
    json_t **v = k ? calloc(k, sizeof(*v)) : NULL;
    for (size_t i = 0; i < k; i++)
        v[i] = json_incref(json_array_get(rounds, i));
    if (k)
        qsort(v, k, sizeof(*v), by_start);
    json_array_clear(rounds);
    for (size_t i = 0; i < k; i++) {
        json_object_del(v[i], "started_us");
        json_array_append_new(rounds, v[i]);
    }
    free(v);
    return rounds;
}

static void report_trend(struct coop_ping *p, size_t n, bool as_json)
{
    json_t *rounds = trend_json(p, n);
    if (as_json) {
        json_t *doc = json_pack("{s:O}", "rounds", rounds);
        print_json(doc);
        json_decref(doc);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(rounds, i, r)
            print_round_line(r);
    }
    json_decref(rounds);
}

static int ping_report(struct store *s, const struct ping_opts *o, const char *round)
{
    struct coop_ping *p = NULL;
    size_t n = 0;
    struct error err;
    error_clear(&err);
    if (coop_ping_list(s, round, &p, &n) != 0)
        error_set(&err, ERR_DB, "cannot read the challenges");
    else if (round && n == 0)
        error_set(&err, ERR_NOT_FOUND, "no round '%s'", round);
    else if (round)
        report_round(p, n, o->json);
    else
        report_trend(p, n, o->json);
    free(p);
    if (err.code)
        return fail(s, &err);
    store_close(s);
    return CLI_OK;
}

static int ping_run(struct store *s, const struct ping_opts *o, int n, char **args)
{
    if (!strcmp(args[0], "start") && n == 1)
        return ping_start(s, o);
    if (!strcmp(args[0], "ack") && n == 2)
        return ping_ack(s, o, args[1]);
    if (!strcmp(args[0], "report") && n <= 2)
        return ping_report(s, o, n == 2 ? args[1] : NULL);
    store_close(s);
    fprintf(stderr, "%s", ping_help);
    return CLI_USAGE;
}

int cmd_ping(int argc, char **argv)
{
    struct ping_opts o;
    int r = ping_parse_opts(argc, argv, &o);
    if (r)
        return r > 0 ? CLI_OK : (fprintf(stderr, "%s", ping_help), CLI_USAGE);
    int n = argc - optind;
    if (n < 1) {
        fprintf(stderr, "%s", ping_help);
        return CLI_USAGE;
    }
    struct store *s;
    if (!(o.dir = cli_data_dir(o.dir)) || cli_open_store(o.dir, &s))
        return CLI_FAIL;
    return ping_run(s, &o, n, argv + optind);
}
