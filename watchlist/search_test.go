package watchlist

import (
	"context"
	"testing"
)

func TestSearchAlertsByNameInAnyScriptAndByDocument(t *testing.T) {
	e := openTest(t)
	zhang := childAlert("01JD0000000000000000000001", "张小明", "2015-03-09")
	dao := childAlert("01JD0000000000000000000002", "Nguyễn Thị Đào", "2016")
	doc := Alert{ID: "01JD0000000000000000000003", Category: LostStolenDocument, Action: ActionStop,
		Documents: []Document{{Type: "P", Country: "THA", Number: "AA9876543"}}, Owner: Owner{Country: "THA", Agency: "MFA"}}
	mustUpsert(t, e, zhang, dao, doc)
	if err := e.CloseAlert(dao.ID, today); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for q, want := range map[string]string{
		"张小明":            zhang.ID,
		"zhang xiaoming": zhang.ID,
		"XIAOMING":       zhang.ID,
		"nguyen dao":     dao.ID,
		"Đào":            dao.ID,
		"aa 9876543":     doc.ID,
	} {
		got, _, err := e.SearchAlerts(ctx, AlertQuery{Text: q})
		if err != nil || len(got) != 1 || got[0].ID != want {
			t.Errorf("search %q: %v %v, want %s", q, ids(got), err, want)
		}
	}
	if got, _, _ := e.SearchAlerts(ctx, AlertQuery{Text: "li hua"}); len(got) != 0 {
		t.Errorf("a name on no alert: %v", ids(got))
	}
	if got, _, _ := e.SearchAlerts(ctx, AlertQuery{Status: StatusActive}); len(got) != 2 {
		t.Errorf("active: %v", ids(got))
	}
	if got, _, _ := e.SearchAlerts(ctx, AlertQuery{Category: LostStolenDocument}); len(got) != 1 || got[0].ID != doc.ID {
		t.Errorf("by category: %v", ids(got))
	}
	page, next, _ := e.SearchAlerts(ctx, AlertQuery{Limit: 2})
	if len(page) != 2 || next != page[1].ID {
		t.Fatalf("first page %v next %q", ids(page), next)
	}
	rest, next, _ := e.SearchAlerts(ctx, AlertQuery{Limit: 2, After: next})
	if len(rest) != 1 || rest[0].ID != doc.ID || next != "" {
		t.Fatalf("second page %v next %q", ids(rest), next)
	}
}

func ids(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}
