/*
 * Demo seed for `concord init --demo`: the national CERTs of the ten ASEAN
 * member states and a regional hub as organisations (each with its STIX
 * identity), one analyst per organisation and a hub admin (random
 * passwords written to DIR/demo-credentials.txt, mode 0600), and demo
 * threat data in the "shared" collection: indicators on documentation
 * address ranges (RFC 5737) and example domains (RFC 2606), one of them in
 * two versions, a vulnerability, a sighting and a report.
 */
#include "cli/cli.h"

#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stix/id.h"
#include "stix/timestamp.h"
#include "util/banned.h"

static const struct {
    const char *name, *cc, *full;
} demo_orgs[] = {
    {"bn-cert", "BN", "BruCERT (Brunei Darussalam)"},
    {"kh-cert", "KH", "CamCERT (Cambodia)"},
    {"id-cert", "ID", "Gov-CSIRT Indonesia"},
    {"la-cert", "LA", "LaoCERT (Lao PDR)"},
    {"my-cert", "MY", "MyCERT (Malaysia)"},
    {"mm-cert", "MM", "mmCERT (Myanmar)"},
    {"ph-cert", "PH", "CERT-PH (Philippines)"},
    {"sg-cert", "SG", "SingCERT (Singapore)"},
    {"th-cert", "TH", "ThaiCERT (Thailand)"},
    {"vn-cert", "VN", "VNCERT/CC (Viet Nam)"},
};
#define N_ORGS (sizeof(demo_orgs) / sizeof(demo_orgs[0]))

#define TLP_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"

static void random_password(char out[24])
{
    unsigned char raw[12];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, 24, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void stix_now(char out[STIX_TS_MAX], int64_t offset_ms)
{
    int64_t us = (stix_now_us() / 1000 + offset_ms) * 1000;
    stix_ts_format_us(us, out);
    out[23] = 'Z'; /* millisecond precision */
    out[24] = '\0';
}

static json_t *sdo(const char *type, const char *creator, const char *ts)
{
    char id[128], uuid[STIX_UUID_LEN + 1];
    stix_uuid4(uuid);
    snprintf(id, sizeof(id), "%s--%s", type, uuid);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type, "spec_version", "2.1", "id",
                     id, "created", ts, "modified", ts, "created_by_ref", creator);
}

static json_t *indicator(const char *creator, const char *ts, const char *name,
                         const char *pattern, const char *tlp)
{
    json_t *o = sdo("indicator", creator, ts);
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
    json_object_set_new(o, "pattern", json_string(pattern));
    json_object_set_new(o, "pattern_type", json_string("stix"));
    json_object_set_new(o, "valid_from", json_string(ts));
    json_object_set_new(o, "object_marking_refs", json_pack("[s]", tlp));
    return o;
}

/* Indicators from every organisation, plus shared context objects. */
static json_t *demo_objects(const struct store_org *orgs)
{
    json_t *objs = json_array();
    char ts[STIX_TS_MAX], later[STIX_TS_MAX], pat[256], name[128];
    stix_now(ts, -60000);
    stix_now(later, 0);
    for (size_t i = 0; i < N_ORGS; i++) {
        for (int k = 1; k <= 3; k++) {
            snprintf(pat, sizeof(pat), "[ipv4-addr:value = '198.51.100.%zu']", i * 10 + (size_t)k);
            snprintf(name, sizeof(name), "C2 server reported by %s", demo_orgs[i].name);
            json_array_append_new(objs, indicator(orgs[i].identity_id, ts, name, pat,
                                                  k == 1 ? TLP_CLEAR : TLP_GREEN));
        }
        snprintf(pat, sizeof(pat), "[domain-name:value = 'phish-%s.example.com']",
                 demo_orgs[i].cc);
        json_array_append_new(objs, indicator(orgs[i].identity_id, ts, "Phishing domain", pat,
                                              TLP_GREEN));
    }
    /* a second version of the first indicator: the confidence was raised */
    json_t *v2 = json_deep_copy(json_array_get(objs, 0));
    json_object_set_new(v2, "modified", json_string(later));
    json_object_set_new(v2, "confidence", json_integer(85));
    json_array_append_new(objs, v2);
    json_t *vuln = sdo("vulnerability", orgs[7].identity_id, ts);
    json_object_set_new(vuln, "name", json_string("CVE-2024-3400"));
    json_object_set_new(vuln, "description",
                        json_string("Command injection in a VPN gateway used by energy and "
                                    "banking operators in several member states"));
    json_object_set_new(vuln, "external_references",
                        json_pack("[{s:s, s:s}]", "source_name", "cve", "external_id",
                                  "CVE-2024-3400"));
    json_object_set_new(vuln, "object_marking_refs", json_pack("[s]", TLP_CLEAR));
    json_array_append_new(objs, vuln);
    json_t *sight = sdo("sighting", orgs[4].identity_id, later);
    json_object_set(sight, "sighting_of_ref", json_object_get(json_array_get(objs, 0), "id"));
    json_object_set_new(sight, "count", json_integer(12));
    json_object_set_new(sight, "where_sighted_refs", json_pack("[s]", orgs[4].identity_id));
    json_object_set_new(sight, "object_marking_refs", json_pack("[s]", TLP_GREEN));
    json_array_append_new(objs, sight);
    json_t *rep = sdo("report", orgs[7].identity_id, later);
    json_object_set_new(rep, "name", json_string("Regional phishing wave, demo report"));
    json_object_set_new(rep, "published", json_string(later));
    json_object_set_new(rep, "report_types", json_pack("[s]", "threat-report"));
    json_t *refs = json_array();
    for (size_t i = 3; i < json_array_size(objs); i += 4)
        json_array_append(refs, json_object_get(json_array_get(objs, i), "id"));
    json_object_set_new(rep, "object_refs", refs);
    json_object_set_new(rep, "object_marking_refs", json_pack("[s]", TLP_GREEN));
    json_array_append_new(objs, rep);
    return objs;
}

static int write_credentials(const char *dir, const char *admin_pw, const char *analyst_pw,
                             struct error *err)
{
    char path[PATH_MAX];
    cli_path(path, dir, "demo-credentials.txt");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return error_set(err, ERR_IO, "cannot write '%s'", path);
    fprintf(f, "admin (asean-hub, node admin)    password: %s\n", admin_pw);
    fprintf(f, "<cc>-analyst, e.g. sg-analyst    password: %s\n", analyst_pw);
    fprintf(f, "  analysts: ");
    for (size_t i = 0; i < N_ORGS; i++)
        fprintf(f, "%.2s-analyst%s", demo_orgs[i].name, i + 1 < N_ORGS ? ", " : "\n");
    return fclose(f) == 0 ? 0 : error_set(err, ERR_IO, "cannot write '%s'", path);
}

static int seed_people(struct store *s, struct store_org *orgs, const char *admin_pw,
                       const char *analyst_pw, struct error *err)
{
    struct store_org hub;
    int r = cli_org_create(s, "asean-hub", NULL, "hub", "ASEAN regional coordination hub", &hub,
                           err);
    if (!r)
        r = cli_user_create(s, "admin", "asean-hub", STORE_ROLE_ADMIN, admin_pw, err);
    for (size_t i = 0; !r && i < N_ORGS; i++) {
        char user[64];
        r = cli_org_create(s, demo_orgs[i].name, demo_orgs[i].cc, "national-cert",
                           demo_orgs[i].full, &orgs[i], err);
        snprintf(user, sizeof(user), "%.2s-analyst", demo_orgs[i].name);
        if (!r)
            r = cli_user_create(s, user, demo_orgs[i].name, STORE_ROLE_MEMBER, analyst_pw, err);
    }
    return r;
}

int cli_demo_seed(const char *dir, struct store *s, struct error *err)
{
    char admin_pw[24], analyst_pw[24];
    struct store_org orgs[N_ORGS];
    struct store_coll shared;
    random_password(admin_pw);
    random_password(analyst_pw);
    int r = seed_people(s, orgs, admin_pw, analyst_pw, err);
    if (!r && store_coll_get(s, "shared", &shared) != 0)
        r = error_set(err, ERR_NOT_FOUND, "no 'shared' collection");
    if (!r) {
        json_t *env = json_pack("{s:o}", "objects", demo_objects(orgs));
        char *text = json_dumps(env, JSON_COMPACT);
        json_decref(env);
        r = cli_store_objects(s, shared.seq, text, strlen(text), err);
        free(text);
    }
    if (!r)
        r = write_credentials(dir, admin_pw, analyst_pw, err);
    return r;
}
