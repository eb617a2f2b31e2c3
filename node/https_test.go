package node

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
)

// TestHTTPSAndRateLimit: a node given a certificate serves HTTPS only
// (a plain HTTP request gets no answer) with HSTS, and a token over its
// rate is refused with 429 and Retry-After while another token is not.
func TestHTTPSAndRateLimit(t *testing.T) {
	dir := t.TempDir()
	ca, err := cluster.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.WriteCerts(dir, ca, []string{"centre-1"}, []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	tn := newTestNodes(t)
	cfg := DefaultConfig()
	cfg.ID, cfg.DataDir, cfg.HistoryKeyFile = "centre-1", t.TempDir(), tn.key
	cfg.HTTPAddr, cfg.RaftAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.HTTPSCert, cfg.HTTPSKey = filepath.Join(dir, "centre-1.crt"), filepath.Join(dir, "centre-1.key")
	cfg.RateLimit, cfg.RateBurst = 5, 5
	tn.cfgs["centre-1"] = cfg
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })

	client := trustingCA(t, dir)
	get := func(scheme, secret string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, scheme+"://"+n.HTTPAddr()+"/v1/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		return client.Do(req)
	}
	admin := tokenFor(t, n, watchlist.RoleAdmin)
	resp, err := get("https", admin)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("https: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if resp, err := get("http", admin); err == nil && resp.StatusCode == http.StatusOK {
		resp.Body.Close()
		t.Fatal("plain HTTP was answered")
	}

	// The bucket holds 5: the sixth request in a burst is refused.
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		resp, err := get("https", admin)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited = true
			if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("429 without Retry-After or a problem document: %v", resp.Header)
			}
		}
	}
	if !limited {
		t.Fatal("20 requests in a burst were all answered at 5/s")
	}
	// Another token has its own bucket.
	_, other, err := n.CreateToken(tn.ctx(), watchlist.RoleAdmin, "", "second admin", "test")
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := get("https", other); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("another token: %v %v", resp, err)
	}
}

// trustingCA is an HTTPS client that trusts the CA in dir (ca.crt) and
// presents no client certificate.
func trustingCA(t *testing.T, dir string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}
