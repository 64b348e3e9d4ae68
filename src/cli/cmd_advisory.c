/*
 * `concord advisory`: critical-infrastructure advisories (src/coop/advisory.c).
 *
 *   import FILE...   CSAF 2.0 documents -> STIX vulnerabilities; prints
 *                    per file and total counts; exit 1 when anything was
 *                    rejected (a malformed document stores nothing)
 *   list             advisories with sectors, countries, CVSS and the
 *                    per-organisation states (--as ORG: the sharing decision)
 *   ack VULN_ID      record an organisation's state (forward only)
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop.h"
#include "share/context.h"
#include "util/limits.h"
#include "util/banned.h"

static const char advisory_help[] =
    "usage: concord advisory import -D DIR FILE... [--collection ID]\n"
    "       concord advisory list -D DIR [--sector SECTOR] [--country CC] [--open]\n"
    "                                    [--as ORG] [--json] [--collection ID]\n"
    "       concord advisory ack -D DIR VULN_ID --org ORG\n"
    "                            --state received|acknowledged|remediated [--collection ID]\n"
    "  import  CSAF 2.0 JSON advisories become STIX vulnerability objects\n"
    "  list    advisories (one line per vulnerability) and each organisation's state;\n"
    "          --as ORG shows only what ORG may read; --open: not yet remediated by all\n"
    "  ack     record ORG's state for a vulnerability (received -> acknowledged -> remediated)\n";

struct adv_opts {
    const char *dir, *coll, *sector, *country, *as, *org, *state;
    bool json, open;
};

static int parse_opts(int argc, char **argv, struct adv_opts *o)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'},   {"collection", required_argument, NULL, 'c'},
        {"sector", required_argument, NULL, 's'}, {"country", required_argument, NULL, 'C'},
        {"as", required_argument, NULL, 'a'},     {"org", required_argument, NULL, 'o'},
        {"state", required_argument, NULL, 'S'},  {"json", no_argument, NULL, 'j'},
        {"open", no_argument, NULL, 'O'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "D:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o->dir = optarg; break;
        case 'c': o->coll = optarg; break;
        case 's': o->sector = optarg; break;
        case 'C': o->country = optarg; break;
        case 'a': o->as = optarg; break;
        case 'o': o->org = optarg; break;
        case 'S': o->state = optarg; break;
        case 'j': o->json = true; break;
        case 'O': o->open = true; break;
        case 'h': printf("%s", advisory_help); return CLI_OK;
        default: fprintf(stderr, "%s", advisory_help); return CLI_USAGE;
        }
    }
    return -1;
}

static int open_coll(struct adv_opts *o, struct store **s, struct store_coll *col)
{
    struct cli_config cfg;
    struct error err;
    error_clear(&err);
    const char *id = o->coll;
    if (!(o->dir = cli_data_dir(o->dir)) || cli_open_store(o->dir, s))
        return -1;
    if (!id && (cli_config_load(o->dir, &cfg, &err) || !cfg.default_collection[0])) {
        fprintf(stderr, "concord: no --collection and no default_collection configured\n");
    } else if (store_coll_get(*s, id ? id : cfg.default_collection, col) != 0) {
        fprintf(stderr, "concord: no collection '%s'\n", id ? id : cfg.default_collection);
    } else {
        return 0;
    }
    store_close(*s);
    return -1;
}

static int import_one(struct store *s, int64_t coll, const char *file,
                      struct coop_import_result *tot, size_t *bad_docs)
{
    size_t len = 0;
    char *text = cli_read_file(file, &len, LIMIT_IMPORT_FILE);
    struct coop_import_result r = {0, 0, 0, 0};
    struct error err;
    error_clear(&err);
    if (!text || coop_advisory_import(s, coll, text, len, &r, &err)) {
        if (text)
            fprintf(stderr, "concord: %s: rejected: %s\n", file, err.msg);
        ++*bad_docs;
        free(text);
        return -1;
    }
    if (r.rejected)
        fprintf(stderr, "concord: %s: %zu vulnerabilities rejected: %s\n", file, r.rejected,
                err.msg);
    printf("%s: %zu vulnerabilities: %zu imported, %zu already added, %zu rejected\n", file,
           r.vulns, r.added, r.existing, r.rejected);
    tot->vulns += r.vulns, tot->added += r.added, tot->existing += r.existing;
    tot->rejected += r.rejected;
    free(text);
    return 0;
}

static int adv_import(struct adv_opts *o, int argc, char **argv)
{
    struct store *s;
    struct store_coll col;
    if (optind >= argc) {
        fprintf(stderr, "%s", advisory_help);
        return CLI_USAGE;
    }
    if (open_coll(o, &s, &col))
        return CLI_FAIL;
    struct coop_import_result tot = {0, 0, 0, 0};
    size_t bad_docs = 0;
    for (int i = optind; i < argc; i++)
        import_one(s, col.seq, argv[i], &tot, &bad_docs);
    store_close(s);
    printf("total: %zu vulnerabilities: %zu imported, %zu already added, %zu rejected; "
           "%zu documents rejected\n",
           tot.vulns, tot.added, tot.existing, tot.rejected, bad_docs);
    return (tot.rejected || bad_docs) ? CLI_FAIL : CLI_OK;
}

static void join_print(const char *label, json_t *arr)
{
    size_t i;
    json_t *v;
    printf("  %s ", label);
    json_array_foreach(arr, i, v) printf("%s%s", i ? "," : "", json_string_value(v));
    if (!json_array_size(arr))
        printf("-");
}

static void print_entry(json_t *e)
{
    json_t *cve = json_object_get(e, "cve"), *cvss = json_object_get(e, "cvss");
    printf("%s  %s  %s", json_string_value(json_object_get(e, "id")),
           json_is_string(cve) ? json_string_value(cve)
                               : json_string_value(json_object_get(e, "name")),
           json_string_value(json_object_get(e, "advisory_id")));
    if (json_is_number(cvss))
        printf("  cvss %.1f", json_number_value(cvss));
    join_print("sectors", json_object_get(e, "sectors"));
    join_print("countries", json_object_get(e, "countries"));
    printf("  %s", json_is_true(json_object_get(e, "open")) ? "open" : "closed");
    const char *org;
    json_t *st;
    json_object_foreach(json_object_get(e, "status"), org, st)
        printf("  %s:%s", org, json_string_value(st));
    printf("\n");
}

static int list_as(struct store *s, const char *as, struct share_ctx *share, bool *bound)
{
    struct store_org org;
    *bound = false;
    if (!as)
        return 0;
    if (store_org_get(s, as, &org) != 0) {
        fprintf(stderr, "concord: no organisation '%s'\n", as);
        return -1;
    }
    *bound = share_ctx_init(share, s, org.id, false) == 0;
    return *bound ? 0 : -1;
}

static int adv_list(struct adv_opts *o)
{
    struct store *s;
    struct store_coll col;
    struct share_ctx share;
    bool bound = false;
    json_t *list = NULL;
    if (open_coll(o, &s, &col))
        return CLI_FAIL;
    struct coop_adv_filter f = {o->sector, o->country, o->open};
    int r = list_as(s, o->as, &share, &bound);
    if (!r && (r = coop_advisory_list(s, col.seq, bound ? &share : NULL, &f, &list)))
        fprintf(stderr, "concord: cannot list advisories: %s\n", error_name(r));
    if (!r && o->json) {
        char *text = json_dumps(list, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
    } else if (!r) {
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) print_entry(e);
        printf("%zu advisories\n", json_array_size(list));
    }
    json_decref(list);
    if (bound)
        share_ctx_release(&share);
    store_close(s);
    return r ? CLI_FAIL : CLI_OK;
}

static int adv_ack(struct adv_opts *o, int argc, char **argv)
{
    struct store *s;
    struct store_coll col;
    struct store_org org;
    struct error err;
    error_clear(&err);
    if (optind + 1 != argc || !o->org || !o->state) {
        fprintf(stderr, "%s", advisory_help);
        return CLI_USAGE;
    }
    if (open_coll(o, &s, &col))
        return CLI_FAIL;
    int r = store_org_get(s, o->org, &org);
    if (r)
        fprintf(stderr, "concord: no organisation '%s'\n", o->org);
    else if ((r = coop_advisory_set_state(s, col.seq, argv[optind], &org,
                                          coop_adv_state_parse(o->state), &err)))
        fprintf(stderr, "concord: %s\n", err.msg);
    else
        printf("%s: %s %s\n", argv[optind], org.name, o->state);
    store_close(s);
    return r ? CLI_FAIL : CLI_OK;
}

int cmd_advisory(int argc, char **argv)
{
    struct adv_opts o = {0};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(advisory_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    int r = parse_opts(argc - 1, argv + 1, &o);
    if (r >= 0)
        return r;
    optind += 1; /* parse_opts ran on argv + 1 */
    if (!strcmp(sub, "import"))
        return adv_import(&o, argc, argv);
    if (!strcmp(sub, "list"))
        return adv_list(&o);
    if (!strcmp(sub, "ack"))
        return adv_ack(&o, argc, argv);
    fprintf(stderr, "concord: unknown advisory command '%s'\n%s", sub, advisory_help);
    return CLI_USAGE;
}
