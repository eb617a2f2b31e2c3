package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// syncBuffer is a bytes buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeStartsANodeAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", dir, "--http", "127.0.0.1:0", "--raft", "127.0.0.1:0", "--log-level", "warn"},
			streams{in: strings.NewReader(""), out: &out, err: io.Discard})
	}()
	addr := regexp.MustCompile(`API on http://(\S+),`)
	deadline := time.After(30 * time.Second)
	var url string
	for url == "" {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			url = "http://" + m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		case <-deadline:
			t.Fatal("serve did not start")
		case <-time.After(10 * time.Millisecond):
		}
	}
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-deadline:
			t.Fatal("never ready")
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel() // SIGTERM
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	for _, p := range []string{"watchlist", "raft", "outbox", "history.key"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.json")
	os.WriteFile(file, []byte(`{"id": "from-file", "post": "from-file", "join": ["127.0.0.1:1", "127.0.0.1:2"], "voter": false}`), 0o600)
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	id := fs.String("id", "default", "")
	post := fs.String("post", "default", "")
	data := fs.String("data", "default", "")
	join := fs.StringSlice("join", nil, "")
	voter := fs.Bool("voter", true, "")
	if err := fs.Parse([]string{"--id", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CROSSGUARD_POST", "from-env")
	if err := resolveConfig(fs, file); err != nil {
		t.Fatal(err)
	}
	if *id != "from-flag" || *post != "from-env" || *data != "default" || len(*join) != 2 || *voter {
		t.Fatalf("id=%s post=%s data=%s join=%v voter=%v", *id, *post, *data, *join, *voter)
	}
	os.WriteFile(file, []byte(`{"idd": "typo"}`), 0o600)
	if err := resolveConfig(fs, file); err == nil || !strings.Contains(err.Error(), `unknown key "idd"`) {
		t.Fatalf("unknown key: %v", err)
	}
}
