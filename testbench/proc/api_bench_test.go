package proc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/load"
	"github.com/crossguard/crossguard/watchlist"
)

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

func envRates(key, def string) []float64 {
	v := os.Getenv(key)
	if v == "" {
		v = def
	}
	var out []float64
	for _, s := range strings.Split(v, ",") {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f > 0 {
			out = append(out, f)
		}
	}
	return out
}

// BenchmarkProcessAPI measures one `crossguard serve` process holding
// CROSSGUARD_BENCH_ALERTS alerts (default 100,000; loaded through raft by
// --demo), driven over HTTP on the same machine by an open-loop generator
// (testbench/load: fixed arrival rate, latency from the moment each
// request was due, HDR histogram):
//   - single-traveller inspections at each rate of CROSSGUARD_BENCH_RATES
//     (half typed fields, half scanned MRZ), CROSSGUARD_BENCH_SECONDS
//     each; the highest rate with no error and p99 ≤ 5 ms is reported;
//   - party-of-four inspections (two parents, two children) likewise at
//     CROSSGUARD_BENCH_PARTY_RATES;
//   - the import rate of 50,000 alerts as NDJSON through POST
//     /v1/alerts/import.
//
// The steps start once the node has settled after the load (at most
// CROSSGUARD_BENCH_SETTLE seconds, default 600); CROSSGUARD_BENCH_ARGS
// adds serve flags.
//
// CROSSGUARD_BENCH_ALERTS=1000000 go test -run NONE -bench ProcessAPI -benchtime 1x -timeout 3h ./testbench/proc/
func BenchmarkProcessAPI(b *testing.B) {
	alerts := envInt("CROSSGUARD_BENCH_ALERTS", 100000)
	seconds := envInt("CROSSGUARD_BENCH_SECONDS", 10)
	ctx := context.Background()
	loadStart := time.Now()
	// CROSSGUARD_BENCH_ARGS adds serve flags (an experiment's, such as
	// --outbox-dir on another disk).
	c := startCluster(b, 1, 0, append([]string{"--demo", "--demo-alerts", strconv.Itoa(alerts)}, strings.Fields(os.Getenv("CROSSGUARD_BENCH_ARGS"))...)...)
	n := c.Nodes[0]
	lctx, cancel := context.WithTimeout(ctx, 2*time.Hour)
	defer cancel()
	if err := c.WaitDemo(lctx); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(loadStart)
	b.Logf("%d alerts loaded through raft (demo loader, batches of 2,000) in %s: %.0f alerts/s", alerts, loaded.Round(time.Second), float64(alerts)/loaded.Seconds())
	officer, err := c.CreateToken(ctx, "officer", n.ID)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.WaitConverged(ctx); err != nil {
		b.Fatal(err)
	}
	// The store a load has just written is compacted for minutes after
	// it: measuring then measures the compactions. Wait (at most
	// CROSSGUARD_BENCH_SETTLE seconds, default 600) until the node uses
	// less than a tenth of a core over five seconds.
	settled, err := waitQuiet(ctx, n.PID(), 0.1, 5*time.Second, time.Duration(envInt("CROSSGUARD_BENCH_SETTLE", 600))*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("the node settled %s after the load", settled.Round(time.Second))

	now := time.Now()
	g := testbench.NewGenerator(4242, now)
	var singles, parties [][]byte
	for i := 0; i < 20000; i++ {
		p := g.Solo(watchlist.Exit, now)
		req := testbench.Request(p)
		if i%2 == 1 {
			req = testbench.ScannedRequest(p)
		}
		body, _ := json.Marshal(req)
		singles = append(singles, body)
	}
	for len(parties) < 5000 {
		p := g.Family(watchlist.Exit, now)
		if len(p.Travellers) < 4 {
			continue
		}
		p.Travellers, p.Relationships = p.Travellers[:4], p.Relationships[:4]
		body, _ := json.Marshal(testbench.ScannedRequest(p))
		parties = append(parties, body)
	}

	admin, err := os.ReadFile(filepath.Join(n.Dir, "admin.token"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := load.Config{URL: n.URL() + "/v1/inspections", Token: officer, Duration: time.Duration(seconds) * time.Second,
		Server: serverLatency(n.URL()+"/metrics", strings.TrimSpace(string(admin)))}
	b.ResetTimer()
	report := func(name string, bodies [][]byte, rates []float64) {
		cfg.Body = func(i int) []byte { return bodies[i%len(bodies)] }
		runs, best, err := load.Search(ctx, cfg, rates, 5*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range runs {
			b.Logf("%s: %v", name, r)
		}
		b.ReportMetric(best, name+"/s@p99≤5ms")
	}
	report("single", singles, envRates("CROSSGUARD_BENCH_RATES", "500,1000,1500,2000,3000"))
	report("party4", parties, envRates("CROSSGUARD_BENCH_PARTY_RATES", "250,500,1000,1500"))

	// The import rate through the API.
	const imports = 50000
	var nd bytes.Buffer
	ig := testbench.NewGenerator(777, now)
	for from := 0; from < imports; from += 5000 {
		for _, a := range ig.Alerts(from, from+5000) {
			a.ID = "IMPORT-" + a.ID
			line, _ := json.Marshal(a)
			nd.Write(line)
			nd.WriteByte('\n')
		}
	}
	analyst, err := c.CreateToken(ctx, "analyst", "")
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, n.URL()+"/v1/alerts/import", bytes.NewReader(nd.Bytes()))
	req.Header.Set("Authorization", "Bearer "+analyst)
	start := time.Now()
	resp, err := (&http.Client{Timeout: time.Hour}).Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var rep struct{ Imported, Invalid int }
	err = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil || rep.Imported != imports {
		b.Fatalf("import: %v %+v", err, rep)
	}
	b.Logf("import of %d alerts (%d MB NDJSON) through the API: %s, %.0f alerts/s", imports, nd.Len()>>20, took.Round(time.Millisecond), float64(imports)/took.Seconds())
	b.ReportMetric(float64(imports)/took.Seconds(), "import-alerts/s")
}

// serverLatency reads the node's own inspection latency histogram
// (crossguard_inspection_seconds: from the start of Node.Inspect to the
// outbox write, without HTTP or queueing for the CPU) and says, for the
// inspections since its previous call, how many the node itself answered
// within 5 ms and within 50 ms, and the bucket that holds its p99: what
// the generator measures beyond that is HTTP, queueing and scheduling.
func serverLatency(url, token string) func() string {
	var last map[string]float64
	return func() string {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "metrics: " + err.Error()
		}
		defer resp.Body.Close()
		cur := map[string]float64{}
		var order []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			rest, ok := strings.CutPrefix(line, `crossguard_inspection_seconds_bucket{le="`)
			if !ok {
				continue
			}
			le, val, ok := strings.Cut(rest, `"} `)
			if v, err := strconv.ParseFloat(val, 64); ok && err == nil {
				cur[le] = v
				order = append(order, le)
			}
		}
		prev := last
		last = cur
		if prev == nil {
			return ""
		}
		total := cur["+Inf"] - prev["+Inf"]
		if total <= 0 {
			return "no inspections"
		}
		share := func(le string) float64 { return 100 * (cur[le] - prev[le]) / total }
		p99 := "+Inf"
		for _, le := range order {
			if share(le) >= 99 {
				p99 = le
				break
			}
		}
		return fmt.Sprintf("%.0f inspections, %.1f%% within 5 ms, %.2f%% within 50 ms, p99 ≤ %s s", total, share("0.005"), share("0.05"), p99)
	}
}

// waitQuiet waits until process pid has used less than share of a core
// over a whole window, or until most has passed (not an error: the
// figures after it say what the node was doing), and returns how long
// it waited.
func waitQuiet(ctx context.Context, pid int, share float64, window, most time.Duration) (time.Duration, error) {
	start := time.Now()
	busy := func() (time.Duration, error) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, err
		}
		// The fields after the command's closing parenthesis; utime and
		// stime are the 12th and 13th of them, in clock ticks (100/s).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
		}
		u, err1 := strconv.ParseInt(f[11], 10, 64)
		st, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
		}
		return time.Duration(u+st) * 10 * time.Millisecond, nil
	}
	for time.Since(start) < most {
		before, err := busy()
		if err != nil {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(window):
		}
		after, err := busy()
		if err != nil {
			return 0, err
		}
		if float64(after-before) < share*float64(window) {
			return time.Since(start), nil
		}
	}
	return time.Since(start), nil
}
