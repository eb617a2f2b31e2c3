package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/testbench/fault"
	"github.com/crossguard/crossguard/testbench/proc"
)

func newFaultsCommand() *cobra.Command {
	var (
		short, inDocker bool
		soak            time.Duration
		seed            uint64
		out, bin, keep  string
	)
	cmd := &cobra.Command{
		Use:   "faults",
		Short: "Run a cluster of real processes under load and faults, then check that nothing acknowledged was lost",
		Long: `faults starts three voters and the posts as crossguard serve processes on
loopback, each behind a TCP fault proxy, sends inspections to every post and
alert changes to the voters, and meanwhile kills nodes with SIGKILL, cuts off
a post (its outbox fills) or the leader, and slows links. Once everything has
healed it checks that every acknowledged alert change and crossing record is
on every node, exactly once, that no inspection failed at a post that was up,
and how long the nodes took to converge. The result is written as JSON to
--out (faults-<name>.json) for the report; the exit code is 1 when a
guarantee was broken. With --containers the cluster is a Docker Compose
project instead: an image FROM scratch around the static binary, one private
network per cluster, faults by docker kill, docker network disconnect and netem.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var s fault.Scenario
			switch {
			case short == (soak > 0):
				return fmt.Errorf("give either --short or --soak <duration>")
			case short:
				s = fault.Short()
			default:
				s = fault.Soak(soak, seed)
			}
			if cmd.Flags().Changed("seed") {
				s.Seed = seed
			}
			if inDocker {
				s.Containers = true
				s.Name += "-containers"
			}
			return runFaults(cmd.Context(), cmd, s, out, bin, keep)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&short, "short", false, "the short run (every kind of fault once, about a minute; what CI runs)")
	f.DurationVar(&soak, "soak", 0, "a soak run of this length (faults drawn at random from the seed)")
	f.Uint64Var(&seed, "seed", 1, "seed of the traffic and of the soak's faults")
	f.BoolVar(&inDocker, "containers", false, "run the cluster as containers on the Docker Engine (docker-compose; images FROM scratch) instead of processes")
	f.StringVar(&out, "out", "bench-results", "directory for the result (JSON)")
	f.StringVar(&bin, "binary", "", "the crossguard command to run (default: built from this source tree with go build)")
	f.StringVar(&keep, "keep", "", "keep the nodes' data directories and logs in this directory (default: removed)")
	return cmd
}

func runFaults(ctx context.Context, cmd *cobra.Command, s fault.Scenario, out, bin, keep string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	work := keep
	if work == "" {
		tmp, err := os.MkdirTemp("", "crossguard-faults-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	if bin == "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "building crossguard…")
		var err error
		if bin, err = proc.Build(ctx, work); err != nil {
			return err
		}
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	res, err := fault.Run(ctx, bin, filepath.Join(work, "cluster"), s, logf)
	file, serr := res.Save(out)
	if err != nil {
		return err
	}
	if serr != nil {
		return serr
	}
	v := res.Verdict
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s run: %d faults over %s; %d inspections acknowledged (%d cut off by a kill), %d alert changes on %d alerts (%d in doubt)\n",
		s.Name, len(res.Events), res.Duration.Round(time.Second), v.Crossings, v.Unknown, v.AlertChanges, v.Alerts, v.AlertsInDoubt)
	fmt.Fprintf(w, "inspection latency p50 %s p99 %s p99.9 %s max %s; converged %s after the load stopped\n",
		res.P50, res.P99, res.P999, res.Max, v.Converged.Round(time.Millisecond))
	fmt.Fprintf(w, "result: %s\n", file)
	if !v.OK() {
		for _, p := range v.Problems {
			fmt.Fprintln(w, "BROKEN:", p)
		}
		return errBroken
	}
	fmt.Fprintln(w, "every guarantee held")
	return nil
}
