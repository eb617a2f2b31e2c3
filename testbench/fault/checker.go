package fault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
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
//     exactly once (no more records than inspections answered or cut off),
//     read from each node's backup;
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
	for _, nd := range c.Nodes {
		// Each node's whole store, from its backup: one request, not one
		// per record (a soak acknowledges millions).
		b, err := nd.Backup(ctx)
		if err != nil {
			v.problem("%s: no backup to check: %v", nd.ID, err)
			continue
		}
		held, stored, err := watchlist.SnapshotContents(bytes.NewReader(b))
		if err != nil {
			v.problem("%s: backup unreadable: %v", nd.ID, err)
			continue
		}
		var missing, absent, wrong []string
		for _, id := range crossings {
			if _, ok := held[id]; !ok {
				missing = append(missing, id)
			}
		}
		for _, id := range alertIDs {
			l := alerts[id]
			a, ok := stored[id]
			switch {
			case !ok && l.acked != "": // only a creation in doubt may be absent
				absent = append(absent, id)
			case ok && alertContent(a) != l.acked && alertContent(a) != l.doubt:
				wrong = append(wrong, fmt.Sprintf("%s holds %s, acknowledged %s", id, brief(alertContent(a)), brief(l.acked)))
			}
		}
		if len(missing) > 0 {
			v.problem("%s lacks %d acknowledged crossings (e.g. %s)", nd.ID, len(missing), strings.Join(missing[:min(len(missing), maxListed)], ", "))
		}
		if len(absent) > 0 {
			v.problem("%s lacks %d acknowledged alerts (e.g. %s)", nd.ID, len(absent), strings.Join(absent[:min(len(absent), maxListed)], ", "))
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
		if ctx.Err() == nil || last == nil {
			// An error the deadline caused (a read cut off) says
			// nothing about why the nodes had not converged: keep
			// the one before it.
			last = err
		}
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
