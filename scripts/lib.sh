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
