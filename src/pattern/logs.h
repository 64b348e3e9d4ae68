/*
 * Log readers for `concord match`: one struct pat_record (pattern/record.h)
 * per input line, from Suricata EVE, Zeek (TSV with a #fields header, or
 * JSON lines), JSON lines of STIX observables, or plain text.
 *
 * A reader owns its line buffer and a per-record scratch area; the values
 * of a record point into them and stay valid until the next call to
 * pat_reader_next or pat_reader_free.  A reader is used by one thread at a
 * time; several readers may run in parallel (they share nothing).
 *
 * Malformed lines are counted and skipped, never fatal: only I/O errors,
 * a corrupt gzip stream and bad arguments end a read with an error.
 * gzip input (.gz) is recognised by its magic bytes and inflated on the fly.
 */
#ifndef CONCORD_PATTERN_LOGS_H
#define CONCORD_PATTERN_LOGS_H

#include <jansson.h>
#include <stdio.h>

#include "pattern/record.h"
#include "util/error.h"

#define PAT_LINE_MAX (16u * 1024 * 1024) /* longer lines are skipped and counted as bad */

enum pat_format {
    PAT_FMT_AUTO, /* detect from the first non-empty line (pat_format_detect) */
    PAT_FMT_EVE,  /* Suricata EVE JSON lines */
    PAT_FMT_ZEEK, /* Zeek: TSV or JSON, detected (for PAT_FMT_AUTO detection result see below) */
    PAT_FMT_ZEEK_TSV,  /* Zeek TSV with #separator/#fields header lines */
    PAT_FMT_ZEEK_JSON, /* Zeek JSON lines (id.orig_h or id_orig_h keys) */
    PAT_FMT_JSONL,     /* JSON lines of STIX: an SCO, an observed-data or a bundle per line */
    PAT_FMT_TEXT       /* anything else: IPs, domains, URLs, e-mails, hashes found in the text */
};

/* Counters of a reader (all cumulative since open). */
struct pat_reader_stats {
    long lines;      /* lines read, including header, empty and bad lines */
    long records;    /* records returned */
    long bad_lines;  /* malformed lines skipped (including over-long ones) */
    long long_lines; /* of which longer than PAT_LINE_MAX */
    long values;     /* values returned in records */
    long dropped;    /* values beyond PAT_RECORD_VALUES, dropped */
    long long bytes; /* bytes of (decompressed) input consumed */
};

struct pat_reader;

/*
 * Open a reader on f (borrowed: the caller closes it after pat_reader_free).
 * With PAT_FMT_AUTO (or PAT_FMT_ZEEK) the format is detected from the first
 * non-empty line, which is read here.  Returns 0, or ERR_IO (read failure,
 * bad gzip header) / ERR_INVALID (bad format value) with err filled.
 */
int pat_reader_open(struct pat_reader **r, FILE *f, enum pat_format fmt, struct error *err);

/*
 * Read the next record into rec (overwritten).  Returns 1 with a record,
 * 0 at end of input, or a negative ERR_* (ERR_IO: read or gzip failure).
 * Lines without a record (empty lines, Zeek header lines) are skipped;
 * lines that parse but hold no value still give a record with rec->n == 0.
 * Suricata "stats" events are not parsed past their event_type.
 */
int pat_reader_next(struct pat_reader *r, struct pat_record *rec, struct error *err);

/* The format in use (after detection). */
enum pat_format pat_reader_format(const struct pat_reader *r);

/* Copy of the counters. */
void pat_reader_stats(const struct pat_reader *r, struct pat_reader_stats *out);

/* Free the reader (not the FILE). NULL is allowed. */
void pat_reader_free(struct pat_reader *r);

/* Detect the format of one line (not NUL-terminated): EVE, ZEEK_TSV, ZEEK_JSON, JSONL or TEXT. */
enum pat_format pat_format_detect(const char *line, size_t len);

/* Short name of a format ("eve", "zeek", ...); never NULL. */
const char *pat_format_name(enum pat_format fmt);

/* Parse a format name as given on a command line ("auto", "eve", "zeek", "jsonl", "text"). 0 or
 * ERR_INVALID. */
int pat_format_parse(const char *name, enum pat_format *out);

/*
 * Build STIX 2.1 SCOs for the values of rec: one ipv4-addr, ipv6-addr,
 * domain-name, url or email-addr per value, one file holding all hashes
 * and the first file name (further names get their own file), and a
 * network-traffic with src_ref/dst_ref/src_port/dst_port/protocols when the
 * record has an address with a role.  Object ids are "<type>--" plus a
 * UUID-shaped counter, unique within the observation only.
 * *roots (new reference, an array of every SCO) and *by_ref (new reference,
 * an object id -> SCO) are the caller's to json_decref.  Values that are not
 * valid UTF-8 are left out.  Returns 0, or ERR_NOMEM when jansson could not
 * allocate the containers (nothing is returned then).  Thread-safe (no state).
 */
int pat_record_observation(const struct pat_record *rec, json_t **roots, json_t **by_ref);

/* Name of a value kind ("ipv4-addr", "domain-name", "md5", ...); never NULL. */
const char *pat_vkind_name(enum pat_vkind kind);

#endif
