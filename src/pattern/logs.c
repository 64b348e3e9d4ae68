/*
 * The common part of the log readers: input buffering (plain or gzip),
 * line splitting, format detection, the per-record scratch and the
 * dispatch to one parser per format (logs_eve.c, logs_zeek.c,
 * logs_jsonl.c, logs_text.c).  The value helpers are in logs_values.c.
 *
 * Input is read in large chunks into one buffer; a line is handed to its
 * parser in place (its '\n' replaced by NUL), so the parsers may rewrite
 * it and the record's values may point into it.  The buffer only moves
 * (compaction, growth) between records.  A line longer than PAT_LINE_MAX
 * is dropped up to its '\n' and counted as bad.
 */
#define _GNU_SOURCE /* memmem */
#include "pattern/logs.h"

#include <stdlib.h>
#include <string.h>

#include "pattern/logs_int.h"
#include "util/xalloc.h"

#define READ_CHUNK (256u * 1024)

/* ---- scratch ---- */

char *logs_alloc(struct pat_reader *r, size_t n)
{
    struct logs_block *b = r->scratch;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > LOGS_SCRATCH_BLOCK ? n : LOGS_SCRATCH_BLOCK;
        struct logs_block *nb = xmalloc(sizeof(*nb) + cap);
        nb->cap = cap;
        nb->used = 0;
        nb->next = b;
        r->scratch = b = nb;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

/* Keep one block (the newest) for the next record; free the rest. */
void logs_scratch_reset(struct pat_reader *r)
{
    struct logs_block *b = r->scratch;
    if (!b)
        return;
    struct logs_block *rest = b->next;
    b->next = NULL;
    b->used = 0;
    while (rest) {
        struct logs_block *n = rest->next;
        free(rest);
        rest = n;
    }
}

void logs_scratch_free(struct pat_reader *r)
{
    logs_scratch_reset(r);
    free(r->scratch);
    r->scratch = NULL;
}

/* ---- input ---- */

/* Inflate more gzip input into buf[len..cap) until something came out. 0, or ERR_IO. */
static int fill_gz(struct pat_reader *r)
{
    size_t before = r->len;
    while (r->len == before && r->len < r->cap) {
        if (r->zs.avail_in == 0) {
            if (r->raw_eof) {
                r->eof = true;
                return r->gz_end ? 0 : ERR_IO; /* a truncated stream is an error */
            }
            size_t n = fread(r->zin, 1, r->zin_cap, r->f);
            if (n == 0 && ferror(r->f))
                return ERR_IO;
            r->raw_eof = n == 0;
            r->zs.next_in = r->zin;
            r->zs.avail_in = (uInt)n;
            continue;
        }
        if (r->gz_end) { /* another gzip member follows */
            if (inflateReset(&r->zs) != Z_OK)
                return ERR_IO;
            r->gz_end = false;
        }
        r->zs.next_out = (unsigned char *)r->buf + r->len;
        r->zs.avail_out = (uInt)(r->cap - r->len);
        int z = inflate(&r->zs, Z_NO_FLUSH);
        r->len = r->cap - r->zs.avail_out;
        if (z == Z_STREAM_END)
            r->gz_end = true;
        else if (z != Z_OK && z != Z_BUF_ERROR)
            return ERR_IO;
    }
    return 0;
}

/* Make room after the unread bytes (compact, then grow), then read more. 0 or ERR_IO. */
static int fill(struct pat_reader *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < READ_CHUNK / 2) {
        r->cap *= 2;
        r->buf = xrealloc(r->buf, r->cap + 1);
    }
    if (r->gz)
        return fill_gz(r);
    size_t n = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
    if (n == 0) {
        if (ferror(r->f))
            return ERR_IO;
        r->eof = true;
    }
    r->len += n;
    return 0;
}

/*
 * The next complete line: *line (NUL-terminated in place, '\r' removed) and
 * *len.  1, 0 at end of input, or ERR_IO.  Over-long lines are consumed here
 * and reported as *len == SIZE_MAX.
 */
static int next_line(struct pat_reader *r, char **line, size_t *len)
{
    for (;;) {
        char *s = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        char *nl = memchr(s, '\n', avail);
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - s) : avail;
            r->pos += nl ? n + 1 : n;
            r->st.bytes += (long long)(nl ? n + 1 : n);
            if (r->skipping || n > PAT_LINE_MAX) {
                r->skipping = false;
                *len = SIZE_MAX;
                return 1;
            }
            if (n > 0 && s[n - 1] == '\r')
                n--;
            s[n] = '\0';
            *line = s;
            *len = n;
            return 1;
        }
        if (r->eof && r->skipping) {
            r->skipping = false;
            *len = SIZE_MAX;
            return 1;
        }
        if (r->eof)
            return 0;
        if (avail > PAT_LINE_MAX) { /* drop what we have of this line */
            r->st.bytes += (long long)avail;
            r->pos = r->len;
            r->skipping = true;
        }
        int rc = fill(r);
        if (rc)
            return rc;
    }
}

/* ---- detection ---- */

static bool has_key(const char *line, size_t len, const char *key)
{
    size_t kl = strlen(key);
    const char *p = line, *end = line + len;
    while ((p = memmem(p, (size_t)(end - p), key, kl)) != NULL) {
        const char *q = p + kl;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < end && *q == ':')
            return true;
        p += kl;
    }
    return false;
}

enum pat_format pat_format_detect(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (len - i >= 10 && memcmp(line + i, "#separator", 10) == 0)
        return PAT_FMT_ZEEK_TSV;
    if (i >= len || line[i] != '{')
        return PAT_FMT_TEXT;
    if (has_key(line, len, "\"event_type\""))
        return PAT_FMT_EVE;
    if (has_key(line, len, "\"_path\"") || has_key(line, len, "\"@stream\"") ||
        (has_key(line, len, "\"ts\"") && has_key(line, len, "\"uid\"")))
        return PAT_FMT_ZEEK_JSON;
    if (has_key(line, len, "\"type\""))
        return PAT_FMT_JSONL;
    return PAT_FMT_TEXT;
}

static const char *const fmt_names[] = {
    [PAT_FMT_AUTO] = "auto",           [PAT_FMT_EVE] = "eve",
    [PAT_FMT_ZEEK] = "zeek",           [PAT_FMT_ZEEK_TSV] = "zeek-tsv",
    [PAT_FMT_ZEEK_JSON] = "zeek-json", [PAT_FMT_JSONL] = "jsonl",
    [PAT_FMT_TEXT] = "text",
};

const char *pat_format_name(enum pat_format fmt)
{
    if ((unsigned)fmt < sizeof(fmt_names) / sizeof(fmt_names[0]))
        return fmt_names[fmt];
    return "unknown";
}

int pat_format_parse(const char *name, enum pat_format *out)
{
    for (size_t i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++) {
        if (strcmp(name, fmt_names[i]) == 0) {
            *out = (enum pat_format)i;
            return 0;
        }
    }
    if (strcmp(name, "suricata") == 0) {
        *out = PAT_FMT_EVE;
        return 0;
    }
    return ERR_INVALID;
}

/* Look at the first non-empty line without consuming it. 0 or ERR_IO. */
static int detect(struct pat_reader *r, enum pat_format want)
{
    for (;;) {
        const char *s = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        const char *nl = memchr(s, '\n', avail);
        size_t skip = 0;
        while (skip < avail && (s[skip] == '\n' || s[skip] == '\r' || s[skip] == ' '))
            skip++;
        if (skip < avail && (nl = memchr(s + skip, '\n', avail - skip)) != NULL) {
            r->fmt = pat_format_detect(s + skip, (size_t)(nl - s - skip));
            break;
        }
        if (r->eof || avail > 1024 * 1024) {
            r->fmt = pat_format_detect(s + skip, avail - skip);
            break;
        }
        int rc = fill(r);
        if (rc)
            return rc;
    }
    if (want == PAT_FMT_ZEEK && r->fmt != PAT_FMT_ZEEK_JSON)
        r->fmt = PAT_FMT_ZEEK_TSV;
    return 0;
}

/* Switch to gzip mode when the first bytes read are the gzip magic. 0 or ERR_IO. */
static int start_gzip(struct pat_reader *r)
{
    if (r->len < 2 || (unsigned char)r->buf[0] != 0x1f || (unsigned char)r->buf[1] != 0x8b)
        return 0;
    r->zin_cap = r->len > READ_CHUNK ? r->len : READ_CHUNK;
    r->zin = xmalloc(r->zin_cap);
    memcpy(r->zin, r->buf, r->len);
    if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
        return ERR_IO;
    r->gz = true;
    r->zs.next_in = r->zin;
    r->zs.avail_in = (uInt)r->len;
    r->raw_eof = r->eof;
    r->eof = false;
    r->len = 0;
    return 0;
}

int pat_reader_open(struct pat_reader **out, FILE *f, enum pat_format fmt, struct error *err)
{
    int result = 0;
    struct pat_reader *r = NULL;
    *out = NULL;
    if (!f || (unsigned)fmt > PAT_FMT_TEXT) {
        result = error_set(err, ERR_INVALID, "cannot open log reader: bad arguments");
        goto out;
    }
    r = xcalloc(1, sizeof(*r));
    r->f = f;
    r->fmt = fmt;
    r->cap = READ_CHUNK * 4;
    r->buf = xmalloc(r->cap + 1);
    r->zeek.sep = '\t';
    r->zeek.set_sep = ',';
    if ((result = fill(r)) != 0 || (result = start_gzip(r)) != 0) {
        error_set(err, result, "cannot read log input");
        goto out;
    }
    if (fmt == PAT_FMT_AUTO || fmt == PAT_FMT_ZEEK) {
        if ((result = detect(r, fmt)) != 0) {
            error_set(err, result, "cannot read log input");
            goto out;
        }
    }
    *out = r;
    r = NULL;
out:
    pat_reader_free(r);
    return result;
}

static int parse_line(struct pat_reader *r, char *line, size_t len)
{
    switch (r->fmt) {
    case PAT_FMT_EVE:
        return logs_eve_line(r, line, len);
    case PAT_FMT_ZEEK_TSV:
        return logs_zeek_tsv_line(r, line, len);
    case PAT_FMT_ZEEK_JSON:
        return logs_zeek_json_line(r, line, len);
    case PAT_FMT_JSONL:
        return logs_jsonl_line(r, line, len);
    default:
        return logs_text_line(r, line, len);
    }
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

static void rec_clear(struct pat_record *rec, long line)
{
    rec->n = 0;
    rec->dropped = 0;
    rec->time_ns = 0;
    rec->line = line;
    rec->src_port = rec->dst_port = -1;
    rec->proto = NULL;
}

int pat_reader_next(struct pat_reader *r, struct pat_record *rec, struct error *err)
{
    char *line = NULL;
    size_t len = 0;
    int rc;
    logs_scratch_reset(r);
    r->rec = rec;
    while ((rc = next_line(r, &line, &len)) == 1) {
        r->st.lines++;
        if (len == SIZE_MAX) {
            r->st.bad_lines++;
            r->st.long_lines++;
            continue;
        }
        if (blank(line, len))
            continue;
        rec_clear(rec, r->st.lines);
        int p = parse_line(r, line, len);
        if (p < 0)
            r->st.bad_lines++;
        if (p <= 0)
            continue;
        r->st.records++;
        r->st.values += (long)rec->n;
        r->st.dropped += (long)rec->dropped;
        return 1;
    }
    if (rc < 0)
        return error_set(err, rc, "cannot read log input at line %ld", r->st.lines + 1);
    return 0;
}

enum pat_format pat_reader_format(const struct pat_reader *r)
{
    return r->fmt;
}

void pat_reader_stats(const struct pat_reader *r, struct pat_reader_stats *out)
{
    *out = r->st;
}

void pat_reader_free(struct pat_reader *r)
{
    if (!r)
        return;
    if (r->gz)
        inflateEnd(&r->zs);
    logs_scratch_free(r);
    free(r->zin);
    free(r->buf);
    free(r);
}
