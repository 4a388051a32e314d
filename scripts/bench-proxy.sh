#!/usr/bin/env bash
# bench-proxy.sh: how much does `scalelab proxy` cost next to a plain TCP
# relay? sysbench oltp_point_select runs against one replica three ways,
# interleaved in one run so that all three see the same machine load:
#
#   direct   straight at the replica, over TCP as sysbench's -h does
#   haproxy  through haproxy in TCP mode with one thread: a relay that
#            copies bytes and parses nothing, the cheapest extra hop; it
#            relays to the replica's unix socket, as the proxy reaches it
#   proxy    through scalelab proxy, which parses every statement and
#            routes it (the read goes to the same replica); it runs on
#            PROXY_THREADS threads (default 1, as haproxy's one), which on
#            this 2-core machine also cost it 15% less CPU per statement
#            than one per core (38-42 against 47-49 µs at 16 threads)
#
# at 4 and 16 threads, in text mode (--db-ps-mode=disable) and prepared
# mode (server-side prepared statements, sysbench's default), over a
# sandbox of one shard and one of two shards (sbtest1 is unsharded, so it
# lives on the first shard either way; the second shard only gives the
# router more to keep). The figure that matters is proxy / haproxy. Each
# hop's CPU time a statement (user + system, from /proc, over the run) is
# printed beside it: on this machine the three sides share two cores with
# sysbench and the server, so a hop's QPS follows its CPU a statement.
# The part of it in user space is printed too: the system calls and the
# wake-ups they cause cost every hop about the same, so the gap between
# two hops is mostly there.
#
#   scripts/bench-proxy.sh
#   TIME=10 ROUNDS=2 SHARDS="1" MODES=text scripts/bench-proxy.sh
#
# With FULL=1 a fourth side runs interleaved with the others: a second
# proxy with --relay=false (on PROXY_PORT+2), whose every read takes the
# full path (rows decoded and encoded again), to show what the relay saves.
#
# With BASELINE=path/to/another/scalelab a fifth side runs interleaved: a
# proxy of that build (on PROXY_PORT+3), for a change's effect measured
# side by side rather than across runs; the table adds proxy / baseline.
#
# With GORELAY=1 a sixth side runs interleaved: scripts/gorelay (on
# PROXY_PORT+4), the plainest relay Go's net package makes (a goroutine
# per direction, read then write, GOMAXPROCS=1), to the same socket: what
# the Go runtime's goroutines and network poller cost a statement before
# any routing, next to haproxy's event loop in C.
#
# With EPOLLRELAY=1 a seventh side runs interleaved: scripts/gorelay
# -epoll (on PROXY_PORT+5), the same relay as one goroutine that waits in
# epoll_wait(2) itself and calls read(2) and write(2) on the ready
# sockets, as haproxy's loop does: what a Go event loop costs, the bound
# for an event-loop redesign of the proxy's relay.
#
# Env: TIME (seconds per run, default 6), ROUNDS (default 1), WARMUP
# (seconds of an unmeasured run per side and mode before the rounds, at
# the most threads; default 3, 0 for none), SHARDS
# (default "1 2"), MODES (default "text prepared"), THREADS (default
# "4 16"), TABLE_SIZE (default 10000), BASE_PORT (the sandboxes' first
# port, default 24800), PROXY_PORT (default 16033), RELAY_PORT (default
# 16034), PROXY_THREADS (scalelab proxy --threads; default 1), GORELAY, EPOLLRELAY, SCALELAB
# (a scalelab binary; default: built from ./cmd/scalelab).
set -euo pipefail
cd "$(dirname "$0")/.."

TIME=${TIME:-6}
ROUNDS=${ROUNDS:-1}
SHARDS=${SHARDS:-"1 2"}
MODES=${MODES:-"text prepared"}
THREADS=${THREADS:-"4 16"}
WARMUP=${WARMUP:-3}
maxthreads=$(echo $THREADS | tr ' ' '\n' | sort -n | tail -1)
TABLE_SIZE=${TABLE_SIZE:-10000}
BASE_PORT=${BASE_PORT:-24800}
PROXY_PORT=${PROXY_PORT:-16033}
RELAY_PORT=${RELAY_PORT:-16034}
PROXY_THREADS=${PROXY_THREADS:-1}
FULL=${FULL:-0}
FULL_PORT=$((PROXY_PORT + 2))
BASELINE=${BASELINE:-}
BASE_PROXY_PORT=$((PROXY_PORT + 3))
GORELAY=${GORELAY:-0}
GORELAY_PORT=$((PROXY_PORT + 4))
EPOLLRELAY=${EPOLLRELAY:-0}
EPOLLRELAY_PORT=$((PROXY_PORT + 5))
sides="direct haproxy proxy"
[ "$FULL" = 1 ] && sides="$sides full"
[ -n "$BASELINE" ] && sides="$sides baseline"
[ "$GORELAY" = 1 ] && sides="$sides gorelay"
[ "$EPOLLRELAY" = 1 ] && sides="$sides epollrelay"
if [ -n "$BASELINE" ] && [ ! -x "$BASELINE" ]; then
  echo "bench-proxy: BASELINE=$BASELINE is not an executable scalelab" >&2
  exit 1
fi

for tool in sysbench haproxy awk; do
  command -v "$tool" >/dev/null || { echo "bench-proxy: $tool is not installed (apt-get install -y sysbench haproxy)" >&2; exit 1; }
done

. scripts/lib.sh
setup proxy
if [ "$GORELAY" = 1 ] || [ "$EPOLLRELAY" = 1 ]; then
  echo "== building scripts/gorelay" >&2
  go build -o "$tmp/gorelay" ./scripts/gorelay
fi

declare -A qps p50 cpu ucpu cpu_pid
# ticks PID: the CPU time (user + system) the process has used, in clock
# ticks; hz ticks a second.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# uticks PID: the part of it in user space (the hop's own code, where
# ticks less uticks is the kernel's: its system calls and wake-ups).
uticks() { awk '{print $14}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
for shards in $SHARDS; do
  dir=$tmp/sandbox.$shards
  echo "== $shards shard(s): starting a sandbox on port $BASE_PORT" >&2
  "$sl" up --dir "$dir" --shards "$shards" --replicas 1 --base-port "$BASE_PORT" --no-tables >/dev/null
  topo=$dir/topology.yaml
  # The proxy reaches the replica through its unix socket, which the
  # topology lists (shards[].sockets); haproxy relays to the same socket,
  # so that both hops end alike.
  read_topology "$topo"

  sb() { # host:port threads extra...
    local hp=$1 threads=$2
    shift 2
    sysbench oltp_point_select --mysql-host="${hp%:*}" --mysql-port="${hp##*:}" \
      --mysql-user="$user" --mysql-password="$pass" --mysql-db="$db" \
      --tables=1 --table-size="$TABLE_SIZE" --threads="$threads" "$@"
  }
  sb "$primary" 1 prepare >/dev/null
  "$sl" status --topology "$topo" >/dev/null 2>&1 || true

  cat >"$tmp/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 1000
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen relay
  bind 127.0.0.1:$RELAY_PORT
  server replica ${socket:-$replica}
EOF
  haproxy -f "$tmp/haproxy.cfg" -db >"$tmp/haproxy.log" 2>&1 &
  pids+=($!)
  cpu_pid[haproxy]=$!
  waits="127.0.0.1:$RELAY_PORT"
  # proxy_side SIDE BINARY PORT [FLAGS...]: a scalelab proxy as one side.
  proxy_side() {
    local side=$1 bin=$2 port=$3
    shift 3
    "$bin" proxy --topology "$topo" --listen "127.0.0.1:$port" --metrics - --threads "$PROXY_THREADS" "$@" >"$tmp/$side.log" 2>&1 &
    pids+=($!)
    cpu_pid[$side]=$!
    waits="$waits 127.0.0.1:$port"
  }
  proxy_side proxy "$sl" "$PROXY_PORT"
  [ "$FULL" = 1 ] && proxy_side full "$sl" "$FULL_PORT" --relay=false
  [ -n "$BASELINE" ] && proxy_side baseline "$BASELINE" "$BASE_PROXY_PORT"
  if [ "$GORELAY" = 1 ]; then
    GOMAXPROCS=1 "$tmp/gorelay" "127.0.0.1:$GORELAY_PORT" "${socket:-$replica}" >"$tmp/gorelay.log" 2>&1 &
    pids+=($!)
    cpu_pid[gorelay]=$!
    waits="$waits 127.0.0.1:$GORELAY_PORT"
  fi
  if [ "$EPOLLRELAY" = 1 ]; then
    GOMAXPROCS=1 "$tmp/gorelay" -epoll "127.0.0.1:$EPOLLRELAY_PORT" "${socket:-$replica}" >"$tmp/epollrelay.log" 2>&1 &
    pids+=($!)
    cpu_pid[epollrelay]=$!
    waits="$waits 127.0.0.1:$EPOLLRELAY_PORT"
  fi
  for hp in $waits; do
    for _ in $(seq 100); do
      sb "$hp" 1 --time=0 --events=1 run >/dev/null 2>&1 && break
      sleep 0.1
    done
    sb "$hp" 1 --time=0 --events=1 run >/dev/null 2>&1 || { cat "$tmp"/*.log >&2; exit 1; }
  done

  # side_addr SIDE: the host:port sysbench connects to for that side.
  side_addr() {
    case $1 in
      direct) echo "$replica" ;;
      haproxy) echo "127.0.0.1:$RELAY_PORT" ;;
      proxy) echo "127.0.0.1:$PROXY_PORT" ;;
      full) echo "127.0.0.1:$FULL_PORT" ;;
      baseline) echo "127.0.0.1:$BASE_PROXY_PORT" ;;
      gorelay) echo "127.0.0.1:$GORELAY_PORT" ;;
      epollrelay) echo "127.0.0.1:$EPOLLRELAY_PORT" ;;
    esac
  }
  # ps_mode MODE: sysbench's --db-ps-mode for a mode of this script.
  ps_mode() { if [ "$1" = prepared ]; then echo auto; else echo disable; fi; }

  # A warm-up run for every side in every mode, unmeasured, as sysbench's
  # --warmup-time: the proxy's caches (classified texts, prepared
  # statements, the relay's logged-in connections) start cold, haproxy
  # has none, and the first measured cell would carry that.
  if [ "$WARMUP" -gt 0 ]; then
    for mode in $MODES; do
      for side in $sides; do
        sb "$(side_addr "$side")" "$maxthreads" --time="$WARMUP" --db-ps-mode="$(ps_mode "$mode")" run >/dev/null
      done
    done
  fi

  for r in $(seq "$ROUNDS"); do
    for mode in $MODES; do
      ps=$(ps_mode "$mode")
      for th in $THREADS; do
        # Every other round runs the sides in reverse, so that none always
        # runs right after another (and after its warm caches, or its
        # load).
        order=$sides
        [ $((r % 2)) = 0 ] && order=$(echo "$sides" | awk '{for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "")}')
        for side in $order; do
          hp=$(side_addr "$side")
          pid=${cpu_pid[$side]:-}
          [ -n "$pid" ] && t0=$(ticks "$pid") && u0=$(uticks "$pid")
          read -r q n p < <(sb "$hp" "$th" --time="$TIME" --db-ps-mode="$ps" --percentile=50 run |
            awk '/queries:/ {gsub(/[()]/, "", $3); q = $3; n = $2} /50th percentile:/ {p = $3} END {print q, n, p}')
          k=$shards/$mode/$th/$side
          qps[$k]="${qps[$k]:-} $q"
          p50[$k]="${p50[$k]:-} $p"
          us=""
          if [ -n "$pid" ]; then
            us=$(awk -v t="$(( $(ticks "$pid") - t0 ))" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
            cpu[$k]="${cpu[$k]:-} $us"
            ucpu[$k]="${ucpu[$k]:-} $(awk -v t="$(( $(uticks "$pid") - u0 ))" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')"
            us=", $us µs CPU a statement"
          fi
          echo "round $r  $shards shard(s)  $mode  threads $th  $side: $q qps, p50 $p ms$us" >&2
        done
      done
    done
  done
  stop_all
done

mean() { echo "$1" | awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.3f", s / NF}'; }
printf '\nsysbench oltp_point_select, %s round(s) x %ss per cell; haproxy: TCP mode, 1 thread, to %s; scalelab proxy --threads %s\n\n' "$ROUNDS" "$TIME" "$([ -n "${socket:-}" ] && echo "the replica's unix socket" || echo "the replica's TCP port")" "$PROXY_THREADS"
fullhead='' fullsep=''
if [ "$FULL" = 1 ]; then
  fullhead=' full path QPS | full / haproxy | full CPU µs |' fullsep='---:|---:|---:|'
fi
if [ -n "$BASELINE" ]; then
  fullhead="$fullhead baseline QPS | **proxy / baseline** | baseline CPU µs |" fullsep="$fullsep---:|---:|---:|"
fi
if [ "$GORELAY" = 1 ]; then
  fullhead="$fullhead Go relay QPS | proxy / Go relay | Go relay CPU µs |" fullsep="$fullsep---:|---:|---:|"
fi
if [ "$EPOLLRELAY" = 1 ]; then
  fullhead="$fullhead Go epoll relay QPS | **epoll relay / haproxy** | proxy / epoll relay | epoll relay CPU µs |" fullsep="$fullsep---:|---:|---:|---:|"
fi
printf '| shards | mode | threads | direct QPS | haproxy QPS | proxy QPS | haproxy / direct | proxy / direct | **proxy / haproxy** | p50 ms direct | haproxy | proxy | CPU µs a statement: haproxy | proxy | of it in user space: haproxy | proxy |%s\n' "$fullhead"
printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s\n' "$fullsep"
for shards in $SHARDS; do
  for mode in $MODES; do
    for th in $THREADS; do
      k=$shards/$mode/$th
      fq=0
      [ "$FULL" = 1 ] && fq=$(mean "${qps[$k/full]}")
      bq=0 bc=0
      [ -n "$BASELINE" ] && bq=$(mean "${qps[$k/baseline]}") && bc=$(mean "${cpu[$k/baseline]}")
      gq=0 gc=0
      [ "$GORELAY" = 1 ] && gq=$(mean "${qps[$k/gorelay]}") && gc=$(mean "${cpu[$k/gorelay]}")
      eq=0 ec=0
      [ "$EPOLLRELAY" = 1 ] && eq=$(mean "${qps[$k/epollrelay]}") && ec=$(mean "${cpu[$k/epollrelay]}")
      awk -v s="$shards" -v m="$mode" -v th="$th" -v full="$FULL" -v fq="$fq" -v base="${BASELINE:+1}" -v bq="$bq" -v bc="$bc" -v gorelay="$GORELAY" -v gq="$gq" -v gc="$gc" \
        -v epoll="$EPOLLRELAY" -v eq="$eq" -v ec="$ec" \
        -v dq="$(mean "${qps[$k/direct]}")" -v hq="$(mean "${qps[$k/haproxy]}")" -v pq="$(mean "${qps[$k/proxy]}")" \
        -v dp="$(mean "${p50[$k/direct]}")" -v hp="$(mean "${p50[$k/haproxy]}")" -v pp="$(mean "${p50[$k/proxy]}")" \
        -v hu="$(mean "${ucpu[$k/haproxy]}")" -v pu="$(mean "${ucpu[$k/proxy]}")" \
        -v hc="$(mean "${cpu[$k/haproxy]}")" -v pc="$(mean "${cpu[$k/proxy]}")" -v fc="$([ "$FULL" = 1 ] && mean "${cpu[$k/full]}" || echo 0)" \
        'BEGIN {printf "| %s | %s | %s | %.0f | %.0f | %.0f | %.2f | %.2f | **%.2f** | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f |", s, m, th, dq, hq, pq, hq / dq, pq / dq, pq / hq, dp, hp, pp, hc, pc, hu, pu
          if (full == 1) printf " %.0f | %.2f | %.1f |", fq, fq / hq, fc
          if (base == 1) printf " %.0f | **%.2f** | %.1f |", bq, pq / bq, bc
          if (gorelay == 1) printf " %.0f | %.2f | %.1f |", gq, pq / gq, gc
          if (epoll == 1) printf " %.0f | **%.2f** | %.2f | %.1f |", eq, eq / hq, pq / eq, ec
          printf "\n"}'
    done
  done
done
