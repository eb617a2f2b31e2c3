package testbench

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// RecallReport is what a recall run measured: for each variant of a true
// match, how often the alert was hit; for innocent travellers, how often
// anything was hit and how often the bloom filters let them through to the
// store.
type RecallReport struct {
	Alerts      int
	PerVariant  map[Variant]Ratio
	Missed      []string // "alert-id (variant): name", the misses by name
	Alarms      []string // the first false alarms, explained
	Innocent    int
	FalseAlarms int
	// FalseAlarmsNoBirth counts the false alarms on alerts that carry no
	// birth date: exact namesakes, which such an alert cannot tell apart.
	FalseAlarmsNoBirth int
	ReachedStore       int
	KeysPerInnocent    float64
	// PassingFamilies counts, per key family, the innocent travellers
	// whose key of that family passed the bloom filters.
	PassingFamilies map[string]int
}

// Ratio is a count out of a total.
type Ratio struct{ Hit, Total int }

// Value is Hit/Total.
func (r Ratio) Value() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Hit) / float64(r.Total)
}

// MeasureRecall presents, for every variant, the people behind sample
// alerts among the first alerts of g (name matches without their document,
// document alerts with it), and innocent travellers, to e.
func MeasureRecall(e *watchlist.Engine, g *Generator, alerts, samples, innocents int, on time.Time) (RecallReport, error) {
	rep := RecallReport{Alerts: alerts, PerVariant: map[Variant]Ratio{}, Innocent: innocents, PassingFamilies: map[string]int{}}
	step := max(alerts/samples, 1)
	for _, v := range Variants {
		for i := 0; i < alerts; i += step {
			a := g.Alert(i)
			m := g.Presented(i, v)
			if a.Category != watchlist.LostStolenDocument {
				if v == VariantOCRDoc {
					continue // a name alert is found by name; see the other variants
				}
				m.Document = nil // the child may travel on another document
			} else if v != VariantOCRDoc && v != VariantExact {
				continue
			}
			p, err := e.NewProbe(m.Traveller)
			if err != nil {
				return rep, fmt.Errorf("alert %s variant %s: %w", a.ID, v, err)
			}
			hits, err := e.Check(p, on)
			if err != nil {
				return rep, err
			}
			r := rep.PerVariant[v]
			r.Total++
			found := false
			for _, h := range hits {
				found = found || h.AlertID == a.ID
			}
			if found {
				r.Hit++
			} else if len(rep.Missed) < 50 {
				native := ""
				if a.Person != nil {
					native = a.Person.Names[0].Full
				}
				rep.Missed = append(rep.Missed, fmt.Sprintf("%s (%s): %s / %s %s born %s", a.ID, v, native, m.Surname, m.Given, m.BirthDate))
			}
			rep.PerVariant[v] = r
		}
	}
	keys := 0
	for k := 0; k < innocents; k++ {
		m := g.Member(g.Traveller(0, 80))
		p, err := e.NewProbe(m.Traveller)
		if err != nil {
			return rep, err
		}
		total, passing := e.Keys(p)
		keys += total
		if passing > 0 {
			rep.ReachedStore++
			seen := map[string]bool{}
			for _, f := range e.PassingFamilies(p) {
				if !seen[f] {
					seen[f] = true
					rep.PassingFamilies[f]++
				}
			}
		}
		hits, err := e.Check(p, on)
		if err != nil {
			return rep, err
		}
		if len(hits) > 0 {
			rep.FalseAlarms++
			if hits[0].Explain.BirthDate == "unknown" {
				rep.FalseAlarmsNoBirth++
			}
			if len(rep.Alarms) < 30 {
				h := hits[0]
				how := ""
				if h.Explain.Name != nil {
					how = fmt.Sprintf("name %s %.2f (%s), ", h.Explain.Name.AlertName, h.Explain.Name.Similarity, h.Explain.Name.Method)
				}
				rep.Alarms = append(rep.Alarms, fmt.Sprintf("%s %s born %s %s %s hit %s %s score %.2f: %sbirth %s, sex %s, nationality %s, document %q",
					m.Surname, m.Given, m.BirthDate, m.Sex, m.Nationality, h.AlertID, h.Category, h.Score, how,
					h.Explain.BirthDate, h.Explain.Sex, h.Explain.Nationality, h.Explain.Document))
			}
		}
	}
	rep.KeysPerInnocent = float64(keys) / float64(max(innocents, 1))
	return rep, nil
}

// Markdown renders the report as a table.
func (r RecallReport) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| variant (%d alerts) | recall |\n|---|---|\n", r.Alerts)
	vs := make([]string, 0, len(r.PerVariant))
	for v := range r.PerVariant {
		vs = append(vs, string(v))
	}
	sort.Strings(vs)
	for _, v := range vs {
		x := r.PerVariant[Variant(v)]
		fmt.Fprintf(&b, "| %s | %.1f%% (%d/%d) |\n", v, 100*x.Value(), x.Hit, x.Total)
	}
	per := func(n int) float64 { return 10000 * float64(n) / float64(max(r.Innocent, 1)) }
	fmt.Fprintf(&b, "\n%d innocent travellers: %.1f false alarms per 10,000 (%.1f of them exact namesakes of alerts without a birth date); %.2f%% reached the store past the bloom filters; %.1f blocking keys each.\n",
		r.Innocent, per(r.FalseAlarms), per(r.FalseAlarmsNoBirth), 100*float64(r.ReachedStore)/float64(max(r.Innocent, 1)), r.KeysPerInnocent)
	fams := make([]string, 0, len(r.PassingFamilies))
	for f := range r.PassingFamilies {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		fmt.Fprintf(&b, "- key family %s let %.2f%% of innocent travellers through\n", f, 100*float64(r.PassingFamilies[f])/float64(max(r.Innocent, 1)))
	}
	return b.String()
}
