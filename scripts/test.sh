#!/bin/sh
# Build everything and run every test: a normal build (warnings are errors)
# and an AddressSanitizer + UndefinedBehaviorSanitizer build, then a short
# run of each fuzz target with corpus replay (when clang is present).
# Installs missing Debian packages first.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs=$(nproc)

echo "== normal build"
cmake -S . -B build -DCONCORD_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build-asan -DCONCORD_SANITIZE=ON -DCONCORD_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$jobs")

if [ -x scripts/fuzz.sh ]; then
    echo "== fuzz targets (short run + corpus replay)"
    sh scripts/fuzz.sh 10
fi
sh scripts/check-size.sh
echo "all builds and tests passed"
