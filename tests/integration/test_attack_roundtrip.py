"""Real data round trip: the MITRE ATT&CK STIX 2.1 bundles in ../shared/data/attack.

Every bundle is imported with `concord import --org mitre-readers` (read
in place, never copied), then every object is read back over TAXII by a
user of that organisation (all versions, paging with `next`) and with
`concord export` (as the node operator and `--as mitre-readers`), and
compared, as parsed JSON, with what went in, keyed by (id, modified).
The objects carry no TLP marking, so they are TLP:AMBER by default: the
delivering organisation (their origin) sees them all, another organisation
only the marking definitions.  Objects the importer rejects must
be exactly the ones it reports on stderr and counts in its summary; they are
listed in the test output so a validator change is visible.
"""

import collections
import glob
import json
import os
import re
import sys
import unittest

SOURCE = os.environ.get("CONCORD_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import concord_harness as ch  # noqa: E402

ATTACK_DIR = os.path.normpath(os.path.join(SOURCE, "..", "shared", "data", "attack"))
PW = "attack round trip"


def key(obj):
    """(id, version) as the store and TAXII see it: modified, else created, else none."""
    return (obj["id"], obj.get("modified", obj.get("created")))


def bundles():
    return sorted(glob.glob(os.path.join(ATTACK_DIR, "*.json")))


@unittest.skipUnless(os.path.isdir(ATTACK_DIR), "../shared/data/attack not present")
class AttackRoundTrip(ch.TimedTestCase):
    timeout = 500

    @classmethod
    def setUpClass(cls):
        cls.node = node = ch.Node()
        cls.addClassCleanup(node.close)
        node.add_org("mitre-readers")
        node.add_user("reader", "mitre-readers", PW, role="reader")
        node.add_org("outsiders")
        node.add_user("outsider", "outsiders", PW, role="reader")
        cls.coll = node.add_collection("ATT&CK", alias="attack")
        cls.files = bundles()
        cls.inputs = {}      # file -> list of objects
        for path in cls.files:
            with open(path, encoding="utf-8") as f:
                cls.inputs[path] = json.load(f)["objects"]
        cls.import_run = node.cli("import", "-D", node.dir, *cls.files, "--collection", cls.coll,
                                  "--org", "mitre-readers", check=False)
        node.start()
        node.alive_auth = ("reader", PW)

    def rejected(self):
        """{(file, index): message} from the importer's stderr."""
        out = {}
        for line in self.import_run.stderr.splitlines():
            m = re.match(r"^concord: (.+?): objects\[(\d+)\](\S*): (.*)$", line)
            if m and m.group(1) in self.inputs:
                out[(m.group(1), int(m.group(2)))] = m.group(3).lstrip(".") + ": " + m.group(4)
        return out

    def expected(self):
        """What the store must hold: every accepted object, by (id, version)."""
        rejected = self.rejected()
        want = {}
        for path in self.files:
            for i, obj in enumerate(self.inputs[path]):
                if (path, i) in rejected:
                    continue
                k = key(obj)
                if k in want:
                    # the same version twice must be byte-for-byte the same object
                    self.assertEqual(want[k], obj, "two bodies for %s" % (k,))
                want[k] = obj
        return want

    def test_import_summary(self):
        p = self.import_run
        self.assertTrue(self.files, "no bundles in %s" % ATTACK_DIR)
        rejected = self.rejected()
        total = sum(len(v) for v in self.inputs.values())
        m = re.search(r"total: (\d+) objects into '[^']+': (\d+) added, (\d+) already present, "
                      r"(\d+) rejected", p.stdout)
        self.assertIsNotNone(m, p.stdout + p.stderr)
        n, added, present, failed = (int(g) for g in m.groups())
        self.assertEqual(n, total)
        self.assertEqual(added + present + failed, total)
        self.assertEqual(added, len(self.expected()))
        self.assertEqual(p.returncode != 0, failed > 0, "exit code vs rejections")
        if "more rejected objects" not in p.stderr:
            self.assertEqual(failed, len(rejected), p.stderr)
        for path in self.files:
            self.assertIn("%s: %d objects:" % (path, len(self.inputs[path])), p.stdout)
        if rejected:
            kinds = collections.Counter(re.sub(r"'[^']*'", "'…'", msg)
                                        for msg in rejected.values())
            sys.stderr.write("\nnote: %d of %d ATT&CK objects rejected by the validator:\n%s\n"
                             % (failed, total, "\n".join("  %4d x %s" % (c, k)
                                                         for k, c in kinds.most_common())))

    def test_taxii_returns_every_object(self):
        want = self.expected()
        reader = ch.Client(self.node, ("reader", PW))
        got, pages = reader.get_all(ch.Client.objects_path(self.coll),
                                    params={"match[version]": "all"}, limit=1000)
        self.assertGreater(len(pages), 1, "paging was not exercised")
        keys = [key(o) for o in got]
        self.assertEqual(len(keys), len(set(keys)), "an object version was served twice")
        self.assertEqual(set(keys), set(want), "missing or extra object versions")
        for o in got:
            self.assertEqual(o, want[key(o)], "object %s differs" % (key(o),))
        # the manifest agrees, record for record, in the same order
        manifest, _ = reader.get_all("/api/collections/attack/manifest/",
                                     params={"match[version]": "all"}, limit=1000)
        self.assertEqual([m["id"] for m in manifest], [o["id"] for o in got])
        for o, m in zip(got, manifest):
            if key(o)[1]:
                self.assertEqual(m["version"], key(o)[1])
        added = [ch.parse_taxii_ts(m["date_added"]) for m in manifest]
        self.assertTrue(all(a < b for a, b in zip(added, added[1:])))
        # the latest version of each object, by default
        latest, _ = reader.get_all(ch.Client.objects_path(self.coll), limit=1000)
        newest = {}
        for k in want:
            if k[0] not in newest or (k[1] or "") > (newest[k[0]] or ""):
                newest[k[0]] = k[1]
        self.assertEqual(sorted(key(o) for o in latest), sorted(newest.items()))

    def export(self, *args):
        p = self.node.cli("export", "-D", self.node.dir, *args)
        bundle = json.loads(p.stdout)
        self.assertEqual(bundle["type"], "bundle")
        return bundle.get("objects", [])

    def test_export_returns_every_object(self):
        want = self.expected()
        # the node operator (no --as) and the delivering organisation get everything
        for as_ in ((), ("--as", "mitre-readers")):
            got = self.export("--collection", self.coll, "--version", "all", *as_)
            self.assertEqual(sorted(key(o) for o in got), sorted(want), as_)
            for o in got:
                self.assertEqual(o, want[key(o)], "object %s differs %s" % (key(o), as_))
            for type_ in ("attack-pattern", "relationship"):
                objs = self.export("--collection", "attack", "--version", "all", "--type", type_,
                                   *as_)
                self.assertEqual(sorted(key(o) for o in objs),
                                 sorted(k for k, o in want.items() if o["type"] == type_))

    def test_other_organisation_sees_only_markings(self):
        want = self.expected()
        markings = sorted(k for k, o in want.items() if o["type"] == "marking-definition")
        self.assertTrue(markings)
        outsider = ch.Client(self.node, ("outsider", PW))
        got, _ = outsider.get_all(ch.Client.objects_path(self.coll),
                                  params={"match[version]": "all"}, limit=1000)
        self.assertEqual(sorted(key(o) for o in got), markings)
        exported = self.export("--collection", self.coll, "--version", "all",
                               "--as", "outsiders")
        self.assertEqual(sorted(key(o) for o in exported), markings)
        r = outsider.get(ch.Client.objects_path(self.coll, next(
            k[0] for k, o in want.items() if o["type"] == "attack-pattern")))
        self.assertEqual(r.status, 404, r)

if __name__ == "__main__":
    if not os.path.isdir(ATTACK_DIR):
        print("skipped: ../shared/data/attack not present")
    ch.main()
