/*
 * pat_values: the equality constants of a pattern, with their object
 * paths written one canonical way, so that two organisations' indicators
 * for the same observable meet under the same key whatever quoting or
 * hash-name spelling each used (STIX 2.1 §9.3 object paths; §10.11 the
 * hash-algorithm vocabulary).
 */
#include "pattern/values.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/banned.h"

static bool plain_ident(const char *k)
{
    if (!*k || !(isalpha((unsigned char)*k) || *k == '_'))
        return false;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_')
            return false;
    return true;
}

/* The vocabulary's spelling of a hash name ("sha256" -> "SHA-256"), else k. */
static const char *hash_name(const char *k)
{
    static const char *names[] = {"MD5",      "SHA-1",    "SHA-256",  "SHA-512", "SHA3-256",
                                  "SHA3-512", "SSDEEP",   "TLSH"};
    char flat[16];
    size_t n = 0;
    for (const char *c = k; *c && n + 1 < sizeof(flat); c++)
        if (*c != '-' && *c != '_')
            flat[n++] = (char)toupper((unsigned char)*c);
    flat[n] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char want[16];
        size_t m = 0;
        for (const char *c = names[i]; *c; c++)
            if (*c != '-')
                want[m++] = *c;
        want[m] = '\0';
        if (strcmp(flat, want) == 0)
            return names[i];
    }
    return k;
}

static void put_key(struct buf *b, const char *k)
{
    if (plain_ident(k)) {
        buf_puts(b, k);
        return;
    }
    buf_putc(b, '\'');
    for (; *k; k++) {
        if (*k == '\'' || *k == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *k);
    }
    buf_putc(b, '\'');
}

/* Canonical text of path into b; false when it has an index step or is too long. */
static bool canonical_path(const struct pat_path *p, struct buf *b)
{
    buf_puts(b, p->type);
    buf_putc(b, ':');
    bool hashes = false;
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct pat_step *s = &p->steps[i];
        if (s->kind != PAT_STEP_KEY)
            return false;
        if (i)
            buf_putc(b, '.');
        put_key(b, hashes ? hash_name(s->key) : s->key);
        hashes = strcmp(s->key, "hashes") == 0;
    }
    return !buf_failed(b) && b->len < PAT_VALUE_PATH_MAX;
}

/* Values compared case-insensitively by their nature are folded to lower case. */
static bool folds_case(const char *path)
{
    return strncmp(path, "domain-name:", 12) == 0 || strncmp(path, "email-addr:", 11) == 0 ||
           strstr(path, ":hashes.") != NULL || strstr(path, ".hashes.") != NULL;
}

static int report(const char *path, const struct pat_lit *v, pat_value_fn fn, void *ctx)
{
    char num[32], low[PAT_VALUE_MAX + 1];
    const char *text = v->str;
    size_t len = v->len;
    if (v->kind == PAT_LIT_INT) {
        len = (size_t)snprintf(num, sizeof(num), "%" PRId64, v->i);
        text = num;
    } else if (v->kind != PAT_LIT_STRING || len > PAT_VALUE_MAX || memchr(text, 0, len)) {
        return 0;
    }
    if (folds_case(path) && text != num) {
        for (size_t i = 0; i < len; i++)
            low[i] = (char)tolower((unsigned char)text[i]);
        low[len] = '\0';
        text = low;
    }
    return fn(ctx, path, text, len);
}

static int walk(const struct pat_cexpr *c, pat_value_fn fn, void *ctx)
{
    if (c->kind != PAT_CMP_TEST) {
        int r = walk(c->l, fn, ctx);
        return r ? r : walk(c->r, fn, ctx);
    }
    const struct pat_cmp *t = &c->test;
    if (t->negated || (t->op != PAT_OP_EQ && t->op != PAT_OP_IN))
        return 0;
    struct buf path;
    buf_init(&path, PAT_VALUE_PATH_MAX * 2);
    int r = 0;
    if (canonical_path(&t->path, &path))
        for (size_t i = 0; i < t->n_vals && !r; i++)
            r = report(buf_str(&path), &t->vals[i], fn, ctx);
    buf_release(&path);
    return r;
}

static int walk_obs(const struct pat_obs *o, pat_value_fn fn, void *ctx)
{
    if (!o)
        return 0;
    if (o->kind == PAT_OBS_TEST)
        return walk(o->cexpr, fn, ctx);
    int r = walk_obs(o->l, fn, ctx);
    return r ? r : walk_obs(o->r, fn, ctx);
}

int pat_values(const struct pattern *p, pat_value_fn fn, void *ctx)
{
    return walk_obs(p->root, fn, ctx);
}
