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
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/eval.h"
#include "pattern/pattern.h"
#include "util/banned.h"
#include "util/error.h"
#include "util/limits.h"

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

/* Read and parse FILE into *doc (owned by the caller); prints why not. */
static int load_doc(const char *path, json_t **doc)
{
    size_t len = 0;
    char *text = cli_read_file(path, &len, LIMIT_IMPORT_FILE);
    json_error_t je;

    if (!text)
        return -1;
    *doc = json_loadb(text, len, 0, &je);
    free(text);
    if (!*doc) {
        fprintf(stderr, "concord pattern eval: %s: invalid JSON at line %d: %s\n", path, je.line,
                je.text);
        return -1;
    }
    return 0;
}

/* Evaluate one pattern; prints its line; returns 0 if it was evaluated. */
static int eval_one(const char *text, const struct pat_obsv_set *set)
{
    struct pattern *p = NULL;
    struct error err;

    error_clear(&err);
    if (pat_parse(text, strlen(text), &p, &err) != 0) {
        print_error(err.msg[0] ? err.msg : error_name(err.code));
        return 1;
    }
    puts(pat_eval(p, set) ? "true" : "false");
    pat_free(p);
    return 0;
}

int cli_pattern_eval(int argc, char **argv)
{
    struct pat_obsv_set set = {0};
    struct error err;
    json_t *doc = NULL;
    int i = 1, failed = 0;

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
    if (load_doc(argv[i], &doc) != 0)
        return CLI_FAIL;
    error_clear(&err);
    if (pat_obsv_load(doc, &set, &err) != 0) {
        fprintf(stderr, "concord pattern eval: %s: %s%s%s\n", argv[i], err.path,
                err.path[0] ? ": " : "", err.msg);
        json_decref(doc);
        return CLI_FAIL;
    }
    for (i++; i < argc; i++)
        failed |= eval_one(argv[i], &set);
    fflush(stdout);
    pat_obsv_set_release(&set);
    json_decref(doc);
    return failed ? CLI_FAIL : CLI_OK;
}
