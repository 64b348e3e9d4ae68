#!/bin/sh
# Whole-process comparison of `concord match` with `grep -F -f` and
# `rg -F -f` (what analysts run today) on the same Suricata EVE log and the
# same IOC list.  Prints the machine and, per tool, the median wall time of
# RUNS runs; concord's own read-loop rate (lines/s) comes from its totals.
#
#   sh bench/match_vs_grep.sh [INDICATORS [REPEAT [RUNS]]]
#     INDICATORS  active indicators (default 1000000): 40% IPv4, 5% CIDR,
#                 25% domains, 10% URLs, 19% hashes, 1% LIKE/MATCHES
#     REPEAT      copies of ../shared/data/logs/suricata/eve-2.json (real
#                 Suricata EVE, 2,401 lines) making the log (default 400)
# Needs a release build (build-release/concord) and ../shared/data.
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000000}
repeat=${2:-400}
runs=${3:-3}
bin=./build-release/concord
eve=../shared/data/logs/suricata/eve-2.json
[ -x "$bin" ] || { echo "build it first: cmake --build build-release --target concord" >&2; exit 1; }
[ -f "$eve" ] || { echo "$eve is absent: nothing to measure" >&2; exit 1; }
command -v rg >/dev/null || echo "ripgrep is not installed (apt-get install ripgrep): skipped" >&2
work=${TMPDIR:-/tmp}/concord-match-bench
mkdir -p "$work"

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, $(uname -sr), $(date -u +%FT%TZ)"

if [ ! -f "$work/log-$repeat.json" ]; then
    i=0; : > "$work/log-$repeat.json"
    while [ $i -lt "$repeat" ]; do cat "$eve" >> "$work/log-$repeat.json"; i=$((i + 1)); done
fi
log="$work/log-$repeat.json"

if [ ! -f "$work/iocs-$n.json" ]; then
python3 - "$n" "$eve" "$work/iocs-$n.json" "$work/iocs-$n.txt" <<'PY'
import json, random, sys
n, eve, out_json, out_txt = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rnd = random.Random(20261123)
from collections import Counter
seen_ips, seen_names = Counter(), Counter()
for line in open(eve):
    e = json.loads(line)
    if "dest_ip" in e and ":" not in e["dest_ip"]:
        seen_ips[e["dest_ip"]] += 1
    if e.get("event_type") == "dns" and "rrname" in e.get("dns", {}):
        seen_names[e["dns"]["rrname"].lower()] += 1
# 20 addresses and 20 names that occur in the log, rarely (like real hits)
seen_ips = sorted(v for v, c in seen_ips.items() if c <= 3)[:20]
seen_names = sorted(v for v, c in seen_names.items() if c <= 3)[:20]
def ip():
    return "%d.%d.%d.%d" % (rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))
def name():
    return "%s%d.%s" % (rnd.choice(["cdn", "mail", "c2", "update", "api", "x"]), rnd.randint(0, 10**9),
                        rnd.choice(["com", "net", "org", "info", "xyz", "ru"]))
def hx(k):
    return "%0*x" % (k, rnd.getrandbits(4 * k))
f = open(out_json, "w"); t = open(out_txt, "w")
f.write('{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[')
for i in range(n):
    r = rnd.random()
    if i < len(seen_ips):
        v = seen_ips[i]; p = "[ipv4-addr:value = '%s']" % v
    elif i < len(seen_ips) + len(seen_names):
        v = seen_names[i - len(seen_ips)]; p = "[domain-name:value = '%s']" % v
    elif r < 0.40:
        v = ip(); p = "[ipv4-addr:value = '%s']" % v
    elif r < 0.45:
        v = "%s/%d" % (ip(), rnd.choice([16, 20, 24, 28])); p = "[ipv4-addr:value ISSUBSET '%s']" % v
    elif r < 0.70:
        v = name(); p = "[domain-name:value = '%s']" % v
    elif r < 0.80:
        v = "http://%s/%s" % (name(), hx(8)); p = "[url:value = '%s']" % v
    elif r < 0.99:
        k = rnd.choice([(32, "MD5"), (40, "'SHA-1'"), (64, "'SHA-256'")])
        v = hx(k[0]); p = "[file:hashes.%s = '%s']" % (k[1], v)
    else:
        v = "%s%d" % (rnd.choice(["evil", "bad", "c2"]), rnd.randint(0, 10**6))
        p = ("[domain-name:value LIKE '%%.%s.%%']" % v if rnd.random() < 0.5
             else "[domain-name:value MATCHES '^%s[0-9]*\\\\.example$']" % v)
    t.write(v + "\n")
    f.write(("," if i else "") + json.dumps({
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--%08x-0000-4000-8000-%012x" % (i >> 16, i),
        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
        "pattern": p, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"},
        separators=(",", ":")))
f.write("]}\n"); f.close(); t.close()
PY
fi
lines=$(wc -l < "$log")
echo "log: $lines lines ($(du -m "$log" | cut -f1) MB, eve-2.json x $repeat); indicators: $n ($(du -m "$work/iocs-$n.json" | cut -f1) MB bundle)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # command... -> seconds (wall) of one run
    s=$(date +%s.%N); "$@" > /dev/null 2>"$work/err" || true; e=$(date +%s.%N)
    echo "$e - $s" | bc
}
run() { # name command...
    name=$1; shift
    k=0; : > "$work/times"
    while [ $k -lt "$runs" ]; do timeit "$@" >> "$work/times"; k=$((k + 1)); done
    m=$(median < "$work/times")
    printf '%-28s median %6.2f s  (%s)\n' "$name" "$m" "$(tr '\n' ' ' < "$work/times")"
}
run "concord match (whole)" "$bin" match --indicators "$work/iocs-$n.json" --format eve --quiet "$log"
grep -E "lines/s|matches" "$work/err" | sed 's/^/    concord: /'
run "concord match (index only)" "$bin" match --indicators "$work/iocs-$n.json" --format eve --quiet /dev/null
run "grep -F -f" grep -F -f "$work/iocs-$n.txt" "$log"
command -v rg >/dev/null && run "rg -F -f" rg -F -f "$work/iocs-$n.txt" "$log"
exit 0
