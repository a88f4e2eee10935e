#!/usr/bin/env bash
# Instructions executed by `connstr check --format json` on the ~10 MB
# mixed-driver odbc.ini of check_cli.sh (callgrind): a figure that does not
# swing with the load of a shared VM, for comparing two builds. Needs
# valgrind (apt-get install valgrind) and a release build; CONNSTR_BIN
# overrides the binary, BASE_BIN adds a second one to compare against.
# Prints the total and the ten most costly functions (inclusive).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${CONNSTR_BIN:-target/release/connstr}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/bench/gen_odbc_ini.py "$work/big.ini" "${DSNS:-25000}"
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
