package proc

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// binary is the crossguard command built once for the package's
// benchmarks (the fault runs of package fault are this package's tests).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crossguard-proc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	binary, err = Build(ctx, dir)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// now is today (crossing records expire by the wall clock).
var now = time.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)

func startCluster(t testing.TB, voters, posts int, args ...string) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Binary: binary, Dir: t.TempDir(), Voters: voters, Posts: posts, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			for _, n := range c.Nodes {
				if b, err := os.ReadFile(n.LogPath); err == nil {
					t.Logf("--- %s log (last 3000 bytes):\n%s", n.ID, tail(b, 3000))
				}
			}
		}
	})
	return c
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
