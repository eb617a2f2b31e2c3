package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/testbench/borderday"
	"github.com/crossguard/crossguard/testbench/proc"
)

func newDayCommand() *cobra.Command {
	var (
		o        borderday.Options
		out, bin string
	)
	cmd := &cobra.Command{
		Use:   "day",
		Short: "Run a border day against a cluster of real processes and score its answers",
		Long: `day starts an operations centre and --posts border posts as crossguard serve
processes, loads a generated watchlist of --alerts through raft, and sends the
day's parties (families, escorted children, travellers crossing back, scanned
passports, and people on the watchlist presented with typos, transliteration
variants, swapped names, partial birth dates) to every post, open-loop, with
the morning and evening peaks of a border day compressed into --duration.
Each traveller carries the ground truth: the run reports throughput and
latency, recall, false alarms per 10,000 innocent travellers, and the missed
children by name, and writes them to --out/borderday.json for the report.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			work, err := os.MkdirTemp("", "crossguard-day-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(work)
			if bin == "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "building crossguard…")
				if bin, err = proc.Build(cmd.Context(), work); err != nil {
					return err
				}
			}
			logf := func(format string, args ...any) {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
			}
			res, err := borderday.Run(cmd.Context(), bin, filepath.Join(work, "cluster"), o, logf)
			if err != nil {
				return err
			}
			file, err := res.Save(out)
			if err != nil {
				return err
			}
			s := res.Score
			w := cmd.OutOrStdout()
			fmt.Fprintln(w, res.Load)
			fmt.Fprintf(w, "recall %.1f%% (%d of %d people on alerts); %.1f false alarms per 10,000 innocent travellers\n",
				100*s.Recall(), s.Found, s.Wanted, s.FalseAlarmsPer10k())
			for _, m := range s.MissedChildren {
				fmt.Fprintln(w, "missed child:", m)
			}
			fmt.Fprintf(w, "result: %s\n", file)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Alerts, "alerts", 100000, "alerts in the watchlist (loaded through raft)")
	f.IntVar(&o.Posts, "posts", 2, "border posts answering inspections")
	f.Float64Var(&o.Rate, "rate", 200, "the day's mean inspections per second over all posts")
	f.DurationVar(&o.Duration, "duration", time.Minute, "the day compressed into this long")
	f.BoolVar(&o.Holiday, "holiday", false, "a holiday: busier all day, a higher morning peak")
	f.Float64Var(&o.Mix.TrueMatch, "true-match", testbench.DefaultMix.TrueMatch, "share of parties bringing someone on the watchlist")
	f.Float64Var(&o.Mix.MRZ, "mrz", testbench.DefaultMix.MRZ, "share of parties whose passports are scanned")
	f.Float64Var(&o.Mix.Family, "family", testbench.DefaultMix.Family, "share of families with children")
	f.Float64Var(&o.Mix.Escort, "escort", testbench.DefaultMix.Escort, "share of adults crossing with a child not theirs")
	f.Float64Var(&o.Mix.Repeat, "repeat", testbench.DefaultMix.Repeat, "share of parties crossing back the same day")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the traffic")
	f.StringVar(&out, "out", "bench-results", "directory for borderday.json")
	f.StringVar(&bin, "binary", "", "the crossguard command to run (default: built from this source tree)")
	return cmd
}
