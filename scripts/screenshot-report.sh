#!/usr/bin/env bash
# screenshot-report.sh: render an HTML report and take a screenshot of it in
# headless Chromium, to see that the page and its SVG charts really render.
#
#   scripts/screenshot-report.sh                      # the sample report
#   scripts/screenshot-report.sh report.html          # any rendered page
#   OUT=page.png WIDTH=1280 HEIGHT=3000 scripts/screenshot-report.sh
#
# Without an argument it renders report/testdata/{lab,bench}.json with
# `scalelab report`. It prints the PNG's path. It exits 3 when no Chromium is
# installed (apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-${TMPDIR:-/tmp}/scalelab-report.png}
WIDTH=${WIDTH:-1280}
HEIGHT=${HEIGHT:-2400}
TIMEOUT=${TIMEOUT:-90}

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  echo "screenshot-report: no chromium on PATH: install it with apt-get install -y chromium" >&2
  exit 3
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/scalelab-screenshot.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
  page=$(realpath "$1")
else
  page="$work/report.html"
  go run ./cmd/scalelab report report/testdata/lab.json report/testdata/bench.json --html "$page" >&2
fi

# A fresh profile and no background traffic: the page must render offline.
# --no-sandbox because Chromium's sandbox refuses to run as root.
rm -f "$OUT"
if ! timeout "$TIMEOUT" "$browser" --headless --no-sandbox --disable-gpu \
  --disable-background-networking --disable-component-update --disable-sync \
  --no-first-run --no-default-browser-check --hide-scrollbars \
  --force-device-scale-factor=1 --user-data-dir="$work/profile" \
  --window-size="$WIDTH,$HEIGHT" --screenshot="$OUT" "file://$page" \
  >"$work/chromium.log" 2>&1; then
  echo "screenshot-report: $browser failed:" >&2
  cat "$work/chromium.log" >&2
  exit 1
fi
if [ ! -s "$OUT" ]; then
  echo "screenshot-report: $browser wrote no screenshot:" >&2
  cat "$work/chromium.log" >&2
  exit 1
fi
echo "$OUT"
