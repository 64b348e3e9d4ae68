/*
 * `concord poc`: the points-of-contact directory (src/coop/poc.c).
 *   add     a contact of an organisation (prints its identity id)
 *   verify  a new version with last_verified = now
 *   list    contacts, filtered by country, role, sector; text or --json
 *   export  every visible contact as JSON, CSV (RFC 4180) or vCard 4.0 (RFC 6350)
 * list and export read as the node, or as organisation --as ORG through the
 * sharing decision.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coop/coop.h"
#include "stix/timestamp.h"
#include "util/banned.h"

static const char poc_help[] =
    "usage: concord poc add -D DIR --org ORG --role ROLE --name NAME [--email E] [--phone P]\n"
    "                       [--messenger M] [--pgp FINGERPRINT]\n"
    "                       [--hours 24/7|\"09:00-17:00 Asia/Singapore\"] [--language L]...\n"
    "       concord poc verify -D DIR ID\n"
    "       concord poc list -D DIR [--country CC] [--role ROLE] [--sector S] [--as ORG] [--json]\n"
    "       concord poc export -D DIR --format json|csv|vcard [--as ORG]\n"
    "  ROLE: policy, technical, law-enforcement, defence\n";

struct poc_opts {
    const char *dir, *org, *as, *country, *role, *sector, *format;
    bool json;
    struct coop_poc p;
    size_t lang_len;
};

static void add_language(struct poc_opts *o, const char *l)
{
    size_t n = sizeof(o->p.languages);
    if (o->lang_len < n)
        o->lang_len += (size_t)snprintf(o->p.languages + o->lang_len, n - o->lang_len, "%s%s",
                                        o->lang_len ? "," : "", l);
}

#define COPY(field) snprintf(o->p.field, sizeof(o->p.field), "%s", optarg)

static int poc_opt(struct poc_opts *o, int c)
{
    switch (c) {
    case 'D': o->dir = optarg; break;
    case 'o': o->org = optarg; COPY(org); break;
    case 'r': o->role = optarg; COPY(role); break;
    case 'n': COPY(name); break;
    case 'e': COPY(email); break;
    case 'p': COPY(phone); break;
    case 'm': COPY(messenger); break;
    case 'g': COPY(pgp); break;
    case 'H': COPY(hours); break;
    case 'l': add_language(o, optarg); break;
    case 'c': o->country = optarg; break;
    case 's': o->sector = optarg; break;
    case 'a': o->as = optarg; break;
    case 'f': o->format = optarg; break;
    case 'j': o->json = true; break;
    default: return -1;
    }
    return 0;
}

static int poc_parse_opts(int argc, char **argv, struct poc_opts *o)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'D'},  {"org", required_argument, NULL, 'o'},
        {"role", required_argument, NULL, 'r'},  {"name", required_argument, NULL, 'n'},
        {"email", required_argument, NULL, 'e'}, {"phone", required_argument, NULL, 'p'},
        {"messenger", required_argument, NULL, 'm'}, {"pgp", required_argument, NULL, 'g'},
        {"hours", required_argument, NULL, 'H'}, {"language", required_argument, NULL, 'l'},
        {"country", required_argument, NULL, 'c'}, {"sector", required_argument, NULL, 's'},
        {"as", required_argument, NULL, 'a'},    {"format", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    memset(o, 0, sizeof(*o));
    while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("%s", poc_help);
            return 1;
        }
        if (poc_opt(o, c))
            return -1;
    }
    return 0;
}

static int fail(struct store *s, const struct error *err)
{
    fprintf(stderr, "concord: %s\n", err->msg);
    store_close(s);
    return CLI_FAIL;
}

static int poc_add(struct store *s, struct poc_opts *o)
{
    struct error err;
    char id[96];
    error_clear(&err);
    if (!o->org || !o->role || !o->p.name[0]) {
        fprintf(stderr, "concord: poc add needs --org, --role and --name\n");
        store_close(s);
        return CLI_USAGE;
    }
    if (coop_poc_add(s, &o->p, id, &err))
        return fail(s, &err);
    printf("%s\n", id);
    store_close(s);
    return CLI_OK;
}

static int poc_verify(struct store *s, const char *id)
{
    struct error err;
    error_clear(&err);
    if (coop_poc_verify(s, id, stix_now_us(), &err))
        return fail(s, &err);
    printf("%s verified\n", id);
    store_close(s);
    return CLI_OK;
}

/* ---- output ---- */

static json_t *poc_to_json(const struct coop_poc *p)
{
    json_t *langs = json_array();
    for (const char *q = p->languages; *q;) {
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        json_array_append_new(langs, json_stringn(q, n));
        q += n + (e ? 1 : 0);
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id",
                     p->id, "organization", p->org, "country", p->country, "role", p->role,
                     "name", p->name, "email", p->email, "phone", p->phone, "messenger",
                     p->messenger, "pgp_fingerprint", p->pgp, "hours", p->hours, "languages",
                     langs, "last_verified", p->last_verified, "modified", p->modified);
}

static int collect_json(void *ctx, const struct coop_poc *p)
{
    json_array_append_new(ctx, poc_to_json(p));
    return 0;
}

static int print_text(void *ctx, const struct coop_poc *p)
{
    printf("%-16s %-3s %-16s %-24s %-28s %-18s %-30s %-8s %s %s\n", p->org[0] ? p->org : "-",
           p->country[0] ? p->country : "-", p->role, p->name, p->email[0] ? p->email : "-",
           p->phone[0] ? p->phone : "-", p->hours[0] ? p->hours : "-",
           p->languages[0] ? p->languages : "-", p->last_verified, p->id);
    return 0;
}

/* RFC 4180: quote every field, double the quotes inside. */
static void csv_field(const char *v, bool last)
{
    putchar('"');
    for (; *v; v++) {
        if (*v == '"')
            putchar('"');
        putchar(*v);
    }
    fputs(last ? "\"\r\n" : "\",", stdout);
}

static int print_csv(void *ctx, const struct coop_poc *p)
{
    const char *f[] = {p->id,        p->org,   p->country,   p->role,   p->name,
                       p->email,     p->phone, p->messenger, p->pgp,    p->hours,
                       p->languages, p->last_verified};
    size_t n = sizeof(f) / sizeof(f[0]);
    for (size_t i = 0; i < n; i++)
        csv_field(f[i], i + 1 == n);
    return 0;
}

/*
 * vCard 4.0 (RFC 6350): text values escape \ , ; and newlines (§3.4);
 * content lines are folded at 75 octets (§3.2).
 */
struct vline {
    char buf[1024];
    size_t len;
};

static void vput(struct vline *l, const char *s, bool escape)
{
    for (; *s && l->len + 3 < sizeof(l->buf); s++) {
        if (escape && strchr("\\,;", *s))
            l->buf[l->len++] = '\\';
        if (escape && *s == '\n') {
            l->buf[l->len++] = '\\';
            l->buf[l->len++] = 'n';
            continue;
        }
        l->buf[l->len++] = *s;
    }
    l->buf[l->len] = '\0';
}

static void vemit(const char *name, const char *value, bool escape)
{
    if (!value || !*value)
        return;
    struct vline l = {.len = 0};
    vput(&l, name, false);
    vput(&l, ":", false);
    vput(&l, value, escape);
    for (size_t i = 0, col = 0; i < l.len; i++, col++) {
        /* fold before 75 octets, never inside a UTF-8 sequence */
        if (col >= 74 && ((unsigned char)l.buf[i] & 0xC0) != 0x80) {
            fputs("\r\n ", stdout);
            col = 1;
        }
        putchar(l.buf[i]);
    }
    fputs("\r\n", stdout);
}

static int print_vcard(void *ctx, const struct coop_poc *p)
{
    char uid[128], key[160];
    const char *uuid = strstr(p->id, "--");
    snprintf(uid, sizeof(uid), "urn:uuid:%s", uuid ? uuid + 2 : p->id);
    snprintf(key, sizeof(key), "%s%s", p->pgp[0] ? "openpgp4fpr:" : "", p->pgp);
    fputs("BEGIN:VCARD\r\nVERSION:4.0\r\n", stdout);
    vemit("UID", uid, false);
    vemit("FN", p->name, true);
    vemit("ORG", p->org, true);
    vemit("ROLE", p->role, true);
    vemit("EMAIL", p->email, true);
    vemit("TEL", p->phone, true);
    vemit("IMPP", p->messenger, true);
    vemit("KEY", key, false);
    for (const char *q = p->languages; *q;) {
        char one[32];
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        snprintf(one, sizeof(one), "%.*s", (int)(n < 31 ? n : 31), q);
        vemit("LANG", one, true);
        q += n + (e ? 1 : 0);
    }
    vemit("X-CONCORD-COUNTRY", p->country, true);
    vemit("X-CONCORD-HOURS", p->hours, true);
    vemit("X-CONCORD-LAST-VERIFIED", p->last_verified, true);
    vemit("REV", p->modified, false);
    fputs("END:VCARD\r\n", stdout);
    return 0;
}

/* ---- list / export ---- */

static int reader_filter(struct store *s, const struct poc_opts *o, struct coop_poc_filter *f,
                         struct error *err)
{
    memset(f, 0, sizeof(*f));
    f->country = o->country;
    f->role = o->role;
    f->sector = o->sector;
    f->everything = !o->as;
    if (o->as) {
        struct store_org org;
        if (store_org_get(s, o->as, &org) != 0)
            return error_set(err, ERR_NOT_FOUND, "no organisation '%s'", o->as);
        f->as_org = org.id;
    }
    return 0;
}

static int print_json_list(struct store *s, const struct coop_poc_filter *f, struct error *err)
{
    json_t *a = json_array();
    int r = coop_poc_list(s, f, collect_json, a, err);
    if (!r) {
        json_t *doc = json_pack("{s:o}", "contacts", a);
        char *text = json_dumps(doc, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
        json_decref(doc);
    } else {
        json_decref(a);
    }
    return r;
}

static int poc_list(struct store *s, const struct poc_opts *o, const char *format)
{
    struct error err;
    struct coop_poc_filter f;
    error_clear(&err);
    int r = reader_filter(s, o, &f, &err);
    if (!r && !strcmp(format, "json"))
        r = print_json_list(s, &f, &err);
    else if (!r && !strcmp(format, "csv")) {
        fputs("id,organization,country,role,name,email,phone,messenger,pgp_fingerprint,hours,"
              "languages,last_verified\r\n", stdout);
        r = coop_poc_list(s, &f, print_csv, NULL, &err);
    } else if (!r && !strcmp(format, "vcard"))
        r = coop_poc_list(s, &f, print_vcard, NULL, &err);
    else if (!r && !strcmp(format, "text"))
        r = coop_poc_list(s, &f, print_text, NULL, &err);
    else if (!r)
        r = error_set(&err, ERR_INVALID, "bad format '%s': expected json, csv or vcard", format);
    if (r)
        return fail(s, &err);
    store_close(s);
    return CLI_OK;
}

static int poc_run(struct store *s, struct poc_opts *o, int n, char **args)
{
    if (!strcmp(args[0], "add") && n == 1)
        return poc_add(s, o);
    if (!strcmp(args[0], "verify") && n == 2)
        return poc_verify(s, args[1]);
    if (!strcmp(args[0], "list") && n == 1)
        return poc_list(s, o, o->json ? "json" : "text");
    if (!strcmp(args[0], "export") && n == 1 && o->format)
        return poc_list(s, o, o->format);
    store_close(s);
    fprintf(stderr, "%s", poc_help);
    return CLI_USAGE;
}

int cmd_poc(int argc, char **argv)
{
    struct poc_opts o;
    int r = poc_parse_opts(argc, argv, &o);
    if (r)
        return r > 0 ? CLI_OK : (fprintf(stderr, "%s", poc_help), CLI_USAGE);
    int n = argc - optind;
    if (n < 1) {
        fprintf(stderr, "%s", poc_help);
        return CLI_USAGE;
    }
    struct store *s;
    if (!(o.dir = cli_data_dir(o.dir)) || cli_open_store(o.dir, &s))
        return CLI_FAIL;
    return poc_run(s, &o, n, argv + optind);
}
