package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
	"github.com/spf13/cobra"
)

const (
	defaultDemoAlerts = 10000
	demoSeed          = testbench.DemoSeed
)

// loadDemo stores the demo watchlist unless it is there already.
func loadDemo(ctx context.Context, eng *watchlist.Engine, n int, now time.Time) error {
	if _, err := eng.Get("DEMO-MISSING-ZHANG"); err == nil {
		return nil
	} else if !errors.Is(err, watchlist.ErrNotFound) {
		return err
	}
	g := testbench.NewGenerator(demoSeed, now)
	const batch = 5000
	for from := 0; from < n; from += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := eng.Upsert(g.Alerts(from, min(from+batch, n))...); err != nil {
			return err
		}
	}
	alerts := testbench.DemoAlerts()
	for i := range alerts {
		watchlist.StampAlert(&alerts[i], now)
	}
	return eng.Upsert(alerts...)
}

func newDemoCommand(e *env) *cobra.Command {
	var dataDir string
	var alerts int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the demo watchlist and inspect the demo parties",
		Long: "Loads a generated watchlist (missing and abducted children, children at risk, suspected traffickers, lost and stolen documents, " +
			"in Han, Vietnamese, Thai, Lao, Khmer and Burmese) into the data directory, then inspects a few parties and prints each verdict with its findings.",
		Example: "  crossguard demo --data /tmp/crossguard-demo --alerts 100000",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if alerts < 0 || alerts > 10_000_000 {
				return fmt.Errorf("--alerts %d: must be 0 to 10,000,000", alerts)
			}
			eng, err := openEngine(dataDir)
			if err != nil {
				return err
			}
			defer eng.Close()
			now := e.now()
			start := time.Now()
			if err := loadDemo(cmd.Context(), eng, alerts, now); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "Watchlist ready in %s (%d index keys, %d KiB of bloom filters).\n\n",
				time.Since(start).Round(time.Millisecond), eng.Stats().IndexKeys, eng.Stats().BloomBytes>>10)
			tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
			for _, d := range testbench.DemoParties(now) {
				t0 := time.Now()
				in, err := eng.Inspect(d.Party)
				if err != nil {
					return err
				}
				took := time.Since(t0)
				names := make([]string, len(d.Party.Travellers))
				for i, t := range d.Party.Travellers {
					names[i] = strings.TrimSpace(t.Surname + " " + t.Given)
				}
				fmt.Fprintf(tw, "%s\t%s\t(%s, %s)\n", strings.ToUpper(string(in.Verdict)), d.Title, strings.Join(names, ", "), took.Round(time.Microsecond))
				for _, f := range in.Findings {
					fmt.Fprintf(tw, "\t  %s [%s] %s\n", f.Code, f.Severity, f.Message)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "crossguard-data", "data directory")
	cmd.Flags().IntVar(&alerts, "alerts", defaultDemoAlerts, "number of generated alerts")
	return cmd
}
