package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// An NDJSON import stores every valid line and reports every invalid one
// by number; the alerts are then found by name and by document.
func TestImportStreamsAndReportsEveryInvalidLine(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	g := testbench.NewGenerator(8, testNow)
	var body bytes.Buffer
	wantInvalid := map[int]string{}
	line := 0
	for i := 0; i < 1200; i++ {
		line++
		switch {
		case i == 7:
			body.WriteString(`{"category": "lost_cat", "action": "stop"}` + "\n")
			wantInvalid[line] = "category"
		case i == 600:
			body.WriteString("not json\n")
			wantInvalid[line] = ""
		case i == 900:
			body.WriteString(`{"id": "X` + strings.Repeat("x", 70<<10) + `"}` + "\n")
			wantInvalid[line] = ""
		default:
			b, _ := json.Marshal(g.Alert(i))
			body.Write(b)
			body.WriteByte('\n')
		}
	}
	body.WriteString("\n") // blank lines are skipped
	req, _ := http.NewRequest(http.MethodPost, "http://"+n.HTTPAddr()+"/v1/alerts/import", io.NopCloser(&body))
	req.Header.Set("Authorization", "Bearer "+tokenFor(t, n, watchlist.RoleAnalyst))
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep struct {
		Lines, Imported, Invalid int
		Errors                   []struct {
			Line   int
			Errors []watchlist.FieldError
		}
	}
	out, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(out, &rep); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %s", resp.StatusCode, out)
	}
	if rep.Lines != 1200 || rep.Imported != 1197 || rep.Invalid != 3 || len(rep.Errors) != 3 {
		t.Fatalf("report %+v", rep)
	}
	for _, e := range rep.Errors {
		field, ok := wantInvalid[e.Line]
		if !ok || len(e.Errors) == 0 || (field != "" && e.Errors[0].Field != field) {
			t.Errorf("line %d: %+v", e.Line, e.Errors)
		}
	}
	for _, i := range []int{0, 599, 1199} {
		if _, err := n.Engine().Get(g.Alert(i).ID); err != nil {
			t.Errorf("alert of line %d: %v", i+1, err)
		}
	}
	// Search by the name as the owner wrote it, and by document.
	a := g.Alert(10)
	name := a.Person.Names[0].Full
	if name == "" {
		name = a.Person.Names[0].Surname + " " + a.Person.Names[0].Given
	}
	for _, q := range []string{name, a.Documents[0].Number} {
		code, body := call(t, n, http.MethodGet, "/v1/alerts?q="+urlQuery(q), nil)
		if code != http.StatusOK || !strings.Contains(string(body), a.ID) {
			t.Errorf("search %q: %d %.300s", q, code, body)
		}
	}
	code, body2 := call(t, n, http.MethodGet, "/v1/alerts?limit=0", nil)
	if code != http.StatusBadRequest {
		t.Errorf("limit=0: %d %s", code, body2)
	}
}

func urlQuery(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// An investigator finds a traveller's crossings by the document shown,
// though the history holds no document number.
func TestCrossingsByDocument(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	g := testbench.NewGenerator(9, testNow)
	p := g.Solo(watchlist.Exit, testNow)
	d := p.Travellers[0].Traveller.Document
	if d == nil {
		t.Fatal("the generated traveller has no document")
	}
	in := inspect(t, n, p)
	tn.waitFor("the crossing to commit", func() bool { return n.OutboxDepth() == 0 })
	code, body := call(t, n, http.MethodGet, "/v1/crossings?document_country="+d.Country+"&document_number="+urlQuery(strings.ToLower(d.Number)), nil)
	if code != http.StatusOK || !strings.Contains(string(body), in.CrossingID) {
		t.Fatalf("crossings of %s %s: %d %s", d.Country, d.Number, code, body)
	}
	if strings.Contains(string(body), d.Number) {
		t.Fatalf("the answer holds the document number: %s", body)
	}
	code, body = call(t, n, http.MethodGet, "/v1/crossings?document_number=X", nil)
	if code != http.StatusBadRequest || !strings.Contains(string(body), "document_country") {
		t.Fatalf("no country: %d %s", code, body)
	}
}
