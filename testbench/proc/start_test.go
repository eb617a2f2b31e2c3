package proc

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestStartMovesANodeOffATakenPort takes the ports picked for the
// bootstrapping voter and for a post before they start, as another
// process's connection may: Start must move both to free ports instead
// of waiting for nodes that have exited.
func TestStartMovesANodeOffATakenPort(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	taken := map[string]string{}
	take := func(id, addr string) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("take %s of %s: %v", addr, id, err)
		}
		t.Cleanup(func() { ln.Close() })
		taken[id] = addr
	}
	c, err := Start(ctx, Options{Binary: binary, Dir: t.TempDir(), Voters: 1, Posts: 1,
		beforeStart: func(nodes []*Node) {
			take(nodes[0].ID, nodes[0].HTTP)
			take(nodes[1].ID, nodes[1].Raft)
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(taken) != 2 {
		t.Fatalf("took %v", taken)
	}
	for _, n := range c.Nodes {
		if n.HTTP == taken[n.ID] || n.Raft == taken[n.ID] {
			t.Errorf("%s still has the taken address %s", n.ID, taken[n.ID])
		}
		if _, err := n.View(ctx); err != nil {
			t.Errorf("%s: %v", n.ID, err)
		}
	}
}
