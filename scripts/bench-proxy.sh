#!/usr/bin/env bash
# bench-proxy.sh: sysbench oltp_point_select straight at one shard's replica
# and through `scalelab proxy`, at 4 and 16 threads, interleaved in one run
# so both sides see the same machine load. Prints QPS, p50, the ratio and
# the p50 the proxy adds.
#
#   scripts/bench-proxy.sh [topology.yaml]      (default .scalelab/topology.yaml)
#
# Env: TIME (seconds per run, default 10), ROUNDS (default 2), TABLE_SIZE
# (default 10000), PROXY_PORT (default 16033), SCALELAB (a scalelab binary;
# default: built from ./cmd/scalelab). The proxy serves the topology as it
# is; sbtest1 is created on the first shard's primary when missing, so with
# no sharded tables every read goes to that shard's replica, the same
# server the direct runs use.
set -euo pipefail

topo=${1:-.scalelab/topology.yaml}
TIME=${TIME:-10}
ROUNDS=${ROUNDS:-2}
TABLE_SIZE=${TABLE_SIZE:-10000}
PROXY_PORT=${PROXY_PORT:-16033}

for tool in sysbench awk; do
  command -v "$tool" >/dev/null || { echo "bench-proxy: $tool is not installed" >&2; exit 1; }
done
[ -r "$topo" ] || { echo "bench-proxy: no topology at $topo: run scalelab up, or pass one" >&2; exit 1; }

# The topology is YAML; these fields are plain scalars in the files
# `scalelab up` writes.
field() { awk -v sec="$1" -v key="$2" '$0 ~ "^"sec":" {s=1; next} s && /^[^ ]/ {s=0} s && $1 == key":" {print $2; exit}' "$topo"; }
user=$(field user name)
pass=$(field user password)
db=$(awk '/^database:/ {print $2}' "$topo")
db=${db:-scalelab}
primary=$(awk '$1 == "primary:" {print $2; exit}' "$topo")
replica=$(awk '$1 == "replicas:" {getline; print $2; exit}' "$topo")
[ -n "$replica" ] || { echo "bench-proxy: the first shard has no replica" >&2; exit 1; }

tmp=$(mktemp -d)
bin=${SCALELAB:-}
if [ -z "$bin" ]; then
  bin=$tmp/scalelab
  go build -o "$bin" ./cmd/scalelab
fi
proxy_pid=
cleanup() {
  if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

sb() { # host:port threads extra...
  local hp=$1 threads=$2
  shift 2
  sysbench oltp_point_select --mysql-host="${hp%:*}" --mysql-port="${hp##*:}" \
    --mysql-user="$user" --mysql-password="$pass" --mysql-db="$db" \
    --tables=1 --table-size="$TABLE_SIZE" --threads="$threads" "$@"
}

if ! sb "$primary" 1 --time=0 --events=1 run >/dev/null 2>&1; then
  echo "preparing sbtest1 ($TABLE_SIZE rows) on $primary" >&2
  sb "$primary" 1 prepare >/dev/null
fi

"$bin" proxy --topology "$topo" --listen "127.0.0.1:$PROXY_PORT" --metrics - >"$tmp/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 100); do
  sb "127.0.0.1:$PROXY_PORT" 1 --time=0 --events=1 run >/dev/null 2>&1 && break
  kill -0 "$proxy_pid" 2>/dev/null || { cat "$tmp/proxy.log" >&2; exit 1; }
  sleep 0.1
done

run() { # host:port threads -> "qps p50ms"
  sb "$1" "$2" --time="$TIME" --percentile=50 run |
    awk '/queries:/ {gsub(/[()]/, "", $3); q = $3} /50th percentile:/ {p = $3} END {print q, p}'
}

declare -A qps p50
for r in $(seq "$ROUNDS"); do
  for th in 4 16; do
    for side in direct proxy; do
      hp=$replica
      [ "$side" = proxy ] && hp=127.0.0.1:$PROXY_PORT
      read -r q p < <(run "$hp" "$th")
      echo "round $r  threads $th  $side: $q qps, p50 $p ms" >&2
      qps[$side/$th]="${qps[$side/$th]:-} $q"
      p50[$side/$th]="${p50[$side/$th]:-} $p"
    done
  done
done

mean() { echo "$1" | awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.3f", s / NF}'; }
printf '\nsysbench oltp_point_select, %s round(s) x %ss per cell; direct = %s, proxy = scalelab proxy\n' "$ROUNDS" "$TIME" "$replica"
printf '%-8s %11s %11s %7s %14s %13s %13s\n' threads direct_qps proxy_qps ratio direct_p50_ms proxy_p50_ms added_p50_ms
for th in 4 16; do
  awk -v th="$th" -v dq="$(mean "${qps[direct/$th]}")" -v pq="$(mean "${qps[proxy/$th]}")" \
    -v dp="$(mean "${p50[direct/$th]}")" -v pp="$(mean "${p50[proxy/$th]}")" \
    'BEGIN {printf "%-8s %11.0f %11.0f %6.2fx %14.2f %13.2f %13.2f\n", th, dq, pq, pq / dq, dp, pp, pp - dp}'
done
