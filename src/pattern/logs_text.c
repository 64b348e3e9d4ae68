/*
 * Plain-text reader (web server logs, syslog, IOC lists, anything): finds
 * in each line the URLs (http, https, ftp), e-mail addresses, IPv4 and
 * IPv6 addresses, hex hashes (32/40/64/128 digits) and domain names.
 *
 * A line is cut into words at blanks, quotes and brackets; a word holding
 * "scheme://" gives a URL from there to its end (trailing punctuation
 * dropped); other words are cut again at '=', ',', ';' and '|' and each
 * piece is tried as an e-mail, a hash, an address (an "ip:port" or
 * "ip/prefix" counts as the ip) or a domain.  Domains need a letters-only
 * TLD of 2..24 letters that is not a common file extension ("setup.exe"
 * is a file name); "host/path" gives its host.  No time is taken.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <strings.h>

#include "pattern/logs_int.h"

static bool word_delim(char c)
{
    return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '(' ||
           c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '`' || c == '\0' ||
           c == '\r' || c == '\v' || c == '\f';
}

static bool piece_delim(char c)
{
    return c == '=' || c == ',' || c == ';' || c == '|';
}

static bool trailing_punct(char c)
{
    return c == '.' || c == ',' || c == ':' || c == ';' || c == '!' || c == '?';
}

static bool all_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

static void text_email(struct pat_reader *r, char *s, size_t len)
{
    if (len > 7 && strncasecmp(s, "mailto:", 7) == 0)
        s += 7, len -= 7;
    char *at = memchr(s, '@', len);
    size_t dl = len - (size_t)(at - s) - 1;
    if (at == s || !logs_is_domain(at + 1, dl, true))
        return;
    logs_lower(at + 1, dl);
    logs_push_email(r, s, len);
}

/* One piece of a word: e-mail, hash, address or domain. */
static void text_piece(struct pat_reader *r, char *s, size_t len)
{
    while (len && (*s == ':' || *s == '.' || *s == '-'))
        s++, len--;
    while (len && trailing_punct(s[len - 1]))
        len--;
    if (len < 4)
        return;
    if (memchr(s, '@', len)) {
        text_email(r, s, len);
        return;
    }
    char *colon = memrchr(s, ':', len); /* "sha1:<hex>", "md5:<hex>" */
    size_t tail = colon ? len - (size_t)(colon + 1 - s) : 0;
    if ((tail == 32 || tail == 40 || tail == 64 || tail == 128) && all_hex(colon + 1, tail)) {
        logs_push_hash(r, colon + 1, tail);
        return;
    }
    if ((len == 32 || len == 40 || len == 64 || len == 128) && all_hex(s, len)) {
        logs_push_hash(r, s, len);
        return;
    }
    char *slash = memchr(s, '/', len);
    size_t h = slash ? (size_t)(slash - s) : len;
    char *c1 = memchr(s, ':', h);
    if (c1 && memchr(c1 + 1, ':', h - (size_t)(c1 - s) - 1)) {
        logs_push_ip(r, PAT_ROLE_NONE, s, h);
        return;
    }
    if (c1)
        h = (size_t)(c1 - s);
    if (logs_is_ipv4(s, h))
        logs_push(r, PAT_V_IPV4, PAT_ROLE_NONE, s, h);
    else if (logs_is_domain(s, h, true))
        logs_push_domain(r, s, h);
}

/* Position of "http://", "https://" or "ftp://" in s, or NULL. */
static char *find_scheme(char *s, size_t len)
{
    char *p = s, *end = s + len;
    while ((p = memmem(p, (size_t)(end - p), "://", 3)) != NULL) {
        if (p - s >= 4 && strncasecmp(p - 4, "http", 4) == 0)
            return p - 4;
        if (p - s >= 5 && strncasecmp(p - 5, "https", 5) == 0)
            return p - 5;
        if (p - s >= 3 && strncasecmp(p - 3, "ftp", 3) == 0)
            return p - 3;
        p += 3;
    }
    return NULL;
}

/* The host of a URL (after "://"): also an address or domain; lower-cased in place. */
static void text_url_host(struct pat_reader *r, char *s, size_t len)
{
    size_t h = 0;
    while (h < len && s[h] != '/' && s[h] != '?' && s[h] != '#')
        h++;
    char *at = memchr(s, '@', h); /* user:password@host */
    if (at) {
        h -= (size_t)(at + 1 - s);
        s = at + 1;
    }
    if (h > 2 && s[0] == '[') {
        char *close = memchr(s, ']', h);
        if (close)
            logs_push_ip(r, PAT_ROLE_NONE, s + 1, (size_t)(close - s - 1));
        return;
    }
    char *colon = memchr(s, ':', h);
    if (colon)
        h = (size_t)(colon - s);
    logs_lower(s, h);
    if (!logs_push_ip(r, PAT_ROLE_NONE, s, h) && logs_is_domain(s, h, false))
        logs_push_domain(r, s, h);
}

static void text_word(struct pat_reader *r, char *s, size_t len)
{
    char *url = find_scheme(s, len);
    size_t plain = url ? (size_t)(url - s) : len;
    if (url) {
        size_t ulen = len - plain;
        while (ulen && trailing_punct(url[ulen - 1]))
            ulen--;
        size_t scheme = (size_t)((char *)memmem(url, ulen, "://", 3) - url);
        logs_lower(url, scheme); /* the scheme is case-insensitive (RFC 3986 §3.1) */
        if (logs_push_url(r, url, ulen))
            text_url_host(r, url + scheme + 3, ulen - scheme - 3);
    }
    char *p = s, *end = s + plain;
    while (p < end) {
        char *e = p;
        while (e < end && !piece_delim(*e))
            e++;
        text_piece(r, p, (size_t)(e - p));
        p = e + 1;
    }
}

int logs_text_line(struct pat_reader *r, char *line, size_t len)
{
    char *p = line, *end = line + len;
    while (p < end) {
        while (p < end && word_delim(*p))
            p++;
        char *e = p;
        while (e < end && !word_delim(*e))
            e++;
        if (e > p)
            text_word(r, p, (size_t)(e - p));
        p = e;
    }
    return 1;
}
