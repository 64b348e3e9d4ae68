/*
 * Unit tests for the STIX validator (src/stix/validate*.c).
 *
 * A minimal valid example of every STIX 2.1 type must pass, and removing
 * each of its required properties must fail with the path of that
 * property.  Then one test per rule family: common properties, 2.0
 * objects, references, timestamps, per-type rules, custom content and
 * the struct stix_meta handed to the store.
 *
 * JSON is written with single quotes for readability; q() turns them into
 * double quotes (a real single quote, as in a pattern, is written \u0027).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/timestamp.h"
#include "stix/validate.h"
#include "util/error.h"

#define U4 "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define U5 "28bb3599-77cd-5a82-a950-b5bc3caf07c4"
#define TS "2016-04-06T20:03:48.000Z"
#define SDO(t)                                                                                     \
    "'type':'" t "','spec_version':'2.1','id':'" t "--" U4 "','created':'" TS "','modified':'" TS  \
    "'"
#define SCO(t) "'type':'" t "','id':'" t "--" U5 "'"
#define IND_ID "indicator--" U4
#define IP_ID "ipv4-addr--" U5
#define IDENT_ID "identity--" U4

struct example {
    const char *type;
    const char *json;
    const char *required[10]; /* "prop" or "prop=expected path" */
};

/* clang-format off */
static const struct example examples[] = {
    {"attack-pattern", "{" SDO("attack-pattern") ",'name':'Spear Phishing'}", {"name"}},
    {"campaign", "{" SDO("campaign") ",'name':'Green Group Attacks'}", {"name"}},
    {"course-of-action", "{" SDO("course-of-action") ",'name':'Add TCP port 80 filter'}", {"name"}},
    {"grouping",
     "{" SDO("grouping") ",'context':'suspicious-activity','object_refs':['" IND_ID "']}",
     {"context", "object_refs"}},
    {"identity", "{" SDO("identity") ",'name':'ACME Widget, Inc.'}", {"name"}},
    {"incident", "{" SDO("incident") ",'name':'Incident 43'}", {"name"}},
    {"indicator",
     "{" SDO("indicator") ",'pattern':'[ipv4-addr:value = \\u0027198.51.100.1\\u0027]','pattern_type':'stix',"
     "'valid_from':'2016-01-01T00:00:00Z'}",
     {"pattern", "pattern_type", "valid_from"}},
    {"infrastructure", "{" SDO("infrastructure") ",'name':'Poison Ivy C2'}", {"name"}},
    {"intrusion-set", "{" SDO("intrusion-set") ",'name':'Bobcat Breakin'}", {"name"}},
    {"location", "{" SDO("location") ",'region':'south-eastern-asia'}", {"region"}},
    {"malware", "{" SDO("malware") ",'is_family':false}", {"is_family"}},
    {"malware", "{" SDO("malware") ",'is_family':true,'name':'Poison Ivy'}", {"is_family", "name"}},
    {"malware-analysis",
     "{" SDO("malware-analysis") ",'product':'avproduct','result':'malicious'}",
     {"product", "result"}},
    {"note",
     "{" SDO("note") ",'content':'looks benign','object_refs':['" IND_ID "']}",
     {"content", "object_refs"}},
    {"observed-data",
     "{" SDO("observed-data") ",'first_observed':'2015-12-21T19:00:00Z',"
     "'last_observed':'2015-12-21T19:00:00Z','number_observed':50,"
     "'object_refs':['" IP_ID "']}",
     {"first_observed", "last_observed", "number_observed", "object_refs"}},
    {"opinion",
     "{" SDO("opinion") ",'opinion':'agree','object_refs':['" IND_ID "']}",
     {"opinion", "object_refs"}},
    {"report",
     "{" SDO("report") ",'name':'The Black Vine Cyberespionage Group',"
     "'published':'2016-01-20T17:00:00.000Z','object_refs':['" IND_ID "']}",
     {"name", "published", "object_refs"}},
    {"threat-actor", "{" SDO("threat-actor") ",'name':'Evil Org'}", {"name"}},
    {"tool", "{" SDO("tool") ",'name':'VNC'}", {"name"}},
    {"vulnerability", "{" SDO("vulnerability") ",'name':'CVE-2016-1234'}", {"name"}},
    {"relationship",
     "{" SDO("relationship") ",'relationship_type':'indicates','source_ref':'" IND_ID "',"
     "'target_ref':'malware--" U4 "'}",
     {"relationship_type", "source_ref", "target_ref"}},
    {"sighting", "{" SDO("sighting") ",'sighting_of_ref':'" IND_ID "'}", {"sighting_of_ref"}},
    {"artifact", "{" SCO("artifact") ",'payload_bin':'aGVsbG8='}", {"payload_bin"}},
    {"autonomous-system", "{" SCO("autonomous-system") ",'number':15139}", {"number"}},
    {"directory", "{" SCO("directory") ",'path':'C:\\\\Windows'}", {"path"}},
    {"domain-name", "{" SCO("domain-name") ",'value':'example.com'}", {"value"}},
    {"email-addr", "{" SCO("email-addr") ",'value':'john@example.com'}", {"value"}},
    {"email-message", "{" SCO("email-message") ",'is_multipart':false}", {"is_multipart"}},
    {"file",
     "{" SCO("file") ",'hashes':{'SHA-256':"
     "'fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db'}}",
     {"hashes"}},
    {"ipv4-addr", "{" SCO("ipv4-addr") ",'value':'198.51.100.3'}", {"value"}},
    {"ipv6-addr", "{" SCO("ipv6-addr") ",'value':'2001:0db8::/96'}", {"value"}},
    {"mac-addr", "{" SCO("mac-addr") ",'value':'d2:fb:49:24:37:18'}", {"value"}},
    {"mutex", "{" SCO("mutex") ",'name':'__CLEANSWEEP__'}", {"name"}},
    {"network-traffic",
     "{" SCO("network-traffic") ",'protocols':['tcp'],'src_ref':'" IP_ID "'}",
     {"protocols", "src_ref"}},
    {"process", "{" SCO("process") ",'pid':1221}", {"pid="}},
    {"software", "{" SCO("software") ",'name':'Word'}", {"name"}},
    {"url", "{" SCO("url") ",'value':'https://example.com/research/index.html'}", {"value"}},
    {"user-account", "{" SCO("user-account") ",'user_id':'1001'}", {"user_id="}},
    {"windows-registry-key", "{" SCO("windows-registry-key") "}", {NULL}},
    {"x509-certificate",
     "{" SCO("x509-certificate") ",'serial_number':'36:f7:d4:32'}",
     {"serial_number="}},
    {"language-content",
     "{" SDO("language-content") ",'object_ref':'campaign--" U4 "','contents':{'de':{'name':'x'}}}",
     {"spec_version", "object_ref", "contents"}},
    {"marking-definition",
     "{'type':'marking-definition','spec_version':'2.1','id':'marking-definition--" U4 "',"
     "'created':'" TS "','definition_type':'statement','definition':{'statement':'Copyright'}}",
     {"created", "definition_type", "definition"}},
    {"extension-definition",
     "{" SDO(
         "extension-definition") ",'created_by_ref':'" IDENT_ID "','name':'ext',"
     "'schema':'https://example.com/"
                                 "schema.json','version':'1.0.0','extension_types':['new-sdo']}",
     {"spec_version", "created_by_ref", "name", "schema", "version", "extension_types"}},
};
/* clang-format on */

#define N_EXAMPLES (sizeof(examples) / sizeof(examples[0]))

/* Parse JSON written with single quotes. */
static json_t *q(const char *s)
{
    char *d = strdup(s);
    json_error_t je;
    json_t *j;

    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    j = json_loads(d, JSON_DECODE_ANY, &je);
    if (!j)
        fail_msg("bad test JSON (%s): %s", je.text, d);
    free(d);
    return j;
}

/* base with patch applied; a null value in patch deletes the property. */
static json_t *with(const char *base, const char *patch)
{
    json_t *o = q(base), *p = q(patch), *v;
    const char *k;

    json_object_foreach(p, k, v)
    {
        if (json_is_null(v))
            json_object_del(o, k);
        else
            json_object_set(o, k, v);
    }
    json_decref(p);
    return o;
}

static const char *example_of(const char *type)
{
    for (size_t i = 0; i < N_EXAMPLES; i++)
        if (strcmp(examples[i].type, type) == 0)
            return examples[i].json;
    fail_msg("no example for %s", type);
    return NULL;
}

static void ok_obj(json_t *o)
{
    struct error err;
    struct stix_meta meta;
    int r;

    error_clear(&err);
    r = stix_validate(o, &meta, &err);
    if (r != 0) {
        char *s = json_dumps(o, JSON_COMPACT);
        fail_msg("rejected %s: %s at '%s'", s, err.msg, err.path);
    }
    json_decref(o);
}

/* Validation fails with this path, and a message containing msg (if given). */
static void bad_obj(json_t *o, const char *path, const char *msg)
{
    struct error err;
    struct stix_meta meta;
    char *s = json_dumps(o, JSON_COMPACT);
    int r;

    error_clear(&err);
    r = stix_validate(o, &meta, &err);
    if (r != ERR_INVALID || err.code != ERR_INVALID)
        fail_msg("accepted %s (expected error at '%s')", s, path);
    if (strcmp(err.path, path) != 0)
        fail_msg("%s: error at '%s' (%s), expected '%s'", s, err.path, err.msg, path);
    if (msg && !strstr(err.msg, msg))
        fail_msg("%s: message '%s' lacks '%s'", s, err.msg, msg);
    free(s);
    json_decref(o);
}

static void ok_patch(const char *type, const char *patch)
{
    ok_obj(with(example_of(type), patch));
}

static void bad_patch(const char *type, const char *patch, const char *path, const char *msg)
{
    bad_obj(with(example_of(type), patch), path, msg);
}

static void test_every_type_minimal(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EXAMPLES; i++)
        ok_obj(q(examples[i].json));
}

static void remove_and_expect(const struct example *ex, const char *spec)
{
    char name[64];
    const char *eq = strchr(spec, '=');
    json_t *o = q(ex->json);

    snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - spec) : (int)strlen(spec), spec);
    assert_int_equal(json_object_del(o, name), 0);
    bad_obj(o, eq ? eq + 1 : name, NULL);
}

static void test_every_type_required(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        const struct example *ex = &examples[i];
        bool sdo_like = strstr(ex->json, "'created'") != NULL;
        remove_and_expect(ex, "type");
        remove_and_expect(ex, "id");
        if (sdo_like)
            remove_and_expect(ex, "created");
        if (sdo_like && strcmp(ex->type, "marking-definition") != 0)
            remove_and_expect(ex, "modified");
        for (size_t k = 0; k < 10 && ex->required[k]; k++)
            remove_and_expect(ex, ex->required[k]);
    }
}

static void test_kinds(void **state)
{
    int count[STIX_KIND_CUSTOM + 1] = {0};
    const char *prev = "";
    (void)state;
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        if (strcmp(examples[i].type, prev) != 0)
            count[stix_kind_of(examples[i].type)]++;
        prev = examples[i].type;
    }
    assert_int_equal(count[STIX_KIND_SDO], 19);
    assert_int_equal(count[STIX_KIND_SRO], 2);
    assert_int_equal(count[STIX_KIND_SCO], 18);
    assert_int_equal(count[STIX_KIND_SMO], 3);
    assert_int_equal(count[STIX_KIND_CUSTOM], 0);
    assert_int_equal(stix_kind_of("x-mitre-tactic"), STIX_KIND_CUSTOM);
    assert_int_equal(stix_kind_of("bundle"), STIX_KIND_CUSTOM);
    assert_int_equal(stix_kind_of("malware-analysi"), STIX_KIND_CUSTOM);
    assert_int_equal(stix_kind_of("malwares"), STIX_KIND_CUSTOM);
    assert_int_equal(stix_kind_of(NULL), STIX_KIND_CUSTOM);
}

static void test_core(void **state)
{
    (void)state;
    bad_obj(q("[]"), "", "JSON object");
    bad_obj(q("'indicator'"), "", "JSON object");
    bad_patch("indicator", "{'type':'Indicator'}", "type", "invalid type name");
    bad_patch("indicator", "{'type':7}", "type", "must be a string");
    bad_obj(q("{'type':'bundle','id':'bundle--" U4 "','objects':[]}"), "type", "bundle");
    bad_patch("indicator", "{'id':'malware--" U4 "'}", "id", "does not match");
    bad_patch("indicator", "{'id':'indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f'}", "id",
              "invalid uuid");
    bad_patch("indicator", "{'spec_version':'2.2'}", "spec_version", "unsupported");
    bad_patch("indicator", "{'spec_version':2.1}", "spec_version", "string");
    bad_patch("ipv4-addr", "{'spec_version':'2.0'}", "spec_version", "unsupported");
    ok_patch("ipv4-addr", "{'spec_version':'2.1'}");
    bad_patch("extension-definition", "{'spec_version':'2.0'}", "spec_version", NULL);
    /* an explicit "2.0" selects the 2.0 rules: no millisecond requirement */
    ok_patch("indicator", "{'spec_version':'2.0','created':'2016-04-06T20:03:48Z',"
                          "'modified':'2016-04-06T20:03:48Z'}");
}

static void test_timestamps(void **state)
{
    (void)state;
    bad_patch("indicator", "{'created':'2020-13-01T00:00:00Z'}", "created",
              "invalid timestamp '2020-13-01T00:00:00Z'");
    bad_patch("indicator", "{'modified':'2016-04-06T20:03:47.999Z'}", "modified",
              "'modified' is earlier than 'created'");
    ok_patch("indicator", "{'modified':'2016-04-06T20:03:48.000000001Z'}");
    ok_patch("indicator", "{'modified':'2016-04-06T20:03:48Z', 'spec_version':null}"); /* 2.0 */
    bad_patch("indicator", "{'modified':'2016-04-06T20:03:48.00Z'}", "modified", "millisecond");
    bad_patch("indicator", "{'created':'2016-04-06T20:03:48+00:00'}", "created", NULL);
    bad_patch("indicator", "{'created':1459973028}", "created", "timestamp");
    bad_patch("indicator",
              "{'created':'2300-01-01T00:00:00.000Z',"
              "'modified':'2300-01-01T00:00:00.000Z'}",
              "created", "supported years");
    /* other timestamps may use the whole range */
    ok_patch("indicator", "{'valid_until':'9999-12-31T23:59:59Z'}");
    bad_patch("indicator", "{'valid_until':'2016-01-01T00:00:00Z'}", "valid_until",
              "must be later than 'valid_from'");
    bad_patch("indicator", "{'valid_from':'2016-02-30T00:00:00Z'}", "valid_from", NULL);
    bad_patch("marking-definition", "{'created':'2017-01-20T00:00:00Z'}", "created", "millisecond");
}

static void test_common_properties(void **state)
{
    (void)state;
    ok_patch("indicator", "{'labels':['a','b'],'confidence':0,'lang':'en','revoked':false}");
    ok_patch("indicator", "{'confidence':100,'created_by_ref':'" IDENT_ID "'}");
    bad_patch("indicator", "{'confidence':101}", "confidence", "between 0 and 100");
    bad_patch("indicator", "{'confidence':-1}", "confidence", NULL);
    bad_patch("indicator", "{'confidence':50.0}", "confidence", "integer");
    bad_patch("indicator", "{'labels':[]}", "labels", "empty list");
    bad_patch("indicator", "{'labels':'x'}", "labels", "list");
    bad_patch("indicator", "{'labels':['a',1]}", "labels[1]", "string");
    bad_patch("indicator", "{'revoked':'true'}", "revoked", "boolean");
    bad_patch("indicator", "{'lang':5}", "lang", NULL);
    bad_patch("indicator", "{'created_by_ref':'" IND_ID "'}", "created_by_ref", "identity");
    bad_patch("indicator", "{'created_by_ref':'identity--1'}", "created_by_ref",
              "invalid identifier");
    bad_patch("indicator", "{'object_marking_refs':['" IDENT_ID "']}", "object_marking_refs[0]",
              "marking-definition");
    bad_patch("indicator", "{'object_marking_refs':[]}", "object_marking_refs", "empty");
    bad_patch("indicator", "{'extensions':[]}", "extensions", "object");
    bad_patch("indicator", "{'extensions':{}}", "extensions", "empty");
    bad_patch("indicator", "{'extensions':{'x-acme-ext':5}}", "extensions.x-acme-ext", "object");
    ok_patch("indicator", "{'extensions':{'x-acme-ext':{'a':1}}}");
    ok_patch("indicator", "{'extensions':{'extension-definition--" U4 "':"
                          "{'extension_type':'property-extension','rank':5}}}");
    bad_patch("indicator", "{'extensions':{'extension-definition--" U4 "':{'rank':5}}}",
              "extensions.extension-definition--" U4 ".extension_type", "missing");
    bad_patch("indicator",
              "{'extensions':{'extension-definition--" U4 "':"
              "{'extension_type':'new-thing'}}}",
              "extensions.extension-definition--" U4 ".extension_type", "invalid value");
    bad_patch("indicator",
              "{'extensions':{'extension-definition--1':{'extension_type':'new-sdo'}}}",
              "extensions.extension-definition--1", "invalid identifier");
    bad_patch("ipv4-addr", "{'defanged':1}", "defanged", "boolean");
}

static void test_external_references(void **state)
{
    (void)state;
    ok_patch("vulnerability",
             "{'external_references':[{'source_name':'cve','external_id':'CVE-2016-1234'}]}");
    ok_patch("vulnerability",
             "{'external_references':[{'source_name':'x','url':'https://e.com','hashes':"
             "{'SHA-256':'6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b'}}]}");
    bad_patch("vulnerability", "{'external_references':[{'external_id':'CVE-2016-1234'}]}",
              "external_references[0].source_name", "missing required property 'source_name'");
    bad_patch("vulnerability",
              "{'external_references':[{'source_name':'a','url':'u'},"
              "{'source_name':5,'url':'u'}]}",
              "external_references[1].source_name", "string");
    bad_patch("vulnerability", "{'external_references':[{'source_name':'cve'}]}",
              "external_references[0]", "'description', 'url' or 'external_id'");
    bad_patch("vulnerability", "{'external_references':[{'source_name':'a','url':3}]}",
              "external_references[0].url", NULL);
    bad_patch("vulnerability", "{'external_references':['cve']}", "external_references[0]",
              "object");
    bad_patch("vulnerability",
              "{'external_references':[{'source_name':'a','url':'u',"
              "'hashes':{'MD5':'abc'}}]}",
              "external_references[0].hashes.MD5", "32 hex");
}

static void test_granular_markings(void **state)
{
    (void)state;
    ok_patch("indicator", "{'description':'d','labels':['a','b'],'granular_markings':["
                          "{'marking_ref':'marking-definition--" U4
                          "','selectors':['description','labels.[1]']},"
                          "{'lang':'de','selectors':['pattern']}]}");
    bad_patch("indicator",
              "{'granular_markings':[{'marking_ref':'marking-definition--" U4 "',"
              "'lang':'de','selectors':['pattern']}]}",
              "granular_markings[0]", "exactly one");
    bad_patch("indicator", "{'granular_markings':[{'selectors':['pattern']}]}",
              "granular_markings[0]", "exactly one");
    bad_patch("indicator", "{'granular_markings':[{'lang':'de'}]}",
              "granular_markings[0].selectors", "missing");
    bad_patch("indicator", "{'granular_markings':[{'lang':'de','selectors':[]}]}",
              "granular_markings[0].selectors", "empty");
    bad_patch("indicator", "{'granular_markings':[{'lang':'de','selectors':['description']}]}",
              "granular_markings[0].selectors[0]", "does not select");
    bad_patch("indicator",
              "{'labels':['a'],'granular_markings':[{'lang':'de',"
              "'selectors':['labels.[1]']}]}",
              "granular_markings[0].selectors[0]", NULL);
    bad_patch("indicator", "{'granular_markings':[{'lang':'de','selectors':['pattern.']}]}",
              "granular_markings[0].selectors[0]", NULL);
    bad_patch("indicator",
              "{'granular_markings':[{'marking_ref':'" IDENT_ID "',"
              "'selectors':['pattern']}]}",
              "granular_markings[0].marking_ref", "marking-definition");
}

static void test_references(void **state)
{
    (void)state;
    ok_patch("relationship", "{'target_ref':'" IP_ID "'}");             /* SCO target */
    ok_patch("relationship", "{'target_ref':'x-mitre-asset--" U4 "'}"); /* custom target */
    bad_patch("relationship", "{'target_ref':'marking-definition--" U4 "'}", "target_ref",
              "SDO or SCO");
    bad_patch("relationship", "{'source_ref':'relationship--" U4 "'}", "source_ref", NULL);
    bad_patch("relationship", "{'source_ref':'bundle--" U4 "'}", "source_ref", NULL);
    bad_patch("relationship", "{'relationship_type':'Uses'}", "relationship_type", NULL);
    bad_patch("relationship", "{'relationship_type':'related to'}", "relationship_type", NULL);
    bad_patch("relationship",
              "{'start_time':'2016-01-01T00:00:00Z',"
              "'stop_time':'2016-01-01T00:00:00Z'}",
              "stop_time", "later");
    bad_patch("sighting", "{'sighting_of_ref':'" IP_ID "'}", "sighting_of_ref", "an SDO");
    bad_patch("sighting", "{'where_sighted_refs':['" IND_ID "']}", "where_sighted_refs[0]",
              "identity or location");
    bad_patch("sighting", "{'observed_data_refs':['" IND_ID "']}", "observed_data_refs[0]", NULL);
    bad_patch("observed-data", "{'object_refs':['" IND_ID "']}", "object_refs[0]", "SCO or SRO");
    bad_patch("note", "{'object_refs':['not-an-id']}", "object_refs[0]", "invalid identifier");
    bad_patch("language-content", "{'object_ref':'language-content--" U4 "'}", "object_ref", NULL);
    /* any *_ref / *_refs, custom ones included (§3.1) */
    ok_patch("indicator", "{'x_acme_owner_ref':'" IDENT_ID "'}");
    bad_patch("indicator", "{'x_acme_owner_ref':'bob'}", "x_acme_owner_ref", NULL);
    /* "" in a custom *_ref means "none" (MITRE ATT&CK data); never in a spec-defined one */
    ok_patch("indicator", "{'x_mitre_data_source_ref':''}");
    bad_patch("indicator", "{'created_by_ref':''}", "created_by_ref", "invalid identifier");
    bad_patch("relationship", "{'target_ref':''}", "target_ref", NULL);
    bad_patch("indicator", "{'x_acme_refs':[]}", "x_acme_refs", "empty");
    bad_patch("ipv4-addr", "{'resolves_to_refs':['" IND_ID "']}", "resolves_to_refs[0]",
              "mac-addr");
}

static void test_sdo_rules(void **state)
{
    (void)state;
    ok_patch("location", "{'region':null,'latitude':48.8566,'longitude':2.3522,'precision':100}");
    ok_patch("location", "{'region':null,'country':'sg'}");
    bad_patch("location", "{'latitude':48.8}", "longitude", NULL);
    bad_patch("location", "{'region':null,'longitude':2.3}", "latitude", NULL);
    bad_patch("location", "{'latitude':91,'longitude':0}", "latitude", "between");
    bad_patch("location", "{'latitude':0,'longitude':-180.5}", "longitude", NULL);
    bad_patch("location", "{'precision':10}", "precision", NULL);
    bad_patch("malware", "{'is_family':true}", "name", NULL);
    bad_patch("malware", "{'is_family':'yes'}", "is_family", "boolean");
    bad_patch("malware", "{'first_seen':'2016-01-02T00:00:00Z','last_seen':'2016-01-01T00:00:00Z'}",
              "last_seen", "earlier");
    ok_patch("malware-analysis", "{'result':null,'analysis_sco_refs':['" IP_ID "']}");
    bad_patch("opinion", "{'opinion':'maybe'}", "opinion", "invalid value 'maybe'");
    bad_patch("observed-data", "{'number_observed':0}", "number_observed", NULL);
    bad_patch("observed-data", "{'number_observed':1000000000}", "number_observed", NULL);
    bad_patch("observed-data", "{'last_observed':'2015-12-21T18:59:59Z'}", "last_observed",
              "earlier");
    bad_patch("observed-data", "{'objects':{'0':{'type':'ipv4-addr','value':'1.2.3.4'}}}",
              "objects", "mutually exclusive");
    ok_patch("observed-data",
             "{'object_refs':null,'objects':{'0':{'type':'ipv4-addr','value':'1.2.3.4'}}}");
    bad_patch("observed-data", "{'object_refs':null,'objects':{'0':{'value':'1.2.3.4'}}}",
              "objects.0.type", NULL);
    bad_patch("sighting", "{'count':-1}", "count", NULL);
    bad_patch("sighting", "{'count':1000000000}", "count", NULL);
    ok_patch("sighting", "{'count':0,'summary':true,'where_sighted_refs':['" IDENT_ID "']}");
    bad_patch("sighting",
              "{'first_seen':'2016-01-02T00:00:00Z','last_seen':'2016-01-01T00:00:00Z'}",
              "last_seen", NULL);
    bad_patch("campaign",
              "{'first_seen':'2016-01-02T00:00:00Z','last_seen':'2016-01-01T00:00:00Z'}",
              "last_seen", NULL);
    bad_patch("indicator", "{'kill_chain_phases':[{'kill_chain_name':'lmco'}]}",
              "kill_chain_phases[0].phase_name", NULL);
}

static void test_sco_rules(void **state)
{
    (void)state;
    bad_patch("artifact", "{'url':'https://e.com/a'}", "url", "mutually exclusive");
    bad_patch("artifact", "{'payload_bin':null,'url':'https://e.com/a'}", "hashes", NULL);
    bad_patch("artifact", "{'payload_bin':'not base64!'}", "payload_bin", "base64");
    bad_patch("artifact", "{'decryption_key':'k'}", "decryption_key", NULL);
    ok_patch("artifact", "{'encryption_algorithm':'mime-type-indicated','decryption_key':'k'}");
    bad_patch("artifact", "{'encryption_algorithm':'rot13'}", "encryption_algorithm", NULL);
    bad_patch("file", "{'hashes':{'SHA-256':'abcd'}}", "hashes.SHA-256", "64 hex");
    bad_patch("file", "{'hashes':{'a b':'abcd'}}", "hashes.a b", "hash algorithm");
    ok_patch("file", "{'hashes':{'ssdeep':'3:a:b','x_custom':'1'},'size':0}");
    bad_patch("file", "{'size':-1}", "size", NULL);
    bad_patch("file", "{'name_enc':'utf-8'}", "name_enc", "without 'name'");
    ok_patch("file", "{'name':'a.exe','name_enc':'utf-8','magic_number_hex':'ffd8'}");
    bad_patch("file", "{'magic_number_hex':'ffd'}", "magic_number_hex", "hex");
    bad_patch("email-message", "{'is_multipart':true,'body':'hi'}", "body", NULL);
    bad_patch("email-message", "{'body_multipart':[{'body':'x'}]}", "body_multipart", NULL);
    bad_patch("network-traffic", "{'src_ref':null}", "src_ref", NULL);
    bad_patch("network-traffic", "{'is_active':true,'end':'2016-01-01T00:00:00Z'}", "end", NULL);
    bad_patch("network-traffic", "{'dst_port':65536}", "dst_port", NULL);
    bad_patch("network-traffic", "{'protocols':[]}", "protocols", "empty");
    bad_patch("network-traffic", "{'src_ref':'" IND_ID "'}", "src_ref", NULL);
    bad_patch("process", "{'pid':'1'}", "pid", "integer");
    ok_patch("process", "{'pid':null,'extensions':{'windows-process-ext':{'aslr_enabled':true}}}");
    bad_patch("autonomous-system", "{'number':'AS15139'}", "number", NULL);
}

static void test_smo_rules(void **state)
{
    (void)state;
    ok_obj(q("{'type':'marking-definition','spec_version':'2.1','id':'marking-definition--"
             "34098fce-860f-48ae-8e50-ebd3cc5e41da','created':'2017-01-20T00:00:00.000Z',"
             "'definition_type':'tlp','name':'TLP:GREEN','definition':{'tlp':'green'}}"));
    bad_patch("marking-definition", "{'definition_type':'tlp','definition':{'tlp':'green'}}", "id",
              "TLP:green");
    bad_patch("marking-definition", "{'definition_type':'tlp','definition':{'tlp':'pink'}}",
              "definition.tlp", NULL);
    bad_patch("marking-definition", "{'definition':{'text':'x'}}", "definition.statement", NULL);
    ok_patch("marking-definition", "{'definition_type':'acme','definition':{'level':3}}");
    ok_patch("marking-definition", "{'definition_type':null,'definition':null,'extensions':{"
                                   "'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d':"
                                   "{'extension_type':'property-extension','tlp_2_0':'green'}}}");
    bad_patch("marking-definition", "{'object_marking_refs':['marking-definition--" U4 "']}",
              "object_marking_refs[0]", "must not mark itself");
    bad_patch("extension-definition", "{'extension_types':['new-thing']}", "extension_types[0]",
              NULL);
    bad_patch("extension-definition", "{'extension_types':[]}", "extension_types", "empty");
    bad_patch("extension-definition", "{'extension_properties':['rank']}", "extension_properties",
              "toplevel-property-extension");
    ok_patch("extension-definition", "{'extension_types':['toplevel-property-extension'],"
                                     "'extension_properties':['rank']}");
    bad_patch("language-content", "{'contents':{'de':'x'}}", "contents.de", "object");
    bad_patch("language-content", "{'contents':{}}", "contents", "empty");
}

static void test_stix20_and_custom(void **state)
{
    struct stix_meta meta;
    struct error err;
    json_t *o;
    (void)state;

    /* a STIX 2.0 indicator: no spec_version, labels, no pattern_type */
    o = q("{'type':'indicator','id':'" IND_ID "','created':'2016-04-06T20:03:48Z',"
          "'modified':'2016-04-06T20:03:48Z','labels':['malicious-activity'],"
          "'pattern':'[file:name = \\u0027x\\u0027]','valid_from':'2016-01-01T00:00:00Z'}");
    error_clear(&err);
    assert_int_equal(stix_validate(o, &meta, &err), 0);
    assert_string_equal(meta.spec_version, "2.0");
    json_decref(o);
    bad_obj(q("{'type':'indicator','id':'" IND_ID "','created':'2016-04-06T20:03:48Z'}"),
            "modified", "missing");
    bad_obj(q("{'type':'indicator','id':'" IND_ID "','created':'2016-04-06T20:03:48Z',"
              "'modified':'2016-04-06T20:03:48Z','created_by_ref':'" IND_ID "'}"),
            "created_by_ref", NULL);
    /* custom objects: common checks only, id prefix must match */
    ok_obj(q("{'type':'x-acme-widget','spec_version':'2.1','id':'x-acme-widget--" U4 "',"
             "'created':'" TS "','modified':'" TS "','x_acme_size':3}"));
    ok_obj(q("{'type':'x-acme-sco','id':'x-acme-sco--" U5 "','value':'v'}"));
    ok_obj(q("{'type':'acme-new-sdo','spec_version':'2.1','id':'acme-new-sdo--" U4 "',"
             "'created':'" TS "','modified':'" TS "','extensions':{'extension-definition--" U4
             "':{'extension_type':'new-sdo'}}}"));
    bad_obj(q("{'type':'x-acme-widget','id':'x-acme-gadget--" U4 "'}"), "id", "does not match");
    bad_obj(q("{'type':'x-acme-widget','spec_version':'2.1','id':'x-acme-widget--" U4 "',"
              "'created':'" TS "','modified':'2016-04-06T20:03:47.000Z'}"),
            "modified", NULL);
    bad_obj(q("{'type':'x-acme-widget','spec_version':'2.1','id':'x-acme-widget--" U4 "',"
              "'labels':[]}"),
            "labels", NULL);
    /* unknown properties are fine */
    ok_patch("indicator", "{'x_acme_score':7,'x-legacy':'yes'}");
}

static void test_meta(void **state)
{
    struct stix_meta meta;
    struct error err;
    json_t *o;
    int64_t ns;
    (void)state;

    o = with(example_of("indicator"), "{'modified':'2017-01-01T00:00:00.123Z','revoked':true,"
                                      "'created_by_ref':'" IDENT_ID "'}");
    error_clear(&err);
    assert_int_equal(stix_validate(o, &meta, &err), 0);
    assert_string_equal(meta.type, "indicator");
    assert_string_equal(meta.id, IND_ID);
    assert_string_equal(meta.spec_version, "2.1");
    assert_string_equal(meta.created_by_ref, IDENT_ID);
    assert_string_equal(meta.version, "2017-01-01T00:00:00.123Z");
    assert_int_equal(stix_ts_parse(meta.version, strlen(meta.version), &ns, NULL), 0);
    assert_int_equal(meta.version_ns, ns);
    assert_true(meta.revoked);
    assert_true(meta.versioned);
    assert_int_equal(meta.kind, STIX_KIND_SDO);
    json_decref(o);

    o = q(example_of("marking-definition"));
    assert_int_equal(stix_validate(o, &meta, &err), 0);
    assert_string_equal(meta.version, TS);
    assert_false(meta.versioned);
    assert_false(meta.revoked);
    assert_null(meta.created_by_ref);
    assert_int_equal(meta.kind, STIX_KIND_SMO);
    json_decref(o);

    o = q(example_of("ipv4-addr"));
    assert_int_equal(stix_validate(o, &meta, &err), 0);
    assert_null(meta.version);
    assert_int_equal(meta.version_ns, 0);
    assert_false(meta.versioned);
    assert_string_equal(meta.spec_version, "2.1");
    assert_int_equal(meta.kind, STIX_KIND_SCO);
    json_decref(o);

    o = q("{'type':'x-acme-sco','id':'x-acme-sco--" U5 "'}");
    assert_int_equal(stix_validate(o, &meta, &err), 0);
    assert_int_equal(meta.kind, STIX_KIND_CUSTOM);
    assert_false(meta.versioned);
    json_decref(o);
    o = q(example_of("relationship"));
    assert_int_equal(stix_validate(o, NULL, NULL), 0); /* meta and err are optional */
    json_decref(o);
}

static void test_error_record(void **state)
{
    struct error err;
    json_t *o = with(example_of("indicator"), "{'pattern':null}");
    (void)state;

    assert_int_equal(stix_validate(o, NULL, NULL), ERR_INVALID);
    /* the first error wins: an earlier error is kept */
    error_clear(&err);
    error_set_at(&err, ERR_INVALID, "earlier", -1, "first");
    assert_int_equal(stix_validate(o, NULL, &err), ERR_INVALID);
    assert_string_equal(err.path, "earlier");
    /* an envelope prefixes the object path */
    error_clear(&err);
    assert_int_equal(stix_validate(o, NULL, &err), ERR_INVALID);
    assert_string_equal(err.msg, "missing required property 'pattern'");
    error_prefix_path(&err, "objects[3]");
    assert_string_equal(err.path, "objects[3].pattern");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type_minimal),
        cmocka_unit_test(test_every_type_required),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_core),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_common_properties),
        cmocka_unit_test(test_external_references),
        cmocka_unit_test(test_granular_markings),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_sdo_rules),
        cmocka_unit_test(test_sco_rules),
        cmocka_unit_test(test_smo_rules),
        cmocka_unit_test(test_stix20_and_custom),
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_error_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
