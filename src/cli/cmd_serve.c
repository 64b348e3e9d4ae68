/*
 * `concord serve -D DIR [--listen HOST:PORT] [--http]`: run the TAXII 2.1
 * server until SIGINT or SIGTERM.  HTTPS with the configured certificate;
 * plain HTTP only when asked and only on a loopback address.
 */
#include "cli/cli.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/corr.h"
#include "util/log.h"
#include "util/banned.h"

static const char serve_help[] =
    "usage: concord serve -D DIR [--listen HOST:PORT] [--http] [--threads N] [--verbose]\n"
    "  Serves TAXII 2.1 at https://HOST:PORT/taxii2/ (API root /api/).\n"
    "  --listen  address and port (default from DIR/concord.conf; port 0 = any free port)\n"
    "  --http    plain HTTP instead of HTTPS; allowed only on a loopback address\n";

static int parse_listen(const char *s, struct taxii_config *tc)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(tc->host))
        return -1;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return -1;
    snprintf(tc->host, sizeof(tc->host), "%.*s", (int)(colon - s), s);
    if (strcmp(tc->host, "localhost") == 0)
        snprintf(tc->host, sizeof(tc->host), "127.0.0.1");
    struct in_addr a;
    if (inet_pton(AF_INET, tc->host, &a) != 1)
        return -1;
    tc->port = (uint16_t)port;
    return 0;
}

static bool is_loopback(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static int load_tls(const char *dir, const struct cli_config *cfg, struct taxii_config *tc)
{
    char cert[PATH_MAX], key[PATH_MAX];
    size_t n;
    cli_path(cert, dir, cfg->tls_cert);
    cli_path(key, dir, cfg->tls_key);
    tc->cert_pem = cli_read_file(cert, &n, 1024 * 1024);
    tc->key_pem = tc->cert_pem ? cli_read_file(key, &n, 1024 * 1024) : NULL;
    return tc->key_pem ? 0 : -1;
}

static void print_banner(const char *dir, const struct taxii_config *tc, uint16_t port)
{
    char path[PATH_MAX];
    printf("Concord TAXII 2.1 server listening on %s://%s:%u/taxii2/\n", tc->tls ? "https" : "http",
           tc->host, port);
    printf("API root: %s://%s:%u/api/\n", tc->tls ? "https" : "http", tc->host, port);
    cli_path(path, dir, "demo-credentials.txt");
    FILE *f = fopen(path, "r");
    if (f) {
        char line[256];
        printf("Demo credentials (from %s):\n", path);
        while (fgets(line, sizeof(line), f))
            printf("  %s", line);
        fclose(f);
    }
    if (tc->tls)
        printf("The certificate is %s; with a self-signed one use curl --cacert or -k.\n",
               "DIR/tls/cert.pem unless configured otherwise");
    printf("Press Ctrl-C to stop.\n");
    fflush(stdout);
}

static int run(const char *dir, struct taxii_config *tc, const struct cli_config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    struct error err;
    error_clear(&err);
    struct taxii_server *srv = NULL;
    if (taxii_server_start(tc, &srv, &err) != 0) {
        fprintf(stderr, "concord: serve: %s\n", err.msg);
        return CLI_FAIL;
    }
    print_banner(dir, tc, taxii_server_port(srv));
    char db[PATH_MAX];
    cli_path(db, dir, "concord.db");
    struct store_corr_worker *corr = NULL;
    if (getenv("CONCORD_NO_CORR") == NULL && store_corr_worker_start(db, &corr, &err) != 0)
        log_warn("serve", "correlation is not kept up to date: %s", err.msg);
    struct cli_sync_sched *sync = cli_sync_start(dir, cfg); /* NULL when sync_interval = 0 */
    struct cli_ping_sched *ping = cli_ping_sched_start(dir, cfg); /* NULL when ping_interval = 0 */
    int sig = 0;
    sigwait(&set, &sig);
    log_notice("serve", "signal %d: stopping", sig);
    cli_ping_sched_stop(ping);
    cli_sync_stop(sync);
    store_corr_worker_stop(corr);
    taxii_server_stop(srv);
    return CLI_OK;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'D'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"http", no_argument, NULL, 'H'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *listen = NULL;
    bool http = false;
    long threads = 0;
    int c;
    while ((c = getopt_long(argc, argv, "D:hv", opts, NULL)) != -1) {
        switch (c) {
        case 'D': dir = optarg; break;
        case 'l': listen = optarg; break;
        case 'H': http = true; break;
        case 't': threads = strtol(optarg, NULL, 10); break;
        case 'v': log_set_level(LOG_INFO); break;
        case 'h': printf("%s", serve_help); return CLI_OK;
        default: fprintf(stderr, "%s", serve_help); return CLI_USAGE;
        }
    }
    if (optind != argc || threads < 0 || threads > 64) {
        fprintf(stderr, "%s", serve_help);
        return CLI_USAGE;
    }
    if (!(dir = cli_data_dir(dir)))
        return CLI_USAGE;
    struct cli_config cfg;
    struct error err;
    error_clear(&err);
    struct store *s;
    if (cli_open_store(dir, &s))
        return CLI_FAIL;
    store_close(s);
    if (cli_config_load(dir, &cfg, &err)) {
        fprintf(stderr, "concord: %s: %s\n", err.path, err.msg);
        return CLI_FAIL;
    }
    struct taxii_config tc;
    memset(&tc, 0, sizeof(tc));
    cli_path(tc.db_path, dir, "concord.db");
    if (cfg.audit)
        cli_path(tc.audit_path, dir, "audit.db");
    if (parse_listen(listen ? listen : cfg.listen, &tc)) {
        fprintf(stderr, "concord: bad listen address '%s' (expected IPv4:PORT)\n",
                listen ? listen : cfg.listen);
        return CLI_USAGE;
    }
    if (http && !is_loopback(tc.host)) {
        fprintf(stderr, "concord: --http is allowed only on a loopback address, not '%s'\n",
                tc.host);
        return CLI_USAGE;
    }
    tc.tls = !http;
    if (tc.tls && load_tls(dir, &cfg, &tc)) {
        free(tc.cert_pem);
        return CLI_FAIL;
    }
    snprintf(tc.title, sizeof(tc.title), "%s", cfg.title);
    snprintf(tc.description, sizeof(tc.description), "%s", cfg.description);
    snprintf(tc.contact, sizeof(tc.contact), "%s", cfg.contact);
    tc.max_content_length = cfg.max_content_length;
    tc.threads = threads ? (unsigned)threads : cfg.threads;
    int r = run(dir, &tc, &cfg);
    free(tc.cert_pem);
    free(tc.key_pem);
    return r;
}
