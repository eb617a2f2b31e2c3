package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// servedNode is a `crossguard serve` run in this process.
type servedNode struct {
	url    string
	cancel context.CancelFunc
	done   chan error
	// adminFile holds the admin token the node's first start wrote.
	adminFile string
	tokens    map[string]string // role → secret
}

// serveNode runs `crossguard serve` with args on loopback ports and
// waits until it is ready; it stops at the end of the test.
func serveNode(t *testing.T, args ...string) *servedNode {
	t.Helper()
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	n := &servedNode{cancel: cancel, done: make(chan error, 1)}
	args = append([]string{"serve", "--http", "127.0.0.1:0", "--raft", "127.0.0.1:0", "--log-level", "warn"}, args...)
	go func() { n.done <- run(ctx, args, streams{in: strings.NewReader(""), out: &out, err: io.Discard}) }()
	t.Cleanup(n.stop)
	addr := regexp.MustCompile(`API on http://(\S+),`)
	deadline := time.After(30 * time.Second)
	for n.url == "" {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			n.url = "http://" + m[1]
			break
		}
		select {
		case err := <-n.done:
			t.Fatalf("serve ended: %v", err)
		case <-deadline:
			t.Fatal("serve did not start")
		case <-time.After(10 * time.Millisecond):
		}
	}
	n.waitStatus(t, "/readyz", http.StatusOK)
	for i, a := range args {
		if a == "--data" {
			n.adminFile = filepath.Join(args[i+1], "admin.token")
		}
	}
	for {
		if _, err := os.Stat(n.adminFile); err == nil {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no admin token written")
		case <-time.After(10 * time.Millisecond):
		}
	}
	return n
}

// useTokensOf makes n use other's tokens (a restore brings the tokens of
// the cluster backed up).
func (n *servedNode) useTokensOf(other *servedNode) {
	n.adminFile, n.tokens = other.adminFile, other.tokens
}

// secret returns a token of the role: the admin's from its file, the
// others created once through the API.
func (n *servedNode) secret(t *testing.T, role string) string {
	t.Helper()
	b, err := os.ReadFile(n.adminFile)
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(b))
	if role == "admin" {
		return admin
	}
	if s, ok := n.tokens[role]; ok {
		return s
	}
	body := map[string]any{"role": role}
	if role == "officer" {
		body["post"] = "test-post"
	}
	code, out := n.callAs(t, admin, http.MethodPost, "/v1/tokens", body)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &tok); code != http.StatusCreated || err != nil {
		t.Fatalf("create %s token: %d %s", role, code, out)
	}
	if n.tokens == nil {
		n.tokens = map[string]string{}
	}
	n.tokens[role] = tok.Token
	return tok.Token
}

func (n *servedNode) stop() {
	if n.cancel != nil {
		n.cancel()
		<-n.done
		n.cancel = nil
	}
}

// waitStatus polls a GET until it answers the status.
func (n *servedNode) waitStatus(t *testing.T, path string, status int) []byte {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		code, body := n.call(t, http.MethodGet, path, nil)
		if code == status {
			return body
		}
		select {
		case <-deadline:
			t.Fatalf("GET %s: %d %s, want %d", path, code, body, status)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// call sends a request with a token of the role the path needs.
func (n *servedNode) call(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	role := "analyst"
	switch {
	case strings.HasPrefix(path, "/readyz"), strings.HasPrefix(path, "/healthz"):
		return n.callAs(t, "", method, path, body)
	case strings.HasPrefix(path, "/v1/inspections"):
		role = "officer"
	case strings.HasPrefix(path, "/v1/cluster"), strings.HasPrefix(path, "/v1/tokens"):
		role = "admin"
	}
	return n.callAs(t, n.secret(t, role), method, path, body)
}

func (n *servedNode) callAs(t *testing.T, secret, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func runCommand(t *testing.T, stdin io.Reader, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, streams{in: stdin, out: &out, err: &errOut})
	return out.String(), errOut.String(), err
}

func TestBackupAndRestoreSeedANewCluster(t *testing.T) {
	tmp := t.TempDir()
	key := filepath.Join(tmp, "history.key")
	src := serveNode(t, "--data", filepath.Join(tmp, "src"), "--history-key", key, "--demo", "--demo-alerts", "300")
	src.waitStatus(t, "/v1/alerts/DEMO-MISSING-ZHANG", http.StatusOK)
	// An inspection of the demo's missing child: a hit and a crossing.
	code, body := src.call(t, http.MethodPost, "/v1/inspections", map[string]any{
		"direction":  "exit",
		"travellers": []map[string]any{{"surname": "ZHANG", "given": "XIAOMING", "birth_date": "2015-03-09", "sex": "M", "nationality": "CHN"}},
	})
	if code != http.StatusOK {
		t.Fatalf("inspection: %d %s", code, body)
	}
	var in struct {
		Verdict    string `json:"verdict"`
		CrossingID string `json:"crossing_id"`
	}
	json.Unmarshal(body, &in)
	if in.Verdict != "stop" {
		t.Fatalf("demo child not stopped: %s", body)
	}
	// The crossing is committed once the outbox ships it.
	src.waitStatus(t, "/v1/crossings/"+in.CrossingID, http.StatusOK)

	file := filepath.Join(tmp, "backup.snapshot")
	out, _, err := runCommand(t, nil, "backup", "--node", src.url, "--token-file", src.adminFile, "--out", file, "--consistency", "linearizable")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(\d+) alerts, 1 crossings`).FindStringSubmatch(out); m == nil || len(m[1]) < 3 {
		t.Fatalf("backup said %q", out)
	}
	// To stdout: the same state.
	stdout, stderr, err := runCommand(t, nil, "backup", "--node", src.url, "--token-file", src.adminFile, "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	fileInfo, err := watchlist.VerifySnapshot(mustOpen(t, file))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := watchlist.VerifySnapshot(strings.NewReader(stdout)); err != nil || info.Alerts != fileInfo.Alerts || !strings.Contains(stderr, fmt.Sprintf("%d alerts", info.Alerts)) {
		t.Fatalf("stdout backup: %+v %v %q", info, err, stderr)
	}

	// A corrupt backup is refused before it is sent.
	b, _ := os.ReadFile(file)
	b[len(b)/2] ^= 1
	bad := filepath.Join(tmp, "bad.snapshot")
	os.WriteFile(bad, b, 0o600)
	dst := serveNode(t, "--data", filepath.Join(tmp, "dst"), "--history-key", key)
	if _, _, err := runCommand(t, nil, "restore", "--node", dst.url, "--token-file", dst.adminFile, bad); err == nil || !strings.Contains(err.Error(), "bad snapshot") {
		t.Fatalf("corrupt backup: %v", err)
	}
	// Sent anyway (through stdin, unverified by the command), the node
	// refuses it and keeps what it had.
	if _, _, err := runCommand(t, bytes.NewReader(b), "restore", "--node", dst.url, "--token-file", dst.adminFile, "-"); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("corrupt backup through stdin: %v", err)
	}
	if _, _, err := runCommand(t, nil, "restore", "--node", dst.url, "--token-file", dst.adminFile, file); err != nil {
		t.Fatal(err)
	}
	// The restored cluster holds the backed-up cluster's tokens (its own
	// first admin token is gone with the rest of its state).
	if code, _ := dst.call(t, http.MethodGet, "/v1/tokens", nil); code != http.StatusUnauthorized {
		t.Fatalf("the new cluster's own admin token after the restore: %d, want 401", code)
	}
	dst.useTokensOf(src)
	for _, path := range []string{"/v1/alerts/DEMO-MISSING-ZHANG", "/v1/crossings/" + in.CrossingID} {
		code, got := dst.call(t, http.MethodGet, path, nil)
		_, want := src.call(t, http.MethodGet, path, nil)
		if code != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("%s on the restored cluster: %d %s, want %s", path, code, got, want)
		}
	}
	// The restored cluster holds data now: a second restore is refused
	// unless forced.
	if _, _, err := runCommand(t, nil, "restore", "--node", dst.url, "--token-file", dst.adminFile, file); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("restore over data: %v", err)
	}
	if _, _, err := runCommand(t, nil, "restore", "--force", "--node", dst.url, "--token-file", dst.adminFile, file); err != nil {
		t.Fatal(err)
	}
	// And it goes on inspecting from the restored state.
	code, body = dst.call(t, http.MethodPost, "/v1/inspections", map[string]any{
		"direction":  "exit",
		"travellers": []map[string]any{{"surname": "ZHANG", "given": "XIAOMING", "birth_date": "2015-03-09", "sex": "M", "nationality": "CHN"}},
	})
	if code != http.StatusOK || !strings.Contains(string(body), `"verdict":"stop"`) {
		t.Fatalf("inspection on the restored cluster: %d %s", code, body)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestTokenAndClusterCommands(t *testing.T) {
	n := serveNode(t, "--data", filepath.Join(t.TempDir(), "d"))
	as := []string{"--node", n.url, "--token-file", n.adminFile}
	n.waitStatus(t, "/v1/cluster", http.StatusOK)
	out, _, err := runCommand(t, nil, append([]string{"cluster", "status"}, as...)...)
	if err != nil || !strings.Contains(out, "node-1") {
		t.Fatalf("cluster status: %v %q", err, out)
	}
	file := filepath.Join(t.TempDir(), "officer.token")
	out, _, err = runCommand(t, nil, append([]string{"token", "create", "--role", "officer", "--post", "lao-cai", "--out", file}, as...)...)
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`token (\S+) written`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("token create said %q", out)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v", err)
	}
	secret, _ := os.ReadFile(file)
	if code, _ := n.callAs(t, strings.TrimSpace(string(secret)), http.MethodGet, "/v1/tokens", nil); code != http.StatusForbidden {
		t.Fatalf("an officer listing tokens: %d, want 403", code)
	}
	out, _, err = runCommand(t, nil, append([]string{"token", "list"}, as...)...)
	if err != nil || !strings.Contains(out, id[1]) || !strings.Contains(out, "lao-cai") || strings.Contains(out, strings.TrimSpace(string(secret))) {
		t.Fatalf("token list: %v %q", err, out)
	}
	if _, _, err := runCommand(t, nil, append([]string{"token", "revoke", id[1]}, as...)...); err != nil {
		t.Fatal(err)
	}
	if code, _ := n.callAs(t, strings.TrimSpace(string(secret)), http.MethodPost, "/v1/inspections", map[string]any{}); code != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d, want 401", code)
	}
	if _, _, err := runCommand(t, nil, "token", "list", "--node", n.url, "--token-file", file); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("token list with a revoked token: %v", err)
	}

	// The audit log recorded all of it, and its chain verifies.
	auditorFile := filepath.Join(t.TempDir(), "auditor.token")
	if _, _, err := runCommand(t, nil, append([]string{"token", "create", "--role", "auditor", "--out", auditorFile}, as...)...); err != nil {
		t.Fatal(err)
	}
	byAuditor := []string{"--node", n.url, "--token-file", auditorFile}
	deadline := time.After(30 * time.Second)
	for {
		out, _, err = runCommand(t, nil, append([]string{"audit", "list", "--limit", "1000"}, byAuditor...)...)
		if err == nil && strings.Contains(out, `"action":"DELETE /v1/tokens/:id"`) {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("audit list: %v %q", err, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	out, _, err = runCommand(t, nil, append([]string{"audit", "verify"}, byAuditor...)...)
	if err != nil || !strings.Contains(out, "audit chain intact") {
		t.Fatalf("audit verify: %v %q", err, out)
	}
}
