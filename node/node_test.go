package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/cluster/clustertest"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// testNow is today at 10:00 UTC: crossing records expire by the wall clock
// (badger TTL), so a fixed date would fail once it is 30 days old.
var testNow = time.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)

// clock advances a millisecond per reading, so crossings get distinct,
// ordered times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

type testNodes struct {
	t      *testing.T
	fabric *clustertest.Fabric
	key    string
	clock  *clock
	cfgs   map[string]Config
	nodes  map[string]*Node
	// configure, when set, adjusts each new node's configuration.
	configure func(*Config)
}

func newTestNodes(t *testing.T) *testNodes {
	dir := t.TempDir()
	key := filepath.Join(dir, "history.key")
	if _, err := LoadOrCreateKey(key); err != nil {
		t.Fatal(err)
	}
	tn := &testNodes{t: t, fabric: clustertest.NewFabric(), key: key, clock: &clock{t: testNow},
		cfgs: map[string]Config{}, nodes: map[string]*Node{}}
	t.Cleanup(func() {
		for _, n := range tn.nodes {
			n.Close()
		}
	})
	return tn
}

// start starts a node; join is the ID of a running node to join through
// (empty: bootstrap).
func (tn *testNodes) start(id string, voter bool, join string) *Node {
	tn.t.Helper()
	cfg, ok := tn.cfgs[id]
	if !ok {
		cfg = DefaultConfig()
		cfg.ID, cfg.DataDir, cfg.Voter, cfg.HistoryKeyFile = id, tn.t.TempDir(), voter, tn.key
		cfg.HTTPAddr, cfg.RaftAddr = "127.0.0.1:0", "127.0.0.1:0"
		cfg.HeartbeatTimeout, cfg.ElectionTimeout = 300*time.Millisecond, 300*time.Millisecond
		cfg.Bootstrap = join == ""
		if join != "" {
			cfg.Join = []string{tn.nodes[join].Cluster().Address()}
		}
		if tn.configure != nil {
			tn.configure(&cfg)
		}
	}
	n, err := Start(cfg, Options{Network: tn.fabric.Node(id), Now: tn.clock.now})
	if err != nil {
		tn.t.Fatal(err)
	}
	cfg.RaftAddr = n.Cluster().Address() // a restart keeps its address
	tn.cfgs[id], tn.nodes[id] = cfg, n
	return n
}

func (tn *testNodes) stop(id string) {
	tn.t.Helper()
	if err := tn.nodes[id].Close(); err != nil {
		tn.t.Fatal(err)
	}
	delete(tn.nodes, id)
}

func (tn *testNodes) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tn.t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond (cheap, in-memory) until it holds.
func (tn *testNodes) waitFor(what string, cond func() bool) {
	tn.t.Helper()
	ctx := tn.ctx()
	for !cond() {
		select {
		case <-ctx.Done():
			tn.t.Fatalf("timed out waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// testTokens caches one token per node, role and post.
var testTokens sync.Map

// tokenFor returns a token of the role (an officer's at the node's post).
func tokenFor(t *testing.T, n *Node, role watchlist.Role) string {
	t.Helper()
	post := ""
	switch role {
	case watchlist.RoleOfficer:
		post = n.cfg.Post
	case watchlist.RolePartner:
		post = "VNM"
	}
	// Keyed by the data directory: the tokens live in the store (a
	// restarted node keeps them; a new node may reuse a freed address).
	key := fmt.Sprintf("%s/%s/%s", n.cfg.DataDir, role, post)
	if s, ok := testTokens.Load(key); ok {
		return s.(string)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, secret, err := n.CreateToken(ctx, role, post, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	testTokens.Store(key, secret)
	return secret
}

// call sends a request with a token of the role the path needs: an
// officer's for inspections, an analyst's for the rest.
func call(t *testing.T, n *Node, method, path string, body any) (int, []byte) {
	t.Helper()
	role := watchlist.RoleAnalyst
	if strings.HasPrefix(path, "/v1/inspections") {
		role = watchlist.RoleOfficer
	}
	return callAs(t, n, tokenFor(t, n, role), method, path, body)
}

func callAs(t *testing.T, n *Node, secret, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+n.HTTPAddr()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if strings.HasSuffix(path, "/stream") && resp.StatusCode == http.StatusOK {
		return resp.StatusCode, nil // a live stream: its body never ends
	}
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func post(t *testing.T, n *Node, path string, body any) (int, []byte) {
	t.Helper()
	return call(t, n, http.MethodPost, path, body)
}

func inspect(t *testing.T, n *Node, p watchlist.Party) api.Inspection {
	t.Helper()
	req := watchlist.InspectionRequest{Direction: p.Direction, Relationships: p.Relationships}
	for _, m := range p.Travellers {
		req.Travellers = append(req.Travellers, watchlist.RequestTraveller{Traveller: m.Traveller})
	}
	code, body := post(t, n, "/v1/inspections", req)
	if code != http.StatusOK {
		t.Fatalf("inspection: %d %s", code, body)
	}
	var in api.Inspection
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestSingleNodeInspectsAndCommitsItsCrossings(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })

	g := testbench.NewGenerator(1, testNow)
	a := g.Alert(3)
	a.ID = ""
	code, body := post(t, n, "/v1/alerts", a)
	if code != http.StatusCreated {
		t.Fatalf("create alert: %d %s", code, body)
	}
	var created watchlist.Alert
	json.Unmarshal(body, &created)
	if created.ID == "" || created.CreatedAt == "" {
		t.Fatalf("created %+v", created)
	}
	code, body = post(t, n, "/v1/alerts", map[string]any{"category": "lost_cat"})
	if code != http.StatusBadRequest || !strings.Contains(string(body), `"field":"category"`) {
		t.Fatalf("bad alert: %d %s", code, body)
	}

	in := inspect(t, n, g.Family(watchlist.Exit, testNow))
	if in.CrossingID == "" || in.Replica.Node != "centre-1" || in.Replica.Stale {
		t.Fatalf("inspection %+v", in)
	}
	tn.waitFor("the outbox to drain", func() bool { return n.OutboxDepth() == 0 })
	if _, err := n.Engine().Crossing(in.CrossingID); err != nil {
		t.Fatal(err)
	}
	if code, body := call(t, n, http.MethodGet, "/v1/crossings/"+in.CrossingID, nil); code != http.StatusOK {
		t.Fatalf("crossing: %d %s", code, body)
	}
}

func TestCutOffPostKeepsInspectingAndItsOutboxDrainsOnce(t *testing.T) {
	tn := newTestNodes(t)
	c1 := tn.start("centre-1", true, "")
	tn.waitFor("leader", func() bool { return c1.Cluster().IsLeader() })
	tn.start("centre-2", true, "centre-1")
	tn.start("centre-3", true, "centre-1")
	p := tn.start("post-1", false, "centre-1")
	tn.waitFor("4 members", func() bool { return len(c1.Cluster().Status().Members) == 4 })

	g := testbench.NewGenerator(2, testNow)
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, inspect(t, p, g.Family(watchlist.Exit, testNow)).CrossingID)
	}

	tn.fabric.Isolate("post-1")
	// The same adult escorts three different unrelated minors while the
	// post is cut off: the escort rule sees the outbox.
	escort := g.Escort(watchlist.Exit, testNow, true)
	var last api.Inspection
	for i := 0; i < 3; i++ {
		party := escort
		minor := g.Member(g.Traveller(8, 14))
		party.Travellers = []watchlist.Member{escort.Travellers[0], minor}
		last = inspect(t, p, party)
		ids = append(ids, last.CrossingID)
	}
	found := false
	for _, f := range last.Findings {
		found = found || f.Code == "REPEATED_ESCORT"
	}
	if !found {
		t.Fatalf("a cut-off post missed the repeated escort: %+v", last.Findings)
	}
	if p.OutboxDepth() == 0 {
		t.Fatal("a cut-off post shipped its crossings")
	}

	// A crash while cut off loses nothing: the outbox is on disk.
	tn.stop("post-1")
	p = tn.start("post-1", false, "")
	if p.OutboxDepth() == 0 {
		t.Fatal("the outbox was lost in the restart")
	}
	tn.waitFor("a stale replica", func() bool { return p.Replica().Stale || p.Replica().LeaderContactAgeMS != 0 })

	tn.fabric.Heal("post-1")
	tn.waitFor("the outbox to drain", func() bool { return p.OutboxDepth() == 0 })
	// The drained outbox was committed by whichever voter led at the
	// time (leadership may have moved under load, so centre-1's commit
	// index proves nothing): every node must come to hold every crossing.
	for _, n := range tn.nodes {
		tn.waitFor(n.ID()+" to hold every crossing", func() bool {
			for _, id := range ids {
				if _, err := n.Engine().Crossing(id); err != nil {
					return false
				}
			}
			return true
		})
	}
	assertSameState(t, tn)
}

func assertSameState(t *testing.T, tn *testNodes) {
	t.Helper()
	// Audit entries of the test's own requests are still shipping: wait
	// until every node's outbox is empty and every node has applied the
	// leader's last entry.
	tn.waitFor("every outbox to drain", func() bool {
		for _, n := range tn.nodes {
			if n.OutboxDepth() > 0 || n.AuditDepth() > 0 {
				return false
			}
		}
		return true
	})
	for _, n := range tn.nodes {
		if n.Cluster().IsLeader() {
			idx := n.Cluster().Status().CommitIndex
			for _, m := range tn.nodes {
				if err := m.Cluster().WaitForApplied(tn.ctx(), idx); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var want []byte
	var first string
	for id, n := range tn.nodes {
		s, err := n.Engine().Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		s.WriteTo(&b)
		s.Release()
		if want == nil {
			want, first = b.Bytes(), id
			continue
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("%s and %s hold different states", id, first)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	cases := map[string]func(*Config){
		"no id":            func(c *Config) { c.ID = "" },
		"bad http":         func(c *Config) { c.HTTPAddr = "8080" },
		"public raft":      func(c *Config) { c.RaftAddr = "0.0.0.0:8089" },
		"public http":      func(c *Config) { c.HTTPAddr = ":8080" },
		"bootstrap+join":   func(c *Config) { c.Join = []string{"127.0.0.1:1"} },
		"replica boots":    func(c *Config) { c.Voter = false },
		"half tls":         func(c *Config) { c.TLSCA = "ca.crt" },
		"no join":          func(c *Config) { c.Bootstrap = false },
		"zero stale after": func(c *Config) { c.StaleAfter = 0 },
	}
	for name, mutate := range cases {
		c := DefaultConfig()
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.RaftAddr, c.TLSCA, c.TLSCert, c.TLSKey = "10.0.0.1:8089", "a", "b", "c"
	if err := c.Validate(); err != nil {
		t.Fatalf("TLS beyond loopback: %v", err)
	}
}

func TestHistoryKeyIsCreatedPrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k", "history.key")
	k1, err := LoadOrCreateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st.Mode(), err)
	}
	k2, err := LoadOrCreateKey(p)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("the key changed")
	}
	os.WriteFile(p, []byte("short"), 0o600)
	if _, err := LoadOrCreateKey(p); err == nil {
		t.Fatal("a short key was accepted")
	}
	// A node given that key refuses to start, with the reason, and leaves
	// nothing open behind it (its stores can be opened again).
	cfg := DefaultConfig()
	cfg.ID, cfg.DataDir, cfg.HTTPAddr, cfg.RaftAddr, cfg.HistoryKeyFile = "n1", t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", p
	if n, err := Start(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "history key") {
		if n != nil {
			n.Close()
		}
		t.Fatalf("start with a short key: %v", err)
	}
	os.Remove(p)
	n, err := Start(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
}
