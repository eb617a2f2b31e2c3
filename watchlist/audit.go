package watchlist

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// AuditEntry is one access to Crossguard: who (token, role, post), where
// (node), when, what was asked and what was answered. Entries are
// recorded by the node that answered, shipped through raft like crossing
// records, and chained in the order the cluster commits them: each
// entry's hash covers the previous entry's hash, so a changed, removed or
// reordered entry breaks the chain (VerifyAudit).
type AuditEntry struct {
	// ID is stamped by the recording node (a ULID): appending the same
	// entry twice stores it once.
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Node      string    `json:"node"`
	TokenID   string    `json:"token_id,omitempty"`
	Role      Role      `json:"role,omitempty"`
	Post      string    `json:"post,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	// Action is the route asked ("POST /v1/inspections"); Target the
	// object (an alert, hit, crossing or token ID); Status the answer's
	// HTTP status; Detail what was answered (a verdict and the alerts
	// hit), never a traveller's personal data.
	Action string `json:"action"`
	Target string `json:"target,omitempty"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Expires is when retention ends, stamped by the recording node.
	Expires time.Time `json:"expires"`

	// Set when the entry is committed.
	Seq  uint64 `json:"seq,omitempty"`
	Prev string `json:"prev,omitempty"`
	Hash string `json:"hash,omitempty"`
}

// Keys: tagAudit + seq (big-endian) → entry; tagAuditID + id → seq;
// auditHeadKey → seq and hash of the last entry.
const (
	tagAudit   = 'l'
	tagAuditID = 'L'
)

var auditHeadKey = []byte{tagMeta, 'l'}

// auditHash is the entry's chain hash: SHA-256 over the previous hash and
// the entry's JSON with its own hash left out.
func auditHash(e AuditEntry) (string, error) {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func auditKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tagAudit}, seq)
}

// auditHead is the chain's state: the last entry, and the floor below
// which retention purged the chain (Floor is the first entry kept,
// FloorPrev the hash of the entry before it).
type auditHead struct {
	Seq       uint64 `json:"seq"`
	Hash      string `json:"hash"`
	Floor     uint64 `json:"floor,omitempty"`
	FloorPrev string `json:"floor_prev,omitempty"`
}

func readAuditHead(txn *badger.Txn) (auditHead, error) {
	head := auditHead{Floor: 1}
	item, err := txn.Get(auditHeadKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return head, nil
	}
	if err != nil {
		return head, err
	}
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &head) })
	if head.Floor == 0 {
		head.Floor = 1
	}
	return head, err
}

func writeAuditHead(txn *badger.Txn, head auditHead) error {
	v, err := json.Marshal(head)
	if err != nil {
		return err
	}
	return txn.Set(auditHeadKey, v)
}

// AppendAudit commits entries in order, each chained to the one before.
// An entry already appended (same ID) is skipped; an entry without an ID
// or time is refused.
func (e *Engine) AppendAudit(entries []AuditEntry) error {
	if e.closed.Load() {
		return ErrClosed
	}
	for i, a := range entries {
		if !validID(a.ID) || a.At.IsZero() || a.Action == "" || a.Expires.IsZero() {
			return &ValidationError{Fields: []FieldError{{Field: fmt.Sprintf("entries[%d]", i), Reason: "an audit entry needs an id, a time, an action and an expiry"}}}
		}
	}
	return e.update(func(txn *badger.Txn) error {
		head, err := readAuditHead(txn)
		if err != nil {
			return err
		}
		for _, a := range entries {
			idKey := append([]byte{tagAuditID}, a.ID...)
			if _, err := txn.Get(idKey); err == nil {
				continue
			}
			a.Seq, a.Prev = head.Seq+1, head.Hash
			a.At, a.Expires = a.At.UTC(), a.Expires.UTC()
			var err error
			if a.Hash, err = auditHash(a); err != nil {
				return err
			}
			v, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := txn.Set(auditKey(a.Seq), v); err != nil {
				return err
			}
			if err := txn.Set(idKey, binary.BigEndian.AppendUint64(nil, a.Seq)); err != nil {
				return err
			}
			head.Seq, head.Hash = a.Seq, a.Hash
		}
		return writeAuditHead(txn, head)
	})
}

// ExpiredAuditThrough is the last sequence number up to which every
// entry's retention has ended at now (0: none); PurgeAudit takes it.
func (e *Engine) ExpiredAuditThrough(now time.Time) (uint64, error) {
	var through uint64
	err := e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte{tagAudit}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var a AuditEntry
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
				return err
			}
			if now.Before(a.Expires) {
				return nil
			}
			through = a.Seq
		}
		return nil
	})
	return through, err
}

// PurgeAudit removes the entries up to through (their retention ended)
// and raises the chain's floor, keeping the hash of the last entry
// removed so that the chain still verifies from the first entry kept.
func (e *Engine) PurgeAudit(through uint64) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.update(func(txn *badger.Txn) error {
		head, err := readAuditHead(txn)
		if err != nil {
			return err
		}
		if through < head.Floor {
			return nil
		}
		if through > head.Seq {
			return fmt.Errorf("purge through %d beyond the last audit entry %d: %w", through, head.Seq, ErrInvalid)
		}
		for seq := head.Floor; seq <= through; seq++ {
			item, err := txn.Get(auditKey(seq))
			if err != nil {
				return fmt.Errorf("audit entry %d: %w", seq, err)
			}
			var a AuditEntry
			if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
				return err
			}
			if err := txn.Delete(auditKey(seq)); err != nil {
				return err
			}
			if err := txn.Delete(append([]byte{tagAuditID}, a.ID...)); err != nil {
				return err
			}
			head.FloorPrev = a.Hash
		}
		head.Floor = through + 1
		return writeAuditHead(txn, head)
	})
}

// AuditQuery selects audit entries.
type AuditQuery struct {
	// AfterSeq starts after this sequence number (the cursor).
	AfterSeq uint64
	Since    time.Time
	Until    time.Time
	TokenID  string
	Limit    int
}

// Audit returns the entries the query selects, in chain order, and the
// cursor for the next page (0 when there is none).
func (e *Engine) Audit(q AuditQuery) ([]AuditEntry, uint64, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	var out []AuditEntry
	var next uint64
	err := e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte{tagAudit}})
		defer it.Close()
		for it.Seek(auditKey(q.AfterSeq + 1)); it.Valid(); it.Next() {
			var a AuditEntry
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
				return err
			}
			if (!q.Since.IsZero() && a.At.Before(q.Since)) || (!q.Until.IsZero() && !a.At.Before(q.Until)) ||
				(q.TokenID != "" && a.TokenID != q.TokenID) {
				continue
			}
			if len(out) == q.Limit {
				next = out[len(out)-1].Seq
				return nil
			}
			out = append(out, a)
		}
		return nil
	})
	return out, next, err
}

// AuditReport is the result of verifying the chain.
type AuditReport struct {
	OK      bool   `json:"ok"`
	Entries uint64 `json:"entries"`
	First   uint64 `json:"first_seq,omitempty"`
	Last    uint64 `json:"last_seq,omitempty"`
	// BrokenAt is the first sequence number where the chain fails, and
	// Problem says how.
	BrokenAt uint64 `json:"broken_at,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// VerifyAudit walks the chain from its floor to its head: every entry
// must be there, its hash must cover its content and the hash before it,
// and the first must chain to the hash kept when retention purged the
// entries before it. A changed, removed, inserted or reordered entry is
// reported with the sequence number where the chain breaks.
func (e *Engine) VerifyAudit() (AuditReport, error) {
	var r AuditReport
	err := e.view(func(txn *badger.Txn) error {
		head, err := readAuditHead(txn)
		if err != nil {
			return err
		}
		fail := func(seq uint64, format string, args ...any) {
			r.BrokenAt, r.Problem = seq, fmt.Sprintf(format, args...)
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte{tagAudit}})
		defer it.Close()
		want, prevHash := head.Floor, head.FloorPrev
		r.First = head.Floor
		for it.Rewind(); it.Valid(); it.Next() {
			keySeq := binary.BigEndian.Uint64(it.Item().Key()[1:])
			var a AuditEntry
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
				fail(keySeq, "entry %d is unreadable: %v", keySeq, err)
				return nil
			}
			switch {
			case keySeq != want:
				fail(want, "entry %d is missing", want)
			case a.Seq != keySeq:
				fail(keySeq, "entry stored as %d says it is %d", keySeq, a.Seq)
			case a.Prev != prevHash:
				fail(keySeq, "entry %d does not chain to the entry before it", keySeq)
			default:
				if h, err := auditHash(a); err != nil || h != a.Hash {
					fail(keySeq, "entry %d was changed: its hash does not match its content", keySeq)
				}
			}
			if r.Problem != "" {
				return nil
			}
			r.Entries++
			r.Last = a.Seq
			want, prevHash = a.Seq+1, a.Hash
		}
		if head.Seq >= want {
			fail(want, "entries %d to %d are missing from the end", want, head.Seq)
		} else if prevHash != head.Hash && head.Seq > 0 {
			fail(head.Seq, "the last entry's hash differs from the one recorded at the head")
		}
		return nil
	})
	r.OK = err == nil && r.Problem == ""
	return r, err
}
