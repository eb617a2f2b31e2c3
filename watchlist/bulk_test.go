package watchlist_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// alertSource yields alerts, then io.EOF.
func alertSource(alerts []watchlist.Alert) func() (watchlist.Alert, error) {
	i := 0
	return func() (watchlist.Alert, error) {
		if i == len(alerts) {
			return watchlist.Alert{}, io.EOF
		}
		i++
		return alerts[i-1], nil
	}
}

func openEngine(t *testing.T) *watchlist.Engine {
	t.Helper()
	e, err := watchlist.Open(benchConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// A bulk load stores exactly what Upsert stores (the two stores' snapshots
// are byte for byte the same), whether its records were sorted in memory
// or merged from runs on disk, and the loaded engine answers and takes
// writes like any other.
func TestLoadStoresWhatUpsertStores(t *testing.T) {
	g := testbench.NewGenerator(31, benchNow)
	alerts := g.Alerts(0, 3000)
	upserted := openEngine(t)
	if err := upserted.Upsert(alerts...); err != nil {
		t.Fatal(err)
	}
	want := watchlist.SnapshotBytes(t, upserted)
	for _, tc := range []struct {
		name     string
		runBytes int
		wantRuns bool
	}{{"in memory", 0, false}, {"merged from runs", 64 << 10, true}} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			e := openEngine(t)
			rep, err := e.Load(context.Background(), alertSource(alerts), watchlist.LoadOptions{RunBytes: tc.runBytes, TempDir: tmp})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Loaded != len(alerts) || rep.Rejected != 0 || (rep.Runs > 1) != tc.wantRuns {
				t.Errorf("report %+v", rep)
			}
			if got := watchlist.SnapshotBytes(t, e); !bytes.Equal(got, want) {
				t.Fatalf("loaded store differs from the upserted one (%d bytes vs %d)", len(got), len(want))
			}
			if s, u := e.Stats(), upserted.Stats(); s.IndexKeys != u.IndexKeys || s.BloomBuiltFor != uint(u.IndexKeys) {
				t.Errorf("stats %+v, upserted %+v", s, u)
			}
			// The report's phases and volume: every index entry and every
			// alert is a record, and the phases add up to no more than
			// the whole.
			if s := e.Stats(); rep.Records <= int(s.IndexKeys)+len(alerts) || rep.Bytes <= int64(rep.Records)*10 ||
				rep.Prepare <= 0 || rep.Write <= 0 || rep.Prepare+rep.Sort+rep.Write > rep.Took {
				t.Errorf("report %+v, %d index keys", rep, s.IndexKeys)
			}
			// Every alert answers a check as it does in the upserted store.
			for i := 0; i < len(alerts); i += 97 {
				tr := g.Presented(i, testbench.VariantExact).Traveller
				got, want := checkIDs(t, e, tr), checkIDs(t, upserted, tr)
				if got != want || got == "" {
					t.Errorf("alert %s: loaded store hits %q, upserted %q", alerts[i].ID, got, want)
				}
			}
			// It takes writes, and keeps everything across a reopen.
			extra := testbench.NewGenerator(32, benchNow).Alerts(0, 10)
			for i := range extra {
				extra[i].ID = "EXTRA" + extra[i].ID
			}
			if err := e.Upsert(extra...); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Get(extra[3].ID); err != nil {
				t.Fatal(err)
			}
			if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
				t.Errorf("sorted runs left behind: %v %v", entries, err)
			}
		})
	}
}

// Invalid alerts are reported by their position and left out; without a
// Rejected callback the first one fails the load and nothing is stored.
func TestLoadRejectsInvalidAlerts(t *testing.T) {
	alerts := testbench.NewGenerator(33, benchNow).Alerts(0, 50)
	alerts[7].Category = "lost_cat"
	alerts[20].ValidUntil = "someday"
	e := openEngine(t)
	var rejected []int
	rep, err := e.Load(context.Background(), alertSource(alerts), watchlist.LoadOptions{Rejected: func(n int, err error) {
		if !errors.Is(err, watchlist.ErrInvalid) {
			t.Errorf("alert %d: %v is not ErrInvalid", n, err)
		}
		rejected = append(rejected, n)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 48 || rep.Rejected != 2 || len(rejected) != 2 || rejected[0] != 7 || rejected[1] != 20 {
		t.Errorf("report %+v, rejected %v", rep, rejected)
	}
	if _, err := e.Get(alerts[7].ID); !errors.Is(err, watchlist.ErrNotFound) {
		t.Errorf("invalid alert stored: %v", err)
	}

	strict := openEngine(t)
	if _, err := strict.Load(context.Background(), alertSource(alerts), watchlist.LoadOptions{}); !errors.Is(err, watchlist.ErrInvalid) {
		t.Fatalf("strict load of an invalid alert: %v", err)
	}
	assertEmpty(t, strict)
}

// An alert twice in the input fails the load, naming it, and leaves the
// store empty: a second load can start over. A store that holds anything
// is never loaded into.
func TestLoadDuplicateAndNonEmpty(t *testing.T) {
	alerts := testbench.NewGenerator(34, benchNow).Alerts(0, 200)
	dup := append(append([]watchlist.Alert{}, alerts...), alerts[150])
	e := openEngine(t)
	for _, runBytes := range []int{0, 16 << 10} {
		_, err := e.Load(context.Background(), alertSource(dup), watchlist.LoadOptions{RunBytes: runBytes, TempDir: t.TempDir()})
		if !errors.Is(err, watchlist.ErrDuplicate) || !strings.Contains(err.Error(), alerts[150].ID) {
			t.Fatalf("duplicate alert (runs of %d bytes): %v", runBytes, err)
		}
		assertEmpty(t, e)
	}
	if _, err := e.Load(context.Background(), alertSource(alerts), watchlist.LoadOptions{}); err != nil {
		t.Fatalf("load after a failed one: %v", err)
	}
	if _, err := e.Load(context.Background(), alertSource(alerts[:1]), watchlist.LoadOptions{}); !errors.Is(err, watchlist.ErrNotEmpty) {
		t.Fatalf("load into a full store: %v", err)
	}
}

// checkIDs is the IDs of the alerts tr hits, in order.
func checkIDs(t *testing.T, e *watchlist.Engine, tr watchlist.Traveller) string {
	t.Helper()
	p, err := e.NewProbe(tr)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := e.Check(p, benchNow)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.AlertID)
	}
	return strings.Join(ids, ",")
}

func assertEmpty(t *testing.T, e *watchlist.Engine) {
	t.Helper()
	n := 0
	if err := e.ForEachAlert(context.Background(), func(watchlist.Alert) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if s := e.Stats(); n != 0 || s.IndexKeys != 0 {
		t.Errorf("store not empty after a failed load: %d alerts, %+v", n, s)
	}
}
