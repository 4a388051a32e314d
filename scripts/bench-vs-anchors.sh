#!/usr/bin/env bash
# bench-vs-anchors.sh: is `scalelab bench` as fast a load generator as the
# tools people trust? It runs the same point-select workload with sysbench,
# mariadb-slap and scalelab bench against one server, at several
# concurrencies, interleaved (sysbench, mariadb-slap, scalelab at 1 client,
# then at 4, …) so that drift of the machine hits all three alike, and
# prints their QPS side by side.
#
#   scripts/bench-vs-anchors.sh                     # 1, 4 and 16 clients, 10s each
#   CONCURRENCY="1 8" SECONDS_PER_RUN=5 scripts/bench-vs-anchors.sh
#   PROFILE=1 scripts/bench-vs-anchors.sh           # also CPU-profile each scalelab run
#   SCALELAB=bin/scalelab scripts/bench-vs-anchors.sh  # use this binary, do not build
#
# The workload is sysbench's oltp_point_select: SELECT c FROM sbtest1
# WHERE id=N over a 100,000-row table, sent as plain text (no prepared
# statements, --db-ps-mode=disable), since scalelab and mariadb-slap send text
# too. sysbench and scalelab draw every id uniformly at random.
# mariadb-slap cannot draw values, so it gets a file of SLAP_QUERIES
# statements with ids drawn uniformly at random once, which every client
# runs in order, round and round; its number of queries is sized from the
# sysbench QPS just measured, to run about SLAP_SECONDS. mariadb-slap
# reports no percentiles.
#
# All three connect over TCP to 127.0.0.1 as the topology's application
# user, and share this machine's CPUs with the server: on a small machine the
# client's own CPU cost per query shows in the QPS. It starts its own sandbox
# (one server, no replicas) on port BASE_PORT in a temp dir, and stops and
# deletes it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

CONCURRENCY=${CONCURRENCY:-"1 4 16"}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
SLAP_SECONDS=${SLAP_SECONDS:-5}
SLAP_QUERIES=${SLAP_QUERIES:-1000}
TABLE_SIZE=${TABLE_SIZE:-100000}
BASE_PORT=${BASE_PORT:-24700}
PROFILE=${PROFILE:-}
SCALELAB=${SCALELAB:-}

for tool in sysbench mariadb-slap; do
  command -v "$tool" >/dev/null || { echo "$tool is not on PATH: run make deps (apt install sysbench mariadb-client)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scalelab-anchors.XXXXXX")
sl=${SCALELAB:-$tmp/scalelab}
cleanup() {
  [ -x "$sl" ] && "$sl" down --purge --dir "$tmp/sandbox" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$SCALELAB" ]; then
  echo "== building scalelab" >&2
  go build -o "$sl" ./cmd/scalelab
fi
echo "== starting a sandbox (1 server) on port $BASE_PORT" >&2
"$sl" up --dir "$tmp/sandbox" --replicas 0 --base-port "$BASE_PORT" >/dev/null
topo="$tmp/sandbox/topology.yaml"

# The application user and database from the topology file.
user=$(awk '/^user:/ { u = 1; next } /^[a-z]/ { u = 0 } u && $1 == "name:" { print $2 }' "$topo")
pass=$(awk '/^user:/ { u = 1; next } /^[a-z]/ { u = 0 } u && $1 == "password:" { print $2 }' "$topo")
db=$(awk '$1 == "database:" { print $2 }' "$topo")
port=$(awk '$1 == "primary:" { n = split($2, a, ":"); print a[n]; exit }' "$topo")
# mariadb-slap reads the password from a defaults file, not the command line.
printf '[client]\nhost=127.0.0.1\nport=%s\nuser=%s\npassword=%s\n' "$port" "$user" "$pass" >"$tmp/client.cnf"
chmod 600 "$tmp/client.cnf"
sb_conn=(--mysql-host=127.0.0.1 "--mysql-port=$port" "--mysql-user=$user" "--mysql-password=$pass" "--mysql-db=$db")
dsn="$user:$pass@tcp(127.0.0.1:$port)/$db"

echo "== sysbench prepare: sbtest1 with $TABLE_SIZE rows" >&2
sysbench oltp_point_select "${sb_conn[@]}" --tables=1 --table-size="$TABLE_SIZE" prepare >/dev/null

# mariadb-slap's statements: ids drawn once, uniformly (two $RANDOMs make
# 30 bits, so the modulo bias is negligible).
for _ in $(seq "$SLAP_QUERIES"); do
  echo "SELECT c FROM sbtest1 WHERE id=$(( ((RANDOM << 15) | RANDOM) % TABLE_SIZE + 1 ));"
done >"$tmp/slap.sql"

declare -A sb_qps sb_p50 slap_qps sl_qps sl_p50
for n in $CONCURRENCY; do
  echo "== $n client(s): sysbench, ${SECONDS_PER_RUN}s" >&2
  sysbench oltp_point_select "${sb_conn[@]}" --tables=1 --table-size="$TABLE_SIZE" \
    --threads="$n" --time="$SECONDS_PER_RUN" --db-ps-mode=disable --percentile=50 run >"$tmp/sysbench.$n"
  sb_qps[$n]=$(sed -n 's/^ *queries: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$tmp/sysbench.$n")
  sb_p50[$n]=$(awk '$1 == "50th" { print $3 }' "$tmp/sysbench.$n")

  queries=$(awk -v q="${sb_qps[$n]}" -v s="$SLAP_SECONDS" -v c="$n" 'BEGIN { x = int(q * s / c) * c; print (x < c ? c : x) }')
  echo "== $n client(s): mariadb-slap, $queries queries" >&2
  mariadb-slap --defaults-extra-file="$tmp/client.cnf" --create-schema="$db" --no-drop \
    --concurrency="$n" --iterations=1 --number-of-queries="$queries" \
    --delimiter=";" --query="$tmp/slap.sql" >"$tmp/slap.$n"
  secs=$(awk '/Average number of seconds/ { print $(NF-1) }' "$tmp/slap.$n")
  slap_qps[$n]=$(awk -v q="$queries" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? q / s : 0) }')

  echo "== $n client(s): scalelab bench, ${SECONDS_PER_RUN}s" >&2
  prof=()
  if [ -n "$PROFILE" ]; then prof=(--cpuprofile "cpu.$n.pprof"); fi
  "$sl" bench --target direct --dsn "$dsn" --concurrency "$n" --duration "${SECONDS_PER_RUN}s" \
    --query 'SELECT c FROM sbtest1 WHERE id={id:uniform(1,'"$TABLE_SIZE"')}' --format json "${prof[@]}" \
    >"$tmp/scalelab.$n" 2>"$tmp/scalelab.$n.err" || { cat "$tmp/scalelab.$n.err" >&2; exit 1; }
  read -r sl_qps[$n] sl_p50[$n] < <(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["levels"][0]["total"]
if t["errors"]:
    sys.exit("scalelab bench: %d errors: %s" % (t["errors"], t["errors_by_kind"]))
print("%.1f %.3f" % (t["qps"], t["p50_ms"]))' "$tmp/scalelab.$n")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '\n%-11s | %12s | %12s | %16s | %16s | %21s | %14s | %14s\n' \
  concurrency "scalelab QPS" "sysbench QPS" "mariadb-slap QPS" "scalelab/sysbench" "scalelab/mariadb-slap" "scalelab p50 ms" "sysbench p50 ms"
printf '%s\n' "------------|--------------|--------------|------------------|-------------------|-----------------------|-----------------|----------------"
for n in $CONCURRENCY; do
  printf '%-11s | %12s | %12s | %16s | %17s | %21s | %15s | %14s\n' "$n" "${sl_qps[$n]}" "${sb_qps[$n]}" "${slap_qps[$n]}" \
    "$(ratio "${sl_qps[$n]}" "${sb_qps[$n]}")" "$(ratio "${sl_qps[$n]}" "${slap_qps[$n]}")" "${sl_p50[$n]}" "${sb_p50[$n]}"
done
