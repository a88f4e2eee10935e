#!/usr/bin/env bash
# Whole-process timings of `connstr token` served from the token store: the
# file store and the Redis store (redis-server on 127.0.0.1, appendfsync
# always), against two baselines in the same run: `curl` making the token
# request itself, and `redis-cli` reading the entry (one Redis round trip in a
# process of its own). Needs hyperfine, redis-server, redis-cli, curl, node
# (npm ci in tests/oidc) and a release build: cargo build --release --bin connstr
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${CONNSTR_BIN:-target/release/connstr}
work=$(mktemp -d)
cleanup() { kill "${oidc_pid:-}" "${redis_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
oport=$(port); rport=$(port)
# The server ends when its standard input does (so it dies with a test): keep it open.
node tests/oidc/server.mjs --port "$oport" < <(sleep 100000) > "$work/oidc.out" 2> "$work/oidc.err" &
oidc_pid=$!
redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --save '' --appendonly yes \
  --appendfsync always --daemonize no > "$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
  grep -q READY "$work/oidc.out" 2>/dev/null && redis-cli -p "$rport" ping >/dev/null 2>&1 && break
  sleep 0.1
done
issuer=$(sed -n 's/^READY //p' "$work/oidc.out")
token_url="$issuer/token"
conf="AuthenticationMethod=OAuth2-ClientCredentials;ClientID=connstr-cc;ClientSecret=connstr-cc-secret;TokenURI=POST $token_url;Scope=api"
file_store="$work/tokens.json"
redis_store="redis://127.0.0.1:$rport/0"
"$BIN" token -c "$conf" --token-store "$file_store" > /dev/null
"$BIN" token -c "$conf" --token-store "$redis_store" > /dev/null
entry=$(redis-cli -p "$rport" --scan --pattern 'connstr:v1:{*}' | head -1)
hyperfine -N --warmup 5 --runs "${RUNS:-100}" \
  -n 'curl (token request)' "curl -sf -u connstr-cc:connstr-cc-secret -d grant_type=client_credentials&scope=api $token_url" \
  -n 'redis-cli HGET (one round trip)' "redis-cli -p $rport HGET $entry version" \
  -n 'connstr token (file store)' "$BIN token -c '$conf' --token-store $file_store" \
  -n 'connstr token (Redis store)' "$BIN token -c '$conf' --token-store $redis_store"
