package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/watchlist"
)

// outbox holds the crossing records a node has answered for but the
// cluster has not yet committed. An inspection is answered only once its
// record is on disk here (badger with synced writes: concurrent
// inspections share one fsync). A shipper sends the records to the leader
// in batches; each is deleted only after its batch is committed, and the
// cluster records a crossing ID once, so a retry after a crash or a
// partition never duplicates a record.
//
// The outbox is local state, not replicated: it lives in its own store,
// which a raft snapshot restore does not touch.
type outbox struct {
	db  *badger.DB
	log *slog.Logger

	mu         sync.Mutex
	escorts    map[watchlist.Pseudonym][]pendingEscort // the pending records' escorts, for the rule
	depth      int
	held       int
	auditDepth int
	kick       chan struct{}

	crossings, audit queueCursor // where the shipper reads next
}

type pendingEscort struct {
	id     string
	at     time.Time
	minors []watchlist.Pseudonym
}

var _ watchlist.EscortHistory = (*outbox)(nil)

const (
	tagOutbox = 'o'
	// tagHeld keeps the records the cluster refused (a record this build
	// wrote but the leader finds invalid): set aside, with the reason, so
	// that they neither block the records behind them nor vanish.
	tagHeld = 'q'
)

// heldCrossing is a crossing record the cluster refused.
type heldCrossing struct {
	Crossing watchlist.Crossing `json:"crossing"`
	Reason   string             `json:"reason"`
	At       time.Time          `json:"at"`
}

func openOutbox(dir string, log *slog.Logger) (*outbox, error) {
	opts := badger.DefaultOptions(dir).WithSyncWrites(true).WithLogger(nil).
		WithMemTableSize(8 << 20).WithNumMemtables(2).WithBlockCacheSize(8 << 20).WithIndexCacheSize(0).
		WithValueLogFileSize(64 << 20).WithNumCompactors(2)
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", dir, err)
	}
	o := &outbox{db: db, log: log, escorts: map[watchlist.Pseudonym][]pendingEscort{}, kick: make(chan struct{}, 1),
		crossings: queueCursor{tag: tagOutbox}, audit: queueCursor{tag: tagAuditOut}}
	err = db.View(func(txn *badger.Txn) error {
		if err := eachValue(txn, tagOutbox, func(v []byte) error {
			var c watchlist.Crossing
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			o.index(&c)
			return nil
		}); err != nil {
			return err
		}
		if err := eachValue(txn, tagAuditOut, func([]byte) error { o.auditDepth++; return nil }); err != nil {
			return err
		}
		return eachValue(txn, tagHeld, func(v []byte) error {
			var h heldCrossing
			if err := json.Unmarshal(v, &h); err != nil {
				return err
			}
			o.indexEscorts(&h.Crossing)
			o.held++
			return nil
		})
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	if o.depth > 0 || o.auditDepth > 0 {
		log.Info("outbox holds records not yet shipped", "crossings", o.depth, "audit_entries", o.auditDepth)
		o.signal()
	}
	if o.held > 0 {
		log.Error("outbox holds crossings the cluster refused; see the earlier errors", "crossings", o.held)
	}
	return o, nil
}

// eachValue calls fn with the value of every key under the tag.
func eachValue(txn *badger.Txn, tag byte, fn func(v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte{tag}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := it.Item().Value(fn); err != nil {
			return err
		}
	}
	return nil
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
// durably in one write; it returns once they are synced.
func (o *outbox) add(c watchlist.Crossing, audit ...watchlist.AuditEntry) error {
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := o.db.Update(func(txn *badger.Txn) error {
		for _, a := range audit {
			av, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := txn.Set(append([]byte{tagAuditOut}, a.ID...), av); err != nil {
				return err
			}
		}
		return txn.Set(append([]byte{tagOutbox}, c.ID...), v)
	}); err != nil {
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
	return o.held
}

// hold moves a record the cluster refused out of the queue, keeping it
// with the reason (its escorts still count for the rule: the crossing
// happened).
func (o *outbox) hold(c watchlist.Crossing, reason error, now time.Time) error {
	v, err := json.Marshal(heldCrossing{Crossing: c, Reason: reason.Error(), At: now.UTC()})
	if err != nil {
		return err
	}
	if err := o.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(append([]byte{tagOutbox}, c.ID...)); err != nil {
			return err
		}
		return txn.Set(append([]byte{tagHeld}, c.ID...), v)
	}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	o.depth--
	o.held++
	o.mu.Unlock()
	o.log.Error("outbox: the cluster refused a crossing record; it is kept aside, not shipped", "crossing", c.ID, "reason", reason)
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

// next reads up to n records, oldest first (IDs are ULIDs).
func (o *outbox) next(n int) ([]watchlist.Crossing, error) {
	return nextRecords[watchlist.Crossing](o.db, &o.crossings, n, o.Depth())
}

// queueCursor is where the unshipped records of a tag begin, as far as
// the shipper knows: just after the last record it removed. Reading from
// there skips the deleted records ahead of it, which badger keeps as
// tombstones until compaction: without it, every read walked over all
// of them (a fifth of a busy post's CPU, measured). It is only a hint: a
// record written after the cursor moved may sort before it (IDs made in
// the same millisecond by concurrent inspections), so a read that finds
// fewer records than the queue holds reads again from the start.
type queueCursor struct {
	tag byte
	mu  sync.Mutex
	key []byte // nil: from the start
}

// advance moves the cursor to the record with the greatest ID removed.
func (q *queueCursor) advance(lastID string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if k := append([]byte{q.tag}, lastID...); bytes.Compare(k, q.key) > 0 {
		q.key = k
	}
}

func (q *queueCursor) start() []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.key == nil {
		return []byte{q.tag}
	}
	return q.key
}

func (q *queueCursor) reset() {
	q.mu.Lock()
	q.key = nil
	q.mu.Unlock()
}

// nextRecords reads up to n JSON records of the cursor's tag, in key
// order, from the cursor; depth is how many the queue holds.
func nextRecords[T any](db *badger.DB, q *queueCursor, n, depth int) ([]T, error) {
	read := func(from []byte) ([]T, error) {
		var out []T
		err := db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte{q.tag}})
			defer it.Close()
			for it.Seek(from); it.Valid() && len(out) < n; it.Next() {
				var r T
				if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
					return err
				}
				out = append(out, r)
			}
			return nil
		})
		return out, err
	}
	from := q.start()
	out, err := read(from)
	if err != nil || len(out) >= n || len(out) >= depth || len(from) == 1 {
		return out, err
	}
	// Something lies behind the cursor: read from the start.
	q.reset()
	return read([]byte{q.tag})
}

// remove deletes shipped records.
func (o *outbox) remove(cs []watchlist.Crossing) error {
	wb := o.db.NewWriteBatch()
	defer wb.Cancel()
	last := ""
	for _, c := range cs {
		if err := wb.Delete(append([]byte{tagOutbox}, c.ID...)); err != nil {
			return err
		}
		last = max(last, c.ID)
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	o.crossings.advance(last)
	o.mu.Lock()
	defer o.mu.Unlock()
	// Only the shipped records' adults have entries to drop.
	for _, c := range cs {
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
	o.depth -= len(cs)
	return nil
}

// ship sends batches to the cluster until ctx ends. A batch that fails
// (no leader: the post is cut off) is retried with back-off; nothing is
// dropped. A batch the cluster refuses as invalid is sent again record by
// record, and the records refused on their own are held aside (see
// hold), so that one bad record never blocks the others.
func (o *outbox) ship(ctx context.Context, batch int, send func(context.Context, []watchlist.Crossing) error,
	sendAudit func(context.Context, []watchlist.AuditEntry) error) {
	backoff := 100 * time.Millisecond
	for {
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
	err = send(ctx, cs)
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
	err = send(ctx, as)
	switch {
	case refused(err):
		err = o.removeAudit(as, err)
	case err == nil:
		err = o.removeAudit(as, nil)
	}
	return err == nil, err
}

func (o *outbox) shipOneByOne(ctx context.Context, cs []watchlist.Crossing, send func(context.Context, []watchlist.Crossing) error) error {
	for _, c := range cs {
		one := []watchlist.Crossing{c}
		err := send(ctx, one)
		switch {
		case err == nil:
			err = o.remove(one)
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

func (o *outbox) close() error { return o.db.Close() }

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
