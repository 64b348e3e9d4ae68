/*
 * `concord peer` (federation peers: add, list, remove, quarantine,
 * collections) and `concord sync` (one round now).  A peer is another
 * TAXII 2.1 server; its secret is read from standard input (a password
 * for --user, or a bearer token with --token), kept in the node database
 * (mode 0600) and never printed.  docs/federation.md has the details.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "coop/incident.h"
#include "stix/timestamp.h"
#include "sync/client.h"
#include "sync/reply.h"
#include "sync/sync.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/ticker.h"
#include "util/banned.h"

static const char peer_help[] =
    "usage: concord peer add -D DIR NAME URL --org ORG --user USER [--token]\n"
    "                        [--pull REMOTE_ID[:LOCAL_ID]]... [--push LOCAL_ID[:REMOTE_ID]]...\n"
    "       concord peer list -D DIR [--json]\n"
    "       concord peer remove -D DIR NAME\n"
    "       concord peer quarantine -D DIR [NAME] [--json]\n"
    "       concord peer collections -D DIR NAME [--cacert FILE] [--insecure]\n"
    "  URL is the peer's API root (https://host:8443/api/); ORG the local organisation\n"
    "  that stands for the peer's operator (concord org add); USER the user name on the\n"
    "  peer.  Standard input holds USER's password, or with --token a bearer token.\n"
    "  Collections are TAXII collection ids (or aliases); LOCAL defaults to the same\n"
    "  id or alias here, else the default collection; REMOTE defaults to LOCAL.\n";

static const char sync_help[] =
    "usage: concord sync -D DIR [NAME] [--cacert FILE] [--insecure] [--quiet] [--limit N]\n"
    "  One sync round now with every peer (or only NAME): pull, then push.\n"
    "  Exit 0 when every peer succeeded, 1 otherwise.\n";

static int usage(const char *help)
{
    fputs(help, stderr);
    return CLI_USAGE;
}

struct add_args {
    const char *org, *user;
    bool token;
    const char *pulls[64], *pushes[64];
    size_t n_pull, n_push;
};

/* Resolve a local collection (id or alias) to its id; "" for the default. */
static int local_coll(struct store *s, const char *dir, const char *want, char out[64])
{
    struct store_coll c;
    if (want && store_coll_get(s, want, &c) == 0) {
        snprintf(out, 64, "%s", c.id);
        return 0;
    }
    struct cli_config cfg;
    struct error err;
    error_clear(&err);
    if (cli_config_load(dir, &cfg, &err) == 0 &&
        store_coll_get(s, cfg.default_collection, &c) == 0) {
        snprintf(out, 64, "%s", c.id);
        return 0;
    }
    return -1;
}

/* "A[:B]" -> first, second (second = "" when absent). */
static int split_pair(const char *arg, char a[64], char b[64])
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    if (n == 0 || n >= 64 || (colon && (strlen(colon + 1) >= 64 || !colon[1])))
        return -1;
    snprintf(a, 64, "%.*s", (int)n, arg);
    snprintf(b, 64, "%s", colon ? colon + 1 : "");
    return 0;
}

/* The local collection of a pair: LOCAL when given (must exist), else REMOTE or the default. */
static int pair_local(struct store *s, const char *dir, bool pull, const char *x, const char *y,
                      char out[64], struct error *err)
{
    struct store_coll c;
    const char *want = pull ? y : x;
    if (want[0]) {
        if (store_coll_get(s, want, &c) != 0)
            return error_set(err, ERR_NOT_FOUND, "no local collection '%s'", want);
        snprintf(out, 64, "%s", c.id);
        return 0;
    }
    if (local_coll(s, dir, x, out) != 0)
        return error_set(err, ERR_NOT_FOUND, "no local collection '%s' and no default", x);
    return 0;
}

static int add_pairs(struct store *s, const char *dir, int64_t pid, const struct add_args *a,
                     struct error *err)
{
    for (size_t i = 0; i < a->n_pull + a->n_push; i++) {
        bool pull = i < a->n_pull;
        const char *arg = pull ? a->pulls[i] : a->pushes[i - a->n_pull];
        struct store_peer_coll pc = {.peer_id = pid,
                                     .dir = pull ? STORE_PEER_PULL : STORE_PEER_PUSH,
                                     .after_us = -1, .base_us = -1};
        char x[64], y[64];
        if (split_pair(arg, x, y) != 0)
            return error_set(err, ERR_INVALID, "bad collection pair '%s'", arg);
        int r = pair_local(s, dir, pull, x, y, pc.local, err);
        if (r)
            return r;
        snprintf(pc.remote, sizeof(pc.remote), "%s", pull ? x : (y[0] ? y : x));
        if ((r = store_peer_coll_add(s, &pc, err)) != 0)
            return r;
    }
    return 0;
}

/* The database holds a credential now: owner-only, like the TLS key. */
static void restrict_db(const char *dir)
{
    static const char *names[] = {"concord.db", "concord.db-wal", "concord.db-shm"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        cli_path(path, dir, names[i]);
        chmod(path, 0600);
    }
}

static int peer_add(const char *dir, char **args, const struct add_args *a)
{
    const char *name = args[0], *url = args[1];
    struct store_peer p = {0};
    struct store_org org;
    struct error err;
    error_clear(&err);
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "concord: peer: URL must start with https:// (or http://)\n");
        return CLI_USAGE;
    }
    if (strlen(name) >= sizeof(p.name) || strlen(url) >= sizeof(p.url) - 1 ||
        strlen(a->user) >= sizeof(p.user))
        return usage(peer_help);
    snprintf(p.name, sizeof(p.name), "%s", name);
    snprintf(p.url, sizeof(p.url), "%s%s", url, url[strlen(url) - 1] == '/' ? "" : "/");
    snprintf(p.user, sizeof(p.user), "%s", a->user);
    p.token = a->token;
    if (cli_read_secret(p.secret, sizeof(p.secret)) != 0 || !p.secret[0]) {
        fprintf(stderr, "concord: peer: expected the %s on standard input\n",
                a->token ? "token" : "password");
        return CLI_FAIL;
    }
    struct store *s;
    if (cli_open_store(dir, &s))
        return CLI_FAIL;
    int r = store_org_get(s, a->org, &org);
    if (r) {
        error_set(&err, r, "no organisation '%s' (concord org add)", a->org);
        goto out;
    }
    p.org_id = org.id;
    if ((r = store_begin_write(s)) == 0) {
        r = store_peer_add(s, &p, &err);
        if (!r)
            r = add_pairs(s, dir, p.id, a, &err);
        if (!r)
            r = store_commit(s);
        else
            store_rollback(s);
    }
out:
    memset(p.secret, 0, sizeof(p.secret));
    store_close(s);
    restrict_db(dir);
    if (r) {
        fprintf(stderr, "concord: peer: %s\n", err.msg[0] ? err.msg : error_name(r));
        return CLI_FAIL;
    }
    printf("%s\n", name);
    return CLI_OK;
}

static void ts_or_dash(int64_t us, char out[STIX_TS_MAX])
{
    if (us > 0)
        stix_ts_format_us(us, out);
    else
        snprintf(out, STIX_TS_MAX, "-");
}

struct list_ctx {
    struct store *s;
    bool json;
    json_t *arr;
};

static int pair_json(void *ctx, const struct store_peer_coll *pc)
{
    char ts[STIX_TS_MAX];
    ts_or_dash(pc->after_us, ts);
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s, s:I}", "direction",
                                         pc->dir == STORE_PEER_PULL ? "pull" : "push", "remote",
                                         pc->remote, "local", pc->local, "checkpoint", ts,
                                         "count", (json_int_t)pc->count));
    return 0;
}

/* The peer as JSON, without its secret (also GET /admin/peers/). */
static json_t *peer_json(struct store *s, const struct store_peer *p)
{
    char ok[STIX_TS_MAX], tried[STIX_TS_MAX];
    ts_or_dash(p->last_ok_us, ok);
    ts_or_dash(p->last_try_us, tried);
    json_t *colls = json_array();
    store_peer_coll_list(s, p->id, pair_json, colls);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:I, s:I, s:I, s:s, s:o}",
                     "name", p->name, "url", p->url, "organization", p->org_name, "user",
                     p->user, "auth", p->token ? "token" : "basic", "last_success", ok,
                     "last_attempt", tried, "lag_seconds",
                     p->lag_us >= 0 ? (double)p->lag_us / 1e6 : -1.0, "pulled",
                     (json_int_t)p->pulled, "pushed", (json_int_t)p->pushed, "quarantined",
                     (json_int_t)p->quarantined, "last_error", p->last_error, "collections",
                     colls);
}

static int pair_line(void *ctx, const struct store_peer_coll *pc)
{
    char ts[STIX_TS_MAX];
    ts_or_dash(pc->after_us, ts);
    if (pc->dir == STORE_PEER_PULL)
        printf("  pull %s -> %s  checkpoint %s  count %lld\n", pc->remote, pc->local, ts,
               (long long)pc->count);
    else
        printf("  push %s -> %s  checkpoint %s  count %lld\n", pc->local, pc->remote, ts,
               (long long)pc->count);
    return 0;
}

static int list_one(void *ctx, const struct store_peer *p)
{
    struct list_ctx *l = ctx;
    if (l->json) {
        json_array_append_new(l->arr, peer_json(l->s, p));
        return 0;
    }
    char ok[STIX_TS_MAX];
    ts_or_dash(p->last_ok_us, ok);
    printf("%s  %s  org %s  last success %s  lag %s%.1fs  pulled %lld  pushed %lld  "
           "quarantined %lld\n",
           p->name, p->url, p->org_name, ok, p->lag_us < 0 ? "? " : "",
           p->lag_us < 0 ? 0.0 : (double)p->lag_us / 1e6, (long long)p->pulled,
           (long long)p->pushed, (long long)p->quarantined);
    if (p->last_error[0])
        printf("  last error: %s\n", p->last_error);
    return store_peer_coll_list(l->s, p->id, pair_line, NULL);
}

static int print_json(json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2));
    printf("%s\n", text ? text : "null");
    free(text);
    json_decref(j);
    return CLI_OK;
}

static int peer_list(struct store *s, bool json)
{
    struct list_ctx l = {s, json, json_array()};
    store_peer_list(s, list_one, &l);
    if (json)
        return print_json(json_pack("{s:o}", "peers", l.arr));
    json_decref(l.arr);
    return CLI_OK;
}

static int quarantine_one(void *ctx, const struct store_quarantine *q)
{
    char ts[STIX_TS_MAX];
    stix_ts_format_us(q->created_us, ts);
    if (ctx) {
        json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s, s:s}", "peer", q->peer_name,
                                             "collection", q->coll, "id", q->object_id,
                                             "reason", q->reason, "received", ts));
        return 0;
    }
    printf("%s  %s  %s  %s\n  %s\n", ts, q->peer_name, q->coll,
           q->object_id[0] ? q->object_id : "-", q->reason);
    return 0;
}

static int peer_quarantine(struct store *s, const char *name, bool json)
{
    struct store_peer p = {0};
    if (name && store_peer_get(s, name, &p) != 0) {
        fprintf(stderr, "concord: peer: no peer '%s'\n", name);
        return CLI_FAIL;
    }
    json_t *arr = json ? json_array() : NULL;
    store_quarantine_list(s, p.id, quarantine_one, arr);
    memset(p.secret, 0, sizeof(p.secret));
    return json ? print_json(json_pack("{s:o}", "quarantine", arr)) : CLI_OK;
}

static int print_coll(void *ctx, const char *id, const char *title, bool r, bool w)
{
    printf("%-38s %s%s  %s\n", id, r ? "r" : "-", w ? "w" : "-", title);
    return 0;
}

/* GET {root}/collections/ on the peer with its stored credentials. */
static int peer_collections(struct store *s, const char *name, const char *cafile, bool insecure)
{
    struct store_peer p;
    if (store_peer_get(s, name, &p) != 0) {
        fprintf(stderr, "concord: peer: no peer '%s'\n", name);
        return CLI_FAIL;
    }
    char basic[800], url[600];
    snprintf(basic, sizeof(basic), "%s:%s", p.user, p.secret);
    snprintf(url, sizeof(url), "%scollections/", p.url);
    struct sync_target t = {.token = p.token ? p.secret : NULL, .basic = p.token ? NULL : basic,
                            .cafile = cafile, .insecure = insecure, .timeout_s = 30};
    struct sync_http *h = sync_http_new();
    struct sync_reply rep = {0};
    struct error err;
    error_clear(&err);
    int r = h ? sync_http_request(h, &t, "GET", url, NULL, 0, &rep, &err) : ERR_NOMEM;
    if (!r && rep.status != 200)
        r = error_set(&err, ERR_INVALID, "'%s' answered %ld", url, rep.status);
    if (!r)
        r = sync_collections_parse(rep.body, rep.len, print_coll, NULL, &err);
    sync_reply_release(&rep);
    sync_http_free(h);
    memset(basic, 0, sizeof(basic));
    memset(&p, 0, sizeof(p));
    if (r)
        fprintf(stderr, "concord: peer: %s\n", err.msg[0] ? err.msg : error_name(r));
    return r ? CLI_FAIL : CLI_OK;
}

struct peer_opts {
    const char *dir, *cafile;
    bool json, insecure;
    struct add_args add;
};

static int parse_peer_opts(int argc, char **argv, struct peer_opts *po)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'}, {"org", required_argument, NULL, 'o'},
        {"user", required_argument, NULL, 'u'}, {"token", no_argument, NULL, 't'},
        {"pull", required_argument, NULL, 'p'}, {"push", required_argument, NULL, 'P'},
        {"json", no_argument, NULL, 'j'},       {"cacert", required_argument, NULL, 'c'},
        {"insecure", no_argument, NULL, 'k'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    struct add_args *a = &po->add;
    while ((c = getopt_long(argc, argv, "D:hk", opts, NULL)) != -1) {
        switch (c) {
        case 'D': po->dir = optarg; break;
        case 'o': a->org = optarg; break;
        case 'u': a->user = optarg; break;
        case 't': a->token = true; break;
        case 'p':
            if (a->n_pull == 64)
                return -1;
            a->pulls[a->n_pull++] = optarg;
            break;
        case 'P':
            if (a->n_push == 64)
                return -1;
            a->pushes[a->n_push++] = optarg;
            break;
        case 'j': po->json = true; break;
        case 'c': po->cafile = optarg; break;
        case 'k': po->insecure = true; break;
        case 'h': printf("%s", peer_help); return 1;
        default: return -1;
        }
    }
    return 0;
}

int cmd_peer(int argc, char **argv)
{
    struct peer_opts po = {0};
    int pr = parse_peer_opts(argc, argv, &po);
    if (pr)
        return pr > 0 ? CLI_OK : usage(peer_help);
    int n = argc - optind;
    char **args = argv + optind;
    const char *verb = n ? args[0] : "";
    if (!(po.dir = cli_data_dir(po.dir)))
        return CLI_USAGE;
    if (!strcmp(verb, "add")) {
        if (n != 3 || !po.add.org || (!po.add.user && !po.add.token))
            return usage(peer_help);
        if (!po.add.user)
            po.add.user = "";
        return peer_add(po.dir, args + 1, &po.add);
    }
    bool ok = (!strcmp(verb, "list") && n == 1) || (!strcmp(verb, "remove") && n == 2) ||
              (!strcmp(verb, "quarantine") && (n == 1 || n == 2)) ||
              (!strcmp(verb, "collections") && n == 2);
    if (!ok)
        return usage(peer_help);
    struct store *s;
    if (cli_open_store(po.dir, &s))
        return CLI_FAIL;
    int r = CLI_OK;
    if (!strcmp(verb, "list")) {
        r = peer_list(s, po.json);
    } else if (!strcmp(verb, "quarantine")) {
        r = peer_quarantine(s, n == 2 ? args[1] : NULL, po.json);
    } else if (!strcmp(verb, "collections")) {
        r = peer_collections(s, args[1], po.cafile, po.insecure);
    } else if (store_peer_remove(s, args[1]) != 0) {
        fprintf(stderr, "concord: peer: no peer '%s'\n", args[1]);
        r = CLI_FAIL;
    }
    store_close(s);
    return r;
}

/* ---- sync ---- */

static void progress_bar(void *ctx, const char *peer, int64_t pulled, int64_t pushed)
{
    fprintf(stderr, "\r%-20.20s  pulled %10lld  pushed %10lld", peer, (long long)pulled,
            (long long)pushed);
    fflush(stderr);
}

struct sync_cli {
    struct store *s;
    const char *only;
    const struct sync_options *o;
    int failed;
    int matched;
};

static int sync_one(void *ctx, const struct store_peer *p)
{
    struct sync_cli *c = ctx;
    if (c->only && strcmp(c->only, p->name) != 0)
        return 0;
    c->matched++;
    struct sync_result res;
    int r = sync_peer_round(c->s, p, c->o, &res);
    if (c->o->progress)
        fputc('\n', stderr);
    if (r) {
        c->failed++;
        printf("%s: failed: %s\n", p->name, res.err.msg);
    } else {
        printf("%s: ok  pulled %lld (new %lld, quarantined %lld)  pushed %lld  kept back %lld\n",
               p->name, (long long)res.pulled, (long long)res.added,
               (long long)res.quarantined, (long long)res.pushed, (long long)res.filtered);
    }
    fflush(stdout);
    return 0;
}

/*
 * What federation rounds bring may change the cooperation workflows:
 * requests for assistance from other nodes widen the sharing group of an
 * incident reported here (coop_incident_reconcile).
 */
static void after_round(struct store *s)
{
    struct error err;
    error_clear(&err);
    int n = coop_incident_reconcile(s, NULL, stix_now_us(), &err);
    if (n < 0)
        log_warn("sync", "cannot update the incidents' sharing groups: %s", err.msg);
    else if (n > 0)
        log_info("sync", "sharing groups of %d incident%s updated", n, n == 1 ? "" : "s");
}

struct peer_copy {
    struct store_peer *v;
    size_t n;
};

static int copy_peer(void *ctx, const struct store_peer *p)
{
    struct peer_copy *pc = ctx;
    struct store_peer *v = realloc(pc->v, (pc->n + 1) * sizeof(*v));
    if (!v)
        return ERR_NOMEM;
    pc->v = v;
    pc->v[pc->n++] = *p;
    return 0;
}

int cmd_sync(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'}, {"cacert", required_argument, NULL, 'c'},
        {"insecure", no_argument, NULL, 'k'},   {"quiet", no_argument, NULL, 'q'},
        {"limit", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    struct sync_options o = {0};
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "D:hkq", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'c': o.cafile = optarg; break;
        case 'k': o.insecure = true; break;
        case 'q': quiet = true; break;
        case 'l':
            o.page_limit = (size_t)strtoul(optarg, NULL, 10);
            o.push_batch = o.page_limit;
            break;
        case 'h': printf("%s", sync_help); return CLI_OK;
        default: return usage(sync_help);
        }
    }
    if (argc - optind > 1)
        return usage(sync_help);
    if (!(dir = cli_data_dir(dir)))
        return CLI_USAGE;
    if (!quiet && isatty(STDERR_FILENO))
        o.progress = progress_bar;
    struct store *s;
    if (cli_open_store(dir, &s))
        return CLI_FAIL;
    struct sync_cli sc = {s, argc - optind == 1 ? argv[optind] : NULL, &o, 0, 0};
    struct peer_copy peers = {NULL, 0};
    store_peer_list(s, copy_peer, &peers);
    for (size_t i = 0; i < peers.n; i++)
        sync_one(&sc, &peers.v[i]);
    if (peers.v)
        memset(peers.v, 0, peers.n * sizeof(*peers.v));
    free(peers.v);
    after_round(s);
    store_close(s);
    if (sc.only && !sc.matched) {
        fprintf(stderr, "concord: sync: no peer '%s'\n", sc.only);
        return CLI_FAIL;
    }
    return sc.failed ? CLI_FAIL : CLI_OK;
}

/* ---- the schedule of `concord serve` ---- */

struct cli_sync_sched {
    struct ticker *ticker;
    char db[PATH_MAX];
    char cafile[PATH_MAX];
};

/* One round over every peer on a connection of its own. */
static void sched_round(void *arg)
{
    struct cli_sync_sched *sc = arg;
    struct store *s;
    struct error err;
    error_clear(&err);
    if (store_sqlite_open(sc->db, &s, &err) != 0) {
        log_error("sync", "cannot open the store: %s", err.msg);
        return;
    }
    struct sync_options o = {.stop = ticker_stopping(sc->ticker), .cafile = sc->cafile[0] ? sc->cafile : NULL};
    sync_round_all(s, NULL, &o);
    after_round(s);
    store_close(s);
}

struct cli_sync_sched *cli_sync_start(const char *dir, const struct cli_config *cfg)
{
    if (cfg->sync_interval == 0)
        return NULL;
    struct cli_sync_sched *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return NULL;
    cli_path(sc->db, dir, "concord.db");
    if (cfg->sync_cafile[0])
        cli_path(sc->cafile, dir, cfg->sync_cafile);
    /* the first round at once, then every sync_interval seconds */
    sc->ticker = ticker_start("sync", cfg->sync_interval, true, sched_round, sc);
    if (!sc->ticker) {
        free(sc);
        return NULL;
    }
    log_notice("sync", "federation rounds every %u s", cfg->sync_interval);
    return sc;
}

void cli_sync_stop(struct cli_sync_sched *sc)
{
    if (!sc)
        return;
    ticker_stop(sc->ticker);
    free(sc);
}
