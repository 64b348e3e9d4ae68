/*
 * `concord match`: the indicators to match, from a file (--indicators) or
 * from a node's data directory (-D), into the bulk index.  Only indicators
 * in the STIX pattern language count (pattern_type "stix", or none in
 * STIX 2.0); the index keeps those active now (valid_from, valid_until,
 * revoked).  From a data directory only the latest version of each is
 * read, through the sharing decision (--as ORG).
 */
#define _GNU_SOURCE /* memmem */
#include "cli/match_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pattern/indicators.h"
#include "share/context.h"
#include "stix/timestamp.h"
#include "util/limits.h"
#include "util/banned.h"

static int64_t ts_ns(json_t *v, int64_t none)
{
    int64_t ns;
    const char *s = json_string_value(v);
    return s && stix_ts_parse(s, strlen(s), &ns, NULL) == 0 ? ns : none;
}

/*
 * Could text be of level 2 or 3?  Those have two observation brackets or
 * a qualifier; a '[' before a digit or '*' is a list index.  A yes only
 * costs a parse, so false alarms (a '[' inside a string) are harmless.
 */
static bool maybe_multi(const char *text, size_t len)
{
    int brackets = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '[' && i + 1 < len && text[i + 1] != '*' &&
            (text[i + 1] < '0' || text[i + 1] > '9'))
            brackets++;
    return brackets > 1 || memmem(text, len, "WITHIN", 6) || memmem(text, len, "REPEATS", 7) ||
           memmem(text, len, "START", 5);
}

/* A level 2/3 pattern also goes to m, which decides it over several records. */
static void keep_multi(struct match_multi *m, const char *id, const char *text, size_t len)
{
    if (!maybe_multi(text, len))
        return;
    struct pattern *p = NULL;
    struct error err;
    error_clear(&err);
    if (pat_parse(text, len, &p, &err) != 0)
        return;
    if (p->level < 2 || json_object_get(m->by_id, id)) {
        pat_free(p);
        return;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof(*m->v));
        if (!m->v)
            abort();
    }
    struct match_multi_one *e = &m->v[m->n];
    memset(e, 0, sizeof(*e));
    snprintf(e->id, sizeof(e->id), "%s", id);
    e->p = p;
    e->owned = json_array();
    json_object_set_new(m->by_id, id, json_integer((json_int_t)m->n));
    m->n++;
}

static void add_indicator(json_t *o, struct pat_index_builder *b, struct match_multi *m,
                          struct match_load_stats *st)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    json_t *pat = json_object_get(o, "pattern");
    const char *pt = json_string_value(json_object_get(o, "pattern_type"));
    if (!id || !json_is_string(pat))
        return;
    if (pt && strcmp(pt, "stix") != 0) {
        st->other_types++;
        return;
    }
    unsigned flags = json_is_true(json_object_get(o, "revoked")) ? PAT_INDEX_REVOKED : 0;
    struct error err;
    error_clear(&err);
    const char *text = json_string_value(pat);
    size_t len = json_string_length(pat);
    if (pat_index_add(b, id, text, len, ts_ns(json_object_get(o, "valid_from"), INT64_MIN),
                      ts_ns(json_object_get(o, "valid_until"), INT64_MAX), flags, &err) != 0) {
        st->invalid++;
        return;
    }
    st->indicators++;
    keep_multi(m, id, text, len);
}

static int64_t span_ns(const char *s, size_t n, int64_t none)
{
    int64_t ns;
    return s && stix_ts_parse(s, n, &ns, NULL) == 0 ? ns : none;
}

struct file_load {
    struct pat_index_builder *b;
    struct match_multi *m;
    struct match_load_stats *st;
};

static int file_indicator(void *p, const struct pat_indicator_in *in)
{
    struct file_load *fl = p;
    if (in->pattern_type && (in->pattern_type_len != 4 || memcmp(in->pattern_type, "stix", 4))) {
        fl->st->other_types++;
        return 0;
    }
    char id[128];
    if (in->id_len >= sizeof(id)) {
        fl->st->invalid++;
        return 0;
    }
    memcpy(id, in->id, in->id_len);
    id[in->id_len] = '\0';
    struct error err;
    error_clear(&err);
    if (pat_index_add(fl->b, id, in->pattern, in->pattern_len,
                      span_ns(in->valid_from, in->valid_from_len, INT64_MIN),
                      span_ns(in->valid_until, in->valid_until_len, INT64_MAX),
                      in->revoked ? PAT_INDEX_REVOKED : 0, &err) != 0) {
        fl->st->invalid++;
        return 0;
    }
    fl->st->indicators++;
    keep_multi(fl->m, id, in->pattern, in->pattern_len);
    return 0;
}

/*
 * From a file: one strict pass of the pattern module's scanner picks the
 * indicators' properties without building a JSON tree (a million
 * indicators would cost seconds and gigabytes as jansson objects).
 */
int match_load_file(const char *path, struct pat_index_builder *b, struct match_multi *m,
                    struct match_load_stats *st)
{
    size_t len;
    char *text = cli_read_file(path, &len, LIMIT_IMPORT_FILE);
    if (!text)
        return -1;
    struct file_load fl = {b, m, st};
    struct error err;
    error_clear(&err);
    int r = pat_indicators_scan(text, len, file_indicator, &fl, &st->objects, &err);
    free(text);
    if (r)
        fprintf(stderr, "concord: match: cannot read '%s': %s\n", path, err.msg);
    return r ? -1 : 0;
}

/* ---- from a data directory ---- */

struct dir_load {
    struct share_ctx *share;
    struct pat_index_builder *b;
    struct match_multi *m;
    struct match_load_stats *st;
};

static int dir_row(void *p, const struct store_row *row)
{
    struct dir_load *d = p;
    if (!row->visible && !share_ctx_may_read(d->share, row)) {
        d->st->hidden++;
        return 0;
    }
    json_t *o = json_loadb(row->body, row->body_len, 0, NULL);
    if (o) {
        d->st->objects++;
        add_indicator(o, d->b, d->m, d->st);
        json_decref(o);
    }
    return 1;
}

static int dir_coll(void *p, const struct store_coll *c)
{
    struct dir_load *d = p;
    static const char *types[] = {"indicator"};
    struct store_query q = {.coll = c->seq, .added_after_us = -1, .types = types, .n_types = 1,
                            .ver_flags = STORE_VER_LAST, .visible = share_ctx_visible,
                            .visible_ctx = d->share};
    bool more = false;
    return store_obj_query(d->share->store, &q, dir_row, d, &more);
}

int match_load_dir(const char *dir, const char *as, struct pat_index_builder *b,
                   struct match_multi *m, struct match_load_stats *st)
{
    struct store *s;
    if (cli_open_store(dir, &s))
        return -1;
    struct store_org org = {.id = 0};
    if (as && store_org_get(s, as, &org) != 0) {
        fprintf(stderr, "concord: no organisation '%s'\n", as);
        store_close(s);
        return -1;
    }
    struct share_ctx share;
    share_ctx_init(&share, s, org.id, as == NULL);
    struct dir_load d = {&share, b, m, st};
    int r = store_coll_list(s, dir_coll, &d);
    share_ctx_release(&share);
    store_close(s);
    if (r)
        fprintf(stderr, "concord: match: cannot read the indicators of '%s': %s\n", dir,
                error_name(r));
    return r ? -1 : 0;
}
