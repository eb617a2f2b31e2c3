package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/testbench/report"
)

func newReportCommand() *cobra.Command {
	var in, benchmarks, command string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the benchmark report (Markdown and PNG plots) from the results of the runs",
		Long: `report reads the results in --in (Go benchmark output as *.bench.txt, fault
runs as faults-*.json, recall.json) and writes REPORT.md and the plots there:
every goal of the earlier issues beside its measured figure, the fault runs
with their verdicts, latency CDF, throughput, latency and replication over
time with the faults marked, and recall by variant. With --benchmarks FILE it
also replaces the generated part of that file (between its report markers).
make report runs every measurement and then this command.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inputs, err := report.Load(in)
			if err != nil {
				return err
			}
			md, err := report.Write(in, inputs, machine(), command)
			if err != nil {
				return err
			}
			if benchmarks != "" {
				if err := report.Splice(benchmarks, md, in); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report: %s/REPORT.md (%d goals, %d fault runs, recall: %t)\n",
				in, len(report.Goals), len(inputs.Faults), inputs.Recall != nil)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in, "in", "bench-results", "directory of the results; the report is written there too")
	f.StringVar(&benchmarks, "benchmarks", "", "a Markdown file whose generated part is replaced by the report (e.g. BENCHMARKS.md)")
	f.StringVar(&command, "command", "make report", "the command the report says reproduces it")
	return cmd
}

// machine describes this machine: CPU model, cores, memory, OS and Go.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s/%s, %s", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
