"""`concord match`: the command-line contract over each log format.

Indicators from a file and from a node (with --as applying the sharing
rules), matches as JSON lines (file, 1-based line, indicator, value),
Suricata EVE, Zeek TSV and JSON, JSON lines of STIX observables, plain
text, gzip input, warninglists, multi-record patterns, STIX sightings
written to a file and POSTed to a real node over HTTP, bad input, and a
run over the real Suricata and Zeek logs of ../shared (skipped when absent).
"""

import gzip
import json
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PW = "a long enough password"


def ind(pattern, n, **extra):
    obj = ch.indicator(pattern=pattern, valid_from="2020-01-01T00:00:00Z", n=n,
                       id_="indicator--%08d-0000-4000-8000-000000000000" % n, **extra)
    return obj


INDICATORS = [
    ind("[ipv4-addr:value = '203.0.113.5']", 1),
    ind("[domain-name:value = 'evil.example']", 2),
    ind("[url:value = 'http://evil.example/payload.bin']", 3),
    ind("[file:hashes.'SHA-256' = '%s']" % SHA256, 4),
    ind("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", 5),
    ind("[network-traffic:dst_ref.value = '203.0.113.9' AND network-traffic:dst_port = 4444]", 6),
    ind("[domain-name:value MATCHES '^c2-[0-9]+\\\\.example$']", 7),
    ind("[ipv4-addr:value = '192.0.2.77'] FOLLOWEDBY [domain-name:value = 'later.example']", 8),
    ind("[ipv4-addr:value = '192.0.2.200']", 9, valid_until="2021-01-01T00:00:00Z"),
    ind("[email-addr:value = 'phish@evil.example']", 10),
]

EVE = [
    {"timestamp": "2022-03-01T10:00:00.000000+0000", "event_type": "flow", "src_ip": "10.0.0.2",
     "src_port": 5000, "dest_ip": "203.0.113.5", "dest_port": 443, "proto": "TCP"},
    {"timestamp": "2022-03-01T10:00:01.000000+0000", "event_type": "dns", "src_ip": "10.0.0.2",
     "dest_ip": "10.0.0.53", "proto": "UDP", "dns": {"type": "query", "rrname": "Evil.Example"}},
    {"timestamp": "2022-03-01T10:00:02.000000+0000", "event_type": "http", "src_ip": "10.0.0.2",
     "dest_ip": "192.0.2.10", "proto": "TCP",
     "http": {"hostname": "evil.example", "url": "/payload.bin"}},
    {"timestamp": "2022-03-01T10:00:03.000000+0000", "event_type": "fileinfo",
     "src_ip": "10.0.0.2", "dest_ip": "192.0.2.10",
     "fileinfo": {"filename": "a.bin", "sha256": SHA256.upper()}},
    {"timestamp": "2022-03-01T10:00:04.000000+0000", "event_type": "flow", "src_ip": "10.0.0.3",
     "src_port": 6000, "dest_ip": "203.0.113.9", "dest_port": 4444, "proto": "TCP"},
    {"timestamp": "2022-03-01T10:00:05.000000+0000", "event_type": "flow", "src_ip": "10.0.0.3",
     "src_port": 6001, "dest_ip": "203.0.113.9", "dest_port": 80, "proto": "TCP"},
    {"timestamp": "2022-03-01T10:00:06.000000+0000", "event_type": "tls", "src_ip": "10.0.0.4",
     "dest_ip": "198.51.100.20", "proto": "TCP", "tls": {"sni": "c2-17.example"}},
    {"timestamp": "2022-03-01T10:00:07.000000+0000", "event_type": "flow", "src_ip": "10.0.0.5",
     "dest_ip": "192.0.2.200", "proto": "TCP"},
]


class MatchCase(ch.TimedTestCase):

    def setUp(self):
        super().setUp()
        self.node = ch.Node()
        self.addCleanup(self.node.close)
        self.ind_file = self.write("indicators.json", {"type": "bundle", "id": ch.stix_id("bundle"),
                                                       "objects": INDICATORS})

    def write(self, name, value, gz=False):
        path = os.path.join(self.node.base, name)
        data = value if isinstance(value, str) else json.dumps(value)
        if gz:
            with gzip.open(path, "wt") as f:
                f.write(data)
        else:
            with open(path, "w") as f:
                f.write(data)
        return path

    def match(self, *args, check=True):
        p = self.node.cli("match", *args, check=check)
        out = [json.loads(line) for line in p.stdout.splitlines()] if p.returncode == 0 else []
        return p, out

    @staticmethod
    def hits(out):
        return sorted((m["line"], m["indicator"][11:19].lstrip("0"), m["value"]) for m in out)

    def test_eve(self):
        log = self.write("eve.json", "\n".join(json.dumps(e) for e in EVE) + "\n")
        p, out = self.match("--indicators", self.ind_file, "--format", "eve", log)
        self.assertEqual(self.hits(out), [
            (1, "1", "203.0.113.5"),
            (2, "2", "evil.example"),
            (3, "2", "evil.example"),
            (3, "3", "http://evil.example/payload.bin"),
            (4, "4", SHA256),
            (5, "6", "203.0.113.9"),
            (7, "5", "198.51.100.20"),
            (7, "7", "c2-17.example"),
        ], p.stderr)
        for m in out:
            self.assertEqual(m["file"], log)
            self.assertTrue(m["time"].startswith("2022-03-01T10:00:0"), m)
        self.assertIn("8 lines", p.stderr)
        self.assertIn("8 matches of 7 indicators", p.stderr)

    def test_auto_format_and_gzip(self):
        log = self.write("eve.json.gz", "\n".join(json.dumps(e) for e in EVE) + "\n", gz=True)
        _, out = self.match("--indicators", self.ind_file, log)
        self.assertEqual(len(out), 8)

    def test_zeek_tsv_and_json(self):
        tsv = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
               "#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto"
               "\tquery\tanswers\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring"
               "\tvector[string]\n"
               "1646128800.000000\tC1\t10.0.0.2\t5353\t10.0.0.53\t53\tudp\tevil.example\t-\n"
               "1646128801.000000\tC2\t10.0.0.2\t5353\t10.0.0.53\t53\tudp\tok.example"
               "\t203.0.113.5\n")
        _, out = self.match("--indicators", self.ind_file, "--format", "zeek",
                            self.write("dns.log", tsv))
        self.assertEqual(self.hits(out), [(8, "2", "evil.example"), (9, "1", "203.0.113.5")])
        js = json.dumps({"_path": "conn", "ts": 1646128800.5, "uid": "C3", "id.orig_h": "10.0.0.9",
                         "id.orig_p": 1234, "id.resp_h": "203.0.113.9", "id.resp_p": 4444,
                         "proto": "tcp"}) + "\n"
        _, out = self.match("--indicators", self.ind_file, "--format", "zeek",
                            self.write("conn.json", js))
        self.assertEqual(self.hits(out), [(1, "6", "203.0.113.9")])

    def test_jsonl_and_text(self):
        lines = [{"type": "ipv4-addr", "value": "203.0.113.5"},
                 {"type": "email-addr", "value": "phish@evil.example"},
                 {"type": "domain-name", "value": "fine.example"}]
        _, out = self.match("--indicators", self.ind_file, "--format", "jsonl",
                            self.write("obs.jsonl", "\n".join(json.dumps(x) for x in lines)))
        self.assertEqual(self.hits(out), [(1, "1", "203.0.113.5"), (2, "10", "phish@evil.example")])
        text = ("Mar  1 10:00:00 fw deny 203.0.113.5 -> 10.0.0.1\n"
                "user clicked http://evil.example/payload.bin today\n"
                "nothing to see\n")
        _, out = self.match("--indicators", self.ind_file, "--format", "text",
                            self.write("fw.log", text))
        self.assertIn((1, "1", "203.0.113.5"), self.hits(out))
        self.assertIn((2, "3", "http://evil.example/payload.bin"), self.hits(out))
        self.assertNotIn(3, [m["line"] for m in out])

    def test_multi_record_pattern(self):
        text = "from 192.0.2.77\nthen later.example\n"
        _, out = self.match("--indicators", self.ind_file, "--format", "text",
                            self.write("seq.log", text))
        self.assertEqual([(m["line"], m["indicator"]) for m in out], [(2, INDICATORS[7]["id"])])
        _, out = self.match("--indicators", self.ind_file, "--format", "text",
                            self.write("one.log", "from 192.0.2.77 only\n"))
        self.assertEqual(out, [])

    def test_warninglists(self):
        wl = os.path.join(self.node.base, "wl", "mine")
        os.makedirs(wl)
        with open(os.path.join(wl, "list.json"), "w") as f:
            json.dump({"name": "My benign hosts", "type": "hostname", "version": 1,
                       "description": "test", "list": ["example"],
                       "matching_attributes": ["domain", "hostname"]}, f)
        log = self.write("eve.json", "\n".join(json.dumps(e) for e in EVE) + "\n")
        p, out = self.match("--indicators", self.ind_file, "--warninglists",
                            os.path.dirname(wl), log)
        kinds = sorted(set(m["kind"] for m in out))
        self.assertNotIn("domain-name", kinds)
        self.assertIn("3 matches suppressed by warninglists: mine: 3", p.stderr)

    def test_sightings_file(self):
        log = self.write("eve.json", "\n".join(json.dumps(e) for e in EVE) + "\n")
        out_path = os.path.join(self.node.base, "sightings.json")
        self.match("--indicators", self.ind_file, "--sightings", out_path, "--tlp", "green", log)
        with open(out_path) as f:
            bundle = json.load(f)
        self.assertEqual(bundle["type"], "bundle")
        ident = [o for o in bundle["objects"] if o["type"] == "identity"]
        sights = {o["sighting_of_ref"]: o for o in bundle["objects"] if o["type"] == "sighting"}
        self.assertEqual(len(ident), 1)
        self.assertEqual(len(sights), 7)
        dom = sights[INDICATORS[1]["id"]]
        self.assertEqual(dom["count"], 2)
        self.assertEqual(dom["first_seen"], "2022-03-01T10:00:01.000000Z")
        self.assertEqual(dom["last_seen"], "2022-03-01T10:00:02.000000Z")
        self.assertEqual(dom["where_sighted_refs"], [ident[0]["id"]])
        self.assertEqual(dom["object_marking_refs"],
                         ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"])
        # the sightings are valid STIX for Concord itself
        self.node.cli("import", "-D", self.node.dir, out_path)

    def test_from_node_with_sharing_and_post(self):
        sg = self.node.add_org("sg", country="SG")
        my = self.node.add_org("my", country="MY")
        mine = ind("[ipv4-addr:value = '203.0.113.5']", 21, created_by=sg,
                   object_marking_refs=[TLP_CLEAR])
        theirs = ind("[domain-name:value = 'evil.example']", 22, created_by=my,
                     object_marking_refs=[TLP_RED])
        self.node.cli("import", "-D", self.node.dir, "--org", "sg",
                      self.write("a.json", {"objects": [mine]}))
        self.node.cli("import", "-D", self.node.dir, "--org", "my",
                      self.write("b.json", {"objects": [theirs]}))
        log = self.write("eve.json", "\n".join(json.dumps(e) for e in EVE) + "\n")
        _, out = self.match("-D", self.node.dir, log)
        self.assertEqual(sorted(set(m["indicator"] for m in out)), [mine["id"], theirs["id"]])
        p, out = self.match("-D", self.node.dir, "--as", "sg", log)
        self.assertEqual(sorted(set(m["indicator"] for m in out)), [mine["id"]], p.stderr)
        self.node.add_user("sg-user", "sg", PW)
        token = self.node.create_token("sg-user")
        coll = self.node.conf("default_collection")
        self.node.start()
        url = "http://127.0.0.1:%d/api/collections/%s/" % (self.node.port, coll)
        p, _ = self.match("-D", self.node.dir, "--as", "sg", "--org", "sg", "--post", url,
                          "--token", token, log)
        self.assertIn("1 added, 0 failed", p.stderr)
        got, _ = ch.Client(self.node, ("sg-user", PW)).get_all(
            ch.Client.objects_path(coll), params={"match[type]": "sighting"})
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["sighting_of_ref"], mine["id"])
        self.assertEqual(got[0]["where_sighted_refs"], [sg])
        self.assertEqual(got[0]["created_by_ref"], sg)
        p, _ = self.match("-D", self.node.dir, "--post", url, "--token", "cct_bad", log,
                          check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("401", p.stderr)

    def test_indicator_file_shapes(self):
        log = self.write("fw.log", "a 203.0.113.5 b\nlookup esc.example done\n")
        # backslashes in the pattern are JSON escapes the loader must decode
        quoted = ind("[domain-name:value = 'esc.example' OR url:value = 'x\\\\y']", 31)
        sigma = ind("[ipv4-addr:value = '203.0.113.5']", 32, pattern_type="sigma")
        shapes = {
            "array of objects": [INDICATORS[0], quoted, sigma],
            "array of bundles": [{"type": "bundle", "id": ch.stix_id("bundle"),
                                  "objects": [INDICATORS[0]]},
                                 {"type": "bundle", "id": ch.stix_id("bundle"),
                                  "objects": [quoted, sigma]}],
            "envelope": {"more": False, "objects": [INDICATORS[0], quoted, sigma]},
        }
        for name, doc in shapes.items():
            p, out = self.match("--indicators", self.write("shape.json", doc), "--format", "text",
                                log)
            self.assertEqual(sorted(m["indicator"] for m in out),
                             sorted([INDICATORS[0]["id"], quoted["id"]]), name)
            self.assertIn("1 in other pattern languages", p.stderr, name)

    def test_bad_input(self):
        p, _ = self.match("--indicators", self.ind_file, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no LOG given", p.stderr)
        p, _ = self.match("--indicators", self.ind_file, "-D", self.node.dir, "x", check=False)
        self.assertEqual(p.returncode, 2)
        p, _ = self.match("--indicators", self.ind_file, "--format", "pcap", "x", check=False)
        self.assertEqual(p.returncode, 2)
        p, _ = self.match("--indicators", self.ind_file, "/nonexistent.log", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open '/nonexistent.log'", p.stderr)
        p, _ = self.match("--indicators", self.write("bad.json", "{not json"), "x", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot read", p.stderr)
        self.assertIn("invalid at byte 1", p.stderr)
        p, _ = self.match("--indicators", self.write("trail.json", '{"objects": []} x'), "x",
                          check=False)
        self.assertEqual(p.returncode, 1)
        log = self.write("mixed.json", json.dumps(EVE[0]) + "\n{broken\n" + json.dumps(EVE[1]))
        p, out = self.match("--indicators", self.ind_file, "--format", "eve", log)
        self.assertEqual([m["line"] for m in out], [1, 3])
        self.assertIn("1 malformed", p.stderr)

    def test_real_logs(self):
        data = os.path.join(ch.source_dir(), "..", "shared", "data")
        eve = os.path.join(data, "logs", "suricata", "eve-2.json")
        zeek = os.path.join(data, "logs", "zeek-wrccdc2018", "dns.log.gz")
        if not (os.path.exists(eve) and os.path.exists(zeek)):
            self.skipTest("../shared/data is absent: real-log run skipped")
        ips, names = set(), set()
        with open(eve) as f:
            for line in f:
                e = json.loads(line)
                if e.get("event_type") == "dns" and "rrname" in e.get("dns", {}):
                    names.add(e["dns"]["rrname"].lower())
                if "dest_ip" in e and ":" not in e["dest_ip"]:
                    ips.add(e["dest_ip"])
        objs = [ind("[ipv4-addr:value = '%s']" % ip, 1000 + i) for i, ip in enumerate(sorted(ips)[:50])]
        objs += [ind("[domain-name:value = '%s']" % n, 5000 + i) for i, n in enumerate(sorted(names)[:50])]
        path = self.write("real.json", {"objects": objs})
        p, out = self.match("--indicators", path, eve)
        wanted = set(sorted(ips)[:50]) | set(sorted(names)[:50])
        self.assertEqual(set(m["value"] for m in out), wanted, p.stderr)
        self.assertIn("2401 lines", p.stderr)
        p, out = self.match("--indicators", path, zeek)
        self.assertIn("lines", p.stderr)


if __name__ == "__main__":
    ch.main()
