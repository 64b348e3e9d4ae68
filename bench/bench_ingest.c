/*
 * bench_ingest: POST envelopes of generated indicators to a TAXII 2.1
 * server until N objects are stored; prints objects/s overall and per
 * window of 100,000 objects (sustained rate), and the server's peak RSS.
 *
 *   bench_ingest [--bin CONCORD] [--dir DIR] [--objects N] [--batch B]
 *                [--clients C] [--threads T]
 *   bench_ingest --url OBJECTS_URL --basic USER:PASSWORD [...]   (another server)
 *
 * By default it starts its own `concord serve --http` on 127.0.0.1 with a
 * fresh data directory (removed afterwards unless --dir is given).
 */
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

struct opts {
    const char *bin, *dir, *url, *basic;
    long objects, batch, clients, threads;
};

struct shared {
    const struct opts *o;
    char objects_url[512];
    char auth[256];
    atomic_long next_batch;
    atomic_long stored;
    atomic_long failed;
    double t0;
    pthread_mutex_t lock;
    long window_mark;
    double window_t;
};

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

static void window_report(struct shared *sh, long stored)
{
    pthread_mutex_lock(&sh->lock);
    if (stored - sh->window_mark >= 100000) {
        double now = bench_now();
        printf("  %8ld objects stored: window %.0f objects/s\n", stored,
               (double)(stored - sh->window_mark) / (now - sh->window_t));
        fflush(stdout);
        sh->window_mark = stored;
        sh->window_t = now;
    }
    pthread_mutex_unlock(&sh->lock);
}

static void *client(void *p)
{
    struct shared *sh = p;
    const struct opts *o = sh->o;
    size_t cap = (size_t)o->batch * 700 + 64;
    char *body = malloc(cap);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
    h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    h = curl_slist_append(h, sh->auth);
    curl_easy_setopt(c, CURLOPT_URL, sh->objects_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    long nbatches = (o->objects + o->batch - 1) / o->batch;
    long b;
    while ((b = atomic_fetch_add(&sh->next_batch, 1)) < nbatches) {
        long first = b * o->batch;
        long count = first + o->batch > o->objects ? o->objects - first : o->batch;
        size_t len = bench_envelope(body, cap, first, count);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
        long code = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), code != 202 && code != 200)) {
            atomic_fetch_add(&sh->failed, count);
            fprintf(stderr, "batch %ld failed (HTTP %ld)\n", b, code);
            continue;
        }
        window_report(sh, atomic_fetch_add(&sh->stored, count) + count);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    return NULL;
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"bin", 1, NULL, 'b'},     {"dir", 1, NULL, 'd'},     {"url", 1, NULL, 'u'},
        {"basic", 1, NULL, 'a'},   {"objects", 1, NULL, 'n'}, {"batch", 1, NULL, 'B'},
        {"clients", 1, NULL, 'c'}, {"threads", 1, NULL, 't'}, {NULL, 0, NULL, 0}};
    *o = (struct opts){"./build-release/concord", NULL, NULL, NULL, 1000000, 1000, 2, 4};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'b': o->bin = optarg; break;
        case 'd': o->dir = optarg; break;
        case 'u': o->url = optarg; break;
        case 'a': o->basic = optarg; break;
        case 'n': o->objects = atol(optarg); break;
        case 'B': o->batch = atol(optarg); break;
        case 'c': o->clients = atol(optarg); break;
        case 't': o->threads = atol(optarg); break;
        default: fprintf(stderr, "see the comment at the top of bench/bench_ingest.c\n"); exit(2);
        }
    }
}

int main(int argc, char **argv)
{
    struct opts o;
    parse(argc, argv, &o);
    curl_global_init(CURL_GLOBAL_ALL);
    struct shared sh;
    memset(&sh, 0, sizeof(sh));
    sh.o = &o;
    pthread_mutex_init(&sh.lock, NULL);
    struct bench_node node;
    memset(&node, 0, sizeof(node));
    char tmpdir[128] = "";
    if (o.url) {
        snprintf(sh.objects_url, sizeof(sh.objects_url), "%s", o.url);
        bench_basic_header(o.basic ? o.basic : "", sh.auth, sizeof(sh.auth));
    } else {
        if (!o.dir) {
            snprintf(tmpdir, sizeof(tmpdir), "/tmp/concord-bench-ingest-%d", (int)getpid());
            o.dir = tmpdir;
        }
        if (bench_node_start(&node, o.bin, o.dir, (unsigned)o.threads)) {
            fprintf(stderr, "cannot start %s (build it first)\n", o.bin);
            return 1;
        }
        snprintf(sh.objects_url, sizeof(sh.objects_url), "%s/api/collections/%s/objects/",
                 node.url, node.coll);
        snprintf(sh.auth, sizeof(sh.auth), "Authorization: Bearer %s", node.token);
    }
    bench_machine();
    printf("ingest: %ld objects in envelopes of %ld, %ld clients -> %s\n", o.objects, o.batch,
           o.clients, sh.objects_url);
    pthread_t th[64];
    sh.t0 = sh.window_t = bench_now();
    for (long i = 0; i < o.clients && i < 64; i++)
        pthread_create(&th[i], NULL, client, &sh);
    for (long i = 0; i < o.clients && i < 64; i++)
        pthread_join(th[i], NULL);
    double dt = bench_now() - sh.t0;
    long stored = atomic_load(&sh.stored);
    printf("ingest: %ld objects in %.2f s = %.0f objects/s (%ld failed)\n", stored, dt,
           (double)stored / dt, atomic_load(&sh.failed));
    bench_finish(&node, tmpdir);
    curl_global_cleanup();
    return atomic_load(&sh.failed) ? 1 : 0;
}
