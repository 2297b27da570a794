#!/usr/bin/env bash
# Gateway throughput and latency on loopback, side by side in one run: wrk against
#   direct  - the backend itself (nginx returning a small body),
#   nginx   - nginx proxying to that backend (keep-alive upstream),
#   yarp    - a bare YARP forwarder to that backend (meridian bench proxy), the floor for any YARP-based gateway,
#   lean    - Kestrel and a pooled SocketsHttpHandler forwarding without YARP (meridian bench proxy --mode lean),
#   kestrel - Kestrel answering "ok" itself, no forwarding: the ceiling for anything Kestrel serves on that core,
#   meridian - Meridian's gateway /gw/qwen3-max/ routing a client in Paris to eu-central-1, whose endpoint is that backend.
# The servers share one pinned core (0); wrk runs on the other (1).
# Usage: bench/gateway.sh [seconds] [connections] [runs]
#   BENCH_ENV="DOTNET_X=1 DOTNET_Y=2" applies runtime settings to both .NET processes (the bare forwarder and Meridian),
#   WARMUP=5 sets the warm-up seconds per target,
#   TARGETS="direct nginx yarp lean kestrel meridian" chooses the targets (in that order each run),
#   PROXY_ARGS="--inline-scheduling" is passed to the three bench proxies.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
runs=${3:-1}
warmup=${WARMUP:-5}
read -r -a bench_env <<<"${BENCH_ENV:-}"
read -r -a proxy_args <<<"${PROXY_ARGS:-}"
targets=${TARGETS:-direct nginx yarp lean kestrel meridian}

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi
dotnet build -c Release src/Meridian.Cli -v quiet -nologo >/dev/null

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend { server 127.0.0.1:18081; keepalive 64; }
  server { listen 127.0.0.1:18081; location / { return 200 "ok\n"; } }
  server {
    listen 127.0.0.1:18082;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
taskset -c 0 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
port=18084
for mode in yarp lean kestrel; do
  taskset -c 0 env "${bench_env[@]}" src/Meridian.Cli/bin/Release/net10.0/meridian bench proxy --mode "$mode" "${proxy_args[@]}" \
    --to http://127.0.0.1:18081 --urls "http://127.0.0.1:$port" >"$work/logs/$mode.log" 2>&1 &
  port=$((port + 1))
done
taskset -c 0 env "${bench_env[@]}" src/Meridian.Cli/bin/Release/net10.0/meridian serve --db "$work/meridian.db" --urls http://127.0.0.1:18083 \
  --trusted-proxy 127.0.0.1 --allow-endpoint-host 127.0.0.1 >"$work/logs/meridian.log" 2>&1 &
for _ in $(seq 60); do curl -sf http://127.0.0.1:18083/healthz >/dev/null && break; sleep 0.5; done
curl -sf -X PATCH http://127.0.0.1:18083/api/v1/services/qwen3-max -H 'content-type: application/json' \
  -H "Authorization: Bearer $(cat "$work/meridian.admin-token")" \
  -d '{"endpoints":{"eu-central-1":"http://127.0.0.1:18081"}}' >/dev/null
sleep 1
headers=(-H "X-Client-Lat: 48.8566" -H "X-Client-Lon: 2.3522" -H "X-Client-Country: FR")
curl -sf "${headers[@]}" -D - -o /dev/null http://127.0.0.1:18083/gw/qwen3-max/v1/ok | grep -i x-meridian-region

run() { # run name url
  taskset -c 1 wrk -t1 -c"$connections" -d"${warmup}s" "${headers[@]}" "$3" >/dev/null
  local out; out=$(taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" --latency "${headers[@]}" "$3")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local errors; errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$rps" "$p50" "$p99" "${errors:-}"
}
echo "settings: ${BENCH_ENV:-default} ${PROXY_ARGS:-}; ${connections} connections, ${warmup} s warm-up, ${duration} s measured"
echo "| run | target | requests/s | p50 | p99 | errors |"
echo "| --- | --- | --- | --- | --- | --- |"
for r in $(seq "$runs"); do
  for t in $targets; do
    case $t in
      direct) run "$r" direct http://127.0.0.1:18081/v1/ok ;;
      nginx) run "$r" nginx http://127.0.0.1:18082/v1/ok ;;
      yarp) run "$r" yarp http://127.0.0.1:18084/v1/ok ;;
      lean) run "$r" lean http://127.0.0.1:18085/v1/ok ;;
      kestrel) run "$r" kestrel http://127.0.0.1:18086/v1/ok ;;
      meridian) run "$r" meridian http://127.0.0.1:18083/gw/qwen3-max/v1/ok ;;
      *) echo "unknown target $t" >&2; exit 2 ;;
    esac
  done
done
