package watchlist

import (
	"fmt"
	"slices"
	"strings"
)

// Finding is one reason for a party's verdict: a rule's code, its
// severity, the travellers involved (indexes in the request, from 0) and
// a message for the officer (which numbers travellers from 1, as an
// officer counts them).
type Finding struct {
	Code       string  `json:"code"`
	Severity   Verdict `json:"severity"`
	Travellers []int   `json:"travellers"`
	Message    string  `json:"message"`
	AlertID    string  `json:"alert_id,omitempty"`
}

// Rule is one check over an inspected party. Rules are data: a code, what
// it looks for, and a function from the inspection context to findings.
type Rule struct {
	Code        string
	Description string
	Evaluate    func(*ruleContext) ([]Finding, error)
}

// ruleContext is what a rule sees: the party, each traveller's result and
// pseudonym, the crossing history and the configuration.
type ruleContext struct {
	engine     *Engine
	party      *Party
	results    []TravellerResult
	pseudonyms []Pseudonym
	history    EscortHistory
	cfg        *Config
}

func (c *ruleContext) minors() []int {
	var out []int
	for i, r := range c.results {
		if r.Minor {
			out = append(out, i)
		}
	}
	return out
}

func (c *ruleContext) adults() []int {
	var out []int
	for i, r := range c.results {
		if r.Age >= 18 {
			out = append(out, i)
		}
	}
	return out
}

// Rules returns the child-protection rules in the order they run.
func Rules() []Rule { return slices.Clone(ruleTable) }

var ruleTable = []Rule{
	{"ALERT_HIT", "a traveller matches an alert; the alert's action decides the severity (report: let pass and report)", ruleAlertHit},
	{"LOST_STOLEN_DOCUMENT", "a traveller's document is on a lost or stolen document alert (refer at least)", ruleLostStolen},
	{"CHILD_AT_RISK_EXIT", "a child whom a child_at_risk alert protects is leaving the country: always stop", ruleChildAtRiskExit},
	{"MINOR_UNACCOMPANIED", "a minor travels with no adult", ruleMinorAlone},
	{"MINOR_WITHOUT_GUARDIAN", "a minor travels with adults of whom none is a declared parent or guardian, and without a parental consent document", ruleMinorWithoutGuardian},
	{"MINOR_NO_DOCUMENT", "a minor has no travel document", ruleMinorNoDocument},
	{"AGE_UNKNOWN", "a traveller's birth date is unknown, so whether they are a minor cannot be told", ruleAgeUnknown},
	{"MINOR_FOR_WORK", "a minor travels for work", ruleMinorForWork},
	{"GIRL_WITH_UNRELATED_MAN", "an adolescent girl travels with an adult man who is not her parent, guardian or relative", ruleGirlWithUnrelatedMan},
	{"REPEATED_ESCORT", "an adult has crossed with several different minors within the escort window", ruleRepeatedEscort},
	{"DOCUMENT_CHECK_FAILED", "a scanned document failed its check digits (mistyped, damaged or forged)", ruleDocumentChecks},
	{"DOCUMENT_EXPIRED", "a document expired before the crossing date", ruleDocumentExpired},
}

func actionSeverity(a Action) Verdict {
	switch a {
	case ActionStop:
		return Stop
	case ActionRefer:
		return Refer
	}
	return Clear // report: a discreet check, the traveller passes
}

func ruleAlertHit(c *ruleContext) ([]Finding, error) {
	var out []Finding
	for i, r := range c.results {
		for _, h := range r.Hits {
			if h.Category == LostStolenDocument {
				continue
			}
			msg := fmt.Sprintf("Traveller %d matches %s alert %s of %s (score %.2f). ", i+1, strings.ReplaceAll(string(h.Category), "_", " "), h.AlertID, h.Owner.Country, h.Score)
			if h.Action == ActionReport {
				msg += "Let the traveller pass without comment and report the crossing. "
			}
			out = append(out, Finding{Code: "ALERT_HIT", Severity: actionSeverity(h.Action), Travellers: []int{i},
				Message: msg + h.Instructions, AlertID: h.AlertID})
		}
	}
	return out, nil
}

func ruleLostStolen(c *ruleContext) ([]Finding, error) {
	var out []Finding
	for i, r := range c.results {
		for _, h := range r.Hits {
			if h.Category != LostStolenDocument {
				continue
			}
			out = append(out, Finding{Code: "LOST_STOLEN_DOCUMENT", Severity: Worse(Refer, actionSeverity(h.Action)), Travellers: []int{i},
				Message: fmt.Sprintf("Traveller %d presents a document reported lost or stolen by %s (alert %s). %s", i+1, h.Owner.Country, h.AlertID, h.Instructions),
				AlertID: h.AlertID})
		}
	}
	return out, nil
}

func ruleChildAtRiskExit(c *ruleContext) ([]Finding, error) {
	if c.party.Direction != Exit {
		return nil, nil
	}
	var out []Finding
	for i, r := range c.results {
		for _, h := range r.Hits {
			if h.Category == ChildAtRisk {
				out = append(out, Finding{Code: "CHILD_AT_RISK_EXIT", Severity: Stop, Travellers: []int{i},
					Message: fmt.Sprintf("Traveller %d is a child at risk whom alert %s forbids to leave the country. Do not let the child pass.", i+1, h.AlertID),
					AlertID: h.AlertID})
			}
		}
	}
	return out, nil
}

func ruleMinorAlone(c *ruleContext) ([]Finding, error) {
	minors := c.minors()
	if len(minors) == 0 || len(c.adults()) > 0 {
		return nil, nil
	}
	return []Finding{{Code: "MINOR_UNACCOMPANIED", Severity: Refer, Travellers: minors,
		Message: "A minor travels with no adult. Establish who is responsible for the child and where the child is going."}}, nil
}

func ruleMinorWithoutGuardian(c *ruleContext) ([]Finding, error) {
	adults := c.adults()
	if len(adults) == 0 {
		return nil, nil
	}
	var out []Finding
	for _, m := range c.minors() {
		guarded := false
		for _, rel := range c.party.Relationships {
			if rel.Minor == m && c.results[rel.Adult].Age >= 18 &&
				(rel.Relation == Parent || rel.Relation == Guardian || rel.ConsentDocument) {
				guarded = true
			}
		}
		if !guarded {
			out = append(out, Finding{Code: "MINOR_WITHOUT_GUARDIAN", Severity: Refer, Travellers: append([]int{m}, adults...),
				Message: fmt.Sprintf("Minor %d travels with adults of whom none is a declared parent or legal guardian, and no parental consent document was shown.", m+1)})
		}
	}
	return out, nil
}

func ruleMinorNoDocument(c *ruleContext) ([]Finding, error) {
	var out []Finding
	for _, m := range c.minors() {
		if c.party.Travellers[m].Document == nil {
			out = append(out, Finding{Code: "MINOR_NO_DOCUMENT", Severity: Refer, Travellers: []int{m},
				Message: fmt.Sprintf("Minor %d has no travel document.", m+1)})
		}
	}
	return out, nil
}

func ruleAgeUnknown(c *ruleContext) ([]Finding, error) {
	var out []Finding
	for i, r := range c.results {
		if r.Age < 0 {
			out = append(out, Finding{Code: "AGE_UNKNOWN", Severity: Refer, Travellers: []int{i},
				Message: fmt.Sprintf("Traveller %d has no known birth date: establish whether they are a minor.", i+1)})
		}
	}
	return out, nil
}

func ruleMinorForWork(c *ruleContext) ([]Finding, error) {
	if !strings.EqualFold(strings.TrimSpace(c.party.Purpose), "work") {
		return nil, nil
	}
	minors := c.minors()
	if len(minors) == 0 {
		return nil, nil
	}
	return []Finding{{Code: "MINOR_FOR_WORK", Severity: Refer, Travellers: minors,
		Message: "A minor travels for work: check for labour exploitation (who recruited the child, who will employ them)."}}, nil
}

func ruleGirlWithUnrelatedMan(c *ruleContext) ([]Finding, error) {
	var out []Finding
	for _, m := range c.minors() {
		if c.party.Travellers[m].Sex != "F" || c.results[m].Age < 12 {
			continue
		}
		for _, a := range c.adults() {
			if c.party.Travellers[a].Sex != "M" {
				continue
			}
			related := false
			for _, rel := range c.party.Relationships {
				if rel.Adult == a && rel.Minor == m && rel.Relation != Other {
					related = true
				}
			}
			if !related {
				out = append(out, Finding{Code: "GIRL_WITH_UNRELATED_MAN", Severity: Refer, Travellers: []int{m, a},
					Message: fmt.Sprintf("Girl %d (aged %d) travels with man %d, who is not her parent, guardian or relative: speak to her alone.", m+1, c.results[m].Age, a+1)})
			}
		}
	}
	return out, nil
}

func ruleRepeatedEscort(c *ruleContext) ([]Finding, error) {
	minors := c.minors()
	if len(minors) == 0 {
		return nil, nil
	}
	since := c.party.At.Add(-c.cfg.EscortWindow)
	var out []Finding
	for _, a := range c.adults() {
		past, err := c.history.MinorsEscorted(c.pseudonyms[a], since)
		if err != nil {
			return nil, err
		}
		distinct := map[Pseudonym]bool{}
		for _, p := range past {
			distinct[p] = true
		}
		for _, m := range minors {
			distinct[c.pseudonyms[m]] = true
		}
		if len(distinct) >= c.cfg.EscortMinors {
			out = append(out, Finding{Code: "REPEATED_ESCORT", Severity: Refer, Travellers: append([]int{a}, minors...),
				Message: fmt.Sprintf("Adult %d has crossed with %d different minors within %d days.", a+1, len(distinct), int(c.cfg.EscortWindow.Hours()/24))})
		}
	}
	return out, nil
}

func ruleDocumentChecks(c *ruleContext) ([]Finding, error) {
	var out []Finding
	for i, m := range c.party.Travellers {
		if len(m.FailedChecks) > 0 {
			out = append(out, Finding{Code: "DOCUMENT_CHECK_FAILED", Severity: Refer, Travellers: []int{i},
				Message: fmt.Sprintf("Traveller %d: the document failed the checks %s. Re-scan it; if it fails again, examine the document.", i+1, strings.Join(m.FailedChecks, ", "))})
		}
	}
	return out, nil
}

func ruleDocumentExpired(c *ruleContext) ([]Finding, error) {
	var out []Finding
	day := c.party.At.Format("2006-01-02")
	for i, m := range c.party.Travellers {
		if m.DocumentExpiry != "" && m.DocumentExpiry < day {
			out = append(out, Finding{Code: "DOCUMENT_EXPIRED", Severity: Refer, Travellers: []int{i},
				Message: fmt.Sprintf("Traveller %d: the document expired on %s.", i+1, m.DocumentExpiry)})
		}
	}
	return out, nil
}
