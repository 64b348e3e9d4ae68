/*
 * Suricata EVE reader: one JSON object per line, walked with the jscan
 * cursor (jscan.h), taking the keys below and skipping (but checking) the
 * rest.  Extraction (Suricata 6/7 EVE field names):
 *   src_ip, dest_ip        -> IPv4/IPv6 with role src/dst; src_port,
 *                             dest_port, proto -> the record's ports/proto
 *   timestamp              -> time_ns (any RFC 3339 offset)
 *   dns.rrname, dns.query[]/queries[].rrname, dns.answers[].rrname/rdata,
 *   dns.grouped.<TYPE>[], old one-answer-per-event dns.rdata
 *                          -> domains; rdata by rrtype (A/AAAA addresses,
 *                             CNAME/NS/PTR/MX/... names, TXT etc. dropped)
 *   http.hostname + http.url (+ http.http_port)
 *                          -> URL "http://host[:port]/url" and the host
 *   tls.sni                -> domain
 *   fileinfo.md5/sha1/sha256/filename -> hashes, file name
 *   smtp.mail_from/rcpt_to, email.from/to/cc -> e-mail addresses;
 *   email.attachment[]     -> file names
 * A "stats" event carries no observable and is not read past its
 * event_type (those lines are ~5 KB, half of a busy sensor's EVE).
 */
#include <string.h>

#include "pattern/jscan.h"
#include "pattern/logs_int.h"

typedef bool (*push_fn)(struct pat_reader *r, char *s, size_t len);

struct eve {
    struct pat_reader *r;
    struct pat_jscan j;
    struct logs_http http;
    bool stats;
};

/* A string value, decoded in place and NUL-terminated; 1 when the value is not a string (skipped).
 */
static int str_val(struct pat_jscan *j, struct pat_jstr *s)
{
    if (pat_jscan_peek(j) != '"')
        return pat_jscan_skip(j) ? -1 : 1;
    if (pat_jscan_string(j, s))
        return -1;
    pat_jstr_decode(s);
    s->s[s->len] = '\0';
    return 0;
}

/* Push a string, or each string of an array of strings, through fn. */
static int each_str(struct eve *e, push_fn fn)
{
    struct pat_jstr s;
    int i = 0, rc;
    if (pat_jscan_peek(&e->j) != '[') {
        rc = str_val(&e->j, &s);
        if (rc == 0)
            fn(e->r, s.s, s.len);
        return rc < 0 ? -1 : 0;
    }
    if (pat_jscan_arr_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_arr_next(&e->j, &i)) > 0) {
        int v = str_val(&e->j, &s);
        if (v < 0)
            return -1;
        if (v == 0)
            fn(e->r, s.s, s.len);
    }
    return rc;
}

static bool push_filename(struct pat_reader *r, char *s, size_t len)
{
    return logs_push_filename(r, s, len);
}

/* An rdata value, by its record type (names from Suricata's DNS logger). */
static void push_rdata(struct pat_reader *r, const char *type, size_t tlen, char *s, size_t len)
{
    if ((tlen == 1 && type[0] == 'A') || (tlen == 4 && memcmp(type, "AAAA", 4) == 0)) {
        logs_push_ip(r, PAT_ROLE_NONE, s, len);
        return;
    }
    static const char *const names[] = {"CNAME", "NS", "PTR", "MX", "DNAME", "SRV"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i]) == tlen && memcmp(names[i], type, tlen) == 0) {
            logs_push_domain(r, s, len);
            return;
        }
    }
    if (tlen == 0)
        logs_push_host(r, PAT_ROLE_NONE, s, len);
}

/* One resource record object {rrname, rrtype, rdata, ...}. */
static int dns_rr(struct eve *e)
{
    struct pat_jstr k, name = {0}, type = {0}, rdata = {0};
    int i = 0, rc;
    if (pat_jscan_obj_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_obj_next(&e->j, &i, &k)) > 0) {
        struct pat_jstr *dst = PAT_JSTR_IS(&k, "rrname")   ? &name
                               : PAT_JSTR_IS(&k, "rrtype") ? &type
                               : PAT_JSTR_IS(&k, "rdata")  ? &rdata
                                                           : NULL;
        if (!dst ? pat_jscan_skip(&e->j) : str_val(&e->j, dst) < 0)
            return -1;
    }
    if (rc < 0)
        return -1;
    if (name.s)
        logs_push_domain(e->r, name.s, name.len);
    if (rdata.s)
        push_rdata(e->r, type.s ? type.s : "", type.s ? type.len : 0, rdata.s, rdata.len);
    return 0;
}

/* An array of resource records. */
static int dns_rrs(struct eve *e)
{
    int i = 0, rc;
    if (pat_jscan_peek(&e->j) != '[')
        return pat_jscan_skip(&e->j);
    if (pat_jscan_arr_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_arr_next(&e->j, &i)) > 0) {
        int c = pat_jscan_peek(&e->j);
        if (c == '{' ? dns_rr(e) : pat_jscan_skip(&e->j))
            return -1;
    }
    return rc;
}

/* dns.grouped: {"A": ["1.2.3.4"], "CNAME": ["x.example"]}. */
static int dns_grouped(struct eve *e)
{
    struct pat_jstr k, s;
    int i = 0, rc;
    if (pat_jscan_peek(&e->j) != '{')
        return pat_jscan_skip(&e->j);
    if (pat_jscan_obj_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_obj_next(&e->j, &i, &k)) > 0) {
        int n = 0, ra;
        if (pat_jscan_peek(&e->j) != '[') {
            if (pat_jscan_skip(&e->j))
                return -1;
            continue;
        }
        pat_jscan_arr_begin(&e->j);
        while ((ra = pat_jscan_arr_next(&e->j, &n)) > 0) {
            int v = str_val(&e->j, &s);
            if (v < 0)
                return -1;
            if (v == 0 && !k.esc)
                push_rdata(e->r, k.s, k.len, s.s, s.len);
        }
        if (ra < 0)
            return -1;
    }
    return rc;
}

static int eve_dns(struct eve *e)
{
    struct pat_jstr k, s, type = {0}, rdata = {0};
    int i = 0, rc;
    if (pat_jscan_obj_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_obj_next(&e->j, &i, &k)) > 0) {
        int v = 0;
        if (PAT_JSTR_IS(&k, "rrname")) {
            if ((v = str_val(&e->j, &s)) == 0)
                logs_push_domain(e->r, s.s, s.len);
        } else if (PAT_JSTR_IS(&k, "rrtype")) {
            v = str_val(&e->j, &type);
        } else if (PAT_JSTR_IS(&k, "rdata")) {
            v = str_val(&e->j, &rdata);
        } else if (PAT_JSTR_IS(&k, "query") || PAT_JSTR_IS(&k, "queries") ||
                   PAT_JSTR_IS(&k, "answers") || PAT_JSTR_IS(&k, "authorities")) {
            v = dns_rrs(e);
        } else if (PAT_JSTR_IS(&k, "grouped")) {
            v = dns_grouped(e);
        } else {
            v = pat_jscan_skip(&e->j);
        }
        if (v < 0)
            return -1;
    }
    if (rc == 0 && rdata.s)
        push_rdata(e->r, type.s ? type.s : "", type.s ? type.len : 0, rdata.s, rdata.len);
    return rc;
}

static int eve_http(struct eve *e)
{
    struct pat_jstr k, s;
    int i = 0, rc;
    if (pat_jscan_obj_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_obj_next(&e->j, &i, &k)) > 0) {
        int v;
        if (PAT_JSTR_IS(&k, "hostname")) {
            if ((v = str_val(&e->j, &s)) == 0)
                e->http.host = s.s, e->http.host_len = s.len;
        } else if (PAT_JSTR_IS(&k, "url")) {
            if ((v = str_val(&e->j, &s)) == 0)
                e->http.uri = s.s, e->http.uri_len = s.len;
        } else if (PAT_JSTR_IS(&k, "http_port") && pat_jscan_peek(&e->j) != '"') {
            int64_t port;
            bool is_int;
            v = pat_jscan_int(&e->j, &port, &is_int);
            if (v == 0 && is_int)
                e->http.port = (long)port;
        } else {
            v = pat_jscan_skip(&e->j);
        }
        if (v < 0)
            return -1;
    }
    return rc;
}

/* An object whose keys map to push functions (NULL entries: skip). */
struct key_push {
    const char *key;
    push_fn fn;
};

static int eve_keys(struct eve *e, const struct key_push *kp, size_t n)
{
    struct pat_jstr k;
    int i = 0, rc;
    if (pat_jscan_obj_begin(&e->j))
        return -1;
    while ((rc = pat_jscan_obj_next(&e->j, &i, &k)) > 0) {
        push_fn fn = NULL;
        for (size_t x = 0; x < n && !fn; x++)
            if (pat_jstr_is(&k, kp[x].key, strlen(kp[x].key)))
                fn = kp[x].fn;
        if (fn ? each_str(e, fn) : pat_jscan_skip(&e->j))
            return -1;
    }
    return rc;
}

static const struct key_push tls_keys[] = {{"sni", logs_push_domain}};
static const struct key_push file_keys[] = {{"md5", logs_push_hash},
                                            {"sha1", logs_push_hash},
                                            {"sha256", logs_push_hash},
                                            {"filename", push_filename}};
static const struct key_push smtp_keys[] = {{"mail_from", logs_push_email},
                                            {"rcpt_to", logs_push_email}};
static const struct key_push email_keys[] = {{"from", logs_push_email},
                                             {"to", logs_push_email},
                                             {"cc", logs_push_email},
                                             {"attachment", push_filename}};
#define NKEYS(a) (sizeof(a) / sizeof(a[0]))

static int top_ip(struct eve *e, enum pat_vrole role)
{
    struct pat_jstr s;
    int v = str_val(&e->j, &s);
    if (v == 0)
        logs_push_ip(e->r, role, s.s, s.len);
    return v < 0 ? -1 : 0;
}

static int top_port(struct eve *e, long *out)
{
    int64_t port;
    bool is_int;
    if (pat_jscan_peek(&e->j) == '"')
        return pat_jscan_skip(&e->j);
    if (pat_jscan_int(&e->j, &port, &is_int))
        return -1;
    if (is_int && port >= 0 && port < 65536)
        *out = (long)port;
    return 0;
}

static int top_str(struct eve *e, const struct pat_jstr *k)
{
    struct pat_record *rec = e->r->rec;
    struct pat_jstr s;
    int v = str_val(&e->j, &s);
    if (v != 0)
        return v < 0 ? -1 : 0;
    if (PAT_JSTR_IS(k, "timestamp")) {
        logs_parse_iso_time(s.s, s.len, &rec->time_ns);
    } else if (PAT_JSTR_IS(k, "event_type")) {
        e->stats = s.len == 5 && memcmp(s.s, "stats", 5) == 0;
    } else { /* proto */
        logs_lower(s.s, s.len);
        rec->proto = s.s;
    }
    return 0;
}

/* One top-level member. 0 or -1. */
static int eve_member(struct eve *e, const struct pat_jstr *k)
{
    struct pat_record *rec = e->r->rec;
    switch (k->len) {
    case 4:
        if (PAT_JSTR_IS(k, "http"))
            return eve_http(e);
        break;
    case 3:
        if (PAT_JSTR_IS(k, "dns"))
            return eve_dns(e);
        if (PAT_JSTR_IS(k, "tls"))
            return eve_keys(e, tls_keys, NKEYS(tls_keys));
        break;
    }
    if (PAT_JSTR_IS(k, "src_ip"))
        return top_ip(e, PAT_ROLE_SRC);
    if (PAT_JSTR_IS(k, "dest_ip"))
        return top_ip(e, PAT_ROLE_DST);
    if (PAT_JSTR_IS(k, "src_port"))
        return top_port(e, &rec->src_port);
    if (PAT_JSTR_IS(k, "dest_port"))
        return top_port(e, &rec->dst_port);
    if (PAT_JSTR_IS(k, "timestamp") || PAT_JSTR_IS(k, "event_type") || PAT_JSTR_IS(k, "proto"))
        return top_str(e, k);
    if (PAT_JSTR_IS(k, "fileinfo"))
        return eve_keys(e, file_keys, NKEYS(file_keys));
    if (PAT_JSTR_IS(k, "smtp"))
        return eve_keys(e, smtp_keys, NKEYS(smtp_keys));
    if (PAT_JSTR_IS(k, "email"))
        return eve_keys(e, email_keys, NKEYS(email_keys));
    return pat_jscan_skip(&e->j);
}

int logs_eve_line(struct pat_reader *r, char *line, size_t len)
{
    struct eve e = {.r = r, .http = {.port = -1}};
    struct pat_jstr k;
    int i = 0, rc;
    pat_jscan_init(&e.j, line, len);
    if (pat_jscan_obj_begin(&e.j))
        return -1;
    while ((rc = pat_jscan_obj_next(&e.j, &i, &k)) > 0) {
        if (eve_member(&e, &k))
            return -1;
        if (e.stats)
            return 1;
    }
    if (rc < 0 || pat_jscan_finish(&e.j))
        return -1;
    logs_push_http(r, &e.http);
    return 1;
}
