package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/borderday"
	"github.com/crossguard/crossguard/testbench/fault"
)

// The inputs here are written by hand: this test is about reading them
// and rendering the report, not about the runs that write them.
const engineBench = `goos: linux
goarch: amd64
pkg: github.com/crossguard/crossguard/watchlist
BenchmarkCheck/innocent-bloom-negative/alerts=1000000-2   	 1000000	       900.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/innocent-bloom-negative/alerts=1000000-2   	 1000000	       950.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/innocent-bloom-negative/alerts=1000000-2   	 1000000	      1500.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/innocent-store/alerts=1000000-2   	   50000	     25000 ns/op	        12.50 p50-µs	        40.00 p90-µs	       110.0 p99-µs	    4000 B/op	      71 allocs/op
BenchmarkLoad-2                   	       1	         0 ns/op	     67600 alerts/s
PASS
`

func sampleFaultRun() fault.Result {
	r := fault.Result{Scenario: fault.Short(), Duration: 20 * time.Second,
		P50: 8 * time.Millisecond, P99: 40 * time.Millisecond, P999: 60 * time.Millisecond, Max: 70 * time.Millisecond,
		Verdict: fault.Verdict{Crossings: 700, CrossingRecords: 700, AlertChanges: 90, Alerts: 60, Converged: 900 * time.Millisecond},
		Events: []fault.Event{{Kind: fault.KillLeader, Node: "centre-1", Start: 3 * time.Second, End: 7 * time.Second},
			{Kind: fault.IsolatePost, Node: "post-1", Start: 9 * time.Second, End: 17 * time.Second, Detail: "outbox 160 crossings when the link healed"}}}
	for q := 0; q <= 10; q++ {
		r.CDF = append(r.CDF, fault.CDFPoint{Quantile: float64(q) / 10, Latency: time.Duration(1+q*q) * time.Millisecond})
	}
	for s := 0; s < 20; s++ {
		for _, p := range []string{"post-1", "post-2"} {
			r.Samples = append(r.Samples, fault.Sample{At: time.Duration(s) * time.Second, Post: p, OK: 20 - s%3, Failed: s % 2,
				P50: 8 * time.Millisecond, P99: time.Duration(30+s) * time.Millisecond})
		}
		for _, n := range []string{"centre-1", "post-1"} {
			r.Lags = append(r.Lags, fault.LagSample{At: time.Duration(s) * time.Second, Node: n, Lag: int64(s % 5), Outbox: s * 3})
		}
	}
	return r
}

func writeInputs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "engine-1m.bench.txt"), []byte(engineBench), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sampleFaultRun().Save(dir); err != nil {
		t.Fatal(err)
	}
	rec := testbench.RecallReport{Alerts: 1000, Innocent: 5000, FalseAlarms: 2,
		PerVariant: map[testbench.Variant]testbench.Ratio{testbench.VariantExact: {Hit: 100, Total: 100}, testbench.VariantTypo: {Hit: 97, Total: 100}},
		Missed:     []string{"G000000007 (typo in given name): WANG XIAOMIN"}}
	b, _ := json.Marshal(rec)
	if err := os.WriteFile(filepath.Join(dir, "recall.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	day := borderday.Result{Options: borderday.Options{Alerts: 1000, Posts: 2, Rate: 40, Duration: time.Minute},
		Score: testbench.Score{Wanted: 30, Found: 29, Innocent: 2000, FalseAlarms: 1,
			MissedChildren: []string{"G000000042 (name truncated): PHAM THI NGOC"}}}
	if _, err := day.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReportSetsFiguresAgainstGoals(t *testing.T) {
	dir := writeInputs(t)
	in, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := in.Figure(Goals[0]); !ok || math.Abs(v-0.95) > 1e-9 {
		t.Fatalf("median bloom-path figure %v %v, want 0.95 µs (the median of 0.9, 0.95, 1.5)", v, ok)
	}
	md, err := Write(dir, in, "test machine", "make report")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 2 | innocent traveller, bloom path, 1M alerts | ≤ 1 µs | 0.95 µs | yes |",
		"| 2 | innocent traveller reaching the store, 1M: the median traveller | ≤ 20 µs | 12.5 µs | yes |",
		"| 2 | innocent traveller reaching the store, 1M: mean over travellers | — | 25 µs | — |",
		"| 2 | bulk load (Load) of 200,000 alerts | ≥ 100,000 alerts/s | 67,600 alerts/s | **no** |",
		"| 2 | open a 10M store, bloom rebuilt | ≤ 60 s | not run | — |",
		"**every guarantee held**",
		"| isolate-post | post-1 | 9.0 s | 17.0 s | outbox 160 crossings when the link healed |",
		"WANG XIAOMIN",
		"| recall (people on alerts found) | 96.7% (29 of 30) |",
		"| false alarms per 10,000 innocent travellers | 5.0 (1 of 2000) |",
		"missed child: G000000042 (name truncated): PHAM THI NGOC",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	for _, f := range []string{"faults-short-latency-cdf.png", "faults-short-throughput.png", "faults-short-latency.png",
		"faults-short-replication.png", "recall.png"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if img.Bounds().Dx() < 500 {
			t.Fatalf("%s is %v", f, img.Bounds())
		}
		if !strings.Contains(md, "("+f+")") {
			t.Errorf("the report does not show %s", f)
		}
	}
}

func TestReportNamesABrokenGuarantee(t *testing.T) {
	dir := t.TempDir()
	r := sampleFaultRun()
	r.Verdict.Problems = []string{"post-1 lacks 3 acknowledged crossings (e.g. X)"}
	if _, err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	in, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := Write(dir, in, "test machine", "make report")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "**BROKEN**: post-1 lacks 3 acknowledged crossings") {
		t.Fatalf("the report hides a broken guarantee:\n%s", md)
	}
}

func TestSpliceReplacesOnlyTheGeneratedPart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	before := "# Benchmarks\n\nintro\n\n" + beginMarker + "\nold report\n" + endMarker + "\n\n## Notebook\n\nkept\n"
	if err := os.WriteFile(file, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Splice(file, "new report ![plot](recall.png)\n", "bench-results"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	got := string(b)
	want := "# Benchmarks\n\nintro\n\n" + beginMarker + "\nnew report ![plot](bench-results/recall.png)\n" + endMarker + "\n\n## Notebook\n\nkept\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	bare := filepath.Join(t.TempDir(), "bare.md")
	os.WriteFile(bare, []byte("no markers\n"), 0o644)
	if err := Splice(bare, "x", "d"); !errors.Is(err, ErrNoMarkers) {
		t.Fatalf("a file without markers: %v", err)
	}
	if b, _ := os.ReadFile(bare); string(b) != "no markers\n" {
		t.Fatal("a file without markers was changed")
	}
}
