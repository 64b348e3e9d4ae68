"""`concord pattern check` and the ingest check of indicator patterns.

pattern check: one line per pattern ("ok" or "error: ... at offset N"),
exit 0 only when all are valid, --file with comments and blank lines,
standard input, --help and usage errors.  Ingest: `concord import` refuses
an indicator whose STIX pattern does not parse (STIX 2.1 with
pattern_type "stix", and STIX 2.0 without pattern_type), naming the
property and the offset, and stores the others.
"""

import json
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402


class PatternCheck(ch.TimedTestCase):
    """No data directory needed: check only parses."""

    def setUp(self):
        super().setUp()
        self.node = ch.Node(init=False)
        self.addCleanup(self.node.close)

    def check(self, *args, **kw):
        return self.node.cli("pattern", "check", *args, check=False, **kw)

    def test_valid_patterns(self):
        p = self.check("[ipv4-addr:value = '198.51.100.1']",
                       "[file:hashes.'SHA-256' = 'ab' OR file:hashes.MD5 = 'cd']",
                       "[a:b = 1] FOLLOWEDBY [c:d = 2] REPEATS 5 TIMES")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), ["ok", "ok", "ok"])

    def test_invalid_patterns(self):
        p = self.check("[file:name = 'a'", "[ipv4-addr:value = '198.51.100.1']",
                       "[AND file:name = 'a']", "[file:size = 007]")
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 4, p.stdout)
        self.assertEqual(lines[0], "error: expected ']' at offset 16")
        self.assertEqual(lines[1], "ok")
        self.assertEqual(lines[2], "error: unexpected 'AND' at offset 1: expected an object path")
        self.assertRegex(lines[3], r"^error: .*at offset 13$")

    def test_semantic_errors(self):
        p = self.check("[file:name = 'a' AND ipv4-addr:value = 'b']",
                       "[file:name MATCHES 'abc(']",
                       "[ipv4-addr:value ISSUBSET '10.0.0.0/33']",
                       "[a:b = 1] WITHIN 0 SECONDS")
        self.assertEqual(p.returncode, 1)
        offsets = [int(m) for m in re.findall(r"at offset (\d+)", p.stdout)]
        self.assertEqual(offsets, [21, 24, 26, 17], p.stdout)

    def test_file_and_stdin(self):
        path = os.path.join(self.node.base, "patterns.txt")
        with open(path, "w") as f:
            f.write("# a comment line\n\n[file:name = 'a']\r\n   \n[url:value = 'x' AND]\n"
                    "[domain-name:value = 'example.com']")
        p = self.check("--file", path)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.splitlines(),
                         ["ok", "error: unexpected ']' at offset 20: expected an object path",
                          "ok"])
        p = self.check("--file", "-", input="[file:name = 'a']\n# nothing\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "ok\n")
        p = self.check("--file", os.path.join(self.node.base, "absent.txt"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("absent.txt", p.stderr)

    def test_usage(self):
        for args in (("pattern", "--help"), ("pattern", "check", "--help"), ("pattern", "-h")):
            p = self.node.cli(*args, check=False)
            self.assertEqual(p.returncode, 0, args)
            self.assertIn("usage: concord pattern", p.stdout)
        self.assertEqual(self.node.cli("pattern", check=False).returncode, 2)
        self.assertEqual(self.check().returncode, 2)
        self.assertEqual(self.check("--file").returncode, 2)
        p = self.node.cli("pattern", "frobnicate", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("frobnicate", p.stderr)
        # a pattern that looks like an option, after --
        p = self.check("--", "--help")
        self.assertEqual(p.returncode, 1)
        self.assertIn("at offset 0", p.stdout)
        p = self.node.cli("--help", check=False)
        self.assertRegex(p.stdout, r"\n  pattern\s")


class PatternIngest(ch.TimedTestCase):

    def setUp(self):
        super().setUp()
        self.node = ch.Node()
        self.addCleanup(self.node.close)
        self.coll = self.node.add_collection("Patterns")

    def write(self, name, value):
        path = os.path.join(self.node.base, name)
        with open(path, "w") as f:
            json.dump(value, f)
        return path

    def ids(self):
        p = self.node.cli("export", "-D", self.node.dir, "--collection", self.coll)
        return {o["id"] for o in json.loads(p.stdout).get("objects", [])}

    def test_bad_pattern_rejected(self):
        good = ch.indicator(n=1)
        bad = ch.indicator(n=2, pattern="[ipv4-addr:value = '198.51.100.2' AND]")
        other = ch.indicator(n=3, pattern="alert tcp any any -> any 80 (msg:\"x\";)",
                             pattern_type="snort")
        path = self.write("bundle.json", {"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                                          "objects": [good, bad, other]})
        p = self.node.cli("import", "-D", self.node.dir, path, "--collection", self.coll,
                          check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("objects[1]", p.stderr)
        self.assertIn("pattern", p.stderr)
        self.assertIn("at offset 37", p.stderr)
        self.assertEqual(self.ids(), {good["id"], other["id"]})

    def test_stix20_indicator_pattern_checked(self):
        base = {"type": "indicator", "created": "2017-01-01T00:00:00.000Z",
                "modified": "2017-01-01T00:00:00.000Z", "labels": ["malicious-activity"],
                "valid_from": "2017-01-01T00:00:00Z"}
        good = dict(base, id=ch.stix_id("indicator"), pattern="[file:hashes.MD5 = 'ab']")
        bad = dict(base, id=ch.stix_id("indicator"), pattern="[file:hashes.MD5 = h'abc']")
        path = self.write("v20.json", {"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                                       "spec_version": "2.0", "objects": [good, bad]})
        p = self.node.cli("import", "-D", self.node.dir, path, "--collection", self.coll,
                          check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("objects[1]", p.stderr)
        self.assertIn("at offset 19", p.stderr)
        self.assertEqual(self.ids(), {good["id"]})

    def test_real_feed_forms_accepted(self):
        # AND of two object types in one bracket, as in the Unit 42 playbooks: stored
        odd = ch.indicator(n=4, pattern="[directory:path = 'c:\\\\temp' AND file:name = 'x.txt']")
        port = ch.indicator(n=5, pattern="[network-traffic:dst_port = '8080']")
        path = self.write("odd.json", {"objects": [odd, port]})
        p = self.node.cli("import", "-D", self.node.dir, path, "--collection", self.coll,
                          check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.ids(), {odd["id"], port["id"]})


if __name__ == "__main__":
    ch.main()
