"""Test harness for Concord integration tests (Python 3 standard library only).

A `Node` is one Concord data directory in a fresh temporary directory: it
runs `concord init`, creates organisations, users, tokens and collections
through the real CLI, starts `concord serve` on 127.0.0.1 with port 0 and
learns the port from the first line the server prints, sends TAXII
requests, and stops the server (SIGTERM, bounded wait, then SIGKILL) and
removes the directory when closed.

Every wait is bounded: CLI commands, server start and stop, and each HTTP
request have a timeout, and `TimedTestCase` puts a SIGALRM deadline on each
test on top of the ctest timeout.

Usage from a test file:

    sys.path.insert(0, os.path.join(os.environ["CONCORD_SOURCE_DIR"], "tests", "lib"))
    import concord_harness as ch
"""

import base64
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid

TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"

CLI_TIMEOUT = 120      # seconds for one CLI command (argon2id under ASan is slow)
START_TIMEOUT = 20     # seconds for `concord serve` to print its banner
STOP_TIMEOUT = 15      # seconds between SIGTERM and SIGKILL
HTTP_TIMEOUT = 60      # seconds for one HTTP exchange
TEST_TIMEOUT = 240     # seconds for one test method (TimedTestCase)

# RFC 3339 with exactly six fractional digits, as TAXII 2.1 §2 requires.
TAXII_TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
BANNER_RE = re.compile(r"listening on (https?)://([0-9.]+):(\d+)/taxii2/")


def source_dir():
    d = os.environ.get("CONCORD_SOURCE_DIR")
    if d:
        return os.path.abspath(d)
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def concord_bin():
    b = os.environ.get("CONCORD_BIN")
    if b:
        return b
    return os.path.join(source_dir(), "build", "concord")


# ---- STIX helpers --------------------------------------------------------

def stix_id(type_):
    return "%s--%s" % (type_, uuid.uuid4())


def stix_ts(dt=None, offset_s=0.0):
    """A STIX timestamp with millisecond precision (UTC)."""
    if dt is None:
        dt = datetime.datetime.now(datetime.timezone.utc)
    dt = dt + datetime.timedelta(seconds=offset_s)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def indicator(id_=None, created=None, modified=None, created_by=None, n=1, **extra):
    created = created or stix_ts()
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": id_ or stix_id("indicator"),
        "created": created,
        "modified": modified or created,
        "name": "test indicator %d" % n,
        "indicator_types": ["malicious-activity"],
        "pattern": "[ipv4-addr:value = '198.51.100.%d']" % (n % 250 + 1),
        "pattern_type": "stix",
        "valid_from": created,
    }
    if created_by:
        obj["created_by_ref"] = created_by
    obj.update(extra)
    return obj


def malware(id_=None, created=None, created_by=None, **extra):
    created = created or stix_ts()
    obj = {
        "type": "malware",
        "spec_version": "2.1",
        "id": id_ or stix_id("malware"),
        "created": created,
        "modified": created,
        "name": "test malware",
        "is_family": True,
    }
    if created_by:
        obj["created_by_ref"] = created_by
    obj.update(extra)
    return obj


def envelope(*objects):
    return {"objects": list(objects)}


def parse_taxii_ts(s):
    """Microseconds since the epoch of a TAXII timestamp (checks the format)."""
    if not TAXII_TS_RE.match(s or ""):
        raise AssertionError("not a TAXII timestamp with microseconds: %r" % (s,))
    dt = datetime.datetime.strptime(s[:-1], "%Y-%m-%dT%H:%M:%S.%f")
    dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1000000 + dt.microsecond


# ---- HTTP ----------------------------------------------------------------

class Response:
    """One HTTP response: status, headers (case-insensitive lookup), body, json."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.header_list = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")
        self.json = None
        if body:
            try:
                self.json = json.loads(self.text)
            except ValueError:
                self.json = None

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.header_list:
            if k.lower() == name:
                return v
        return default

    def headers_named(self, name):
        name = name.lower()
        return [v for k, v in self.header_list if k.lower() == name]

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.text[:300])


def basic_auth(user, password):
    raw = ("%s:%s" % (user, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def query(path, params=None):
    """path + '?' + encoded params; params is a dict or a list of pairs."""
    if not params:
        return path
    return path + "?" + urllib.parse.urlencode(params, safe="[],:")


# ---- the node --------------------------------------------------------------

class Node:
    """A Concord data directory and, once started, its server."""

    def __init__(self, demo=False, init=True):
        self.base = tempfile.mkdtemp(prefix="concord-it-")
        self.dir = os.path.join(self.base, "node")
        self.proc = None
        self.port = None
        self.scheme = None
        self.host = "127.0.0.1"
        self._out = None
        self._err = None
        self.banner = ""
        self.alive_auth = None  # credentials close() uses to check discovery still works
        if init:
            args = ["init", "-D", self.dir]
            if demo:
                args.append("--demo")
            self.cli(*args)

    # -- CLI --

    def cli(self, *args, input=None, env=None, check=True, timeout=CLI_TIMEOUT):
        """Run `concord ARGS`; returns the CompletedProcess (text mode)."""
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        try:
            p = subprocess.run([concord_bin()] + [str(a) for a in args], input=input,
                               capture_output=True, text=True, env=full_env,
                               timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("concord %s: no exit within %ss" % (" ".join(args), timeout)) from e
        if check and p.returncode != 0:
            raise AssertionError("concord %s exited %d\nstdout: %s\nstderr: %s"
                                 % (" ".join(str(a) for a in args), p.returncode,
                                    p.stdout, p.stderr))
        return p

    def add_org(self, name, country=None, role=None):
        args = ["org", "add", "-D", self.dir, name]
        if country:
            args += ["--country", country]
        if role:
            args += ["--role", role]
        out = self.cli(*args).stdout.strip()
        if not re.match(r"^identity--[0-9a-f-]{36}$", out):
            raise AssertionError("org add printed %r, not an identity id" % out)
        return out

    def add_user(self, name, org, password, role=None):
        args = ["user", "add", "-D", self.dir, name, "--org", org]
        if role == "admin":
            args.append("--admin")
        elif role == "reader":
            args.append("--reader")
        self.cli(*args, input=password + "\n")

    def create_token(self, user):
        tok = self.cli("token", "create", "-D", self.dir, user).stdout.strip()
        if not tok or "\n" in tok:
            raise AssertionError("token create printed %r" % tok)
        return tok

    def add_collection(self, title, read=None, write=None, alias=None):
        args = ["collection", "add", "-D", self.dir, title]
        if read is not None:
            args += ["--read", read]
        if write is not None:
            args += ["--write", write]
        if alias:
            args += ["--alias", alias]
        cid = self.cli(*args).stdout.strip()
        uuid.UUID(cid)  # raises unless the CLI printed a UUID
        return cid

    def set_conf(self, key, value):
        """Replace (or add) `key = value` in DIR/concord.conf (before start)."""
        path = os.path.join(self.dir, "concord.conf")
        with open(path) as f:
            lines = f.read().splitlines()
        out, done = [], False
        for line in lines:
            if re.match(r"^\s*%s\s*=" % re.escape(key), line):
                out.append("%s = %s" % (key, value))
                done = True
            else:
                out.append(line)
        if not done:
            out.append("%s = %s" % (key, value))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")

    def conf(self, key):
        with open(os.path.join(self.dir, "concord.conf")) as f:
            for line in f:
                m = re.match(r"^\s*%s\s*=\s*(.*?)\s*$" % re.escape(key), line)
                if m:
                    return m.group(1)
        return None

    # -- server --

    def start(self, http=True, listen="127.0.0.1:0", extra=(), timeout=START_TIMEOUT):
        """Start `concord serve`, wait (bounded) for its banner, learn the port."""
        assert self.proc is None, "server already started"
        args = [concord_bin(), "serve", "-D", self.dir, "--listen", listen]
        if http:
            args.append("--http")
        args += list(extra)
        out_path = os.path.join(self.base, "serve.out")
        err_path = os.path.join(self.base, "serve.err")
        self._out = open(out_path, "w+")
        self._err = open(err_path, "w+")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err)
        deadline = time.monotonic() + timeout
        while True:
            with open(out_path) as f:
                text = f.read()
            first = text.split("\n", 1)[0] if "\n" in text else ""
            if first:
                m = BANNER_RE.search(first)
                if not m:
                    self.stop()
                    raise AssertionError("unexpected first line from serve: %r" % first)
                self.scheme, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
                self.banner = text
                return self
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                log = self.server_log()
                self.proc = None
                raise AssertionError("serve exited %d before listening:\n%s" % (rc, log))
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("serve printed no banner within %ss" % timeout)
            time.sleep(0.05)

    def server_log(self):
        parts = []
        for name in ("serve.out", "serve.err"):
            p = os.path.join(self.base, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    parts.append("== %s ==\n%s" % (name, f.read()[-20000:]))
        return "\n".join(parts)

    def stop(self):
        """SIGTERM, bounded wait, then SIGKILL. Returns the exit code (None if not running)."""
        if self.proc is None:
            return None
        p, self.proc = self.proc, None
        rc = None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=STOP_TIMEOUT)
                rc = "killed after no exit within %ss of SIGTERM" % STOP_TIMEOUT
        else:
            rc = p.returncode
        for f in (self._out, self._err):
            if f:
                f.close()
        self._out = self._err = None
        return rc

    def close(self, check_alive=True):
        """Check the server still answers, stop it (expecting exit 0), remove the directory.

        A non-zero exit (a crash, or a sanitizer report at exit) fails the
        test class that owns the node.
        """
        problems = []
        try:
            if self.proc is not None and check_alive:
                r = self.request("GET", "/taxii2/", auth=self.alive_auth)
                want = 200 if self.alive_auth else 401
                if r.status != want:
                    problems.append("discovery answered %d at the end, not %d" % (r.status, want))
        except Exception as e:  # noqa: BLE001 - reported below
            problems.append("the server no longer answers: %r" % (e,))
        running = self.proc is not None
        rc = self.stop()
        if running and rc != 0:
            problems.append("serve exited %r after SIGTERM" % (rc,))
        log = self.server_log() if problems else ""
        shutil.rmtree(self.base, ignore_errors=True)
        if problems:
            raise AssertionError("; ".join(problems) + "\n" + log)

    # -- HTTP --

    def ssl_context(self):
        return ssl.create_default_context(cafile=os.path.join(self.dir, "tls", "cert.pem"))

    def connection(self, host=None, context=None, timeout=HTTP_TIMEOUT):
        host = host or self.host
        if self.scheme == "https":
            return http.client.HTTPSConnection(host, self.port, timeout=timeout,
                                               context=context or self.ssl_context())
        return http.client.HTTPConnection(host, self.port, timeout=timeout)

    def request(self, method, path, auth=None, headers=None, body=None, params=None,
                accept=TAXII_MEDIA, content_type=None, chunked=False, host=None,
                context=None):
        """One HTTP exchange on a fresh connection.

        auth: None, (user, password) for Basic, a str for Bearer, or a full
        header value given as {"Authorization": ...} in headers.
        body: dict/list (JSON-encoded), str or bytes; content_type defaults
        to the TAXII media type when a body is given (pass "" to omit it).
        """
        assert self.port, "server not started"
        hdrs = {}
        if accept is not None:
            hdrs["Accept"] = accept
        if isinstance(auth, tuple):
            hdrs["Authorization"] = basic_auth(*auth)
        elif isinstance(auth, str):
            hdrs["Authorization"] = "Bearer " + auth
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode("utf-8")
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = body
            if content_type is None:
                content_type = TAXII_MEDIA
        if content_type:
            hdrs["Content-Type"] = content_type
        if headers:
            hdrs.update(headers)
        conn = self.connection(host=host, context=context)
        try:
            url = query(path, params)
            if chunked:
                conn.putrequest(method, url)
                for k, v in hdrs.items():
                    conn.putheader(k, v)
                conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                step = 1000
                for i in range(0, len(data), step):
                    piece = data[i:i + step]
                    conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                conn.send(b"0\r\n\r\n")
            else:
                conn.request(method, url, body=data, headers=hdrs)
            resp = conn.getresponse()
            body_out = resp.read()
            return Response(resp.status, resp.reason, resp.getheaders(), body_out)
        finally:
            conn.close()


class Client:
    """Requests on behalf of one principal against a node."""

    def __init__(self, node, auth):
        self.node = node
        self.auth = auth

    def get(self, path, params=None, **kw):
        return self.node.request("GET", path, auth=self.auth, params=params, **kw)

    def post(self, path, body, **kw):
        return self.node.request("POST", path, auth=self.auth, body=body, **kw)

    def delete(self, path, params=None, **kw):
        return self.node.request("DELETE", path, auth=self.auth, params=params, **kw)

    # TAXII paths
    @staticmethod
    def objects_path(coll, object_id=None):
        p = "/api/collections/%s/objects/" % coll
        return p + ("%s/" % object_id if object_id else "")

    def post_objects(self, coll, *objects):
        return self.post(self.objects_path(coll), envelope(*objects))

    def get_all(self, path, params=None, limit=None, max_pages=10000):
        """Follow `next` to the end; returns (items, pages) where pages are Responses."""
        params = dict(params or {})
        if limit:
            params["limit"] = str(limit)
        items, pages = [], []
        for _ in range(max_pages):
            r = self.get(path, params=params)
            if r.status != 200:
                raise AssertionError("GET %s %s -> %d %s" % (path, params, r.status, r.text))
            pages.append(r)
            body = r.json or {}
            key = "versions" if "/versions/" in path else "objects"
            items.extend(body.get(key, []))
            if not body.get("more"):
                return items, pages
            if "next" not in body:
                raise AssertionError("more is true but no next: %s" % r.text[:300])
            params["next"] = body["next"]
        raise AssertionError("more than %d pages" % max_pages)


class TimedTestCase(unittest.TestCase):
    """A TestCase whose every test method is stopped after TEST_TIMEOUT seconds."""

    timeout = TEST_TIMEOUT

    def setUp(self):
        super().setUp()

        def expired(signum, frame):
            raise TimeoutError("test ran longer than %ss" % self.timeout)

        self._old_alarm = signal.signal(signal.SIGALRM, expired)
        signal.alarm(self.timeout)

    def tearDown(self):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self._old_alarm)
        super().tearDown()

    # assertion helpers shared by the test files

    def assertTaxiiError(self, r, status, msg=None):
        """r is an error response with this status, the TAXII media type and an error body."""
        ctx = "%s: %r" % (msg or "", r)
        self.assertEqual(r.status, status, ctx)
        self.assertEqual(r.header("Content-Type"), TAXII_MEDIA, ctx)
        self.assertIsInstance(r.json, dict, ctx)
        self.assertIsInstance(r.json.get("title"), str, ctx)
        self.assertTrue(r.json["title"], ctx)
        if "http_status" in r.json:
            self.assertEqual(r.json["http_status"], str(status), ctx)

    def assertTaxiiOk(self, r, status=200, msg=None):
        ctx = "%s: %r" % (msg or "", r)
        self.assertEqual(r.status, status, ctx)
        self.assertEqual(r.header("Content-Type"), TAXII_MEDIA, ctx)
        self.assertIsInstance(r.json, dict, ctx)


def main():
    unittest.main(verbosity=2)
