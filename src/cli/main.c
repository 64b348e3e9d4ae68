/*
 * `concord`: one binary, one subcommand per job.  main() only dispatches;
 * each subcommand (cmd_<name>.c) parses its own options, prints results on
 * stdout and errors on stderr, and returns 0 (ok), 1 (failure) or 2 (usage).
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "util/banned.h"

static const char main_help[] =
    "usage: concord COMMAND [OPTIONS]\n"
    "\n"
    "Concord: regional cyber cooperation over STIX 2.1 and TAXII 2.1.\n"
    "Every command takes -D DIR, the node's data directory (or CONCORD_DATA).\n"
    "\n"
    "commands:\n"
    "  init        create a data directory (--demo: with demo organisations and data)\n"
    "  serve       run the TAXII 2.1 server\n"
    "  org         add or list organisations\n"
    "  user        add or list users (password on standard input)\n"
    "  token       create, list or revoke API tokens\n"
    "  collection  add or list TAXII collections\n"
    "  import      store STIX bundles or TAXII envelopes from files\n"
    "  export      write stored objects as a STIX bundle\n"
    "  community   add, list or remove communities (named sets of organisations)\n"
    "  group       create a sharing group (a marking naming recipients)\n"
    "  audit       show the audit log (who read, wrote, deleted or was denied what)\n"
    "  pattern     check STIX patterns, or evaluate them against observations\n"
    "  match       match logs (Suricata EVE, Zeek, JSON lines, text) against indicators\n"
    "  correlate   observable values named by indicators of several organisations\n"
    "  peer        add, list or remove federation peers (other TAXII 2.1 nodes)\n"
    "  sync        one federation round now: pull from and push to peers\n"
    "  advisory    import CSAF advisories, list them, record each organisation's state\n"
    "  poc         points of contact: add, verify, list, export (JSON, CSV, vCard)\n"
    "  ping        reachability tests: start a round, acknowledge, report\n"
    "  incident    cross-border incidents: report, update, assist, answer, link, list, show,\n"
    "              metrics\n"
    "\n"
    "'concord COMMAND --help' describes each command.\n";

static const struct {
    const char *name;
    int (*fn)(int, char **);
} commands[] = {
    {"init", cmd_init},         {"serve", cmd_serve},   {"org", cmd_org},
    {"user", cmd_user},         {"token", cmd_token},   {"collection", cmd_collection},
    {"import", cmd_import},     {"export", cmd_export},  {"community", cmd_community},
    {"group", cmd_group},       {"audit", cmd_audit},   {"pattern", cmd_pattern},
    {"correlate", cmd_correlate}, {"match", cmd_match},
    {"peer", cmd_peer},         {"sync", cmd_sync},
    {"advisory", cmd_advisory},
    {"poc", cmd_poc},           {"ping", cmd_ping},
    {"incident", cmd_incident},
};

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(main_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("concord 0.1.0\n");
        return CLI_OK;
    }
    if (auth_init() != 0) {
        fprintf(stderr, "concord: cannot initialise libsodium\n");
        return CLI_FAIL;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "concord: unknown command '%s'\n\n%s", argv[1], main_help);
    return CLI_USAGE;
}
