#!/usr/bin/env bash
# bench-failover.sh: how long are writes unavailable when a primary dies,
# and are acknowledged writes lost? RUNS times for async and for semi-sync
# replication, each on a fresh sandbox (1 shard, a primary and 2
# replicas): a writer inserts numbered rows through the router at RATE a
# second, the primary is killed with SIGKILL, `scalelab failover --watch`'s
# detector (INTERVAL between probes, MISSES misses in a row, confirmed by
# the replicas) fails it over, and the router follows the new primary.
#
#   scripts/bench-failover.sh
#   RUNS=3 RATE=500 scripts/bench-failover.sh
#   SCALELAB=bin/scalelab scripts/bench-failover.sh   # use this binary
#
# It prints every run's unavailability and lost writes, and the p50 per mode.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10}
RATE=${RATE:-200}
INTERVAL=${INTERVAL:-500ms}
MISSES=${MISSES:-3}
BASE_PORT=${BASE_PORT:-24900}
SCALELAB=${SCALELAB:-}

command -v python3 >/dev/null || { echo "bench-failover: python3 is not installed" >&2; exit 1; }
. scripts/lib.sh
setup failover

for mode in async semi-sync; do
  flag=""
  [ "$mode" = semi-sync ] && flag="--semi-sync"
  for run in $(seq "$RUNS"); do
    "$sl" up --dir "$tmp/sb" --shards 1 --replicas 2 --base-port "$BASE_PORT" $flag >/dev/null 2>&1
    "$sl" failover --topology "$tmp/sb/topology.yaml" --drill --rate "$RATE" --interval "$INTERVAL" --misses "$MISSES" \
      --format json 2>"$tmp/err" >"$tmp/$mode.$run.json" || { cat "$tmp/err" >&2; exit 1; }
    "$sl" down --purge --dir "$tmp/sb" >/dev/null 2>&1
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("%-9s run %2s: writes unavailable %.2f s, %d acknowledged, %d lost" % (sys.argv[2], sys.argv[3], d["unavailable_ms"] / 1e3, d["acked"], len(d["lost"] or [])))
' "$tmp/$mode.$run.json" "$mode" "$run"
  done
done
echo
python3 - "$tmp" "$RUNS" <<'PY'
import json, statistics, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
print("mode      | runs | unavailable p50 | max    | runs losing writes | writes lost")
print("----------|------|-----------------|--------|--------------------|------------")
for mode in ("async", "semi-sync"):
    ds = [json.load(open("%s/%s.%d.json" % (tmp, mode, r))) for r in range(1, runs + 1)]
    un = [d["unavailable_ms"] / 1e3 for d in ds]
    lost = [len(d["lost"] or []) for d in ds]
    print("%-9s | %4d | %13.2f s | %4.2f s | %18d | %d" % (mode, runs, statistics.median(un), max(un), sum(1 for l in lost if l), sum(lost)))
PY
