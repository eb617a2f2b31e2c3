package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOpenLoopSeesTheQueue: a server that stalls once for 300 ms while
// requests keep arriving. An open-loop generator keeps sending on time,
// so every request due during the stall waits and the tail shows it;
// a closed-loop one would have recorded a single slow request.
func TestOpenLoopSeesTheQueue(t *testing.T) {
	var mu sync.Mutex
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock() // one request at a time: a queue
		defer mu.Unlock()
		if n.Add(1) == 50 {
			time.Sleep(300 * time.Millisecond) // the stall under test
		}
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Token: "secret", Rate: 200, Duration: time.Second,
		Body: func(int) []byte { return []byte(`{}`) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK != 200 || res.Errors != 0 || res.Shed != 0 {
		t.Fatalf("%v", res)
	}
	// About 60 requests were due during the stall: well over 1%.
	if res.P99 < 150*time.Millisecond || res.Max < 250*time.Millisecond {
		t.Fatalf("the stall is hidden: %v", res)
	}
	// The median is not in the stall (relative, not absolute: on a
	// machine busy with other tests every answer is slower).
	if res.P50*3 > res.P99 {
		t.Fatalf("the median should be unaffected: %v", res)
	}

	// Refusals are errors, with the first one named.
	res, err = Run(context.Background(), Config{URL: srv.URL, Token: "wrong", Rate: 100, Duration: 200 * time.Millisecond,
		Body: func(int) []byte { return nil }})
	if err != nil || res.Errors != 20 || res.OK != 0 || res.FirstErr != "status 401" {
		t.Fatalf("refusals: %v %v", res, err)
	}
}

// TestSearchFindsTheSustainableRate: a server that answers in 2 ms with
// one worker sustains about 500/s: 100/s passes a 50 ms p99 bound, 2,000/s
// does not.
func TestSearchFindsTheSustainableRate(t *testing.T) {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(2 * time.Millisecond) // the service time under test
	}))
	defer srv.Close()
	runs, best, err := Search(context.Background(), Config{URL: srv.URL, Duration: 500 * time.Millisecond,
		Body: func(int) []byte { return nil }}, []float64{100, 2000}, 50*time.Millisecond)
	if err != nil || len(runs) != 2 {
		t.Fatal(err)
	}
	if best != 100 {
		t.Fatalf("best %v: %v / %v", best, runs[0], runs[1])
	}
}

// A search step starts only once the server has worked off the backlog of
// the step before: Settle waits until requests are answered promptly, and
// gives up (without error) when they never are.
func TestSettleWaitsForTheBacklog(t *testing.T) {
	var busyUntil atomic.Int64
	busyUntil.Store(time.Now().Add(400 * time.Millisecond).UnixNano())
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		if d := time.Until(time.Unix(0, busyUntil.Load())); d > 0 {
			time.Sleep(min(d, 100*time.Millisecond)) // the backlog under test
		}
	}))
	defer srv.Close()
	cfg := Config{URL: srv.URL, Body: func(int) []byte { return nil }}
	start := time.Now()
	if err := Settle(context.Background(), cfg, 20*time.Millisecond, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 350*time.Millisecond {
		t.Fatalf("settled after %s, while the server was busy for 400 ms", took)
	}
	res, err := Run(context.Background(), Config{URL: srv.URL, Rate: 50, Duration: 200 * time.Millisecond, Body: cfg.Body})
	if err != nil || res.OK != 10 || res.P99 > 50*time.Millisecond {
		t.Fatalf("after settling the server answers at once: %v %v", res, err)
	}

	busyUntil.Store(time.Now().Add(time.Hour).UnixNano()) // never recovers
	start = time.Now()
	if err := Settle(context.Background(), cfg, 20*time.Millisecond, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 500*time.Millisecond || took > 5*time.Second {
		t.Fatalf("gave up after %s, want about 500 ms", took)
	}
}

// A run reports its first error, so that a failing step says why.
func TestResultNamesTheFirstError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Rate: 20, Duration: 100 * time.Millisecond, Body: func(int) []byte { return nil }})
	if err != nil || res.Errors != 2 || !strings.Contains(res.String(), "first error: status 503") {
		t.Fatalf("%v %v", res, err)
	}
}

// A profile moves arrivals to the busy part of the run and keeps their
// number: here every request falls in the first half.
func TestArrivalsFollowTheProfile(t *testing.T) {
	even := arrivals(100, 2*time.Second, nil)
	if len(even) != 200 || even[1]-even[0] != 10*time.Millisecond {
		t.Fatalf("even arrivals: %d, first gap %v", len(even), even[1]-even[0])
	}
	firstHalf := func(f float64) float64 {
		if f < 0.5 {
			return 2
		}
		return 0
	}
	shaped := arrivals(100, 2*time.Second, firstHalf)
	if len(shaped) != 200 {
		t.Fatalf("%d arrivals, want 200", len(shaped))
	}
	if last := shaped[len(shaped)-1]; last >= time.Second {
		t.Fatalf("the last request is due at %v, in the idle half", last)
	}
	if gap := shaped[101] - shaped[100]; gap > 6*time.Millisecond {
		t.Fatalf("at twice the rate the gap is %v, want about 5 ms", gap)
	}
}

// Targets spread the requests over several servers, each with its own
// token, and Answer sees every answer's body.
func TestTargetsSpreadTheLoadAndAnswersComeBack(t *testing.T) {
	var counts [2]atomic.Int64
	var servers []*httptest.Server
	for k := range 2 {
		token := []string{"post-1", "post-2"}[k]
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			counts[k].Add(1)
			w.Write([]byte(token))
		}))
		defer srv.Close()
		servers = append(servers, srv)
	}
	var mu sync.Mutex
	answers := map[int]string{}
	res, err := Run(context.Background(), Config{Rate: 200, Duration: 500 * time.Millisecond,
		Targets: []Target{{URL: servers[0].URL, Token: "post-1"}, {URL: servers[1].URL, Token: "post-2"}},
		Body:    func(int) []byte { return []byte(`{}`) },
		Answer: func(i int, body []byte) {
			mu.Lock()
			answers[i] = string(body)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || counts[0].Load() != 50 || counts[1].Load() != 50 {
		t.Fatalf("%v; per server %d and %d", res, counts[0].Load(), counts[1].Load())
	}
	if len(answers) != 100 || answers[0] != "post-1" || answers[1] != "post-2" {
		t.Fatalf("%d answers; 0: %q, 1: %q", len(answers), answers[0], answers[1])
	}
}
