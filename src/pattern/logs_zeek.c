/*
 * Zeek readers: the TSV logs (header lines "#separator", "#set_separator",
 * "#fields" name the columns; a file may hold several logs one after
 * another, each with its header) and Zeek JSON lines (the same field
 * names as keys, flattened "id.orig_h" or "id_orig_h"; set and vector
 * fields are arrays; ts is epoch seconds or an ISO 8601 string).
 *
 * Both map a field name to a zeek_field (logs_values.c) and hand each
 * value (each element of a set) to zeek_value:
 *   ts -> time_ns; id.orig_h/id.resp_h -> addresses with role src/dst;
 *   id.orig_p/id.resp_p/proto -> ports/proto; query -> domain;
 *   answers, x_originating_ip -> address or domain; host + uri (http.log)
 *   -> URL and host; server_name, san.dns -> domains; md5/sha1/sha256/
 *   sha512 -> hashes; filename -> file name; mailfrom, rcptto, from, to,
 *   cc, reply_to -> e-mails; tx_hosts/rx_hosts, src/dst -> src/dst roles.
 * TSV values "-" (unset) and "(empty)" carry nothing; "\xHH" escapes are
 * decoded in place.
 */
#include <string.h>

#include "pattern/jscan.h"
#include "util/hex.h"
#include "pattern/logs_int.h"

static long parse_port(const char *s, size_t len)
{
    long v = 0;
    if (len == 0 || len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v < 65536 ? v : -1;
}

/* One value of field f; s is NUL-terminated or followed by a byte we may overwrite. */
static void zeek_value(struct pat_reader *r, enum zeek_field f, char *s, size_t len,
                       struct logs_http *h)
{
    struct pat_record *rec = r->rec;
    switch (f) {
    case ZF_TS:
        if (!logs_parse_epoch(s, len, &rec->time_ns))
            logs_parse_iso_time(s, len, &rec->time_ns);
        break;
    case ZF_ORIG_H:
        logs_push_ip(r, PAT_ROLE_SRC, s, len);
        break;
    case ZF_RESP_H:
        logs_push_ip(r, PAT_ROLE_DST, s, len);
        break;
    case ZF_SRC_HOSTS:
        logs_push_ip(r, PAT_ROLE_SRC, s, len);
        break;
    case ZF_DST_HOSTS:
        logs_push_ip(r, PAT_ROLE_DST, s, len);
        break;
    case ZF_ORIG_P:
        rec->src_port = parse_port(s, len);
        break;
    case ZF_RESP_P:
        rec->dst_port = parse_port(s, len);
        break;
    case ZF_PROTO:
        logs_lower(s, len);
        s[len] = '\0';
        rec->proto = s;
        break;
    case ZF_QUERY:
    case ZF_DOMAINS:
        logs_push_domain(r, s, len);
        break;
    case ZF_HOSTS:
        logs_push_host(r, PAT_ROLE_NONE, s, len);
        break;
    case ZF_URI:
        h->uri = s, h->uri_len = len;
        break;
    case ZF_HOST_HTTP:
        h->host = s, h->host_len = len;
        break;
    case ZF_HASH:
        logs_push_hash(r, s, len);
        break;
    case ZF_FILENAME:
        logs_push_filename(r, s, len);
        break;
    case ZF_EMAILS:
        logs_push_email(r, s, len);
        break;
    case ZF_NONE:
        break;
    }
}

static bool is_set_field(enum zeek_field f)
{
    return f == ZF_HOSTS || f == ZF_DOMAINS || f == ZF_EMAILS || f == ZF_SRC_HOSTS ||
           f == ZF_DST_HOSTS;
}

/* Decode "\xHH" escapes in place; returns the new length. */
static size_t unescape(char *s, size_t len)
{
    char *w = memchr(s, '\\', len);
    if (!w)
        return len;
    char *r = w, *end = s + len;
    while (r < end) {
        int a, b;
        if (r[0] == '\\' && end - r >= 4 && r[1] == 'x' && (a = hex_digit(r[2])) >= 0 &&
            (b = hex_digit(r[3])) >= 0) {
            *w++ = (char)(a * 16 + b);
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    return (size_t)(w - s);
}

/* ---- TSV ---- */

/* A header line ("#..."): update r->zeek. */
static void tsv_header(struct pat_reader *r, char *line, size_t len)
{
    struct zeek_hdr *z = &r->zeek;
    if (len >= 11 && memcmp(line, "#separator ", 11) == 0) {
        size_t n = unescape(line + 11, len - 11);
        if (n == 1)
            z->sep = line[11];
        return;
    }
    if (len == 16 && memcmp(line, "#set_separator", 14) == 0) {
        z->set_sep = line[15];
        return;
    }
    if (len < 8 || memcmp(line, "#fields", 7) != 0 || line[7] != z->sep)
        return;
    z->nfields = 0;
    char *p = line + 8, *end = line + len;
    while (p <= end && z->nfields < ZEEK_FIELDS_MAX) {
        char *e = memchr(p, z->sep, (size_t)(end - p));
        if (!e)
            e = end;
        z->field[z->nfields++] = logs_zeek_field(p, (size_t)(e - p));
        p = e + 1;
    }
    z->have_fields = true;
}

static void tsv_column(struct pat_reader *r, enum zeek_field f, char *s, size_t len,
                       struct logs_http *h)
{
    if ((len == 1 && s[0] == '-') || (len == 7 && memcmp(s, "(empty)", 7) == 0))
        return;
    if (!is_set_field(f)) {
        len = unescape(s, len);
        zeek_value(r, f, s, len, h);
        return;
    }
    char *p = s, *end = s + len;
    while (p < end) {
        char *e = memchr(p, r->zeek.set_sep, (size_t)(end - p));
        if (!e)
            e = end;
        *e = '\0';
        zeek_value(r, f, p, unescape(p, (size_t)(e - p)), h);
        p = e + 1;
    }
}

int logs_zeek_tsv_line(struct pat_reader *r, char *line, size_t len)
{
    struct zeek_hdr *z = &r->zeek;
    struct logs_http h = {.port = -1};
    if (line[0] == '#') {
        tsv_header(r, line, len);
        return 0;
    }
    if (!z->have_fields)
        return -1;
    char *p = line, *end = line + len;
    int col = 0;
    for (;; col++) {
        char *e = memchr(p, z->sep, (size_t)(end - p));
        if (!e)
            e = end;
        *e = '\0';
        if (col < z->nfields && z->field[col] != ZF_NONE)
            tsv_column(r, z->field[col], p, (size_t)(e - p), &h);
        if (e == end)
            break;
        p = e + 1;
    }
    if (col + 1 != z->nfields)
        return -1;
    h.port = r->rec->dst_port;
    logs_push_http(r, &h);
    return 1;
}

/* ---- JSON ---- */

/* One member value of field f: a string, number, or array of them. 0 or -1. */
static int json_member(struct pat_reader *r, struct pat_jscan *j, enum zeek_field f,
                       struct logs_http *h)
{
    struct pat_jstr s;
    const char *num;
    size_t nlen;
    int c = pat_jscan_peek(j), i = 0, rc;
    if (c == '"') {
        if (pat_jscan_string(j, &s))
            return -1;
        pat_jstr_decode(&s);
        zeek_value(r, f, s.s, s.len, h);
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        if (pat_jscan_number(j, &num, &nlen))
            return -1;
        if (f == ZF_TS || f == ZF_ORIG_P || f == ZF_RESP_P)
            zeek_value(r, f, (char *)num, nlen, h);
        return 0;
    }
    if (c != '[')
        return pat_jscan_skip(j);
    if (pat_jscan_arr_begin(j))
        return -1;
    while ((rc = pat_jscan_arr_next(j, &i)) > 0) {
        if (pat_jscan_peek(j) != '"') {
            if (pat_jscan_skip(j))
                return -1;
            continue;
        }
        if (pat_jscan_string(j, &s))
            return -1;
        pat_jstr_decode(&s);
        zeek_value(r, f, s.s, s.len, h);
    }
    return rc;
}

int logs_zeek_json_line(struct pat_reader *r, char *line, size_t len)
{
    struct pat_jscan j;
    struct pat_jstr k;
    struct logs_http h = {.port = -1};
    int i = 0, rc;
    pat_jscan_init(&j, line, len);
    if (pat_jscan_obj_begin(&j))
        return -1;
    while ((rc = pat_jscan_obj_next(&j, &i, &k)) > 0) {
        enum zeek_field f = k.esc ? ZF_NONE : logs_zeek_field(k.s, k.len);
        if (f == ZF_NONE ? pat_jscan_skip(&j) : json_member(r, &j, f, &h))
            return -1;
    }
    if (rc < 0 || pat_jscan_finish(&j))
        return -1;
    h.port = r->rec->dst_port;
    logs_push_http(r, &h);
    return 1;
}
