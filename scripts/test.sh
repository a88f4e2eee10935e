#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what the tests
# need (apt, npm from the lockfile, cargo), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in unixodbc unixodbc-dev odbcinst libsqliteodbc; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Each scripts/setup.d/*.sh installs what one group of tests needs (a Debian
# package, a PyPI package into the test venv, ...). One file per need, so that
# adding a service is adding a file. They run in name order and must be
# idempotent (fast when everything is already there).
for setup in scripts/setup.d/*.sh; do
  [ -e "$setup" ] || continue
  bash "$setup"
done

if [ -f tests/oidc/package-lock.json ]; then
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi

# Unit, integration and example tests, then the doctests. Benchmarks are built
# (so they cannot rot) but run only with `cargo bench`: timing belongs there.
# The C library (libconnstr.so/.a) is a cdylib/staticlib: `cargo test` does not
# build those outputs, and ffi/tests link C programs against them.
cargo build --all-features -p connstr-ffi
cargo test --all-features --lib --bins --tests --examples --no-fail-fast
cargo test --all-features --doc
cargo build --all-features --benches --quiet
