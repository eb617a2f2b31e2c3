// Package proc runs a Crossguard cluster as real `crossguard serve`
// processes on loopback: voters and border-post replicas, each with its
// own data directory, ports and log file, that a test or the testbench
// can kill (SIGKILL), stop (SIGTERM) and restart. Nothing is simulated:
// the processes talk raft over TCP and answer HTTP like a deployment.
package proc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/node"
)

// Build compiles the crossguard command (static, as in the container
// images) into dir and returns its path. Tags are build tags (the
// checker's test builds a deliberately broken node with one).
func Build(ctx context.Context, dir string, tags ...string) (string, error) {
	bin := filepath.Join(dir, "crossguard")
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("build crossguard: the go command is not on PATH: %w", err)
	}
	args := []string{"build", "-o", bin}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, goTool, append(args, "github.com/crossguard/crossguard/cmd/crossguard")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build crossguard: %v\n%s", err, out)
	}
	return bin, nil
}

// Options describe a cluster to start.
type Options struct {
	// Binary is the crossguard command (see Build).
	Binary string
	// Dir holds the nodes' data directories, logs and the history key.
	Dir string
	// Voters (operations centres; at least 1) and Posts (non-voting
	// replicas).
	Voters, Posts int
	// Args are added to every node's serve command line.
	Args []string
	// Fronts, when set, puts something between the nodes (the fault
	// network of package fault): each node advertises the address it
	// answers for the node's raft port, and the others dial that.
	Fronts Fronts
	// Containers, when set, runs the nodes as containers of a Docker
	// Compose project instead of processes (see Containers).
	Containers *Containers

	// beforeStart, in this package's tests, sees the nodes' addresses
	// before the first process starts.
	beforeStart func([]*Node)
}

// Fronts is a proxy in front of each node's raft port.
type Fronts interface {
	// Front answers the address other nodes dial to reach the node whose
	// raft port listens on target.
	Front(id, target string) (string, error)
}

// Cluster is a set of node processes.
type Cluster struct {
	Nodes []*Node
	opts  Options
	creds *credentials
}

// credentials are the tokens the harness calls with: the first admin
// token, an analyst's, an auditor's, and an officer's per post.
type credentials struct {
	mu       sync.Mutex
	admin    string
	analyst  string
	auditor  string
	officers map[string]string
}

// tokenFor picks the token a request needs: an officer's of the node's
// post for inspections, the admin's for cluster and token endpoints and
// the metrics, the auditor's for the audit log, an analyst's for the
// rest, none for the health probes.
func (cr *credentials) tokenFor(n *Node, path string) string {
	if cr == nil {
		return ""
	}
	cr.mu.Lock()
	defer cr.mu.Unlock()
	switch {
	case path == "/readyz" || path == "/healthz":
		return ""
	case strings.HasPrefix(path, "/v1/inspections"):
		return cr.officers[n.ID]
	case strings.HasPrefix(path, "/v1/cluster"), strings.HasPrefix(path, "/v1/tokens"), path == "/metrics":
		return cr.admin
	case strings.HasPrefix(path, "/v1/audit"):
		return cr.auditor
	}
	return cr.analyst
}

// Node is one `crossguard serve` process (or its data, while it is down).
type Node struct {
	ID    string
	Voter bool
	// HTTP and Raft are the node's fixed loopback addresses: a restart
	// binds the same ones. Advertise is the raft address the other nodes
	// dial (Raft, or its front).
	HTTP, Raft, Advertise string
	Dir                   string
	LogPath               string

	args       []string
	binary     string
	creds      *credentials
	containers *Containers // nil: a process

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// Start starts the voters (the first bootstraps the cluster) and the
// posts, and returns once every node is ready and a member.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Voters < 1 {
		return nil, errors.New("proc: a cluster needs a voter")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, err
	}
	key := filepath.Join(opts.Dir, "history.key")
	if _, err := node.LoadOrCreateKey(key); err != nil {
		return nil, err
	}
	total := opts.Voters + opts.Posts
	// The ports stay reserved until the fronts have taken theirs: a
	// front listening on any free port could otherwise be given one
	// just released for a node.
	addrs, release, err := reserveAddrs(2 * total)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, creds: &credentials{officers: map[string]string{}}}
	for i := 0; i < total; i++ {
		n := &Node{Voter: i < opts.Voters, HTTP: addrs[2*i], Raft: addrs[2*i+1], containers: opts.Containers}
		if n.Voter {
			n.ID = fmt.Sprintf("centre-%d", i+1)
		} else {
			n.ID = fmt.Sprintf("post-%d", i-opts.Voters+1)
		}
		n.Advertise = n.Raft
		if opts.Fronts != nil {
			if n.Advertise, err = opts.Fronts.Front(n.ID, n.Raft); err != nil {
				release()
				return nil, err
			}
		}
		n.Dir = filepath.Join(opts.Dir, n.ID)
		n.LogPath = filepath.Join(opts.Dir, n.ID+".log")
		n.creds = c.creds
		c.Nodes = append(c.Nodes, n)
	}
	release()
	if opts.Containers != nil {
		opts.Containers.layout(c.Nodes)
	}
	c.setArgs()
	if opts.Containers != nil {
		if err := opts.Containers.create(ctx, opts.Dir, c.Nodes); err != nil {
			opts.Containers.down()
			return nil, err
		}
	}
	if opts.beforeStart != nil {
		opts.beforeStart(c.Nodes)
	}
	for i, n := range c.Nodes {
		n.binary = opts.Binary
		if err := n.start(); err != nil {
			c.Close()
			return nil, err
		}
		if i > 0 {
			continue
		}
		if err := c.readyOnFreePorts(ctx, n, true); err != nil {
			c.Close()
			return nil, err
		}
		if err := c.readAdminToken(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	for _, n := range c.Nodes[1:] {
		if err := c.readyOnFreePorts(ctx, n, !n.Voter); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.WaitMembers(ctx, total); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.makeTokens(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// setArgs writes every node's serve arguments from its addresses.
func (c *Cluster) setArgs() {
	var voterRaft []string
	for _, n := range c.Nodes {
		if n.Voter {
			voterRaft = append(voterRaft, n.Advertise)
		}
	}
	for i, n := range c.Nodes {
		n.args = []string{"serve", "--id", n.ID, "--data", n.Dir, "--http", n.HTTP, "--raft", n.Raft, "--raft-advertise", n.Advertise,
			"--history-key", filepath.Join(c.opts.Dir, "history.key"), "--log-level", "info", fmt.Sprintf("--voter=%t", n.Voter),
			// The load of a test is many requests per token.
			"--rate-limit", "0"}
		if i > 0 {
			n.args = append(n.args, "--join", strings.Join(voterRaft, ","))
		}
		n.args = append(n.args, c.opts.Args...)
	}
}

// errAddrInUse is a node's first start failing because a port reserveAddrs
// picked was taken meanwhile (by another process's outgoing connection,
// say): ports are released between the pick and the bind.
var errAddrInUse = errors.New("proc: a port was taken before the node bound it")

// readyOnFreePorts waits until n, started for the first time, is ready;
// when one of its ports was taken meanwhile and it may move (movable),
// it gets new ports and starts afresh. The bootstrapping voter may move
// (nobody has been told its addresses yet), and so may posts: only the
// voters' raft addresses are in other nodes' arguments.
func (c *Cluster) readyOnFreePorts(ctx context.Context, n *Node, movable bool) error {
	for {
		err := n.WaitReady(ctx)
		if !errors.Is(err, errAddrInUse) || !movable || !c.repick(n) {
			return err
		}
		c.setArgs()
		if err := n.start(); err != nil {
			return err
		}
	}
}

// repick gives a node that never became ready fresh ports and an empty
// data directory. It refuses (false) where addresses are fixed by a
// front or a container layout.
func (c *Cluster) repick(n *Node) bool {
	if c.opts.Fronts != nil || c.opts.Containers != nil {
		return false
	}
	addrs, release, err := reserveAddrs(2)
	if err != nil {
		return false
	}
	release()
	if os.RemoveAll(n.Dir) != nil {
		return false
	}
	n.mu.Lock()
	n.cmd = nil
	n.mu.Unlock()
	n.HTTP, n.Raft, n.Advertise = addrs[0], addrs[1], addrs[1]
	return true
}

// readAdminToken waits for the first admin token, written by the
// bootstrapping voter.
func (c *Cluster) readAdminToken(ctx context.Context) error {
	file := filepath.Join(c.Nodes[0].Dir, "admin.token")
	return poll(ctx, "the first admin token", func() (bool, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return false, err
		}
		c.creds.mu.Lock()
		c.creds.admin = strings.TrimSpace(string(b))
		c.creds.mu.Unlock()
		return true, nil
	})
}

// makeTokens creates an analyst's token and an officer's for every post.
func (c *Cluster) makeTokens(ctx context.Context) error {
	analyst, err := c.CreateToken(ctx, "analyst", "")
	if err != nil {
		return err
	}
	auditor, err := c.CreateToken(ctx, "auditor", "")
	if err != nil {
		return err
	}
	c.creds.mu.Lock()
	c.creds.analyst, c.creds.auditor = analyst, auditor
	c.creds.mu.Unlock()
	for _, n := range c.Nodes {
		if n.Voter {
			continue
		}
		secret, err := c.CreateToken(ctx, "officer", n.ID)
		if err != nil {
			return err
		}
		c.creds.mu.Lock()
		c.creds.officers[n.ID] = secret
		c.creds.mu.Unlock()
	}
	// A token works at a node once the node has applied it.
	return c.WaitConverged(ctx)
}

// CreateToken creates a token through the first node (as the admin) and
// returns its secret.
func (c *Cluster) CreateToken(ctx context.Context, role, post string) (string, error) {
	var t struct {
		Token string `json:"token"`
	}
	body := map[string]string{"role": role}
	if post != "" {
		body["post"] = post
	}
	code, b, err := c.Nodes[0].Do(ctx, http.MethodPost, "/v1/tokens", body, &t)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("create a %s token: %d %s", role, code, b)
	}
	return t.Token, err
}

// OfficerToken is the token of the officer of a post.
func (c *Cluster) OfficerToken(post string) string {
	c.creds.mu.Lock()
	defer c.creds.mu.Unlock()
	return c.creds.officers[post]
}

// WaitDemo waits until the demo watchlist (crossguard serve --demo) is
// loaded: its hand-written alerts come last.
func (c *Cluster) WaitDemo(ctx context.Context) error {
	return poll(ctx, "the demo watchlist", func() (bool, error) {
		running := c.Running()
		if len(running) == 0 {
			return false, errors.New("no node runs")
		}
		code, body, err := running[0].Do(ctx, http.MethodGet, "/v1/alerts/DEMO-MISSING-ZHANG?consistency=leader", nil, nil)
		if err != nil {
			return false, err
		}
		return code == http.StatusOK, fmt.Errorf("%d %s", code, body)
	})
}

// reserveAddrs reserves n distinct loopback ports, held until release
// is called (the nodes bind them after).
func reserveAddrs(n int) (addrs []string, release func(), err error) {
	var lns []net.Listener
	release = func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			release()
			return nil, nil, err
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, release, nil
}

// Node returns the node with the ID, or nil.
func (c *Cluster) Node(id string) *Node {
	for _, n := range c.Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// Running returns the nodes whose process runs.
func (c *Cluster) Running() []*Node {
	var out []*Node
	for _, n := range c.Nodes {
		if n.Running() {
			out = append(out, n)
		}
	}
	return out
}

// Close kills every node (its data stays in Dir); containers are
// removed with their networks.
func (c *Cluster) Close() {
	for _, n := range c.Nodes {
		n.Kill()
	}
	if c.opts.Containers != nil {
		c.opts.Containers.down()
	}
}

func (n *Node) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return fmt.Errorf("proc: %s runs already", n.ID)
	}
	logf, err := os.OpenFile(n.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(n.binary, n.args...)
	if n.containers != nil {
		cmd = n.containers.command(n)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = cleanEnv()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", n.ID, err)
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		logf.Close()
		n.mu.Lock()
		n.err = err
		n.mu.Unlock()
		close(exited)
	}()
	n.cmd, n.exited, n.err = cmd, exited, nil
	return nil
}

// cleanEnv is the environment without CROSSGUARD_* settings, which would
// change every node's configuration.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CROSSGUARD_") {
			out = append(out, kv)
		}
	}
	return out
}

// PID is the process ID of the running node (0 when it is down).
func (n *Node) PID() int {
	n.mu.Lock()
	running := n.cmd != nil && n.cmd.Process != nil
	pid := 0
	if running {
		pid = n.cmd.Process.Pid
	}
	n.mu.Unlock()
	if running && n.containers != nil {
		return n.containers.PID(n)
	}
	return pid
}

// PIDs maps the running nodes' process IDs to their node IDs.
func (c *Cluster) PIDs() map[int]string {
	out := map[int]string{}
	for _, n := range c.Nodes {
		if pid := n.PID(); pid != 0 {
			out[pid] = n.ID
		}
	}
	return out
}

// Restart starts a stopped node again on its data and addresses.
func (n *Node) Restart() error { return n.start() }

// Running reports whether the process runs.
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// Kill sends SIGKILL and waits for the process to go.
func (n *Node) Kill() error { return n.signal(syscall.SIGKILL, 0) }

// Stop sends SIGTERM and waits for a clean exit (up to timeout, then
// SIGKILL); it returns the process's error, if it exited with one.
func (n *Node) Stop(timeout time.Duration) error { return n.signal(syscall.SIGTERM, timeout) }

func (n *Node) signal(sig syscall.Signal, timeout time.Duration) error {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if n.containers == nil {
		cmd.Process.Signal(sig)
	} else if err := n.containers.signal(n, sig == syscall.SIGKILL, int(timeout.Seconds())); err != nil {
		cmd.Process.Kill() // the container is gone or docker failed: end the client
	}
	var err error
	if timeout > 0 {
		select {
		case <-exited:
		case <-time.After(timeout):
			cmd.Process.Kill()
			<-exited
			err = fmt.Errorf("%s did not stop within %v", n.ID, timeout)
		}
	} else {
		<-exited
	}
	n.mu.Lock()
	if err == nil && sig != syscall.SIGKILL {
		err = n.err
	}
	n.cmd = nil
	n.mu.Unlock()
	return err
}

// URL is the node's API.
func (n *Node) URL() string { return "http://" + n.HTTP }

var client = &http.Client{Timeout: 10 * time.Second}

// Do sends a JSON request to the node's API and decodes a JSON answer
// into out (when not nil and the status is 2xx). It returns the status
// and the body; an error only when no answer came.
func (n *Node) Do(ctx context.Context, method, path string, body, out any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, n.URL()+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok := n.creds.tokenFor(n, path); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, b, err
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, b, nil
}

// poll calls ok until it returns true, ctx ends or the node exits.
func poll(ctx context.Context, what string, ok func() (bool, error)) error {
	var last error
	for {
		done, err := ok()
		if done {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last: %v)", what, ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WaitReady waits until the node answers /readyz with 200.
func (n *Node) WaitReady(ctx context.Context) error {
	var exited error
	err := poll(ctx, n.ID+" ready", func() (bool, error) {
		if !n.Running() {
			tail := n.logTail(20)
			exited = fmt.Errorf("%s exited before it was ready; the end of %s:\n%s", n.ID, n.LogPath, tail)
			if strings.Contains(tail, "address already in use") {
				exited = fmt.Errorf("%w: %w", errAddrInUse, exited)
			}
			return true, nil
		}
		code, body, err := n.Do(ctx, http.MethodGet, "/readyz", nil, nil)
		if err != nil {
			return false, err
		}
		return code == http.StatusOK, fmt.Errorf("%d %s", code, body)
	})
	if exited != nil {
		return exited
	}
	return err
}

// logTail returns the last lines of the node's log, for an error that
// must explain itself after the test's directory is gone.
func (n *Node) logTail(lines int) string {
	b, err := os.ReadFile(n.LogPath)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// ClusterView is a node's GET /v1/cluster.
type ClusterView struct {
	Node    cluster.Status         `json:"node"`
	Members []cluster.MemberStatus `json:"members"`
}

// View asks the node for its view of the cluster.
func (n *Node) View(ctx context.Context) (ClusterView, error) {
	var v ClusterView
	code, body, err := n.Do(ctx, http.MethodGet, "/v1/cluster", nil, &v)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("%s: GET /v1/cluster: %d %s", n.ID, code, body)
	}
	return v, err
}

// Leader waits for a running node that says it leads.
func (c *Cluster) Leader(ctx context.Context) (*Node, error) {
	var leader *Node
	err := poll(ctx, "a leader", func() (bool, error) {
		for _, n := range c.Running() {
			v, err := n.View(ctx)
			if err == nil && v.Node.State == "Leader" {
				leader = n
				return true, nil
			}
		}
		return false, nil
	})
	return leader, err
}

// leaderView is the leader's view of the cluster.
func (c *Cluster) leaderView(ctx context.Context) (ClusterView, error) {
	l, err := c.Leader(ctx)
	if err != nil {
		return ClusterView{}, err
	}
	return l.View(ctx)
}

// WaitMembers waits until the leader counts members members, all of
// which answer.
func (c *Cluster) WaitMembers(ctx context.Context, members int) error {
	return poll(ctx, fmt.Sprintf("%d members", members), func() (bool, error) {
		v, err := c.leaderView(ctx)
		if err != nil {
			return false, err
		}
		if len(v.Members) != members {
			return false, fmt.Errorf("%d members", len(v.Members))
		}
		for _, m := range v.Members {
			if m.Status == nil {
				return false, fmt.Errorf("%s: %s", m.ID, m.Error)
			}
		}
		return true, nil
	})
}

// WaitConverged waits until every running node has applied what the
// leader had committed when it was called (traffic may go on meanwhile).
func (c *Cluster) WaitConverged(ctx context.Context) error {
	var target uint64
	err := poll(ctx, "the leader's commit index", func() (bool, error) {
		v, err := c.leaderView(ctx)
		if err != nil {
			return false, err
		}
		target = v.Node.CommitIndex
		return true, nil
	})
	if err != nil {
		return err
	}
	return poll(ctx, fmt.Sprintf("every node at index %d", target), func() (bool, error) {
		for _, n := range c.Running() {
			v, err := n.View(ctx)
			if err != nil {
				return false, err
			}
			if v.Node.AppliedIndex < target {
				return false, fmt.Errorf("%s at %d", n.ID, v.Node.AppliedIndex)
			}
		}
		return true, nil
	})
}

// Backup reads the node's store as it is (a snapshot stream, the same
// bytes on nodes that hold the same state).
func (n *Node) Backup(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.URL()+"/v1/cluster/backup?consistency=local", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+n.creds.tokenFor(n, "/v1/cluster/backup"))
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s backup: %d %s", n.ID, resp.StatusCode, b)
	}
	return b, err
}
