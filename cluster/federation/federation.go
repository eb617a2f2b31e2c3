// Package federation is the protocol between the clusters of partner
// countries: what one country sends another is a signed message (Ed25519
// over a canonical encoding) that carries its sender, its recipient, a
// sequence number and the time it was sent, and is verified on arrival.
// The store's side (identity, partners, the feed, the queues) is in
// package watchlist; a node runs the puller and the sender; the API
// serves the partner endpoints. FEDERATION.md describes the protocol and
// its security properties.
package federation

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// ErrRefused is what every refused message matches (errors.Is); the
// wrapped error says why. A refused message stores nothing.
var ErrRefused = errors.New("federation message refused")

// Why a message is refused. Each wraps ErrRefused.
var (
	ErrSignature    = fmt.Errorf("%w: signature does not verify with the sender's registered key", ErrRefused)
	ErrNotCanonical = fmt.Errorf("%w: message is not in canonical encoding", ErrRefused)
	ErrAddress      = fmt.Errorf("%w: wrong sender, recipient or kind", ErrRefused)
	ErrTooOld       = fmt.Errorf("%w: message too old or from the future", ErrRefused)
	ErrMalformed    = fmt.Errorf("%w: malformed message", ErrRefused)
)

// signingDomain separates these signatures from any other use of a key.
const signingDomain = "crossguard-federation-v1\n"

// Kind is what a message carries.
type Kind string

// Message kinds.
const (
	// KindFeed is a page of a partner's feed of shared alerts: Prev is
	// the cursor it continues from, Seq the cursor it ends at.
	KindFeed Kind = "feed"
	// KindMessage is one queued message (a hit report, a follow-up, a
	// flag): Seq is its place in the sender's queue for the recipient.
	KindMessage Kind = "message"
	// KindQuery is a hit/no-hit query; KindAnswer its answer (same Seq).
	KindQuery  Kind = "query"
	KindAnswer Kind = "answer"
)

// Header says who sent a message to whom, what it is and when.
type Header struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Kind   Kind      `json:"kind"`
	Seq    uint64    `json:"seq"`
	Prev   uint64    `json:"prev"`
	SentAt time.Time `json:"sent_at"`
}

// signed is the canonical message: the header and the body, encoded by
// encoding/json (fields in this order, no insignificant space).
type signed struct {
	Header
	Body json.RawMessage `json:"body"`
}

// Envelope is a message as it crosses the border: the canonical bytes
// and the sender's signature over them.
type Envelope struct {
	Message   json.RawMessage `json:"message"`
	Signature []byte          `json:"signature"`
}

// Seal signs a message.
func Seal(key ed25519.PrivateKey, h Header, body any) (Envelope, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Envelope{}, err
	}
	h.SentAt = h.SentAt.UTC().Truncate(time.Millisecond)
	msg, err := json.Marshal(signed{Header: h, Body: b})
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{Message: msg, Signature: ed25519.Sign(key, append([]byte(signingDomain), msg...))}, nil
}

// Rules are how a cluster checks what arrives.
type Rules struct {
	// Self is this cluster's country: the recipient of every message.
	Self string
	// MaxAge refuses a message sent longer ago (default 5 minutes);
	// Skew allows a sender's clock to run ahead (default 1 minute).
	MaxAge, Skew time.Duration
	Now          func() time.Time
}

// Open verifies an envelope from the partner from (whose registered key
// is key) and decodes its body: the signature, the canonical encoding,
// the sender, the recipient, the kind and the age. Sequence numbers are
// checked by the store, which knows what was received.
func (r Rules) Open(env Envelope, from string, key ed25519.PublicKey, kind Kind, body any) (Header, error) {
	if len(key) != ed25519.PublicKeySize || len(env.Signature) != ed25519.SignatureSize ||
		!ed25519.Verify(key, append([]byte(signingDomain), env.Message...), env.Signature) {
		return Header{}, ErrSignature
	}
	var m signed
	dec := json.NewDecoder(bytes.NewReader(env.Message))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Header{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if again, err := json.Marshal(m); err != nil || !bytes.Equal(again, env.Message) {
		return Header{}, ErrNotCanonical
	}
	switch {
	case m.From != from:
		return m.Header, fmt.Errorf("%w: sent by %q, expected %s", ErrAddress, m.From, from)
	case m.To != r.Self:
		return m.Header, fmt.Errorf("%w: addressed to %q, this is %s", ErrAddress, m.To, r.Self)
	case m.Kind != kind:
		return m.Header, fmt.Errorf("%w: a %q message where a %q was expected", ErrAddress, m.Kind, kind)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	maxAge, skew := r.MaxAge, r.Skew
	if maxAge <= 0 {
		maxAge = 5 * time.Minute
	}
	if skew <= 0 {
		skew = time.Minute
	}
	if age := now().Sub(m.SentAt); age > maxAge || age < -skew {
		return m.Header, fmt.Errorf("%w: sent at %s, %s ago (at most %s)", ErrTooOld, m.SentAt.Format(time.RFC3339), age.Round(time.Second), maxAge)
	}
	dec = json.NewDecoder(bytes.NewReader(m.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(body); err != nil {
		return m.Header, fmt.Errorf("%w: body: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return m.Header, fmt.Errorf("%w: data after the body", ErrMalformed)
	}
	return m.Header, nil
}

// Feed is the body of a feed page.
type Feed struct {
	Entries []watchlist.SharedChange `json:"entries"`
	// Head is the end of the owner's change log: Head > the page's Seq
	// means more pages follow.
	Head uint64 `json:"head"`
}

// CheckOwner refuses a page that carries an alert its sender does not
// own.
func (f Feed) CheckOwner(from string) error {
	for i, e := range f.Entries {
		if e.Alert != nil && (e.Alert.Owner.Country != from || e.Alert.Origin != nil) {
			return fmt.Errorf("%w: entries[%d]: alert %s is owned by %q, not by %s: %w", ErrRefused, i, e.ID, e.Alert.Owner.Country, from, watchlist.ErrNotOwner)
		}
	}
	return nil
}

// Query asks whether a document, or a person by name and birth date, is
// on one of the owner's alerts that the asker may query.
type Query struct {
	Document  *watchlist.Document `json:"document,omitempty"`
	Surname   string              `json:"surname,omitempty"`
	Given     string              `json:"given,omitempty"`
	BirthDate string              `json:"birth_date,omitempty"`
}

// Validate names every invalid field of a query.
func (q Query) Validate() error {
	var fe []watchlist.FieldError
	switch {
	case q.Document != nil && (q.Surname != "" || q.Given != "" || q.BirthDate != ""):
		fe = append(fe, watchlist.FieldError{Field: "document", Reason: "ask about a document or a person, not both"})
	case q.Document != nil:
		if len(q.Document.Country) != 3 {
			fe = append(fe, watchlist.FieldError{Field: "document.country", Reason: "the issuing country's three-letter code is required"})
		}
		if watchlist.NormaliseDocumentNumber(q.Document.Number) == "" {
			fe = append(fe, watchlist.FieldError{Field: "document.number", Reason: "is required"})
		}
	default:
		if q.Surname == "" {
			fe = append(fe, watchlist.FieldError{Field: "surname", Reason: "a document, or a surname and a birth date, is required"})
		}
		if q.BirthDate == "" {
			fe = append(fe, watchlist.FieldError{Field: "birth_date", Reason: "a person is asked about by name and birth date"})
		}
	}
	if len(q.Surname)+len(q.Given) > 400 {
		fe = append(fe, watchlist.FieldError{Field: "surname", Reason: "names of at most 400 characters"})
	}
	if len(fe) > 0 {
		return &watchlist.ValidationError{Fields: fe}
	}
	return nil
}

// Answer is the answer to a query: hit or no hit, and on a hit a
// reference to ask the owner for details with. Nothing else.
type Answer struct {
	Result    string `json:"result"`
	Reference string `json:"reference,omitempty"`
}

// Query results.
const (
	Hit   = "hit"
	NoHit = "no_hit"
)

// EncodeKey writes a public key as partners exchange it (base64).
func EncodeKey(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// DecodeKey reads a partner's public key.
func DecodeKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: an Ed25519 public key is 32 bytes in base64", watchlist.ErrInvalid)
	}
	return ed25519.PublicKey(b), nil
}
