package node

import (
	"encoding/json"
	"fmt"

	"github.com/crossguard/crossguard/node/journal"
	"github.com/crossguard/crossguard/watchlist"
)

// The outbox also queues audit entries: recorded durably by the node that
// answered, shipped to the leader in batches and chained there in commit
// order (watchlist.AppendAudit), exactly once by entry ID, like crossing
// records.

// addAudit writes audit entries durably; it returns once they are synced.
func (o *outbox) addAudit(entries ...watchlist.AuditEntry) error {
	recs, err := auditRecords(kindAudit, entries)
	if err != nil {
		return err
	}
	if err := o.queue.Append(recs...); err != nil {
		return fmt.Errorf("outbox: audit: %w", err)
	}
	o.mu.Lock()
	o.auditDepth += len(entries)
	o.mu.Unlock()
	o.signal()
	return nil
}

// AuditDepth is the number of audit entries waiting to be shipped.
func (o *outbox) AuditDepth() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.auditDepth
}

// nextAudit reads up to n audit entries, in the order they were written.
func (o *outbox) nextAudit(n int) ([]queued[watchlist.AuditEntry], error) {
	return readQueue[watchlist.AuditEntry](o.queue, kindAudit, n)
}

// removeAudit acknowledges shipped entries (the next of the queue, in
// order), or, with held, moves entries the cluster refused aside (kept,
// logged, never shipped again).
func (o *outbox) removeAudit(entries []queued[watchlist.AuditEntry], held error) error {
	if len(entries) == 0 {
		return nil
	}
	if held != nil {
		recs, err := auditRecords(kindHeldAudit, records(entries))
		if err != nil {
			return err
		}
		if err := o.held.Append(recs...); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	if err := o.queue.Ack(kindAudit, entries[len(entries)-1].next); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.mu.Lock()
	o.auditDepth -= len(entries)
	o.mu.Unlock()
	if held != nil {
		o.log.Error("outbox: the cluster refused audit entries; they are kept aside, not shipped", "entries", len(entries), "reason", held)
	}
	return nil
}

// auditRecords encodes audit entries as journal records of a kind.
func auditRecords(kind journal.Kind, entries []watchlist.AuditEntry) ([]journal.Record, error) {
	recs := make([]journal.Record, 0, len(entries))
	for _, a := range entries {
		v, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		recs = append(recs, journal.Record{Kind: kind, Data: v})
	}
	return recs, nil
}
