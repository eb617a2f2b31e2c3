package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
)

// stubBackups records what a restore received.
type stubBackups struct{ got []byte }

func (s *stubBackups) Backup(context.Context, cluster.Consistency) (*watchlist.Snapshot, error) {
	return nil, watchlist.ErrNotFound
}

func (s *stubBackups) Restore(_ context.Context, r io.Reader, _ bool) (watchlist.SnapshotInfo, error) {
	var err error
	s.got, err = io.ReadAll(r)
	return watchlist.SnapshotInfo{Bytes: int64(len(s.got))}, err
}

// Bodies are streamed so that a restore need not fit in memory; every
// other route still refuses a body over BodyLimit.
func TestBodyLimitHoldsExceptOnStreamedRoutes(t *testing.T) {
	b := &stubBackups{}
	app := New(Deps{Backups: b})
	big := bytes.Repeat([]byte("x"), BodyLimit+1)

	req := httptest.NewRequest(http.MethodPost, "/v1/inspections", bytes.NewReader(big))
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "exceeds") {
		t.Fatalf("oversized inspection: %d %s", resp.StatusCode, body)
	}

	req = httptest.NewRequest(http.MethodPost, "/v1/cluster/restore", bytes.NewReader(big))
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(b.got) != len(big) {
		t.Fatalf("streamed restore: %d, received %d of %d bytes", resp.StatusCode, len(b.got), len(big))
	}

	req = httptest.NewRequest(http.MethodPost, "/v1/cluster/restore?force=maybe", strings.NewReader("x"))
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"force"`) {
		t.Fatalf("bad force: %d %s", resp.StatusCode, body)
	}
}
