/*
 * The CSAF 2.0 reader: one CSAF document (OASIS CSAF 2.0, §3) to STIX 2.1
 * `vulnerability` objects.  Only what Concord needs is read; the document
 * is outside input, so every property is checked for its JSON type before
 * use and a missing required property is a precise error naming its path
 * ("document.tracking.id missing").  Nothing here does I/O.
 *
 * Mapping (docs/coop.md): name = CVE id, else "<tracking id>-<index>";
 * external_references: the CVE and the advisory (publisher, tracking id,
 * self link); description from the vulnerability's notes or title; the
 * Concord property extension holds products per status, remediations,
 * CVSS v3 scores, sectors and countries (from CISA's "other" notes, raw
 * text kept) and the advisory's tracking data.  The TLP label becomes the
 * object's TLP 2.0 marking.  Ids are derived from tracking id + CVE (or
 * index), so a re-import is idempotent and a new revision is a new version.
 */
#include "coop/coop.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "share/share.h"
#include "stix/timestamp.h"
#include "util/banned.h"

#define CSAF_MAX_VULNS 5000

struct csaf {
    json_t *root;          /* borrowed */
    const char *track_id;
    const char *publisher;
    const char *title;
    const char *self_url;  /* may be NULL */
    char created[STIX_TS_MAX];
    char modified[STIX_TS_MAX];
    const char *version;
    enum share_tlp tlp;
    json_t *sectors, *countries, *raw; /* owned */
    bool worldwide;
};

void coop_det_id(char out[96], const char *type, const char *name)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)name, strlen(name),
                       (const unsigned char *)"concord", 7);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* version 5 style */
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 96,
             "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", type,
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
             h[13], h[14], h[15]);
}

json_t *coop_advisory_extension_def(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s}", "type",
                     "extension-definition", "spec_version", "2.1", "id",
                     COOP_ADVISORY_EXTENSION, "created_by_ref", SHARE_CONCORD_IDENTITY, "created",
                     "2026-11-01T00:00:00.000Z", "modified", "2026-11-01T00:00:00.000Z", "name",
                     "Concord critical-infrastructure advisory", "description",
                     "CSAF advisory data on vulnerabilities (products, remediations, scores, "
                     "sectors, countries) and per-organisation advisory status on notes",
                     "schema", "https://concord.example/schemas/advisory-1.json",
                     "extension_types", "property-extension", "version", "1.0");
}

/* The string at a dotted path below obj, or NULL. */
static const char *str_at(json_t *obj, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(obj, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    return json_string_value(v);
}

static int ts_of(const char *s, char out[STIX_TS_MAX])
{
    int64_t ns;
    int digits;
    if (!s || stix_ts_parse(s, strlen(s), &ns, &digits))
        return -1;
    stix_ts_format_us(ns / 1000, out);
    return 0;
}

static enum share_tlp tlp_of_label(const char *l)
{
    if (!l)
        return SHARE_TLP_NONE;
    if (!strcasecmp(l, "WHITE") || !strcasecmp(l, "CLEAR"))
        return SHARE_TLP_CLEAR;
    if (!strcasecmp(l, "GREEN"))
        return SHARE_TLP_GREEN;
    if (!strcasecmp(l, "AMBER"))
        return SHARE_TLP_AMBER;
    if (!strcasecmp(l, "RED"))
        return SHARE_TLP_RED;
    return SHARE_TLP_NONE;
}

static const struct {
    const char *pat, *word;
} sector_words[] = {
    {"manufactur", "manufacturing"}, {"energy", "energy"},        {"water", "water"},
    {"transport", "transport"},      {"communication", "communications"},
    {"financ", "financial"},         {"bank", "financial"},       {"health", "healthcare"},
    {"government", "government"},    {"chemical", "chemical"},    {"food", "food"},
    {"agricultur", "food"},          {"dams", "dams"},            {"defense", "defence"},
    {"nuclear", "nuclear"},          {"emergency", "emergency-services"},
    {"information technology", "it"}, {"commercial facilit", "commercial-facilities"},
    {"multiple", "multiple"},
};

static const struct {
    const char *name, *cc;
} country_words[] = {
    {"united states", "US"}, {"france", "FR"},     {"germany", "DE"},   {"taiwan", "TW"},
    {"ireland", "IE"},       {"sweden", "SE"},     {"japan", "JP"},     {"netherlands", "NL"},
    {"switzerland", "CH"},   {"china", "CN"},      {"korea", "KR"},     {"united kingdom", "GB"},
    {"israel", "IL"},        {"canada", "CA"},     {"india", "IN"},     {"singapore", "SG"},
    {"malaysia", "MY"},      {"indonesia", "ID"},  {"thailand", "TH"},  {"vietnam", "VN"},
    {"philippines", "PH"},   {"australia", "AU"},  {"austria", "AT"},   {"italy", "IT"},
    {"spain", "ES"},         {"denmark", "DK"},    {"finland", "FI"},   {"norway", "NO"},
    {"belgium", "BE"},       {"brazil", "BR"},     {"russia", "RU"},    {"new zealand", "NZ"},
};

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return false;
}

static void add_unique(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return;
    json_array_append_new(arr, json_string(s));
}

static void map_sectors(struct csaf *c, const char *text)
{
    for (size_t i = 0; i < sizeof(sector_words) / sizeof(sector_words[0]); i++)
        if (contains_ci(text, sector_words[i].pat))
            add_unique(c->sectors, sector_words[i].word);
}

static void map_countries(struct csaf *c, const char *text)
{
    if (contains_ci(text, "worldwide"))
        c->worldwide = true;
    for (size_t i = 0; i < sizeof(country_words) / sizeof(country_words[0]); i++)
        if (contains_ci(text, country_words[i].name))
            add_unique(c->countries, country_words[i].cc);
}

/* CISA's "other" notes: sectors, deployment areas and headquarters. */
static void read_notes(struct csaf *c, json_t *notes)
{
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n) {
        const char *cat = json_string_value(json_object_get(n, "category"));
        const char *title = json_string_value(json_object_get(n, "title"));
        const char *text = json_string_value(json_object_get(n, "text"));
        if (!cat || strcmp(cat, "other") || !title || !text)
            continue;
        if (contains_ci(title, "sector")) {
            map_sectors(c, text);
            json_object_set_new(c->raw, "sectors", json_string(text));
        } else if (contains_ci(title, "countries") || contains_ci(title, "headquarters")) {
            map_countries(c, text);
            json_object_set_new(c->raw, contains_ci(title, "headquarters") ? "headquarters"
                                                                             : "deployed",
                                json_string(text));
        }
    }
}

static const char *self_link(json_t *doc)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "references"), i, r) {
        const char *cat = json_string_value(json_object_get(r, "category"));
        if (cat && !strcmp(cat, "self"))
            return json_string_value(json_object_get(r, "url"));
    }
    return NULL;
}

static int missing(struct error *err, const char *path)
{
    return error_set_at(err, ERR_INVALID, path, -1, "%s missing", path);
}

static int read_document(struct csaf *c, struct error *err)
{
    json_t *doc = json_object_get(c->root, "document");
    if (!json_is_object(doc))
        return missing(err, "document");
    if (!(c->track_id = str_at(doc, "tracking", "id", NULL)) || !c->track_id[0])
        return missing(err, "document.tracking.id");
    if (!(c->publisher = str_at(doc, "publisher", "name", NULL)))
        return missing(err, "document.publisher.name");
    if (!(c->title = str_at(doc, "title", NULL, NULL)))
        return missing(err, "document.title");
    if (!(c->version = str_at(doc, "tracking", "version", NULL)))
        return missing(err, "document.tracking.version");
    if (ts_of(str_at(doc, "tracking", "initial_release_date", NULL), c->created))
        return error_set_at(err, ERR_INVALID, "document.tracking.initial_release_date", -1,
                            "document.tracking.initial_release_date missing or not a date");
    if (ts_of(str_at(doc, "tracking", "current_release_date", NULL), c->modified))
        return error_set_at(err, ERR_INVALID, "document.tracking.current_release_date", -1,
                            "document.tracking.current_release_date missing or not a date");
    if (strcmp(c->modified, c->created) < 0)
        memcpy(c->modified, c->created, sizeof(c->modified));
    c->self_url = self_link(doc);
    c->tlp = tlp_of_label(str_at(doc, "distribution", "tlp", "label"));
    read_notes(c, json_object_get(doc, "notes"));
    return 0;
}

/* ---- product tree ---- */

static void collect_branches(json_t *names, json_t *branches, int depth)
{
    size_t i;
    json_t *b;
    if (depth > 32)
        return;
    json_array_foreach(branches, i, b) {
        json_t *fpn = json_object_get(b, "product");
        const char *id = str_at(fpn, "product_id", NULL, NULL);
        const char *name = str_at(fpn, "name", NULL, NULL);
        if (id && name)
            json_object_set_new(names, id, json_string(name));
        collect_branches(names, json_object_get(b, "branches"), depth + 1);
    }
}

/* product_id -> name over full_product_names, branches and relationships. */
static json_t *product_names(json_t *tree)
{
    json_t *names = json_object(), *p;
    size_t i;
    json_array_foreach(json_object_get(tree, "full_product_names"), i, p) {
        const char *id = str_at(p, "product_id", NULL, NULL);
        const char *name = str_at(p, "name", NULL, NULL);
        if (id && name)
            json_object_set_new(names, id, json_string(name));
    }
    collect_branches(names, json_object_get(tree, "branches"), 0);
    json_array_foreach(json_object_get(tree, "relationships"), i, p) {
        json_t *fpn = json_object_get(p, "full_product_name");
        const char *id = str_at(fpn, "product_id", NULL, NULL);
        const char *name = str_at(fpn, "name", NULL, NULL);
        if (id && name)
            json_object_set_new(names, id, json_string(name));
    }
    return names;
}

static json_t *resolve(json_t *names, json_t *ids)
{
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach(ids, i, v) {
        const char *id = json_string_value(v);
        const char *name = id ? json_string_value(json_object_get(names, id)) : NULL;
        if (id)
            add_unique(out, name ? name : id);
    }
    return out;
}

static json_t *products_of(json_t *names, json_t *status)
{
    static const char *keys[] = {"known_affected", "first_affected", "last_affected", "fixed",
                                 "known_not_affected", "under_investigation"};
    json_t *out = json_object();
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        json_t *ids = json_object_get(status, keys[k]);
        if (json_array_size(ids))
            json_object_set_new(out, keys[k], resolve(names, ids));
    }
    return out;
}

static json_t *remediations_of(json_t *v)
{
    json_t *out = json_array(), *r;
    size_t i;
    json_array_foreach(json_object_get(v, "remediations"), i, r) {
        const char *cat = str_at(r, "category", NULL, NULL);
        const char *details = str_at(r, "details", NULL, NULL);
        if (!cat || !details)
            continue;
        json_t *o = json_pack("{s:s, s:s}", "category", cat, "details", details);
        const char *url = str_at(r, "url", NULL, NULL);
        if (url)
            json_object_set_new(o, "url", json_string(url));
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *scores_of(json_t *v)
{
    json_t *out = json_array(), *s;
    size_t i;
    json_array_foreach(json_object_get(v, "scores"), i, s) {
        json_t *c = json_object_get(s, "cvss_v3");
        json_t *base = json_object_get(c, "baseScore");
        const char *vec = str_at(c, "vectorString", NULL, NULL);
        const char *sev = str_at(c, "baseSeverity", NULL, NULL);
        if (!json_is_number(base) || !vec)
            continue;
        json_array_append_new(out, json_pack("{s:f, s:s, s:s}", "base_score",
                                             json_number_value(base), "vector_string", vec,
                                             "base_severity", sev ? sev : ""));
    }
    return out;
}

static const char *description_of(const struct csaf *c, json_t *v)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(v, "notes"), i, n) {
        const char *cat = str_at(n, "category", NULL, NULL);
        const char *text = str_at(n, "text", NULL, NULL);
        if (text && cat && (!strcmp(cat, "summary") || !strcmp(cat, "description")))
            return text;
    }
    const char *title = str_at(v, "title", NULL, NULL);
    return title ? title : c->title;
}

static json_t *references_of(const struct csaf *c, const char *cve)
{
    json_t *refs = json_array();
    if (cve)
        json_array_append_new(refs, json_pack("{s:s, s:s}", "source_name", "cve",
                                              "external_id", cve));
    json_t *adv = json_pack("{s:s, s:s}", "source_name", c->publisher, "external_id",
                            c->track_id);
    if (c->self_url)
        json_object_set_new(adv, "url", json_string(c->self_url));
    json_array_append_new(refs, adv);
    return refs;
}

static json_t *extension_of(const struct csaf *c, json_t *names, json_t *v)
{
    json_t *ext = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:O, s:O, s:b, s:O}",
                            "extension_type", "property-extension", "advisory_id", c->track_id,
                            "advisory_title", c->title, "advisory_version", c->version,
                            "products", products_of(names, json_object_get(v, "product_status")),
                            "remediations", remediations_of(v), "scores", scores_of(v),
                            "sectors", c->sectors, "countries", c->countries, "worldwide",
                            c->worldwide, "raw", c->raw);
    json_t *tlp = json_string(share_tlp_name(c->tlp));
    json_object_set_new(ext, "tlp", tlp);
    return ext;
}

static int vuln_object(const struct csaf *c, json_t *names, json_t *v, size_t index,
                       json_t **out, struct error *err)
{
    const char *cve = str_at(v, "cve", NULL, NULL);
    char name[256], key[600], id[96];
    if (!json_is_object(v))
        return error_set_at(err, ERR_INVALID, "vulnerabilities", -1,
                            "vulnerabilities[%zu] is not an object", index);
    if (cve && strncmp(cve, "CVE-", 4))
        return error_set_at(err, ERR_INVALID, "vulnerabilities", -1,
                            "vulnerabilities[%zu].cve is not a CVE id", index);
    if (cve)
        snprintf(name, sizeof(name), "%s", cve);
    else
        snprintf(name, sizeof(name), "%.200s-%zu", c->track_id, index + 1);
    snprintf(key, sizeof(key), "csaf|%.200s|%s", c->track_id, name);
    coop_det_id(id, "vulnerability", key);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:o}}", "type",
                          "vulnerability", "spec_version", "2.1", "id", id, "created",
                          c->created, "modified", c->modified, "name", name, "description",
                          description_of(c, v), "external_references", references_of(c, cve),
                          "extensions", COOP_ADVISORY_EXTENSION, extension_of(c, names, v));
    if (c->tlp != SHARE_TLP_NONE)
        json_object_set_new(o, "object_marking_refs", json_pack("[s]", share_tlp_id(c->tlp)));
    *out = o;
    return 0;
}

static int map_vulns(struct csaf *c, json_t *arr, struct error *err)
{
    json_t *vulns = json_object_get(c->root, "vulnerabilities");
    if (!json_is_array(vulns))
        return missing(err, "vulnerabilities");
    if (json_array_size(vulns) > CSAF_MAX_VULNS)
        return error_set(err, ERR_TOO_LARGE, "more than %d vulnerabilities", CSAF_MAX_VULNS);
    json_t *names = product_names(json_object_get(c->root, "product_tree"));
    json_t *v;
    size_t i;
    int r = 0;
    json_array_foreach(vulns, i, v) {
        json_t *o = NULL;
        if ((r = vuln_object(c, names, v, i, &o, err)))
            break;
        json_array_append_new(arr, o);
    }
    json_decref(names);
    return r;
}

int coop_csaf_to_stix(const char *text, size_t len, json_t **out, struct error *err)
{
    json_error_t jerr;
    struct csaf c = {.root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)};
    *out = NULL;
    if (!c.root)
        return error_set_at(err, ERR_INVALID, "", jerr.position,
                            "not JSON: %s at line %d", jerr.text, jerr.line);
    c.sectors = json_array();
    c.countries = json_array();
    c.raw = json_object();
    json_t *arr = json_array();
    int r = json_is_object(c.root) ? read_document(&c, err)
                                   : error_set(err, ERR_INVALID, "not a JSON object");
    if (!r)
        r = map_vulns(&c, arr, err);
    if (!r)
        *out = json_incref(arr);
    json_decref(arr);
    json_decref(c.sectors);
    json_decref(c.countries);
    json_decref(c.raw);
    json_decref(c.root);
    return r;
}
