/*
 * Benchmark of the reference evaluator, whole process: `concord pattern
 * eval FILE P1 ... P100` over 1,000 observed-data bundles.
 *
 * The target is "the same 100 patterns over the same 1,000
 * observation bundles at least 100 times faster than the OASIS reference
 * matcher (stix2matcher, Python), whole process".  This program generates
 * the workload deterministically (fixed seed, xorshift64*) into a fresh
 * temporary directory (or --out DIR, kept), times concord on it, and
 * prints the machine and the figures.  The matcher itself is not run here
 * (not installable on this machine); bench/pattern_eval_vs_stix2matcher.sh
 * runs both on the same files when `stix2-matcher` is on PATH.
 *
 * Files written:
 *   patterns.txt         the 100 patterns, one per line (stix2-matcher -p)
 *   bundles.json         JSON array of the 1,000 bundles (STIX 2.1, object_refs)
 *   bundle.json          the same objects as one bundle (stix2-matcher -f)
 *   observed-data-20.json the same as a JSON list of 2.0 observed-data with
 *                        embedded objects (stix2-matcher releases for STIX 2.0)
 *
 * usage: bench_pattern_eval [--out DIR] [--runs N] [--concord PATH] [--gen-only]
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define N_OBS 1000
#define N_PATTERNS 100
#define SEED 0x5eed2026c0c0a5ULL

/* ---- deterministic generator ------------------------------------------------ */

static uint64_t rng_state = SEED;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(rng() % n);
}

static void ip_of(unsigned k, char out[32])
{
    snprintf(out, 32, "10.%u.%u.%u", k % 4, (k * 7) % 256, 1 + (k * 13) % 250);
}

static void domain_of(unsigned k, char out[64])
{
    static const char *tld[] = {"com", "net", "org", "example", "test"};
    snprintf(out, 64, "host%u.zone%u.%s", k, k % 17, tld[k % 5]);
}

static void md5_of(unsigned k, char out[33])
{
    uint64_t a = 0x9e3779b97f4a7c15ULL * (k + 1), b = 0xc2b2ae3d27d4eb4fULL * (k + 7);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

static void ts_of(unsigned sec, char out[32])
{
    snprintf(out, 32, "2024-03-01T%02u:%02u:%02uZ", 8 + sec / 3600, sec / 60 % 60, sec % 60);
}

/* ---- observations ------------------------------------------------------------ */

static char *id_of(const char *type, unsigned obs, unsigned k, char out[96])
{
    snprintf(out, 96, "%s--00000000-0000-4000-8000-%06u%06u", type, obs, k);
    return out;
}

static json_t *sco(const char *type, unsigned obs, unsigned k, const char *prop, const char *v)
{
    char id[96];

    return json_pack("{s:s,s:s,s:s,s:s}", "type", type, "spec_version", "2.1", "id",
                     id_of(type, obs, k, id), prop, v);
}

/* The SCOs of observation i: network-traffic + two addresses, a domain, a file, a url. */
static json_t *make_scos(unsigned i)
{
    json_t *scos = json_array(), *nt, *file;
    char ip1[32], ip2[32], dom[64], md5[33], url[128];
    unsigned port, proto, name, size;

    ip_of(pick(200), ip1);
    ip_of(pick(200), ip2);
    domain_of(pick(150), dom);
    md5_of(pick(100), md5);
    snprintf(url, sizeof(url), "http://%s/p/%u", dom, pick(40));
    port = pick(2) ? 443 : 80 + pick(8000);
    proto = pick(4);
    name = pick(3);
    size = pick(100000);
    json_array_append_new(scos, sco("ipv4-addr", i, 1, "value", ip1));
    json_array_append_new(scos, sco("ipv4-addr", i, 2, "value", ip2));
    nt = sco("network-traffic", i, 3, "src_ref", json_string_value(json_object_get(
                                                     json_array_get(scos, 0), "id")));
    json_object_set(nt, "dst_ref", json_object_get(json_array_get(scos, 1), "id"));
    json_object_set_new(nt, "dst_port", json_integer(port));
    json_object_set_new(nt, "protocols", json_pack("[s]", proto ? "tcp" : "udp"));
    json_array_append_new(scos, nt);
    json_array_append_new(scos, sco("domain-name", i, 4, "value", dom));
    file = sco("file", i, 5, "name", name ? "invoice.pdf" : "setup.exe");
    json_object_set_new(file, "hashes", json_pack("{s:s}", "MD5", md5));
    json_object_set_new(file, "size", json_integer(size));
    json_array_append_new(scos, file);
    json_array_append_new(scos, sco("url", i, 6, "value", url));
    return scos;
}

static json_t *make_observed(unsigned i, json_t *scos)
{
    json_t *refs = json_array(), *o;
    char id[96], first[32], last[32];
    unsigned sec = i * 7 + pick(5);
    size_t k;

    for (k = 0; k < json_array_size(scos); k++)
        json_array_append(refs, json_object_get(json_array_get(scos, k), "id"));
    ts_of(sec, first);
    ts_of(sec + pick(3), last);
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "type", "observed-data", "spec_version",
                  "2.1", "id", id_of("observed-data", i, 0, id), "created",
                  "2024-03-01T00:00:00.000Z", "modified", "2024-03-01T00:00:00.000Z",
                  "first_observed", first, "last_observed", last, "number_observed", 1);
    json_object_set_new(o, "object_refs", refs);
    return o;
}

/* The 2.0 form of one observation: SCOs embedded under "0".."5", references by key. */
static json_t *make_observed20(json_t *obs21, json_t *scos)
{
    json_t *o = json_deep_copy(obs21), *objs = json_object(), *sco;
    const char *ref_keys[] = {"src_ref", "dst_ref"};
    char key[24];
    size_t k;

    json_object_del(o, "object_refs");
    json_object_del(o, "spec_version");
    json_array_foreach (scos, k, sco) {
        json_t *c = json_deep_copy(sco);
        json_object_del(c, "id");
        json_object_del(c, "spec_version");
        for (int r = 0; r < 2; r++)
            if (json_object_get(c, ref_keys[r]))
                json_object_set_new(c, ref_keys[r], json_string(r ? "1" : "0"));
        snprintf(key, sizeof(key), "%zu", k);
        json_object_set_new(objs, key, c);
    }
    json_object_set_new(o, "objects", objs);
    return o;
}

/* ---- patterns ------------------------------------------------------------------ */

/* One bracket, of kind k (0..9), with values from the pools. */
static void bracket(unsigned k, char *out, size_t n)
{
    char a[64], b[64], h[33];
    unsigned x;

    ip_of(pick(300), a); /* pools a third larger than the observations': some misses */
    domain_of(pick(200), b);
    md5_of(pick(130), h);
    x = pick(200 * 4 * 256);
    switch (k % 10) {
    case 0:
        snprintf(out, n, "[ipv4-addr:value = '%s']", a);
        break;
    case 1:
        snprintf(out, n, "[domain-name:value = '%s']", b);
        break;
    case 2:
        snprintf(out, n, "[file:hashes.MD5 = '%s']", h);
        break;
    case 3:
        snprintf(out, n,
                 "[network-traffic:src_ref.value = '%s' AND network-traffic:dst_port = 443]", a);
        break;
    case 4:
        snprintf(out, n, "[ipv4-addr:value ISSUBSET '10.%u.%u.0/24']", x % 4, (x / 4) % 256);
        break;
    case 5:
        snprintf(out, n, "[url:value LIKE 'http://host%u.%%']", x % 200);
        break;
    case 6:
        snprintf(out, n, "[domain-name:value MATCHES '^host%u[0-9][.]zone']", x % 20);
        break;
    case 7:
        snprintf(out, n, "[file:name = 'setup.exe' AND file:size > %u]", x % 100000);
        break;
    case 8:
        snprintf(out, n, "[domain-name:value IN ('%s', 'nothing.invalid')]", b);
        break;
    default:
        snprintf(out, n,
                 "[network-traffic:dst_ref.value = '%s' OR network-traffic:protocols[*] = 'udp']",
                 a);
        break;
    }
}

/* Pattern i: a bracket, or two joined by AND / OR / FOLLOWEDBY, sometimes qualified. */
static void make_pattern(unsigned i, char *out, size_t n)
{
    static const char *join[] = {" AND ", " OR ", " FOLLOWEDBY "};
    char l[256], r[256];
    unsigned shape = i % 5;

    unsigned op, secs, coin, times;

    bracket(pick(10), l, sizeof(l));
    bracket(pick(10), r, sizeof(r));
    op = pick(3); /* drawn in a fixed order: the workload depends only on the seed */
    secs = 60 + pick(3600);
    coin = pick(2);
    times = 2 + pick(3);
    if (shape <= 1)
        snprintf(out, n, "%s", l);
    else if (shape == 2)
        snprintf(out, n, "%s%s%s", l, join[op], r);
    else if (shape == 3)
        snprintf(out, n, "(%s%s%s) WITHIN %u SECONDS", l, join[op], r, secs);
    else if (coin)
        snprintf(out, n, "%s REPEATS %u TIMES", l, times);
    else
        snprintf(out, n, "%s START t'2024-03-01T08:00:00Z' STOP t'2024-03-01T%02u:00:00Z'", l,
                 9 + times);
}

/* ---- files ---------------------------------------------------------------------- */

struct workload {
    char dir[PATH_MAX];
    char *patterns[N_PATTERNS]; /* heap strings */
};

static int dump(json_t *j, const char *dir, const char *name)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (json_dump_file(j, path, JSON_COMPACT) != 0) {
        fprintf(stderr, "bench_pattern_eval: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static int write_observations(const char *dir)
{
    json_t *bundles = json_array(), *all = json_array(), *list20 = json_array();
    json_t *big = json_pack("{s:s,s:s}", "type", "bundle", "id",
                            "bundle--00000000-0000-4000-8000-000000000000");
    char id[96];
    int r;

    for (unsigned i = 0; i < N_OBS; i++) {
        json_t *scos = make_scos(i), *o = make_observed(i, scos), *objs = json_array();
        json_array_append(objs, o);
        json_array_extend(objs, scos);
        json_array_extend(all, objs);
        json_array_append_new(list20, make_observed20(o, scos));
        json_array_append_new(bundles, json_pack("{s:s,s:s,s:o}", "type", "bundle", "id",
                                                 id_of("bundle", i, 9, id), "objects", objs));
        json_decref(o);
        json_decref(scos);
    }
    json_object_set_new(big, "objects", all);
    r = dump(bundles, dir, "bundles.json") || dump(big, dir, "bundle.json") ||
        dump(list20, dir, "observed-data-20.json");
    json_decref(bundles);
    json_decref(big);
    json_decref(list20);
    return r;
}

static int write_patterns(struct workload *w)
{
    char path[PATH_MAX + 64], buf[600];
    FILE *f;

    snprintf(path, sizeof(path), "%s/patterns.txt", w->dir);
    if (!(f = fopen(path, "w")))
        return -1;
    for (unsigned i = 0; i < N_PATTERNS; i++) {
        make_pattern(i, buf, sizeof(buf));
        w->patterns[i] = strdup(buf);
        fprintf(f, "%s\n", buf);
    }
    return fclose(f);
}

/* ---- timing ---------------------------------------------------------------------- */

/* Run concord pattern eval on file; returns wall seconds (<0 on failure), counts "true" lines. */
static double run_once(const char *concord, const char *file, struct workload *w, int *trues)
{
    char *argv[N_PATTERNS + 5], out[PATH_MAX + 64], line[64];
    double t0 = bench_now(), t1;
    int status, fd;
    pid_t pid;
    FILE *f;

    snprintf(out, sizeof(out), "%s/out.txt", w->dir);
    argv[0] = (char *)concord;
    argv[1] = "pattern";
    argv[2] = "eval";
    argv[3] = (char *)file;
    for (int i = 0; i < N_PATTERNS; i++)
        argv[4 + i] = w->patterns[i];
    argv[4 + N_PATTERNS] = NULL;
    if ((pid = fork()) == 0) {
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        execv(concord, argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    t1 = bench_now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *trues = 0;
    if ((f = fopen(out, "r")) != NULL) {
        while (fgets(line, sizeof(line), f))
            *trues += strcmp(line, "true\n") == 0;
        fclose(f);
    }
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int time_file(const char *concord, struct workload *w, const char *name, int runs)
{
    char file[PATH_MAX + 64];
    double t[64];
    int trues = 0;

    snprintf(file, sizeof(file), "%s/%s", w->dir, name);
    for (int i = 0; i < runs; i++)
        if ((t[i] = run_once(concord, file, w, &trues)) < 0) {
            fprintf(stderr, "bench_pattern_eval: %s pattern eval %s failed\n", concord, file);
            return -1;
        }
    qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
    printf("%-22s %d patterns x %d observations: %d true; wall min %.3f s, median %.3f s, "
           "max %.3f s (%d runs)\n",
           name, N_PATTERNS, N_OBS, trues, t[0], t[runs / 2], t[runs - 1], runs);
    return 0;
}

/* concord next to this program, unless --concord or CONCORD_BIN says otherwise. */
static void default_concord(char out[PATH_MAX])
{
    char self[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if (getenv("CONCORD_BIN")) {
        snprintf(out, PATH_MAX, "%s", getenv("CONCORD_BIN"));
        return;
    }
    self[n > 0 ? n : 0] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, PATH_MAX, "%s/concord", n > 0 ? self : ".");
}

/* Remove the generated files and the temporary directory. */
static void remove_workload(const char *dir)
{
    static const char *files[] = {"patterns.txt", "bundles.json", "bundle.json",
                                  "observed-data-20.json", "out.txt"};
    char path[PATH_MAX + 64];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    if (rmdir(dir) != 0)
        fprintf(stderr, "bench_pattern_eval: could not remove %s\n", dir);
}

struct opts {
    const char *out;
    int runs;
    bool gen_only;
    char concord[PATH_MAX];
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
    default_concord(o->concord);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            o->out = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            o->runs = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--concord") && i + 1 < argc)
            snprintf(o->concord, sizeof(o->concord), "%s", argv[++i]);
        else if (!strcmp(argv[i], "--gen-only"))
            o->gen_only = true;
        else
            return -1;
    }
    if (o->runs < 1 || o->runs > 64)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {NULL, 5, false, ""};
    struct workload w;
    int rc = 0;

    if (parse_opts(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench_pattern_eval [--out DIR] [--runs N<=64] [--concord PATH] "
                        "[--gen-only]\n");
        return 2;
    }
    if (o.out) {
        snprintf(w.dir, sizeof(w.dir), "%s", o.out);
        if (mkdir(w.dir, 0700) != 0 && errno != EEXIST)
            return perror(w.dir), 1;
    } else {
        snprintf(w.dir, sizeof(w.dir), "%s/concord-bench-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(w.dir))
            return perror("mkdtemp"), 1;
    }
    if (write_observations(w.dir) != 0 || write_patterns(&w) != 0)
        return 1;
    bench_machine();
    printf("workload: %s (seed %#llx)\n", w.dir, (unsigned long long)SEED);
    if (!o.gen_only)
        rc = time_file(o.concord, &w, "bundles.json", o.runs) ||
             time_file(o.concord, &w, "bundle.json", o.runs) ||
             time_file(o.concord, &w, "observed-data-20.json", o.runs);
    for (int i = 0; i < N_PATTERNS; i++)
        free(w.patterns[i]);
    if (!o.out)
        remove_workload(w.dir);
    return rc ? 1 : 0;
}
