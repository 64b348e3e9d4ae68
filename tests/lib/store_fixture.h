/*
 * A SQLite store in a fresh temporary directory for the store unit tests
 * (header only; see tmpdir.h): cmocka setup/teardown that open
 * DIR/concord.db and add two collections, "main" and "other".
 */
#ifndef CONCORD_TESTS_LIB_STORE_FIXTURE_H
#define CONCORD_TESTS_LIB_STORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "util/error.h"

#include "tmpdir.h"

struct fx {
    char dir[PATH_MAX];
    char db[PATH_MAX];
    struct store *s;
    int64_t coll;  /* collection used by the object tests */
    int64_t coll2; /* a second collection, to check isolation */
};

static int64_t add_coll(struct store *s, const char *id, const char *alias)
{
    struct store_coll c;
    struct error err;
    memset(&c, 0, sizeof(c));
    error_clear(&err);
    snprintf(c.id, sizeof(c.id), "%s", id);
    snprintf(c.title, sizeof(c.title), "title of %s", id);
    snprintf(c.alias, sizeof(c.alias), "%s", alias);
    snprintf(c.read_orgs, sizeof(c.read_orgs), "*");
    snprintf(c.write_orgs, sizeof(c.write_orgs), ",1,");
    assert_int_equal(store_coll_add(s, &c, &err), 0);
    assert_true(c.seq > 0);
    return c.seq;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct error err;
    error_clear(&err);
    assert_int_equal(tmpdir_make(f->dir, "concord-store-"), 0);
    tmpdir_path(f->db, f->dir, "concord.db");
    assert_int_equal(store_sqlite_open(f->db, &f->s, &err), 0);
    f->coll = add_coll(f->s, "91a7b528-80eb-42ed-a74d-c6fbd5a26116", "main");
    f->coll2 = add_coll(f->s, "52892447-4d7e-4f70-b94d-d7f22742ff63", "other");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    assert_int_equal(tmpdir_remove(f->dir), 0);
    free(f);
    return 0;
}

#endif
