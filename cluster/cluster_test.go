package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// now is today (crossing records expire by the wall clock).
var now = time.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)

func upsert(t *testing.T, n *testNode, alerts ...watchlist.Alert) uint64 {
	t.Helper()
	idx, err := n.cluster.Apply(context.Background(), Command{Type: CommandUpsertAlerts, Body: UpsertAlerts{Alerts: alerts}})
	if err != nil {
		t.Fatalf("upsert via %s: %v", n.id, err)
	}
	return idx
}

func TestReplicationAndForwarding(t *testing.T) {
	tc := newTestCluster(t, 3, 2)
	g := testbench.NewGenerator(1, now)
	leader := tc.waitLeader()

	// A change sent to a border-post replica is forwarded to the leader and
	// acknowledged once committed.
	post := tc.node("post-1")
	alerts := g.Alerts(0, 200)
	idx := upsert(t, post, alerts...)
	if idx == 0 {
		t.Fatal("no index")
	}
	// And to a follower voter.
	var follower *testNode
	for _, n := range tc.nodes[:3] {
		if n != leader {
			follower = n
		}
	}
	closeIdx, err := follower.cluster.Apply(context.Background(), Command{Type: CommandCloseAlert, Body: CloseAlert{ID: alerts[0].ID, At: now}})
	if err != nil {
		t.Fatal(err)
	}
	// Every node applies it; each reads it from its own store.
	for _, n := range tc.nodes {
		if err := n.cluster.WaitForApplied(tc.ctx(), closeIdx); err != nil {
			t.Fatal(err)
		}
		a, err := n.engine.Get(alerts[0].ID)
		if err != nil || a.Status != watchlist.StatusClosed {
			t.Fatalf("%s: alert %+v, %v", n.id, a.Status, err)
		}
		if _, err := n.engine.Get(alerts[199].ID); err != nil {
			t.Fatalf("%s: %v", n.id, err)
		}
	}
	tc.assertSameState()
}

func TestApplicationErrorsComeBackThroughForwarding(t *testing.T) {
	tc := newTestCluster(t, 3, 1)
	post := tc.node("post-1")
	bad := testbench.NewGenerator(1, now).Alert(0)
	bad.Category = "lost_cat"
	_, err := post.cluster.Apply(context.Background(), Command{Type: CommandUpsertAlerts, Body: UpsertAlerts{Alerts: []watchlist.Alert{bad}}})
	var ve *watchlist.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "alerts[0].category" {
		t.Fatalf("err = %v, want a validation error naming alerts[0].category", err)
	}
	_, err = post.cluster.Apply(context.Background(), Command{Type: CommandCloseAlert, Body: CloseAlert{ID: "01JD0000000000000000000000", At: now}})
	if !errors.Is(err, watchlist.ErrNotFound) {
		t.Fatalf("close of an unknown alert: %v", err)
	}
	tc.assertSameState()
}

func TestLeaderKilledWhileWritesRun(t *testing.T) {
	tc := newTestCluster(t, 3, 1)
	g := testbench.NewGenerator(2, now)
	var (
		mu    sync.Mutex
		acked []string
		next  atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	post := tc.node("post-1")
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1))
				a := g.Alert(i)
				// Writes go through the post, which survives: it forwards to
				// whoever leads.
				_, err := post.cluster.Apply(context.Background(), Command{Type: CommandUpsertAlerts, Body: UpsertAlerts{Alerts: []watchlist.Alert{a}}})
				if err == nil {
					mu.Lock()
					acked = append(acked, a.ID)
					mu.Unlock()
				}
			}
		}()
	}
	waitAcked := func(n int) {
		ctx := tc.ctx()
		for {
			mu.Lock()
			got := len(acked)
			mu.Unlock()
			if got >= n {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("only %d writes acknowledged, want %d", got, n)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	waitAcked(20)
	old := tc.waitLeader()
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	tc.fabric.Isolate(old.id) // the leader's links die first, then the process
	tc.stop(old)
	waitAcked(before + 20) // writes resume under a new leader
	close(stop)
	wg.Wait()

	nl := tc.waitLeader()
	if nl == old {
		t.Fatal("the killed leader still leads")
	}
	tc.assertSameState()
	for _, n := range tc.running() {
		for _, id := range acked {
			if _, err := n.engine.Get(id); err != nil {
				t.Fatalf("%s lost acknowledged alert %s: %v", n.id, id, err)
			}
		}
	}
	// The old leader comes back and catches up.
	tc.fabric.Heal(old.id)
	tc.start(old, false, nil)
	tc.assertSameState()
}

func TestPartitionedReplicaKeepsAnsweringAndCatchesUp(t *testing.T) {
	tc := newTestCluster(t, 3, 2)
	g := testbench.NewGenerator(3, now)
	leader := tc.waitLeader()
	upsert(t, leader, g.Alerts(0, 50)...)
	tc.waitConverged()

	post := tc.node("post-2")
	tc.fabric.Isolate(post.id)
	upsert(t, leader, g.Alerts(50, 100)...)

	// The post still answers from its own copy, and knows how long it has
	// not heard from the leader.
	a := g.Alert(10)
	if _, err := post.engine.Get(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := post.engine.Get(g.Alert(60).ID); !errors.Is(err, watchlist.ErrNotFound) {
		t.Fatalf("a cut-off post has an alert written after the cut: %v", err)
	}
	ctx := tc.ctx()
	for post.cluster.LeaderContactAge() < 2*time.Second {
		select {
		case <-ctx.Done():
			t.Fatalf("leader contact age %v", post.cluster.LeaderContactAge())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// A change sent to the cut-off post fails with ErrNoLeader (bounded
	// by the caller's deadline), it is not lost silently.
	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := post.cluster.Apply(short, Command{Type: CommandUpsertAlerts, Body: UpsertAlerts{Alerts: g.Alerts(100, 101)}}); !errors.Is(err, ErrNoLeader) {
		t.Fatalf("apply on a cut-off post: %v", err)
	}

	tc.fabric.Heal(post.id)
	tc.assertSameState()
	if _, err := post.engine.Get(g.Alert(60).ID); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	if age := post.cluster.LeaderContactAge(); age > 5*time.Second {
		t.Fatalf("leader contact age after healing %v", age)
	}
}

func TestReplicaRestoredFromSnapshotAfterCompaction(t *testing.T) {
	tc := newTestCluster(t, 3, 1, func(tc *testCluster) {
		tc.tune = func(c *Config) { c.SnapshotThreshold, c.TrailingLogs = 16, 8 }
	})
	g := testbench.NewGenerator(4, now)
	post := tc.node("post-1")
	tc.stop(post)
	leader := tc.waitLeader()
	for i := 0; i < 60; i++ {
		upsert(t, leader, g.Alert(i))
	}
	for _, n := range tc.running() {
		if err := n.cluster.Snapshot(); err != nil {
			t.Fatalf("%s snapshot: %v", n.id, err)
		}
	}
	first, _ := leader.cluster.logs.FirstIndex()
	if first <= post.appliedAtStop {
		t.Fatalf("the leader's log was not compacted past the post (first index %d)", first)
	}
	tc.start(post, false, nil)
	tc.assertSameState()
	if _, err := post.engine.Get(g.Alert(59).ID); err != nil {
		t.Fatal(err)
	}
	// The post's store was replaced by the snapshot and its filters rebuilt:
	// it hits by name.
	m := g.Presented(59, testbench.VariantExact)
	p, err := post.engine.NewProbe(m.Traveller)
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := post.engine.Check(p, now); err != nil || len(hits) == 0 {
		t.Fatalf("no hit after the snapshot restore: %v %v", hits, err)
	}
}

func TestRestartReplaysOnlyWhatTheStoreLacks(t *testing.T) {
	tc := newTestCluster(t, 1, 0)
	g := testbench.NewGenerator(5, now)
	n := tc.nodes[0]
	idx := upsert(t, n, g.Alerts(0, 10)...)
	tc.stop(n)
	tc.start(n, true, nil)
	if err := n.cluster.WaitForApplied(tc.ctx(), idx); err != nil {
		t.Fatal(err)
	}
	if n.cluster.fsm.skipUpTo < idx {
		t.Fatalf("the store held index %d at start, want ≥ %d", n.cluster.fsm.skipUpTo, idx)
	}
	tc.waitLeader()
	upsert(t, n, g.Alert(11))
	if err := n.cluster.Ready(); err != nil {
		t.Fatal(err)
	}
}

func TestJoinIsIdempotentAndRemoveWorks(t *testing.T) {
	tc := newTestCluster(t, 3, 1)
	leader := tc.waitLeader()
	post := tc.node("post-1")
	ctx := tc.ctx()
	// The same join again, through a follower, changes nothing.
	for _, n := range tc.nodes {
		if err := n.cluster.Join(ctx, post.id, post.cluster.Address(), false); err != nil {
			t.Fatalf("join via %s: %v", n.id, err)
		}
	}
	if got := len(leader.cluster.Status().Members); got != 4 {
		t.Fatalf("%d members", got)
	}
	// A join with an invalid address is refused with a clear error.
	if err := post.cluster.Join(ctx, "post-9", "nowhere", false); !errors.Is(err, watchlist.ErrInvalid) {
		t.Fatalf("bad join: %v", err)
	}
	// The post leaves gracefully; an operator removes a dead voter.
	if err := post.cluster.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	dead := tc.nodes[2]
	if dead == leader {
		dead = tc.nodes[1]
	}
	tc.stop(dead)
	if err := leader.cluster.Remove(ctx, dead.id); err != nil {
		t.Fatal(err)
	}
	members := leader.cluster.Status().Members
	if len(members) != 2 {
		t.Fatalf("members after leave and remove: %+v", members)
	}
	// Removing it again is a no-op.
	if err := leader.cluster.Remove(ctx, dead.id); err != nil {
		t.Fatal(err)
	}
	// The leader leaves too: it hands over leadership first.
	if err := leader.cluster.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range tc.running() {
		if n != leader && n != post {
			st := n.cluster.Status()
			if len(st.Members) != 1 || st.Members[0].ID != n.id {
				t.Fatalf("%s members %+v", n.id, st.Members)
			}
		}
	}
}

func TestReadConsistencyLevels(t *testing.T) {
	tc := newTestCluster(t, 3, 1)
	g := testbench.NewGenerator(6, now)
	post := tc.node("post-1")
	leader := tc.waitLeader()
	for i := 0; i < 20; i++ {
		a := g.Alert(i)
		upsert(t, leader, a)
		// After the barrier, the post's own copy has the alert.
		if err := post.cluster.Barrier(context.Background(), Linearizable); err != nil {
			t.Fatal(err)
		}
		if _, err := post.engine.Get(a.ID); err != nil {
			t.Fatalf("linearizable read missed %s: %v", a.ID, err)
		}
	}
	for _, s := range []string{"", "local", "leader", "linearizable"} {
		if _, err := ParseConsistency(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ParseConsistency("eventual"); !errors.Is(err, watchlist.ErrInvalid) {
		t.Fatal(err)
	}
	// A cut-off post cannot give a linearizable read: it says so.
	tc.fabric.Isolate(post.id)
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := post.cluster.Barrier(short, Linearizable); !errors.Is(err, ErrNoLeader) {
		t.Fatalf("barrier on a cut-off post: %v", err)
	}
	if err := post.cluster.Barrier(short, Local); err != nil {
		t.Fatal(err)
	}
	tc.fabric.Heal(post.id)
}

func TestMembersReportsEveryNode(t *testing.T) {
	tc := newTestCluster(t, 3, 2)
	ms := tc.nodes[3].cluster.Members(tc.ctx())
	if len(ms) != 5 {
		t.Fatalf("%d members", len(ms))
	}
	for _, m := range ms {
		if m.Status == nil || m.Error != "" {
			t.Fatalf("%s: %+v", m.ID, m)
		}
		if m.Voter != (m.ID[:6] == "centre") {
			t.Fatalf("%s voter=%v", m.ID, m.Voter)
		}
	}
	tc.fabric.Isolate("post-2")
	for _, m := range tc.nodes[0].cluster.Members(tc.ctx()) {
		if m.ID == "post-2" && m.Error == "" {
			t.Fatal("a cut-off post answered")
		}
	}
	tc.fabric.Heal("post-2")
}

func TestCommandEncoding(t *testing.T) {
	b, err := Command{Type: CommandCloseAlert, Body: CloseAlert{ID: "X", At: now}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	c, err := decodeCommand(b)
	if err != nil || c.Body.(*CloseAlert).ID != "X" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := (Command{}).Encode(); !errors.Is(err, ErrUnknownCommand) {
		t.Fatal(err)
	}
	for name, entry := range map[string][]byte{
		"short":       {1},
		"type 0":      {0, 1, 0, '{', '}'},
		"future type": {200, 1, 0, '{', '}'},
		"future ver":  {1, 9, 0, '{', '}'},
		"flags":       {1, 1, 1, '{', '}'},
		"bad json":    {1, 1, 0, '{'},
	} {
		if _, err := decodeCommand(entry); !errors.Is(err, ErrUnknownCommand) && !errors.Is(err, ErrCorruptEntry) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzDecodeCommand(f *testing.F) {
	for _, c := range []Command{
		{Type: CommandUpsertAlerts, Body: UpsertAlerts{Alerts: testbench.NewGenerator(1, now).Alerts(0, 2)}},
		{Type: CommandCloseAlert, Body: CloseAlert{ID: "X", At: now}},
		{Type: CommandAckHit, Body: AckHit{HitID: "h"}},
		{Type: CommandPutToken, Body: PutToken{Token: watchlist.Token{ID: "t1", Role: watchlist.RoleOfficer, Post: "p", CreatedAt: now}}},
		{Type: CommandRevokeToken, Body: RevokeToken{ID: "t1", At: now}},
		{Type: CommandAppendAudit, Body: AppendAudit{Entries: []watchlist.AuditEntry{{ID: "a1", At: now, Action: "GET /v1/alerts/:id", Expires: now}}}},
		{Type: CommandPurgeAudit, Body: PurgeAudit{Through: 3}},
	} {
		b, err := c.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCommand(b)
		if err == nil && c.Type == CommandUnknown {
			t.Fatal("decoded a command of type 0")
		}
		if err == nil {
			if _, err := c.Encode(); err != nil {
				t.Fatal(fmt.Errorf("re-encode: %w", err))
			}
		}
	})
}

// TestJoinThroughAFollower: a node configured to join through a member
// that no longer leads (leadership moved after the cluster was set up,
// as it did on the CI machine when the first voter lost its quorum
// contact) is forwarded to the leader and joins.
func TestJoinThroughAFollower(t *testing.T) {
	tc := newTestCluster(t, 2, 0)
	first := tc.nodes[0]
	if l := tc.waitLeader(); l != first {
		t.Fatalf("%s leads, want the bootstrapping %s", l.id, first.id)
	}
	if err := first.cluster.raft.LeadershipTransfer().Error(); err != nil {
		t.Fatal(err)
	}
	ctx := tc.ctx()
	for first.cluster.IsLeader() || first.cluster.raft.Leader() == "" {
		select {
		case <-ctx.Done():
			t.Fatal("leadership did not move to the other voter")
		case <-time.After(10 * time.Millisecond):
		}
	}
	post := &testNode{id: "post-1", dir: t.TempDir(), bind: "127.0.0.1:0"}
	tc.nodes = append(tc.nodes, post)
	tc.start(post, false, []string{first.cluster.Address()})
	tc.waitMembers(3)
}
