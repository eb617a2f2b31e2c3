package fault

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crossguard/crossguard/testbench/proc"
)

// Kind is a kind of fault.
type Kind string

// The faults the nemesis injects.
const (
	// KillLeader kills the leader with SIGKILL and restarts it after the
	// fault's hold time.
	KillLeader Kind = "kill-leader"
	// KillPost kills a post with SIGKILL and restarts it.
	KillPost Kind = "kill-post"
	// IsolatePost cuts a post off from every other node: it goes on
	// answering inspections from its own copy, and its outbox fills
	// until the link heals.
	IsolatePost Kind = "isolate-post"
	// IsolateLeader cuts the leader off: the others elect a new one.
	IsolateLeader Kind = "isolate-leader"
	// SlowPost adds the fault's delay to every link of a post.
	SlowPost Kind = "slow-post"
	// SlowLeader adds the fault's delay to every link of the leader.
	SlowLeader Kind = "slow-leader"
)

// Kinds lists every kind of fault.
var Kinds = []Kind{KillLeader, KillPost, IsolatePost, IsolateLeader, SlowPost, SlowLeader}

// Fault is one fault of a schedule.
type Fault struct {
	Kind Kind `json:"kind"`
	// Hold is how long the fault lasts.
	Hold time.Duration `json:"hold"`
	// Delay is the added latency of a slow link (each way).
	Delay time.Duration `json:"delay,omitempty"`
	// Pause is the time left to the cluster after the fault ends and
	// before the next.
	Pause time.Duration `json:"pause"`
}

// Event is a fault as it happened: what, to which node, when (since the
// run began), and what was seen (e.g. a post's outbox when it healed).
type Event struct {
	Kind   Kind          `json:"kind"`
	Node   string        `json:"node"`
	Start  time.Duration `json:"start"`
	End    time.Duration `json:"end"`
	Detail string        `json:"detail,omitempty"`
}

// nemesis injects faults into a running cluster.
type nemesis struct {
	c     *proc.Cluster
	net   Links
	h     *History
	posts int // the next post to hit (round robin)

	mu     sync.Mutex
	events []Event
}

func (n *nemesis) since() time.Duration { return time.Since(n.h.start) }

func (n *nemesis) pickPost() *proc.Node {
	var posts []*proc.Node
	for _, nd := range n.c.Nodes {
		if !nd.Voter {
			posts = append(posts, nd)
		}
	}
	p := posts[n.posts%len(posts)]
	n.posts++
	return p
}

// inject runs one fault to its end: the node it stopped is running and
// ready again, the links it cut or slowed are whole.
func (n *nemesis) inject(ctx context.Context, f Fault) error {
	var target *proc.Node
	switch f.Kind {
	case KillLeader, IsolateLeader, SlowLeader:
		l, err := n.c.Leader(ctx)
		if err != nil {
			return err
		}
		target = l
	case KillPost, IsolatePost, SlowPost:
		target = n.pickPost()
	default:
		return fmt.Errorf("fault: unknown kind %q", f.Kind)
	}
	ev := Event{Kind: f.Kind, Node: target.ID, Start: n.since()}
	hold := func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.Hold): // the fault's duration
			return nil
		}
	}
	var err error
	switch f.Kind {
	case KillLeader, KillPost:
		n.h.SetDown(target.ID, true)
		if err = target.Kill(); err != nil {
			return err
		}
		if err = hold(); err != nil {
			return err
		}
		if err = target.Restart(); err != nil {
			return err
		}
		err = target.WaitReady(ctx)
		n.h.SetDown(target.ID, false)
	case IsolatePost, IsolateLeader:
		if err = n.net.Isolate(target.ID); err != nil {
			return err
		}
		err = hold()
		if !target.Voter {
			if depth, derr := outboxDepth(ctx, target); derr == nil {
				ev.Detail = fmt.Sprintf("outbox %d crossings when the link healed", depth)
			}
		}
		if herr := n.net.Heal(); err == nil {
			err = herr
		}
	case SlowPost, SlowLeader:
		if ev.Detail, err = n.net.Slow(target.ID, f.Delay); err != nil {
			return err
		}
		err = hold()
		if herr := n.net.Heal(); err == nil {
			err = herr
		}
	}
	ev.End = n.since()
	n.mu.Lock()
	n.events = append(n.events, ev)
	n.mu.Unlock()
	return err
}

// outboxDepth reads a post's crossing outbox from its metrics.
func outboxDepth(ctx context.Context, post *proc.Node) (int, error) {
	return metric(ctx, post, "crossguard_outbox_crossings")
}

// metric reads one unlabelled gauge from a node's /metrics.
func metric(ctx context.Context, nd *proc.Node, name string) (int, error) {
	code, body, err := nd.Do(ctx, http.MethodGet, "/metrics", nil, nil)
	if err != nil {
		return 0, err
	}
	if code != http.StatusOK {
		return 0, fmt.Errorf("%s /metrics: %d", nd.ID, code)
	}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("%s /metrics has no %s", nd.ID, name)
}

// LagSample is one node's replication state at one moment.
type LagSample struct {
	At   time.Duration `json:"at"`
	Node string        `json:"node"`
	// Lag is how many entries the node has still to apply of the highest
	// commit index any node reported at that moment.
	Lag int64 `json:"lag"`
	// Outbox is a post's crossing records not yet committed.
	Outbox int `json:"outbox"`
}

// monitor samples every running node's lag and outbox until ctx ends.
func monitor(ctx context.Context, c *proc.Cluster, h *History, every time.Duration) []LagSample {
	var out []LagSample
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-tick.C:
		}
		at := time.Since(h.start)
		var commit uint64
		applied := map[string]uint64{}
		for _, nd := range c.Running() {
			q, cancel := context.WithTimeout(ctx, every)
			v, err := nd.View(q)
			cancel()
			if err != nil {
				continue
			}
			commit = max(commit, v.Node.CommitIndex)
			applied[nd.ID] = v.Node.AppliedIndex
		}
		for _, nd := range c.Nodes {
			a, ok := applied[nd.ID]
			if !ok {
				continue
			}
			s := LagSample{At: at, Node: nd.ID, Lag: max(int64(commit)-int64(a), 0)}
			if !nd.Voter {
				q, cancel := context.WithTimeout(ctx, every)
				s.Outbox, _ = outboxDepth(q, nd)
				cancel()
			}
			out = append(out, s)
		}
	}
}
