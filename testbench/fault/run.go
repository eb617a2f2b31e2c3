// Package fault runs a Crossguard cluster of real processes under load
// while a nemesis kills, cuts off and slows its nodes, then checks that
// the cluster kept every promise it made: no acknowledged alert change
// or crossing record lost or duplicated, no inspection refused at a post
// that was up, every node converged (and how long that took).
//
// The cluster is package proc's `crossguard serve` processes on
// loopback, the faults SIGKILL and a TCP fault proxy in front of every
// node's raft port (Network); or, with Scenario.Containers, the Docker
// Compose variant of the same cluster (proc.Containers: an image FROM
// scratch, private networks), the faults `docker kill -s KILL`, `docker
// network disconnect` and traffic control inside the containers' network
// namespaces (ContainerLinks). A run's Result holds the fault events, the
// traffic over time, each node's lag and the checker's Verdict, for the
// report.
package fault

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/crossguard/crossguard/testbench/proc"
)

// Scenario is a fault run.
type Scenario struct {
	Name   string `json:"name"`
	Voters int    `json:"voters"`
	Posts  int    `json:"posts"`
	// Rate is the inspections per second at each post.
	Rate float64 `json:"rate"`
	// Warmup is the load before the first fault; Faults follow in order.
	Warmup time.Duration `json:"warmup"`
	Faults []Fault       `json:"faults"`
	Seed   uint64        `json:"seed"`
	// Converge bounds the wait for the nodes to converge after the load.
	Converge time.Duration `json:"converge"`
	// Args are added to every node's serve command line.
	Args []string `json:"args,omitempty"`
	// Containers runs the cluster as containers of a Docker Compose
	// project (faults by docker kill, docker network disconnect and
	// netem) instead of processes behind fault proxies.
	Containers bool `json:"containers,omitempty"`
}

// fastFailover makes elections quick, so that a run spends its time
// under faults rather than waiting for timeouts.
var fastFailover = []string{"--heartbeat-timeout", "400ms", "--election-timeout", "400ms"}

// Short is the run CI does: three voters and two posts, every kind of
// fault once, about a minute of load.
func Short() Scenario {
	return Scenario{Name: "short", Voters: 3, Posts: 2, Rate: 20, Warmup: 3 * time.Second, Seed: 1,
		Converge: 2 * time.Minute, Args: fastFailover,
		Faults: []Fault{
			{Kind: KillLeader, Hold: 4 * time.Second, Pause: 2 * time.Second},
			{Kind: IsolatePost, Hold: 8 * time.Second, Pause: 3 * time.Second},
			{Kind: IsolateLeader, Hold: 5 * time.Second, Pause: 2 * time.Second},
			{Kind: SlowPost, Hold: 5 * time.Second, Delay: 150 * time.Millisecond, Pause: 2 * time.Second},
			{Kind: KillPost, Hold: 3 * time.Second, Pause: 3 * time.Second},
			{Kind: SlowLeader, Hold: 4 * time.Second, Delay: 100 * time.Millisecond, Pause: 3 * time.Second},
		}}
}

// Soak is a run for a person to start and leave: three voters and four
// posts under faults drawn at random (from the seed) until d has passed.
func Soak(d time.Duration, seed uint64) Scenario {
	s := Scenario{Name: "soak", Voters: 3, Posts: 4, Rate: 25, Warmup: 10 * time.Second, Seed: seed,
		Converge: 5 * time.Minute, Args: fastFailover}
	r := rand.New(rand.NewPCG(seed, 0x50a4))
	for total := s.Warmup; total < d; {
		f := Fault{Kind: Kinds[r.IntN(len(Kinds))], Hold: time.Duration(2+r.IntN(28)) * time.Second,
			Pause: time.Duration(5+r.IntN(55)) * time.Second}
		if f.Kind == SlowPost || f.Kind == SlowLeader {
			f.Delay = time.Duration(20+r.IntN(300)) * time.Millisecond
		}
		s.Faults = append(s.Faults, f)
		total += f.Hold + f.Pause
	}
	return s
}

// Result is a run: its scenario, what happened and what the checker
// found.
type Result struct {
	Scenario Scenario      `json:"scenario"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"` // of the load
	Events   []Event       `json:"events"`
	Samples  []Sample      `json:"samples"`
	Lags     []LagSample   `json:"lags"`
	// Latency of every answered inspection over the whole run, and its
	// distribution.
	P50     time.Duration `json:"p50"`
	P99     time.Duration `json:"p99"`
	P999    time.Duration `json:"p99_9"`
	Max     time.Duration `json:"max"`
	CDF     []CDFPoint    `json:"cdf"`
	Verdict Verdict       `json:"verdict"`
}

// CDFPoint is one point of a latency distribution: the share of
// inspections answered within Latency.
type CDFPoint struct {
	Quantile float64       `json:"quantile"` // 0–1
	Latency  time.Duration `json:"latency"`
}

// cdf samples a latency histogram (µs) every 5% up to 90%, then evenly
// in "nines" (90%, 99%, 99.9%, 99.99%), where the tail lives.
func cdf(h *hdrhistogram.Histogram) []CDFPoint {
	if h.TotalCount() == 0 {
		return nil
	}
	var qs []float64
	for q := 0; q < 90; q += 5 {
		qs = append(qs, float64(q)/100)
	}
	for k := 10; k <= 40; k++ {
		qs = append(qs, 1-math.Pow(10, -float64(k)/10)) // 0.9 … 0.9999
	}
	out := make([]CDFPoint, 0, len(qs)+1)
	for _, q := range qs {
		out = append(out, CDFPoint{Quantile: q, Latency: time.Duration(h.ValueAtQuantile(100*q)) * time.Microsecond})
	}
	return append(out, CDFPoint{Quantile: 1, Latency: time.Duration(h.Max()) * time.Microsecond})
}

// Run starts the scenario's cluster from binary in dir, runs the load
// and the faults, heals everything, checks, and stops the cluster. Its
// error is the harness's (a cluster that would not start); what the
// cluster did wrong is in the Result's Verdict. logf, when set, narrates.
func Run(ctx context.Context, binary, dir string, s Scenario, logf func(string, ...any)) (Result, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	res := Result{Scenario: s}
	opts := proc.Options{Binary: binary, Dir: dir, Voters: s.Voters, Posts: s.Posts, Args: s.Args}
	netw := NewNetwork()
	defer netw.Close()
	if s.Containers {
		image, err := proc.BuildImage(ctx, binary)
		if err != nil {
			return res, err
		}
		opts.Containers = &proc.Containers{Image: image}
		logf("cluster: containers of image %s (docker-compose project)", image)
	} else {
		opts.Fronts = netw
	}
	c, err := proc.Start(ctx, opts)
	if err != nil {
		return res, err
	}
	defer c.Close()
	var links Links = netw
	if s.Containers {
		links = NewContainerLinks(c, opts.Containers)
	} else {
		netw.Processes(c.PIDs)
	}

	width := time.Second
	if total := s.total(); total > 10*time.Minute {
		width = total / 600
	}
	h := newHistory(width)
	res.Started = h.start
	mon, stopMonitor := context.WithCancel(ctx)
	defer stopMonitor()
	var lags []LagSample
	var mwg sync.WaitGroup
	mwg.Add(1)
	go func() {
		defer mwg.Done()
		lags = monitor(mon, c, h, 500*time.Millisecond)
	}()
	w := StartWorkload(c, h, s.Rate, s.Seed, time.Now().UTC())
	logf("load: %.0f inspections/s at each of %d posts, alert changes through %d voters", s.Rate, s.Posts, s.Voters)
	nem := &nemesis{c: c, net: links, h: h}
	var ferr error
	if ferr = pause(ctx, s.Warmup); ferr == nil {
		for i, f := range s.Faults {
			if ferr = nem.inject(ctx, f); ferr != nil {
				break
			}
			ev := nem.events[len(nem.events)-1]
			logf("fault %d/%d: %s %s for %s %s", i+1, len(s.Faults), f.Kind, ev.Node, f.Hold, ev.Detail)
			if ferr = pause(ctx, f.Pause); ferr != nil {
				break
			}
		}
	}
	w.Stop()
	res.Duration = time.Since(h.start)
	if err := links.Heal(); err != nil {
		return res, err
	}
	// A fault cut short (ctx ended) may have left a node down.
	for _, nd := range c.Nodes {
		if !nd.Running() {
			if err := nd.Restart(); err != nil {
				return res, err
			}
		}
	}
	crossings, changes := h.Acknowledged()
	logf("load stopped after %s: %d inspections and %d alert changes acknowledged; checking", res.Duration.Round(time.Second), crossings, changes)
	res.Verdict = Check(ctx, c, h, s.Converge)
	stopMonitor()
	mwg.Wait()
	res.Events, res.Samples, res.Lags = nem.events, h.Samples(), lags
	lat := h.Latency()
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	res.P50, res.P99, res.P999, res.Max = us(lat.ValueAtQuantile(50)), us(lat.ValueAtQuantile(99)), us(lat.ValueAtQuantile(99.9)), us(lat.Max())
	res.CDF = cdf(lat)
	if ferr != nil {
		return res, fmt.Errorf("fault run cut short: %w", ferr)
	}
	logf("converged in %s: %d crossing records, %d alerts (%d in doubt); %d problems",
		res.Verdict.Converged.Round(time.Millisecond), res.Verdict.CrossingRecords, res.Verdict.Alerts, res.Verdict.AlertsInDoubt, len(res.Verdict.Problems))
	return res, nil
}

func (s Scenario) total() time.Duration {
	t := s.Warmup
	for _, f := range s.Faults {
		t += f.Hold + f.Pause
	}
	return t
}

func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d): // load runs meanwhile
		return nil
	}
}

// Save writes the result as JSON in dir (faults-<name>.json), for the
// report.
func (r Result) Save(dir string) (string, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, "faults-"+r.Scenario.Name+".json")
	return file, os.WriteFile(file, b, 0o644)
}
