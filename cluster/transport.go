package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Network is how a node listens and dials. The default is plain TCP;
// tests put a network in between that can cut a node off.
type Network interface {
	Listen(addr string) (net.Listener, error)
	Dial(ctx context.Context, addr string) (net.Conn, error)
}

// TCP is the real network.
type TCP struct{}

// Listen listens on a TCP address.
func (TCP) Listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// Dial dials a TCP address.
func (TCP) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// One port carries both raft and the cluster's own requests (forwarded
// changes, joins, status): the first byte of a connection says which.
const (
	protoRaft byte = 'R'
	protoRPC  byte = 'C'
)

// mux accepts connections on the raft port, runs TLS on them when
// configured, and hands each to raft or to the request handler.
type mux struct {
	ln        net.Listener
	advertise net.Addr
	network   Network
	serverTLS *tls.Config
	clientTLS *tls.Config
	log       *slog.Logger

	raftConns chan net.Conn
	handleRPC func(net.Conn)

	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

func newMux(ln net.Listener, advertise string, network Network, serverTLS, clientTLS *tls.Config, log *slog.Logger) (*mux, error) {
	adv, err := net.ResolveTCPAddr("tcp", advertise)
	if err != nil {
		return nil, fmt.Errorf("advertise address %q: %w", advertise, err)
	}
	if adv.IP == nil || adv.IP.IsUnspecified() {
		return nil, fmt.Errorf("advertise address %q: must be an address other nodes can reach", advertise)
	}
	return &mux{ln: ln, advertise: adv, network: network, serverTLS: serverTLS, clientTLS: clientTLS, log: log,
		raftConns: make(chan net.Conn), done: make(chan struct{})}, nil
}

func (m *mux) serve() {
	m.wg.Add(1)
	defer m.wg.Done()
	for {
		c, err := m.ln.Accept()
		if err != nil {
			select {
			case <-m.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			m.log.Error("raft port: accept", "err", err)
			return
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.route(c)
		}()
	}
}

// route reads the protocol byte (after the TLS handshake) and hands the
// connection over; a peer that says nothing in time is dropped.
func (m *mux) route(c net.Conn) {
	if m.serverTLS != nil {
		c = tls.Server(c, m.serverTLS)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		m.log.Warn("raft port: connection dropped before it said what it is", "remote", c.RemoteAddr(), "err", err)
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	switch b[0] {
	case protoRaft:
		select {
		case m.raftConns <- c:
		case <-m.done:
			c.Close()
		}
	case protoRPC:
		m.handleRPC(c)
	default:
		m.log.Warn("raft port: unknown protocol", "remote", c.RemoteAddr(), "byte", b[0])
		c.Close()
	}
}

// dial connects to a peer's raft port for the given protocol.
func (m *mux) dial(ctx context.Context, addr string, proto byte) (net.Conn, error) {
	c, err := m.network.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if m.clientTLS != nil {
		cfg := m.clientTLS.Clone()
		if cfg.ServerName == "" {
			host, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = host
		}
		tc := tls.Client(c, cfg)
		if dl, ok := ctx.Deadline(); ok {
			tc.SetDeadline(dl)
		}
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, fmt.Errorf("tls with %s: %w", addr, err)
		}
		tc.SetDeadline(time.Time{})
		c = tc
	}
	if _, err := c.Write([]byte{proto}); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (m *mux) close() error {
	var err error
	m.closeOnce.Do(func() {
		close(m.done)
		err = m.ln.Close()
	})
	return err
}

// raftLayer is the raft.StreamLayer of the mux.
type raftLayer struct{ m *mux }

var _ raft.StreamLayer = raftLayer{}

func (l raftLayer) Accept() (net.Conn, error) {
	select {
	case c := <-l.m.raftConns:
		return c, nil
	case <-l.m.done:
		return nil, net.ErrClosed
	}
}

func (l raftLayer) Close() error   { return l.m.close() }
func (l raftLayer) Addr() net.Addr { return l.m.advertise }

func (l raftLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return l.m.dial(ctx, string(address), protoRaft)
}
