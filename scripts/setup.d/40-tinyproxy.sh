#!/usr/bin/env bash
# tinyproxy (Debian package): the forward proxy with basic proxy authentication of the
# transport tests (tests/transport_proxy.rs, tests/support/tinyproxy.rs). The tests start
# their own instance on 127.0.0.1 with a generated configuration.
set -euo pipefail
if command -v tinyproxy >/dev/null || [ -x /usr/sbin/tinyproxy ] || [ -x /usr/bin/tinyproxy ]; then
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends tinyproxy >/dev/null
# The package may start a system instance on port 8888; the tests never use it.
