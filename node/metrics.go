package node

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crossguard/crossguard/watchlist"
)

// metrics are the node's Prometheus metrics, in a registry of its own
// (no global state): what it answered, how fast, and the state of its
// replica, outbox and filters, read at scrape time.
type metrics struct {
	registry    *prometheus.Registry
	inspections *prometheus.CounterVec
	latency     prometheus.Histogram
	hits        *prometheus.CounterVec
}

func newMetrics(n *Node) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		inspections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crossguard_inspections_total", Help: "Inspections answered, by verdict.",
		}, []string{"verdict"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "crossguard_inspection_seconds", Help: "Time to answer an inspection, outbox write included.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1},
		}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crossguard_hits_total", Help: "Alert hits in answered inspections, by category.",
		}, []string{"category"}),
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	m.registry.MustRegister(m.inspections, m.latency, m.hits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gauge("crossguard_raft_leader", "1 if this node leads the cluster.", func() float64 {
			if n.cluster.IsLeader() {
				return 1
			}
			return 0
		}),
		gauge("crossguard_raft_applied_index", "The last raft index applied to this node's store.", func() float64 {
			return float64(n.cluster.AppliedIndex())
		}),
		gauge("crossguard_raft_lag_entries", "Entries this node has still to apply of what it knows is committed.", func() float64 {
			st := n.cluster.Status()
			return float64(max(int64(st.CommitIndex)-int64(st.AppliedIndex), 0))
		}),
		gauge("crossguard_leader_contact_age_seconds", "Time since this node last heard from the leader (0 on the leader, -1 never).", func() float64 {
			age := n.cluster.LeaderContactAge()
			if age < 0 {
				return -1
			}
			return age.Seconds()
		}),
		gauge("crossguard_replica_stale", "1 if this node's answers are flagged stale.", func() float64 {
			if n.Replica().Stale {
				return 1
			}
			return 0
		}),
		gauge("crossguard_outbox_crossings", "Crossing records not yet committed.", func() float64 { return float64(n.OutboxDepth()) }),
		gauge("crossguard_outbox_audit_entries", "Audit entries not yet committed.", func() float64 { return float64(n.AuditDepth()) }),
		gauge("crossguard_outbox_held_crossings", "Crossing records the cluster refused, kept aside.", func() float64 { return float64(n.HeldCrossings()) }),
		gauge("crossguard_bloom_bytes", "Memory of the bloom prefilters.", func() float64 { return float64(n.engine.Stats().BloomBytes) }),
		gauge("crossguard_index_keys", "Blocking keys in the match index.", func() float64 { return float64(n.engine.Stats().IndexKeys) }),
	)
	return m
}

// observe counts an answered inspection.
func (m *metrics) observe(in watchlist.Inspection, took time.Duration) {
	m.inspections.WithLabelValues(string(in.Verdict)).Inc()
	m.latency.Observe(took.Seconds())
	for _, t := range in.Travellers {
		for _, h := range t.Hits {
			m.hits.WithLabelValues(string(h.Category)).Inc()
		}
	}
}

// Metrics is the Prometheus exposition of this node.
func (n *Node) Metrics() http.Handler {
	return promhttp.HandlerFor(n.metrics.registry, promhttp.HandlerOpts{})
}
