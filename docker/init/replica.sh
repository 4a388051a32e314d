#!/bin/sh
# Runs once on each replica's first start: replicate from $SOURCE_HOST with
# GTID auto-positioning, which fetches the primary's users and databases too.
set -eu
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST='${SOURCE_HOST}', SOURCE_PORT=3306,
  SOURCE_USER='scalelab_repl', SOURCE_PASSWORD='scalelab-repl',
  SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=2;
START REPLICA;
SQL
