package main

import (
	"bytes"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/grid"
)

// analysisFlags are the flags that choose how responses are analysed,
// shared by analyse and report so that both give the same numbers.
type analysisFlags struct {
	targets, trim, interval, adjust *string
	renormalise                     *bool
	by                              listFlag
	bootstrap, minBase              *int
	seed                            *int64
}

func addAnalysisFlags(fs *flag.FlagSet) *analysisFlags {
	a := &analysisFlags{}
	a.targets = fs.String("targets", "", "weighting targets CSV (variable,category,target); none: unweighted")
	a.trim = fs.String("trim", "", "trim weights to LOW,HIGH multiples of the mean weight, e.g. 0.3,3 (re-raked until both hold)")
	a.renormalise = fs.Bool("renormalise-targets", false, "accept targets that omit a category respondents chose (left out of that margin) or whose shares do not sum to 1 (scaled)")
	fs.Var(&a.by, "by", "segment every output by this respondent variable (repeatable), e.g. area or channel")
	a.bootstrap = fs.Int("bootstrap", 0, "bootstrap replicates for rank intervals and optimum selection shares")
	a.seed = fs.Int64("seed", 1, "random seed for the bootstrap")
	a.interval = fs.String("interval", "kg", "confidence intervals: kg (Korn–Graubard) or wilson (on the effective n)")
	a.adjust = fs.String("adjust", "none", "adjust the p-values of the per-variable segment tests over each --by variable: none, holm or bh (Benjamini–Hochberg)")
	a.minBase = fs.Int("min-base", analysis.DefaultMinBase, "minimum base: below it no SE, interval, effective n, rank interval or segment test is given")
	return a
}

// options turns the flags into analysis options, reading the targets file.
func (a *analysisFlags) options(env Env) (analysis.Options, error) {
	opt := analysis.Options{By: a.by, Bootstrap: *a.bootstrap, Seed: *a.seed, Interval: *a.interval, RenormaliseTargets: *a.renormalise, MinBase: *a.minBase, Adjust: *a.adjust}
	if *a.targets != "" {
		// A targets file is a few rows; the grid sheet's cap is ample.
		data, err := grid.ReadFileLimit(*a.targets, grid.MaxSheetBytes)
		if err != nil {
			return opt, err
		}
		t, err := analysis.ReadTargets(bytes.NewReader(data))
		if err != nil {
			return opt, fmt.Errorf("%s: %w", *a.targets, err)
		}
		opt.Targets = &t
	}
	if *a.trim != "" {
		lo, hi, ok := strings.Cut(*a.trim, ",")
		l, err1 := strconv.ParseFloat(lo, 64)
		h, err2 := strconv.ParseFloat(hi, 64)
		if !ok || err1 != nil || err2 != nil || l < 0 || h <= l {
			return opt, fmt.Errorf("--trim %q: give LOW,HIGH as multiples of the mean weight, e.g. 0.3,3", *a.trim)
		}
		if l >= 1 || h <= 1 {
			return opt, fmt.Errorf("--trim %q: the mean weight is 1, so LOW must be below 1 and HIGH above it, e.g. 0.3,3", *a.trim)
		}
		opt.TrimLow, opt.TrimHigh = l, h
	}
	if isTerminal(env.Stderr) && *a.bootstrap > 0 {
		start := time.Now()
		opt.Progress = func(done, total int) {
			fmt.Fprintf(env.Stderr, "\rbootstrap %d/%d (%s)", done, total, time.Since(start).Round(time.Second))
			if done == total {
				fmt.Fprintln(env.Stderr)
			}
		}
	}
	return opt, nil
}
