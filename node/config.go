package node

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// Config is everything a node needs. DefaultConfig gives a single voter on
// loopback that bootstraps itself; crossguard serve fills it from flags,
// CROSSGUARD_* environment variables and an optional JSON file.
type Config struct {
	// ID names the node in the cluster: unique and stable.
	ID string `json:"id"`
	// DataDir holds the watchlist, the raft log, the outbox and the keys.
	DataDir string `json:"data"`
	// HTTPAddr is the API's listen address.
	HTTPAddr string `json:"http"`
	// RaftAddr is the raft port's listen address; RaftAdvertise the
	// address other nodes dial (default: RaftAddr).
	RaftAddr      string `json:"raft"`
	RaftAdvertise string `json:"raft_advertise"`
	// Voter: an operations centre. A border post is a non-voting replica.
	Voter bool `json:"voter"`
	// Bootstrap starts a new cluster when the node has no state and joins
	// nobody.
	Bootstrap bool `json:"bootstrap"`
	// Join lists raft addresses of members to ask to join.
	Join []string `json:"join"`
	// Post names the border post whose inspections this node answers
	// (default: the node ID).
	Post string `json:"post"`
	// StaleAfter: answers of a node that has not heard from the leader for
	// longer are flagged stale (they are still given).
	StaleAfter time.Duration `json:"stale_after"`
	// AuditRetention is how long audit entries are kept (default three
	// years, like SIS); each entry carries its expiry from the node that
	// recorded it.
	AuditRetention time.Duration `json:"audit_retention"`

	// TLS for the raft port: a CA and this node's certificate and key
	// (crossguard certs writes them). All three or none.
	TLSCA   string `json:"tls_ca"`
	TLSCert string `json:"tls_cert"`
	TLSKey  string `json:"tls_key"`
	// Insecure allows a raft port or an API beyond loopback without TLS.
	Insecure bool `json:"insecure"`
	// HTTPSCert and HTTPSKey, when set, make the API and the console
	// serve HTTPS only (crossguard certs writes a certificate a node can
	// use for both).
	HTTPSCert string `json:"https_cert"`
	HTTPSKey  string `json:"https_key"`
	// RateLimit is the requests per second each token may sustain, with
	// bursts of RateBurst (0: no limit).
	RateLimit float64 `json:"rate_limit"`
	RateBurst int     `json:"rate_burst"`

	// HistoryKeyFile holds the key that pseudonymises crossing records;
	// every node of a cluster must have the same (default
	// DataDir/history.key, created when missing).
	HistoryKeyFile string `json:"history_key"`
	// OutboxDir holds the outbox journal (default DataDir/outbox). Every
	// answer waits for a sync there: on a disk of its own it does not
	// queue behind the store's writes.
	OutboxDir string `json:"outbox_dir"`
	// EncryptionKeyFile, when set, encrypts the watchlist at rest (16, 24
	// or 32 bytes).
	EncryptionKeyFile string `json:"encryption_key"`

	// Demo loads the generated demo watchlist (DemoAlerts of them) once.
	Demo       bool `json:"demo"`
	DemoAlerts int  `json:"demo_alerts"`

	// ShipBatch is the most crossing records shipped in one command.
	ShipBatch int `json:"ship_batch"`
	// ShipLinger is how long the shipper lets records gather before a
	// shipment that would not be full (0: ship at once). The answer does
	// not wait for it: records are durable in the outbox first.
	ShipLinger time.Duration `json:"ship_linger"`
	// ShutdownTimeout bounds draining in-flight requests on SIGTERM.
	ShutdownTimeout time.Duration `json:"shutdown_timeout"`

	// Country is the cluster's ICAO country code in the federation of
	// partner clusters (set once, at the first start that gives it).
	Country string `json:"country"`
	// FederationInterval is how often the leader pulls partners' feeds
	// and delivers queued messages; FederationMaxAge refuses a partner's
	// message signed longer ago.
	FederationInterval time.Duration `json:"federation_interval"`
	FederationMaxAge   time.Duration `json:"federation_max_age"`
	// Partner mutual TLS: PartnerTLSCA verifies partners (their servers,
	// and their client certificates, which partner endpoints then
	// require); PartnerTLSCert and PartnerTLSKey are what this cluster
	// presents to them.
	PartnerTLSCA   string `json:"partner_tls_ca"`
	PartnerTLSCert string `json:"partner_tls_cert"`
	PartnerTLSKey  string `json:"partner_tls_key"`

	// Raft timing (zero: the cluster package's defaults).
	HeartbeatTimeout  time.Duration `json:"heartbeat_timeout"`
	ElectionTimeout   time.Duration `json:"election_timeout"`
	SnapshotThreshold uint64        `json:"snapshot_threshold"`
	TrailingLogs      uint64        `json:"trailing_logs"`
}

// DefaultConfig is the newcomer's node: one voter on loopback, HTTP on
// 127.0.0.1:8080, raft on 127.0.0.1:8089, data in ./crossguard-data.
func DefaultConfig() Config {
	return Config{
		ID: "node-1", DataDir: "crossguard-data", HTTPAddr: "127.0.0.1:8080", RaftAddr: "127.0.0.1:8089",
		Voter: true, Bootstrap: true, StaleAfter: 5 * time.Minute, DemoAlerts: 10000,
		AuditRetention: 3 * 365 * 24 * time.Hour, RateLimit: 100, RateBurst: 200,
		ShipBatch: 512, ShipLinger: 10 * time.Millisecond, ShutdownTimeout: 20 * time.Second,
		FederationInterval: 10 * time.Second, FederationMaxAge: 5 * time.Minute,
	}
}

// Validate names every problem of the configuration.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.ID == "" {
		bad("id: a node ID is required")
	}
	if c.DataDir == "" {
		bad("data: a data directory is required")
	}
	httpHost, _, httpErr := net.SplitHostPort(c.HTTPAddr)
	if httpErr != nil {
		bad("http: %v", httpErr)
	}
	raftHost, _, raftErr := net.SplitHostPort(c.RaftAddr)
	if raftErr != nil {
		bad("raft: %v", raftErr)
	}
	if c.RaftAdvertise != "" {
		if _, _, err := net.SplitHostPort(c.RaftAdvertise); err != nil {
			bad("raft_advertise: %v", err)
		}
	}
	if c.Bootstrap && len(c.Join) > 0 {
		bad("bootstrap and join: a node either starts a cluster or joins one")
	}
	if c.Bootstrap && !c.Voter {
		bad("bootstrap: only a voter can start a cluster")
	}
	if !c.Bootstrap && len(c.Join) == 0 {
		bad("join: a node that does not bootstrap must join (give --join)")
	}
	tlsSet := 0
	for _, f := range []string{c.TLSCA, c.TLSCert, c.TLSKey} {
		if f != "" {
			tlsSet++
		}
	}
	if tlsSet != 0 && tlsSet != 3 {
		bad("tls: give tls_ca, tls_cert and tls_key together")
	}
	if tlsSet == 0 && !c.Insecure && raftErr == nil && !isLoopback(raftHost) {
		bad("raft: %s is beyond loopback: configure TLS (crossguard certs) or set insecure", c.RaftAddr)
	}
	if (c.HTTPSCert == "") != (c.HTTPSKey == "") {
		bad("https: give https_cert and https_key together")
	}
	if httpErr == nil && !isLoopback(httpHost) && c.HTTPSCert == "" && !c.Insecure {
		// Tokens would cross the network in clear text.
		bad("http: %s is beyond loopback: configure HTTPS (https_cert, https_key) or set insecure", c.HTTPAddr)
	}
	if c.RateLimit < 0 || c.RateBurst < 0 {
		bad("rate_limit, rate_burst: must not be negative")
	}
	if c.AuditRetention < time.Hour {
		bad("audit_retention: must be at least an hour")
	}
	if c.StaleAfter <= 0 {
		bad("stale_after: must be positive")
	}
	if c.ShipBatch <= 0 || c.ShipBatch > 10000 {
		bad("ship_batch: between 1 and 10000")
	}
	if c.ShipLinger < 0 || c.ShipLinger > time.Second {
		bad("ship_linger: between 0 and 1s")
	}
	if c.Country != "" && !watchlist.ValidCountry(c.Country) {
		bad("country: %q is not an ICAO 9303 three-letter country code", c.Country)
	}
	if c.FederationInterval < 0 || c.FederationMaxAge < 0 {
		bad("federation_interval, federation_max_age: must not be negative")
	}
	if (c.PartnerTLSCert == "") != (c.PartnerTLSKey == "") {
		bad("partner_tls: give partner_tls_cert and partner_tls_key together")
	}
	if c.PartnerTLSCA != "" && c.HTTPSCert == "" {
		bad("partner_tls_ca: mutual TLS with partners needs HTTPS (https_cert, https_key)")
	}
	if c.Demo && c.DemoAlerts < 0 {
		bad("demo_alerts: must not be negative")
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// partnerTLS is the TLS configuration of calls to partners: their CA,
// and this cluster's certificate for mutual TLS.
func partnerTLS(c Config) (*tls.Config, error) {
	tcfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.PartnerTLSCA != "" {
		pool, err := loadPool(c.PartnerTLSCA)
		if err != nil {
			return nil, err
		}
		tcfg.RootCAs = pool
	}
	if c.PartnerTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.PartnerTLSCert, c.PartnerTLSKey)
		if err != nil {
			return nil, fmt.Errorf("partner_tls_cert: %w", err)
		}
		tcfg.Certificates = []tls.Certificate{cert}
	}
	return tcfg, nil
}

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("partner_tls_ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("partner_tls_ca %s: no PEM certificate in it", file)
	}
	return pool, nil
}
