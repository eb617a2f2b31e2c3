package watchlist

import (
	"fmt"
	"testing"
	"time"

	"github.com/crossguard/crossguard/watchlist/mrz"
)

func member(surname, given, birth, sex, doc string) Member {
	m := Member{Traveller: Traveller{Surname: surname, Given: given, BirthDate: birth, Sex: sex, Nationality: "VNM"}}
	if doc != "" {
		m.Document = &Document{Type: "P", Country: "VNM", Number: doc}
	}
	return m
}

func codes(in Inspection) map[string]int {
	out := map[string]int{}
	for _, f := range in.Findings {
		out[f.Code]++
	}
	return out
}

func TestRules(t *testing.T) {
	e := openTest(t)
	risk := childAlert("RISK", "Lê Thị Hoa", "2014-05-05")
	risk.Category, risk.Action = ChildAtRisk, ActionRefer // the exit rule must still stop
	report := childAlert("POI", "Phạm Văn Long", "1980-02-02")
	report.Category, report.Action = PersonOfInterest, ActionReport
	traffick := childAlert("TRAF", "Đỗ Văn Hùng", "1975-03-03")
	traffick.Category, traffick.Action = SuspectedTrafficker, ActionRefer
	lost := Alert{ID: "LOST", Category: LostStolenDocument, Action: ActionRefer, Status: StatusActive,
		Documents: []Document{{Type: "P", Country: "VNM", Number: "C9999999"}}, Owner: Owner{Country: "VNM", Agency: "Immigration"}}
	mustUpsert(t, e, risk, report, traffick, lost)

	parent := member("TRAN", "VAN NAM", "1985-01-01", "M", "C1000001")
	mother := member("NGUYEN", "THI LAN", "1987-01-01", "F", "C1000002")
	child := member("TRAN", "THI MAI", "2016-06-06", "F", "C1000003")
	teen := member("TRAN", "THI HONG", "2010-03-03", "F", "C1000004")
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

	tests := []struct {
		name    string
		party   Party
		verdict Verdict
		codes   map[string]int
	}{
		{"family with declared parents", Party{Direction: Exit, At: at, Travellers: []Member{parent, mother, child},
			Relationships: []Relationship{{Adult: 0, Minor: 2, Relation: Parent}, {Adult: 1, Minor: 2, Relation: Parent}}}, Clear, map[string]int{}},
		{"adult alone", Party{Direction: Entry, At: at, Travellers: []Member{parent}}, Clear, map[string]int{}},
		{"child at risk leaving with a parent", Party{Direction: Exit, At: at,
			Travellers:    []Member{mother, member("LE", "THI HOA", "2014-05-05", "F", "C1000005")},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Parent}}}, Stop, map[string]int{"ALERT_HIT": 1, "CHILD_AT_RISK_EXIT": 1}},
		{"child at risk entering", Party{Direction: Entry, At: at,
			Travellers:    []Member{mother, member("LE", "THI HOA", "2014-05-05", "F", "C1000005")},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Parent}}}, Refer, map[string]int{"ALERT_HIT": 1}},
		{"report alert lets pass", Party{Direction: Entry, At: at, Travellers: []Member{member("PHAM", "VAN LONG", "1980-02-02", "M", "C1000006")}},
			Clear, map[string]int{"ALERT_HIT": 1}},
		{"lost document", Party{Direction: Entry, At: at, Travellers: []Member{member("VO", "VAN BA", "1990-01-01", "M", "C9999999")}},
			Refer, map[string]int{"LOST_STOLEN_DOCUMENT": 1}},
		{"minor alone", Party{Direction: Exit, At: at, Travellers: []Member{child}}, Refer, map[string]int{"MINOR_UNACCOMPANIED": 1}},
		{"minor with an unrelated adult, no consent", Party{Direction: Exit, At: at, Travellers: []Member{mother, child},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Other}}}, Refer, map[string]int{"MINOR_WITHOUT_GUARDIAN": 1}},
		{"minor with a relative and a consent letter", Party{Direction: Exit, At: at, Travellers: []Member{mother, child},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Relative, ConsentDocument: true}}}, Clear, map[string]int{}},
		{"minor without document", Party{Direction: Entry, At: at, Travellers: []Member{mother, member("NGUYEN", "VAN AN", "2019-01-01", "M", "")},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Parent}}}, Refer, map[string]int{"MINOR_NO_DOCUMENT": 1}},
		{"age unknown", Party{Direction: Entry, At: at, Travellers: []Member{member("NGUYEN", "VAN AN", "", "M", "C1000007")}},
			Refer, map[string]int{"AGE_UNKNOWN": 1}},
		{"minor for work", Party{Direction: Exit, At: at, Purpose: "work", Travellers: []Member{mother, teen},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Relative, ConsentDocument: true}}}, Refer, map[string]int{"MINOR_FOR_WORK": 1}},
		{"teenage girl with an unrelated man, consent shown", Party{Direction: Exit, At: at, Travellers: []Member{parent, teen},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Other, ConsentDocument: true}}}, Refer, map[string]int{"GIRL_WITH_UNRELATED_MAN": 1}},
		{"suspected trafficker with a child", Party{Direction: Exit, At: at, Travellers: []Member{member("DO", "VAN HUNG", "1975-03-03", "M", "C1000008"), child},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Guardian}}}, Refer, map[string]int{"ALERT_HIT": 1}},
		{"document failed checks and expired", Party{Direction: Entry, At: at, Travellers: []Member{
			{Traveller: parent.Traveller, FailedChecks: []string{"birth_date"}, DocumentExpiry: "2026-01-01"}}},
			Refer, map[string]int{"DOCUMENT_CHECK_FAILED": 1, "DOCUMENT_EXPIRED": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := e.Inspect(tt.party)
			if err != nil {
				t.Fatal(err)
			}
			got := codes(in)
			if in.Verdict != tt.verdict || fmt.Sprint(got) != fmt.Sprint(tt.codes) {
				t.Errorf("verdict %s findings %v, want %s %v\n%+v", in.Verdict, got, tt.verdict, tt.codes, in.Findings)
			}
			for _, f := range in.Findings {
				if f.Message == "" || len(f.Travellers) == 0 {
					t.Errorf("finding without message or travellers: %+v", f)
				}
			}
		})
	}
}

func TestEveryRuleIsTested(t *testing.T) {
	// TestRules, TestRepeatedEscort cover these codes; a new rule must be
	// added to a test.
	tested := map[string]bool{"ALERT_HIT": true, "LOST_STOLEN_DOCUMENT": true, "CHILD_AT_RISK_EXIT": true, "MINOR_UNACCOMPANIED": true,
		"MINOR_WITHOUT_GUARDIAN": true, "MINOR_NO_DOCUMENT": true, "AGE_UNKNOWN": true, "MINOR_FOR_WORK": true,
		"GIRL_WITH_UNRELATED_MAN": true, "REPEATED_ESCORT": true, "DOCUMENT_CHECK_FAILED": true, "DOCUMENT_EXPIRED": true}
	for _, r := range Rules() {
		if !tested[r.Code] {
			t.Errorf("rule %s has no test", r.Code)
		}
		if r.Description == "" || r.Evaluate == nil {
			t.Errorf("rule %s incomplete", r.Code)
		}
	}
}

func TestRepeatedEscort(t *testing.T) {
	e := openTest(t)
	escort := member("HOANG", "VAN BINH", "1979-09-09", "M", "C2000000")
	start := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	inspect := func(day int, child Member) Inspection {
		t.Helper()
		in, err := e.Inspect(Party{Direction: Exit, At: start.AddDate(0, 0, day), Travellers: []Member{escort, child},
			Relationships: []Relationship{{Adult: 0, Minor: 1, Relation: Relative, ConsentDocument: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.RecordCrossing(in.Crossing); err != nil {
			t.Fatal(err)
		}
		return in
	}
	c1 := member("LY", "VAN A", "2015-01-01", "M", "C3000001")
	c2 := member("LY", "VAN B", "2016-01-01", "M", "C3000002")
	c3 := member("LY", "VAN C", "2017-01-01", "M", "C3000003")
	if in := inspect(0, c1); codes(in)["REPEATED_ESCORT"] != 0 {
		t.Fatal("first crossing flagged")
	}
	if in := inspect(1, c1); codes(in)["REPEATED_ESCORT"] != 0 {
		t.Fatal("same child twice flagged")
	}
	if in := inspect(2, c2); codes(in)["REPEATED_ESCORT"] != 0 {
		t.Fatal("two children flagged")
	}
	in := inspect(3, c3)
	if codes(in)["REPEATED_ESCORT"] != 1 || in.Verdict != Refer {
		t.Fatalf("third child within 30 days not flagged: %+v", in.Findings)
	}
	// 40 days later the earlier crossings are outside the window.
	if in := inspect(45, c1); codes(in)["REPEATED_ESCORT"] != 0 {
		t.Errorf("crossings outside the window counted: %+v", in.Findings)
	}
	// Recording is idempotent.
	if err := e.RecordCrossing(in.Crossing); err != nil {
		t.Fatal(err)
	}
	past, _ := e.MinorsEscorted(e.PseudonymiseDocument("VNM", "C2000000"), start)
	if len(past) != 5 {
		t.Errorf("history holds %d escorted minors, want 5 (one per crossing, no duplicate)", len(past))
	}
	// The record holds pseudonyms, never names or document numbers.
	rec, err := e.Crossing(in.Crossing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Parties[0] != e.PseudonymiseDocument("VNM", "c2000000") {
		t.Error("document pseudonym is not stable under normalisation")
	}
}

func TestHistoryRetention(t *testing.T) {
	e := openTest(t)
	old := Crossing{ID: "OLD", At: time.Now().Add(-31 * 24 * time.Hour), Direction: Exit,
		Escorts: []Escort{{Adult: Pseudonym{1}, Minors: []Pseudonym{{2}}}}}
	recent := Crossing{ID: "NEW", At: time.Now().Add(-time.Hour), Direction: Exit,
		Escorts: []Escort{{Adult: Pseudonym{1}, Minors: []Pseudonym{{3}}}}}
	if err := e.RecordCrossings([]Crossing{old, recent}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Crossing("OLD"); err == nil {
		t.Error("a crossing past its retention is still readable")
	}
	if _, err := e.Crossing("NEW"); err != nil {
		t.Error(err)
	}
	got, _ := e.MinorsEscorted(Pseudonym{1}, time.Time{})
	if len(got) != 1 || got[0] != (Pseudonym{3}) {
		t.Errorf("escort history %v, want only the recent crossing", got)
	}

	// A crossing with a hit stays past the retention, with its hit; its
	// travellers' index and escorts expire like the rest.
	hit := Crossing{ID: "HIT", At: time.Now().Add(-31 * 24 * time.Hour), Direction: Exit, Verdict: Stop,
		Parties: []Pseudonym{{7}, {8}}, Escorts: []Escort{{Adult: Pseudonym{7}, Minors: []Pseudonym{{8}}}},
		Hits: []CrossingHit{{Traveller: 1, AlertID: "A1", Category: MissingChild, Action: ActionStop, Score: 0.97}}}
	if err := e.RecordCrossings([]Crossing{hit}); err != nil {
		t.Fatal(err)
	}
	if c, err := e.Crossing("HIT"); err != nil || len(c.Hits) != 1 {
		t.Fatalf("the crossing with a hit: %+v %v", c, err)
	}
	if hits, _, err := e.Hits(HitQuery{AlertID: "A1"}); err != nil || len(hits) != 1 || hits[0].Score != 0.97 {
		t.Fatalf("its hit: %+v %v", hits, err)
	}
	if cs, _ := e.CrossingsOf(Pseudonym{7}, 10); len(cs) != 0 {
		t.Errorf("the expired traveller index still finds %d crossings", len(cs))
	}
	if got, _ := e.MinorsEscorted(Pseudonym{7}, time.Time{}); len(got) != 0 {
		t.Errorf("expired escorts %v", got)
	}
}

func TestAgeOn(t *testing.T) {
	at := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		birth string
		age   int
	}{{"2008-11-22", 18}, {"2008-11-23", 17}, {"2008", 17}, {"2008-11", 17}, {"2008-10", 18}, {"", -1}, {"2030-01-01", 0}} {
		if got := ageOn(tt.birth, at); got != tt.age {
			t.Errorf("ageOn(%q) = %d, want %d", tt.birth, got, tt.age)
		}
	}
}

func TestPartyValidation(t *testing.T) {
	p := Party{Direction: "sideways", Travellers: []Member{{}}, Relationships: []Relationship{{Adult: 0, Minor: 0, Relation: "cousin"}, {Adult: 5, Minor: 0, Relation: Parent}}}
	err := p.Validate()
	if err == nil {
		t.Fatal("invalid party accepted")
	}
	for _, want := range []string{"direction", "travellers[0].surname", "relationships[0]", "relationships[0].relation", "relationships[1].adult", "at"} {
		found := false
		for _, f := range err.(*ValidationError).Fields {
			found = found || f.Field == want
		}
		if !found {
			t.Errorf("no error for %s: %v", want, err)
		}
	}
}

func TestMemberFromMRZ(t *testing.T) {
	d := mrz.Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<19", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := MemberFromMRZ(d)
	if m.Surname != "ERIKSSON" || m.Given != "ANNA MARIA" || m.BirthDate != "1974-08-12" || m.Sex != "F" || m.Document == nil ||
		m.Document.Number != "L898902C3" || m.DocumentExpiry != "2012-04-15" || len(m.FailedChecks) != 1 || m.FailedChecks[0] != "composite" {
		t.Errorf("%+v %+v", m, m.Document)
	}
}
