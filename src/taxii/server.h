/*
 * The TAXII 2.1 server: discovery, one API root, collections, objects,
 * manifests, versions and status resources over libmicrohttpd, HTTPS
 * by default.  Each worker thread opens its own store connection.
 */
#ifndef CONCORD_TAXII_SERVER_H
#define CONCORD_TAXII_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define TAXII_API_ROOT "api"   /* the API root's path segment: /api/ */

struct taxii_config {
    char db_path[PATH_MAX];   /* SQLite file */
    char host[64];            /* address to bind, e.g. "127.0.0.1" */
    uint16_t port;            /* 0: pick a free port (see taxii_server_port) */
    bool tls;                 /* false only for --http on loopback */
    char *cert_pem;           /* PEM certificate chain (owned by the caller) when tls */
    char *key_pem;            /* PEM private key (owned by the caller) when tls */
    char title[256];          /* discovery and API root title */
    char description[512];
    char contact[256];
    size_t max_content_length; /* largest request body, octets */
    unsigned threads;         /* worker threads */
    char audit_path[PATH_MAX]; /* audit log file ("" = no audit log) */
};

struct taxii_server;

/* Start serving; returns 0 and *out, or an error (err says why). */
int taxii_server_start(const struct taxii_config *cfg, struct taxii_server **out,
                       struct error *err);
/* The port actually bound (useful when cfg->port was 0). */
uint16_t taxii_server_port(const struct taxii_server *srv);
/* Stop, wait for the workers and free everything. */
void taxii_server_stop(struct taxii_server *srv);

#endif
