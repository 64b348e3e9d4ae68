"""The `concord` command-line contract, and serving over HTTPS.

init (with and without --demo), org, user, token, collection, import,
export, the list commands, --help everywhere, CONCORD_DATA instead of -D,
the refusal to serve plain HTTP off loopback, and HTTPS with the
certificate `concord init` makes.
"""

import json
import os
import re
import socket
import ssl
import stat
import sys
import time
import uuid
import warnings

sys.path.insert(0, os.path.join(os.environ.get("CONCORD_SOURCE_DIR",
                                               os.path.join(os.path.dirname(__file__), "..", "..")),
                                "tests", "lib"))
import concord_harness as ch  # noqa: E402

PW = "a long enough password"
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SUBCOMMANDS = ("init", "serve", "org", "user", "token", "collection", "import", "export",
               "community", "group")
GROUP_EXT = "extension-definition--3c2f7f4e-8a1b-4c5d-9e6f-0a1b2c3d4e5f"


def read_file(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


class CliCase(ch.TimedTestCase):
    """A fresh, initialised node per test; its server is started only when a test asks."""

    init = True

    def setUp(self):
        super().setUp()
        self.node = ch.Node(init=self.init)
        self.addCleanup(self.node.close)
        self.dir = self.node.dir

    def run_cli(self, *args, **kw):
        kw.setdefault("check", False)
        return self.node.cli(*args, **kw)

    def write_json(self, name, value):
        path = os.path.join(self.node.base, name)
        with open(path, "w") as f:
            if isinstance(value, str):
                f.write(value)
            else:
                json.dump(value, f, indent=2)
        return path

    def export(self, *args):
        p = self.run_cli("export", "-D", self.dir, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        bundle = json.loads(p.stdout)
        self.assertEqual(bundle["type"], "bundle")
        self.assertRegex(bundle["id"], r"^bundle--%s$" % UUID_RE)
        if "objects" in bundle:
            self.assertTrue(bundle["objects"], "a bundle's objects list may not be empty")
        return bundle.get("objects", [])


class Init(CliCase):
    init = False

    def test_init_makes_a_node(self):
        p = self.run_cli("init", "-D", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(self.dir, p.stdout)
        for name in ("concord.conf", "concord.db", "tls/cert.pem", "tls/key.pem"):
            self.assertTrue(os.path.isfile(os.path.join(self.dir, name)), name)
        key_mode = stat.S_IMODE(os.stat(os.path.join(self.dir, "tls", "key.pem")).st_mode)
        self.assertEqual(key_mode & 0o077, 0, "the TLS key is readable by others")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "demo-credentials.txt")))
        default = self.node.conf("default_collection")
        self.assertRegex(default, "^%s$" % UUID_RE)
        listing = self.run_cli("collection", "list", "-D", self.dir).stdout
        self.assertIn(default, listing)
        self.assertRegex(listing, r"\bdirectory\b")
        self.assertRegex(listing, r"\bshared\b")
        # the marking definitions of TLP 2.0 and TLP 1.0 are in the directory
        markings = self.export("--collection", "directory", "--type", "marking-definition")
        names = sorted(m["name"] for m in markings)
        self.assertEqual(len(markings), 9, names)
        self.assertIn("TLP:AMBER+STRICT", names)
        self.assertEqual(self.run_cli("org", "list", "-D", self.dir).stdout.strip(), "")

    def test_second_init_fails(self):
        self.assertEqual(self.run_cli("init", "-D", self.dir).returncode, 0)
        conf_before = read_file(self.dir, "concord.conf")
        cert_before = read_file(self.dir, "tls", "cert.pem")
        for args in (("init", "-D", self.dir), ("init", "-D", self.dir, "--demo")):
            p = self.run_cli(*args)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("already", p.stderr)
        self.assertEqual(read_file(self.dir, "concord.conf"), conf_before)
        self.assertEqual(read_file(self.dir, "tls", "cert.pem"), cert_before)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "demo-credentials.txt")))

    def test_data_dir_from_environment(self):
        env = {"CONCORD_DATA": self.dir}
        self.assertEqual(self.run_cli("init", env=env).returncode, 0)
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "concord.db")))
        p = self.run_cli("org", "add", "envorg", "--country", "SG", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("envorg", self.run_cli("org", "list", env=env).stdout)
        self.assertIn("envorg", self.run_cli("org", "list", "-D", self.dir).stdout)
        p = self.run_cli("user", "add", "envuser", "--org", "envorg", input=PW + "\n", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("envuser", self.run_cli("user", "list", env=env).stdout)
        # -D wins over the environment
        other = os.path.join(self.node.base, "other")
        self.assertEqual(self.run_cli("init", "-D", other, env=env).returncode, 0)
        self.assertNotIn("envorg", self.run_cli("org", "list", "-D", other, env=env).stdout)
        # neither: an error that says how to fix it
        for args in (("org", "list"), ("init",), ("export",), ("serve", "--http")):
            p = self.run_cli(*args, env={"CONCORD_DATA": ""}, timeout=20)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn("CONCORD_DATA", p.stderr)

    def test_commands_on_a_missing_node(self):
        missing = os.path.join(self.node.base, "missing")
        for args in (("org", "list"), ("user", "list"), ("collection", "list"),
                     ("token", "list"), ("export",), ("serve", "--http")):
            p = self.run_cli(args[0], "-D", missing, *args[1:])
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn("concord init", p.stderr)


class OrgsAndUsers(CliCase):

    def test_org_add_and_list(self):
        ident = self.node.add_org("sg-cert", "SG", "national-cert")
        ident2 = self.node.add_org("plain")
        lines = self.run_cli("org", "list", "-D", self.dir).stdout.splitlines()
        rows = {ln.split()[0]: ln.split() for ln in lines}
        self.assertEqual(rows["sg-cert"], ["sg-cert", "SG", "national-cert", ident])
        self.assertEqual(rows["plain"], ["plain", "-", "-", ident2])
        # each organisation's identity is published in the directory collection
        ids = {o["id"]: o for o in self.export("--collection", "directory", "--type", "identity")}
        self.assertEqual(ids[ident]["name"], "sg-cert")
        self.assertEqual(ids[ident]["identity_class"], "organization")
        self.assertEqual(ids[ident]["roles"], ["national-cert"])
        for args, why in ((("sg-cert",), "duplicate"), (("x", "--country", "sgp"), "country"),
                          (("x", "--country", "sg"), "lower-case country"),
                          (("a,b",), "comma in name"), (("",), "empty name")):
            p = self.run_cli("org", "add", "-D", self.dir, *args)
            self.assertNotEqual(p.returncode, 0, why)
            self.assertTrue(p.stderr.strip(), why)
        self.assertEqual(len(self.run_cli("org", "list", "-D", self.dir).stdout.splitlines()), 2)

    def test_user_add_and_list(self):
        self.node.add_org("alpha", "SG")
        self.node.add_user("member1", "alpha", PW)
        self.node.add_user("admin1", "alpha", PW, role="admin")
        self.node.add_user("reader1", "alpha", PW, role="reader")
        rows = {ln.split()[0]: ln.split()
                for ln in self.run_cli("user", "list", "-D", self.dir).stdout.splitlines()}
        self.assertEqual(rows["member1"], ["member1", "alpha", "member"])
        self.assertEqual(rows["admin1"], ["admin1", "alpha", "admin"])
        self.assertEqual(rows["reader1"], ["reader1", "alpha", "reader"])
        self.assertNotIn(PW, self.run_cli("user", "list", "-D", self.dir).stdout)
        p = self.run_cli("user", "add", "-D", self.dir, "ghost", "--org", "no-such-org",
                         input=PW + "\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-org", p.stderr)
        for args, stdin, why in (
                (("member1", "--org", "alpha"), PW + "\n", "duplicate user"),
                (("short", "--org", "alpha"), "short\n", "password under 8 characters"),
                (("nopass", "--org", "alpha"), "", "no password on stdin"),
                (("noorg",), PW + "\n", "no --org")):
            p = self.run_cli("user", "add", "-D", self.dir, *args, input=stdin)
            self.assertNotEqual(p.returncode, 0, why)
            self.assertTrue(p.stderr.strip(), why)
        self.assertEqual(sorted(rows), sorted(
            ln.split()[0] for ln in self.run_cli("user", "list", "-D", self.dir).stdout.splitlines()))
        # the passwords work over TAXII, the user's role applies
        self.node.start()
        coll = self.node.conf("default_collection")
        path = ch.Client.objects_path(coll)
        self.assertEqual(self.node.request("GET", "/api/", auth=("member1", PW)).status, 200)
        self.assertEqual(self.node.request("GET", "/api/", auth=("member1", PW + "x")).status, 401)
        self.assertEqual(ch.Client(self.node, ("reader1", PW)).post_objects(
            coll, ch.indicator()).status, 403)
        self.assertEqual(ch.Client(self.node, ("member1", PW)).post_objects(
            coll, ch.indicator()).status, 202)
        self.assertEqual(self.node.request("GET", path, auth=("reader1", PW)).status, 200)


class Tokens(CliCase):

    def test_token_lifecycle(self):
        self.node.add_org("alpha")
        self.node.add_user("alice", "alpha", PW)
        tok = self.node.create_token("alice")
        tok2 = self.node.create_token("alice")
        self.assertNotEqual(tok, tok2)
        lines = self.run_cli("token", "list", "-D", self.dir).stdout.splitlines()
        self.assertEqual(len(lines), 2, lines)
        (id1, prefix1, user1, state1), (id2, prefix2, _, _) = [ln.split() for ln in lines]
        self.assertTrue(tok.startswith(prefix1) and tok2.startswith(prefix2), lines)
        self.assertLess(len(prefix1), len(tok), "the list shows the whole token")
        self.assertEqual((user1, state1), ("alice", "active"))
        self.node.start()
        self.node.alive_auth = ("alice", PW)
        self.assertEqual(self.node.request("GET", "/api/collections/", auth=tok).status, 200)
        self.assertEqual(self.node.request("GET", "/api/collections/", auth=tok2).status, 200)
        # revoke by prefix: refused within the 5 s cache lifetime (allow 6 s)
        p = self.run_cli("token", "revoke", "-D", self.dir, prefix1)
        self.assertEqual(p.returncode, 0, p.stderr)
        revoked_at = time.monotonic()
        while True:
            r = self.node.request("GET", "/api/collections/", auth=tok)
            elapsed = time.monotonic() - revoked_at
            if r.status == 401:
                self.assertIsNotNone(r.header("WWW-Authenticate"))
                break
            self.assertEqual(r.status, 200)
            self.assertLess(elapsed, 6.0, "a revoked token still works after %.1f s" % elapsed)
            time.sleep(0.25)
        self.assertLess(elapsed, 6.5)
        self.assertEqual(self.node.request("GET", "/api/", auth=tok).status, 401)
        self.assertEqual(self.node.request("GET", "/api/", auth=tok2).status, 200)
        states = {ln.split()[1]: ln.split()[3]
                  for ln in self.run_cli("token", "list", "-D", self.dir).stdout.splitlines()}
        self.assertEqual(states, {prefix1: "revoked", prefix2: "active"})
        # revoking again, or an unknown token, fails; revoke by id works
        self.assertNotEqual(self.run_cli("token", "revoke", "-D", self.dir, prefix1).returncode, 0)
        self.assertNotEqual(self.run_cli("token", "revoke", "-D", self.dir, "cct_nothing").returncode,
                            0)
        self.assertEqual(self.run_cli("token", "revoke", "-D", self.dir, id2).returncode, 0)
        p = self.run_cli("token", "create", "-D", self.dir, "nobody")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nobody", p.stderr)


class Collections(CliCase):

    def test_collection_add_and_rights(self):
        self.node.add_org("alpha")
        self.node.add_org("beta")
        self.node.add_user("alice", "alpha", PW)
        self.node.add_user("bob", "beta", PW)
        c_all = self.node.add_collection("Everyone")
        c_ro = self.node.add_collection("Alpha reads", read="alpha,beta", write="beta",
                                        alias="alpha-reads")
        c_beta = self.node.add_collection("Beta only", read="beta", write="beta")
        listing = self.run_cli("collection", "list", "-D", self.dir).stdout
        for cid in (c_all, c_ro, c_beta):
            self.assertIn(cid, listing)
        self.assertIn("alpha-reads", listing)
        for args, why in ((("X", "--read", "alpha,nobody"), "unknown reader"),
                          (("X", "--write", "nobody"), "unknown writer"),
                          (("Dup", "--alias", "alpha-reads"), "alias taken"),
                          (("Dup", "--alias", "shared"), "alias of the shared collection"),
                          (("Dup", "--alias", c_all), "alias that is another collection's id"),
                          (("",), "empty title")):
            p = self.run_cli("collection", "add", "-D", self.dir, *args)
            self.assertNotEqual(p.returncode, 0, why)
            self.assertTrue(p.stderr.strip(), why)
        self.assertEqual(self.run_cli("collection", "list", "-D", self.dir).stdout, listing)
        self.node.start()
        alice = {c["id"]: c for c in self.node.request(
            "GET", "/api/collections/", auth=("alice", PW)).json["collections"]}
        self.assertEqual((alice[c_all]["can_read"], alice[c_all]["can_write"]), (True, True))
        self.assertEqual((alice[c_ro]["can_read"], alice[c_ro]["can_write"]), (True, False))
        self.assertNotIn(c_beta, alice)
        self.assertEqual(alice[c_ro]["alias"], "alpha-reads")
        bob = {c["id"]: c for c in self.node.request(
            "GET", "/api/collections/", auth=("bob", PW)).json["collections"]}
        self.assertEqual((bob[c_beta]["can_read"], bob[c_beta]["can_write"]), (True, True))
        self.assertEqual(self.node.request("GET", "/api/collections/alpha-reads/",
                                           auth=("alice", PW)).json["id"], c_ro)


class ImportExport(CliCase):

    def objects(self):
        i1 = ch.indicator(n=1, created="2022-01-01T00:00:00.000Z")
        i2 = dict(i1, modified="2022-02-01T00:00:00.000Z", confidence=90)
        m = ch.malware(created="2022-01-02T00:00:00.000Z")
        ip = {"type": "ipv4-addr", "spec_version": "2.1",
              "id": "ipv4-addr--%s" % uuid.uuid4(), "value": "203.0.113.5"}
        return i1, i2, m, ip

    def summary(self, stdout):
        m = re.search(r"total: (\d+) objects into '([^']+)': (\d+) added, (\d+) already present, "
                      r"(\d+) rejected", stdout)
        self.assertIsNotNone(m, stdout)
        return tuple(int(m.group(i)) for i in (1, 3, 4, 5)), m.group(2)

    def test_import_then_export_round_trip(self):
        coll = self.node.add_collection("Import")
        i1, i2, m, ip = self.objects()
        bundle = {"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": [i1, i2, m, ip]}
        path = self.write_json("bundle.json", bundle)
        p = self.run_cli("import", "-D", self.dir, path, "--collection", coll)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("%s: 4 objects: 4 added, 0 already present, 0 rejected" % path, p.stdout)
        self.assertEqual(self.summary(p.stdout), ((4, 4, 0, 0), coll))
        by_key = lambda o: (o["id"], o.get("modified", ""))  # noqa: E731
        self.assertEqual(sorted(self.export("--collection", coll, "--version", "all"), key=by_key),
                         sorted([i1, i2, m, ip], key=by_key))
        self.assertEqual(sorted(self.export("--collection", coll), key=by_key),
                         sorted([i2, m, ip], key=by_key))
        self.assertEqual(self.export("--collection", coll, "--version", "first",
                                     "--type", "indicator"), [i1])
        self.assertEqual(self.export("--collection", coll, "--type", "indicator"), [i2])
        self.assertEqual(sorted(self.export("--collection", coll, "--type", "indicator",
                                            "--type", "malware"), key=by_key),
                         sorted([i2, m], key=by_key))
        self.assertEqual(self.export("--collection", coll, "--type", "campaign"), [])
        self.assertEqual(self.export("--collection", coll, "--id", m["id"]), [m])
        # importing again: all already present, success
        p = self.run_cli("import", "-D", self.dir, path, "--collection", coll)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.summary(p.stdout)[0], (4, 0, 4, 0))
        # export of everything covers every collection (the directory's markings too)
        everything = self.export()
        self.assertTrue({o["id"] for o in [i2, m, ip]} <= {o["id"] for o in everything})
        self.assertIn("marking-definition", {o["type"] for o in everything})
        for bad in (("--type", "Not_A_Type"), ("--version", "latest"), ("--id", "nope"),
                    ("--added-after", "yesterday")):
            p = self.run_cli("export", "-D", self.dir, "--collection", coll, *bad)
            self.assertEqual(p.returncode, 2, bad)
        p = self.run_cli("export", "-D", self.dir, "--collection", "no-such-collection")
        self.assertNotEqual(p.returncode, 0)

    def test_import_forms_and_default_collection(self):
        i1, i2, m, ip = self.objects()
        env = self.write_json("envelope.json", {"objects": [i1]})
        arr = self.write_json("array.json", [m, ip])
        p = self.run_cli("import", "-D", self.dir, env, arr)
        self.assertEqual(p.returncode, 0, p.stderr)
        counts, into = self.summary(p.stdout)
        self.assertEqual(counts, (3, 3, 0, 0))
        self.assertEqual(into, "shared")
        shared = self.export("--collection", "shared")
        self.assertEqual({o["id"] for o in shared}, {i1["id"], m["id"], ip["id"]})
        alias_coll = self.node.add_collection("Aliased", alias="feed")
        p = self.run_cli("import", "-D", self.dir, env, "--collection", "feed")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.export("--collection", alias_coll), [i1])
        p = self.run_cli("import", "-D", self.dir, "-", "--collection", "feed",
                         input=json.dumps({"objects": [i2]}))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.summary(p.stdout)[0], (1, 1, 0, 0))

    def test_import_failures(self):
        coll = self.node.add_collection("Failures")
        i1, i2, m, ip = self.objects()
        bad = ch.indicator()
        del bad["pattern"]
        mixed = self.write_json("mixed.json", {"type": "bundle", "id": "bundle--%s" % uuid.uuid4(),
                                               "objects": [i1, bad, m]})
        p = self.run_cli("import", "-D", self.dir, mixed, "--collection", coll)
        self.assertNotEqual(p.returncode, 0, "some objects were rejected")
        self.assertEqual(self.summary(p.stdout)[0], (3, 2, 0, 1))
        self.assertIn("objects[1]", p.stderr)
        self.assertIn("pattern", p.stderr)
        self.assertEqual({o["id"] for o in self.export("--collection", coll)}, {i1["id"], m["id"]})
        # a conflicting version is a rejection too
        conflict = self.write_json("conflict.json", {"objects": [dict(i1, name="changed")]})
        p = self.run_cli("import", "-D", self.dir, conflict, "--collection", coll)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(self.summary(p.stdout)[0], (1, 0, 0, 1))
        # malformed or missing files: non-zero, nothing stored, the file named
        for name, text in (("broken.json", "{\"objects\": [ {\"type\": "),
                           ("notjson.json", "hello"), ("noobjects.json", "{\"type\": \"bundle\"}"),
                           ("empty.json", "")):
            path = self.write_json(name, text)
            p = self.run_cli("import", "-D", self.dir, path, "--collection", coll)
            self.assertNotEqual(p.returncode, 0, name)
            self.assertIn(name, p.stderr)
        p = self.run_cli("import", "-D", self.dir, os.path.join(self.node.base, "absent.json"),
                         "--collection", coll)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("absent.json", p.stderr)
        # one bad file among good ones: the good ones are stored, the exit code says failure
        good = self.write_json("good.json", {"objects": [ip]})
        broken = os.path.join(self.node.base, "broken.json")
        p = self.run_cli("import", "-D", self.dir, broken, good, "--collection", coll)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(ip["id"], {o["id"] for o in self.export("--collection", coll)})
        self.assertEqual({o["id"] for o in self.export("--collection", coll)},
                         {i1["id"], m["id"], ip["id"]})
        p = self.run_cli("import", "-D", self.dir, good, "--collection", "no-such-collection")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-collection", p.stderr)
        self.assertEqual(self.run_cli("import", "-D", self.dir).returncode, 2)


class CommunitiesAndGroups(CliCase):
    """`concord community` and `concord group` (the sharing rules are in test_sharing.py)."""

    def communities(self):
        p = self.run_cli("community", "list", "-D", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        return {ln.split()[0]: ln.split()[1:3] for ln in p.stdout.splitlines()}

    def test_presets_and_community_commands(self):
        asean = ",BN,KH,ID,LA,MY,MM,PH,SG,TH,VN,"
        plus = asean + "AU,CN,IN,JP,NZ,KR,RU,US,"
        self.assertEqual(self.communities(), {
            "asean": ["countries=" + asean, "orgs=-"],
            "admm-plus": ["countries=" + plus, "orgs=-"],
            "eas": ["countries=" + plus, "orgs=-"]})
        self.node.add_org("sg-cert", "SG")
        self.node.add_org("fr-cert", "FR")
        p = self.run_cli("community", "add", "-D", self.dir, "friends", "--country", "sg,MY",
                         "--org", "fr-cert", "--title", "Friends")
        self.assertEqual(p.returncode, 0, p.stderr)
        friends = self.communities()["friends"]
        self.assertEqual(friends[0], "countries=,SG,MY,")
        self.assertRegex(friends[1], r"^orgs=,\d+,$")
        # add again replaces the definition
        p = self.run_cli("community", "add", "-D", self.dir, "friends", "--country", "AU")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.communities()["friends"], ["countries=,AU,", "orgs=-"])
        for args, why in ((("add", "bad", "--country", "SGP"), "three-letter country"),
                          (("add", "bad", "--country", "S1"), "digit in country"),
                          (("add", "bad", "--org", "no-such-org"), "unknown organisation"),
                          (("add", "a,b"), "comma in name"),
                          (("remove", "no-such-community"), "unknown community")):
            p = self.run_cli("community", "-D", self.dir, *args)
            self.assertNotEqual(p.returncode, 0, why)
            self.assertTrue(p.stderr.strip(), why)
        self.assertNotIn("bad", self.communities())
        self.assertEqual(self.run_cli("community", "remove", "-D", self.dir, "friends").returncode,
                         0)
        self.assertEqual(sorted(self.communities()), ["admm-plus", "asean", "eas"])
        for args in (("community", "-D", self.dir), ("community", "-D", self.dir, "frobnicate"),
                     ("community", "-D", self.dir, "add")):
            self.assertEqual(self.run_cli(*args).returncode, 2, args)

    def test_group_add(self):
        sg = self.node.add_org("sg-cert", "SG")
        fr = self.node.add_org("fr-cert", "FR")
        p = self.run_cli("group", "add", "-D", self.dir, "asean and france", "--creator", "sg-cert",
                         "--community", "asean,eas", "--org", "fr-cert")
        self.assertEqual(p.returncode, 0, p.stderr)
        gid = p.stdout.strip()
        self.assertRegex(gid, r"^marking-definition--%s$" % UUID_RE)
        md = self.export("--collection", "directory", "--id", gid)
        self.assertEqual(len(md), 1)
        md = md[0]
        self.assertEqual((md["type"], md["name"], md["created_by_ref"]),
                         ("marking-definition", "asean and france", sg))
        self.assertEqual(md["extensions"][GROUP_EXT], {
            "extension_type": "property-extension", "organizations": [fr],
            "communities": ["asean", "eas"]})
        # another collection
        coll = self.node.add_collection("Groups")
        p = self.run_cli("group", "add", "-D", self.dir, "g2", "--creator", "fr-cert",
                         "--org", "sg-cert", "--collection", coll)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([o["id"] for o in self.export("--collection", coll)], [p.stdout.strip()])
        for args, rc, why in ((("--creator", "sg-cert"), 2, "no recipients"),
                              (("--org", "sg-cert"), 2, "no creator"),
                              (("--creator", "nobody", "--org", "sg-cert"), 1, "unknown creator"),
                              (("--creator", "sg-cert", "--org", "nobody"), 1, "unknown org"),
                              (("--creator", "sg-cert", "--community", "nope"), 1,
                               "unknown community"),
                              (("--creator", "sg-cert", "--org", "fr-cert", "--collection",
                                "no-such-collection"), 1, "unknown collection")):
            p = self.run_cli("group", "add", "-D", self.dir, "g", *args)
            self.assertEqual(p.returncode, rc, why)
            self.assertTrue(p.stderr.strip(), why)
            self.assertEqual(p.stdout.strip(), "", why)

    def test_import_org_and_export_as_need_an_organisation(self):
        path = self.write_json("one.json", {"objects": [ch.indicator()]})
        p = self.run_cli("import", "-D", self.dir, path, "--org", "no-such-org")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-org", p.stderr)
        self.assertEqual(self.export("--collection", "shared"), [])
        p = self.run_cli("export", "-D", self.dir, "--as", "no-such-org")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-org", p.stderr)
        # an unmarked object imported for an organisation is visible to it, not to others
        self.node.add_org("alpha")
        self.node.add_org("beta")
        p = self.run_cli("import", "-D", self.dir, path, "--org", "alpha")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.export("--collection", "shared", "--as", "alpha")), 1)
        self.assertEqual(self.export("--collection", "shared", "--as", "beta"), [])
        self.assertEqual(len(self.export("--collection", "shared")), 1)


class HelpAndUsage(CliCase):

    def test_help_everywhere(self):
        for cmd in SUBCOMMANDS:
            for flag in ("--help", "-h"):
                p = self.run_cli(cmd, flag)
                self.assertEqual(p.returncode, 0, "%s %s: %s" % (cmd, flag, p.stderr))
                self.assertIn("usage: concord %s" % cmd, p.stdout)
        for args in (("--help",), ("help",), ("-h",), ("--version",)):
            p = self.run_cli(*args)
            self.assertEqual(p.returncode, 0, args)
            self.assertTrue(p.stdout.strip())
        p = self.run_cli("--help")
        for cmd in SUBCOMMANDS:
            self.assertRegex(p.stdout, r"\n  %s\s" % cmd)
        self.assertEqual(self.run_cli().returncode, 2)
        p = self.run_cli("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("frobnicate", p.stderr)
        for args in (("org",), ("org", "-D", self.dir, "remove", "x"), ("user", "-D", self.dir),
                     ("token", "-D", self.dir, "create"), ("collection", "-D", self.dir, "add"),
                     ("org", "-D", self.dir, "list", "--bogus-option")):
            self.assertEqual(self.run_cli(*args).returncode, 2, args)

    def test_list_commands(self):
        self.node.add_org("alpha", "SG", "hub")
        self.node.add_user("alice", "alpha", PW)
        self.node.create_token("alice")
        for cmd, needle in (("org", "alpha"), ("user", "alice"), ("collection", "shared"),
                            ("token", "alice")):
            p = self.run_cli(cmd, "list", "-D", self.dir)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(needle, p.stdout, cmd)

    def test_serve_refusals(self):
        for listen in ("0.0.0.0:0", "192.0.2.1:0"):
            p = self.run_cli("serve", "-D", self.dir, "--http", "--listen", listen, timeout=20)
            self.assertNotEqual(p.returncode, 0, listen)
            self.assertIn("loopback", p.stderr)
            self.assertNotIn("listening", p.stdout)
        for listen in ("nonsense", "127.0.0.1", "127.0.0.1:99999", ":80", "[::1]:0"):
            p = self.run_cli("serve", "-D", self.dir, "--http", "--listen", listen, timeout=20)
            self.assertNotEqual(p.returncode, 0, listen)
            self.assertIn("listen", p.stderr)
        p = self.run_cli("serve", "-D", self.dir, "--http", "--threads", "1000", timeout=20)
        self.assertEqual(p.returncode, 2)


class Https(CliCase):
    """`concord serve` without --http serves TLS with the certificate init made."""

    def test_https_with_init_certificate(self):
        self.node.add_org("alpha")
        self.node.add_user("alice", "alpha", PW)
        self.node.start(http=False)
        self.node.alive_auth = ("alice", PW)
        self.assertEqual(self.node.scheme, "https")
        self.assertIn("https://127.0.0.1:%d/api/" % self.node.port, self.node.banner)
        for host in ("127.0.0.1", "localhost"):
            r = self.node.request("GET", "/taxii2/", auth=("alice", PW), host=host)
            self.assertEqual(r.status, 200, host)
            self.assertEqual(r.header("Content-Type"), ch.TAXII_MEDIA)
            for root in r.json["api_roots"]:
                self.assertTrue(root.startswith("https://"), root)
        # TLS 1.2 or later, and the certificate is the one in DIR/tls/cert.pem
        ctx = self.node.ssl_context()
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=30) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertIn(tls.version(), ("TLSv1.2", "TLSv1.3"))
                der = tls.getpeercert(binary_form=True)
        self.assertEqual(der, ssl.PEM_cert_to_DER_cert(read_file(self.dir, "tls", "cert.pem")))
        # without that CA, or for another name, verification fails
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.node.request("GET", "/taxii2/", auth=("alice", PW),
                              context=ssl.create_default_context(cafile=None, capath=os.devnull))
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=30) as raw:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(raw, server_hostname="www.example.com")
        # the server refuses TLS 1.1 (the client offers it: security level 0)
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(os.path.join(self.dir, "tls", "cert.pem"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=30) as raw:
            with self.assertRaises((ssl.SSLError, ConnectionError)) as refused:
                old.wrap_socket(raw, server_hostname="127.0.0.1")
        if "NO_PROTOCOLS_AVAILABLE" in str(refused.exception):
            sys.stderr.write("note: this OpenSSL cannot offer TLS 1.1; its refusal is unchecked\n")
        # the TAXII exchange itself works over TLS, with Basic and a token
        tok = self.node.create_token("alice")
        coll = self.node.conf("default_collection")
        r = ch.Client(self.node, tok).post_objects(coll, ch.indicator())
        self.assertEqual(r.status, 202, r)
        self.assertEqual(self.node.request("GET", "/api/", auth=("alice", "wrong")).status, 401)


class Demo(CliCase):
    init = False

    def credentials(self):
        path = os.path.join(self.dir, "demo-credentials.txt")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode) & 0o077, 0,
                         "demo-credentials.txt is readable by others")
        text = read_file(path)
        admin = re.search(r"^admin\b.*password:\s*(\S+)", text, re.M).group(1)
        analyst = re.search(r"^<cc>-analyst.*password:\s*(\S+)", text, re.M).group(1)
        users = re.search(r"analysts:\s*(.*)$", text, re.M).group(1)
        return admin, analyst, [u.strip() for u in users.split(",")]

    def test_demo_node_over_https(self):
        p = self.run_cli("init", "-D", self.dir, "--demo")
        self.assertEqual(p.returncode, 0, p.stderr)
        orgs = [ln.split() for ln in self.run_cli("org", "list", "-D", self.dir).stdout.splitlines()]
        self.assertEqual(len(orgs), 11, orgs)
        national = [o for o in orgs if o[2] == "national-cert"]
        self.assertEqual(len(national), 10)
        self.assertEqual(len({o[1] for o in national}), 10, "one per member state")
        identities = {o[3] for o in orgs}
        admin_pw, analyst_pw, analysts = self.credentials()
        self.assertEqual(len(analysts), 10)
        users = {ln.split()[0]: ln.split()
                 for ln in self.run_cli("user", "list", "-D", self.dir).stdout.splitlines()}
        self.assertEqual(users["admin"][2], "admin")
        for a in analysts:
            self.assertEqual(users[a][2], "member", a)
        self.node.start(http=False)
        self.node.alive_auth = ("admin", admin_pw)
        self.assertEqual(self.node.scheme, "https")
        r = self.node.request("GET", "/api/collections/", auth=("admin", admin_pw))
        self.assertEqual(r.status, 200, r)
        for a in analysts:
            r = self.node.request("GET", "/api/collections/shared/objects/", auth=(a, analyst_pw))
            self.assertEqual(r.status, 200, a)
            objs = r.json["objects"]
            self.assertTrue(any(o["type"] == "indicator" for o in objs))
            for o in objs:
                if "created_by_ref" in o:
                    self.assertIn(o["created_by_ref"], identities)
        self.assertEqual(self.node.request("GET", "/api/", auth=("admin", analyst_pw)).status, 401)
        self.assertEqual(self.node.request("GET", "/api/", auth=(analysts[0], admin_pw)).status,
                         401)


if __name__ == "__main__":
    ch.main()
