#!/usr/bin/env bash
# bench-login-charset.sh: what does the proxy cost a client whose login
# names another character set than the pools' utf8mb4? mariadb-slap logs
# in with latin1, as the mariadb client in a C locale and PHP's mysqlnd
# against a MariaDB greeting do. It runs point reads on one replica,
# interleaved in one run:
#
#   direct    straight at the replica
#   proxy     through scalelab proxy (the read goes to the same replica)
#   baseline  through a proxy of another build, with BASELINE=path/to/scalelab
#
# The table gives each side's mean seconds for the run (mariadb-slap's
# "Average number of seconds to run all queries"), its queries a second,
# and proxy / direct (and proxy / baseline) as ratios of queries a second.
#
#   scripts/bench-login-charset.sh
#   ROUNDS=3 BASELINE=/tmp/old-scalelab scripts/bench-login-charset.sh
#
# Env: ROUNDS (default 5), CONCURRENCY (default 16), QUERIES (per run,
# across the clients; default 40000), TABLE_SIZE (default 10000),
# BASE_PORT (the sandbox's first port, default 24900), PROXY_PORT
# (default 16133), PROXY_THREADS (default 1), BASELINE, SCALELAB (a
# scalelab binary; default: built from ./cmd/scalelab).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
CONCURRENCY=${CONCURRENCY:-16}
QUERIES=${QUERIES:-40000}
TABLE_SIZE=${TABLE_SIZE:-10000}
BASE_PORT=${BASE_PORT:-24900}
PROXY_PORT=${PROXY_PORT:-16133}
PROXY_THREADS=${PROXY_THREADS:-1}
BASELINE=${BASELINE:-}
sides="direct proxy"
if [ -n "$BASELINE" ]; then
  [ -x "$BASELINE" ] || { echo "bench-login-charset: BASELINE=$BASELINE is not an executable scalelab" >&2; exit 1; }
  sides="$sides baseline"
fi
for tool in sysbench mariadb-slap awk; do
  command -v "$tool" >/dev/null || { echo "bench-login-charset: $tool is not installed (apt-get install -y sysbench mariadb-client)" >&2; exit 1; }
done

. scripts/lib.sh
setup login-charset
dir=$tmp/sandbox
echo "== starting a sandbox on port $BASE_PORT" >&2
"$sl" up --dir "$dir" --shards 1 --replicas 1 --base-port "$BASE_PORT" --no-tables >/dev/null
topo=$dir/topology.yaml
read_topology "$topo"
sysbench oltp_point_select --mysql-host="${primary%:*}" --mysql-port="${primary##*:}" \
  --mysql-user="$user" --mysql-password="$pass" --mysql-db="$db" \
  --tables=1 --table-size="$TABLE_SIZE" prepare >/dev/null

proxy_side() { # BINARY PORT
  "$1" proxy --topology "$topo" --listen "127.0.0.1:$2" --metrics - --threads "$PROXY_THREADS" >"$tmp/proxy.$2.log" 2>&1 &
  pids+=($!)
}
proxy_side "$sl" "$PROXY_PORT"
[ -n "$BASELINE" ] && proxy_side "$BASELINE" $((PROXY_PORT + 1))

side_port() {
  case $1 in
    direct) echo "${replica##*:}" ;;
    proxy) echo "$PROXY_PORT" ;;
    baseline) echo $((PROXY_PORT + 1)) ;;
  esac
}
query="SELECT c FROM sbtest1 WHERE id = $((TABLE_SIZE / 2))"
# slap PORT QUERIES: mariadb-slap's mean seconds for the run, or nothing.
slap() {
  mariadb-slap --no-defaults -u "$user" -p"$pass" -h 127.0.0.1 -P "$1" --create-schema="$db" \
    --query="$query" --concurrency="$CONCURRENCY" --number-of-queries="$2" --iterations=1 2>&1 |
    awk '/Average number of seconds/ {print $(NF-1)}'
}
for side in $sides; do
  port=$(side_port "$side")
  for _ in $(seq 100); do
    [ -n "$(slap "$port" "$CONCURRENCY")" ] && break
    sleep 0.1
  done
  [ -n "$(slap "$port" "$CONCURRENCY")" ] || { cat "$tmp"/*.log >&2; echo "bench-login-charset: $side does not answer" >&2; exit 1; }
  slap "$port" $((QUERIES / 4)) >/dev/null # warm-up: logins, the relay's connections
done

declare -A secs
for r in $(seq "$ROUNDS"); do
  order=$sides
  [ $((r % 2)) = 0 ] && order=$(echo "$sides" | awk '{for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "")}')
  for side in $order; do
    s=$(slap "$(side_port "$side")" "$QUERIES")
    [ -n "$s" ] || { echo "bench-login-charset: round $r, $side: mariadb-slap failed" >&2; exit 1; }
    secs[$side]="${secs[$side]:-} $s"
    echo "round $r  $side: $s s" >&2
  done
done

median() { echo "$1" | tr ' ' '\n' | awk 'NF' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
qps() { awk -v s="$1" -v n="$QUERIES" 'BEGIN {printf "%.0f", n / s}'; }
printf '\nmariadb-slap (latin1 login), %s clients, %s point reads a run, median of %s rounds; scalelab proxy --threads %s\n\n' "$CONCURRENCY" "$QUERIES" "$ROUNDS" "$PROXY_THREADS"
head='| side | seconds by round | median s | QPS | ÷ direct |'
sep='|---|---|---:|---:|---:|'
[ -n "$BASELINE" ] && head="$head proxy ÷ baseline |" && sep="$sep---:|"
echo "$head"
echo "$sep"
d=$(median "${secs[direct]}")
p=$(median "${secs[proxy]}")
for side in $sides; do
  m=$(median "${secs[$side]}")
  row="| $side |${secs[$side]} | $m | $(qps "$m") | $(awk -v a="$d" -v b="$m" 'BEGIN {printf "%.2f", a / b}') |"
  if [ -n "$BASELINE" ]; then
    extra=""
    [ "$side" = proxy ] && extra=$(awk -v a="$(median "${secs[baseline]}")" -v b="$p" 'BEGIN {printf "%.2f", a / b}')
    row="$row $extra |"
  fi
  echo "$row"
done
