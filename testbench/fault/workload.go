package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/proc"
	"github.com/crossguard/crossguard/watchlist"
)

// History is what the cluster acknowledged during a run, and what it
// left in doubt: the record the checker judges the cluster's final state
// against. It is safe for concurrent use.
type History struct {
	mu    sync.Mutex
	start time.Time

	// crossings maps each acknowledged inspection's crossing ID to the
	// post that answered it.
	crossings map[string]string
	// unknown counts inspections whose answer never came while their
	// post was down: each may or may not have left a crossing record.
	unknown int
	// failures are inspections that failed while their post was up.
	failures []string
	// alerts is every alert the run changed.
	alerts map[string]*alertLog
	// down marks the nodes a fault has stopped (from the kill until the
	// restarted node is ready).
	down map[string]bool

	latency *hdrhistogram.Histogram // every answered inspection, µs
	buckets map[int64]*bucket       // per time bucket and post
	width   time.Duration
}

// alertLog is the story of one alert as the writer saw it.
type alertLog struct {
	// acked is the content (see alertContent) after the last acknowledged
	// change; empty when none was acknowledged.
	acked string
	// doubt is the content of a change sent after it whose answer never
	// came: it may or may not have been applied. The writer changes an
	// alert in doubt no more.
	doubt string
	// changes counts the acknowledged changes.
	changes int
}

// alertContent is what the checker compares: an alert's status and
// instructions (every change the writer makes changes one of them).
func alertContent(a watchlist.Alert) string {
	return string(a.Status) + "|" + a.Instructions
}

// bucket holds one post's inspections of one time bucket.
type bucket struct {
	ok, failed map[string]int
	latency    map[string]*hdrhistogram.Histogram
}

func newHistory(width time.Duration) *History {
	return &History{start: time.Now(), crossings: map[string]string{}, alerts: map[string]*alertLog{},
		down: map[string]bool{}, latency: hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3),
		buckets: map[int64]*bucket{}, width: width}
}

// SetDown marks a node stopped (true) or back (false).
func (h *History) SetDown(id string, down bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down[id] = down
}

func (h *History) isDown(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down[id]
}

// inspected records one inspection's outcome at a post.
func (h *History) inspected(post string, due time.Time, crossing string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := int64(due.Sub(h.start) / h.width)
	b := h.buckets[k]
	if b == nil {
		b = &bucket{ok: map[string]int{}, failed: map[string]int{}, latency: map[string]*hdrhistogram.Histogram{}}
		h.buckets[k] = b
	}
	switch {
	case err == nil:
		h.crossings[crossing] = post
		lat := max(1, time.Since(due).Microseconds())
		h.latency.RecordValue(lat)
		if b.latency[post] == nil {
			b.latency[post] = hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 2)
		}
		b.latency[post].RecordValue(lat)
		b.ok[post]++
	case h.down[post]:
		h.unknown++
		b.failed[post]++
	default:
		h.failures = append(h.failures, fmt.Sprintf("%s at +%s: %v", post, due.Sub(h.start).Round(time.Millisecond), err))
		b.failed[post]++
	}
}

// Acknowledged counts the acknowledged inspections and alert changes.
func (h *History) Acknowledged() (crossings, alertChanges int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range h.alerts {
		alertChanges += a.changes
	}
	return len(h.crossings), alertChanges
}

// CrossingsAt counts the acknowledged inspections of one post.
func (h *History) CrossingsAt(post string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.crossings {
		if p == post {
			n++
		}
	}
	return n
}

// Sample is one post's inspections in one time bucket.
type Sample struct {
	At     time.Duration `json:"at"` // the bucket's start, since the run began
	Post   string        `json:"post"`
	OK     int           `json:"ok"`
	Failed int           `json:"failed"`
	P50    time.Duration `json:"p50"`
	P99    time.Duration `json:"p99"`
}

// Samples lists the time buckets in order.
func (h *History) Samples() []Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Sample
	for k, b := range h.buckets {
		posts := map[string]bool{}
		for p := range b.ok {
			posts[p] = true
		}
		for p := range b.failed {
			posts[p] = true
		}
		for p := range posts {
			s := Sample{At: time.Duration(k) * h.width, Post: p, OK: b.ok[p], Failed: b.failed[p]}
			if l := b.latency[p]; l != nil {
				s.P50 = time.Duration(l.ValueAtQuantile(50)) * time.Microsecond
				s.P99 = time.Duration(l.ValueAtQuantile(99)) * time.Microsecond
			}
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].At != out[j].At {
			return out[i].At < out[j].At
		}
		return out[i].Post < out[j].Post
	})
	return out
}

// Latency is the histogram of every answered inspection (µs).
func (h *History) Latency() *hdrhistogram.Histogram {
	h.mu.Lock()
	defer h.mu.Unlock()
	return hdrhistogram.Import(h.latency.Export())
}

// Workload is the traffic of a fault run: inspections at every post
// (solo travellers, families and escorted children, at a fixed arrival
// rate), and alert changes (create, update, close) sent one at a time
// to the running voters. It records every outcome in a History.
type Workload struct {
	c    *proc.Cluster
	h    *History
	rate float64
	seed uint64
	now  time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

// StartWorkload starts the traffic: rate inspections per second at each
// post.
func StartWorkload(c *proc.Cluster, h *History, rate float64, seed uint64, now time.Time) *Workload {
	w := &Workload{c: c, h: h, rate: rate, seed: seed, now: now, stop: make(chan struct{})}
	for i, n := range c.Nodes {
		if !n.Voter {
			w.wg.Add(1)
			go w.inspect(n, seed+uint64(100+i))
		}
	}
	w.wg.Add(1)
	go w.changeAlerts()
	return w
}

// Stop ends the traffic and waits for every request to end.
func (w *Workload) Stop() {
	close(w.stop)
	w.wg.Wait()
}

// maxInFlight bounds a post's outstanding inspections: beyond it the
// workload waits (a post that has stopped answering, e.g. killed, would
// otherwise gather thousands of goroutines).
const maxInFlight = 64

// inspect sends inspections to one post at the workload's rate, each due
// at its own time (open loop: a slow answer does not delay the next).
func (w *Workload) inspect(post *proc.Node, seed uint64) {
	defer w.wg.Done()
	g := testbench.NewGenerator(seed, w.now)
	interval := time.Duration(float64(time.Second) / w.rate)
	slots := make(chan struct{}, maxInFlight)
	var sent sync.WaitGroup
	defer sent.Wait()
	next := time.Now()
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		case <-time.After(time.Until(next)):
		}
		due := next
		next = next.Add(interval)
		var p watchlist.Party
		switch i % 6 {
		case 0, 3:
			p = g.Family(watchlist.Entry, w.now)
		case 5:
			p = g.Escort(watchlist.Exit, w.now, i%12 == 5)
		default:
			p = g.Solo(watchlist.Exit, w.now)
		}
		req := testbench.Request(p)
		select {
		case slots <- struct{}{}:
		case <-w.stop:
			return
		}
		sent.Add(1)
		go func() {
			defer sent.Done()
			defer func() { <-slots }()
			var in api.Inspection
			code, body, err := post.Do(context.Background(), http.MethodPost, "/v1/inspections", req, &in)
			if err == nil && code != http.StatusOK {
				err = fmt.Errorf("%d %s", code, body)
			}
			w.h.inspected(post.ID, due, in.CrossingID, err)
		}()
	}
}

// changeAlerts sends alert changes one at a time: new alerts, new
// instructions for an alert, and closures. A change whose answer does not
// come (a voter killed or cut off) leaves its alert in doubt, and the
// alert is changed no more, so that the checker knows exactly which
// states the alert may end in.
func (w *Workload) changeAlerts() {
	defer w.wg.Done()
	g := testbench.NewGenerator(w.seed, w.now)
	r := rand.New(rand.NewPCG(w.seed, 0xa1e7))
	var active []watchlist.Alert // acknowledged, not in doubt, not closed
	for i, k := 0, 0; ; k++ {
		select {
		case <-w.stop:
			return
		default:
		}
		var voters []*proc.Node
		for _, n := range w.c.Running() {
			if n.Voter && !w.h.isDown(n.ID) {
				voters = append(voters, n)
			}
		}
		if len(voters) == 0 {
			select {
			case <-w.stop:
				return
			case <-time.After(50 * time.Millisecond): // pacing while every voter is down
			}
			continue
		}
		via := voters[k%len(voters)]
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		var a watchlist.Alert
		var code int
		var err error
		op := r.IntN(10)
		switch {
		case len(active) < 10 || op < 6: // a new alert
			a = g.Alert(i)
			a.ID = fmt.Sprintf("F%d-%06d", w.seed, i)
			a.Instructions += " (rev 0)"
			i++
			code, _, err = via.Do(ctx, http.MethodPost, "/v1/alerts", a, nil)
			if err == nil && code != http.StatusCreated {
				err = fmt.Errorf("create %s: %d", a.ID, code)
			}
		case op < 9: // new instructions
			j := r.IntN(len(active))
			a = active[j]
			base, _, _ := strings.Cut(a.Instructions, " (rev ")
			a.Instructions = fmt.Sprintf("%s (rev %d)", base, k)
			a.CreatedAt, a.UpdatedAt = "", ""
			code, _, err = via.Do(ctx, http.MethodPut, "/v1/alerts/"+a.ID, a, nil)
			if err == nil && code != http.StatusOK {
				err = fmt.Errorf("update %s: %d", a.ID, code)
			}
			active = append(active[:j], active[j+1:]...)
		default: // closed
			j := r.IntN(len(active))
			a = active[j]
			a.Status = watchlist.StatusClosed
			code, _, err = via.Do(ctx, http.MethodDelete, "/v1/alerts/"+a.ID, nil, nil)
			if err == nil && code != http.StatusNoContent {
				err = fmt.Errorf("close %s: %d", a.ID, code)
			}
			active = append(active[:j], active[j+1:]...)
		}
		cancel()
		w.h.mu.Lock()
		l := w.h.alerts[a.ID]
		if l == nil {
			l = &alertLog{}
			w.h.alerts[a.ID] = l
		}
		if err == nil {
			l.acked = alertContent(a)
			l.changes++
		} else {
			l.doubt = alertContent(a)
		}
		w.h.mu.Unlock()
		if err == nil && a.Status != watchlist.StatusClosed {
			active = append(active, a)
		}
	}
}
