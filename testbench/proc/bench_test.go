package proc

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// percentile of sorted durations, in milliseconds.
func percentileMS(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

// BenchmarkProcessVisibility measures, on 3 voters and 10 post replicas
// running as separate processes with the default raft timeouts, the time
// from sending an alert change to the leader until every one of the 10
// replicas answers it from its own copy. It is measured from the send,
// not from the commit (an upper bound): each replica is polled every
// millisecond while the change is written.
// go test -run NONE -bench ProcessVisibility -benchtime 200x ./testbench/proc/
func BenchmarkProcessVisibility(b *testing.B) {
	c := startCluster(b, 3, 10)
	ctx := context.Background()
	leader, err := c.Leader(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var posts []*Node
	for _, n := range c.Nodes {
		if !n.Voter {
			posts = append(posts, n)
		}
	}
	g := testbench.NewGenerator(11, now)
	var all, every []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := g.Alert(i)
		seen := make([]time.Duration, len(posts))
		var wg sync.WaitGroup
		start := time.Now()
		for k, p := range posts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Since(start) < 30*time.Second {
					code, _, err := p.Do(ctx, http.MethodGet, "/v1/alerts/"+a.ID, nil, nil)
					if err == nil && code == http.StatusOK {
						seen[k] = time.Since(start)
						return
					}
					time.Sleep(time.Millisecond) // polling interval of the probe
				}
				seen[k] = 30 * time.Second
			}()
		}
		if code, body, err := leader.Do(ctx, http.MethodPost, "/v1/alerts", a, nil); err != nil || code != http.StatusCreated {
			b.Fatalf("write: %d %s %v", code, body, err)
		}
		wg.Wait()
		all = append(all, seen...)
		every = append(every, slices.Max(seen))
	}
	b.StopTimer()
	slices.Sort(all)
	slices.Sort(every)
	b.ReportMetric(percentileMS(every, 0.5), "all10-p50-ms")
	b.ReportMetric(percentileMS(every, 0.99), "all10-p99-ms")
	b.ReportMetric(percentileMS(every, 1), "all10-max-ms")
	b.ReportMetric(percentileMS(all, 0.5), "each-p50-ms")
	b.ReportMetric(percentileMS(all, 0.99), "each-p99-ms")
}

// BenchmarkProcessFailover kills (SIGKILL) the leader of 3 voters with 2
// posts, all separate processes with the default raft timeouts, while
// both posts inspect without pause, and measures the time from the kill
// to the next committed alert write (sent through the surviving voters),
// and counts the inspections that failed meanwhile. Each iteration
// restarts the killed voter and waits for convergence before the next.
// go test -run NONE -bench ProcessFailover -benchtime 10x ./testbench/proc/
func BenchmarkProcessFailover(b *testing.B) {
	c := startCluster(b, 3, 2)
	ctx := context.Background()
	var inspected, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, n := range c.Nodes {
		if n.Voter {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := testbench.NewGenerator(uint64(200+i), now)
			for {
				select {
				case <-stop:
					return
				default:
				}
				var in api.Inspection
				code, _, err := n.Do(ctx, http.MethodPost, "/v1/inspections", testbench.Request(g.Solo(watchlist.Exit, now)), &in)
				inspected.Add(1)
				if err != nil || code != http.StatusOK {
					failed.Add(1)
				}
			}
		}()
	}
	g := testbench.NewGenerator(12, now)
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		leader, err := c.Leader(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var survivors []*Node
		for _, n := range c.Nodes {
			if n.Voter && n != leader {
				survivors = append(survivors, n)
			}
		}
		start := time.Now()
		if err := leader.Kill(); err != nil {
			b.Fatal(err)
		}
		for k := 0; ; k++ {
			code, _, err := survivors[k%2].Do(ctx, http.MethodPost, "/v1/alerts", g.Alert(i), nil)
			if err == nil && (code == http.StatusCreated || code == http.StatusConflict) {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("no write committed a minute after the leader was killed: %d %v", code, err)
			}
		}
		took = append(took, time.Since(start))
		b.StopTimer()
		if err := leader.Restart(); err != nil {
			b.Fatal(err)
		}
		if err := leader.WaitReady(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.WaitConverged(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	slices.Sort(took)
	b.ReportMetric(percentileMS(took, 0.5), "failover-p50-ms")
	b.ReportMetric(percentileMS(took, 1), "failover-max-ms")
	b.ReportMetric(float64(failed.Load()), "inspections-failed")
	b.ReportMetric(float64(inspected.Load()), "inspections")
}
