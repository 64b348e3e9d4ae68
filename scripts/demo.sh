#!/bin/sh
# Run a Concord node with demo data: installs what is missing, builds,
# creates ./demo-data (ten ASEAN national CERTs, a regional hub, users and
# demo objects) on first use, and serves TAXII 2.1 over HTTPS on
# 127.0.0.1:8443, printing the URL and the demo credentials.
# Usage: scripts/demo.sh [DATA_DIR]
set -eu
cd "$(dirname "$0")/.."
dir="${1:-demo-data}"
sh scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target concord >/dev/null
if [ ! -f "$dir/concord.db" ]; then
    ./build-release/concord init -D "$dir" --demo
fi
exec ./build-release/concord serve -D "$dir"
