"""The node administration resource /admin/communities/ over real HTTP:
node admins list, create, replace and delete communities; everyone else
gets 403; bad bodies get 400; a community made over HTTP changes what its
members read (after their cached credentials expire, so a fresh user is used).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as h  # noqa: E402

PW = "admin-password-1"


class AdminCommunities(h.TimedTestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = h.Node()
        n = cls.node
        n.add_org("hub", country="SG")
        n.add_org("kh-cert", country="KH")
        n.add_org("fr-cert", country="FR")
        n.add_user("root", "hub", PW, role="admin")
        n.add_user("kh", "kh-cert", PW)
        n.add_user("fr", "fr-cert", PW)
        n.start()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def req(self, method, path, user="root", body=None):
        return self.node.request(method, "/admin/communities/" + path, auth=(user, PW),
                                 accept="application/json", body=body,
                                 content_type="application/json" if body is not None else None)

    def test_list_has_presets(self):
        r = self.req("GET", "")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        names = {c["name"]: c for c in r.json["communities"]}
        self.assertEqual(set(names) >= {"asean", "admm-plus", "eas"}, True)
        self.assertEqual(len(names["asean"]["countries"]), 10)
        self.assertEqual(len(names["eas"]["countries"]), 18)
        self.assertIn("KH", names["asean"]["countries"])
        self.assertNotIn("AU", names["asean"]["countries"])
        self.assertIn("AU", names["admm-plus"]["countries"])

    def test_put_get_replace_delete(self):
        r = self.req("PUT", "mekong/", body={"title": "Mekong", "countries": ["KH", "LA"],
                                             "organizations": ["fr-cert"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"name": "mekong", "title": "Mekong", "countries": ["KH", "LA"],
                                  "organizations": ["fr-cert"]})
        self.assertEqual(self.req("GET", "mekong/").json["organizations"], ["fr-cert"])
        r = self.req("PUT", "mekong/", body={"countries": ["TH"]})
        self.assertEqual(r.json["countries"], ["TH"])
        self.assertEqual(r.json["organizations"], [])
        self.assertEqual(self.req("DELETE", "mekong/").status, 200)
        self.assertTaxiiError(self.req("GET", "mekong/"), 404)
        self.assertTaxiiError(self.req("DELETE", "mekong/"), 404)

    def test_bad_bodies(self):
        self.assertTaxiiError(self.req("PUT", "x/", body={"countries": ["sg"]}), 400)
        self.assertTaxiiError(self.req("PUT", "x/", body={"countries": ["SGP"]}), 400)
        self.assertTaxiiError(self.req("PUT", "x/", body={"organizations": ["nobody"]}), 400)
        self.assertTaxiiError(self.req("PUT", "x/", body="not json"), 400)
        self.assertTaxiiError(self.req("GET", "x/"), 404)

    def test_only_admins(self):
        for user in ("kh", "fr"):
            self.assertTaxiiError(self.req("GET", "", user=user), 403)
            self.assertTaxiiError(self.req("PUT", "y/", user=user, body={"countries": ["FR"]}),
                                  403)
        self.assertTaxiiError(self.node.request("GET", "/admin/communities/"), 401)
        r = self.node.request("POST", "/admin/communities/", auth=("root", PW), body={})
        self.assertTaxiiError(r, 405)
        self.assertIn("PUT", r.header("Allow"))

    def test_community_made_over_http_grants_access(self):
        n = self.node
        r = self.req("PUT", "euro/", body={"countries": ["FR"]})
        self.assertEqual(r.status, 200, r)
        group = n.cli("group", "add", "-D", n.dir, "g-euro", "--creator", "hub",
                      "--community", "euro").stdout.strip()
        coll = n.add_collection("Euro", alias="euro-c")
        hub_identity = n.cli("org", "list", "-D", n.dir).stdout.split("hub", 1)[1].split()[2]
        # a sharing group applies to objects its own creator made (docs/sharing.md)
        obj = h.indicator(created_by=hub_identity, object_marking_refs=[
            "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", group])
        root = h.Client(n, ("root", PW))
        self.assertEqual(root.post_objects(coll, obj).json["success_count"], 1)
        n.add_user("fr2", "fr-cert", PW)  # a fresh login: communities load at login
        n.add_user("kh2", "kh-cert", PW)
        fr = h.Client(n, ("fr2", PW))
        kh = h.Client(n, ("kh2", PW))
        self.assertEqual(fr.get(h.Client.objects_path(coll, obj["id"])).status, 200)
        self.assertTaxiiError(kh.get(h.Client.objects_path(coll, obj["id"])), 404)


if __name__ == "__main__":
    h.main()
