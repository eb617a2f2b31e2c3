package cluster

import (
	"context"
	"fmt"
	"testing"

	"github.com/crossguard/crossguard/testbench"
)

// BenchmarkReplicatedUpsert commits alerts on a 3-voter loopback cluster,
// in batches and one by one; alerts/s is the figure of the goal.
func BenchmarkReplicatedUpsert(b *testing.B) {
	for _, batch := range []int{1, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			tc := newTestCluster(b, 3, 0)
			leader := tc.waitLeader()
			g := testbench.NewGenerator(9, now)
			alerts := g.Alerts(0, 20000)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				from := (i * batch) % (len(alerts) - batch + 1)
				cmd := Command{Type: CommandUpsertAlerts, Body: UpsertAlerts{Alerts: alerts[from : from+batch]}}
				if _, err := leader.cluster.Apply(context.Background(), cmd); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "alerts/s")

		})
	}
}
