/*
 * libFuzzer target for the STIX pattern parser (src/pattern/lexer.c,
 * parser.c, check.c, arena.c).
 *
 * The input is the pattern text, taken as is (embedded NULs, invalid
 * UTF-8, no terminator).  It is parsed strictly and with
 * PAT_PARSE_ALLOW_MIXED_AND.  Invariants a caller relies on are checked
 * and abort() on violation: success gives a tree with a level of 1-3 and
 * no error; failure gives ERR_INVALID or ERR_TOO_LARGE, no tree, a message
 * naming the offset, and an offset inside the text; a strict success is a
 * lax success too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"
#include "util/error.h"

/* Walk the tree: every node reachable, kinds in range. */
static void walk_cexpr(const struct pat_cexpr *e)
{
    if (!e)
        abort();
    if (e->kind == PAT_CMP_TEST) {
        if (!e->test.path.type || e->test.path.n_steps < 1 ||
            e->test.path.steps[0].kind != PAT_STEP_KEY || !e->test.path.steps[0].key)
            abort();
        if ((e->test.op == PAT_OP_EXISTS) != (e->test.n_vals == 0 && !e->test.vals) &&
            e->test.op != PAT_OP_IN)
            abort();
        return;
    }
    walk_cexpr(e->l);
    walk_cexpr(e->r);
}

static void walk_obs(const struct pat_obs *o)
{
    if (!o)
        abort();
    switch (o->kind) {
    case PAT_OBS_TEST:
        walk_cexpr(o->cexpr);
        return;
    case PAT_OBS_AND:
    case PAT_OBS_OR:
    case PAT_OBS_FOLLOWEDBY:
        walk_obs(o->l);
        walk_obs(o->r);
        return;
    case PAT_OBS_WITHIN:
        if (!(o->seconds > 0))
            abort();
        break;
    case PAT_OBS_REPEATS:
        if (o->times < 1)
            abort();
        break;
    case PAT_OBS_STARTSTOP:
        if (o->start_ns > o->stop_ns)
            abort();
        break;
    }
    walk_obs(o->l);
}

static int parse_one(const char *text, size_t size, unsigned flags)
{
    struct pattern *p = (struct pattern *)1;
    struct error err;
    char want[48];
    int r;

    error_clear(&err);
    r = pat_parse_opts(text, size, flags, &p, &err);
    if (r == 0) {
        if (!p || err.code != 0 || p->level < 1 || p->level > 3)
            abort();
        if (p->mixed_and && !(flags & PAT_PARSE_ALLOW_MIXED_AND))
            abort();
        walk_obs(p->root);
        pat_free(p);
        return 0;
    }
    if (p || (r != ERR_INVALID && r != ERR_TOO_LARGE) || err.code != r || err.offset < 0)
        abort();
    if (r == ERR_INVALID && (size_t)err.offset > size)
        abort();
    snprintf(want, sizeof(want), "at offset %ld", err.offset);
    if (!strstr(err.msg, want))
        abort();
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so reading past the end is caught */
    char *text = malloc(size ? size : 1);
    int strict, lax;

    if (size)
        memcpy(text, data, size);
    strict = parse_one(text, size, 0);
    lax = parse_one(text, size, PAT_PARSE_ALLOW_MIXED_AND);
    if (strict == 0 && lax != 0)
        abort();
    free(text);
    return 0;
}
