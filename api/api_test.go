package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// stubTokens knows one admin secret.
type stubTokens struct{}

func (stubTokens) Authenticate(secret string) (watchlist.Token, error) {
	switch secret {
	case "admin-secret":
		return watchlist.Token{ID: "a", Role: watchlist.RoleAdmin}, nil
	case "officer-secret":
		return watchlist.Token{ID: "o", Role: watchlist.RoleOfficer, Post: "p"}, nil
	case "store-failing":
		return watchlist.Token{}, errors.New("reading the token store: input/output error")
	}
	return watchlist.Token{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
}
func (stubTokens) CreateToken(context.Context, watchlist.Role, string, string, string) (watchlist.Token, string, error) {
	return watchlist.Token{}, "", watchlist.ErrInvalid
}
func (stubTokens) RevokeToken(context.Context, string) error { return watchlist.ErrNotFound }
func (stubTokens) Tokens() ([]watchlist.Token, error)        { return nil, nil }

func adminRequest(method, path string, body io.Reader) *http.Request {
	return requestAs("admin-secret", method, path, body)
}

func requestAs(secret, method, path string, body io.Reader) *http.Request {
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("Authorization", "Bearer "+secret)
	return req
}

// Bodies are streamed so that a restore need not fit in memory; every
// other route still refuses a body over BodyLimit.
func TestBodyLimitHoldsExceptOnStreamedRoutes(t *testing.T) {
	b := &stubBackups{}
	app := New(Deps{Backups: b, Tokens: stubTokens{}})
	big := bytes.Repeat([]byte("x"), BodyLimit+1)

	req := requestAs("officer-secret", http.MethodPost, "/v1/inspections", bytes.NewReader(big))
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "exceeds") {
		t.Fatalf("oversized inspection: %d %s", resp.StatusCode, body)
	}

	// Without a token the body is not read at all.
	req = requestAs("", http.MethodPost, "/v1/inspections", bytes.NewReader(big))
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	// An unknown token is refused (401); a token store that fails is
	// not the caller's fault: a 5xx, never a 401 that would make a
	// client drop a good token.
	for secret, want := range map[string]int{"cg_unknown": http.StatusUnauthorized, "store-failing": http.StatusInternalServerError} {
		resp, err = app.Test(requestAs(secret, http.MethodGet, "/v1/openapi.json", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Errorf("token %q: %d, want %d", secret, resp.StatusCode, want)
		}
	}

	req = adminRequest(http.MethodPost, "/v1/cluster/restore", bytes.NewReader(big))
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(b.got) != len(big) {
		t.Fatalf("streamed restore: %d, received %d of %d bytes", resp.StatusCode, len(b.got), len(big))
	}

	req = adminRequest(http.MethodPost, "/v1/cluster/restore?force=maybe", strings.NewReader("x"))
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"force"`) {
		t.Fatalf("bad force: %d %s", resp.StatusCode, body)
	}
}
