/*
 * Log reader throughput (src/pattern/logs*.c): reads one file, held in
 * memory, N times through pat_reader (format forced or detected) and
 * prints lines/s, MB/s and values/s, plus, for JSON input, what parsing
 * each line with jansson (json_loadb) alone costs, as the reference the
 * allocation-free scanner replaced.  No assertions: figures only.
 *
 *   bench_logs FILE [FORMAT] [REPEAT]
 *   FORMAT: auto (default), eve, zeek, jsonl, text;  REPEAT: default 5
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "pattern/logs.h"

#define JANSSON_LINES_MAX 20000

/* CPU seconds of this process (the machine is shared: wall time alone misleads). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0, got;
    char *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

/* One pass through the reader; adds to *st. 0 or the reader's error. */
static int one_pass(char *data, size_t len, enum pat_format fmt, struct pat_reader_stats *st,
                    enum pat_format *used)
{
    struct error err;
    struct pat_reader *r;
    struct pat_record rec;
    error_clear(&err);
    FILE *f = fmemopen(data, len, "r");
    if (!f || pat_reader_open(&r, f, fmt, &err)) {
        fprintf(stderr, "cannot open reader: %s\n", err.msg);
        if (f)
            fclose(f);
        return -1;
    }
    int rc;
    while ((rc = pat_reader_next(r, &rec, &err)) == 1)
        ;
    struct pat_reader_stats s;
    pat_reader_stats(r, &s);
    st->lines += s.lines;
    st->records += s.records;
    st->bad_lines += s.bad_lines;
    st->values += s.values;
    st->bytes += s.bytes;
    *used = pat_reader_format(r);
    pat_reader_free(r);
    fclose(f);
    return rc;
}

/* json_loadb on each line (up to JANSSON_LINES_MAX lines) of plain JSON-lines input. */
static void jansson_pass(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    long lines = 0, ok = 0;
    size_t bytes = 0;
    double t0 = bench_now();
    while (p < end && lines < JANSSON_LINES_MAX) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t jerr;
        json_t *j = json_loadb(p, n, 0, &jerr);
        ok += j != NULL;
        json_decref(j);
        lines++;
        bytes += n + 1;
        p += n + 1;
    }
    double t = bench_now() - t0;
    printf("jansson json_loadb only: %ld lines (%ld parsed) in %.3f s: %.0f lines/s, %.1f MB/s, "
           "%.2f us/line\n",
           lines, ok, t, lines / t, bytes / t / 1e6, t / lines * 1e6);
}

int main(int argc, char **argv)
{
    enum pat_format fmt = PAT_FMT_AUTO, used = PAT_FMT_AUTO;
    int repeat = argc > 3 ? atoi(argv[3]) : 5;
    size_t len;
    if (argc < 2 || (argc > 2 && pat_format_parse(argv[2], &fmt)) || repeat < 1) {
        fprintf(stderr, "usage: bench_logs FILE [auto|eve|zeek|jsonl|text] [REPEAT]\n");
        return 2;
    }
    char *data = slurp(argv[1], &len);
    if (!data) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    bench_machine();
    struct pat_reader_stats st = {0};
    double t0 = bench_now(), c0 = cpu_now();
    for (int i = 0; i < repeat; i++)
        if (one_pass(data, len, fmt, &st, &used) < 0)
            return 1;
    double t = bench_now() - t0, c = cpu_now() - c0;
    printf("file: %s (%.1f MB as stored), format %s, %d passes\n", argv[1], len / 1e6,
           pat_format_name(used), repeat);
    printf("pat_reader: %ld lines, %ld records, %ld bad, %ld values in %.3f s: %.0f lines/s, "
           "%.1f MB/s, %.0f values/s, %.3f us/line\n",
           st.lines, st.records, st.bad_lines, st.values, t, st.lines / t, st.bytes / t / 1e6,
           st.values / t, t / st.lines * 1e6);
    printf("pat_reader per CPU second: %.0f lines/s, %.1f MB/s (%.3f CPU s)\n", st.lines / c,
           st.bytes / c / 1e6, c);
    if (len > 2 && data[0] == '{')
        jansson_pass(data, len);
    free(data);
    return 0;
}
