/*
 * The HTTP side of the TAXII server, and the only file that includes
 * microhttpd.h.  libmicrohttpd runs a pool of worker threads; each request
 * is collected here (headers, then the body up to max_content_length),
 * turned into a `struct taxii_req`, handed to the router, and the response
 * the handlers built is queued back.
 *
 * Bodies larger than max_content_length are refused with 413 as soon as
 * the Content-Length says so, or once the chunked body grows past it.
 *
 * libmicrohttpd (and the GnuTLS it brings) is not linked: it is loaded
 * with dlopen when a server starts (util/dl.h) and called through the
 * table `mhd`; only `concord serve` needs it.  microhttpd.h is included
 * for types and constants.
 */
#include "taxii/taxii_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dl.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

#ifndef LIBMHD_SONAME
#define LIBMHD_SONAME "libmicrohttpd.so.12"
#endif

/* The libmicrohttpd functions this file calls; field f is the symbol MHD_<f>. */
struct libmhd_api {
    __typeof__(&MHD_add_response_header) add_response_header;
    __typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
    __typeof__(&MHD_destroy_response) destroy_response;
    __typeof__(&MHD_get_connection_info) get_connection_info;
    __typeof__(&MHD_get_connection_values) get_connection_values;
    __typeof__(&MHD_get_daemon_info) get_daemon_info;
    __typeof__(&MHD_lookup_connection_value) lookup_connection_value;
    __typeof__(&MHD_queue_response) queue_response;
    __typeof__(&MHD_start_daemon) start_daemon;
    __typeof__(&MHD_stop_daemon) stop_daemon;
};

#define LIBMHD_SYM(f) DL_SYM(struct libmhd_api, "MHD_", f)

static const struct dl_sym libmhd_syms[] = {
    LIBMHD_SYM(add_response_header),   LIBMHD_SYM(create_response_from_buffer),
    LIBMHD_SYM(destroy_response),      LIBMHD_SYM(get_connection_info),
    LIBMHD_SYM(get_connection_values), LIBMHD_SYM(get_daemon_info),
    LIBMHD_SYM(lookup_connection_value), LIBMHD_SYM(queue_response),
    LIBMHD_SYM(start_daemon),          LIBMHD_SYM(stop_daemon),
};

/* Process-wide, written only inside libmhd_load (pthread_once), then read-only. */
static struct libmhd_api mhd;
static char libmhd_failed[256]; /* why loading failed; "" once loaded */
static pthread_once_t libmhd_once = PTHREAD_ONCE_INIT;

static void libmhd_load(void)
{
    dl_bind(LIBMHD_SONAME, libmhd_syms, sizeof(libmhd_syms) / sizeof(libmhd_syms[0]), &mhd,
            sizeof(mhd), libmhd_failed, sizeof(libmhd_failed));
}

struct conn_ctx {
    struct buf body;
    bool too_large;
};

const char *taxii_req_header(struct taxii_req *r, const char *name)
{
    return mhd.lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *taxii_req_arg(struct taxii_req *r, const char *name)
{
    return mhd.lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct args_iter {
    int (*fn)(void *, const char *, const char *);
    void *ctx;
    int result;
};

static enum MHD_Result arg_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    struct args_iter *it = cls;
    it->result = it->fn(it->ctx, key, value ? value : "");
    return it->result ? MHD_NO : MHD_YES;
}

int taxii_req_args_each(struct taxii_req *r, int (*fn)(void *, const char *, const char *),
                        void *ctx)
{
    struct args_iter it = {fn, ctx, 0};
    mhd.get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_cb, &it);
    return it.result;
}

static struct store *thread_store(struct taxii_server *srv)
{
    struct store *s = pthread_getspecific(srv->store_key);
    if (s)
        return s;
    struct error err;
    error_clear(&err);
    if (store_sqlite_open(srv->cfg.db_path, &s, &err) != 0) {
        log_error("taxii", "cannot open store: %s", err.msg);
        return NULL;
    }
    pthread_setspecific(srv->store_key, s);
    return s;
}

static void store_destructor(void *p)
{
    store_close(p);
}

static void peer_address(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        mhd.get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct taxii_req *r)
{
    size_t len = 0;
    char *data = buf_take(&r->out, &len);
    struct MHD_Response *resp =
        mhd.create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->json_media ? "application/json" : TAXII_MEDIA);
    if (r->date_first[0]) {
        mhd.add_response_header(resp, "X-TAXII-Date-Added-First", r->date_first);
        mhd.add_response_header(resp, "X-TAXII-Date-Added-Last", r->date_last);
    }
    if (r->www_authenticate)
        mhd.add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Basic realm=\"concord\", Bearer realm=\"concord\"");
    if (r->allow)
        mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    mhd.add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ret = mhd.queue_response(conn, (unsigned)r->status, resp);
    mhd.destroy_response(resp);
    return ret;
}

/* One audit entry per request: who, what, outcome (never contents). */
static void audit(struct taxii_server *srv, struct taxii_req *r)
{
    if (!srv->audit)
        return;
    const char *action = !strcmp(r->method, "POST")     ? "write"
                         : !strcmp(r->method, "DELETE") ? "delete"
                                                        : "read";
    if (r->status == 401 || r->status == 403 || r->audit_hidden)
        action = "denied";
    struct audit_entry e = {
        .user = r->who.user[0] ? r->who.user : NULL,
        .org = r->who.org[0] ? r->who.org : NULL,
        .peer = r->peer,
        .action = action,
        .resource = r->path,
        .object = r->audit_object[0] ? r->audit_object : NULL,
        .detail = r->audit_detail[0] ? r->audit_detail : NULL,
        .status = r->status,
    };
    audit_record(srv->audit, &e);
}

static enum MHD_Result handle(struct taxii_server *srv, struct MHD_Connection *conn,
                              const char *url, const char *method, struct conn_ctx *cc)
{
    struct taxii_req r;
    memset(&r, 0, sizeof(r));
    r.srv = srv;
    r.conn = conn;
    r.method = method;
    r.path = url;
    r.body = buf_str(&cc->body);
    r.body_len = cc->body.len;
    r.status = 200;
    buf_init(&r.out, (size_t)1 << 31);
    peer_address(conn, r.peer, sizeof(r.peer));
    r.store = thread_store(srv);
    if (cc->too_large)
        taxii_error(&r, 413, "request body too large",
                    "the body exceeds max_content_length (%zu octets)",
                    srv->cfg.max_content_length);
    else if (!r.store)
        taxii_error(&r, 500, "internal error", "the store is not available");
    else
        taxii_route(&r);
    audit(srv, &r);
    enum MHD_Result ret = send_response(conn, &r);
    buf_release(&r.out);
    return ret;
}

static bool declared_too_large(struct MHD_Connection *conn, size_t max)
{
    const char *cl = mhd.lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return false;
    char *end = NULL;
    unsigned long long n = strtoull(cl, &end, 10);
    return end != cl && n > max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct taxii_server *srv = cls;
    struct conn_ctx *cc = *con_cls;
    if (!cc) {
        cc = xcalloc(1, sizeof(*cc));
        buf_init(&cc->body, srv->cfg.max_content_length);
        *con_cls = cc;
        if (declared_too_large(conn, srv->cfg.max_content_length)) {
            cc->too_large = true;
            return handle(srv, conn, url, method, cc);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!cc->too_large && buf_append(&cc->body, upload_data, *upload_data_size))
            cc->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return handle(srv, conn, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_ctx *cc = *con_cls;
    if (cc) {
        buf_release(&cc->body);
        free(cc);
        *con_cls = NULL;
    }
}

static int bind_address(const struct taxii_config *cfg, struct sockaddr_in *sa,
                        struct error *err)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons(cfg->port);
    if (inet_pton(AF_INET, cfg->host, &sa->sin_addr) != 1)
        return error_set(err, ERR_INVALID, "cannot use listen address '%s' (IPv4 expected)",
                         cfg->host);
    return 0;
}

int taxii_server_start(const struct taxii_config *cfg, struct taxii_server **out,
                       struct error *err)
{
    struct sockaddr_in sa;
    int r = bind_address(cfg, &sa, err);
    if (r)
        return r;
    pthread_once(&libmhd_once, libmhd_load);
    if (libmhd_failed[0])
        return error_set(err, ERR_IO, "%s", libmhd_failed);
    struct taxii_server *srv = xcalloc(1, sizeof(*srv));
    srv->cfg = *cfg;
    pthread_key_create(&srv->store_key, store_destructor);
    pthread_mutex_init(&srv->write_lock, NULL);
    auth_cache_init(&srv->cache);
    share_cache_init(&srv->markings);
    if (cfg->audit_path[0] && audit_open(cfg->audit_path, &srv->audit, err) != 0) {
        taxii_server_stop(srv);
        return ERR_IO;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (cfg->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, cfg->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, cfg->key_pem},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    srv->daemon = mhd.start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 4),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_ARRAY,
        cfg->tls ? tls_opts : no_opts, MHD_OPTION_END);
    if (!srv->daemon) {
        error_set(err, ERR_IO, "cannot listen on %s:%u (address in use, or bad TLS key?)",
                  cfg->host, cfg->port);
        taxii_server_stop(srv);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *di = mhd.get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : cfg->port;
    *out = srv;
    return 0;
}

uint16_t taxii_server_port(const struct taxii_server *srv)
{
    return srv->port;
}

void taxii_server_stop(struct taxii_server *srv)
{
    if (!srv)
        return;
    if (srv->daemon)
        mhd.stop_daemon(srv->daemon);
    audit_close(srv->audit);
    pthread_key_delete(srv->store_key);
    pthread_mutex_destroy(&srv->write_lock);
    auth_cache_release(&srv->cache);
    share_cache_release(&srv->markings);
    free(srv);
}
