#!/bin/sh
# Benchmarks for the analysis engine on 100,000 synthetic Fenshire responses.
# Run from the module root: sh bench/run.sh [N]
# Prints the Go benchmark, the whole-process timings of `fenshire analyse`
# (read CSV, rake on area × age_band × sex, every table, write CSVs) without
# and with 200 bootstrap replicates, and, when Rscript with the survey
# package is installed, R's time for the same raking and lot shares on the
# same file with the largest differences from the Go numbers.
set -eu
N=${1:-100000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "== go test -bench Analyse (in-memory records, GOMAXPROCS=$(nproc))"
go test ./analysis -run '^$' -bench 'Analyse' -benchtime 3x -benchmem
go build -o "$TMP/fenshire" ./bench/fenshire
"$TMP/fenshire" gen -n "$N" -seed 1 -out "$TMP/responses.csv"
"$TMP/fenshire" gen -n "$N" -seed 1 -complete -out "$TMP/complete.csv"
echo "== whole process from CSV"
for b in 0 200; do
	/usr/bin/time -f "   wall %e s, max RSS %M KB" "$TMP/fenshire" analyse -responses "$TMP/responses.csv" -bootstrap "$b"
done
echo "== same raking and lot shares in Go and in R (complete raking variables)"
"$TMP/fenshire" analyse -responses "$TMP/complete.csv" -out "$TMP/go"
if command -v Rscript >/dev/null 2>&1; then
	Rscript bench/r_bench.R "$TMP/complete.csv" analysis/testdata/targets.csv "$TMP/go"
else
	echo "Rscript not installed: skipping the R comparison"
fi
