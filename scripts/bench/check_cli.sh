#!/usr/bin/env bash
# Whole-process timings of `connstr check` as users run it, against `wc -l` on
# the same file in the same hyperfine run:
#   - a ~10 MB mixed-driver odbc.ini with 25,000 data sources and the matching
#     25,000-line [ODBC Data Sources] list (scripts/bench/gen_odbc_ini.py);
#   - a small real-shaped odbc.ini (fixtures/drivers/mixed, or the generator's
#     first 12 data sources when that fixture is absent).
# Needs hyperfine and a release build: cargo build --release --bin connstr
# (CONNSTR_BIN overrides the binary). Prints MB/s of the large file's median.
#
# With --instructions: instead of timings, the instructions `connstr check`
# executes on the large file (valgrind's callgrind; apt-get install valgrind)
# — a figure the load of a shared VM does not move, for comparing two builds
# (BASE_BIN adds a second binary) — and its ten most costly functions.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${CONNSTR_BIN:-target/release/connstr}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 scripts/bench/gen_odbc_ini.py "$work/big.ini" "${DSNS:-25000}"
small=$(ls fixtures/drivers/mixed/*.ini 2>/dev/null | head -1 || true)
if [ -z "$small" ]; then
  python3 scripts/bench/gen_odbc_ini.py "$work/small.ini" 12
  small="$work/small.ini"
fi
bytes=$(stat -c %s "$work/big.ini")

if [ "${1:-}" = "--instructions" ]; then
  count() {
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$2" "$1" check --format json \
      "$work/big.ini" 2>&1 >/dev/null | sed -n 's/.*refs: *//p'
  }
  echo "$BIN: $(count "$BIN" new) instructions"
  if [ -n "${BASE_BIN:-}" ]; then
    echo "$BASE_BIN: $(count "$BASE_BIN" base) instructions"
  fi
  callgrind_annotate --inclusive=yes "$work/cg.new" 2>/dev/null \
    | grep -E 'connstr::' | grep -vE 'main|lang_start|backtrace' | head -10
  exit 0
fi
echo "large: $bytes bytes, $(grep -c '^\[' "$work/big.ini") sections; small: $small ($(stat -c %s "$small") bytes)"

# `connstr check` exits 1 when it finds errors: the exit code is not the point here.
hyperfine -N -i --warmup 3 --runs "${RUNS:-20}" --export-json "$work/large.json" \
  -n 'wc -l (large)' "wc -l $work/big.ini" \
  -n 'connstr check (large)' "$BIN check --format json $work/big.ini"
hyperfine -N -i --warmup 10 --runs "${RUNS_SMALL:-200}" \
  -n 'wc -l (small)' "wc -l $small" \
  -n 'connstr check (small)' "$BIN check $small"
python3 - "$work/large.json" "$bytes" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
size = int(sys.argv[2])
for x in r:
    print(f"{x['command']}: median {x['median']*1e3:.1f} ms = {size/x['median']/1e6:.0f} MB/s")
EOF
