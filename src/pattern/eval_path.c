/*
 * Layers 1 and 2 of the reference evaluator (eval.c describes all three):
 * object paths (walk_*), from one root SCO to the values a comparison
 * tests, and brackets (cexpr_*), a [ ... ] on one root or one observation.
 * A root's first step goes through its view (eval_sco.c) when it has one:
 * its properties in a flat array, `_ref` already resolved, the same values
 * as the JSON object without a hash lookup per comparison.
 *
 * State lives in the call (struct walk, struct pat_ev_ctx): thread-safe
 * on a const pattern and observation set.
 */
#include "pattern/eval_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* ---- object paths --------------------------------------------------------- */

enum bin_kind { BIN_NONE, BIN_HEX, BIN_B64 };

struct walk {
    struct pat_ev_ctx *ctx;
    const struct pat_cmp *cmp;
    const struct pat_obsv *o;
    bool found; /* the path reached at least one value */
    bool hit;   /* a value passed the comparison (EXISTS: found) */
};

/* Type the JSON value v; false when a `_hex` / `_bin` value does not decode (missing). */
static bool value_of(json_t *v, enum bin_kind bin, struct pat_ev_val *val, char **buf)
{
    memset(val, 0, sizeof(*val));
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (bin == BIN_NONE) {
            val->kind = PAT_EV_STR;
            val->s = json_string_value(v);
            val->len = json_string_length(v);
            return true;
        }
        if (!(bin == BIN_HEX ? pat_ev_decode_hex : pat_ev_decode_b64)(
                json_string_value(v), json_string_length(v), buf, &val->len))
            return false;
        val->kind = PAT_EV_BYTES;
        val->s = *buf;
        return true;
    case JSON_INTEGER:
        val->kind = PAT_EV_INT;
        val->i = (int64_t)json_integer_value(v);
        return true;
    case JSON_REAL:
        val->kind = PAT_EV_FLOAT;
        val->f = json_real_value(v);
        return true;
    case JSON_TRUE:
    case JSON_FALSE:
        val->kind = PAT_EV_BOOL;
        val->b = json_is_true(v);
        return true;
    default:
        val->kind = PAT_EV_OTHER;
        return true;
    }
}

static bool any_resolves(const struct pat_obsv *o, json_t *refs)
{
    size_t k;
    json_t *r;

    json_array_foreach (refs, k, r) {
        if (pat_ev_deref(o, r))
            return true;
    }
    return false;
}

/*
 * The end of the path: v is the value (refs: v is a list of references, a
 * composite value, missing when none of them resolves).
 */
static void walk_end(struct walk *w, json_t *v, bool refs, enum bin_kind bin)
{
    struct pat_ev_val val = {.kind = PAT_EV_OTHER};
    char *buf = NULL;

    if (refs && !any_resolves(w->o, v))
        return;
    if (w->cmp->op == PAT_OP_EXISTS) {
        w->found = w->hit = true;
        return;
    }
    if (!refs && !value_of(v, bin, &val, &buf))
        return;
    w->found = true;
    if (pat_ev_test(w->ctx, w->cmp, &val) == PAT_EV_TRUE)
        w->hit = true;
    if (buf) /* a decoded `_hex` / `_bin` value only: spares a call per comparison */
        free(buf);
}

static void walk(struct walk *w, json_t *v, const struct pat_ev_sco *sco, size_t i, bool refs,
                 enum bin_kind bin);

/* Past a key step to child, a property named with suffix sfx (not `_ref`). */
static void walk_child(struct walk *w, json_t *child, enum pat_ev_suffix sfx, size_t i)
{
    if (sfx == PAT_EV_SFX_REFS) {
        if (json_is_array(child))
            walk(w, child, NULL, i + 1, true, BIN_NONE);
        return;
    }
    walk(w, child, NULL, i + 1, false,
         sfx == PAT_EV_SFX_HEX   ? BIN_HEX
         : sfx == PAT_EV_SFX_BIN ? BIN_B64
                                 : BIN_NONE);
}

/* A key step on v, through its view sco when v is a root (same values, no hashing). */
static void walk_key(struct walk *w, json_t *v, const struct pat_ev_sco *sco, size_t i)
{
    const char *key = w->cmp->path.steps[i].key;
    size_t n = strlen(key);
    const struct pat_ev_prop *p;
    json_t *child;

    if (sco) {
        if (!(p = pat_ev_sco_get(sco, key, n)))
            return;
        if (p->sfx == PAT_EV_SFX_REF) {
            if (p->sco)
                walk(w, p->sco->obj, p->sco, i + 1, false, BIN_NONE);
            else if ((child = pat_ev_deref(w->o, p->val)) != NULL) /* no root: a set by hand */
                walk(w, child, NULL, i + 1, false, BIN_NONE);
            return;
        }
        walk_child(w, p->val, p->sfx, i);
        return;
    }
    if (!json_is_object(v) || !(child = json_object_get(v, key)))
        return;
    if (pat_ev_suffix_of(key, n) != PAT_EV_SFX_REF)
        walk_child(w, child, pat_ev_suffix_of(key, n), i);
    else if ((child = pat_ev_deref(w->o, child)) != NULL)
        walk(w, child, NULL, i + 1, false, BIN_NONE);
}

/* [n] or [*] on a list; on a list of references, over the SCOs that resolve. */
static void walk_list(struct walk *w, json_t *v, size_t i, bool refs, enum bin_kind bin)
{
    const struct pat_step *st = &w->cmp->path.steps[i];
    long seen = 0;
    size_t k;
    json_t *el;

    if (!json_is_array(v))
        return;
    if (!refs && st->kind == PAT_STEP_INDEX) {
        if (st->index >= 0 && (el = json_array_get(v, (size_t)st->index)) != NULL)
            walk(w, el, NULL, i + 1, false, bin);
        return;
    }
    json_array_foreach (v, k, el) {
        if (w->hit)
            return;
        if (refs && !(el = pat_ev_deref(w->o, el)))
            continue;
        if (st->kind == PAT_STEP_INDEX && seen++ != st->index)
            continue;
        walk(w, el, NULL, i + 1, false, refs ? BIN_NONE : bin);
        if (st->kind == PAT_STEP_INDEX)
            return;
    }
}

/* Step i of the path on v; sco is v's view when v is a root of the observation, else NULL. */
static void walk(struct walk *w, json_t *v, const struct pat_ev_sco *sco, size_t i, bool refs,
                 enum bin_kind bin)
{
    if (w->hit)
        return;
    if (i == w->cmp->path.n_steps)
        walk_end(w, v, refs, bin);
    else if (w->cmp->path.steps[i].kind != PAT_STEP_KEY)
        walk_list(w, v, i, refs, bin);
    else if (!refs)
        walk_key(w, v, sco, i);
}

/* ---- brackets --------------------------------------------------------------- */

/* One comparison on one root SCO; only roots of the path's object type qualify. */
static bool test_root(struct pat_ev_ctx *ctx, const struct pat_cmp *cmp,
                      const struct pat_ev_sco *root, const struct pat_obsv *o)
{
    struct walk w = {ctx, cmp, o, false, false};

    if (!root->type || !cmp->path.type || strcmp(root->type, cmp->path.type) != 0)
        return false;
    walk(&w, root->obj, root->prop ? root : NULL, 0, false, BIN_NONE);
    if (cmp->op == PAT_OP_EXISTS)
        return w.found != cmp->negated;
    return w.hit;
}

/* The boolean expression on one root (loops down the left spine of long AND / OR chains). */
bool pat_ev_cexpr_root(struct pat_ev_ctx *ctx, const struct pat_cexpr *c,
                       const struct pat_ev_sco *root, const struct pat_obsv *o)
{
    for (;;) {
        switch (c->kind) {
        case PAT_CMP_TEST:
            return test_root(ctx, &c->test, root, o);
        case PAT_CMP_AND:
            if (!pat_ev_cexpr_root(ctx, c->r, root, o))
                return false;
            break;
        case PAT_CMP_OR:
            if (pat_ev_cexpr_root(ctx, c->r, root, o))
                return true;
            break;
        default:
            return false;
        }
        c = c->l;
    }
}

static bool cexpr_obsv(struct pat_ev_ctx *ctx, const struct pat_cexpr *c, const struct pat_obsv *o)
{
    size_t i;
    json_t *obj;
    struct pat_ev_sco root = {0}; /* no view: paths go through the JSON */

    json_array_foreach (o->roots, i, obj) {
        root.obj = obj;
        root.type = json_string_value(json_object_get(obj, "type"));
        if (root.type && pat_ev_cexpr_root(ctx, c, &root, o))
            return true;
    }
    return false;
}

bool pat_eval_cexpr(const struct pat_cexpr *c, const struct pat_obsv *o)
{
    struct pat_ev_ctx ctx;
    bool r;

    if (!c || !o || !json_is_array(o->roots))
        return false;
    pat_ev_ctx_init(&ctx);
    r = cexpr_obsv(&ctx, c, o);
    pat_ev_ctx_release(&ctx);
    return r;
}
