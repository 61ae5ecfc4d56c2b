// Command fenshire makes and analyses synthetic Fenshire responses for the
// benchmarks in bench/ (see bench/README.md).
//
//	go run ./bench/fenshire gen -n 100000 -seed 1 [-complete] -out FILE.csv
//	go run ./bench/fenshire analyse -responses FILE.csv [-bootstrap 200] [-out DIR]
//
// Both read the Fenshire grid and targets from analysis/testdata. analyse
// times the whole process (read the grid, targets and responses, analyse,
// write the CSV tables) and prints the wall time and peak resident memory.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/grid"
)

var (
	plan      = grid.LotPlan{Budgets: []int{62, 69, 77, 85}, Additive: true}
	questions = []analysis.Question{
		{Key: "area", Options: []string{"fenchester", "marshby", "eastwold", "southfen", "wyke_vale", "outside", "prefer_not_to_say"}},
		{Key: "age_band", Options: []string{"16-34", "35-54", "55-74", "75+", "prefer_not_to_say"}},
		{Key: "sex", Options: []string{"female", "male", "prefer_not_to_say"}},
		{Key: "children", Options: []string{"yes", "no", "prefer_not_to_say"}},
		{Key: "care", Options: []string{"yes", "no", "prefer_not_to_say"}},
	}
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fenshire gen|analyse [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "analyse":
		err = analyse(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fenshire:", err)
		os.Exit(1)
	}
}

func load(data string) (*grid.Grid, *analysis.Targets, error) {
	g, err := grid.ReadSheetFile(filepath.Join(data, "grid.csv"))
	if err != nil {
		return nil, nil, err
	}
	fh, err := os.Open(filepath.Join(data, "targets.csv"))
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	t, err := analysis.ReadTargets(fh)
	return g, &t, err
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("n", 100000, "number of responses")
	seed := fs.Int64("seed", 1, "seed")
	complete := fs.Bool("complete", false, "keep only responses whose area, age band and sex all have targets (R's rake needs complete data)")
	out := fs.String("out", "", "output CSV")
	data := fs.String("data", "analysis/testdata", "folder with grid.csv and targets.csv")
	fs.Parse(args)
	g, tg, err := load(*data)
	if err != nil {
		return err
	}
	fh, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer fh.Close()
	bw := bufio.NewWriter(fh)
	layout := grid.WideLayout{Lots: len(plan.Budgets)}
	for _, q := range questions {
		layout.Questions = append(layout.Questions, q.Key)
	}
	ww, err := grid.NewWideWriter(bw, g, layout)
	if err != nil {
		return err
	}
	written := 0
	for batch := int64(0); written < *n; batch++ {
		for _, r := range analysis.Simulate(g, plan, questions, *n, *seed+batch*1_000_003) {
			if written == *n {
				break
			}
			if *complete && !hasTargets(r, tg) {
				continue
			}
			if err := ww.Write(r); err != nil {
				return err
			}
			written++
		}
	}
	if err := ww.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

func hasTargets(r grid.Record, tg *analysis.Targets) bool {
	for _, v := range tg.Variables {
		ok := false
		for _, c := range v.Categories {
			ok = ok || r.About[v.Name] == c
		}
		if !ok {
			return false
		}
	}
	return true
}

func analyse(args []string) error {
	fs := flag.NewFlagSet("analyse", flag.ExitOnError)
	responses := fs.String("responses", "", "wide responses CSV")
	reps := fs.Int("bootstrap", 0, "bootstrap replicates")
	out := fs.String("out", "", "folder for the CSV tables (default: a temporary folder)")
	data := fs.String("data", "analysis/testdata", "folder with grid.csv and targets.csv")
	by := fs.String("by", "", "segment variables, comma-separated")
	fs.Parse(args)
	start := time.Now()
	g, tg, err := load(*data)
	if err != nil {
		return err
	}
	fh, err := os.Open(*responses)
	if err != nil {
		return err
	}
	_, recs, err := grid.ReadWide(*responses, bufio.NewReaderSize(fh, 1<<20), g)
	fh.Close()
	if err != nil {
		return err
	}
	read := time.Since(start)
	opt := analysis.Options{Targets: tg, Bootstrap: *reps, Seed: 1}
	if *by != "" {
		opt.By = strings.Split(*by, ",")
	}
	rep, err := analysis.Analyse(analysis.Input{Grid: g, Plan: plan, Questions: questions, Records: recs}, opt)
	if err != nil {
		return err
	}
	analysed := time.Since(start)
	dir := *out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fenshire-tables"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	if err := rep.WriteCSV(dir); err != nil {
		return err
	}
	total := time.Since(start)
	fmt.Printf("responses %d bootstrap %d: read %.3fs, analyse %.3fs, write %.3fs, total %.3fs, peak RSS %s\n",
		len(recs), *reps, read.Seconds(), (analysed - read).Seconds(), (total - analysed).Seconds(), total.Seconds(), peakRSS())
	return nil
}

// peakRSS reads VmHWM from /proc/self/status (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
