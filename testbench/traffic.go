package testbench

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// Mix says what a border's traffic is made of. Zero values take the
// defaults (DefaultMix).
type Mix struct {
	// Alerts is the watchlist the traffic meets: alerts [0, Alerts) of
	// the generator's seed (crossguard serve --demo loads these).
	Alerts int `json:"alerts"`
	// TrueMatch is the share of parties with one traveller who should hit
	// an alert (its person presented with a typo, a transliteration
	// variant, names swapped, a partial birth date…).
	TrueMatch float64 `json:"true_match"`
	// Family and Escort are the shares of families with children and of
	// adults crossing with a child not theirs; the rest cross alone.
	Family float64 `json:"family"`
	Escort float64 `json:"escort"`
	// Repeat is the share of parties that crossed earlier the same day
	// and now cross back (commuters, traders).
	Repeat float64 `json:"repeat"`
	// MRZ is the share of parties whose documents are scanned (machine
	// readable zones) rather than typed.
	MRZ float64 `json:"mrz"`
}

// DefaultMix is a day at a land border of the Mekong sub-region: most
// travellers alone, a quarter in families, some escorted children, a
// fifth crossing back, two in three documents scanned, and one party in
// a hundred bringing someone on a watchlist (far more than in life, so
// that recall is measured on enough people).
var DefaultMix = Mix{TrueMatch: 0.01, Family: 0.25, Escort: 0.05, Repeat: 0.2, MRZ: 0.66}

// Validate names every share that is not a fraction, and the pairs of
// shares that together exceed the whole.
func (m Mix) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		v    float64
	}{{"true_match", m.TrueMatch}, {"family", m.Family}, {"escort", m.Escort}, {"repeat", m.Repeat}, {"mrz", m.MRZ}} {
		if f.v < 0 || f.v > 1 {
			errs = append(errs, fmt.Errorf("%s: %v, a share must lie between 0 and 1", f.name, f.v))
		}
	}
	if m.Family+m.Escort > 1 {
		errs = append(errs, fmt.Errorf("family and escort: %v and %v, together more than every party", m.Family, m.Escort))
	}
	if m.TrueMatch+m.Repeat > 1 {
		errs = append(errs, fmt.Errorf("true_match and repeat: %v and %v, together more than every party", m.TrueMatch, m.Repeat))
	}
	if m.Alerts < 0 {
		errs = append(errs, fmt.Errorf("alerts: %d, must not be negative", m.Alerts))
	}
	return errors.Join(errs...)
}

func (m Mix) withDefaults() Mix {
	d := DefaultMix
	d.Alerts = m.Alerts
	if m.TrueMatch > 0 {
		d.TrueMatch = m.TrueMatch
	}
	if m.Family > 0 {
		d.Family = m.Family
	}
	if m.Escort > 0 {
		d.Escort = m.Escort
	}
	if m.Repeat > 0 {
		d.Repeat = m.Repeat
	}
	if m.MRZ > 0 {
		d.MRZ = m.MRZ
	}
	return d
}

// Truth is what a traveller of generated traffic really is: innocent
// (AlertID empty) or the person of an alert, presented as Variant.
type Truth struct {
	AlertID string  `json:"alert_id,omitempty"`
	Variant Variant `json:"variant,omitempty"`
	// Child is a traveller under 18; Name is how the officer's reader
	// wrote the traveller's name.
	Child bool   `json:"child,omitempty"`
	Name  string `json:"name"`
}

// Crossing is one party of generated traffic with the ground truth of
// each traveller.
type Crossing struct {
	Request watchlist.InspectionRequest
	Truth   []Truth
}

// Traffic generates the parties of a border day from a seed: a pure
// function of the seed and the order of calls.
type Traffic struct {
	g      *Generator
	mix    Mix
	recent []watchlist.Party // parties that may cross back
}

// NewTraffic returns the traffic generator of the watchlist of
// watchlistSeed (its alerts [0, mix.Alerts)); trafficSeed seeds the
// travellers.
func NewTraffic(watchlistSeed, trafficSeed uint64, now time.Time, mix Mix) *Traffic {
	g := NewGenerator(watchlistSeed, now)
	g.rng = rand.New(rand.NewPCG(trafficSeed, 0x74726166666963))
	return &Traffic{g: g, mix: mix.withDefaults()}
}

// Next returns the next party.
func (t *Traffic) Next(at time.Time) Crossing {
	r := t.g.rng
	var p watchlist.Party
	var truth []Truth
	switch u := r.Float64(); {
	case t.mix.Alerts > 0 && u < t.mix.TrueMatch:
		p, truth = t.wanted(at)
	case len(t.recent) > 0 && u < t.mix.TrueMatch+t.mix.Repeat:
		p = t.recent[r.IntN(len(t.recent))]
		p.At = at
		if p.Direction == watchlist.Exit {
			p.Direction = watchlist.Entry
		} else {
			p.Direction = watchlist.Exit
		}
	default:
		dir := watchlist.Exit
		if r.IntN(2) == 0 {
			dir = watchlist.Entry
		}
		switch v := r.Float64(); {
		case v < t.mix.Family:
			p = t.g.Family(dir, at)
		case v < t.mix.Family+t.mix.Escort:
			p = t.g.Escort(dir, at, r.IntN(3) > 0)
		default:
			p = t.g.Solo(dir, at)
		}
		if len(t.recent) < 5000 {
			t.recent = append(t.recent, p)
		} else {
			t.recent[r.IntN(len(t.recent))] = p
		}
	}
	for len(truth) < len(p.Travellers) {
		truth = append(truth, Truth{})
	}
	for i, m := range p.Travellers {
		truth[i].Name = strings.TrimSpace(m.Surname + " " + m.Given)
		truth[i].Child = age(m.BirthDate, at) < 18
	}
	req := Request(p)
	if r.Float64() < t.mix.MRZ {
		req = ScannedRequest(p)
	}
	return Crossing{Request: req, Truth: truth}
}

// wanted is a party bringing the person of a random alert: a child of a
// child-protection alert crossing with an adult who is not a parent, or
// an adult alone; a lost or stolen document presented by whoever holds
// it.
func (t *Traffic) wanted(at time.Time) (watchlist.Party, []Truth) {
	r := t.g.rng
	i := r.IntN(t.mix.Alerts)
	v := Variants[r.IntN(len(Variants))]
	a := t.g.Alert(i)
	m := t.g.Presented(i, v)
	if a.Category == watchlist.LostStolenDocument {
		v = VariantExact
		if m.Document != nil && m.Document.Number != a.Documents[0].Number {
			v = VariantOCRDoc
		}
	} else if v == VariantOCRDoc {
		v = VariantExact // a name alert is found by name; the document is the traveller's own
	}
	if a.Category != watchlist.LostStolenDocument {
		// The person travels on a document of their own, not the one the
		// alert may list.
		own := t.g.Traveller(18, 19).Document
		own.Country = m.Nationality
		m.Document = &own
	}
	truth := Truth{AlertID: a.ID, Variant: v}
	dir := watchlist.Exit
	if a.Category.ProtectsChild() {
		adult := t.g.Member(t.g.Traveller(25, 55))
		p := watchlist.Party{Direction: dir, At: at, Travellers: []watchlist.Member{adult, m},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Other}}}
		return p, []Truth{{}, truth}
	}
	return watchlist.Party{Direction: dir, At: at, Travellers: []watchlist.Member{m}}, []Truth{truth}
}

// age in whole years on a day; a birth date known by year only counts
// from the year's first day.
func age(birth string, at time.Time) int {
	if len(birth) == 4 {
		birth += "-01-01"
	}
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return 99
	}
	y := at.Year() - b.Year()
	if at.YearDay() < b.YearDay() {
		y--
	}
	return y
}

// DayProfile is the shape of a border day: how busy each hour is, as a
// multiple of the day's mean (morning and evening peaks, a quiet night).
// A holiday is busier all day and peaks higher in the morning.
type DayProfile struct {
	Holiday bool `json:"holiday"`
}

// hourly is a working day at a land border: nights nearly empty, a
// morning peak as traders and commuters cross, a lull, an evening peak.
var hourly = [24]float64{0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.8, 1.6, 2.2, 2.0, 1.5, 1.2,
	1.1, 1.1, 1.2, 1.4, 1.8, 2.0, 1.6, 1.1, 0.8, 0.5, 0.3, 0.2}

// At is the multiple of the mean rate at a fraction of the day (0–1),
// interpolated between hours; over a whole day it averages 1.
func (d DayProfile) At(frac float64) float64 {
	h := math.Mod(frac*24, 24)
	i := int(h)
	f := h - float64(i)
	v := hourly[i]*(1-f) + hourly[(i+1)%24]*f
	if d.Holiday {
		v *= 1.5
		if i >= 7 && i <= 11 {
			v *= 1.3
		}
	}
	return v / d.mean()
}

func (d DayProfile) mean() float64 {
	sum := 0.0
	for i, v := range hourly {
		if d.Holiday {
			v *= 1.5
			if i >= 7 && i <= 11 {
				v *= 1.3
			}
		}
		sum += v
	}
	return sum / 24
}

// Score is what generated traffic's answers showed: recall of the people
// on alerts, false alarms on innocent travellers, the missed by name.
type Score struct {
	Wanted, Found int
	// MissedChildren and Missed name the people not found ("alert
	// (variant): name").
	MissedChildren []string `json:"missed_children,omitempty"`
	Missed         []string `json:"missed,omitempty"`
	Innocent       int      `json:"innocent"`
	FalseAlarms    int      `json:"false_alarms"`
	// PerVariant is the recall of each variant.
	PerVariant map[Variant]Ratio `json:"per_variant"`
}

// Judge scores one answered crossing: hits[i] lists the alert IDs the
// answer gave traveller i.
func (s *Score) Judge(c Crossing, hits [][]string) {
	if s.PerVariant == nil {
		s.PerVariant = map[Variant]Ratio{}
	}
	for i, tr := range c.Truth {
		var got []string
		if i < len(hits) {
			got = hits[i]
		}
		if tr.AlertID == "" {
			s.Innocent++
			if len(got) > 0 {
				s.FalseAlarms++
			}
			continue
		}
		s.Wanted++
		ratio := s.PerVariant[tr.Variant]
		ratio.Total++
		found := false
		for _, id := range got {
			found = found || id == tr.AlertID
		}
		if found {
			s.Found++
			ratio.Hit++
		} else {
			miss := fmt.Sprintf("%s (%s): %s", tr.AlertID, tr.Variant, tr.Name)
			if tr.Child {
				s.MissedChildren = append(s.MissedChildren, miss)
			} else {
				s.Missed = append(s.Missed, miss)
			}
		}
		s.PerVariant[tr.Variant] = ratio
	}
}

// Recall is the share of the people on alerts that were found.
func (s Score) Recall() float64 { return Ratio{Hit: s.Found, Total: s.Wanted}.Value() }

// FalseAlarmsPer10k is false alarms per 10,000 innocent travellers.
func (s Score) FalseAlarmsPer10k() float64 {
	return 10000 * float64(s.FalseAlarms) / float64(max(s.Innocent, 1))
}
