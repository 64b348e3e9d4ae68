/*
 * The STIX 2.1 type table: every type the specification defines (19 SDOs
 * §4, 2 SROs §5, 18 SCOs §6, 3 SMOs §7), each with its family, its
 * common-property set, its own properties (required ones flagged) and,
 * where the specification ties properties together, a check function.
 *
 * The table is sorted by name (binary search) and is the single place to
 * touch when a type gains a property.  Property lists are interpreted by
 * validate_props.c; a property absent from a list is simply not checked
 * (custom properties are legal).  Open vocabularies (§2.14) are checked as
 * plain strings; only enumerations (opinion, extension types, encryption
 * algorithm) are closed.
 *
 * Any other well-formed type name is a custom type (§11.2, or a new type
 * declared with an extension-definition, §7.3) and gets the common
 * property checks only.
 */
#include "stix/validate_int.h"

#include <float.h>
#include <string.h>

#include "pattern/pattern.h"
#include "util/banned.h"

#define IMAX 9007199254740991.0 /* §2.10: integers fit 54 bits signed */
#define COUNT_MAX 999999999.0   /* number_observed, sighting count */

/* The tables below are laid out by hand. */
/* clang-format off */
#define P(n, t) {.name = (n), .type = (t)}
#define R(n, t) {.name = (n), .type = (t), .flags = STIX_VF_REQ}
#define PI(n, lo, hi) {.name = (n), .type = STIX_V_INT, .min = (lo), .max = (hi)}
#define RI(n, lo, hi) {.name = (n), .type = STIX_V_INT, .flags = STIX_VF_REQ, .min = (lo), .max = (hi)}
#define PN(n, lo, hi) {.name = (n), .type = STIX_V_NUM, .min = (lo), .max = (hi)}
#define PR(n, r) {.name = (n), .type = STIX_V_REF, .ref = &(r)}
#define RR(n, r) {.name = (n), .type = STIX_V_REF, .flags = STIX_VF_REQ, .ref = &(r)}
#define PRS(n, r) {.name = (n), .type = STIX_V_REFS, .ref = &(r)}
#define RRS(n, r) {.name = (n), .type = STIX_V_REFS, .flags = STIX_VF_REQ, .ref = &(r)}
#define PE(n, v) {.name = (n), .type = STIX_V_ENUM, .values = (v)}
#define RE(n, v) {.name = (n), .type = STIX_V_ENUM, .flags = STIX_VF_REQ, .values = (v)}
#define RES(n, v) {.name = (n), .type = STIX_V_ENUMS, .flags = STIX_VF_REQ, .values = (v)}
#define RRA(n) {.name = (n), .type = STIX_V_REFS, .flags = STIX_VF_REQ} /* any target */
#define END {.name = NULL}

#define K_SDO STIX_VBIT(STIX_KIND_SDO)
#define K_SRO STIX_VBIT(STIX_KIND_SRO)
#define K_SCO STIX_VBIT(STIX_KIND_SCO)
#define K_SMO STIX_VBIT(STIX_KIND_SMO)
#define K_CUSTOM STIX_VBIT(STIX_KIND_CUSTOM)

/* --- reference targets (the "Embedded Relationships" tables) ------------ */

static const char *const t_identity[] = {"identity", NULL};
static const char *const t_marking[] = {"marking-definition", NULL};
static const char *const t_observed[] = {"observed-data", NULL};
static const char *const t_where[] = {"identity", "location", NULL};
static const char *const t_software[] = {"software", NULL};
static const char *const t_sample[] = {"artifact", "file", "network-traffic", NULL};
static const char *const t_file_artifact[] = {"artifact", "file", NULL};
static const char *const t_artifact[] = {"artifact", NULL};
static const char *const t_directory[] = {"directory", NULL};
static const char *const t_file_dir[] = {"directory", "file", NULL};
static const char *const t_email_addr[] = {"email-addr", NULL};
static const char *const t_user[] = {"user-account", NULL};
static const char *const t_mac[] = {"mac-addr", NULL};
static const char *const t_as[] = {"autonomous-system", NULL};
static const char *const t_resolves[] = {"domain-name", "ipv4-addr", "ipv6-addr", NULL};
static const char *const t_endpoint[] = {"domain-name", "ipv4-addr", "ipv6-addr", "mac-addr", NULL};
static const char *const t_traffic[] = {"network-traffic", NULL};
static const char *const t_file[] = {"file", NULL};
static const char *const t_process[] = {"process", NULL};
static const char *const t_language_content[] = {"language-content", NULL};

static const struct stix_vref r_identity = {0, t_identity, NULL, "an identity"};
static const struct stix_vref r_marking = {0, t_marking, NULL, "a marking-definition"};
static const struct stix_vref r_observed = {0, t_observed, NULL, "an observed-data"};
static const struct stix_vref r_where = {0, t_where, NULL, "an identity or location"};
static const struct stix_vref r_software = {0, t_software, NULL, "a software"};
static const struct stix_vref r_sample = {0, t_sample, NULL, "an artifact, file or network-traffic"};
static const struct stix_vref r_file_artifact = {0, t_file_artifact, NULL, "a file or artifact"};
static const struct stix_vref r_artifact = {0, t_artifact, NULL, "an artifact"};
static const struct stix_vref r_directory = {0, t_directory, NULL, "a directory"};
static const struct stix_vref r_file_dir = {0, t_file_dir, NULL, "a file or directory"};
static const struct stix_vref r_email_addr = {0, t_email_addr, NULL, "an email-addr"};
static const struct stix_vref r_user = {0, t_user, NULL, "a user-account"};
static const struct stix_vref r_mac = {0, t_mac, NULL, "a mac-addr"};
static const struct stix_vref r_as = {0, t_as, NULL, "an autonomous-system"};
static const struct stix_vref r_resolves = {0, t_resolves, NULL, "a domain-name or IP address"};
static const struct stix_vref r_endpoint = {0, t_endpoint, NULL, "an address or domain-name"};
static const struct stix_vref r_traffic = {0, t_traffic, NULL, "a network-traffic"};
static const struct stix_vref r_file = {0, t_file, NULL, "a file"};
static const struct stix_vref r_process = {0, t_process, NULL, "a process"};
static const struct stix_vref r_sco = {K_SCO | K_CUSTOM, NULL, NULL, "an SCO"};
/* §5.1: source_ref/target_ref MUST be an SDO or SCO. */
static const struct stix_vref r_sdo_sco = {K_SDO | K_SCO | K_CUSTOM, NULL, NULL, "an SDO or SCO"};
/* §5.2: sighting_of_ref is the SDO that was sighted. */
static const struct stix_vref r_sdo = {K_SDO | K_CUSTOM, NULL, NULL, "an SDO"};
/* §4.14: observed-data object_refs lists SCOs and SROs. */
static const struct stix_vref r_sco_sro = {K_SCO | K_SRO | K_CUSTOM, NULL, NULL, "an SCO or SRO"};
/* §7.1: object_ref is any STIX object but a language-content (or a bundle). */
static const struct stix_vref r_object = {K_SDO | K_SRO | K_SCO | K_SMO | K_CUSTOM, NULL,
                                          t_language_content, "a STIX object"};

/* --- enumerations (§10) ---------------------------------------------------- */

static const char *const e_opinion[] = {"strongly-disagree", "disagree", "neutral", "agree",
                                        "strongly-agree", NULL};
static const char *const e_ext_types[] = {"new-sdo", "new-sco", "new-sro", "property-extension",
                                          "toplevel-property-extension", NULL};
static const char *const e_encryption[] = {"AES-256-GCM", "ChaCha20-Poly1305",
                                           "mime-type-indicated", NULL};

/* --- common properties per family (§3.2 table) ------------------------------ */

#define COMMON_CORE                                                                               \
    PR("created_by_ref", r_identity), P("revoked", STIX_V_BOOL), P("labels", STIX_V_STRS),     \
        PI("confidence", 0, 100), P("lang", STIX_V_STR),                                        \
        P("external_references", STIX_V_EXTREFS), PRS("object_marking_refs", r_marking),        \
        P("granular_markings", STIX_V_GRANULAR), P("extensions", STIX_V_EXTENSIONS)

static const struct stix_vprop sdo_common[] = {COMMON_CORE, END};
static const struct stix_vprop custom_common[] = {COMMON_CORE, P("defanged", STIX_V_BOOL), END};
static const struct stix_vprop sco_common[] = {
    PRS("object_marking_refs", r_marking), P("granular_markings", STIX_V_GRANULAR),
    P("defanged", STIX_V_BOOL), P("extensions", STIX_V_EXTENSIONS), END};
static const struct stix_vprop marking_common[] = {
    PR("created_by_ref", r_identity), P("external_references", STIX_V_EXTREFS),
    PRS("object_marking_refs", r_marking), P("granular_markings", STIX_V_GRANULAR),
    P("extensions", STIX_V_EXTENSIONS), END};

/* --- SDOs (§4) --------------------------------------------------------------- */

#define SEEN P("first_seen", STIX_V_TS), P("last_seen", STIX_V_TS)

static const struct stix_vprop p_attack_pattern[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("aliases", STIX_V_STRS),
    P("kill_chain_phases", STIX_V_KCP), END};
static const struct stix_vprop p_campaign[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("aliases", STIX_V_STRS), SEEN,
    P("objective", STIX_V_STR), END};
static const struct stix_vprop p_course_of_action[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), END};
static const struct stix_vprop p_grouping[] = {
    P("name", STIX_V_STR), P("description", STIX_V_STR), R("context", STIX_V_STR),
    RRA("object_refs"), END};
static const struct stix_vprop p_identity[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("roles", STIX_V_STRS),
    P("identity_class", STIX_V_STR), P("sectors", STIX_V_STRS),
    P("contact_information", STIX_V_STR), END};
static const struct stix_vprop p_incident[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("kill_chain_phases", STIX_V_KCP), END};
static const struct stix_vprop p_indicator[] = {
    P("name", STIX_V_STR), P("description", STIX_V_STR), P("indicator_types", STIX_V_STRS),
    R("pattern", STIX_V_STR), R("pattern_type", STIX_V_STR), P("pattern_version", STIX_V_STR),
    R("valid_from", STIX_V_TS), P("valid_until", STIX_V_TS), P("kill_chain_phases", STIX_V_KCP),
    END};
static const struct stix_vprop p_infrastructure[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("infrastructure_types", STIX_V_STRS),
    P("aliases", STIX_V_STRS), P("kill_chain_phases", STIX_V_KCP), SEEN, END};
static const struct stix_vprop p_intrusion_set[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("aliases", STIX_V_STRS), SEEN,
    P("goals", STIX_V_STRS), P("resource_level", STIX_V_STR), P("primary_motivation", STIX_V_STR),
    P("secondary_motivations", STIX_V_STRS), END};
static const struct stix_vprop p_location[] = {
    P("name", STIX_V_STR), P("description", STIX_V_STR), PN("latitude", -90.0, 90.0),
    PN("longitude", -180.0, 180.0), PN("precision", -DBL_MAX, DBL_MAX), P("region", STIX_V_STR),
    P("country", STIX_V_STR), P("administrative_area", STIX_V_STR), P("city", STIX_V_STR),
    P("street_address", STIX_V_STR), P("postal_code", STIX_V_STR), END};
static const struct stix_vprop p_malware[] = {
    P("name", STIX_V_STR), P("description", STIX_V_STR), P("malware_types", STIX_V_STRS),
    R("is_family", STIX_V_BOOL), P("aliases", STIX_V_STRS), P("kill_chain_phases", STIX_V_KCP),
    SEEN, PRS("operating_system_refs", r_software), P("architecture_execution_envs", STIX_V_STRS),
    P("implementation_languages", STIX_V_STRS), P("capabilities", STIX_V_STRS),
    PRS("sample_refs", r_file_artifact), END};
static const struct stix_vprop p_malware_analysis[] = {
    R("product", STIX_V_STR), P("version", STIX_V_STR), PR("host_vm_ref", r_software),
    PR("operating_system_ref", r_software), PRS("installed_software_refs", r_software),
    P("configuration_version", STIX_V_STR), P("modules", STIX_V_STRS),
    P("analysis_engine_version", STIX_V_STR), P("analysis_definition_version", STIX_V_STR),
    P("submitted", STIX_V_TS), P("analysis_started", STIX_V_TS), P("analysis_ended", STIX_V_TS),
    P("result_name", STIX_V_STR), P("result", STIX_V_STR), PRS("analysis_sco_refs", r_sco),
    PR("sample_ref", r_sample), END};
static const struct stix_vprop p_note[] = {
    P("abstract", STIX_V_STR), R("content", STIX_V_STR), P("authors", STIX_V_STRS),
    RRA("object_refs"), END};
static const struct stix_vprop p_observed_data[] = {
    R("first_observed", STIX_V_TS), R("last_observed", STIX_V_TS),
    RI("number_observed", 1, COUNT_MAX), P("objects", STIX_V_DICT),
    PRS("object_refs", r_sco_sro), END};
static const struct stix_vprop p_opinion[] = {
    P("explanation", STIX_V_STR), P("authors", STIX_V_STRS), RE("opinion", e_opinion),
    RRA("object_refs"), END};
static const struct stix_vprop p_report[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("report_types", STIX_V_STRS),
    R("published", STIX_V_TS), RRA("object_refs"),
    END};
static const struct stix_vprop p_threat_actor[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("threat_actor_types", STIX_V_STRS),
    P("aliases", STIX_V_STRS), SEEN, P("roles", STIX_V_STRS), P("goals", STIX_V_STRS),
    P("sophistication", STIX_V_STR), P("resource_level", STIX_V_STR),
    P("primary_motivation", STIX_V_STR), P("secondary_motivations", STIX_V_STRS),
    P("personal_motivations", STIX_V_STRS), END};
static const struct stix_vprop p_tool[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), P("tool_types", STIX_V_STRS),
    P("aliases", STIX_V_STRS), P("kill_chain_phases", STIX_V_KCP), P("tool_version", STIX_V_STR),
    END};
static const struct stix_vprop p_vulnerability[] = {
    R("name", STIX_V_STR), P("description", STIX_V_STR), END};

/* --- SROs (§5) ---------------------------------------------------------------- */

static const struct stix_vprop p_relationship[] = {
    R("relationship_type", STIX_V_STR), P("description", STIX_V_STR),
    RR("source_ref", r_sdo_sco), RR("target_ref", r_sdo_sco), P("start_time", STIX_V_TS),
    P("stop_time", STIX_V_TS), END};
static const struct stix_vprop p_sighting[] = {
    P("description", STIX_V_STR), SEEN, PI("count", 0, COUNT_MAX), RR("sighting_of_ref", r_sdo),
    PRS("observed_data_refs", r_observed), PRS("where_sighted_refs", r_where),
    P("summary", STIX_V_BOOL), END};

/* --- SCOs (§6) ---------------------------------------------------------------- */

static const struct stix_vprop p_artifact[] = {
    P("mime_type", STIX_V_STR), P("payload_bin", STIX_V_BIN), P("url", STIX_V_STR),
    P("hashes", STIX_V_HASHES), PE("encryption_algorithm", e_encryption),
    P("decryption_key", STIX_V_STR), END};
static const struct stix_vprop p_autonomous_system[] = {
    RI("number", -IMAX, IMAX), P("name", STIX_V_STR), P("rir", STIX_V_STR), END};
static const struct stix_vprop p_directory[] = {
    R("path", STIX_V_STR), P("path_enc", STIX_V_STR), P("ctime", STIX_V_TS),
    P("mtime", STIX_V_TS), P("atime", STIX_V_TS), PRS("contains_refs", r_file_dir), END};
static const struct stix_vprop p_domain_name[] = {
    R("value", STIX_V_STR), PRS("resolves_to_refs", r_resolves), END};
static const struct stix_vprop p_email_addr[] = {
    R("value", STIX_V_STR), P("display_name", STIX_V_STR), PR("belongs_to_ref", r_user), END};
static const struct stix_vprop p_email_message[] = {
    R("is_multipart", STIX_V_BOOL), P("date", STIX_V_TS), P("content_type", STIX_V_STR),
    PR("from_ref", r_email_addr), PR("sender_ref", r_email_addr), PRS("to_refs", r_email_addr),
    PRS("cc_refs", r_email_addr), PRS("bcc_refs", r_email_addr), P("message_id", STIX_V_STR),
    P("subject", STIX_V_STR), P("received_lines", STIX_V_STRS),
    P("additional_header_fields", STIX_V_DICT), P("body", STIX_V_STR),
    P("body_multipart", STIX_V_LIST), PR("raw_email_ref", r_artifact), END};
static const struct stix_vprop p_file[] = {
    P("hashes", STIX_V_HASHES), PI("size", 0, IMAX), P("name", STIX_V_STR),
    P("name_enc", STIX_V_STR), P("mime_type", STIX_V_STR), P("ctime", STIX_V_TS),
    P("mtime", STIX_V_TS), P("atime", STIX_V_TS), PR("parent_directory_ref", r_directory),
    PRS("contains_refs", r_sco), PR("content_ref", r_artifact), END};
static const struct stix_vprop p_ip_addr[] = {
    R("value", STIX_V_STR), PRS("resolves_to_refs", r_mac), PRS("belongs_to_refs", r_as), END};
static const struct stix_vprop p_mac_addr[] = {R("value", STIX_V_STR), END};
static const struct stix_vprop p_mutex[] = {R("name", STIX_V_STR), END};
static const struct stix_vprop p_network_traffic[] = {
    P("start", STIX_V_TS), P("end", STIX_V_TS), P("is_active", STIX_V_BOOL),
    PR("src_ref", r_endpoint), PR("dst_ref", r_endpoint), PI("src_port", 0, 65535),
    PI("dst_port", 0, 65535), R("protocols", STIX_V_STRS), PI("src_byte_count", 0, IMAX),
    PI("dst_byte_count", 0, IMAX), PI("src_packets", 0, IMAX), PI("dst_packets", 0, IMAX),
    P("ipfix", STIX_V_DICT), PR("src_payload_ref", r_artifact), PR("dst_payload_ref", r_artifact),
    PRS("encapsulates_refs", r_traffic), PR("encapsulated_by_ref", r_traffic), END};
static const struct stix_vprop p_process[] = {
    P("is_hidden", STIX_V_BOOL), PI("pid", -IMAX, IMAX), P("created_time", STIX_V_TS),
    P("cwd", STIX_V_STR), P("command_line", STIX_V_STR), P("environment_variables", STIX_V_DICT),
    PRS("opened_connection_refs", r_traffic), PR("creator_user_ref", r_user),
    PR("image_ref", r_file), PR("parent_ref", r_process), PRS("child_refs", r_process), END};
static const struct stix_vprop p_software[] = {
    R("name", STIX_V_STR), P("cpe", STIX_V_STR), P("swid", STIX_V_STR),
    P("languages", STIX_V_STRS), P("vendor", STIX_V_STR), P("version", STIX_V_STR), END};
static const struct stix_vprop p_url[] = {R("value", STIX_V_STR), END};
static const struct stix_vprop p_user_account[] = {
    P("user_id", STIX_V_STR), P("credential", STIX_V_STR), P("account_login", STIX_V_STR),
    P("account_type", STIX_V_STR), P("display_name", STIX_V_STR),
    P("is_service_account", STIX_V_BOOL), P("is_privileged", STIX_V_BOOL),
    P("can_escalate_privs", STIX_V_BOOL), P("is_disabled", STIX_V_BOOL),
    P("account_created", STIX_V_TS), P("account_expires", STIX_V_TS),
    P("credential_last_changed", STIX_V_TS), P("account_first_login", STIX_V_TS),
    P("account_last_login", STIX_V_TS), END};
static const struct stix_vprop p_windows_registry_key[] = {
    P("key", STIX_V_STR), P("values", STIX_V_LIST), P("modified_time", STIX_V_TS),
    PR("creator_user_ref", r_user), PI("number_of_subkeys", -IMAX, IMAX), END};
static const struct stix_vprop p_x509_certificate[] = {
    P("is_self_signed", STIX_V_BOOL), P("hashes", STIX_V_HASHES), P("version", STIX_V_STR),
    P("serial_number", STIX_V_STR), P("signature_algorithm", STIX_V_STR), P("issuer", STIX_V_STR),
    P("validity_not_before", STIX_V_TS), P("validity_not_after", STIX_V_TS),
    P("subject", STIX_V_STR), P("subject_public_key_algorithm", STIX_V_STR),
    P("subject_public_key_modulus", STIX_V_STR), PI("subject_public_key_exponent", -IMAX, IMAX),
    P("x509_v3_extensions", STIX_V_DICT), END};

/* --- SMOs (§7) ----------------------------------------------------------------- */

static const struct stix_vprop p_extension_definition[] = {
    RR("created_by_ref", r_identity), R("name", STIX_V_STR), P("description", STIX_V_STR),
    R("schema", STIX_V_STR), R("version", STIX_V_STR), RES("extension_types", e_ext_types),
    P("extension_properties", STIX_V_STRS), END};
static const struct stix_vprop p_language_content[] = {
    RR("object_ref", r_object), P("object_modified", STIX_V_TS), R("contents", STIX_V_DICT), END};
static const struct stix_vprop p_marking_definition[] = {
    P("name", STIX_V_STR), P("definition_type", STIX_V_STR), P("definition", STIX_V_OBJ), END};

static const struct stix_vprop p_none[] = {END};
/* clang-format on */

/* --- cross-property rules --------------------------------------------------- */

/* §4.2, §4.8, §4.9, §4.11, §4.17, §5.2: last_seen >= first_seen. */
static int check_seen(json_t *obj, struct error *err)
{
    return stix_vorder(obj, "first_seen", "last_seen", false, err);
}

/* §4.7: valid_until MUST be greater than valid_from. */
/*
 * §4.7 / §9: a pattern of pattern_type "stix" (or of a STIX 2.0 indicator,
 * which has no pattern_type) must be a valid STIX pattern; the message
 * carries the byte offset in the pattern.  Other pattern languages
 * (snort, yara, sigma, ...) are not judged.  An AND of two object types in
 * one bracket is let through: published feeds (Unit 42) have them, and
 * such a bracket simply never matches (pattern.mixed_and).
 */
int stix_vpattern_check(json_t *obj, struct error *err)
{
    json_t *v = json_object_get(obj, "pattern");
    json_t *type = json_object_get(obj, "pattern_type");
    struct pattern *p = NULL;
    struct error perr;

    if (!json_is_string(v) || (type && !stix_vstr_is(obj, "pattern_type", "stix")))
        return 0;
    error_clear(&perr);
    if (pat_parse_opts(json_string_value(v), json_string_length(v), PAT_PARSE_ALLOW_MIXED_AND, &p,
                       &perr) == 0) {
        pat_free(p);
        return 0;
    }
    return error_set_at(err, ERR_INVALID, "pattern", perr.offset, "invalid stix pattern: %s",
                        perr.msg);
}

static int check_indicator(json_t *obj, struct error *err)
{
    int r = stix_vorder(obj, "valid_from", "valid_until", true, err);

    return r ? r : stix_vpattern_check(obj, err);
}

/*
 * §4.10: at least one of region, country, or latitude+longitude; latitude
 * and longitude only together; precision only with both.
 */
static int check_location(json_t *obj, struct error *err)
{
    bool lat = stix_vhas(obj, "latitude"), lon = stix_vhas(obj, "longitude");

    if (lat && !lon)
        return stix_vfail_missing(err, NULL, -1, "longitude");
    if (lon && !lat)
        return stix_vfail_missing(err, NULL, -1, "latitude");
    if (stix_vhas(obj, "precision") && !lat)
        return stix_vfail(err, "precision", "'precision' needs 'latitude' and 'longitude'");
    if (!lat && !stix_vhas(obj, "region") && !stix_vhas(obj, "country"))
        return stix_vfail(err, "region",
                          "location needs 'region', 'country' or 'latitude' and 'longitude'");
    return 0;
}

/* §4.11: name is required when is_family is true. */
static int check_malware(json_t *obj, struct error *err)
{
    if (json_is_true(json_object_get(obj, "is_family")) && !stix_vhas(obj, "name"))
        return stix_vfail(err, "name", "missing required property 'name' (is_family is true)");
    return check_seen(obj, err);
}

/* §4.12: one of result or analysis_sco_refs MUST be present. */
static int check_malware_analysis(json_t *obj, struct error *err)
{
    if (!stix_vhas(obj, "result") && !stix_vhas(obj, "analysis_sco_refs"))
        return stix_vfail(err, "result",
                          "missing required property 'result' (or 'analysis_sco_refs')");
    return 0;
}

/* §2.13: the deprecated observable container maps keys to objects with a type. */
static int check_container(json_t *objects, struct error *err)
{
    const char *k;
    json_t *o;
    char p[ERROR_PATH_MAX];

    json_object_foreach(objects, k, o)
    {
        json_t *t = json_object_get(o, "type");
        if (json_is_object(o) && json_is_string(t))
            continue;
        snprintf(p, sizeof(p), "objects.%s", k);
        return json_is_object(o) ? stix_vfail_missing(err, p, -1, "type")
                                 : stix_vfail_shape(err, p, -1, NULL, "an object");
    }
    return 0;
}

/* §4.14: exactly one of object_refs / objects; last_observed >= first_observed. */
static int check_observed_data(json_t *obj, struct error *err)
{
    bool refs = stix_vhas(obj, "object_refs"), objs = stix_vhas(obj, "objects");

    if (refs && objs)
        return stix_vfail(err, "objects", "'objects' and 'object_refs' are mutually exclusive");
    if (!refs && !objs)
        return stix_vfail(err, "object_refs",
                          "missing required property 'object_refs' (or deprecated 'objects')");
    if (objs && check_container(json_object_get(obj, "objects"), err) != 0)
        return ERR_INVALID;
    return stix_vorder(obj, "first_observed", "last_observed", false, err);
}

/*
 * §5.1: relationship_type is ASCII a-z, 0-9 and '-'; stop_time MUST be
 * later than start_time.
 */
static int check_relationship(json_t *obj, struct error *err)
{
    json_t *v = json_object_get(obj, "relationship_type");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return stix_vfail(err, "relationship_type",
                              "invalid relationship_type '%.100s' (use a-z, 0-9 and '-')", s);
    }
    if (n == 0)
        return stix_vfail(err, "relationship_type", "'relationship_type' must not be empty");
    return stix_vorder(obj, "start_time", "stop_time", true, err);
}

/* §6.1: payload_bin or url (not both); url needs hashes; a key needs its algorithm. */
static int check_artifact(json_t *obj, struct error *err)
{
    bool bin = stix_vhas(obj, "payload_bin"), url = stix_vhas(obj, "url");

    if (bin && url)
        return stix_vfail(err, "url", "'payload_bin' and 'url' are mutually exclusive");
    if (!bin && !url)
        return stix_vfail(err, "payload_bin", "missing required property 'payload_bin' (or 'url')");
    if (url && !stix_vhas(obj, "hashes"))
        return stix_vfail(err, "hashes", "missing required property 'hashes' (needed with 'url')");
    if (stix_vhas(obj, "decryption_key") && !stix_vhas(obj, "encryption_algorithm"))
        return stix_vfail(err, "decryption_key", "'decryption_key' needs 'encryption_algorithm'");
    return 0;
}

/* §6.6: body only when not multipart, body_multipart only when multipart. */
static int check_email_message(json_t *obj, struct error *err)
{
    bool multi = json_is_true(json_object_get(obj, "is_multipart"));

    if (multi && stix_vhas(obj, "body"))
        return stix_vfail(err, "body", "'body' must not be used when 'is_multipart' is true");
    if (!multi && stix_vhas(obj, "body_multipart"))
        return stix_vfail(err, "body_multipart",
                          "'body_multipart' must not be used when 'is_multipart' is false");
    return 0;
}

/* §6.7: a file has hashes or a name. */
static int check_file(json_t *obj, struct error *err)
{
    if (!stix_vhas(obj, "hashes") && !stix_vhas(obj, "name"))
        return stix_vfail(err, "hashes", "missing required property 'hashes' (or 'name')");
    return 0;
}

/* §6.12: src_ref or dst_ref; no end while is_active; end >= start. */
static int check_network_traffic(json_t *obj, struct error *err)
{
    if (!stix_vhas(obj, "src_ref") && !stix_vhas(obj, "dst_ref"))
        return stix_vfail(err, "src_ref", "missing required property 'src_ref' (or 'dst_ref')");
    if (json_is_true(json_object_get(obj, "is_active")) && stix_vhas(obj, "end"))
        return stix_vfail(err, "end", "'end' must not be used when 'is_active' is true");
    return stix_vorder(obj, "start", "end", false, err);
}

/* §7.1: contents maps language codes to objects mirroring the target. */
static int check_language_content(json_t *obj, struct error *err)
{
    const char *k;
    json_t *v;
    char p[ERROR_PATH_MAX];

    json_object_foreach(json_object_get(obj, "contents"), k, v)
    {
        if (json_is_object(v))
            continue;
        snprintf(p, sizeof(p), "contents.%s", k);
        return stix_vfail_shape(err, p, -1, NULL, "an object");
    }
    return 0;
}

/* §7.3.1: extension_properties only with toplevel-property-extension. */
static int check_extension_definition(json_t *obj, struct error *err)
{
    json_t *types = json_object_get(obj, "extension_types"), *t;
    size_t i;

    if (!stix_vhas(obj, "extension_properties"))
        return 0;
    json_array_foreach(types, i, t)
    {
        if (strcmp(json_string_value(t), "toplevel-property-extension") == 0)
            return 0;
    }
    return stix_vfail(err, "extension_properties",
                      "'extension_properties' needs 'toplevel-property-extension' in "
                      "'extension_types'");
}

/* §7.2.1.4: the only TLP 1.0 marking definitions allowed. */
static int check_tlp(json_t *obj, json_t *def, struct error *err)
{
    static const struct {
        const char *colour, *id;
    } tlp[] = {
        {"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
        {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
        {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
        {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"},
    };
    json_t *c = json_object_get(def, "tlp");

    if (!c)
        return stix_vfail_missing(err, "definition", -1, "tlp");
    if (!json_is_string(c))
        return stix_vfail_shape(err, "definition.tlp", -1, NULL, "a string");
    for (size_t i = 0; i < sizeof(tlp) / sizeof(tlp[0]); i++) {
        if (!stix_vstr_is(def, "tlp", tlp[i].colour))
            continue;
        if (stix_vstr_is(obj, "id", tlp[i].id))
            return 0;
        return stix_vfail(err, "id", "a TLP:%s marking definition must have id '%s'", tlp[i].colour,
                          tlp[i].id);
    }
    return stix_vfail(err, "definition.tlp", "invalid TLP 1.0 colour '%.20s'",
                      json_string_value(c));
}

/* §7.2.1: definition_type + definition, required together unless extensions. */
static int check_definition(json_t *obj, struct error *err)
{
    json_t *dt = json_object_get(obj, "definition_type");
    json_t *def = json_object_get(obj, "definition"), *st;

    if (!dt && !def && stix_vhas(obj, "extensions"))
        return 0;
    if (!dt)
        return stix_vfail_missing(err, NULL, -1, "definition_type");
    if (!def)
        return stix_vfail_missing(err, NULL, -1, "definition");
    if (stix_vstr_is(obj, "definition_type", "tlp"))
        return check_tlp(obj, def, err);
    if (!stix_vstr_is(obj, "definition_type", "statement"))
        return 0; /* open vocabulary: other kinds are opaque */
    st = json_object_get(def, "statement");
    if (!st)
        return stix_vfail_missing(err, "definition", -1, "statement");
    return json_is_string(st) ? 0
                              : stix_vfail_shape(err, "definition.statement", -1, NULL, "a string");
}

/* §3.2: a marking definition must not mark itself (no circular references). */
static int check_marking_definition(json_t *obj, struct error *err)
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    json_t *v;
    size_t i;
    char p[ERROR_PATH_MAX];
    int r = check_definition(obj, err);

    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, v)
    {
        if (r == 0 && strcmp(json_string_value(v), id) == 0) {
            snprintf(p, sizeof(p), "object_marking_refs[%zu]", i);
            r = stix_vfail(err, p, "a marking definition must not mark itself");
        }
    }
    json_array_foreach(json_object_get(obj, "granular_markings"), i, v)
    {
        if (r == 0 && stix_vstr_is(v, "marking_ref", id)) {
            snprintf(p, sizeof(p), "granular_markings[%zu].marking_ref", i);
            r = stix_vfail(err, p, "a marking definition must not mark itself");
        }
    }
    return r;
}

/* --- the table (sorted by name) ------------------------------------------------ */

/* clang-format off */
#define SDO(n, p, c) {n, STIX_KIND_SDO, STIX_VT_BOTH, STIX_VS_DEFAULT_20, false, sdo_common, p, c}
#define SRO(n, p, c) {n, STIX_KIND_SRO, STIX_VT_BOTH, STIX_VS_DEFAULT_20, false, sdo_common, p, c}
#define SCO(n, one, p, c) {n, STIX_KIND_SCO, STIX_VT_NONE, STIX_VS_SCO, one, sco_common, p, c}

static const struct stix_vtype_def type_table[] = {
    SCO("artifact", false, p_artifact, check_artifact),
    SDO("attack-pattern", p_attack_pattern, NULL),
    SCO("autonomous-system", false, p_autonomous_system, NULL),
    SDO("campaign", p_campaign, check_seen),
    SDO("course-of-action", p_course_of_action, NULL),
    SCO("directory", false, p_directory, NULL),
    SCO("domain-name", false, p_domain_name, NULL),
    SCO("email-addr", false, p_email_addr, NULL),
    SCO("email-message", false, p_email_message, check_email_message),
    {"extension-definition", STIX_KIND_SMO, STIX_VT_BOTH, STIX_VS_REQUIRED, false, sdo_common,
     p_extension_definition, check_extension_definition},
    SCO("file", false, p_file, check_file),
    SDO("grouping", p_grouping, NULL),
    SDO("identity", p_identity, NULL),
    SDO("incident", p_incident, NULL),
    SDO("indicator", p_indicator, check_indicator),
    SDO("infrastructure", p_infrastructure, check_seen),
    SDO("intrusion-set", p_intrusion_set, check_seen),
    SCO("ipv4-addr", false, p_ip_addr, NULL),
    SCO("ipv6-addr", false, p_ip_addr, NULL),
    {"language-content", STIX_KIND_SMO, STIX_VT_BOTH, STIX_VS_REQUIRED, false, sdo_common,
     p_language_content, check_language_content},
    SDO("location", p_location, check_location),
    SCO("mac-addr", false, p_mac_addr, NULL),
    SDO("malware", p_malware, check_malware),
    SDO("malware-analysis", p_malware_analysis, check_malware_analysis),
    {"marking-definition", STIX_KIND_SMO, STIX_VT_CREATED, STIX_VS_DEFAULT_20, false,
     marking_common, p_marking_definition, check_marking_definition},
    SCO("mutex", false, p_mutex, NULL),
    SCO("network-traffic", false, p_network_traffic, check_network_traffic),
    SDO("note", p_note, NULL),
    SDO("observed-data", p_observed_data, check_observed_data),
    SDO("opinion", p_opinion, NULL),
    SCO("process", true, p_process, NULL),
    SRO("relationship", p_relationship, check_relationship),
    SDO("report", p_report, NULL),
    SRO("sighting", p_sighting, check_seen),
    SCO("software", false, p_software, NULL),
    SDO("threat-actor", p_threat_actor, check_seen),
    SDO("tool", p_tool, NULL),
    SCO("url", false, p_url, NULL),
    SCO("user-account", true, p_user_account, NULL),
    SDO("vulnerability", p_vulnerability, NULL),
    SCO("windows-registry-key", false, p_windows_registry_key, NULL),
    SCO("x509-certificate", true, p_x509_certificate, NULL),
};

static const struct stix_vtype_def custom = {
    "custom", STIX_KIND_CUSTOM, STIX_VT_OPTIONAL, STIX_VS_CUSTOM, false, custom_common, p_none,
    NULL};
/* clang-format on */

/* strcmp of the NUL-terminated name against key[0..len). */
static int name_cmp(const char *name, const char *key, size_t len)
{
    size_t n = strlen(name);
    int c = memcmp(name, key, n < len ? n : len);

    if (c != 0)
        return c;
    return n < len ? -1 : n > len ? 1 : 0;
}

const struct stix_vtype_def *stix_vtype_lookup(const char *type, size_t len)
{
    size_t lo = 0, hi = sizeof(type_table) / sizeof(type_table[0]);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(type_table[mid].name, type, len);
        if (c == 0)
            return &type_table[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct stix_vtype_def *stix_vtype_custom(void)
{
    return &custom;
}

int stix_vkind(const char *type, size_t len)
{
    const struct stix_vtype_def *d = stix_vtype_lookup(type, len);

    if (d)
        return (int)d->kind;
    if (len == 6 && memcmp(type, "bundle", 6) == 0)
        return STIX_VK_BUNDLE;
    return STIX_KIND_CUSTOM;
}
