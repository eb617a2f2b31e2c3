package watchlist

import (
	"errors"
	"testing"
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
