package consult

import (
	"context"
	"fmt"
)

// StageProgress is how far responses got: how many reached a stage (it
// was shown to them) and how many stopped there without going on.
type StageProgress struct {
	Stage   Stage
	Reached int
	Stopped int
}

// Dashboard is a consultation's figures while it runs.
type Dashboard struct {
	Summary ConsultationSummary
	Days    []DayCount
	Stages  []StageProgress
	// CompletionRate is completed over started, 0 with none started.
	CompletionRate float64
}

// Dashboard counts a consultation's responses per day and channel, and
// its completion and drop-off by stage.
func (a *Admin) Dashboard(ctx context.Context, u *User, slug string) (*Dashboard, error) {
	sum, err := a.Summary(ctx, u, slug)
	if err != nil {
		return nil, err
	}
	st, err := a.Store.ResponseStats(ctx, sum.Consultation.ID)
	if err != nil {
		return nil, fmt.Errorf("dashboard of %s: %w", slug, err)
	}
	d := &Dashboard{Summary: *sum, Days: st.Days}
	flow := NewFlow(sum.Consultation)
	// A response that stopped before stage i (Reached < i) never saw it;
	// a completed one saw every stage.
	for i, s := range flow.Stages {
		p := StageProgress{Stage: s, Reached: st.Completed, Stopped: st.StoppedAt[i]}
		for reached, n := range st.StoppedAt {
			if reached >= i {
				p.Reached += n
			}
		}
		d.Stages = append(d.Stages, p)
	}
	// In-progress responses past the last stage index (a changed grid)
	// count at the last stage.
	if last := len(flow.Stages) - 1; last >= 0 {
		for reached, n := range st.StoppedAt {
			if reached > last {
				d.Stages[last].Stopped += n
			}
		}
	}
	if sum.All > 0 {
		d.CompletionRate = float64(sum.Completed) / float64(sum.All)
	}
	return d, nil
}
