"""An incident coordinated across three nodes through federation (issue 6).

Three real nodes on 127.0.0.1, one per state: A is run by sg-cert
(Singapore), B by kh-cert (Cambodia), C by vn-cert (Viet Nam).  Every node
knows the three CERTs under the same identities (`org add --identity`) and
pulls the `directory` collection, where the cooperation workflows keep
their objects, from the two others.  Each CERT acts only on its own node,
over HTTP, as its own users:

  1. sg-cert reports a TLP:AMBER incident affecting SG and KH on A;
  2. kh-cert acknowledges it on B (and becomes the lead) and asks vn-cert
     for a takedown;
  3. A's node learns of the request and widens the incident's sharing
     group, so that vn-cert, on C, can read the incident it is asked about;
  4. vn-cert answers, investigates and links an indicator on C;
  5. kh-cert resolves it on B.

Checked: every node ends with the same merged incident (status, lead,
assisting, request and answer, links, metrics per organisation) and the
timeline of who did what (on C from the request on: the versions before
were not shared with vn-cert); an invalid transition is refused on C with
nothing stored; the incident never reaches an organisation not involved
(th-cert, registered on A); C never holds the incident before A widened
its group.
"""

import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

PW = "federated incident password"
NODES = {"a": ("sg-cert", "SG"), "b": ("kh-cert", "KH"), "c": ("vn-cert", "VN")}
IDENT = {n: "identity--%s" % uuid.uuid4() for n in NODES}
IND = "indicator--%s" % uuid.uuid4()


def make_node(name):
    node = ch.Node()
    node.set_conf("sync_interval", "0")
    for other, (org, cc) in NODES.items():
        node.cli("org", "add", "-D", node.dir, org, "--identity", IDENT[other], "--country", cc,
                 "--role", "national-cert")
    org = NODES[name][0]
    node.add_user("%s-admin" % name, org, PW, role="admin")
    node.add_user("%s-analyst" % name, org, PW)
    for other in NODES:
        if other != name:
            node.add_user("%s-sync" % other, NODES[other][0], PW)
    node.start()
    node.alive_auth = ("%s-admin" % name, PW)
    node.name = name
    return node


class FederatedIncident(ch.TimedTestCase):
    timeout = 300

    def setUp(self):
        super().setUp()
        self.nodes = {}
        for n in NODES:
            self.nodes[n] = make_node(n)
        for n, node in self.nodes.items():
            for other, peer in self.nodes.items():
                if other != n:
                    node.cli("peer", "add", "-D", node.dir, other,
                             "http://127.0.0.1:%d/api/" % peer.port, "--org", NODES[other][0],
                             "--user", "%s-sync" % n, "--pull", "directory", input=PW + "\n")
        self.a, self.b, self.c = (self.nodes[n] for n in NODES)
        self.a.add_org("th-cert", country="TH", role="national-cert")
        self.a.add_user("th-analyst", "th-cert", PW)

    def tearDown(self):
        try:
            for n in self.nodes.values():
                n.close()
        finally:
            super().tearDown()

    def sync(self, *names):
        for n in names:
            node = self.nodes[n]
            node.cli("sync", "-D", node.dir, "--quiet")

    def http(self, node, method, path, body=None, user=None):
        auth = (user or "%s-analyst" % node.name, PW)
        if body is None:
            return node.request(method, path, auth=auth, accept="application/json")
        return node.request(method, path, auth=auth, body=body,
                            content_type="application/json", accept="application/json")

    def ok(self, node, path, body):
        r = self.http(node, "POST", path, body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def show(self, node, inc):
        r = self.http(node, "GET", "/coop/incidents/%s" % inc)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_incident_across_three_nodes(self):
        inc = self.a.cli("incident", "report", "-D", self.a.dir, "--org", "sg-cert", "--title",
                         "Wiper at a regional power utility", "--country", "SG", "--country",
                         "KH", "--sector", "energy", "--severity", "critical").stdout.strip()
        base = "/coop/incidents/%s" % inc
        t0 = time.time()

        # B pulls the incident; kh-cert acknowledges and asks vn-cert, on its own node
        self.sync("b")
        self.ok(self.b, base + "/status", {"status": "acknowledged"})
        self.ok(self.b, base + "/requests",
                {"to": "vn-cert", "kind": "takedown", "due": "2030-01-01T00:00:00Z"})
        self.assertEqual(self.show(self.b, inc)["incident"]["lead"], "kh-cert")

        # C pulls from both: kh-cert's request reaches it, the incident not yet (AMBER,
        # sg-cert's group names sg-cert and kh-cert only)
        self.sync("c")
        self.assertTaxiiError(self.http(self.c, "GET", base), 404)
        self.assertTaxiiError(self.http(self.c, "GET", base, user="c-admin"), 404)
        self.assertNotEqual(self.c.cli("incident", "show", "-D", self.c.dir, inc,
                                       check=False).returncode, 0)

        # A learns of the request and widens its incident's group; C can now read it
        self.sync("a", "c")
        s = self.show(self.c, inc)["incident"]
        self.assertEqual((s["status"], s["lead"], s["assisting"]),
                         ("acknowledged", "kh-cert", ["vn-cert"]))

        # vn-cert answers, investigates and links on C; an invalid transition changes nothing
        self.ok(self.c, base + "/requests/0/answer", {"answer": "C2 domain taken down"})
        self.ok(self.c, base + "/status", {"status": "investigating"})
        self.ok(self.c, base + "/links", {"objects": [IND]})
        before = self.show(self.c, inc)
        self.assertTaxiiError(self.http(self.c, "POST", base + "/status", {"status": "closed"}),
                              409)
        self.assertEqual(self.show(self.c, inc), before)

        # B sees vn-cert's part and resolves; everybody syncs twice (A relays nothing AMBER)
        self.sync("b")
        self.assertEqual(self.show(self.b, inc)["incident"]["status"], "investigating")
        self.ok(self.b, base + "/status", {"status": "resolved"})
        elapsed = time.time() - t0
        self.sync("a", "b", "c", "a", "b", "c")

        views = {n: self.show(node, inc) for n, node in self.nodes.items()}
        timeline = [("sg-cert", "reported", "reported"),
                    ("kh-cert", "status acknowledged", "acknowledged"),
                    ("kh-cert", "assistance requested: takedown from vn-cert", "acknowledged"),
                    ("sg-cert", "sharing group updated", "acknowledged"),
                    ("vn-cert", "request 0 answered", "acknowledged"),
                    ("vn-cert", "status investigating", "investigating"),
                    ("vn-cert", "linked objects", "investigating"),
                    ("kh-cert", "status resolved", "resolved")]
        for n, doc in views.items():
            s = doc["incident"]
            self.assertEqual((s["status"], s["reporter"], s["lead"], s["assisting"]),
                             ("resolved", "sg-cert", "kh-cert", ["vn-cert"]), n)
            self.assertEqual([(q["from"], q["to"], q["kind"], q["answer"]) for q in s["requests"]],
                             [("kh-cert", "vn-cert", "takedown", "C2 domain taken down")], n)
            self.assertEqual(s["links"], [IND], n)
            # vn-cert, brought in by the request, sees the versions made since
            self.assertEqual([(e["by"], e["change"], e["status"]) for e in doc["timeline"]],
                             timeline if n != "c" else timeline[2:], n)
            orgs = {o["name"]: o for o in s["organizations"]}
            self.assertEqual(set(orgs), {"sg-cert", "kh-cert", "vn-cert"}, n)
            self.assertEqual((orgs["vn-cert"]["requests_received"],
                              orgs["vn-cert"]["requests_answered"]), (1, 1), n)
            kh = orgs["kh-cert"]
            self.assertGreater(kh["time_to_acknowledge_seconds"], 0, n)
            self.assertLess(kh["time_to_acknowledge_seconds"], elapsed, n)
            self.assertGreater(kh["time_to_resolve_seconds"], kh["time_to_acknowledge_seconds"])
            self.assertEqual(s["time_to_acknowledge_seconds"], kh["time_to_acknowledge_seconds"])
            self.assertEqual(s["time_to_resolve_seconds"], kh["time_to_resolve_seconds"])
            self.assertIsNone(orgs["vn-cert"]["time_to_acknowledge_seconds"], n)
        self.assertEqual(views["a"]["incident"], views["b"]["incident"])
        self.assertEqual(views["a"]["incident"], views["c"]["incident"])

        # per organisation across incidents, on the reporter's node
        m = {o["organization"]: o for o in json.loads(self.a.cli(
            "incident", "metrics", "-D", self.a.dir, "--json").stdout)["organizations"]}
        self.assertEqual((m["sg-cert"]["reported"], m["kh-cert"]["acknowledged"],
                          m["kh-cert"]["resolved"], m["vn-cert"]["requests_answered"]),
                         (1, 1, 1, 1))

        # th-cert, registered on A but not involved, never sees it
        r = self.http(self.a, "GET", "/coop/incidents/", user="th-analyst")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(inc, [i["id"] for i in r.json["incidents"]])
        self.assertTaxiiError(self.http(self.a, "GET", base, user="th-analyst"), 404)


if __name__ == "__main__":
    ch.main()
