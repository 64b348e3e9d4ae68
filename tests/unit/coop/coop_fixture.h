/*
 * Fixture of the coop unit tests: a real SQLite store in a temporary
 * directory with the `directory` collection and two organisations, as
 * `concord init` and `concord org add` leave it (without the CLI).
 */
#ifndef CONCORD_TEST_COOP_FIXTURE_H
#define CONCORD_TEST_COOP_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/error.h"

#include "../../lib/tmpdir.h"

struct fx {
    char dir[PATH_MAX];
    struct store *s;
    struct store_org sg, kh;
};

static void fx_org(struct fx *f, const char *name, const char *cc, const char *identity,
                   struct store_org *o)
{
    struct error err;
    error_clear(&err);
    memset(o, 0, sizeof(*o));
    snprintf(o->name, sizeof(o->name), "%s", name);
    snprintf(o->country, sizeof(o->country), "%s", cc);
    snprintf(o->role, sizeof(o->role), "national-cert");
    snprintf(o->identity_id, sizeof(o->identity_id), "%s", identity);
    assert_int_equal(store_org_add(f->s, o, &err), 0);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char db[PATH_MAX];
    struct error err;
    struct store_coll c;
    error_clear(&err);
    assert_int_equal(tmpdir_make(f->dir, "concord-coop-"), 0);
    assert_int_equal(tmpdir_path(db, f->dir, "concord.db"), 0);
    assert_int_equal(store_sqlite_open(db, &f->s, &err), 0);
    memset(&c, 0, sizeof(c));
    snprintf(c.id, sizeof(c.id), "5b0f7c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b");
    snprintf(c.alias, sizeof(c.alias), "directory");
    snprintf(c.read_orgs, sizeof(c.read_orgs), "*");
    snprintf(c.write_orgs, sizeof(c.write_orgs), "*");
    assert_int_equal(store_coll_add(f->s, &c, &err), 0);
    fx_org(f, "sg-cert", "SG", "identity--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", &f->sg);
    fx_org(f, "kh-cert", "KH", "identity--1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", &f->kh);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    assert_int_equal(tmpdir_remove(f->dir), 0);
    free(f);
    return 0;
}

/* How many versions of id are stored (any reader). */
static int fx_count_versions_row(void *ctx, const struct store_row *row)
{
    (*(int *)ctx)++;
    return 1;
}

static int fx_versions(struct fx *f, const char *id)
{
    struct store_coll c;
    struct store_query q;
    int n = 0;
    bool more;
    assert_int_equal(store_coll_get(f->s, "directory", &c), 0);
    memset(&q, 0, sizeof(q));
    q.coll = c.seq;
    q.added_after_us = -1;
    q.ids = &id;
    q.n_ids = 1;
    q.ver_flags = STORE_VER_ALL;
    assert_int_equal(store_obj_query(f->s, &q, fx_count_versions_row, &n, &more), 0);
    return n;
}

#endif
