package watchlist

import (
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/crossguard/crossguard/watchlist/names"
)

// Direction is whether a party enters or leaves the country.
type Direction string

// Directions.
const (
	Entry Direction = "entry"
	Exit  Direction = "exit"
)

// Relation is what an adult declares to be to a minor.
type Relation string

// Relations.
const (
	Parent   Relation = "parent"
	Guardian Relation = "guardian"
	Relative Relation = "relative"
	Other    Relation = "other"
)

// Relationship is a declared tie between an adult and a minor of a party,
// by their indexes in Party.Travellers.
type Relationship struct {
	Adult           int      `json:"adult"`
	Minor           int      `json:"minor"`
	Relation        Relation `json:"relation"`
	ConsentDocument bool     `json:"consent_document"`
}

// Member is one traveller of a party, with what the document check found.
type Member struct {
	Traveller
	// DocumentExpiry is the document's expiry date, YYYY-MM-DD, if known.
	DocumentExpiry string `json:"document_expiry,omitempty"`
	// FailedChecks lists the MRZ checks that failed (check digits), if the
	// document was scanned.
	FailedChecks []string `json:"failed_checks,omitempty"`
}

// Party is the travellers crossing together.
type Party struct {
	Direction     Direction      `json:"direction"`
	Travellers    []Member       `json:"travellers"`
	Relationships []Relationship `json:"relationships,omitempty"`
	// Purpose of travel as declared ("work", "tourism", "family", ...).
	Purpose string `json:"purpose,omitempty"`
	// Post is the border post inspecting the party.
	Post string `json:"post,omitempty"`
	// At is the time of the crossing; the age of each traveller is taken
	// on this date.
	At time.Time `json:"at"`
}

// MaxPartySize bounds the travellers of one inspection.
const MaxPartySize = 64

// Validate names every invalid field of the party.
func (p *Party) Validate() error {
	_, err := p.validate()
	return err
}

// validate also returns the canonical readings of each traveller's name,
// computed once for validation and for the probes.
func (p *Party) validate() ([][]names.Name, error) {
	var pr problems
	switch p.Direction {
	case Entry, Exit:
	default:
		pr.add("direction", "must be entry or exit")
	}
	switch {
	case len(p.Travellers) == 0:
		pr.add("travellers", "at least one traveller")
	case len(p.Travellers) > MaxPartySize:
		pr.add("travellers", fmt.Sprintf("at most %d travellers", MaxPartySize))
	}
	readings := make([][]names.Name, len(p.Travellers))
	for i := range p.Travellers {
		readings[i] = p.Travellers[i].validate(&pr, fmt.Sprintf("travellers[%d].", i))
	}
	seen := map[[2]int]bool{}
	for i, r := range p.Relationships {
		path := fmt.Sprintf("relationships[%d]", i)
		if r.Adult < 0 || r.Adult >= len(p.Travellers) {
			pr.add(path+".adult", "not the index of a traveller")
		}
		if r.Minor < 0 || r.Minor >= len(p.Travellers) {
			pr.add(path+".minor", "not the index of a traveller")
		}
		if r.Adult == r.Minor {
			pr.add(path, "a traveller cannot be related to themself")
		}
		switch r.Relation {
		case Parent, Guardian, Relative, Other:
		default:
			pr.add(path+".relation", "must be parent, guardian, relative or other")
		}
		if seen[[2]int{r.Adult, r.Minor}] {
			pr.add(path, "the same adult and minor are declared twice")
		}
		seen[[2]int{r.Adult, r.Minor}] = true
	}
	if p.At.IsZero() {
		pr.add("at", "the crossing time is required")
	}
	return readings, pr.err()
}

// Verdict is the answer to the officer. Verdicts are ordered: clear <
// refer < stop; a party's verdict is the worst of its findings.
type Verdict string

// Verdicts.
const (
	Clear Verdict = "clear"
	Refer Verdict = "refer"
	Stop  Verdict = "stop"
)

func (v Verdict) rank() int {
	switch v {
	case Stop:
		return 2
	case Refer:
		return 1
	}
	return 0
}

// Worse returns the worse of two verdicts.
func Worse(a, b Verdict) Verdict {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// TravellerResult is what the inspection found for one traveller.
type TravellerResult struct {
	Index int `json:"index"`
	// Age in whole years on the crossing date; -1 when unknown. With a
	// partial birth date it is the youngest age the traveller can be.
	Age   int   `json:"age"`
	Minor bool  `json:"minor"`
	Hits  []Hit `json:"hits"`
}

// Inspection is the answer for a party.
type Inspection struct {
	Verdict    Verdict           `json:"verdict"`
	Travellers []TravellerResult `json:"travellers"`
	Findings   []Finding         `json:"findings"`
	// Crossing is the pseudonymised record of this crossing, for the
	// history; the caller stores it (RecordCrossing, or a node's outbox).
	Crossing Crossing `json:"-"`
}

// Inspect checks every traveller of the party against the watchlist and
// applies the child-protection rules, with the engine's own crossing
// history.
func (e *Engine) Inspect(p Party) (Inspection, error) {
	return e.InspectWith(p, e)
}

// InspectWith is Inspect with another escort history (a border post adds
// its outbox to the committed history).
func (e *Engine) InspectWith(p Party, history EscortHistory) (Inspection, error) {
	readings, err := p.validate()
	if err != nil {
		return Inspection{}, err
	}
	ctx := &ruleContext{engine: e, party: &p, history: history, cfg: &e.cfg}
	ctx.results = make([]TravellerResult, len(p.Travellers))
	ctx.pseudonyms = make([]Pseudonym, len(p.Travellers))
	for i := range p.Travellers {
		m := &p.Travellers[i]
		hits, err := e.Check(e.newProbe(m.Traveller, readings[i]), p.At)
		if err != nil {
			return Inspection{}, err
		}
		if hits == nil {
			hits = []Hit{}
		}
		age := ageOn(m.BirthDate, p.At)
		ctx.results[i] = TravellerResult{Index: i, Age: age, Minor: age >= 0 && age < 18, Hits: hits}
		ctx.pseudonyms[i] = e.travellerPseudonym(&m.Traveller)
	}
	out := Inspection{Verdict: Clear, Travellers: ctx.results, Findings: []Finding{}}
	for _, r := range ruleTable {
		fs, err := r.Evaluate(ctx)
		if err != nil {
			return Inspection{}, fmt.Errorf("rule %s: %w", r.Code, err)
		}
		for _, f := range fs {
			out.Findings = append(out.Findings, f)
			out.Verdict = Worse(out.Verdict, f.Severity)
		}
	}
	out.Crossing = ctx.crossing(out.Verdict)
	return out, nil
}

// AgeOn is the age in whole years on date at, as inspections compute it
// (-1 when the birth date is unknown).
func AgeOn(birth string, at time.Time) int { return ageOn(birth, at) }

// ageOn is the age in whole years on date at; for a partial birth date,
// the youngest the traveller can be (a child is never taken for an adult
// because the day or month is unknown); -1 when unknown.
func ageOn(birth string, at time.Time) int {
	y, m, d, ok := parsePartialDate(birth)
	if !ok {
		return -1
	}
	if m == 0 {
		m, d = 12, 31
	} else if d == 0 {
		d = daysIn(y, m)
	}
	age := at.Year() - y
	if int(at.Month()) < m || (int(at.Month()) == m && at.Day() < d) {
		age--
	}
	return max(age, 0)
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// crossing builds the pseudonymised record of the inspected crossing.
func (c *ruleContext) crossing(v Verdict) Crossing {
	p := c.party
	rec := Crossing{
		ID:        ulid.MustNew(ulid.Timestamp(p.At), ulid.DefaultEntropy()).String(),
		At:        p.At.UTC(),
		Post:      p.Post,
		Direction: p.Direction,
		Verdict:   v,
		Parties:   c.pseudonyms,
	}
	var minors []Pseudonym
	for i, r := range c.results {
		if r.Minor {
			minors = append(minors, c.pseudonyms[i])
		}
		for _, h := range r.Hits {
			rec.Hits = append(rec.Hits, CrossingHit{Traveller: i, AlertID: h.AlertID,
				Category: h.Category, Action: h.Action, Score: h.Score})
		}
	}
	if len(minors) > 0 {
		for i, r := range c.results {
			if !r.Minor && r.Age >= 0 {
				rec.Escorts = append(rec.Escorts, Escort{Adult: c.pseudonyms[i], Minors: minors})
			}
		}
	}
	return rec
}

func canonicalReadings(t *Traveller) []names.Name { return names.FromParts(t.Surname, t.Given) }
