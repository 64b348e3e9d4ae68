/*
 * `concord import` and `concord export`.
 *
 * import: each FILE is a STIX bundle, a TAXII envelope or a JSON array of
 * objects; it is validated and stored through the same ingest path as a
 * TAXII POST, one transaction per file.  Invalid objects are listed on
 * stderr and do not stop the valid ones; the exit code is non-zero when
 * anything failed.
 *
 * export: writes one STIX bundle on stdout with the objects chosen by the
 * same filters as TAXII (collection, type, id, version, added after).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "share/context.h"
#include "stix/id.h"
#include "stix/timestamp.h"
#include "store/ingest.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char import_help[] =
    "usage: concord import -D DIR FILE... [--collection ID] [--org ORG]\n"
    "  FILE: a STIX 2.1 bundle, a TAXII envelope or a JSON array of objects ('-' = stdin)\n"
    "  --collection  collection id or alias (default: the node's default collection)\n"
    "  --org         the organisation delivering the data (it can always read it back);\n"
    "                without it, only what the markings allow is visible to anyone\n";

static const char export_help[] =
    "usage: concord export -D DIR [--collection ID] [--type TYPE]... [--id ID]...\n"
    "                      [--version first|last|all] [--added-after TIMESTAMP] [--as ORG]\n"
    "  Writes one STIX 2.1 bundle on standard output (all collections by default).\n"
    "  --as ORG  only what ORG may read, redacted as ORG would receive it (the sharing\n"
    "            rules); without it, everything stored (the node operator's own copy)\n";

struct import_totals {
    size_t objects, added, existing, failed;
};

static void progress(void *ctx, size_t done, size_t total)
{
    const char *name = ctx;
    int width = 30, filled = total ? (int)(done * (size_t)width / total) : width;
    fprintf(stderr, "\r%-30.30s [%.*s%*s] %zu/%zu", name, filled,
            "##############################", width - filled, "", done, total);
}

static void report_failures(const char *file, const struct store_ingest *ing)
{
    size_t shown = 0;
    for (size_t i = 0; i < ing->n; i++) {
        const struct error *e = &ing->items[i].err;
        if (!e->code)
            continue;
        if (shown++ < 20)
            fprintf(stderr, "concord: %s: %s%s%s\n", file, e->path, e->path[0] ? ": " : "",
                    e->msg);
    }
    if (shown > 20)
        fprintf(stderr, "concord: %s: ... and %zu more rejected objects\n", file, shown - 20);
}

/* A bare JSON array of objects is wrapped into an envelope. */
static char *as_envelope(char *text, size_t *len)
{
    size_t i = 0;
    while (i < *len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
        i++;
    if (i == *len || text[i] != '[')
        return text;
    struct buf b;
    buf_init(&b, (size_t)-1);
    buf_puts(&b, "{\"objects\":");
    buf_append(&b, text, *len);
    buf_putc(&b, '}');
    free(text);
    return buf_take(&b, len);
}

static int import_file(struct store *s, int64_t coll, int64_t origin, const char *file,
                       struct import_totals *t)
{
    size_t len = 0;
    char *text = cli_read_file(file, &len, LIMIT_IMPORT_FILE);
    if (!text)
        return -1;
    text = as_envelope(text, &len);
    struct store_ingest ing;
    struct error err;
    error_clear(&err);
    int r = store_ingest_prepare(&ing, text, len, &err);
    if (!r) {
        if (isatty(STDERR_FILENO)) {
            ing.progress = progress;
            ing.progress_ctx = (void *)file;
        }
        r = store_ingest_commit(&ing, s, coll, NULL, origin, &err);
        if (ing.progress)
            fprintf(stderr, "\r%*s\r", 70, "");
    }
    if (r) {
        fprintf(stderr, "concord: %s: %s%s%s\n", file, err.path, err.path[0] ? ": " : "",
                err.msg);
    } else {
        report_failures(file, &ing);
        size_t existing = 0;
        for (size_t i = 0; i < ing.n; i++)
            if (!ing.items[i].err.code && strcmp(ing.items[i].message, "already added") == 0)
                existing++;
        printf("%s: %zu objects: %zu added, %zu already present, %zu rejected\n", file, ing.n,
               ing.n_ok - existing, existing, ing.n_failed);
        t->objects += ing.n;
        t->added += ing.n_ok - existing;
        t->existing += existing;
        t->failed += ing.n_failed;
    }
    store_ingest_release(&ing);
    free(text);
    return r ? -1 : 0;
}

static int find_collection(const char *dir, struct store *s, const char *id,
                           struct store_coll *c)
{
    struct cli_config cfg;
    struct error err;
    error_clear(&err);
    if (!id) {
        if (cli_config_load(dir, &cfg, &err) || !cfg.default_collection[0]) {
            fprintf(stderr, "concord: no --collection and no default_collection configured\n");
            return -1;
        }
        id = cfg.default_collection;
    }
    if (store_coll_get(s, id, c) != 0) {
        fprintf(stderr, "concord: no collection '%s'\n", id);
        return -1;
    }
    return 0;
}

static int find_org(struct store *s, const char *name, struct store_org *o)
{
    if (store_org_get(s, name, o) == 0)
        return 0;
    fprintf(stderr, "concord: no organisation '%s'\n", name);
    return -1;
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"collection", required_argument, NULL, 'c'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *coll = NULL, *org = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'c': coll = optarg; break;
        case 'o': org = optarg; break;
        case 'h': printf("%s", import_help); return CLI_OK;
        default: fprintf(stderr, "%s", import_help); return CLI_USAGE;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "%s", import_help);
        return CLI_USAGE;
    }
    struct store *s;
    struct store_coll col;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    struct store_org o = {.id = 0};
    if (find_collection(dir, s, coll, &col) || (org && find_org(s, org, &o))) {
        store_close(s);
        return CLI_FAIL;
    }
    struct import_totals t = {0, 0, 0, 0};
    int bad_files = 0;
    for (int i = optind; i < argc; i++)
        bad_files += import_file(s, col.seq, o.id, argv[i], &t) != 0;
    store_close(s);
    printf("total: %zu objects into '%s': %zu added, %zu already present, %zu rejected%s\n",
           t.objects, col.alias[0] ? col.alias : col.id, t.added, t.existing, t.failed,
           bad_files ? ", some files could not be read" : "");
    return (t.failed || bad_files) ? CLI_FAIL : CLI_OK;
}

/* ---- export ---- */

struct export_ctx {
    size_t n;
    char bundle_id[64];
    struct share_ctx *share; /* every exported row goes through the sharing decision */
    struct buf out;
};

static int export_row(void *p, const struct store_row *row)
{
    struct export_ctx *x = p;
    if (!share_ctx_may_read(x->share, row))
        return 0;
    buf_reset(&x->out);
    if (share_ctx_emit(x->share, row, &x->out))
        return ERR_DB;
    if (x->n++ == 0)
        printf("{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[\n", x->bundle_id);
    else
        fputs(",\n", stdout);
    fwrite(x->out.data, 1, x->out.len, stdout);
    return 1;
}

struct export_opts {
    const char *coll;
    const char *types[LIMIT_MATCH_VALUES], *ids[LIMIT_MATCH_VALUES];
    size_t n_types, n_ids;
    unsigned ver;
    int64_t added_after;
    const char *as;
};

static int export_coll(void *p, const struct store_coll *c);

struct export_run {
    struct store *s;
    struct export_opts *o;
    struct export_ctx x;
    int rc;
};

static int export_coll(void *p, const struct store_coll *c)
{
    struct export_run *run = p;
    struct store_query q = {.coll = c->seq, .added_after_us = run->o->added_after,
                            .ids = run->o->ids, .n_ids = run->o->n_ids,
                            .types = run->o->types, .n_types = run->o->n_types,
                            .ver_flags = run->o->ver};
    if (!run->x.share->reader.everything) {
        q.visible_to = run->x.share->reader.identity;
        q.visible_org = run->x.share->reader.org_id;
        q.visible = share_ctx_visible; /* --version first/last: as this organisation sees it */
        q.visible_ctx = run->x.share;
    }
    bool more;
    run->rc = store_obj_query(run->s, &q, export_row, &run->x, &more);
    return run->rc;
}

static int parse_export_opt(int c, struct export_opts *o)
{
    int64_t ns;
    switch (c) {
    case 'c': o->coll = optarg; return 0;
    case 's': o->as = optarg; return 0;
    case 't':
        if (o->n_types == LIMIT_MATCH_VALUES || !stix_type_name_valid(optarg, strlen(optarg)))
            return -1;
        o->types[o->n_types++] = optarg;
        return 0;
    case 'i':
        if (o->n_ids == LIMIT_MATCH_VALUES || stix_id_check(optarg, NULL, NULL))
            return -1;
        o->ids[o->n_ids++] = optarg;
        return 0;
    case 'v':
        o->ver = !strcmp(optarg, "first") ? STORE_VER_FIRST
                 : !strcmp(optarg, "all") ? STORE_VER_ALL
                 : !strcmp(optarg, "last") ? STORE_VER_LAST : 0;
        return o->ver ? 0 : -1;
    case 'a':
        if (stix_ts_parse(optarg, strlen(optarg), &ns, NULL))
            return -1;
        o->added_after = ns / 1000;
        return 0;
    }
    return -1;
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"collection", required_argument, NULL, 'c'},
                                         {"type", required_argument, NULL, 't'},
                                         {"id", required_argument, NULL, 'i'},
                                         {"version", required_argument, NULL, 'v'},
                                         {"added-after", required_argument, NULL, 'a'},
                                         {"as", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct export_opts o;
    memset(&o, 0, sizeof(o));
    o.ver = STORE_VER_LAST;
    o.added_after = -1;
    const char *dir = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        if (c == 'D')
            dir = optarg;
        else if (c == 'h')
            return printf("%s", export_help), CLI_OK;
        else if (parse_export_opt(c, &o)) {
            fprintf(stderr, "concord: export: bad value for --%s\n%s",
                    c == 't' ? "type" : c == 'i' ? "id" : c == 'v' ? "version" : "added-after",
                    export_help);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s", export_help);
        return CLI_USAGE;
    }
    struct store *s;
    if (!(dir = cli_data_dir(dir)) || cli_open_store(dir, &s))
        return CLI_FAIL;
    struct export_run run = {s, &o, {0, "", NULL, {0}}, 0};
    struct share_ctx share;
    struct store_org as = {.id = 0};
    if (o.as && find_org(s, o.as, &as)) {
        store_close(s);
        return CLI_FAIL;
    }
    share_ctx_init(&share, s, as.id, o.as == NULL);
    run.x.share = &share;
    buf_init(&run.x.out, (size_t)1 << 30);
    char uuid[STIX_UUID_LEN + 1];
    stix_uuid4(uuid);
    snprintf(run.x.bundle_id, sizeof(run.x.bundle_id), "bundle--%s", uuid);
    struct store_coll col;
    if (o.coll && store_coll_get(s, o.coll, &col) != 0) {
        fprintf(stderr, "concord: no collection '%s'\n", o.coll);
        store_close(s);
        return CLI_FAIL;
    }
    int r = o.coll ? export_coll(&run, &col) : store_coll_list(s, export_coll, &run);
    share_ctx_release(&share);
    buf_release(&run.x.out);
    store_close(s);
    if (r) {
        fprintf(stderr, "concord: export failed\n");
        return CLI_FAIL;
    }
    if (run.x.n)
        fputs("\n]}\n", stdout);
    else
        printf("{\"type\":\"bundle\",\"id\":\"%s\"}\n", run.x.bundle_id);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
