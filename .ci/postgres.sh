#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on loopback for the service's tests and benchmark.
#   url=$(.ci/postgres.sh DIR)      initdb in DIR (empty or missing), start, print the URL
#   .ci/postgres.sh --stop DIR      stop it (DIR can then be removed)
# Binaries: PG_BIN, else /usr/local/bin, else Debian's /usr/lib/postgresql/*/bin (installed
# with apt-get when missing). As root, the cluster runs as the postgres user.
set -euo pipefail

find_bin() {
  for d in "${PG_BIN:-}" /usr/local/bin /usr/lib/postgresql/*/bin; do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "--stop" ]; then
  as_owner "$bin/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null 2>&1 || true
  exit 0
fi

dir=${1:?usage: postgres.sh DIR | --stop DIR}
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner "$bin/initdb" -D "$dir/data" -U tadplan --auth=trust -E UTF8 --no-locale >/dev/null
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
  start >/dev/null
echo "postgresql://tadplan@127.0.0.1:$port/postgres"
