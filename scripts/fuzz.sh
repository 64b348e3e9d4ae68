#!/bin/sh
# Build the libFuzzer targets (fuzz/fuzz_*.c) in build-fuzz with clang,
# ASan and UBSan, run each for N seconds (first argument, default 30) on a
# scratch corpus seeded from fuzz/corpus/<target>/ with fuzz/<target>.dict
# when there is one, then replay the seeds and everything found.
# Exits non-zero on the first crash or failed build; skips (exit 0) when
# clang is not installed.  Only the fuzz targets are built (JOBS, default 1).
#
# usage: scripts/fuzz.sh [seconds] [target...]
set -eu

secs=${1:-30}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
jobs=${JOBS:-1}

case $secs in
''|*[!0-9]*) echo "fuzz.sh: seconds must be a number, not '$secs'" >&2; exit 2 ;;
esac

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang not found; skipping the fuzz targets"
    exit 0
fi

if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=""
    for f in "$root"/fuzz/fuzz_*.c; do
        [ -f "$f" ] && targets="$targets $(basename "$f" .c)"
    done
fi
if [ -z "$targets" ]; then
    echo "fuzz.sh: no fuzz targets in $root/fuzz"
    exit 0
fi

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCONCORD_FUZZ=ON \
    -DCONCORD_SANITIZE=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $targets

for t in $targets; do
    seeds="$root/fuzz/corpus/$t"
    work="$build/corpus/$t"
    mkdir -p "$work" "$seeds"
    dict=""
    [ -f "$root/fuzz/$t.dict" ] && dict="-dict=$root/fuzz/$t.dict"
    echo "== $t: fuzzing for ${secs}s"
    # new inputs go to the scratch corpus (first directory), never to the seeds
    # shellcheck disable=SC2086
    (cd "$build" && "./$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 $dict "$work" "$seeds")
    echo "== $t: replaying the corpus"
    (cd "$build" && "./$t" -runs=0 -timeout=10 "$seeds" "$work")
done
echo "fuzz.sh: all targets ran clean"
