/*
 * `concord pattern`: STIX patterns from the command line.
 *
 *   concord pattern check PATTERN...       one line per pattern: "ok" or
 *   concord pattern check --file FILE|-    "error: <message at offset N>"
 *   concord pattern eval ...               cli_pattern_eval (cmd_pattern_eval.c)
 *
 * check needs no data directory: it only runs pat_parse (grammar and the
 * semantic checks of docs/patterns.md).  Exit 0 when every pattern is
 * valid, 1 when one is not, 2 on a usage error.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"
#include "util/banned.h"
#include "util/error.h"

static const char pattern_help[] =
    "usage: concord pattern check [--file FILE]... [--] [PATTERN]...\n"
    "       concord pattern eval FILE PATTERN...\n"
    "\n"
    "check: parse and check STIX 2.1 patterns; prints one line per pattern, \"ok\" or\n"
    "\"error: MESSAGE\" (the message names the byte offset).  --file reads one pattern\n"
    "per line (empty lines and lines starting with '#' are skipped; '-' is standard\n"
    "input).  Exit 0 when every pattern is valid, 1 otherwise.\n"
    "eval: match patterns against observations (see 'concord pattern eval --help').\n";

/* Print the message with control characters made visible, on one line. */
static void print_error(const char *msg)
{
    fputs("error: ", stdout);
    for (const char *s = msg; *s; s++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
    putchar('\n');
}

/* Check one pattern; prints its line; returns 0 if valid. */
static int check_one(const char *text, size_t len)
{
    struct pattern *p = NULL;
    struct error err;

    error_clear(&err);
    if (pat_parse(text, len, &p, &err) != 0) {
        print_error(err.msg);
        return 1;
    }
    pat_free(p);
    puts("ok");
    return 0;
}

static bool blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Every line of a file (or "-"): returns 0 if all valid, 1 if not, -1 when unreadable. */
static int check_file(const char *path)
{
    size_t len;
    char *data = cli_read_file(path, &len, 64u * 1024 * 1024);
    int bad = 0;

    if (!data)
        return -1;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
        const char *line = data + i;
        i += n + 1;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (blank_line(line, n) || line[0] == '#')
            continue;
        bad |= check_one(line, n);
    }
    free(data);
    return bad;
}

/* argv[0] = "check" */
static int pattern_check(int argc, char **argv)
{
    bool opts = true;
    int n = 0, bad = 0, r;

    for (int i = 1; i < argc; i++) {
        if (opts && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
            fputs(pattern_help, stdout);
            return CLI_OK;
        }
        if (opts && !strcmp(argv[i], "--")) {
            opts = false;
        } else if (opts && !strcmp(argv[i], "--file")) {
            if (++i >= argc) {
                fprintf(stderr, "concord: pattern check: --file needs a file name\n");
                return CLI_USAGE;
            }
            r = check_file(argv[i]);
            if (r < 0)
                return CLI_FAIL;
            bad |= r;
            n++;
        } else {
            bad |= check_one(argv[i], strlen(argv[i]));
            n++;
        }
    }
    if (n == 0) {
        fprintf(stderr, "concord: pattern check: no pattern given\n\n%s", pattern_help);
        return CLI_USAGE;
    }
    return bad ? CLI_FAIL : CLI_OK;
}

int cmd_pattern(int argc, char **argv)
{
    if (argc < 2) {
        fputs(pattern_help, stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(pattern_help, stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "check"))
        return pattern_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "eval"))
        return cli_pattern_eval(argc - 1, argv + 1);
    fprintf(stderr, "concord: pattern: unknown subcommand '%s'\n\n%s", argv[1], pattern_help);
    return CLI_USAGE;
}
