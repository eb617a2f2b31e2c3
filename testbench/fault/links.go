package fault

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/crossguard/crossguard/testbench/proc"
)

// Links is what a nemesis cuts and slows: the fault proxies of Network
// for processes, or the Docker networks of containers (ContainerLinks).
type Links interface {
	// Isolate cuts every link between the group and the other nodes.
	Isolate(group ...string) error
	// Slow adds latency to every link of a node, each way (or slows them
	// as the network can), and says how.
	Slow(id string, d time.Duration) (string, error)
	// Heal mends every link.
	Heal() error
}

// ContainerLinks cuts and slows the links of a cluster of containers
// (proc.Containers) as a real network would be cut: a node is
// disconnected from the cluster's raft network (`docker network
// disconnect`; its officers still reach it on the lan network), and a
// slow link is a netem delay on the node's raft interface, set from the
// host inside the container's network namespace (nsenter, tc), since an
// image FROM scratch holds no tools.
type ContainerLinks struct {
	c  *proc.Cluster
	ct *proc.Containers

	mu       sync.Mutex
	isolated map[string]bool
	slowed   map[string]bool
}

// NewContainerLinks returns the links of a cluster run as containers.
func NewContainerLinks(c *proc.Cluster, ct *proc.Containers) *ContainerLinks {
	return &ContainerLinks{c: c, ct: ct, isolated: map[string]bool{}, slowed: map[string]bool{}}
}

// Isolate disconnects each node of the group from the raft network (a
// group of more than one is cut from itself too: the nemesis isolates one
// node at a time).
func (l *ContainerLinks) Isolate(group ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range group {
		n := l.c.Node(id)
		if n == nil {
			return fmt.Errorf("fault: no node %s", id)
		}
		if err := l.ct.Disconnect(context.Background(), n); err != nil {
			return fmt.Errorf("isolate %s: %w", id, err)
		}
		l.isolated[id] = true
	}
	return nil
}

// thinUplink is the rate a slow link is throttled to where the kernel
// has no netem to delay packets: a remote post's thin uplink.
const thinUplink = "256kbit"

// Slow delays every packet the node sends on the raft network by twice
// d (a round trip with it is slowed as d each way would), with netem.
// Where the kernel has no netem (this project's VM has none), it
// throttles the node's raft link to a thin uplink instead (tbf), which
// slows every exchange that carries more than a few packets.
func (l *ContainerLinks) Slow(id string, d time.Duration) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.c.Node(id)
	if n == nil {
		return "", fmt.Errorf("fault: no node %s", id)
	}
	pid, dev, err := l.raftInterface(n)
	if err != nil {
		return "", err
	}
	tc := func(args ...string) ([]byte, error) {
		return inNetns(pid, append([]string{"tc", "qdisc", "replace", "dev", dev, "root"}, args...)...)
	}
	how := fmt.Sprintf("+%s each way (netem)", d)
	out, err := tc("netem", "delay", fmt.Sprintf("%dms", (2*d).Milliseconds()))
	if err != nil && strings.Contains(string(out), "qdisc kind is unknown") {
		how = "throttled to " + thinUplink + "/s (tbf; the kernel has no netem)"
		out, err = tc("tbf", "rate", thinUplink, "burst", "16kbit", "latency", "2s")
	}
	if err != nil {
		return "", fmt.Errorf("slow %s: %v: %s", id, err, out)
	}
	l.slowed[id] = true
	return how, nil
}

// inNetns runs a host command (ip, tc) inside a process's network
// namespace: an image FROM scratch has no tools of its own.
func inNetns(pid int, args ...string) ([]byte, error) {
	return exec.Command("nsenter", append([]string{"-t", fmt.Sprint(pid), "-n"}, args...)...).CombinedOutput()
}

// raftInterface finds the container's process and its interface on the
// raft network (by its address).
func (l *ContainerLinks) raftInterface(n *proc.Node) (int, string, error) {
	pid := n.PID()
	if pid == 0 {
		return 0, "", fmt.Errorf("fault: %s is not running", n.ID)
	}
	out, err := inNetns(pid, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		return 0, "", fmt.Errorf("the interfaces of %s: %v: %s", n.ID, err, out)
	}
	ip := l.ct.RaftIP(n)
	for _, line := range strings.Split(string(out), "\n") {
		// "2: eth0    inet 10.213.7.10/24 brd … scope global eth0"
		f := strings.Fields(line)
		if len(f) >= 4 && strings.HasPrefix(f[3], ip+"/") {
			return pid, strings.TrimSuffix(f[1], ":"), nil
		}
	}
	return 0, "", fmt.Errorf("%s has no interface on the raft network (%s)", n.ID, ip)
}

// Heal reconnects the isolated nodes at their addresses and removes the
// delays.
func (l *ContainerLinks) Heal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []string
	for id := range l.slowed {
		if pid, dev, err := l.raftInterface(l.c.Node(id)); err == nil {
			inNetns(pid, "tc", "qdisc", "del", "dev", dev, "root")
		}
		delete(l.slowed, id)
	}
	for id := range l.isolated {
		if err := l.ct.Connect(context.Background(), l.c.Node(id)); err != nil {
			errs = append(errs, fmt.Sprintf("reconnect %s: %v", id, err))
			continue
		}
		delete(l.isolated, id)
	}
	if len(errs) > 0 {
		return fmt.Errorf("heal: %s", strings.Join(errs, "; "))
	}
	return nil
}
