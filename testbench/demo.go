package testbench

import (
	"time"

	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

// DemoAlerts are hand-written alerts that the demo parties hit, on top of
// the generated watchlist; they have IDs but are not stamped.
func DemoAlerts() []watchlist.Alert {
	return []watchlist.Alert{
		{ID: "DEMO-MISSING-ZHANG", Category: watchlist.MissingChild, Action: watchlist.ActionStop, Status: watchlist.StatusActive,
			Person:       &watchlist.Person{Names: []watchlist.PersonName{{Full: "张小明"}}, BirthDate: "2015-03-09", Sex: "M", Nationalities: []string{"CHN"}},
			Instructions: "Missing since 2026-10-02 from Kunming. Keep the child safe and apart from the adults; call Yunnan PSB duty officer +86 871 0000 0000.",
			Owner:        watchlist.Owner{Country: "CHN", Agency: "Yunnan PSB"}, Share: []string{"VNM", "LAO"}},
		{ID: "DEMO-RISK-LE", Category: watchlist.ChildAtRisk, Action: watchlist.ActionRefer, Status: watchlist.StatusActive,
			Person:       &watchlist.Person{Names: []watchlist.PersonName{{Full: "Lê Thị Hoa"}}, BirthDate: "2013-05-05", Sex: "F", Nationalities: []string{"VNM"}},
			Instructions: "A court order forbids this child to leave Viet Nam (risk of forced marriage). Call child protection.",
			Owner:        watchlist.Owner{Country: "VNM", Agency: "Lao Cai Child Protection"}},
		{ID: "DEMO-TRAFFICKER-DO", Category: watchlist.SuspectedTrafficker, Action: watchlist.ActionRefer, Status: watchlist.StatusActive,
			Person:       &watchlist.Person{Names: []watchlist.PersonName{{Full: "Đỗ Văn Hùng"}}, BirthDate: "1975-03-03", Sex: "M", Nationalities: []string{"VNM"}},
			Instructions: "Suspected recruiter for forced labour. Secondary inspection; interview every child with him separately.",
			Owner:        watchlist.Owner{Country: "VNM", Agency: "Ministry of Public Security"}},
		{ID: "DEMO-STOLEN-THA", Category: watchlist.LostStolenDocument, Action: watchlist.ActionStop, Status: watchlist.StatusActive,
			Documents:    []watchlist.Document{{Type: "P", Country: "THA", Number: "AA9876543"}},
			Instructions: "Stolen blank passport. Seize it.", Owner: watchlist.Owner{Country: "THA", Agency: "Ministry of Foreign Affairs"}},
	}
}

// DemoSeed seeds the generated part of the demo watchlist.
const DemoSeed = 20261122

// DemoParty is a party of the demo, with what it shows.
type DemoParty struct {
	Title string
	Party watchlist.Party
}

// DemoParties are the parties the demo inspects: an innocent family, a
// missing child, a child a court forbids to leave, a suspected trafficker,
// an escort without consent, a stolen passport and a lone traveller.
func DemoParties(now time.Time) []DemoParty {
	g := NewGenerator(DemoSeed+1, now)
	m := func(surname, given, birth, sex, nat, doc string) watchlist.Member {
		return watchlist.Member{Traveller: watchlist.Traveller{Surname: surname, Given: given, BirthDate: birth, Sex: sex, Nationality: nat,
			Document: &watchlist.Document{Type: "P", Country: nat, Number: doc}}, DocumentExpiry: now.AddDate(4, 0, 0).Format(time.DateOnly)}
	}
	return []DemoParty{
		{"An innocent family leaves for a holiday", g.Family(watchlist.Exit, now)},
		{"A woman leaves with a boy on a missing-child alert (张小明, passport ZHANG XIAOMING)", watchlist.Party{Direction: watchlist.Exit, At: now,
			Travellers:    []watchlist.Member{m("WANG", "FANG", "1988-04-02", "F", "CHN", "E50001234"), m("ZHANG", "XIAOMING", "2015-03-09", "M", "CHN", "E50004321")},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Relative}}}},
		{"A mother leaves with a girl whom a court forbids to leave", watchlist.Party{Direction: watchlist.Exit, At: now,
			Travellers:    []watchlist.Member{m("LE", "THI LAN", "1985-01-01", "F", "VNM", "C50000001"), m("LE", "THI HOA", "2013-05-05", "F", "VNM", "C50000002")},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Parent}}}},
		{"A suspected trafficker escorts a teenager 'for work'", watchlist.Party{Direction: watchlist.Exit, At: now, Purpose: "work",
			Travellers:    []watchlist.Member{m("DO", "VAN HUNG", "1975-03-03", "M", "VNM", "C50000003"), m("PHAM", "THI MAI", "2010-08-08", "F", "VNM", "C50000004")},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Other, ConsentDocument: true}}}},
		{"An adult escorts a child who is not theirs, without consent", g.Escort(watchlist.Exit, now, false)},
		{"A traveller presents a stolen Thai passport", watchlist.Party{Direction: watchlist.Entry, At: now,
			Travellers: []watchlist.Member{m("SRISUK", "SOMCHAI", "1990-10-10", "M", "THA", "AA9876543")}}},
		{"A businessman crosses alone", g.Solo(watchlist.Entry, now)},
	}
}

// ScannedRequest is the inspection request a post's document reader sends
// for the party: each traveller with a document as its passport's machine
// readable zone (TD3), the others by their fields.
func ScannedRequest(p watchlist.Party) watchlist.InspectionRequest {
	req := watchlist.InspectionRequest{Direction: p.Direction, Relationships: p.Relationships, Purpose: p.Purpose}
	for _, m := range p.Travellers {
		t := m.Traveller
		birth, err := time.Parse(time.DateOnly, t.BirthDate)
		expiry, err2 := time.Parse(time.DateOnly, m.DocumentExpiry)
		if t.Document == nil || err != nil || err2 != nil {
			req.Travellers = append(req.Travellers, watchlist.RequestTraveller{Traveller: t})
			continue
		}
		req.Travellers = append(req.Travellers, watchlist.RequestTraveller{MRZ: mrz.Compose(mrz.TD3, mrz.Fields{
			DocumentCode: t.Document.Type, IssuingState: t.Document.Country, Surname: t.Surname, GivenNames: t.Given,
			DocumentNumber: t.Document.Number, Nationality: t.Nationality, BirthDate: birth, Sex: t.Sex, ExpiryDate: expiry})})
	}
	return req
}
