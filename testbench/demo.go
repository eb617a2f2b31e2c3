package testbench

import "github.com/crossguard/crossguard/watchlist"

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
