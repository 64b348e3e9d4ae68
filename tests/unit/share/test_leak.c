/*
 * Property-based leak search over the sharing decision (issue 3): random
 * worlds of organisations, communities, sharing groups and marked objects
 * are stored in a real SQLite store, then every organisation reads them
 * back through every read path, and what comes back is compared with an
 * oracle written here from the rules (docs/sharing.md) with plain sets and
 * loops; the oracle calls no share_* function.
 *
 * A world: 3-6 organisations (random countries, a user and an API token
 * each), 1-3 communities (by country and/or by organisation), 1-3 sharing
 * groups (marking definitions with Concord's extension naming random
 * organisations and communities, sometimes a community that does not
 * exist, sometimes marked themselves, with granular markings on their
 * recipient lists), sometimes a statement marking (now and then a PAP
 * marking instead: a marking other than TLP that is no sharing group) and
 * an extension definition, and 5-25 indicators and notes with 0-2 TLP
 * markings (2.0 and 1.0 ids), random sharing groups, sometimes the
 * statement or a marking id nobody defined, a random created_by_ref (an
 * organisation, an identity from elsewhere, or none), random granular
 * markings on random properties (list elements, nested properties,
 * dictionary keys of 300 characters), and sometimes 2-3 versions with
 * different markings.  Every version is
 * stored by a random organisation (its origin), now and then by the node
 * itself (origin 0, a local import), in random order; runs of versions by
 * the same organisation go in one envelope.
 *
 * Markings and who made them (the squatting rules, share.h): a marking
 * other than TLP -- a sharing group, the statement, PAP -- counts on an
 * object only when the marking's created_by_ref is the object's, and only
 * when the organisation that delivered the marking's definition is the
 * one its created_by_ref names (or the node did); otherwise it is unknown
 * and denies.  So a group (or the statement) is usually made by an
 * organisation and posted by it, and objects naming it are mostly created
 * by its creator (AMBER and RED reach a group's recipients, a statement
 * adds no restriction); but markings are also posted by another
 * organisation than their creator, by the node, made by nobody or by an
 * identity from elsewhere, named on objects of other creators and on
 * objects without created_by_ref; and sometimes an organisation "squats" a
 * group's id: it posts its own definition of that id (in a second
 * collection, naming itself, created_by_ref itself, the group's creator
 * (forged) or nobody), before or after the real one; the first definition
 * stored is the one that counts.  A squat is sometimes a statement (which
 * would open a GREEN object naming the pending group, were it to count),
 * and sometimes takes the statement's id instead.
 *
 * The read paths, for every organisation:
 *   in-process (every world), the logic of `concord export --as` and of
 *   the TAXII handlers over store_obj_query + share_ctx: latest, first and
 *   all versions, pages of 3 following `more` the way the server does, and
 *   a few objects by id (latest and all versions);
 *   over HTTP (every CONCORD_LEAK_HTTP_EVERY-th world; the objects are then
 *   POSTed by the organisations' users to an in-process TAXII server
 *   instead of being ingested directly): GET objects with limit=3 following
 *   next, match[version]=all with limit=4 following next, the manifest
 *   (latest and all versions, date_added checked), every object by id and
 *   its versions (404 for the invisible ones and for an id never stored),
 *   and on every page X-TAXII-Date-Added-First/Last equal to the date_added
 *   of the first/last object served.
 * The node itself (export without --as) must get everything, unredacted.
 *
 * What the oracle holds the readers to (docs/sharing.md; the oracle
 * restates the rules with plain loops, including the two rules on who
 * made and who delivered a marking above): an object version
 * a reader may not see does not exist for it, so "latest" and "first" are
 * the latest and first versions it may see; the copy it gets lacks what
 * granular markings hide from it, and the granular-marking entries it
 * keeps select exactly what they selected before, renumbered past removed
 * list elements and without the selectors whose content went (an entry
 * goes when none is left).
 *
 * A TAXII server world costs ~10 times an in-process one (hundreds of
 * requests per world), so HTTP covers a tenth of the worlds by default and
 * the in-process paths all of them; 2000 worlds take ~18 s in a normal
 * build and ~35 s under ASan+UBSan.
 *
 * Environment: CONCORD_LEAK_SEED (default 0x5eed2026), CONCORD_LEAK_WORLDS
 * (default 2000), CONCORD_LEAK_HTTP_EVERY (default 10; 0 = no HTTP),
 * CONCORD_LEAK_ONLY (run only world number N, to reproduce a failure).
 * A mismatch prints the seed, the world, the reader, the path and the
 * difference, then fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "auth/auth.h"
#include "share/context.h"
#include "stix/timestamp.h"
#include "store/ingest.h"
#include "store/store.h"
#include "taxii/server.h"
#include "util/buf.h"

#include "../../lib/tmpdir.h"

/* ---- deterministic randomness (xorshift64) ---- */

static uint64_t rng;

static uint64_t next64(void)
{
    uint64_t x = rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng = x;
}

static unsigned rn(unsigned n)
{
    return n ? (unsigned)(next64() % n) : 0;
}

static bool chance(unsigned pct)
{
    return rn(100) < pct;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z ? z : 1;
}

static void uuid4(char out[37])
{
    uint64_t a = next64(), b = next64();
    snprintf(out, 37, "%08x-%04x-4%03x-%x%03x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff, 8 + (unsigned)(b >> 62),
             (unsigned)(b >> 48) & 0xfff, (unsigned long long)(b & 0xffffffffffffULL));
}

/* ---- the rules, restated for the oracle ---- */

#define O_EXT "extension-definition--3c2f7f4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f"
/* another marking extension (PAP), a marking that is not a sharing group */
#define O_PAP_EXT "extension-definition--f8d78575-edfd-406e-8e84-6162a8450f5b"

enum { L_NONE, L_CLEAR, L_GREEN, L_AMBER, L_STRICT, L_RED };

static const struct {
    const char *id;
    int level;
} o_tlp[] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", L_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", L_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", L_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", L_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", L_RED},
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", L_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", L_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", L_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", L_RED},
};
#define N_TLP (sizeof(o_tlp) / sizeof(o_tlp[0]))

static int o_tlp_level(const char *id)
{
    for (size_t i = 0; id && i < N_TLP; i++)
        if (strcmp(id, o_tlp[i].id) == 0)
            return o_tlp[i].level;
    return L_NONE;
}

/* ---- a world ---- */

#define MAX_ORGS 6
#define MAX_COMMS 3
#define MAX_GROUPS 3
#define MAX_OBJS (MAX_GROUPS + 2 + 25)
#define MAX_VERS 3
#define MAX_ROWS (MAX_OBJS * MAX_VERS)
#define MAX_SQUATS 3
#define P_NODE (-1) /* poster: the node itself (a local import, origin 0) */
#define SEL_MAX 512
#define R_NODE (-1) /* the node itself: export without --as */

static const char *countries[] = {"SG", "MY", "TH", "VN", "ID", "AU", "JP", ""};
#define N_COUNTRIES 7 /* the last one, "", is "no country" */

struct w_org {
    int64_t id;
    char name[40];
    char identity[64];
    int country;       /* index into countries */
    char token[AUTH_TOKEN_MAX];
};

struct w_comm {
    char name[24];
    bool country[N_COUNTRIES];
    bool org[MAX_ORGS];
};

struct w_ver {
    json_t *body;
    char *text;        /* body as sent (compact JSON) */
    char version[40];
    int poster;        /* org index, or P_NODE */
    int pos;           /* place in the order of posting */
    int64_t added;     /* date_added, from the store */
    bool found;
};

struct w_obj {
    char id[96];
    char type[32];
    char creator[64];  /* created_by_ref, "" for none */
    int nv;
    struct w_ver v[MAX_VERS];
};

/* Another definition of a marking id, posted into the side collection. */
struct w_squat {
    int target;        /* object index of the marking definition whose id it takes */
    int squatter;      /* org index of the organisation that made it */
    char creator[64];  /* its created_by_ref, "" for none */
    struct w_ver v;
};

struct world {
    unsigned index;
    uint64_t seed;
    bool http;
    int n_orgs, n_comms, n_groups, n_objs;
    struct w_org org[MAX_ORGS];
    struct w_comm comm[MAX_COMMS];
    int group[MAX_GROUPS];   /* object index of each sharing group */
    int statement;           /* object index of the statement marking, -1 none */
    char unknown[96];        /* a marking id nobody defines */
    char never[96];          /* an object id never stored */
    struct w_obj obj[MAX_OBJS];
    struct w_squat squat[MAX_SQUATS];
    int n_squats;
    struct { int obj, ver; } post[MAX_ROWS + MAX_SQUATS]; /* obj -1: squat number ver */
    int n_post;              /* every post, squats included */
    int n_rows;              /* versions posted into the main collection */
    int64_t coll, side;      /* the main collection, the squats' one */
    char coll_id[40], side_id[40];
};

/* ---- the run ---- */

static struct {
    uint64_t seed;
    unsigned worlds, http_every;
    long only;
    char dir[PATH_MAX];
    struct store *s;
    struct taxii_server *srv;
    uint16_t port;
    CURL *curl;
    int64_t side;                     /* the squats' collection, for every world */
    char side_id[40];
    unsigned n_http, n_reads;
    /* how often the interesting cases came up (see tally) */
    unsigned t_group_open, t_group_red, t_foreign, t_anon, t_forged, t_squat_first, t_node;
    unsigned t_stmt_open, t_stmt_closed, t_stmt_squat;
    double t_build, t_inproc, t_http; /* seconds spent building worlds, reading them back */
} run;

/* dst = src, truncated to n (src may lie in the same struct as dst) */
static void cpy(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memmove(dst, src, l);
    dst[l] = '\0';
}

static const char *tlp_pick(void)
{
    return o_tlp[rn(N_TLP)].id;
}

/* A timestamp `minutes` after 2024-01-01 (months of 28 days; minutes < 480000 + a few). */
static void ts(char out[40], unsigned minutes, unsigned ms)
{
    unsigned day = minutes / 1440;
    snprintf(out, 40, "2024-%02u-%02uT%02u:%02u:00.%03uZ", 1 + day / 28, 1 + day % 28,
             minutes / 60 % 24, minutes % 60, ms % 1000);
}

static void add_unique(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return;
    json_array_append_new(arr, json_string(s));
}

/*
 * A sharing group for an object created by creator ("" or NULL: none):
 * mostly one of that creator's own when it has one (the useful case).
 */
static int group_pick(const struct world *w, const char *creator)
{
    int own[MAX_GROUPS], n = 0;
    for (int g = 0; creator && creator[0] && g < w->n_groups; g++)
        if (strcmp(w->obj[w->group[g]].creator, creator) == 0)
            own[n++] = g;
    if (n && chance(70))
        return own[rn((unsigned)n)];
    return (int)rn((unsigned)w->n_groups);
}

/* A marking reference for a granular marking or for a group definition. */
static const char *marking_pick(const struct world *w, bool groups_ok, const char *creator)
{
    unsigned r = rn(100);
    if (r < 45)
        return tlp_pick();
    if (r < 75 && groups_ok && w->n_groups)
        return w->obj[w->group[group_pick(w, creator)]].id;
    if (r < 90 && w->statement >= 0)
        return w->obj[w->statement].id;
    if (r < 93 && w->statement >= 0 && creator && creator[0] &&
        !strcmp(w->obj[w->statement].creator, creator))
        return w->obj[w->statement].id;
    if (r < 95)
        return tlp_pick();
    return w->unknown;
}

/* Every path a granular marking could select in the content of b. */
static void collect_paths(json_t *v, const char *path, int depth, char (*out)[SEL_MAX], size_t *n,
                          size_t max)
{
    if (depth > 3)
        return;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            if (*n == max)
                return;
            if (path[0])
                snprintf(out[*n], SEL_MAX, "%s.%s", path, k);
            else
                snprintf(out[*n], SEL_MAX, "%s", k);
            size_t me = (*n)++;
            collect_paths(x, out[me], depth + 1, out, n, max);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (*n == max)
                return;
            snprintf(out[*n], SEL_MAX, "%s.[%zu]", path, i);
            size_t me = (*n)++;
            collect_paths(x, out[me], depth + 1, out, n, max);
        }
    }
}

static const char *content_keys[] = {"name", "description", "pattern", "abstract", "content",
                                     "labels", "external_references", "x_details"};

static json_t *gen_granular(const struct world *w, json_t *b, bool groups_ok, unsigned pct)
{
    static char paths[128][SEL_MAX];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(content_keys) / sizeof(content_keys[0]); i++) {
        json_t *v = json_object_get(b, content_keys[i]);
        if (!v || n == 128)
            continue;
        snprintf(paths[n++], SEL_MAX, "%s", content_keys[i]);
        collect_paths(v, content_keys[i], 1, paths, &n, 128);
    }
    if (!n || !chance(pct))
        return NULL;
    json_t *gms = json_array();
    unsigned k = 1 + rn(3);
    for (unsigned i = 0; i < k; i++) {
        json_t *gm = json_object();
        if (chance(10))
            json_object_set_new(gm, "lang", json_string(chance(50) ? "fr" : "ms"));
        else
            json_object_set_new(
                gm, "marking_ref",
                json_string(marking_pick(w, groups_ok,
                                         json_string_value(json_object_get(b, "created_by_ref")))));
        json_t *sels = json_array();
        unsigned ns = 1 + rn(3);
        for (unsigned j = 0; j < ns; j++)
            add_unique(sels, paths[rn((unsigned)n)]);
        json_object_set_new(gm, "selectors", sels);
        json_array_append_new(gms, gm);
    }
    return gms;
}

/* The object_marking_refs of an object created by creator ("" none). */
static json_t *gen_object_markings(const struct world *w, const char *creator)
{
    json_t *refs = json_array();
    unsigned nt = rn(3);
    for (unsigned i = 0; i < nt; i++)
        add_unique(refs, tlp_pick());
    /* the creator's own groups often, the others' now and then */
    for (int g = 0; g < w->n_groups; g++) {
        const char *gc = w->obj[w->group[g]].creator;
        if (chance(creator[0] && strcmp(gc, creator) == 0 ? 65 : 8))
            add_unique(refs, w->obj[w->group[g]].id);
    }
    /* the statement: its creator's objects more often (it counts only there) */
    if (w->statement >= 0 &&
        chance(creator[0] && !strcmp(w->obj[w->statement].creator, creator) ? 30 : 8))
        add_unique(refs, w->obj[w->statement].id);
    if (chance(5))
        add_unique(refs, w->unknown);
    /* shuffle */
    for (size_t i = json_array_size(refs); i > 1; i--) {
        size_t j = rn((unsigned)i);
        json_t *a = json_incref(json_array_get(refs, i - 1));
        json_array_set(refs, i - 1, json_array_get(refs, j));
        json_array_set_new(refs, j, a);
    }
    if (json_array_size(refs) == 0) {
        json_decref(refs);
        return NULL;
    }
    return refs;
}

static void gen_content(const struct world *w, json_t *b, const char *type, unsigned k, int v)
{
    char s[400];
    if (strcmp(type, "indicator") == 0) {
        snprintf(s, sizeof(s), "indicator %u", k);
        json_object_set_new(b, "name", json_string(s));
        if (chance(80)) {
            snprintf(s, sizeof(s), "secret description %u v%d", k, v);
            json_object_set_new(b, "description", json_string(s));
        }
        snprintf(s, sizeof(s), "[ipv4-addr:value = '10.0.%u.%d']", k, v);
        json_object_set_new(b, "pattern", json_string(s));
        json_object_set_new(b, "pattern_type", json_string("stix"));
        json_object_set(b, "valid_from", json_object_get(b, "created"));
    } else {
        if (chance(60)) {
            snprintf(s, sizeof(s), "abstract %u v%d", k, v);
            json_object_set_new(b, "abstract", json_string(s));
        }
        snprintf(s, sizeof(s), "secret content %u v%d", k, v);
        json_object_set_new(b, "content", json_string(s));
        json_object_set_new(b, "object_refs",
                            json_pack("[s]", w->org[rn((unsigned)w->n_orgs)].identity));
    }
    if (chance(65)) {
        json_t *l = json_array();
        unsigned n = 1 + rn(4);
        for (unsigned i = 0; i < n; i++) {
            snprintf(s, sizeof(s), "label-%u-%d-%u", k, v, i);
            json_array_append_new(l, json_string(s));
        }
        json_object_set_new(b, "labels", l);
    }
    if (chance(50)) {
        json_t *l = json_array();
        unsigned n = 1 + rn(3);
        for (unsigned i = 0; i < n; i++) {
            json_t *r = json_object();
            snprintf(s, sizeof(s), "source-%u", i);
            json_object_set_new(r, "source_name", json_string(s));
            if (chance(70)) {
                snprintf(s, sizeof(s), "https://example.org/%u/%d/%u", k, v, i);
                json_object_set_new(r, "url", json_string(s));
            }
            if (chance(50)) {
                snprintf(s, sizeof(s), "reference %u", i);
                json_object_set_new(r, "description", json_string(s));
            }
            if (!json_object_get(r, "url") || chance(30)) {
                snprintf(s, sizeof(s), "EX-%u-%u", k, i);
                json_object_set_new(r, "external_id", json_string(s));
            }
            json_array_append_new(l, r);
        }
        json_object_set_new(b, "external_references", l);
    }
    if (chance(35)) {
        json_t *d = json_object();
        json_object_set_new(d, "k2", json_string("v2"));
        if (chance(50)) {
            char key[301];
            memset(key, 'q', 300);
            key[300] = '\0';
            key[0] = (char)('a' + rn(26));
            json_object_set_new(d, key, json_string("secret behind a long key"));
        }
        if (chance(50))
            json_object_set_new(d, "inner", json_pack("{s:i, s:[i,i,i]}", "a", (int)k, "b", 1, 2, 3));
        json_object_set_new(b, "x_details", d);
    }
}

/* The organisation whose identity this is, -1 for none of the world's. */
static int org_of(const struct world *w, const char *identity)
{
    for (int i = 0; identity && i < w->n_orgs; i++)
        if (strcmp(w->org[i].identity, identity) == 0)
            return i;
    return -1;
}

/* The version sent by post i (an object's, or a squat's). */
static struct w_ver *post_ver(struct world *w, int i)
{
    return w->post[i].obj < 0 ? &w->squat[w->post[i].ver].v
                              : &w->obj[w->post[i].obj].v[w->post[i].ver];
}

/*
 * Squats: an organisation M posts its own definition of a group's id (now
 * and then the statement's), naming itself, in the side collection (the
 * main one would refuse a second definition of the id).  Its
 * created_by_ref is M, the real creator (forged) or nobody; mostly a
 * sharing group, sometimes a statement (which, were it to count, would
 * not restrict: the squat that opens a GREEN object naming a pending
 * group).  Posted before or after the real definition: whichever is
 * stored first is the definition of the id.
 */
static void gen_squats(struct world *w)
{
    if (!chance(35))
        return;
    int want = 1 + (int)rn(MAX_SQUATS);
    for (int k = 0; k < want; k++) {
        int target = w->statement >= 0 && chance(20) ? w->statement
                                                       : w->group[rn((unsigned)w->n_groups)];
        bool taken = false;
        for (int j = 0; j < w->n_squats; j++)
            taken |= w->squat[j].target == target;
        if (taken)
            continue; /* one definition per id in the side collection */
        struct w_squat *q = &w->squat[w->n_squats++];
        const struct w_obj *t = &w->obj[target];
        q->target = target;
        q->squatter = (int)rn((unsigned)w->n_orgs);
        const char *m = w->org[q->squatter].identity;
        unsigned cr = rn(100);
        if (cr < 45)
            cpy(q->creator, sizeof(q->creator), m);
        else if (cr < 85)
            cpy(q->creator, sizeof(q->creator), t->creator[0] ? t->creator : m);
        char created[40], name[32];
        ts(created, rn(480000), rn(1000));
        snprintf(name, sizeof(name), "squat %d", k);
        json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "marking-definition",
                              "spec_version", "2.1", "id", t->id, "created", created, "name", name);
        if (chance(75)) {
            json_t *orgs = json_pack("[s]", m), *comms = json_array();
            for (int i = 0; i < w->n_orgs; i++)
                if (i != q->squatter && chance(30))
                    json_array_append_new(orgs, json_string(w->org[i].identity));
            for (int i = 0; i < w->n_comms; i++)
                if (chance(30))
                    json_array_append_new(comms, json_string(w->comm[i].name));
            json_t *ext = json_pack("{s:s, s:o}", "extension_type", "property-extension",
                                    "organizations", orgs);
            if (json_array_size(comms))
                json_object_set(ext, "communities", comms);
            json_decref(comms);
            json_object_set_new(b, "extensions", json_pack("{s:o}", O_EXT, ext));
        } else {
            json_object_set_new(b, "definition_type", json_string("statement"));
            json_object_set_new(b, "definition", json_pack("{s:s}", "statement", "squatted"));
        }
        if (q->creator[0])
            json_object_set_new(b, "created_by_ref", json_string(q->creator));
        q->v.body = b;
        q->v.text = json_dumps(b, JSON_COMPACT);
        snprintf(q->v.version, sizeof(q->v.version), "%s", created);
    }
}

static void gen_world(struct world *w)
{
    char u[37];
    w->n_orgs = 3 + (int)rn(4);
    for (int i = 0; i < w->n_orgs; i++) {
        struct w_org *o = &w->org[i];
        snprintf(o->name, sizeof(o->name), "w%u-org%d", w->index, i);
        uuid4(u);
        snprintf(o->identity, sizeof(o->identity), "identity--%s", u);
        o->country = (int)rn(N_COUNTRIES + 1);
    }
    w->n_comms = 1 + (int)rn(3);
    for (int i = 0; i < w->n_comms; i++) {
        struct w_comm *c = &w->comm[i];
        snprintf(c->name, sizeof(c->name), "comm%d", i);
        for (int k = 0; k < N_COUNTRIES; k++)
            c->country[k] = chance(35);
        for (int k = 0; k < w->n_orgs; k++)
            c->org[k] = chance(20);
    }
    uuid4(u);
    snprintf(w->unknown, sizeof(w->unknown), "marking-definition--%s", u);
    uuid4(u);
    snprintf(w->never, sizeof(w->never), "indicator--%s", u);

    /*
     * marking definitions first: the objects refer to them.  The world's
     * "statement" is a marking other than TLP that is no sharing group:
     * mostly a copyright statement, sometimes a PAP marking (a property
     * extension of its own); its created_by_ref is set below, once the
     * groups' creators are known.
     */
    w->statement = -1;
    if (chance(70)) {
        struct w_obj *o = &w->obj[w->n_objs];
        w->statement = w->n_objs++;
        uuid4(u);
        snprintf(o->id, sizeof(o->id), "marking-definition--%s", u);
        snprintf(o->type, sizeof(o->type), "marking-definition");
        o->nv = 1;
        char created[40];
        ts(created, rn(480000), rn(1000));
        json_t *b;
        if (chance(75))
            b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "type", "marking-definition",
                          "spec_version", "2.1", "id", o->id, "created", created, "definition_type",
                          "statement", "definition", "statement", "Copyright the contributors");
        else
            b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
                          "marking-definition", "spec_version", "2.1", "id", o->id, "created",
                          created, "name", "PAP:GREEN", "extensions", O_PAP_EXT, "extension_type",
                          "property-extension", "pap", "green");
        o->v[0].body = b;
    }
    w->n_groups = 1 + (int)rn(MAX_GROUPS);
    for (int g = 0; g < w->n_groups; g++) {
        struct w_obj *o = &w->obj[w->n_objs];
        w->group[g] = w->n_objs++;
        uuid4(u);
        snprintf(o->id, sizeof(o->id), "marking-definition--%s", u);
        snprintf(o->type, sizeof(o->type), "marking-definition");
    }
    for (int g = 0; g < w->n_groups; g++) {
        struct w_obj *o = &w->obj[w->group[g]];
        char created[40], name[32];
        ts(created, rn(480000), rn(1000));
        snprintf(name, sizeof(name), "group %d", g);
        unsigned cr = rn(100);
        if (cr < 88) {
            cpy(o->creator, sizeof(o->creator), w->org[rn((unsigned)w->n_orgs)].identity);
        } else if (cr < 94) {
            uuid4(u); /* an identity from elsewhere: only the node can deliver it */
            snprintf(o->creator, sizeof(o->creator), "identity--%s", u);
        }
        json_t *ext = json_pack("{s:s}", "extension_type", "property-extension");
        json_t *orgs = json_array(), *comms = json_array();
        for (int i = 0; i < w->n_orgs; i++)
            if (chance(35))
                json_array_append_new(orgs, json_string(w->org[i].identity));
        if (chance(10)) {
            uuid4(u);
            char foreign[64];
            snprintf(foreign, sizeof(foreign), "identity--%s", u);
            json_array_append_new(orgs, json_string(foreign));
        }
        for (int i = 0; i < w->n_comms; i++)
            if (chance(40))
                json_array_append_new(comms, json_string(w->comm[i].name));
        if (chance(10))
            json_array_append_new(comms, json_string("nowhere"));
        if (json_array_size(orgs))
            json_object_set(ext, "organizations", orgs);
        if (json_array_size(comms))
            json_object_set(ext, "communities", comms);
        json_decref(orgs);
        json_decref(comms);
        json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:o}}", "type", "marking-definition",
                              "spec_version", "2.1", "id", o->id, "created", created, "name", name,
                              "extensions", O_EXT, ext);
        if (o->creator[0])
            json_object_set_new(b, "created_by_ref", json_string(o->creator));
        if (chance(25)) {
            /* a marked group definition: a TLP, the statement, another group */
            json_t *refs = json_array();
            if (chance(70))
                json_array_append_new(refs, json_string(tlp_pick()));
            if (w->statement >= 0 && chance(30))
                json_array_append_new(refs, json_string(w->obj[w->statement].id));
            int other = (int)rn((unsigned)w->n_groups);
            if (other != g && chance(40))
                json_array_append_new(refs, json_string(w->obj[w->group[other]].id));
            if (json_array_size(refs))
                json_object_set_new(b, "object_marking_refs", refs);
            else
                json_decref(refs);
        }
        if (chance(25)) {
            /* granular markings on the name or the recipient lists (no groups: no cycles) */
            json_t *gms = json_array();
            const char *sel[4] = {"name", NULL, NULL, NULL};
            size_t ns = 1;
            char p1[200], p2[200], p3[200];
            if (json_object_get(ext, "organizations")) {
                snprintf(p1, sizeof(p1), "extensions.%s.organizations", O_EXT);
                snprintf(p2, sizeof(p2), "extensions.%s.organizations.[0]", O_EXT);
                sel[ns++] = p1;
                sel[ns++] = p2;
            }
            if (json_object_get(ext, "communities")) {
                snprintf(p3, sizeof(p3), "extensions.%s.communities", O_EXT);
                sel[ns++] = p3;
            }
            unsigned k = 1 + rn(2);
            for (unsigned i = 0; i < k; i++) {
                json_t *s = json_array();
                add_unique(s, sel[rn((unsigned)ns)]);
                if (chance(40))
                    add_unique(s, sel[rn((unsigned)ns)]);
                json_array_append_new(
                    gms, json_pack("{s:s, s:o}", "marking_ref", marking_pick(w, false, o->creator),
                                   "selectors", s));
            }
            json_object_set_new(b, "granular_markings", gms);
        }
        o->nv = 1;
        o->v[0].body = b;
    }

    if (w->statement >= 0) {
        /*
         * the statement's creator: often one of the groups' (so objects
         * made by a group's creator name it in its own right), else any
         * organisation, an identity from elsewhere, or nobody
         */
        struct w_obj *o = &w->obj[w->statement];
        const char *gc = w->obj[w->group[rn((unsigned)w->n_groups)]].creator;
        unsigned cr = rn(100);
        if (cr < 50 && gc[0])
            cpy(o->creator, sizeof(o->creator), gc);
        else if (cr < 84)
            cpy(o->creator, sizeof(o->creator), w->org[rn((unsigned)w->n_orgs)].identity);
        else if (cr < 90) {
            uuid4(u);
            snprintf(o->creator, sizeof(o->creator), "identity--%s", u);
        }
        if (o->creator[0])
            json_object_set_new(o->v[0].body, "created_by_ref", json_string(o->creator));
    }

    if (chance(15)) {
        /* an extension definition: CLEAR when it has no TLP marking */
        struct w_obj *o = &w->obj[w->n_objs++];
        snprintf(o->type, sizeof(o->type), "extension-definition");
        uuid4(u);
        char id[96], created[40];
        snprintf(id, sizeof(id), "extension-definition--%s", u);
        cpy(o->id, sizeof(o->id), id);
        cpy(o->creator, sizeof(o->creator), w->org[rn((unsigned)w->n_orgs)].identity);
        o->nv = 1;
        ts(created, rn(480000), 0);
        json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type",
                              o->type, "spec_version", "2.1", "id", o->id, "created", created,
                              "modified", created, "created_by_ref", o->creator, "name",
                              "x-extension", "schema", "https://example.org/schema", "version",
                              "1.0", "extension_types", "property-extension");
        json_t *refs = gen_object_markings(w, o->creator);
        if (refs && chance(50))
            json_object_set_new(b, "object_marking_refs", refs);
        else
            json_decref(refs);
        o->v[0].body = b;
    }
    int n_main = 5 + (int)rn(21);
    for (int k = 0; k < n_main; k++) {
        struct w_obj *o = &w->obj[w->n_objs++];
        snprintf(o->type, sizeof(o->type), "%s", chance(60) ? "indicator" : "note");
        uuid4(u);
        char id[96];
        snprintf(id, sizeof(id), "%s--%s", o->type, u);
        cpy(o->id, sizeof(o->id), id);
        unsigned r = rn(100);
        const char *gc = w->obj[w->group[rn((unsigned)w->n_groups)]].creator;
        if (r < 70 && gc[0] && chance(75))
            cpy(o->creator, sizeof(o->creator), gc); /* a group's creator: its groups apply */
        else if (r < 70)
            cpy(o->creator, sizeof(o->creator), w->org[rn((unsigned)w->n_orgs)].identity);
        else if (r < 80) {
            uuid4(u);
            snprintf(o->creator, sizeof(o->creator), "identity--%s", u);
        }
        o->nv = chance(25) ? 2 + (int)rn(2) : 1;
        unsigned base = rn(480000);
        char created[40];
        ts(created, base, 0);
        for (int v = 0; v < o->nv; v++) {
            char modified[40];
            ts(modified, base + (unsigned)v * 7, (unsigned)v * 3);
            json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", o->type, "spec_version", "2.1",
                                  "id", o->id, "created", created, "modified", modified);
            if (o->creator[0])
                json_object_set_new(b, "created_by_ref", json_string(o->creator));
            gen_content(w, b, o->type, (unsigned)k, v);
            json_t *refs = gen_object_markings(w, o->creator);
            if (refs)
                json_object_set_new(b, "object_marking_refs", refs);
            json_t *gms = gen_granular(w, b, true, 45);
            if (gms)
                json_object_set_new(b, "granular_markings", gms);
            o->v[v].body = b;
        }
    }

    gen_squats(w);

    for (int i = 0; i < w->n_objs; i++) {
        struct w_obj *o = &w->obj[i];
        for (int v = 0; v < o->nv; v++) {
            json_t *b = o->v[v].body;
            const char *ver = json_string_value(json_object_get(b, "modified"));
            if (!ver)
                ver = json_string_value(json_object_get(b, "created"));
            snprintf(o->v[v].version, sizeof(o->v[v].version), "%s", ver);
            o->v[v].text = json_dumps(b, JSON_COMPACT);
            w->post[w->n_post].obj = i;
            w->post[w->n_post].ver = v;
            w->n_post++;
            w->n_rows++;
        }
    }
    for (int k = 0; k < w->n_squats; k++) {
        w->post[w->n_post].obj = -1;
        w->post[w->n_post].ver = k;
        w->n_post++;
    }
    for (int i = w->n_post; i > 1; i--) {
        int j = (int)rn((unsigned)i);
        __typeof__(w->post[0]) t = w->post[i - 1];
        w->post[i - 1] = w->post[j];
        w->post[j] = t;
    }
    /*
     * posters: often the same organisation several times in a row (one
     * envelope then), now and then the node itself
     */
    for (int i = 0; i < w->n_post; i++) {
        struct w_ver *v = post_ver(w, i);
        v->pos = i;
        v->poster = i && chance(45) ? post_ver(w, i - 1)->poster
                    : chance(4)     ? P_NODE
                                    : (int)rn((unsigned)w->n_orgs);
    }
    /*
     * a marking definition (a group, the statement): mostly posted by its
     * creator; else by the node (accepted) or by another organisation (in
     * the creator's name: ignored)
     */
    for (int g = -1; g < w->n_groups; g++) {
        if (g < 0 && w->statement < 0)
            continue;
        struct w_obj *o = &w->obj[g < 0 ? w->statement : w->group[g]];
        int c = org_of(w, o->creator);
        unsigned pr = rn(100);
        if (c >= 0)
            o->v[0].poster = pr < 75   ? c
                             : pr < 85 ? P_NODE
                                       : (c + 1 + (int)rn((unsigned)w->n_orgs - 1)) % w->n_orgs;
        else
            o->v[0].poster = pr < 50 ? P_NODE : (int)rn((unsigned)w->n_orgs);
    }
    for (int k = 0; k < w->n_squats; k++)
        w->squat[k].v.poster = chance(88) ? w->squat[k].squatter : P_NODE;
}

static void free_world(struct world *w)
{
    for (int i = 0; i < w->n_objs; i++)
        for (int v = 0; v < w->obj[i].nv; v++) {
            json_decref(w->obj[i].v[v].body);
            free(w->obj[i].v[v].text);
        }
    for (int k = 0; k < w->n_squats; k++) {
        json_decref(w->squat[k].v.body);
        free(w->squat[k].v.text);
    }
}

/* ---- reporting ---- */

static void print_json(FILE *f, const char *label, const json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    fprintf(f, "%s%s\n", label, s ? s : "(null)");
    free(s);
}

static const char *poster_label(int p, char buf[24])
{
    if (p == P_NODE)
        snprintf(buf, 24, "the node");
    else
        snprintf(buf, 24, "org %d", p);
    return buf;
}

static void dump_world(FILE *f, const struct world *w)
{
    char pb[24];
    fprintf(f, "world %u (seed 0x%016llx, %s):\n", w->index, (unsigned long long)w->seed,
            w->http ? "stored over HTTP" : "ingested directly");
    for (int i = 0; i < w->n_orgs; i++)
        fprintf(f, "  org %d: store id %lld, %s, country '%s'\n", i, (long long)w->org[i].id,
                w->org[i].identity, countries[w->org[i].country]);
    for (int i = 0; i < w->n_comms; i++) {
        fprintf(f, "  community %s: countries", w->comm[i].name);
        for (int k = 0; k < N_COUNTRIES; k++)
            if (w->comm[i].country[k])
                fprintf(f, " %s", countries[k]);
        fprintf(f, "; orgs");
        for (int k = 0; k < w->n_orgs; k++)
            if (w->comm[i].org[k])
                fprintf(f, " %d", k);
        fprintf(f, "\n");
    }
    fprintf(f, "  unknown marking: %s\n", w->unknown);
    for (int i = 0; i < w->n_objs; i++) {
        const struct w_obj *o = &w->obj[i];
        fprintf(f, "  object %d: %s creator %s\n", i, o->id, o->creator[0] ? o->creator : "-");
        for (int v = 0; v < o->nv; v++) {
            fprintf(f, "    version %s posted %d-th by %s, date_added %lld:\n      ",
                    o->v[v].version, o->v[v].pos, poster_label(o->v[v].poster, pb),
                    (long long)o->v[v].added);
            print_json(f, "", o->v[v].body);
        }
    }
    for (int k = 0; k < w->n_squats; k++) {
        const struct w_squat *q = &w->squat[k];
        fprintf(f, "  squat %d of object %d by org %d, posted %d-th by %s (side collection):\n"
                   "      ",
                k, q->target, q->squatter, q->v.pos, poster_label(q->v.poster, pb));
        print_json(f, "", q->v.body);
    }
}

static const char *reader_label(const struct world *w, int r, char buf[96])
{
    if (r == R_NODE)
        snprintf(buf, 96, "the node (everything)");
    else
        snprintf(buf, 96, "org %d (%s)", r, w->org[r].identity);
    return buf;
}

static void leak_fail(const struct world *w, int r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void leak_fail(const struct world *w, int r, const char *path, const char *fmt, ...)
{
    char rb[96];
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "\n=== sharing leak search: MISMATCH ===\nseed 0x%016llx, world %u "
                    "(rerun: CONCORD_LEAK_SEED=0x%016llx CONCORD_LEAK_ONLY=%u)\nreader: %s\n"
                    "path: %s\n",
            (unsigned long long)run.seed, w->index, (unsigned long long)run.seed, w->index,
            reader_label(w, r, rb), path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    dump_world(stderr, w);
    fail_msg("sharing leak search: mismatch in world %u for %s on %s", w->index, rb, path);
}

/* ---- the oracle ---- */

static const json_t *o_group_ext(const json_t *md)
{
    json_t *e = json_object_get(json_object_get(md, "extensions"), O_EXT);
    return json_is_object(e) ? e : NULL;
}

static const char *o_creator_of(const json_t *body)
{
    return json_string_value(json_object_get(body, "created_by_ref"));
}

/* Of every definition sent for this marking id, the one posted first (NULL: none). */
static const struct w_ver *o_first_definition(const struct world *w, const char *id)
{
    const struct w_ver *first = NULL;
    for (int i = 0; id && i < w->n_objs; i++)
        if (strcmp(w->obj[i].type, "marking-definition") == 0 && strcmp(w->obj[i].id, id) == 0 &&
            (!first || w->obj[i].v[0].pos < first->pos))
            first = &w->obj[i].v[0];
    for (int k = 0; id && k < w->n_squats; k++)
        if (strcmp(w->obj[w->squat[k].target].id, id) == 0 &&
            (!first || w->squat[k].v.pos < first->pos))
            first = &w->squat[k].v;
    return first;
}

/*
 * The definition of a marking id, NULL when unknown: the first one stored
 * counts, and only when the node, or the organisation its created_by_ref
 * names, delivered it -- whatever the marking (a sharing group, a
 * statement, PAP, ...).
 */
static const json_t *o_marking(const struct world *w, const char *id)
{
    const struct w_ver *d = o_first_definition(w, id);
    if (!d)
        return NULL;
    if (d->poster != P_NODE) {
        const char *c = o_creator_of(d->body);
        if (!c || strcmp(c, w->org[d->poster].identity) != 0)
            return NULL;
    }
    return d->body;
}

/*
 * A marking other than TLP (a sharing group or any other) counts on an
 * object only when the object's creator made it; otherwise it is unknown.
 */
static bool o_counts(const json_t *md, const json_t *object)
{
    const char *gc = o_creator_of(md), *oc = o_creator_of(object);
    return gc && oc && strcmp(gc, oc) == 0;
}

static bool o_member(const struct world *w, int r, const struct w_comm *c)
{
    int cc = w->org[r].country;
    return (cc < N_COUNTRIES && c->country[cc]) || c->org[r];
}

static bool o_named(const struct world *w, int r, const json_t *ext)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ext, "organizations"), i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), w->org[r].identity) == 0)
            return true;
    }
    return false;
}

static bool o_in_group(const struct world *w, int r, const json_t *ext)
{
    if (o_named(w, r, ext))
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ext, "communities"), i, v) {
        for (int c = 0; c < w->n_comms; c++)
            if (json_is_string(v) && strcmp(json_string_value(v), w->comm[c].name) == 0 &&
                o_member(w, r, &w->comm[c]))
                return true;
    }
    return false;
}

static bool o_owner(const struct world *w, int r, const struct w_obj *o, const struct w_ver *v)
{
    return r == R_NODE || (o->creator[0] && strcmp(o->creator, w->org[r].identity) == 0) ||
           v->poster == r;
}

/* The object's sharing groups (their extensions); false when a marking is unknown. */
static bool o_groups(const struct world *w, const json_t *body, const json_t **g, int *ng, int *tlp)
{
    *ng = 0;
    *tlp = L_NONE;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(body, "object_marking_refs"), i, v) {
        const char *id = json_string_value(v);
        int t = o_tlp_level(id);
        if (t) {
            if (t > *tlp)
                *tlp = t;
            continue;
        }
        const json_t *md = o_marking(w, id);
        if (!md || !o_counts(md, body))
            return false; /* unknown, or someone else's marking: like an unknown one */
        if (o_group_ext(md))
            g[(*ng)++] = o_group_ext(md);
    }
    return true;
}

static bool o_level_allows(const struct world *w, int r, int level, const json_t **g, int ng)
{
    if (level == L_CLEAR || level == L_GREEN)
        return true;
    if (level == L_AMBER || level == L_STRICT)
        return ng > 0;
    for (int i = 0; i < ng; i++)
        if (o_named(w, r, g[i]))
            return true;
    return false;
}

static bool o_visible(const struct world *w, int r, int oi, int vi)
{
    const struct w_obj *o = &w->obj[oi];
    const struct w_ver *v = &o->v[vi];
    if (o_owner(w, r, o, v))
        return true;
    const json_t *g[16];
    int ng, tlp;
    if (!o_groups(w, v->body, g, &ng, &tlp))
        return false;
    for (int i = 0; i < ng; i++)
        if (!o_in_group(w, r, g[i]))
            return false;
    if (tlp == L_NONE)
        tlp = (!strcmp(o->type, "marking-definition") || !strcmp(o->type, "extension-definition"))
                  ? L_CLEAR
                  : L_AMBER;
    return o_level_allows(w, r, tlp, g, ng);
}

/* Does the granular marking ref of object body allow r? */
static bool o_marking_allows(const struct world *w, int r, const json_t *body, const char *ref,
                             const json_t **g, int ng)
{
    int t = o_tlp_level(ref);
    if (t)
        return o_level_allows(w, r, t, g, ng);
    const json_t *md = o_marking(w, ref);
    if (!md || !o_counts(md, body))
        return false;
    return !o_group_ext(md) || o_in_group(w, r, o_group_ext(md));
}

struct pathset {
    char p[96][SEL_MAX];
    size_t n;
};

static bool in_set(const struct pathset *s, const char *p)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->p[i], p) == 0)
            return true;
    return false;
}

static void set_add(struct pathset *s, const char *p)
{
    if (s->n < 96 && !in_set(s, p))
        snprintf(s->p[s->n++], SEL_MAX, "%s", p);
}

/* A copy of v (at path) without the removed paths. */
static json_t *o_copy(json_t *v, const char *path, const struct pathset *rm)
{
    char child[SEL_MAX * 2];
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            snprintf(child, sizeof(child), path[0] ? "%s.%s" : "%s%s", path, k);
            if (!in_set(rm, child))
                json_object_set_new(out, k, o_copy(x, child, rm));
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(child, sizeof(child), "%s.[%zu]", path, i);
            if (!in_set(rm, child))
                json_array_append_new(out, o_copy(x, child, rm));
        }
        return out;
    }
    return json_deep_copy(v);
}

/* sel in the copy without rm (list indexes lowered), or false when its content went. */
static bool o_renumber(json_t *root, const char *sel, const struct pathset *rm, char *out,
                       size_t outsz)
{
    char orig[SEL_MAX * 2] = "", seg[SEL_MAX], tmp[SEL_MAX * 2];
    json_t *cur = root;
    out[0] = '\0';
    for (const char *s = sel;;) {
        const char *e = strchr(s, '.');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || n >= sizeof(seg))
            return false;
        memcpy(seg, s, n);
        seg[n] = '\0';
        char newseg[SEL_MAX];
        if (seg[0] == '[') {
            size_t idx = (size_t)strtoul(seg + 1, NULL, 10);
            if (!json_is_array(cur) || idx >= json_array_size(cur))
                return false;
            size_t gone = 0;
            for (size_t j = 0; j < idx; j++) {
                snprintf(tmp, sizeof(tmp), "%s.[%zu]", orig, j);
                gone += in_set(rm, tmp);
            }
            snprintf(newseg, sizeof(newseg), "[%zu]", idx - gone);
            cur = json_array_get(cur, idx);
        } else {
            if (!json_is_object(cur) || !(cur = json_object_get(cur, seg)))
                return false;
            snprintf(newseg, sizeof(newseg), "%s", seg);
        }
        snprintf(tmp, sizeof(tmp), orig[0] ? "%s.%s" : "%s%s", orig, seg);
        snprintf(orig, sizeof(orig), "%s", tmp);
        if (in_set(rm, orig))
            return false;
        size_t l = strlen(out);
        snprintf(out + l, outsz - l, l ? ".%s" : "%s", newseg);
        if (!e)
            return true;
        s = e + 1;
    }
}

/* Does reader r get less than the stored body of version vi of object oi? */
static bool o_hides_something(const struct world *w, int r, int oi, int vi)
{
    const struct w_obj *o = &w->obj[oi];
    json_t *body = o->v[vi].body;
    if (o_owner(w, r, o, &o->v[vi]))
        return false;
    const json_t *ext = o_group_ext(body);
    if (!strcmp(o->type, "marking-definition") && ext &&
        (json_object_get(ext, "organizations") || json_object_get(ext, "communities")))
        return true;
    const json_t *g[16];
    int ng, tlp;
    /* unresolvable groups: every granular marking but a language hides (unreachable: hidden) */
    bool gok = o_groups(w, body, g, &ng, &tlp);
    size_t i;
    json_t *gm;
    json_array_foreach(json_object_get(body, "granular_markings"), i, gm) {
        const char *ref = json_string_value(json_object_get(gm, "marking_ref"));
        if (ref && !(gok && o_marking_allows(w, r, body, ref, g, ng)))
            return true;
    }
    return false;
}

/* The copy of version vi of object oi that reader r should receive. */
static json_t *o_redact(const struct world *w, int r, int oi, int vi)
{
    const struct w_obj *o = &w->obj[oi];
    json_t *body = o->v[vi].body;
    if (o_owner(w, r, o, &o->v[vi]))
        return json_deep_copy(body);
    static struct pathset rm;
    rm.n = 0;
    char p[SEL_MAX];
    const json_t *ext = o_group_ext(body);
    if (!strcmp(o->type, "marking-definition") && ext) {
        snprintf(p, sizeof(p), "extensions.%s.organizations", O_EXT);
        set_add(&rm, p);
        snprintf(p, sizeof(p), "extensions.%s.communities", O_EXT);
        set_add(&rm, p);
    }
    const json_t *g[16];
    int ng, tlp;
    /* unresolvable groups: every granular marking but a language hides (unreachable: hidden) */
    bool gok = o_groups(w, body, g, &ng, &tlp);
    json_t *gms = json_object_get(body, "granular_markings");
    size_t i, k;
    json_t *gm, *sel;
    json_array_foreach(gms, i, gm) {
        const char *ref = json_string_value(json_object_get(gm, "marking_ref"));
        if (ref && !(gok && o_marking_allows(w, r, body, ref, g, ng)))
            json_array_foreach(json_object_get(gm, "selectors"), k, sel)
                set_add(&rm, json_string_value(sel));
    }
    json_t *out = o_copy(body, "", &rm);
    if (json_array_size(gms)) {
        json_t *kept = json_array();
        json_array_foreach(gms, i, gm) {
            const char *ref = json_string_value(json_object_get(gm, "marking_ref"));
            if (ref && !(gok && o_marking_allows(w, r, body, ref, g, ng)))
                continue;
            json_t *sels = json_array();
            json_array_foreach(json_object_get(gm, "selectors"), k, sel) {
                if (o_renumber(body, json_string_value(sel), &rm, p, sizeof(p)))
                    json_array_append_new(sels, json_string(p));
            }
            if (json_array_size(sels)) {
                json_t *e = json_deep_copy(gm);
                json_object_set_new(e, "selectors", sels);
                json_array_append_new(kept, e);
            } else {
                json_decref(sels);
            }
        }
        if (json_array_size(kept))
            json_object_set_new(out, "granular_markings", kept);
        else {
            json_object_del(out, "granular_markings");
            json_decref(kept);
        }
    }
    return out;
}

struct exp_row {
    int obj, ver;
};

enum { E_ALL, E_LAST, E_FIRST };

/*
 * What reader r must get, in date_added order: every version it may see,
 * or of each id the latest / earliest of those (the others do not exist for it).
 */
static size_t o_expect(const struct world *w, int r, int mode, int only, struct exp_row *out)
{
    size_t n = 0;
    for (int i = 0; i < w->n_objs; i++) {
        if (only >= 0 && i != only)
            continue;
        int best = -1;
        for (int v = 0; v < w->obj[i].nv; v++) {
            if (!o_visible(w, r, i, v))
                continue;
            int c = best < 0 ? 0 : strcmp(w->obj[i].v[v].version, w->obj[i].v[best].version);
            if (mode == E_ALL) {
                out[n].obj = i;
                out[n++].ver = v;
            } else if (best < 0 || (mode == E_LAST ? c > 0 : c < 0)) {
                best = v;
            }
        }
        if (mode != E_ALL && best >= 0) {
            out[n].obj = i;
            out[n++].ver = best;
        }
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && w->obj[out[b - 1].obj].v[out[b - 1].ver].added >
                                        w->obj[out[b].obj].v[out[b].ver].added;
             b--) {
            struct exp_row t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

/*
 * Count the cases worth having (printed at the end, so a change to the
 * generator that starves one of them shows): organisations that see an
 * AMBER or RED version through a sharing group (neither creator nor
 * origin), versions naming a stored group that does not count because it
 * is not their creator's, or because they have no creator; organisations
 * that see a version naming a statement (or PAP) that counts (neither
 * creator nor origin), versions naming a stored statement that does not
 * count (another's, nobody's, delivered in another's name), versions
 * naming a group id a statement squatted first; marking definitions
 * ignored because another organisation delivered them, squats stored
 * before the real definition, posts by the node.
 */
static void tally(const struct world *w)
{
    for (int i = 0; i < w->n_objs; i++) {
        const struct w_obj *o = &w->obj[i];
        for (int v = 0; v < o->nv; v++) {
            const json_t *body = o->v[v].body;
            run.t_node += o->v[v].poster == P_NODE;
            bool foreign = false, stmt = false, stmt_closed = false, stmt_squat = false;
            size_t k;
            json_t *ref;
            json_array_foreach(json_object_get(body, "object_marking_refs"), k, ref) {
                const char *id = json_string_value(ref);
                const struct w_ver *d = o_first_definition(w, id);
                const json_t *md = o_marking(w, id);
                foreign |= md && o_group_ext(md) && !o_counts(md, body);
                if (!d || o_group_ext(d->body))
                    continue;
                stmt |= md && o_counts(md, body);
                stmt_closed |= !(md && o_counts(md, body));
                for (int g = 0; g < w->n_groups; g++)
                    stmt_squat |= !strcmp(w->obj[w->group[g]].id, id);
            }
            run.t_foreign += foreign && o->creator[0];
            run.t_anon += foreign && !o->creator[0];
            run.t_stmt_closed += stmt_closed;
            run.t_stmt_squat += stmt_squat;
            for (int r = 0; stmt && r < w->n_orgs; r++)
                run.t_stmt_open += !o_owner(w, r, o, &o->v[v]) && o_visible(w, r, i, v);
            const json_t *g[16];
            int ng, tlp;
            if (!o_groups(w, body, g, &ng, &tlp) || ng == 0 || tlp == L_CLEAR || tlp == L_GREEN)
                continue;
            for (int r = 0; r < w->n_orgs; r++)
                if (!o_owner(w, r, o, &o->v[v]) && o_visible(w, r, i, v)) {
                    run.t_group_open++;
                    run.t_group_red += tlp == L_RED;
                }
        }
    }
    for (int g = -1; g < w->n_groups; g++) {
        if (g < 0 && w->statement < 0)
            continue;
        const struct w_obj *o = &w->obj[g < 0 ? w->statement : w->group[g]];
        const struct w_ver *d = o_first_definition(w, o->id);
        run.t_forged += !o_marking(w, o->id);
        run.t_squat_first += d != &o->v[0];
    }
}

/* ---- what came back ---- */

struct got_row {
    char id[96];
    char version[40];
    json_t *body;        /* NULL when the path serves no bodies */
    char *text;          /* or the body as emitted (in-process paths) */
    char date_added[40]; /* manifest only */
};

struct got {
    struct got_row row[MAX_ROWS + 1];
    size_t n;
};

static void got_release(struct got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        json_decref(g->row[i].body);
        free(g->row[i].text);
        g->row[i].body = NULL;
        g->row[i].text = NULL;
    }
    g->n = 0;
}

static bool find_version(const struct world *w, const char *id, const char *ver, int *oi, int *vi)
{
    for (int i = 0; i < w->n_objs; i++) {
        if (strcmp(w->obj[i].id, id) != 0)
            continue;
        for (int v = 0; v < w->obj[i].nv; v++)
            if (strcmp(w->obj[i].v[v].version, ver) == 0) {
                *oi = i;
                *vi = v;
                return true;
            }
    }
    return false;
}

static void list_rows(FILE *f, const struct world *w, const struct got *g, const struct exp_row *e,
                      size_t ne)
{
    fprintf(f, "expected %zu (object/version/date_added):\n", ne);
    for (size_t i = 0; i < ne; i++)
        fprintf(f, "  %s %s %lld\n", w->obj[e[i].obj].id, w->obj[e[i].obj].v[e[i].ver].version,
                (long long)w->obj[e[i].obj].v[e[i].ver].added);
    fprintf(f, "got %zu:\n", g->n);
    for (size_t i = 0; i < g->n; i++)
        fprintf(f, "  %s %s\n", g->row[i].id, g->row[i].version);
    /* the difference, with every version of the objects concerned */
    for (size_t i = 0; i < ne; i++) {
        const struct w_obj *o = &w->obj[e[i].obj];
        bool there = false;
        for (size_t k = 0; k < g->n; k++)
            there |= !strcmp(g->row[k].id, o->id) && !strcmp(g->row[k].version, o->v[e[i].ver].version);
        if (!there)
            fprintf(f, "missing: %s %s\n", o->id, o->v[e[i].ver].version);
    }
    for (size_t k = 0; k < g->n; k++) {
        bool there = false;
        for (size_t i = 0; i < ne; i++)
            there |= !strcmp(g->row[k].id, w->obj[e[i].obj].id) &&
                     !strcmp(g->row[k].version, w->obj[e[i].obj].v[e[i].ver].version);
        if (!there)
            fprintf(f, "NOT EXPECTED: %s %s\n", g->row[k].id, g->row[k].version);
    }
}

static void compare(const struct world *w, int r, const char *path, const struct got *g,
                    const struct exp_row *e, size_t ne, bool bodies)
{
    bool same = g->n == ne;
    for (size_t i = 0; same && i < ne; i++)
        same = !strcmp(g->row[i].id, w->obj[e[i].obj].id) &&
               !strcmp(g->row[i].version, w->obj[e[i].obj].v[e[i].ver].version);
    if (!same) {
        list_rows(stderr, w, g, e, ne);
        leak_fail(w, r, path, "a different set of (id, version) (list above)");
    }
    for (size_t i = 0; bodies && i < ne; i++) {
        const struct w_ver *v = &w->obj[e[i].obj].v[e[i].ver];
        const struct got_row *gr = &g->row[i];
        /* the stored text, byte for byte, when the reader may see all of it */
        if (gr->text && !strcmp(gr->text, v->text) && !o_hides_something(w, r, e[i].obj, e[i].ver))
            continue;
        json_t *want = o_redact(w, r, e[i].obj, e[i].ver);
        json_t *got = gr->text ? json_loads(gr->text, 0, NULL) : json_incref(gr->body);
        if (!json_equal(want, got)) {
            print_json(stderr, "expected body: ", want);
            print_json(stderr, "got body:      ", got);
            if (gr->text)
                fprintf(stderr, "got text:      %s\n", gr->text);
            print_json(stderr, "stored body:   ", v->body);
            json_decref(want);
            json_decref(got);
            leak_fail(w, r, path, "the body of %s %s differs", gr->id, gr->version);
        }
        json_decref(want);
        json_decref(got);
    }
    run.n_reads++;
}

/* ---- building the world in the store ---- */

static void put_org(struct world *w, int i)
{
    struct store_org o;
    struct store_user u;
    struct error err;
    memset(&o, 0, sizeof(o));
    memset(&u, 0, sizeof(u));
    error_clear(&err);
    snprintf(o.name, sizeof(o.name), "%s", w->org[i].name);
    snprintf(o.identity_id, sizeof(o.identity_id), "%s", w->org[i].identity);
    snprintf(o.country, sizeof(o.country), "%s", countries[w->org[i].country]);
    snprintf(o.role, sizeof(o.role), "national-cert");
    assert_int_equal(store_org_add(run.s, &o, &err), 0);
    w->org[i].id = o.id;
    snprintf(u.name, sizeof(u.name), "%s-user", w->org[i].name);
    u.org_id = o.id;
    u.role = STORE_ROLE_MEMBER;
    snprintf(u.pwhash, sizeof(u.pwhash), "not a password hash: tokens only");
    assert_int_equal(store_user_add(run.s, &u, &err), 0);
    unsigned char hash[32];
    char prefix[16];
    int64_t tid;
    auth_token_new(w->org[i].token, hash, prefix);
    assert_int_equal(store_token_add(run.s, u.id, prefix, hash, &tid), 0);
}

static void put_community(struct world *w, int i)
{
    struct store_community c;
    struct error err;
    memset(&c, 0, sizeof(c));
    error_clear(&err);
    snprintf(c.name, sizeof(c.name), "%s", w->comm[i].name);
    snprintf(c.title, sizeof(c.title), "community %d of world %u", i, w->index);
    for (int k = 0; k < N_COUNTRIES; k++)
        if (w->comm[i].country[k]) {
            size_t l = strlen(c.countries);
            snprintf(c.countries + l, sizeof(c.countries) - l, "%s%s,", l ? "" : ",", countries[k]);
        }
    for (int k = 0; k < w->n_orgs; k++)
        if (w->comm[i].org[k]) {
            size_t l = strlen(c.orgs);
            snprintf(c.orgs + l, sizeof(c.orgs) - l, "%s%lld,", l ? "" : ",",
                     (long long)w->org[k].id);
        }
    assert_int_equal(store_community_put(run.s, &c, &err), 0);
}

static void put_collection(struct world *w)
{
    struct store_coll c;
    struct error err;
    memset(&c, 0, sizeof(c));
    error_clear(&err);
    uuid4(c.id);
    snprintf(c.title, sizeof(c.title), "world %u", w->index);
    snprintf(c.read_orgs, sizeof(c.read_orgs), "*");
    snprintf(c.write_orgs, sizeof(c.write_orgs), "*");
    assert_int_equal(store_coll_add(run.s, &c, &err), 0);
    w->coll = c.seq;
    snprintf(w->coll_id, sizeof(w->coll_id), "%s", c.id);
    /*
     * the squats' collection (the main one takes one definition per id):
     * one for every world, as the server's requests get slower with the
     * number of collections
     */
    if (!run.side) {
        uuid4(c.id);
        snprintf(c.title, sizeof(c.title), "squats");
        assert_int_equal(store_coll_add(run.s, &c, &err), 0);
        run.side = c.seq;
        snprintf(run.side_id, sizeof(run.side_id), "%s", c.id);
    }
    w->side = run.side;
    snprintf(w->side_id, sizeof(w->side_id), "%s", run.side_id);
}

/* ---- HTTP ---- */

struct http_resp {
    long status;
    struct buf body;
    char first[64], last[64];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    struct http_resp *r = ctx;
    return buf_append(&r->body, p, sz * n) == 0 ? sz * n : 0;
}

static void header_value(const char *line, size_t len, const char *name, char out[64])
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    snprintf(out, 64, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ctx)
{
    struct http_resp *r = ctx;
    header_value(p, sz * n, "X-TAXII-Date-Added-First", r->first);
    header_value(p, sz * n, "X-TAXII-Date-Added-Last", r->last);
    return sz * n;
}

/* method GET or POST on /api/collections/<coll_id>/<rest> as organisation r. */
static void http_do_in(const struct world *w, int r, const char *coll_id, const char *rest,
                       const char *post, struct http_resp *out)
{
    char url[1024], auth[AUTH_TOKEN_MAX + 32];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/collections/%s/%s", run.port, coll_id,
             rest);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->org[r].token);
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/taxii+json;version=2.1");
    h = curl_slist_append(h, auth);
    if (post)
        h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    memset(out, 0, sizeof(*out));
    buf_init(&out->body, (size_t)1 << 26);
    CURL *c = run.curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (post) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(post));
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h);
    if (rc != CURLE_OK)
        fail_msg("HTTP %s %s: %s", post ? "POST" : "GET", url, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    run.n_http++;
}

/* The same in the world's main collection. */
static void http_do(const struct world *w, int r, const char *rest, const char *post,
                    struct http_resp *out)
{
    http_do_in(w, r, w->coll_id, rest, post, out);
}

static json_t *parse_body(const struct world *w, int r, const char *path, struct http_resp *resp)
{
    json_error_t jerr;
    json_t *j = json_loadb(buf_str(&resp->body), resp->body.len, 0, &jerr);
    if (!j)
        leak_fail(w, r, path, "status %ld, body is not JSON (%s): %s", resp->status, jerr.text,
                  buf_str(&resp->body));
    return j;
}

/*
 * Send posts [from, to) of w, all by the same organisation into the same
 * collection, in one envelope: over HTTP in an HTTP world, else (and for
 * the node, which has no user) straight into the store.
 */
static void post_batch(struct world *w, int from, int to)
{
    struct buf env;
    buf_init(&env, (size_t)1 << 26);
    buf_puts(&env, "{\"objects\":[");
    for (int i = from; i < to; i++) {
        if (i > from)
            buf_putc(&env, ',');
        buf_puts(&env, post_ver(w, i)->text);
    }
    buf_puts(&env, "]}");
    int poster = post_ver(w, from)->poster;
    bool side = w->post[from].obj < 0;
    long n = to - from;
    if (w->http && poster != P_NODE) {
        struct http_resp resp;
        http_do_in(w, poster, side ? w->side_id : w->coll_id, "objects/", buf_str(&env), &resp);
        json_t *st = resp.status == 202 ? parse_body(w, poster, "POST objects", &resp) : NULL;
        if (!st || json_integer_value(json_object_get(st, "success_count")) != n) {
            dump_world(stderr, w);
            fail_msg("world %u: POST of %ld objects refused (%ld): %s", w->index, n, resp.status,
                     buf_str(&resp.body));
        }
        json_decref(st);
        buf_release(&resp.body);
    } else {
        struct store_ingest ing;
        struct error err;
        error_clear(&err);
        assert_int_equal(store_ingest_prepare(&ing, env.data, env.len, &err), 0);
        assert_int_equal(store_ingest_commit(&ing, run.s, side ? w->side : w->coll, NULL,
                                             poster == P_NODE ? 0 : w->org[poster].id, &err),
                         0);
        if ((long)ing.n_ok != n) {
            dump_world(stderr, w);
            for (size_t i = 0; i < ing.n; i++)
                fprintf(stderr, "item %zu: %s: %s\n", i, ing.items[i].err.path, ing.items[i].err.msg);
            fail_msg("world %u: ingest of %ld objects refused", w->index, n);
        }
        store_ingest_release(&ing);
    }
    buf_release(&env);
}

/* The stored rows are the ground truth for date_added; check they are what was sent. */
struct truth {
    struct world *w;
    int rows;
};

static int truth_row(void *p, const struct store_row *row)
{
    struct truth *t = p;
    struct world *w = t->w;
    int oi = 0, vi = 0;
    if (!row->version || !find_version(w, row->id, row->version, &oi, &vi)) {
        dump_world(stderr, w);
        fail_msg("world %u: stored row %s %s was never sent", w->index, row->id,
                 row->version ? row->version : "-");
    }
    struct w_ver *v = &w->obj[oi].v[vi];
    /* stored as received, minified: the compact text sent */
    if (row->body_len != strlen(v->text) || memcmp(row->body, v->text, row->body_len) != 0 ||
        row->origin_org != (v->poster == P_NODE ? 0 : w->org[v->poster].id) || v->found) {
        dump_world(stderr, w);
        fail_msg("world %u: stored row %s %s: body, origin (%lld) or count differs", w->index,
                 row->id, row->version, (long long)row->origin_org);
    }
    v->added = row->added_us;
    v->found = true;
    t->rows++;
    return 1;
}

static void load_truth(struct world *w)
{
    struct store_query q = {.coll = w->coll, .added_after_us = -1, .ver_flags = STORE_VER_ALL};
    struct truth t = {w, 0};
    bool more;
    assert_int_equal(store_obj_query(run.s, &q, truth_row, &t, &more), 0);
    if (t.rows != w->n_rows) {
        dump_world(stderr, w);
        fail_msg("world %u: %d rows stored for %d versions sent", w->index, t.rows, w->n_rows);
    }
}

/* ---- in-process read paths (export, and the TAXII handlers' logic) ---- */

struct ip_ctx {
    struct share_ctx *share;
    struct got *g;
    struct buf out;
    int64_t last_added;
    size_t page;
    int error;
    bool bodies;         /* parse what was emitted (to compare it) */
};

/* As cmd_io.c export_row and objects.c on_row: decide, peek, emit. */
static int ip_row(void *p, const struct store_row *row)
{
    struct ip_ctx *c = p;
    if (!share_ctx_may_read(c->share, row))
        return 0;
    if (row->peek)
        return 1;
    buf_reset(&c->out);
    if (share_ctx_emit(c->share, row, &c->out) != 0 || c->g->n == MAX_ROWS + 1) {
        c->error = 1;
        return -1;
    }
    struct got_row *gr = &c->g->row[c->g->n++];
    snprintf(gr->id, sizeof(gr->id), "%s", row->id);
    if (row->version)
        snprintf(gr->version, sizeof(gr->version), "%s", row->version);
    else
        stix_ts_format_us(row->added_us, gr->version);
    gr->body = NULL;
    gr->text = c->bodies ? strdup(buf_str(&c->out)) : NULL;
    c->last_added = row->added_us;
    c->page++;
    return 1;
}

/* The reader's prefilter and decision, as cmd_io.c export_coll sets them. */
static void ip_filter(struct share_ctx *sc, int r, struct store_query *q)
{
    if (r != R_NODE) {
        q->visible_to = sc->reader.identity;
        q->visible_org = sc->reader.org_id;
        q->visible = share_ctx_visible; /* as cmd_io.c export_coll and objects.c run_list */
        q->visible_ctx = sc;
    }
}

/* One query (limit 0) or pages of `limit` following `more` as the TAXII server does. */
static void ip_query(const struct world *w, int r, struct share_ctx *sc, const char *path,
                     unsigned flags, const char *id, size_t limit, bool bodies, struct got *g)
{
    const char *ids[1] = {id};
    struct store_query q = {.coll = w->coll, .added_after_us = -1, .ids = ids, .n_ids = id ? 1 : 0,
                            .ver_flags = flags, .limit = limit};
    ip_filter(sc, r, &q);
    struct ip_ctx c = {sc, g, {0}, -1, 0, 0, bodies};
    buf_init(&c.out, (size_t)1 << 26);
    for (int pages = 0;; pages++) {
        bool more = false;
        c.page = 0;
        int rc = store_obj_query(run.s, &q, ip_row, &c, &more);
        if (rc || c.error)
            leak_fail(w, r, path, "query failed: %d, emit error %d", rc, c.error);
        if (limit && c.page > limit)
            leak_fail(w, r, path, "a page of %zu rows with limit %zu", c.page, limit);
        if (!more)
            break;
        if (c.page == 0 || pages > 100)
            leak_fail(w, r, path, "more=true after a page of %zu rows (page %d)", c.page, pages);
        q.added_after_us = c.last_added;
    }
    buf_release(&c.out);
}

static void check_inproc(const struct world *w, int r)
{
    static struct got g;
    static struct exp_row e[MAX_ROWS];
    size_t ne;
    struct share_ctx sc; /* one per reader, as one per request or per export */
    assert_int_equal(share_ctx_init(&sc, run.s, r == R_NODE ? 0 : w->org[r].id, r == R_NODE), 0);

    ne = o_expect(w, r, E_LAST, -1, e);
    ip_query(w, r, &sc, "export (latest versions)", STORE_VER_LAST, NULL, 0, true, &g);
    compare(w, r, "export (latest versions)", &g, e, ne, true);
    got_release(&g);
    if (r == R_NODE) {
        share_ctx_release(&sc);
        return;
    }

    /* bodies: the same share_ctx_emit as the export above */
    ip_query(w, r, &sc, "objects, pages of 3", STORE_VER_LAST, NULL, 3, false, &g);
    compare(w, r, "objects, pages of 3", &g, e, ne, false);
    got_release(&g);

    ne = o_expect(w, r, E_FIRST, -1, e);
    ip_query(w, r, &sc, "export --version first", STORE_VER_FIRST, NULL, 0, false, &g);
    compare(w, r, "export --version first", &g, e, ne, false);
    got_release(&g);

    ne = o_expect(w, r, E_ALL, -1, e);
    ip_query(w, r, &sc, "export --version all", STORE_VER_ALL, NULL, 0, true, &g);
    compare(w, r, "export --version all", &g, e, ne, true);
    got_release(&g);

    /* by id: a multi-version object when there is one, and one at random */
    int picks[2] = {(int)rn((unsigned)w->n_objs), -1};
    for (int i = 0; i < w->n_objs; i++)
        if (w->obj[i].nv > 1)
            picks[1] = i;
    for (int k = 0; k < 2; k++) {
        int oi = picks[k];
        if (oi < 0)
            continue;
        char path[160];
        snprintf(path, sizeof(path), "object %s (latest)", w->obj[oi].id);
        ne = o_expect(w, r, E_LAST, oi, e);
        ip_query(w, r, &sc, path, STORE_VER_LAST, w->obj[oi].id, 1, false, &g);
        compare(w, r, path, &g, e, ne, false);
        got_release(&g);
        snprintf(path, sizeof(path), "object %s (all versions)", w->obj[oi].id);
        ne = o_expect(w, r, E_ALL, oi, e);
        ip_query(w, r, &sc, path, STORE_VER_ALL, w->obj[oi].id, 0, false, &g);
        compare(w, r, path, &g, e, ne, false);
        got_release(&g);
    }
    share_ctx_release(&sc);
}

/* ---- HTTP read paths ---- */

static void check_dates(const struct world *w, int r, const char *path, const struct http_resp *resp,
                        const struct got *g, size_t from)
{
    int oi = 0, vi = 0;
    char want_first[40] = "", want_last[40] = "";
    if (g->n > from) {
        if (find_version(w, g->row[from].id, g->row[from].version, &oi, &vi))
            stix_ts_format_us(w->obj[oi].v[vi].added, want_first);
        if (find_version(w, g->row[g->n - 1].id, g->row[g->n - 1].version, &oi, &vi))
            stix_ts_format_us(w->obj[oi].v[vi].added, want_last);
    }
    if (strcmp(resp->first, want_first) || strcmp(resp->last, want_last))
        leak_fail(w, r, path,
                  "X-TAXII-Date-Added-First/Last are '%s'/'%s', the first/last object served "
                  "was added '%s'/'%s'",
                  resp->first, resp->last, want_first, want_last);
}

enum http_kind { H_OBJECTS, H_MANIFEST, H_VERSIONS };

/* GET rest (+ next=...) until more is false; rows into g. */
static void http_list(const struct world *w, int r, const char *path, const char *rest,
                      enum http_kind kind, size_t limit, const char *id, struct got *g,
                      long *first_status)
{
    char url[1024], next[64] = "";
    for (int page = 0;; page++) {
        struct http_resp resp;
        if (next[0])
            snprintf(url, sizeof(url), "%s%snext=%s", rest, strchr(rest, '?') ? "&" : "?", next);
        else
            snprintf(url, sizeof(url), "%s", rest);
        http_do(w, r, url, NULL, &resp);
        if (page == 0)
            *first_status = resp.status;
        if (resp.status == 404 && page == 0) {
            if (resp.first[0])
                leak_fail(w, r, path, "a 404 with X-TAXII-Date-Added headers");
            buf_release(&resp.body);
            return;
        }
        if (resp.status != 200)
            leak_fail(w, r, path, "status %ld: %s", resp.status, buf_str(&resp.body));
        json_t *j = parse_body(w, r, path, &resp);
        json_t *list = json_object_get(j, kind == H_VERSIONS ? "versions" : "objects");
        if (!list) {
            if (json_object_size(j) != 0 || page != 0 || resp.first[0])
                leak_fail(w, r, path, "an empty page (page %d) or headers on one: %s", page,
                          buf_str(&resp.body));
            json_decref(j);
            buf_release(&resp.body);
            return;
        }
        size_t from = g->n, i;
        json_t *it;
        if (json_array_size(list) == 0 || (limit && json_array_size(list) > limit))
            leak_fail(w, r, path, "a page of %zu with limit %zu", json_array_size(list), limit);
        json_array_foreach(list, i, it) {
            if (g->n == MAX_ROWS + 1)
                leak_fail(w, r, path, "more rows than the world has");
            struct got_row *gr = &g->row[g->n++];
            memset(gr, 0, sizeof(*gr));
            if (kind == H_VERSIONS) {
                snprintf(gr->id, sizeof(gr->id), "%s", id);
                snprintf(gr->version, sizeof(gr->version), "%s", json_string_value(it));
            } else {
                const char *ver = json_string_value(json_object_get(it, "version"));
                if (kind == H_OBJECTS && !(ver = json_string_value(json_object_get(it, "modified"))))
                    ver = json_string_value(json_object_get(it, "created"));
                snprintf(gr->id, sizeof(gr->id), "%s",
                         json_string_value(json_object_get(it, "id")) ?: "?");
                snprintf(gr->version, sizeof(gr->version), "%s", ver ? ver : "?");
                if (kind == H_OBJECTS)
                    gr->body = json_incref(it);
                else
                    snprintf(gr->date_added, sizeof(gr->date_added), "%s",
                             json_string_value(json_object_get(it, "date_added")) ?: "?");
            }
        }
        check_dates(w, r, path, &resp, g, from);
        json_t *more = json_object_get(j, "more");
        const char *nx = json_string_value(json_object_get(j, "next"));
        bool m = json_is_true(more);
        if (m != (nx != NULL) || page > 100)
            leak_fail(w, r, path, "more=%d but next '%s' (page %d)", m, nx ? nx : "", page);
        snprintf(next, sizeof(next), "%s", nx ? nx : "");
        json_decref(j);
        buf_release(&resp.body);
        if (!m)
            return;
    }
}

static void check_http(const struct world *w, int r)
{
    static struct got g;
    static struct exp_row e[MAX_ROWS];
    size_t ne;
    long st;
    int oi = 0, vi = 0;

    ne = o_expect(w, r, E_LAST, -1, e);
    http_list(w, r, "GET objects/?limit=3 (following next)", "objects/?limit=3", H_OBJECTS, 3, NULL,
              &g, &st);
    compare(w, r, "GET objects/?limit=3 (following next)", &g, e, ne, true);
    got_release(&g);

    http_list(w, r, "GET manifest/", "manifest/", H_MANIFEST, 0, NULL, &g, &st);
    compare(w, r, "GET manifest/", &g, e, ne, false);
    for (size_t i = 0; i < g.n; i++) {
        char want[40];
        find_version(w, g.row[i].id, g.row[i].version, &oi, &vi);
        stix_ts_format_us(w->obj[oi].v[vi].added, want);
        if (strcmp(want, g.row[i].date_added))
            leak_fail(w, r, "GET manifest/", "date_added of %s is %s, stored %s", g.row[i].id,
                      g.row[i].date_added, want);
    }
    got_release(&g);

    ne = o_expect(w, r, E_ALL, -1, e);
    http_list(w, r, "GET manifest/?match[version]=all", "manifest/?match%5Bversion%5D=all",
              H_MANIFEST, 0, NULL, &g, &st);
    compare(w, r, "GET manifest/?match[version]=all", &g, e, ne, false);
    got_release(&g);

    http_list(w, r, "GET objects/?match[version]=all&limit=4 (following next)",
              "objects/?match%5Bversion%5D=all&limit=4", H_OBJECTS, 4, NULL, &g, &st);
    compare(w, r, "GET objects/?match[version]=all&limit=4 (following next)", &g, e, ne, true);
    got_release(&g);

    /* every id, and one never stored */
    for (int i = 0; i <= w->n_objs; i++) {
        const char *id = i < w->n_objs ? w->obj[i].id : w->never;
        char path[200], rest[200];
        snprintf(path, sizeof(path), "GET objects/%s/", id);
        snprintf(rest, sizeof(rest), "objects/%s/", id);
        ne = i < w->n_objs ? o_expect(w, r, E_LAST, i, e) : 0;
        http_list(w, r, path, rest, H_OBJECTS, 0, id, &g, &st);
        if ((ne == 0) != (st == 404))
            leak_fail(w, r, path, "status %ld, expected %s", st, ne ? "200" : "404");
        compare(w, r, path, &g, e, ne, true);
        got_release(&g);

        snprintf(path, sizeof(path), "GET objects/%s/versions/", id);
        snprintf(rest, sizeof(rest), "objects/%s/versions/", id);
        ne = i < w->n_objs ? o_expect(w, r, E_ALL, i, e) : 0;
        http_list(w, r, path, rest, H_VERSIONS, 0, id, &g, &st);
        if ((ne == 0) != (st == 404))
            leak_fail(w, r, path, "status %ld, expected %s", st, ne ? "200" : "404");
        compare(w, r, path, &g, e, ne, false);
        got_release(&g);
    }
}

/* ---- one world ---- */

static double now_s(void);

static void run_world(unsigned index)
{
    static struct world wv;
    struct world *w = &wv;
    memset(w, 0, sizeof(*w));
    w->index = index;
    w->seed = mix(run.seed ^ mix(index));
    w->http = run.http_every && index % run.http_every == 0;
    rng = w->seed;
    double t0 = now_s();
    gen_world(w);

    for (int i = 0; i < w->n_orgs; i++)
        put_org(w, i);
    for (int i = 0; i < w->n_comms; i++)
        put_community(w, i);
    put_collection(w);
    for (int i = 0, j; i < w->n_post; i = j) {
        int poster = post_ver(w, i)->poster;
        bool side = w->post[i].obj < 0;
        for (j = i + 1; j < w->n_post && post_ver(w, j)->poster == poster && (w->post[j].obj < 0) == side;)
            j++;
        post_batch(w, i, j);
    }
    load_truth(w);
    tally(w);
    double t1 = now_s();
    for (int r = 0; r < w->n_orgs; r++)
        check_inproc(w, r);
    check_inproc(w, R_NODE);
    double t2 = now_s();
    for (int r = 0; w->http && r < w->n_orgs; r++)
        check_http(w, r);
    run.t_build += t1 - t0;
    run.t_inproc += t2 - t1;
    run.t_http += now_s() - t2;

    /* the next world brings its own communities (names are reused) */
    for (int i = 0; i < w->n_comms; i++)
        assert_int_equal(store_community_delete(run.s, w->comm[i].name), 0);
    free_world(w);
}

static unsigned long env_num(const char *name, unsigned long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 0) : dflt;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_leak_search(void **state)
{
    (void)state;
    double t0 = now_s();
    unsigned done = 0, http = 0;
    for (unsigned i = 0; i < run.worlds; i++) {
        if (run.only >= 0 && (long)i != run.only)
            continue;
        run_world(i);
        done++;
        http += run.http_every && i % run.http_every == 0;
    }
    double dt = now_s() - t0;
    printf("sharing leak search: seed 0x%016llx, %u worlds (%u over HTTP) in %.1f s "
           "(%.1f worlds/s), %u read paths compared, %u HTTP requests; %.1f s storing, "
           "%.1f s reading in-process, %.1f s reading over HTTP\n",
           (unsigned long long)run.seed, done, http, dt, dt > 0 ? done / dt : 0.0, run.n_reads,
           run.n_http, run.t_build, run.t_inproc, run.t_http);
    printf("sharing leak search: %u (organisation, version) pairs seen through a sharing group at "
           "AMBER or above (%u at RED); %u versions naming another creator's group, %u naming a "
           "group without a creator of their own; %u pairs seen past a statement that counts, %u "
           "versions naming a statement that does not (%u a group id squatted as a statement); "
           "%u marking definitions delivered in another's name, %u squatted first; %u versions "
           "posted by the node\n",
           run.t_group_open, run.t_group_red, run.t_foreign, run.t_anon, run.t_stmt_open,
           run.t_stmt_closed, run.t_stmt_squat, run.t_forged, run.t_squat_first, run.t_node);
}

static int setup(void **state)
{
    (void)state;
    struct error err;
    char db[PATH_MAX];
    error_clear(&err);
    run.seed = env_num("CONCORD_LEAK_SEED", 0x5eed2026UL);
    run.worlds = (unsigned)env_num("CONCORD_LEAK_WORLDS", 2000);
    run.http_every = (unsigned)env_num("CONCORD_LEAK_HTTP_EVERY", 10);
    run.only = getenv("CONCORD_LEAK_ONLY") ? (long)env_num("CONCORD_LEAK_ONLY", 0) : -1;
    if (run.only >= (long)run.worlds)
        run.worlds = (unsigned)run.only + 1;
    assert_int_equal(auth_init(), 0);
    assert_int_equal(tmpdir_make(run.dir, "concord-leak-"), 0);
    assert_int_equal(tmpdir_path(db, run.dir, "concord.db"), 0);
    assert_int_equal(store_sqlite_open(db, &run.s, &err), 0);
    if (run.http_every) {
        static struct taxii_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        snprintf(cfg.db_path, sizeof(cfg.db_path), "%s", db);
        snprintf(cfg.host, sizeof(cfg.host), "127.0.0.1");
        cfg.tls = false;
        snprintf(cfg.title, sizeof(cfg.title), "leak search");
        cfg.max_content_length = (size_t)1 << 24;
        cfg.threads = 2;
        assert_int_equal(taxii_server_start(&cfg, &run.srv, &err), 0);
        run.port = taxii_server_port(run.srv);
        assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), 0);
        run.curl = curl_easy_init();
        assert_non_null(run.curl);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (run.curl) {
        curl_easy_cleanup(run.curl);
        curl_global_cleanup();
    }
    taxii_server_stop(run.srv);
    store_close(run.s);
    tmpdir_remove(run.dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_leak_search)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
