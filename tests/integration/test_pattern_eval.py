"""The `concord pattern eval FILE PATTERN...` contract.

FILE as a STIX bundle, a JSON array of bundles, a JSON array of objects, and
STIX 2.0 observed-data with embedded objects; "-" for standard input; one
line per pattern in order ("true", "false", "error: ..."); exit 0 when every
pattern was evaluated, 1 when one was not or FILE is unusable, 2 on a usage
error; --help.  No data directory is needed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

IP1 = "ipv4-addr--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1a01"
IP2 = "ipv4-addr--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1a02"
NT = "network-traffic--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1a03"
HIDDEN = "ipv4-addr--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1a04"


def observed(n, first, refs, number=1):
    return {"type": "observed-data", "spec_version": "2.1",
            "id": "observed-data--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1b%02d" % n,
            "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
            "first_observed": first, "last_observed": first, "number_observed": number,
            "object_refs": refs}


def ip(id_, value):
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": id_, "value": value}


OBS1 = [observed(1, "2020-01-01T10:00:00Z", [IP1, IP2, NT]), ip(IP1, "198.51.100.1"),
        ip(IP2, "203.0.113.2"),
        {"type": "network-traffic", "spec_version": "2.1", "id": NT, "src_ref": IP1,
         "dst_ref": IP2, "protocols": ["tcp"]},
        ip(HIDDEN, "10.9.9.9")]
OBS2 = [observed(2, "2020-01-01T10:00:30Z", [HIDDEN]), ip(HIDDEN, "10.9.9.9")]

STIX20 = {"type": "bundle", "id": "bundle--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1c01",
          "spec_version": "2.0", "objects": [{
              "type": "observed-data", "id": "observed-data--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1c02",
              "created": "2017-01-01T00:00:00.000Z", "modified": "2017-01-01T00:00:00.000Z",
              "first_observed": "2017-01-01T00:00:00Z", "last_observed": "2017-01-01T00:00:00Z",
              "number_observed": 2,
              "objects": {"0": {"type": "ipv4-addr", "value": "192.0.2.7"},
                          "1": {"type": "network-traffic", "src_ref": "0", "protocols": ["udp"]}}}]}

SRC = "[network-traffic:src_ref.value = '198.51.100.1']"
CROSS = "[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [ipv4-addr:value = '10.9.9.9']"
REVERSED = "[ipv4-addr:value = '10.9.9.9'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.1']"


def bundle(objs, n=1):
    return {"type": "bundle", "id": "bundle--0b6a2d3f-4b8c-4e63-9a1e-5d0f3c2b1d%02d" % n,
            "objects": objs}


class PatternEvalCase(ch.TimedTestCase):

    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix="concord-eval-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, value):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(value if isinstance(value, str) else json.dumps(value))
        return path

    def run_eval(self, *args, input=None):
        try:
            return subprocess.run([ch.concord_bin(), "pattern", "eval"] + list(args), input=input,
                                  capture_output=True, text=True, timeout=ch.CLI_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("concord pattern eval: no exit in time") from e

    def assertLines(self, p, lines, code=0):
        self.assertEqual(p.returncode, code, "stdout: %s\nstderr: %s" % (p.stdout, p.stderr))
        self.assertEqual(p.stdout.splitlines(), lines, p.stderr)

    def test_bundle(self):
        f = self.write("b.json", bundle(OBS1 + OBS2))
        p = self.run_eval(f, SRC, CROSS, REVERSED,
                          "[network-traffic:src_ref.value = '10.9.9.9']")
        self.assertLines(p, ["true", "true", "false", "false"])

    def test_array_of_bundles(self):
        f = self.write("a.json", [bundle(OBS1, 1), bundle(OBS2, 2)])
        self.assertLines(self.run_eval(f, CROSS, REVERSED, SRC), ["true", "false", "true"])

    def test_array_of_objects(self):
        f = self.write("o.json", OBS2 + OBS1)
        p = self.run_eval(f, CROSS, "[ipv4-addr:value = '10.9.9.9'] AND "
                          "[ipv4-addr:value = '10.9.9.9']")
        self.assertLines(p, ["true", "false"])

    def test_stix20_embedded(self):
        f = self.write("v20.json", STIX20)
        p = self.run_eval(f, "[network-traffic:src_ref.value = '192.0.2.7']",
                          "[ipv4-addr:value = '192.0.2.7'] REPEATS 2 TIMES",
                          "[ipv4-addr:value = '192.0.2.7'] REPEATS 3 TIMES")
        self.assertLines(p, ["true", "true", "false"])

    def test_stdin(self):
        p = self.run_eval("-", SRC, input=json.dumps(bundle(OBS1)))
        self.assertLines(p, ["true"])

    def test_bad_pattern_is_an_error_line(self):
        f = self.write("b.json", bundle(OBS1))
        p = self.run_eval(f, SRC, "[ipv4-addr:value = ", "[file:name LIKE 5]", SRC)
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[0], "true")
        self.assertRegex(lines[1], r"^error: .*offset \d+")
        self.assertTrue(lines[2].startswith("error: "), lines[2])
        self.assertEqual(lines[3], "true")

    def test_usage(self):
        f = self.write("b.json", bundle(OBS1))
        for args in ([], [f], ["--bogus", f, SRC]):
            p = self.run_eval(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("usage:", p.stderr)
            self.assertEqual(p.stdout, "")

    def test_help(self):
        p = self.run_eval("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: concord pattern eval", p.stdout)

    def test_unusable_file(self):
        bad_json = self.write("bad.json", "{not json")
        bad_obs = self.write("bad_obs.json", [{"type": "observed-data", "object_refs": []}])
        for f in (bad_json, bad_obs, os.path.join(self.dir, "missing.json")):
            p = self.run_eval(f, SRC)
            self.assertEqual(p.returncode, 1, f)
            self.assertEqual(p.stdout, "")
            self.assertTrue(p.stderr.strip(), f)
        p = self.run_eval(bad_obs, SRC)
        self.assertIn("first_observed", p.stderr)

    def test_no_observations(self):
        f = self.write("e.json", bundle([ip(IP1, "198.51.100.1")]))
        self.assertLines(self.run_eval(f, "[ipv4-addr:value = '198.51.100.1']"), ["false"])


if __name__ == "__main__":
    unittest.main()
