package node

import (
	"context"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
)

// RecordAudit stamps an audit entry (ID, node, time, expiry) and queues it
// durably in the outbox; it returns once the entry is on disk. The
// shipper commits it, and the cluster chains it.
func (n *Node) RecordAudit(a watchlist.AuditEntry) error {
	n.stampAudit(&a)
	return n.outbox.addAudit(a)
}

// stampAudit gives an entry its ID, node, time and expiry.
func (n *Node) stampAudit(a *watchlist.AuditEntry) {
	a.ID = ulid.Make().String()
	a.Node = n.cfg.ID
	if a.At.IsZero() {
		a.At = n.now()
	}
	a.At = a.At.UTC()
	a.Expires = a.At.Add(n.cfg.AuditRetention)
}

// AuditDepth is the number of audit entries not yet committed.
func (n *Node) AuditDepth() int { return n.outbox.AuditDepth() }

// Audit reads committed audit entries from the local store.
func (n *Node) Audit(q watchlist.AuditQuery) ([]watchlist.AuditEntry, uint64, error) {
	return n.engine.Audit(q)
}

// VerifyAudit checks the audit chain of the local store.
func (n *Node) VerifyAudit() (watchlist.AuditReport, error) { return n.engine.VerifyAudit() }

func (n *Node) shipAudit(ctx context.Context, entries []watchlist.AuditEntry) error {
	_, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandAppendAudit, Body: cluster.AppendAudit{Entries: entries}})
	return err
}

// purgeAudit runs on whichever node leads: every interval it removes the
// audit entries whose retention ended, through raft.
func (n *Node) purgeAudit(ctx context.Context, every time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if !n.cluster.IsLeader() {
			continue
		}
		through, err := n.engine.ExpiredAuditThrough(n.now())
		if err == nil && through > 0 {
			_, err = n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandPurgeAudit, Body: cluster.PurgeAudit{Through: through}})
			if err == nil {
				n.log.Info("audit entries past their retention purged", "through", through)
			}
		}
		if err != nil && ctx.Err() == nil {
			n.log.Error("audit purge", "err", fmt.Errorf("through raft: %w", err))
		}
	}
}
