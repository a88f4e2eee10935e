#!/usr/bin/env bash
# The C interface's tests (ffi/tests/c_api.rs) compile C with gcc under
# AddressSanitizer/UndefinedBehaviorSanitizer (libasan/libubsan come with gcc
# on Debian) and find libconnstr through pkg-config (connstr.pc).
set -euo pipefail
need=()
for pkg in gcc libc6-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
