package watchlist

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestHitsAreRecordedWithTheCrossingAndAcknowledged(t *testing.T) {
	e := openTest(t)
	c := Crossing{ID: "01JD0000000000000000000009", At: today, Post: "HEKOU-1", Direction: Exit, Verdict: Stop,
		Parties: []Pseudonym{{1}, {2}},
		Hits:    []CrossingHit{{Traveller: 1, AlertID: "01JD0000000000000000000001", Category: MissingChild, Action: ActionStop, Score: 0.97}}}
	if err := e.RecordCrossing(c); err != nil {
		t.Fatal(err)
	}
	id := HitID(c.ID, 1, "01JD0000000000000000000001")
	h, err := e.Hit(id)
	if err != nil {
		t.Fatal(err)
	}
	if h.Post != "HEKOU-1" || h.Verdict != Stop || h.Score != 0.97 || h.Ack != nil {
		t.Fatalf("hit = %+v", h)
	}

	bad := Acknowledgement{Outcome: "maybe"}
	var ve *ValidationError
	if err := e.AckHit(id, bad); !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("bad ack: %v", err)
	}
	if err := e.AckHit("nope", Acknowledgement{By: "analyst-7", Outcome: OutcomeConfirmed, At: today}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ack of a missing hit: %v", err)
	}
	ack := Acknowledgement{By: "analyst-7", Outcome: OutcomeChildSafe, Notes: "Handed to the Hekou child-protection office.", At: today}
	if err := e.AckHit(id, ack); err != nil {
		t.Fatal(err)
	}
	// Recording the same crossing again (a retried shipment) keeps the ack.
	if err := e.RecordCrossing(c); err != nil {
		t.Fatal(err)
	}
	var seen []HitRecord
	if err := e.ForEachHit(today.AddDate(0, 0, -1), func(h HitRecord) error { seen = append(seen, h); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Ack == nil || seen[0].Ack.Outcome != OutcomeChildSafe {
		t.Fatalf("hits = %+v", seen)
	}
}

// The feed is in commit order: a crossing recorded late (a post that was
// cut off) comes after the ones committed before it, whatever its time.
func TestHitFeedIsInCommitOrder(t *testing.T) {
	e := openTest(t)
	crossing := func(id, post string) Crossing {
		return Crossing{ID: id, At: today, Post: post, Direction: Exit, Verdict: Stop,
			Hits: []CrossingHit{{Traveller: 0, AlertID: "01JD0000000000000000000001", Category: MissingChild, Action: ActionStop, Score: 1}}}
	}
	if err := e.RecordCrossings([]Crossing{crossing("01JD0000000000000000000050", "A"), crossing("01JD0000000000000000000060", "B")}); err != nil {
		t.Fatal(err)
	}
	hits, cursor, err := e.Hits(HitQuery{})
	if err != nil || len(hits) != 2 || cursor != 2 {
		t.Fatalf("first read: %d hits, cursor %d, %v", len(hits), cursor, err)
	}
	// An older crossing, shipped late.
	if err := e.RecordCrossing(crossing("01JD0000000000000000000010", "C")); err != nil {
		t.Fatal(err)
	}
	hits, cursor, _ = e.Hits(HitQuery{AfterSeq: cursor})
	if len(hits) != 1 || hits[0].Post != "C" || hits[0].Seq != 3 || cursor != 3 {
		t.Fatalf("after the cursor: %+v, cursor %d", hits, cursor)
	}
	// Nothing new: the cursor stays.
	if hits, c, _ := e.Hits(HitQuery{AfterSeq: cursor}); len(hits) != 0 || c != cursor {
		t.Fatalf("nothing new: %d hits, cursor %d", len(hits), c)
	}
	if hits, _, _ := e.Hits(HitQuery{Post: "B"}); len(hits) != 1 || hits[0].Post != "B" {
		t.Fatalf("by post: %+v", hits)
	}
}

func TestCrossingsOfADocument(t *testing.T) {
	e := openTest(t)
	doc := e.PseudonymiseDocument("VNM", "C1234567")
	other := e.PseudonymiseDocument("VNM", "C7654321")
	for i, parties := range [][]Pseudonym{{doc}, {other}, {doc, other}} {
		c := Crossing{ID: fmt.Sprintf("01JD00000000000000000000%02d", i+1), At: today.Add(time.Duration(i) * time.Hour),
			Direction: Exit, Verdict: Clear, Parties: parties}
		if err := e.RecordCrossing(c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.CrossingsOf(e.PseudonymiseDocument("vnm", "c 1234567"), 10)
	if err != nil || len(got) != 2 || got[0].ID != "01JD0000000000000000000003" || got[1].ID != "01JD0000000000000000000001" {
		t.Fatalf("crossings of the document: %+v %v", got, err)
	}
}
