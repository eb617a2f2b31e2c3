package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// fabric is a real TCP network on loopback that can cut a node off: it
// closes the node's connections and refuses new ones, both ways, at the
// transport (raft never knows why).
type fabric struct {
	mu       sync.Mutex
	owner    map[string]string // listening address -> node
	dialer   map[string]string // local address of a dialled connection -> node
	isolated map[string]bool
	conns    map[string]map[net.Conn]bool // node -> its open connections
}

func newFabric() *fabric {
	return &fabric{owner: map[string]string{}, dialer: map[string]string{}, isolated: map[string]bool{},
		conns: map[string]map[net.Conn]bool{}}
}

func (f *fabric) track(c net.Conn, nodes ...string) {
	for _, n := range nodes {
		if f.conns[n] == nil {
			f.conns[n] = map[net.Conn]bool{}
		}
		f.conns[n][c] = true
	}
}

// isolate cuts the node off from every other.
func (f *fabric) isolate(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.isolated[id] = true
	for c := range f.conns[id] {
		c.Close()
	}
	f.conns[id] = nil
}

func (f *fabric) heal(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.isolated, id)
}

type fabricNet struct {
	f  *fabric
	id string
}

func (n fabricNet) Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	n.f.mu.Lock()
	n.f.owner[ln.Addr().String()] = n.id
	n.f.mu.Unlock()
	return fabricListener{Listener: ln, n: n}, nil
}

func (n fabricNet) Dial(ctx context.Context, addr string) (net.Conn, error) {
	n.f.mu.Lock()
	to := n.f.owner[addr]
	cut := n.f.isolated[n.id] || n.f.isolated[to]
	n.f.mu.Unlock()
	if cut {
		return nil, fmt.Errorf("dial %s: network unreachable (partitioned)", addr)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.isolated[n.id] || n.f.isolated[to] {
		c.Close()
		return nil, fmt.Errorf("dial %s: network unreachable (partitioned)", addr)
	}
	n.f.dialer[c.LocalAddr().String()] = n.id
	n.f.track(c, n.id, to)
	return c, nil
}

type fabricListener struct {
	net.Listener
	n fabricNet
}

func (l fabricListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		f := l.n.f
		f.mu.Lock()
		from := f.dialer[c.RemoteAddr().String()]
		cut := f.isolated[l.n.id] || f.isolated[from]
		if !cut {
			f.track(c, l.n.id, from)
		}
		f.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		return c, nil
	}
}

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
	t      *testing.T
	fabric *fabric
	nodes  []*testNode
	tls    func(id string) (server, client *tls.Config)
	tune   func(*Config)
}

var historyKey = []byte("0123456789abcdef0123456789abcdef")

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("CROSSGUARD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newTestCluster starts voters (the first bootstraps) and non-voting
// replicas, and waits until every one has joined and applied the
// configuration.
func newTestCluster(t *testing.T, voters, replicas int, opts ...func(*testCluster)) *testCluster {
	tc := &testCluster{t: t, fabric: newFabric()}
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
	cfg.Network = fabricNet{f: tc.fabric, id: n.id}
	cfg.HeartbeatTimeout = 300 * time.Millisecond
	cfg.ElectionTimeout = 300 * time.Millisecond
	cfg.LeaderLeaseTimeout = 150 * time.Millisecond
	cfg.ApplyTimeout = 10 * time.Second
	cfg.Logger = testLogger(tc.t).With("node", n.id)
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
	for {
		l := tc.waitLeader()
		if len(l.cluster.Status().Members) == n {
			break
		}
		select {
		case <-ctx.Done():
			tc.t.Fatalf("cluster has %d members, want %d", len(l.cluster.Status().Members), n)
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
		if tc.fabric.isIsolated(n.id) {
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
func snapshotBytes(t *testing.T, e *watchlist.Engine) []byte {
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

func (f *fabric) isIsolated(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.isolated[id]
}
