/*
 * `concord match`: STIX 2.1 sightings of the indicators that matched
 * (STIX 2.1 §5.4): one per indicator, sighting_of_ref the indicator,
 * count the matches, first_seen/last_seen the earliest and latest record
 * times, where_sighted_refs and created_by_ref the local organisation.
 */
#include "cli/match_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stix/id.h"
#include "stix/timestamp.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct match_sight {
    json_t *by_id; /* indicator id -> [count, first_ns, last_ns] */
};

struct match_sight *match_sight_new(void)
{
    struct match_sight *s = xcalloc(1, sizeof(*s));
    s->by_id = json_object();
    return s;
}

void match_sight_free(struct match_sight *s)
{
    if (!s)
        return;
    json_decref(s->by_id);
    free(s);
}

void match_sight_add(struct match_sight *s, const char *indicator, int64_t first_ns,
                     int64_t last_ns, long count)
{
    json_t *e = json_object_get(s->by_id, indicator);
    if (!e) {
        json_object_set_new(s->by_id, indicator,
                            json_pack("[I, I, I]", (json_int_t)count, (json_int_t)first_ns,
                                      (json_int_t)last_ns));
        return;
    }
    json_int_t n = json_integer_value(json_array_get(e, 0)) + count;
    json_int_t f = json_integer_value(json_array_get(e, 1));
    json_int_t l = json_integer_value(json_array_get(e, 2));
    json_array_set_new(e, 0, json_integer(n));
    json_array_set_new(e, 1, json_integer(first_ns < f ? first_ns : f));
    json_array_set_new(e, 2, json_integer(last_ns > l ? last_ns : l));
}

size_t match_sight_count(const struct match_sight *s)
{
    return json_object_size(s->by_id);
}

static json_t *ts(int64_t ns)
{
    char out[STIX_TS_MAX];
    stix_ts_format_us(ns / 1000, out);
    return json_string(out);
}

static json_t *new_id(const char *type)
{
    char uuid[STIX_UUID_LEN + 1], id[64];
    stix_uuid4(uuid);
    snprintf(id, sizeof(id), "%s--%s", type, uuid);
    return json_string(id);
}

static json_t *identity(const char *id, json_t *now)
{
    char host[128] = "localhost", name[200];
    gethostname(host, sizeof(host) - 1);
    snprintf(name, sizeof(name), "concord match on %s", host);
    return json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:s}", "type", "identity", "spec_version",
                     "2.1", "id", id, "created", now, "modified", now, "name", name,
                     "identity_class", "system");
}

static json_t *sighting(const char *ind, json_t *e, const char *who, const char *tlp, json_t *now)
{
    json_int_t count = json_integer_value(json_array_get(e, 0));
    json_t *o = json_pack("{s:s, s:s, s:o, s:O, s:O, s:s, s:s, s:o, s:o, s:I, s:[s]}", "type",
                          "sighting", "spec_version", "2.1", "id", new_id("sighting"), "created",
                          now, "modified", now, "created_by_ref", who, "sighting_of_ref", ind,
                          "first_seen", ts(json_integer_value(json_array_get(e, 1))),
                          "last_seen", ts(json_integer_value(json_array_get(e, 2))), "count",
                          count > 999999999 ? 999999999 : count, "where_sighted_refs", who);
    if (o && tlp)
        json_object_set_new(o, "object_marking_refs", json_pack("[s]", tlp));
    return o;
}

char *match_sight_bundle(const struct match_sight *s, const char *who, bool make_identity,
                         const char *tlp_ref, bool envelope, size_t *len)
{
    json_t *now = ts(stix_now_us() * 1000);
    json_t *objs = json_array();
    if (make_identity)
        json_array_append_new(objs, identity(who, now));
    const char *ind;
    json_t *e;
    json_object_foreach(s->by_id, ind, e) {
        json_array_append_new(objs, sighting(ind, e, who, tlp_ref, now));
    }
    json_t *bundle = envelope ? json_pack("{s:o}", "objects", objs)
                              : json_pack("{s:s, s:o, s:o}", "type", "bundle", "id",
                                          new_id("bundle"), "objects", objs);
    char *text = json_dumps(bundle, JSON_COMPACT);
    json_decref(bundle);
    json_decref(now);
    *len = text ? strlen(text) : 0;
    return text;
}
