#!/usr/bin/env bash
# What the test suite needs besides Python packages, then the command given (`make test` runs
# the suite through this): Debian's Chromium for the browser tests (tests/web), installed with
# apt-get when /usr/bin/chromium is missing, and a throw-away PostgreSQL cluster on loopback
# (.ci/postgres.sh, installing Debian's packages if needed) so that the clinic service's tests
# run on PostgreSQL as well as SQLite, unless TADPLAN_TEST_POSTGRES already names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "test_services.sh: installing Debian's chromium for the browser tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if [ -z "${TADPLAN_TEST_POSTGRES:-}" ]; then
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/tadplan-pg.XXXXXX")
  trap '.ci/postgres.sh --stop "$pgdir"; rm -rf "$pgdir"' EXIT
  TADPLAN_TEST_POSTGRES=$(.ci/postgres.sh "$pgdir")
  export TADPLAN_TEST_POSTGRES
  echo "service tests also on PostgreSQL: $TADPLAN_TEST_POSTGRES"
fi
"$@"
