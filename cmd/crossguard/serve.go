package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crossguard/crossguard/node"
	"github.com/crossguard/crossguard/watchlist"
)

func newServeCommand(e *env) *cobra.Command {
	cfg := node.DefaultConfig()
	var configFile, logLevel string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a Crossguard node (by default a single-voter cluster on loopback)",
		Long: `Runs a node: the watchlist, its raft replication and the HTTP API.

With no flags it starts a one-voter cluster on loopback: HTTP on 127.0.0.1:8080,
raft on 127.0.0.1:8089, data in ./crossguard-data. GET /readyz answers 200 once
the node can inspect.

Every flag can also come from the environment (CROSSGUARD_ and the flag name in
capitals with _ for -, e.g. CROSSGUARD_RAFT_ADVERTISE) or from a JSON file given
by --config (keys as the flag names with _ for -, e.g. {"join": ["…"]}).
Command-line flags win over the environment, which wins over the file.`,
		Example: `  # A newcomer's node, with the demo watchlist:
  crossguard serve --demo

  # A three-voter cluster with two border-post replicas on one machine:
  crossguard certs --dir certs --nodes centre-1,centre-2,centre-3,post-1,post-2
  crossguard serve --id centre-1 --data d1 --http 127.0.0.1:8081 --raft 127.0.0.1:9081 --tls-ca certs/ca.crt --tls-cert certs/centre-1.crt --tls-key certs/centre-1.key --history-key certs/history.key
  crossguard serve --id centre-2 --data d2 --http 127.0.0.1:8082 --raft 127.0.0.1:9082 --join 127.0.0.1:9081 ...
  crossguard serve --id post-1 --voter=false --data p1 --http 127.0.0.1:8091 --raft 127.0.0.1:9091 --join 127.0.0.1:9081 ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveConfig(cmd.Flags(), configFile); err != nil {
				return err
			}
			if len(cfg.Join) > 0 && !cmd.Flags().Changed("bootstrap") {
				cfg.Bootstrap = false
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("log-level: %w", err)
			}
			log := slog.New(slog.NewTextHandler(e.err, &slog.HandlerOptions{Level: level}))
			var outMu sync.Mutex
			announce := func(role watchlist.Role, secret, file string) {
				outMu.Lock()
				defer outMu.Unlock()
				fmt.Fprintf(e.out, "first %s token (shown once; also in %s, mode 0600):\n  %s\n", role, file, secret)
			}
			n, err := node.Start(cfg, node.Options{Logger: log, Now: e.now, FirstToken: announce})
			if err != nil {
				return err
			}
			outMu.Lock()
			scheme := "http"
			if cfg.HTTPSCert != "" {
				scheme = "https"
			}
			fmt.Fprintf(e.out, "crossguard node %s: API on %s://%s, console on %[2]s://%[3]s/console/, raft on %s\n",
				n.ID(), scheme, n.HTTPAddr(), n.Cluster().Address())
			outMu.Unlock()
			<-cmd.Context().Done()
			log.Info("stopping: draining requests, then closing raft and the stores")
			return n.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "JSON configuration file")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&cfg.ID, "id", cfg.ID, "node ID, unique in the cluster")
	f.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory")
	f.StringVar(&cfg.HTTPAddr, "http", cfg.HTTPAddr, "HTTP API listen address")
	f.StringVar(&cfg.RaftAddr, "raft", cfg.RaftAddr, "raft listen address")
	f.StringVar(&cfg.RaftAdvertise, "raft-advertise", "", "raft address other nodes dial (default: --raft)")
	f.BoolVar(&cfg.Voter, "voter", cfg.Voter, "a voter (operations centre); --voter=false for a border-post replica")
	f.BoolVar(&cfg.Bootstrap, "bootstrap", cfg.Bootstrap, "start a new cluster if this node has no state (default unless --join)")
	f.StringSliceVar(&cfg.Join, "join", nil, "raft addresses of members to join through")
	f.StringVar(&cfg.Post, "post", "", "border post name recorded with crossings (default: the node ID)")
	f.DurationVar(&cfg.StaleAfter, "stale-after", cfg.StaleAfter, "flag answers stale after this long without the leader")
	f.DurationVar(&cfg.AuditRetention, "audit-retention", cfg.AuditRetention, "how long audit entries are kept")
	f.StringVar(&cfg.TLSCA, "tls-ca", "", "CA certificate for mutual TLS on the raft port")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "this node's certificate")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "this node's key")
	f.BoolVar(&cfg.Insecure, "insecure", false, "allow the raft port or the API beyond loopback without TLS")
	f.StringVar(&cfg.HTTPSCert, "https-cert", "", "certificate: serve the API and console over HTTPS only")
	f.StringVar(&cfg.HTTPSKey, "https-key", "", "key of --https-cert")
	f.Float64Var(&cfg.RateLimit, "rate-limit", cfg.RateLimit, "requests per second each token may sustain (0: no limit)")
	f.IntVar(&cfg.RateBurst, "rate-burst", cfg.RateBurst, "requests a token may send in a burst")
	f.StringVar(&cfg.HistoryKeyFile, "history-key", "", "key pseudonymising crossings, the same on every node (default: <data>/history.key)")
	f.StringVar(&cfg.OutboxDir, "outbox-dir", "", "the outbox journal, which every answer syncs (default: <data>/outbox; a disk of its own keeps answers from queueing behind the store's writes)")
	f.StringVar(&cfg.EncryptionKeyFile, "encryption-key", "", "key encrypting the watchlist at rest (16, 24 or 32 bytes)")
	f.BoolVar(&cfg.Demo, "demo", false, "load the generated demo watchlist (once)")
	f.IntVar(&cfg.DemoAlerts, "demo-alerts", cfg.DemoAlerts, "generated alerts in the demo watchlist")
	f.IntVar(&cfg.ShipBatch, "ship-batch", cfg.ShipBatch, "crossing records per shipment to the leader")
	f.DurationVar(&cfg.ShipLinger, "ship-linger", cfg.ShipLinger, "how long records gather before a shipment that would not be full (0: at once)")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "time to drain requests on SIGTERM")
	f.StringVar(&cfg.Country, "country", "", "the cluster's ICAO country code for partner countries (set once)")
	f.DurationVar(&cfg.FederationInterval, "federation-interval", cfg.FederationInterval, "how often the leader pulls partners' feeds and delivers queued reports")
	f.DurationVar(&cfg.FederationMaxAge, "federation-max-age", cfg.FederationMaxAge, "refuse a partner's message signed longer ago")
	f.StringVar(&cfg.PartnerTLSCA, "partner-tls-ca", "", "CA of partners' certificates: mutual TLS on partner traffic (needs --https-cert)")
	f.StringVar(&cfg.PartnerTLSCert, "partner-tls-cert", "", "certificate this cluster presents to partners")
	f.StringVar(&cfg.PartnerTLSKey, "partner-tls-key", "", "key of --partner-tls-cert")
	f.DurationVar(&cfg.HeartbeatTimeout, "heartbeat-timeout", 0, "raft heartbeat timeout (default 1s)")
	f.DurationVar(&cfg.ElectionTimeout, "election-timeout", 0, "raft election timeout (default 1s)")
	f.Uint64Var(&cfg.SnapshotThreshold, "snapshot-threshold", 0, "raft entries between snapshots (default 8192)")
	f.Uint64Var(&cfg.TrailingLogs, "trailing-logs", 0, "raft entries kept after a snapshot (default 10240)")
	return cmd
}

// resolveConfig fills the flags not given on the command line from the
// environment, then from the JSON file. Unknown keys in the file are
// errors.
func resolveConfig(fs *pflag.FlagSet, file string) error {
	if file == "" {
		file = os.Getenv("CROSSGUARD_CONFIG")
	}
	fromFile := map[string]json.RawMessage{}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &fromFile); err != nil {
			return fmt.Errorf("config %s: %w", file, err)
		}
	}
	var errs []error
	seen := map[string]bool{}
	fs.VisitAll(func(f *pflag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		seen[key] = true
		if f.Name == "config" || fs.Changed(f.Name) {
			return
		}
		if v, ok := os.LookupEnv("CROSSGUARD_" + strings.ToUpper(key)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("CROSSGUARD_%s: %w", strings.ToUpper(key), err))
			}
			return
		}
		raw, ok := fromFile[key]
		if !ok {
			return
		}
		v, err := fileValue(raw)
		if err == nil {
			err = fs.Set(f.Name, v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("config %s: %s: %w", file, key, err))
		}
	})
	for k := range fromFile {
		if !seen[k] {
			errs = append(errs, fmt.Errorf("config %s: unknown key %q", file, k))
		}
	}
	return errors.Join(errs...)
}

// fileValue turns a JSON value into a flag's text: strings as they are,
// lists joined by commas, numbers and booleans as written.
func fileValue(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, ","), nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch v.(type) {
	case float64, bool:
		return string(raw), nil
	}
	return "", fmt.Errorf("unsupported value %s", raw)
}
