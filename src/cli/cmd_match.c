/*
 * `concord match`: run the node's indicators over logs at line rate.
 *   concord match (-D DIR | --indicators FILE) [--format eve|zeek|jsonl|text]
 *                 [--sightings OUT] LOG...
 * Every active STIX-pattern indicator is compiled into the bulk index
 * (pattern/index.h); each log line becomes one record of observables
 * (pattern/logs.h) looked up in it.  One JSON object per match on stdout:
 *   {"file": "eve.json", "line": 12, "indicator": "indicator--…",
 *    "value": "198.51.100.7", "kind": "ipv4-addr", "time": "…Z"}
 * Values on a warninglist (--warninglists) are not reported, only counted.
 * Patterns that span several records are decided at the end over the
 * records that hit their brackets (match_multi.c).  Sightings (one per
 * matched indicator) go to --sightings OUT as a STIX bundle and/or are
 * POSTed to a TAXII collection (--post).  Totals go to stderr at the end,
 * with a progress line while reading when stderr is a terminal.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/match_int.h"
#include "pattern/logs.h"
#include "pattern/warninglist.h"
#include "share/share.h"
#include "stix/id.h"
#include "stix/timestamp.h"
#include "sync/client.h"
#include "util/buf.h"
#include "util/banned.h"

static const char match_help[] =
    "usage: concord match (-D DIR | --indicators FILE) [--format FORMAT] [--sightings OUT]\n"
    "                     [--warninglists PATH]... [--as ORG] [--org ORG | --identity ID]\n"
    "                     [--tlp LEVEL] [--post URL [--token TOKEN] [--cafile PEM] [--insecure]]\n"
    "                     [--quiet] LOG...\n"
    "  Match logs against the active STIX-pattern indicators of a node (-D) or of a file\n"
    "  (--indicators: a bundle, an envelope or a JSON array of objects).  One JSON object\n"
    "  per match on stdout: file, line (1-based), indicator, value, kind, time.\n"
    "  LOG: a file ('-' = stdin; .gz is read as gzip).\n"
    "  --format        auto (default), eve (Suricata EVE JSON), zeek (TSV or JSON),\n"
    "                  jsonl (JSON lines of STIX observables), text (IPs, domains, URLs,\n"
    "                  e-mail addresses and hashes found anywhere in a line)\n"
    "  --sightings OUT write a STIX bundle with one sighting per matched indicator\n"
    "  --warninglists  MISP warninglist file or directory; listed values are not reported\n"
    "  --as ORG        (-D) only the indicators ORG may read\n"
    "  --org ORG       (-D) the organisation that saw them (sighting creator, where sighted)\n"
    "  --identity ID   the same as a STIX identity id; default: a new identity for this host\n"
    "  --tlp LEVEL     marking of the sightings: clear, green, amber (default), amber+strict, red\n"
    "  --post URL      POST the sightings to this TAXII collection (its URL or objects URL)\n"
    "  --token TOKEN   Bearer token for --post (or CONCORD_TOKEN)\n";

struct match_opts {
    const char *dir, *indicators, *sightings, *as, *org, *identity, *post, *token, *cafile;
    const char *wl[16];
    size_t n_wl;
    enum pat_format fmt;
    enum share_tlp tlp;
    bool insecure, quiet;
};

struct match_run {
    const struct match_opts *o;
    struct pat_index *idx;
    struct pat_scratch *scratch;
    struct pat_wl_set *wl;
    struct match_multi multi;
    struct match_sight *sight;
    const char *file;
    const struct pat_record *rec;
    int64_t now_ns;
    struct { uint64_t key; } seen[128]; /* (indicator, value) reported for this record */
    size_t n_seen;
    struct buf line;
    long records, lines, bad, matches, suppressed;
};

static int parse_tlp(const char *s, enum share_tlp *out)
{
    static const struct { const char *name; enum share_tlp t; } levels[] = {
        {"clear", SHARE_TLP_CLEAR}, {"white", SHARE_TLP_CLEAR}, {"green", SHARE_TLP_GREEN},
        {"amber", SHARE_TLP_AMBER}, {"amber+strict", SHARE_TLP_AMBER_STRICT},
        {"red", SHARE_TLP_RED}};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(s, levels[i].name) == 0)
            return *out = levels[i].t, 0;
    return -1;
}

static int parse_one(int c, struct match_opts *o)
{
    switch (c) {
    case 'D': o->dir = optarg; return 0;
    case 'i': o->indicators = optarg; return 0;
    case 's': o->sightings = optarg; return 0;
    case 'a': o->as = optarg; return 0;
    case 'o': o->org = optarg; return 0;
    case 'I': o->identity = optarg; return 0;
    case 'p': o->post = optarg; return 0;
    case 't': o->token = optarg; return 0;
    case 'c': o->cafile = optarg; return 0;
    case 'k': o->insecure = true; return 0;
    case 'q': o->quiet = true; return 0;
    case 'f': return pat_format_parse(optarg, &o->fmt) ? -1 : 0;
    case 'T': return parse_tlp(optarg, &o->tlp);
    case 'w':
        if (o->n_wl == sizeof(o->wl) / sizeof(o->wl[0]))
            return -1;
        o->wl[o->n_wl++] = optarg;
        return 0;
    default: return -1;
    }
}

static int parse_opts(int argc, char **argv, struct match_opts *o)
{
    static const struct option opts[] = {
        {"data", 1, NULL, 'D'},     {"indicators", 1, NULL, 'i'}, {"format", 1, NULL, 'f'},
        {"sightings", 1, NULL, 's'}, {"warninglists", 1, NULL, 'w'}, {"as", 1, NULL, 'a'},
        {"org", 1, NULL, 'o'},      {"identity", 1, NULL, 'I'},   {"tlp", 1, NULL, 'T'},
        {"post", 1, NULL, 'p'},     {"token", 1, NULL, 't'},      {"cafile", 1, NULL, 'c'},
        {"insecure", 0, NULL, 'k'}, {"quiet", 0, NULL, 'q'},      {"help", 0, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof(*o));
    o->fmt = PAT_FMT_AUTO;
    o->tlp = SHARE_TLP_AMBER;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        if (c == 'h')
            return printf("%s", match_help), 1;
        if (parse_one(c, o)) {
            fprintf(stderr, "concord: match: bad or repeated option%s%s\n%s", optarg ? " value " : "",
                    optarg ? optarg : "", match_help);
            return CLI_USAGE;
        }
    }
    if (!o->dir && !o->indicators && getenv("CONCORD_DATA"))
        o->dir = getenv("CONCORD_DATA");
    const char *why = optind == argc                  ? "no LOG given"
                      : !o->dir == !o->indicators     ? "give either -D DIR or --indicators FILE"
                      : (o->as || o->org) && !o->dir  ? "--as and --org need -D DIR"
                      : o->org && o->identity         ? "give --org or --identity, not both"
                                                      : NULL;
    if (why) {
        fprintf(stderr, "concord: match: %s\n%s", why, match_help);
        return CLI_USAGE;
    }
    if (!o->token)
        o->token = getenv("CONCORD_TOKEN");
    return 0;
}

/* ---- output ---- */

static uint64_t pair_key(const char *id, const struct pat_value *v)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    for (size_t i = 0; v && i < v->len; i++)
        h = (h ^ (unsigned char)v->s[i]) * 1099511628211ull;
    return h ^ (v ? (uint64_t)v->kind << 56 : 0);
}

static bool seen_before(struct match_run *r, uint64_t key)
{
    for (size_t i = 0; i < r->n_seen; i++)
        if (r->seen[i].key == key)
            return true;
    if (r->n_seen < sizeof(r->seen) / sizeof(r->seen[0]))
        r->seen[r->n_seen++].key = key;
    return false;
}

static void print_match(struct match_run *r, const char *file, long line, const char *id,
                        const struct pat_value *v, int64_t ns)
{
    struct buf *b = &r->line;
    char ts[STIX_TS_MAX];
    stix_ts_format_us(ns / 1000, ts);
    buf_reset(b);
    buf_puts(b, "{\"file\":");
    buf_json_str(b, file, strlen(file));
    buf_printf(b, ",\"line\":%ld,\"indicator\":\"%s\",\"value\":", line, id);
    if (v) {
        buf_json_str(b, v->s, v->len);
        buf_printf(b, ",\"kind\":\"%s\"", pat_vkind_name(v->kind));
    } else {
        buf_puts(b, "null,\"kind\":null");
    }
    buf_printf(b, ",\"time\":\"%s\"}\n", ts);
    if (!buf_failed(b))
        fwrite(b->data, 1, b->len, stdout);
    r->matches++;
}

static void on_hit(void *ctx, const struct pat_hit *h)
{
    struct match_run *r = ctx;
    if (h->partial) {
        match_multi_hit(&r->multi, h->indicator_id, r->rec, r->file);
        return;
    }
    if (seen_before(r, pair_key(h->indicator_id, h->v)))
        return;
    if (h->v && r->wl && pat_wl_check(r->wl, h->v)) {
        r->suppressed++;
        return;
    }
    int64_t ns = r->rec->time_ns ? r->rec->time_ns : r->now_ns;
    print_match(r, r->file, r->rec->line, h->indicator_id, h->v, ns);
    match_sight_add(r->sight, h->indicator_id, ns, ns, 1);
}

static void on_multi(void *ctx, const struct match_multi_one *e)
{
    struct match_run *r = ctx;
    int64_t first = e->first_ns ? e->first_ns : r->now_ns, last = e->last_ns ? e->last_ns : first;
    print_match(r, e->last_file, e->last_line, e->id, NULL, last);
    match_sight_add(r->sight, e->id, first, last, 1);
}

/* ---- reading ---- */

static void progress(struct match_run *r, FILE *f, off_t size)
{
    if (r->o->quiet || !isatty(STDERR_FILENO))
        return;
    off_t at = ftello(f);
    if (size > 0 && at >= 0)
        fprintf(stderr, "\r%s: %3d%%  %ld lines  %ld matches ", r->file,
                (int)(100.0 * (double)at / (double)size), r->lines, r->matches);
    else
        fprintf(stderr, "\r%s: %ld lines  %ld matches ", r->file, r->lines, r->matches);
}

static int read_log(struct match_run *r, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "concord: match: cannot open '%s'\n", path);
        return -1;
    }
    struct stat sb;
    off_t size = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) ? sb.st_size : 0;
    struct error err;
    error_clear(&err);
    struct pat_reader *rd = NULL;
    int rc = pat_reader_open(&rd, f, r->o->fmt, &err);
    struct pat_record rec;
    r->file = path;
    r->rec = &rec;
    while (rc == 0 && (rc = pat_reader_next(rd, &rec, &err)) == 1) {
        r->n_seen = 0;
        r->records++;
        pat_index_match(r->idx, r->scratch, &rec, on_hit, r);
        if ((r->records & 0xffff) == 0)
            progress(r, f, size);
        rc = 0;
    }
    if (rd) {
        struct pat_reader_stats st;
        pat_reader_stats(rd, &st);
        r->lines += st.lines;
        r->bad += st.bad_lines;
        pat_reader_free(rd);
    }
    if (f != stdin)
        fclose(f);
    if (rc < 0)
        fprintf(stderr, "concord: match: '%s': %s\n", path, err.msg);
    return rc < 0 ? -1 : 0;
}

/* ---- setup ---- */

static int build_index(struct match_run *r, struct match_load_stats *ls)
{
    const struct match_opts *o = r->o;
    struct pat_index_builder *b = pat_index_builder_new();
    memset(ls, 0, sizeof(*ls));
    int rc = o->dir ? match_load_dir(o->dir, o->as, b, &r->multi, ls)
                    : match_load_file(o->indicators, b, &r->multi, ls);
    if (rc) {
        pat_index_builder_free(b);
        return -1;
    }
    struct error err;
    error_clear(&err);
    r->idx = pat_index_build(b, r->now_ns, &err); /* takes b */
    if (!r->idx) {
        fprintf(stderr, "concord: match: cannot build the index: %s\n", err.msg);
        return -1;
    }
    r->scratch = pat_scratch_new(r->idx);
    return 0;
}

static int load_warninglists(struct match_run *r)
{
    /* several paths: load each and keep the first; pat_wl_set_load takes a dir or a file */
    for (size_t i = 0; i < r->o->n_wl; i++) {
        struct error err;
        error_clear(&err);
        struct pat_wl_set *set = NULL;
        if (pat_wl_set_load(&set, r->o->wl[i], &err) != 0) {
            fprintf(stderr, "concord: match: warninglists '%s': %s\n", r->o->wl[i], err.msg);
            return -1;
        }
        if (r->wl) {
            fprintf(stderr, "concord: match: give one --warninglists directory holding every list\n");
            pat_wl_set_free(set);
            return -1;
        }
        r->wl = set;
    }
    return 0;
}

/* The identity that saw the matches: --identity, --org's, or a new one (made=true). */
static int sighting_identity(const struct match_opts *o, char out[128], bool *made)
{
    *made = false;
    if (o->identity) {
        if (strncmp(o->identity, "identity--", 10) != 0 || strlen(o->identity) >= 128) {
            fprintf(stderr, "concord: match: --identity wants an identity id\n");
            return -1;
        }
        snprintf(out, 128, "%s", o->identity);
        return 0;
    }
    if (o->org) {
        struct store *s;
        struct store_org org;
        if (cli_open_store(o->dir, &s))
            return -1;
        int r = store_org_get(s, o->org, &org);
        store_close(s);
        if (r) {
            fprintf(stderr, "concord: no organisation '%s'\n", o->org);
            return -1;
        }
        snprintf(out, 128, "%s", org.identity_id);
        return 0;
    }
    char uuid[STIX_UUID_LEN + 1];
    stix_uuid4(uuid);
    snprintf(out, 128, "identity--%s", uuid);
    *made = true;
    return 0;
}

static int post_sightings(const struct match_opts *o, const char *body, size_t len)
{
    char url[2048];
    size_t n = strlen(o->post);
    bool objects = n >= 9 && strcmp(o->post + n - 9, "/objects/") == 0;
    snprintf(url, sizeof(url), "%s%s%s", o->post, o->post[n ? n - 1 : 0] == '/' ? "" : "/",
             objects ? "" : "objects/");
    struct sync_target t = {.url = url, .token = o->token, .cafile = o->cafile,
                            .insecure = o->insecure};
    struct error err;
    error_clear(&err);
    char *reply = NULL;
    if (sync_post_envelope(&t, body, len, &reply, &err) != 0) {
        fprintf(stderr, "concord: match: cannot post the sightings: %s\n", err.msg);
        return -1;
    }
    json_t *st = reply ? json_loads(reply, 0, NULL) : NULL;
    fprintf(stderr, "posted sightings to %s: %lld added, %lld failed\n", url,
            (long long)json_integer_value(json_object_get(st, "success_count")),
            (long long)json_integer_value(json_object_get(st, "failure_count")));
    int bad = json_integer_value(json_object_get(st, "failure_count")) > 0;
    json_decref(st);
    free(reply);
    return bad ? -1 : 0;
}

static int write_sightings(struct match_run *r)
{
    const struct match_opts *o = r->o;
    if ((!o->sightings && !o->post) || match_sight_count(r->sight) == 0)
        return 0;
    char who[128];
    bool made;
    if (sighting_identity(o, who, &made))
        return -1;
    const char *tlp = share_tlp_id(o->tlp);
    int rc = 0;
    size_t len;
    if (o->sightings) {
        char *text = match_sight_bundle(r->sight, who, made, tlp, false, &len);
        FILE *f = text ? fopen(o->sightings, "w") : NULL;
        if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "concord: match: cannot write '%s'\n", o->sightings);
            rc = -1;
        }
        free(text);
    }
    if (o->post && rc == 0) {
        char *text = match_sight_bundle(r->sight, who, made, tlp, true, &len);
        rc = text ? post_sightings(o, text, len) : -1;
        free(text);
    }
    return rc;
}

static void totals(struct match_run *r, const struct match_load_stats *ls, double secs)
{
    struct pat_index_stats is;
    pat_index_stats(r->idx, &is);
    fprintf(stderr, "%s%ld lines (%ld records, %ld malformed) in %.2f s, %.0f lines/s\n",
            !r->o->quiet && isatty(STDERR_FILENO) ? "\r" : "", r->lines, r->records, r->bad,
            secs, secs > 0 ? (double)r->lines / secs : 0.0);
    fprintf(stderr, "%ld matches of %zu indicators; %zu active indicators (%zu read, %zu inactive,"
            " %zu invalid patterns, %zu in other pattern languages%s)\n",
            r->matches, match_sight_count(r->sight), is.indicators, ls->indicators, is.inactive,
            ls->invalid, ls->other_types, ls->hidden ? ", some hidden by --as" : "");
    if (!r->wl)
        return;
    fprintf(stderr, "%ld matches suppressed by warninglists", r->suppressed);
    struct pat_wl_info wi;
    for (size_t i = 0; i < pat_wl_set_count(r->wl); i++)
        if (pat_wl_set_info(r->wl, i, &wi) == 0 && wi.suppressed)
            fprintf(stderr, "%s %s: %lu", i ? "," : ":", wi.key, wi.suppressed);
    fputc('\n', stderr);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run_match(struct match_run *r, char **logs, int n)
{
    struct match_load_stats ls;
    if (build_index(r, &ls) || load_warninglists(r))
        return CLI_FAIL;
    static char out[1 << 20];
    setvbuf(stdout, out, _IOFBF, sizeof(out));
    double t0 = now_s();
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = read_log(r, logs[i]);
    match_multi_finish(&r->multi, on_multi, r);
    fflush(stdout);
    totals(r, &ls, now_s() - t0);
    if (rc == 0)
        rc = write_sightings(r);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_match(int argc, char **argv)
{
    struct match_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc == 1 ? CLI_OK : rc;
    struct match_run r;
    memset(&r, 0, sizeof(r));
    r.o = &o;
    r.now_ns = stix_now_us() * 1000;
    buf_init(&r.line, 1 << 20);
    match_multi_init(&r.multi);
    r.sight = match_sight_new();
    rc = run_match(&r, argv + optind, argc - optind);
    match_sight_free(r.sight);
    match_multi_release(&r.multi);
    pat_scratch_free(r.scratch);
    pat_index_unref(r.idx);
    pat_wl_set_free(r.wl);
    buf_release(&r.line);
    return rc;
}
