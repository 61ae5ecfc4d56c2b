package grid

import "time"

// Record is one response as the wide CSV contract (DESIGN.md) carries it:
// the shape shared by the store's export, bulk import and the analysis.
type Record struct {
	ResponseID  string
	Channel     string
	CompletedAt time.Time
	// About holds the about-you answers by question key; a question not
	// answered is absent (or the empty string).
	About map[string]string
	// Current is the level each service is believed to be at now, in grid
	// order; 0 where not answered. Nil when the stage was not asked.
	Current []int
	// Unacceptable lists, per service in grid order, the level numbers
	// marked unacceptable (ascending; empty when none).
	Unacceptable [][]int
	// Lots holds the package chosen at each lot, in lot order.
	Lots []Package
}

// WideLayout is what a wide CSV's columns depend on besides the grid: the
// about-you question keys in order and the number of lots.
type WideLayout struct {
	Questions []string
	Lots      int
}
