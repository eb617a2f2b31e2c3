package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/crossguard/crossguard/node/journal"
	"github.com/crossguard/crossguard/watchlist"
)

// outbox holds the crossing records a node has answered for but the
// cluster has not yet committed, and the audit entries of its requests.
// An inspection is answered only once its record is on disk here: the
// outbox's queue is a journal (package journal) whose appends share one
// fsync per group, so concurrent inspections wait for one sync, not one
// each. A shipper sends the records to the leader in batches, in the
// order they were written; a batch is acknowledged in the journal only
// after the cluster has committed it, and the cluster records a crossing
// ID (an audit entry ID) once, so a retry after a crash or a partition
// never duplicates a record.
//
// The outbox is local state, not replicated: it lives in its own
// directory, which a raft snapshot restore does not touch.
type outbox struct {
	queue *journal.Journal // crossings and audit entries to ship
	held  *journal.Journal // what the cluster refused, kept with the reason
	log   *slog.Logger

	mu         sync.Mutex
	escorts    map[watchlist.Pseudonym][]pendingEscort // the pending records' escorts, for the rule
	depth      int
	heldCount  int
	auditDepth int
	kick       chan struct{}
}

type pendingEscort struct {
	id     string
	at     time.Time
	minors []watchlist.Pseudonym
}

var _ watchlist.EscortHistory = (*outbox)(nil)

// The kinds of the outbox's journal records.
const (
	kindCrossing journal.Kind = 1
	kindAudit    journal.Kind = 2
	// In the held journal: a crossing record the cluster refused (a record
	// this build wrote but the leader finds invalid), set aside with the
	// reason, so that it neither blocks the records behind it nor vanishes;
	// and audit entries likewise.
	kindHeldCrossing journal.Kind = 3
	kindHeldAudit    journal.Kind = 4
)

// heldCrossing is a crossing record the cluster refused.
type heldCrossing struct {
	Crossing watchlist.Crossing `json:"crossing"`
	Reason   string             `json:"reason"`
	At       time.Time          `json:"at"`
}

// queued is a record read from the queue, with the journal position to
// acknowledge once it is shipped.
type queued[T any] struct {
	rec  T
	next journal.Pos
}

func openOutbox(dir string, log *slog.Logger) (*outbox, error) {
	if err := migrateBadgerOutbox(dir, log); err != nil {
		return nil, err
	}
	o := &outbox{log: log, escorts: map[watchlist.Pseudonym][]pendingEscort{}, kick: make(chan struct{}, 1)}
	var rec journal.Recovery
	var err error
	if o.queue, rec, err = journal.Open(filepath.Join(dir, "queue"), journal.Options{Kinds: []journal.Kind{kindCrossing, kindAudit}}); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	reportRecovery(log, "queue", rec)
	if o.held, rec, err = journal.Open(filepath.Join(dir, "held"), journal.Options{}); err != nil {
		o.queue.Close()
		return nil, fmt.Errorf("outbox: %w", err)
	}
	reportRecovery(log, "held", rec)
	if err := o.load(); err != nil {
		o.close()
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	if o.depth > 0 || o.auditDepth > 0 {
		log.Info("outbox holds records not yet shipped", "crossings", o.depth, "audit_entries", o.auditDepth)
		o.signal()
	}
	if o.heldCount > 0 {
		log.Error("outbox holds crossings the cluster refused; see the earlier errors", "crossings", o.heldCount)
	}
	return o, nil
}

func reportRecovery(log *slog.Logger, part string, rec journal.Recovery) {
	if rec.TornBytes > 0 {
		log.Warn("outbox: cut off a write the node stopped in the middle of (it was never answered)", "journal", part, "bytes", rec.TornBytes)
	}
	for _, seg := range rec.Damaged {
		log.Error("outbox: a journal segment is damaged; the records after the damage cannot be read", "journal", part, "segment", seg)
	}
}

// load counts the records waiting and indexes their escorts.
func (o *outbox) load() error {
	var errs []error
	decode := func(e journal.Entry, v any) bool {
		if err := json.Unmarshal(e.Data, v); err != nil {
			errs = append(errs, err)
			return false
		}
		return true
	}
	err := o.queue.Each(kindCrossing, func(e journal.Entry) bool {
		var c watchlist.Crossing
		if decode(e, &c) {
			o.index(&c)
		}
		return true
	})
	errs = append(errs, err)
	errs = append(errs, o.queue.Each(kindAudit, func(journal.Entry) bool { o.auditDepth++; return true }))
	errs = append(errs, o.held.Each(kindHeldCrossing, func(e journal.Entry) bool {
		var h heldCrossing
		if decode(e, &h) {
			o.indexEscorts(&h.Crossing)
			o.heldCount++
		}
		return true
	}))
	return errors.Join(errs...)
}

func (o *outbox) index(c *watchlist.Crossing) {
	o.depth++
	o.indexEscorts(c)
}

func (o *outbox) indexEscorts(c *watchlist.Crossing) {
	for _, e := range c.Escorts {
		o.escorts[e.Adult] = append(o.escorts[e.Adult], pendingEscort{id: c.ID, at: c.At, minors: e.Minors})
	}
}

func (o *outbox) signal() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// add writes a crossing record, and the audit entries of its request,
// durably in one journal frame; it returns once they are synced.
func (o *outbox) add(c watchlist.Crossing, audit ...watchlist.AuditEntry) error {
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	recs, err := auditRecords(kindAudit, audit)
	if err != nil {
		return err
	}
	if err := o.queue.Append(append([]journal.Record{{Kind: kindCrossing, Data: v}}, recs...)...); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	o.index(&c)
	o.auditDepth += len(audit)
	o.mu.Unlock()
	o.signal()
	return nil
}

// Depth is the number of records waiting to be shipped.
func (o *outbox) Depth() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.depth
}

// Held is the number of records the cluster refused, kept aside.
func (o *outbox) Held() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.heldCount
}

// hold moves a record the cluster refused out of the queue, keeping it
// with the reason (its escorts still count for the rule: the crossing
// happened).
func (o *outbox) hold(q queued[watchlist.Crossing], reason error, now time.Time) error {
	v, err := json.Marshal(heldCrossing{Crossing: q.rec, Reason: reason.Error(), At: now.UTC()})
	if err != nil {
		return err
	}
	if err := o.held.Append(journal.Record{Kind: kindHeldCrossing, Data: v}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := o.queue.Ack(kindCrossing, q.next); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	o.depth--
	o.heldCount++
	o.mu.Unlock()
	o.log.Error("outbox: the cluster refused a crossing record; it is kept aside, not shipped", "crossing", q.rec.ID, "reason", reason)
	return nil
}

// MinorsEscorted answers from the records not yet committed.
func (o *outbox) MinorsEscorted(adult watchlist.Pseudonym, since time.Time) ([]watchlist.Pseudonym, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []watchlist.Pseudonym
	for _, e := range o.escorts[adult] {
		if !e.at.Before(since) {
			out = append(out, e.minors...)
		}
	}
	return out, nil
}

// next reads up to n records, in the order they were written.
func (o *outbox) next(n int) ([]queued[watchlist.Crossing], error) {
	return readQueue[watchlist.Crossing](o.queue, kindCrossing, n)
}

// readQueue reads up to n JSON records of a kind from the queue.
func readQueue[T any](j *journal.Journal, kind journal.Kind, n int) ([]queued[T], error) {
	es, err := j.Read(kind, n)
	if err != nil {
		return nil, err
	}
	out := make([]queued[T], len(es))
	for i, e := range es {
		if err := json.Unmarshal(e.Data, &out[i].rec); err != nil {
			return nil, fmt.Errorf("outbox: a queued record cannot be read: %w", err)
		}
		out[i].next = e.Next
	}
	return out, nil
}

func records[T any](qs []queued[T]) []T {
	out := make([]T, len(qs))
	for i, q := range qs {
		out[i] = q.rec
	}
	return out
}

// remove acknowledges shipped records: qs are the next records of the
// queue, in order.
func (o *outbox) remove(qs []queued[watchlist.Crossing]) error {
	if len(qs) == 0 {
		return nil
	}
	if err := o.queue.Ack(kindCrossing, qs[len(qs)-1].next); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	// Only the shipped records' adults have entries to drop.
	for _, q := range qs {
		c := q.rec
		for _, esc := range c.Escorts {
			list := o.escorts[esc.Adult]
			kept := list[:0]
			for _, e := range list {
				if e.id != c.ID {
					kept = append(kept, e)
				}
			}
			if len(kept) == 0 {
				delete(o.escorts, esc.Adult)
			} else {
				o.escorts[esc.Adult] = kept
			}
		}
	}
	o.depth -= len(qs)
	return nil
}

// ship sends batches to the cluster until ctx ends, letting records
// gather for up to linger before each. A batch that fails
// (no leader: the post is cut off) is retried with back-off; nothing is
// dropped. A batch the cluster refuses as invalid is sent again record by
// record, and the records refused on their own are held aside (see
// hold), so that one bad record never blocks the others.
func (o *outbox) ship(ctx context.Context, batch int, linger time.Duration, send func(context.Context, []watchlist.Crossing) error,
	sendAudit func(context.Context, []watchlist.AuditEntry) error) {
	backoff := 100 * time.Millisecond
	for {
		// Let a moment's records gather into one shipment: each is one raft
		// entry, one log sync on every voter. The records are already
		// durable here; only their arrival at the leader waits.
		if linger > 0 && o.Depth() < batch && o.AuditDepth() < batch {
			select {
			case <-ctx.Done():
				return
			case <-time.After(linger):
			}
		}
		shipped, err := o.shipCrossings(ctx, batch, send)
		if err == nil && !shipped {
			shipped, err = o.shipAudit(ctx, batch, sendAudit)
		}
		if err == nil && shipped {
			backoff = 100 * time.Millisecond
			continue
		}
		wait := backoff
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			o.log.Warn("outbox: shipment failed; will retry", "pending", o.Depth(), "audit_pending", o.AuditDepth(), "err", err)
			backoff = min(2*backoff, 5*time.Second)
		} else {
			wait = time.Minute // idle: woken by the next record
		}
		select {
		case <-ctx.Done():
			return
		case <-o.kick:
		case <-time.After(wait):
		}
	}
}

// shipCrossings sends one batch of crossing records; shipped is false
// when there was none.
func (o *outbox) shipCrossings(ctx context.Context, batch int, send func(context.Context, []watchlist.Crossing) error) (bool, error) {
	cs, err := o.next(batch)
	if err != nil || len(cs) == 0 {
		return false, err
	}
	err = send(ctx, records(cs))
	switch {
	case refused(err):
		err = o.shipOneByOne(ctx, cs, send)
	case err == nil:
		err = o.remove(cs)
	}
	return err == nil, err
}

// shipAudit sends one batch of audit entries; a batch the cluster refuses
// is held aside whole (entries are made by this build and validated before
// they are queued: a refusal is a bug, not data).
func (o *outbox) shipAudit(ctx context.Context, batch int, send func(context.Context, []watchlist.AuditEntry) error) (bool, error) {
	as, err := o.nextAudit(batch)
	if err != nil || len(as) == 0 {
		return false, err
	}
	err = send(ctx, records(as))
	switch {
	case refused(err):
		err = o.removeAudit(as, err)
	case err == nil:
		err = o.removeAudit(as, nil)
	}
	return err == nil, err
}

func (o *outbox) shipOneByOne(ctx context.Context, cs []queued[watchlist.Crossing], send func(context.Context, []watchlist.Crossing) error) error {
	for _, c := range cs {
		err := send(ctx, []watchlist.Crossing{c.rec})
		switch {
		case err == nil:
			err = o.remove([]queued[watchlist.Crossing]{c})
		case refused(err):
			err = o.hold(c, err, time.Now())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// refused reports whether the cluster refused a shipment for what it
// holds (sending it again cannot succeed), rather than for want of a
// leader.
func refused(err error) bool {
	var ve *watchlist.ValidationError
	return errors.As(err, &ve) || errors.Is(err, watchlist.ErrInvalid)
}

func (o *outbox) close() error { return errors.Join(o.queue.Close(), o.held.Close()) }

// combinedHistory is the committed history plus the outbox: the escort
// rule sees crossings this post made while cut off.
type combinedHistory []watchlist.EscortHistory

func (h combinedHistory) MinorsEscorted(adult watchlist.Pseudonym, since time.Time) ([]watchlist.Pseudonym, error) {
	var out []watchlist.Pseudonym
	var errs []error
	for _, x := range h {
		m, err := x.MinorsEscorted(adult, since)
		out = append(out, m...)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}
