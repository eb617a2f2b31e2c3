package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/api/console"
	"github.com/crossguard/crossguard/node"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// testNode is a real single-node cluster with the demo alerts (not the
// generated watchlist) and a token of every role.
type testNode struct {
	*node.Node
	base    string
	secrets map[watchlist.Role]string
}

func startNode(t *testing.T) *testNode { return startNodeWith(t, nil) }

// startNodeWith starts a test node whose configuration configure adjusts.
func startNodeWith(t *testing.T, configure func(*node.Config)) *testNode {
	t.Helper()
	cfg := node.DefaultConfig()
	cfg.DataDir, cfg.HTTPAddr, cfg.RaftAddr = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	cfg.Demo, cfg.DemoAlerts = true, 0
	cfg.HeartbeatTimeout, cfg.ElectionTimeout = 300*time.Millisecond, 300*time.Millisecond
	if configure != nil {
		configure(&cfg)
	}
	n, err := node.Start(cfg, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	tn := &testNode{Node: n, base: "http://" + n.HTTPAddr(), secrets: map[watchlist.Role]string{}}
	for _, r := range []watchlist.Role{watchlist.RoleAdmin, watchlist.RoleOfficer, watchlist.RoleAnalyst, watchlist.RoleAuditor} {
		waitFor(t, "the "+string(r)+" token", func() bool {
			b, err := os.ReadFile(n.TokenFile(r))
			tn.secrets[r] = strings.TrimSpace(string(b))
			return err == nil && tn.secrets[r] != ""
		})
	}
	_, partner, err := n.CreateToken(context.Background(), watchlist.RolePartner, "VNM", "partner", "test")
	if err != nil {
		t.Fatal(err)
	}
	tn.secrets[watchlist.RolePartner] = partner
	waitFor(t, "the demo alerts", func() bool { _, err := n.Engine().Get("DEMO-MISSING-ZHANG"); return err == nil })
	return tn
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects (the tests assert them).
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(method, path string, form url.Values, header map[string]string) (int, http.Header, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(out)); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, resp.Header, string(out)
}

func (b *browser) get(path string) (int, string) {
	code, _, body := b.do(http.MethodGet, path, nil, nil)
	return code, body
}

// post sends a form with the session's anti-forgery token.
func (b *browser) post(path string, form url.Values) (int, http.Header, string) {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf)
	}
	return b.do(http.MethodPost, path, form, nil)
}

func (b *browser) signIn(secret string) {
	b.t.Helper()
	code, h, body := b.do(http.MethodPost, "/console/signin", url.Values{"token": {secret}}, nil)
	if code != http.StatusSeeOther || h.Get("Location") != "/console/" {
		b.t.Fatalf("sign in: %d %s %s", code, h.Get("Location"), body)
	}
	// Follow to the role's first page, which carries the form token.
	_, h, _ = b.do(http.MethodGet, "/console/", nil, nil)
	b.get(h.Get("Location"))
	if b.csrf == "" {
		b.t.Fatal("no anti-forgery token on the first page")
	}
}

// TestConsoleRoleMatrix signs in with a token of every role and walks
// every console page and action: a role the route does not name is
// refused (403), a role it names is served, and a browser that is not
// signed in is sent to the sign-in page (or refused a form, 401).
func TestConsoleRoleMatrix(t *testing.T) {
	n := startNode(t)
	anon := newBrowser(t, n.base)
	browsers := map[watchlist.Role]*browser{}
	for r, secret := range n.secrets {
		browsers[r] = newBrowser(t, n.base)
		browsers[r].signIn(secret)
	}
	routes := console.Routes()
	if len(routes) < 15 {
		t.Fatalf("only %d console routes", len(routes))
	}
	for _, rt := range routes {
		path := strings.ReplaceAll(rt.Path, ":id", "DEMO-MISSING-ZHANG")
		if rt.Path == "/console/signout" || rt.Path == "/console/hits/stream" {
			continue // ends the session; an endless stream (tested below)
		}
		if rt.Method == http.MethodGet {
			if code, h, _ := anon.do(rt.Method, path, nil, nil); code != http.StatusSeeOther || h.Get("Location") != "/console/signin" {
				t.Errorf("GET %s signed out: %d → %s, want 303 → /console/signin", path, code, h.Get("Location"))
			}
		} else if code, _, _ := anon.do(rt.Method, path, url.Values{}, nil); code != http.StatusUnauthorized {
			t.Errorf("POST %s signed out: %d, want 401", path, code)
		}
		for _, role := range watchlist.Roles {
			b := browsers[role]
			allowed := false
			for _, r := range rt.Roles {
				allowed = allowed || r == role
			}
			var code int
			var body string
			if rt.Method == http.MethodGet {
				code, body = b.get(path)
			} else {
				// An empty form: refused by the role check, or by the
				// handler's validation, never by the anti-forgery check.
				code, _, body = b.post(path, url.Values{"op": {"nothing"}})
			}
			if allowed && (code == http.StatusForbidden || code == http.StatusUnauthorized) {
				t.Errorf("%s %s as %s: %d, want it served: %.300s", rt.Method, path, role, code, body[strings.Index(body, "<main>"):])
			}
			if !allowed && code != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403", rt.Method, path, role, code)
			}
		}
	}
}

// TestConsoleSessionSecurity: the session cookie is HttpOnly and
// SameSite=Strict; a form without the anti-forgery token is refused and
// changes nothing; a revoked token's session ends at once; a wrong token
// does not sign in; pages carry the security headers.
func TestConsoleSessionSecurity(t *testing.T) {
	n := startNode(t)
	b := newBrowser(t, n.base)
	code, h, _ := b.do(http.MethodPost, "/console/signin", url.Values{"token": {"cg_wrong"}}, nil)
	if code != http.StatusUnauthorized || h.Get("Set-Cookie") != "" {
		t.Fatalf("wrong token: %d, cookie %q", code, h.Get("Set-Cookie"))
	}
	_, tok, err := n.CreateToken(context.Background(), watchlist.RoleAnalyst, "", "shift analyst", "test")
	if err != nil {
		t.Fatal(err)
	}
	code, h, _ = b.do(http.MethodPost, "/console/signin", url.Values{"token": {tok}}, nil)
	cookie := h.Get("Set-Cookie")
	if code != http.StatusSeeOther || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(strings.ToLower(cookie), "samesite=strict") {
		t.Fatalf("sign in: %d, cookie %q", code, cookie)
	}
	if strings.Contains(cookie, tok) {
		t.Fatal("the token's secret is in the cookie")
	}
	code, hdr, _ := b.do(http.MethodGet, "/console/alerts", nil, nil)
	if code != http.StatusOK {
		t.Fatalf("alerts: %d", code)
	}
	for k, want := range map[string]string{"Content-Security-Policy": "script-src 'self'", "X-Frame-Options": "DENY",
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if !strings.Contains(hdr.Get(k), want) {
			t.Errorf("%s: %q, want %q", k, hdr.Get(k), want)
		}
	}

	// A forged form (no token, or another session's) closes nothing.
	for _, csrf := range []string{"", "forged"} {
		code, _, _ = b.do(http.MethodPost, "/console/alerts/DEMO-RISK-LE/close", url.Values{"csrf": {csrf}}, nil)
		if code != http.StatusForbidden {
			t.Errorf("close with csrf %q: %d, want 403", csrf, code)
		}
	}
	if a, _ := n.Engine().Get("DEMO-RISK-LE"); a.Status != watchlist.StatusActive {
		t.Fatal("a forged form closed the alert")
	}

	// Revoking the token ends the session on the next request.
	toks, _ := n.Tokens()
	for _, x := range toks {
		if x.Name == "shift analyst" {
			if err := n.RevokeToken(context.Background(), x.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if code, h, _ := b.do(http.MethodGet, "/console/alerts", nil, nil); code != http.StatusSeeOther || h.Get("Location") != "/console/signin" {
		t.Fatalf("revoked token's session: %d → %s", code, h.Get("Location"))
	}
}

// TestConsoleLanguages: the console speaks English, Simplified Chinese
// and Vietnamese, chosen by the browser's Accept-Language or by the user
// (remembered).
func TestConsoleLanguages(t *testing.T) {
	n := startNode(t)
	b := newBrowser(t, n.base)
	for accept, want := range map[string]string{"zh-CN,zh;q=0.9": "登录", "vi-VN": "Đăng nhập", "de-DE": "Sign in", "": "Sign in"} {
		_, _, body := b.do(http.MethodGet, "/console/signin", nil, map[string]string{"Accept-Language": accept})
		if !strings.Contains(body, want) {
			t.Errorf("Accept-Language %q: no %q", accept, want)
		}
	}
	if _, body := b.get("/console/signin?lang=vi"); !strings.Contains(body, `<html lang="vi">`) || !strings.Contains(body, "Đăng nhập") {
		t.Fatal("?lang=vi not in Vietnamese")
	}
	// Remembered over the browser's preference.
	if _, _, body := b.do(http.MethodGet, "/console/signin", nil, map[string]string{"Accept-Language": "zh-CN"}); !strings.Contains(body, "Đăng nhập") {
		t.Fatal("the chosen language was not remembered")
	}
}

// TestConsoleInspectionIsAuditedAndRecorded: an officer's inspection in
// the console answers the verdict, writes a crossing record and an audit
// entry like the API's.
func TestConsoleInspectionIsAuditedAndRecorded(t *testing.T) {
	n := startNode(t)
	b := newBrowser(t, n.base)
	b.signIn(n.secrets[watchlist.RoleOfficer])
	req := testbench.ScannedRequest(testbench.DemoParties(time.Now())[1].Party) // the missing boy
	form := url.Values{"op": {"add"}, "direction": {"exit"}, "mrz": {req.Travellers[0].MRZ}}
	code, _, body := b.post("/console/inspect", form)
	party := regexp.MustCompile(`name="party" value="([^"]+)"`).FindStringSubmatch(body)
	if code != http.StatusOK || party == nil || !strings.Contains(body, "WANG, FANG") {
		t.Fatalf("add: %d %.500s", code, body)
	}
	form = url.Values{"op": {"inspect"}, "direction": {"exit"}, "mrz": {req.Travellers[1].MRZ}, "party": {htmlUnescape(party[1])},
		"adult_1": {"0"}, "relation_1": {"relative"}}
	code, _, body = b.post("/console/inspect", form)
	if code != http.StatusOK || !strings.Contains(body, `class="verdict verdict-stop"`) || !strings.Contains(body, "DEMO-MISSING-ZHANG") {
		t.Fatalf("inspect: %d %.2000s", code, body)
	}
	crossing := regexp.MustCompile(`id="crossing-id">([^<]+)<`).FindStringSubmatch(body)
	if crossing == nil {
		t.Fatal("no crossing ID")
	}
	waitFor(t, "the crossing record", func() bool { _, err := n.Engine().Crossing(crossing[1]); return err == nil })
	// The entry is shipped with the crossing, through the outbox.
	waitFor(t, "the audit entry of the console inspection", func() bool {
		entries, _, err := n.Audit(watchlist.AuditQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Action == "POST /console/inspect" && strings.Contains(e.Detail, "verdict stop") && strings.Contains(e.Detail, crossing[1]) {
				return true
			}
		}
		return false
	})
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'", "&#43;", "+").Replace(s)
}

// TestConsoleRefusesWhatItsFormsCannotSend: a direction, a relation or an
// adult the officer's form does not offer, and a malformed feed cursor,
// are refused with the field named, never guessed.
func TestConsoleRefusesWhatItsFormsCannotSend(t *testing.T) {
	n := startNode(t)
	b := newBrowser(t, n.base)
	b.signIn(n.secrets[watchlist.RoleOfficer])
	party := `{"direction":"exit","travellers":[{"surname":"LE","given":"AN","birth_date":"1980"},{"surname":"LE","given":"BINH","birth_date":"2018"}]}`
	for name, form := range map[string]url.Values{
		"direction":  {"op": {"inspect"}, "direction": {"sideways"}, "party": {party}},
		"relation_1": {"op": {"inspect"}, "direction": {"exit"}, "party": {party}, "adult_1": {"0"}, "relation_1": {"uncle"}},
		"adult_1":    {"op": {"inspect"}, "direction": {"exit"}, "party": {party}, "adult_1": {"7"}, "relation_1": {"parent"}},
	} {
		code, _, body := b.post("/console/inspect", form)
		if code != http.StatusBadRequest || !strings.Contains(body, "<code>"+name+"</code>") {
			t.Errorf("%s: %d, want 400 naming it", name, code)
		}
	}
	if code, _, _ := b.do(http.MethodGet, "/console/hits/stream?after=12abc", nil, nil); code != http.StatusBadRequest {
		t.Errorf("feed cursor 12abc: %d, want 400", code)
	}
}
