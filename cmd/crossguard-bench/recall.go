package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

func newRecallCommand() *cobra.Command {
	var (
		alerts, samples, innocents int
		seed                       uint64
		out, categories            string
	)
	cmd := &cobra.Command{
		Use:   "recall",
		Short: "Measure recall and false alarms of the matching engine on a generated watchlist",
		Long: `recall builds a watchlist of --alerts generated alerts in a temporary store,
presents the people behind --samples of them at the border in every variant
of a true match (typos, joined or swapped names, birth year off by one,
document misread by OCR, truncated names), and --innocents travellers who
match nothing, and writes recall per variant, false alarms per 10,000
innocent travellers and the missed people by name to --out/recall.json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if alerts < 1 || samples < 1 || innocents < 1 {
				return fmt.Errorf("--alerts, --samples and --innocents must be positive")
			}
			dir, err := os.MkdirTemp("", "crossguard-recall-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cfg := watchlist.DefaultConfig(dir)
			// Recall needs no crossing history; the engine wants a key.
			cfg.HistoryKey = []byte("crossguard-bench-recall-key-0123")
			e, err := watchlist.Open(cfg)
			if err != nil {
				return err
			}
			defer e.Close()
			now := time.Now().UTC().Truncate(24 * time.Hour)
			g := testbench.NewGenerator(seed, now)
			if categories != "" {
				mix, err := testbench.ParseCategoryMix(categories)
				if err != nil {
					return err
				}
				if g, err = g.WithCategories(mix); err != nil {
					return err
				}
			}
			i := 0
			if _, err := e.Load(cmd.Context(), func() (watchlist.Alert, error) {
				if i == alerts {
					return watchlist.Alert{}, io.EOF
				}
				i++
				return g.Alert(i - 1), nil
			}, watchlist.LoadOptions{}); err != nil {
				return err
			}
			rep, err := testbench.MeasureRecall(e, g, alerts, samples, innocents, now)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			b, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				return err
			}
			file := filepath.Join(out, "recall.json")
			if err := os.WriteFile(file, b, 0o644); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), rep.Markdown())
			fmt.Fprintf(cmd.OutOrStdout(), "result: %s\n", file)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&alerts, "alerts", 100000, "alerts in the generated watchlist")
	f.IntVar(&samples, "samples", 400, "alerts whose people are presented, in every variant")
	f.IntVar(&innocents, "innocents", 10000, "innocent travellers presented")
	f.Uint64Var(&seed, "seed", 1, "seed of the generator")
	f.StringVar(&out, "out", "bench-results", "directory for recall.json")
	f.StringVar(&categories, "categories", "", "the watchlist's category mix as category=weight,… (default: a national register's, lost and stolen documents first)")
	return cmd
}
