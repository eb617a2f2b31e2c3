package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/fault"
)

// The size of every plot.
const (
	plotWidth  = 9 * vg.Inch
	plotHeight = 4 * vg.Inch
)

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func seconds(d time.Duration) float64 { return d.Seconds() }

// latencyCDF plots the share of inspections answered within each latency
// (latency on a log scale, where the tail lives).
func latencyCDF(file, title string, cdf []fault.CDFPoint) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "latency (ms, log scale)"
	p.Y.Label.Text = "share of inspections answered within"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	var pts plotter.XYs
	for _, c := range cdf {
		pts = append(pts, plotter.XY{X: max(ms(c.Latency), 0.001), Y: c.Quantile})
	}
	if len(pts) == 0 {
		return fmt.Errorf("%s: no latencies", title)
	}
	// Whole decades at both ends, so that the axis has labelled ticks.
	p.X.Min = math.Pow(10, math.Floor(math.Log10(pts[0].X)))
	p.X.Max = math.Pow(10, math.Ceil(math.Log10(pts[len(pts)-1].X)))
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.Width = vg.Points(1.5)
	p.Add(l, plotter.NewGrid())
	return p.Save(plotWidth, plotHeight, file)
}

// headroom is the space above the data of a plot over time: the fault
// labels go in its lower part, the legend in its upper part.
const headroom = 1.6

// faultSpans shades the time of every fault on a plot whose data reach
// top, and labels each with its kind and node.
func faultSpans(p *plot.Plot, events []fault.Event, top float64) error {
	p.Y.Min, p.Y.Max = 0, top*headroom
	p.Legend.Top, p.Legend.Left = true, false
	var labels plotter.XYLabels
	for i, ev := range events {
		poly, err := plotter.NewPolygon(plotter.XYs{
			{X: seconds(ev.Start), Y: 0}, {X: seconds(ev.End), Y: 0},
			{X: seconds(ev.End), Y: top * headroom}, {X: seconds(ev.Start), Y: top * headroom}})
		if err != nil {
			return err
		}
		poly.Color = color.NRGBA{R: 230, G: 120, B: 40, A: 45}
		poly.LineStyle.Width = 0
		p.Add(poly)
		// Alternate label heights so that neighbouring faults stay legible.
		labels.XYs = append(labels.XYs, plotter.XY{X: seconds(ev.Start), Y: top * (1.04 + 0.08*float64(i%3))})
		labels.Labels = append(labels.Labels, fmt.Sprintf("%s %s", ev.Kind, ev.Node))
	}
	if len(labels.Labels) == 0 {
		return nil
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(7)
	}
	p.Add(l)
	return nil
}

// throughput plots the inspections answered and failed per second at
// each post over the run, with the faults marked.
func throughput(file string, res fault.Result) error {
	width := bucketWidth(res.Samples)
	top, series := 0.0, map[string]plotter.XYs{}
	for _, s := range res.Samples {
		at := seconds(s.At) + width/2 // the middle of the bucket
		series[s.Post+" answered"] = append(series[s.Post+" answered"], plotter.XY{X: at, Y: float64(s.OK) / width})
		series[s.Post+" failed"] = append(series[s.Post+" failed"], plotter.XY{X: at, Y: float64(s.Failed) / width})
		top = max(top, float64(s.OK+s.Failed)/width)
	}
	return overTime(file, "Inspections per second at each post", "per second", res, series, top)
}

// latencyOverTime plots each post's p50 and p99 per time bucket, with the
// faults marked.
func latencyOverTime(file string, res fault.Result) error {
	width := bucketWidth(res.Samples)
	top, series := 0.0, map[string]plotter.XYs{}
	for _, s := range res.Samples {
		if s.OK == 0 {
			continue
		}
		at := seconds(s.At) + width/2
		series[s.Post+" p50"] = append(series[s.Post+" p50"], plotter.XY{X: at, Y: ms(s.P50)})
		series[s.Post+" p99"] = append(series[s.Post+" p99"], plotter.XY{X: at, Y: ms(s.P99)})
		top = max(top, ms(s.P99))
	}
	return overTime(file, "Inspection latency at each post", "latency (ms)", res, series, top)
}

// replication plots each node's lag (entries behind the highest commit
// index) and each post's outbox, with the faults marked.
func replication(file string, res fault.Result) error {
	top, series := 0.0, map[string]plotter.XYs{}
	for _, l := range res.Lags {
		at := seconds(l.At)
		series[l.Node+" lag"] = append(series[l.Node+" lag"], plotter.XY{X: at, Y: float64(l.Lag)})
		top = max(top, float64(l.Lag))
		if strings.HasPrefix(l.Node, "post") {
			series[l.Node+" outbox"] = append(series[l.Node+" outbox"], plotter.XY{X: at, Y: float64(l.Outbox)})
			top = max(top, float64(l.Outbox))
		}
	}
	return overTime(file, "Replication lag of each node and outbox of each post", "raft entries / crossing records", res, series, top)
}

// overTime plots series over the run's time, with the faults marked.
func overTime(file, title, yLabel string, res fault.Result, series map[string]plotter.XYs, top float64) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (%s run)", title, res.Scenario.Name)
	p.X.Label.Text = "time since the load began (s)"
	p.Y.Label.Text = yLabel
	if err := faultSpans(p, res.Events, max(top, 1)); err != nil {
		return err
	}
	if err := addLines(p, series); err != nil {
		return err
	}
	return p.Save(plotWidth, plotHeight, file)
}

// addLines adds one line per series, in the order of their names, each
// in its own colour and dash, with a legend.
func addLines(p *plot.Plot, series map[string]plotter.XYs) error {
	names := make([]string, 0, len(series))
	for n := range series {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		l, err := plotter.NewLine(series[n])
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i / 7)
		l.Width = vg.Points(1.2)
		p.Add(l)
		p.Legend.Add(n, l)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	return nil
}

// bucketWidth is the time between samples, in seconds.
func bucketWidth(samples []fault.Sample) float64 {
	for i := 1; i < len(samples); i++ {
		if d := samples[i].At - samples[0].At; d > 0 {
			return d.Seconds()
		}
	}
	return 1
}

// recallBars plots the recall of each variant of a true match, and the
// false alarms per 10,000 innocent travellers.
func recallBars(file string, r testbench.RecallReport) error {
	names := make([]string, 0, len(r.PerVariant))
	for v := range r.PerVariant {
		names = append(names, string(v))
	}
	sort.Strings(names)
	values := make(plotter.Values, len(names))
	for i, n := range names {
		values[i] = 100 * r.PerVariant[testbench.Variant(n)].Value()
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Recall by variant of a true match (%d alerts); %.1f false alarms per 10,000 innocent travellers",
		r.Alerts, 10000*float64(r.FalseAlarms)/float64(max(r.Innocent, 1)))
	p.Y.Label.Text = "recall (%)"
	bars, err := plotter.NewBarChart(values, vg.Points(30))
	if err != nil {
		return err
	}
	bars.Color = plotutil.Color(1)
	bars.LineStyle.Width = 0
	p.Add(bars, plotter.NewGrid())
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.Font.Size = vg.Points(7)
	p.Y.Min, p.Y.Max = 0, 100
	return p.Save(plotWidth, plotHeight, file)
}
