package node

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// TestInnocentCrossingsArePurged: the crossing records of travellers who
// hit nothing hold only keyed hashes and are gone after the retention
// period (30 days); a crossing with a hit stays, with the hit's details.
// The node's whole store (a backup) is searched for the innocent
// travellers' names and document numbers.
func TestInnocentCrossingsArePurged(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	if _, err := n.UpsertAlerts(tn.ctx(), testbench.DemoAlerts()); err != nil {
		t.Fatal(err)
	}
	g := testbench.NewGenerator(12, testNow)
	family := g.Family(watchlist.Exit, testNow)
	parties := testbench.DemoParties(testNow)
	missing := parties[1].Party

	// Today's family, and the same family and the missing boy 31 days
	// ago (the officers' clock said so).
	today := inspect(t, n, family)
	tn.clock.mu.Lock()
	tn.clock.t = time.Now().Add(-31 * 24 * time.Hour)
	tn.clock.mu.Unlock()
	old := inspect(t, n, family)
	oldHit := inspect(t, n, missing)
	tn.clock.mu.Lock()
	tn.clock.t = testNow
	tn.clock.mu.Unlock()
	if today.Verdict != watchlist.Clear || old.Verdict != watchlist.Clear || oldHit.Verdict != watchlist.Stop {
		t.Fatalf("verdicts %s %s %s", today.Verdict, old.Verdict, oldHit.Verdict)
	}
	tn.waitFor("the crossings to commit", func() bool { return n.OutboxDepth() == 0 })

	if code, body := call(t, n, http.MethodGet, "/v1/crossings/"+today.CrossingID, nil); code != http.StatusOK {
		t.Fatalf("today's crossing: %d %s", code, body)
	}
	if code, _ := call(t, n, http.MethodGet, "/v1/crossings/"+old.CrossingID, nil); code != http.StatusNotFound {
		t.Fatalf("the innocent crossing of 31 days ago: %d, want 404", code)
	}
	d := family.Travellers[0].Document
	code, body := call(t, n, http.MethodGet, "/v1/crossings?document_country="+d.Country+"&document_number="+urlQuery(d.Number), nil)
	if code != http.StatusOK || strings.Contains(string(body), old.CrossingID) || !strings.Contains(string(body), today.CrossingID) {
		t.Fatalf("crossings by document: %d %s", code, body)
	}
	code, body = call(t, n, http.MethodGet, "/v1/crossings/"+oldHit.CrossingID, nil)
	if code != http.StatusOK || !strings.Contains(string(body), "DEMO-MISSING-ZHANG") {
		t.Fatalf("the crossing with a hit: %d %s", code, body)
	}
	code, body = call(t, n, http.MethodGet, "/v1/hits?alert=DEMO-MISSING-ZHANG", nil)
	if code != http.StatusOK || !strings.Contains(string(body), oldHit.CrossingID) || !strings.Contains(string(body), `"category":"missing_child"`) {
		t.Fatalf("the hit: %d %s", code, body)
	}

	// Nothing in the store names the family or their documents.
	snap, err := n.Backup(tn.ctx(), cluster.Leader)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	snap.Release()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range family.Travellers {
		for _, s := range []string{m.Surname + " " + m.Given, m.Given, m.Document.Number} {
			if len(s) > 3 && bytes.Contains(buf.Bytes(), []byte(s)) {
				t.Errorf("the store holds %q of an innocent traveller", s)
			}
		}
	}
}
