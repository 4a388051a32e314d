#!/usr/bin/env bash
# reshard-pause.sh: how long do writes pause when an online reshard
# switches? It runs BenchmarkOnlineSwitch (package reshard) RUNS times on
# one sandbox: each run reshards 2 → 4 shards with --online --switch and
# then reverses it (--reverse), while a writer inserts, updates and deletes
# through a router that follows the topology file. It prints, per step,
# the switch's own window (from the holds on the sources to their release)
# and the writer's longest write, which is the pause the application saw;
# every write must succeed. Needs mariadbd (MariaDB: the catch-up reads
# its binlog).
#
#   scripts/reshard-pause.sh
#   RUNS=3 scripts/reshard-pause.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
out=$(SCALELAB_REQUIRE_DB=1 go test ./reshard -run '^$' -bench '^BenchmarkOnlineSwitch$' -benchtime "${runs}x" -count 1 -v 2>&1) || {
	echo "$out" >&2
	exit 1
}
# The benchmark runs once with one iteration before the runs asked for:
# keep the lines of the last invocation only.
lines=$(echo "$out" | grep -E '^\s+online_bench_test.go:[0-9]+: run ' | sed -E 's/^\s+online_bench_test.go:[0-9]+: //')
echo "$lines" | tail -n $((2 * runs))
echo "$out" | grep -E '^BenchmarkOnlineSwitch' | tail -1
