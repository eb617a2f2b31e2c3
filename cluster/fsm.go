package cluster

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"

	"github.com/crossguard/crossguard/watchlist"
)

// fsm applies committed commands to the watchlist. It is the only writer
// of the replicated state. Apply is a pure switch over the command type:
// no clock, no randomness, no I/O but the store.
//
// The store is on disk and records the last index applied, so a restart
// does not restore the latest snapshot: raft replays the log after the
// snapshot, and the entries the store already holds are skipped.
type fsm struct {
	engine *watchlist.Engine
	log    *slog.Logger

	applied atomic.Uint64
	// skipUpTo is the index the store held when it was opened (or
	// restored): entries up to it are already applied.
	skipUpTo uint64

	// broken is the first entry that could not be decoded: the node keeps
	// answering from what it has, but reports itself as not ready.
	broken atomic.Pointer[error]

	mu      sync.Mutex
	advance chan struct{} // closed and replaced each time applied moves
}

var (
	_ raft.BatchingFSM = (*fsm)(nil)
	_ raft.FSMSnapshot = (*fsmSnapshot)(nil)
)

func newFSM(e *watchlist.Engine, log *slog.Logger) (*fsm, error) {
	idx, err := e.AppliedIndex()
	if err != nil {
		return nil, err
	}
	f := &fsm{engine: e, log: log, skipUpTo: idx, advance: make(chan struct{})}
	f.applied.Store(idx)
	return f, nil
}

// Apply applies one entry.
func (f *fsm) Apply(l *raft.Log) any { return f.ApplyBatch([]*raft.Log{l})[0] }

// ApplyBatch applies committed entries in order, records the index of the
// last in the store, and returns one response per entry: nil, or the
// application error (an invalid alert, a hit not found), the same on every
// node.
func (f *fsm) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	if len(logs) == 0 {
		return out
	}
	for i, l := range logs {
		if l.Type != raft.LogCommand || l.Index <= f.skipUpTo {
			continue
		}
		cmd, err := decodeCommand(l.Data)
		if err != nil {
			// Skipping silently would let this node drift from the others;
			// stopping would stop inspections. Record it: the node reports
			// itself as not ready and an operator replaces it.
			err = fmt.Errorf("entry %d: %w", l.Index, err)
			f.broken.CompareAndSwap(nil, &err)
			f.log.Error("cannot apply a log entry; this node is out of step", "index", l.Index, "err", err)
			out[i] = err
			continue
		}
		out[i] = f.apply(cmd, l.Index)
	}
	last := logs[len(logs)-1].Index
	if last > f.applied.Load() {
		if err := f.engine.SetAppliedIndex(last); err != nil && !errors.Is(err, watchlist.ErrClosed) {
			f.log.Error("record applied index", "index", last, "err", err)
		}
		f.setApplied(last)
	}
	return out
}

func (f *fsm) apply(cmd Command, index uint64) error {
	switch body := cmd.Body.(type) {
	case *UpsertAlerts:
		return f.engine.Upsert(body.Alerts...)
	case *CloseAlert:
		return f.engine.CloseAlert(body.ID, body.At)
	case *RecordCrossings:
		return f.engine.RecordCrossings(body.Crossings)
	case *AckHit:
		return f.engine.AckHit(body.HitID, body.Ack)
	case *PutToken:
		return f.engine.PutToken(body.Token)
	case *RevokeToken:
		return f.engine.RevokeToken(body.ID, body.At)
	case *AppendAudit:
		return f.engine.AppendAudit(body.Entries)
	case *PurgeAudit:
		return f.engine.PurgeAudit(body.Through)
	case *SetIdentity:
		return f.engine.SetIdentity(body.Identity)
	case *PutPartner:
		return f.engine.PutPartner(body.Partner)
	case *RemovePartner:
		return f.engine.RemovePartner(body.Country, body.At)
	case *ImportShared:
		return f.engine.ImportShared(body.From, body.Prev, body.Next, body.Head, body.Changes, body.At)
	case *MarkDelivered:
		return f.engine.MarkDelivered(body.To, body.Through)
	case *ReceiveMessage:
		return f.engine.Receive(body.From, body.Message, body.At)
	case *FlagAlert:
		return f.engine.FlagAlert(body.ID, body.Flag)
	case *AcceptQuery:
		return f.engine.AcceptQuery(body.Query, index)
	case *RecordAnswer:
		return f.engine.RecordAnswer(body.To, body.Seq, body.Result, body.Reference)
	case *RequestDetails:
		return f.engine.RequestDetails(body.To, body.Request)
	case *DecideDetails:
		return f.engine.DecideDetails(body.From, body.Reference, body.Approve, body.By, body.Reason, body.At)
	}
	return fmt.Errorf("%w: %s", ErrUnknownCommand, cmd.Type)
}

func (f *fsm) setApplied(i uint64) {
	f.mu.Lock()
	f.applied.Store(i)
	close(f.advance)
	f.advance = make(chan struct{})
	f.mu.Unlock()
}

// waitChan returns the applied index and a channel closed when it moves.
func (f *fsm) waitChan() (uint64, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied.Load(), f.advance
}

// Snapshot opens a read transaction of the store: raft calls it between
// two applies, so it holds exactly the state at the snapshot's index.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	s, err := f.engine.Snapshot()
	if err != nil {
		return nil, err
	}
	return &fsmSnapshot{snap: s}, nil
}

// Restore replaces the store with a snapshot and rebuilds the filters.
// The store then records the raft index of the snapshot (a backup from
// another cluster carries that cluster's index).
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	if err := f.engine.Restore(rc); err != nil {
		return err
	}
	idx, err := f.engine.AppliedIndex()
	if err != nil {
		return err
	}
	if src := unwrapSource(rc); src != nil && src.index != idx {
		if err := f.engine.SetAppliedIndex(src.index); err != nil {
			return err
		}
		idx = src.index
	}
	// After a restore raft delivers only entries after the snapshot:
	// skipping is for the replay at start-up only.
	f.skipUpTo = 0
	f.setApplied(idx)
	return nil
}

// unwrapSource finds the snapshotSource under raft's wrappers (raft
// counts the bytes restored).
func unwrapSource(rc io.ReadCloser) *snapshotSource {
	for rc != nil {
		switch r := rc.(type) {
		case *snapshotSource:
			return r
		case raft.ReadCloserWrapper:
			rc = r.WrappedReadCloser()
		default:
			return nil
		}
	}
	return nil
}

type fsmSnapshot struct{ snap *watchlist.Snapshot }

// Persist streams the snapshot; it runs while new entries are applied.
func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := s.snap.WriteTo(sink); err != nil {
		sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return sink.Close()
}

func (s *fsmSnapshot) Release() { s.snap.Release() }
