package testbench

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/crossguard/crossguard/watchlist"
)

// TestTrafficGroundTruthAgreesWithTheEngine generates a border day's
// parties against a watchlist, inspects them with the real engine and
// scores the answers against the ground truth: the people on alerts are
// found (recall near the engine's), innocent travellers rarely hit, and
// the mix has the families, escorts, returns and scans it says.
func TestTrafficGroundTruthAgreesWithTheEngine(t *testing.T) {
	const alerts = 5000
	cfg := watchlist.DefaultConfig(t.TempDir())
	cfg.HistoryKey = []byte("traffic-test-history-key-0123456")
	e, err := watchlist.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	g := NewGenerator(DemoSeed, now)
	i := 0
	if _, err := e.Load(context.Background(), func() (watchlist.Alert, error) {
		if i == alerts {
			return watchlist.Alert{}, io.EOF
		}
		i++
		return g.Alert(i - 1), nil
	}, watchlist.LoadOptions{}); err != nil {
		t.Fatal(err)
	}

	tr := NewTraffic(DemoSeed, 7, now, Mix{Alerts: alerts, TrueMatch: 0.1})
	var score Score
	families, escorts, scanned, children := 0, 0, 0, 0
	for k := 0; k < 3000; k++ {
		c := tr.Next(now)
		if len(c.Truth) != len(c.Request.Travellers) {
			t.Fatalf("crossing %d: %d truths for %d travellers", k, len(c.Truth), len(c.Request.Travellers))
		}
		p, _, err := c.Request.Party(now, "post-1")
		if err != nil {
			t.Fatalf("crossing %d is not a valid request: %v\n%+v", k, err, c.Request)
		}
		in, err := e.Inspect(p)
		if err != nil {
			t.Fatal(err)
		}
		hits := make([][]string, len(in.Travellers))
		for j, tv := range in.Travellers {
			for _, h := range tv.Hits {
				hits[j] = append(hits[j], h.AlertID)
			}
		}
		score.Judge(c, hits)
		switch {
		case len(c.Request.Travellers) >= 3:
			families++
		case len(c.Request.Relationships) == 1 && c.Truth[1].AlertID == "":
			escorts++
		}
		if c.Request.Travellers[0].MRZ != "" {
			scanned++
		}
		for _, tr := range c.Truth {
			if tr.Child {
				children++
			}
		}
	}
	t.Logf("%d wanted, recall %.3f (%d missed, %d of them children); %d innocent, %.1f false alarms per 10,000; %d families, %d escorts, %d scanned, %d children",
		score.Wanted, score.Recall(), len(score.Missed)+len(score.MissedChildren), len(score.MissedChildren), score.Innocent, score.FalseAlarmsPer10k(),
		families, escorts, scanned, children)
	if score.Wanted < 200 || score.Recall() < 0.85 {
		t.Fatalf("recall %.3f over %d people on alerts; missed: %v %v", score.Recall(), score.Wanted, score.MissedChildren, score.Missed)
	}
	if score.FalseAlarmsPer10k() > 100 {
		t.Fatalf("%.1f false alarms per 10,000 innocent travellers", score.FalseAlarmsPer10k())
	}
	if families < 300 || escorts < 50 || scanned < 1500 || children < 500 {
		t.Fatalf("the mix is off: %d families, %d escorts, %d scanned, %d children of 3000 parties", families, escorts, scanned, children)
	}
	if len(score.PerVariant) < 5 {
		t.Fatalf("variants presented: %v", score.PerVariant)
	}
}

func TestDayProfileAveragesOneWithPeaks(t *testing.T) {
	for _, d := range []DayProfile{{}, {Holiday: true}} {
		sum, n := 0.0, 24000
		for k := 0; k < n; k++ {
			sum += d.At(float64(k) / float64(n))
		}
		if mean := sum / float64(n); mean < 0.97 || mean > 1.03 {
			t.Fatalf("%+v averages %.3f, want 1", d, mean)
		}
		if morning, night := d.At(8.5/24), d.At(3.0/24); morning < 10*night {
			t.Fatalf("%+v: morning %.2f is not a peak over the night's %.2f", d, morning, night)
		}
	}
	if (DayProfile{Holiday: true}).At(9.0/24) <= (DayProfile{}).At(9.0/24) {
		t.Fatal("a holiday morning is no busier than a working day's")
	}
}

func TestMixNamesEveryBadShare(t *testing.T) {
	if err := DefaultMix.Validate(); err != nil {
		t.Fatal(err)
	}
	err := Mix{TrueMatch: 1.5, Family: 0.8, Escort: 0.5, MRZ: -0.1}.Validate()
	for _, want := range []string{"true_match: 1.5", "mrz: -0.1", "family and escort"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %q", err, want)
		}
	}
}
