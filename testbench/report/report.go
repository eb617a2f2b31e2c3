// Package report turns the results of the testbench's runs into the
// benchmark report: a Markdown page with every figure of the earlier
// issues' goals side by side with its goal, the fault runs' verdicts, and
// PNG plots (latency CDF, throughput and latency over time with the
// faults marked, replication lag and outboxes, recall by variant).
//
// Its inputs are files in one directory, each written by one command of
// `make report`:
//
//	*.bench.txt        Go benchmark output (engine, cluster, processes, API)
//	faults-<name>.json a fault run (crossguard-bench faults)
//	borderday.json     a border day (crossguard-bench day)
//	recall.json        a recall run (crossguard-bench recall)
//
// A goal whose input is missing is listed with the command that measures
// it, so the report never hides what was not run.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/borderday"
	"github.com/crossguard/crossguard/testbench/fault"
)

// Inputs are the results read from a directory.
type Inputs struct {
	// Benchmarks maps a file's name (without .bench.txt) to its
	// benchmarks: the name (without the -GOMAXPROCS suffix) → unit →
	// every value measured.
	Benchmarks map[string]map[string]map[string][]float64
	Faults     []fault.Result
	Recall     *testbench.RecallReport
	Day        *borderday.Result
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// Load reads every input in dir.
func Load(dir string) (Inputs, error) {
	in := Inputs{Benchmarks: map[string]map[string]map[string][]float64{}}
	files, err := os.ReadDir(dir)
	if err != nil {
		return in, err
	}
	for _, f := range files {
		name, path := f.Name(), filepath.Join(dir, f.Name())
		switch {
		case strings.HasSuffix(name, ".bench.txt"):
			b, err := readBenchmarks(path)
			if err != nil {
				return in, err
			}
			in.Benchmarks[strings.TrimSuffix(name, ".bench.txt")] = b
		case strings.HasPrefix(name, "faults-") && strings.HasSuffix(name, ".json"):
			var r fault.Result
			if err := readJSON(path, &r); err != nil {
				return in, err
			}
			in.Faults = append(in.Faults, r)
		case name == "borderday.json":
			var r borderday.Result
			if err := readJSON(path, &r); err != nil {
				return in, err
			}
			in.Day = &r
		case name == "recall.json":
			var r testbench.RecallReport
			if err := readJSON(path, &r); err != nil {
				return in, err
			}
			in.Recall = &r
		}
	}
	sort.Slice(in.Faults, func(i, j int) bool { return in.Faults[i].Scenario.Name < in.Faults[j].Scenario.Name })
	return in, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readBenchmarks reads a file of Go benchmark output, keeping each value
// in the unit it was reported in.
func readBenchmarks(path string) (map[string]map[string][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string][]float64{}
	r := benchfmt.NewReader(f, path)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue // a syntax error: a line that is not a benchmark
		}
		name := procsSuffix.ReplaceAllString(string(res.Name.Full()), "")
		if out[name] == nil {
			out[name] = map[string][]float64{}
		}
		for _, v := range res.Values {
			unit, val := v.Unit, v.Value
			if v.OrigUnit != "" {
				unit, val = v.OrigUnit, v.OrigValue
			}
			out[name][unit] = append(out[name][unit], val)
		}
	}
	return out, r.Err()
}

// median of the values, and whether there were any.
func median(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// Goal is one goal of an earlier issue and where its figure comes from.
type Goal struct {
	Issue int
	What  string
	// File, Benchmark and Unit locate the figure: the median of the
	// benchmark's values in that unit in File.bench.txt, times Scale.
	File, Benchmark, Unit string
	Scale                 float64
	// AtMost or AtLeast is the goal (in the scaled unit, Shown); neither
	// for a figure reported without a goal.
	AtMost, AtLeast *float64
	Shown           string
	// Command measures the figure.
	Command string
}

func atMost(v float64) *float64  { return &v }
func atLeast(v float64) *float64 { return &v }

// Goals are the goals of issues 2 to 4, with the benchmarks that measure
// them (see the Makefile's report target for the commands).
var Goals = []Goal{
	{Issue: 2, What: "innocent traveller, bloom path, 1M alerts", File: "engine-1m", Benchmark: "Check/innocent-bloom-negative/alerts=1000000", Unit: "ns/op", Scale: 1e-3, AtMost: atMost(1), Shown: "µs", Command: "make report-engine"},
	{Issue: 2, What: "innocent traveller, bloom path, allocations", File: "engine-1m", Benchmark: "Check/innocent-bloom-negative/alerts=1000000", Unit: "allocs/op", Scale: 1, AtMost: atMost(0), Shown: "allocs", Command: "make report-engine"},
	{Issue: 2, What: "innocent traveller reaching the store, 1M: the median traveller", File: "engine-1m", Benchmark: "Check/innocent-store/alerts=1000000", Unit: "p50-µs", Scale: 1, AtMost: atMost(20), Shown: "µs", Command: "make report-engine"},
	{Issue: 2, What: "innocent traveller reaching the store, 1M: mean over travellers", File: "engine-1m", Benchmark: "Check/innocent-store/alerts=1000000", Unit: "ns/op", Scale: 1e-3, Shown: "µs", Command: "make report-engine"},
	{Issue: 2, What: "true match, 1M", File: "engine-1m", Benchmark: "Check/store-true-match/alerts=1000000", Unit: "ns/op", Scale: 1e-3, Shown: "µs", Command: "make report-engine"},
	{Issue: 2, What: "family of four, 1M", File: "engine-1m", Benchmark: "InspectFamilyOfFour/alerts=1000000", Unit: "ns/op", Scale: 1e-3, Shown: "µs", Command: "make report-engine"},
	{Issue: 2, What: "bulk load (Load) of 200,000 alerts", File: "engine-1m", Benchmark: "Load", Unit: "alerts/s", Scale: 1, AtLeast: atLeast(100000), Shown: "alerts/s", Command: "make report-engine"},
	{Issue: 2, What: "innocent traveller, bloom path, 10M alerts", File: "engine-10m", Benchmark: "Check/innocent-bloom-negative/alerts=10000000", Unit: "ns/op", Scale: 1e-3, AtMost: atMost(1), Shown: "µs", Command: "make report-engine REPORT_10M=1"},
	{Issue: 2, What: "innocent traveller reaching the store, 10M: the median traveller", File: "engine-10m", Benchmark: "Check/innocent-store/alerts=10000000", Unit: "p50-µs", Scale: 1, AtMost: atMost(20), Shown: "µs", Command: "make report-engine REPORT_10M=1"},
	{Issue: 2, What: "innocent traveller reaching the store, 10M: mean over travellers", File: "engine-10m", Benchmark: "Check/innocent-store/alerts=10000000", Unit: "ns/op", Scale: 1e-3, Shown: "µs", Command: "make report-engine REPORT_10M=1"},
	{Issue: 2, What: "open a 10M store, bloom rebuilt", File: "engine-10m", Benchmark: "Open/alerts=10000000", Unit: "ns/op", Scale: 1e-9, AtMost: atMost(60), Shown: "s", Command: "make report-engine REPORT_10M=1"},
	{Issue: 2, What: "heap at 10M alerts", File: "engine-10m", Benchmark: "Open/alerts=10000000", Unit: "heap-MiB/M-alerts", Scale: 10.0 / 1024, AtMost: atMost(2), Shown: "GiB", Command: "make report-engine REPORT_10M=1"},
	{Issue: 3, What: "replicated upserts in batches, 3 voters", File: "cluster", Benchmark: "ReplicatedUpsert/batch=1000", Unit: "alerts/s", Scale: 1, AtLeast: atLeast(20000), Shown: "alerts/s", Command: "make report-cluster"},
	{Issue: 3, What: "change visible at all 10 replicas, p99", File: "processes", Benchmark: "ProcessVisibility", Unit: "all10-p99-ms", Scale: 1, AtMost: atMost(250), Shown: "ms", Command: "make report-cluster"},
	{Issue: 3, What: "leader killed → next committed write, worst", File: "processes", Benchmark: "ProcessFailover", Unit: "failover-max-ms", Scale: 1e-3, AtMost: atMost(3), Shown: "s", Command: "make report-cluster"},
	{Issue: 3, What: "inspections failed during failovers", File: "processes", Benchmark: "ProcessFailover", Unit: "inspections-failed", Scale: 1, AtMost: atMost(0), Shown: "", Command: "make report-cluster"},
	{Issue: 4, What: "single-traveller inspections/s at p99 ≤ 5 ms, one node (goal at 10M alerts; REPORT_ALERTS as run)", File: "api", Benchmark: "ProcessAPI", Unit: "single/s@p99≤5ms", Scale: 1, AtLeast: atLeast(20000), Shown: "/s", Command: "make report-api"},
	{Issue: 4, What: "party-of-four inspections/s at p99 ≤ 5 ms", File: "api", Benchmark: "ProcessAPI", Unit: "party4/s@p99≤5ms", Scale: 1, Shown: "/s", Command: "make report-api"},
	{Issue: 4, What: "import through the API", File: "api", Benchmark: "ProcessAPI", Unit: "import-alerts/s", Scale: 1, Shown: "alerts/s", Command: "make report-api"},
}

// Figure finds a goal's figure in the inputs.
func (in Inputs) Figure(g Goal) (float64, bool) {
	v, ok := median(in.Benchmarks[g.File][g.Benchmark][g.Unit])
	return v * g.Scale, ok
}

// Write renders the report into dir: REPORT.md and the plots. It
// answers the Markdown.
func Write(dir string, in Inputs, machine, command string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "## Benchmark report\n\nGenerated %s by `%s` on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), command, machine)
	b.WriteString("### Goals of the earlier issues\n\nEach figure is the median of the runs in its input file.\n\n")
	b.WriteString("| issue | what | goal | measured | met? | measured by |\n|---|---|---|---|---|---|\n")
	for _, g := range Goals {
		goal, met := "—", "—"
		v, ok := in.Figure(g)
		switch {
		case g.AtMost != nil:
			goal = "≤ " + number(*g.AtMost, g.Shown)
			met = yes(v <= *g.AtMost)
		case g.AtLeast != nil:
			goal = "≥ " + number(*g.AtLeast, g.Shown)
			met = yes(v >= *g.AtLeast)
		}
		measured := number(v, g.Shown)
		if !ok {
			measured, met = "not run", "—"
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | `%s` (%s.bench.txt) |\n", g.Issue, g.What, goal, measured, met, g.Command, g.File)
	}
	if err := faultSections(&b, dir, in.Faults); err != nil {
		return "", err
	}
	if in.Day != nil {
		daySection(&b, *in.Day)
	}
	if in.Recall != nil {
		b.WriteString("\n### Recall and false alarms of the engine\n\n")
		b.WriteString(in.Recall.Markdown())
		if len(in.Recall.Missed) > 0 {
			fmt.Fprintf(&b, "\nMissed, by name (first %d):\n\n", min(len(in.Recall.Missed), 10))
			for _, m := range in.Recall.Missed[:min(len(in.Recall.Missed), 10)] {
				fmt.Fprintf(&b, "- %s\n", m)
			}
		}
		if err := recallBars(filepath.Join(dir, "recall.png"), *in.Recall); err != nil {
			return "", err
		}
		b.WriteString("\n![recall by variant](recall.png)\n")
	}
	md := b.String()
	return md, writeWhole(filepath.Join(dir, "REPORT.md"), []byte(md))
}

func faultSections(b *strings.Builder, dir string, runs []fault.Result) error {
	for _, r := range runs {
		v := r.Verdict
		name := r.Scenario.Name
		fmt.Fprintf(b, "\n### Fault run %q\n\n", name)
		how := "`crossguard serve` processes on loopback, each behind a TCP fault proxy"
		if r.Scenario.Containers {
			how = "containers of a Docker Compose project (an image FROM scratch; a private raft network a cut disconnects a node from)"
		}
		fmt.Fprintf(b, "%d voters and %d posts as %s; %.0f inspections/s at each post and alert changes through the voters for %s (seed %d).\n\n",
			r.Scenario.Voters, r.Scenario.Posts, how, r.Scenario.Rate, r.Duration.Round(time.Second), r.Scenario.Seed)
		verdict := "**every guarantee held**"
		if !v.OK() {
			verdict = "**BROKEN**: " + strings.Join(v.Problems, "; ")
		}
		fmt.Fprintf(b, "| figure | value |\n|---|---|\n")
		fmt.Fprintf(b, "| verdict | %s |\n", verdict)
		fmt.Fprintf(b, "| inspections acknowledged (cut off by a kill) | %d (%d) |\n", v.Crossings, v.Unknown)
		fmt.Fprintf(b, "| crossing records on every node | %d |\n", v.CrossingRecords)
		fmt.Fprintf(b, "| alert changes acknowledged, on alerts (in doubt) | %d, %d (%d) |\n", v.AlertChanges, v.Alerts, v.AlertsInDoubt)
		fmt.Fprintf(b, "| nodes converged after the load stopped | %s |\n", v.Converged.Round(time.Millisecond))
		fmt.Fprintf(b, "| inspection latency p50 / p99 / p99.9 / max | %s / %s / %s / %s |\n\n", r.P50, r.P99, r.P999, r.Max)
		b.WriteString("| fault | node | from | to | seen |\n|---|---|---|---|---|\n")
		for _, ev := range r.Events {
			fmt.Fprintf(b, "| %s | %s | %.1f s | %.1f s | %s |\n", ev.Kind, ev.Node, ev.Start.Seconds(), ev.End.Seconds(), ev.Detail)
		}
		plots := []struct {
			file, alt string
			draw      func(string) error
		}{
			{"latency-cdf", "latency CDF", func(f string) error {
				return latencyCDF(f, fmt.Sprintf("Inspection latency over the %s fault run (CDF)", name), r.CDF)
			}},
			{"throughput", "inspections per second with the faults marked", func(f string) error { return throughput(f, r) }},
			{"latency", "latency over time with the faults marked", func(f string) error { return latencyOverTime(f, r) }},
			{"replication", "replication lag and outboxes", func(f string) error { return replication(f, r) }},
		}
		b.WriteString("\n")
		for _, p := range plots {
			file := fmt.Sprintf("faults-%s-%s.png", name, p.file)
			if err := p.draw(filepath.Join(dir, file)); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			fmt.Fprintf(b, "![%s](%s)\n", p.alt, file)
		}
	}
	return nil
}

// daySection reports a border day: the load and the score of its
// answers against the ground truth.
func daySection(b *strings.Builder, d borderday.Result) {
	o, l, s := d.Options, d.Load, d.Score
	kind := "working day"
	if o.Holiday {
		kind = "holiday"
	}
	fmt.Fprintf(b, "\n### A border day\n\nA %s compressed into %s: %d alerts loaded through raft (%s, with replication to the posts), %d posts, %.0f inspections/s on average over the posts with the morning and evening peaks of the day, open loop; %.0f%% of the parties bring someone on the watchlist, presented with typos, transliteration variants, swapped names or partial birth dates.\n\n",
		kind, o.Duration, o.Alerts, d.Loaded.Round(time.Second), o.Posts, o.Rate, 100*max(o.Mix.TrueMatch, testbench.DefaultMix.TrueMatch))
	b.WriteString("| figure | value |\n|---|---|\n")
	fmt.Fprintf(b, "| inspections answered / errors / shed | %d / %d / %d |\n", l.OK, l.Errors, l.Shed)
	fmt.Fprintf(b, "| latency p50 / p99 / p99.9 / max | %s / %s / %s / %s |\n", l.P50, l.P99, l.P999, l.Max)
	fmt.Fprintf(b, "| recall (people on alerts found) | %.1f%% (%d of %d) |\n", 100*s.Recall(), s.Found, s.Wanted)
	fmt.Fprintf(b, "| false alarms per 10,000 innocent travellers | %.1f (%d of %d) |\n", s.FalseAlarmsPer10k(), s.FalseAlarms, s.Innocent)
	fmt.Fprintf(b, "| children missed | %d |\n", len(s.MissedChildren))
	for _, m := range s.MissedChildren {
		fmt.Fprintf(b, "\n- missed child: %s", m)
	}
	if len(s.MissedChildren) > 0 {
		b.WriteString("\n")
	}
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// number writes a figure with its unit, with as many decimals as it
// needs.
func number(v float64, unit string) string {
	var s string
	switch {
	case v == math.Trunc(v) || v >= 100:
		s = fmt.Sprintf("%.0f", v)
		if v >= 1000 {
			s = thousands(s)
		}
	case v >= 10:
		s = fmt.Sprintf("%.1f", v)
	default:
		s = fmt.Sprintf("%.3g", v)
	}
	if unit == "" {
		return s
	}
	if strings.HasPrefix(unit, "/") {
		return s + unit
	}
	return s + " " + unit
}

func thousands(s string) string {
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Markers delimit the generated part of BENCHMARKS.md.
const (
	beginMarker = "<!-- report:begin (generated by crossguard-bench report; do not edit by hand) -->"
	endMarker   = "<!-- report:end -->"
)

// ErrNoMarkers is returned when a file has no generated part to replace.
var ErrNoMarkers = errors.New("report: the file has no report markers")

// Splice replaces the generated part of a Markdown file (between the
// markers) with the report, its images referred to under imageDir. A file
// without the markers is left alone (ErrNoMarkers): nothing is written
// where it was not meant to go.
func Splice(file, report, imageDir string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	i, j := bytes.Index(b, []byte(beginMarker)), bytes.Index(b, []byte(endMarker))
	if i < 0 || j < i {
		return fmt.Errorf("%s: %w (add %q and %q where the report goes)", file, ErrNoMarkers, beginMarker, endMarker)
	}
	report = regexp.MustCompile(`\]\(([^)/]+\.png)\)`).ReplaceAllString(report, "]("+imageDir+"/$1)")
	var out bytes.Buffer
	out.Write(b[:i+len(beginMarker)])
	out.WriteString("\n")
	out.WriteString(report)
	out.Write(b[j:])
	return writeWhole(file, out.Bytes())
}

// writeWhole writes a file under a temporary name and renames it: a
// reader, or a run cut short, never finds it half-written.
func writeWhole(file string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, nothing is there
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
