#!/usr/bin/env bash
# The interop suite: the exchanges' own SDKs and CCXT against the local exchange.
#
#   bash interop/run.sh
#
# 1. creates (or reuses) a Python virtualenv, interop/.venv (or $INTEROP_VENV), and installs the
#    pinned interop/requirements.txt into it (skipped when the venv already has exactly those
#    pins for this interpreter);
# 2. builds and starts the local exchange (examples/local_exchange.rs) on a free loopback port
#    with the fake accounts of interop/credentials.json, and reads its base URL from the one-line
#    JSON configuration it prints;
# 3. runs interop/suite.py (REST) and interop/ws_suite.py (the SDKs' websocket clients on the
#    private streams) against it, stops the server, and exits non-zero if either failed.
#
# The last line printed is `N passed, M failed`, counting both suites. Nothing leaves the machine except
# pip's downloads from PyPI: every SDK is pointed at http://127.0.0.1:PORT, and the suite refuses
# any other connection or DNS lookup.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=${INTEROP_VENV:-interop/.venv}
requirements=interop/requirements.txt
stamp="$venv/.cexsign-requirements"

echo "== interop: python environment ($venv)"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv --clear "$venv"
fi
# Reinstall when the pins or the interpreter changed since the last install.
want="$("$venv/bin/python" -c 'import sys; print(sys.version)')
$(cat "$requirements")"
if [ "$(cat "$stamp" 2> /dev/null || true)" != "$want" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --no-deps -r "$requirements"
  printf '%s' "$want" > "$stamp"
fi
"$venv/bin/python" --version

echo "== interop: local exchange"
cargo build -q --release --example local_exchange
bin="${CARGO_TARGET_DIR:-target}/release/examples/local_exchange"
mkdir -p target/interop
config=target/interop/config.json
log=target/interop/local_exchange.log
: > "$config"
# --serve-seconds: a safety net, the server stops by itself even if this script is killed.
"$bin" --port 0 --credentials interop/credentials.json --print-config --serve-seconds 900 \
  < /dev/null > "$config" 2> "$log" &
server=$!
stop_server() {
  if kill -0 "$server" 2> /dev/null; then
    kill "$server" 2> /dev/null || true
    wait "$server" 2> /dev/null || true
  fi
}
trap stop_server EXIT

base_url=""
for _ in $(seq 1 100); do
  if [ -s "$config" ]; then
    base_url=$("$venv/bin/python" -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["base_url"])' "$config")
    break
  fi
  if ! kill -0 "$server" 2> /dev/null; then
    break
  fi
  sleep 0.1
done
if [ -z "$base_url" ]; then
  echo "the local exchange did not print its configuration:" >&2
  cat "$log" >&2
  exit 1
fi
echo "local exchange at $base_url (log: $log)"

echo "== interop: SDKs against the local exchange"
status=0
"$venv/bin/python" interop/suite.py "$base_url" interop/credentials.json | tee target/interop/rest.txt || status=$?

echo "== interop: the SDKs' websocket clients against the local exchange's private streams"
# Bounded: every socket operation and every case has a deadline; `timeout` is the last resort.
timeout 600 "$venv/bin/python" interop/ws_suite.py "$base_url" interop/credentials.json \
  | tee target/interop/ws.txt || status=$?
stop_server
trap - EXIT

# The last line counts both suites: `N passed, M failed`. A suite that ended without its count
# line counts as one failure.
count() {
  local line
  line=$(grep -E '^([a-z]+: )?[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1 | sed -E 's/^[a-z]+: //' || true)
  if [ -z "$line" ]; then
    echo "0 1"
  else
    echo "$line" | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/'
  fi
}
read -r rest_passed rest_failed < <(count target/interop/rest.txt)
read -r ws_passed ws_failed < <(count target/interop/ws.txt)
echo
echo "interop: REST $rest_passed passed, $rest_failed failed; websocket $ws_passed passed, $ws_failed failed"
echo "$((rest_passed + ws_passed)) passed, $((rest_failed + ws_failed)) failed"
if [ $((rest_failed + ws_failed)) -ne 0 ] && [ "$status" -eq 0 ]; then
  status=1
fi
exit "$status"
