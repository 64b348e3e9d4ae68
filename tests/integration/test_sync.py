"""Federation over TAXII 2.1 between real Concord nodes (docs/federation.md).

Three nodes A, B and C on 127.0.0.1 (plain HTTP, own ports and data
directories).  Each node is operated by its national CERT (a-cert, b-cert,
c-cert) and records the other two CERTs as organisations under the
identity they use on their own node (`concord org add --identity`), so a
sharing group made on A names the same organisation B's node knows.  Each
node has a sync user per other CERT ("b-sync" on A is what B's node uses).

Checked: full and incremental pull, push, a mesh A -> B -> C -> A with no
echo and no loop, a sync killed with SIGKILL half-way and run again
(nothing lost, nothing twice), TLP:AMBER shared from A to B never reaching
C, TLP:RED never leaving A, a sharing group naming B reaching B only, and
paging against a tiny fake TAXII server whose objects share one
date_added, one per page.
"""

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

PW = "federation password"
GROUP_EXT = "extension-definition--3c2f7f4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f"
CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
NAMES = ("a", "b", "c")
IDENT = {n: "identity--%s" % uuid.uuid4() for n in NAMES}


def make_node(name):
    node = ch.Node()
    node.set_conf("sync_interval", "0")
    for other in NAMES:
        node.cli("org", "add", "-D", node.dir, "%s-cert" % other, "--identity", IDENT[other])
    node.add_user("%s-admin" % name, "%s-cert" % name, PW, role="admin")
    for other in NAMES:
        if other != name:
            node.add_user("%s-sync" % other, "%s-cert" % other, PW)
    node.start()
    node.alive_auth = ("%s-admin" % name, PW)
    node.name = name
    node.admin = ch.Client(node, node.alive_auth)
    return node


def add_peer(node, other, pull=True, push=False):
    args = ["peer", "add", "-D", node.dir, other.name,
            "http://127.0.0.1:%d/api/" % other.port, "--org", "%s-cert" % other.name,
            "--user", "%s-sync" % node.name]
    if pull:
        args += ["--pull", "shared"]
    if push:
        args += ["--push", "shared"]
    node.cli(*args, input=PW + "\n")


def sync(node, *args, check=True):
    return node.cli("sync", "-D", node.dir, "--quiet", *args, check=check)


def ids_in(node):
    items, _ = node.admin.get_all(ch.Client.objects_path("shared"),
                                  params={"match[type]": "indicator", "match[version]": "all"})
    return [o["id"] for o in items]


def marked(n, marking, created_by, extra_refs=()):
    return ch.indicator(n=n, created_by=created_by,
                        object_marking_refs=[marking] + list(extra_refs))


def group(name, creator, orgs):
    return {"type": "marking-definition", "spec_version": "2.1",
            "id": "marking-definition--%s" % uuid.uuid4(), "created": ch.stix_ts(),
            "created_by_ref": creator, "name": name,
            "extensions": {GROUP_EXT: {"extension_type": "property-extension",
                                       "organizations": orgs}}}


class Base(ch.TimedTestCase):
    timeout = 400

    def setUp(self):
        super().setUp()
        self.nodes = {n: make_node(n) for n in NAMES}
        self.a, self.b, self.c = (self.nodes[n] for n in NAMES)
        self.writer = {n: ch.Client(self.nodes[n], ("%s-admin" % n, PW)) for n in NAMES}

    def tearDown(self):
        try:
            for n in self.nodes.values():
                n.close()
        finally:
            super().tearDown()

    def post(self, name, *objs):
        r = self.writer[name].post_objects("shared", *objs)
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["success_count"], len(objs), r)

    def peers(self, node):
        return {p["name"]: p for p in json.loads(
            node.cli("peer", "list", "-D", node.dir, "--json").stdout)["peers"]}


class TestPullPush(Base):
    def test_full_then_incremental_pull(self):
        objs = [marked(i, CLEAR, IDENT["a"]) for i in range(120)]
        self.post("a", *objs)
        add_peer(self.b, self.a)
        out = sync(self.b, "--limit", "25").stdout
        self.assertIn("pulled 120", out)
        self.assertEqual(sorted(ids_in(self.b)), sorted(o["id"] for o in objs))
        more = [marked(i, GREEN, IDENT["a"]) for i in range(7)]
        self.post("a", *more)
        out = sync(self.b, "--limit", "25").stdout
        self.assertIn("pulled 7 ", out)  # only what is new
        out = sync(self.b).stdout
        self.assertIn("pulled 0 ", out)
        self.assertEqual(len(ids_in(self.b)), 127)
        p = self.peers(self.b)["a"]
        self.assertEqual(p["pulled"], 127)
        self.assertEqual(p["last_error"], "")
        self.assertNotEqual(p["last_success"], "-")
        self.assertNotIn(PW, json.dumps(p))
        # pulled objects are delivered by a-cert: a-cert's sync user on B is their origin
        r = self.b.admin.get("/admin/peers/", accept="application/json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["peers"][0]["pulled"], 127)
        self.assertNotIn(PW, r.text)
        r = ch.Client(self.b, ("a-sync", PW)).get("/admin/peers/")
        self.assertEqual(r.status, 403)

    def test_serve_runs_rounds_on_schedule(self):
        add_peer(self.b, self.a)
        self.b.stop()
        self.b.set_conf("sync_interval", "1")
        self.b.start()
        objs = [marked(i, CLEAR, IDENT["a"]) for i in range(5)]
        self.post("a", *objs)
        deadline = time.time() + 30
        got = []
        while time.time() < deadline and len(got) < 5:
            time.sleep(0.5)
            got = ids_in(self.b)
        self.assertEqual(sorted(got), sorted(o["id"] for o in objs),
                         "concord serve did not pull on its schedule")

    def test_push(self):
        add_peer(self.b, self.a, pull=False, push=True)
        objs = [marked(i, CLEAR, IDENT["b"]) for i in range(30)]
        self.post("b", *objs)
        out = sync(self.b, "--limit", "8").stdout
        self.assertIn("pushed 30", out)
        self.assertEqual(sorted(ids_in(self.a)), sorted(o["id"] for o in objs))
        out = sync(self.b).stdout
        self.assertIn("pushed 0", out)

    def test_mesh_no_echo_no_loop(self):
        add_peer(self.a, self.b, pull=False, push=True)
        add_peer(self.b, self.c, pull=False, push=True)
        add_peer(self.c, self.a, pull=False, push=True)
        x = marked(1, CLEAR, IDENT["a"])
        self.post("a", x)
        for _ in range(3):
            for n in NAMES:
                sync(self.nodes[n])
        for n in NAMES:
            self.assertEqual(ids_in(self.nodes[n]), [x["id"]], n)
        # a fourth round moves nothing anywhere
        for n in NAMES:
            self.assertIn("pushed 0", sync(self.nodes[n]).stdout, n)

    def test_sigkill_mid_sync(self):
        objs = [marked(i, CLEAR, IDENT["a"]) for i in range(3000)]
        for i in range(0, len(objs), 1000):
            self.post("a", *objs[i:i + 1000])
        add_peer(self.b, self.a)
        p = subprocess.Popen([ch.concord_bin(), "sync", "-D", self.b.dir, "--quiet",
                              "--limit", "20"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            got = self.peers(self.b)["a"]["collections"][0]["count"]
            if got >= 200:
                break
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)
        partial = self.peers(self.b)["a"]["collections"][0]["count"]
        self.assertLess(partial, 3000, "the sync finished before it could be killed")
        sync(self.b, "--limit", "500")
        got = ids_in(self.b)
        self.assertEqual(len(got), 3000)
        self.assertEqual(len(set(got)), 3000)

    def test_amber_never_reaches_c_red_never_leaves_a(self):
        add_peer(self.a, self.b, pull=False, push=True)
        add_peer(self.b, self.a, pull=False, push=False)  # B knows a-cert runs a node
        add_peer(self.b, self.c, pull=False, push=True)
        add_peer(self.c, self.b, pull=True, push=False)
        g_bc = group("B and C", IDENT["a"], [IDENT["b"], IDENT["c"]])
        g_b = group("B only", IDENT["a"], [IDENT["b"]])
        amber_b = marked(1, AMBER, IDENT["a"], [g_b["id"]])      # B only
        red = marked(2, RED, IDENT["a"])                          # nobody named
        green_b = marked(3, GREEN, IDENT["a"], [g_b["id"]])       # group naming B
        amber_bc = marked(4, AMBER, IDENT["a"], [g_bc["id"]])     # B and C, but A sends to B only
        self.post("a", g_bc, g_b, amber_b, red, green_b, amber_bc)
        # A -> B; B -> C by push and C <- B by pull
        for n in ("a", "b", "c", "b", "c"):
            sync(self.nodes[n])
        in_b, in_c = set(ids_in(self.b)), set(ids_in(self.c))
        self.assertIn(amber_b["id"], in_b)
        self.assertIn(green_b["id"], in_b)
        self.assertNotIn(amber_b["id"], in_c)   # AMBER from A never goes on from B
        self.assertNotIn(green_b["id"], in_c)   # the group names B only
        self.assertNotIn(red["id"], in_b)        # RED never leaves A
        self.assertNotIn(red["id"], in_c)
        self.assertIn(amber_bc["id"], in_b)
        self.assertNotIn(amber_bc["id"], in_c)  # C is named, but B received it as AMBER
        # C's sync user on B does not see it over TAXII either; B's own users do
        r = ch.Client(self.b, ("c-sync", PW)).get(ch.Client.objects_path("shared", amber_bc["id"]))
        self.assertEqual(r.status, 404, r)


class FakeTaxii(http.server.BaseHTTPRequestHandler):
    """Objects that all share one date_added, served one per page with `next`."""

    objects = []
    requests = []
    DATE = "2024-01-01T00:00:00.000000Z"

    def log_message(self, *args):
        pass

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        FakeTaxii.requests.append(q)
        if not u.path.endswith("/objects/"):
            self.send_error(404)
            return
        if "added_after" in q and q["added_after"][0] >= self.DATE:
            items = []
        else:
            items = self.objects
        start = int(q.get("next", ["0"])[0])
        page = items[start:start + 1]
        body = {}
        if page:
            body = {"objects": page, "more": start + 1 < len(items)}
            if body["more"]:
                body["next"] = str(start + 1)
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", ch.TAXII_MEDIA)
        self.send_header("Content-Length", str(len(data)))
        if page:
            self.send_header("X-TAXII-Date-Added-First", self.DATE)
            self.send_header("X-TAXII-Date-Added-Last", self.DATE)
        self.end_headers()
        self.wfile.write(data)


class TestPaging(ch.TimedTestCase):
    def setUp(self):
        super().setUp()
        self.node = ch.Node()
        self.node.cli("org", "add", "-D", self.node.dir, "fake-cert")
        FakeTaxii.objects = [ch.indicator(n=i) for i in range(5)]
        FakeTaxii.objects.append({"type": "indicator", "id": "indicator--bad"})
        FakeTaxii.requests = []
        self.srv = http.server.HTTPServer(("127.0.0.1", 0), FakeTaxii)
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()

    def tearDown(self):
        self.srv.shutdown()
        self.srv.server_close()
        shutil_rm(self.node)
        super().tearDown()

    def test_same_date_added_pages_of_one(self):
        n = self.node
        n.cli("peer", "add", "-D", n.dir, "fake", "http://127.0.0.1:%d/api/" % self.srv.server_port,
              "--org", "fake-cert", "--user", "x", "--pull", "remote-coll:shared", input="pw\n")
        p = n.cli("sync", "-D", n.dir, "--quiet", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("pulled 6 (new 5, quarantined 1)", p.stdout)
        # every page after the first carried next together with the original filters
        for q in FakeTaxii.requests[1:]:
            self.assertIn("next", q)
            self.assertNotIn("added_after", q)
        quarantine = json.loads(n.cli("peer", "quarantine", "-D", n.dir, "--json").stdout)
        self.assertEqual([x["id"] for x in quarantine["quarantine"]], ["indicator--bad"])
        # the next round starts after the shared date_added and gets nothing again
        FakeTaxii.requests = []
        p = n.cli("sync", "-D", n.dir, "--quiet")
        self.assertIn("pulled 0 ", p.stdout)
        self.assertEqual(FakeTaxii.requests[0]["added_after"][0], FakeTaxii.DATE)


def shutil_rm(node):
    import shutil
    shutil.rmtree(node.base, ignore_errors=True)


if __name__ == "__main__":
    ch.main()
