#!/usr/bin/env bash
# Plaza's whole test suite: vet, then every server test with the race detector, on
# SQLite and PostgreSQL, embedded and external NATS, and in Chromium.
#
#   ./test.sh                 # everything (and the pkg/plazapay module)
#   ./test.sh ./internal/...  # some packages of the main module (go test arguments)
#
# Environment (defaults suit this repository's machines):
#   PLAZA_TEST_POSTGRES  administrative URL; each test creates its own database
#   PLAZA_TEST_NATS      external NATS URL
#   PLAZA_TEST_REQUIRE   backends whose absence fails instead of skipping
#                        (CI: postgres,nats,chromium,node)
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/test-deps.sh

export PLAZA_TEST_POSTGRES="${PLAZA_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export PLAZA_TEST_NATS="${PLAZA_TEST_NATS:-nats://127.0.0.1:4222}"

unformatted=$(gofmt -l cmd internal pkg web examples sdk 2>/dev/null || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
# pkg/plazapay is its own module (go 1.23.0, standard library only), which
# ./... at the root does not enter. vet's stdversion check reports any use of
# an API newer than that go directive.
(cd pkg/plazapay && go vet ./...)
if [ "$(cd pkg/plazapay && go list -m all)" != github.com/plaza-dev/plaza/pkg/plazapay ]; then
  echo "pkg/plazapay must depend on the standard library only; go list -m all:" >&2
  (cd pkg/plazapay && go list -m all) >&2
  exit 1
fi

# The client's unit tests (web/, vitest): with Node when it is here; without
# it they skip, unless PLAZA_TEST_REQUIRE names node.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  (cd web && npm ci --no-audit --no-fund && npx vitest run)
elif required="${PLAZA_TEST_REQUIRE:-}" && [[ ",${required// /}," == *,node,* ]]; then
  echo "node is required (PLAZA_TEST_REQUIRE=$required) but missing: cannot run the client's unit tests" >&2
  exit 1
else
  echo "no node: skipping the client's unit tests (web/, vitest)" >&2
fi

if [ $# -gt 0 ]; then
  exec go test -race -count=1 -timeout 20m "$@"
fi

(cd pkg/plazapay && go test -race -count=1 ./...)
# The browser stories (./web) take the longest and spend most of their time
# waiting on Chromium, so they run beside the other packages rather than
# after them; their output follows the others'.
web_log=$(mktemp)
trap 'rm -f "$web_log"' EXIT
# They run without the race detector: the server code they drive is raced in
# its own packages, and the detector's slowdown of a node serving a browser
# bought nothing but a suite twice as long.
# Each half reports its wall time, so a slow suite shows which half to look at.
began=$(date +%s)
(
  rc=0
  go test -count=1 -timeout 40m ./web || rc=$?
  echo "browser package (./web): $(($(date +%s) - began)) s"
  exit "$rc"
) >"$web_log" 2>&1 &
web_pid=$!
status=0
go test -race -count=1 -timeout 40m $(go list ./... | grep -v '/web$') || status=$?
echo "server packages (race detector): $(($(date +%s) - began)) s"
web_status=0
wait "$web_pid" || web_status=$?
cat "$web_log"
if [ "$status" -ne 0 ] || [ "$web_status" -ne 0 ]; then
  exit 1
fi
