#!/usr/bin/env bash
# Placements through the HTTP API on PostgreSQL with 1, 2 and 3 replicas (real Kestrel servers in one process, one
# database), 64 clients spread over them, conflicts per 1,000 placements and catch-up latency; the first row is the
# same run without group commit. A throwaway PostgreSQL cluster (Debian's postgresql package, installed when missing)
# lives in a temporary directory for the run. Usage: bench/replicas.sh [requests] [clients] [servers]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-8000}
clients=${2:-64}
servers=${3:-1,2,3}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
dotnet build -c Release src/Meridian.Cli -v quiet -nologo -p:SkipConsoleBuild=true >/dev/null

work=$(mktemp -d)
as=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as=(runuser -u postgres --); fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap '"${as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"${as[@]}" "$bin/initdb" -D "$work/data" -U meridian --auth=trust -E UTF8 --no-locale >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w start \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $work -c max_connections=300 -c shared_buffers=256MB -c synchronous_commit=on" >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); PostgreSQL $("$bin/postgres" --version | awk '{print $3}')"
Logging__LogLevel__Default=Warning dotnet src/Meridian.Cli/bin/Release/net10.0/meridian.dll bench replicas \
  --db "postgres://meridian@127.0.0.1:$port/postgres" --servers "$servers" --clients "$clients" --requests "$requests"
