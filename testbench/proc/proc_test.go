package proc

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// binary is the crossguard command built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crossguard-proc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	binary, err = Build(ctx, dir)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// now is today (crossing records expire by the wall clock).
var now = time.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)

// fastFailover makes elections quick, so that the test spends its time on
// traffic, not on waiting.
var fastFailover = []string{"--heartbeat-timeout", "400ms", "--election-timeout", "400ms"}

func startCluster(t testing.TB, voters, posts int, args ...string) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Binary: binary, Dir: t.TempDir(), Voters: voters, Posts: posts, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			for _, n := range c.Nodes {
				if b, err := os.ReadFile(n.LogPath); err == nil {
					t.Logf("--- %s log (last 3000 bytes):\n%s", n.ID, tail(b, 3000))
				}
			}
		}
	})
	return c
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// traffic runs inspections at every post and alert writes through the
// voters, and records what the cluster acknowledged.
type traffic struct {
	t *testing.T
	c *Cluster

	mu        sync.Mutex
	crossings map[string]string // acknowledged crossing ID → post
	unknown   int               // inspections cut off by a kill: outcome unknown
	failures  []string          // inspections that failed while their post was up
	alerts    []string          // acknowledged alert IDs
	down      map[string]bool

	stop chan struct{}
	wg   sync.WaitGroup
}

func startTraffic(t *testing.T, c *Cluster) *traffic {
	tr := &traffic{t: t, c: c, crossings: map[string]string{}, down: map[string]bool{}, stop: make(chan struct{})}
	for i, n := range c.Nodes {
		if !n.Voter {
			tr.wg.Add(1)
			go tr.inspect(n, uint64(100+i))
		}
	}
	tr.wg.Add(1)
	go tr.writeAlerts()
	return tr
}

func (tr *traffic) inspect(post *Node, seed uint64) {
	defer tr.wg.Done()
	g := testbench.NewGenerator(seed, now)
	for i := 0; ; i++ {
		select {
		case <-tr.stop:
			return
		default:
		}
		p := g.Solo(watchlist.Exit, now)
		if i%3 == 0 {
			p = g.Family(watchlist.Entry, now)
		}
		var in api.Inspection
		code, body, err := post.Do(context.Background(), http.MethodPost, "/v1/inspections", testbench.Request(p), &in)
		tr.mu.Lock()
		switch {
		case err == nil && code == http.StatusOK:
			tr.crossings[in.CrossingID] = post.ID
		case tr.down[post.ID]:
			tr.unknown++
		default:
			tr.failures = append(tr.failures, fmt.Sprintf("%s: %d %s %v", post.ID, code, body, err))
		}
		down := tr.down[post.ID]
		tr.mu.Unlock()
		if down {
			time.Sleep(20 * time.Millisecond) // load pacing while the post is down, not a wait for a condition
		}
	}
}

// writeAlerts writes alerts one by one through the running voters in
// turn; an alert not acknowledged is sent again until it is (a 409 means
// an earlier attempt was committed).
func (tr *traffic) writeAlerts() {
	defer tr.wg.Done()
	g := testbench.NewGenerator(7, now)
	for i := 0; ; {
		select {
		case <-tr.stop:
			return
		default:
		}
		var voters []*Node
		for _, n := range tr.c.Running() {
			if n.Voter {
				voters = append(voters, n)
			}
		}
		if len(voters) == 0 {
			continue
		}
		a := g.Alert(i)
		code, _, err := voters[i%len(voters)].Do(context.Background(), http.MethodPost, "/v1/alerts", a, nil)
		if err == nil && (code == http.StatusCreated || code == http.StatusConflict) {
			tr.mu.Lock()
			tr.alerts = append(tr.alerts, a.ID)
			tr.mu.Unlock()
			i++
		}
	}
}

func (tr *traffic) setDown(post string, down bool) {
	tr.mu.Lock()
	tr.down[post] = down
	tr.mu.Unlock()
}

// waitFor waits until cond holds over the counts.
func (tr *traffic) waitFor(what string, cond func(crossingsByPost map[string]int, alerts int) bool) {
	tr.t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		tr.mu.Lock()
		by := map[string]int{}
		for _, p := range tr.crossings {
			by[p]++
		}
		ok := cond(by, len(tr.alerts))
		tr.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-deadline:
			tr.t.Fatalf("timed out waiting for %s (crossings %v, alerts %d)", what, by, len(tr.alerts))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (tr *traffic) halt() {
	close(tr.stop)
	tr.wg.Wait()
}

// TestProcessClusterSurvivesKill9 runs 3 voters and 2 posts as separate
// processes under inspection and alert traffic, kills the leader and a
// post with SIGKILL, restarts them, and checks that nothing acknowledged
// was lost: every alert change and every crossing record is on every
// node, each crossing exactly once, no inspection failed at a post that
// was up, and all nodes converge to the same state.
func TestProcessClusterSurvivesKill9(t *testing.T) {
	c := startCluster(t, 3, 2, fastFailover...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tr := startTraffic(t, c)
	tr.waitFor("traffic", func(by map[string]int, alerts int) bool { return by["post-1"] > 20 && by["post-2"] > 20 && alerts > 10 })

	// The leader is killed three times over, each time while writes run,
	// and restarted: a killed leader may hold entries it never committed,
	// which it must discard from its log on restart.
	var leader *Node
	for round := 0; round < 3; round++ {
		var err error
		if leader, err = c.Leader(ctx); err != nil {
			t.Fatal(err)
		}
		if err := leader.Kill(); err != nil {
			t.Fatal(err)
		}
		tr.mu.Lock()
		base := len(tr.alerts)
		tr.mu.Unlock()
		tr.waitFor("writes after the leader was killed", func(_ map[string]int, alerts int) bool { return alerts > base+10 })
		if round < 2 {
			if err := leader.Restart(); err != nil {
				t.Fatal(err)
			}
			if err := leader.WaitReady(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}

	post := c.Node("post-1")
	tr.setDown(post.ID, true)
	if err := post.Kill(); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	other := len(tr.crossings)
	tr.mu.Unlock()
	tr.waitFor("inspections at post-2 while post-1 is down", func(by map[string]int, _ int) bool { return by["post-2"] > other/2+20 })

	for _, n := range []*Node{post, leader} {
		if err := n.Restart(); err != nil {
			t.Fatal(err)
		}
		if err := n.WaitReady(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tr.setDown(post.ID, false)
	tr.mu.Lock()
	before := map[string]int{}
	for _, p := range tr.crossings {
		before[p]++
	}
	tr.mu.Unlock()
	tr.waitFor("inspections at the restarted post", func(by map[string]int, _ int) bool { return by["post-1"] > before["post-1"]+20 })
	tr.halt()

	if len(tr.failures) > 0 {
		t.Fatalf("%d inspections failed at a post that was up; first: %s", len(tr.failures), tr.failures[0])
	}
	checkConverged(t, ctx, c, tr)
}

// checkConverged waits until every node holds the same store, with every
// acknowledged crossing once and every acknowledged alert.
func checkConverged(t *testing.T, ctx context.Context, c *Cluster, tr *traffic) {
	t.Helper()
	start := time.Now()
	var info watchlist.SnapshotInfo
	var digest string
	err := poll(ctx, "every node holding the same state", func() (bool, error) {
		if err := c.WaitConverged(ctx); err != nil {
			return false, err
		}
		// Reading a backup is itself audited, so the audit log moves while
		// the nodes are read: compare everything else byte for byte, and
		// verify each node's audit chain below.
		var first string
		for _, n := range c.Nodes {
			b, err := n.Backup(ctx)
			if err != nil {
				return false, err
			}
			d, i, err := watchlist.StateDigest(bytes.NewReader(b))
			if err != nil {
				return false, err
			}
			if first == "" {
				first, info = d, i
			} else if d != first {
				return false, fmt.Errorf("%s differs from %s", n.ID, c.Nodes[0].ID)
			}
		}
		digest = first
		// The posts' outboxes drain: wait for every acknowledged crossing.
		return info.Crossings >= uint64(len(tr.crossings)), fmt.Errorf("%d crossings of %d", info.Crossings, len(tr.crossings))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		var r watchlist.AuditReport
		code, body, err := n.Do(ctx, http.MethodGet, "/v1/audit/verify", nil, &r)
		if err != nil || code != http.StatusOK || !r.OK || r.Entries == 0 {
			t.Fatalf("%s audit chain: %d %s %v", n.ID, code, body, err)
		}
	}
	t.Logf("converged in %v: %d crossings (%d acknowledged, %d unknown), %d alerts acknowledged, state %s, %d bytes",
		time.Since(start).Round(time.Millisecond), info.Crossings, len(tr.crossings), tr.unknown, len(tr.alerts), digest[:12], info.Bytes)
	if info.Crossings > uint64(len(tr.crossings)+tr.unknown) {
		t.Fatalf("%d crossing records for %d inspections answered or cut off: duplicates", info.Crossings, len(tr.crossings)+tr.unknown)
	}
	for _, n := range c.Nodes {
		for id := range tr.crossings {
			if code, body, err := n.Do(ctx, http.MethodGet, "/v1/crossings/"+id, nil, nil); err != nil || code != http.StatusOK {
				t.Fatalf("%s lacks acknowledged crossing %s: %d %s %v", n.ID, id, code, body, err)
			}
		}
		for _, id := range tr.alerts {
			if code, body, err := n.Do(ctx, http.MethodGet, "/v1/alerts/"+id, nil, nil); err != nil || code != http.StatusOK {
				t.Fatalf("%s lacks acknowledged alert %s: %d %s %v", n.ID, id, code, body, err)
			}
		}
	}
}
