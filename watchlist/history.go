package watchlist

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Pseudonym is a keyed hash (HMAC-SHA-256, truncated to 128 bits) of a
// traveller's document: enough for a rule to know "the same person as
// before", useless to anyone without the history key. Travellers with no
// document are pseudonymised by their canonical name and birth date.
type Pseudonym [16]byte

// String is the pseudonym in hex.
func (p Pseudonym) String() string { return hex.EncodeToString(p[:]) }

// MarshalText writes the pseudonym in hex.
func (p Pseudonym) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a pseudonym in hex.
func (p *Pseudonym) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(p) {
		return fmt.Errorf("pseudonym must be %d hex digits", 2*len(p))
	}
	_, err := hex.Decode(p[:], b)
	return err
}

// PseudonymiseDocument returns the pseudonym of a document. The document
// number is normalised first, so the same document always gives the same
// pseudonym; investigators use this to look a document up in the history.
func (e *Engine) PseudonymiseDocument(country, number string) Pseudonym {
	return e.pseudonym("doc", normaliseCountry(strings.ToUpper(strings.TrimSpace(country))), NormaliseDocumentNumber(number))
}

func (e *Engine) pseudonym(parts ...string) Pseudonym {
	m := hmac.New(sha256.New, e.cfg.HistoryKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	var p Pseudonym
	copy(p[:], m.Sum(nil))
	return p
}

func (e *Engine) travellerPseudonym(t *Traveller) Pseudonym {
	if t.Document != nil && NormaliseDocumentNumber(t.Document.Number) != "" {
		return e.PseudonymiseDocument(t.Document.Country, t.Document.Number)
	}
	name := ""
	if r := canonicalReadings(t); len(r) > 0 {
		name = r[0].Full()
	}
	return e.pseudonym("person", name, t.BirthDate)
}

// Escort records that an adult crossed with minors.
type Escort struct {
	Adult  Pseudonym   `json:"adult"`
	Minors []Pseudonym `json:"minors"`
}

// Crossing is the record of one inspected party crossing. It holds only
// pseudonyms: no names and no document numbers.
type Crossing struct {
	ID        string      `json:"id"`
	At        time.Time   `json:"at"`
	Post      string      `json:"post,omitempty"`
	Direction Direction   `json:"direction"`
	Verdict   Verdict     `json:"verdict"`
	Parties   []Pseudonym `json:"travellers"`
	Escorts   []Escort    `json:"escorts,omitempty"`
	// Hits lists the alerts the travellers hit.
	Hits []CrossingHit `json:"hits,omitempty"`
}

// CrossingHit is one alert hit by one traveller of a crossing.
type CrossingHit struct {
	Traveller int      `json:"traveller"`
	AlertID   string   `json:"alert_id"`
	Category  Category `json:"category"`
	Action    Action   `json:"action"`
	Score     float64  `json:"score"`
}

// Key layout of the history (see store.go for the tags):
//
//	'h' adult(16) at(8, unix ns, big-endian) crossingID -> minors (16 bytes each)
//	'r' crossingID                                      -> Crossing JSON
//
// Both expire HistoryRetention after the crossing (badger TTL, computed
// from the crossing time so that every replica expires the same records),
// except the record of a crossing with a hit, which stays with its hits.
const (
	tagEscort   = 'h'
	tagCrossing = 'r'
	// tagTraveller indexes crossings by traveller pseudonym, for an
	// investigator's look-up by document:
	// 'p' pseudonym(16) at(8) crossingID -> nothing.
	tagTraveller = 'p'
)

// RecordCrossing stores a crossing record and its escort history. It is
// idempotent: recording the same crossing ID twice changes nothing.
// Records older than the retention period are dropped.
func (e *Engine) RecordCrossing(c Crossing) error {
	return e.RecordCrossings([]Crossing{c})
}

// RecordCrossings stores a batch of crossing records in one transaction.
func (e *Engine) RecordCrossings(cs []Crossing) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.update(func(txn *badger.Txn) error {
		for _, c := range cs {
			if c.ID == "" || !validID(c.ID) {
				return fmt.Errorf("crossing id %q: %w", c.ID, ErrInvalid)
			}
			if c.At.Year() < 2000 {
				return fmt.Errorf("crossing %s at %v: %w", c.ID, c.At, ErrInvalid)
			}
			expires := c.At.Add(e.cfg.HistoryRetention)
			rk := append([]byte{tagCrossing}, c.ID...)
			if _, err := txn.Get(rk); err == nil {
				continue // already recorded
			}
			v, err := json.Marshal(c)
			if err != nil {
				return err
			}
			// A crossing with a hit is evidence: it is kept as long as its
			// hits are. The rest of the history (who crossed with whom,
			// the traveller index) expires with the innocent crossings.
			rec := expiringEntry(rk, v, expires)
			if len(c.Hits) > 0 {
				rec = badger.NewEntry(rk, v)
			}
			if err := txn.SetEntry(rec); err != nil {
				return err
			}
			if err := putHits(txn, &c); err != nil {
				return err
			}
			for _, p := range c.Parties {
				k := make([]byte, 0, 25+len(c.ID))
				k = append(k, tagTraveller)
				k = append(k, p[:]...)
				k = binary.BigEndian.AppendUint64(k, uint64(c.At.UnixNano()))
				k = append(k, c.ID...)
				if err := txn.SetEntry(expiringEntry(k, nil, expires)); err != nil {
					return err
				}
			}
			for _, esc := range c.Escorts {
				k := make([]byte, 0, 25+len(c.ID))
				k = append(k, tagEscort)
				k = append(k, esc.Adult[:]...)
				k = binary.BigEndian.AppendUint64(k, uint64(c.At.UnixNano()))
				k = append(k, c.ID...)
				val := make([]byte, 0, 16*len(esc.Minors))
				for _, m := range esc.Minors {
					val = append(val, m[:]...)
				}
				if err := txn.SetEntry(expiringEntry(k, val, expires)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// CrossingsOf returns the crossings of the traveller with the pseudonym,
// newest first, at most limit.
func (e *Engine) CrossingsOf(p Pseudonym, limit int) ([]Crossing, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var ids []string
	err := e.view(func(txn *badger.Txn) error {
		prefix := append([]byte{tagTraveller}, p[:]...)
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true})
		defer it.Close()
		// Reverse: from the last key of the prefix (every key under it is
		// below prefix+0xff, as times never start with 0xff).
		for it.Seek(append(append([]byte{}, prefix...), 0xff)); it.ValidForPrefix(prefix) && len(ids) < limit; it.Next() {
			ids = append(ids, string(it.Item().KeyCopy(nil)[len(prefix)+8:]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Crossing, 0, len(ids))
	for _, id := range ids {
		c, err := e.Crossing(id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Crossing returns the crossing record with the given ID.
func (e *Engine) Crossing(id string) (Crossing, error) {
	var c Crossing
	err := e.view(func(txn *badger.Txn) error {
		item, err := txn.Get(append([]byte{tagCrossing}, id...))
		if err == badger.ErrKeyNotFound {
			return fmt.Errorf("crossing %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &c) })
	})
	return c, err
}

// EscortHistory tells which minors an adult crossed with. The engine
// answers from its committed history; a border post adds the crossings
// still in its outbox.
type EscortHistory interface {
	MinorsEscorted(adult Pseudonym, since time.Time) ([]Pseudonym, error)
}

var _ EscortHistory = (*Engine)(nil)

// MinorsEscorted returns the minors (with repeats) the adult crossed with
// since the given time.
func (e *Engine) MinorsEscorted(adult Pseudonym, since time.Time) ([]Pseudonym, error) {
	var out []Pseudonym
	err := e.view(func(txn *badger.Txn) error {
		prefix := append([]byte{tagEscort}, adult[:]...)
		from := uint64(0)
		if since.After(time.Unix(0, 0)) {
			from = uint64(since.UnixNano())
		}
		start := binary.BigEndian.AppendUint64(append([]byte{}, prefix...), from)
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: prefix})
		defer it.Close()
		for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				for i := 0; i+16 <= len(v); i += 16 {
					var p Pseudonym
					copy(p[:], v[i:i+16])
					out = append(out, p)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// expiringEntry is an entry that badger hides and compacts away at an
// absolute time (not a TTL from now: replicas must agree).
func expiringEntry(k, v []byte, at time.Time) *badger.Entry {
	ent := badger.NewEntry(k, v)
	ent.ExpiresAt = uint64(at.Unix())
	return ent
}

// CrossingsOfDocument returns the crossings of the traveller who showed
// the document, newest first: the number is pseudonymised the way the
// history is, so an investigator finds them without the history holding
// any number.
func (e *Engine) CrossingsOfDocument(country, number string, limit int) ([]Crossing, error) {
	return e.CrossingsOf(e.PseudonymiseDocument(country, number), limit)
}
