"""Critical-infrastructure advisories: `concord advisory import|list|ack` and
POST /coop/advisories/{id}/status, on the 26 real CISA CSAF 2.0 documents
from shared/data/csaf/cisa (skipped, with the reason printed, when absent).
"""

import glob
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

PW = "a long enough password"
CISA = os.path.join(ch.source_dir(), "..", "shared", "data", "csaf", "cisa")
FILES = sorted(glob.glob(os.path.join(CISA, "ics*.json")) + glob.glob(os.path.join(CISA, "va-*.json")))
SKIP = None if len(FILES) == 26 else "the 26 CISA CSAF files are not in %s" % CISA
if SKIP:
    print("skipping test_coop_advisory: " + SKIP)


def load(path):
    with open(path) as f:
        return json.load(f)


@unittest.skipIf(SKIP, SKIP or "")
class AdvisoryCase(ch.TimedTestCase):
    node = None

    @classmethod
    def setUpClass(cls):
        cls.node = ch.Node()
        d = cls.node.dir
        cls.node.add_org("sg-cert", country="SG")
        cls.node.add_org("my-cert", country="MY")
        cls.node.add_user("alice", "sg-cert", PW)
        p = cls.node.cli("advisory", "import", "-D", d, *FILES)
        cls.first_import = p.stdout
        cls.node.start()

    @classmethod
    def tearDownClass(cls):
        if cls.node:
            cls.node.close()

    def cli(self, *args, check=True):
        return self.node.cli("advisory", args[0], "-D", self.node.dir, *args[1:], check=check)

    def listing(self, *args):
        return json.loads(self.cli("list", "--json", *args).stdout)

    def test_import_counts(self):
        self.assertRegex(self.first_import, r"icsa-24-046-11\.json: 160 vulnerabilities: 160 imported")
        total = sum(len(load(f)["vulnerabilities"]) for f in FILES)
        self.assertIn("total: %d vulnerabilities: %d imported, 0 already added, 0 rejected"
                      % (total, total), self.first_import)
        self.assertEqual(len([e for e in self.listing() if e["advisory_id"] != "ICSA-AMBER-TEST"]),
                         total)

    def test_reimport_idempotent(self):
        p = self.cli("import", os.path.join(CISA, "icsa-24-046-11.json"))
        self.assertIn("160 vulnerabilities: 0 imported, 160 already added, 0 rejected", p.stdout)

    def test_new_revision_is_new_version(self):
        doc = load(os.path.join(CISA, "icsa-18-324-02.json"))
        doc["document"]["tracking"]["current_release_date"] = "2030-01-01T00:00:00.000Z"
        doc["document"]["tracking"]["version"] = "99"
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        p = self.cli("import", f.name)
        self.assertIn("1 vulnerabilities: 1 imported", p.stdout)
        cve = doc["vulnerabilities"][0]["cve"]
        rows = [e for e in self.listing() if e["cve"] == cve]
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0]["modified"].startswith("2030-01-01"))
        os.unlink(f.name)

    def test_filters(self):
        energy = self.listing("--sector", "energy")
        self.assertTrue(energy)
        self.assertTrue(all("energy" in e["sectors"] for e in energy))
        health = self.listing("--sector", "healthcare")
        self.assertEqual({e["advisory_id"] for e in health},
                         {"ICSMA-18-058-01", "ICSMA-19-353-01", "ICSMA-22-151-02",
                          "ICSA-19-274-01"})
        fr = self.listing("--country", "FR")
        self.assertTrue(fr)
        self.assertTrue(all("FR" in e["countries"] for e in fr))
        self.assertEqual(self.listing("--country", "ZZ"), [])

    def test_json_shape(self):
        rows = self.listing()
        with_cve = [e for e in rows if e["cve"]]
        self.assertTrue(with_cve)
        for e in rows:
            for k in ("id", "cve", "advisory_id", "title", "sectors", "countries", "cvss",
                      "products", "status", "status_counts", "open"):
                self.assertIn(k, e)
        self.assertTrue(all(e["cve"].startswith("CVE-") for e in with_cve))

    def test_malformed_rejected(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"document": {"title": "x", "tracking": {}}, "vulnerabilities": []}, f)
        p = self.cli("import", f.name, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f.name, p.stderr)
        self.assertIn("document.tracking.id missing", p.stderr)
        self.assertIn("1 documents rejected", p.stdout)
        os.unlink(f.name)

    def post_status(self, vid, body, auth=("alice", PW)):
        return self.node.request("POST", "/coop/advisories/%s/status" % vid, auth=auth,
                                 body=body, accept="application/json",
                                 content_type="application/json")

    def test_status_over_http(self):
        vid = next(e["id"] for e in self.listing() if e["advisory_id"] == "ICSA-23-024-02")
        r = self.post_status(vid, {"state": "acknowledged"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["state"], "acknowledged")
        self.assertEqual(r.json["organization"], "sg-cert")
        r = self.post_status(vid, {"state": "received"})
        self.assertEqual(r.status, 409, r)
        self.assertIn("title", r.json)
        r = self.post_status(vid, {"state": "bogus"})
        self.assertEqual(r.status, 400, r)
        r = self.post_status(vid, "not json")
        self.assertEqual(r.status, 400, r)
        r = self.post_status(vid, {"state": "remediated"}, auth=("alice", "wrong password!"))
        self.assertEqual(r.status, 401, r)
        r = self.post_status("vulnerability--00000000-0000-4000-8000-000000000000",
                             {"state": "received"})
        self.assertEqual(r.status, 404, r)
        row = next(e for e in self.listing() if e["id"] == vid)
        self.assertEqual(row["status"], {"sg-cert": "acknowledged"})
        self.assertEqual(row["status_counts"]["acknowledged"], 1)
        self.assertTrue(row["open"])
        self.assertIn("sg-cert:acknowledged", self.cli("list", "--country", "FR").stdout)

    def test_ack_cli(self):
        vid = next(e["id"] for e in self.listing() if e["advisory_id"] == "ICSA-19-022-01")
        self.cli("ack", vid, "--org", "my-cert", "--state", "received")
        p = self.cli("ack", vid, "--org", "my-cert", "--state", "received", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid transition", p.stderr)
        self.cli("ack", vid, "--org", "my-cert", "--state", "remediated")
        row = next(e for e in self.listing() if e["id"] == vid)
        self.assertEqual(row["status"], {"my-cert": "remediated"})
        self.assertFalse(row["open"])
        self.assertNotIn(vid, [e["id"] for e in self.listing("--open")])

    def test_as_org_sharing(self):
        doc = load(os.path.join(CISA, "icsa-21-194-16.json"))
        doc["document"]["tracking"]["id"] = "ICSA-AMBER-TEST"
        doc["document"]["distribution"]["tlp"]["label"] = "AMBER"
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        self.cli("import", f.name)
        os.unlink(f.name)
        ids = [e["advisory_id"] for e in self.listing()]
        self.assertIn("ICSA-AMBER-TEST", ids)
        seen = [e["advisory_id"] for e in self.listing("--as", "sg-cert")]
        self.assertNotIn("ICSA-AMBER-TEST", seen)
        self.assertIn("ICSA-21-194-16", seen)


if __name__ == "__main__":
    ch.main()
