/*
 * The observables of one log record, as `concord match` sees them: the
 * meeting point of the log readers (logs*.c: Suricata EVE, Zeek TSV and
 * JSON, JSON lines of STIX observables, plain text), the bulk index
 * (compile.c, index_*.c) and the warninglists (warninglist.c).
 *
 * A reader fills one struct pat_record per input line; its values point
 * into the reader's line buffer or scratch and are valid until the next
 * record is read.  The index looks each value up by kind; only candidate
 * indicators that need more than one equality are evaluated in full, on
 * an observation built from the record (pat_record_observation).
 */
#ifndef CONCORD_PATTERN_RECORD_H
#define CONCORD_PATTERN_RECORD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Kinds of observable value, each the value of one STIX object path
 * (the canonical path is in the comment; hash names follow the STIX 2.1
 * hash-algorithm vocabulary, so `file:hashes.MD5` and `file:hashes.'MD5'`
 * are the same path).
 */
enum pat_vkind {
    PAT_V_IPV4,     /* ipv4-addr:value (an address; CIDR containment via the trie) */
    PAT_V_IPV6,     /* ipv6-addr:value */
    PAT_V_DOMAIN,   /* domain-name:value (lower-cased by the reader) */
    PAT_V_URL,      /* url:value */
    PAT_V_EMAIL,    /* email-addr:value */
    PAT_V_MD5,      /* file:hashes.MD5 (lower-case hex) */
    PAT_V_SHA1,     /* file:hashes.'SHA-1' */
    PAT_V_SHA256,   /* file:hashes.'SHA-256' */
    PAT_V_SHA512,   /* file:hashes.'SHA-512' */
    PAT_V_FILENAME, /* file:name */
    PAT_V_KIND_COUNT
};

/* Where in a network-traffic the address was (for network-traffic:src_ref/dst_ref). */
enum pat_vrole { PAT_ROLE_NONE, PAT_ROLE_SRC, PAT_ROLE_DST };

struct pat_value {
    enum pat_vkind kind;
    enum pat_vrole role;
    const char *s; /* the value; not necessarily NUL-terminated */
    size_t len;
};

#define PAT_RECORD_VALUES 64 /* values kept per record; more are dropped (counted) */

struct pat_record {
    struct pat_value v[PAT_RECORD_VALUES];
    size_t n;
    size_t dropped;  /* values beyond PAT_RECORD_VALUES */
    int64_t time_ns; /* the record's timestamp, 0 when it has none */
    long line;       /* 1-based line number in the input */
    long src_port, dst_port; /* -1 when unknown */
    const char *proto;       /* transport ("tcp", "udp", ...) or NULL */
};

#endif
