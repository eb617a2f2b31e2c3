package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"

	"github.com/crossguard/crossguard/watchlist"
)

// Config configures the raft side of a node.
type Config struct {
	// ID names the node in the cluster: unique and stable across restarts.
	ID string
	// Dir holds the raft log, its stable store and the snapshots.
	Dir string
	// Bind is the raft port's listen address ("127.0.0.1:0" picks a port).
	Bind string
	// Advertise is the address other nodes dial; empty means the bound
	// address.
	Advertise string
	// Voter makes the node a voter (an operations centre); otherwise it
	// joins as a non-voting replica (a border post).
	Voter bool
	// Bootstrap starts a new single-voter cluster if the node has no raft
	// state yet. It is ignored when the node has state.
	Bootstrap bool
	// Join lists raft addresses of members to ask to be added; any member
	// forwards to the leader. Joining runs in the background and is
	// retried, so a post restarting while cut off starts at once.
	Join []string

	// ServerTLS and ClientTLS, when set, run every connection of the raft
	// port over mutual TLS (see certs.go). Both or neither.
	ServerTLS, ClientTLS *tls.Config

	// Network is how the node listens and dials; TCP when nil.
	Network Network

	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	// SnapshotThreshold is the number of entries after which a snapshot
	// is taken; TrailingLogs the entries kept after it, for replicas that
	// fall behind (one that falls further gets the snapshot).
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	TrailingLogs      uint64
	// ApplyTimeout bounds one change, forwarding included.
	ApplyTimeout time.Duration

	Logger *slog.Logger
}

// DefaultConfig is a single voter on loopback that bootstraps itself.
func DefaultConfig(id, dir string) Config {
	return Config{
		ID: id, Dir: dir, Bind: "127.0.0.1:7080", Voter: true, Bootstrap: true,
		HeartbeatTimeout: time.Second, ElectionTimeout: time.Second, LeaderLeaseTimeout: 500 * time.Millisecond,
		SnapshotThreshold: 8192, SnapshotInterval: 2 * time.Minute, TrailingLogs: 10240,
		ApplyTimeout: 10 * time.Second,
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.ID == "" {
		errs = append(errs, errors.New("cluster: node ID is required"))
	}
	if c.Dir == "" {
		errs = append(errs, errors.New("cluster: data directory is required"))
	}
	if _, _, err := net.SplitHostPort(c.Bind); err != nil {
		errs = append(errs, fmt.Errorf("cluster: raft address %q: %v", c.Bind, err))
	}
	if (c.ServerTLS == nil) != (c.ClientTLS == nil) {
		errs = append(errs, errors.New("cluster: server and client TLS come together"))
	}
	if c.Bootstrap && !c.Voter {
		errs = append(errs, errors.New("cluster: only a voter can bootstrap a cluster"))
	}
	if c.HeartbeatTimeout <= 0 || c.ElectionTimeout <= 0 || c.LeaderLeaseTimeout <= 0 || c.ApplyTimeout <= 0 {
		errs = append(errs, errors.New("cluster: timeouts must be positive"))
	}
	return errors.Join(errs...)
}

// Cluster is one node's raft: it replicates changes to the watchlist and
// answers where the leader is, how far this node has applied and when it
// last heard from the leader.
type Cluster struct {
	cfg    Config
	log    *slog.Logger
	engine *watchlist.Engine
	fsm    *fsm
	raft   *raft.Raft
	mux    *mux
	logs   *raftboltdb.BoltStore
	snaps  *raft.FileSnapshotStore
	trans  *raft.NetworkTransport

	// startIndex is the last log index when the node started; the node is
	// ready once it has applied up to it.
	startIndex uint64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Open starts raft on the engine: it listens on the raft port, replays
// the log, bootstraps or joins as configured, and returns at once; use
// WaitForLeader or Ready to wait.
func Open(cfg Config, engine *watchlist.Engine) (c *Cluster, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("node", cfg.ID)
	if cfg.Network == nil {
		cfg.Network = TCP{}
	}
	c = &Cluster{cfg: cfg, log: log, engine: engine}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	cancel := c.cancel // c is nil by the time an error return runs the defer
	var closers []func() error
	defer func() {
		if err != nil {
			cancel()
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}
	}()

	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	hlog := hclog.FromStandardLogger(slog.NewLogLogger(log.Handler(), slog.LevelInfo),
		&hclog.LoggerOptions{Name: "raft", Level: hclog.Info})
	// The log and stable store: bbolt, synced on every append (see
	// DESIGN.md for why not raft-wal).
	c.logs, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.Dir, "raft.db"),
		BoltOptions: &bbolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true}})
	if err != nil {
		return nil, fmt.Errorf("open raft log: %w", err)
	}
	closers = append(closers, c.logs.Close)
	c.snaps, err = raft.NewFileSnapshotStoreWithLogger(cfg.Dir, 2, hlog.Named("snapshots"))
	if err != nil {
		return nil, fmt.Errorf("open snapshot store: %w", err)
	}

	ln, err := cfg.Network.Listen(cfg.Bind)
	if err != nil {
		return nil, fmt.Errorf("listen on raft address %s: %w", cfg.Bind, err)
	}
	closers = append(closers, ln.Close)
	advertise := cfg.Advertise
	if advertise == "" {
		advertise = ln.Addr().String()
	}
	c.mux, err = newMux(ln, advertise, cfg.Network, cfg.ServerTLS, cfg.ClientTLS, log)
	if err != nil {
		return nil, err
	}
	c.mux.handleRPC = c.serveRPC
	c.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: raftLayer{c.mux}, MaxPool: 3, Timeout: 10 * time.Second, Logger: hlog.Named("transport"),
	})
	closers = append(closers, c.trans.Close)

	c.fsm, err = newFSM(engine, log)
	if err != nil {
		return nil, err
	}
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = hlog
	rc.HeartbeatTimeout = cfg.HeartbeatTimeout
	rc.ElectionTimeout = cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = cfg.LeaderLeaseTimeout
	rc.CommitTimeout = min(rc.CommitTimeout, cfg.HeartbeatTimeout/2)
	if cfg.SnapshotThreshold > 0 {
		rc.SnapshotThreshold = cfg.SnapshotThreshold
	}
	if cfg.SnapshotInterval > 0 {
		rc.SnapshotInterval = cfg.SnapshotInterval
	}
	if cfg.TrailingLogs > 0 {
		rc.TrailingLogs = cfg.TrailingLogs
	}
	rc.BatchApplyCh = true
	rc.MaxAppendEntries = 256
	rc.NoLegacyTelemetry = true
	// The store keeps its state and applied index on disk: a restart
	// replays only the log after the snapshot and skips what the store
	// holds. Only when the store is behind the latest snapshot (it lost
	// unsynced writes) is the snapshot restored.
	rc.NoSnapshotRestoreOnStart = true
	if list, err := c.snaps.List(); err == nil && len(list) > 0 && list[0].Index > c.fsm.skipUpTo {
		log.Warn("the store is behind the latest snapshot; restoring it", "store", c.fsm.skipUpTo, "snapshot", list[0].Index)
		rc.NoSnapshotRestoreOnStart = false
	}

	hasState, err := raft.HasExistingState(c.logs, c.logs, indexedSnapshots{c.snaps})
	if err != nil {
		return nil, err
	}
	if !hasState && c.fsm.skipUpTo > 0 {
		// The store was written by a raft log that is gone (deleted, or of
		// an earlier layout): starting would skip new entries up to the
		// old index. Refuse, and say what to do.
		return nil, fmt.Errorf("%w: the store has applied raft index %d but %s holds no raft log; "+
			"move the data directory away and let the node join again, or seed a new cluster with crossguard restore",
			ErrRefused, c.fsm.skipUpTo, cfg.Dir)
	}
	c.startIndex, _ = c.logs.LastIndex()
	c.raft, err = raft.NewRaft(rc, c.fsm, c.logs, c.logs, indexedSnapshots{c.snaps}, c.trans)
	if err != nil {
		return nil, fmt.Errorf("start raft: %w", err)
	}
	go c.mux.serve()
	if cfg.Bootstrap && !hasState {
		boot := raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: c.trans.LocalAddr(), Suffrage: raft.Voter}}}
		if err := c.raft.BootstrapCluster(boot).Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
			c.raft.Shutdown()
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
	}
	if len(cfg.Join) > 0 {
		c.wg.Add(1)
		go c.joinLoop()
	}
	log.Info("raft started", "address", advertise, "voter", cfg.Voter, "state", hasState, "log", c.startIndex)
	return c, nil
}

// Address is the raft address other nodes dial.
func (c *Cluster) Address() string { return string(c.trans.LocalAddr()) }

// ID is this node's ID.
func (c *Cluster) ID() string { return c.cfg.ID }

// Close leaves raft running nowhere: it stops the join loop, shuts raft
// down (its last applied entries are in the store) and closes the log.
// It does not leave the cluster (see Leave).
func (c *Cluster) Close() error {
	var err error
	c.once.Do(func() {
		c.cancel()
		c.wg.Wait()
		err = c.raft.Shutdown().Error()
		err = errors.Join(err, c.trans.Close(), c.mux.close())
		c.mux.wg.Wait()
		err = errors.Join(err, c.logs.Close())
	})
	return err
}

// joinLoop asks the configured members to add this node until one
// accepts, backing off between rounds.
func (c *Cluster) joinLoop() {
	defer c.wg.Done()
	backoff := 200 * time.Millisecond
	for {
		for _, addr := range c.cfg.Join {
			if addr == c.Address() {
				continue
			}
			ctx, cancel := context.WithTimeout(c.ctx, c.cfg.ApplyTimeout)
			resp, err := c.call(ctx, addr, rpcRequest{Op: opJoin, ID: c.cfg.ID, Address: c.Address(), Voter: c.cfg.Voter})
			cancel()
			if err == nil {
				err = resp.err()
			}
			if err == nil {
				c.log.Info("joined the cluster", "via", addr)
				return
			}
			c.log.Warn("join failed; will retry", "via", addr, "err", err)
		}
		select {
		case <-c.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// leader waits until a leader is known, until ctx ends, and returns its
// raft address and ID.
func (c *Cluster) leader(ctx context.Context) (addr, id string, err error) {
	for {
		if a, i := c.raft.LeaderWithID(); a != "" && i != "" {
			return string(a), string(i), nil
		}
		select {
		case <-ctx.Done():
			return "", "", fmt.Errorf("%w: %v", ErrNoLeader, ctx.Err())
		case <-c.ctx.Done():
			return "", "", ErrClosed
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// onLeader runs local on the leader, or sends req to it; when leadership
// moves meanwhile it tries again, until ctx ends.
func (c *Cluster) onLeader(ctx context.Context, req rpcRequest, local func() (uint64, error)) (uint64, error) {
	for {
		if c.raft.State() == raft.Leader {
			idx, err := local()
			if !isLeadershipLost(err) {
				return idx, err
			}
		} else {
			addr, _, err := c.leader(ctx)
			if err != nil {
				return 0, err
			}
			resp, err := c.call(ctx, addr, req)
			if err == nil {
				err = resp.err()
				if !errors.Is(err, ErrNoLeader) {
					return resp.Index, err
				}
			}
			c.log.Debug("leader unreachable; retrying", "leader", addr, "err", err)
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%w: %v", ErrNoLeader, ctx.Err())
		case <-c.ctx.Done():
			return 0, ErrClosed
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// await waits for a raft future until ctx ends or the node closes (raft's
// own timeout only bounds enqueueing, and a future queued when raft shuts
// down may never be answered).
func (c *Cluster) await(ctx context.Context, f raft.Future) error {
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %v", ErrNoLeader, ctx.Err())
	case <-c.ctx.Done():
		return ErrClosed
	}
}

func isLeadershipLost(err error) bool {
	return errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) ||
		errors.Is(err, raft.ErrLeadershipTransferInProgress) || errors.Is(err, ErrNoLeader)
}

// Apply commits a command and returns its log index once it is applied
// on the leader (the caller's own node may apply it a moment later: wait
// with WaitForApplied). Any node accepts it and forwards it to the leader.
// Application errors come back as they are (a *watchlist.ValidationError,
// watchlist.ErrNotFound); ErrNoLeader when no leader answered in time. A
// change whose answer was lost may be retried: every command is
// idempotent.
func (c *Cluster) Apply(ctx context.Context, cmd Command) (uint64, error) {
	data, err := cmd.Encode()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ApplyTimeout)
	defer cancel()
	return c.onLeader(ctx, rpcRequest{Op: opApply, Command: data}, func() (uint64, error) { return c.applyLocal(ctx, data) })
}

func (c *Cluster) applyLocal(ctx context.Context, data []byte) (uint64, error) {
	if c.raft.State() != raft.Leader {
		return 0, fmt.Errorf("%w: not the leader", ErrNoLeader)
	}
	if _, err := decodeCommand(data); err != nil {
		return 0, err // never let a bad entry into the log
	}
	f := c.raft.Apply(data, c.cfg.ApplyTimeout)
	if err := c.await(ctx, f); err != nil {
		if isLeadershipLost(err) {
			return 0, fmt.Errorf("%w: %v", ErrNoLeader, err)
		}
		return 0, err
	}
	if err, ok := f.Response().(error); ok && err != nil {
		return f.Index(), err
	}
	return f.Index(), nil
}

// Join adds a node (idempotent: the same ID and address is a no-op; a
// node known under another address or suffrage is removed and added
// again). Any node forwards it to the leader.
func (c *Cluster) Join(ctx context.Context, id, address string, voter bool) error {
	if id == "" || address == "" {
		return fmt.Errorf("%w: a node ID and raft address are required", watchlist.ErrInvalid)
	}
	if _, _, err := net.SplitHostPort(address); err != nil {
		return fmt.Errorf("%w: raft address %q: %v", watchlist.ErrInvalid, address, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ApplyTimeout)
	defer cancel()
	_, err := c.onLeader(ctx, rpcRequest{Op: opJoin, ID: id, Address: address, Voter: voter},
		func() (uint64, error) { return 0, c.joinLocal(id, address, voter) })
	return err
}

func (c *Cluster) joinLocal(id, address string, voter bool) error {
	if c.raft.State() != raft.Leader {
		return fmt.Errorf("%w: not the leader", ErrNoLeader)
	}
	cf := c.raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		return err
	}
	want := raft.Nonvoter
	if voter {
		want = raft.Voter
	}
	for _, s := range cf.Configuration().Servers {
		sameID, sameAddr := s.ID == raft.ServerID(id), s.Address == raft.ServerAddress(address)
		if sameID && sameAddr && s.Suffrage == want {
			return nil // already a member, as asked
		}
		if sameID || sameAddr {
			if s.ID == raft.ServerID(c.cfg.ID) {
				return fmt.Errorf("%w: %s conflicts with the leader itself", ErrRefused, id)
			}
			if err := c.raft.RemoveServer(s.ID, 0, c.cfg.ApplyTimeout).Error(); err != nil {
				return fmt.Errorf("remove %s before re-adding it: %w", s.ID, err)
			}
		}
	}
	var f raft.IndexFuture
	if voter {
		f = c.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(address), 0, c.cfg.ApplyTimeout)
	} else {
		f = c.raft.AddNonvoter(raft.ServerID(id), raft.ServerAddress(address), 0, c.cfg.ApplyTimeout)
	}
	if err := f.Error(); err != nil {
		return err
	}
	c.log.Info("node joined", "id", id, "address", address, "voter", voter)
	return nil
}

// Remove removes a node from the cluster (an operator removing a dead
// node, or a node leaving). Removing an unknown node is a no-op.
func (c *Cluster) Remove(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ApplyTimeout)
	defer cancel()
	_, err := c.onLeader(ctx, rpcRequest{Op: opRemove, ID: id}, func() (uint64, error) { return 0, c.removeLocal(id) })
	return err
}

func (c *Cluster) removeLocal(id string) error {
	if c.raft.State() != raft.Leader {
		return fmt.Errorf("%w: not the leader", ErrNoLeader)
	}
	cf := c.raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		return err
	}
	servers := cf.Configuration().Servers
	found, voters := false, 0
	for _, s := range servers {
		if s.Suffrage == raft.Voter {
			voters++
		}
		found = found || s.ID == raft.ServerID(id)
	}
	if !found {
		return nil
	}
	if id == c.cfg.ID && voters == 1 {
		return fmt.Errorf("%w: %s is the last voter", ErrRefused, id)
	}
	if id == c.cfg.ID {
		// Hand leadership over first, then ask the new leader.
		if err := c.raft.LeadershipTransfer().Error(); err != nil {
			return fmt.Errorf("hand over leadership before leaving: %w", err)
		}
		return fmt.Errorf("%w: leadership handed over", ErrNoLeader)
	}
	if err := c.raft.RemoveServer(raft.ServerID(id), 0, c.cfg.ApplyTimeout).Error(); err != nil {
		return err
	}
	c.log.Info("node removed", "id", id)
	return nil
}

// Leave removes this node from the cluster gracefully; a leader hands its
// leadership over first.
func (c *Cluster) Leave(ctx context.Context) error { return c.Remove(ctx, c.cfg.ID) }

// Consistency is how fresh a read must be.
type Consistency string

// Consistency levels of a read.
const (
	// Local reads this node's copy as it is: the default, never blocked.
	Local Consistency = "local"
	// Leader first waits until this node has applied what the leader has
	// committed (the leader does not confirm it still leads).
	Leader Consistency = "leader"
	// Linearizable also has the leader confirm its leadership with a
	// quorum (raft's leader check) before it answers its commit index.
	Linearizable Consistency = "linearizable"
)

// ParseConsistency reads a consistency level; empty means Local.
func ParseConsistency(s string) (Consistency, error) {
	switch Consistency(s) {
	case "", Local:
		return Local, nil
	case Leader, Linearizable:
		return Consistency(s), nil
	}
	return "", fmt.Errorf("%w: consistency must be local, leader or linearizable", watchlist.ErrInvalid)
}

// Barrier returns when a read of the local store has the given
// consistency: at once for Local; for Leader and Linearizable once this
// node has applied the leader's commit index (the read-index protocol).
func (c *Cluster) Barrier(ctx context.Context, level Consistency) error {
	if level == Local || level == "" {
		return nil
	}
	verify := level == Linearizable
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ApplyTimeout)
	defer cancel()
	idx, err := c.onLeader(ctx, rpcRequest{Op: opReadIndex, Verify: verify},
		func() (uint64, error) { return c.readIndexLocal(ctx, verify) })
	if err != nil {
		return err
	}
	return c.WaitForApplied(ctx, idx)
}

func (c *Cluster) readIndexLocal(ctx context.Context, verify bool) (uint64, error) {
	if c.raft.State() != raft.Leader {
		return 0, fmt.Errorf("%w: not the leader", ErrNoLeader)
	}
	idx := c.raft.CommitIndex()
	if verify {
		if err := c.raft.VerifyLeader().Error(); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrNoLeader, err)
		}
	}
	return idx, nil
}

// WaitForApplied returns once this node has applied index i. Entries
// the state machine never sees (a new leader's no-op) count as applied
// once raft has passed them.
func (c *Cluster) WaitForApplied(ctx context.Context, i uint64) error {
	for {
		applied, moved := c.fsm.waitChan()
		if applied >= i || (c.raft.AppliedIndex() >= i && c.nothingToApply(applied, i)) {
			return nil
		}
		select {
		case <-moved:
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("waiting for index %d (applied %d): %w", i, applied, ctx.Err())
		case <-c.ctx.Done():
			return ErrClosed
		}
	}
}

// nothingToApply reports whether the log entries after from, up to to,
// are all of kinds the state machine never sees.
func (c *Cluster) nothingToApply(from, to uint64) bool {
	if to-from > 64 {
		return false
	}
	var l raft.Log
	for i := from + 1; i <= to; i++ {
		if err := c.logs.GetLog(i, &l); err != nil {
			return false
		}
		if l.Type == raft.LogCommand || l.Type == raft.LogConfiguration {
			return false
		}
	}
	return true
}

// WaitForLeader returns the leader's ID once one is known.
func (c *Cluster) WaitForLeader(ctx context.Context) (string, error) {
	_, id, err := c.leader(ctx)
	return id, err
}

// AppliedIndex is the index of the last entry applied to this node's
// store, counting entries the store never sees (a new leader's no-op)
// once raft has passed them.
func (c *Cluster) AppliedIndex() uint64 { return max(c.fsm.applied.Load(), c.raft.AppliedIndex()) }

// IsLeader reports whether this node leads.
func (c *Cluster) IsLeader() bool { return c.raft.State() == raft.Leader }

// LeaderContactAge is how long ago this node last heard from the leader:
// 0 on the leader itself; -1 if it never has since it started.
func (c *Cluster) LeaderContactAge() time.Duration {
	if c.raft.State() == raft.Leader {
		return 0
	}
	last := c.raft.LastContact()
	if last.IsZero() {
		return -1
	}
	return time.Since(last)
}

// Ready reports whether the node can answer from its store: it has
// replayed its own log and applied every entry it could decode.
func (c *Cluster) Ready() error {
	if p := c.fsm.broken.Load(); p != nil {
		return *p
	}
	if applied := c.fsm.applied.Load(); applied < c.startIndex && c.raft.State() != raft.Shutdown {
		// Entries of the local log may be configuration entries, which the
		// state machine never sees: raft's own applied index says when
		// replay is done.
		if c.raft.AppliedIndex() < c.startIndex {
			return fmt.Errorf("replaying the log: %d of %d", applied, c.startIndex)
		}
	}
	return nil
}

// Snapshot takes a raft snapshot now (and compacts the log).
func (c *Cluster) Snapshot() error { return c.raft.Snapshot().Error() }

// Member is a server of the cluster's configuration.
type Member struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Voter   bool   `json:"voter"`
}

// Status is one node's view of the cluster.
type Status struct {
	ID                 string   `json:"id"`
	Address            string   `json:"address"`
	State              string   `json:"state"`
	Voter              bool     `json:"voter"`
	LeaderID           string   `json:"leader_id,omitempty"`
	LeaderAddr         string   `json:"leader_address,omitempty"`
	Term               uint64   `json:"term"`
	AppliedIndex       uint64   `json:"applied_index"`
	CommitIndex        uint64   `json:"commit_index"`
	LastIndex          uint64   `json:"last_index"`
	LeaderContactAgeMS int64    `json:"leader_contact_age_ms"`
	Members            []Member `json:"members"`
}

// Status is this node's view, from memory.
func (c *Cluster) Status() Status {
	addr, id := c.raft.LeaderWithID()
	s := Status{
		ID: c.cfg.ID, Address: c.Address(), State: c.raft.State().String(), Voter: c.cfg.Voter,
		LeaderID: string(id), LeaderAddr: string(addr), Term: c.raft.CurrentTerm(),
		AppliedIndex: c.AppliedIndex(), CommitIndex: c.raft.CommitIndex(), LastIndex: c.raft.LastIndex(),
		LeaderContactAgeMS: c.LeaderContactAge().Milliseconds(), Members: []Member{},
	}
	if cf := c.raft.GetConfiguration(); cf.Error() == nil {
		for _, m := range cf.Configuration().Servers {
			s.Members = append(s.Members, Member{ID: string(m.ID), Address: string(m.Address), Voter: m.Suffrage == raft.Voter})
			if m.ID == raft.ServerID(c.cfg.ID) {
				s.Voter = m.Suffrage == raft.Voter
			}
		}
	}
	sort.Slice(s.Members, func(i, j int) bool { return s.Members[i].ID < s.Members[j].ID })
	return s
}

// MemberStatus is a member as seen by the node asked: its own status when
// it answered, or why it did not.
type MemberStatus struct {
	Member
	Status *Status `json:"status,omitempty"`
	Error  string  `json:"error,omitempty"`
	// Lag is how many entries the member has still to apply of what this
	// node has committed.
	Lag int64 `json:"lag"`
}

// Members asks every member of the configuration for its status, in
// parallel, within ctx.
func (c *Cluster) Members(ctx context.Context) []MemberStatus {
	self := c.Status()
	out := make([]MemberStatus, len(self.Members))
	var wg sync.WaitGroup
	for i, m := range self.Members {
		out[i].Member = m
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m.ID == c.cfg.ID {
				out[i].Status = &self
			} else {
				resp, err := c.call(ctx, m.Address, rpcRequest{Op: opStatus})
				if err == nil {
					err = resp.err()
				}
				if err != nil {
					out[i].Error = err.Error()
					return
				}
				out[i].Status = resp.Status
			}
			out[i].Lag = int64(self.CommitIndex) - int64(out[i].Status.AppliedIndex)
		}()
	}
	wg.Wait()
	return out
}
