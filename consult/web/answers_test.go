package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Standard answers for every stage of the Fenshire journey.

// Fenshire's services, in grid order.
var services = []string{"roads", "streetlights", "gritting", "buses", "recycling", "libraries", "early_help", "youth",
	"school_transport", "send", "reablement", "carers", "public_health", "domestic_abuse", "climate", "trading_standards"}

// The resident's packages, one per lot (budgets 62, 69, 77, 85; today's
// services cost 77). Each lot is at or above the one before.
var (
	lot1 = grid.Package{2, 2, 2, 2, 3, 2, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2} // 62
	lot2 = grid.Package{3, 2, 2, 2, 3, 2, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2} // 68
	lot3 = grid.Package{3, 2, 2, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 3} // 75
	lot4 = grid.Package{4, 2, 2, 3, 3, 3, 3, 4, 2, 2, 2, 2, 2, 2, 1, 3} // 83
	lots = []grid.Package{lot1, lot2, lot3, lot4}
)

// with returns a copy of p with the named services set to levels.
func with(p grid.Package, changes map[string]int) grid.Package {
	q := append(grid.Package(nil), p...)
	for k, l := range changes {
		for i, s := range services {
			if s == k {
				q[i] = l
			}
		}
	}
	return q
}

// lotForm is the form a lot page posts for package p.
func lotForm(p grid.Package) url.Values {
	f := url.Values{"action": {"continue"}}
	for i, s := range services {
		f.Set("s."+s, strconv.Itoa(p[i]))
	}
	return f
}

var aboutForm = url.Values{
	"about.area": {"marshby"}, "about.age_band": {"35-54"}, "about.sex": {"female"},
	"about.children": {"no"}, "about.care": {""}, "action": {"continue"},
}

var currentForm = url.Values{"current.roads": {"2"}, "current.libraries": {"3"}, "current.buses": {""}, "action": {"continue"}}

var unacceptableForm = url.Values{"unacceptable.roads": {"1"}, "unacceptable.libraries": {"1", "2"}, "unacceptable.reablement": {"1"}, "action": {"continue"}}

const comments = "Fix the roads first, please.\r\nAnd keep the libraries open."

// stageOrder is the Fenshire flow's stage slugs.
var stageOrder = []string{"about-you", "current-service", "unacceptable-levels", "lot-1", "lot-2", "lot-3", "lot-4", "comments", "check-answers"}

// stageForm is the standard answer to a stage.
func stageForm(stage string) url.Values {
	switch stage {
	case "about-you":
		return aboutForm
	case "current-service":
		return currentForm
	case "unacceptable-levels":
		return unacceptableForm
	case "lot-1", "lot-2", "lot-3", "lot-4":
		n, _ := strconv.Atoi(strings.TrimPrefix(stage, "lot-"))
		return lotForm(lots[n-1])
	case "comments":
		return url.Values{"comments": {comments}, "action": {"continue"}}
	}
	return url.Values{}
}

// start begins a response and checks the redirect to the first stage.
func (c *client) start() {
	c.tb.Helper()
	c.get(base).wantStatus(c.tb, http.StatusOK)
	c.post(base+"/start", nil).wantRedirect(c.tb, base+"/about-you")
	c.csrf = "" // starting gives a new session, with a new token
}

// answerUntil starts a response and answers every stage before stage
// with the standard answers; "submitted" also sends the response.
func (c *client) answerUntil(stage string) {
	c.tb.Helper()
	if stage != "submitted" && !slices.Contains(stageOrder, stage) {
		c.tb.Fatalf("no stage %q", stage)
	}
	c.start()
	for i, st := range stageOrder {
		if st == stage {
			return
		}
		if st == "check-answers" {
			c.get(base+"/check-answers").wantStatus(c.tb, http.StatusOK)
			c.post(base+"/check-answers", nil).wantRedirect(c.tb, base+"/confirmation")
			return
		}
		c.get(base+"/"+st).wantStatus(c.tb, http.StatusOK)
		c.post(base+"/"+st, stageForm(st)).wantRedirect(c.tb, base+"/"+stageOrder[i+1])
	}
}
