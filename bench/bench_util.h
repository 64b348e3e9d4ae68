/*
 * Shared pieces of the benchmarks (header-only: each bench_<thing>.c is its
 * own program): machine description, clocks, spawning a real
 * `concord serve --http` on 127.0.0.1 with its own data directory, and
 * reading a process's peak memory.
 */
#ifndef CONCORD_BENCH_UTIL_H
#define CONCORD_BENCH_UTIL_H

#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void bench_machine(void)
{
    char model[600] = "unknown", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            snprintf(model, sizeof(model), "%s", p ? p + 2 : line);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    struct utsname u;
    uname(&u);
    time_t t = time(NULL);
    char when[64];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    printf("machine: %s, %ld cores, %s %s, %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), u.sysname,
           u.release, when);
}

/* Peak resident set (VmHWM) and current (VmRSS) of pid, in MB. */
static inline void bench_rss(pid_t pid, double *peak_mb, double *now_mb)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    *peak_mb = *now_mb = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmHWM:", 6) == 0)
            *peak_mb = strtod(line + 6, NULL) / 1024.0;
        if (strncmp(line, "VmRSS:", 6) == 0)
            *now_mb = strtod(line + 6, NULL) / 1024.0;
    }
    if (f)
        fclose(f);
}

/* Run a command, with optional stdin text; returns its first stdout line in out. */
static inline int bench_run(const char *cmd, const char *input, char *out, size_t n)
{
    char tmp[] = "/tmp/concord-bench-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    if (input && write(fd, input, strlen(input)) < 0)
        return -1;
    close(fd);
    char full[4096];
    snprintf(full, sizeof(full), "(%s) < %s", cmd, tmp);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    if (out && n) {
        out[0] = '\0';
        if (fgets(out, (int)n, p))
            out[strcspn(out, "\n")] = '\0';
    }
    char sink[512];
    while (fgets(sink, sizeof(sink), p))
        ;
    int rc = pclose(p);
    unlink(tmp);
    return rc == 0 ? 0 : -1;
}

struct bench_node {
    pid_t pid;
    char dir[256];
    char url[256];    /* http://127.0.0.1:PORT */
    char token[128];
    char coll[64];
};

/*
 * Make (unless it exists) a data dir with a "bench" org, admin user, token
 * and collection, start `concord serve --http` on a free loopback port.
 */
static inline int bench_node_start(struct bench_node *n, const char *bin, const char *dir,
                                   unsigned threads)
{
    char cmd[2048];
    snprintf(n->dir, sizeof(n->dir), "%s", dir);
    snprintf(cmd, sizeof(cmd), "test -f %s/concord.db", dir);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof(cmd),
                 "%s init -D %s >/dev/null && %s org add -D %s bench --country SG >/dev/null && "
                 "%s user add -D %s bench --org bench --admin >/dev/null",
                 bin, dir, bin, dir, bin, dir);
        if (bench_run(cmd, "bench-password\n", NULL, 0))
            return -1;
        snprintf(cmd, sizeof(cmd), "%s collection add -D %s Bench --alias bench", bin, dir);
        if (bench_run(cmd, NULL, NULL, 0))
            return -1;
    }
    snprintf(n->coll, sizeof(n->coll), "bench");
    snprintf(cmd, sizeof(cmd), "%s token create -D %s bench", bin, dir);
    if (bench_run(cmd, NULL, n->token, sizeof(n->token)))
        return -1;
    int fds[2];
    if (pipe(fds))
        return -1;
    n->pid = fork();
    if (n->pid == 0) {
        char th[16];
        snprintf(th, sizeof(th), "%u", threads);
        dup2(fds[1], 1);
        close(fds[0]);
        execl(bin, bin, "serve", "-D", dir, "--listen", "127.0.0.1:0", "--http", "--threads", th,
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512] = "";
    if (!f || !fgets(line, sizeof(line), f))
        return -1;
    char *p = strstr(line, "http://");
    if (!p)
        return -1;
    char *e = strstr(p, "/taxii2/");
    if (!e)
        return -1;
    snprintf(n->url, sizeof(n->url), "%.*s", (int)(e - p), p);
    return 0; /* f stays open: the server's stdout pipe */
}

static inline void bench_node_stop(struct bench_node *n)
{
    if (n->pid > 0) {
        kill(n->pid, SIGTERM);
        waitpid(n->pid, NULL, 0);
    }
}

/* "Authorization: Basic ..." for "user:password" into out. */
static inline void bench_basic_header(const char *userpw, char *out, size_t n)
{
    char b64[200];
    size_t len = strlen(userpw);
    if (len > 140 || sodium_init() < 0) /* 140 bytes encode into 188 */
        len = 0;
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)userpw, len,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, n, "Authorization: Basic %s", b64);
}

/*
 * End of a run: report the server's memory and stop it (when the bench
 * started one), and remove the temporary data directory (when it made one).
 */
static inline void bench_finish(struct bench_node *node, const char *tmpdir)
{
    if (node->pid > 0) {
        double peak, now;
        bench_rss(node->pid, &peak, &now);
        printf("server RSS: peak %.0f MB, now %.0f MB\n", peak, now);
        bench_node_stop(node);
    }
    if (tmpdir[0]) {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", tmpdir);
    }
}

/*
 * Markings for generated objects: NULL = every object TLP:CLEAR with no
 * creator; otherwise indicator k is created by creators[k % n_creators]
 * and marked by k % 5: CLEAR, GREEN, AMBER + that creator's group, RED +
 * that creator's group, and none (or, with all_visible, GREEN + the group).
 */
struct bench_marks {
    const char *creators[8];
    const char *groups[8]; /* groups[i]: a sharing group created by creators[i] */
    int n_creators;
    int all_visible;       /* class 4 is GREEN + the group instead of unmarked */
};

#define BENCH_CLEAR "\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\""
#define BENCH_GREEN "\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\""
#define BENCH_AMBER "\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\""
#define BENCH_RED "\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\""

static inline void bench_marking(const struct bench_marks *m, long k, char *out, size_t n)
{
    if (!m) {
        snprintf(out, n, ",\"object_marking_refs\":[" BENCH_CLEAR "]");
        return;
    }
    const char *creator = m->creators[k % m->n_creators];
    const char *group = m->groups[k % m->n_creators];
    switch (k % 5) {
    case 0:
        snprintf(out, n, ",\"created_by_ref\":\"%s\",\"object_marking_refs\":[" BENCH_CLEAR "]",
                 creator);
        break;
    case 1:
        snprintf(out, n, ",\"created_by_ref\":\"%s\",\"object_marking_refs\":[" BENCH_GREEN "]",
                 creator);
        break;
    case 2:
        snprintf(out, n,
                 ",\"created_by_ref\":\"%s\",\"object_marking_refs\":[" BENCH_AMBER ",\"%s\"]",
                 creator, group);
        break;
    case 3:
        snprintf(out, n,
                 ",\"created_by_ref\":\"%s\",\"object_marking_refs\":[" BENCH_RED ",\"%s\"]",
                 creator, group);
        break;
    default:
        if (m->all_visible)
            snprintf(out, n,
                     ",\"created_by_ref\":\"%s\",\"object_marking_refs\":[" BENCH_GREEN ",\"%s\"]",
                     creator, group);
        else
            snprintf(out, n, ",\"created_by_ref\":\"%s\"", creator);
        break;
    }
}

/*
 * One envelope of `count` generated indicators numbered from `first`; the
 * id of indicator k is bench_indicator_id(k).
 */
static inline size_t bench_envelope_marked(char *out, size_t cap, long first, long count,
                                           const struct bench_marks *m)
{
    size_t n = (size_t)snprintf(out, cap, "{\"objects\":[");
    char marks[512];
    for (long i = 0; i < count; i++) {
        long k = first + i;
        bench_marking(m, k, marks, sizeof(marks));
        n += (size_t)snprintf(
            out + n, cap - n,
            "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%08lx-"
            "4b1c-4d2e-8f3a-%012lx\",\"created\":\"2026-11-01T10:00:00.000Z\",\"modified\":"
            "\"2026-11-01T10:00:00.000Z\",\"name\":\"bench indicator %ld\",\"indicator_types\":"
            "[\"malicious-activity\"],\"pattern\":\"[ipv4-addr:value = '10.%ld.%ld.%ld']\","
            "\"pattern_type\":\"stix\",\"valid_from\":\"2026-11-01T10:00:00Z\"%s}",
            i ? "," : "", (unsigned long)(k >> 16) & 0xffffffff, (unsigned long)k, k,
            (k >> 16) & 255, (k >> 8) & 255, k & 255, marks);
    }
    n += (size_t)snprintf(out + n, cap - n, "]}");
    return n;
}

static inline size_t bench_envelope(char *out, size_t cap, long first, long count)
{
    return bench_envelope_marked(out, cap, first, count, NULL);
}

static inline void bench_indicator_id(long k, char out[64])
{
    snprintf(out, 64, "indicator--%08lx-4b1c-4d2e-8f3a-%012lx", (unsigned long)(k >> 16) & 0xffffffff,
             (unsigned long)k);
}

#endif
