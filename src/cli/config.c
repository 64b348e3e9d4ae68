/*
 * The node configuration file, DIR/concord.conf: "key = value" lines,
 * blank lines and '#' comments.  Unknown keys and bad values are errors
 * naming the line, so a typo never silently falls back to a default.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/limits.h"
#include "util/banned.h"

void cli_config_defaults(struct cli_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8443");
    snprintf(c->tls_cert, sizeof(c->tls_cert), "tls/cert.pem");
    snprintf(c->tls_key, sizeof(c->tls_key), "tls/key.pem");
    snprintf(c->title, sizeof(c->title), "Concord node");
    snprintf(c->description, sizeof(c->description),
             "Concord regional cyber cooperation node (TAXII 2.1)");
    c->max_content_length = LIMIT_BODY_DEFAULT;
    c->threads = 4;
    c->audit = true;
    c->sync_interval = 60;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int set_size(size_t *out, const char *v, size_t lo, size_t hi)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || !*v || *end || n < lo || n > hi)
        return -1;
    *out = (size_t)n;
    return 0;
}

static int set_key(struct cli_config *c, const char *k, const char *v)
{
    struct {
        const char *key;
        char *dst;
        size_t n;
    } strs[] = {{"listen", c->listen, sizeof(c->listen)},
                {"tls_cert", c->tls_cert, sizeof(c->tls_cert)},
                {"tls_key", c->tls_key, sizeof(c->tls_key)},
                {"title", c->title, sizeof(c->title)},
                {"description", c->description, sizeof(c->description)},
                {"contact", c->contact, sizeof(c->contact)},
                {"default_collection", c->default_collection, sizeof(c->default_collection)}};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (strcmp(k, strs[i].key) == 0) {
            if (strlen(v) >= strs[i].n)
                return -1;
            snprintf(strs[i].dst, strs[i].n, "%s", v);
            return 0;
        }
    }
    if (strcmp(k, "max_content_length") == 0)
        return set_size(&c->max_content_length, v, 1024, LIMIT_BODY_MAX);
    if (strcmp(k, "audit") == 0) {
        if (strcmp(v, "on") && strcmp(v, "off"))
            return -1;
        c->audit = strcmp(v, "on") == 0;
        return 0;
    }
    if (strcmp(k, "threads") == 0) {
        size_t n;
        if (set_size(&n, v, 1, 64))
            return -1;
        c->threads = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "sync_interval") == 0) {
        size_t n;
        if (strcmp(v, "0") == 0) {
            c->sync_interval = 0;
            return 0;
        }
        if (set_size(&n, v, 1, 86400))
            return -1;
        c->sync_interval = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "ping_interval") == 0) {
        size_t n;
        if (set_size(&n, v, 0, 31 * 86400))
            return -1;
        c->ping_interval = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "sync_cafile") == 0) {
        if (strlen(v) >= sizeof(c->sync_cafile))
            return -1;
        snprintf(c->sync_cafile, sizeof(c->sync_cafile), "%s", v);
        return 0;
    }
    return -2;
}

int cli_config_parse(struct cli_config *c, const char *text, struct error *err)
{
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[2048];
        lineno++;
        if (n >= sizeof(line))
            return error_set(err, ERR_INVALID, "line %d: too long", lineno);
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (e ? 1 : 0);
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            return error_set(err, ERR_INVALID, "line %d: expected 'key = value'", lineno);
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        int r = set_key(c, k, v);
        if (r == -2)
            return error_set(err, ERR_INVALID, "line %d: unknown key '%s'", lineno, k);
        if (r)
            return error_set(err, ERR_INVALID, "line %d: bad value for '%s'", lineno, k);
    }
    return 0;
}

int cli_config_load(const char *dir, struct cli_config *c, struct error *err)
{
    char path[PATH_MAX];
    cli_path(path, dir, "concord.conf");
    cli_config_defaults(c);
    size_t len;
    char *text = cli_read_file(path, &len, 1024 * 1024);
    if (!text)
        return error_set(err, ERR_IO, "cannot read '%s'", path);
    int r = cli_config_parse(c, text, err);
    free(text);
    if (r)
        error_prefix_path(err, path);
    return r;
}

int cli_config_save(const char *dir, const struct cli_config *c, struct error *err)
{
    char path[PATH_MAX];
    cli_path(path, dir, "concord.conf");
    FILE *f = fopen(path, "w");
    if (!f)
        return error_set(err, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fprintf(f,
            "# Concord node configuration (see docs/operations.md)\n"
            "listen = %s\ntls_cert = %s\ntls_key = %s\ntitle = %s\ndescription = %s\n"
            "contact = %s\ndefault_collection = %s\nmax_content_length = %zu\nthreads = %u\n"
            "audit = %s\n",
            c->listen, c->tls_cert, c->tls_key, c->title, c->description, c->contact,
            c->default_collection, c->max_content_length, c->threads, c->audit ? "on" : "off");
    return fclose(f) == 0 ? 0 : error_set(err, ERR_IO, "cannot write '%s'", path);
}
