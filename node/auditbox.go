package node

import (
	"encoding/json"
	"fmt"

	"github.com/crossguard/crossguard/watchlist"
)

// The outbox also queues audit entries: recorded durably by the node that
// answered, shipped to the leader in batches and chained there in commit
// order (watchlist.AppendAudit), exactly once by entry ID, like crossing
// records.
const (
	tagAuditOut  = 'a'
	tagAuditHeld = 'Q'
)

// addAudit writes audit entries durably; it returns once they are synced.
func (o *outbox) addAudit(entries ...watchlist.AuditEntry) error {
	wb := o.db.NewWriteBatch()
	defer wb.Cancel()
	for _, a := range entries {
		v, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if err := wb.Set(append([]byte{tagAuditOut}, a.ID...), v); err != nil {
			return err
		}
	}
	if err := wb.Flush(); err != nil {
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

// nextAudit reads up to n audit entries, oldest first (IDs are ULIDs).
func (o *outbox) nextAudit(n int) ([]watchlist.AuditEntry, error) {
	return nextRecords[watchlist.AuditEntry](o.db, &o.audit, n, o.AuditDepth())
}

// removeAudit deletes shipped entries, or, with held, moves entries the
// cluster refused aside (kept, logged, never shipped again).
func (o *outbox) removeAudit(entries []watchlist.AuditEntry, held error) error {
	wb := o.db.NewWriteBatch()
	defer wb.Cancel()
	last := ""
	for _, a := range entries {
		if err := wb.Delete(append([]byte{tagAuditOut}, a.ID...)); err != nil {
			return err
		}
		last = max(last, a.ID)
		if held != nil {
			v, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := wb.Set(append([]byte{tagAuditHeld}, a.ID...), v); err != nil {
				return err
			}
		}
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	o.audit.advance(last)
	o.mu.Lock()
	o.auditDepth -= len(entries)
	o.mu.Unlock()
	if held != nil {
		o.log.Error("outbox: the cluster refused audit entries; they are kept aside, not shipped", "entries", len(entries), "reason", held)
	}
	return nil
}
