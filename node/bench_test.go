package node

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// BenchmarkInspectHTTP sends single-traveller inspections to one real
// node over HTTP from parallel clients (closed loop: a first figure; the
// testbench's open-loop generator is issue 5). Each inspection is
// authenticated, answered from the store, recorded in the outbox and
// audited.
// go test -run NONE -bench InspectHTTP -benchtime 5s -count 3 ./node/
func BenchmarkInspectHTTP(b *testing.B) {
	b.StopTimer()
	n := newBenchNode(b)
	g := testbench.NewGenerator(21, testNow)
	if _, err := n.UpsertAlerts(b.Context(), g.Alerts(0, 2000)); err != nil {
		b.Fatal(err)
	}
	_, secret, err := n.CreateToken(b.Context(), watchlist.RoleOfficer, "bench", "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	for i := 0; i < 512; i++ {
		body, _ := json.Marshal(testbench.Request(g.Solo(watchlist.Exit, testNow)))
		bodies = append(bodies, body)
	}
	url := "http://" + n.HTTPAddr() + "/v1/inspections"
	var next atomic.Int64
	b.SetParallelism(8)
	b.StartTimer()
	b.RunParallel(func(pb *testing.PB) {
		client := &http.Client{}
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[next.Add(1)%int64(len(bodies))]))
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			var buf [4096]byte
			for {
				if _, err := resp.Body.Read(buf[:]); err != nil {
					break
				}
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inspections/s")
}

// newBenchNode starts a single-voter node in a temporary directory and
// waits until it leads.
func newBenchNode(b *testing.B) *Node {
	b.Helper()
	cfg := DefaultConfig()
	cfg.ID, cfg.DataDir, cfg.HTTPAddr, cfg.RaftAddr = "bench", b.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	cfg.RateLimit = 0 // the benchmark is one token at full speed
	n, err := Start(cfg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	if _, err := n.Cluster().WaitForLeader(b.Context()); err != nil {
		b.Fatal(err)
	}
	for !n.Cluster().IsLeader() || n.Ready() != nil {
		if err := n.Cluster().Barrier(b.Context(), "leader"); err != nil {
			b.Fatal(err)
		}
	}
	return n
}
