#!/usr/bin/env bash
# Store scale figures: peak memory of `responses import` and `responses
# export`, and the time to an export's first row, at two sizes on SQLite
# (and on PostgreSQL when a URL is given), so that flat memory shows as the
# same peak at 10x the rows.
# Usage: bench/scale.sh [SMALL] [LARGE] [POSTGRES_URL]
#   POSTGRES_URL names a server whose user may create databases; the
#   script makes and drops bench_scale_N databases.
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-20000}
large=${2:-200000}
pg=${3:-}
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)
with_db() { echo "$1" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$2#"; }
work=$(mktemp -d)
cleanup() {
  if [ -n "$pg" ]; then for n in "$small" "$large"; do "$psql" -q "$pg" -c "DROP DATABASE IF EXISTS bench_scale_$n" >/dev/null 2>&1 || true; done; fi
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/budgetgrid" ./cmd/budgetgrid
bg="$work/budgetgrid"

# peak CMD...: runs CMD and prints "seconds peak-MB".
peak() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null
  awk '{printf "%.2f s, %.0f MB peak", $1, $2/1024}' "$work/time"
}
# first_row DB: seconds until the export's header and first row are out.
first_row() {
  local start end
  start=$(date +%s.%N)
  "$bg" responses export fenshire-2027 --db "$1" | head -n 2 >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.0f ms", (b-a)*1000}'
}

printf '%-12s %9s  %-28s %-28s %s\n' store rows import export "export first row"
for n in "$small" "$large"; do
  csv="$work/r$n.csv"
  "$bg" responses simulate --definition demo/fenshire --n "$n" --seed 7 --out "$csv"
  dbs=("$work/s$n.db")
  if [ -n "$pg" ]; then
    "$psql" -q "$pg" -c "DROP DATABASE IF EXISTS bench_scale_$n" >/dev/null
    "$psql" -q "$pg" -c "CREATE DATABASE bench_scale_$n" >/dev/null
    dbs+=("$(with_db "$pg" "bench_scale_$n")")
  fi
  for db in "${dbs[@]}"; do
    kind=SQLite; case "$db" in postgres*) kind=PostgreSQL;; esac
    "$bg" consultation import demo/fenshire --db "$db" >/dev/null
    imp=$(peak "$bg" responses import fenshire-2027 "$csv" --db "$db")
    exp=$(peak "$bg" responses export fenshire-2027 --db "$db" --out "$work/out.csv")
    if ! cmp -s <(sort "$csv") <(sort "$work/out.csv"); then echo "the export of $kind differs from the file imported" >&2; exit 1; fi
    printf '%-12s %9d  %-28s %-28s %s\n' "$kind" "$n" "$imp" "$exp" "$(first_row "$db")"
  done
done
