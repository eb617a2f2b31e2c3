package cluster

import (
	"context"
	"fmt"
	"io"

	"github.com/hashicorp/raft"
)

// indexedSnapshots wraps the snapshot store so that the state machine
// learns the raft index of the snapshot it restores: the store must
// record raft's index, not the one written inside the snapshot (a backup
// restored into a new cluster carries the old cluster's index).
type indexedSnapshots struct{ raft.SnapshotStore }

// snapshotSource is a snapshot being restored, with its raft index.
type snapshotSource struct {
	io.ReadCloser
	index uint64
}

func (s indexedSnapshots) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	meta, rc, err := s.SnapshotStore.Open(id)
	if err != nil {
		return nil, nil, err
	}
	return meta, &snapshotSource{ReadCloser: rc, index: meta.Index}, nil
}

// Restore replaces the whole cluster's state with a backup (a snapshot
// stream of size bytes, verified by the caller: raft takes a node down
// if its state machine cannot restore). It runs on the leader: the
// leader restores, keeps the backup as its latest snapshot and leaves a
// hole in the log, so every other member, and every node that joins
// later, installs the same snapshot. It returns once a quorum has
// followed. When the leader loses its leadership before that (an error
// for which the restore's outcome is unknown), restoring the same backup
// on the new leader is safe: a restore replaces the whole state.
func (c *Cluster) Restore(ctx context.Context, r io.Reader, size int64) error {
	if c.raft.State() != raft.Leader {
		_, leader := c.raft.LeaderWithID()
		return fmt.Errorf("%w: a backup is restored on the leader (%s), not on %s", ErrRefused, leader, c.cfg.ID)
	}
	meta := &raft.SnapshotMeta{Version: raft.SnapshotVersionMax, Size: size}
	done := make(chan error, 1)
	go func() { done <- c.raft.Restore(meta, r, c.cfg.ApplyTimeout) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	case <-ctx.Done():
		// raft goes on with the restore; the caller learns it did not see
		// the end.
		return fmt.Errorf("%w: restore still running: %v", ErrNoLeader, ctx.Err())
	}
	c.log.Info("cluster state restored from a backup", "bytes", size, "index", c.raft.LastIndex())
	return nil
}
