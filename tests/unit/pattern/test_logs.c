/*
 * Unit tests for the log readers (src/pattern/logs*.c, jscan.c): format
 * detection, every extraction rule of every format on small inline
 * inputs, malformed and over-long lines, escapes, gzip input, the STIX
 * observation of a record, and counts on the real logs under
 * CONCORD_SOURCE_DIR/../shared/data (skipped with a message when absent).
 *
 * Records are rendered as text, one "kind role value" line per value and
 * "--" between records, so a test states what it expects with strstr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "pattern/jscan.h"
#include "pattern/logs.h"
#include "util/utf8.h"

#define DATA_DIR CONCORD_SOURCE_DIR "/../shared/data"
#define OUT_MAX (64 * 1024)

static const char *const roles[] = {"-", "src", "dst"};

/* Read all of input (len bytes) with fmt; render the records into out; stats into st. */
static int read_all_n(const char *input, size_t len, enum pat_format fmt, char *out,
                      struct pat_reader_stats *st)
{
    struct pat_reader *r;
    struct pat_record rec;
    struct error err;
    size_t o = 0;
    int rc;
    error_clear(&err);
    FILE *f = fmemopen((void *)input, len, "r");
    assert_non_null(f);
    assert_int_equal(pat_reader_open(&r, f, fmt, &err), 0);
    out[0] = '\0';
    while ((rc = pat_reader_next(r, &rec, &err)) == 1) {
        for (size_t i = 0; i < rec.n; i++)
            o += (size_t)snprintf(out + o, OUT_MAX - o, "%s %s %.*s\n",
                                  pat_vkind_name(rec.v[i].kind), roles[rec.v[i].role],
                                  (int)rec.v[i].len, rec.v[i].s);
        o += (size_t)snprintf(out + o, OUT_MAX - o, "--\n");
        assert_true(o < OUT_MAX - 256);
    }
    if (st)
        pat_reader_stats(r, st);
    pat_reader_free(r);
    fclose(f);
    return rc;
}

static int read_all(const char *input, enum pat_format fmt, char *out, struct pat_reader_stats *st)
{
    return read_all_n(input, strlen(input), fmt, out, st);
}

/* The first record of input. */
static void first_record(const char *input, enum pat_format fmt, struct pat_record *rec, char *copy)
{
    struct pat_reader *r;
    struct error err;
    error_clear(&err);
    memcpy(copy, input,
           strlen(input) +
               1); /* the record points into the reader: keep the reader's input alive */
    FILE *f = fmemopen(copy, strlen(copy), "r");
    assert_int_equal(pat_reader_open(&r, f, fmt, &err), 0);
    assert_int_equal(pat_reader_next(r, rec, &err), 1);
    /* values point into the reader's buffer: copy them out before freeing */
    static char keep[8192];
    size_t o = 0;
    for (size_t i = 0; i < rec->n; i++) {
        memcpy(keep + o, rec->v[i].s, rec->v[i].len);
        rec->v[i].s = keep + o;
        o += rec->v[i].len;
    }
    static char proto[16];
    if (rec->proto) {
        snprintf(proto, sizeof(proto), "%s", rec->proto);
        rec->proto = proto;
    }
    pat_reader_free(r);
    fclose(f);
}

#define HAS(out, s) assert_non_null(strstr((out), (s)))
#define LACKS(out, s) assert_null(strstr((out), (s)))

static void test_detect(void **state)
{
    (void)state;
#define DET(s) pat_format_detect((s), strlen(s))
    assert_int_equal(DET("{\"timestamp\":\"x\",\"event_type\":\"dns\"}"), PAT_FMT_EVE);
    assert_int_equal(DET("#separator \\x09"), PAT_FMT_ZEEK_TSV);
    assert_int_equal(DET("{\"@stream\":\"conn\",\"ts\":1.5}"), PAT_FMT_ZEEK_JSON);
    assert_int_equal(DET("{\"_path\":\"conn\"}"), PAT_FMT_ZEEK_JSON);
    assert_int_equal(DET("{\"ts\":1.5,\"uid\":\"C1\"}"), PAT_FMT_ZEEK_JSON);
    assert_int_equal(DET("{\"type\":\"ipv4-addr\",\"value\":\"1.2.3.4\"}"), PAT_FMT_JSONL);
    assert_int_equal(DET("1.2.3.4 - - [17/May/2015] \"GET /\""), PAT_FMT_TEXT);
    assert_int_equal(DET("{\"no\":\"known keys\"}"), PAT_FMT_TEXT);
    assert_int_equal(DET("{\"a\":\"event_type\"}"), PAT_FMT_TEXT); /* a value, not a key */
#undef DET
    enum pat_format f;
    assert_int_equal(pat_format_parse("eve", &f), 0);
    assert_int_equal(f, PAT_FMT_EVE);
    assert_int_equal(pat_format_parse("nope", &f), ERR_INVALID);
    assert_string_equal(pat_format_name(PAT_FMT_ZEEK_JSON), "zeek-json");
}

static const char eve_http[] =
    "{\"timestamp\":\"2022-02-08T09:40:29.080710-0500\",\"flow_id\":1,\"event_type\":\"http\","
    "\"src_ip\":\"10.2.8.102\",\"src_port\":49730,\"dest_ip\":\"91.240.118.172\","
    "\"dest_port\":80,\"proto\":\"TCP\",\"http\":{\"hostname\":\"Evil.Example.COM\","
    "\"url\":\"/hh/hh.html?a=1\",\"http_user_agent\":\"Mozilla/4.0\",\"status\":200}}\n";

static void test_eve_http(void **state)
{
    struct pat_record rec;
    static char copy[4096], out[OUT_MAX];
    (void)state;
    first_record(eve_http, PAT_FMT_AUTO, &rec, copy);
    assert_int_equal(rec.time_ns, 1644331229080710000LL);
    assert_int_equal(rec.src_port, 49730);
    assert_int_equal(rec.dst_port, 80);
    assert_string_equal(rec.proto, "tcp");
    assert_int_equal(rec.line, 1);
    assert_int_equal(read_all(eve_http, PAT_FMT_EVE, out, NULL), 0);
    HAS(out, "ipv4-addr src 10.2.8.102\n");
    HAS(out, "ipv4-addr dst 91.240.118.172\n");
    HAS(out, "domain-name - evil.example.com\n");
    HAS(out, "url - http://evil.example.com/hh/hh.html?a=1\n");
    /* a port other than 80, and a hostname that is the address already seen */
    assert_int_equal(read_all("{\"event_type\":\"http\",\"dest_ip\":\"1.2.3.4\",\"http\":{"
                              "\"hostname\":\"1.2.3.4\",\"url\":\"/x\",\"http_port\":8080}}\n",
                              PAT_FMT_EVE, out, NULL),
                     0);
    assert_string_equal(out, "ipv4-addr dst 1.2.3.4\nurl - http://1.2.3.4:8080/x\n--\n");
    /* proxy request: the url is absolute already */
    read_all("{\"event_type\":\"http\",\"http\":{\"hostname\":\"p.example\",\"url\":"
             "\"http://other.example/a\"}}\n",
             PAT_FMT_EVE, out, NULL);
    assert_string_equal(out, "url - http://other.example/a\n--\n");
}

static void test_eve_dns(void **state)
{
    static char out[OUT_MAX];
    (void)state;
    const char *in =
        "{\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"query\","
        "\"rrname\":\"WWW.Example.com.\",\"rrtype\":\"A\"}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"version\":2,\"type\":\"answer\",\"rrname\":"
        "\"a.example\",\"answers\":[{\"rrname\":\"a.example\",\"rrtype\":\"CNAME\",\"rdata\":"
        "\"B.example\"},{\"rrname\":\"b.example\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.7\"},"
        "{\"rrname\":\"b.example\",\"rrtype\":\"AAAA\",\"rdata\":\"2001:0db8:0000:0000:0000:0000:"
        "0000:0001\"},{\"rrname\":\"b.example\",\"rrtype\":\"TXT\",\"rdata\":\"v=spf1 -all\"}],"
        "\"grouped\":{\"A\":[\"192.0.2.8\"],\"MX\":[\"mail.example\"]}}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"queries\":[{\"rrname\":\"q1.example\"},{\"rrname\":"
        "\"q2.example\"}]}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"query\":[{\"rrname\":\"q3.example\"}]}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"type\":\"answer\",\"rrname\":\"old.example\","
        "\"rrtype\":\"A\",\"rdata\":\"198.51.100.1\"}}\n";
    assert_int_equal(read_all(in, PAT_FMT_AUTO, out, NULL), 0);
    HAS(out, "domain-name - www.example.com\n");
    HAS(out, "domain-name - a.example\n");
    HAS(out, "domain-name - b.example\n");
    HAS(out, "ipv4-addr - 192.0.2.7\n");
    HAS(out, "ipv6-addr - 2001:db8::1\n");
    HAS(out, "ipv4-addr - 192.0.2.8\n");
    HAS(out, "domain-name - mail.example\n");
    HAS(out, "domain-name - q1.example\ndomain-name - q2.example\n");
    HAS(out, "domain-name - q3.example\n");
    HAS(out, "domain-name - old.example\nipv4-addr - 198.51.100.1\n");
    LACKS(out, "spf1");
}

static void test_eve_tls_files_mail(void **state)
{
    static char out[OUT_MAX];
    (void)state;
    const char *in =
        "{\"event_type\":\"tls\",\"src_ip\":\"fe80:0000:0000:0000:0200:5efe:c0a8:0001\","
        "\"tls\":{\"sni\":\"Login.Example.NET\",\"subject\":\"CN=x\"}}\n"
        "{\"event_type\":\"fileinfo\",\"fileinfo\":{\"filename\":\"/dl/Setup.EXE\","
        "\"md5\":\"D41D8CD98F00B204E9800998ECF8427E\",\"sha1\":"
        "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"sha256\":"
        "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}}\n"
        "{\"event_type\":\"smtp\",\"smtp\":{\"helo\":\"x\",\"mail_from\":\"<a@example.org>\","
        "\"rcpt_to\":[\"<b@example.org>\",\"<c@example.org>\"]},\"email\":{\"from\":"
        "\"\\\"Eve\\\" <eve@example.net>\",\"to\":[\"bob@example.net\"],\"attachment\":"
        "[\"invoice.doc\"]}}\n";
    assert_int_equal(read_all(in, PAT_FMT_EVE, out, NULL), 0);
    HAS(out, "ipv6-addr src fe80::200:5efe:c0a8:1\n");
    HAS(out, "domain-name - login.example.net\n");
    HAS(out, "file-name - Setup.EXE\n");
    HAS(out, "md5 - d41d8cd98f00b204e9800998ecf8427e\n");
    HAS(out, "sha1 - da39a3ee5e6b4b0d3255bfef95601890afd80709\n");
    HAS(out, "sha256 - e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    HAS(out, "email-addr - a@example.org\n");
    HAS(out, "email-addr - b@example.org\nemail-addr - c@example.org\n");
    HAS(out, "email-addr - eve@example.net\n");
    HAS(out, "email-addr - bob@example.net\n");
    HAS(out, "file-name - invoice.doc\n");
}

static void test_eve_escapes(void **state)
{
    static char out[OUT_MAX];
    (void)state;
    const char *in = "{\"event_type\":\"http\",\"http\":{\"hostname\":\"\\u0061b.example\","
                     "\"url\":\"\\/p\\\\q\\u00e9\\ud83d\\ude00\"},\"fileinfo\":{\"filename\":"
                     "\"C:\\\\Users\\\\x\\\\a\\tb.txt\"}}\n";
    assert_int_equal(read_all(in, PAT_FMT_EVE, out, NULL), 0);
    HAS(out, "domain-name - ab.example\n");
    HAS(out, "url - http://ab.example/p\\q\xc3\xa9\xf0\x9f\x98\x80\n");
    /* a name holding a control character (decoded \t) is not a usable file name */
    LACKS(out, "file-name");
}

static void test_eve_malformed(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    (void)state;
    const char *bad[] = {
        "{\"event_type\":\"dns\"",    /* truncated */
        "{\"event_type\":\"dns\",}",  /* trailing comma */
        "{\"event_type\" \"dns\"}",   /* no colon */
        "{\"a\":\"\\x\"}",            /* bad escape */
        "{\"a\":\"\\ud800\"}",        /* lone high surrogate */
        "{\"a\":\"\\udc00\"}",        /* lone low surrogate */
        "{\"a\":\"\\u12g4\"}",        /* bad hex */
        "{\"a\":\"tab\there\"}",      /* raw control character */
        "{\"a\":\"\xc3\x28\"}",       /* invalid UTF-8 */
        "{\"a\":\"\xe0\x80\xaf\"}",   /* overlong */
        "{\"a\":01}",                 /* leading zero */
        "{\"a\":1.}",                 /* bad fraction */
        "{\"a\":tru}",                /* bad literal */
        "{\"a\":[1,2,]}",             /* trailing comma in array */
        "[1,2]",                      /* not an object */
        "{\"a\":1} x",                /* garbage after */
        "{\"a\":1}}",                 /* extra brace */
        "{\"a\":{\"b\":[{\"c\":]}}}", /* missing value */
        "{'a':1}",                    /* single quotes */
    };
    char in[4096] = "";
    size_t o = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        o += (size_t)snprintf(in + o, sizeof(in) - o, "%s\n", bad[i]);
    snprintf(in + o, sizeof(in) - o, "{\"event_type\":\"flow\",\"src_ip\":\"192.0.2.1\"}\n");
    assert_int_equal(read_all(in, PAT_FMT_EVE, out, &st), 0);
    assert_int_equal(st.bad_lines, (long)(sizeof(bad) / sizeof(bad[0])));
    assert_int_equal(st.records, 1);
    assert_string_equal(out, "ipv4-addr src 192.0.2.1\n--\n");
    /* deep nesting is refused, not a stack overflow */
    char deep[1024];
    size_t d = 0;
    d += (size_t)snprintf(deep, sizeof(deep), "{\"a\":");
    for (int i = 0; i < 200; i++)
        deep[d++] = '[';
    deep[d++] = '\n';
    deep[d] = '\0';
    assert_int_equal(read_all(deep, PAT_FMT_EVE, out, &st), 0);
    assert_int_equal(st.bad_lines, 1);
}

static void test_eve_stats_and_limits(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    (void)state;
    /* stats events are not read past event_type (not even checked) */
    assert_int_equal(read_all("{\"event_type\":\"stats\",\"stats\":{\"src_ip\":\"1.1.1.1\"\n",
                              PAT_FMT_EVE, out, &st),
                     0);
    assert_int_equal(st.records, 1);
    assert_string_equal(out, "--\n");
    /* more values than a record holds: the rest are dropped and counted */
    static char many[16384];
    size_t o =
        (size_t)snprintf(many, sizeof(many), "{\"event_type\":\"dns\",\"dns\":{\"answers\":[");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(many + o, sizeof(many) - o,
                              "%s{\"rrtype\":\"A\",\"rdata\":\"10.0.%d.%d\"}", i ? "," : "",
                              i / 250, i % 250);
    snprintf(many + o, sizeof(many) - o, "]}}\n");
    assert_int_equal(read_all(many, PAT_FMT_EVE, out, &st), 0);
    assert_int_equal(st.values, PAT_RECORD_VALUES);
    assert_int_equal(st.dropped, 100 - PAT_RECORD_VALUES);
}

static void test_long_lines(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    (void)state;
    /* a 3 MB line (crosses many read chunks), then one over PAT_LINE_MAX, then a short one */
    size_t big = 3u * 1024 * 1024, huge = PAT_LINE_MAX + 1024;
    char *in = malloc(big + huge + 256);
    size_t o = (size_t)snprintf(in, 64, "{\"event_type\":\"tls\",\"pad\":\"");
    memset(in + o, 'x', big);
    o += big;
    o += (size_t)snprintf(in + o, 64, "\",\"tls\":{\"sni\":\"big.example\"}}\n{\"pad\":\"");
    memset(in + o, 'y', huge);
    o += huge;
    o += (size_t)snprintf(in + o, 128,
                          "\"}\n{\"event_type\":\"tls\",\"tls\":{\"sni\":\"after.example\"}}");
    assert_int_equal(read_all_n(in, o, PAT_FMT_EVE, out, &st), 0);
    free(in);
    assert_string_equal(out, "domain-name - big.example\n--\ndomain-name - after.example\n--\n");
    assert_int_equal(st.bad_lines, 1);
    assert_int_equal(st.long_lines, 1);
    assert_int_equal(st.lines, 3);
}

static const char zeek_tsv[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tanswers\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tvector[string]\n"
    "1521911720.865716\tC1\t10.47.1.100\t41772\t10.0.0.100\t53\tudp\tISE.wrccdc.org\t"
    "ise.wrccdc.cpp.edu,134.71.3.16\n"
    "1521911720.9\tC2\t10.47.1.100\t41773\t10.0.0.100\t53\tudp\t-\t(empty)\n"
    "1521911721.0\tC3\t10.47.1.100\t41773\n" /* too few columns */
    "#close\t2024\n"
    "#separator \\x09\n#set_separator\t,\n#path\thttp\n"
    "#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\thost\turi\tmd5\tmailfrom\trcptto\tfilename\n"
    "1.5\t10.0.0.1\t192.0.2.9\t8080\tWeb.Example:8080\t/a\\x2cb?c=d\t-\t-\t-\t-\n"
    "2.5\t10.0.0.1\t192.0.2.9\t25\t-\t-\tD41D8CD98F00B204E9800998ECF8427E\t<m@example.org>\t"
    "x@example.org,y\\x2cz@example.org\tC:\\x5cdir\\x5cf.exe\n";

static void test_zeek_tsv(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    struct pat_record rec;
    static char copy[4096];
    (void)state;
    first_record(zeek_tsv, PAT_FMT_AUTO, &rec, copy);
    assert_int_equal(rec.time_ns, 1521911720865716000LL);
    assert_int_equal(rec.src_port, 41772);
    assert_int_equal(rec.dst_port, 53);
    assert_string_equal(rec.proto, "udp");
    assert_int_equal(read_all(zeek_tsv, PAT_FMT_ZEEK, out, &st), 0);
    HAS(out, "ipv4-addr src 10.47.1.100\nipv4-addr dst 10.0.0.100\ndomain-name - ise.wrccdc.org\n"
             "domain-name - ise.wrccdc.cpp.edu\nipv4-addr - 134.71.3.16\n--\n"
             "ipv4-addr src 10.47.1.100\nipv4-addr dst 10.0.0.100\n--\n");
    HAS(out, "domain-name - web.example\nurl - http://web.example:8080/a,b?c=d\n");
    HAS(out, "md5 - d41d8cd98f00b204e9800998ecf8427e\n");
    HAS(out, "email-addr - m@example.org\n");
    HAS(out, "email-addr - x@example.org\n");
    LACKS(out, "y,z@"); /* an escaped ',' inside a set element: not an address */
    HAS(out, "file-name - f.exe\n");
    assert_int_equal(st.bad_lines, 1);
    assert_int_equal(st.records, 4);
    /* a data line before any #fields header is bad */
    assert_int_equal(read_all("#separator \\x09\n1.0\tx\n", PAT_FMT_ZEEK_TSV, out, &st), 0);
    assert_int_equal(st.bad_lines, 1);
}

static void test_zeek_json(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    struct pat_record rec;
    static char copy[4096];
    (void)state;
    const char *in =
        "{\"@stream\":\"dns\",\"ts\":1588205199.82437,\"uid\":\"C\",\"id_orig_h\":\"10.0.1.6\","
        "\"id_orig_p\":54243,\"id_resp_h\":\"10.0.0.4\",\"id_resp_p\":53,\"proto\":\"udp\","
        "\"query\":\"newyork.dmevals.local\",\"answers\":[\"10.0.0.4\",\"x.example\"],"
        "\"TTLs\":[3600.0]}\n"
        "{\"_path\":\"http\",\"ts\":\"2020-04-30T00:06:39.5Z\",\"id.orig_h\":\"10.0.1.4\","
        "\"id.resp_h\":\"192.168.0.4\",\"id.resp_p\":8080,\"host\":\"192.168.0.4\",\"uri\":\"/\"}\n"
        "{\"_path\":\"files\",\"ts\":1.0,\"tx_hosts\":[\"10.0.0.4\"],\"rx_hosts\":[\"10.0.1.6\"],"
        "\"md5\":\"cc85d7649546d3c0b1607f761b73fec2\",\"filename\":\"a\\\\b\\\\gpt.ini\"}\n"
        "{\"_path\":\"ssl\",\"ts\":1.0,\"server_name\":\"Secure.Example\"}\n"
        "{\"_path\":\"broken\",\"ts\":1.0,\n";
    first_record(in, PAT_FMT_AUTO, &rec, copy);
    assert_int_equal(rec.time_ns, 1588205199824370000LL);
    assert_int_equal(rec.src_port, 54243);
    assert_string_equal(rec.proto, "udp");
    assert_int_equal(read_all(in, PAT_FMT_AUTO, out, &st), 0);
    HAS(out, "ipv4-addr src 10.0.1.6\nipv4-addr dst 10.0.0.4\n"
             "domain-name - newyork.dmevals.local\ndomain-name - x.example\n--\n");
    HAS(out, "ipv4-addr src 10.0.1.4\nipv4-addr dst 192.168.0.4\nurl - http://192.168.0.4:8080/\n");
    HAS(out, "ipv4-addr src 10.0.0.4\nipv4-addr dst 10.0.1.6\n"
             "md5 - cc85d7649546d3c0b1607f761b73fec2\nfile-name - gpt.ini\n");
    HAS(out, "domain-name - secure.example\n");
    assert_int_equal(st.records, 4);
    assert_int_equal(st.bad_lines, 1);
}

static void test_jsonl(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    (void)state;
    const char *in =
        "{\"type\":\"domain-name\",\"id\":\"domain-name--1\",\"value\":\"Bad.Example\"}\n"
        "{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\",\"objects\":{"
        "\"0\":{\"type\":\"ipv4-addr\",\"value\":\"198.51.100.2\"},\"1\":{\"type\":\"ipv6-addr\","
        "\"value\":\"2001:DB8::5\"},\"2\":{\"type\":\"network-traffic\",\"src_ref\":\"1\","
        "\"dst_ref\":\"0\",\"dst_port\":443,\"protocols\":[\"TCP\"]}}}\n"
        "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"file\",\"id\":\"file--"
        "1\","
        "\"name\":\"x.dll\",\"hashes\":{\"SHA-256\":\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B"
        "934CA495991B7852B855\",\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\",\"ssdeep\":\"3::\"}},"
        "{\"type\":\"url\",\"id\":\"url--1\",\"value\":\"https://x.example/a\"},"
        "{\"type\":\"email-addr\",\"id\":\"email-addr--1\",\"value\":\"u@x.example\"}]}\n"
        "{\"type\":\"bundle\",\"objects\":[ broken\n";
    assert_int_equal(read_all(in, PAT_FMT_AUTO, out, &st), 0);
    HAS(out, "domain-name - bad.example\n--\n");
    HAS(out, "ipv4-addr dst 198.51.100.2\nipv6-addr src 2001:db8::5\n--\n");
    HAS(out, "sha256 - e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    HAS(out, "md5 - d41d8cd98f00b204e9800998ecf8427e\n");
    HAS(out, "file-name - x.dll\n");
    HAS(out, "url - https://x.example/a\n");
    HAS(out, "email-addr - u@x.example\n");
    assert_int_equal(st.records, 3);
    assert_int_equal(st.bad_lines, 1);
}

static void test_text(void **state)
{
    static char out[OUT_MAX];
    (void)state;
    const char *in =
        "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/kibana-search.png "
        "HTTP/1.1\" 200 203023 \"http://semicomplete.com/presentations/logstash/\" "
        "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36\"\n"
        "Mar 27 13:06:56 ip-10-77-20-248 sshd[1291]: Failed password for root from "
        "218.92.0.190 port 33780 ssh2\n"
        "see HTTPS://Www.Example.org/a?b=c, mail admin@Example.ORG or mailto:x@y.example; "
        "run setup.exe v1.2.3 e.g. java.lang\n"
        "hash=D41D8CD98F00B204E9800998ECF8427E sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709 "
        "not-a-hash deadbeef 12:34:56 [2001:db8::1]:443 fe80::1%eth0 1.2.3.4:8080 "
        "010.1.1.1 999.1.1.1 evil.example.com/path\n";
    assert_int_equal(read_all(in, PAT_FMT_AUTO, out, NULL), 0);
    HAS(out, "ipv4-addr - 83.149.9.216\n");
    HAS(out, "url - http://semicomplete.com/presentations/logstash/\n"
             "domain-name - semicomplete.com\n");
    LACKS(out, "kibana");
    LACKS(out, "10_9_1");
    HAS(out, "ipv4-addr - 218.92.0.190\n");
    HAS(out, "url - https://www.example.org/a?b=c\ndomain-name - www.example.org\n");
    HAS(out, "email-addr - admin@example.org\n");
    HAS(out, "email-addr - x@y.example\n");
    LACKS(out, "setup.exe");
    LACKS(out, "1.2.3\n");
    LACKS(out, "e.g");
    HAS(out, "md5 - d41d8cd98f00b204e9800998ecf8427e\n");
    HAS(out, "sha1 - da39a3ee5e6b4b0d3255bfef95601890afd80709\n");
    LACKS(out, "deadbeef");
    LACKS(out, "12:34");
    HAS(out, "ipv6-addr - 2001:db8::1\n");
    HAS(out, "ipv6-addr - fe80::1\n");
    HAS(out, "ipv4-addr - 1.2.3.4\n");
    LACKS(out, "010.1.1.1");
    LACKS(out, "999.1");
    HAS(out, "domain-name - evil.example.com\n");
}

static void test_lines_crlf_gzip(void **state)
{
    static char out[OUT_MAX];
    struct pat_reader_stats st;
    (void)state;
    const char *plain = "\r\n\n{\"event_type\":\"tls\",\"tls\":{\"sni\":\"a.example\"}}\r\n\n"
                        "{\"event_type\":\"tls\",\"tls\":{\"sni\":\"b.example\"}}";
    assert_int_equal(read_all(plain, PAT_FMT_AUTO, out, &st), 0);
    assert_string_equal(out, "domain-name - a.example\n--\ndomain-name - b.example\n--\n");
    assert_int_equal(st.bad_lines, 0);
    /* the same as two gzip members back to back */
    unsigned char gz[1024];
    size_t glen = 0, half = strlen(plain) / 2;
    for (int m = 0; m < 2; m++) {
        z_stream zs = {0};
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                         Z_OK);
        zs.next_in = (unsigned char *)plain + (m ? half : 0);
        zs.avail_in = (uInt)(m ? strlen(plain) - half : half);
        zs.next_out = gz + glen;
        zs.avail_out = (uInt)(sizeof(gz) - glen);
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        glen = sizeof(gz) - zs.avail_out;
        deflateEnd(&zs);
    }
    assert_int_equal(read_all_n((char *)gz, glen, PAT_FMT_AUTO, out, &st), 0);
    assert_string_equal(out, "domain-name - a.example\n--\ndomain-name - b.example\n--\n");
    /* a truncated gzip stream is an I/O error, not silent success */
    assert_int_equal(read_all_n((char *)gz, glen / 2 + 5, PAT_FMT_EVE, out, &st), ERR_IO);
}

static void test_observation(void **state)
{
    struct pat_record rec;
    static char copy[4096];
    json_t *roots, *by_ref;
    (void)state;
    const char *in =
        "{\"event_type\":\"fileinfo\",\"src_ip\":\"10.0.0.1\",\"src_port\":80,\"dest_ip\":"
        "\"10.0.0.2\",\"dest_port\":5555,\"proto\":\"TCP\",\"http\":{\"hostname\":\"h.example\","
        "\"url\":\"/f.bin\"},\"fileinfo\":{\"filename\":\"/f.bin\",\"md5\":"
        "\"d41d8cd98f00b204e9800998ecf8427e\",\"sha256\":"
        "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}\n";
    first_record(in, PAT_FMT_EVE, &rec, copy);
    assert_int_equal(pat_record_observation(&rec, &roots, &by_ref), 0);
    /* 2 addresses, file, domain, url, network-traffic */
    assert_int_equal(json_array_size(roots), 6);
    assert_int_equal(json_object_size(by_ref), 6);
    json_t *nt = NULL, *file = NULL, *o;
    size_t i;
    json_array_foreach (roots, i, o) {
        const char *t = json_string_value(json_object_get(o, "type"));
        if (strcmp(t, "network-traffic") == 0)
            nt = o;
        if (strcmp(t, "file") == 0)
            file = o;
        assert_ptr_equal(json_object_get(by_ref, json_string_value(json_object_get(o, "id"))), o);
    }
    assert_non_null(nt);
    json_t *src = json_object_get(by_ref, json_string_value(json_object_get(nt, "src_ref")));
    json_t *dst = json_object_get(by_ref, json_string_value(json_object_get(nt, "dst_ref")));
    assert_string_equal(json_string_value(json_object_get(src, "value")), "10.0.0.1");
    assert_string_equal(json_string_value(json_object_get(dst, "value")), "10.0.0.2");
    assert_string_equal(json_string_value(json_object_get(src, "type")), "ipv4-addr");
    assert_int_equal(json_integer_value(json_object_get(nt, "src_port")), 80);
    assert_int_equal(json_integer_value(json_object_get(nt, "dst_port")), 5555);
    assert_string_equal(json_string_value(json_array_get(json_object_get(nt, "protocols"), 0)),
                        "tcp");
    assert_non_null(file);
    assert_string_equal(json_string_value(json_object_get(file, "name")), "f.bin");
    json_t *h = json_object_get(file, "hashes");
    assert_string_equal(json_string_value(json_object_get(h, "MD5")),
                        "d41d8cd98f00b204e9800998ecf8427e");
    assert_non_null(json_object_get(h, "SHA-256"));
    json_decref(roots);
    json_decref(by_ref);
    /* no roles: no network-traffic */
    first_record("{\"type\":\"domain-name\",\"value\":\"a.example\"}\n", PAT_FMT_JSONL, &rec, copy);
    assert_int_equal(pat_record_observation(&rec, &roots, &by_ref), 0);
    assert_int_equal(json_array_size(roots), 1);
    json_decref(roots);
    json_decref(by_ref);
}

static void test_jscan(void **state)
{
    struct pat_jscan j;
    struct pat_jstr k, s;
    int i = 0;
    (void)state;
    char doc[] =
        " { \"k\" : \"a\\u00e9\\n\" , \"n\" : -1.5e3 , \"o\" : {\"x\":[true,false,null]} } ";
    pat_jscan_init(&j, doc, strlen(doc));
    assert_int_equal(pat_jscan_obj_begin(&j), 0);
    assert_int_equal(pat_jscan_obj_next(&j, &i, &k), 1);
    assert_true(PAT_JSTR_IS(&k, "k"));
    assert_int_equal(pat_jscan_string(&j, &s), 0);
    assert_true(s.esc);
    assert_int_equal(pat_jstr_decode(&s), 4);
    assert_memory_equal(s.s, "a\xc3\xa9\n", 4);
    assert_int_equal(pat_jscan_obj_next(&j, &i, &k), 1);
    const char *num;
    size_t nlen;
    assert_int_equal(pat_jscan_number(&j, &num, &nlen), 0);
    assert_int_equal(nlen, 6);
    assert_int_equal(pat_jscan_obj_next(&j, &i, &k), 1);
    assert_int_equal(pat_jscan_skip(&j), 0);
    assert_int_equal(pat_jscan_obj_next(&j, &i, &k), 0);
    assert_int_equal(pat_jscan_finish(&j), 0);
    assert_true(utf8_valid("\xf0\x9f\x98\x80", 4));
    assert_false(utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

/* ---- real data (skipped when the shared data directory is absent) ---- */

static bool have_file(const char *path)
{
    if (access(path, R_OK) == 0)
        return true;
    printf("SKIP: %s not found (shared data absent)\n", path);
    return false;
}

static void count_file(const char *path, enum pat_format fmt, struct pat_reader_stats *st,
                       enum pat_format *used)
{
    struct pat_reader *r;
    struct pat_record rec;
    struct error err;
    error_clear(&err);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(pat_reader_open(&r, f, fmt, &err), 0);
    while (pat_reader_next(r, &rec, &err) == 1) {
        json_t *roots, *by_ref;
        assert_int_equal(pat_record_observation(&rec, &roots, &by_ref), 0);
        json_decref(roots);
        json_decref(by_ref);
    }
    assert_int_equal(err.code, 0);
    pat_reader_stats(r, st);
    *used = pat_reader_format(r);
    pat_reader_free(r);
    fclose(f);
}

static void test_real_logs(void **state)
{
    struct pat_reader_stats st;
    enum pat_format used;
    (void)state;
    const char *eve = DATA_DIR "/logs/suricata/eve-2.json";
    if (have_file(eve)) {
        count_file(eve, PAT_FMT_AUTO, &st, &used);
        assert_int_equal(used, PAT_FMT_EVE);
        assert_int_equal(st.records, 2401);
        assert_int_equal(st.bad_lines, 0);
        assert_true(st.values > 2 * 2400);
        printf("eve-2.json: %ld records, %ld values\n", st.records, st.values);
    }
    const char *apt = DATA_DIR "/logs/zeek-otrf-apt29/apt29-day1-combined_zeek.json.log";
    if (have_file(apt)) {
        count_file(apt, PAT_FMT_AUTO, &st, &used);
        assert_int_equal(used, PAT_FMT_ZEEK_JSON);
        assert_int_equal(st.records, 2140);
        assert_int_equal(st.bad_lines, 0);
        printf("apt29 day 1: %ld records, %ld values\n", st.records, st.values);
    }
    const char *dns = DATA_DIR "/logs/zeek-wrccdc2018/dns.log.gz";
    if (have_file(dns)) {
        count_file(dns, PAT_FMT_AUTO, &st, &used);
        assert_int_equal(used, PAT_FMT_ZEEK_TSV);
        assert_int_equal(st.records, 53615);
        assert_int_equal(st.bad_lines, 0);
        printf("wrccdc dns.log.gz: %ld records, %ld values\n", st.records, st.values);
    }
    const char *apache = DATA_DIR "/logs/http/apache_access_combined.log";
    if (have_file(apache)) {
        count_file(apache, PAT_FMT_AUTO, &st, &used);
        assert_int_equal(used, PAT_FMT_TEXT);
        assert_int_equal(st.records, 10000);
        assert_true(st.values >= 10000);
        printf("apache access log: %ld records, %ld values\n", st.records, st.values);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_eve_http),
        cmocka_unit_test(test_eve_dns),
        cmocka_unit_test(test_eve_tls_files_mail),
        cmocka_unit_test(test_eve_escapes),
        cmocka_unit_test(test_eve_malformed),
        cmocka_unit_test(test_eve_stats_and_limits),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_zeek_tsv),
        cmocka_unit_test(test_zeek_json),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_lines_crlf_gzip),
        cmocka_unit_test(test_observation),
        cmocka_unit_test(test_jscan),
        cmocka_unit_test(test_real_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
