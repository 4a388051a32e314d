#!/usr/bin/env bash
# bench-failover-shards.sh: does one shard's failover slow the others? On a
# sandbox of 2 shards (a primary and 2 replicas each, semi-sync), a bench
# through the router reads and writes users that live on shard 80- only,
# in rounds that take turns: a quiet round, then a round during which
# shard -80's primary is killed and failed over (then brought back with
# --rejoin). It prints the 80- workload's QPS in both kinds of round and
# their ratio.
#
#   scripts/bench-failover-shards.sh
#   ROUNDS=2 SECONDS_PER_RUN=4 CLIENTS=4 scripts/bench-failover-shards.sh
#   SCALELAB=bin/scalelab scripts/bench-failover-shards.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
CLIENTS=${CLIENTS:-8}
BASE_PORT=${BASE_PORT:-24960}
SCALELAB=${SCALELAB:-}

command -v python3 >/dev/null || { echo "bench-failover-shards: python3 is not installed" >&2; exit 1; }
command -v mariadb >/dev/null || command -v mysql >/dev/null || { echo "bench-failover-shards: no mariadb or mysql client" >&2; exit 1; }
client=$(command -v mariadb || command -v mysql)
. scripts/lib.sh
setup failover-shards
topo=$tmp/sb/topology.yaml
echo "== 2 shards x 2 replicas, semi-sync, port $BASE_PORT" >&2
"$sl" up --dir "$tmp/sb" --shards 2 --replicas 2 --semi-sync --base-port "$BASE_PORT" >/dev/null 2>&1
"$sl" load --topology "$topo" --users 2000 --images 2000 --likes 2000 >/dev/null 2>&1

# The users that live on shard 80-, read from its primary: a workload of
# lookups and renames of them touches no other shard.
admin_pw=$(awk '/^admin:/ { getline; getline; print $2; exit }' "$topo")
addr=$("$sl" status --topology "$topo" --format json | python3 -c '
import json, sys
print([n["address"] for n in json.load(sys.stdin)["nodes"] if n["shard"] == "80-" and n["role"] == "primary"][0])')
"$client" -uscalelab_admin -p"$admin_pw" -h"${addr%:*}" -P"${addr#*:}" -N -e "SELECT id FROM scalelab.users LIMIT 300" >"$tmp/ids"
while read -r id; do
  echo "SELECT name FROM users WHERE id = $id;"
  echo "UPDATE users SET name = CONCAT('u', {n:uniform(1,1000000)}) WHERE id = $id;"
done <"$tmp/ids" >"$tmp/workload.sql"

run() { # run NAME: one bench run of the 80- workload, its QPS on stdout
  "$sl" bench --target router --topology "$topo" --concurrency "$CLIENTS" --duration "${SECONDS_PER_RUN}s" \
    --query "@$tmp/workload.sql" --format json --max-error-rate 1 >"$tmp/$1.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["levels"][0]["total"]; print("%.1f %d" % (t["qps"], t["errors"]))' "$tmp/$1.json"
}

declare -a quiet during
for r in $(seq "$ROUNDS"); do
  read -r q e < <(run "quiet$r")
  echo "round $r  quiet          $q qps, $e errors" >&2
  quiet+=("$q")
  # Kill shard -80's primary 2 s into the run and fail it over.
  ( sleep 2
    "$sl" chaos --topology "$topo" kill -- -80/primary >/dev/null
    "$sl" failover --topology "$topo" --shard=-80 >"$tmp/failover$r.txt" 2>&1 ) &
  read -r q e < <(run "during$r")
  wait
  echo "round $r  during failover $q qps, $e errors ($(head -1 "$tmp/failover$r.txt" | cut -c1-60)…)" >&2
  during+=("$q")
  fenced=$(awk '/^fenced:/ { print $2; exit }' "$tmp/failover$r.txt" | tr -d ,)
  "$sl" start --topology "$topo" -- "$fenced" >/dev/null
  "$sl" failover --topology "$topo" --rejoin="$fenced" >/dev/null 2>&1
done
python3 - "${quiet[*]}" "${during[*]}" <<'PY'
import statistics, sys
q = [float(x) for x in sys.argv[1].split()]
d = [float(x) for x in sys.argv[2].split()]
print()
print("shard 80-'s workload (lookups and renames of its users), through the router")
print("rounds | quiet QPS | during -80's failover | ratio")
print("-------|-----------|-----------------------|------")
print("%6d | %9.0f | %21.0f | %.2f" % (len(q), statistics.mean(q), statistics.mean(d), statistics.mean(d) / statistics.mean(q)))
PY
