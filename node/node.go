package node

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/api/console"
	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// Node is a running Crossguard node: the watchlist, its raft replication,
// the outbox of crossing records and the shipper that empties it.
// Inspections are answered from the local store, never through the
// leader; changes go through raft.
type Node struct {
	cfg     Config
	log     *slog.Logger
	engine  *watchlist.Engine
	cluster *cluster.Cluster
	outbox  *outbox
	history combinedHistory
	now     func() time.Time
	http    *fiber.App
	httpLn  net.Listener

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
	metrics *metrics
	// federator exchanges with partner clusters (on the leader).
	federator *federator
	// draining is closed when Close starts, before HTTP drains: live
	// streams end so that the drain does not wait for them.
	draining chan struct{}
}

// Options are what tests and the command inject.
type Options struct {
	Logger *slog.Logger
	// Network replaces TCP for the raft port (fault injection).
	Network cluster.Network
	// Now replaces the clock.
	Now func() time.Time
	// FirstToken is told each first token when this node creates it
	// (the first start of a cluster: an admin token, and with the demo an
	// officer's, an analyst's and an auditor's), to show it once.
	FirstToken func(role watchlist.Role, secret, file string)
}

// Start opens the node's stores and starts raft and the shipper. It
// returns once the node listens; Ready says when it can inspect.
func Start(cfg Config, opt Options) (n *Node, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if cfg.Post == "" {
		cfg.Post = cfg.ID
	}
	if cfg.FederationInterval == 0 {
		cfg.FederationInterval = 10 * time.Second
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	n = &Node{cfg: cfg, log: log, now: opt.Now, draining: make(chan struct{})}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	self := n // n is nil by the time an error return runs the defer
	defer func() {
		if err != nil {
			self.cancel()
			self.closeStores()
		}
	}()

	wcfg := watchlist.DefaultConfig(filepath.Join(cfg.DataDir, "watchlist"))
	wcfg.Logger = log.With("part", "watchlist")
	keyFile := cfg.HistoryKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(cfg.DataDir, "history.key")
	}
	if wcfg.HistoryKey, err = LoadOrCreateKey(keyFile); err != nil {
		return nil, fmt.Errorf("history key: %w", err)
	}
	if cfg.EncryptionKeyFile != "" {
		if wcfg.EncryptionKey, err = os.ReadFile(cfg.EncryptionKeyFile); err != nil {
			return nil, fmt.Errorf("encryption key: %w", err)
		}
	}
	if n.engine, err = watchlist.Open(wcfg); err != nil {
		return nil, err
	}
	outboxDir := cfg.OutboxDir
	if outboxDir == "" {
		outboxDir = filepath.Join(cfg.DataDir, "outbox")
	}
	if n.outbox, err = openOutbox(outboxDir, log.With("part", "outbox")); err != nil {
		return nil, err
	}
	n.history = combinedHistory{n.engine, n.outbox}

	ccfg := cluster.DefaultConfig(cfg.ID, filepath.Join(cfg.DataDir, "raft"))
	ccfg.Bind, ccfg.Advertise, ccfg.Voter, ccfg.Bootstrap, ccfg.Join = cfg.RaftAddr, cfg.RaftAdvertise, cfg.Voter, cfg.Bootstrap, cfg.Join
	ccfg.Network, ccfg.Logger = opt.Network, log
	if cfg.HeartbeatTimeout > 0 {
		ccfg.HeartbeatTimeout = cfg.HeartbeatTimeout
		ccfg.LeaderLeaseTimeout = cfg.HeartbeatTimeout / 2
	}
	if cfg.ElectionTimeout > 0 {
		ccfg.ElectionTimeout = cfg.ElectionTimeout
	}
	if cfg.SnapshotThreshold > 0 {
		ccfg.SnapshotThreshold = cfg.SnapshotThreshold
	}
	if cfg.TrailingLogs > 0 {
		ccfg.TrailingLogs = cfg.TrailingLogs
	}
	if cfg.TLSCA != "" {
		if ccfg.ServerTLS, ccfg.ClientTLS, err = cluster.LoadTLSConfigs(cfg.TLSCA, cfg.TLSCert, cfg.TLSKey); err != nil {
			return nil, err
		}
	}
	if n.cluster, err = cluster.Open(ccfg, n.engine); err != nil {
		return nil, err
	}

	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.outbox.ship(n.ctx, cfg.ShipBatch, cfg.ShipLinger, n.shipCrossings, n.shipAudit)
	}()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.purgeAudit(n.ctx, time.Hour)
	}()
	if cfg.Bootstrap {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.firstAdminToken(n.ctx, opt.FirstToken); err != nil && n.ctx.Err() == nil {
				log.Error("first admin token not created", "err", err)
			}
			// The federation key at once, not at the federator's next round.
			if n.cluster.IsLeader() {
				if err := n.ensureIdentity(n.ctx); err != nil && n.ctx.Err() == nil {
					log.Warn("federation identity not set yet", "err", err)
				}
			}
		}()
	}
	if cfg.Demo {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.loadDemo(n.ctx); err != nil && n.ctx.Err() == nil {
				log.Error("demo watchlist not loaded", "err", err)
			}
		}()
	}
	if n.federator, err = newFederator(n); err != nil {
		return nil, err
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.federator.run(n.ctx, cfg.FederationInterval)
	}()
	n.metrics = newMetrics(n)
	deps := api.Deps{Metrics: n.Metrics(), Inspector: n, Alerts: n, Records: n.engine, Membership: n.cluster, Backups: n, Tokens: n, Audit: n, Federation: n,
		Now: opt.Now, Done: n.draining, Logger: log.With("part", "api"),
		RateLimit: api.RateLimit{PerSecond: cfg.RateLimit, Burst: cfg.RateBurst}, Queries: api.NewQueryLimiter(api.RateLimit{}), TLS: cfg.HTTPSCert != "", PartnerMTLS: cfg.PartnerTLSCA != ""}
	n.http = api.New(deps)
	cdeps := console.Deps{API: deps, Freshness: n}
	if cfg.Demo {
		for _, d := range testbench.DemoParties(n.now()) {
			cdeps.Demo = append(cdeps.Demo, console.DemoParty{Title: d.Title, Request: testbench.ScannedRequest(d.Party)})
		}
	}
	if err = console.Mount(n.http, cdeps); err != nil {
		n.cancel()
		n.wg.Wait()
		n.cluster.Close()
		return nil, err
	}
	if n.httpLn, err = listenHTTP(cfg); err != nil {
		n.cancel()
		n.wg.Wait()
		n.cluster.Close()
		return nil, err
	}
	go func() {
		if err := n.http.Listener(n.httpLn); err != nil {
			log.Error("http server stopped", "err", err)
		}
	}()
	log.Info("node started", "http", n.httpLn.Addr().String(), "id", cfg.ID, "raft", n.cluster.Address(), "voter", cfg.Voter, "post", cfg.Post)
	return n, nil
}

// listenHTTP opens the API's listener: HTTPS when a certificate is
// configured (TLS 1.2 at least), plain HTTP otherwise.
func listenHTTP(cfg Config) (net.Listener, error) {
	var tcfg *tls.Config
	if cfg.HTTPSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.HTTPSCert, cfg.HTTPSKey)
		if err != nil {
			return nil, fmt.Errorf("https: %w", err)
		}
		tcfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if cfg.PartnerTLSCA != "" {
			// Partners present a certificate of their CA; the partner
			// endpoints refuse a call without one (api.Deps.PartnerMTLS).
			pool, err := loadPool(cfg.PartnerTLSCA)
			if err != nil {
				return nil, err
			}
			tcfg.ClientCAs, tcfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
		}
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	if tcfg != nil {
		ln = tls.NewListener(ln, tcfg)
	}
	return ln, nil
}

// Close stops the shipper and closes raft, the outbox and the store, in
// that order. The caller drains HTTP first.
func (n *Node) Close() error {
	var err error
	n.once.Do(func() {
		close(n.draining)
		if n.http != nil {
			// Drain in-flight requests first: an inspection being answered
			// finishes writing its crossing to the outbox.
			err = n.http.ShutdownWithTimeout(n.cfg.ShutdownTimeout)
		}
		n.cancel()
		n.wg.Wait()
		if n.cluster != nil {
			err = errors.Join(err, n.cluster.Close())
		}
		err = errors.Join(err, n.closeStores())
	})
	return err
}

func (n *Node) closeStores() error {
	var errs []error
	if n.outbox != nil {
		errs = append(errs, n.outbox.close())
	}
	if n.engine != nil {
		errs = append(errs, n.engine.Close())
	}
	return errors.Join(errs...)
}

// HTTPAddr is the address the API listens on.
func (n *Node) HTTPAddr() string { return n.httpLn.Addr().String() }

// ID is the node's ID.
func (n *Node) ID() string { return n.cfg.ID }

// Engine is the node's watchlist (read-only use: changes go through
// raft).
func (n *Node) Engine() *watchlist.Engine { return n.engine }

// Cluster is the node's raft.
func (n *Node) Cluster() *cluster.Cluster { return n.cluster }

// OutboxDepth is the number of crossing records not yet committed.
func (n *Node) OutboxDepth() int { return n.outbox.Depth() }

// HeldCrossings is the number of crossing records the cluster refused,
// kept aside in the outbox (each logged as an error when it was refused).
func (n *Node) HeldCrossings() int { return n.outbox.Held() }

// Ready says whether the node can inspect: its store is open and it has
// replayed its own log.
func (n *Node) Ready() error {
	if n.ctx.Err() != nil {
		return errors.New("shutting down")
	}
	return n.cluster.Ready()
}

// Replica describes this node's copy now.
func (n *Node) Replica() api.Replica {
	age := n.cluster.LeaderContactAge()
	return api.Replica{Node: n.cfg.ID, AppliedIndex: n.cluster.AppliedIndex(), LeaderContactAgeMS: age.Milliseconds(),
		Stale: age < 0 || age > n.cfg.StaleAfter}
}

// Inspect answers an inspection from the local store, whatever the state
// of the cluster, and records the crossing durably in the outbox before
// it answers.
//
// audit, when given, is the request's audit entry: it is completed with
// what was answered and written with the crossing record, in one synced
// write.
func (n *Node) Inspect(ctx context.Context, req watchlist.InspectionRequest, audit *watchlist.AuditEntry) (api.Inspection, error) {
	if err := ctx.Err(); err != nil {
		return api.Inspection{}, err
	}
	start := time.Now()
	party, docs, err := req.Party(n.now(), n.cfg.Post)
	if err != nil {
		return api.Inspection{}, err
	}
	in, err := n.engine.InspectWith(party, n.history)
	if err != nil {
		return api.Inspection{}, err
	}
	var entries []watchlist.AuditEntry
	if audit != nil {
		var hits []string
		for _, t := range in.Travellers {
			for _, x := range t.Hits {
				hits = append(hits, x.AlertID)
			}
		}
		audit.Detail = fmt.Sprintf("verdict %s; crossing %s; travellers %d; alerts hit [%s]",
			in.Verdict, in.Crossing.ID, len(in.Travellers), strings.Join(hits, " "))
		n.stampAudit(audit)
		entries = append(entries, *audit)
	}
	if err := n.outbox.add(in.Crossing, entries...); err != nil {
		return api.Inspection{}, err
	}
	n.metrics.observe(in, time.Since(start))
	return api.Inspection{Verdict: in.Verdict, Travellers: in.Travellers, Findings: in.Findings,
		CrossingID: in.Crossing.ID, Documents: docs, Replica: n.Replica()}, nil
}

func (n *Node) shipCrossings(ctx context.Context, cs []watchlist.Crossing) error {
	if cs = lostCrossings(cs); len(cs) == 0 {
		return nil
	}
	_, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandRecordCrossings, Body: cluster.RecordCrossings{Crossings: cs}})
	return err
}

// UpsertAlerts stamps new alerts (IDs, times) and commits them; it
// returns them as stored. Validation errors name alerts[i].field.
func (n *Node) UpsertAlerts(ctx context.Context, alerts []watchlist.Alert) ([]watchlist.Alert, error) {
	now := n.now()
	for i := range alerts {
		watchlist.StampAlert(&alerts[i], now)
	}
	// Refuse an invalid batch before it enters the log (Apply would refuse
	// it too, on every node).
	var p []watchlist.FieldError
	for i := range alerts {
		if alerts[i].Origin != nil {
			p = append(p, watchlist.FieldError{Field: fmt.Sprintf("alerts[%d].origin", i), Reason: "set by the federation only: a partner's alert is changed by its owner"})
		}
		var ve *watchlist.ValidationError
		if err := alerts[i].Validate(); errors.As(err, &ve) {
			for _, f := range ve.Fields {
				p = append(p, watchlist.FieldError{Field: fmt.Sprintf("alerts[%d].%s", i, f.Field), Reason: f.Reason})
			}
		}
	}
	if len(p) > 0 {
		return nil, &watchlist.ValidationError{Fields: p}
	}
	if lostAlertChange(alerts) {
		return alerts, nil
	}
	idx, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandUpsertAlerts, Body: cluster.UpsertAlerts{Alerts: alerts}})
	if err != nil {
		return nil, err
	}
	// Answer with this node's copy: wait until it has applied the change.
	return alerts, n.cluster.WaitForApplied(ctx, idx)
}

// CloseAlert closes an alert (it stays stored, for audit). A partner's
// alert is closed by its owner only.
func (n *Node) CloseAlert(ctx context.Context, id string) error {
	if a, err := n.engine.Get(id); err == nil && a.Origin != nil {
		return fmt.Errorf("%w: alert %s is owned by %s: only its owner closes it (flag it as not actionable here instead)", cluster.ErrRefused, id, a.Origin.Country)
	}
	idx, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandCloseAlert, Body: cluster.CloseAlert{ID: id, At: n.now().UTC()}})
	if err != nil {
		return err
	}
	return n.cluster.WaitForApplied(ctx, idx)
}

// Alert reads one alert at the given consistency.
func (n *Node) Alert(ctx context.Context, id string, level cluster.Consistency) (watchlist.Alert, error) {
	if err := n.cluster.Barrier(ctx, level); err != nil {
		return watchlist.Alert{}, err
	}
	return n.engine.Get(id)
}

// AckHit records who handled a hit.
func (n *Node) AckHit(ctx context.Context, id string, ack watchlist.Acknowledgement) error {
	ack.At = n.now().UTC()
	if err := ack.Validate(); err != nil {
		return err
	}
	idx, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandAckHit, Body: cluster.AckHit{HitID: id, Ack: ack}})
	if err != nil {
		return err
	}
	return n.cluster.WaitForApplied(ctx, idx)
}

// retryUnanswered runs a change until it is answered: a change that got no
// answer in time (cluster.ErrNoLeader: no leader, or a leader too busy to
// apply it within the apply timeout, as when a large store compacts) may
// or may not have been applied, and every change is idempotent, so it is
// sent again, with a growing pause, until ctx ends. Any other error ends
// it.
func retryUnanswered(ctx context.Context, log *slog.Logger, change func() error) error {
	pause := 100 * time.Millisecond
	for {
		err := change()
		if !errors.Is(err, cluster.ErrNoLeader) {
			return err
		}
		log.Warn("change not answered in time; sending it again", "err", err, "after", pause)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// loadDemo commits the demo watchlist through raft, once: on the leader
// that finds it missing. A batch that gets no answer in time is sent
// again (the 10M demo through raft meets badger's compaction stalls).
func (n *Node) loadDemo(ctx context.Context) error {
	if _, err := n.cluster.WaitForLeader(ctx); err != nil {
		return err
	}
	if err := n.cluster.Barrier(ctx, cluster.Leader); err != nil {
		return err
	}
	if _, err := n.engine.Get("DEMO-MISSING-ZHANG"); err == nil {
		return nil
	}
	now := n.now()
	g := testbench.NewGenerator(testbench.DemoSeed, now)
	const batch = 2000
	upsert := func(alerts []watchlist.Alert) error {
		return retryUnanswered(ctx, n.log, func() error { _, err := n.UpsertAlerts(ctx, alerts); return err })
	}
	for from := 0; from < n.cfg.DemoAlerts; from += batch {
		if err := upsert(g.Alerts(from, min(from+batch, n.cfg.DemoAlerts))); err != nil {
			return err
		}
	}
	err := upsert(testbench.DemoAlerts())
	if err == nil {
		n.log.Info("demo watchlist loaded", "alerts", n.cfg.DemoAlerts+len(testbench.DemoAlerts()))
	}
	return err
}

// Backup opens a snapshot of this node's store once it holds everything
// the cluster had committed when asked (level Leader or Linearizable), or
// at once (Local). The caller streams it and releases it.
func (n *Node) Backup(ctx context.Context, level cluster.Consistency) (*watchlist.Snapshot, error) {
	if err := n.cluster.Barrier(ctx, level); err != nil {
		return nil, err
	}
	return n.engine.Snapshot()
}

// Restore seeds the cluster from a backup: it must run on the leader of a
// cluster that holds no alerts or crossings yet (force replaces what it
// holds). The backup is read into a file in the data directory and
// verified whole before anything is replaced: a corrupt or truncated
// backup changes nothing.
func (n *Node) Restore(ctx context.Context, r io.Reader, force bool) (watchlist.SnapshotInfo, error) {
	if _, err := n.cluster.WaitForLeader(ctx); err != nil {
		return watchlist.SnapshotInfo{}, err
	}
	if !n.cluster.IsLeader() {
		st := n.cluster.Status()
		return watchlist.SnapshotInfo{}, fmt.Errorf("%w: restore on the leader (%s at %s); this is %s", cluster.ErrRefused, st.LeaderID, st.LeaderAddr, n.cfg.ID)
	}
	if !force {
		held, err := n.engine.HoldsData()
		if err != nil {
			return watchlist.SnapshotInfo{}, err
		}
		if held {
			return watchlist.SnapshotInfo{}, fmt.Errorf("%w: the cluster already holds alerts or crossings; a backup seeds a new cluster (force replaces everything)", cluster.ErrRefused)
		}
	}
	f, err := os.CreateTemp(n.cfg.DataDir, "restore-*.snapshot")
	if err != nil {
		return watchlist.SnapshotInfo{}, err
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	info, err := watchlist.VerifySnapshot(io.TeeReader(r, f))
	if err != nil {
		return info, fmt.Errorf("%w: backup: %w", watchlist.ErrInvalid, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return info, err
	}
	if err := n.cluster.Restore(ctx, f, info.Bytes); err != nil {
		return info, err
	}
	n.log.Info("cluster seeded from a backup", "alerts", info.Alerts, "crossings", info.Crossings, "bytes", info.Bytes)
	return info, nil
}

// LoadOrCreateKey reads a 32-byte key, creating it (mode 0600) when
// missing. Keys are never logged.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) < 32 {
			return nil, fmt.Errorf("%s holds %d bytes, want 32", path, len(key))
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, key, 0o600); err != nil {
		return nil, err
	}
	return key, os.Rename(tmp, path)
}
