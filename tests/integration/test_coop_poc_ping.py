"""Cooperation workflows I over the real CLI and HTTP: the points-of-contact
directory (add, bad input storing nothing, verify, list with filters and
--json, export as JSON, CSV and vCard, reading --as an organisation) and
reachability tests (a round where some organisations acknowledge in time
over HTTP or the CLI, one too late (409) and one never; wrong organisation
403; a repeated acknowledgement idempotent; the report's figures and the
trend over rounds).
"""

import csv
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as h  # noqa: E402

PW = "coop-password-1"
ORGS = [("sg-cert", "SG"), ("kh-cert", "KH"), ("th-cert", "TH"), ("vn-cert", "VN")]


def unfold_vcards(text):
    """RFC 6350 §3.2: unfold, then split into cards of {NAME: [values]}."""
    # (the CLI writes CRLF; text-mode pipes may have turned it into LF)
    lines = text.replace("\r\n", "\n").replace("\n ", "").split("\n")
    cards, cur = [], None
    for line in lines:
        if line == "BEGIN:VCARD":
            cur = {}
        elif line == "END:VCARD":
            cards.append(cur)
            cur = None
        elif line and cur is not None:
            name, _, value = line.partition(":")
            cur.setdefault(name, []).append(value)
    return cards


class CoopBase(h.TimedTestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = h.Node()
        n = cls.node
        cls.ident = {}
        for name, cc in ORGS:
            cls.ident[name] = n.add_org(name, country=cc, role="national-cert")
            n.add_user(name + "-user", name, PW)
        cls.tokens = {name: n.create_token(name + "-user") for name, _ in ORGS}
        n.start()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def cli(self, *args, check=True):
        return self.node.cli(*args[:2], "-D", self.node.dir, *args[2:], check=check)


class Poc(CoopBase):
    def add(self, org, role, name, *extra):
        out = self.cli("poc", "add", "--org", org, "--role", role, "--name", name,
                       *extra).stdout.strip()
        self.assertRegex(out, r"^identity--[0-9a-f-]{36}$")
        return out

    def listing(self, *args):
        return json.loads(self.cli("poc", "list", "--json", *args).stdout)["contacts"]

    def test_poc_directory(self):
        before = self.listing()
        sg = self.add("sg-cert", "technical", "Tan, Duty Officer", "--email", "duty@sg.example",
                      "--phone", "+65 6000 0000", "--messenger", "@sgduty", "--pgp",
                      "0123456789ABCDEF0123456789ABCDEF01234567", "--hours",
                      "09:00-17:00 Asia/Singapore", "--language", "en", "--language", "zh")
        kh = self.add("kh-cert", "policy", "Sok Dara", "--hours", "24/7", "--language", "km")
        self.add("kh-cert", "law-enforcement", "Chan Vuthy")
        for bad in (["--org", "xx-cert", "--role", "policy", "--name", "A"],
                    ["--org", "kh-cert", "--role", "minister", "--name", "A"],
                    ["--org", "kh-cert", "--role", "policy", "--name", "A",
                     "--hours", "09:00-17:00 Singapore"],
                    ["--org", "kh-cert", "--role", "policy", "--name", "A", "--hours", "often"]):
            p = self.cli("poc", "add", *bad, check=False)
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertTrue(p.stderr.startswith("concord: "), p.stderr)
            self.assertEqual(p.stdout, "")
        ids = {c["id"] for c in self.listing()} - {c["id"] for c in before}
        self.assertEqual(len(ids), 3)

        mine = {c["id"]: c for c in self.listing()}
        self.assertEqual(mine[sg]["country"], "SG")
        self.assertEqual(mine[sg]["languages"], ["en", "zh"])
        self.assertEqual(mine[kh]["hours"], "24/7")
        self.assertEqual({c["id"] for c in self.listing("--country", "KH")} & ids,
                         ids - {sg})
        self.assertEqual([c["id"] for c in self.listing("--country", "KH", "--role", "policy")],
                         [kh])
        self.assertEqual({c["id"] for c in self.listing("--sector", "national-cert")} & ids, ids)
        self.assertEqual(self.listing("--sector", "energy"), [])
        self.assertEqual({c["id"] for c in self.listing("--as", "vn-cert")} & ids, ids)
        text = self.cli("poc", "list", "--role", "technical").stdout
        self.assertIn(sg, text)
        self.assertNotIn(kh, text)

        # verify: a new version with a later last_verified (the history is kept)
        time.sleep(0.01)
        self.assertEqual(self.cli("poc", "verify", sg).stdout.strip(), sg + " verified")
        after = {c["id"]: c for c in self.listing()}[sg]
        self.assertGreater(after["last_verified"], mine[sg]["last_verified"])
        self.assertNotEqual(self.cli("poc", "verify", "identity--00000000-0000-4000-8000-"
                                     "000000000000", check=False).returncode, 0)
        r = h.Client(self.node, self.tokens["sg-cert"])
        coll = "directory"
        cid = [c["id"] for c in r.get("/api/collections/").json["collections"]
               if c.get("alias") == coll or c["title"] == "Directory"][0]
        v = r.get(h.Client.objects_path(cid, sg) + "versions/")
        self.assertEqual(v.status, 200, v)
        self.assertEqual(len(v.json["versions"]), 2)
        obj = r.get(h.Client.objects_path(cid, sg)).json["objects"][0]
        self.assertEqual(obj["identity_class"], "individual")
        self.assertEqual(obj["created_by_ref"], self.ident["sg-cert"])

        # exports
        js = json.loads(self.cli("poc", "export", "--format", "json").stdout)["contacts"]
        self.assertEqual({c["id"] for c in js} & ids, ids)
        rows = list(csv.DictReader(io.StringIO(self.cli("poc", "export", "--format",
                                                        "csv").stdout, newline="")))
        row = [x for x in rows if x["id"] == sg][0]
        self.assertEqual(row["name"], "Tan, Duty Officer")
        self.assertEqual(row["hours"], "09:00-17:00 Asia/Singapore")
        self.assertEqual(row["languages"], "en,zh")
        raw = self.node.cli("poc", "export", "-D", self.node.dir, "--format", "vcard").stdout
        cards = unfold_vcards(raw)
        card = [c for c in cards if c["UID"] == ["urn:uuid:" + sg[len("identity--"):]]][0]
        self.assertEqual(card["VERSION"], ["4.0"])
        self.assertEqual(card["FN"], ["Tan\\, Duty Officer"])
        self.assertEqual(card["EMAIL"], ["duty@sg.example"])
        self.assertEqual(card["LANG"], ["en", "zh"])
        self.assertEqual(card["KEY"], ["openpgp4fpr:0123456789ABCDEF0123456789ABCDEF01234567"])
        self.assertNotEqual(self.cli("poc", "export", "--format", "xml",
                                     check=False).returncode, 0)


class Ping(CoopBase):
    def ack(self, org, challenge, auth_org=None):
        return self.node.request("POST", "/coop/pings/%s/ack" % challenge,
                                 auth=self.tokens[auth_org or org], accept="application/json")

    def report(self, *args):
        return json.loads(self.cli("ping", "report", *args, "--json").stdout)

    def test_round(self):
        # warm the credential cache so the acknowledgements below are quick
        for name, _ in ORGS:
            self.assertEqual(self.node.request("GET", "/taxii2/", auth=self.tokens[name]).status,
                             200)
        args = []
        for name, _ in ORGS:
            args += ["--org", name]
        rnd = self.cli("ping", "start", *args, "--deadline", "2").stdout.strip()
        self.assertRegex(rnd, r"^x-concord-ping-round--[0-9a-f-]{36}$")
        ch = {o["organization"]: o["challenge"] for o in self.report(rnd)["organizations"]}
        self.assertEqual(set(ch), {n for n, _ in ORGS})

        r = self.ack("kh-cert", ch["sg-cert"])  # wrong organisation
        self.assertTaxiiError(r, 403)
        r = self.ack("sg-cert", ch["sg-cert"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        first = r.json["acknowledged"]
        r = self.ack("sg-cert", ch["sg-cert"])  # again: idempotent, first time kept
        self.assertEqual((r.status, r.json["acknowledged"]), (200, first))
        self.cli("ping", "ack", ch["kh-cert"], "--org", "kh-cert")
        r = self.node.request("GET", "/coop/pings/%s/ack" % ch["vn-cert"],
                              auth=self.tokens["vn-cert"], accept="application/json")
        self.assertEqual(r.status, 405, r)
        r = self.node.request("POST", "/coop/pings/%s/ack" % ch["vn-cert"],
                              accept="application/json")
        self.assertEqual(r.status, 401, r)
        r = self.ack("sg-cert", "x-concord-ping--00000000-0000-4000-8000-000000000000")
        self.assertTaxiiError(r, 404)

        time.sleep(2.6)  # th-cert answers too late; vn-cert never answers
        r = self.ack("th-cert", ch["th-cert"])
        self.assertTaxiiError(r, 409)
        p = self.cli("ping", "ack", ch["th-cert"], "--org", "th-cert", check=False)
        self.assertEqual(p.returncode, 1)

        rep = self.report(rnd)
        by = {o["organization"]: o for o in rep["organizations"]}
        self.assertEqual(by["sg-cert"]["status"], "acknowledged")
        self.assertEqual(by["kh-cert"]["status"], "acknowledged")
        self.assertEqual(by["th-cert"]["status"], "missed")
        self.assertEqual(by["vn-cert"]["status"], "missed")
        self.assertIsNone(by["vn-cert"]["seconds"])
        self.assertEqual((rep["targets"], rep["acknowledged"]), (4, 2))
        self.assertAlmostEqual(rep["response_rate"], 0.5)
        times = sorted([by["sg-cert"]["seconds"], by["kh-cert"]["seconds"]])
        self.assertTrue(0 <= times[0] <= 2.0, times)
        self.assertAlmostEqual(rep["worst_seconds"], times[1], places=5)
        self.assertAlmostEqual(rep["median_seconds"], (times[0] + times[1]) / 2, places=5)
        text = self.cli("ping", "report", rnd).stdout
        self.assertIn("rate 50.0%", text)

        # a second round to one organisation; the trend lists both, oldest first
        rnd2 = self.cli("ping", "start", "--org", "vn-cert").stdout.strip()
        trend = self.report()["rounds"]
        self.assertEqual([t["round"] for t in trend][-2:], [rnd, rnd2])
        self.assertEqual((trend[-1]["targets"], trend[-1]["acknowledged"]), (1, 0))
        self.assertIsNone(trend[-1]["median_seconds"])
        self.assertNotEqual(self.cli("ping", "report", "x-concord-ping-round--nope",
                                     check=False).returncode, 0)
        self.assertNotEqual(self.cli("ping", "start", "--org", "nope-cert",
                                     check=False).returncode, 0)


class PingSchedule(h.TimedTestCase):
    """ping_interval = 1 in concord.conf: serve starts a round each second
    (to every organisation) and stops promptly on SIGTERM."""

    def test_scheduled_rounds(self):
        node = h.Node()
        try:
            node.add_org("sg-cert", country="SG")
            node.add_org("kh-cert", country="KH")
            node.set_conf("ping_interval", "1")
            node.start()
            rounds = []
            deadline = time.time() + 30
            while len(rounds) < 2 and time.time() < deadline:
                time.sleep(0.5)
                out = node.cli("ping", "report", "-D", node.dir, "--json").stdout
                rounds = json.loads(out)["rounds"]
            self.assertGreaterEqual(len(rounds), 2, rounds)
            self.assertEqual(rounds[0]["targets"], 2)
            self.assertEqual(rounds[0]["deadline_seconds"], 1)
            t0 = time.time()
            self.assertEqual(node.stop(), 0)
            self.assertLess(time.time() - t0, 10)
        finally:
            node.close(check_alive=False)


if __name__ == "__main__":
    h.main()
