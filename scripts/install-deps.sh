#!/usr/bin/env bash
# Installs what scalelab's sandbox and tests need and a fresh Debian/Ubuntu
# machine may lack: a MariaDB server and client, sysbench (the bench's
# anchor) and docker-compose (to validate docker-compose.yml). Anything
# already present is left alone; on other systems it only says what is
# missing.
set -euo pipefail

need=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || command -v mysqld >/dev/null 2>&1 || [ -n "${SCALELAB_MYSQLD:-}" ] || need+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
command -v mariadb-slap >/dev/null 2>&1 || need+=(mariadb-client)
command -v sysbench >/dev/null 2>&1 || need+=(sysbench)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  echo "installing with sudo: ${need[*]}" >&2
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing: ${need[*]} (install them with your package manager, e.g. brew install mysql sysbench)" >&2
fi
