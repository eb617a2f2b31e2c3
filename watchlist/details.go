package watchlist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Details after a hit answer. A partner whose hit/no-hit query was
// answered "hit" may ask for the details behind the answer's reference;
// a human at the owner approves or refuses the request. Approval shares
// the alerts that answered with the asker (they reach it through its
// feed like any shared alert, and the owner may withdraw them later);
// refusal shares nothing. Both sides keep the case under the partner's
// country and the reference:
//
//	'r' country reference -> DetailCase
//	'a' country reference -> seq of the query sent to country that was
//	                         answered hit under reference

// Detail request statuses.
const (
	DetailPending  = "pending"
	DetailApproved = "approved"
	DetailRefused  = "refused"
)

// DetailCase is a request for the details behind a hit answer, as the
// owner holds it (From: the partner that asks) or as the asker holds it
// (To: the owner asked).
type DetailCase struct {
	Reference string `json:"reference"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	// Reason is why the asker needs the details; By who asks.
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	// AlertIDs are, at the owner, its alerts that answered the query
	// (they leave the owner only when approved); at the asker, the
	// foreign alerts an approval shared.
	AlertIDs []string `json:"alert_ids,omitempty"`
	// DecidedBy (at the owner), DecidedAt and Decision (the owner's
	// reason, sent to the asker) record the decision.
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Decision  string    `json:"decision,omitempty"`
}

// DetailRequest is the message that asks an owner for the details
// behind a reference.
type DetailRequest struct {
	Reference string    `json:"reference"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// DetailDecision is the owner's answer to a detail request: on approval,
// the owner's IDs of the alerts now shared with the asker.
type DetailDecision struct {
	Reference string    `json:"reference"`
	Approved  bool      `json:"approved"`
	Reason    string    `json:"reason,omitempty"`
	AlertRefs []string  `json:"alert_refs,omitempty"`
	At        time.Time `json:"at"`
}

func (r *DetailRequest) validate(p *problems, prefix string) {
	validReference(p, prefix+"reference", r.Reference)
	validText(p, prefix+"reason", r.Reason, true, 2000)
	validText(p, prefix+"by", r.By, true, 200)
}

func (d *DetailDecision) validate(p *problems, prefix string) {
	validReference(p, prefix+"reference", d.Reference)
	validText(p, prefix+"reason", d.Reason, !d.Approved, 2000)
	if !d.Approved && len(d.AlertRefs) > 0 {
		p.add(prefix+"alert_refs", "a refusal shares no alert")
	}
	if d.Approved && len(d.AlertRefs) == 0 {
		p.add(prefix+"alert_refs", "an approval names the alerts it shares")
	}
	for i, id := range d.AlertRefs {
		if !validID(id) {
			p.add(fmt.Sprintf("%salert_refs[%d]", prefix, i), "must be an alert ID")
		}
	}
}

func validReference(p *problems, field, ref string) {
	if ref == "" || len(ref) > 100 || strings.ContainsFunc(ref, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		p.add(field, "must be the reference of a hit answer (printable ASCII, at most 100 characters)")
	}
}

func validText(p *problems, field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		p.add(field, "required")
	case len(s) > max:
		p.add(field, fmt.Sprintf("at most %d characters", max))
	}
}

func detailKey(country, reference string) []byte { return fedKey('r', country, reference) }

// RecordAnswer records a partner's answer to a query this cluster sent
// (seq is the query's sequence number): a hit's reference may then be
// used to request details.
func (e *Engine) RecordAnswer(to string, seq uint64, result, reference string) error {
	return e.update(func(txn *badger.Txn) error {
		var q QueryRecord
		ok, err := getJSON(txn, fedSeqKey('y', to, seq), &q)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: query %d to %s", ErrNotFound, seq, to)
		}
		q.Result, q.Reference = result, reference
		if result == resultHit {
			var p problems
			if validReference(&p, "reference", reference); p.err() != nil {
				return p.err()
			}
			if err := setJSON(txn, fedKey('a', to, reference), seq); err != nil {
				return err
			}
		}
		return setJSON(txn, fedSeqKey('y', to, seq), q)
	})
}

// SentQueries lists the hit/no-hit queries this cluster sent, oldest
// first.
func (e *Engine) SentQueries() ([]QueryRecord, error) {
	out, err := listJSON[QueryRecord](e, fedKey('y'))
	slices.SortFunc(out, func(a, b QueryRecord) int { return a.At.Compare(b.At) })
	return out, err
}

// RequestDetails asks the owner to for the details behind the reference
// of a hit it answered this cluster: the request is queued for the
// owner. A reference already pending or approved is refused; one
// refused may be asked again.
func (e *Engine) RequestDetails(to string, r DetailRequest) error {
	var p problems
	if r.validate(&p, ""); p.err() != nil {
		return p.err()
	}
	r.At = r.At.UTC()
	return e.update(func(txn *badger.Txn) error {
		ok, err := getJSON(txn, fedKey('a', to, r.Reference), new(uint64))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s answered no hit under reference %q to this cluster", ErrNotFound, to, r.Reference)
		}
		var c DetailCase
		if _, err := getJSON(txn, detailKey(to, r.Reference), &c); err != nil {
			return err
		}
		if c.Status == DetailPending || c.Status == DetailApproved {
			return fmt.Errorf("%w: details for %s were already requested (%s)", ErrDecided, r.Reference, c.Status)
		}
		c = DetailCase{Reference: r.Reference, To: to, Reason: r.Reason, By: r.By, At: r.At, Status: DetailPending}
		if err := setJSON(txn, detailKey(to, r.Reference), c); err != nil {
			return err
		}
		return enqueue(txn, to, Message{Kind: KindDetailRequest, Request: &r})
	})
}

// DetailCases lists the detail requests this cluster received and sent,
// oldest first.
func (e *Engine) DetailCases() ([]DetailCase, error) {
	out, err := listJSON[DetailCase](e, fedKey('r'))
	slices.SortFunc(out, func(a, b DetailCase) int { return a.At.Compare(b.At) })
	return out, err
}

// DetailCase returns the case of the partner's reference.
func (e *Engine) DetailCase(country, reference string) (DetailCase, error) {
	return viewJSON[DetailCase](e, detailKey(country, reference), "detail request "+reference)
}

// DecideDetails records the owner's decision on a partner's pending
// detail request, at time at, and queues it for the partner. Approval
// adds the partner to the share of the alerts that answered the query
// and are still active (in the same transaction); it is refused when
// none is.
func (e *Engine) DecideDetails(from, reference string, approve bool, by, reason string, at time.Time) error {
	var p problems
	validText(&p, "by", by, true, 200)
	validText(&p, "reason", reason, !approve, 2000)
	if err := p.err(); err != nil {
		return err
	}
	c, err := e.DetailCase(from, reference)
	if err != nil {
		return err
	}
	if c.From != from {
		return fmt.Errorf("%w: %s is a request this cluster sent", ErrInvalid, reference)
	}
	if c.Status != DetailPending {
		return fmt.Errorf("%w: the request %s is %s", ErrDecided, reference, c.Status)
	}
	at = at.UTC()
	var shared []preparedAlert
	if approve {
		for _, id := range c.AlertIDs {
			a, err := e.Get(id)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err != nil || a.Origin != nil || a.Status != StatusActive {
				continue
			}
			if !slices.Contains(a.Share, from) {
				a.Share = append(a.Share, from)
				a.UpdatedAt = at.Format(time.RFC3339Nano)
			}
			pa, err := prepareAlert(&a, nil)
			if err != nil {
				return err
			}
			shared = append(shared, pa)
		}
		if len(shared) == 0 {
			return fmt.Errorf("%w: the alerts that answered %s are no longer active: nothing to share", ErrDecided, reference)
		}
	}
	c.DecidedBy, c.DecidedAt, c.Decision, c.Status = by, at, reason, DetailRefused
	d := DetailDecision{Reference: reference, Approved: approve, Reason: reason, At: at}
	if approve {
		c.Status = DetailApproved
		for _, pa := range shared {
			d.AlertRefs = append(d.AlertRefs, pa.id)
		}
	}
	return e.writeAlso(shared, func(txn *badger.Txn) error {
		if err := setJSON(txn, detailKey(from, reference), c); err != nil {
			return err
		}
		return enqueue(txn, from, Message{Kind: KindDetailDecision, Decision: &d})
	})
}

// receiveDetailRequest opens a case for a partner's request: the
// reference must be one this cluster answered the partner with a hit. A
// request for a reference pending or approved changes nothing; one
// refused is opened again.
func receiveDetailRequest(txn *badger.Txn, from string, r DetailRequest) error {
	var q QueryRecord
	ok, err := getJSON(txn, fedKey('q', r.Reference), &q)
	if err != nil {
		return err
	}
	if !ok || q.From != from || q.Result != resultHit {
		return fmt.Errorf("%w: no hit was answered to %s under reference %q", ErrNotShared, from, r.Reference)
	}
	var c DetailCase
	if _, err := getJSON(txn, detailKey(from, r.Reference), &c); err != nil {
		return err
	}
	if c.Status == DetailPending || c.Status == DetailApproved {
		return nil
	}
	c = DetailCase{Reference: r.Reference, From: from, Reason: r.Reason, By: r.By, At: r.At.UTC(), Status: DetailPending, AlertIDs: q.AlertIDs}
	return setJSON(txn, detailKey(from, r.Reference), c)
}

// receiveDetailDecision closes a case this cluster opened with the
// owner's decision; the alerts approved arrive through the owner's feed.
func receiveDetailDecision(txn *badger.Txn, from string, d DetailDecision) error {
	var c DetailCase
	ok, err := getJSON(txn, detailKey(from, d.Reference), &c)
	if err != nil {
		return err
	}
	if !ok || c.To != from {
		return fmt.Errorf("%w: no detail request was sent to %s under reference %q", ErrNotShared, from, d.Reference)
	}
	if c.Status != DetailPending {
		return nil
	}
	c.Status, c.DecidedAt, c.Decision, c.AlertIDs = DetailRefused, d.At.UTC(), d.Reason, nil
	if d.Approved {
		c.Status = DetailApproved
		for _, id := range d.AlertRefs {
			c.AlertIDs = append(c.AlertIDs, ForeignID(from, id))
		}
	}
	return setJSON(txn, detailKey(from, d.Reference), c)
}
