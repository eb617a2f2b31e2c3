package watchlist

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// This file is the store's side of cross-border sharing (the protocol is
// in cluster/federation): the cluster's identity, its partners, the feed
// of alert changes each partner may pull, the foreign alerts imported
// from partners, and the durable queue of messages to each partner. Every
// method that changes state is called by the state machine, so it reads
// no clock and no randomness.

// Federation errors. A message refused for its sequence number stores
// nothing.
var (
	// ErrReplayed means a partner's message carries a sequence number
	// already received.
	ErrReplayed = errors.New("message replayed")
	// ErrOutOfOrder means a partner's message skips sequence numbers, or
	// a feed page does not continue from the cursor.
	ErrOutOfOrder = errors.New("message out of order")
	// ErrNotOwner means a change to an alert did not come from its owner.
	ErrNotOwner = errors.New("not the owner of the alert")
	// ErrNotShared means a partner referred to an alert never shared
	// with it.
	ErrNotShared = errors.New("alert not shared with this partner")
	// ErrDecided means a detail request was already made or decided.
	ErrDecided = errors.New("already decided")
)

// Origin marks a foreign alert: a partner owns it and shared it; only the
// owner changes or withdraws it.
type Origin struct {
	// Country is the owner (also in the alert's owner).
	Country string `json:"country"`
	// ID is the alert's ID at its owner.
	ID string `json:"id"`
	// ReceivedAt is when the version was imported.
	ReceivedAt time.Time `json:"received_at"`
	// Flag, when set, says a local analyst flagged the alert as not
	// actionable here: it still hits, with action report, and the owner
	// was told.
	Flag *Flag `json:"flag,omitempty"`
	// OwnerAction is the owner's action while the alert is flagged.
	OwnerAction Action `json:"owner_action,omitempty"`
}

// Flag is a local analyst's "not actionable here" on a foreign alert.
type Flag struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// ForeignID is the local ID of the alert id owned by country.
func ForeignID(country, id string) string { return country + ":" + id }

// IsForeignID reports whether id has the form of a foreign alert's ID
// ("CHN:…"): local alerts may not take that form.
func IsForeignID(id string) bool {
	return len(id) > 4 && id[3] == ':' && ValidCountry(id[:3])
}

// foreignOwner is the owner country of a foreign alert ID, or "".
func foreignOwner(id string) string {
	if IsForeignID(id) {
		return id[:3]
	}
	return ""
}

// Identity is the cluster's own identity in the federation: its country
// and the seed of its Ed25519 signing key (generated at bootstrap,
// replicated, never shown).
type Identity struct {
	Country string `json:"country,omitempty"`
	Seed    []byte `json:"seed"`
}

// Partner is another country's cluster this one exchanges with.
type Partner struct {
	Country string `json:"country"`
	// URL is the base URL of the partner's API.
	URL string `json:"url"`
	// PublicKey verifies what the partner signs (Ed25519, 32 bytes).
	PublicKey []byte `json:"public_key"`
	// Token is the partner token this cluster sends to the partner (the
	// partner issued it). Never shown by the API.
	Token     string    `json:"token,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// Validate names every invalid field of a partner record.
func (p *Partner) Validate() error {
	var pr problems
	if !ValidCountry(p.Country) {
		pr.add("country", "must be an ICAO 9303 three-letter country code")
	}
	if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		pr.add("url", "must be an http:// or https:// base URL")
	}
	if len(p.PublicKey) != 32 {
		pr.add("public_key", fmt.Sprintf("must be an Ed25519 public key of 32 bytes, got %d", len(p.PublicKey)))
	}
	if len(p.Token) > 200 {
		pr.add("token", "at most 200 characters")
	}
	if p.UpdatedAt.IsZero() {
		pr.add("updated_at", "is required")
	}
	return pr.err()
}

// PartnerState is what this cluster knows of its exchange with a
// partner: the feed cursor, the messages queued and delivered, the last
// message received.
type PartnerState struct {
	Country string `json:"country"`
	// Cursor is the position in the partner's feed imported so far.
	Cursor   uint64    `json:"cursor"`
	LastSync time.Time `json:"last_sync,omitempty"`
	// Head is the end of the partner's feed at the last sync.
	Head     uint64 `json:"head"`
	Imported uint64 `json:"imported"`
	// Queued is the last sequence number given to a message for the
	// partner, Delivered the last it acknowledged.
	Queued    uint64 `json:"queued"`
	Delivered uint64 `json:"delivered"`
	// Received is the last sequence number of a message from the
	// partner; Queried the last of its queries.
	Received uint64 `json:"received"`
	Queried  uint64 `json:"queried"`
}

// SharedChange is one entry of a partner's feed: an alert shared with it
// (new or updated), or withdrawn (closed, or no longer shared with it).
type SharedChange struct {
	Op    ShareOp `json:"op"`
	ID    string  `json:"id"`
	Alert *Alert  `json:"alert,omitempty"`
}

// ShareOp is what a feed entry does.
type ShareOp string

// Feed operations.
const (
	ShareUpsert   ShareOp = "upsert"
	ShareWithdraw ShareOp = "withdraw"
)

// Federation keys, under tagFederation and a second byte:
//
//	'i'                  -> Identity
//	'p' country          -> Partner
//	's' country          -> PartnerState
//	'c' seq(8)           -> alert ID: the feed's change log (shared alerts only)
//	'l' alert ID         -> seq of the alert's latest change
//	'e' alert ID         -> countries the alert was ever shared with (JSON)
//	'n'                  -> last change seq
//	'o' country seq(8)   -> queued message for the partner (JSON)
//	'q' reference        -> a hit/no-hit query answered (JSON)
//	'y' country seq(8)   -> a hit/no-hit query sent (JSON)
//	'g' alert ID         -> partners' flags on an own alert (JSON)
//	'r', 'a'             -> detail requests (details.go)
const tagFederation = 'f'

func fedKey(sub byte, parts ...string) []byte {
	k := []byte{tagFederation, sub}
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func fedSeqKey(sub byte, prefix string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(fedKey(sub, prefix), seq)
}

func getJSON(txn *badger.Txn, k []byte, v any) (bool, error) {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func setJSON(txn *badger.Txn, k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(k, b)
}

// SetIdentity stores the cluster's identity. The key, once set, never
// changes (partners trust it); the country may be set once.
func (e *Engine) SetIdentity(id Identity) error {
	if len(id.Seed) != 32 {
		return &ValidationError{Fields: []FieldError{{Field: "seed", Reason: "must be 32 bytes"}}}
	}
	if id.Country != "" && !ValidCountry(id.Country) {
		return &ValidationError{Fields: []FieldError{{Field: "country", Reason: "must be an ICAO 9303 three-letter country code"}}}
	}
	return e.update(func(txn *badger.Txn) error {
		var old Identity
		found, err := getJSON(txn, fedKey('i'), &old)
		if err != nil {
			return err
		}
		if found {
			if string(old.Seed) != string(id.Seed) {
				return fmt.Errorf("%w: the cluster's signing key is set and never changes", ErrInvalid)
			}
			if old.Country != "" && old.Country != id.Country {
				return fmt.Errorf("%w: the cluster's country is %s and never changes", ErrInvalid, old.Country)
			}
		}
		return setJSON(txn, fedKey('i'), id)
	})
}

// Identity returns the cluster's identity; ErrNotFound before bootstrap
// created it.
func (e *Engine) Identity() (Identity, error) {
	return viewJSON[Identity](e, fedKey('i'), "federation identity")
}

// PutPartner registers a partner or replaces its record.
func (e *Engine) PutPartner(p Partner) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return e.update(func(txn *badger.Txn) error { return setJSON(txn, fedKey('p', p.Country), p) })
}

// RemovePartner forgets a partner: nothing more is pulled from it or
// sent to it. Its foreign alerts stay (closed alerts are kept for audit;
// the owner's withdrawals no longer arrive, so they are closed now).
func (e *Engine) RemovePartner(country string, at time.Time) error {
	var closing []string
	err := e.update(func(txn *badger.Txn) error {
		if _, err := txn.Get(fedKey('p', country)); errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("partner %q: %w", country, ErrNotFound)
		} else if err != nil {
			return err
		}
		prefix := alertKey(ForeignID(country, ""))
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			closing = append(closing, string(it.Item().Key()[1:]))
		}
		it.Close()
		return txn.Delete(fedKey('p', country))
	})
	if err != nil {
		return err
	}
	for _, id := range closing {
		if err := e.CloseAlert(id, at); err != nil {
			return err
		}
	}
	return nil
}

// Partner returns one partner's record.
func (e *Engine) Partner(country string) (Partner, error) {
	return viewJSON[Partner](e, fedKey('p', country), "partner "+country)
}

// Partners lists the registered partners, by country.
func (e *Engine) Partners() ([]Partner, error) { return listJSON[Partner](e, fedKey('p')) }

// viewJSON reads one JSON record; ErrNotFound names what is missing.
func viewJSON[T any](e *Engine, k []byte, what string) (T, error) {
	var v T
	err := e.view(func(txn *badger.Txn) error {
		found, err := getJSON(txn, k, &v)
		if err == nil && !found {
			err = fmt.Errorf("%s: %w", what, ErrNotFound)
		}
		return err
	})
	return v, err
}

// listJSON reads every JSON record under a prefix, in key order.
func listJSON[T any](e *Engine, prefix []byte) ([]T, error) {
	out := []T{}
	err := e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			var v T
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &v) }); err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

func getState(txn *badger.Txn, country string) (PartnerState, error) {
	s := PartnerState{Country: country}
	_, err := getJSON(txn, fedKey('s', country), &s)
	return s, err
}

// PartnerState returns what this cluster knows of its exchange with a
// partner.
func (e *Engine) PartnerState(country string) (PartnerState, error) {
	var s PartnerState
	err := e.view(func(txn *badger.Txn) (err error) { s, err = getState(txn, country); return err })
	return s, err
}

// feedSeq is the feed's change counter within one write transaction:
// read once, written once at the end, however many shared alerts the
// transaction writes.
type feedSeq struct {
	seq           uint64
	loaded, dirty bool
}

func (f *feedSeq) next(txn *badger.Txn) (uint64, error) {
	if !f.loaded {
		item, err := txn.Get(fedKey('n'))
		switch {
		case err == nil:
			if err := item.Value(func(v []byte) error { f.seq = binary.BigEndian.Uint64(v); return nil }); err != nil {
				return 0, err
			}
		case !errors.Is(err, badger.ErrKeyNotFound):
			return 0, err
		}
		f.loaded = true
	}
	f.seq++
	f.dirty = true
	return f.seq, nil
}

// flush stores the counter if the transaction moved it.
func (f *feedSeq) flush(txn *badger.Txn) error {
	if !f.dirty {
		return nil
	}
	return txn.Set(fedKey('n'), binary.BigEndian.AppendUint64(nil, f.seq))
}

// recordShared appends an alert's change to the feed when the alert is
// (or was once) shared: the feed is how partners learn of new alerts,
// updates and withdrawals. It runs in the alert's write transaction.
func recordShared(txn *badger.Txn, p *preparedAlert, seqs *feedSeq) error {
	if p.foreign {
		return nil // only the owner shares an alert
	}
	var ever []string
	if _, err := getJSON(txn, fedKey('e', p.id), &ever); err != nil {
		return err
	}
	if len(ever) == 0 && len(p.share) == 0 {
		return nil
	}
	grown := false
	for _, c := range p.share {
		if !slices.Contains(ever, c) {
			ever, grown = append(ever, c), true
		}
	}
	if grown {
		slices.Sort(ever)
		if err := setJSON(txn, fedKey('e', p.id), ever); err != nil {
			return err
		}
	}
	seq, err := seqs.next(txn)
	if err != nil {
		return err
	}
	if err := txn.Set(fedSeqKey('c', "", seq), []byte(p.id)); err != nil {
		return err
	}
	return txn.Set(fedKey('l', p.id), binary.BigEndian.AppendUint64(nil, seq))
}

// sharedRecords are the feed records of a shared alert loaded in bulk at
// change seq: what recordShared writes for a new alert.
func sharedRecords(p *preparedAlert, seq uint64, add func(k, v []byte) error) error {
	ever := slices.Clone(p.share)
	slices.Sort(ever)
	v, err := json.Marshal(ever)
	if err != nil {
		return err
	}
	if err := add(fedKey('e', p.id), v); err != nil {
		return err
	}
	if err := add(fedSeqKey('c', "", seq), []byte(p.id)); err != nil {
		return err
	}
	return add(fedKey('l', p.id), binary.BigEndian.AppendUint64(nil, seq))
}

// SharedWithEver reports whether the local alert id was ever shared with
// the partner (a partner may only refer to such alerts).
func (e *Engine) SharedWithEver(id, partner string) (bool, error) {
	var ever []string
	err := e.view(func(txn *badger.Txn) error { _, err := getJSON(txn, fedKey('e', id), &ever); return err })
	return slices.Contains(ever, partner), err
}

// SharedChanges reads a partner's feed after the cursor since: at most
// limit entries of the change log are examined. It returns what the
// partner may see of them, the cursor to continue from, and the end of
// the log. An alert appears at its latest change only; it appears as an
// upsert while it is active and shared with the partner, as a withdrawal
// once it is closed or no longer shared with it, and never when it was
// never shared with the partner. What a partner receives of an alert is
// stripped of the owner's other partners.
func (e *Engine) SharedChanges(partner string, since uint64, limit int) ([]SharedChange, uint64, uint64, error) {
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	out := []SharedChange{}
	next, head := since, uint64(0)
	err := e.view(func(txn *badger.Txn) error {
		if item, err := txn.Get(fedKey('n')); err == nil {
			if err := item.Value(func(v []byte) error { head = binary.BigEndian.Uint64(v); return nil }); err != nil {
				return err
			}
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		prefix := fedKey('c')
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		n := 0
		for it.Seek(fedSeqKey('c', "", since+1)); it.ValidForPrefix(prefix) && n < limit; it.Next() {
			n++
			seq := binary.BigEndian.Uint64(it.Item().Key()[2:])
			next = seq
			id, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			change, ok, err := sharedChange(txn, string(id), seq, partner)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, change)
			}
		}
		return nil
	})
	return out, next, head, err
}

// sharedChange is what the partner may see of the alert's change seq:
// nothing if a later change supersedes it or the alert was never shared
// with the partner.
func sharedChange(txn *badger.Txn, id string, seq uint64, partner string) (SharedChange, bool, error) {
	item, err := txn.Get(fedKey('l', id))
	if err != nil {
		return SharedChange{}, false, err
	}
	var latest uint64
	if err := item.Value(func(v []byte) error { latest = binary.BigEndian.Uint64(v); return nil }); err != nil {
		return SharedChange{}, false, err
	}
	var ever []string
	if _, err := getJSON(txn, fedKey('e', id), &ever); err != nil {
		return SharedChange{}, false, err
	}
	if latest != seq || !slices.Contains(ever, partner) {
		return SharedChange{}, false, nil
	}
	a, found, err := getAlert(txn, id)
	if err != nil || !found {
		return SharedChange{}, false, err
	}
	if a.Status != StatusActive || !slices.Contains(a.Share, partner) {
		return SharedChange{Op: ShareWithdraw, ID: id}, true, nil
	}
	a.Share, a.QueryBy = []string{partner}, nil
	return SharedChange{Op: ShareUpsert, ID: id, Alert: &a}, true, nil
}

// ImportShared applies a page of a partner's feed: the page must continue
// from the cursor (prev), every alert must be owned by the partner, and
// the cursor moves to next. Shared alerts are stored as foreign alerts
// (ID "CHN:<id>", read-only); withdrawn ones are closed. A flag set here
// survives the owner's updates. Nothing of a refused page is stored.
func (e *Engine) ImportShared(from string, prev, next, head uint64, changes []SharedChange, at time.Time) error {
	state, err := e.PartnerState(from)
	if err != nil {
		return err
	}
	if state.Cursor != prev {
		return fmt.Errorf("%w: the page continues from %d, the cursor of %s is %d", ErrOutOfOrder, prev, from, state.Cursor)
	}
	if next < prev {
		return fmt.Errorf("%w: the page ends at %d before it starts at %d", ErrOutOfOrder, next, prev)
	}
	var upserts []Alert
	var withdrawn []string
	for i, c := range changes {
		switch {
		case c.Op == ShareUpsert && c.Alert != nil:
			if c.Alert.Owner.Country != from || c.Alert.ID != c.ID {
				return fmt.Errorf("%w: entries[%d]: alert %s is owned by %q, the page comes from %s", ErrNotOwner, i, c.ID, c.Alert.Owner.Country, from)
			}
			a := *c.Alert
			a.ID = ForeignID(from, c.ID)
			a.Origin = &Origin{Country: from, ID: c.ID, ReceivedAt: at.UTC()}
			if old, err := e.Get(a.ID); err == nil && old.Origin != nil && old.Origin.Flag != nil {
				a.Origin.Flag, a.Origin.OwnerAction, a.Action = old.Origin.Flag, a.Action, ActionReport
			}
			upserts = append(upserts, a)
		case c.Op == ShareWithdraw && c.ID != "":
			withdrawn = append(withdrawn, ForeignID(from, c.ID))
		default:
			return &ValidationError{Fields: []FieldError{{Field: fmt.Sprintf("entries[%d]", i), Reason: "must be an upsert with its alert or a withdrawal with its id"}}}
		}
	}
	if len(upserts) > 0 {
		if err := e.Upsert(upserts...); err != nil {
			return err
		}
	}
	for _, id := range withdrawn {
		if err := e.CloseAlert(id, at); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return e.update(func(txn *badger.Txn) error {
		s, err := getState(txn, from)
		if err != nil {
			return err
		}
		s.Cursor, s.Head, s.LastSync = next, max(head, next), at.UTC()
		s.Imported += uint64(len(changes))
		return setJSON(txn, fedKey('s', from), s)
	})
}

// Validate names the flag's invalid fields.
func (f *Flag) Validate() error {
	var pr problems
	validText(&pr, "by", f.By, true, 200)
	validText(&pr, "reason", f.Reason, true, 2000)
	return pr.err()
}

// FlagAlert records a local analyst's "not actionable here" on a foreign
// alert: it keeps hitting with action report (the owner's action is
// kept aside), and the owner is told.
func (e *Engine) FlagAlert(id string, f Flag) error {
	if err := f.Validate(); err != nil {
		return err
	}
	a, err := e.Get(id)
	if err != nil {
		return err
	}
	if a.Origin == nil {
		return fmt.Errorf("%w: alert %s is this cluster's own: close or change it instead of flagging it", ErrInvalid, id)
	}
	f.At = f.At.UTC()
	if a.Origin.Flag == nil {
		a.Origin.OwnerAction = a.Action
	}
	a.Origin.Flag, a.Action = &f, ActionReport
	pa, err := prepareAlert(&a, nil)
	if err != nil {
		return err
	}
	return e.writeAlso([]preparedAlert{pa}, func(txn *badger.Txn) error {
		return enqueue(txn, a.Origin.Country, Message{Kind: KindFlag, Flag: &FlagReport{AlertRef: a.Origin.ID, Reason: f.Reason, At: f.At}})
	})
}

// Message kinds a cluster sends a partner through its queue.
const (
	KindHit    = "hit"     // a post hit the partner's alert
	KindHitAck = "hit_ack" // the post's follow-up of that hit
	KindReply  = "reply"   // the owner's reply to a reported hit
	KindFlag   = "flag"    // an alert flagged as not actionable here
	// KindDetailRequest asks the owner for the details behind a hit
	// answer; KindDetailDecision is the owner's approval or refusal.
	KindDetailRequest  = "detail_request"
	KindDetailDecision = "detail_decision"
)

// resultHit is a hit/no-hit query's answer when an alert answered it.
const resultHit = "hit"

// Message is one message to a partner, queued durably in commit order
// and delivered in order; exactly one body is set.
type Message struct {
	Seq  uint64       `json:"seq"`
	Kind string       `json:"kind"`
	Hit  *HitReport   `json:"hit,omitempty"`
	Note *HitFollowUp `json:"note,omitempty"`
	Flag *FlagReport  `json:"flag,omitempty"`
	// Request and Decision carry detail requests (details.go).
	Request  *DetailRequest  `json:"request,omitempty"`
	Decision *DetailDecision `json:"decision,omitempty"`
}

// bodies counts the message's bodies.
func (m *Message) bodies() int {
	n := 0
	for _, set := range []bool{m.Hit != nil, m.Note != nil, m.Flag != nil, m.Request != nil, m.Decision != nil} {
		if set {
			n++
		}
	}
	return n
}

// HitReport tells an alert's owner that one of this cluster's posts hit
// it: no more personal data than the alert already holds.
type HitReport struct {
	// HitID is the hit's ID in the reporting cluster.
	HitID string `json:"hit_id"`
	// AlertRef is the alert's ID at its owner.
	AlertRef string    `json:"alert_ref"`
	Post     string    `json:"post"`
	At       time.Time `json:"at"`
	Action   Action    `json:"action"`
	Verdict  Verdict   `json:"verdict"`
	Score    float64   `json:"score"`
}

// HitFollowUp is a follow-up of a reported hit: the reporting post's
// acknowledgement (outcome, the officer's notes), or the owner's reply.
type HitFollowUp struct {
	// HitID is the hit's ID in the reporting cluster.
	HitID   string    `json:"hit_id"`
	From    string    `json:"from,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	Notes   string    `json:"notes,omitempty"`
	At      time.Time `json:"at"`
}

// FlagReport tells an owner that a partner flagged its alert as not
// actionable there.
type FlagReport struct {
	AlertRef string    `json:"alert_ref"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Validate names every invalid field of a message received from a
// partner.
func (m *Message) Validate() error {
	var p problems
	if m.Seq == 0 {
		p.add("seq", "must be 1 or more")
	}
	one := m.bodies() == 1
	switch {
	case m.Kind == KindHit && m.Hit != nil && one:
		if m.Hit.HitID == "" || len(m.Hit.HitID) > 200 {
			p.add("hit.hit_id", "required, at most 200 characters")
		}
		if !validID(m.Hit.AlertRef) {
			p.add("hit.alert_ref", "must be an alert ID")
		}
		if m.Hit.Post == "" || len(m.Hit.Post) > 200 {
			p.add("hit.post", "required, at most 200 characters")
		}
		if m.Hit.At.IsZero() {
			p.add("hit.at", "required")
		}
	case (m.Kind == KindHitAck || m.Kind == KindReply) && m.Note != nil && one:
		if m.Note.HitID == "" || len(m.Note.HitID) > 200 {
			p.add("note.hit_id", "required, at most 200 characters")
		}
		if len(m.Note.Notes) > 4000 {
			p.add("note.notes", "at most 4000 characters")
		}
	case m.Kind == KindFlag && m.Flag != nil && one:
		if !validID(m.Flag.AlertRef) {
			p.add("flag.alert_ref", "must be an alert ID")
		}
		if len(m.Flag.Reason) > 2000 {
			p.add("flag.reason", "at most 2000 characters")
		}
	case m.Kind == KindDetailRequest && m.Request != nil && one:
		m.Request.validate(&p, "request.")
	case m.Kind == KindDetailDecision && m.Decision != nil && one:
		m.Decision.validate(&p, "decision.")
	default:
		p.add("kind", "must be hit (with hit), hit_ack or reply (with note), flag (with flag), detail_request (with request) or detail_decision (with decision)")
	}
	return p.err()
}

// enqueue gives a message to a partner the next sequence number and
// stores it until the partner acknowledges it.
func enqueue(txn *badger.Txn, to string, m Message) error {
	s, err := getState(txn, to)
	if err != nil {
		return err
	}
	s.Queued++
	m.Seq = s.Queued
	if err := setJSON(txn, fedSeqKey('o', to, m.Seq), m); err != nil {
		return err
	}
	return setJSON(txn, fedKey('s', to), s)
}

// Queued returns up to limit messages for the partner not yet delivered,
// in order.
func (e *Engine) Queued(to string, limit int) ([]Message, error) {
	var out []Message
	err := e.view(func(txn *badger.Txn) error {
		s, err := getState(txn, to)
		if err != nil {
			return err
		}
		prefix := fedKey('o', to)
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefix})
		defer it.Close()
		for it.Seek(fedSeqKey('o', to, s.Delivered+1)); it.ValidForPrefix(prefix) && len(out) < limit; it.Next() {
			var m Message
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &m) }); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// MarkDelivered records that the partner acknowledged its messages up to
// through; they leave the queue.
func (e *Engine) MarkDelivered(to string, through uint64) error {
	return e.update(func(txn *badger.Txn) error {
		s, err := getState(txn, to)
		if err != nil {
			return err
		}
		if through <= s.Delivered {
			return nil
		}
		if through > s.Queued {
			return fmt.Errorf("%w: delivered %d, only %d queued for %s", ErrInvalid, through, s.Queued, to)
		}
		for seq := s.Delivered + 1; seq <= through; seq++ {
			if err := txn.Delete(fedSeqKey('o', to, seq)); err != nil {
				return err
			}
		}
		s.Delivered = through
		return setJSON(txn, fedKey('s', to), s)
	})
}

// Receive applies a message from a partner: its sequence number must be
// the next one (a number already received is a replay, a gap is out of
// order: either stores nothing). A hit report becomes a hit in the live
// feed, marked with the reporting country; a follow-up is attached to
// its hit; a flag to the alert's record.
func (e *Engine) Receive(from string, m Message, at time.Time) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return e.update(func(txn *badger.Txn) error {
		s, err := getState(txn, from)
		if err != nil {
			return err
		}
		switch {
		case m.Seq <= s.Received:
			return fmt.Errorf("%w: message %d from %s (received up to %d)", ErrReplayed, m.Seq, from, s.Received)
		case m.Seq > s.Received+1:
			return fmt.Errorf("%w: message %d from %s, expected %d", ErrOutOfOrder, m.Seq, from, s.Received+1)
		}
		if err := receive(txn, from, m, at); err != nil {
			return err
		}
		s.Received = m.Seq
		return setJSON(txn, fedKey('s', from), s)
	})
}

func receive(txn *badger.Txn, from string, m Message, at time.Time) error {
	switch m.Kind {
	case KindHit:
		if err := mayRefer(txn, m.Hit.AlertRef, from); err != nil {
			return err
		}
		a, _, err := getAlert(txn, m.Hit.AlertRef)
		if err != nil {
			return err
		}
		rec := HitRecord{ID: ForeignID(from, m.Hit.HitID), AlertID: m.Hit.AlertRef, Category: a.Category, Action: m.Hit.Action,
			Score: m.Hit.Score, Post: m.Hit.Post, At: m.Hit.At.UTC(), Verdict: m.Hit.Verdict, ReportedBy: from}
		return putHitRecord(txn, rec)
	case KindHitAck:
		// The reporting post's follow-up of a hit it reported here.
		return addFollowUp(txn, ForeignID(from, m.Note.HitID), from, *m.Note)
	case KindReply:
		// The owner's reply to a hit this cluster reported.
		return addFollowUp(txn, m.Note.HitID, from, *m.Note)
	case KindFlag:
		if err := mayRefer(txn, m.Flag.AlertRef, from); err != nil {
			return err
		}
		var flags map[string]FlagReport
		if _, err := getJSON(txn, fedKey('g', m.Flag.AlertRef), &flags); err != nil {
			return err
		}
		if flags == nil {
			flags = map[string]FlagReport{}
		}
		flags[from] = *m.Flag
		return setJSON(txn, fedKey('g', m.Flag.AlertRef), flags)
	case KindDetailRequest:
		return receiveDetailRequest(txn, from, *m.Request)
	case KindDetailDecision:
		return receiveDetailDecision(txn, from, *m.Decision)
	}
	return fmt.Errorf("%w: message kind %q", ErrInvalid, m.Kind)
}

// mayRefer refuses a partner's reference to an alert never shared with it.
func mayRefer(txn *badger.Txn, alertID, partner string) error {
	var ever []string
	if _, err := getJSON(txn, fedKey('e', alertID), &ever); err != nil {
		return err
	}
	if !slices.Contains(ever, partner) {
		return fmt.Errorf("%w: %s", ErrNotShared, alertID)
	}
	return nil
}

func addFollowUp(txn *badger.Txn, hitID, from string, f HitFollowUp) error {
	h, err := getHit(txn, hitID)
	if err != nil {
		return err
	}
	f.HitID, f.From, f.At = hitID, from, f.At.UTC()
	h.FollowUps = append(h.FollowUps, f)
	return setJSON(txn, append([]byte{tagHit}, hitID...), h)
}

// Flags returns the partners' "not actionable here" flags on a local
// alert, by country.
func (e *Engine) Flags(alertID string) (map[string]FlagReport, error) {
	var flags map[string]FlagReport
	err := e.view(func(txn *badger.Txn) error { _, err := getJSON(txn, fedKey('g', alertID), &flags); return err })
	return flags, err
}

// QueryRecord is a hit/no-hit query: one a partner asked this cluster
// (From set; AlertIDs stay here), or one this cluster sent (To set).
type QueryRecord struct {
	Reference string    `json:"reference,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Result    string    `json:"result,omitempty"`
	// AlertIDs are the owner's alerts that answered a hit; never sent.
	AlertIDs []string `json:"alert_ids,omitempty"`
	// By is the token that asked (a query this cluster sent).
	By string `json:"by,omitempty"`
}

// QueryReference is the reference a hit answer gives for a partner's
// query.
func QueryReference(from string, seq uint64) string { return fmt.Sprintf("%s-Q%d", from, seq) }

// AcceptQuery records a query. A partner's query must carry a sequence
// number above the last one it sent (a replay stores nothing); a query
// this cluster sends takes index, the raft index of its command, as its
// sequence number: unique and rising whichever voter leads.
func (e *Engine) AcceptQuery(q QueryRecord, index uint64) error {
	return e.update(func(txn *badger.Txn) error {
		if q.From == "" {
			if !ValidCountry(q.To) {
				return &ValidationError{Fields: []FieldError{{Field: "to", Reason: "must be a partner's country code"}}}
			}
			q.Seq = index
			return setJSON(txn, fedSeqKey('y', q.To, q.Seq), q)
		}
		s, err := getState(txn, q.From)
		if err != nil {
			return err
		}
		if q.Seq <= s.Queried {
			return fmt.Errorf("%w: query %d from %s (received up to %d)", ErrReplayed, q.Seq, q.From, s.Queried)
		}
		q.Reference = QueryReference(q.From, q.Seq)
		if err := setJSON(txn, fedKey('q', q.Reference), q); err != nil {
			return err
		}
		s.Queried = q.Seq
		return setJSON(txn, fedKey('s', q.From), s)
	})
}

// Queries lists the partners' queries answered here, oldest first.
func (e *Engine) Queries() ([]QueryRecord, error) {
	out, err := listJSON[QueryRecord](e, fedKey('q'))
	slices.SortFunc(out, func(a, b QueryRecord) int { return a.At.Compare(b.At) })
	return out, err
}

// MatchForPartner answers a partner's hit/no-hit query from this
// cluster's own alerts that the partner may query (listed in query_by or
// share), active on the day: the IDs of the alerts hit. A partner's
// query never reaches a third country's alert held here. A document
// query hits only an alert that names the document.
func (e *Engine) MatchForPartner(partner string, t Traveller, on time.Time) ([]string, error) {
	if t.Surname == "" {
		t.Surname = "X" // a document query: the name plays no part below
	}
	p, err := e.NewProbe(t)
	if err != nil {
		return nil, err
	}
	hits, err := e.Check(p, on)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hits {
		a, err := e.Get(h.AlertID)
		if err != nil {
			return nil, err
		}
		if a.Origin != nil || a.Status != StatusActive || (!slices.Contains(a.QueryBy, partner) && !slices.Contains(a.Share, partner)) {
			continue
		}
		if t.Document != nil && !namesDocument(a, *t.Document) {
			continue
		}
		out = append(out, a.ID)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func namesDocument(a Alert, d Document) bool {
	n := NormaliseDocumentNumber(d.Number)
	for _, x := range a.Documents {
		if strings.EqualFold(x.Country, d.Country) && NormaliseDocumentNumber(x.Number) == n {
			return true
		}
	}
	return false
}
