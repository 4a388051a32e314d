#!/usr/bin/env bash
# bench-load.sh: how fast does `scalelab load` fill a 4-shard sandbox, by each
# method, next to the mariadb command-line client's LOAD DATA LOCAL INFILE of
# the same likes rows as a CSV file into one server?
#
#   scripts/bench-load.sh                  # 10k users, 100k images, 1M likes
#   LIKES=100000 IMAGES=10000 USERS=1000 scripts/bench-load.sh
#
# It starts its own sandbox on ports 24600-24603 in a temp dir, and stops and
# deletes it on exit. Loads run with --indexes none, so every rate counts
# rows into tables with a primary key only, as the CLI's load does.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${USERS:-10000}
IMAGES=${IMAGES:-100000}
LIKES=${LIKES:-1000000}
SEED=${SEED:-1}
BASE_PORT=${BASE_PORT:-24600}

dir=$(mktemp -d "${TMPDIR:-/tmp}/scalelab-bench-load.XXXXXX")
cleanup() {
  go run ./cmd/scalelab down --purge --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "== starting a 4-shard sandbox in $dir" >&2
go run ./cmd/scalelab up --dir "$dir" --shards 4 --replicas 0 --base-port "$BASE_PORT" >/dev/null
topo="$dir/topology.yaml"
go build -o "$dir/scalelab" ./cmd/scalelab

# The admin user's credentials, for the mariadb client, in a defaults file
# so that the password is not on any command line.
awk '
  /^[a-z]/      { admin = ($1 == "admin:") }
  admin && $1 == "name:"     { print "user=" $2 }
  admin && $1 == "password:" { print "password=" $2 }
' "$topo" | { echo "[client]"; echo "host=127.0.0.1"; cat; } >"$dir/client.cnf"
chmod 600 "$dir/client.cnf"
db=$(awk '$1 == "database:" { print $2 }' "$topo")
ports=$(awk '$1 == "primary:" { n = split($2, a, ":"); print a[n] }' "$topo")
first_port=$(echo "$ports" | head -n1)
sql() { mariadb --defaults-extra-file="$dir/client.cnf" "$@"; }

declare -A rate
for method in insert infile; do
  echo "== scalelab load --method $method: $USERS users, $IMAGES images, $LIKES likes into 4 shards" >&2
  "$dir/scalelab" load --topology "$topo" --drop --indexes none --method "$method" \
    --users "$USERS" --images "$IMAGES" --likes "$LIKES" --seed "$SEED" \
    >"$dir/$method.out" 2>"$dir/$method.err" || { cat "$dir/$method.err" >&2; exit 1; }
  cat "$dir/$method.err" "$dir/$method.out" >&2
  # stderr is not a terminal here, so load prints "likes: N rows in D (R rows/s)".
  rate[$method]=$(sed -n 's/^likes: .*(\([0-9]*\) rows\/s)$/\1/p' "$dir/$method.err")
done

# The same rows by scalelab into one server (shard 0's), as the client loads
# them: a topology of one shard "0" there, in its own database.
single="$dir/single.yaml"
awk -v port="$first_port" '
  $1 == "database:" { print "database: bench_single"; next }
  $1 == "shards:" { print; print "  - name: \"0\""; print "    primary: 127.0.0.1:" port; skip = 1; next }
  skip && /^  / { next }
  { skip = 0; print }
' "$topo" >"$single"
sql -P "$first_port" -e "CREATE DATABASE IF NOT EXISTS bench_single"
echo "== scalelab load --method infile into 1 server" >&2
"$dir/scalelab" load --topology "$single" --drop --indexes none --method infile \
  --users "$USERS" --images "$IMAGES" --likes "$LIKES" --seed "$SEED" \
  >"$dir/single.out" 2>"$dir/single.err" || { cat "$dir/single.err" >&2; exit 1; }
cat "$dir/single.err" "$dir/single.out" >&2
rate[single]=$(sed -n 's/^likes: .*(\([0-9]*\) rows\/s)$/\1/p' "$dir/single.err")

echo "== exporting the likes rows from the 4 shards as CSV" >&2
csv="$dir/likes.csv"
: >"$csv"
for port in $ports; do
  sql -P "$port" --batch --skip-column-names "$db" \
    -e 'SELECT id, image_id, user_id, dt FROM likes' | tr '\t' ',' >>"$csv"
done
rows=$(wc -l <"$csv")

echo "== mariadb client: LOAD DATA LOCAL INFILE of $rows rows into one server" >&2
sql -P "$first_port" -e "DROP DATABASE IF EXISTS bench_cli; CREATE DATABASE bench_cli; CREATE TABLE bench_cli.likes LIKE \`$db\`.likes"
start=$(date +%s.%N)
sql -P "$first_port" --local-infile=1 bench_cli \
  -e "LOAD DATA LOCAL INFILE '$csv' INTO TABLE likes FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n' (id, image_id, user_id, dt)"
end=$(date +%s.%N)
loaded=$(sql -P "$first_port" --batch --skip-column-names -e 'SELECT COUNT(*) FROM bench_cli.likes')
[ "$loaded" = "$rows" ] || { echo "the client loaded $loaded of $rows rows" >&2; exit 1; }
cli=$(awk -v n="$rows" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')

echo
echo "likes rows/s, $LIKES likes"
printf '  %-50s %8s rows/s\n' "scalelab load --method insert, 4 shards" "${rate[insert]}"
printf '  %-50s %8s rows/s\n' "scalelab load --method infile, 4 shards" "${rate[infile]}"
printf '  %-50s %8s rows/s\n' "scalelab load --method infile, 1 server" "${rate[single]}"
printf '  %-50s %8s rows/s\n' "mariadb client LOAD DATA LOCAL INFILE, 1 server" "$cli"
awk -v i="${rate[insert]}" -v f="${rate[infile]}" -v s="${rate[single]}" -v c="$cli" 'BEGIN {
  printf "  infile/insert (4 shards): %.2fx\n", f / i
  printf "  scalelab infile 1 server / client 1 server: %.2fx\n", s / c
  printf "  scalelab infile 4 shards / client 1 server: %.2fx   insert 4 shards / client: %.2fx\n", f / c, i / c
}'
