#!/usr/bin/env bash
# bench-vs-anchors.sh: is `scalelab bench` as fast a load generator as the
# tools people trust? It runs the same point-select workload with sysbench,
# mariadb-slap and scalelab bench against one server, at several
# concurrencies, interleaved (sysbench, mariadb-slap, scalelab at 1 client,
# then at 4, …) so that drift of the machine hits all three alike, and
# prints their QPS side by side, with each tool's client CPU per query
# (user + system time of the client process over its queries).
#
# It runs twice over: in text mode (every tool sends COM_QUERY text:
# sysbench --db-ps-mode=disable) and in prepared mode (server-side prepared
# statements and the binary protocol: sysbench's default --db-ps-mode=auto
# against scalelab bench --prepared; mariadb-slap has no such mode).
#
#   scripts/bench-vs-anchors.sh                     # 1, 4, 16 and 64 clients, 10s each
#   MODES=text CONCURRENCY="1 8" SECONDS_PER_RUN=5 scripts/bench-vs-anchors.sh
#   CONCURRENCY="1 8" SECONDS_PER_RUN=5 scripts/bench-vs-anchors.sh
#   PROFILE=1 scripts/bench-vs-anchors.sh           # also CPU-profile each scalelab run
#   SCALELAB=bin/scalelab scripts/bench-vs-anchors.sh  # use this binary, do not build
#   ROUNDS=3 scripts/bench-vs-anchors.sh            # every cell three times, medians
#   DRIVER=1 scripts/bench-vs-anchors.sh            # also scalelab bench --driver
#
# On a small shared machine one 6-second cell can swing by a third between
# runs (a tool's CPU per query, too, is bimodal, as the scheduler places its
# threads next to the server's or not). ROUNDS runs the whole interleaved
# sequence that many times and prints, for each tool, the median of its
# QPS and of its CPU per query, the ratios of those medians, and
# scalelab / sysbench in each round (the pairs ran back to back).
#
# The workload is sysbench's oltp_point_select: SELECT c FROM sbtest1
# WHERE id=N over a 100,000-row table. sysbench and scalelab draw every id
# uniformly at random.
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

CONCURRENCY=${CONCURRENCY:-"1 4 16 64"}
MODES=${MODES:-"text prepared"}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
SLAP_SECONDS=${SLAP_SECONDS:-5}
SLAP_QUERIES=${SLAP_QUERIES:-1000}
TABLE_SIZE=${TABLE_SIZE:-100000}
BASE_PORT=${BASE_PORT:-24700}
PROFILE=${PROFILE:-}
SCALELAB=${SCALELAB:-}
ROUNDS=${ROUNDS:-1}
DRIVER=${DRIVER:-}

for tool in sysbench mariadb-slap; do
  command -v "$tool" >/dev/null || { echo "$tool is not on PATH: run make deps (apt install sysbench mariadb-client)" >&2; exit 1; }
done

. scripts/lib.sh
setup anchors
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

# timed OUT CMD...: runs CMD with its output in OUT and its CPU time
# (user + system seconds of the process and its children) in OUT.cpu.
timed() {
  local out=$1
  shift
  ( "$@" >"$out" 2>"$out.err"; rc=$?; times >"$out.times"; exit $rc ) || { cat "$out.err" >&2; exit 1; }
  awk 'NR == 2 { n = split($1 " " $2, t, " "); s = 0
    for (i = 1; i <= n; i++) { split(t[i], p, "m"); s += p[1] * 60 + substr(p[2], 1, length(p[2]) - 1) }
    print s }' "$out.times" >"$out.cpu"
}
# us_per OUT QUERIES: client CPU microseconds per query.
us_per() { awk -v c="$(cat "$1.cpu")" -v q="$2" 'BEGIN { if (q > 0) printf "%.1f", c * 1e6 / q; else print "-" }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
declare -A sb_qps sb_p50 sb_cpu slap_qps slap_cpu sl_qps sl_p50 sl_cpu drv_qps drv_cpu

# One cell's runs, each tool in turn. k, n, mode, round, ps_mode and sl_mode
# are the cell's.
run_sysbench() {
  echo "== round $round of $ROUNDS: $mode, $n client(s): sysbench, ${SECONDS_PER_RUN}s" >&2
  timed "$tmp/sysbench.$k" sysbench oltp_point_select "${sb_conn[@]}" --tables=1 --table-size="$TABLE_SIZE" \
    --threads="$n" --time="$SECONDS_PER_RUN" --db-ps-mode="$ps_mode" --percentile=50 run
  sb_qps[$k]=$(sed -n 's/^ *queries: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$tmp/sysbench.$k")
  sb_p50[$k]=$(awk '$1 == "50th" { print $3 }' "$tmp/sysbench.$k")
  sb_cpu[$k]=$(us_per "$tmp/sysbench.$k" "$(sed -n 's/^ *queries: *\([0-9]*\) .*/\1/p' "$tmp/sysbench.$k")")
}
# run_slap QPS: mariadb-slap (text mode only), its query count sized from
# QPS, the rate another tool just measured, to run about SLAP_SECONDS.
run_slap() {
  [ "$mode" = text ] || return 0
  local queries secs
  queries=$(awk -v q="$1" -v s="$SLAP_SECONDS" -v c="$n" 'BEGIN { x = int(q * s / c) * c; print (x < c ? c : x) }')
  echo "== round $round of $ROUNDS: $mode, $n client(s): mariadb-slap, $queries queries" >&2
  timed "$tmp/slap.$k" mariadb-slap --defaults-extra-file="$tmp/client.cnf" --create-schema="$db" --no-drop \
    --concurrency="$n" --iterations=1 --number-of-queries="$queries" \
    --delimiter=";" --query="$tmp/slap.sql"
  secs=$(awk '/Average number of seconds/ { print $(NF-1) }' "$tmp/slap.$k")
  slap_qps[$k]=$(awk -v q="$queries" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? q / s : 0) }')
  slap_cpu[$k]=$(us_per "$tmp/slap.$k" "$queries")
}
# scalelab_run OUT EXTRA...: one scalelab bench run, its JSON report in
# OUT. sl_result OUT prints its QPS, p50 and query count.
scalelab_run() {
  local out=$1
  shift
  timed "$out" "$sl" bench --target direct --dsn "$dsn" --concurrency "$n" --duration "${SECONDS_PER_RUN}s" \
    --query 'SELECT c FROM sbtest1 WHERE id={id:uniform(1,'"$TABLE_SIZE"')}' --format json "${sl_mode[@]}" "$@"
}
sl_result() {
  python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["levels"][0]["total"]
if t["errors"]:
    sys.exit("scalelab bench: %d errors: %s" % (t["errors"], t["errors_by_kind"]))
print("%.1f %.3f %d" % (t["qps"], t["p50_ms"], t["queries"]))' "$1"
}
run_scalelab() {
  local count prof=()
  echo "== round $round of $ROUNDS: $mode, $n client(s): scalelab bench, ${SECONDS_PER_RUN}s" >&2
  if [ -n "$PROFILE" ]; then prof=(--cpuprofile "cpu.$mode.$n.$round.pprof"); fi
  scalelab_run "$tmp/scalelab.$k" "${prof[@]}"
  read -r sl_qps[$k] sl_p50[$k] count < <(sl_result "$tmp/scalelab.$k")
  sl_cpu[$k]=$(us_per "$tmp/scalelab.$k" "$count")
  if [ -n "$DRIVER" ]; then
    echo "== round $round of $ROUNDS: $mode, $n client(s): scalelab bench --driver, ${SECONDS_PER_RUN}s" >&2
    scalelab_run "$tmp/driver.$k" --driver
    read -r drv_qps[$k] _ count < <(sl_result "$tmp/driver.$k")
    drv_cpu[$k]=$(us_per "$tmp/driver.$k" "$count")
  fi
}

for round in $(seq "$ROUNDS"); do
for mode in $MODES; do
  ps_mode=disable
  sl_mode=()
  if [ "$mode" = prepared ]; then ps_mode=auto; sl_mode=(--prepared); fi
  for n in $CONCURRENCY; do
    k="$mode.$n.$round"
    # Odd rounds run the anchors first, even rounds scalelab first: a
    # machine that drifts within a cell's minute then favours neither.
    if [ $((round % 2)) = 1 ]; then
      run_sysbench
      run_slap "${sb_qps[$k]}"
      run_scalelab
    else
      run_scalelab
      run_slap "${sl_qps[$k]}"
      run_sysbench
    fi
    echo "== round $round of $ROUNDS: $mode, $n client(s): scalelab / sysbench $(ratio "${sl_qps[$k]}" "${sb_qps[$k]}"), scalelab / mariadb-slap $(ratio "${sl_qps[$k]}" "${slap_qps[$k]:-0}")" >&2
  done
done
done

# median ARRAY KEY [FORMAT]: the median over the rounds of
# ARRAY[KEY.round], printed with FORMAT (default %.1f), or - .
median() {
  local -n arr=$1
  local vals=() r
  for r in $(seq "$ROUNDS"); do
    [ -n "${arr[$2.$r]:-}" ] && [ "${arr[$2.$r]}" != - ] && vals+=("${arr[$2.$r]}")
  done
  [ ${#vals[@]} -gt 0 ] || { echo -; return; }
  printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf f, m }' f="${3:-%.1f}"
}
if [ "$ROUNDS" -gt 1 ]; then echo; echo "medians of $ROUNDS rounds"; fi
# rounds ARRAY_A ARRAY_B KEY: ARRAY_A / ARRAY_B in each round, in round
# order: the pairs ran back to back, so the spread of these ratios shows
# how far one cell's machine noise moves the median's.
rounds() {
  local -n a=$1 b=$2
  local r out=()
  for r in $(seq "$ROUNDS"); do out+=("$(ratio "${a[$3.$r]:-0}" "${b[$3.$r]:-0}")"); done
  echo "${out[*]}"
}
drvhead='' drvsep=''
if [ -n "$DRIVER" ]; then drvhead=' --driver QPS | --driver CPU µs/query |' drvsep='---:|---:|'; fi
if [ "$ROUNDS" -gt 1 ]; then drvhead="$drvhead scalelab / sysbench by round |" drvsep="$drvsep---|"; fi
printf '\n| mode | clients | scalelab QPS | sysbench QPS | mariadb-slap QPS | scalelab / sysbench | scalelab / mariadb-slap | scalelab p50 ms | sysbench p50 ms | CPU µs/query scalelab | sysbench | mariadb-slap |%s\n' "$drvhead"
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s\n' "$drvsep"
for mode in $MODES; do
  for n in $CONCURRENCY; do
    k="$mode.$n"
    slq=$(median sl_qps "$k") sbq=$(median sb_qps "$k") spq=$(median slap_qps "$k")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$mode" "$n" "$slq" "$sbq" "$spq" \
      "$(ratio "$slq" "$sbq")" "$(ratio "$slq" "${spq/-/0}")" "$(median sl_p50 "$k" %.3f)" "$(median sb_p50 "$k" %.3f)" \
      "$(median sl_cpu "$k")" "$(median sb_cpu "$k")" "$(median slap_cpu "$k")"
    [ -z "$DRIVER" ] || printf ' %s | %s |' "$(median drv_qps "$k")" "$(median drv_cpu "$k")"
    [ "$ROUNDS" -le 1 ] || printf ' %s |' "$(rounds sl_qps sb_qps "$k")"
    printf '\n'
  done
done
