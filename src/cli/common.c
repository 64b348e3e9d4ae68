/*
 * Helpers shared by the subcommands: data directory, files, secrets on
 * standard input, and the operations both `concord` commands and the demo
 * seed use (creating organisations and users, storing objects).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/auth.h"
#include "stix/id.h"
#include "stix/timestamp.h"
#include "store/ingest.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *cli_data_dir(const char *opt)
{
    const char *d = opt ? opt : getenv("CONCORD_DATA");
    if (!d || !*d)
        fprintf(stderr, "concord: no data directory: give -D DIR or set CONCORD_DATA\n");
    return d && *d ? d : NULL;
}

void cli_path(char out[PATH_MAX], const char *dir, const char *name)
{
    if (name[0] == '/')
        snprintf(out, PATH_MAX, "%s", name);
    else
        snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

int cli_open_store(const char *dir, struct store **s)
{
    char path[PATH_MAX];
    cli_path(path, dir, "concord.db");
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "concord: '%s' is not a Concord data directory (run 'concord init -D %s')\n",
                dir, dir);
        return -1;
    }
    struct error err;
    error_clear(&err);
    if (store_sqlite_open(path, s, &err) != 0) {
        fprintf(stderr, "concord: %s\n", err.msg);
        return -1;
    }
    return 0;
}

int cli_read_secret(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin))
        return -1;
    size_t len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return 0;
}

char *cli_read_file(const char *path, size_t *len, size_t max)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "concord: cannot open '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *data = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= max) {
                fprintf(stderr, "concord: '%s' is larger than %zu bytes\n", path, max);
                free(data);
                data = NULL;
                break;
            }
            cap *= 2;
            data = xrealloc(data, cap + 1);
        }
    }
    if (data && ferror(f)) {
        fprintf(stderr, "concord: cannot read '%s'\n", path);
        free(data);
        data = NULL;
    }
    if (f != stdin)
        fclose(f);
    if (data) {
        data[n] = '\0';
        *len = n;
    }
    return data;
}

int cli_user_create(struct store *s, const char *name, const char *org, int role,
                    const char *password, struct error *err)
{
    struct store_org o;
    if (store_org_get(s, org, &o) != 0)
        return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", org);
    if (strlen(password) < 8)
        return error_set(err, ERR_INVALID, "the password must have at least 8 characters");
    struct store_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.org_id = o.id;
    u.role = (enum store_user_role)role;
    if (auth_password_hash(password, u.pwhash) != 0)
        return error_set(err, ERR_NOMEM, "cannot hash the password");
    return store_user_add(s, &u, err);
}

/* The organisation's STIX identity (STIX 2.1 §4.5), as envelope text. */
static char *identity_envelope(const char *id, const char *full_name, const char *country,
                               const char *role)
{
    char now[STIX_TS_MAX];
    stix_ts_format_us(stix_now_us() / 1000 * 1000, now);
    /* millisecond precision, as STIX requires for created/modified */
    now[23] = 'Z';
    now[24] = '\0';
    json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
                            "spec_version", "2.1", "id", id, "created", now, "modified", now,
                            "name", full_name, "identity_class", "organization");
    if (role && *role)
        json_object_set_new(obj, "roles", json_pack("[s]", role));
    /* the directory is for the node's community: every registered organisation */
    json_object_set_new(obj, "object_marking_refs",
                        json_pack("[s]", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"));
    if (country && *country)
        json_object_set_new(obj, "x_concord_country", json_string(country));
    json_t *env = json_pack("{s:[o]}", "objects", obj);
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    return text;
}

int cli_org_create(struct store *s, const char *name, const char *country, const char *role,
                   const char *full_name, struct store_org *out, struct error *err)
{
    return cli_org_create_id(s, name, NULL, country, role, full_name, out, err);
}

int cli_org_create_id(struct store *s, const char *name, const char *identity,
                      const char *country, const char *role, const char *full_name,
                      struct store_org *out, struct error *err)
{
    struct store_org o;
    memset(&o, 0, sizeof(o));
    if (!*name || strlen(name) >= sizeof(o.name) || strchr(name, ','))
        return error_set(err, ERR_INVALID, "bad organisation name '%s'", name);
    if (country && (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' ||
                    country[1] < 'A' || country[1] > 'Z'))
        return error_set(err, ERR_INVALID, "country must be an ISO 3166 code like 'SG'");
    char uuid[STIX_UUID_LEN + 1];
    stix_uuid4(uuid);
    snprintf(o.name, sizeof(o.name), "%s", name);
    snprintf(o.identity_id, sizeof(o.identity_id), "identity--%s", uuid);
    if (identity) {
        if (strlen(identity) >= sizeof(o.identity_id) ||
            stix_id_check(identity, "identity", NULL) != 0)
            return error_set(err, ERR_INVALID, "'%s' is not an identity id", identity);
        snprintf(o.identity_id, sizeof(o.identity_id), "%s", identity);
    }
    snprintf(o.country, sizeof(o.country), "%s", country ? country : "");
    snprintf(o.role, sizeof(o.role), "%s", role ? role : "");
    int r = store_org_add(s, &o, err);
    if (r)
        return r;
    struct store_coll dir;
    if (store_coll_get(s, "directory", &dir) == 0) {
        char *env = identity_envelope(o.identity_id, full_name ? full_name : name, o.country,
                                      o.role);
        r = cli_store_objects(s, dir.seq, env, strlen(env), err);
        free(env);
    }
    if (out)
        *out = o;
    return r;
}

int cli_store_objects(struct store *s, int64_t coll, const char *json, size_t len,
                      struct error *err)
{
    struct store_ingest ing;
    int r = store_ingest_prepare(&ing, json, len, err);
    if (!r)
        r = store_ingest_commit(&ing, s, coll, NULL, 0, err);
    for (size_t i = 0; !r && i < ing.n; i++)
        if (ing.items[i].err.code)
            r = error_set(err, ERR_INVALID, "%s: %s", ing.items[i].err.path,
                          ing.items[i].err.msg);
    store_ingest_release(&ing);
    return r;
}
