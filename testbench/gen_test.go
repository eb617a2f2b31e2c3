package testbench

import (
	"reflect"
	"testing"
	"time"

	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func TestGeneratorIsReproducible(t *testing.T) {
	a, b := NewGenerator(7, now), NewGenerator(7, now)
	if !reflect.DeepEqual(a.Alerts(0, 200), b.Alerts(0, 200)) {
		t.Error("same seed, different alerts")
	}
	if !reflect.DeepEqual(a.Alert(150), b.Alerts(150, 151)[0]) {
		t.Error("alert i depends on the order of generation")
	}
	if !reflect.DeepEqual(a.Traveller(0, 80), b.Traveller(0, 80)) {
		t.Error("same seed, different travellers")
	}
	if reflect.DeepEqual(NewGenerator(8, now).Alerts(0, 10), a.Alerts(0, 10)) {
		t.Error("different seeds, same alerts")
	}
}

func TestGeneratedAlertsAreValidAndVaried(t *testing.T) {
	g := NewGenerator(1, now)
	scripts := map[string]int{}
	cats := map[watchlist.Category]int{}
	for i := 0; i < 3000; i++ {
		a := g.Alert(i)
		if err := a.Validate(); err != nil {
			t.Fatalf("alert %d invalid: %v\n%+v", i, err, a)
		}
		cats[a.Category]++
		scripts[g.AlertIdentity(i).Script]++
	}
	for _, s := range []string{"Han", "Latin", "Thai", "Lao", "Khmer", "Myanmar"} {
		if scripts[s] == 0 {
			t.Errorf("no alert in %s", s)
		}
	}
	if len(cats) != 6 {
		t.Errorf("categories %v", cats)
	}
}

func TestGeneratedMRZIsValid(t *testing.T) {
	g := NewGenerator(2, now)
	for i := 0; i < 500; i++ {
		id := g.Traveller(0, 80)
		d := mrz.Parse(g.MRZ(id), now)
		if !d.Valid || d.DocumentNumber != id.Document.Number || d.BirthDate != id.BirthDate.Format(time.DateOnly) {
			t.Fatalf("MRZ of %+v parsed as %+v", id, d)
		}
	}
}

func TestPartiesAreValid(t *testing.T) {
	g := NewGenerator(3, now)
	for i := 0; i < 100; i++ {
		for _, p := range []watchlist.Party{g.Family(watchlist.Exit, now), g.Escort(watchlist.Entry, now, i%2 == 0), g.Solo(watchlist.Exit, now)} {
			if err := p.Validate(); err != nil {
				t.Fatalf("%v\n%+v", err, p)
			}
		}
	}
}

// TestRecall measures the blocking keys and matching on a generated
// watchlist: recall for every variant of a true match, false alarms and
// the share of innocent travellers reaching the store. The floors are
// what the engine achieves today; a change that lowers them fails.
func TestRecall(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000
	}
	cfg := watchlist.DefaultConfig(t.TempDir())
	cfg.HistoryKey = []byte("0123456789abcdef0123456789abcdef")
	e, err := watchlist.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	g := NewGenerator(42, now)
	for from := 0; from < n; from += 5000 {
		if err := e.Upsert(g.Alerts(from, min(from+5000, n))...); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := MeasureRecall(e, g, n, 400, 5000, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep.Markdown())
	for _, m := range rep.Missed {
		t.Logf("missed %s", m)
	}
	for _, a := range rep.Alarms {
		t.Logf("false alarm: %s", a)
	}
	// About 217 people per variant: one miss is 0.5 points, and the
	// binomial spread of a recall near 80% is ±2.7 points. The floors sit
	// about 3 points under what the engine scores since the second
	// spellings (Khmer O, Burmese S, Lao and Thai the passport way:
	// exact 100%, joined and swapped 100%, year only 98.6%, year off by
	// one 93.1%, truncated 93.5%, typo 82.9%; no birth date 88.9%, the
	// rest names read from Thai, Lao, Burmese or Khmer script that agree
	// only nearly, which scoring does not let hit with the date unknown)
	// and the Wade-Giles reading of Han names, F in P's skeleton class and
	// the Lao, Thai and Burmese spellings that came with them (another
	// romanisation 80.6% → 94.0%, year only 100%, year off by one 93.5%,
	// typo 84.3%, no birth date 89.9%), and the whole spelling of Lao
	// passports with the Khmer syllable rules (no birth date 92.2%: the
	// letters of those names now agree), and alerts known by year hit a
	// year out (year off by one 93.5% → 100%).
	floors := map[Variant]float64{
		VariantExact: 0.99, VariantJoined: 0.97, VariantSwapped: 0.97, VariantYear: 0.96,
		VariantTypo: 0.79, VariantOCRDoc: 0.99, VariantTruncation: 0.90, VariantRomanised: 0.90,
		VariantPartialBirth: 0.95, VariantNoBirth: 0.89,
	}
	// The short run samples other people (5,000 alerts): 5 points more.
	margin := 0.0
	if testing.Short() {
		margin = 0.05
	}
	for v, floor := range floors {
		if got := rep.PerVariant[v].Value(); got < floor-margin {
			t.Errorf("recall for %q is %.3f, below %.2f", v, got, floor)
		}
	}
	if fa := 10000 * float64(rep.FalseAlarms-rep.FalseAlarmsNoBirth) / float64(rep.Innocent); fa > 20 {
		t.Errorf("%.1f false alarms per 10,000 innocent travellers on alerts with a birth date", fa)
	}
}

func TestCategoryMixIsConfigurable(t *testing.T) {
	mix, err := ParseCategoryMix("missing_child=3, suspected_trafficker=1")
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(1, now).WithCategories(mix)
	if err != nil {
		t.Fatal(err)
	}
	count := map[watchlist.Category]int{}
	for i := 0; i < 4000; i++ {
		a := g.Alert(i)
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		count[a.Category]++
	}
	if len(count) != 2 || count[watchlist.MissingChild] < 2800 || count[watchlist.MissingChild] > 3200 {
		t.Fatalf("a 3:1 mix of missing children and traffickers gave %v", count)
	}
	// The default mix is the one the stores and the demo were built with.
	if !reflect.DeepEqual(NewGenerator(1, now).Alerts(0, 50), mustMix(t, NewGenerator(1, now), defaultWeights()).Alerts(0, 50)) {
		t.Fatal("the default mix given explicitly generates other alerts")
	}
	for _, bad := range []string{"missing_child", "missing_child=x", "lost_cat=3", "missing_child=-1", "missing_child=0"} {
		m, err := ParseCategoryMix(bad)
		if err == nil {
			_, err = NewGenerator(1, now).WithCategories(m)
		}
		if err == nil {
			t.Errorf("category mix %q accepted", bad)
		}
	}
}

func defaultWeights() map[watchlist.Category]int {
	w := map[watchlist.Category]int{}
	for _, m := range categoryMix {
		w[m.cat] = m.weight
	}
	return w
}

func mustMix(t *testing.T, g *Generator, w map[watchlist.Category]int) *Generator {
	t.Helper()
	out, err := g.WithCategories(w)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
