#!/usr/bin/env bash
# redis-server (Debian package) for the Redis token store tests
# (tests/fleet_redis.rs, tests/support/redis_server.rs). Installed here, started by
# the tests themselves on 127.0.0.1 with a free port and a temp directory.
set -euo pipefail
if dpkg-query -W -f='${Status}' redis-server 2>/dev/null | grep -q "install ok installed" \
  && command -v redis-server >/dev/null; then
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The package starts a system instance on port 6379; the tests never use it.
