//go:build crossguard_lossy

package node

import (
	"hash/fnv"

	"github.com/crossguard/crossguard/watchlist"
)

// A DELIBERATELY BROKEN BUILD, never to be shipped: built with
// `-tags crossguard_lossy`, a post forgets one crossing record in five
// of those it ships (it removes them from its outbox without committing
// them), and one single-alert change in four is acknowledged without
// being committed. The fault checker's test (testbench/fault) runs this
// build to prove that the checker notices lost crossings and lost alert
// changes.

func lostCrossings(cs []watchlist.Crossing) []watchlist.Crossing {
	kept := make([]watchlist.Crossing, 0, len(cs))
	for _, c := range cs {
		if hash(c.ID)%5 != 0 {
			kept = append(kept, c)
		}
	}
	return kept
}

func lostAlertChange(alerts []watchlist.Alert) bool {
	return len(alerts) == 1 && hash(alerts[0].ID+"|"+alerts[0].Instructions)%4 == 0
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
