/*
 * Value helpers of the log readers: check, normalise and add one
 * observable to the record being read (see logs_int.h), plus the
 * timestamp parsers shared by the formats.
 *
 * Normal forms, which the bulk index relies on: domains and hashes are
 * lower-cased (in place), a trailing root dot is dropped from domains,
 * IPv6 addresses are rewritten in RFC 5952 form (inet_ntop), e-mail
 * addresses are taken out of "Name <addr>" forms, file names lose their
 * directory.  URLs and file names must be valid UTF-8 (they end up in
 * jansson strings); domains, addresses, hashes and e-mails are ASCII.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "pattern/jscan.h"
#include "pattern/logs_int.h"
#include "util/utf8.h"

void logs_lower(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
}

bool logs_push(struct pat_reader *r, enum pat_vkind k, enum pat_vrole role, const char *s,
               size_t len)
{
    struct pat_record *rec = r->rec;
    for (size_t i = 0; i < rec->n; i++) {
        struct pat_value *v = &rec->v[i];
        if (v->kind != k || v->len != len || memcmp(v->s, s, len) != 0)
            continue;
        if (v->role == role || role == PAT_ROLE_NONE)
            return true;
        if (v->role == PAT_ROLE_NONE) {
            v->role = role;
            return true;
        }
    }
    if (rec->n >= PAT_RECORD_VALUES) {
        rec->dropped++;
        return true;
    }
    rec->v[rec->n++] = (struct pat_value){.kind = k, .role = role, .s = s, .len = len};
    return true;
}

bool logs_is_ipv4(const char *s, size_t len)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == len;
}

/* Canonical text of the IPv6 address s, in scratch or s itself; NULL if not an address. */
static const char *ipv6_canon(struct pat_reader *r, const char *s, size_t len, size_t *out_len)
{
    char tmp[INET6_ADDRSTRLEN + 8];
    unsigned char bin[16];
    const char *pct = memchr(s, '%', len); /* zone id: not part of the address */
    if (pct)
        len = (size_t)(pct - s);
    if (len < 2 || len >= sizeof(tmp))
        return NULL;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET6, tmp, bin) != 1)
        return NULL;
    char canon[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, bin, canon, sizeof(canon)))
        return NULL;
    *out_len = strlen(canon);
    if (*out_len == len && memcmp(canon, s, len) == 0)
        return s;
    char *d = logs_alloc(r, *out_len + 1);
    memcpy(d, canon, *out_len + 1);
    return d;
}

bool logs_push_ip(struct pat_reader *r, enum pat_vrole role, char *s, size_t len)
{
    if (logs_is_ipv4(s, len))
        return logs_push(r, PAT_V_IPV4, role, s, len);
    if (!memchr(s, ':', len))
        return false;
    size_t clen;
    const char *c = ipv6_canon(r, s, len, &clen);
    return c && logs_push(r, PAT_V_IPV6, role, c, clen);
}

/* File extensions that look like TLDs in free text ("setup.exe"): not domains there. */
static const char *const file_exts[] = {
    "exe", "dll",  "sys",  "bat",  "cmd", "ps1",  "vbs",  "txt",  "log", "ini",  "cfg",   "conf",
    "tmp", "dat",  "bin",  "png",  "jpg", "jpeg", "gif",  "bmp",  "ico", "svg",  "html",  "htm",
    "php", "asp",  "aspx", "jsp",  "css", "js",   "json", "xml",  "csv", "pdf",  "doc",   "docx",
    "xls", "xlsx", "ppt",  "pptx", "rtf", "gz",   "tgz",  "bz2",  "xz",  "rar",  "tar",   "jar",
    "so",  "py",   "pl",   "rb",   "sh",  "lnk",  "msi",  "iso",  "img", "zip",  "mov",   "mp3",
    "mp4", "avi",  "bak",  "old",  "db",  "sql",  "yml",  "yaml", "md",  "java", "class", "cpp",
    "hta", "scr",  "cab",  "apk",  "dmg", "deb",  "rpm",
};

static bool is_file_ext(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(file_exts) / sizeof(file_exts[0]); i++)
        if (strlen(file_exts[i]) == len && strncasecmp(file_exts[i], s, len) == 0)
            return true;
    return false;
}

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* strict_tld: at least two labels, a letters-only TLD of 2..24 that is not a file extension. */
bool logs_is_domain(const char *s, size_t len, bool strict_tld)
{
    if (len == 0 || len > 253)
        return false;
    size_t label = 0, labels = 1, last = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (label == 0)
                return false;
            label = 0;
            labels++;
            last = i + 1;
        } else if (!label_char(s[i]) || ++label > 63) {
            return false;
        }
    }
    if (label == 0)
        return false;
    if (!strict_tld)
        return !logs_is_ipv4(s, len);
    size_t tld = len - last;
    if (labels < 2 || tld < 2 || tld > 24 || is_file_ext(s + last, tld))
        return false;
    for (size_t i = last; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return s[0] != '-' && s[0] != '_';
}

bool logs_push_domain(struct pat_reader *r, char *s, size_t len)
{
    if (len > 1 && s[len - 1] == '.')
        len--;
    if (!logs_is_domain(s, len, false))
        return false;
    logs_lower(s, len);
    return logs_push(r, PAT_V_DOMAIN, PAT_ROLE_NONE, s, len);
}

bool logs_push_host(struct pat_reader *r, enum pat_vrole role, char *s, size_t len)
{
    if (logs_push_ip(r, role, s, len))
        return true;
    return logs_push_domain(r, s, len);
}

bool logs_push_hash(struct pat_reader *r, char *s, size_t len)
{
    enum pat_vkind k;
    switch (len) {
    case 32:
        k = PAT_V_MD5;
        break;
    case 40:
        k = PAT_V_SHA1;
        break;
    case 64:
        k = PAT_V_SHA256;
        break;
    case 128:
        k = PAT_V_SHA512;
        break;
    default:
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'F')
            s[i] = (char)(c + 32);
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return logs_push(r, k, PAT_ROLE_NONE, s, len);
}

static bool email_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != '"' && c != ',' && c != ';' &&
           c != '(' && c != ')' && c != '[' && c != ']' && c != '\\';
}

bool logs_push_email(struct pat_reader *r, char *s, size_t len)
{
    char *lt = memchr(s, '<', len);
    if (lt) {
        char *gt = memchr(lt, '>', len - (size_t)(lt - s));
        if (!gt)
            return false;
        len = (size_t)(gt - lt - 1);
        s = lt + 1;
    }
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    char *at = memchr(s, '@', len);
    if (!at || at == s || at == s + len - 1 || len > 254)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!email_char((unsigned char)s[i]) || (s[i] == '@' && s + i != at))
            return false;
    return logs_push(r, PAT_V_EMAIL, PAT_ROLE_NONE, s, len);
}

static bool printable_utf8(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return utf8_valid(s, len);
}

bool logs_push_url(struct pat_reader *r, const char *s, size_t len)
{
    const char *sep = len > 3 ? memmem(s, len, "://", 3) : NULL;
    if (!sep || sep == s || len - (size_t)(sep - s) <= 3 || !printable_utf8(s, len))
        return false;
    return logs_push(r, PAT_V_URL, PAT_ROLE_NONE, s, len);
}

bool logs_push_filename(struct pat_reader *r, const char *s, size_t len)
{
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == '/' || s[i - 1] == '\\') {
            s += i;
            len -= i;
            break;
        }
    }
    if (len == 0 || !printable_utf8(s, len))
        return false;
    return logs_push(r, PAT_V_FILENAME, PAT_ROLE_NONE, s, len);
}

/* Host part of "host", "host:port" or "[v6]:port"; *hlen its length, *hport the port or -1. */
static char *split_host_port(char *h, size_t len, size_t *hlen, long *hport)
{
    *hport = -1;
    *hlen = len;
    if (len > 2 && h[0] == '[') {
        char *close = memchr(h, ']', len);
        if (close) {
            *hlen = (size_t)(close - h - 1);
            return h + 1;
        }
    }
    char *colon = memchr(h, ':', len);
    if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - h) - 1)) {
        *hlen = (size_t)(colon - h);
        long p = 0;
        for (char *q = colon + 1; q < h + len && *q >= '0' && *q <= '9' && p < 65536; q++)
            p = p * 10 + (*q - '0');
        *hport = p;
    }
    return h;
}

void logs_push_http(struct pat_reader *r, struct logs_http *h)
{
    if (h->uri && h->uri_len > 7 && memmem(h->uri, h->uri_len < 12 ? h->uri_len : 12, "://", 3)) {
        logs_push_url(r, h->uri, h->uri_len); /* proxy request: absolute already */
        return;
    }
    if (!h->host || h->host_len == 0)
        return;
    if (!h->uri) { /* a host alone (Zeek known_hosts, software): no URL */
        logs_push_host(r, PAT_ROLE_NONE, (char *)h->host, h->host_len);
        return;
    }
    size_t hlen;
    long hport;
    char *host = split_host_port((char *)h->host, h->host_len, &hlen, &hport);
    logs_lower(host, hlen);
    if (!logs_push_host(r, PAT_ROLE_NONE, host, hlen))
        return;
    const char *uri = h->uri && h->uri_len && h->uri[0] == '/' ? h->uri : "/";
    size_t ulen = uri == h->uri ? h->uri_len : 1;
    size_t n = 7 + h->host_len + 8 + ulen;
    char *u = logs_alloc(r, n), *w = u;
    bool v6 = memchr(host, ':', hlen) != NULL;
    memcpy(w, "http://", 7), w += 7;
    if (v6)
        *w++ = '[';
    memcpy(w, host, hlen), w += hlen;
    if (v6)
        *w++ = ']';
    long port = hport >= 0 ? hport : h->port;
    if (port > 0 && port != 80 && port < 65536)
        w += snprintf(w, 8, ":%ld", port);
    memcpy(w, uri, ulen), w += ulen;
    logs_push_url(r, u, (size_t)(w - u));
}

/* ---- time ---- */

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Fraction ".ddd" at s: nanoseconds, and bytes used (0 when none). */
static size_t parse_frac(const char *s, size_t len, int64_t *ns)
{
    *ns = 0;
    if (len < 2 || s[0] != '.' || s[1] < '0' || s[1] > '9')
        return 0;
    size_t i = 1;
    int64_t scale = 100000000;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        *ns += (s[i] - '0') * scale;
        scale /= 10;
    }
    return i;
}

bool logs_parse_iso_time(const char *s, size_t len, int64_t *ns)
{
    int y, mo, d, h, mi, sec, zh = 0, zm = 0;
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec) || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    int64_t frac;
    size_t i = 19 + parse_frac(s + 19, len - 19, &frac);
    int sign = 0;
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        sign = s[i] == '-' ? -1 : 1;
        size_t rest = len - i - 1;
        const char *z = s + i + 1;
        if (rest == 4 && digits(z, 2, &zh) && digits(z + 2, 2, &zm))
            i = len;
        else if (rest == 5 && z[2] == ':' && digits(z, 2, &zh) && digits(z + 3, 2, &zm))
            i = len;
        else if (rest == 2 && digits(z, 2, &zh))
            i = len;
        else
            return false;
    }
    if (i != len || y < 1678 || y > 2261)
        return false;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    t -= sign * (zh * 3600 + zm * 60);
    *ns = t * 1000000000 + frac;
    return true;
}

bool logs_parse_epoch(const char *s, size_t len, int64_t *ns)
{
    int64_t sec = 0, frac = 0;
    size_t i = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (i >= 11)
            return false;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i == 0)
        return false;
    i += parse_frac(s + i, len - i, &frac);
    if (i != len || sec >= INT64_MAX / 1000000000 - 1) /* past 2262: not representable */
        return false;
    *ns = sec * 1000000000 + frac;
    return true;
}

/* ---- Zeek field names ---- */

static const struct {
    const char *name;
    enum zeek_field f;
} zeek_names[] = {
    {"ts", ZF_TS},
    {"id.orig_h", ZF_ORIG_H},
    {"id.orig_p", ZF_ORIG_P},
    {"id.resp_h", ZF_RESP_H},
    {"id.resp_p", ZF_RESP_P},
    {"proto", ZF_PROTO},
    {"query", ZF_QUERY},
    {"answers", ZF_HOSTS},
    {"host", ZF_HOST_HTTP},
    {"uri", ZF_URI},
    {"server_name", ZF_DOMAINS},
    {"san.dns", ZF_DOMAINS},
    {"md5", ZF_HASH},
    {"sha1", ZF_HASH},
    {"sha256", ZF_HASH},
    {"sha512", ZF_HASH},
    {"filename", ZF_FILENAME},
    {"mailfrom", ZF_EMAILS},
    {"rcptto", ZF_EMAILS},
    {"from", ZF_EMAILS},
    {"to", ZF_EMAILS},
    {"cc", ZF_EMAILS},
    {"reply_to", ZF_EMAILS},
    {"tx_hosts", ZF_SRC_HOSTS},
    {"rx_hosts", ZF_DST_HOSTS},
    {"src", ZF_SRC_HOSTS},
    {"dst", ZF_DST_HOSTS},
    {"x_originating_ip", ZF_HOSTS},
};

enum zeek_field logs_zeek_field(const char *name, size_t len)
{
    char tmp[32];
    if (len >= sizeof(tmp))
        return ZF_NONE;
    memcpy(tmp, name, len);
    if (len > 3 && memcmp(tmp, "id_", 3) == 0)
        tmp[2] = '.';
    if (len == 7 && memcmp(tmp, "san_dns", 7) == 0)
        tmp[3] = '.';
    for (size_t i = 0; i < sizeof(zeek_names) / sizeof(zeek_names[0]); i++)
        if (strlen(zeek_names[i].name) == len && memcmp(zeek_names[i].name, tmp, len) == 0)
            return zeek_names[i].f;
    return ZF_NONE;
}
