/*
 * STIX 2.1 observation of one log record (pat_record_observation): the
 * bridge from the flat values the bulk index looks up to the object graph
 * the reference evaluator (eval.c) walks when an indicator needs more
 * than one equality, e.g. [network-traffic:dst_ref.value = '…' AND
 * network-traffic:dst_port = 443].
 *
 * Objects made (STIX 2.1 §6): one ipv4-addr / ipv6-addr / domain-name /
 * url / email-addr per value; one file with every hash (hashes.MD5,
 * 'SHA-1', 'SHA-256', 'SHA-512') and the first file name, more names in
 * files of their own; one network-traffic when an address has a role,
 * with src_ref/dst_ref (first address of each role), src_port/dst_port
 * and protocols.  Ids are unique within one observation only.
 */
#include <stdio.h>
#include <string.h>

#include "pattern/jscan.h"
#include "pattern/logs.h"
#include "util/utf8.h"

struct obsv {
    json_t *roots, *by_ref;
    unsigned long seq;
};

static const char *const kind_names[PAT_V_KIND_COUNT] = {
    [PAT_V_IPV4] = "ipv4-addr",     [PAT_V_IPV6] = "ipv6-addr",
    [PAT_V_DOMAIN] = "domain-name", [PAT_V_URL] = "url",
    [PAT_V_EMAIL] = "email-addr",   [PAT_V_MD5] = "md5",
    [PAT_V_SHA1] = "sha1",          [PAT_V_SHA256] = "sha256",
    [PAT_V_SHA512] = "sha512",      [PAT_V_FILENAME] = "file-name",
};

const char *pat_vkind_name(enum pat_vkind kind)
{
    if ((unsigned)kind < PAT_V_KIND_COUNT)
        return kind_names[kind];
    return "unknown";
}

/* A new SCO of type with its id, added to roots and by_ref; borrowed reference. */
static json_t *add_sco(struct obsv *o, const char *type)
{
    char id[128];
    snprintf(id, sizeof(id), "%s--00000000-0000-4000-8000-%012lx", type, ++o->seq);
    json_t *sco = json_object();
    json_object_set_new(sco, "type", json_string(type));
    json_object_set_new(sco, "id", json_string(id));
    json_object_set(o->by_ref, id, sco);
    json_array_append_new(o->roots, sco);
    return sco;
}

static json_t *str_of(const struct pat_value *v)
{
    if (!utf8_valid(v->s, v->len))
        return NULL;
    return json_stringn(v->s, v->len);
}

static const char *hash_name(enum pat_vkind k)
{
    switch (k) {
    case PAT_V_MD5:
        return "MD5";
    case PAT_V_SHA1:
        return "SHA-1";
    case PAT_V_SHA256:
        return "SHA-256";
    default:
        return "SHA-512";
    }
}

/* The one file object of the record, made on first use. */
static json_t *file_of(struct obsv *o, json_t **file)
{
    if (!*file)
        *file = add_sco(o, "file");
    return *file;
}

static void add_file_value(struct obsv *o, const struct pat_value *v, json_t *s, json_t **file)
{
    if (v->kind == PAT_V_FILENAME) {
        json_t *f = file_of(o, file);
        if (json_object_get(f, "name"))
            f = add_sco(o, "file");
        json_object_set_new(f, "name", s);
        return;
    }
    json_t *f = file_of(o, file);
    json_t *hashes = json_object_get(f, "hashes");
    if (!hashes) {
        hashes = json_object();
        json_object_set_new(f, "hashes", hashes);
    }
    json_object_set_new(hashes, hash_name(v->kind), s);
}

static void add_traffic(struct obsv *o, const struct pat_record *rec, const char *src,
                        const char *dst)
{
    json_t *nt = add_sco(o, "network-traffic");
    if (src)
        json_object_set_new(nt, "src_ref", json_string(src));
    if (dst)
        json_object_set_new(nt, "dst_ref", json_string(dst));
    if (rec->src_port >= 0)
        json_object_set_new(nt, "src_port", json_integer(rec->src_port));
    if (rec->dst_port >= 0)
        json_object_set_new(nt, "dst_port", json_integer(rec->dst_port));
    if (rec->proto && utf8_valid(rec->proto, strlen(rec->proto)))
        json_object_set_new(nt, "protocols", json_pack("[s]", rec->proto));
}

int pat_record_observation(const struct pat_record *rec, json_t **roots, json_t **by_ref)
{
    struct obsv o = {.roots = json_array(), .by_ref = json_object()};
    json_t *file = NULL;
    char src[128] = "", dst[128] = "";
    if (!o.roots || !o.by_ref) {
        json_decref(o.roots);
        json_decref(o.by_ref);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < rec->n; i++) {
        const struct pat_value *v = &rec->v[i];
        json_t *s = str_of(v);
        if (!s)
            continue;
        if (v->kind >= PAT_V_MD5) {
            add_file_value(&o, v, s, &file);
            continue;
        }
        json_t *sco = add_sco(&o, kind_names[v->kind]);
        json_object_set_new(sco, "value", s);
        char *slot = v->role == PAT_ROLE_SRC ? src : v->role == PAT_ROLE_DST ? dst : NULL;
        if (slot && !slot[0] && (v->kind == PAT_V_IPV4 || v->kind == PAT_V_IPV6))
            snprintf(slot, sizeof(src), "%s", json_string_value(json_object_get(sco, "id")));
    }
    if (src[0] || dst[0])
        add_traffic(&o, rec, src[0] ? src : NULL, dst[0] ? dst : NULL);
    *roots = o.roots;
    *by_ref = o.by_ref;
    return 0;
}
