#!/usr/bin/env bash
# The store figures of issue 9, side by side in one run:
#   completed journeys per second and lot-page p50/p99 through HTTP for
#   (a) one server on SQLite, (b) one server on PostgreSQL, (c) three
#   `budgetgrid serve` processes on one PostgreSQL database, residents spread
#   over them; then completions per second at each store against its own
#   single-commit limit.
# Usage: bench/store.sh POSTGRES_URL [N] [C]
#   POSTGRES_URL names a server whose user may create databases
#   (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable);
#   the script makes and drops databases bench_b, bench_c and bench_s.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?usage: bench/store.sh POSTGRES_URL [N] [C]}
n=${2:-2000}
c=${3:-16}
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
# with_db URL NAME: the URL with its database replaced by NAME.
with_db() { echo "$1" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$2#"; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in bench_b bench_c bench_s; do "$psql" -q "$url" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for d in bench_b bench_c bench_s; do
  "$psql" -q "$url" -c "DROP DATABASE IF EXISTS $d" >/dev/null
  "$psql" -q "$url" -c "CREATE DATABASE $d" >/dev/null
done
go build -o "$work/budgetgrid" ./cmd/budgetgrid
go build -o "$work/journey" ./bench/journey
go build -o "$work/store" ./bench/store

echo "== (a) one server on SQLite"
"$work/journey" -n "$n" -c "$c" | tee "$work/a.txt"
echo "== (b) one server on PostgreSQL"
"$work/journey" -n "$n" -c "$c" -db "$(with_db "$url" bench_b)" | tee "$work/b.txt"

echo "== (c) three budgetgrid serve processes on one PostgreSQL database"
pc=$(with_db "$url" bench_c)
targets=""
for port in 18081 18082 18083; do
  "$work/budgetgrid" serve --db "$pc" --addr "127.0.0.1:$port" --trust-proxy >"$work/serve-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  targets+="${targets:+,}http://127.0.0.1:$port"
done
"$work/journey" -n "$n" -c "$c" -targets "$targets" | tee "$work/c.txt"

echo "== completions at the store against one commit per completion"
"$work/store" -n "$n" -c 64 -postgres "$(with_db "$url" bench_s)" | tee "$work/s.txt"

echo
echo "== summary ($n journeys, $c concurrent clients; $(nproc) cores)"
printf '%-42s %18s %s\n' "setup" "completed/s" "lot page"
for x in a:"(a) 1 server, SQLite" b:"(b) 1 server, PostgreSQL" c:"(c) 3 processes, one PostgreSQL"; do
  f=${x%%:*}; label=${x#*:}
  rate=$(sed -nE 's/.*= ([0-9]+) completed responses\/s.*/\1/p' "$work/$f.txt")
  lot=$(sed -nE 's/^lot page: .*: (p50 [^,]+, p99 [^,]+),.*/\1/p' "$work/$f.txt")
  printf '%-42s %16s/s %s\n' "$label" "$rate" "$lot"
done
