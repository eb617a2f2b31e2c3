// Package borderday runs a border day against a cluster of real
// processes: a generated watchlist loaded through raft, and the day's
// parties (families, escorted children, returns, scanned passports, and
// people on the watchlist presented with typos and transliteration
// variants) sent open-loop to every post with the day's morning and
// evening peaks compressed into the run. Each traveller carries the
// ground truth, so the run scores the cluster's answers: recall, false
// alarms per 10,000 innocent travellers, and the missed children by
// name, beside throughput and latency.
package borderday

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/load"
	"github.com/crossguard/crossguard/testbench/proc"
)

// Options describe a border day.
type Options struct {
	// Alerts in the watchlist (crossguard serve --demo-alerts).
	Alerts int `json:"alerts"`
	// Posts answer the inspections (one operations centre leads).
	Posts int `json:"posts"`
	// Rate is the day's mean inspections per second over all posts;
	// Duration the day compressed.
	Rate     float64       `json:"rate"`
	Duration time.Duration `json:"duration"`
	Holiday  bool          `json:"holiday"`
	Mix      testbench.Mix `json:"mix"`
	Seed     uint64        `json:"seed"`
}

// Validate names every option that cannot make a border day.
func (o Options) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if o.Alerts < 1 {
		bad("alerts: %d, must be at least 1", o.Alerts)
	}
	if o.Posts < 1 {
		bad("posts: %d, must be at least 1", o.Posts)
	}
	if o.Rate <= 0 {
		bad("rate: %v, must be positive", o.Rate)
	}
	if o.Duration <= 0 {
		bad("duration: %v, must be positive", o.Duration)
	}
	if err := o.Mix.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Result is a border day: the load's figures and the score.
type Result struct {
	Options Options         `json:"options"`
	Loaded  time.Duration   `json:"loaded"` // the watchlist, through raft
	Load    load.Result     `json:"load"`
	Score   testbench.Score `json:"score"`
}

// Run starts the cluster from binary in dir, loads the watchlist, runs
// the day and stops the cluster.
func Run(ctx context.Context, binary, dir string, o Options, logf func(string, ...any)) (Result, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	res := Result{Options: o}
	if err := o.Validate(); err != nil {
		return res, err
	}
	start := time.Now()
	c, err := proc.Start(ctx, proc.Options{Binary: binary, Dir: dir, Voters: 1, Posts: o.Posts,
		Args: []string{"--demo", "--demo-alerts", strconv.Itoa(o.Alerts)}})
	if err != nil {
		return res, err
	}
	defer c.Close()
	if err := c.WaitDemo(ctx); err != nil {
		return res, err
	}
	if err := c.WaitConverged(ctx); err != nil {
		return res, err
	}
	res.Loaded = time.Since(start)
	logf("%d alerts loaded through raft and replicated to %d posts in %s", o.Alerts, o.Posts, res.Loaded.Round(time.Second))

	// The day's parties, generated before the run so that generating
	// them does not slow the arrivals. The watchlist is the demo's:
	// alerts of testbench.DemoSeed, generated today.
	now := time.Now().UTC()
	mix := o.Mix
	mix.Alerts = o.Alerts
	traffic := testbench.NewTraffic(testbench.DemoSeed, o.Seed, now, mix)
	n := int(o.Rate * o.Duration.Seconds())
	crossings := make([]testbench.Crossing, n)
	bodies := make([][]byte, n)
	for i := range crossings {
		crossings[i] = traffic.Next(now)
		if bodies[i], err = json.Marshal(crossings[i].Request); err != nil {
			return res, err
		}
	}
	var targets []load.Target
	for _, nd := range c.Nodes {
		if !nd.Voter {
			targets = append(targets, load.Target{URL: nd.URL() + "/v1/inspections", Token: c.OfficerToken(nd.ID)})
		}
	}
	var mu sync.Mutex
	var score testbench.Score
	day := testbench.DayProfile{Holiday: o.Holiday}
	cfg := load.Config{Rate: o.Rate, Duration: o.Duration, Targets: targets, Profile: day.At,
		Body: func(i int) []byte { return bodies[i] },
		Answer: func(i int, body []byte) {
			var a api.Inspection
			if err := json.Unmarshal(body, &a); err != nil {
				return
			}
			hits := make([][]string, len(a.Travellers))
			for j, t := range a.Travellers {
				for _, h := range t.Hits {
					hits[j] = append(hits[j], h.AlertID)
				}
			}
			mu.Lock()
			score.Judge(crossings[i], hits)
			mu.Unlock()
		}}
	logf("border day: %d parties over %s at %.0f/s on average (peaks %.1f×) to %d posts", n, o.Duration, o.Rate, day.At(8.5/24), o.Posts)
	if res.Load, err = load.Run(ctx, cfg); err != nil {
		return res, err
	}
	res.Score = score
	logf("%v", res.Load)
	logf("recall %.3f of %d people on alerts (%d children missed); %.1f false alarms per 10,000 innocent travellers",
		score.Recall(), score.Wanted, len(score.MissedChildren), score.FalseAlarmsPer10k())
	return res, nil
}

// Save writes the result as JSON (borderday.json) in dir, for the report.
func (r Result) Save(dir string) (string, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, "borderday.json")
	return file, os.WriteFile(file, b, 0o644)
}
