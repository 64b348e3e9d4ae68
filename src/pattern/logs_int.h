/*
 * Internals shared by the log readers (logs.c, logs_values.c, logs_eve.c,
 * logs_zeek.c, logs_jsonl.c, logs_text.c).  Not part of the pattern
 * module's interface.
 *
 * Each format parses one line (NUL-terminated, writable: values are
 * lower-cased and unescaped in place) into r->rec through the logs_push_*
 * helpers, which check and normalise a value before adding it.  Values
 * that need new bytes (a URL built from host + path, a canonical IPv6
 * address, copies out of jansson) go to the per-record scratch, whose
 * blocks never move until the next record.
 */
#ifndef CONCORD_PATTERN_LOGS_INT_H
#define CONCORD_PATTERN_LOGS_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <zlib.h>

#include "pattern/logs.h"

#define LOGS_SCRATCH_BLOCK (64u * 1024)
#define ZEEK_FIELDS_MAX 256

struct logs_block {
    struct logs_block *next;
    size_t cap, used;
    char data[]; /* cap bytes */
};

/* What a Zeek column (TSV) or key (JSON) holds; ZF_NONE: ignored. */
enum zeek_field {
    ZF_NONE,
    ZF_TS,
    ZF_ORIG_H,
    ZF_ORIG_P,
    ZF_RESP_H,
    ZF_RESP_P,
    ZF_PROTO,
    ZF_QUERY,   /* a domain name */
    ZF_HOSTS,   /* addresses or names (answers, host, known_hosts) */
    ZF_URI,     /* http uri (joined with host) */
    ZF_DOMAINS, /* server_name, san.dns */
    ZF_HASH,    /* md5, sha1, sha256, sha512 */
    ZF_FILENAME,
    ZF_EMAILS,    /* mailfrom, rcptto, from, to, cc, reply_to */
    ZF_SRC_HOSTS, /* files tx_hosts, notice src */
    ZF_DST_HOSTS, /* files rx_hosts, notice dst */
    ZF_HOST_HTTP  /* http host: a name or an address, also joined with uri */
};

struct zeek_hdr {
    char sep;     /* field separator (TSV) */
    char set_sep; /* separator inside sets/vectors */
    int nfields;
    enum zeek_field field[ZEEK_FIELDS_MAX];
    bool have_fields;
};

/* Pieces of an HTTP request, joined into a URL at the end of a record. */
struct logs_http {
    const char *host, *uri;
    size_t host_len, uri_len;
    long port;
};

struct pat_reader {
    FILE *f;
    enum pat_format fmt;
    struct pat_reader_stats st;
    /* decompressed input: bytes [pos, len) of buf are unread */
    char *buf;
    size_t cap, pos, len;
    bool eof;      /* no more input after buf */
    bool skipping; /* inside an over-long line, dropping bytes until '\n' */
    /* gzip */
    bool gz, gz_end;
    z_stream zs;
    unsigned char *zin;
    size_t zin_cap;
    bool raw_eof;
    /* per record */
    struct pat_record *rec;
    struct logs_block *scratch;
    struct zeek_hdr zeek;
};

/* Per-format line parsers: 1 record in r->rec, 0 line gives no record, -1 malformed. */
int logs_eve_line(struct pat_reader *r, char *line, size_t len);
int logs_zeek_tsv_line(struct pat_reader *r, char *line, size_t len);
int logs_zeek_json_line(struct pat_reader *r, char *line, size_t len);
int logs_jsonl_line(struct pat_reader *r, char *line, size_t len);
int logs_text_line(struct pat_reader *r, char *line, size_t len);

/* Scratch bytes valid until the next record (never NULL; aborts on OOM). */
char *logs_alloc(struct pat_reader *r, size_t n);
void logs_scratch_reset(struct pat_reader *r);
void logs_scratch_free(struct pat_reader *r);

/*
 * Add a value (after checks).  s is borrowed: it must live as long as the
 * record (line buffer or scratch).  Values equal to one already in the
 * record are not added again (an address seen without a role takes the
 * role of a later sighting).  Each returns true when the value was valid.
 */
bool logs_push(struct pat_reader *r, enum pat_vkind k, enum pat_vrole role, const char *s,
               size_t len);
bool logs_push_ip(struct pat_reader *r, enum pat_vrole role, char *s, size_t len);
bool logs_push_domain(struct pat_reader *r, char *s, size_t len);
bool logs_push_host(struct pat_reader *r, enum pat_vrole role, char *s, size_t len);
bool logs_push_hash(struct pat_reader *r, char *s, size_t len);
bool logs_push_email(struct pat_reader *r, char *s, size_t len);
bool logs_push_url(struct pat_reader *r, const char *s, size_t len);
bool logs_push_filename(struct pat_reader *r, const char *s, size_t len);
/* Join an HTTP host and path into "http://host[:port]/path"; also adds the host. */
void logs_push_http(struct pat_reader *r, struct logs_http *h);

/* Syntax checks (no side effects). */
bool logs_is_ipv4(const char *s, size_t len);
bool logs_is_domain(const char *s, size_t len, bool strict_tld);
void logs_lower(char *s, size_t len);

/* "2022-02-08T09:40:29.080710-0500" (zone optional, 'Z' or +-HH[:]MM) -> ns since epoch. */
bool logs_parse_iso_time(const char *s, size_t len, int64_t *ns);
/* "1521911720.865716" (seconds since epoch) -> ns. */
bool logs_parse_epoch(const char *s, size_t len, int64_t *ns);

/* Zeek field kind of a column or key name ("id.orig_h" and "id_orig_h" alike). */
enum zeek_field logs_zeek_field(const char *name, size_t len);

#endif
