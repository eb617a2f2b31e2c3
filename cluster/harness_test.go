package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crossguard/crossguard/cluster/clustertest"
	"github.com/crossguard/crossguard/watchlist"
)

// testNode is one node of an in-process cluster: a real badger store and
// real raft over real TCP.
type testNode struct {
	id      string
	dir     string
	voter   bool
	bind    string
	engine  *watchlist.Engine
	cluster *Cluster
	// appliedAtStop is the index the node had applied when it stopped.
	appliedAtStop uint64
}

type testCluster struct {
	t      testing.TB
	fabric *clustertest.Fabric
	nodes  []*testNode
	tls    func(id string) (server, client *tls.Config)
	tune   func(*Config)
	logs   *logTail
}

var historyKey = []byte("0123456789abcdef0123456789abcdef")

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("CROSSGUARD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// logTail keeps the last lines the cluster's nodes logged, so that a test
// that fails (in CI, say) shows what raft and the nodes were doing; a test
// that passes shows nothing. Nodes log from their own goroutines, which
// may outlive the test: they write here, never to t.
type logTail struct {
	mu    sync.Mutex
	lines []string
	next  int
}

const logTailLines = 300

func (l *logTail) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := string(bytes.TrimRight(b, "\n"))
	if len(l.lines) < logTailLines {
		l.lines = append(l.lines, line)
	} else {
		l.lines[l.next] = line
		l.next = (l.next + 1) % logTailLines
	}
	return len(b), nil
}

func (l *logTail) dump(t testing.TB) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Logf("the last %d lines the nodes logged:", len(l.lines))
	for i := range l.lines {
		t.Log(l.lines[(l.next+i)%len(l.lines)])
	}
}

// logger is a node's logger: the tail kept for a failure, or stderr with
// CROSSGUARD_TEST_LOG set.
func (tc *testCluster) logger() *slog.Logger {
	if os.Getenv("CROSSGUARD_TEST_LOG") != "" {
		return testLogger(tc.t)
	}
	return slog.New(slog.NewTextHandler(tc.logs, &slog.HandlerOptions{Level: slog.LevelInfo})) // the cluster adds its node ID
}

// newTestCluster starts voters (the first bootstraps) and non-voting
// replicas, and waits until every one has joined and applied the
// configuration.
func newTestCluster(t testing.TB, voters, replicas int, opts ...func(*testCluster)) *testCluster {
	tc := &testCluster{t: t, fabric: clustertest.NewFabric(), logs: &logTail{}}
	t.Cleanup(func() {
		if t.Failed() {
			tc.logs.dump(t)
		}
	})
	for _, o := range opts {
		o(tc)
	}
	for i := 0; i < voters+replicas; i++ {
		voter := i < voters
		id := fmt.Sprintf("centre-%d", i+1)
		if !voter {
			id = fmt.Sprintf("post-%d", i-voters+1)
		}
		n := &testNode{id: id, dir: t.TempDir(), voter: voter, bind: "127.0.0.1:0"}
		tc.nodes = append(tc.nodes, n)
		var join []string
		if i > 0 {
			join = []string{tc.nodes[0].cluster.Address()}
		}
		tc.start(n, i == 0, join)
		if i == 0 {
			tc.waitLeader()
		}
	}
	tc.waitMembers(voters + replicas)
	t.Cleanup(tc.closeAll)
	return tc
}

func (tc *testCluster) config(n *testNode, bootstrap bool, join []string) Config {
	cfg := DefaultConfig(n.id, filepath.Join(n.dir, "raft"))
	cfg.Bind, cfg.Voter, cfg.Bootstrap, cfg.Join = n.bind, n.voter, bootstrap, join
	cfg.Network = tc.fabric.Node(n.id)
	cfg.HeartbeatTimeout = 300 * time.Millisecond
	cfg.ElectionTimeout = 300 * time.Millisecond
	cfg.LeaderLeaseTimeout = 150 * time.Millisecond
	cfg.ApplyTimeout = 10 * time.Second
	cfg.Logger = tc.logger()
	if tc.tls != nil {
		cfg.ServerTLS, cfg.ClientTLS = tc.tls(n.id)
	}
	if tc.tune != nil {
		tc.tune(&cfg)
	}
	return cfg
}

func (tc *testCluster) start(n *testNode, bootstrap bool, join []string) {
	tc.t.Helper()
	wcfg := watchlist.DefaultConfig(filepath.Join(n.dir, "watchlist"))
	wcfg.HistoryKey = historyKey
	e, err := watchlist.Open(wcfg)
	if err != nil {
		tc.t.Fatal(err)
	}
	c, err := Open(tc.config(n, bootstrap, join), e)
	if err != nil {
		e.Close()
		tc.t.Fatal(err)
	}
	n.engine, n.cluster = e, c
	n.bind = c.Address() // a restart binds the same port
}

// stop shuts a node down (its data stays, for a restart).
func (tc *testCluster) stop(n *testNode) {
	tc.t.Helper()
	if n.cluster == nil {
		return
	}
	n.appliedAtStop = n.cluster.AppliedIndex()
	if err := n.cluster.Close(); err != nil {
		tc.t.Logf("close %s: %v", n.id, err)
	}
	if err := n.engine.Close(); err != nil {
		tc.t.Logf("close %s store: %v", n.id, err)
	}
	n.cluster, n.engine = nil, nil
}

func (tc *testCluster) closeAll() {
	for _, n := range tc.nodes {
		tc.stop(n)
	}
}

func (tc *testCluster) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tc.t.Cleanup(cancel)
	return ctx
}

func (tc *testCluster) running() []*testNode {
	var out []*testNode
	for _, n := range tc.nodes {
		if n.cluster != nil {
			out = append(out, n)
		}
	}
	return out
}

// leader waits for a leader among the running nodes and returns it.
func (tc *testCluster) waitLeader() *testNode {
	tc.t.Helper()
	ctx := tc.ctx()
	for {
		for _, n := range tc.running() {
			if n.cluster.IsLeader() {
				return n
			}
		}
		select {
		case <-ctx.Done():
			tc.t.Fatal("no leader")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitMembers waits until the leader's configuration has n members and
// every running node has applied the leader's last index.
func (tc *testCluster) waitMembers(n int) {
	tc.t.Helper()
	ctx := tc.ctx()
	// Every running, connected node's configuration, not only the
	// leader's: the leader lists a member as soon as it appends the
	// configuration entry, and its commit index (which waitConverged
	// waits for) may not yet hold that entry.
	for {
		var short *testNode
		for _, node := range tc.running() {
			if !tc.fabric.Isolated(node.id) && len(node.cluster.Status().Members) != n {
				short = node
				break
			}
		}
		if short == nil {
			break
		}
		select {
		case <-ctx.Done():
			tc.t.Fatalf("%s has %d members, want %d", short.id, len(short.cluster.Status().Members), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
	tc.waitConverged()
}

// waitConverged waits until every running, connected node has applied
// the leader's commit index.
func (tc *testCluster) waitConverged() {
	tc.t.Helper()
	ctx := tc.ctx()
	l := tc.waitLeader()
	idx := l.cluster.raft.CommitIndex()
	for _, n := range tc.running() {
		if tc.fabric.Isolated(n.id) {
			continue
		}
		if err := n.cluster.WaitForApplied(ctx, idx); err != nil {
			tc.t.Fatalf("%s: %v", n.id, err)
		}
		// Configuration entries are not applied to the store: wait for raft.
		for n.cluster.raft.AppliedIndex() < idx {
			select {
			case <-ctx.Done():
				tc.t.Fatalf("%s: raft applied %d, want %d", n.id, n.cluster.raft.AppliedIndex(), idx)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// snapshotBytes is a node's whole store.
func snapshotBytes(t testing.TB, e *watchlist.Engine) []byte {
	t.Helper()
	s, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// assertSameState checks that every running node holds exactly the same
// store (alerts, index, history, hits and applied index).
func (tc *testCluster) assertSameState() {
	tc.t.Helper()
	tc.waitConverged()
	nodes := tc.running()
	want := snapshotBytes(tc.t, nodes[0].engine)
	for _, n := range nodes[1:] {
		if got := snapshotBytes(tc.t, n.engine); !bytes.Equal(got, want) {
			tc.t.Fatalf("%s holds a different state than %s (%d bytes vs %d)", n.id, nodes[0].id, len(got), len(want))
		}
	}
}

func (tc *testCluster) node(id string) *testNode {
	for _, n := range tc.nodes {
		if n.id == id {
			return n
		}
	}
	tc.t.Fatalf("no node %s", id)
	return nil
}
