package watchlist

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// HitRecord is a hit as the operations centre follows it: which traveller
// of which crossing hit which alert, where, and how it was handled. It is
// derived from the crossing record when the crossing is recorded; it holds
// no more personal data than the alert and the crossing already do. Hits
// are case files: they do not expire with the crossing history.
type HitRecord struct {
	ID         string           `json:"id"`
	CrossingID string           `json:"crossing_id"`
	Traveller  int              `json:"traveller"`
	AlertID    string           `json:"alert_id"`
	Category   Category         `json:"category"`
	Action     Action           `json:"action"`
	Score      float64          `json:"score"`
	Post       string           `json:"post,omitempty"`
	At         time.Time        `json:"at"`
	Verdict    Verdict          `json:"verdict"`
	Ack        *Acknowledgement `json:"ack,omitempty"`
	// ReportedBy is the partner country whose post hit this cluster's
	// alert and reported it (the hit's ID is then "VNM:<its ID there>").
	ReportedBy string `json:"reported_by,omitempty"`
	// FollowUps are what crossed the border about the hit: the reporting
	// post's acknowledgement, the owner's replies.
	FollowUps []HitFollowUp `json:"follow_ups,omitempty"`
	// Seq is the hit's place in commit order (the live feed's cursor): a
	// post that was cut off ships old crossings late, and their hits come
	// after the ones committed before them.
	Seq uint64 `json:"seq"`
}

// Acknowledgement says who handled a hit and what came of it.
type Acknowledgement struct {
	By      string    `json:"by"`
	Outcome string    `json:"outcome"`
	Notes   string    `json:"notes,omitempty"`
	At      time.Time `json:"at"`
}

// Hit outcomes an acknowledgement may give.
const (
	OutcomeConfirmed     = "confirmed"      // the traveller is the person of the alert
	OutcomeFalseAlarm    = "false_alarm"    // a namesake or a mistake
	OutcomeChildSafe     = "child_safe"     // the child was taken into protection
	OutcomeReferred      = "referred"       // handed to another authority
	OutcomeNotActionable = "not_actionable" // the alert cannot be acted on here
)

// Validate names every invalid field of the acknowledgement.
func (a *Acknowledgement) Validate() error {
	var p problems
	if strings.TrimSpace(a.By) == "" {
		p.add("by", "who handled the hit is required")
	}
	switch a.Outcome {
	case OutcomeConfirmed, OutcomeFalseAlarm, OutcomeChildSafe, OutcomeReferred, OutcomeNotActionable:
	default:
		p.add("outcome", "must be confirmed, false_alarm, child_safe, referred or not_actionable")
	}
	if len(a.Notes) > 4000 {
		p.add("notes", "at most 4000 characters")
	}
	if a.At.IsZero() {
		p.add("at", "the time of the acknowledgement is required")
	}
	return p.err()
}

// tagHit keys hit records: 't' hitID -> HitRecord JSON; tagHitSeq the
// commit order: 'T' seq -> hitID; hitSeqKey the last seq.
const (
	tagHit    = 't'
	tagHitSeq = 'T'
)

var hitSeqKey = []byte{tagMeta, 't'}

func hitSeqIndexKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tagHitSeq}, seq)
}

// HitID is the ID of the hit of alert by traveller i of a crossing.
func HitID(crossingID string, traveller int, alertID string) string {
	return fmt.Sprintf("%s-%d-%s", crossingID, traveller, alertID)
}

func putHits(txn *badger.Txn, c *Crossing) error {
	for _, h := range c.Hits {
		rec := HitRecord{ID: HitID(c.ID, h.Traveller, h.AlertID), CrossingID: c.ID, Traveller: h.Traveller,
			AlertID: h.AlertID, Category: h.Category, Action: h.Action, Score: h.Score,
			Post: c.Post, At: c.At, Verdict: c.Verdict}
		if err := putHitRecord(txn, rec); err != nil {
			return err
		}
		if owner := foreignOwner(h.AlertID); owner != "" {
			// A partner's alert: its owner is told, through the queue.
			report := HitReport{HitID: rec.ID, AlertRef: h.AlertID[4:], Post: c.Post, At: c.At.UTC(),
				Action: h.Action, Verdict: c.Verdict, Score: h.Score}
			if err := enqueue(txn, owner, Message{Kind: KindHit, Hit: &report}); err != nil {
				return err
			}
		}
	}
	return nil
}

// putHitRecord stores a hit at the end of the commit order.
func putHitRecord(txn *badger.Txn, rec HitRecord) error {
	var seq uint64
	if item, err := txn.Get(hitSeqKey); err == nil {
		if err := item.Value(func(v []byte) error { seq = binary.BigEndian.Uint64(v); return nil }); err != nil {
			return err
		}
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	seq++
	rec.Seq = seq
	if err := setJSON(txn, append([]byte{tagHit}, rec.ID...), rec); err != nil {
		return err
	}
	if err := txn.Set(hitSeqIndexKey(seq), []byte(rec.ID)); err != nil {
		return err
	}
	return txn.Set(hitSeqKey, binary.BigEndian.AppendUint64(nil, seq))
}

// HitQuery selects hits in commit order.
type HitQuery struct {
	// AfterSeq is the cursor: the Seq of the last hit already seen.
	AfterSeq uint64
	Post     string
	AlertID  string
	// Unacknowledged keeps only the hits no one has acknowledged.
	Unacknowledged bool
	Limit          int
}

// Hits returns hits in the order the cluster committed them, after the
// cursor, and the cursor to pass next (the last Seq read; unchanged when
// there is nothing new).
func (e *Engine) Hits(q HitQuery) ([]HitRecord, uint64, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	out := []HitRecord{}
	cursor := q.AfterSeq
	err := e.view(func(txn *badger.Txn) error {
		prefix := []byte{tagHitSeq}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefix})
		defer it.Close()
		for it.Seek(hitSeqIndexKey(q.AfterSeq + 1)); it.ValidForPrefix(prefix) && len(out) < q.Limit; it.Next() {
			id, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			h, err := getHit(txn, string(id))
			if err != nil {
				return err
			}
			cursor = h.Seq
			if (q.Post != "" && h.Post != q.Post) || (q.AlertID != "" && h.AlertID != q.AlertID) || (q.Unacknowledged && h.Ack != nil) {
				continue
			}
			out = append(out, h)
		}
		return nil
	})
	return out, cursor, err
}

// Hit returns the hit record with the given ID.
func (e *Engine) Hit(id string) (HitRecord, error) {
	var h HitRecord
	err := e.view(func(txn *badger.Txn) error {
		var err error
		h, err = getHit(txn, id)
		return err
	})
	return h, err
}

func getHit(txn *badger.Txn, id string) (HitRecord, error) {
	var h HitRecord
	item, err := txn.Get(append([]byte{tagHit}, id...))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return h, fmt.Errorf("hit %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return h, err
	}
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &h) })
	return h, err
}

// AckHit records who handled a hit and the outcome; a later
// acknowledgement replaces an earlier one.
func (e *Engine) AckHit(id string, ack Acknowledgement) error {
	if err := ack.Validate(); err != nil {
		return err
	}
	if e.closed.Load() {
		return ErrClosed
	}
	return e.update(func(txn *badger.Txn) error {
		h, err := getHit(txn, id)
		if err != nil {
			return err
		}
		ack.At = ack.At.UTC()
		h.Ack = &ack
		if err := setJSON(txn, append([]byte{tagHit}, id...), h); err != nil {
			return err
		}
		// Across the border: the post's follow-up goes to the alert's
		// owner; the owner's acknowledgement of a reported hit is its
		// reply to the reporter.
		note := HitFollowUp{HitID: id, Outcome: ack.Outcome, Notes: ack.Notes, At: ack.At}
		switch owner := foreignOwner(h.AlertID); {
		case h.ReportedBy != "":
			note.HitID = strings.TrimPrefix(id, h.ReportedBy+":")
			return enqueue(txn, h.ReportedBy, Message{Kind: KindReply, Note: &note})
		case owner != "":
			return enqueue(txn, owner, Message{Kind: KindHitAck, Note: &note})
		}
		return nil
	})
}

// ForEachHit calls fn with every hit recorded at or after since, in ID
// order (crossing IDs are ULIDs: that is time order); it stops at fn's
// first error.
func (e *Engine) ForEachHit(since time.Time, fn func(HitRecord) error) error {
	return e.view(func(txn *badger.Txn) error {
		prefix := []byte{tagHit}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			var h HitRecord
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &h) }); err != nil {
				return err
			}
			if h.At.Before(since) {
				continue
			}
			if err := fn(h); err != nil {
				return err
			}
		}
		return nil
	})
}

// AlertHitAtPost reports whether a committed hit of the alert was recorded
// at the post (hits are rare: this reads them all).
func (e *Engine) AlertHitAtPost(alertID, post string) (bool, error) {
	found := false
	errFound := errors.New("found")
	err := e.ForEachHit(time.Time{}, func(h HitRecord) error {
		if h.AlertID == alertID && h.Post == post {
			found = true
			return errFound
		}
		return nil
	})
	if errors.Is(err, errFound) {
		err = nil
	}
	return found, err
}
