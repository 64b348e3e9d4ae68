/*
 * bench_sync: node B pulls N indicators from node A over loopback TAXII
 * 2.1 (a real `concord serve --http` for A; B's round runs in this process
 * through src/sync/, exactly what `concord sync` does), then an
 * incremental round with nothing new.  Prints the machine and figures; no
 * timed asserts.  Targets (issue): >= 30,000 objects/s for the full pull,
 * < 100 ms for the empty incremental round.
 *
 *   bench_sync [--bin CONCORD] [--dir DIR_A] [--objects N] [--limit PAGE]
 *
 * --dir reuses (and fills up to N, once) node A's data directory, so the
 * 1,000,000-object fill is paid once; B is always a fresh directory.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "store/store.h"
#include "sync/sync.h"

struct opts {
    const char *bin, *dir;
    long objects;
    long limit;
};

static size_t sink(char *p, size_t s, size_t n, void *ctx)
{
    return s * n;
}

/* POST N CLEAR indicators to A, 1000 per envelope. */
static int fill(const struct bench_node *a, long objects)
{
    char url[512], auth[200];
    snprintf(url, sizeof(url), "%s/api/collections/%s/objects/", a->url, a->coll);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a->token);
    size_t cap = 1000 * 700 + 64;
    char *body = malloc(cap);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
    h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    int r = 0;
    for (long first = 0; r == 0 && first < objects; first += 1000) {
        long count = objects - first < 1000 ? objects - first : 1000;
        size_t len = bench_envelope(body, cap, first, count);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
        r = curl_easy_perform(c) == CURLE_OK ? 0 : -1;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    return r;
}

/* A fresh node B with a peer "a" pulling A's bench collection. */
static int make_b(const char *bin, const char *dir, const struct bench_node *a)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "%s init -D %s >/dev/null && %s org add -D %s a-node >/dev/null && "
             "%s collection add -D %s Bench --alias bench >/dev/null",
             bin, dir, bin, dir, bin, dir);
    if (bench_run(cmd, NULL, NULL, 0))
        return -1;
    snprintf(cmd, sizeof(cmd),
             "%s peer add -D %s a %s/api/ --org a-node --user bench --pull bench:bench", bin,
             dir, a->url);
    return bench_run(cmd, "bench-password\n", NULL, 0);
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {{"bin", 1, NULL, 'b'}, {"dir", 1, NULL, 'd'},
                                       {"objects", 1, NULL, 'n'}, {"limit", 1, NULL, 'l'},
                                       {NULL, 0, NULL, 0}};
    *o = (struct opts){"./build-sync-rel/concord", NULL, 1000000, 1000};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'b': o->bin = optarg; break;
        case 'd': o->dir = optarg; break;
        case 'n': o->objects = strtol(optarg, NULL, 10); break;
        case 'l': o->limit = strtol(optarg, NULL, 10); break;
        default: fprintf(stderr, "see the comment at the top of bench/bench_sync.c\n"); exit(2);
        }
    }
}

static int round_of(const char *db, struct sync_result *res, size_t limit, double *secs)
{
    struct store *s;
    struct error err;
    error_clear(&err);
    if (store_sqlite_open(db, &s, &err))
        return -1;
    struct store_peer p;
    int r = store_peer_get(s, "a", &p);
    struct sync_options o = {.page_limit = limit};
    double t0 = bench_now();
    if (!r)
        r = sync_peer_round(s, &p, &o, res);
    *secs = bench_now() - t0;
    store_close(s);
    return r;
}

int main(int argc, char **argv)
{
    struct opts o;
    parse(argc, argv, &o);
    curl_global_init(CURL_GLOBAL_ALL);
    char tmp_a[128] = "", dir_b[128], db_b[256];
    if (!o.dir) {
        snprintf(tmp_a, sizeof(tmp_a), "/tmp/concord-bench-sync-a-%d", (int)getpid());
        o.dir = tmp_a;
    }
    snprintf(dir_b, sizeof(dir_b), "/tmp/concord-bench-sync-b-%d", (int)getpid());
    snprintf(db_b, sizeof(db_b), "%s/concord.db", dir_b);
    struct bench_node a;
    memset(&a, 0, sizeof(a));
    if (bench_node_start(&a, o.bin, o.dir, 4)) {
        fprintf(stderr, "cannot start %s (build it first)\n", o.bin);
        return 1;
    }
    bench_machine();
    char marker[600];
    snprintf(marker, sizeof(marker), "%s/bench-sync-filled-%ld", o.dir, o.objects);
    double t0 = bench_now();
    if (access(marker, F_OK) != 0) {
        FILE *f = fill(&a, o.objects) == 0 ? fopen(marker, "w") : NULL;
        if (f)
            fclose(f);
    }
    printf("node A: %ld indicators (fill took %.1f s)\n", o.objects, bench_now() - t0);
    struct sync_result res;
    double secs = 0;
    int r = make_b(o.bin, dir_b, &a) ? -1 : round_of(db_b, &res, (size_t)o.limit, &secs);
    if (r == 0) {
        printf("full pull: %lld objects (%lld new) in %.2f s = %.0f objects/s (page %ld)\n",
               (long long)res.pulled, (long long)res.added, secs, (double)res.pulled / secs,
               o.limit);
        r = round_of(db_b, &res, (size_t)o.limit, &secs);
        if (r == 0)
            printf("incremental round, nothing new: %.1f ms (pulled %lld)\n", secs * 1000.0,
                   (long long)res.pulled);
    }
    if (r)
        fprintf(stderr, "sync failed: %s\n", res.err.msg);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir_b);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir_b);
    bench_finish(&a, tmp_a);
    curl_global_cleanup();
    return r ? 1 : 0;
}
