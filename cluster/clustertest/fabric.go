// Package clustertest holds test helpers for clusters: a loopback TCP
// network that can cut a node off at the transport.
package clustertest

import (
	"context"
	"fmt"
	"net"
	"sync"
)

// Fabric is a real TCP network on loopback that can cut a node off: it
// closes the node's connections and refuses new ones, both ways, at the
// transport (raft never knows why).
type Fabric struct {
	mu       sync.Mutex
	owner    map[string]string // listening address -> node
	dialer   map[string]string // local address of a dialled connection -> node
	isolated map[string]bool
	conns    map[string]map[net.Conn]bool // node -> its open connections
}

// NewFabric is a network where no node is cut off.
func NewFabric() *Fabric {
	return &Fabric{owner: map[string]string{}, dialer: map[string]string{}, isolated: map[string]bool{},
		conns: map[string]map[net.Conn]bool{}}
}

func (f *Fabric) track(c net.Conn, nodes ...string) {
	for _, n := range nodes {
		if f.conns[n] == nil {
			f.conns[n] = map[net.Conn]bool{}
		}
		f.conns[n][c] = true
	}
}

// Isolate cuts the node off from every other.
func (f *Fabric) Isolate(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.isolated[id] = true
	for c := range f.conns[id] {
		c.Close()
	}
	f.conns[id] = nil
}

// Heal reconnects the node.
func (f *Fabric) Heal(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.isolated, id)
}

// Net is one node's side of the fabric (a cluster.Network).
type Net struct {
	f  *Fabric
	id string
}

// Node is the network of the node with the given ID.
func (f *Fabric) Node(id string) Net { return Net{f: f, id: id} }

// Listen listens on loopback TCP.
func (n Net) Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	n.f.mu.Lock()
	n.f.owner[ln.Addr().String()] = n.id
	n.f.mu.Unlock()
	return fabricListener{Listener: ln, n: n}, nil
}

// Dial dials, unless either end is cut off.
func (n Net) Dial(ctx context.Context, addr string) (net.Conn, error) {
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
	n Net
}

// Accept drops connections from cut-off nodes.
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

// Isolated reports whether the node is cut off.
func (f *Fabric) Isolated(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.isolated[id]
}
