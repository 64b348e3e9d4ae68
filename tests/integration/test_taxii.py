"""TAXII 2.1 over real HTTP against `concord serve` (TAXII 2.1 OS, 10 June 2021).

Every endpoint, filter, status code and header the server offers:
discovery, API root, collections, collection, objects (GET/POST/DELETE),
object, versions, manifest and status; content negotiation (406/415),
authentication (401 + WWW-Authenticate), collection rights (403/404),
filters and pagination, ingest status resources, STIX versioning rules,
deletion, error resources, 405 and 413.

One node per test class (orgs, users and the server are shared); each test
makes its own collections so tests do not see each other's objects.
"""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

PW = "correct horse battery"
TAXII = ch.TAXII_MEDIA
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

T0 = "2021-02-28T09:00:00.000Z"
T1 = "2021-03-01T10:00:00.100Z"
T1_SHORT = "2021-03-01T10:00:00.1Z"   # the same instant as T1, other precision
T2 = "2021-03-02T10:00:00.000Z"
T3 = "2021-03-03T10:00:00.000Z"

# Objects without markings are TLP:AMBER by default: only their creator and
# origin organisations see them.  Objects other organisations must see are CLEAR.
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
CLEAR = {"object_marking_refs": [TLP_CLEAR]}


def coll_path(coll):
    return "/api/collections/%s/" % coll


def objects_path(coll, oid=None):
    return ch.Client.objects_path(coll, oid)


def versions_path(coll, oid):
    return "/api/collections/%s/objects/%s/versions/" % (coll, oid)


def manifest_path(coll):
    return "/api/collections/%s/manifest/" % coll


def ids_of(body, key="objects"):
    return [o["id"] for o in (body or {}).get(key, [])]


def sco_ipv4(value, **extra):
    canon = json.dumps({"value": value}, separators=(",", ":"), sort_keys=True)
    obj = {"type": "ipv4-addr", "spec_version": "2.1",
           "id": "ipv4-addr--%s" % uuid.uuid5(SCO_NAMESPACE, canon), "value": value}
    obj.update(extra)
    return obj


class TaxiiNode(ch.TimedTestCase):
    """Shared node: orgs alpha, beta, gamma, hub; users of every role; the server."""

    @classmethod
    def setUpClass(cls):
        cls.node = node = ch.Node()
        cls.addClassCleanup(node.close)
        cls.configure(node)
        cls.alpha = node.add_org("alpha", "SG", "national-cert")
        cls.beta = node.add_org("beta", "MY", "national-cert")
        cls.gamma = node.add_org("gamma", "TH", "sector-operator")
        cls.hub = node.add_org("hub", None, "hub")
        node.add_user("alice", "alpha", PW)
        node.add_user("alan", "alpha", PW, role="reader")
        node.add_user("bob", "beta", PW)
        node.add_user("gina", "gamma", PW)
        node.add_user("root", "hub", PW, role="admin")
        cls.alice_token = node.create_token("alice")
        cls.shared = node.conf("default_collection")
        node.start()
        node.alive_auth = ("alice", PW)
        cls.alice = ch.Client(node, ("alice", PW))
        cls.alan = ch.Client(node, ("alan", PW))
        cls.bob = ch.Client(node, ("bob", PW))
        cls.gina = ch.Client(node, ("gina", PW))
        cls.root = ch.Client(node, ("root", PW))
        cls.anon = ch.Client(node, None)

    @classmethod
    def configure(cls, node):
        """Hook for subclasses: change concord.conf before the server starts."""

    def new_collection(self, read=None, write=None, alias=None):
        return self.node.add_collection("c-%s" % uuid.uuid4().hex[:12], read=read, write=write,
                                        alias=alias)

    def post_ok(self, client, coll, *objects):
        r = client.post_objects(coll, *objects)
        self.assertTaxiiOk(r, 202)
        self.assertEqual(r.json["failure_count"], 0, r.text)
        self.assertEqual(r.json["success_count"], len(objects), r.text)
        return r.json

    def assertDateHeaders(self, r, first_us=None, last_us=None):
        """X-TAXII-Date-Added-First/Last present, TAXII timestamps, and as expected."""
        first = r.header("X-TAXII-Date-Added-First")
        last = r.header("X-TAXII-Date-Added-Last")
        self.assertIsNotNone(first, r)
        self.assertIsNotNone(last, r)
        f, l = ch.parse_taxii_ts(first), ch.parse_taxii_ts(last)
        self.assertLessEqual(f, l)
        if first_us is not None:
            self.assertEqual(f, first_us)
        if last_us is not None:
            self.assertEqual(l, last_us)
        return f, l

    def assertNoEmptyLists(self, value, where=""):
        """TAXII 2.1 §2: empty lists are prohibited in every resource."""
        if isinstance(value, list):
            self.assertTrue(value, "empty list at %s" % (where or "top"))
            for i, v in enumerate(value):
                self.assertNoEmptyLists(v, "%s[%d]" % (where, i))
        elif isinstance(value, dict):
            for k, v in value.items():
                self.assertNoEmptyLists(v, "%s.%s" % (where, k))

    def manifest_added(self, client, coll, params=None):
        """{(id, version): date_added µs} and the ordered records of the whole manifest."""
        p = {"match[version]": "all"}
        p.update(params or {})
        recs, _ = client.get_all(manifest_path(coll), params=p, limit=1000)
        return {(m["id"], m["version"]): ch.parse_taxii_ts(m["date_added"]) for m in recs}, recs


class ServerInformation(TaxiiNode):
    """Discovery, API root, collections, collection (§4.1, §4.2, §5.1, §5.2)."""

    def test_discovery(self):
        r = self.alice.get("/taxii2/")
        self.assertTaxiiOk(r)
        d = r.json
        self.assertIsInstance(d["title"], str)
        self.assertTrue(d["title"])
        root = "http://127.0.0.1:%d/api/" % self.node.port
        self.assertEqual(d["api_roots"], [root])
        self.assertEqual(d["default"], root)
        self.assertNotIn("X-TAXII-Date-Added-First", [k for k, _ in r.header_list])

    def test_api_root(self):
        r = self.alice.get("/api/")
        self.assertTaxiiOk(r)
        self.assertIn(TAXII, r.json["versions"])
        self.assertEqual(r.json["max_content_length"], int(self.node.conf("max_content_length")))
        self.assertIsInstance(r.json["title"], str)
        self.assertNoEmptyLists(r.json)

    def test_collections_list_and_rights(self):
        c_open = self.new_collection()
        c_beta = self.new_collection(read="beta", write="beta")
        c_ro = self.new_collection(read="alpha,beta", write="beta")
        c_wo = self.new_collection(read="beta", write="alpha")
        r = self.alice.get("/api/collections/")
        self.assertTaxiiOk(r)
        self.assertNoEmptyLists(r.json)
        by_id = {c["id"]: c for c in r.json["collections"]}
        self.assertNotIn(c_beta, by_id, "a collection alice may neither read nor write is listed")
        self.assertEqual((by_id[c_open]["can_read"], by_id[c_open]["can_write"]), (True, True))
        self.assertEqual((by_id[c_ro]["can_read"], by_id[c_ro]["can_write"]), (True, False))
        self.assertEqual((by_id[c_wo]["can_read"], by_id[c_wo]["can_write"]), (False, True))
        for c in by_id.values():
            uuid.UUID(c["id"])
            self.assertTrue(c["title"])
            self.assertEqual(c["media_types"], [ch.STIX_MEDIA])
        # the reader role can never write; admins see and write everything
        r = self.alan.get("/api/collections/")
        alan = {c["id"]: c for c in r.json["collections"]}
        self.assertEqual((alan[c_open]["can_read"], alan[c_open]["can_write"]), (True, False))
        r = self.root.get("/api/collections/")
        root = {c["id"]: c for c in r.json["collections"]}
        self.assertEqual((root[c_beta]["can_read"], root[c_beta]["can_write"]), (True, True))
        # §3.3: a consistent order across requests
        first = [c["id"] for c in self.alice.get("/api/collections/").json["collections"]]
        again = [c["id"] for c in self.alice.get("/api/collections/").json["collections"]]
        self.assertEqual(first, again)
        self.assertEqual(set(first), set(by_id))

    def test_collection_by_id_and_alias(self):
        alias = "alias-%s" % uuid.uuid4().hex[:8]
        cid = self.new_collection(alias=alias)
        by_id = self.alice.get(coll_path(cid))
        self.assertTaxiiOk(by_id)
        self.assertEqual(by_id.json["id"], cid)
        self.assertEqual(by_id.json["alias"], alias)
        by_alias = self.alice.get(coll_path(alias))
        self.assertTaxiiOk(by_alias)
        self.assertEqual(by_alias.json, by_id.json)
        # objects work through the alias as well
        obj = ch.indicator()
        self.post_ok(self.alice, alias, obj)
        r = self.alice.get(objects_path(cid))
        self.assertEqual(ids_of(r.json), [obj["id"]])
        self.assertTaxiiError(self.alice.get(coll_path(str(uuid.uuid4()))), 404)
        self.assertTaxiiError(self.alice.get(coll_path("no-such-alias")), 404)
        self.assertTaxiiError(self.alice.get(objects_path(str(uuid.uuid4()))), 404)
        self.assertTaxiiError(self.alice.get(manifest_path("no-such-alias")), 404)


class ContentNegotiation(TaxiiNode):
    """Accept (406) and Content-Type (415), TAXII 2.1 §1.6.8 and §3.1."""

    def endpoints(self):
        coll = self.shared
        obj = ch.indicator()
        st = self.post_ok(self.alice, coll, obj)
        return ["/taxii2/", "/api/", "/api/collections/", coll_path(coll), objects_path(coll),
                objects_path(coll, obj["id"]), versions_path(coll, obj["id"]),
                manifest_path(coll), "/api/status/%s/" % st["id"]]

    def test_accept_header(self):
        for path in self.endpoints():
            self.assertTaxiiOk(self.alice.get(path), msg=path)
            self.assertTaxiiError(self.alice.get(path, accept=None), 406, "no Accept " + path)
            for bad in ("application/json", "application/taxii+json;version=2.0",
                        "application/stix+json;version=2.1", "text/html", "*/*"):
                self.assertTaxiiError(self.alice.get(path, accept=bad), 406,
                                      "Accept %s %s" % (bad, path))
        path = "/api/collections/"
        for good in ("application/taxii+json", "application/taxii+json;version=2.1",
                     "application/taxii+json; version=2.1",
                     "application/json, application/taxii+json;version=2.1",
                     "application/taxii+json;version=2.1,application/stix+json;version=2.1"):
            self.assertTaxiiOk(self.alice.get(path, accept=good), msg=good)

    def test_post_content_type(self):
        coll = self.new_collection()
        path = objects_path(coll)
        body = ch.envelope(ch.indicator())
        for bad in ("application/json", "application/stix+json;version=2.1",
                    "application/taxii+json;version=2.0", "text/plain"):
            self.assertTaxiiError(self.alice.post(path, body, content_type=bad), 415, bad)
        self.assertTaxiiError(self.alice.post(path, body, content_type=""), 415, "no Content-Type")
        # 406 wins over 415 when both are wrong; nothing was stored by any of these
        self.assertTaxiiError(self.alice.post(path, body, accept="application/json",
                                              content_type="application/json"), 406)
        r = self.alice.get(path)
        self.assertEqual(ids_of(r.json), [])
        self.assertTaxiiOk(self.alice.post(path, body, content_type="application/taxii+json"), 202)
        self.assertTaxiiOk(self.alice.post(path, ch.envelope(ch.indicator())), 202)


class Authentication(TaxiiNode):
    """Basic and Bearer; 401 with WWW-Authenticate (§1.6.9)."""

    def assert401(self, r, msg=""):
        self.assertTaxiiError(r, 401, msg)
        challenge = r.header("WWW-Authenticate")
        self.assertIsNotNone(challenge, msg)
        self.assertIn("Basic", challenge)

    def test_missing_and_bad_credentials(self):
        paths = ["/taxii2/", "/api/", "/api/collections/", objects_path(self.shared),
                 manifest_path(self.shared), "/api/status/%s/" % uuid.uuid4()]
        bad_headers = [
            None,
            ch.basic_auth("alice", "wrong password"),
            ch.basic_auth("nobody", PW),
            ch.basic_auth("alice", ""),
            "Basic !!!not-base64!!!",
            "Basic " + "YWxpY2U=",                 # "alice" without a colon
            "Bearer cct_not-a-real-token",
            "Bearer ",
            "Digest username=\"alice\"",
            "alice:" + PW,
        ]
        for path in paths:
            for h in bad_headers:
                headers = {"Authorization": h} if h is not None else None
                r = self.node.request("GET", path, headers=headers)
                self.assert401(r, "%s %r" % (path, h))
        # POST without credentials is refused before anything is read or stored
        coll = self.new_collection()
        self.assert401(self.anon.post_objects(coll, ch.indicator()))
        self.assertEqual(ids_of(self.alice.get(objects_path(coll)).json), [])

    def test_basic_and_bearer(self):
        for auth in (("alice", PW), self.alice_token):
            c = ch.Client(self.node, auth)
            self.assertTaxiiOk(c.get("/taxii2/"))
            self.assertTaxiiOk(c.get("/api/collections/"))
        coll = self.new_collection()
        obj = ch.indicator()
        bearer = ch.Client(self.node, self.alice_token)
        r = bearer.post_objects(coll, obj)
        self.assertTaxiiOk(r, 202)
        # the status belongs to alice's organisation, whichever way she logged in
        self.assertTaxiiOk(self.alice.get("/api/status/%s/" % r.json["id"]))
        # the scheme name is case-insensitive (RFC 7235 §2.1)
        r = self.node.request("GET", "/api/", headers={"Authorization": "bearer " + self.alice_token})
        self.assertTaxiiOk(r)


class Permissions(TaxiiNode):
    """Collection rights: 404 when neither read nor write, 403 otherwise (§5.3-5.7)."""

    def test_rights_per_org_and_role(self):
        c_beta = self.new_collection(read="beta", write="beta")
        c_ro = self.new_collection(read="alpha,beta", write="beta")
        c_wo = self.new_collection(read="beta", write="alpha")
        obj = ch.indicator(created_by=self.beta, **CLEAR)
        for c in (c_beta, c_ro, c_wo):
            self.post_ok(self.bob if c != c_wo else self.root, c, obj)
        oid = obj["id"]

        # alice may neither read nor write c_beta: everything is 404, nothing leaks
        for r in (self.alice.get(coll_path(c_beta)), self.alice.get(objects_path(c_beta)),
                  self.alice.get(manifest_path(c_beta)), self.alice.get(objects_path(c_beta, oid)),
                  self.alice.get(versions_path(c_beta, oid)),
                  self.alice.post_objects(c_beta, ch.indicator()),
                  self.alice.delete(objects_path(c_beta, oid))):
            self.assertTaxiiError(r, 404)

        # read-only: reads work, POST and DELETE are 403
        self.assertTaxiiOk(self.alice.get(coll_path(c_ro)))
        self.assertEqual(ids_of(self.alice.get(objects_path(c_ro)).json), [oid])
        self.assertTaxiiOk(self.alice.get(manifest_path(c_ro)))
        self.assertTaxiiError(self.alice.post_objects(c_ro, ch.indicator()), 403)
        self.assertTaxiiError(self.alice.delete(objects_path(c_ro, oid)), 403)

        # write-only: POST works, reads are 403, DELETE is 403 (§5.7 table)
        self.assertTaxiiOk(self.alice.get(coll_path(c_wo)))
        for path in (objects_path(c_wo), manifest_path(c_wo), objects_path(c_wo, oid),
                     versions_path(c_wo, oid)):
            self.assertTaxiiError(self.alice.get(path), 403, path)
        mine = ch.indicator(created_by=self.alpha, **CLEAR)
        self.assertTaxiiOk(self.alice.post_objects(c_wo, mine), 202)
        self.assertTaxiiError(self.alice.delete(objects_path(c_wo, mine["id"])), 403)
        self.assertIn(mine["id"], ids_of(self.bob.get(objects_path(c_wo)).json))

        # the reader role reads but never writes, even where its org may write
        shared = self.new_collection()
        self.assertTaxiiOk(self.alan.get(objects_path(shared)))
        self.assertTaxiiError(self.alan.post_objects(shared, ch.indicator()), 403)
        self.assertEqual(ids_of(self.alice.get(objects_path(shared)).json), [])

        # gamma sees none of the restricted collections; bob and the admin see all
        for c in (c_beta, c_ro, c_wo):
            self.assertTaxiiError(self.gina.get(objects_path(c)), 404)
            r = self.root.get(objects_path(c))
            self.assertTaxiiOk(r)
            self.assertIn(oid, ids_of(r.json))
        self.assertEqual(ids_of(self.bob.get(objects_path(c_beta)).json), [oid])
        self.assertTaxiiOk(self.root.post_objects(c_beta, ch.indicator()), 202)


class AddObjectsAndStatus(TaxiiNode):
    """POST objects: 202 + status; GET status (§4.3, §5.5)."""

    def check_status_shape(self, st, total, ok, failed):
        for key in ("id", "status", "total_count", "success_count", "failure_count",
                    "pending_count"):
            self.assertIn(key, st)
        uuid.UUID(st["id"])
        self.assertEqual(st["status"], "complete")
        self.assertEqual(st["total_count"], total)
        self.assertEqual(st["success_count"], ok)
        self.assertEqual(st["failure_count"], failed)
        self.assertEqual(st["pending_count"], 0)
        self.assertEqual(st["total_count"],
                         st["success_count"] + st["failure_count"] + st["pending_count"])
        self.assertNoEmptyLists(st)
        self.assertEqual(len(st.get("successes", [])), ok)
        self.assertEqual(len(st.get("failures", [])), failed)
        self.assertEqual(len(st.get("pendings", [])), 0)
        ch.parse_taxii_ts(st["request_timestamp"])
        for d in st.get("successes", []) + st.get("failures", []):
            self.assertIn("id", d)
            self.assertIn("version", d)

    def test_mixed_envelope(self):
        coll = self.new_collection()
        good1 = ch.indicator(created_by=self.alpha)
        good2 = ch.malware(created_by=self.alpha)
        no_pattern = ch.indicator()
        del no_pattern["pattern"]
        bad_id = ch.indicator(id_="indicator--not-a-uuid")
        bad_ts = ch.indicator(created="2021-13-45T10:00:00.000Z", modified=T1)
        backwards = ch.indicator(created=T2, modified=T1)
        objs = [good1, no_pattern, bad_id, good2, bad_ts, backwards]
        r = self.alice.post_objects(coll, *objs)
        self.assertTaxiiOk(r, 202)
        st = r.json
        self.check_status_shape(st, 6, 2, 4)
        self.assertEqual(sorted(d["id"] for d in st["successes"]),
                         sorted([good1["id"], good2["id"]]))
        for d in st["successes"]:
            self.assertEqual(d["version"], good1["modified"] if d["id"] == good1["id"]
                             else good2["modified"])
        fails = {d["id"]: d for d in st["failures"]}
        # each failure names the property that is wrong
        self.assertIn("pattern", fails[no_pattern["id"]]["message"])
        self.assertRegex(fails[bad_id["id"]]["message"], r"\bid\b")
        self.assertIn("created", fails[bad_ts["id"]]["message"])
        self.assertIn("modified", fails[backwards["id"]]["message"])
        # only the valid objects were stored, exactly as sent
        got = self.alice.get(objects_path(coll)).json["objects"]
        self.assertEqual(sorted(got, key=lambda o: o["id"]),
                         sorted([good1, good2], key=lambda o: o["id"]))
        # the status resource can be read again, unchanged, by the poster's org and admins
        for who in (self.alice, self.alan, self.root, ch.Client(self.node, self.alice_token)):
            again = who.get("/api/status/%s/" % st["id"])
            self.assertTaxiiOk(again)
            self.assertEqual(again.json, st)
        # another organisation cannot learn anything about it
        for who in (self.bob, self.gina):
            self.assertTaxiiError(who.get("/api/status/%s/" % st["id"]), 404)
        self.assertTaxiiError(self.alice.get("/api/status/%s/" % uuid.uuid4()), 404)

    def test_envelope_errors(self):
        coll = self.new_collection()
        path = objects_path(coll)
        for body in ("{", "not json", "[]", "42", "{\"objects\": {}}", "{\"objects\": 1}",
                     "{\"more\": false}", "", "{\"objects\": [1, \"x\"], \"a\": }",
                     "{\"objects\":[{\"type\":\"indicator\"}],\"objects\":[]}"):
            r = self.alice.post(path, body)
            self.assertTaxiiError(r, 400, "body %r" % body)
            self.assertIsInstance(r.json.get("description", ""), str)
        # elements that are not objects are failures, not a 400
        r = self.alice.post(path, {"objects": [1, "x", ch.indicator()]})
        self.assertTaxiiOk(r, 202)
        self.check_status_shape(r.json, 3, 1, 2)
        # an empty envelope is a valid request that adds nothing
        r = self.alice.post(path, {"objects": []})
        self.assertTaxiiOk(r, 202)
        self.check_status_shape(r.json, 0, 0, 0)


class Versioning(TaxiiNode):
    """STIX versions through TAXII: match[version], versions endpoint, version rules."""

    def test_versions_and_version_filter(self):
        coll = self.new_collection()
        oid = ch.stix_id("indicator")
        v1 = ch.indicator(id_=oid, created=T1, modified=T1, created_by=self.alpha)
        v2 = dict(v1, modified=T2, confidence=80)
        self.post_ok(self.alice, coll, v1)
        self.post_ok(self.alice, coll, v2)
        other = ch.indicator()
        self.post_ok(self.alice, coll, other)

        def get(params=None, path=None):
            r = self.alice.get(path or objects_path(coll, oid), params=params)
            self.assertTaxiiOk(r)
            return r.json.get("objects", [])

        self.assertEqual(get(), [v2])
        self.assertEqual(get({"match[version]": "last"}), [v2])
        self.assertEqual(get({"match[version]": "first"}), [v1])
        self.assertEqual(get({"match[version]": "all"}), [v1, v2])
        self.assertEqual(get({"match[version]": T1}), [v1])
        self.assertEqual(get({"match[version]": T1_SHORT}), [v1])   # same instant
        self.assertEqual(get({"match[version]": "%s,%s" % (T1, T2)}), [v1, v2])
        self.assertEqual(get({"match[version]": "first,last"}), [v1, v2])
        self.assertEqual(get({"match[version]": T3}), [])
        # on the collection: the default is the latest version of every object
        self.assertEqual(get(path=objects_path(coll)), [v2, other])
        self.assertEqual(get({"match[version]": "first"}, objects_path(coll)), [v1, other])
        self.assertEqual(get({"match[version]": "all", "match[id]": oid}, objects_path(coll)),
                         [v1, v2])
        # versions endpoint lists both, oldest added first
        r = self.alice.get(versions_path(coll, oid))
        self.assertTaxiiOk(r)
        self.assertEqual(r.json["versions"], [T1, T2])
        self.assertIs(r.json["more"], False)
        self.assertDateHeaders(r)
        # manifest: one record per version, version = modified
        r = self.alice.get(manifest_path(coll), {"match[id]": oid, "match[version]": "all"})
        self.assertEqual([(m["id"], m["version"]) for m in r.json["objects"]],
                         [(oid, T1), (oid, T2)])
        for m in r.json["objects"]:
            self.assertEqual(m["media_type"], ch.STIX_MEDIA)
            ch.parse_taxii_ts(m["date_added"])
        for bad in ("latest", "", "2021-03-01", "first,,last", "2021-03-01T10:00:00.100+00:00"):
            self.assertTaxiiError(self.alice.get(objects_path(coll), {"match[version]": bad}),
                                  400, bad)

    def test_same_version_rules(self):
        coll = self.new_collection()
        v1 = ch.indicator(created=T1, created_by=self.alpha)
        self.post_ok(self.alice, coll, v1)
        # same id and modified, different body: a failure, the stored one unchanged
        changed = dict(v1, name="something else")
        r = self.alice.post_objects(coll, changed)
        self.assertTaxiiOk(r, 202)
        self.assertEqual((r.json["success_count"], r.json["failure_count"]), (0, 1), r.text)
        self.assertEqual(r.json["failures"][0]["id"], v1["id"])
        self.assertEqual(r.json["failures"][0]["version"], T1)
        self.assertTrue(r.json["failures"][0]["message"])
        self.assertEqual(self.alice.get(objects_path(coll, v1["id"]),
                                        {"match[version]": "all"}).json["objects"], [v1])
        # the same body again: a success, reported as already added (§5.5)
        r = self.alice.post_objects(coll, v1)
        self.assertEqual((r.json["success_count"], r.json["failure_count"]), (1, 0), r.text)
        self.assertIn("already", r.json["successes"][0]["message"])
        self.assertEqual(len(self.alice.get(manifest_path(coll)).json["objects"]), 1)

    def test_revoked_is_final(self):
        coll = self.new_collection()
        v1 = ch.indicator(created=T1, created_by=self.alpha)
        v2 = dict(v1, modified=T2, revoked=True)
        v3 = dict(v1, modified=T3, name="after revocation")
        self.post_ok(self.alice, coll, v1, v2)
        r = self.alice.post_objects(coll, v3)
        self.assertEqual((r.json["success_count"], r.json["failure_count"]), (0, 1), r.text)
        self.assertIn("revoked", r.json["failures"][0]["message"])
        self.assertEqual(self.alice.get(objects_path(coll, v1["id"])).json["objects"], [v2])
        self.assertEqual(self.alice.get(versions_path(coll, v1["id"])).json["versions"], [T1, T2])

    def test_only_the_creator_versions(self):
        coll = self.new_collection()
        v1 = ch.indicator(created=T1, created_by=self.alpha)
        self.post_ok(self.alice, coll, v1)
        other = dict(v1, modified=T2, created_by_ref=self.beta)
        anonymous = dict(v1, modified=T3)
        del anonymous["created_by_ref"]
        older = dict(v1, created=T0, modified=T0, valid_from=T0, created_by_ref=self.beta)
        for bad in (other, anonymous, older):
            r = self.bob.post_objects(coll, bad)
            self.assertTaxiiOk(r, 202)
            self.assertEqual((r.json["success_count"], r.json["failure_count"]), (0, 1),
                             "%s -> %s" % (bad["modified"], r.text))
            self.assertIn("created_by_ref", r.json["failures"][0]["message"])
        self.assertEqual(self.alice.get(versions_path(coll, v1["id"])).json["versions"], [T1])
        # the creator may add versions, including older ones
        self.post_ok(self.alice, coll, dict(v1, modified=T2))
        self.post_ok(self.alice, coll, dict(v1, created=T0, modified=T0, valid_from=T0))
        self.assertEqual(sorted(self.alice.get(versions_path(coll, v1["id"])).json["versions"]),
                         [T0, T1, T2])
        self.assertEqual(self.alice.get(objects_path(coll, v1["id"]),
                                        {"match[version]": "first"}).json["objects"][0]["modified"],
                         T0)

    def test_unversioned_objects(self):
        coll = self.new_collection()
        ip = sco_ipv4("198.51.100.7")
        self.post_ok(self.alice, coll, ip)
        r = self.alice.post_objects(coll, ip)
        self.assertEqual((r.json["success_count"], r.json["failure_count"]), (1, 0), r.text)
        self.assertIn("already", r.json["successes"][0]["message"])
        changed = dict(ip, defanged=True)
        r = self.alice.post_objects(coll, changed)
        self.assertEqual((r.json["success_count"], r.json["failure_count"]), (0, 1), r.text)
        self.assertEqual(self.alice.get(objects_path(coll, ip["id"]),
                                        {"match[version]": "all"}).json["objects"], [ip])
        # an SCO has no created/modified: its version is a value consistent to the server
        # (§5.3.1) -- the manifest's version, the versions endpoint and match[version] agree
        m = self.alice.get(manifest_path(coll)).json["objects"]
        self.assertEqual(len(m), 1)
        version = m[0]["version"]
        self.assertEqual(self.alice.get(versions_path(coll, ip["id"])).json["versions"], [version])
        self.assertEqual(r.json["failures"][0]["id"], ip["id"])
        again = self.alice.post_objects(coll, ip).json["successes"][0]
        self.assertEqual((again["message"], again["version"]), ("already added", version))
        r = self.alice.get(objects_path(coll), {"match[version]": version})
        self.assertEqual(r.json.get("objects"), [ip], r.text)
        # a marking definition is not versioned: its version is `created` (§3.4.1)
        marking = {"type": "marking-definition", "spec_version": "2.1",
                   "id": ch.stix_id("marking-definition"), "created": T1,
                   "definition_type": "statement",
                   "definition": {"statement": "Copyright 2021, Example Corp"}}
        self.post_ok(self.alice, coll, marking)
        r = self.alice.get(manifest_path(coll), {"match[type]": "marking-definition"})
        self.assertEqual([(x["id"], x["version"]) for x in r.json["objects"]],
                         [(marking["id"], T1)])
        r = self.alice.get(objects_path(coll), {"match[version]": T1})
        self.assertEqual(r.json["objects"], [marking])
        r = self.alice.post_objects(coll, dict(marking, name="renamed"))
        self.assertEqual(r.json["failure_count"], 1, r.text)


class Filters(TaxiiNode):
    """match[id], match[type], match[spec_version], added_after, unknown filters (§3.4)."""

    def test_id_and_type(self):
        coll = self.new_collection()
        i1, i2 = ch.indicator(n=1), ch.indicator(n=2)
        m1 = ch.malware()
        self.post_ok(self.alice, coll, i1, m1, i2)

        def got(params, path=None):
            r = self.alice.get(path or objects_path(coll), params)
            self.assertTaxiiOk(r)
            return ids_of(r.json)

        self.assertEqual(got({"match[type]": "indicator"}), [i1["id"], i2["id"]])
        self.assertEqual(got({"match[type]": "malware"}), [m1["id"]])
        self.assertEqual(got({"match[type]": "indicator,malware"}), [i1["id"], m1["id"], i2["id"]])
        self.assertEqual(got({"match[type]": "campaign"}), [])
        self.assertEqual(got({"match[id]": i2["id"]}), [i2["id"]])
        self.assertEqual(got({"match[id]": "%s,%s" % (i2["id"], m1["id"])}), [m1["id"], i2["id"]])
        # AND across fields
        self.assertEqual(got({"match[id]": i1["id"], "match[type]": "malware"}), [])
        self.assertEqual(got({"match[id]": i1["id"], "match[type]": "indicator"}), [i1["id"]])
        self.assertEqual(got({"match[id]": ch.stix_id("indicator")}), [])
        # the manifest filters the same way
        self.assertEqual(got({"match[type]": "malware"}, manifest_path(coll)), [m1["id"]])
        self.assertEqual(got({"match[id]": i1["id"]}, manifest_path(coll)), [i1["id"]])
        for key, bad in (("match[type]", "Indicator"), ("match[type]", "in dicator"),
                         ("match[type]", ""), ("match[type]", "indicator,"),
                         ("match[id]", "foo"), ("match[id]", "indicator--1234"),
                         ("match[id]", ""), ("match[foo]", "bar"), ("match[created]", T1)):
            for path in (objects_path(coll), manifest_path(coll)):
                self.assertTaxiiError(self.alice.get(path, {key: bad}), 400, "%s=%r" % (key, bad))
        # filters the object and versions endpoints do not take (§5.6, §5.8)
        one = objects_path(coll, i1["id"])
        self.assertTaxiiError(self.alice.get(one, {"match[type]": "indicator"}), 400)
        self.assertTaxiiError(self.alice.get(one, {"match[id]": i1["id"]}), 400)
        self.assertTaxiiError(self.alice.get(versions_path(coll, i1["id"]),
                                             {"match[version]": "all"}), 400)
        # parameters that are not TAXII filters are ignored
        self.assertEqual(got({"foo": "bar"}), [i1["id"], m1["id"], i2["id"]])

    def test_spec_version(self):
        coll = self.new_collection()
        old = {"type": "indicator", "id": ch.stix_id("indicator"), "created": T1, "modified": T1,
               "labels": ["malicious-activity"], "pattern": "[ipv4-addr:value = '203.0.113.9']",
               "valid_from": T1}
        new = ch.indicator()
        self.post_ok(self.alice, coll, old, new)

        def got(spec, path=None):
            params = {"match[spec_version]": spec} if spec else None
            r = self.alice.get(path or objects_path(coll), params)
            self.assertTaxiiOk(r)
            return ids_of(r.json)

        self.assertEqual(got(None), [old["id"], new["id"]])
        self.assertEqual(got("2.0"), [old["id"]])
        self.assertEqual(got("2.1"), [new["id"]])
        self.assertEqual(got("2.0,2.1"), [old["id"], new["id"]])
        self.assertEqual(got("2.0", objects_path(coll, old["id"])), [old["id"]])
        self.assertEqual(got("2.1", objects_path(coll, old["id"])), [])
        r = self.alice.get(manifest_path(coll))
        media = {m["id"]: m["media_type"] for m in r.json["objects"]}
        self.assertEqual(media, {old["id"]: "application/stix+json;version=2.0",
                                 new["id"]: ch.STIX_MEDIA})
        self.assertEqual(self.alice.get(versions_path(coll, old["id"]),
                                        {"match[spec_version]": "2.0"}).json["versions"], [T1])
        for bad in ("2.2", "abc", "", "2.1,", "2"):
            self.assertTaxiiError(self.alice.get(objects_path(coll), {"match[spec_version]": bad}),
                                  400, bad)

    def test_added_after(self):
        coll = self.new_collection()
        objs = [ch.indicator(n=i) for i in range(6)]
        for o in objs:
            self.post_ok(self.alice, coll, o)
        added, recs = self.manifest_added(self.alice, coll)
        order = [m["id"] for m in recs]
        self.assertEqual(order, [o["id"] for o in objs])
        third = recs[2]["date_added"]
        for path in (objects_path(coll), manifest_path(coll)):
            r = self.alice.get(path, {"added_after": third})
            self.assertTaxiiOk(r)
            self.assertEqual(ids_of(r.json), order[3:], "strictly after the third")
            self.assertDateHeaders(r, ch.parse_taxii_ts(recs[3]["date_added"]),
                                   ch.parse_taxii_ts(recs[-1]["date_added"]))
        # works on the object and versions endpoints too
        r = self.alice.get(objects_path(coll, order[1]), {"added_after": third})
        self.assertEqual(r.status, 200)
        self.assertNotIn("objects", r.json or {})
        r = self.alice.get(objects_path(coll, order[4]), {"added_after": third})
        self.assertEqual(ids_of(r.json), [order[4]])
        r = self.alice.get(versions_path(coll, order[1]), {"added_after": third})
        self.assertEqual(r.json, {})
        # nothing after the last: an empty result, no empty lists (§3.7, §5.3.1)
        last = recs[-1]["date_added"]
        r = self.alice.get(objects_path(coll), {"added_after": last})
        self.assertEqual(r.status, 200)
        self.assertNotIn("objects", r.json)
        self.assertFalse(r.json.get("more", False))
        self.assertEqual(self.alice.get(manifest_path(coll), {"added_after": last}).json, {})
        for bad in ("yesterday", "2021-03-01", "2021-03-01T10:00:00+00:00", "2021-03-01T25:00:00Z",
                    "", "1614592800"):
            self.assertTaxiiError(self.alice.get(objects_path(coll), {"added_after": bad}), 400,
                                  bad)
        # an old date returns everything
        r = self.alice.get(objects_path(coll), {"added_after": "2000-01-01T00:00:00.000000Z"})
        self.assertEqual(ids_of(r.json), order)


class Pagination(TaxiiNode):
    """limit, more, next and X-TAXII-Date-Added-* on every list (§3.2, §3.4, §3.5)."""

    timeout = 400

    def page_through(self, path, params, per_page, during=None):
        """Follow next; check each page's shape; returns ([(page items, response)], items)."""
        params = dict(params or {})
        params["limit"] = str(per_page)
        key = "versions" if path.endswith("/versions/") else "objects"
        pages, items = [], []
        for n in range(10000):
            r = self.alice.get(path, params)
            self.assertTaxiiOk(r, msg=path)
            self.assertNoEmptyLists(r.json)
            page = r.json.get(key, [])
            self.assertGreaterEqual(len(page), 1, r.text)
            self.assertLessEqual(len(page), per_page)
            self.assertDateHeaders(r)
            pages.append((page, r))
            items.extend(page)
            if during:
                during(n)
            if r.json.get("more") is not True:
                self.assertIs(r.json.get("more"), False)
                self.assertNotIn("next", r.json)
                return pages, items
            self.assertEqual(len(page), per_page, "a short page with more=true")
            self.assertIsInstance(r.json.get("next"), str)
            params["next"] = r.json["next"]
        self.fail("no end of pages")

    def test_250_objects_limit_7_with_posts_while_paging(self):
        coll = self.new_collection()
        objs = [ch.indicator(n=i) for i in range(250)]
        for chunk in (objs[:100], objs[100:200], objs[200:]):
            self.post_ok(self.alice, coll, *chunk)
        late = [ch.indicator(n=1000 + i) for i in range(5)]

        def post_late(n):
            if n == 3:
                self.post_ok(self.alice, coll, *late[:3])
            elif n == 10:
                self.post_ok(self.alice, coll, *late[3:])

        pages, got = self.page_through(objects_path(coll), None, 7, post_late)
        ids = [o["id"] for o in got]
        self.assertEqual(len(ids), len(set(ids)), "an object was served twice")
        self.assertEqual(set(ids), {o["id"] for o in objs + late}, "an object was never served")
        posted = {o["id"]: o for o in objs + late}
        for o in got:
            self.assertEqual(o, posted[o["id"]])
        self.assertEqual(set(ids[-5:]), {o["id"] for o in late})
        # order and headers, checked against the manifest's date_added
        added, recs = self.manifest_added(self.alice, coll)
        self.assertEqual(len(recs), 255)
        by_id = {m["id"]: ch.parse_taxii_ts(m["date_added"]) for m in recs}
        seq = [by_id[i] for i in ids]
        self.assertTrue(all(a < b for a, b in zip(seq, seq[1:])), "not in date_added order")
        self.assertEqual(ids, [m["id"] for m in recs])
        for page, r in pages:
            self.assertDateHeaders(r, by_id[page[0]["id"]], by_id[page[-1]["id"]])
            self.assertEqual(r.header("X-TAXII-Date-Added-First"),
                             [m["date_added"] for m in recs if m["id"] == page[0]["id"]][0])
        # the manifest pages the same way, its headers match its own records
        mpages, mrecs = self.page_through(manifest_path(coll), None, 7)
        self.assertEqual([m["id"] for m in mrecs], ids)
        for page, r in mpages:
            self.assertEqual(r.header("X-TAXII-Date-Added-First"), page[0]["date_added"])
            self.assertEqual(r.header("X-TAXII-Date-Added-Last"), page[-1]["date_added"])

    def test_limit_1_on_every_list(self):
        coll = self.new_collection()
        oid = ch.stix_id("indicator")
        v = [ch.indicator(id_=oid, created=T1, modified=t) for t in (T1, T2, T3)]
        others = [ch.indicator(n=i) for i in range(3)]
        self.post_ok(self.alice, coll, v[0], others[0])
        self.post_ok(self.alice, coll, v[1], others[1])
        self.post_ok(self.alice, coll, v[2], others[2])
        cases = [
            (objects_path(coll), None, [others[0]["id"], others[1]["id"], oid, others[2]["id"]]),
            (objects_path(coll), {"match[type]": "indicator", "match[version]": "first"},
             [oid, others[0]["id"], others[1]["id"], others[2]["id"]]),
            (manifest_path(coll), {"match[version]": "all"},
             [oid, others[0]["id"], oid, others[1]["id"], oid, others[2]["id"]]),
            (objects_path(coll, oid), {"match[version]": "all"}, [oid, oid, oid]),
            (versions_path(coll, oid), None, [T1, T2, T3]),
        ]
        for path, params, want in cases:
            pages, items = self.page_through(path, params, 1)
            self.assertEqual(len(pages), len(want), path)
            got = [i if isinstance(i, str) else i["id"] for i in items]
            self.assertEqual(got, want, "%s %s" % (path, params))
            firsts = [ch.parse_taxii_ts(r.header("X-TAXII-Date-Added-First")) for _, r in pages]
            lasts = [ch.parse_taxii_ts(r.header("X-TAXII-Date-Added-Last")) for _, r in pages]
            self.assertEqual(firsts, lasts, "one object per page")
            self.assertTrue(all(a < b for a, b in zip(firsts, firsts[1:])))
        # the versions pages' headers are the date_added of each version
        added, _ = self.manifest_added(self.alice, coll, {"match[id]": oid})
        pages, _ = self.page_through(versions_path(coll, oid), None, 1)
        for (page, r), t in zip(pages, (T1, T2, T3)):
            self.assertEqual(page, [t])
            self.assertDateHeaders(r, added[(oid, t)], added[(oid, t)])

    def test_limit_values_and_cap(self):
        coll = self.new_collection()
        objs = [ch.indicator(n=i) for i in range(1001)]
        self.post_ok(self.alice, coll, *objs)
        one = objs[0]["id"]
        for path in (objects_path(coll), manifest_path(coll), objects_path(coll, one),
                     versions_path(coll, one)):
            for bad in ("0", "-1", "abc", "1.5", "", "1e3", " 5"):
                self.assertTaxiiError(self.alice.get(path, {"limit": bad}), 400,
                                      "%s limit=%r" % (path, bad))
        # over the cap: a full page of at most 1000, more=true, and next reaches the rest
        for params in ({"limit": "5000"}, None):
            r = self.alice.get(objects_path(coll), params)
            self.assertTaxiiOk(r)
            self.assertEqual(len(r.json["objects"]), 1000)
            self.assertIs(r.json["more"], True)
            p = dict(params or {}, next=r.json["next"])
            r2 = self.alice.get(objects_path(coll), p)
            self.assertEqual(ids_of(r2.json), [objs[-1]["id"]])
            self.assertIs(r2.json["more"], False)
        r = self.alice.get(manifest_path(coll), {"limit": "1001"})
        self.assertEqual(len(r.json["objects"]), 1000)
        self.assertIs(r.json["more"], True)
        # exactly the remaining number: more is false
        r = self.alice.get(objects_path(coll), {"limit": "2", "match[id]": "%s,%s" % (
            objs[5]["id"], objs[6]["id"])})
        self.assertEqual(len(r.json["objects"]), 2)
        self.assertIs(r.json["more"], False)
        self.assertNotIn("next", r.json)

    def test_next_token(self):
        coll = self.new_collection()
        objs = [ch.indicator(n=i) for i in range(5)] + [ch.malware()]
        self.post_ok(self.alice, coll, *objs)
        path = objects_path(coll)
        r = self.alice.get(path, {"limit": "2", "match[type]": "indicator"})
        tok = r.json["next"]
        # the same filters with another limit: fine
        r2 = self.alice.get(path, {"limit": "3", "match[type]": "indicator", "next": tok})
        self.assertTaxiiOk(r2)
        self.assertEqual(ids_of(r2.json), [o["id"] for o in objs[2:5]])
        # other filters: 400
        for params in ({"limit": "2", "next": tok},
                       {"limit": "2", "match[type]": "malware", "next": tok},
                       {"limit": "2", "match[type]": "indicator", "match[version]": "all",
                        "next": tok},
                       {"limit": "2", "match[type]": "indicator", "added_after": T1, "next": tok},
                       {"limit": "2", "match[type]": "indicator,malware", "next": tok}):
            self.assertTaxiiError(self.alice.get(path, params), 400, params)
        for bad in ("garbage", "", "AAAA", tok + "x", tok[:-2], "%%%"):
            self.assertTaxiiError(self.alice.get(path, {"limit": "2", "match[type]": "indicator",
                                                        "next": bad}), 400, bad)
        self.assertTaxiiError(self.alice.get(manifest_path(coll), {"next": "garbage"}), 400)
        self.assertTaxiiError(self.alice.get(versions_path(coll, objs[0]["id"]),
                                             {"next": "garbage"}), 400)

    def test_headers_on_every_list(self):
        coll = self.new_collection()
        oid = ch.stix_id("indicator")
        a = ch.indicator(id_=oid, created=T1)
        b = dict(a, modified=T2)
        self.post_ok(self.alice, coll, a)
        self.post_ok(self.alice, coll, b)
        added, _ = self.manifest_added(self.alice, coll)
        t1, t2 = added[(oid, T1)], added[(oid, T2)]
        for path, params, first, last in (
                (objects_path(coll), None, t2, t2),
                (objects_path(coll), {"match[version]": "all"}, t1, t2),
                (manifest_path(coll), {"match[version]": "first"}, t1, t1),
                (objects_path(coll, oid), {"match[version]": "all"}, t1, t2),
                (objects_path(coll, oid), None, t2, t2),
                (versions_path(coll, oid), None, t1, t2)):
            r = self.alice.get(path, params)
            self.assertTaxiiOk(r)
            self.assertIn("more", r.json)
            self.assertDateHeaders(r, first, last)
        # headers appear only on list resources
        for path in ("/taxii2/", "/api/", "/api/collections/", coll_path(coll)):
            r = self.alice.get(path)
            self.assertIsNone(r.header("X-TAXII-Date-Added-First"), path)


class Deletion(TaxiiNode):
    """DELETE an object or some of its versions (§5.7)."""

    def test_delete_versions_then_object(self):
        coll = self.new_collection()
        v1 = ch.indicator(created=T1, created_by=self.alpha)
        v2 = dict(v1, modified=T2)
        v3 = dict(v1, modified=T3)
        keep = ch.indicator(created_by=self.alpha)
        self.post_ok(self.alice, coll, v1, v2, v3, keep)
        oid = v1["id"]
        r = self.alice.delete(objects_path(coll, oid), {"match[version]": T1})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), TAXII)
        self.assertEqual(self.alice.get(objects_path(coll, oid), {"match[version]": "all"})
                         .json["objects"], [v2, v3])
        self.assertEqual(self.alice.get(versions_path(coll, oid)).json["versions"], [T2, T3])
        # first/last follow the remaining versions
        self.assertEqual(self.alice.get(objects_path(coll, oid), {"match[version]": "first"})
                         .json["objects"], [v2])
        r = self.alice.delete(objects_path(coll, oid), {"match[version]": "last"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.alice.get(objects_path(coll, oid)).json["objects"], [v2])
        # the whole object: every later read is 404 and the manifest forgets it
        r = self.alice.delete(objects_path(coll, oid))
        self.assertEqual(r.status, 200, r)
        self.assertTaxiiError(self.alice.get(objects_path(coll, oid)), 404)
        self.assertTaxiiError(self.alice.get(versions_path(coll, oid)), 404)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, oid)), 404)
        self.assertEqual(ids_of(self.alice.get(manifest_path(coll),
                                               {"match[version]": "all"}).json), [keep["id"]])
        self.assertEqual(ids_of(self.alice.get(objects_path(coll)).json), [keep["id"]])

    def test_delete_single_version_object(self):
        coll = self.new_collection()
        obj = ch.indicator(created=T1, created_by=self.alpha)
        self.post_ok(self.alice, coll, obj)
        r = self.alice.delete(objects_path(coll, obj["id"]), {"match[version]": T1})
        self.assertEqual(r.status, 200, r)
        self.assertTaxiiError(self.alice.get(objects_path(coll, obj["id"])), 404)
        # the id can be used again afterwards
        self.post_ok(self.alice, coll, obj)
        self.assertEqual(self.alice.get(objects_path(coll, obj["id"])).json["objects"], [obj])

    def test_who_may_delete(self):
        coll = self.new_collection()
        # TLP:AMBER by default: visible to alpha (creator, or origin: alice posted them)
        mine = ch.indicator(created_by=self.alpha)
        theirs = ch.indicator(created_by=self.beta)
        nobody = ch.indicator()
        # TLP:CLEAR: visible to every organisation
        mine_c = ch.indicator(created_by=self.alpha, **CLEAR)
        theirs_c = ch.indicator(created_by=self.beta, **CLEAR)
        nobody_c = ch.indicator(**CLEAR)
        self.post_ok(self.alice, coll, mine, theirs, nobody, mine_c, theirs_c, nobody_c)
        # another organisation's member who cannot see the object: it does not exist (404)
        self.assertTaxiiError(self.bob.delete(objects_path(coll, mine["id"])), 404)
        self.assertTaxiiError(self.gina.delete(objects_path(coll, nobody["id"])), 404)
        # ... who can see it but did not create it: 403
        self.assertTaxiiError(self.bob.delete(objects_path(coll, mine_c["id"])), 403)
        self.assertTaxiiError(self.gina.delete(objects_path(coll, nobody_c["id"])), 403)
        # the origin sees what it delivered but did not create it: 403
        self.assertTaxiiError(self.alice.delete(objects_path(coll, theirs["id"])), 403)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, nobody["id"])), 403)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, theirs_c["id"])), 403)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, nobody_c["id"])), 403)
        # the creating organisation's reader role: 403
        self.assertTaxiiError(self.alan.delete(objects_path(coll, mine["id"])), 403)
        self.assertTaxiiError(self.alan.delete(objects_path(coll, mine_c["id"])), 403)
        # an admin may not delete (nor learn of) what its organisation cannot see
        self.assertTaxiiError(self.root.delete(objects_path(coll, theirs["id"])), 404)
        self.assertTaxiiError(self.root.delete(objects_path(coll, nobody["id"])), 404)
        self.assertEqual(len(self.alice.get(objects_path(coll)).json["objects"]), 6)
        # the creating organisation and the admin may
        self.assertEqual(self.alice.delete(objects_path(coll, mine["id"])).status, 200)
        self.assertEqual(self.alice.delete(objects_path(coll, mine_c["id"])).status, 200)
        self.assertEqual(self.bob.delete(objects_path(coll, theirs["id"])).status, 200)
        self.assertEqual(self.root.delete(objects_path(coll, theirs_c["id"])).status, 200)
        self.assertEqual(self.root.delete(objects_path(coll, nobody_c["id"])).status, 200)
        self.assertEqual(ids_of(self.alice.get(objects_path(coll)).json), [nobody["id"]])

    def test_delete_on_collection_endpoint(self):
        coll = self.new_collection()
        a = ch.indicator(created_by=self.alpha)
        b = ch.indicator(created_by=self.alpha)
        c = ch.indicator(created_by=self.alpha)
        self.post_ok(self.alice, coll, a, b, c)
        path = objects_path(coll)
        self.assertTaxiiError(self.alice.delete(path), 400, "DELETE needs match[id]")
        self.assertTaxiiError(self.alice.delete(path, {"match[type]": "indicator"}), 400)
        self.assertTaxiiError(self.alice.delete(path, {"match[id]": "bogus"}), 400)
        self.assertTaxiiError(self.alice.delete(path, {"match[id]": ch.stix_id("indicator")}), 404)
        r = self.alice.delete(path, {"match[id]": "%s,%s" % (a["id"], b["id"])})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(ids_of(self.alice.get(path).json), [c["id"]])

    def test_delete_errors(self):
        coll = self.new_collection()
        self.assertTaxiiError(self.alice.delete(objects_path(coll, ch.stix_id("indicator"))), 404)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, "not-an-id")), 404)
        self.assertTaxiiError(self.alice.delete(objects_path(str(uuid.uuid4()),
                                                             ch.stix_id("indicator"))), 404)
        obj = ch.indicator(created_by=self.alpha)
        self.post_ok(self.alice, coll, obj)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, obj["id"]),
                                                {"match[version]": "never"}), 400)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, obj["id"]),
                                                {"limit": "1"}), 400)
        self.assertTaxiiError(self.alice.delete(objects_path(coll, obj["id"]),
                                                {"match[version]": T3}), 404)
        self.assertEqual(ids_of(self.alice.get(objects_path(coll)).json), [obj["id"]])


class ErrorsAndRobustness(TaxiiNode):
    """Unknown resources, wrong methods, error resources; the server keeps serving."""

    def test_unknown_resources(self):
        coll = self.new_collection()
        obj = ch.indicator()
        self.post_ok(self.alice, coll, obj)
        for path in ("/", "/taxii/", "/taxii2/extra/", "/api2/", "/api/nothing/",
                     "/api/collections/%s/nothing/" % coll,
                     "/api/collections/%s/objects/%s/versions/extra/" % (coll, obj["id"]),
                     "/api/collections/%s/objects/%s/other/" % (coll, obj["id"]),
                     "/api/status/", "/" + "a/" * 20):
            self.assertTaxiiError(self.alice.get(path), 404, path)
        self.assertTaxiiError(self.alice.get(objects_path(coll, ch.stix_id("indicator"))), 404)
        self.assertTaxiiError(self.alice.get(versions_path(coll, ch.stix_id("indicator"))), 404)
        self.assertTaxiiError(self.alice.get(objects_path(coll, "not-a-stix-id")), 404)
        self.assertTaxiiError(self.alice.get(objects_path(str(uuid.uuid4()), obj["id"])), 404)
        self.assertTaxiiError(self.alice.get("/api/status/%s/" % uuid.uuid4()), 404)
        self.assertTaxiiError(self.alice.get("/api/status/not-a-status/"), 404)
        self.assertTaxiiError(self.alice.get(coll_path("x" * 300)), 404)

    def test_wrong_methods(self):
        coll = self.new_collection()
        obj = ch.indicator()
        self.post_ok(self.alice, coll, obj)
        cases = [("PUT", objects_path(coll)), ("PATCH", objects_path(coll)),
                 ("PUT", objects_path(coll, obj["id"])), ("POST", objects_path(coll, obj["id"])),
                 ("POST", manifest_path(coll)), ("DELETE", manifest_path(coll)),
                 ("POST", "/taxii2/"), ("DELETE", "/api/"), ("PUT", "/api/collections/"),
                 ("DELETE", coll_path(coll)), ("POST", coll_path(coll)),
                 ("POST", versions_path(coll, obj["id"])), ("OPTIONS", "/taxii2/"),
                 ("DELETE", "/api/status/%s/" % uuid.uuid4())]
        for method, path in cases:
            r = self.node.request(method, path, auth=("alice", PW), body=ch.envelope(obj))
            self.assertTaxiiError(r, 405, "%s %s" % (method, path))
            allow = r.header("Allow")
            self.assertIsNotNone(allow, "405 without Allow (RFC 7231 §6.5.5): %s %s"
                                 % (method, path))
            self.assertIn("GET", allow)
            self.assertNotIn(method, [m.strip() for m in allow.split(",")])
        self.assertEqual(ids_of(self.alice.get(objects_path(coll)).json), [obj["id"]])
        self.assertEqual(self.node.request("GET", objects_path(coll), auth=("alice", PW)).status,
                         200)

    def test_server_keeps_serving(self):
        coll = self.new_collection()
        path = objects_path(coll)
        junk = [("POST", path, b"\xff\xfe\x00garbage", TAXII),
                ("POST", path, b"{\"objects\": [" + b"{" * 5000, TAXII),
                ("POST", path, b"[" * 100000, TAXII),
                ("POST", path, json.dumps({"objects": [{"type": "x" * 10000}]}).encode(), TAXII),
                ("GET", path + "?match[type]=" + "a" * 9000, None, None),
                ("GET", path + "?limit=99999999999999999999999", None, None),
                ("GET", path + "?next=" + "A" * 5000, None, None),
                ("GET", path + "?match[id]=" + ",".join(ch.stix_id("indicator")
                                                        for _ in range(150)), None, None)]
        for method, p, body, ctype in junk:
            r = self.node.request(method, p, auth=("alice", PW), body=body, content_type=ctype)
            ok = 202 if method == "POST" else 200   # a huge limit is capped, not an error
            self.assertIn(r.status, (ok, 400, 413), "%s %s -> %r" % (method, p[:80], r))
            self.assertEqual(r.header("Content-Type"), TAXII)
            if r.status not in (200, 202):
                self.assertTaxiiError(r, r.status)
        self.assertTaxiiOk(self.alice.get("/taxii2/"))
        self.assertTaxiiOk(self.alice.post_objects(coll, ch.indicator()), 202)


class BodyLimit(TaxiiNode):
    """max_content_length (§4.2.1): bigger bodies get 413, smaller ones never do."""

    LIMIT = 2048

    @classmethod
    def configure(cls, node):
        node.set_conf("max_content_length", str(cls.LIMIT))

    def body_of_size(self, size):
        obj = ch.indicator(description="")
        base = len(json.dumps(ch.envelope(obj)).encode())
        obj["description"] = "x" * (size - base)
        data = json.dumps(ch.envelope(obj)).encode()
        self.assertEqual(len(data), size)
        return obj, data

    def test_413(self):
        self.assertEqual(self.alice.get("/api/").json["max_content_length"], self.LIMIT)
        coll = self.new_collection()
        path = objects_path(coll)
        small, data = self.body_of_size(self.LIMIT)
        self.assertTaxiiOk(self.alice.post(path, data), 202)
        big, data = self.body_of_size(self.LIMIT + 1)
        self.assertTaxiiError(self.alice.post(path, data), 413)
        big2, data = self.body_of_size(3 * self.LIMIT)
        self.assertTaxiiError(self.alice.post(path, data, chunked=True), 413, "chunked")
        ok, data = self.body_of_size(self.LIMIT - 100)
        self.assertTaxiiOk(self.alice.post(path, data, chunked=True), 202)
        self.assertEqual(sorted(ids_of(self.alice.get(path).json)),
                         sorted([small["id"], ok["id"]]))
        self.assertTaxiiOk(self.alice.get("/taxii2/"))


if __name__ == "__main__":
    ch.main()
