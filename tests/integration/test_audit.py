"""The audit log over a real server: every request is recorded with who,
what and the outcome (ids and counts, never contents); `concord audit`
filters it; the table refuses updates and deletes; `audit = off` keeps none.
"""

import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as h  # noqa: E402

PW = "audit-password-1"
CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
SECRET = "do-not-log-this-description"


class AuditLog(h.TimedTestCase):
    def setUp(self):
        super().setUp()
        self.node = h.Node()
        n = self.node
        self.sg = n.add_org("sg-cert", country="SG")
        n.add_org("my-cert", country="MY")
        n.add_user("alice", "sg-cert", PW)
        n.add_user("bob", "my-cert", PW)

    def tearDown(self):
        self.node.close(check_alive=False)
        super().tearDown()

    def audit(self, *args):
        out = self.node.cli("audit", "-D", self.node.dir, "--json", *args).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def test_requests_are_recorded(self):
        n = self.node
        coll = n.add_collection("Audit", alias="audited")
        n.start()
        alice, bob = h.Client(n, ("alice", PW)), h.Client(n, ("bob", PW))
        public = h.indicator(created_by=self.sg, object_marking_refs=[CLEAR], description=SECRET)
        hidden = h.indicator(description=SECRET)  # no marking: AMBER, alice only
        r = alice.post_objects(coll, public, hidden)
        self.assertEqual(r.json["success_count"], 2, r)
        status_id = r.json["id"]
        self.assertEqual(bob.get(h.Client.objects_path(coll)).status, 200)
        self.assertEqual(bob.get(h.Client.objects_path(coll, hidden["id"])).status, 404)
        self.assertEqual(n.request("GET", "/api/", auth=("bob", "wrong password")).status, 401)
        self.assertEqual(alice.delete(h.Client.objects_path(coll, public["id"])).status, 200)
        n.stop()  # the writer flushes on shutdown

        entries = self.audit()
        self.assertGreaterEqual(len(entries), 5, entries)
        text = json.dumps(entries)
        self.assertNotIn(SECRET, text)  # ids and counts, never contents
        self.assertNotIn("wrong password", text)
        writes = [e for e in entries if e["action"] == "write"]
        self.assertEqual(len(writes), 1, entries)
        self.assertEqual(writes[0]["user"], "alice")
        self.assertEqual(writes[0]["org"], "sg-cert")
        self.assertEqual(writes[0]["object"], "status/" + status_id)
        self.assertIn("ok=2", writes[0]["detail"])
        reads = [e for e in entries if e["action"] == "read" and e["user"] == "bob"]
        self.assertTrue(any("count=1" in (e.get("detail") or "") for e in reads), entries)
        denied = self.audit("--action", "denied")
        self.assertEqual({e["status"] for e in denied}, {401, 404}, denied)
        hidden_read = [e for e in denied if e["status"] == 404]
        self.assertEqual(hidden_read[0]["object"], hidden["id"])
        self.assertEqual(hidden_read[0]["user"], "bob")
        failed = [e for e in denied if e["status"] == 401]
        self.assertIn("bob", failed[0]["detail"])
        deletes = self.audit("--action", "delete")
        self.assertEqual([e["object"] for e in deletes], [public["id"]])
        self.assertEqual(self.audit("--user", "bob", "--action", "write"), [])
        self.assertEqual(len(self.audit("--limit", "2")), 2)
        self.assertEqual([e["object"] for e in self.audit("--object", hidden["id"])],
                         [hidden["id"]])

        db = sqlite3.connect(os.path.join(n.dir, "audit.db"))
        for sql in ("UPDATE audit SET user = 'mallory'", "DELETE FROM audit"):
            with self.assertRaises(sqlite3.DatabaseError) as cm:
                db.execute(sql)
            self.assertIn("append-only", str(cm.exception))
        db.close()

    def test_audit_off(self):
        n = self.node
        n.set_conf("audit", "off")
        n.start()
        self.assertEqual(n.request("GET", "/taxii2/", auth=("alice", PW)).status, 200)
        n.stop()
        self.assertFalse(os.path.exists(os.path.join(n.dir, "audit.db")))
        r = n.cli("audit", "-D", n.dir, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no audit log", r.stderr)

    def test_bad_options(self):
        r = self.node.cli("audit", "-D", self.node.dir, "--since", "yesterday", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--since", r.stderr)


if __name__ == "__main__":
    h.main()
