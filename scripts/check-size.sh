#!/bin/sh
# Fail when a function in src/ is longer than the ceiling (lines), like
# curl's scripts/top-length.  The allow-list stays empty.
set -eu
cd "$(dirname "$0")/.."
ceiling=${1:-150}
awk -v max="$ceiling" '
    FNR == 1 { depth = 0 }
    /^[a-z].*\(/ && depth == 0 { name = $0; start = FNR; file = FILENAME }
    { n = gsub(/{/, "{"); m = gsub(/}/, "}"); depth += n - m
      if (depth == 0 && n + m > 0 && start && FNR - start > max) {
          printf "%s:%d: function is %d lines (ceiling %d): %s\n", file, start, FNR - start, max, name
          bad = 1
      }
      if (depth == 0 && m > 0) start = 0 }
    END { exit bad }
' $(find src -name '*.c')
echo "function length check: no function over $ceiling lines"
