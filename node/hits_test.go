package node

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// The live feed delivers a hit committed after it was opened, with its
// seq as the event ID; reopening after that ID delivers nothing twice;
// stopping the node ends the stream.
func TestLiveHitFeed(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	g := testbench.NewGenerator(12, testNow)
	a := g.Alert(4)
	if _, err := n.UpsertAlerts(tn.ctx(), []watchlist.Alert{a}); err != nil {
		t.Fatal(err)
	}
	analyst := tokenFor(t, n, watchlist.RoleAnalyst)
	open := func(after string) (*bufio.Scanner, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.HTTPAddr()+"/v1/hits/stream", nil)
		req.Header.Set("Authorization", "Bearer "+analyst)
		if after != "" {
			req.Header.Set("Last-Event-ID", after)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return bufio.NewScanner(resp.Body), func() { cancel(); resp.Body.Close() }
	}
	// next reads the next hit event's id and data.
	next := func(sc *bufio.Scanner) (id, data string) {
		lines := make(chan [2]string, 1)
		go func() {
			var id, data string
			for sc.Scan() {
				l := sc.Text()
				switch {
				case strings.HasPrefix(l, "id: "):
					id = l[4:]
				case strings.HasPrefix(l, "data: "):
					data = l[6:]
				case l == "" && data != "":
					lines <- [2]string{id, data}
					return
				}
			}
			close(lines)
		}()
		select {
		case l, ok := <-lines:
			if !ok {
				return "", ""
			}
			return l[0], l[1]
		case <-time.After(20 * time.Second):
			t.Fatal("no hit event")
		}
		return "", ""
	}
	sc, closeStream := open("")
	in := inspect(t, n, watchlist.Party{Direction: watchlist.Exit, At: testNow,
		Travellers: []watchlist.Member{g.Presented(4, testbench.VariantExact)}})
	id, data := next(sc)
	if id != "1" || !strings.Contains(data, a.ID) || !strings.Contains(data, in.CrossingID) {
		t.Fatalf("event %s: %s", id, data)
	}
	closeStream()

	// Reopened after that event: only what came later.
	sc, closeStream = open(id)
	defer closeStream()
	inspect(t, n, watchlist.Party{Direction: watchlist.Exit, At: testNow,
		Travellers: []watchlist.Member{g.Presented(4, testbench.VariantExact)}})
	if id2, _ := next(sc); id2 != "2" {
		t.Fatalf("after reconnecting: event %s, want 2", id2)
	}
	// Closing the node ends the stream: the drain does not wait for it
	// until the shutdown timeout (20 s), which would show as a drain
	// error.
	if err := n.Close(); err != nil {
		t.Fatalf("close with an open stream: %v", err)
	}
	delete(tn.nodes, "centre-1")
}

func TestMetrics(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	g := testbench.NewGenerator(13, testNow)
	inspect(t, n, g.Family(watchlist.Exit, testNow))
	code, body := callAs(t, n, tokenFor(t, n, watchlist.RoleAdmin), http.MethodGet, "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("metrics: %d %s", code, body)
	}
	for _, want := range []string{`crossguard_inspections_total{verdict="clear"} 1`, "crossguard_inspection_seconds_count 1",
		"crossguard_raft_leader 1", "crossguard_outbox_crossings", "crossguard_bloom_bytes", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
