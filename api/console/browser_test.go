package console_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// chromiumPath finds Debian's Chromium. In CI (CI=true) its absence is a
// failure: .ci/run installs it.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("SKIPPED: the browser tests need Chromium (apt-get install chromium); it is not installed on this machine")
	return ""
}

// newBrowserTab starts a headless Chromium of its own (its own cookies:
// another person at another desk).
func newBrowserTab(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1000), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// run runs browser actions with a deadline.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(c, actions...); err != nil {
		var html string
		hc, hcancel := context.WithTimeout(ctx, 5*time.Second)
		defer hcancel()
		_ = chromedp.Run(hc, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
		t.Fatalf("%s: %v\npage: %.3000s", what, err, html)
	}
}

func signInAs(base, secret string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(base + "/console/signin"),
		chromedp.WaitVisible("#token", chromedp.ByID),
		chromedp.SendKeys("#token", secret, chromedp.ByID),
		chromedp.Submit("#token", chromedp.ByID),
	}
}

// TestBrowserShift walks an officer's and an analyst's shift in two real
// headless Chromiums: the analyst watches the live hit feed; the officer
// scans a woman's and a boy's passports as a document reader types them,
// marks how they are related and inspects: a red STOP banner, and the hit
// appears in the analyst's feed without a reload. The officer then
// inspects an innocent family with the keyboard alone: green. The analyst
// imports a file and sees its per-line report; the console switches to
// Chinese.
func TestBrowserShift(t *testing.T) {
	path := chromiumPath(t)
	n := startNode(t)
	analyst := newBrowserTab(t, path)
	officer := newBrowserTab(t, path)

	run(t, analyst, "analyst signs in to the live feed", signInAs(n.base, n.secrets[watchlist.RoleAnalyst]),
		chromedp.WaitVisible("#hits", chromedp.ByID),
		chromedp.WaitVisible("#feed-state.live", chromedp.ByQuery))

	now := time.Now()
	parties := testbench.DemoParties(now)
	boy := testbench.ScannedRequest(parties[1].Party) // WANG FANG with ZHANG XIAOMING, on a missing-child alert
	run(t, officer, "officer signs in", signInAs(n.base, n.secrets[watchlist.RoleOfficer]),
		chromedp.WaitVisible("#mrz", chromedp.ByID))
	for i, tr := range boy.Travellers {
		// A document reader types each line and Enter; the complete
		// zone adds the traveller to the party.
		run(t, officer, "scan document", chromedp.SendKeys("#mrz", strings.ReplaceAll(tr.MRZ, "\n", "\r")+"\r", chromedp.ByID),
			chromedp.WaitVisible(`#party tbody tr:nth-child(`+string(rune('1'+i))+`)`, chromedp.ByQuery),
			chromedp.WaitReady("#mrz", chromedp.ByID))
	}
	var partyText string
	run(t, officer, "mark the relationship and inspect",
		chromedp.Text("#party", &partyText, chromedp.ByID),
		chromedp.SetValue(`select[name="adult_1"]`, "0", chromedp.ByQuery),
		chromedp.SetValue(`select[name="relation_1"]`, "relative", chromedp.ByQuery),
		chromedp.Click("#inspect", chromedp.ByID),
		chromedp.WaitVisible("#verdict.verdict-stop", chromedp.ByQuery))
	if !strings.Contains(partyText, "WANG") || !strings.Contains(partyText, "ZHANG") {
		t.Fatalf("the party shows %q", partyText)
	}
	var word, instructions string
	run(t, officer, "read the banner", chromedp.Text("#verdict .verdict-word", &word, chromedp.ByQuery),
		chromedp.Text(".hit-card .instructions", &instructions, chromedp.ByQuery))
	if strings.TrimSpace(word) != "STOP" || !strings.Contains(instructions, "Keep the child safe") {
		t.Fatalf("banner %q, instructions %q", word, instructions)
	}

	var feed string
	run(t, analyst, "the hit reaches the analyst's live feed",
		chromedp.WaitVisible(`#hits tr.hit.new`, chromedp.ByQuery),
		chromedp.Text("#hits tbody", &feed, chromedp.ByQuery))
	if !strings.Contains(feed, "DEMO-MISSING-ZHANG") {
		t.Fatalf("feed: %q", feed)
	}

	// The innocent family, with the keyboard only: Esc starts a new
	// party, the demo party is loaded, Ctrl+Enter inspects.
	run(t, officer, "new party with Esc", chromedp.KeyEvent(kb.Escape), chromedp.WaitVisible("#mrz", chromedp.ByID))
	run(t, officer, "load the innocent family",
		chromedp.Click("details.demo summary", chromedp.ByQuery),
		chromedp.Click(`button[value="demo:0"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#party", chromedp.ByID),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.WaitVisible("#verdict.verdict-clear", chromedp.ByQuery),
		chromedp.Text("#verdict .verdict-word", &word, chromedp.ByQuery))
	if strings.TrimSpace(word) != "CLEAR" {
		t.Fatalf("family: %q", word)
	}

	// An import with its progress bar and per-line report.
	file := filepath.Join(t.TempDir(), "alerts.ndjson")
	g := testbench.NewGenerator(7, now)
	var lines []string
	for _, a := range g.Alerts(0, 3) {
		b, _ := json.Marshal(a)
		lines = append(lines, string(b))
	}
	lines = append(lines, `{"category":"missing_child","action":"stop"}`)
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var report, progress string
	run(t, analyst, "import a file",
		chromedp.Navigate(n.base+"/console/import"),
		chromedp.WaitVisible("#file", chromedp.ByID),
		chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID),
		chromedp.Click(`#import-form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#import-report", chromedp.ByID),
		chromedp.Text("#import-report", &report, chromedp.ByID),
		chromedp.AttributeValue("#import-progress", "value", &progress, nil, chromedp.ByID))
	if !strings.Contains(report, "4 lines read: 3 alerts imported, 1 lines invalid.") || !strings.Contains(report, "person") {
		t.Fatalf("import report: %q", report)
	}
	if progress != "100" {
		t.Errorf("progress bar at %q after the upload", progress)
	}
	if _, err := n.Engine().Get(g.Alerts(0, 1)[0].ID); err != nil {
		t.Fatalf("imported alert: %v", err)
	}

	var title string
	run(t, officer, "switch to Chinese", chromedp.Navigate(n.base+"/console/inspect?lang=zh-Hans"),
		chromedp.WaitVisible("#mrz", chromedp.ByID), chromedp.Title(&title))
	if !strings.Contains(title, "查验") {
		t.Fatalf("title %q", title)
	}
}
