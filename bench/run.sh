#!/bin/sh
# Benchmarks for the analysis engine on N (default 100,000) synthetic
# Fenshire responses, through the real command line.
# Run from the module root: sh bench/run.sh [N]
# Prints the Go benchmark of the analysis package, then the whole-process
# wall time and peak memory of `budgetgrid analyse` on a CSV file without
# and with 200 bootstrap replicates, then on 1,000,000 responses (skip with
# BENCH_1M=0), and, when Rscript with the survey
# package is installed, R's time for the same raking and lot shares on the
# same file, with the largest differences from the Go numbers.
set -eu
N=${1:-100000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "== go test -bench Analyse (in-memory records, GOMAXPROCS=$(nproc))"
go test ./analysis -run '^$' -bench 'Analyse' -benchtime 3x -benchmem
go build -o "$TMP/budgetgrid" ./cmd/budgetgrid
DEF=demo/fenshire/consultation.json
TARGETS=demo/fenshire/targets.csv
"$TMP/budgetgrid" responses simulate --definition demo/fenshire --n "$N" --seed 1 --out "$TMP/responses.csv"
echo "== budgetgrid analyse, whole process from a CSV of $N responses (raking on area x age_band x sex)"
for b in 0 200; do
	echo "-- --bootstrap $b"
	/usr/bin/time -f "   wall %e s, peak RSS %M KB" \
		"$TMP/budgetgrid" analyse --grid "$DEF" --responses "$TMP/responses.csv" --targets "$TARGETS" --renormalise-targets --bootstrap "$b" --out "$TMP/out$b"
done
if [ "${BENCH_1M:-1}" = 1 ] && [ "$N" -lt 1000000 ]; then
	echo "== budgetgrid analyse, whole process from a CSV of 1,000,000 responses (target <= 8 s, <= 1 GB)"
	"$TMP/budgetgrid" responses simulate --definition demo/fenshire --n 1000000 --seed 1 --out "$TMP/responses1m.csv"
	/usr/bin/time -f "   wall %e s, peak RSS %M KB" \
		"$TMP/budgetgrid" analyse --grid "$DEF" --responses "$TMP/responses1m.csv" --targets "$TARGETS" --renormalise-targets --out "$TMP/out1m"
	rm -f "$TMP/responses1m.csv"
fi
echo "== same raking and lot shares in Go and in R (respondents with every raking variable answered)"
# R's rake needs complete raking variables: keep rows whose area (with a
# target), age band and sex are answered. Columns 4-6 are area, age_band, sex.
awk -F, 'NR==1 || ($4!="" && $4!="outside" && $5!="" && $6!="")' "$TMP/responses.csv" > "$TMP/complete.csv"
/usr/bin/time -f "   Go: wall %e s, peak RSS %M KB" \
	"$TMP/budgetgrid" analyse --grid "$DEF" --responses "$TMP/complete.csv" --targets "$TARGETS" --renormalise-targets --out "$TMP/go"
if command -v Rscript >/dev/null 2>&1; then
	Rscript bench/r_bench.R "$TMP/complete.csv" "$TARGETS" "$TMP/go"
else
	echo "Rscript not installed: skipping the R comparison"
fi
