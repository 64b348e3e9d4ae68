/*
 * `concord init -D DIR [--demo]`: make a data directory with its
 * configuration, database, TLS certificate, the node's standard
 * collections and the STIX marking definitions; --demo adds the demo
 * organisations, users and data (demo.c).
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "share/share.h"
#include "util/banned.h"

static const char init_help[] =
    "usage: concord init -D DIR [--demo] [--listen HOST:PORT]\n"
    "  Creates DIR with concord.conf, concord.db, a self-signed TLS certificate\n"
    "  (tls/cert.pem, tls/key.pem), the 'directory' collection (organisation\n"
    "  identities and marking definitions) and the 'shared' collection.\n"
    "  --demo  also adds the ten ASEAN national CERTs, a regional hub, demo users\n"
    "          (passwords in DIR/demo-credentials.txt) and demo data\n";

/* The nine TLP marking definitions: TLP 2.0 (OASIS extension) and TLP 1.0 (STIX 2.1 §7.2.1.4). */
static const char tlp_envelope[] =
    "{\"objects\":["
#define TLP2(id, name, val)                                                                        \
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" id  \
    "\",\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"" name "\",\"extensions\":{"          \
    "\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{\"extension_type\":"          \
    "\"property-extension\",\"tlp_2_0\":\"" val "\"}}},"
#define TLP1(id, name, val)                                                                        \
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" id  \
    "\",\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\",\"name\":\"" name    \
    "\",\"definition\":{\"tlp\":\"" val "\"}}"
    TLP2("94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear")
    TLP2("bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green")
    TLP2("55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber")
    TLP2("939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT", "amber+strict")
    TLP2("e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red")
    TLP1("613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white") ","
    TLP1("34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green") ","
    TLP1("f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber") ","
    TLP1("5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red") ","
    /* Concord's sharing-group marking, declared as STIX 2.1 extensions should be (§7.3) */
    "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" SHARE_CONCORD_IDENTITY "\","
    "\"created\":\"2026-11-01T00:00:00.000Z\",\"modified\":\"2026-11-01T00:00:00.000Z\","
    "\"name\":\"Concord project\",\"identity_class\":\"organization\","
    "\"object_marking_refs\":[\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\"]},"
    "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\",\"id\":\""
    SHARE_GROUP_EXTENSION "\",\"created\":\"2026-11-01T00:00:00.000Z\","
    "\"modified\":\"2026-11-01T00:00:00.000Z\",\"created_by_ref\":\"" SHARE_CONCORD_IDENTITY
    "\",\"name\":\"Concord sharing group\",\"description\":\"A marking-definition property "
    "extension naming the recipients of the objects that reference the marking: 'organizations' "
    "(identity ids) and 'communities' (community names). Every marking on an object must allow "
    "a reader; see docs/sharing.md.\",\"schema\":\"docs/sharing.md\",\"version\":\"1.0.0\","
    "\"extension_types\":[\"property-extension\"]}"
    "]}";

static int make_dirs(const char *dir, struct error *err)
{
    char tls[PATH_MAX];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return error_set(err, ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
    cli_path(tls, dir, "tls");
    if (mkdir(tls, 0700) != 0 && errno != EEXIST)
        return error_set(err, ERR_IO, "cannot create '%s': %s", tls, strerror(errno));
    return 0;
}

static int seed_node(const char *dir, struct store *s, struct cli_config *cfg, struct error *err)
{
    struct store_coll dirc, shared;
    int r = cli_collection_create(s, "Directory", "directory",
                                  "Organisations (STIX identities) and marking definitions", "*",
                                  "", &dirc, err);
    if (!r)
        r = cli_collection_create(s, "Shared", "shared",
                                  "Threat information shared between member organisations", "*",
                                  "*", &shared, err);
    if (!r)
        r = cli_store_objects(s, dirc.seq, tlp_envelope, sizeof(tlp_envelope) - 1, err);
    if (!r)
        r = cli_community_presets(s, err);
    if (!r)
        snprintf(cfg->default_collection, sizeof(cfg->default_collection), "%s", shared.id);
    return r;
}

static int do_init(const char *dir, bool demo, const char *listen, struct error *err)
{
    char path[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
    cli_path(path, dir, "concord.db");
    if (access(path, F_OK) == 0)
        return error_set(err, ERR_EXISTS, "'%s' already holds a Concord node", dir);
    int r = make_dirs(dir, err);
    if (r)
        return r;
    struct cli_config cfg;
    cli_config_defaults(&cfg);
    if (listen)
        snprintf(cfg.listen, sizeof(cfg.listen), "%s", listen);
    cli_path(cert, dir, cfg.tls_cert);
    cli_path(key, dir, cfg.tls_key);
    if ((r = cli_tls_selfsigned(cert, key, err)))
        return r;
    struct store *s = NULL;
    if ((r = store_sqlite_open(path, &s, err)))
        return r;
    r = seed_node(dir, s, &cfg, err);
    if (!r && demo)
        r = cli_demo_seed(dir, s, err);
    store_close(s);
    if (!r)
        r = cli_config_save(dir, &cfg, err);
    return r;
}

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"demo", no_argument, NULL, 'd'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *listen = NULL;
    bool demo = false;
    int c;
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'd': demo = true; break;
        case 'l': listen = optarg; break;
        case 'h': printf("%s", init_help); return CLI_OK;
        default: fprintf(stderr, "%s", init_help); return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s", init_help);
        return CLI_USAGE;
    }
    if (!(dir = cli_data_dir(dir)))
        return CLI_USAGE;
    struct error err;
    error_clear(&err);
    if (do_init(dir, demo, listen, &err)) {
        fprintf(stderr, "concord: init: %s\n", err.msg);
        return CLI_FAIL;
    }
    printf("initialised Concord node in %s%s\n", dir, demo ? " (with demo data)" : "");
    return CLI_OK;
}
