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

type demoParty struct {
	title string
	party watchlist.Party
}

func demoParties(now time.Time) []demoParty {
	g := testbench.NewGenerator(demoSeed+1, now)
	m := func(surname, given, birth, sex, nat, doc string) watchlist.Member {
		return watchlist.Member{Traveller: watchlist.Traveller{Surname: surname, Given: given, BirthDate: birth, Sex: sex, Nationality: nat,
			Document: &watchlist.Document{Type: "P", Country: nat, Number: doc}}, DocumentExpiry: now.AddDate(4, 0, 0).Format(time.DateOnly)}
	}
	return []demoParty{
		{"An innocent family leaves for a holiday", g.Family(watchlist.Exit, now)},
		{"A woman leaves with a boy on a missing-child alert (张小明, passport ZHANG XIAOMING)", watchlist.Party{Direction: watchlist.Exit, At: now,
			Travellers:    []watchlist.Member{m("WANG", "FANG", "1988-04-02", "F", "CHN", "E50001234"), m("ZHANG", "XIAOMING", "2015-03-09", "M", "CHN", "E50004321")},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Relative}}}},
		{"A mother leaves with a girl whom a court forbids to leave", watchlist.Party{Direction: watchlist.Exit, At: now,
			Travellers:    []watchlist.Member{m("LE", "THI LAN", "1985-01-01", "F", "VNM", "C50000001"), m("LE", "THI HOA", "2013-05-05", "F", "VNM", "C50000002")},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Parent}}}},
		{"A suspected trafficker escorts a teenager 'for work'", watchlist.Party{Direction: watchlist.Exit, At: now, Purpose: "work",
			Travellers:    []watchlist.Member{m("DO", "VAN HUNG", "1975-03-03", "M", "VNM", "C50000003"), m("PHAM", "THI MAI", "2010-08-08", "F", "VNM", "C50000004")},
			Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Other, ConsentDocument: true}}}},
		{"An adult escorts a child who is not theirs, without consent", g.Escort(watchlist.Exit, now, false)},
		{"A traveller presents a stolen Thai passport", watchlist.Party{Direction: watchlist.Entry, At: now,
			Travellers: []watchlist.Member{m("SRISUK", "SOMCHAI", "1990-10-10", "M", "THA", "AA9876543")}}},
		{"A businessman crosses alone", g.Solo(watchlist.Entry, now)},
	}
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
			for _, d := range demoParties(now) {
				t0 := time.Now()
				in, err := eng.Inspect(d.party)
				if err != nil {
					return err
				}
				took := time.Since(t0)
				names := make([]string, len(d.party.Travellers))
				for i, t := range d.party.Travellers {
					names[i] = strings.TrimSpace(t.Surname + " " + t.Given)
				}
				fmt.Fprintf(tw, "%s\t%s\t(%s, %s)\n", strings.ToUpper(string(in.Verdict)), d.title, strings.Join(names, ", "), took.Round(time.Microsecond))
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
