package watchlist_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// Benchmarks run against generated watchlists of the sizes in
// CROSSGUARD_BENCH_ALERTS (comma-separated; default 100000). A store is
// built once and kept in CROSSGUARD_BENCH_DIR (default the temp
// directory), so that a 10-million-alert store is loaded once, not at
// every run. See BENCHMARKS.md for the commands and figures.

var benchNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

const benchSeed = 1122

// storeFormat names the layout of the cached benchmark stores; bump it
// when keys or records change, or the generator's alerts (its name
// tables), so that old stores are not reused.
const storeFormat = 11

func benchSizes(b *testing.B) []int {
	env := os.Getenv("CROSSGUARD_BENCH_ALERTS")
	if env == "" {
		env = "100000"
	}
	var out []int
	for _, s := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 {
			b.Fatalf("CROSSGUARD_BENCH_ALERTS: %q is not a size of at least 1000", s)
		}
		out = append(out, n)
	}
	return out
}

var (
	benchMu      sync.Mutex
	benchEngines = map[int]*watchlist.Engine{}
)

func benchConfig(dir string) watchlist.Config {
	cfg := watchlist.DefaultConfig(dir)
	cfg.HistoryKey = []byte("bench-history-key-0123456789abcdef")
	return cfg
}

func benchDir(n int) string {
	root := os.Getenv("CROSSGUARD_BENCH_DIR")
	if root == "" {
		root = filepath.Join(os.TempDir(), "crossguard-bench")
	}
	return filepath.Join(root, fmt.Sprintf("alerts-%d-seed-%d-format-%d", n, benchSeed, storeFormat))
}

// benchEngine opens (building it the first time) the store of n
// generated alerts.
func benchEngine(b *testing.B, n int) *watchlist.Engine {
	benchMu.Lock()
	defer benchMu.Unlock()
	if e, ok := benchEngines[n]; ok {
		return e
	}
	dir := benchDir(n)
	marker := filepath.Join(dir, "COMPLETE")
	if _, err := os.Stat(marker); err != nil {
		os.RemoveAll(dir)
		e, err := watchlist.Open(benchConfig(dir))
		if err != nil {
			b.Fatal(err)
		}
		g := testbench.NewGenerator(benchSeed, benchNow)
		i := 0
		rep, err := e.Load(context.Background(), func() (watchlist.Alert, error) {
			if i == n {
				return watchlist.Alert{}, io.EOF
			}
			i++
			return g.Alert(i - 1), nil
		}, watchlist.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("built a store of %d alerts in %s (bulk load, %d sorted runs)", n, rep.Took, rep.Runs)
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(marker, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	e, err := watchlist.Open(benchConfig(dir))
	if err != nil {
		b.Fatal(err)
	}
	benchEngines[n] = e
	return e
}

// innocentProbes returns probes of innocent travellers: all of them, or
// only those that pass no bloom filter (the common case the prefilter is
// for).
func innocentProbes(b *testing.B, e *watchlist.Engine, count int, onlyBloomNegative bool) []*watchlist.Probe {
	g := testbench.NewGenerator(benchSeed+1, benchNow)
	var out []*watchlist.Probe
	for tries := 0; len(out) < count && tries < 50*count; tries++ {
		id := g.Traveller(0, 80)
		p, err := e.NewProbe(g.Member(id).Traveller)
		if err != nil {
			b.Fatal(err)
		}
		if _, passing := e.Keys(p); onlyBloomNegative && passing > 0 {
			continue
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkBloomBaseline is the yardstick: one bare bloom.Test of one key
// in a filter for as many keys as the store's, at the same false-positive
// rate, shaped as the library shapes it (the smallest filter; the
// engine's own are sparser: filterShape).
func BenchmarkBloomBaseline(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			keys := uint(benchEngine(b, n).Stats().IndexKeys)
			f := bloom.NewWithEstimates(keys, 0.001)
			r := rand.New(rand.NewPCG(1, 2))
			var buf [8]byte
			for i := uint(0); i < keys; i++ {
				binary.LittleEndian.PutUint64(buf[:], r.Uint64())
				f.Add(buf[:])
			}
			probes := make([][8]byte, 4096)
			for i := range probes {
				binary.LittleEndian.PutUint64(probes[i][:], r.Uint64())
			}
			b.ReportAllocs()
			b.ResetTimer()
			hits := 0
			for i := 0; i < b.N; i++ {
				if f.Test(probes[i&4095][:]) {
					hits++
				}
			}
			_ = hits
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, n := range benchSizes(b) {
		e := benchEngine(b, n)
		cases := []struct {
			name   string
			probes func() []*watchlist.Probe
		}{
			// The common case: an innocent traveller answered from memory.
			{"innocent-bloom-negative", func() []*watchlist.Probe { return innocentProbes(b, e, 4096, true) }},
			// Innocent travellers as they come, some reaching the store.
			{"innocent-any", func() []*watchlist.Probe { return innocentProbes(b, e, 4096, false) }},
			// Innocent travellers whose keys pass a bloom filter: the store
			// is read and nothing hits (namesakes, false positives).
			{"innocent-store", func() []*watchlist.Probe {
				var out []*watchlist.Probe
				for _, p := range innocentProbes(b, e, 20000, false) {
					if _, passing := e.Keys(p); passing > 0 {
						if hits, _ := e.Check(p, benchNow); len(hits) == 0 {
							out = append(out, p)
						}
					}
				}
				return out
			}},
			// Travellers who match an alert by name: the store path.
			{"store-true-match", func() []*watchlist.Probe { return trueMatchProbes(b, e, n, testbench.VariantExact) }},
			// Travellers whose documents give no birth date (rare): the
			// innocent as they come, and true matches by name.
			{"no-birth-date-innocent", func() []*watchlist.Probe {
				g := testbench.NewGenerator(benchSeed+1, benchNow)
				out := make([]*watchlist.Probe, 0, 4096)
				for len(out) < cap(out) {
					m := g.Member(g.Traveller(0, 80))
					m.BirthDate = ""
					p, err := e.NewProbe(m.Traveller)
					if err != nil {
						b.Fatal(err)
					}
					out = append(out, p)
				}
				return out
			}},
			{"no-birth-date-true-match", func() []*watchlist.Probe { return trueMatchProbes(b, e, n, testbench.VariantNoBirth) }},
		}
		// The store's own share of the store path: the same travellers'
		// seeks and index entries, judged by nothing; and one seek each.
		var storeProbes []*watchlist.Probe
		for _, c := range cases {
			if c.name == "innocent-store" {
				storeProbes = c.probes()
			}
		}
		for _, base := range []struct {
			name    string
			maxKeys int
		}{{"innocent-store-reads-only", 0}, {"one-index-seek", 1}} {
			b.Run(fmt.Sprintf("%s/alerts=%d", base.name, n), func(b *testing.B) {
				if len(storeProbes) == 0 {
					b.Skip("no probes")
				}
				b.ReportAllocs()
				b.ResetTimer()
				entries := 0
				for i := 0; i < b.N; i++ {
					got, err := e.ReadIndex(storeProbes[i%len(storeProbes)], base.maxKeys)
					if err != nil {
						b.Fatal(err)
					}
					entries += got
				}
				b.ReportMetric(float64(entries)/float64(b.N), "entries/op")
			})
		}
		b.Run(fmt.Sprintf("one-index-get/alerts=%d", n), func(b *testing.B) {
			var keys [][]byte
			for _, p := range storeProbes {
				k, err := e.FirstIndexEntry(p)
				if err != nil {
					b.Fatal(err)
				}
				if k != nil {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 {
				b.Skip("no entries")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := e.GetIndexEntry(keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, c := range cases {
			b.Run(fmt.Sprintf("%s/alerts=%d", c.name, n), func(b *testing.B) {
				probes := c.probes()
				if len(probes) == 0 {
					b.Skip("no probes")
				}
				// The store paths also time each traveller, for the
				// median and tail over travellers (ns/op is their mean);
				// the clock's two reads are noise next to a store read
				// but not next to the bloom path, which is left alone.
				var took []time.Duration
				if c.name != "innocent-bloom-negative" {
					took = make([]time.Duration, 0, b.N)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					var start time.Time
					if took != nil {
						start = time.Now()
					}
					if _, err := e.Check(probes[i%len(probes)], benchNow); err != nil {
						b.Fatal(err)
					}
					if took != nil {
						took = append(took, time.Since(start))
					}
				}
				b.StopTimer()
				reportPercentiles(b, took)
			})
		}
	}
}

// trueMatchProbes returns up to 1,024 travellers behind the person alerts
// of the n-alert benchmark store, presented as variant v, without their
// document (found by name).
func trueMatchProbes(b *testing.B, e *watchlist.Engine, n int, v testbench.Variant) []*watchlist.Probe {
	g := testbench.NewGenerator(benchSeed, benchNow)
	var out []*watchlist.Probe
	for i := 0; len(out) < 1024 && i < n; i += max(n/4096, 1) {
		if g.Alert(i).Person == nil {
			continue
		}
		m := g.Presented(i, v)
		m.Document = nil
		p, err := e.NewProbe(m.Traveller)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// reportPercentiles reports the median, 90th and 99th percentiles of the
// times, in µs (nothing for no times).
func reportPercentiles(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	for _, q := range []struct {
		unit string
		at   float64
	}{{"p50-µs", 0.50}, {"p90-µs", 0.90}, {"p99-µs", 0.99}} {
		b.ReportMetric(float64(took[int(q.at*float64(len(took)-1))])/1e3, q.unit)
	}
}

// BenchmarkNewProbe is the preparation of a traveller read from a
// document: canonical names and blocking keys.
func BenchmarkNewProbe(b *testing.B) {
	e := benchEngine(b, benchSizes(b)[0])
	g := testbench.NewGenerator(benchSeed+2, benchNow)
	travellers := make([]watchlist.Traveller, 1024)
	for i := range travellers {
		travellers[i] = g.Member(g.Traveller(0, 80)).Traveller
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.NewProbe(travellers[i&1023]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInspectFamilyOfFour inspects two parents and two children: four
// probes, four checks, the rules and the escort history look-ups.
func BenchmarkInspectFamilyOfFour(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			e := benchEngine(b, n)
			g := testbench.NewGenerator(benchSeed+3, benchNow)
			parties := make([]watchlist.Party, 0, 256)
			for len(parties) < 256 {
				p := g.Family(watchlist.Exit, benchNow)
				if len(p.Travellers) >= 4 {
					p.Travellers = p.Travellers[:4]
					p.Relationships = p.Relationships[:4]
					parties = append(parties, p)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.Inspect(parties[i&255]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBulkLoad upserts generated alerts in batches of 5,000 into a
// fresh store; alerts/s is the figure.
func BenchmarkBulkLoad(b *testing.B) { benchUpsert(b, false, false) }

// BenchmarkBulkLoadShared is BulkLoad with every alert shared with a
// partner: each write also appends to the partners' feed.
func BenchmarkBulkLoadShared(b *testing.B) { benchUpsert(b, true, false) }

// BenchmarkUpsertDistinct upserts batches of 5,000 alerts all different
// (the generator's next alerts, generated outside the timer), as a
// register grows; BulkLoad repeats 5,000 people under new IDs, so that
// every key it writes is shared by one more alert at each batch.
func BenchmarkUpsertDistinct(b *testing.B) { benchUpsert(b, false, true) }

func benchUpsert(b *testing.B, shareAll, distinct bool) {
	e, err := watchlist.Open(benchConfig(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	g := testbench.NewGenerator(benchSeed+4, benchNow)
	const batch = 5000
	alerts := g.Alerts(0, batch)
	for k := range alerts {
		if shareAll && len(alerts[k].Share) == 0 {
			alerts[k].Share = []string{"VNM"}
			if alerts[k].Owner.Country == "VNM" {
				alerts[k].Share = []string{"LAO"}
			}
		}
	}
	timeUpserts(b, e, batch, func(i int) []watchlist.Alert {
		if distinct && i > 0 {
			alerts = g.Alerts(i*batch, (i+1)*batch)
		}
		for k := range alerts {
			alerts[k].ID = fmt.Sprintf("B%010d", i*batch+k)
		}
		return alerts
	})
}

// timeUpserts upserts b.N batches of size alerts, the i-th made by next
// outside the timer, and reports alerts/s over the upserts alone.
func timeUpserts(b *testing.B, e *watchlist.Engine, size int, next func(i int) []watchlist.Alert) {
	b.ResetTimer()
	var took time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		alerts := next(i)
		b.StartTimer()
		start := time.Now()
		if err := e.Upsert(alerts...); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
	}
	b.ReportMetric(float64(b.N*size)/took.Seconds(), "alerts/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkLoad bulk-loads CROSSGUARD_BENCH_LOAD generated alerts
// (default 200,000) into a fresh store with Engine.Load, the same alerts
// BulkLoad upserts (5,000 templates with new IDs); alerts/s is the figure,
// bloom build included.
func BenchmarkLoad(b *testing.B) {
	n := 200000
	if s := os.Getenv("CROSSGUARD_BENCH_LOAD"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CROSSGUARD_BENCH_LOAD: %q is not a number of alerts", s)
		}
	}
	g := testbench.NewGenerator(benchSeed+4, benchNow)
	const batch = 5000
	templates := g.Alerts(0, batch)
	var took, prepare, sortTook, write, cpu time.Duration
	var runs int
	var bytes int64
	for i := 0; i < b.N; i++ {
		e, err := watchlist.Open(benchConfig(b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		k := 0
		next := func() (watchlist.Alert, error) {
			if k == n {
				return watchlist.Alert{}, io.EOF
			}
			a := templates[k%batch]
			a.ID = fmt.Sprintf("B%010d", k)
			k++
			return a, nil
		}
		cpu0 := processCPU(b)
		rep, err := e.Load(context.Background(), next, watchlist.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		cpu += processCPU(b) - cpu0
		took += rep.Took
		prepare, sortTook, write = prepare+rep.Prepare, sortTook+rep.Sort, write+rep.Write
		runs += rep.Runs
		bytes += rep.Bytes
		e.Close()
	}
	b.ReportMetric(float64(b.N*n)/took.Seconds(), "alerts/s")
	b.ReportMetric(float64(runs)/float64(b.N), "runs/op")
	// Where the time goes (seconds per run) and how busy the CPUs were:
	// the write phase alone bounds the rate on this machine.
	b.ReportMetric(prepare.Seconds()/float64(b.N), "prepare-s/op")
	b.ReportMetric(sortTook.Seconds()/float64(b.N), "sort-s/op")
	b.ReportMetric(write.Seconds()/float64(b.N), "write-s/op")
	b.ReportMetric(cpu.Seconds()/took.Seconds(), "cpus-busy")
	b.ReportMetric(float64(bytes)/float64(b.N*n), "bytes/alert")
}

// BenchmarkOpen opens the store and rebuilds the bloom filters, and
// reports the memory the open engine holds.
func BenchmarkOpen(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			benchEngine(b, n) // make sure the store exists
			benchMu.Lock()
			if e := benchEngines[n]; e != nil {
				e.Close()
				delete(benchEngines, n)
			}
			benchMu.Unlock()
			var heap, rss uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e, err := watchlist.Open(benchConfig(benchDir(n)))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heap, rss = ms.HeapAlloc, residentBytes()
				e.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(heap)/float64(1<<20)/(float64(n)/1e6), "heap-MiB/M-alerts")
			b.ReportMetric(float64(rss)/float64(1<<20)/(float64(n)/1e6), "RSS-MiB/M-alerts")
		})
	}
}

// residentBytes reads the process's resident set from /proc (Linux).
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// BenchmarkRecall measures recall, false alarms and the share of innocent
// travellers reaching the store against the benchmark store (run it with
// -benchtime=1x; the figures are in the log).
func BenchmarkRecall(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			e := benchEngine(b, n)
			for i := 0; i < b.N; i++ {
				rep, err := testbench.MeasureRecall(e, testbench.NewGenerator(benchSeed, benchNow), n, 400, 5000, benchNow)
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					fmt.Printf("recall at %d alerts:\n%s\n", n, rep.Markdown()) // in full: b.Logf truncates
				}
			}
		})
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkUpsertIntoStore upserts batches of 2,000 new alerts (the
// generator's alerts after the store's, with IDs of their own) into a
// copy of the CROSSGUARD_BENCH_ALERTS benchmark store: the write path of
// a register that already holds that many alerts, as raft applies it.
func BenchmarkUpsertIntoStore(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			src := benchDir(n)
			if _, err := os.Stat(filepath.Join(src, "COMPLETE")); err != nil {
				benchEngine(b, n) // built once (and left open: copied as it rests)
			}
			dir := filepath.Join(b.TempDir(), "store")
			if out, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
				b.Fatalf("copy the store: %v: %s", err, out)
			}
			e, err := watchlist.Open(benchConfig(dir))
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			g := testbench.NewGenerator(benchSeed, benchNow)
			const batch = 2000
			timeUpserts(b, e, batch, func(i int) []watchlist.Alert {
				alerts := g.Alerts(n+i*batch, n+(i+1)*batch)
				for k := range alerts {
					alerts[k].ID = fmt.Sprintf("U%010d", i*batch+k)
				}
				return alerts
			})
		})
	}
}
