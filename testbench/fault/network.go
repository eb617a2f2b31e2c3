package fault

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Network is a TCP fault proxy in front of every node's raft port (which
// carries raft and the cluster's own requests: forwarded changes, the
// posts' outboxes, joins). A node advertises its proxy's address, so
// every byte between two nodes passes through the proxy of the node that
// was dialed, and the network can cut the link between any two nodes or
// slow it down, while the nodes run unchanged.
//
// A cut link behaves as a real partition does: the connections open on it
// break, and a new connection is accepted but never answered (a black
// hole), so the dialer finds out by its own timeouts, as it would in the
// field. The harness's own connections (not from a node) are never cut.
type Network struct {
	mu      sync.Mutex
	proxies map[string]*proxy
	cut     map[pair]bool
	delay   map[pair]time.Duration
	pids    func() map[int]string
	closed  bool
	wg      sync.WaitGroup
}

// pair is an unordered pair of node IDs.
type pair struct{ a, b string }

func pairOf(a, b string) pair {
	if a > b {
		a, b = b, a
	}
	return pair{a, b}
}

// NewNetwork returns an empty fault network: every link whole.
func NewNetwork() *Network {
	return &Network{proxies: map[string]*proxy{}, cut: map[pair]bool{}, delay: map[pair]time.Duration{}}
}

// proxy forwards connections to one node.
type proxy struct {
	id     string
	target string
	ln     net.Listener
	conns  map[*pipe]struct{}
}

// pipe is one connection through a proxy: from the dialing node (""
// when it is not a node, or not yet known; guarded by Network.mu) to the
// node behind the proxy.
type pipe struct {
	from, to       string
	client, server net.Conn // server is nil while the link is cut (held)
}

func (p *pipe) close() {
	p.client.Close()
	if p.server != nil {
		p.server.Close()
	}
}

// Front starts the proxy of a node whose raft port listens on target and
// returns the address the node must advertise (a loopback port of its
// own). It implements proc.Fronts.
func (n *Network) Front(id, target string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	p := &proxy{id: id, target: target, ln: ln, conns: map[*pipe]struct{}{}}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		ln.Close()
		return "", errors.New("fault: the network is closed")
	}
	n.proxies[id] = p
	n.mu.Unlock()
	n.wg.Add(1)
	go n.accept(p)
	return ln.Addr().String(), nil
}

// Processes tells the network how to find the nodes' processes (process
// ID → node ID, read at every new connection: a restarted node has a new
// process).
func (n *Network) Processes(pids func() map[int]string) {
	n.mu.Lock()
	n.pids = pids
	n.mu.Unlock()
}

func (n *Network) accept(p *proxy) {
	defer n.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		n.wg.Add(1)
		go n.open(p, c)
	}
}

// open identifies the dialer of a new connection and forwards it, or
// holds it unanswered while their link is cut.
func (n *Network) open(p *proxy, c net.Conn) {
	defer n.wg.Done()
	n.mu.Lock()
	pids := n.pids
	n.mu.Unlock()
	from := ""
	if pids != nil {
		from, _ = socketOwner(c.RemoteAddr().(*net.TCPAddr), c.LocalAddr().(*net.TCPAddr), pids())
	}
	pp := &pipe{from: from, to: p.id, client: c}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		c.Close()
		return
	}
	p.conns[pp] = struct{}{}
	held := from != "" && n.cut[pairOf(from, p.id)]
	n.mu.Unlock()
	if held {
		return // closed by Heal or Close
	}
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	n.mu.Lock()
	if err != nil || n.closed || (from != "" && n.cut[pairOf(from, p.id)]) {
		delete(p.conns, pp)
		n.mu.Unlock()
		c.Close()
		if server != nil {
			server.Close()
		}
		return
	}
	pp.server = server
	n.mu.Unlock()
	n.wg.Add(2)
	go n.forward(pp, c, server)
	go n.forward(pp, server, c)
}

// forward copies one direction of a pipe, each chunk delayed by the
// link's current delay (latency, not a bandwidth cap: chunks queue and
// go out when due).
func (n *Network) forward(pp *pipe, src, dst net.Conn) {
	defer n.wg.Done()
	type chunk struct {
		b   []byte
		due time.Time
	}
	queue := make(chan chunk, 256)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			k, err := src.Read(buf)
			if k > 0 {
				queue <- chunk{buf[:k], time.Now().Add(n.linkDelay(pp))}
			}
			if err != nil {
				return
			}
		}
	}()
	for ch := range queue {
		if d := time.Until(ch.due); d > 0 {
			time.Sleep(d) // the injected latency itself
		}
		if _, err := dst.Write(ch.b); err != nil {
			break
		}
	}
	pp.close()
	go func() { // let the reader end
		for range queue {
		}
	}()
	n.mu.Lock()
	for _, p := range n.proxies {
		delete(p.conns, pp)
	}
	n.mu.Unlock()
}

func (n *Network) linkDelay(pp *pipe) time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	if pp.from == "" {
		return 0
	}
	return n.delay[pairOf(pp.from, pp.to)]
}

// Isolate cuts every link between the group of nodes and the others (the
// group still talks within itself): a post cut off from its operations
// centres, or a leader alone in a minority.
func (n *Network) Isolate(group ...string) error {
	in := map[string]bool{}
	for _, id := range group {
		in[id] = true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.identify()
	for a := range n.proxies {
		for b := range n.proxies {
			if in[a] && !in[b] {
				n.cut[pairOf(a, b)] = true
			}
		}
	}
	// Break the connections open on the cut links.
	for _, p := range n.proxies {
		for pp := range p.conns {
			if pp.from != "" && n.cut[pairOf(pp.from, pp.to)] {
				pp.close()
				delete(p.conns, pp)
			}
		}
	}
	return nil
}

// Slow adds latency to every link of the node (each way).
func (n *Network) Slow(id string, d time.Duration) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.identify()
	for b := range n.proxies {
		if b != id {
			n.delay[pairOf(id, b)] = d
		}
	}
	return fmt.Sprintf("+%s each way", d), nil
}

// identify finds the dialers of the open connections not known to come
// from a node: those opened before the network knew the processes (while
// the cluster started), or by a process that was not yet listed. Called
// with n.mu held.
func (n *Network) identify() {
	if n.pids == nil {
		return
	}
	pids := n.pids()
	for _, p := range n.proxies {
		for pp := range p.conns {
			if pp.from == "" {
				pp.from, _ = socketOwner(pp.client.RemoteAddr().(*net.TCPAddr), pp.client.LocalAddr().(*net.TCPAddr), pids)
			}
		}
	}
}

// Heal mends every link: cuts and delays end, and the connections held
// on cut links are closed (their dialers open new ones).
func (n *Network) Heal() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut = map[pair]bool{}
	n.delay = map[pair]time.Duration{}
	for _, p := range n.proxies {
		for pp := range p.conns {
			if pp.server == nil {
				pp.close()
				delete(p.conns, pp)
			}
		}
	}
	return nil
}

// Cut reports whether the link between two nodes is cut.
func (n *Network) Cut(a, b string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cut[pairOf(a, b)]
}

// Close stops every proxy and closes every connection.
func (n *Network) Close() {
	n.mu.Lock()
	n.closed = true
	for _, p := range n.proxies {
		p.ln.Close()
		for pp := range p.conns {
			pp.close()
		}
		p.conns = map[*pipe]struct{}{}
	}
	n.mu.Unlock()
	n.wg.Wait()
}
