package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/grid"
)

// SimulatedChannel is the channel of simulated records.
const SimulatedChannel = "synthetic"

// simProfiles is the number of preference profiles. Profile j < 4 cares
// most about the j-th service group (cycling over the grid's groups);
// profile 4 is thrifty and stops spending early.
const simProfiles = 5

// Simulate makes n synthetic respondents (channel "synthetic") for demos,
// tests and benchmarks. Each has a demographic mix (every question answered
// with probability 0.97, later options a little likelier so that weighting
// matters, options containing "prefer" or "outside" rare), a preference profile whose
// probability depends on those answers, and per-service utilities with
// noise. At each lot the respondent buys the best-value affordable level
// rises one at a time, starting from the previous lot's package when lots
// are additive, so every record passes g.CheckLots(plan, rec.Lots). About 70%
// answer the current-service stage and 60% mark unacceptable levels. The
// output depends only on the arguments; plan.Budgets must be set (nil
// returns nil).
func Simulate(g *grid.Grid, plan grid.LotPlan, questions []Question, n int, seed int64) []grid.Record {
	if len(plan.Budgets) == 0 || g == nil || len(g.Services) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed5eed))
	groups := map[string]int{}
	groupOf := make([]int, len(g.Services))
	for s, sv := range g.Services {
		grp := sv.Group
		if _, ok := groups[grp]; !ok {
			groups[grp] = len(groups)
		}
		groupOf[s] = groups[grp]
	}
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	recs := make([]grid.Record, n)
	util := make([]float64, len(g.Services))
	for i := range recs {
		r := &recs[i]
		r.ResponseID = uuid(rng)
		r.Channel = SimulatedChannel
		r.CompletedAt = start.Add(time.Duration(rng.IntN(30*24*3600)) * time.Second)
		r.About = map[string]string{}
		profileW := []float64{0.25, 0.2, 0.2, 0.15, 0.2}
		for q, qu := range questions {
			if len(qu.Options) == 0 || rng.Float64() < 0.03 {
				continue
			}
			a := pickOption(rng, qu.Options, q)
			r.About[qu.Key] = qu.Options[a]
			profileW[(q+a)%simProfiles] += 0.25
		}
		profile := pick(rng, profileW)
		for s := range util {
			base := 1.0
			if profile < 4 && len(groups) > 0 && groupOf[s]%4 == profile%len(groups)%4 {
				base = 3
			}
			util[s] = base * math.Exp(0.6*rng.NormFloat64())
		}
		threshold := 0.05
		if profile == 4 {
			threshold = 0.35
		}
		r.Lots = simulateLots(g, plan, util, threshold)
		if rng.Float64() < 0.7 {
			r.Current = make([]int, len(g.Services))
			for s := range g.Services {
				if rng.Float64() < 0.9 {
					nl := len(g.Services[s].Levels)
					l := g.Services[s].AsNowLevel() + int(math.Round(0.8*rng.NormFloat64()))
					r.Current[s] = min(max(l, 1), nl)
				}
			}
		}
		r.Unacceptable = make([][]int, len(g.Services))
		if rng.Float64() < 0.6 {
			for s := range g.Services {
				if a := g.Services[s].AsNowLevel(); a > 1 && util[s] > 2 && rng.Float64() < 0.7 {
					r.Unacceptable[s] = []int{1}
					if a > 2 && rng.Float64() < 0.3 {
						r.Unacceptable[s] = []int{1, 2}
					}
				}
			}
		}
	}
	return recs
}

// simulateLots buys levels greedily by utility per point at every lot.
func simulateLots(g *grid.Grid, plan grid.LotPlan, util []float64, threshold float64) []grid.Package {
	lots := make([]grid.Package, len(plan.Budgets))
	var prev grid.Package
	for k, budget := range plan.Budgets {
		p := g.StartPackage(plan, k+1, prev)
		cost, _ := g.Cost(p)
		for {
			best, bestS, bestD := threshold, -1, 0
			for s := range g.Services {
				sv := &g.Services[s]
				l := p[s] + 1
				if l > len(sv.Levels) {
					continue
				}
				d := sv.Levels[l-1].Points - sv.Levels[l-2].Points
				if cost+d > budget {
					continue
				}
				gain := util[s]
				if above := l - sv.AsNowLevel(); above > 0 {
					gain *= math.Pow(0.5, float64(above))
				}
				ratio := gain / math.Sqrt(float64(max(d, 1)))
				if ratio > best {
					best, bestS, bestD = ratio, s, d
				}
			}
			if bestS < 0 {
				break
			}
			p[bestS]++
			cost += bestD
		}
		lots[k] = p
		prev = p
	}
	return lots
}

// pickOption chooses an option: later options a little likelier (how much
// depends on the question's position), options containing "prefer" rare.
func pickOption(rng *rand.Rand, options []string, q int) int {
	w := make([]float64, len(options))
	for j, o := range options {
		w[j] = 1 + 0.15*float64(j*(1+q%3))
		if strings.Contains(o, "prefer") || strings.Contains(o, "outside") {
			w[j] = 0.1
		}
	}
	return pick(rng, w)
}

func pick(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := rng.Float64() * total
	for j, x := range w {
		if u < x {
			return j
		}
		u -= x
	}
	return len(w) - 1
}

func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}
