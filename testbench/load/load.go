// Package load is an open-loop HTTP load generator: requests are sent at
// a fixed arrival rate whatever the server does, so a slow server cannot
// slow the generator down and hide its queue (coordinated omission).
// Each latency is measured from the moment the request was due, not from
// when it was sent, and recorded in an HDR histogram.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Config is one run: Rate requests per second for Duration, each a POST
// of Body(i) to URL with a bearer token.
type Config struct {
	URL      string
	Token    string
	Rate     float64
	Duration time.Duration
	// Targets, when set, spread the requests over several nodes (the
	// posts of a cluster, each with its officer's token): request i goes
	// to Targets[i % len(Targets)]. URL and Token are then unused.
	Targets []Target
	// Profile, when set, shapes the arrivals: at a fraction f of the run
	// (0–1) requests arrive at Rate × Profile(f), so that Rate is the
	// mean (a border day's morning and evening peaks compressed into the
	// run; see testbench.DayProfile). Profile should average 1.
	Profile func(f float64) float64
	// Body returns the i-th request's body (called from many goroutines).
	Body func(i int) []byte
	// Answer, when set, receives the body of every 200 answer (called
	// from many goroutines): how a run checks what the server said.
	Answer func(i int, body []byte)
	// MaxInFlight bounds the requests outstanding at once (default
	// 1,000, each on its own connection at most); a request due when the bound is reached counts as an
	// error, so an overloaded server shows as errors, not as a slower
	// generator.
	MaxInFlight int
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
	// Client is the HTTP client (default: keep-alive connections,
	// enough per host for MaxInFlight).
	Client *http.Client
	// Server, when set, is called by Search after each run; what it says
	// (e.g. the server's own latency over the run, from its metrics) is
	// kept in the run's Result.Server, beside what the generator measured.
	Server func() string
}

// Target is one node a run sends requests to.
type Target struct {
	URL, Token string
}

// Result is what a run measured.
type Result struct {
	Rate      float64       `json:"rate"`
	Duration  time.Duration `json:"duration"`
	Sent      int64         `json:"sent"`
	OK        int64         `json:"ok"`
	Errors    int64         `json:"errors"`
	Shed      int64         `json:"shed"` // due while MaxInFlight were outstanding
	Achieved  float64       `json:"achieved_per_second"`
	P50       time.Duration `json:"p50"`
	P99       time.Duration `json:"p99"`
	P999      time.Duration `json:"p99_9"`
	Max       time.Duration `json:"max"`
	FirstErr  string        `json:"first_error,omitempty"`
	Server    string        `json:"server,omitempty"`
	histogram *hdrhistogram.Histogram
}

// Histogram is the run's latency histogram (microseconds).
func (r Result) Histogram() *hdrhistogram.Histogram { return r.histogram }

func (r Result) String() string {
	s := fmt.Sprintf("rate %.0f/s for %s: %d ok, %d errors, %d shed; achieved %.0f/s; p50 %s p99 %s p99.9 %s max %s",
		r.Rate, r.Duration, r.OK, r.Errors, r.Shed, r.Achieved, r.P50, r.P99, r.P999, r.Max)
	if r.FirstErr != "" {
		s += "; first error: " + r.FirstErr
	}
	if r.Server != "" {
		s += "; server: " + r.Server
	}
	return s
}

// Run sends the load and waits for every request to end.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 || cfg.Body == nil || (cfg.URL == "" && len(cfg.Targets) == 0) {
		return Result{}, errors.New("load: a URL (or targets), a body, a positive rate and a duration are required")
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 1000
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	client := cfg.Client
	if client == nil {
		// This run's connections end with it: left open, they would
		// count against the server's connection bound in the next run.
		defer func() { client.CloseIdleConnections() }()
		client = &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        cfg.MaxInFlight,
			MaxIdleConnsPerHost: cfg.MaxInFlight,
			MaxConnsPerHost:     cfg.MaxInFlight,
			IdleConnTimeout:     time.Minute,
		}}
	}
	// Latencies in microseconds, 1 µs to 1 min, 3 significant digits.
	hist := hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3)
	var mu sync.Mutex
	var res Result
	res.Rate, res.Duration = cfg.Rate, cfg.Duration
	var ok, failed, shed, inFlight atomic.Int64
	var firstErr atomic.Value
	fail := func(err error) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	offsets := arrivals(cfg.Rate, cfg.Duration, cfg.Profile)
	total := len(offsets)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < total; i++ {
		due := start.Add(offsets[i])
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(d):
			}
		}
		if inFlight.Load() >= int64(cfg.MaxInFlight) {
			shed.Add(1)
			continue
		}
		inFlight.Add(1)
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			defer inFlight.Add(-1)
			if err := cfg.post(ctx, client, i); err != nil {
				fail(err)
				return
			}
			lat := time.Since(due)
			mu.Lock()
			hist.RecordValue(max(1, lat.Microseconds()))
			mu.Unlock()
			ok.Add(1)
		}(i, due)
	}
	wg.Wait()
	elapsed := time.Since(start)
	res.Sent = int64(total) - shed.Load()
	res.OK, res.Errors, res.Shed = ok.Load(), failed.Load(), shed.Load()
	res.Achieved = float64(res.OK) / elapsed.Seconds()
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	res.P50, res.P99, res.P999, res.Max = us(hist.ValueAtQuantile(50)), us(hist.ValueAtQuantile(99)), us(hist.ValueAtQuantile(99.9)), us(hist.Max())
	if e, ok := firstErr.Load().(string); ok {
		res.FirstErr = e
	}
	res.histogram = hist
	return res, nil
}

// arrivals places the requests of a run in time: evenly at rate, or,
// with a profile, where the integral of rate × profile reaches each
// whole number (a busier moment gets its requests closer together).
func arrivals(rate float64, d time.Duration, profile func(float64) float64) []time.Duration {
	total := int(rate * d.Seconds())
	out := make([]time.Duration, 0, total)
	if profile == nil {
		interval := time.Duration(float64(time.Second) / rate)
		for i := 0; i < total; i++ {
			out = append(out, time.Duration(i)*interval)
		}
		return out
	}
	const steps = 100000
	dt := d.Seconds() / steps
	due := 0.0 // requests due so far
	for k := 0; k < steps && len(out) < total; k++ {
		due += rate * max(profile((float64(k)+0.5)/steps), 0) * dt
		for float64(len(out)) < due && len(out) < total {
			out = append(out, time.Duration(float64(k)*dt*float64(time.Second)))
		}
	}
	return out
}

// Search runs the load at each rate in turn and answers every run and
// the highest rate whose runs had no error and a p99 within bound.
func Search(ctx context.Context, cfg Config, rates []float64, p99 time.Duration) ([]Result, float64, error) {
	var out []Result
	best := 0.0
	for i, r := range rates {
		c := cfg
		c.Rate = r
		if i > 0 {
			// An overloaded step leaves the server a backlog (requests the
			// generator gave up on are still being answered): the next
			// step starts once it answers promptly again, or it would
			// measure the previous one.
			if err := Settle(ctx, c, max(p99, 50*time.Millisecond), 2*time.Minute); err != nil {
				return out, best, err
			}
		}
		if c.Server != nil {
			c.Server() // the counts before the run (the settling requests are not in it)
		}
		res, err := Run(ctx, c)
		if err != nil {
			return out, best, err
		}
		if c.Server != nil {
			res.Server = c.Server()
		}
		out = append(out, res)
		if res.Errors == 0 && res.Shed == 0 && res.P99 <= p99 {
			best = max(best, r)
		}
	}
	return out, best, nil
}

// Settle sends one request at a time until two in a row are answered
// within quick, or until within has passed (then it returns nil: the next
// run will show a server that does not recover). It fails only when ctx
// ends.
func Settle(ctx context.Context, cfg Config, quick, within time.Duration) error {
	client := &http.Client{Timeout: within}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(within)
	fast := 0
	for i := 0; fast < 2 && time.Now().Before(deadline); i++ {
		start := time.Now()
		err := cfg.post(ctx, client, i)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && time.Since(start) <= quick {
			fast++
			continue
		}
		fast = 0
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// post sends the i-th request and reads its answer; an answer other than
// 200 is an error.
func (cfg *Config) post(ctx context.Context, client *http.Client, i int) error {
	url, token := cfg.URL, cfg.Token
	if len(cfg.Targets) > 0 {
		t := cfg.Targets[i%len(cfg.Targets)]
		url, token = t.URL, t.Token
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(cfg.Body(i)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if cfg.Answer == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	cfg.Answer(i, body)
	return nil
}
