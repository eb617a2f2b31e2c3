package fault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/crossguard/crossguard/testbench/proc"
	"github.com/crossguard/crossguard/watchlist"
)

// Verdict is what the checker found once the faults had healed.
type Verdict struct {
	// Crossings acknowledged to officers, inspections whose answer never
	// came while their post was down, and the crossing records the
	// cluster holds.
	Crossings       int `json:"crossings"`
	Unknown         int `json:"unknown"`
	CrossingRecords int `json:"crossing_records"`
	// AlertChanges acknowledged; Alerts changed; AlertsInDoubt whose last
	// change had no answer.
	AlertChanges  int `json:"alert_changes"`
	Alerts        int `json:"alerts"`
	AlertsInDoubt int `json:"alerts_in_doubt"`
	// Converged is how long the nodes took to hold the same state once
	// the load stopped and every fault had healed.
	Converged time.Duration `json:"converged"`
	// Problems are the broken guarantees, each in a sentence; none when
	// the run passed.
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether every guarantee held.
func (v Verdict) OK() bool { return len(v.Problems) == 0 }

// Err is nil when every guarantee held, or names the broken ones.
func (v Verdict) Err() error {
	if v.OK() {
		return nil
	}
	return errors.New("fault run: " + strings.Join(v.Problems, "; "))
}

func (v *Verdict) problem(format string, args ...any) {
	v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
}

// maxListed bounds the IDs a problem lists.
const maxListed = 5

// Check verifies, after the faults have healed and the load has stopped,
// that the cluster kept every promise it made during the run:
//
//   - every node converges to the same state (and how long that took);
//   - every acknowledged inspection's crossing record is on every node,
//     exactly once (no more records than inspections answered or cut off;
//     all are looked up on one node, a sample on the others, whose stores
//     are byte-identical to it);
//   - every acknowledged alert change is on every node (an alert whose
//     last change had no answer may hold either its last acknowledged
//     state or that change);
//   - no inspection failed at a post that was up;
//   - every node's audit chain verifies.
func Check(ctx context.Context, c *proc.Cluster, h *History, within time.Duration) Verdict {
	h.mu.Lock()
	v := Verdict{Crossings: len(h.crossings), Unknown: h.unknown, Alerts: len(h.alerts)}
	crossings := make([]string, 0, len(h.crossings))
	for id := range h.crossings {
		crossings = append(crossings, id)
	}
	alerts := map[string]alertLog{}
	for id, l := range h.alerts {
		alerts[id] = *l
		v.AlertChanges += l.changes
		if l.doubt != "" {
			v.AlertsInDoubt++
		}
	}
	failures := append([]string(nil), h.failures...)
	h.mu.Unlock()
	sort.Strings(crossings)
	alertIDs := make([]string, 0, len(alerts))
	for id := range alerts {
		alertIDs = append(alertIDs, id)
	}
	sort.Strings(alertIDs)

	if len(failures) > 0 {
		v.problem("%d inspections failed at a post that was up (first: %s)", len(failures), failures[0])
	}
	start := time.Now()
	wait, cancel := context.WithTimeout(ctx, within)
	records, cerr := converge(wait, c, len(crossings))
	cancel()
	v.Converged, v.CrossingRecords = time.Since(start), records
	if cerr != nil {
		v.problem("the nodes did not converge within %s: %v", within, cerr)
	}
	if records > len(crossings)+v.Unknown {
		v.problem("%d crossing records for %d inspections answered and %d cut off: records were duplicated", records, len(crossings), v.Unknown)
	}
	for i, nd := range c.Nodes {
		// Once the nodes hold byte-identical stores, what one holds all
		// hold: the first node is asked for every ID, the others for a
		// sample (every read is audited, and a soak acknowledges
		// millions). Nodes that did not converge are asked for all.
		crossings, ids := crossings, alertIDs
		if i > 0 && cerr == nil {
			crossings, ids = sample(crossings, checkSample), sample(ids, checkSample)
		}
		missing := missingOn(ctx, nd, crossings, func(id string) string { return "/v1/crossings/" + id }, nil)
		if len(missing) > 0 {
			v.problem("%s lacks %d acknowledged crossings (e.g. %s)", nd.ID, len(missing), strings.Join(missing[:min(len(missing), maxListed)], ", "))
		}
		var wrong []string
		missing = missingOn(ctx, nd, ids, func(id string) string { return "/v1/alerts/" + id }, func(id string, found *watchlist.Alert) bool {
			l := alerts[id]
			if found == nil { // not on the node: only a creation in doubt may be absent
				return l.acked == ""
			}
			got := alertContent(*found)
			if got != l.acked && got != l.doubt {
				wrong = append(wrong, fmt.Sprintf("%s holds %s, acknowledged %s", id, brief(got), brief(l.acked)))
			}
			return true
		})
		if len(missing) > 0 {
			v.problem("%s lacks %d acknowledged alerts (e.g. %s)", nd.ID, len(missing), strings.Join(missing[:min(len(missing), maxListed)], ", "))
		}
		if len(wrong) > 0 {
			v.problem("%s lost %d acknowledged alert changes (e.g. %s)", nd.ID, len(wrong), strings.Join(wrong[:min(len(wrong), maxListed)], "; "))
		}
		var r watchlist.AuditReport
		code, body, err := nd.Do(ctx, http.MethodGet, "/v1/audit/verify", nil, &r)
		if err != nil || code != http.StatusOK || !r.OK || r.Entries == 0 {
			v.problem("%s audit chain does not verify: %d %s %v", nd.ID, code, bytes.TrimSpace(body), err)
		}
	}
	return v
}

// checkSample is how many crossings and alerts the checker asks each
// node but the first for, once all hold the same store.
const checkSample = 300

// sample picks up to n IDs spread evenly over ids.
func sample(ids []string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	out := make([]string, 0, n)
	for k := 0; k < n; k++ {
		out = append(out, ids[k*len(ids)/n])
	}
	return out
}

// brief shortens an alert's content for a message: its status and the
// revision of its instructions.
func brief(content string) string {
	status, instr, _ := strings.Cut(content, "|")
	if i := strings.LastIndex(instr, " (rev "); i >= 0 {
		return status + ", " + strings.Trim(instr[i:], " ()")
	}
	return status
}

// converge waits until every node holds the same state (the audit log
// aside: reading a backup is itself audited, so it moves while the nodes
// are read) with at least want crossing records, and answers how many
// records they hold.
func converge(ctx context.Context, c *proc.Cluster, want int) (int, error) {
	var last error
	records := 0
	for {
		n, err := sameState(ctx, c)
		if err == nil && n >= want {
			return n, nil
		}
		if err == nil {
			records = n
			err = fmt.Errorf("%d crossing records of %d acknowledged", n, want)
		}
		last = err
		select {
		case <-ctx.Done():
			return records, last
		case <-time.After(200 * time.Millisecond): // polling the nodes' state
		}
	}
}

func sameState(ctx context.Context, c *proc.Cluster) (int, error) {
	if err := c.WaitConverged(ctx); err != nil {
		return 0, err
	}
	first, records := "", 0
	for _, nd := range c.Nodes {
		b, err := nd.Backup(ctx)
		if err != nil {
			return 0, err
		}
		d, info, err := watchlist.StateDigest(bytes.NewReader(b))
		if err != nil {
			return 0, err
		}
		if first == "" {
			first, records = d, int(info.Crossings)
		} else if d != first {
			return 0, fmt.Errorf("%s differs from %s", nd.ID, c.Nodes[0].ID)
		}
	}
	return records, nil
}

// missingOn asks the node for every ID (GET path(id), a few at a time)
// and answers those it does not have. When judge is set, it decides
// about each alert found (or not found: nil) whether it is where it
// should be.
func missingOn(ctx context.Context, nd *proc.Node, ids []string, path func(string) string,
	judge func(id string, found *watchlist.Alert) bool) []string {
	var mu sync.Mutex
	var missing []string
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				var a watchlist.Alert
				var out any
				if judge != nil {
					out = &a
				}
				code, _, err := nd.Do(ctx, http.MethodGet, path(id), nil, out)
				ok := err == nil && code == http.StatusOK
				mu.Lock()
				switch {
				case judge != nil && ok:
					judge(id, &a)
				case judge != nil && err == nil && code == http.StatusNotFound:
					if !judge(id, nil) {
						missing = append(missing, id)
					}
				case err != nil:
					missing = append(missing, fmt.Sprintf("%s (%v)", id, err))
				case !ok:
					missing = append(missing, fmt.Sprintf("%s (%d)", id, code))
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	sort.Strings(missing)
	return missing
}
