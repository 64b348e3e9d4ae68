"""Incident coordination over the real CLI and HTTP: an incident reported
by one organisation, acknowledged over HTTP by another (which becomes the
lead), assistance requested, resolved; an invalid transition answers 409
and changes nothing; an organisation not involved gets 403, an unknown
incident 404, a bad body 400; `incident list --status` filters; `incident
show` gives the timeline (who changed what when) and the metrics.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as h  # noqa: E402

PW = "coop-password-1"
ORGS = [("sg-cert", "SG"), ("kh-cert", "KH"), ("th-cert", "TH"), ("vn-cert", "VN")]


class Incident(h.TimedTestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = h.Node()
        n = cls.node
        for name, cc in ORGS:
            n.add_org(name, country=cc, role="national-cert")
            n.add_user(name + "-user", name, PW)
        cls.tokens = {name: n.create_token(name + "-user") for name, _ in ORGS}
        n.start()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def cli(self, *args, check=True):
        return self.node.cli(*args[:2], "-D", self.node.dir, *args[2:], check=check)

    def status(self, org, inc, body):
        return self.node.request("POST", "/coop/incidents/%s/status" % inc,
                                 auth=self.tokens[org], body=body,
                                 content_type="application/json", accept="application/json")

    def listing(self, *args):
        return json.loads(self.cli("incident", "list", "--json", *args).stdout)["incidents"]

    def show(self, inc):
        return json.loads(self.cli("incident", "show", inc, "--json").stdout)

    def test_incident_flow(self):
        inc = self.cli("incident", "report", "--org", "sg-cert", "--title",
                       "Ransomware at a port operator", "--country", "SG", "--country", "KH",
                       "--sector", "transport", "--severity", "high").stdout.strip()
        self.assertRegex(inc, r"^incident--[0-9a-f-]{36}$")
        other = self.cli("incident", "report", "--org", "th-cert", "--title", "Phishing wave",
                         "--country", "TH", "--tlp", "green").stdout.strip()
        p = self.cli("incident", "report", "--org", "sg-cert", "--title", "x", "--severity",
                     "urgent", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.stderr.startswith("concord: "), p.stderr)

        # acknowledged over HTTP by kh-cert (an affected country): it becomes the lead
        r = self.status("kh-cert", inc, {"status": "acknowledged"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"id": inc, "organization": "kh-cert",
                                  "status": "acknowledged"})
        # errors: bad body 400, not involved 403, unknown 404, invalid transition 409
        self.assertTaxiiError(self.status("kh-cert", inc, "not json"), 400)
        self.assertTaxiiError(self.status("kh-cert", inc, {"status": "done"}), 400)
        # TLP:AMBER (the default): only the involved organisations' sharing group may read it
        self.assertTaxiiError(self.status("vn-cert", inc, {"status": "investigating"}), 404)
        self.assertTaxiiError(self.status(
            "kh-cert", "incident--00000000-0000-4000-8000-000000000000",
            {"status": "investigating"}), 404)
        before = self.show(inc)
        self.assertTaxiiError(self.status("kh-cert", inc, {"status": "reported"}), 400)
        r = self.status("sg-cert", other, {"status": "acknowledged"})
        self.assertTaxiiError(r, 403)  # TLP:GREEN, readable, but sg-cert is not involved
        r = self.node.request("GET", "/coop/incidents/%s/status" % inc,
                              auth=self.tokens["kh-cert"], accept="application/json")
        self.assertEqual(r.status, 405, r)

        # assistance: kh-cert asks vn-cert for a takedown; vn-cert is then involved and in
        # the incident's new sharing group
        out = self.cli("incident", "assist", inc, "--from", "kh-cert", "--to", "vn-cert",
                       "--kind", "takedown", "--due", "2030-01-01T00:00:00Z").stdout
        self.assertIn("takedown", out)
        p = self.cli("incident", "assist", inc, "--from", "kh-cert", "--to", "vn-cert",
                     "--kind", "prayer", check=False)
        self.assertNotEqual(p.returncode, 0)
        r = self.status("vn-cert", inc, {"status": "investigating"})
        self.assertEqual(r.status, 200, r)
        self.assertNotEqual(self.cli("incident", "answer", inc, "--org", "kh-cert", "--request",
                                     "0", "--answer", "x", check=False).returncode, 0)
        self.cli("incident", "answer", inc, "--org", "vn-cert", "--request", "0", "--answer",
                 "domain suspended")
        self.cli("incident", "link", inc, "--org", "kh-cert", "--object",
                 "indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")

        # invalid transition: 409, nothing stored
        before = self.show(inc)
        r = self.status("kh-cert", inc, {"status": "closed"})
        self.assertTaxiiError(r, 409)
        self.assertEqual(self.show(inc), before)
        p = self.cli("incident", "update", inc, "--org", "kh-cert", "--status", "reported",
                     check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(self.show(inc), before)

        self.cli("incident", "update", inc, "--org", "kh-cert", "--status", "resolved")

        # list and its --status filter
        mine = {inc, other}  # test_http_api may have reported others on this node
        self.assertEqual({i["id"] for i in self.listing()} & mine, mine)
        self.assertEqual([i["id"] for i in self.listing("--status", "resolved")], [inc])
        self.assertEqual([i["id"] for i in self.listing("--status", "reported")
                          if i["id"] in mine], [other])
        self.assertEqual(self.listing("--status", "closed"), [])
        self.assertNotEqual(self.cli("incident", "list", "--status", "done",
                                     check=False).returncode, 0)

        # show: the timeline and metrics
        doc = self.show(inc)
        s = doc["incident"]
        self.assertEqual((s["status"], s["reporter"], s["lead"], s["assisting"]),
                         ("resolved", "sg-cert", "kh-cert", ["vn-cert"]))
        self.assertEqual(s["countries"], ["SG", "KH"])
        self.assertIsInstance(s["time_to_acknowledge_seconds"], float)
        self.assertGreaterEqual(s["time_to_resolve_seconds"], s["time_to_acknowledge_seconds"])
        self.assertEqual([(e["by"], e["change"]) for e in doc["timeline"]],
                         [("sg-cert", "reported"), ("kh-cert", "status acknowledged"),
                          ("kh-cert", "assistance requested: takedown from vn-cert"),
                          ("sg-cert", "sharing group updated"),
                          ("vn-cert", "status investigating"), ("vn-cert", "request 0 answered"),
                          ("kh-cert", "linked objects"), ("kh-cert", "status resolved")])
        self.assertEqual(s["links"], ["indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"])
        self.assertEqual([(q["to"], q["answer"]) for q in s["requests"]],
                         [("vn-cert", "domain suspended")])
        ats = [e["at"] for e in doc["timeline"]]
        self.assertEqual(ats, sorted(ats))
        ext = doc["object"]["extensions"]
        self.assertEqual(len(ext), 1)
        marks = doc["object"]["object_marking_refs"]
        self.assertEqual(marks[0], "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421")  # TLP 2.0 AMBER
        self.assertEqual(marks[1], list(ext.values())[0]["group_ref"])
        # th-cert (not involved) cannot read it over TAXII; vn-cert (assisting) can
        coll = [c["id"] for c in h.Client(self.node, self.tokens["vn-cert"]).get(
            "/api/collections/").json["collections"] if c.get("alias") == "directory"
            or c["title"] == "Directory"][0]
        path = h.Client.objects_path(coll, inc)
        self.assertEqual(h.Client(self.node, self.tokens["vn-cert"]).get(path).status, 200)
        self.assertEqual(h.Client(self.node, self.tokens["kh-cert"]).get(path).status, 200)
        self.assertEqual(h.Client(self.node, self.tokens["th-cert"]).get(path).status, 404)
        self.assertEqual([(q["kind"], q["due"]) for q in s["requests"]],
                         [("takedown", "2030-01-01T00:00:00Z")])
        # kh-cert's part is its own note, not a version of sg-cert's incident
        self.assertEqual(list(ext.values())[0]["requests"], [])
        self.assertEqual({(o["name"], o["role"]) for o in s["organizations"]},
                         {("sg-cert", "reporter"), ("kh-cert", "lead"), ("vn-cert", "assisting")})
        text = self.cli("incident", "show", inc).stdout
        self.assertIn("status resolved", text)
        self.assertIsNone([i for i in self.listing("--status", "reported")
                           if i["id"] == other][0]["time_to_acknowledge_seconds"])

    def get(self, org, path, **kw):
        return self.node.request("GET", path, auth=self.tokens[org], accept="application/json",
                                 **kw)

    def post(self, org, path, body, auth=None):
        return self.node.request("POST", path, auth=auth or self.tokens[org], body=body,
                                 content_type="application/json", accept="application/json")

    def test_http_api(self):
        inc = self.cli("incident", "report", "--org", "sg-cert", "--title", "DDoS on a bank",
                       "--country", "SG", "--country", "KH", "--sector", "banking").stdout.strip()
        base = "/coop/incidents/%s" % inc
        # reads through the sharing decision: th-cert is not involved in this AMBER incident
        r = self.get("kh-cert", "/coop/incidents/")
        self.assertEqual(r.status, 200, r)
        self.assertIn(inc, [i["id"] for i in r.json["incidents"]])
        r = self.get("th-cert", "/coop/incidents/")
        self.assertNotIn(inc, [i["id"] for i in r.json["incidents"]])
        self.assertTaxiiError(self.get("th-cert", base), 404)
        self.assertTaxiiError(self.get("kh-cert", "/coop/incidents/", params={"status": "x"}), 400)
        r = self.get("kh-cert", "/coop/incidents/", params={"status": "reported"})
        self.assertIn(inc, [i["id"] for i in r.json["incidents"]])

        # a request for assistance over HTTP; its target can then read the incident
        self.assertTaxiiError(self.get("vn-cert", base), 404)
        bad = [({"to": "vn-cert", "kind": "prayer"}, 400), ({"kind": "takedown"}, 400),
               ({"to": "xx-cert", "kind": "takedown"}, 404), ("[1]", 400),
               ({"to": "vn-cert", "kind": "takedown", "due": 5}, 400)]
        for body, code in bad:
            self.assertTaxiiError(self.post("kh-cert", base + "/requests", body), code)
        self.assertTaxiiError(self.post("th-cert", base + "/requests",
                                        {"to": "vn-cert", "kind": "takedown"}), 404)
        r = self.post("kh-cert", base + "/requests",
                      {"to": "vn-cert", "kind": "information", "due": "2030-01-01T00:00:00Z"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["to"], "vn-cert")
        r = self.get("vn-cert", base)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["incident"]["assisting"], ["vn-cert"])

        # the answer: only by its target, once
        self.assertTaxiiError(self.post("kh-cert", base + "/requests/0/answer", {"answer": "x"}),
                              403)
        self.assertTaxiiError(self.post("vn-cert", base + "/requests/7/answer", {"answer": "x"}),
                              404)
        self.assertTaxiiError(self.post("vn-cert", base + "/requests/x/answer", {"answer": "x"}),
                              404)
        self.assertTaxiiError(self.post("vn-cert", base + "/requests/0/answer", {}), 400)
        r = self.post("vn-cert", base + "/requests/0/answer", {"answer": "netflow attached"})
        self.assertEqual(r.status, 200, r)
        self.assertTaxiiError(self.post("vn-cert", base + "/requests/0/answer", {"answer": "y"}),
                              409)

        # links
        ind = "indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e"
        for body in ({"objects": ["malware--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e"]},
                     {"objects": []}, {"objects": "x"}, {"objects": [1]}):
            self.assertTaxiiError(self.post("vn-cert", base + "/links", body), 400)
        r = self.post("vn-cert", base + "/links", {"objects": [ind]})
        self.assertEqual(r.status, 200, r)

        # a reader-role user may read but not change
        self.node.add_user("kh-reader", "kh-cert", PW, role="reader")
        reader = self.node.create_token("kh-reader")
        self.assertTaxiiError(self.post(None, base + "/status", {"status": "acknowledged"},
                                        auth=reader), 403)
        self.assertEqual(self.node.request("GET", base, auth=reader,
                                           accept="application/json").status, 200)
        self.assertTaxiiError(self.node.request("DELETE", base, auth=reader,
                                                accept="application/json"), 405)
        self.assertTaxiiError(self.post("kh-cert", base + "/nothing", {}), 404)

        doc = self.get("sg-cert", base).json
        s = doc["incident"]
        self.assertEqual(s["links"], [ind])
        self.assertEqual([(q["from"], q["to"], q["answer"]) for q in s["requests"]],
                         [("kh-cert", "vn-cert", "netflow attached")])
        self.assertEqual([e["change"] for e in doc["timeline"]],
                         ["reported", "assistance requested: information from vn-cert",
                          "sharing group updated", "request 0 answered", "linked objects"])


if __name__ == "__main__":
    h.main()
