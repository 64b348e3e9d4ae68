/*
 * Benchmark of the bulk indicator index (src/pattern/index.h): generates N
 * active indicators in memory (default 1,000,000: 40% IPv4 addresses, 5%
 * CIDRs, 25% domains, 10% URLs, 19% file hashes MD5 / SHA-1 / SHA-256, 1%
 * LIKE / MATCHES), and prints
 *   - pat_index_add time (parsing + compiling each pattern) and
 *     pat_index_build time;
 *   - memory: RSS growth across add + build (builder freed) and the
 *     index's own byte count, each per indicator;
 *   - raw lookups/s on one core over pre-extracted values, half hits,
 *     half misses: one at a time (pat_index_lookup) and in batches
 *     (pat_index_lookup_many);
 *   - records/s through pat_index_match (4 values a record, regex sets
 *     and the evaluator included);
 *   - the machine.
 * Nothing is written to disk.
 *
 *   bench_match [--indicators N] [--seconds S]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "pattern/index.h"

#define NOW_NS 1800000000000000000LL
#define N_VALUES (1u << 20)

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void hex(char *out, uint64_t seed, int n)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        if (i % 16 == 0)
            seed = mix(seed + (uint64_t)i);
        out[i] = digits[(seed >> (4 * (i % 16))) & 15];
    }
    out[n] = '\0';
}

/* Category of indicator k, by the mix in the header. */
enum cat { C_IPV4, C_CIDR, C_DOMAIN, C_URL, C_HASH, C_REGEX };

static enum cat category(long k)
{
    long m = k % 100;
    if (m < 40)
        return C_IPV4;
    if (m < 45)
        return C_CIDR;
    if (m < 70)
        return C_DOMAIN;
    if (m < 80)
        return C_URL;
    if (m < 99)
        return C_HASH;
    return C_REGEX;
}

/* The observable value of indicator k (for C_CIDR: an address inside it). */
static enum pat_vkind value_of(long k, char *out, size_t n)
{
    uint64_t h = mix((uint64_t)k);
    char hx[130];
    switch (category(k)) {
    case C_IPV4:
    case C_CIDR:
        snprintf(out, n, "%u.%u.%u.%u", (unsigned)(h >> 24) & 255, (unsigned)(h >> 16) & 255,
                 (unsigned)(h >> 8) & 255, category(k) == C_CIDR ? 77u : (unsigned)h & 255);
        return PAT_V_IPV4;
    case C_DOMAIN:
        hex(hx, h, 10);
        snprintf(out, n, "%s.%s.example", hx, (h & 1) ? "cdn" : "mail");
        return PAT_V_DOMAIN;
    case C_URL:
        hex(hx, h, 12);
        snprintf(out, n, "http://%.6s.example/%s/index.php", hx, hx + 6);
        return PAT_V_URL;
    case C_HASH: {
        static const int len[3] = {32, 40, 64};
        static const enum pat_vkind kind[3] = {PAT_V_MD5, PAT_V_SHA1, PAT_V_SHA256};
        int a = (int)((k / 100) % 3);
        hex(hx, h, len[a]);
        snprintf(out, n, "%s", hx);
        return kind[a];
    }
    default:
        hex(hx, h, 8);
        snprintf(out, n, "x%s.example", hx);
        return PAT_V_DOMAIN;
    }
}

static void pattern_of(long k, char *out, size_t n)
{
    static const char *const alg[3] = {"MD5", "'SHA-1'", "'SHA-256'"};
    char v[160];
    uint64_t h = mix((uint64_t)k);
    value_of(k, v, sizeof(v));
    switch (category(k)) {
    case C_IPV4:
        snprintf(out, n, "[ipv4-addr:value = '%s']", v);
        break;
    case C_CIDR:
        snprintf(out, n, "[ipv4-addr:value ISSUBSET '%s/%u']", v, 16 + (unsigned)(h % 13));
        break;
    case C_DOMAIN:
        snprintf(out, n, "[domain-name:value = '%s']", v);
        break;
    case C_URL:
        snprintf(out, n, "[url:value = '%s']", v);
        break;
    case C_HASH:
        snprintf(out, n, "[file:hashes.%s = '%s']", alg[(k / 100) % 3], v);
        break;
    default:
        if (k % 200 < 100)
            snprintf(out, n, "[domain-name:value MATCHES '^%.9s[0-9a-f]*\\\\.example$']", v);
        else
            snprintf(out, n, "[url:value LIKE 'http://%%.%.9s.example/%%']", v);
        break;
    }
}

/* CPU time of this thread: the machine is shared, so rates are per CPU second too. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rss_mb(void)
{
    double peak, now;
    bench_rss(getpid(), &peak, &now);
    return now;
}

struct values {
    struct pat_value *v;
    char *buf;
};

/* N_VALUES values: even ones hit indicator values, odd ones are misses of the same kinds. */
static void make_values(struct values *vs, long n_ind)
{
    vs->v = calloc(N_VALUES, sizeof(*vs->v));
    vs->buf = malloc((size_t)N_VALUES * 80);
    size_t used = 0;
    for (unsigned i = 0; i < N_VALUES; i++) {
        long k = (long)(mix(i * 7919ull) % (uint64_t)n_ind);
        char v[160];
        enum pat_vkind kind = value_of(k, v, sizeof(v));
        if (i & 1) { /* a miss: change the last characters */
            size_t l = strlen(v);
            v[l - 1] = v[l - 1] == '1' ? '2' : '1';
            if (kind == PAT_V_IPV4)
                snprintf(v, sizeof(v), "172.%u.%u.%u", i & 255, (i >> 8) & 255, (i >> 16) & 255);
        }
        size_t l = strlen(v);
        if (l > 79)
            l = 79;
        memcpy(vs->buf + used, v, l);
        vs->v[i] = (struct pat_value){kind, PAT_ROLE_NONE, vs->buf + used, l};
        used += l;
    }
}

static void bench_lookups(struct pat_index *idx, const struct values *vs, double seconds)
{
    size_t found = 0;
    long rounds = 0;
    double t0 = bench_now(), c0 = cpu_now(), t;
    do {
        for (unsigned i = 0; i < N_VALUES; i++)
            found += pat_index_lookup(idx, &vs->v[i], NULL, NULL);
        rounds++;
        t = bench_now();
    } while (t - t0 < seconds);
    double n = (double)rounds * N_VALUES, cpu = cpu_now() - c0;
    printf("raw lookups (pat_index_lookup): %.0f lookups/s wall, %.0f per CPU second (%.0f ns "
           "each; %.1f%% found an anchor)\n",
           n / (t - t0), n / cpu, cpu / n * 1e9, 100.0 * (double)found / n);
}

static void bench_lookups_many(struct pat_index *idx, const struct values *vs, double seconds)
{
    size_t found = 0;
    long rounds = 0;
    double t0 = bench_now(), c0 = cpu_now(), t;
    do {
        for (unsigned i = 0; i < N_VALUES; i += 256)
            found += pat_index_lookup_many(idx, &vs->v[i], 256, NULL, NULL);
        rounds++;
        t = bench_now();
    } while (t - t0 < seconds);
    double n = (double)rounds * N_VALUES, cpu = cpu_now() - c0;
    printf("batched lookups (pat_index_lookup_many, 256 a call): %.0f lookups/s wall, %.0f per "
           "CPU second (%.0f ns each; %.1f%% found)\n",
           n / (t - t0), n / cpu, cpu / n * 1e9, 100.0 * (double)found / n);
}

static void bench_records(struct pat_index *idx, const struct values *vs, double seconds)
{
    struct pat_scratch *s = pat_scratch_new(idx);
    struct pat_record rec;
    long hits = 0, records = 0;
    double t0 = bench_now(), c0 = cpu_now(), t;
    memset(&rec, 0, sizeof(rec));
    rec.src_port = rec.dst_port = -1;
    do {
        for (unsigned i = 0; i + 4 <= N_VALUES; i += 4) {
            rec.n = 4;
            memcpy(rec.v, &vs->v[i], 4 * sizeof(rec.v[0]));
            hits += pat_index_match(idx, s, &rec, NULL, NULL);
            records++;
        }
        t = bench_now();
    } while (t - t0 < seconds);
    double cpu = cpu_now() - c0;
    printf("pat_index_match: %.0f records/s wall, %.0f per CPU second (4 values each; %.2f hits "
           "a record)\n",
           (double)records / (t - t0), (double)records / cpu, (double)hits / (double)records);
    pat_scratch_free(s);
}

static void print_stats(const struct pat_index *idx, double rss0, double rss1)
{
    struct pat_index_stats st;
    pat_index_stats(idx, &st);
    size_t eq = 0;
    for (int k = 0; k < PAT_V_KIND_COUNT; k++)
        eq += st.eq[k];
    printf("index: %zu indicators (%zu pure, %zu candidates, %zu residual); %zu equality "
           "anchors, %zu CIDR (%zu prefixes), regex %zu prefiltered + %zu Vectorscan + %zu PCRE2\n",
           st.indicators, st.pure, st.candidates, st.residual, eq, st.cidr_v4 + st.cidr_v6,
           st.cidr_v4_nodes + st.cidr_v6_nodes, st.regex_prefilter, st.regex_fast, st.regex_slow);
    printf("index bytes: total %.1f MB = ids+rules %.1f, hash slots %.1f, pool %.1f, cidr %.1f, "
           "regex %.1f, kept trees %.1f\n",
           st.bytes_total / 1e6, st.bytes_ids / 1e6, st.bytes_hash / 1e6, st.bytes_pool / 1e6,
           st.bytes_cidr / 1e6, st.bytes_regex / 1e6, st.bytes_trees / 1e6);
    double eq_bytes = (double)(st.bytes_total - st.bytes_regex - st.bytes_trees);
    printf("bytes per indicator: %.0f (own count, all), %.0f (own count, equality/CIDR "
           "structures per equality/CIDR indicator), %.0f (RSS growth %.0f MB)\n",
           (double)st.bytes_total / (double)st.indicators,
           eq_bytes / (double)(eq + st.cidr_v4 + st.cidr_v6),
           (rss1 - rss0) * 1048576.0 / (double)st.indicators, rss1 - rss0);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    double seconds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--indicators") == 0)
            n = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = strtod(argv[i + 1], NULL);
    }
    bench_machine();
    double rss0 = rss_mb();
    struct pat_index_builder *b = pat_index_builder_new();
    struct error err = {0};
    char text[512], id[64];
    double t0 = bench_now();
    for (long k = 0; k < n; k++) {
        pattern_of(k, text, sizeof(text));
        snprintf(id, sizeof(id), "indicator--%08lx-4b1c-4d2e-8f3a-%012lx",
                 (unsigned long)(mix((uint64_t)k) & 0xffffffff), (unsigned long)k);
        if (pat_index_add(b, id, text, strlen(text), NOW_NS - 1, INT64_MAX, 0, &err)) {
            fprintf(stderr, "bench_match: %s: %s\n", text, err.msg);
            return 1;
        }
    }
    double t1 = bench_now();
    struct pat_index *idx = pat_index_build(b, NOW_NS, &err);
    double t2 = bench_now();
    if (!idx) {
        fprintf(stderr, "bench_match: build: %s\n", err.msg);
        return 1;
    }
    double rss1 = rss_mb();
    printf("indicators: %ld; pat_index_add (parse + compile) %.2f s (%.0f patterns/s), "
           "pat_index_build %.2f s, total %.2f s\n",
           n, t1 - t0, (double)n / (t1 - t0), t2 - t1, t2 - t0);
    print_stats(idx, rss0, rss1);
    struct values vs;
    make_values(&vs, n);
    bench_lookups(idx, &vs, seconds);
    bench_lookups_many(idx, &vs, seconds);
    bench_records(idx, &vs, seconds);
    free(vs.v);
    free(vs.buf);
    pat_index_unref(idx);
    return 0;
}
