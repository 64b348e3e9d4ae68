/*
 * `concord pattern eval FILE PATTERN...`: evaluate STIX patterns against
 * the observations of one file with the reference evaluator
 * (pattern/eval.h).  FILE is a STIX bundle, a JSON array of bundles, or a
 * JSON array of objects (observed-data with their SCOs, 2.1 object_refs or
 * 2.0 embedded objects); "-" reads standard input.
 *
 * One output line per pattern, in order: "true", "false", or "error:
 * MESSAGE" when the pattern does not parse.  Exit 0 when every pattern was
 * evaluated, 1 when one was not (or FILE cannot be read), 2 on usage.
 *
 * Speed (bench/pattern_eval_vs_stix2matcher.sh): FILE is mapped, not
 * copied (text_map; "-" and special files are read), and parsed into one
 * jansson arena by pat_json_parse (jansson's own parser when that one
 * declines), a large top-level array in two halves on two threads; the
 * patterns are evaluated together (pat_eval_many), in two halves on two
 * threads.
 */
#include "cli/cli.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern/eval.h"
#include "pattern/pattern.h"
#include "util/banned.h"
#include "util/error.h"
#include "util/json_arena.h"
#include "util/limits.h"
#include "util/xalloc.h"

static const char eval_help[] =
    "usage: concord pattern eval [--] FILE PATTERN...\n"
    "\n"
    "Evaluate STIX 2.1 patterns against the observations in FILE (a STIX bundle, a\n"
    "JSON array of bundles, or a JSON array of objects: observed-data with their\n"
    "SCOs, 2.1 object_refs or 2.0 embedded objects; '-' is standard input).  Each\n"
    "pattern is evaluated against all of FILE; prints one line per pattern, in\n"
    "order: \"true\", \"false\", or \"error: MESSAGE\" when it cannot be parsed.\n"
    "Exit 0 when every pattern was evaluated, 1 otherwise, 2 on a usage error.\n"
    "Semantics: docs/patterns.md, \"Evaluation semantics\".\n";

/* Print an error line with control characters made visible. */
static void print_error(const char *msg)
{
    fputs("error: ", stdout);
    for (const char *s = msg; *s; s++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
    putchar('\n');
}

/* ---- parsing a large top-level array on two threads ---------------------- */

#define SPLIT_MIN (256 * 1024) /* smaller documents: one json_loadb */

/*
 * The offset of the quote closing the string opened at text[open], or len
 * when there is none: the first quote after it preceded by an even number
 * of backslashes (memchr finds the candidates: strings are most of a file).
 */
static size_t string_end(const char *text, size_t len, size_t open)
{
    size_t i = open;

    for (;;) {
        const char *q = memchr(text + i + 1, '"', len - i - 1);
        size_t bs = 0;
        if (!q)
            return len;
        i = (size_t)(q - text);
        while (text[i - 1 - bs] == '\\') /* stops at the opening quote at the latest */
            bs++;
        if (bs % 2 == 0)
            return i;
    }
}

/*
 * The offset of a comma between two elements of the top-level array of
 * text[0..len), at or after len / 2, or 0 when text is not an array or has
 * no such comma.  Tracks nesting and strings only; a wrong guess on
 * invalid JSON is caught by parsing (parse_split falls back).
 */
static size_t split_point(const char *text, size_t len)
{
    size_t i = 0;
    int depth = 0;

    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len || text[i] != '[')
        return 0;
    for (; i < len; i++) {
        char ch = text[i];
        if (ch == '"') {
            i = string_end(text, len, i);
        } else if (ch == '[' || ch == '{') {
            depth++;
        } else if (ch == ']' || ch == '}') {
            if (--depth <= 0)
                return 0;
        } else if (ch == ',' && depth == 1 && i >= len / 2) {
            return i;
        }
    }
    return 0;
}

/* The elements after text[mid] (a comma), parsed on their own thread in their own arena. */
struct half {
    const char *text;
    size_t len;
    struct json_arena arena;
    json_t *doc;
};

static void *parse_half(void *p)
{
    struct half *h = p;

    json_arena_use(&h->arena);
    h->doc = json_array();
    if (pat_json_parse_tail(h->text, h->len, h->doc) != 0)
        h->doc = NULL; /* what was parsed stays in h->arena until the command ends */
    json_arena_use(NULL);
    return NULL;
}

/*
 * Parse a top-level array of len >= SPLIT_MIN in two halves at once (text
 * is modified, then restored): the elements up to mid here, as the array
 * text[0..mid) + "]", the rest on a second thread; the two arrays are
 * joined in order.  NULL when text is not such an array or either half
 * does not parse (the caller then parses the whole, which gives the same
 * value or the error).  Values live in the current arena a.
 */
static json_t *parse_split(char *text, size_t len, struct json_arena *a)
{
    size_t mid = len >= SPLIT_MIN ? split_point(text, len) : 0;
    struct half h = {text + mid + 1, len - mid - 1, {0}, NULL};
    json_t *doc;
    pthread_t th;

    if (!mid)
        return NULL;
    json_decref(json_object()); /* seeds jansson's hash before a second thread uses it */
    if (pthread_create(&th, NULL, parse_half, &h) != 0)
        return NULL;
    text[mid] = ']'; /* the thread reads only after text[mid] */
    doc = pat_json_parse(text, mid + 1);
    pthread_join(th, NULL);
    text[mid] = ',';
    json_arena_adopt(a, &h.arena);
    if (!doc || !h.doc || json_array_extend(doc, h.doc) != 0)
        return NULL; /* all of it stays in a until the command ends */
    return doc;
}

/* ---- reading and parsing FILE ------------------------------------------------ */

/* FILE's text, NUL-terminated: mapped (map_len > 0) or read by cli_read_file (malloc'd). */
struct text {
    char *s;
    size_t len;
    size_t map_len; /* bytes mapped at s, 0 when malloc'd */
};

/*
 * Map a regular, non-empty file of fewer than LIMIT_IMPORT_FILE bytes
 * privately (copy on write: parse_split writes one byte), with a zero page
 * behind it so that s[len] is '\0' even when len is a multiple of the page
 * size.  Reading the page cache in place costs a third of copying it out
 * (perf stat, bench/pattern_eval_vs_stix2matcher.sh).  -1 when the file
 * is not such a file or cannot be mapped: the caller then reads it.
 */
static int text_map(const char *path, struct text *t)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    long page = sysconf(_SC_PAGESIZE);
    struct stat st;
    char *base = MAP_FAILED;
    int result = -1;

    if (fd < 0 || page <= 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size >= LIMIT_IMPORT_FILE)
        goto out;
    t->len = (size_t)st.st_size;
    t->map_len = (t->len / (size_t)page + 1) * (size_t)page; /* at least one byte past len */
    base = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        goto out;
    if (mmap(base, t->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
        munmap(base, t->map_len);
        goto out;
    }
    t->s = base;
    result = 0;
out:
    if (fd >= 0)
        close(fd);
    return result;
}

static int text_load(const char *path, struct text *t)
{
    memset(t, 0, sizeof(*t));
    if (strcmp(path, "-") != 0 && text_map(path, t) == 0)
        return 0;
    memset(t, 0, sizeof(*t));
    t->s = cli_read_file(path, &t->len, LIMIT_IMPORT_FILE); /* says why not */
    return t->s ? 0 : -1;
}

static void text_release(struct text *t)
{
    if (t->map_len)
        munmap(t->s, t->map_len);
    else
        free(t->s);
    memset(t, 0, sizeof(*t));
}

/* Read and parse FILE into *doc (owned by the caller, in arena a); prints why not. */
static int load_doc(const char *path, json_t **doc, struct json_arena *a)
{
    struct text t;
    json_error_t je;

    if (text_load(path, &t) != 0)
        return -1;
    *doc = parse_split(t.s, t.len, a);
    if (!*doc)
        *doc = pat_json_parse(t.s, t.len);
    if (!*doc)
        *doc = json_loadb(t.s, t.len, 0, &je); /* jansson's value, or its error message */
    text_release(&t);
    if (!*doc) {
        fprintf(stderr, "concord pattern eval: %s: invalid JSON at line %d: %s\n", path, je.line,
                je.text);
        return -1;
    }
    return 0;
}

/* ---- evaluating on two threads --------------------------------------------- */

#define SPLIT_PATTERNS 8 /* fewer patterns: one thread */

/* The second half of the patterns, evaluated on its own thread. */
struct eval_part {
    const struct pattern *const *p;
    size_t n;
    const struct pat_obsv_set *set;
    bool *yes;
};

static void *eval_part(void *arg)
{
    struct eval_part *e = arg;

    pat_eval_many(e->p, e->n, e->set, e->yes);
    return NULL;
}

/*
 * yes[k] = pat_eval(p[k], set): the patterns in two halves, the second on
 * a thread of its own (pat_eval_many is thread-safe on a const set and
 * gives each pattern the same answer in any batch).
 */
static void eval_split(const struct pattern *const *p, size_t n, const struct pat_obsv_set *set,
                       bool *yes)
{
    size_t half = n >= SPLIT_PATTERNS ? n / 2 : 0;
    struct eval_part e = {p + half, n - half, set, yes + half};
    pthread_t th;

    if (!half || pthread_create(&th, NULL, eval_part, &e) != 0) {
        pat_eval_many(p, n, set, yes);
        return;
    }
    pat_eval_many(p, half, set, yes);
    pthread_join(th, NULL);
}

/*
 * Parse every pattern, evaluate those that parse together (pat_eval_many
 * in eval_split: same answers as one by one), print one line each in
 * order; returns 0 if all were evaluated.
 */
static int eval_all(char **texts, int n, const struct pat_obsv_set *set)
{
    struct pattern **p = xcalloc((size_t)n + 1, sizeof(*p));
    char **msg = xcalloc((size_t)n + 1, sizeof(*msg));
    bool *yes = xcalloc((size_t)n + 1, sizeof(*yes));
    struct error err;
    int failed = 0;

    for (int i = 0; i < n; i++) {
        error_clear(&err);
        if (pat_parse(texts[i], strlen(texts[i]), &p[i], &err) != 0) {
            p[i] = NULL;
            msg[i] = xstrdup(err.msg[0] ? err.msg : error_name(err.code));
        }
    }
    eval_split((const struct pattern *const *)p, (size_t)n, set, yes);
    for (int i = 0; i < n; i++) {
        if (msg[i]) {
            print_error(msg[i]);
            failed = 1;
        } else {
            puts(yes[i] ? "true" : "false");
        }
        pat_free(p[i]);
        free(msg[i]);
    }
    free(p);
    free(msg);
    free(yes);
    return failed;
}

/*
 * The document and the observation set live in one jansson arena (no
 * malloc per JSON value, no json_decref walk at the end): the arena is
 * current from parsing until the set is released, then dropped at once.
 */
static int eval_file(const char *path, char **patterns, int n)
{
    struct json_arena arena = {0};
    struct pat_obsv_set set = {0};
    struct error err;
    json_t *doc = NULL;
    int failed = 0;

    json_arena_install();
    json_arena_use(&arena);
    if (load_doc(path, &doc, &arena) != 0) {
        failed = 1;
        goto out;
    }
    error_clear(&err);
    if (pat_obsv_load(doc, &set, &err) != 0) {
        fprintf(stderr, "concord pattern eval: %s: %s%s%s\n", path, err.path,
                err.path[0] ? ": " : "", err.msg);
        failed = 1;
        goto out;
    }
    failed = eval_all(patterns, n, &set);
    fflush(stdout);
out:
    pat_obsv_set_release(&set);
    json_arena_use(NULL);
    json_arena_release(&arena); /* doc with it: no json_decref */
    return failed;
}

int cli_pattern_eval(int argc, char **argv)
{
    int i = 1;

    for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            fputs(eval_help, stdout);
            return CLI_OK;
        }
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (argc - i < 2 || (argv[i][0] == '-' && argv[i][1] != '\0')) {
        fputs(eval_help, stderr);
        return CLI_USAGE;
    }
    return eval_file(argv[i], argv + i + 1, argc - i - 1) ? CLI_FAIL : CLI_OK;
}
