// Command crossguard-bench is how anyone proves what Crossguard does
// under load and failure: fault runs on a cluster of real processes,
// and the report of every figure against its goal.
//
//	crossguard-bench faults --short      # the run CI does (about a minute)
//	crossguard-bench faults --soak 4h    # faults drawn at random, for hours
//	crossguard-bench day                 # a border day on real processes, scored
//	crossguard-bench recall              # recall and false alarms of the engine
//	crossguard-bench report              # REPORT.md and plots from the results
//
// main only maps errors to exit codes; the commands live in newRoot so
// that tests can run them with their own arguments and streams.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// errBroken is returned when a run worked but the cluster broke a
// guarantee: exit code 1.
var errBroken = errors.New("a guarantee was broken")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(os.Stdout, os.Stderr)
	root.SetArgs(os.Args[1:])
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
	case errors.Is(err, errBroken):
		fmt.Fprintln(os.Stderr, "crossguard-bench:", err)
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "crossguard-bench:", err)
		os.Exit(2)
	}
}

func newRoot(out, errOut io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "crossguard-bench",
		Short:         "Load, faults and the benchmark report of Crossguard",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	root.SetErr(errOut)
	root.AddCommand(newFaultsCommand(), newDayCommand(), newRecallCommand(), newReportCommand())
	return root
}
