#!/usr/bin/env bash
# Makes what Plaza's test suite needs ready on this machine, and prints the
# environment the tests read. Used by ./test.sh (and so by CI).
#
#  - Chromium (Debian's package) for the browser tests: installed if missing.
#  - PostgreSQL on 127.0.0.1:5432 and NATS with JetStream on 127.0.0.1:4222
#    for the scale-path tests: started if they are installed but down.
#
# A backend that cannot be had is reported; whether its tests then skip or
# fail is decided by PLAZA_TEST_REQUIRE (CI requires all of them).
set -uo pipefail

log() { printf 'test-deps: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 100); do port_open "$1" && return 0; sleep 0.1; done
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

# Chromium.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${PLAZA_CHROMIUM:-}" ]; then
  if command -v apt-get >/dev/null; then
    log "installing chromium from Debian's packages (once)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 ||
      log "could not install chromium; browser tests will skip (or fail if required)"
  else
    log "no chromium and no apt-get: browser tests will skip (or fail if required)"
  fi
fi

# A font with Chinese glyphs, so that screenshots of Chinese text show
# characters rather than boxes (the tests pass either way).
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ] && command -v apt-get >/dev/null; then
  log "installing a CJK font (fonts-wqy-zenhei) for the browser tests' screenshots"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei fonts-noto-color-emoji >&2 ||
    log "could not install fonts-wqy-zenhei; Chinese shows as boxes in screenshots"
fi

# PostgreSQL.
if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >&2 || true
    wait_port 5432 || log "PostgreSQL did not come up on 127.0.0.1:5432"
  else
    log "PostgreSQL is not installed here: its tests will skip (or fail if required)"
  fi
fi

# NATS with JetStream.
if ! port_open 4222; then
  if [ -x /usr/sbin/nats-server ]; then
    log "starting NATS"
    mkdir -p /var/lib/nats-server 2>/dev/null || true
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log >&2 || true
    wait_port 4222 || log "NATS did not come up on 127.0.0.1:4222"
  else
    log "nats-server is not installed here: external-NATS tests will skip (or fail if required)"
  fi
fi
# --- npm WeChat Pay SDK (internal/sdktest/nodesdk, owned by the merchant API) ---
# The Node SDK test (go test ./internal/sdktest/nodesdk) drives Plaza with
# wechatpay-axios-plugin, pinned in package-lock.json. It needs node; it
# skips without it unless PLAZA_TEST_REQUIRE names "node".
nodesdk="$(dirname "$0")/../internal/sdktest/nodesdk"
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null; then
  log "installing Node.js from Debian's packages (once)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2 ||
    log "could not install Node.js"
fi
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$nodesdk/node_modules/wechatpay-axios-plugin/package.json" ]; then
    log "installing the npm WeChat Pay SDK for the Node SDK test (npm ci)"
    (cd "$nodesdk" && npm ci --no-audit --no-fund >&2) || log "npm ci failed in $nodesdk: the Node SDK test will try again itself"
  fi
else
  log "no node/npm: the Node SDK test will skip (or fail if PLAZA_TEST_REQUIRE names node)"
fi
# --- end npm WeChat Pay SDK ---

exit 0
