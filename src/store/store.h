/*
 * The storage interface.  Callers (taxii/, auth/, cli/) use only the
 * store_* wrappers below; each back end (sqlite.c now, postgres.c later)
 * fills a `struct store_ops` table.  A `struct store` is one connection and
 * is used by one thread at a time; a server opens one per worker thread.
 *
 * Objects are kept per collection and per version: the key is (collection,
 * id, version) where version is `modified` (or `created`, or nothing for
 * SCOs).  Every stored row gets a server-assigned `date_added` in
 * microseconds since the epoch that is unique and strictly increasing over
 * the whole store, so ordering by it is total and pagination by "last
 * date_added seen" can never skip or repeat a row.
 */
#ifndef CONCORD_STORE_STORE_H
#define CONCORD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/limits.h"

struct store;

struct store_org {
    int64_t id;                  /* store-assigned */
    char name[LIMIT_NAME];       /* unique short name, e.g. "sg-cert" */
    char identity_id[96];        /* the organisation's STIX identity id */
    char country[8];             /* ISO 3166-1 alpha-2, "" when unknown */
    char role[32];               /* national-cert, defence, law-enforcement, regulator, sector-operator, hub */
};

enum store_user_role { STORE_ROLE_READER = 0, STORE_ROLE_MEMBER = 1, STORE_ROLE_ADMIN = 2 };

struct store_user {
    int64_t id;
    char name[LIMIT_NAME];
    int64_t org_id;
    char org_name[LIMIT_NAME];
    enum store_user_role role;
    char pwhash[160];            /* libsodium crypto_pwhash_str (argon2id) */
};

struct store_token {
    int64_t id;
    int64_t user_id;
    char user_name[LIMIT_NAME];
    char prefix[16];             /* first characters of the token, shown in lists */
    int64_t created_us;
    bool revoked;
};

/* Org lists of a collection: "*" = every organisation, else ",3,7," (org ids). */
struct store_coll {
    int64_t seq;                 /* store-assigned row number */
    char id[40];                 /* UUID, the TAXII collection id */
    char title[LIMIT_NAME];
    char description[1024];
    char alias[LIMIT_NAME];      /* "" when none */
    char read_orgs[1024];
    char write_orgs[1024];
};

/* One object version to store.  Strings are borrowed for the call. */
struct store_obj_in {
    const char *id;
    const char *type;
    const char *spec_version;
    const char *version;         /* modified/created as given; NULL for unversioned SCOs */
    int64_t version_ns;          /* 0 when version is NULL */
    const char *created_by;      /* created_by_ref or NULL */
    bool revoked;
    bool versioned;              /* false: SCOs and marking-definitions (one version only) */
    const char *body;            /* the object's JSON, as received (minified) */
    size_t body_len;
    int tlp;                     /* enum share_tlp of the object's markings */
    const char *mrefs;           /* other object_marking_refs, comma-joined, or NULL */
    bool granular;               /* granular_markings present */
    int64_t origin_org;          /* organisation that delivered it (0: local import) */
};

enum store_put_outcome {
    STORE_PUT_ADDED = 1,         /* a new version was stored */
    STORE_PUT_EXISTS = 2         /* identical (id, version, body) already there: a success */
};

/* One row handed to a query callback; everything borrowed for the call. */
struct store_row {
    int64_t added_us;            /* date_added */
    const char *id;
    const char *type;
    const char *version;         /* as given; NULL for unversioned objects */
    const char *spec_version;
    const char *created_by;      /* may be NULL */
    bool revoked;
    const char *body;
    size_t body_len;
    int tlp;                     /* as stored by store_obj_in */
    const char *mrefs;
    bool granular;
    int64_t origin_org;
    bool peek;                   /* lookahead for `more`: decide only, do not emit */
    bool visible;                /* store_query.visible already said yes to this row */
};

/*
 * Callback for each candidate row in date_added order.  Return 1 when the
 * row is taken (counts toward the limit), 0 to skip it as if it did not
 * exist (the sharing decision hides it), or a negative ERR_* to stop.
 */
typedef int (*store_row_fn)(void *ctx, const struct store_row *row);

enum store_ver_flags {
    STORE_VER_LAST = 1 << 0,     /* the latest version of each object */
    STORE_VER_FIRST = 1 << 1,    /* the earliest version */
    STORE_VER_ALL = 1 << 2,      /* every version */
    STORE_VER_LIST = 1 << 3      /* the versions in `versions` */
};

struct store_query {
    int64_t coll;                /* collection seq */
    int64_t added_after_us;      /* exclusive lower bound; -1 for none */
    const char **ids;            /* match[id]; n_ids == 0: any */
    size_t n_ids;
    const char **types;          /* match[type] */
    size_t n_types;
    const char **specs;          /* match[spec_version]; 0: any */
    size_t n_specs;
    unsigned ver_flags;          /* enum store_ver_flags, 0 means LAST */
    const int64_t *versions;     /* ns values for STORE_VER_LIST */
    size_t n_versions;
    size_t limit;                /* rows to take; 0 = unlimited */
    /*
     * Sharing prefilter: when set, only rows that some sharing rule could
     * show to this organisation identity are produced (TLP:CLEAR/GREEN,
     * rows naming other markings, rows it created or delivered).  The final decision is
     * still share_may_read in the callback; this only skips the rows that
     * are certainly hidden, so a reader who sees little never scans much.
     */
    const char *visible_to;
    int64_t visible_org;         /* with visible_to: the reader's organisation (its origin rows) */
    /*
     * The sharing decision itself (queries only, never deletes).  When set,
     * STORE_VER_LAST / STORE_VER_FIRST select the latest / earliest version
     * the reader may see: a hidden newer (older) version neither hides the
     * one it may see nor shows, by its absence, that it exists.
     */
    bool (*visible)(void *ctx, const struct store_row *row);
    void *visible_ctx;
};

/* Which correlated values store_corr_list reports. */
struct store_corr_query {
    int min_orgs;                /* values named by at least this many creating organisations */
    const char *value;           /* only this value (any path); NULL: all */
};

/*
 * One (value, indicator) pair of a correlated value; rows come grouped by
 * value, indicators in date_added order.  `obj` has no body (body NULL):
 * enough for the sharing decision on the indicator.
 */
struct store_corr_row {
    const char *path;
    const char *value;
    int64_t n_orgs;              /* distinct creating organisations naming the value */
    int64_t overflow;            /* indicators beyond LIMIT_CORR_PER_VALUE, counted only */
    struct store_row obj;
};

/* A community: a named set of organisations, by country code and/or by name. */
struct store_community {
    int64_t id;
    char name[64];               /* e.g. "asean" */
    char title[LIMIT_NAME];
    char countries[512];         /* ",BN,KH,...," ("" none) */
    char orgs[1024];             /* ",3,7," explicit member org ids ("" none) */
};

/*
 * Federation (src/sync/): a peer is another TAXII 2.1 server.  The secret
 * (password or token) is kept in the node database, which is mode 0600;
 * it is never logged or shown.
 */
struct store_peer {
    int64_t id;                  /* store-assigned */
    char name[64];               /* unique short name, e.g. "my-node" */
    char url[512];               /* the peer's API root, ending in '/' */
    int64_t org_id;              /* local organisation that operates the peer */
    char org_name[LIMIT_NAME];   /* filled by get/list */
    char user[LIMIT_NAME];       /* user name on the peer ("" with a token) */
    char secret[512];            /* password for user, or a bearer token */
    bool token;                  /* secret is a bearer token */
    /* state of the last rounds (store_peer_report) */
    int64_t last_try_us;         /* start of the last round, 0 never */
    int64_t last_ok_us;          /* end of the last successful round, 0 never */
    int64_t lag_us;              /* last_try - newest date_added pulled, -1 unknown */
    int64_t pulled, pushed, quarantined; /* totals over all rounds */
    char last_error[256];        /* "" after a successful round */
};

enum store_peer_dir { STORE_PEER_PULL = 0, STORE_PEER_PUSH = 1 };

/*
 * One collection pair of a peer and its checkpoint.  Pull: after_us is
 * the peer's date_added (never `modified`) up to which everything was
 * stored; next/base resume an interrupted run.  Push: after_us is the
 * local date_added up to which the peer accepted everything.
 */
struct store_peer_coll {
    int64_t peer_id;
    enum store_peer_dir dir;
    char remote[64];             /* the peer's collection id */
    char local[64];              /* the local collection id */
    int64_t after_us;            /* checkpoint; -1 none (start from the beginning) */
    char next[1024];             /* pull: `next` token of an interrupted run, "" none */
    int64_t base_us;             /* pull: added_after the interrupted run started with (-1 none) */
    int64_t count;               /* objects pulled / pushed through this pair */
};

/* An object a peer sent that was not stored, with why. */
struct store_quarantine {
    int64_t id;
    int64_t peer_id;
    char peer_name[64];          /* filled by list */
    char coll[64];               /* local collection id */
    char object_id[160];         /* "" when the object had none */
    char reason[512];
    int64_t created_us;
    const char *body;            /* the object's JSON (borrowed; may be NULL in lists) */
    size_t body_len;
};

struct store_ops {
    void (*close)(struct store *s);
    int (*begin_write)(struct store *s);
    int (*commit)(struct store *s);
    int (*rollback)(struct store *s);
    int (*org_add)(struct store *s, struct store_org *org, struct error *err);
    int (*org_get)(struct store *s, const char *name, struct store_org *out);
    int (*org_get_id)(struct store *s, int64_t id, struct store_org *out);
    int (*org_list)(struct store *s, int (*fn)(void *, const struct store_org *), void *ctx);
    int (*user_add)(struct store *s, struct store_user *u, struct error *err);
    int (*user_get)(struct store *s, const char *name, struct store_user *out);
    int (*user_get_id)(struct store *s, int64_t id, struct store_user *out);
    int (*user_list)(struct store *s, int (*fn)(void *, const struct store_user *), void *ctx);
    int (*token_add)(struct store *s, int64_t user_id, const char *prefix,
                     const unsigned char hash[32], int64_t *id_out);
    int (*token_find)(struct store *s, const unsigned char hash[32], int64_t *user_id);
    int (*token_revoke)(struct store *s, const char *prefix_or_id, int *count);
    int (*token_list)(struct store *s, int (*fn)(void *, const struct store_token *), void *ctx);
    int (*coll_add)(struct store *s, struct store_coll *c, struct error *err);
    int (*coll_get)(struct store *s, const char *id, struct store_coll *out);
    int (*coll_list)(struct store *s, int (*fn)(void *, const struct store_coll *), void *ctx);
    int (*obj_put)(struct store *s, int64_t coll, const struct store_obj_in *in,
                   enum store_put_outcome *outcome, int64_t *added_us, struct error *err);
    int (*obj_query)(struct store *s, const struct store_query *q, store_row_fn fn, void *ctx,
                     bool *more);
    int (*obj_delete)(struct store *s, const struct store_query *q, size_t *deleted);
    int (*obj_count)(struct store *s, int64_t coll, int64_t *count);
    int (*status_put)(struct store *s, const char *id, int64_t owner_org, const char *json,
                      size_t len);
    int (*status_get)(struct store *s, const char *id, int64_t *owner_org, char **json,
                      size_t *len);
    int (*marking_get)(struct store *s, const char *id, char **json, size_t *len,
                       int64_t *origin_org);
    int (*community_put)(struct store *s, const struct store_community *c, struct error *err);
    int (*community_get)(struct store *s, const char *name, struct store_community *out);
    int (*community_list)(struct store *s, int (*fn)(void *, const struct store_community *),
                          void *ctx);
    int (*community_delete)(struct store *s, const char *name);
    int (*corr_list)(struct store *s, const struct store_corr_query *q,
                     int (*fn)(void *, const struct store_corr_row *), void *ctx);
    int (*corr_catch_up)(struct store *s, size_t max_rows, size_t *done);
    int (*corr_pending)(struct store *s, int64_t *newest, int64_t *upto);
    int (*meta_get)(struct store *s, const char *key, char *out, size_t outsz);
    int (*meta_set)(struct store *s, const char *key, const char *value);
    int (*peer_add)(struct store *s, struct store_peer *p, struct error *err);
    int (*peer_get)(struct store *s, const char *name, struct store_peer *out);
    int (*peer_list)(struct store *s, int (*fn)(void *, const struct store_peer *), void *ctx);
    int (*peer_remove)(struct store *s, const char *name);
    int (*peer_report)(struct store *s, const struct store_peer *p);
    int (*peer_coll_add)(struct store *s, const struct store_peer_coll *pc, struct error *err);
    int (*peer_coll_list)(struct store *s, int64_t peer_id,
                          int (*fn)(void *, const struct store_peer_coll *), void *ctx);
    int (*peer_coll_save)(struct store *s, const struct store_peer_coll *pc);
    int (*quarantine_add)(struct store *s, const struct store_quarantine *qr);
    int (*quarantine_list)(struct store *s, int64_t peer_id,
                           int (*fn)(void *, const struct store_quarantine *), void *ctx);
};

struct store {
    const struct store_ops *ops;
};

/*
 * Open the SQLite store at path (created with its schema when absent).
 * Returns 0 and *out (free with store_close), or ERR_DB/ERR_IO with err set.
 */
int store_sqlite_open(const char *path, struct store **out, struct error *err);

static inline void store_close(struct store *s) { if (s) s->ops->close(s); }
static inline int store_begin_write(struct store *s) { return s->ops->begin_write(s); }
static inline int store_commit(struct store *s) { return s->ops->commit(s); }
static inline int store_rollback(struct store *s) { return s->ops->rollback(s); }

#define STORE_WRAP(name, params, args) \
    static inline int store_##name params { return s->ops->name args; }

STORE_WRAP(org_add, (struct store *s, struct store_org *o, struct error *e), (s, o, e))
STORE_WRAP(org_get, (struct store *s, const char *n, struct store_org *o), (s, n, o))
STORE_WRAP(org_get_id, (struct store *s, int64_t id, struct store_org *o), (s, id, o))
STORE_WRAP(org_list, (struct store *s, int (*fn)(void *, const struct store_org *), void *c),
           (s, fn, c))
STORE_WRAP(user_add, (struct store *s, struct store_user *u, struct error *e), (s, u, e))
STORE_WRAP(user_get, (struct store *s, const char *n, struct store_user *u), (s, n, u))
STORE_WRAP(user_get_id, (struct store *s, int64_t id, struct store_user *u), (s, id, u))
STORE_WRAP(user_list, (struct store *s, int (*fn)(void *, const struct store_user *), void *c),
           (s, fn, c))
STORE_WRAP(token_add, (struct store *s, int64_t uid, const char *p, const unsigned char h[32],
                       int64_t *id), (s, uid, p, h, id))
STORE_WRAP(token_find, (struct store *s, const unsigned char h[32], int64_t *uid), (s, h, uid))
STORE_WRAP(token_revoke, (struct store *s, const char *p, int *count), (s, p, count))
STORE_WRAP(token_list, (struct store *s, int (*fn)(void *, const struct store_token *), void *c),
           (s, fn, c))
STORE_WRAP(coll_add, (struct store *s, struct store_coll *c, struct error *e), (s, c, e))
STORE_WRAP(coll_get, (struct store *s, const char *id, struct store_coll *c), (s, id, c))
STORE_WRAP(coll_list, (struct store *s, int (*fn)(void *, const struct store_coll *), void *c),
           (s, fn, c))
STORE_WRAP(obj_put, (struct store *s, int64_t coll, const struct store_obj_in *in,
                     enum store_put_outcome *o, int64_t *added, struct error *e),
           (s, coll, in, o, added, e))
STORE_WRAP(obj_query, (struct store *s, const struct store_query *q, store_row_fn fn, void *c,
                       bool *more), (s, q, fn, c, more))
STORE_WRAP(obj_delete, (struct store *s, const struct store_query *q, size_t *n), (s, q, n))
STORE_WRAP(obj_count, (struct store *s, int64_t coll, int64_t *n), (s, coll, n))
STORE_WRAP(status_put, (struct store *s, const char *id, int64_t org, const char *j, size_t l),
           (s, id, org, j, l))
/* *j is heap (caller frees). */
STORE_WRAP(status_get, (struct store *s, const char *id, int64_t *org, char **j, size_t *l),
           (s, id, org, j, l))
/*
 * A marking-definition by id, from any collection (*json heap, caller
 * frees), and the organisation that delivered it (0: a local import).
 */
STORE_WRAP(marking_get, (struct store *s, const char *id, char **j, size_t *l, int64_t *origin),
           (s, id, j, l, origin))
/* Insert or replace a community (by name). */
STORE_WRAP(community_put, (struct store *s, const struct store_community *c, struct error *e),
           (s, c, e))
STORE_WRAP(community_get, (struct store *s, const char *n, struct store_community *c), (s, n, c))
STORE_WRAP(community_list,
           (struct store *s, int (*fn)(void *, const struct store_community *), void *c),
           (s, fn, c))
STORE_WRAP(community_delete, (struct store *s, const char *n), (s, n))
/*
 * Correlated values: latest, unrevoked indicator versions only, as of the
 * last store_corr_catch_up.
 */
STORE_WRAP(corr_list, (struct store *s, const struct store_corr_query *q,
                       int (*fn)(void *, const struct store_corr_row *), void *c), (s, q, fn, c))
/*
 * Index the equality values of up to max_rows indicator versions stored
 * since the last call, in one write transaction (*done: how many; 0 when
 * caught up).  Kept off the ingest path: values are mostly unique, so
 * each one lands on its own index page, and a large batch sorted by value
 * writes each page once instead of once per ingest request.
 */
STORE_WRAP(corr_catch_up, (struct store *s, size_t max_rows, size_t *done), (s, max_rows, done))
/* The newest date_added stored and the last one correlation has indexed. */
STORE_WRAP(corr_pending, (struct store *s, int64_t *newest, int64_t *upto), (s, newest, upto))
STORE_WRAP(meta_get, (struct store *s, const char *k, char *o, size_t n), (s, k, o, n))
STORE_WRAP(meta_set, (struct store *s, const char *k, const char *v), (s, k, v))

/*
 * Peers (sqlite_peer.c).  peer_add fills p->id (ERR_EXISTS when the name
 * is taken); peer_remove also drops its collections and checkpoints
 * (quarantined objects are kept); peer_report stores the round fields
 * (last_*, lag, counts) of p; peer_coll_save stores after/next/base/count
 * of the pair (peer_id, dir, remote, local): call it inside the write
 * transaction that stored the objects, so checkpoint and objects commit
 * together.  quarantine_list: peer_id 0 = every peer; newest first.
 */
STORE_WRAP(peer_add, (struct store *s, struct store_peer *p, struct error *e), (s, p, e))
STORE_WRAP(peer_get, (struct store *s, const char *n, struct store_peer *p), (s, n, p))
STORE_WRAP(peer_list, (struct store *s, int (*fn)(void *, const struct store_peer *), void *c),
           (s, fn, c))
STORE_WRAP(peer_remove, (struct store *s, const char *n), (s, n))
STORE_WRAP(peer_report, (struct store *s, const struct store_peer *p), (s, p))
STORE_WRAP(peer_coll_add, (struct store *s, const struct store_peer_coll *pc, struct error *e),
           (s, pc, e))
STORE_WRAP(peer_coll_list, (struct store *s, int64_t pid,
                            int (*fn)(void *, const struct store_peer_coll *), void *c),
           (s, pid, fn, c))
STORE_WRAP(peer_coll_save, (struct store *s, const struct store_peer_coll *pc), (s, pc))
STORE_WRAP(quarantine_add, (struct store *s, const struct store_quarantine *qr), (s, qr))
STORE_WRAP(quarantine_list, (struct store *s, int64_t pid,
                             int (*fn)(void *, const struct store_quarantine *), void *c),
           (s, pid, fn, c))

/* True if org id is in a collection org list ("*" or ",3,7,"). */
bool store_orglist_has(const char *list, int64_t org_id);

#endif
