package node

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// TestRoleEndpointMatrix walks every authenticated endpoint with no
// token, an unknown token, a revoked token and a live token of every
// role, on a real node: every refusal is asserted (401, 403) and so is
// every permission (neither 401 nor 403).
func TestRoleEndpointMatrix(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })

	// The first start wrote the admin token, readable by its owner only.
	tn.waitFor("the admin token", func() bool { _, err := os.Stat(n.AdminTokenFile()); return err == nil })
	st, err := os.Stat(n.AdminTokenFile())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("admin token file: %v %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(n.AdminTokenFile())
	admin := strings.TrimSpace(string(b))
	if len(admin) < 40 || !strings.HasPrefix(admin, "cg_") {
		t.Fatalf("admin token %q", admin)
	}

	secrets := map[watchlist.Role]string{watchlist.RoleAdmin: admin}
	for _, r := range watchlist.Roles {
		if r != watchlist.RoleAdmin {
			secrets[r] = tokenFor(t, n, r)
		}
	}
	revokedTok, revoked, err := n.CreateToken(tn.ctx(), watchlist.RoleAnalyst, "", "leaver", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := n.RevokeToken(tn.ctx(), revokedTok.ID); err != nil {
		t.Fatal(err)
	}

	routes := api.Routes()
	if len(routes) < 16 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		path := strings.NewReplacer(":id", "X", ":country", "VNM", ":reference", "VNM-Q1").Replace(rt.Path)
		for name, secret := range map[string]string{"no token": "", "unknown token": "cg_nope", "revoked token": revoked} {
			if code, body := callAs(t, n, secret, rt.Method, path, map[string]any{}); code != http.StatusUnauthorized {
				t.Errorf("%s %s with %s: %d %s, want 401", rt.Method, rt.Path, name, code, body)
			}
		}
		for _, role := range watchlist.Roles {
			allowed := false
			for _, r := range rt.Roles {
				allowed = allowed || r == role
			}
			if role == watchlist.RoleOfficer && rt.Method == http.MethodGet && rt.Path == "/v1/alerts/:id" {
				// Allowed to the role, narrowed to the alerts hit at its
				// post: TestOfficerSeesOnlyWhatItsPostHit asserts both sides.
				allowed = false
			}
			code, body := callAs(t, n, secrets[role], rt.Method, path, map[string]any{})
			switch {
			case allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden):
				t.Errorf("%s %s as %s: %d %s, want it allowed", rt.Method, rt.Path, role, code, body)
			case !allowed && code != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d %s, want 403", rt.Method, rt.Path, role, code, body)
			}
		}
	}
	// Health probes need no token.
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, body := callAs(t, n, "", http.MethodGet, p, nil); code != http.StatusOK {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
}

// An officer reads an alert only once it was hit at its post, and a hit
// only of its post.
func TestOfficerSeesOnlyWhatItsPostHit(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	g := testbench.NewGenerator(5, testNow)
	hitAlert, other := g.Alert(1), g.Alert(2)
	if _, err := n.UpsertAlerts(tn.ctx(), []watchlist.Alert{hitAlert, other}); err != nil {
		t.Fatal(err)
	}
	officer := tokenFor(t, n, watchlist.RoleOfficer)
	if code, _ := callAs(t, n, officer, http.MethodGet, "/v1/alerts/"+hitAlert.ID, nil); code != http.StatusForbidden {
		t.Fatalf("before any hit: %d, want 403", code)
	}
	m := g.Presented(1, testbench.VariantExact)
	in := inspect(t, n, watchlist.Party{Direction: watchlist.Exit, At: testNow, Travellers: []watchlist.Member{m}})
	if in.Verdict == watchlist.Clear {
		t.Fatalf("the alert's person was not hit: %+v", in)
	}
	tn.waitFor("the crossing to commit", func() bool { return n.OutboxDepth() == 0 })
	if code, body := callAs(t, n, officer, http.MethodGet, "/v1/alerts/"+hitAlert.ID, nil); code != http.StatusOK {
		t.Fatalf("after the hit: %d %s", code, body)
	}
	if code, _ := callAs(t, n, officer, http.MethodGet, "/v1/alerts/"+other.ID, nil); code != http.StatusForbidden {
		t.Fatalf("an alert not hit here: %d, want 403", code)
	}
	hitID := watchlist.HitID(in.CrossingID, 0, hitAlert.ID)
	if code, body := callAs(t, n, officer, http.MethodGet, "/v1/hits/"+hitID, nil); code != http.StatusOK {
		t.Fatalf("own post's hit: %d %s", code, body)
	}
	// An officer of another post sees neither.
	_, elsewhere, err := n.CreateToken(context.Background(), watchlist.RoleOfficer, "another-post", "", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/v1/hits/" + hitID, "/v1/alerts/" + hitAlert.ID} {
		if code, _ := callAs(t, n, elsewhere, http.MethodGet, p, nil); code != http.StatusForbidden {
			t.Fatalf("%s from another post: %d, want 403", p, code)
		}
	}
}

// Every authenticated request is audited, refusals too, and the chain of
// every node verifies.
func TestRequestsAreAuditedAndTheChainVerifies(t *testing.T) {
	tn := newTestNodes(t)
	n := tn.start("centre-1", true, "")
	tn.waitFor("ready", func() bool { return n.Ready() == nil && n.Cluster().IsLeader() })
	g := testbench.NewGenerator(6, testNow)
	in := inspect(t, n, g.Family(watchlist.Exit, testNow))
	officer := tokenFor(t, n, watchlist.RoleOfficer)
	if code, _ := callAs(t, n, officer, http.MethodGet, "/v1/tokens", nil); code != http.StatusForbidden {
		t.Fatalf("officer listing tokens: %d", code)
	}
	auditor := tokenFor(t, n, watchlist.RoleAuditor)
	tn.waitFor("the audit entries to commit", func() bool { return n.AuditDepth() == 0 && n.OutboxDepth() == 0 })

	code, body := callAs(t, n, auditor, http.MethodGet, "/v1/audit?limit=1000", nil)
	if code != http.StatusOK {
		t.Fatalf("audit: %d %s", code, body)
	}
	var page struct {
		Entries []watchlist.AuditEntry `json:"entries"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	var sawInspection, sawRefusal bool
	for _, a := range page.Entries {
		if a.Action == "POST /v1/inspections" && a.Status == http.StatusOK && strings.Contains(a.Detail, in.CrossingID) &&
			a.Role == watchlist.RoleOfficer && a.Post == "centre-1" && a.TokenID != "" && a.Node == "centre-1" {
			sawInspection = true
		}
		if a.Action == "GET /v1/tokens" && a.Status == http.StatusForbidden && a.Role == watchlist.RoleOfficer {
			sawRefusal = true
		}
		if a.Seq == 0 || a.Hash == "" {
			t.Fatalf("entry not chained: %+v", a)
		}
	}
	if !sawInspection || !sawRefusal {
		t.Fatalf("inspection audited %t, refusal audited %t: %+v", sawInspection, sawRefusal, page.Entries)
	}
	code, body = callAs(t, n, auditor, http.MethodGet, "/v1/audit/verify", nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"ok":true`) {
		t.Fatalf("verify: %d %s", code, body)
	}
	if code, body := callAs(t, n, auditor, http.MethodGet, "/v1/audit?since=yesterday", nil); code != http.StatusBadRequest || !strings.Contains(string(body), `"field":"since"`) {
		t.Fatalf("bad since: %d %s", code, body)
	}
}
