"""The sharing decision over real HTTP (issue 3): who sees which object.

One node with five organisations -- sg-cert (SG), my-cert (MY), au-cert
(AU), us-cert (US) and fr-cert (FR, in no preset community) -- the preset
communities asean / admm-plus / eas that `concord init` installs, two
communities of our own (oceania by country, partners by named organisation)
and sharing groups made with `concord group add`.  For every object the
test knows exactly which organisations may see it and checks that each one
sees it -- or does not -- in the objects list, by id (404 when hidden), in
its versions and in the manifest; that hidden rows never show in `more`,
`next` or the X-TAXII-Date-Added-* headers; that granular markings and a
sharing group's recipient lists are redacted for those who may not see
them; and that `concord export --as ORG` gives exactly what ORG gets over
TAXII, while `concord export` alone gives everything.

The rules (src/share/share.h): the creator (created_by_ref) and the origin
(the organisation whose user posted the object) always see it; otherwise
every marking must allow the reader: CLEAR/WHITE and GREEN everyone (GREEN
only the groups' members when the object names sharing groups), AMBER and
AMBER+STRICT the members of a sharing group on the object, RED the
organisations NAMED in one, a sharing group its members, unknown markings
nobody; no TLP marking means AMBER.  A sharing group counts only on objects
its own creator created (the group's created_by_ref is the object's; an
object without created_by_ref is opened by no group), and only when the
organisation that delivered its definition is the one its created_by_ref
names (or the node imported it); otherwise it is an unknown marking.  The
first definition of a marking id stored is the one that counts.  So no
organisation can define -- or define first -- a group another's objects
name and so read them ("group squatting").
"""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

PW = "sharing is caring"
GROUP_EXT = "extension-definition--3c2f7f4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f"

CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
WHITE1 = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
GREEN1 = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
AMBER1 = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
RED1 = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

T1 = "2022-05-01T10:00:00.000Z"
T2 = "2022-05-02T10:00:00.000Z"
T3 = "2022-05-03T10:00:00.000Z"
T4 = "2022-05-04T10:00:00.000Z"

# organisation -> (country, user)
ORGS = {"sg-cert": ("SG", "sg"), "my-cert": ("MY", "my"), "au-cert": ("AU", "au"),
        "us-cert": ("US", "us"), "fr-cert": ("FR", "fr")}
ALL = frozenset(ORGS)


def objects_path(coll, oid=None):
    return ch.Client.objects_path(coll, oid)


def versions_path(coll, oid):
    return "/api/collections/%s/objects/%s/versions/" % (coll, oid)


def manifest_path(coll):
    return "/api/collections/%s/manifest/" % coll


def ids_of(body, key="objects"):
    return [o["id"] for o in (body or {}).get(key, [])]


class Sharing(ch.TimedTestCase):
    """One node, five organisations, the objects of every case posted once."""

    @classmethod
    def setUpClass(cls):
        cls.node = node = ch.Node()
        cls.addClassCleanup(node.close)
        cls.ident = {}
        for org, (cc, user) in ORGS.items():
            cls.ident[org] = node.add_org(org, cc, "national-cert")
            node.add_user(user, org, PW)
        node.add_user("my-admin", "my-cert", PW, role="admin")
        node.cli("community", "add", "-D", node.dir, "oceania", "--country", "AU,NZ")
        node.cli("community", "add", "-D", node.dir, "partners", "--org", "fr-cert")

        def group(name, *args):
            out = node.cli("group", "add", "-D", node.dir, name, "--creator", "sg-cert",
                           *args).stdout.strip()
            assert out.startswith("marking-definition--"), out
            return out

        # members of each group (* = named in it, which TLP:RED needs):
        cls.g_union = group("asean+eas", "--community", "asean,eas")         # SG MY AU US
        cls.g_union2 = group("oceania+partners", "--community", "oceania,partners")  # AU FR
        cls.g_mixed = group("asean+fr", "--community", "asean", "--org", "fr-cert")  # SG MY FR*
        cls.g_named = group("my+au", "--org", "my-cert,au-cert")             # MY* AU*
        cls.g_unknown = "marking-definition--%s" % uuid.uuid4()               # not stored
        cls.coll = node.add_collection("Sharing", alias="sharing")
        cls.pages = node.add_collection("Pages", alias="pages")
        node.start()
        node.alive_auth = ("sg", PW)
        cls.client = {org: ch.Client(node, (user, PW)) for org, (_, user) in ORGS.items()}
        cls.my_admin = ch.Client(node, ("my-admin", PW))
        cls.cases = cls.post_cases()

    # ---- the objects ------------------------------------------------------

    @classmethod
    def post(cls, org, coll, *objs):
        r = cls.client[org].post_objects(coll, *objs)
        assert r.status == 202 and r.json["failure_count"] == 0, r.text
        return r

    @classmethod
    def post_cases(cls):
        """Post every case; returns [(name, object, set of orgs that see it)]."""
        node = cls.node
        sg = cls.ident["sg-cert"]
        statement = {"type": "marking-definition", "spec_version": "2.1",
                     "id": ch.stix_id("marking-definition"), "created": T1,
                     "created_by_ref": sg, "definition_type": "statement",
                     "definition": {"statement": "Copyright 2022, SG-CERT"}}
        none = frozenset()
        table = [
            # name, marking refs, who besides the creator sg-cert sees it
            ("clear", [CLEAR], ALL),
            ("green", [GREEN], ALL),
            ("amber", [AMBER], none),
            ("amber+strict", [AMBER_STRICT], none),
            ("red", [RED], none),
            ("no marking", None, none),
            ("tlp1 white", [WHITE1], ALL),
            ("tlp1 green", [GREEN1], ALL),
            ("tlp1 amber", [AMBER1], none),
            ("tlp1 red", [RED1], none),
            ("green+red: most restrictive", [GREEN, RED], none),
            ("clear+amber: most restrictive", [CLEAR, AMBER], none),
            ("unknown marking", [cls.g_unknown], none),
            ("unknown marking + clear", [cls.g_unknown, CLEAR], none),
            ("statement + clear", [statement["id"], CLEAR], ALL),
            ("statement alone: default amber", [statement["id"]], none),
            ("union group + amber", [cls.g_union, AMBER], {"my-cert", "au-cert", "us-cert"}),
            ("union group + amber+strict", [cls.g_union, AMBER_STRICT],
             {"my-cert", "au-cert", "us-cert"}),
            ("union group + red: nobody named", [cls.g_union, RED], none),
            ("union group + green", [cls.g_union, GREEN], {"my-cert", "au-cert", "us-cert"}),
            ("union group + clear", [cls.g_union, CLEAR], {"my-cert", "au-cert", "us-cert"}),
            ("union group alone: default amber", [cls.g_union], {"my-cert", "au-cert", "us-cert"}),
            ("union group (country + named community) + amber", [cls.g_union2, AMBER],
             {"au-cert", "fr-cert"}),
            ("community + org group + amber", [cls.g_mixed, AMBER], {"my-cert", "fr-cert"}),
            ("community + org group + tlp1 amber", [cls.g_mixed, AMBER1], {"my-cert", "fr-cert"}),
            ("community + org group + green", [cls.g_mixed, GREEN], {"my-cert", "fr-cert"}),
            ("community + org group + red: the named org only", [cls.g_mixed, RED], {"fr-cert"}),
            ("community + org group + tlp1 red", [cls.g_mixed, RED1], {"fr-cert"}),
            ("named group + red", [cls.g_named, RED], {"my-cert", "au-cert"}),
            ("two groups = intersection (union, mixed)", [cls.g_union, cls.g_mixed, AMBER],
             {"my-cert"}),
            ("two groups = intersection (mixed, named)", [cls.g_mixed, cls.g_named, AMBER],
             {"my-cert"}),
            ("two groups = intersection (union2, mixed)", [cls.g_union2, cls.g_mixed, AMBER],
             {"fr-cert"}),
            ("two groups = intersection (named, union2)", [cls.g_named, cls.g_union2, AMBER],
             {"au-cert"}),
            ("two groups + red: named in one, member of both", [cls.g_union, cls.g_named, RED],
             {"my-cert", "au-cert"}),
            ("unknown group + known group", [cls.g_unknown, cls.g_union, AMBER], none),
        ]
        cases = [("statement marking definition", statement, ALL)]
        objs = [statement]
        for i, (name, refs, who) in enumerate(table):
            extra = {"object_marking_refs": refs} if refs else {}
            o = ch.indicator(created_by=sg, n=i, name=name, **extra)
            cases.append((name, o, frozenset(who) | {"sg-cert"}))
            objs.append(o)
        cls.post("sg-cert", cls.coll, *objs)

        # the origin rule: my-cert posts what au-cert created; us-cert, fr-cert, sg-cert do not see it
        au_made = ch.malware(created_by=cls.ident["au-cert"], name="origin: my posts au's")
        anon = ch.malware(name="origin: my posts an object without creator")
        cls.post("my-cert", cls.coll, au_made, anon)
        cases.append(("origin: delivered by my, created by au", au_made, {"my-cert", "au-cert"}))
        cases.append(("origin: delivered by my, no creator", anon, {"my-cert"}))
        # creator and origin both see past an unknown marking
        us_made = ch.indicator(created_by=cls.ident["us-cert"], name="unknown, us-made, sg-posted",
                               object_marking_refs=[cls.g_unknown, CLEAR])
        cls.post("sg-cert", cls.coll, us_made)
        cases.append(("unknown marking: creator and origin", us_made, {"sg-cert", "us-cert"}))
        # sharing groups count only on their creator's objects: sg-cert made all four groups
        my_made = ch.indicator(created_by=cls.ident["my-cert"], name="my's object, sg's group",
                               object_marking_refs=[cls.g_named, AMBER])
        anon_grp = ch.indicator(name="no creator, sg's group",
                                object_marking_refs=[cls.g_union, GREEN])
        cls.post("my-cert", cls.coll, my_made)
        cls.post("sg-cert", cls.coll, anon_grp)
        cases.append(("group of another creator: creator only", my_made, {"my-cert"}))
        cases.append(("group on an object without creator: origin only", anon_grp, {"sg-cert"}))
        # a group squatted in sg-cert's name by fr-cert (posted where the cases are not listed)
        squatted = ch.stix_id("marking-definition")
        sq_obj = ch.indicator(created_by=sg, name="amber, group squatted in sg's name",
                              object_marking_refs=[squatted, AMBER])
        cls.post("sg-cert", cls.coll, sq_obj)
        cls.squats = node.add_collection("Squats", alias="squats")
        cls.post("fr-cert", cls.squats, cls.group_def(squatted, sg, ["fr-cert", "au-cert"]))
        cases.append(("group defined in the creator's name by another", sq_obj, {"sg-cert"}))
        return cases

    @classmethod
    def group_def(cls, gid, creator, orgs, name="a group"):
        g = {"type": "marking-definition", "spec_version": "2.1", "id": gid, "created": T1,
             "name": name, "extensions": {GROUP_EXT: {"extension_type": "property-extension",
                                                      "organizations": [cls.ident[o]
                                                                        for o in orgs]}}}
        if creator:
            g["created_by_ref"] = creator
        return g

    # ---- helpers ------------------------------------------------------------

    def visible_to(self, org):
        return [(name, o) for name, o, who in self.cases if org in who]

    def hidden_from(self, org):
        return [(name, o) for name, o, who in self.cases if org not in who]

    def assertDateHeaders(self, r, first, last):
        self.assertEqual(r.header("X-TAXII-Date-Added-First"), first, r)
        self.assertEqual(r.header("X-TAXII-Date-Added-Last"), last, r)

    def manifest(self, org, coll, params=None):
        p = {"match[version]": "all"}
        p.update(params or {})
        recs, _ = self.client[org].get_all(manifest_path(coll), params=p, limit=1000)
        return recs

    def export(self, *args):
        p = self.node.cli("export", "-D", self.node.dir, *args)
        bundle = json.loads(p.stdout)
        self.assertEqual(bundle["type"], "bundle")
        return bundle.get("objects", [])

    # ---- the table ---------------------------------------------------------------

    def test_objects_list_per_org(self):
        for org in ORGS:
            got, _ = self.client[org].get_all(objects_path(self.coll), limit=1000)
            want = [o["id"] for _, o in self.visible_to(org)]
            self.assertEqual(sorted(o["id"] for o in got), sorted(want), org)
            names = {o["id"]: n for n, o, _ in self.cases}
            for o in got:
                self.assertIn(o["id"], names)
            # what is visible comes as it was posted (no granular markings here)
            posted = {o["id"]: o for _, o, _ in self.cases}
            for o in got:
                self.assertEqual(o, posted[o["id"]], "%s: %s" % (org, names[o["id"]]))

    def test_object_by_id_per_org(self):
        for org in ORGS:
            c = self.client[org]
            for name, o in self.visible_to(org):
                r = c.get(objects_path(self.coll, o["id"]))
                self.assertTaxiiOk(r, msg="%s should see %r" % (org, name))
                self.assertEqual(r.json["objects"], [o], "%s: %s" % (org, name))
            for name, o in self.hidden_from(org):
                r = c.get(objects_path(self.coll, o["id"]))
                self.assertTaxiiError(r, 404, "%s must not see %r" % (org, name))
                r = c.get(objects_path(self.coll, o["id"]), {"match[version]": "all"})
                self.assertTaxiiError(r, 404, "%s must not see %r (all)" % (org, name))

    def test_versions_per_org(self):
        for org in ORGS:
            c = self.client[org]
            for name, o in self.visible_to(org):
                r = c.get(versions_path(self.coll, o["id"]))
                self.assertTaxiiOk(r, msg="%s should see %r" % (org, name))
                self.assertEqual(len(r.json["versions"]), 1, "%s: %s" % (org, name))
                if "modified" in o:
                    self.assertEqual(r.json["versions"], [o["modified"]])
            for name, o in self.hidden_from(org):
                r = c.get(versions_path(self.coll, o["id"]))
                self.assertTaxiiError(r, 404, "%s must not see %r" % (org, name))

    def test_manifest_per_org(self):
        everything = {m["id"]: m for m in self.manifest("sg-cert", self.coll)}
        for org in ORGS:
            recs = self.manifest(org, self.coll)
            want = sorted(o["id"] for _, o in self.visible_to(org))
            self.assertEqual(sorted(m["id"] for m in recs), want, org)
            for m in recs:
                if m["id"] in everything:
                    self.assertEqual(m, everything[m["id"]])
            # filtering by id reveals nothing either
            for name, o in self.hidden_from(org):
                r = self.client[org].get(manifest_path(self.coll), {"match[id]": o["id"]})
                self.assertEqual((r.status, r.json), (200, {}), "%s: %s" % (org, name))
                r = self.client[org].get(objects_path(self.coll), {"match[id]": o["id"]})
                self.assertEqual((r.status, r.json), (200, {}), "%s: %s" % (org, name))

    def test_the_table_is_not_trivial(self):
        """Every organisation sees something and misses something; the cases tell orgs apart."""
        for org in ORGS:
            self.assertTrue(self.hidden_from(org), org)
            self.assertTrue(self.visible_to(org), org)
        audiences = {frozenset(who) for _, _, who in self.cases}
        self.assertGreaterEqual(len(audiences), 9, sorted(map(sorted, audiences)))

    def test_delete_follows_visibility(self):
        """A hidden object does not exist for the reader (404); a visible one is not its to delete (403)."""
        hidden = dict(self.hidden_from("fr-cert"))["amber"]
        visible = dict(self.visible_to("fr-cert"))["clear"]
        self.assertTaxiiError(self.client["fr-cert"].delete(objects_path(self.coll, hidden["id"])),
                              404)
        self.assertTaxiiError(self.client["fr-cert"].delete(objects_path(self.coll, visible["id"])),
                              403)
        self.assertTaxiiOk(self.client["sg-cert"].get(objects_path(self.coll, hidden["id"])))

    def test_delete_ignores_hidden_rows(self):
        """Rows the requester cannot see are neither deleted nor reported (not even by a 403)."""
        coll = self.node.add_collection("Delete %s" % uuid.uuid4().hex[:8])
        fr, sg = self.client["fr-cert"], self.client["sg-cert"]
        mine = ch.indicator(created_by=self.ident["fr-cert"], object_marking_refs=[CLEAR])
        self.post("fr-cert", coll, mine)
        # hidden from fr-cert: by the SQL prefilter (AMBER) and by the decision (a group)
        amber = ch.indicator(created_by=self.ident["sg-cert"], object_marking_refs=[AMBER])
        group = ch.indicator(created_by=self.ident["sg-cert"],
                             object_marking_refs=[self.g_union, AMBER])
        self.post("sg-cert", coll, amber, group)
        for hidden in (amber, group):
            self.assertTaxiiError(fr.delete(objects_path(coll), {"match[id]": hidden["id"]}), 404)
        # with one of its own: its own is deleted, the hidden ones stay, nothing tells them apart
        # from objects that do not exist
        ghost = ch.stix_id("indicator")
        r = fr.delete(objects_path(coll), {"match[id]": ",".join(
            (mine["id"], amber["id"], group["id"], ghost))})
        self.assertEqual(r.status, 200, r)
        self.assertTaxiiError(fr.get(objects_path(coll, mine["id"])), 404)
        self.assertEqual(sorted(ids_of(sg.get(objects_path(coll)).json)),
                         sorted([amber["id"], group["id"]]))
        # an admin deletes the versions its organisation sees, and only those
        oid = ch.stix_id("indicator")
        v1 = ch.indicator(id_=oid, created=T1, created_by=self.ident["sg-cert"],
                          object_marking_refs=[CLEAR])
        v2 = dict(v1, modified=T2, object_marking_refs=[self.g_union2, AMBER])  # AU FR
        v3 = dict(v1, modified=T3, object_marking_refs=[GREEN])
        self.post("sg-cert", coll, v1, v2, v3)
        self.assertEqual(self.my_admin.get(versions_path(coll, oid)).json["versions"], [T1, T3])
        self.assertEqual(self.my_admin.delete(objects_path(coll, oid)).status, 200)
        self.assertTaxiiError(self.my_admin.get(versions_path(coll, oid)), 404)
        self.assertTaxiiError(self.my_admin.delete(objects_path(coll, oid)), 404)
        self.assertEqual(sg.get(versions_path(coll, oid)).json["versions"], [T2])
        # the remaining version is the first and the last
        for v in ("first", "last"):
            self.assertEqual(sg.get(objects_path(coll, oid), {"match[version]": v})
                             .json["objects"], [v2])
        self.assertEqual(self.client["au-cert"].get(objects_path(coll, oid)).json["objects"], [v2])

    # ---- versions whose markings differ ------------------------------------------

    def test_versions_with_different_markings(self):
        sg = self.ident["sg-cert"]
        oid = ch.stix_id("indicator")
        v = [ch.indicator(id_=oid, created=T1, modified=t, created_by=sg,
                          object_marking_refs=[m])
             for t, m in ((T1, CLEAR), (T2, AMBER), (T3, GREEN), (T4, RED))]
        coll = self.node.add_collection("Versions %s" % uuid.uuid4().hex[:8])
        self.post("sg-cert", coll, *v)
        added = {m["version"]: m["date_added"] for m in self.manifest("sg-cert", coll)}
        self.assertEqual(sorted(added), [T1, T2, T3, T4])
        my = self.client["my-cert"]
        r = my.get(versions_path(coll, oid))
        self.assertTaxiiOk(r)
        self.assertEqual(r.json["versions"], [T1, T3])
        self.assertDateHeaders(r, added[T1], added[T3])
        r = my.get(objects_path(coll, oid), {"match[version]": "all"})
        self.assertEqual(r.json["objects"], [v[0], v[2]])
        self.assertDateHeaders(r, added[T1], added[T3])
        self.assertEqual([m["version"] for m in self.manifest("my-cert", coll)], [T1, T3])
        items, pages = my.get_all(versions_path(coll, oid), limit=1)
        self.assertEqual(items, [T1, T3])
        self.assertEqual(len(pages), 2)
        self.assertDateHeaders(pages[0], added[T1], added[T1])
        self.assertDateHeaders(pages[1], added[T3], added[T3])
        # the latest version is RED: it is never served to my-cert
        r = my.get(objects_path(coll, oid))
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(v[3], (r.json or {}).get("objects", []))
        r = my.get(objects_path(coll, oid), {"match[version]": T4})
        self.assertEqual(r.json or {}, {})
        self.assertEqual(self.client["sg-cert"].get(versions_path(coll, oid)).json["versions"],
                         [T1, T2, T3, T4])

    # ---- pagination over a mix of visible and hidden rows -----------------------------

    def test_pages_never_count_hidden_objects(self):
        sg = self.ident["sg-cert"]
        # for my-cert: H = hidden (some filtered in SQL, some only by the decision), V = visible
        kinds = [("H", None), ("H", [self.g_union2, AMBER]), ("V", [CLEAR]), ("H", [RED]),
                 ("H", [self.g_unknown, CLEAR]), ("V", [GREEN]), ("V", [self.g_mixed, AMBER]),
                 ("H", [AMBER]), ("H", [self.g_union2, AMBER]), ("V", [self.g_named, RED]),
                 ("H", [self.g_named, self.g_union2, AMBER]), ("V", [WHITE1]),
                 ("H", [self.g_mixed, RED]), ("H", None)]
        objs = []
        for i, (k, refs) in enumerate(kinds):
            extra = {"object_marking_refs": refs} if refs else {}
            objs.append(ch.indicator(created_by=sg, n=i, name="page %d %s" % (i, k), **extra))
        for o in objs:  # one POST each: date_added strictly increasing in this order
            self.post("sg-cert", self.pages, o)
        visible = [o["id"] for (k, _), o in zip(kinds, objs) if k == "V"]
        full = self.manifest("sg-cert", self.pages)
        self.assertEqual([m["id"] for m in full], [o["id"] for o in objs])
        mine = self.manifest("my-cert", self.pages)
        self.assertEqual([m["id"] for m in mine], visible)
        added = {m["id"]: m["date_added"] for m in mine}
        my = self.client["my-cert"]
        # the headers of an unpaged list: the first and last VISIBLE rows, not the collection's
        for path in (objects_path(self.pages), manifest_path(self.pages)):
            r = my.get(path)
            self.assertEqual(ids_of(r.json), visible)
            self.assertIs(r.json["more"], False)
            self.assertDateHeaders(r, added[visible[0]], added[visible[-1]])
            self.assertNotEqual(r.header("X-TAXII-Date-Added-First"), full[0]["date_added"])
            self.assertNotEqual(r.header("X-TAXII-Date-Added-Last"), full[-1]["date_added"])
        # limit=1 and limit=2: every page full, as many pages as visible objects need
        for path in (objects_path(self.pages), manifest_path(self.pages)):
            for limit in (1, 2, 4):
                params = {"limit": str(limit)}
                got = []
                pages = 0
                while True:
                    r = my.get(path, params)
                    self.assertTaxiiOk(r)
                    page = ids_of(r.json)
                    pages += 1
                    self.assertTrue(page, "an empty page (limit %d, page %d)" % (limit, pages))
                    self.assertDateHeaders(r, added[page[0]], added[page[-1]])
                    got += page
                    if not r.json["more"]:
                        self.assertNotIn("next", r.json)
                        break
                    self.assertEqual(len(page), limit, "a short page with more=true")
                    params["next"] = r.json["next"]
                    self.assertLessEqual(pages, len(visible))
                self.assertEqual(got, visible, "%s limit %d" % (path, limit))
                self.assertEqual(pages, -(-len(visible) // limit), "%s limit %d" % (path, limit))
        # the whole collection as the creator: every row, for comparison
        r = self.client["sg-cert"].get(objects_path(self.pages))
        self.assertEqual(ids_of(r.json), [o["id"] for o in objs])
        self.assertDateHeaders(r, full[0]["date_added"], full[-1]["date_added"])
        # an organisation that sees nothing here gets {} and no headers
        r = self.client["us-cert"].get(objects_path(self.pages), {"match[id]": objs[0]["id"]})
        self.assertEqual(r.json, {})
        self.assertIsNone(r.header("X-TAXII-Date-Added-First"))

    # ---- granular markings ------------------------------------------------------------

    def test_granular_markings_are_redacted(self):
        sg = self.ident["sg-cert"]
        base = ch.indicator(created_by=sg, description="secret detail",
                            labels=["secret-label", "public-label"],
                            object_marking_refs=[GREEN])
        whole = dict(base, granular_markings=[
            {"marking_ref": RED, "selectors": ["description"]},
            {"marking_ref": RED, "selectors": ["labels.[0]"]},
            {"marking_ref": CLEAR, "selectors": ["name"]}])
        # a recipient of the RED content: the named organisations of a group on the object
        named = dict(ch.indicator(created_by=sg, description="for my and au",
                                  labels=["one", "two"],
                                  object_marking_refs=[GREEN, self.g_named]),
                     granular_markings=[{"marking_ref": RED, "selectors": ["description",
                                                                            "labels.[1]"]}])
        coll = self.node.add_collection("Granular %s" % uuid.uuid4().hex[:8])
        self.post("sg-cert", coll, whole, named)
        redacted = {k: v for k, v in whole.items() if k != "description"}
        redacted["labels"] = ["public-label"]
        redacted["granular_markings"] = [{"marking_ref": CLEAR, "selectors": ["name"]}]
        for org in ORGS:
            c = self.client[org]
            want = whole if org == "sg-cert" else redacted
            self.assertEqual(c.get(objects_path(coll, whole["id"])).json["objects"], [want], org)
            listed = {o["id"]: o for o in c.get(objects_path(coll)).json["objects"]}
            self.assertEqual(listed[whole["id"]], want, org)
            if org in ("sg-cert", "my-cert", "au-cert"):
                self.assertEqual(listed[named["id"]], named, org)
            else:
                self.assertNotIn(named["id"], listed, org)
                self.assertTaxiiError(c.get(objects_path(coll, named["id"])), 404)
            # export --as gives the same copy
            exp = {o["id"]: o for o in self.export("--collection", coll, "--as", org)}
            self.assertEqual(exp[whole["id"]], want, org)
        # the origin (not the creator) also gets the whole object
        us_made = dict(whole, id=ch.stix_id("indicator"), created_by_ref=self.ident["us-cert"])
        self.post("sg-cert", coll, us_made)
        for org, want in (("sg-cert", us_made), ("us-cert", us_made),
                          ("my-cert", dict(redacted, id=us_made["id"],
                                           created_by_ref=self.ident["us-cert"]))):
            r = self.client[org].get(objects_path(coll, us_made["id"]))
            self.assertEqual(r.json["objects"], [want], org)
        # the operator's export is unredacted
        exp = {o["id"]: o for o in self.export("--collection", coll)}
        self.assertEqual(exp[whole["id"]], whole)
        self.assertEqual(exp[named["id"]], named)

    def test_redacted_selectors_still_select(self):
        """After removing labels.[0], a kept marking on labels.[1] must follow its element."""
        sg = self.ident["sg-cert"]
        o = ch.indicator(created_by=sg, labels=["hidden", "shown"], object_marking_refs=[GREEN],
                         granular_markings=[{"marking_ref": RED, "selectors": ["labels.[0]"]},
                                            {"marking_ref": CLEAR, "selectors": ["labels.[1]"]}])
        coll = self.node.add_collection("Selectors %s" % uuid.uuid4().hex[:8])
        self.post("sg-cert", coll, o)
        got = self.client["fr-cert"].get(objects_path(coll, o["id"])).json["objects"][0]
        self.assertEqual(got["labels"], ["shown"])
        self.assertEqual(got["granular_markings"],
                         [{"marking_ref": CLEAR, "selectors": ["labels.[0]"]}])
        # what fr-cert received is a valid object: it can be posted back unchanged
        coll2 = self.node.add_collection("Repost %s" % uuid.uuid4().hex[:8])
        r = self.client["fr-cert"].post_objects(coll2, got)
        self.assertEqual(r.json["failure_count"], 0, r.text)

    # ---- sharing-group definitions ------------------------------------------------------

    def test_group_recipients_only_for_the_creator(self):
        groups = (self.g_union, self.g_union2, self.g_mixed, self.g_named)
        expect = {self.g_mixed: ({"communities": ["asean"],
                                  "organizations": [self.ident["fr-cert"]]}),
                  self.g_named: {"organizations": [self.ident["my-cert"], self.ident["au-cert"]]},
                  self.g_union: {"communities": ["asean", "eas"]},
                  self.g_union2: {"communities": ["oceania", "partners"]}}
        full = {o["id"]: o for o in self.export("--collection", "directory",
                                                "--type", "marking-definition")}
        for g in groups:
            ext = full[g]["extensions"][GROUP_EXT]
            self.assertEqual({k: v for k, v in ext.items() if k != "extension_type"}, expect[g])
            self.assertEqual(full[g]["created_by_ref"], self.ident["sg-cert"])
        for org in ORGS:
            c = self.client[org]
            listed = {o["id"]: o for o in c.get(objects_path("directory"),
                                                {"match[type]": "marking-definition"})
                      .json["objects"]}
            exported = {o["id"]: o for o in self.export("--collection", "directory", "--type",
                                                        "marking-definition", "--as", org)}
            for g in groups:
                one = c.get(objects_path("directory", g)).json["objects"][0]
                if org == "sg-cert":
                    want = full[g]
                else:
                    want = json.loads(json.dumps(full[g]))
                    want["extensions"][GROUP_EXT] = {"extension_type": "property-extension"}
                self.assertEqual(one, want, "%s reads %s" % (org, g))
                self.assertEqual(listed[g], want, org)
                self.assertEqual(exported[g], want, org)
            # the TLP definitions are readable by all, unchanged
            self.assertIn(RED, listed)
            self.assertEqual(listed[RED], full[RED])

    def test_group_posted_over_taxii(self):
        """A sharing group can be POSTed like any object (docs/sharing.md) and works at once."""
        my = self.ident["my-cert"]
        gid = ch.stix_id("marking-definition")
        g = {"type": "marking-definition", "spec_version": "2.1", "id": gid, "created": T1,
             "created_by_ref": my, "name": "my to au and partners",
             "extensions": {GROUP_EXT: {"extension_type": "property-extension",
                                        "organizations": [self.ident["au-cert"]],
                                        "communities": ["partners"]}}}
        amber = ch.indicator(created_by=my, object_marking_refs=[AMBER, gid])
        red = ch.indicator(created_by=my, object_marking_refs=[RED, gid])
        coll = self.node.add_collection("Posted group %s" % uuid.uuid4().hex[:8])
        self.post("my-cert", coll, g, amber, red)
        sees = {"my-cert": {g["id"], amber["id"], red["id"]},
                "au-cert": {g["id"], amber["id"], red["id"]},   # named
                "fr-cert": {g["id"], amber["id"]},              # through a community: not RED
                "sg-cert": {g["id"]}, "us-cert": {g["id"]}}
        bare = json.loads(json.dumps(g))
        bare["extensions"][GROUP_EXT] = {"extension_type": "property-extension"}
        for org, want in sees.items():
            c = self.client[org]
            self.assertEqual(set(ids_of(c.get(objects_path(coll)).json)), want, org)
            got = c.get(objects_path(coll, gid)).json["objects"]
            self.assertEqual(got, [g if org == "my-cert" else bare], org)
            for o in (amber, red):
                r = c.get(objects_path(coll, o["id"]))
                if o["id"] in want:
                    self.assertEqual(r.json["objects"], [o], org)
                else:
                    self.assertTaxiiError(r, 404, org)

    # ---- who made a sharing group, who delivered it ---------------------------------------

    def audience(self, coll, oid):
        """The organisations that get object oid from coll by id (404 for the others)."""
        seen = set()
        for org in ORGS:
            r = self.client[org].get(objects_path(coll, oid))
            if r.status == 200:
                seen.add(org)
            else:
                self.assertTaxiiError(r, 404, "%s: %s" % (org, oid))
        return seen

    def test_group_of_another_creator(self):
        """A group counts only on objects its creator made; on others' and anonymous ones, nobody's."""
        my, sg = self.ident["my-cert"], self.ident["sg-cert"]
        gid = ch.stix_id("marking-definition")
        coll = self.node.add_collection("Creators %s" % uuid.uuid4().hex[:8])
        self.post("my-cert", coll, self.group_def(gid, my, ["au-cert"], "my to au"))
        mine = ch.indicator(created_by=my, object_marking_refs=[AMBER, gid])
        sgs = ch.indicator(created_by=sg, object_marking_refs=[AMBER, gid])
        anon = ch.indicator(object_marking_refs=[GREEN, gid])
        self.post("my-cert", coll, mine, anon)
        self.post("sg-cert", coll, sgs)
        self.assertEqual(self.audience(coll, mine["id"]), {"my-cert", "au-cert"})
        # sg-cert cannot share its object with my-cert's group (nor could any other org)
        self.assertEqual(self.audience(coll, sgs["id"]), {"sg-cert"})
        # without a creator no group applies: the origin only
        self.assertEqual(self.audience(coll, anon["id"]), {"my-cert"})
        # as a granular marking: the content goes for everyone but the creator and origin
        gran = ch.indicator(created_by=sg, description="for my's group?",
                            object_marking_refs=[GREEN],
                            granular_markings=[{"marking_ref": gid,
                                                "selectors": ["description"]}])
        self.post("sg-cert", coll, gran)
        for org in ORGS:
            got = self.client[org].get(objects_path(coll, gran["id"])).json["objects"][0]
            if org == "sg-cert":
                self.assertEqual(got, gran)
            else:
                self.assertNotIn("description", got, org)
                self.assertNotIn("granular_markings", got, org)

    def test_group_squatting(self):
        """Defining first, or in another's name, the group another's object names gains nothing."""
        sg = self.ident["sg-cert"]
        fr = self.ident["fr-cert"]
        coll = self.node.add_collection("Squatting %s" % uuid.uuid4().hex[:8])
        other = self.node.add_collection("Squatting elsewhere %s" % uuid.uuid4().hex[:8])
        # sg-cert marks an object with a group it has not defined yet
        own, forged = ch.stix_id("marking-definition"), ch.stix_id("marking-definition")
        o1 = ch.indicator(created_by=sg, object_marking_refs=[AMBER, own])
        o2 = ch.indicator(created_by=sg, object_marking_refs=[RED, forged])
        self.post("sg-cert", coll, o1, o2)
        self.assertEqual(self.audience(coll, o1["id"]), {"sg-cert"})
        # fr-cert defines the ids first: one as its own group, one in sg-cert's name
        self.post("fr-cert", coll, self.group_def(own, fr, ["fr-cert"], "fr squats"))
        self.post("fr-cert", other, self.group_def(forged, sg, ["fr-cert"], "fr forges"))
        self.assertEqual(self.audience(coll, o1["id"]), {"sg-cert"})
        self.assertEqual(self.audience(coll, o2["id"]), {"sg-cert"})
        # sg-cert cannot take the ids back: refused where the squat is, ignored elsewhere
        r = self.client["sg-cert"].post_objects(coll, self.group_def(own, sg, ["my-cert"]))
        self.assertEqual((r.status, r.json["failure_count"]), (202, 1), r.text)
        self.post("sg-cert", other, self.group_def(own, sg, ["my-cert"]))
        self.post("sg-cert", coll, self.group_def(forged, sg, ["my-cert"]))
        # fail closed: the objects stay sg-cert's alone, my-cert (meant) included
        self.assertEqual(self.audience(coll, o1["id"]), {"sg-cert"})
        self.assertEqual(self.audience(coll, o2["id"]), {"sg-cert"})
        # the normal case: sg-cert defines its group first, then my-cert reads
        good = ch.stix_id("marking-definition")
        self.post("sg-cert", coll, self.group_def(good, sg, ["my-cert"], "sg to my"))
        o3 = ch.indicator(created_by=sg, object_marking_refs=[RED, good])
        self.post("sg-cert", coll, o3)
        self.assertEqual(self.audience(coll, o3["id"]), {"sg-cert", "my-cert"})

    # ---- export --as ------------------------------------------------------------------------

    def test_export_as_equals_taxii(self):
        for org in ORGS:
            for version in ("last", "all"):
                taxii, _ = self.client[org].get_all(objects_path(self.coll),
                                                    {"match[version]": version}, limit=1000)
                exported = self.export("--collection", self.coll, "--as", org,
                                       "--version", version)
                self.assertEqual(exported, taxii, "%s %s" % (org, version))
            self.assertEqual(sorted(o["id"] for o in exported),
                             sorted(o["id"] for _, o in self.visible_to(org)))
        # without --as: everything, as posted
        everything = self.export("--collection", self.coll)
        self.assertEqual(sorted(o["id"] for o in everything),
                         sorted(o["id"] for _, o, _ in self.cases))
        posted = {o["id"]: o for _, o, _ in self.cases}
        for o in everything:
            self.assertEqual(o, posted[o["id"]])
        # and across every collection, --as never gives more than the operator's export
        all_ids = {o["id"] for o in self.export()}
        for org in ORGS:
            self.assertLessEqual({o["id"] for o in self.export("--as", org)}, all_ids)
        p = self.node.cli("export", "-D", self.node.dir, "--as", "no-such-org", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-org", p.stderr)


if __name__ == "__main__":
    ch.main()
