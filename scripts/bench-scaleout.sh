#!/usr/bin/env bash
# bench-scaleout.sh: does scaling out add capacity when every node is a
# machine of its own? It starts sandboxes whose nodes are each limited to
# NODE_CPU cores (cgroups; needs root), and measures through the router, in
# interleaved rounds so that drift of the machine hits every shape alike:
#
#   Z axis: targeted point selects (SELECT … FROM users WHERE id = ?) at 1,
#           2 and 4 shards, no replicas;
#   X axis: the replicas lab's 90%-read mix (three rounds of a user's newest
#           images, a user by id and an image's like count, then one rename
#           of a user) at 1 shard with 0 and with 2 replicas, counting the
#           reads; and the same mix's point-select variant (9 lookups of a
#           user by id, 1 rename), where reads cost the replicas least
#           against the writes every replica applies.
#
# It prints the median QPS of each shape over the rounds (this host's noise
# moves a single run by ±15%; every round's figure goes to stderr), its
# ratio to the smallest shape of its axis (the median of the rounds'
# ratios, each from two runs back to back in one round) with the lowest and
# highest, and the ideal (linear) ratio beside it.
#
#   scripts/bench-scaleout.sh
#   NODE_CPU=0.5 ROUNDS=2 SECONDS_PER_RUN=5 scripts/bench-scaleout.sh
#   SCALELAB=bin/scalelab scripts/bench-scaleout.sh   # use this binary
#
# The nodes run on CPUs of their own (scalelab up --node-cpus auto: on 2
# cores, CPU 1) and the client (scalelab bench through the router) on the
# others (bench --client-cpus auto), as separate machines would: sharing
# cores with the client made each node spend up to twice the CPU per
# query. The router reaches every node through its unix socket (the
# topology's shards[].sockets): over loopback TCP a quarter-core node spent
# 20% more CPU per point select, and the kernel delivered its replies on
# its CPU outside its quota. The client is not limited by a cgroup, but
# runs with GOMAXPROCS=CLIENT_CORES (default: the host's cores less those
# of the largest shape, at least 1): a Go client allowed more processors
# than its cores spends its time handing work between them.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_CPU=${NODE_CPU:-0.25}
NODE_MEMORY=${NODE_MEMORY:-512MiB}
ROUNDS=${ROUNDS:-7}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CLIENTS=${CLIENTS:-32}
USERS=${USERS:-2000}
IMAGES=${IMAGES:-20000}
BASE_PORT=${BASE_PORT:-24800}
SCALELAB=${SCALELAB:-}
CLIENT_CORES=${CLIENT_CORES:-$(awk -v n="$(nproc)" -v c="$NODE_CPU" 'BEGIN { k = int(n - 4 * c); print (k < 1 ? 1 : k) }')}

command -v python3 >/dev/null || { echo "bench-scaleout: python3 is not installed" >&2; exit 1; }
. scripts/lib.sh
setup scaleout
shapes=(z1 z2 z4 x0 x2 p0 p2) # name: shards and replicas below; p runs the point-select mix
declare -A shards=([z1]=1 [z2]=2 [z4]=4 [x0]=1 [x2]=1 [p0]=1 [p2]=1) replicas=([z1]=0 [z2]=0 [z4]=0 [x0]=0 [x2]=2 [p0]=0 [p2]=2)
port=$BASE_PORT
for s in "${shapes[@]}"; do
  echo "== $s: ${shards[$s]} shard(s) x ${replicas[$s]} replica(s), $NODE_CPU cores and $NODE_MEMORY a node, port $port" >&2
  "$sl" up --dir "$tmp/$s" --shards "${shards[$s]}" --replicas "${replicas[$s]}" --base-port "$port" \
    --node-cpu "$NODE_CPU" --node-memory "$NODE_MEMORY" >/dev/null
  "$sl" load --topology "$tmp/$s/topology.yaml" --users "$USERS" --images "$IMAGES" --likes $((2 * IMAGES)) --indexes full >/dev/null 2>&1
  port=$((port + 10))
done

point="SELECT name FROM users WHERE id = {id:uniform(1,$USERS)}"
rename="UPDATE users SET name = CONCAT('user-', {n:uniform(1,1000000)}) WHERE id = {u:uniform(1,$USERS)}"
reads="SELECT id, name, path, dt FROM images WHERE user_id = {u:uniform(1,$USERS)} ORDER BY dt DESC LIMIT 10; SELECT * FROM users WHERE id = {u:uniform(1,$USERS)}; SELECT COUNT(*) FROM likes WHERE image_id = {i:uniform(1,$IMAGES)}"
mix="$reads; $reads; $reads; $rename"
pmix="$point"
for _ in 1 2 3 4 5 6 7 8; do pmix="$pmix; $point"; done
pmix="$pmix; $rename"

# run SHAPE QUERY: one run, its total QPS on stdout.
run() {
  GOMAXPROCS=$CLIENT_CORES "$sl" bench --target router --topology "$tmp/$1/topology.yaml" --concurrency "$CLIENTS" \
    --duration "${SECONDS_PER_RUN}s" --warmup 1s --query "$2" --format json >"$tmp/out.json" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
  python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["levels"][0]["total"]
if t["errors"]:
    sys.exit("scalelab bench: %d errors: %s" % (t["errors"], t["errors_by_kind"]))
print("%.1f" % t["qps"])' "$tmp/out.json"
}

# median "V1 V2 …" [FACTOR]: the median of the values, times FACTOR.
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk -v f="${2:-1}" '{ v[NR] = $1 } END { m = (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); printf "%.0f", f * m }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# spread SHAPE: the median of its rounds' ratios, and their range; 1.00
# for the shape the others are compared with.
spread() {
  [ -n "${ratios[$1]:-}" ] || { echo "1.00"; return; }
  tr ' ' '\n' <<<"${ratios[$1]}" | grep . | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}

# Shapes compared with each other run back to back in one round, their
# ratio taken within the round: this host has phases, tens of seconds
# long, in which every node spends up to twice its CPU per query, and a
# ratio of two runs seconds apart survives a phase that the ratio of two
# medians over the whole script does not (a lone shard that met the slow
# phase in three of its five rounds once made 4 shards 4.5 times as fast).
groups=("z1 z2 z4" "x0 x2" "p0 p2")
declare -A runs   # shape: its rounds' QPS, space-separated
declare -A ratios # shape: its rounds' QPS over its group's first shape's
for r in $(seq "$ROUNDS"); do
  for g in "${groups[@]}"; do
    read -ra gs <<<"$g"
    declare -A this=()
    # Each round starts the group at another shape, so no shape always
    # runs first.
    for k in $(seq 0 $((${#gs[@]} - 1))); do
      s=${gs[$(((k + r) % ${#gs[@]}))]}
      q=$point
      [[ $s == x* ]] && q=$mix
      [[ $s == p* ]] && q=$pmix
      qps=$(run "$s" "$q")
      echo "round $r  $s  $qps qps" >&2
      runs[$s]="${runs[$s]:-} $qps"
      this[$s]=$qps
    done
    for s in "${gs[@]:1}"; do
      ratios[$s]="${ratios[$s]:-} $(ratio "${this[$s]}" "${this[${gs[0]}]}")"
    done
    unset this
  done
done

echo
echo "Medians of $ROUNDS rounds of ${SECONDS_PER_RUN}s; a ratio is the median of the rounds' own ratios, its lowest and highest in brackets; the nodes on CPUs $(awk '/^  cpus:/ { gsub(/"/, "", $2); print $2; exit }' "$tmp/z4/topology.yaml")"
echo
echo "Z axis: targeted point selects through the router, $CLIENTS clients (GOMAXPROCS=$CLIENT_CORES), each node $NODE_CPU cores"
printf '%-7s | %9s | %-20s | %5s\n' shards qps "÷ 1 shard" ideal
printf '%s\n' "--------|-----------|---------------------|------"
for s in z1 z2 z4; do
  printf '%-7s | %9s | %-19s | %5s\n' "${shards[$s]}" "$(median "${runs[$s]}")" "$(spread "$s")" "${shards[$s]}.00"
done
echo
for mixname in x p; do
  if [ $mixname = x ]; then
    echo "X axis: the replicas lab's 90% read mix, read QPS, $CLIENTS clients, each node $NODE_CPU cores"
  else
    echo "X axis: 9 point selects and 1 update, read QPS, $CLIENTS clients, each node $NODE_CPU cores"
  fi
  printf '%-8s | %9s | %-20s | %5s\n' replicas "read qps" "÷ 0 replicas" ideal
  printf '%s\n' "---------|-----------|---------------------|------"
  for s in ${mixname}0 ${mixname}2; do
    printf '%-8s | %9s | %-19s | %5s\n' "${replicas[$s]}" "$(median "${runs[$s]}" 0.9)" "$(spread "$s")" "$((${replicas[$s]} > 0 ? ${replicas[$s]} : 1)).00"
  done
  echo
done
