"""Correlation across organisations: `concord correlate` and the
`correlation` view.

Indicators of different organisations naming the same observable value
(however they quote a path or spell a hash name) are reported together;
one organisation alone is not a correlation; superseded and revoked
versions do not count; `--as ORG` hides indicators ORG may not read; the
per-value cap keeps storage bounded and counts the rest; a TAXII DELETE
drops the rows; an upgraded version-3 database is filled from what it holds.
"""

import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
SHA = "aa" * 32


class CorrelateCase(ch.TimedTestCase):

    def setUp(self):
        super().setUp()
        self.node = ch.Node()
        self.addCleanup(self.node.close)
        self.orgs = {n: self.node.add_org(n, country=c)
                     for n, c in (("sg", "SG"), ("my", "MY"), ("th", "TH"))}

    def ind(self, org, pattern, marking=TLP_CLEAR, **kw):
        return ch.indicator(created_by=self.orgs[org], pattern=pattern,
                            object_marking_refs=[marking], **kw)

    def load(self, org, *objects):
        path = os.path.join(self.node.base, "in-%s.json" % ch.stix_id("x"))
        with open(path, "w") as f:
            json.dump({"type": "bundle", "id": ch.stix_id("bundle"), "objects": list(objects)}, f)
        self.node.cli("import", "-D", self.node.dir, path, "--org", org)

    def correlate(self, *args):
        p = self.node.cli("correlate", "-D", self.node.dir, *args)
        return [json.loads(line) for line in p.stdout.splitlines()]

    def test_same_value_two_orgs(self):
        a = self.ind("sg", "[ipv4-addr:value = '203.0.113.9']")
        b = self.ind("my", "[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'x.test']")
        c = self.ind("th", "[ipv4-addr:value = '203.0.113.10']")
        self.load("sg", a)
        self.load("my", b)
        self.load("th", c)
        out = self.correlate()
        self.assertEqual(len(out), 1, out)
        self.assertEqual(out[0]["path"], "ipv4-addr:value")
        self.assertEqual(out[0]["value"], "203.0.113.9")
        self.assertEqual(sorted(out[0]["organizations"]), sorted([self.orgs["sg"], self.orgs["my"]]))
        self.assertEqual(sorted(out[0]["indicators"]), sorted([a["id"], b["id"]]))
        self.assertEqual(out[0]["overflow"], 0)
        self.assertEqual(self.correlate("--min-orgs", "3"), [])
        self.assertEqual(len(self.correlate("--min-orgs", "1")), 3)
        only = self.correlate("--min-orgs", "1", "--value", "x.test")
        self.assertEqual([o["path"] for o in only], ["domain-name:value"])

    def test_spelling_does_not_matter(self):
        self.load("sg", self.ind("sg", "[file:hashes.'SHA-256' = '%s']" % SHA.upper()))
        self.load("my", self.ind("my", "[file:hashes.sha256 = '%s']" % SHA))
        self.load("th", self.ind("th", "[file:hashes.'SHA256' IN ('%s', 'bb')]" % SHA))
        out = self.correlate("--min-orgs", "3")
        self.assertEqual(len(out), 1, out)
        self.assertEqual((out[0]["path"], out[0]["value"]), ("file:hashes.'SHA-256'", SHA))

    def test_negated_and_other_operators_do_not_count(self):
        self.load("sg", self.ind("sg", "[ipv4-addr:value != '192.0.2.1']"))
        self.load("my", self.ind("my", "[ipv4-addr:value NOT = '192.0.2.1']"))
        self.load("th", self.ind("th", "[domain-name:value LIKE '192.0.2.1']"))
        self.assertEqual(self.correlate("--min-orgs", "1"), [])

    def test_latest_unrevoked_versions_only(self):
        a = self.ind("sg", "[ipv4-addr:value = '192.0.2.50']")
        self.load("sg", a)
        self.load("my", self.ind("my", "[ipv4-addr:value = '192.0.2.50']"))
        self.assertEqual(len(self.correlate()), 1)
        newer = dict(a, modified=ch.stix_ts(offset_s=5), pattern="[ipv4-addr:value = '192.0.2.51']")
        self.load("sg", newer)
        self.assertEqual(self.correlate(), [], "the superseded version still counted")
        back = dict(a, modified=ch.stix_ts(offset_s=10))
        self.load("sg", back)
        self.assertEqual(len(self.correlate()), 1)
        self.load("sg", dict(back, modified=ch.stix_ts(offset_s=15), revoked=True))
        self.assertEqual(self.correlate(), [], "a revoked indicator still counted")

    def test_as_org_applies_the_sharing_rules(self):
        red = self.ind("th", "[url:value = 'http://evil.test/a']", marking=TLP_RED)
        self.load("th", red)
        self.load("sg", self.ind("sg", "[url:value = 'http://evil.test/a']"))
        self.load("my", self.ind("my", "[url:value = 'http://evil.test/a']"))
        self.assertEqual(len(self.correlate("--min-orgs", "3")), 1)
        as_sg = self.correlate("--as", "sg")
        self.assertEqual(len(as_sg), 1)
        self.assertNotIn(red["id"], as_sg[0]["indicators"])
        self.assertNotIn(self.orgs["th"], as_sg[0]["organizations"])
        self.assertEqual(self.correlate("--as", "sg", "--min-orgs", "3"), [])
        as_th = self.correlate("--as", "th", "--min-orgs", "3")
        self.assertEqual(len(as_th), 1, "the creator must see its own RED indicator")

    def test_cap_per_value(self):
        objs = [self.ind("sg", "[ipv4-addr:value = '198.51.100.200']", n=i) for i in range(130)]
        self.load("sg", *objs)
        self.load("my", self.ind("my", "[ipv4-addr:value = '198.51.100.200']"))
        out = self.correlate("--min-orgs", "1", "--value", "198.51.100.200")
        self.assertEqual(out[0]["overflow"], 31)
        db = sqlite3.connect(os.path.join(self.node.dir, "concord.db"))
        kept = db.execute("SELECT count(*) FROM corr WHERE value = '198.51.100.200'").fetchone()[0]
        over = db.execute("SELECT n FROM corr_over WHERE value = '198.51.100.200'").fetchone()[0]
        self.assertEqual(kept, 100)
        self.assertEqual(over, 31)
        view = db.execute("SELECT organizations, indicators FROM correlation"
                          " WHERE value = '198.51.100.200'").fetchone()
        db.close()
        self.assertEqual(view, (1, 100), "the view counts what is kept")

    def test_delete_over_taxii_drops_rows(self):
        a = self.ind("sg", "[email-addr:value = 'Bad@Example.test']")
        self.load("sg", a)
        self.load("my", self.ind("my", "[email-addr:value = 'bad@example.test']"))
        self.assertEqual(len(self.correlate()), 1)
        self.node.add_user("admin", "sg", "a long enough password", role="admin")
        self.node.start()
        c = ch.Client(self.node, ("admin", "a long enough password"))
        coll = self.node.conf("default_collection")
        r = c.delete(ch.Client.objects_path(coll, a["id"]))
        self.assertEqual(r.status, 200, r.body)
        self.node.stop()
        db = sqlite3.connect(os.path.join(self.node.dir, "concord.db"))
        n = db.execute("SELECT count(*) FROM corr WHERE value = 'bad@example.test'").fetchone()[0]
        db.close()
        self.assertEqual(n, 1)
        self.assertEqual(self.correlate(), [])

    def test_serve_keeps_the_view_current(self):
        self.node.add_user("sg-u", "sg", "a long enough password")
        self.node.add_user("my-u", "my", "a long enough password")
        self.node.start()
        coll = self.node.conf("default_collection")
        for org in ("sg", "my"):
            c = ch.Client(self.node, (org + "-u", "a long enough password"))
            r = c.post_objects(coll, self.ind(org, "[ipv4-addr:value = '192.0.2.99']"))
            self.assertEqual(r.status, 202, r.body)
        db_path = os.path.join(self.node.dir, "concord.db")
        deadline = time.time() + 20
        row = None
        while time.time() < deadline and not row:
            db = sqlite3.connect(db_path, timeout=10)
            row = db.execute("SELECT organizations FROM correlation"
                             " WHERE value = '192.0.2.99'").fetchone()
            db.close()
            if not row:
                time.sleep(0.2)
        self.assertEqual(row, (2,), "the server did not index the new indicators")

    def test_upgrade_from_schema_3_fills_correlation(self):
        self.load("sg", self.ind("sg", "[domain-name:value = 'Up.Example.test']"))
        self.load("my", self.ind("my", "[domain-name:value = 'up.example.test']"))
        db = sqlite3.connect(os.path.join(self.node.dir, "concord.db"))
        db.executescript("DROP VIEW correlation; DROP TABLE corr; DROP TABLE corr_over;"
                         " PRAGMA user_version = 3;")
        db.close()
        out = self.correlate()
        self.assertEqual([o["value"] for o in out], ["up.example.test"])
        db = sqlite3.connect(os.path.join(self.node.dir, "concord.db"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 4)
        db.close()

    def test_bad_options(self):
        p = self.node.cli("correlate", "-D", self.node.dir, "--min-orgs", "0", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--min-orgs", p.stderr)
        p = self.node.cli("correlate", "-D", self.node.dir, "--as", "nobody", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no organisation 'nobody'", p.stderr)


if __name__ == "__main__":
    ch.main()
