package fault

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(c net.Conn, msg string) (string, error) {
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	return line[:len(line)-1], nil
}

// This test process plays node "a"; the echo server is node "b".
func newTestNetwork(t *testing.T) (*Network, string) {
	t.Helper()
	n := NewNetwork()
	t.Cleanup(n.Close)
	addr, err := n.Front("b", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "c"} {
		if _, err := n.Front(id, echoServer(t)); err != nil {
			t.Fatal(err)
		}
	}
	self := os.Getpid()
	n.Processes(func() map[int]string { return map[int]string{self: "a"} })
	return n, addr
}

func TestNetworkForwardsAndIdentifiesTheDialer(t *testing.T) {
	n, addr := newTestNetwork(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(c, "hello"); err != nil || got != "hello" {
		t.Fatalf("round trip: %q %v", got, err)
	}
	n.mu.Lock()
	var from []string
	for pp := range n.proxies["b"].conns {
		from = append(from, pp.from)
	}
	n.mu.Unlock()
	if len(from) != 1 || from[0] != "a" {
		t.Fatalf("the proxy saw connections from %q, want [a]", from)
	}
}

func TestIsolateBreaksOpenLinksAndHoldsNewOnes(t *testing.T) {
	n, addr := newTestNetwork(t)
	open, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if _, err := roundTrip(open, "before"); err != nil {
		t.Fatal(err)
	}
	n.Isolate("a")
	if !n.Cut("a", "b") || !n.Cut("b", "a") || n.Cut("b", "c") {
		t.Fatal("Isolate(a) must cut a–b and a–c, and nothing between b and c")
	}
	if _, err := roundTrip(open, "after"); err == nil {
		t.Fatal("a connection open across the cut still carries data")
	}

	// A new connection is accepted (the kernel completes it) but nothing
	// comes back: the dialer waits, as across a real partition. Heal
	// closes it without an answer ever having been sent.
	held, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, err := held.Write([]byte("lost\n")); err != nil {
		t.Fatal(err)
	}
	for heldConns(n, "b") == 0 { // wait until the proxy holds it
		time.Sleep(time.Millisecond) // polling the proxy's state, not a timing assumption
	}
	n.Heal()
	b, err := io.ReadAll(held)
	if len(b) != 0 || (err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err)) {
		t.Fatalf("a held connection answered %q (%v)", b, err)
	}
	healed, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer healed.Close()
	if got, err := roundTrip(healed, "healed"); err != nil || got != "healed" {
		t.Fatalf("after Heal: %q %v", got, err)
	}
}

func heldConns(n *Network, id string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	held := 0
	for pp := range n.proxies[id].conns {
		if pp.server == nil {
			held++
		}
	}
	return held
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

func TestConnectionsFromOutsideTheClusterAreNeverCut(t *testing.T) {
	n, addr := newTestNetwork(t)
	n.Processes(func() map[int]string { return nil }) // the dialer is no node
	n.Isolate("b")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(c, "probe"); err != nil || got != "probe" {
		t.Fatalf("the harness's own connection was cut: %q %v", got, err)
	}
}

func TestSlowAddsLatencyEachWay(t *testing.T) {
	n, addr := newTestNetwork(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n.Slow("a", 100*time.Millisecond)
	start := time.Now()
	if _, err := roundTrip(c, "slow"); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt < 200*time.Millisecond {
		t.Fatalf("round trip over a link slowed by 100 ms each way took %v", rtt)
	}
	n.Heal()
}

// A connection opened before the network knew the nodes' processes (as
// while a cluster starts) is still cut when its dialer is isolated.
func TestIsolateCutsConnectionsOpenedBeforeTheProcessesWereKnown(t *testing.T) {
	n, addr := newTestNetwork(t)
	n.Processes(nil)
	early, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	if _, err := roundTrip(early, "early"); err != nil {
		t.Fatal(err)
	}
	self := os.Getpid()
	n.Processes(func() map[int]string { return map[int]string{self: "a"} })
	n.Isolate("a")
	if _, err := roundTrip(early, "cut"); err == nil {
		t.Fatal("a connection opened before the processes were known survived the cut")
	}
}

// The soak's schedule is drawn from its seed: every kind of fault, as
// long as asked, the same for the same seed.
func TestSoakScheduleCoversEveryFault(t *testing.T) {
	s := Soak(4*time.Hour, 7)
	if total := s.total(); total < 4*time.Hour || total > 4*time.Hour+2*time.Minute {
		t.Fatalf("a 4-hour soak schedules %s", total)
	}
	kinds := map[Kind]int{}
	for _, f := range s.Faults {
		kinds[f.Kind]++
		if f.Hold <= 0 || f.Pause <= 0 || ((f.Kind == SlowPost || f.Kind == SlowLeader) != (f.Delay > 0)) {
			t.Fatalf("fault %+v", f)
		}
	}
	if len(kinds) != len(Kinds) {
		t.Fatalf("kinds drawn: %v", kinds)
	}
	again := Soak(4*time.Hour, 7)
	if len(again.Faults) != len(s.Faults) || again.Faults[10] != s.Faults[10] {
		t.Fatal("the same seed drew another schedule")
	}
}
