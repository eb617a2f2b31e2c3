// Command crossguard is the border entry-exit inspection and alert service.
//
// main only maps errors to exit codes; the commands live in newRootCommand
// so that tests can run them with their own arguments and streams.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// errFindings is returned by commands whose work succeeded but whose answer
// is negative (an invalid MRZ, a stop verdict): exit code 1, no message.
var errFindings = errors.New("findings")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	switch {
	case err == nil:
	case errors.Is(err, errFindings):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "crossguard:", err)
		os.Exit(2)
	}
}

type streams struct {
	in       io.Reader
	out, err io.Writer
}

// env is what every command gets: its streams and the clock.
type env struct {
	streams
	now func() time.Time
}

func run(ctx context.Context, args []string, s streams) error {
	cmd := newRootCommand(&env{streams: s, now: time.Now})
	cmd.SetArgs(args)
	cmd.SetIn(s.in)
	cmd.SetOut(s.out)
	cmd.SetErr(s.err)
	return cmd.ExecuteContext(ctx)
}

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "crossguard",
		Short:         "Border entry-exit inspection and alert service",
		Long:          "Crossguard checks travellers and the parties they cross with against watchlists of missing and abducted children, children at risk, suspected traffickers and lost or stolen documents, and against the warning signs of child trafficking.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newMRZCommand(e), newCheckCommand(e), newDemoCommand(e),
		newServeCommand(e), newClusterCommand(e), newCertsCommand(e),
		newBackupCommand(e), newRestoreCommand(e), newTokenCommand(e), newAuditCommand(e),
		newInspectCommand(e), newAlertsCommand(e), newFederationCommand(e))
	return root
}
