package borderday

import (
	"context"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/proc"
)

// TestBorderDay runs a short border day on real processes: a watchlist
// of 3,000 alerts loaded through raft, two posts, parties with a tenth
// bringing someone on the watchlist. Every inspection must be answered,
// the people on alerts found as the engine finds them, and the day's
// peaks must show in the arrivals.
func TestBorderDay(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := proc.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Alerts: 3000, Posts: 2, Rate: 40, Duration: 10 * time.Second, Seed: 1,
		Mix: testbench.Mix{TrueMatch: 0.1}}
	res, err := Run(ctx, bin, t.TempDir(), o, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	l, s := res.Load, res.Score
	if l.Errors != 0 || l.Shed != 0 || l.OK != 400 {
		t.Fatalf("not every inspection was answered: %v", l)
	}
	if s.Wanted < 20 || s.Recall() < 0.8 || s.Innocent < 300 {
		t.Fatalf("score: %d wanted, recall %.3f, %d innocent; missed %v %v", s.Wanted, s.Recall(), s.Innocent, s.MissedChildren, s.Missed)
	}
	if s.FalseAlarmsPer10k() > 200 {
		t.Fatalf("%.1f false alarms per 10,000", s.FalseAlarmsPer10k())
	}
}
