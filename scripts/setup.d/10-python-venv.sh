#!/usr/bin/env bash
# The Python venv the tests use (Authlib, httpbin, botocore, pre-commit, ...):
# target/test-venv, from tests/python/requirements.txt. Re-created only when
# the requirements change.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=tests/python/requirements.txt
[ -s "$req" ] || exit 0
venv=target/test-venv
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
mkdir -p target
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
