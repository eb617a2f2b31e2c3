package fault

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench/proc"
)

func build(t *testing.T, tags ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, err := proc.Build(ctx, t.TempDir(), tags...)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// runScenario runs a scenario on a build of crossguard (with the build
// tags) and fails the test when the harness itself fails; the verdict is
// the caller's to judge.
func runScenario(t *testing.T, s Scenario, within time.Duration, tags ...string) Result {
	t.Helper()
	if testing.Short() {
		t.Skip("faults on real processes")
	}
	bin := build(t, tags...)
	dir := t.TempDir()
	logsOnFailure(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	res, err := Run(ctx, bin, dir, s, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// logsOnFailure prints the end of every node's log when the test fails.
func logsOnFailure(t *testing.T, dir string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		for _, l := range logs {
			if b, err := os.ReadFile(l); err == nil {
				if len(b) > 4000 {
					b = b[len(b)-4000:]
				}
				t.Logf("--- %s (last 4000 bytes):\n%s", filepath.Base(l), b)
			}
		}
	})
}

// TestShortFaultRun is the short fault run of CI: three voters and two
// posts of real processes under inspections and alert changes, while the
// leader and a post are killed with SIGKILL, a post and the leader are
// cut off, and links are slowed. Every acknowledged crossing and alert
// change must be on every node afterwards, no inspection may fail at a
// post that was up, and the nodes must converge.
func TestShortFaultRun(t *testing.T) {
	s := Short()
	res := runScenario(t, s, 8*time.Minute)
	if err := res.Verdict.Err(); err != nil {
		t.Fatal(err)
	}
	// The run did what it says: every fault happened, traffic flowed
	// through them, and the cut-off post filled its outbox.
	if len(res.Events) != len(s.Faults) {
		t.Fatalf("%d fault events for %d faults", len(res.Events), len(s.Faults))
	}
	for i, ev := range res.Events {
		if ev.Kind != s.Faults[i].Kind || ev.Node == "" || ev.End <= ev.Start {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	v := res.Verdict
	if v.Crossings < 500 || v.AlertChanges < 50 || v.CrossingRecords < v.Crossings {
		t.Fatalf("too little traffic to judge: %+v", v)
	}
	filled := 0
	for _, l := range res.Lags {
		filled = max(filled, l.Outbox)
	}
	if filled < 20 {
		t.Fatalf("no post's outbox filled while it was cut off (largest %d)", filled)
	}
	t.Logf("verdict: %d crossings (%d unknown, %d records), %d alert changes on %d alerts (%d in doubt), converged in %s; p50 %s p99 %s max %s; largest outbox %d",
		v.Crossings, v.Unknown, v.CrossingRecords, v.AlertChanges, v.Alerts, v.AlertsInDoubt, v.Converged.Round(time.Millisecond),
		res.P50, res.P99, res.Max, filled)
}

// TestCheckerCatchesALossyBuild runs a deliberately broken build (see
// node/lossy.go: posts forget some crossing records, some alert changes
// are acknowledged and never committed) under a short fault run: the
// checker must fail it, naming both losses.
func TestCheckerCatchesALossyBuild(t *testing.T) {
	s := Scenario{Name: "lossy", Voters: 3, Posts: 1, Rate: 20, Warmup: 3 * time.Second, Seed: 2,
		Converge: 10 * time.Second, Args: fastFailover,
		Faults: []Fault{{Kind: IsolatePost, Hold: 3 * time.Second, Pause: 2 * time.Second}}}
	res := runScenario(t, s, 5*time.Minute, "crossguard_lossy")
	if res.Verdict.OK() {
		t.Fatalf("the checker passed a build that loses data: %+v", res.Verdict)
	}
	all := strings.Join(res.Verdict.Problems, "\n")
	for _, want := range []string{"acknowledged crossings", "acknowledged alert"} {
		if !strings.Contains(all, want) {
			t.Errorf("the checker did not report lost %q:\n%s", want, all)
		}
	}
	t.Logf("the checker found:\n%s", all)
}

// TestRepeatedLeaderKills kills the leader three times over while writes
// run, each restarted leader killed again soon after, then a post: a
// killed leader may hold entries it never committed, which it must
// discard from its log on restart; nothing acknowledged may be lost.
func TestRepeatedLeaderKills(t *testing.T) {
	kill := Fault{Kind: KillLeader, Hold: 2 * time.Second, Pause: time.Second}
	s := Scenario{Name: "leader-kills", Voters: 3, Posts: 2, Rate: 20, Warmup: 2 * time.Second, Seed: 3,
		Converge: time.Minute, Args: fastFailover,
		Faults: []Fault{kill, kill, kill, {Kind: KillPost, Hold: 2 * time.Second, Pause: 2 * time.Second}}}
	res := runScenario(t, s, 5*time.Minute)
	if err := res.Verdict.Err(); err != nil {
		t.Fatal(err)
	}
	leaders := map[string]bool{}
	for _, ev := range res.Events[:3] {
		leaders[ev.Node] = true
	}
	if len(leaders) < 2 {
		t.Fatalf("the same node led through every kill: %+v", res.Events)
	}
}

// TestShortFaultRunInContainers is the Docker Compose variant of the
// short run: the same cluster as containers of an image FROM scratch on
// two private networks, the leader and a post killed (docker kill -s
// KILL), a post and the leader disconnected from the raft network, links
// slowed inside the containers' network namespaces. The same guarantees
// must hold. CI has Docker; elsewhere the test is skipped without it.
func TestShortFaultRunInContainers(t *testing.T) {
	if err := exec.Command("docker", "info").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI has no Docker Engine: %v", err)
		}
		t.Skipf("no Docker Engine here: %v", err)
	}
	s := Short()
	s.Name, s.Containers = "short-containers", true
	res := runScenario(t, s, 10*time.Minute)
	if err := res.Verdict.Err(); err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != len(s.Faults) {
		t.Fatalf("%d fault events for %d faults", len(res.Events), len(s.Faults))
	}
	filled := 0
	for _, l := range res.Lags {
		filled = max(filled, l.Outbox)
	}
	v := res.Verdict
	if v.Crossings < 500 || v.AlertChanges < 50 || filled < 20 {
		t.Fatalf("too little happened to judge: %+v, largest outbox %d", v, filled)
	}
	t.Logf("verdict: %d crossings (%d unknown), %d alert changes, converged in %s; largest outbox %d",
		v.Crossings, v.Unknown, v.AlertChanges, v.Converged.Round(time.Millisecond), filled)
}
