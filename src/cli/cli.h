/*
 * Shared pieces of the `concord` command: options common to every
 * subcommand, the data directory, the node configuration file, and the
 * subcommand entry points (cmd_<name>.c).
 */
#ifndef CONCORD_CLI_CLI_H
#define CONCORD_CLI_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "taxii/server.h"

/* Exit codes: 0 ok, 1 failure, 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* The node configuration, DIR/concord.conf ("key = value" lines, '#' comments). */
struct cli_config {
    char listen[96];            /* HOST:PORT */
    char tls_cert[PATH_MAX];    /* relative to the data directory unless absolute */
    char tls_key[PATH_MAX];
    char title[256];
    char description[512];
    char contact[256];
    char default_collection[64];
    size_t max_content_length;
    unsigned threads;
    bool audit;                 /* keep DIR/audit.db (default on) */
    unsigned sync_interval;     /* seconds between federation rounds in serve; 0 = off */
    char sync_cafile[PATH_MAX]; /* PEM to verify peers with ("" = the system's) */
    unsigned ping_interval;     /* seconds between scheduled reachability rounds; 0 = off */
};

void cli_config_defaults(struct cli_config *c);
/* Parse text (NUL-terminated); returns 0 or ERR_INVALID with err naming the line. */
int cli_config_parse(struct cli_config *c, const char *text, struct error *err);
int cli_config_load(const char *dir, struct cli_config *c, struct error *err);
int cli_config_save(const char *dir, const struct cli_config *c, struct error *err);

/* Data directory from -D or CONCORD_DATA; NULL (message printed) when neither. */
const char *cli_data_dir(const char *opt);
/* Path of a file in the data directory. */
void cli_path(char out[PATH_MAX], const char *dir, const char *name);
/* Open DIR/concord.db, which must exist (made by init). Prints the error. */
int cli_open_store(const char *dir, struct store **s);
/* Read one line (a password) from stdin; strips the newline. Returns 0 or -1. */
int cli_read_secret(char *out, size_t n);
/* Read a whole file (or "-" for stdin) into heap memory; NULL on error (printed). */
char *cli_read_file(const char *path, size_t *len, size_t max);

/* Create a user; used by `user add` and the demo. */
int cli_user_create(struct store *s, const char *name, const char *org, int role,
                    const char *password, struct error *err);
/* Create an organisation and its STIX identity in the directory collection. */
int cli_org_create(struct store *s, const char *name, const char *country, const char *role,
                   const char *full_name, struct store_org *out, struct error *err);
/*
 * The same with a given STIX identity id (NULL: a new one): how a node
 * records another node's organisation under the identity that node uses,
 * so sharing groups name the same organisation everywhere.
 */
int cli_org_create_id(struct store *s, const char *name, const char *identity,
                      const char *country, const char *role, const char *full_name,
                      struct store_org *out, struct error *err);
/* Create a collection; readers/writers: comma lists of org names, "*" or NULL for all. */
int cli_collection_create(struct store *s, const char *title, const char *alias,
                          const char *desc, const char *readers, const char *writers,
                          struct store_coll *out, struct error *err);
/* Organisation names "a,b" -> ",3,7," (store ids); NULL or "*" -> "*". */
int cli_org_list(struct store *s, const char *names, char *out, size_t n, struct error *err);
/* Store objects (JSON text of an envelope/bundle) into a collection, as one transaction. */
int cli_store_objects(struct store *s, int64_t coll, const char *json, size_t len,
                      struct error *err);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_collection(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_community(int argc, char **argv);
int cmd_group(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_pattern(int argc, char **argv);
int cmd_correlate(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_advisory(int argc, char **argv);
int cmd_poc(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_incident(int argc, char **argv);

/* cmd_sync.c: the federation schedule of `concord serve` (a background thread). */
struct cli_sync_sched;
/* Start rounds every cfg->sync_interval seconds (NULL when off or on failure). */
struct cli_sync_sched *cli_sync_start(const char *dir, const struct cli_config *cfg);
/* Stop promptly (aborts transfers in progress) and join; NULL is fine. */
void cli_sync_stop(struct cli_sync_sched *sc);
/* ping_sched.c: scheduled reachability rounds of `concord serve` (a background thread). */
struct cli_ping_sched;
/* Start a round every cfg->ping_interval seconds (NULL when off or on failure). */
struct cli_ping_sched *cli_ping_sched_start(const char *dir, const struct cli_config *cfg);
/* Stop promptly and join; NULL is fine. */
void cli_ping_sched_stop(struct cli_ping_sched *sc);
/* `concord pattern eval` (cmd_pattern_eval.c); argv[0] is "eval". */
int cli_pattern_eval(int argc, char **argv);

/* The asean, admm-plus and eas communities. */
int cli_community_presets(struct store *s, struct error *err);

/* demo.c: the demo organisations, users and data for `init --demo`. */
int cli_demo_seed(const char *dir, struct store *s, struct error *err);

/* tls.c: a self-signed certificate for 127.0.0.1/localhost (PEM files). */
int cli_tls_selfsigned(const char *cert_path, const char *key_path, struct error *err);

#endif
