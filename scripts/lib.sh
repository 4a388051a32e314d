# lib.sh: the start and the end that the bench scripts share. Source it
# from a script that has changed to the repository root:
#
#   . scripts/lib.sh
#   setup failover    # sets $tmp, and $sl: $SCALELAB, or scalelab built into $tmp
#
# On exit every process in $pids is killed, every sandbox under $tmp is
# stopped and deleted, and $tmp is removed.

pids=()

setup() {
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/scalelab-$1.XXXXXX")
  sl=${SCALELAB:-$tmp/scalelab}
  trap cleanup EXIT
  if [ -z "${SCALELAB:-}" ]; then
    echo "== building scalelab" >&2
    go build -o "$sl" ./cmd/scalelab
  fi
}

# read_topology TOPOLOGY: sets user, pass and db (the topology's
# application user and database), primary and replica (host:port of the
# first shard's primary and of its first replica) and socket (that
# replica's unix socket, empty when the topology lists none).
read_topology() {
  local topo=$1
  field() { awk -v sec="$1" -v key="$2" '$0 ~ "^"sec":" {s=1; next} s && /^[^ ]/ {s=0} s && $1 == key":" {print $2; exit}' "$topo"; }
  user=$(field user name)
  pass=$(field user password)
  db=$(awk '/^database:/ {print $2}' "$topo")
  primary=$(awk '$1 == "primary:" {print $2; exit}' "$topo")
  replica=$(awk '$1 == "replicas:" {getline; print $2; exit}' "$topo")
  socket=$(awk -v a="$replica:" '$1 == a {print $2; exit}' "$topo")
}

# stop_all kills the processes in $pids, and stops and deletes every
# sandbox under $tmp.
stop_all() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
  for d in "$tmp"/*/; do
    if [ -f "$d/state.json" ] && [ -x "$sl" ]; then
      "$sl" down --purge --dir "$d" >/dev/null 2>&1 || true
    fi
  done
}

cleanup() {
  stop_all
  rm -rf "$tmp"
}
