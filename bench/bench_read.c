/*
 * bench_read: read load on a TAXII 2.1 server holding N indicators.
 *   1. paging: C concurrent clients each page through
 *      objects/?limit=100&match[type]=indicator following `next`
 *      (restarting at the end) for D seconds -> pages/s;
 *   2. by id: C clients GET objects/{id}/ for random stored ids -> req/s.
 *
 *   bench_read [--bin CONCORD] [--dir DIR] [--objects N] [--clients C]
 *              [--seconds D] [--threads T] [--mixed]
 *
 * --mixed: objects from four creating organisations with mixed markings
 * (CLEAR, GREEN, AMBER + the creator's sharing group, RED + that group,
 * GREEN + that group), read by clients of the four organisations in turn.
 * Each group names all four, so every reader may see every object, each
 * by a different rule: pages hold the same rows as without --mixed, and the
 * difference is the cost of the decision itself.
 * --mixed-partial: the same, but the fifth class is unmarked (AMBER by
 * default) and each creator's group names only itself and the asean
 * community, so a reader sees about half of the objects and each page
 * also skips the hidden rows.
 * Without either every object is TLP:CLEAR, read by one organisation (the
 * decision still runs).
 *   bench_read --url COLLECTION_URL --basic USER:PASSWORD --objects N [...]
 *
 * With --dir, an existing data directory is reused (and filled up to N
 * objects first, unless a DIR/bench-filled-N marker says an earlier run
 * did); without, a temporary one is made.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

struct opts {
    const char *bin, *dir, *url, *basic;
    long objects, clients, seconds, threads;
    int mixed; /* 0, 1 (--mixed), 2 (--mixed-partial) */
};

struct shared {
    const struct opts *o;
    char coll_url[512];
    char auth[256];
    char auths[4][300];       /* --mixed: one per reading organisation */
    int n_auths;
    atomic_int next_auth;
    struct bench_marks marks;
    int use_marks;
    double deadline;
    atomic_long pages, objects, requests, errors;
    int mode; /* 0 paging, 1 by id */
};

struct body {
    char *p;
    size_t n, cap;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    struct body *b = ud;
    size_t k = sz * n;
    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, k);
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

static CURL *client_handle(struct shared *sh, struct curl_slist **h, struct body *b)
{
    CURL *c = curl_easy_init();
    *h = curl_slist_append(NULL, "Accept: application/taxii+json;version=2.1");
    int i = sh->n_auths ? atomic_fetch_add(&sh->next_auth, 1) % sh->n_auths : -1;
    *h = curl_slist_append(*h, i >= 0 ? sh->auths[i] : sh->auth);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, *h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    return c;
}

/*
 * Count objects in a page and find "next" (a crude scan is enough here;
 * other servers put a space after ':').
 */
static int page_next(const char *body, char *next, size_t n, long *count)
{
    long k = 0;
    for (const char *p = body; (p = strstr(p, "\"indicator--")); p++)
        k++;
    *count = k;
    const char *p = strstr(body, "\"next\":");
    if (!p)
        return 0;
    p += 7;
    while (*p == ' ')
        p++;
    if (*p++ != '"')
        return 0;
    size_t len = strcspn(p, "\"");
    snprintf(next, n, "%.*s", (int)(len < n ? len : n - 1), p);
    return 1;
}

static void *pager(void *arg)
{
    struct shared *sh = arg;
    struct body b = {NULL, 0, 0};
    struct curl_slist *h;
    CURL *c = client_handle(sh, &h, &b);
    char url[1024], next[256] = "";
    while (bench_now() < sh->deadline) {
        snprintf(url, sizeof(url), "%sobjects/?limit=100&match%%5Btype%%5D=indicator%s%s",
                 sh->coll_url, next[0] ? "&next=" : "", next);
        curl_easy_setopt(c, CURLOPT_URL, url);
        b.n = 0;
        long code = 0, count = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), code != 200)) {
            atomic_fetch_add(&sh->errors, 1);
            next[0] = '\0';
            continue;
        }
        if (!page_next(b.p, next, sizeof(next), &count))
            next[0] = '\0';
        atomic_fetch_add(&sh->pages, 1);
        atomic_fetch_add(&sh->objects, count);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(b.p);
    return NULL;
}

static void *getter(void *arg)
{
    struct shared *sh = arg;
    struct body b = {NULL, 0, 0};
    struct curl_slist *h;
    CURL *c = client_handle(sh, &h, &b);
    unsigned seed = (unsigned)(uintptr_t)&b;
    char url[1024], id[64];
    while (bench_now() < sh->deadline) {
        bench_indicator_id((long)(rand_r(&seed) % (unsigned)sh->o->objects), id);
        snprintf(url, sizeof(url), "%sobjects/%s/", sh->coll_url, id);
        curl_easy_setopt(c, CURLOPT_URL, url);
        b.n = 0;
        long code = 0;
        /* --mixed: an id the reader may not see is a correct 404 */
        if (curl_easy_perform(c) != CURLE_OK ||
            (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code),
             code != 200 && !(code == 404 && sh->use_marks)))
            atomic_fetch_add(&sh->errors, 1);
        else
            atomic_fetch_add(&sh->requests, 1);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(b.p);
    return NULL;
}

static void run_phase(struct shared *sh, int mode)
{
    pthread_t th[256];
    long n = sh->o->clients > 256 ? 256 : sh->o->clients;
    sh->mode = mode;
    atomic_store(&sh->pages, 0);
    atomic_store(&sh->objects, 0);
    atomic_store(&sh->requests, 0);
    atomic_store(&sh->errors, 0);
    double t0 = bench_now();
    sh->deadline = t0 + (double)sh->o->seconds;
    for (long i = 0; i < n; i++)
        pthread_create(&th[i], NULL, mode ? getter : pager, sh);
    for (long i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    double dt = bench_now() - t0;
    if (mode == 0)
        printf("paging limit=100 match[type]=indicator, %ld clients: %.1f pages/s (%.0f objects/s,"
               " %ld errors)\n",
               n, (double)atomic_load(&sh->pages) / dt, (double)atomic_load(&sh->objects) / dt,
               atomic_load(&sh->errors));
    else
        printf("GET object by id, %ld clients: %.1f req/s (%ld errors)\n", n,
               (double)atomic_load(&sh->requests) / dt, atomic_load(&sh->errors));
    fflush(stdout);
}

/* POST the N objects; 0 when every request went through. */
static int fill(struct shared *sh, const char *objects_url)
{
    int result = 0;
    const struct opts *o = sh->o;
    size_t cap = 1000 * 700 + 64;
    char *body = malloc(cap);
    struct body b = {NULL, 0, 0};
    struct curl_slist *h;
    CURL *c = client_handle(sh, &h, &b);
    h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_URL, objects_url);
    for (long first = 0; first < o->objects; first += 1000) {
        long count = o->objects - first < 1000 ? o->objects - first : 1000;
        size_t len = bench_envelope_marked(body, cap, first, count, sh->use_marks ? &sh->marks : NULL);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
        b.n = 0;
        if (curl_easy_perform(c) != CURLE_OK) {
            fprintf(stderr, "fill failed at %ld\n", first);
            result = -1;
            break;
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    free(b.p);
    return result;
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"bin", 1, NULL, 'b'},     {"dir", 1, NULL, 'd'},     {"url", 1, NULL, 'u'},
        {"basic", 1, NULL, 'a'},   {"objects", 1, NULL, 'n'}, {"clients", 1, NULL, 'c'},
        {"seconds", 1, NULL, 's'}, {"threads", 1, NULL, 't'}, {"mixed", 0, NULL, 'm'},
        {"mixed-partial", 0, NULL, 'p'}, {NULL, 0, NULL, 0}};
    *o = (struct opts){"./build-release/concord", NULL, NULL, NULL, 1000000, 16, 10, 4, 0};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'b': o->bin = optarg; break;
        case 'd': o->dir = optarg; break;
        case 'u': o->url = optarg; break;
        case 'a': o->basic = optarg; break;
        case 'n': o->objects = atol(optarg); break;
        case 'c': o->clients = atol(optarg); break;
        case 's': o->seconds = atol(optarg); break;
        case 't': o->threads = atol(optarg); break;
        case 'm': o->mixed = 1; break;
        case 'p': o->mixed = 2; break;
        default: fprintf(stderr, "see the comment at the top of bench/bench_read.c\n"); exit(2);
        }
    }
}

/*
 * --mixed / --mixed-partial: organisations m1..m3 (SG, MY, FR) besides
 * "bench" (SG), each with a user, a token and its own sharing group.
 */
static char mixed_ids[4][128], mixed_groups[4][128];

static const char *mixed_names[] = {"bench", "m1", "m2", "m3"};

static int mixed_org(struct shared *sh, const char *bin, const char *dir, int i)
{
    static const char *cc[] = {"SG", "SG", "MY", "FR"};
    const char **orgs = mixed_names;
    char cmd[2048], line[256];
    snprintf(cmd, sizeof(cmd), "%s org list -D %s | awk '$1==\"%s\"{print $4}'", bin, dir, orgs[i]);
    if (bench_run(cmd, NULL, mixed_ids[i], sizeof(mixed_ids[0])))
        return -1;
    if (!mixed_ids[i][0]) {
        snprintf(cmd, sizeof(cmd), "%s org add -D %s %s --country %s", bin, dir, orgs[i], cc[i]);
        if (bench_run(cmd, NULL, mixed_ids[i], sizeof(mixed_ids[0])))
            return -1;
        snprintf(cmd, sizeof(cmd), "%s user add -D %s %s-user --org %s >/dev/null", bin, dir,
                 orgs[i], orgs[i]);
        if (bench_run(cmd, "bench-password\n", NULL, 0))
            return -1;
    }
    if (i > 0) {
        snprintf(cmd, sizeof(cmd), "%s token create -D %s %s-user", bin, dir, orgs[i]);
        if (bench_run(cmd, NULL, line, sizeof(line)))
            return -1;
        snprintf(sh->auths[i], sizeof(sh->auths[0]), "Authorization: Bearer %s", line);
    }
    return 0;
}

/* Organisation i's sharing group, made on the first run and remembered in DIR. */
static int mixed_group(struct shared *sh, const char *bin, const char *dir, int i)
{
    const char **orgs = mixed_names;
    char cmd[2048], line[256];
    snprintf(cmd, sizeof(cmd), "%s group add -D %s g-%s --creator %s --collection bench %s",
             bin, dir, orgs[i], orgs[i],
             sh->o->mixed == 1 ? "--org bench,m1,m2,m3" : "--org bench --community asean");
    snprintf(line, sizeof(line), "%s/mixed-group-%d", dir, i);
    FILE *f = fopen(line, "r");
    if (f) {
        if (!fgets(mixed_groups[i], sizeof(mixed_groups[i]), f))
            mixed_groups[i][0] = '\0';
        fclose(f);
        mixed_groups[i][strcspn(mixed_groups[i], "\n")] = '\0';
    }
    if (!mixed_groups[i][0]) {
        if (bench_run(cmd, NULL, mixed_groups[i], sizeof(mixed_groups[0])))
            return -1;
        f = fopen(line, "w");
        if (f) {
            fprintf(f, "%s\n", mixed_groups[i]);
            fclose(f);
        }
    }
    return 0;
}

static int mixed_setup(struct shared *sh, const char *bin, const char *dir, const char *bench_tok)
{
    snprintf(sh->auths[0], sizeof(sh->auths[0]), "Authorization: Bearer %s", bench_tok);
    for (int i = 0; i < 4; i++)
        if (mixed_org(sh, bin, dir, i))
            return -1;
    for (int i = 0; i < 4; i++) {
        if (mixed_group(sh, bin, dir, i))
            return -1;
        sh->marks.creators[i] = mixed_ids[i];
        sh->marks.groups[i] = mixed_groups[i];
    }
    sh->marks.n_creators = 4;
    sh->marks.all_visible = sh->o->mixed == 1;
    sh->n_auths = 4;
    sh->use_marks = 1;
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    parse(argc, argv, &o);
    curl_global_init(CURL_GLOBAL_ALL);
    struct shared sh;
    memset(&sh, 0, sizeof(sh));
    sh.o = &o;
    struct bench_node node;
    memset(&node, 0, sizeof(node));
    char tmpdir[128] = "", objects_url[600];
    if (o.url) {
        snprintf(sh.coll_url, sizeof(sh.coll_url), "%s", o.url);
        bench_basic_header(o.basic ? o.basic : "", sh.auth, sizeof(sh.auth));
    } else {
        if (!o.dir) {
            snprintf(tmpdir, sizeof(tmpdir), "/tmp/concord-bench-read-%d", (int)getpid());
            o.dir = tmpdir;
        }
        if (bench_node_start(&node, o.bin, o.dir, (unsigned)o.threads)) {
            fprintf(stderr, "cannot start %s (build it first)\n", o.bin);
            return 1;
        }
        snprintf(sh.coll_url, sizeof(sh.coll_url), "%s/api/collections/%s/", node.url, node.coll);
        snprintf(sh.auth, sizeof(sh.auth), "Authorization: Bearer %s", node.token);
        if (o.mixed && mixed_setup(&sh, o.bin, o.dir, node.token)) {
            fprintf(stderr, "cannot set up the organisations for --mixed\n");
            return 1;
        }
    }
    snprintf(objects_url, sizeof(objects_url), "%sobjects/", sh.coll_url);
    bench_machine();
    double t0 = bench_now();
    char marker[700] = "";
    if (o.dir)
        snprintf(marker, sizeof(marker), "%s/bench-filled-%ld%s", o.dir, o.objects,
                 o.mixed == 1 ? "-mixed" : o.mixed == 2 ? "-partial" : "");
    if (!marker[0] || access(marker, F_OK) != 0) {
        /* idempotent: already stored objects are "already added" */
        FILE *f = fill(&sh, objects_url) == 0 && marker[0] ? fopen(marker, "w") : NULL;
        if (f)
            fclose(f);
    }
    printf("read: %ld indicators stored (fill took %.1f s) at %s, %s\n", o.objects,
           bench_now() - t0, sh.coll_url,
           !sh.use_marks        ? "all TLP:CLEAR"
           : o.mixed == 1       ? "mixed markings, 4 reading organisations, all visible"
                                : "mixed markings, 4 reading organisations, about half visible");
    run_phase(&sh, 0);
    run_phase(&sh, 1);
    bench_finish(&node, tmpdir);
    curl_global_cleanup();
    return 0;
}
