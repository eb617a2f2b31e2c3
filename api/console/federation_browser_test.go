package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crossguard/crossguard/node"
	"github.com/crossguard/crossguard/watchlist"
)

// startCountry is startNode for a country's cluster of its own.
func startCountry(t *testing.T, code string) *testNode {
	t.Helper()
	return startNodeWith(t, func(c *node.Config) { c.Country, c.FederationInterval = code, 100*time.Millisecond })
}

// pair makes each of two clusters the other's partner.
func pair(t *testing.T, a, b *testNode, codeA, codeB string) {
	t.Helper()
	for _, x := range []struct {
		at, other *testNode
		code      string
		atCode    string
	}{{a, b, codeB, codeA}, {b, a, codeA, codeB}} {
		_, secret, err := x.other.CreateToken(context.Background(), watchlist.RolePartner, x.atCode, "liaison", "test")
		if err != nil {
			t.Fatal(err)
		}
		var key []byte
		waitFor(t, x.code+"'s key", func() bool {
			_, k, err := x.other.FederationIdentity()
			key = k
			return err == nil
		})
		if err := x.at.PutPartner(context.Background(), watchlist.Partner{Country: x.code, URL: x.other.base, PublicKey: key, Token: secret}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserPartners: in real Chromium, a Vietnamese analyst sees the
// partner's state, a Chinese alert shared with Viet Nam marked as the
// partner's and read-only, and flags it; when a Vietnamese post hits it,
// the hit appears in the Chinese analyst's live feed marked "reported by
// VNM".
func TestBrowserPartners(t *testing.T) {
	path := chromiumPath(t)
	chn, vnm := startCountry(t, "CHN"), startCountry(t, "VNM")
	pair(t, chn, vnm, "CHN", "VNM")
	alert := watchlist.Alert{ID: "FED-LI-1", Category: watchlist.MissingChild, Action: watchlist.ActionStop,
		Person:       &watchlist.Person{Names: []watchlist.PersonName{{Full: "李小红"}}, BirthDate: "2016-05-01", Sex: "F", Nationalities: []string{"CHN"}},
		Instructions: "Keep the girl safe; call Yunnan PSB.", Owner: watchlist.Owner{Country: "CHN", Agency: "Yunnan PSB"}, Share: []string{"VNM"}}
	if _, err := chn.UpsertAlerts(context.Background(), []watchlist.Alert{alert}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the shared alert at VNM", func() bool { _, err := vnm.Engine().Get("CHN:FED-LI-1"); return err == nil })

	owner := newBrowserTab(t, path)
	run(t, owner, "CHN's analyst watches the live feed", signInAs(chn.base, chn.secrets[watchlist.RoleAnalyst]),
		chromedp.WaitVisible("#feed-state.live", chromedp.ByQuery))

	partner := newBrowserTab(t, path)
	var partners, banner string
	var disabled bool
	run(t, partner, "VNM's analyst reads the partners page", signInAs(vnm.base, vnm.secrets[watchlist.RoleAnalyst]),
		chromedp.WaitVisible("#hits", chromedp.ByID),
		chromedp.Navigate(vnm.base+"/console/partners"),
		chromedp.WaitVisible("#partner-CHN", chromedp.ByID),
		chromedp.Text("#partners", &partners, chromedp.ByID))
	if !strings.Contains(partners, "CHN") || strings.Contains(partners, "never") {
		t.Errorf("partners page: %q", partners)
	}
	run(t, partner, "VNM's analyst opens the shared alert",
		chromedp.Navigate(vnm.base+"/console/alerts?q=li+xiaohong"),
		chromedp.WaitVisible(`#alerts .badge.foreign`, chromedp.ByQuery),
		chromedp.Navigate(vnm.base+"/console/alerts/CHN:FED-LI-1"),
		chromedp.Text("#foreign-alert", &banner, chromedp.ByID),
		chromedp.Evaluate(`document.querySelector("#alert-form fieldset").disabled`, &disabled))
	if !strings.Contains(banner, "CHN") || !disabled {
		t.Errorf("the shared alert: banner %q, form disabled %v", banner, disabled)
	}
	run(t, partner, "VNM's analyst flags it",
		chromedp.SendKeys(`#flag-form input[name=reason]`, "the court order does not apply here", chromedp.ByQuery),
		chromedp.Click("#flag-alert", chromedp.ByID),
		chromedp.WaitVisible("#foreign-alert strong", chromedp.ByQuery))
	waitFor(t, "the flag at CHN", func() bool {
		f, _ := chn.Engine().Flags("FED-LI-1")
		return f["VNM"].Reason != ""
	})

	// A Vietnamese post hits the alert: CHN's analyst sees it arrive.
	req := map[string]any{"direction": "exit", "travellers": []map[string]any{{"surname": "LI", "given": "XIAOHONG", "birth_date": "2016-05-01", "sex": "F", "nationality": "CHN"}}}
	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequest(http.MethodPost, vnm.base+"/v1/inspections", bytes.NewReader(body))
	hreq.Header.Set("Authorization", "Bearer "+vnm.secrets[watchlist.RoleOfficer])
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inspection at VNM: %d", resp.StatusCode)
	}
	var feed string
	run(t, owner, "the reported hit reaches CHN's live feed",
		chromedp.WaitVisible(`#hits tr.hit .reported-by`, chromedp.ByQuery),
		chromedp.Text("#hits tbody", &feed, chromedp.ByQuery))
	if !strings.Contains(feed, "VNM") || !strings.Contains(feed, "FED-LI-1") {
		t.Errorf("CHN's feed: %q", feed)
	}
	// The owner sees the partner's flag on its alert.
	var flags string
	run(t, owner, "CHN's analyst sees VNM's flag on the alert",
		chromedp.Navigate(chn.base+"/console/alerts/FED-LI-1"),
		chromedp.Text("#flag-VNM", &flags, chromedp.ByID))
	if !strings.Contains(flags, "the court order does not apply here") {
		t.Errorf("CHN's alert page shows the flag as %q", flags)
	}
}

// TestBrowserDetailRequest: in real Chromium, a Vietnamese analyst asks
// China whether a passport is on an alert (hit, a reference, nothing
// else), requests the details; a Chinese analyst approves in the
// console; the alert reaches Viet Nam and the request shows approved.
func TestBrowserDetailRequest(t *testing.T) {
	path := chromiumPath(t)
	chn, vnm := startCountry(t, "CHN"), startCountry(t, "VNM")
	pair(t, chn, vnm, "CHN", "VNM")
	alert := watchlist.Alert{ID: "FED-WANG-1", Category: watchlist.AbductedChild, Action: watchlist.ActionStop,
		Person:       &watchlist.Person{Names: []watchlist.PersonName{{Full: "王小军"}}, BirthDate: "2017-02-11", Sex: "M", Nationalities: []string{"CHN"}},
		Documents:    []watchlist.Document{{Type: "P", Country: "CHN", Number: "E76543210"}},
		Instructions: "Stop; call Guangxi PSB.", Owner: watchlist.Owner{Country: "CHN", Agency: "Guangxi PSB"}, QueryBy: []string{"VNM"}}
	if _, err := chn.UpsertAlerts(context.Background(), []watchlist.Alert{alert}); err != nil {
		t.Fatal(err)
	}

	asker := newBrowserTab(t, path)
	var answer string
	run(t, asker, "VNM's analyst asks CHN about a passport", signInAs(vnm.base, vnm.secrets[watchlist.RoleAnalyst]),
		chromedp.WaitVisible("#hits", chromedp.ByID),
		chromedp.Navigate(vnm.base+"/console/partners"),
		chromedp.WaitVisible("#query-form", chromedp.ByID),
		chromedp.SendKeys(`#query-form input[name=doc_country]`, "CHN", chromedp.ByQuery),
		chromedp.SendKeys(`#query-form input[name=doc_number]`, "E76543210", chromedp.ByQuery),
		chromedp.Click("#ask-partner", chromedp.ByID),
		chromedp.WaitVisible("#answer", chromedp.ByID),
		chromedp.Text("#answer", &answer, chromedp.ByID))
	if !strings.Contains(answer, "hit") || strings.Contains(answer, "no hit") || !strings.Contains(answer, "VNM-Q") {
		t.Fatalf("the answer: %q", answer)
	}
	for _, leak := range []string{"王", "WANG", "FED-WANG-1", "abducted", "Guangxi"} {
		if strings.Contains(answer, leak) {
			t.Errorf("the answer shows %q: %q", leak, answer)
		}
	}
	var sent string
	run(t, asker, "VNM's analyst requests the details",
		chromedp.SendKeys(`#sent-queries form.request input[name=reason]`, "The boy crosses at Mong Cai with a man who is not his father.", chromedp.ByQuery),
		chromedp.Submit(`#sent-queries form.request`, chromedp.ByQuery),
		chromedp.WaitVisible(`#sent-queries .badge`, chromedp.ByQuery),
		chromedp.Text("#sent-queries", &sent, chromedp.ByID))
	if !strings.Contains(strings.ToLower(sent), "pending") {
		t.Errorf("VNM's sent queries after the request: %q", sent)
	}

	waitFor(t, "the request at CHN", func() bool {
		cases, _ := chn.Engine().DetailCases()
		return len(cases) == 1 && cases[0].Status == watchlist.DetailPending
	})
	owner := newBrowserTab(t, path)
	var received string
	run(t, owner, "CHN's analyst reads the request and approves it", signInAs(chn.base, chn.secrets[watchlist.RoleAnalyst]),
		chromedp.WaitVisible("#hits", chromedp.ByID),
		chromedp.Navigate(chn.base+"/console/partners"),
		chromedp.WaitVisible(`#received-requests form.decide`, chromedp.ByQuery),
		chromedp.Text("#received-requests", &received, chromedp.ByID),
		chromedp.Click(`#received-requests form.decide button[value=approve]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#received-requests .badge`, chromedp.ByQuery))
	if !strings.Contains(received, "Mong Cai") || !strings.Contains(received, "FED-WANG-1") {
		t.Errorf("CHN's view of the request: %q", received)
	}

	waitFor(t, "the approved alert at VNM", func() bool {
		_, err := vnm.Engine().Get("CHN:FED-WANG-1")
		cases, _ := vnm.Engine().DetailCases()
		return err == nil && len(cases) == 1 && cases[0].Status == watchlist.DetailApproved
	})
	run(t, asker, "VNM's analyst sees the approval and opens the alert",
		chromedp.Navigate(vnm.base+"/console/partners"),
		chromedp.WaitVisible(`#sent-queries a[href="/console/alerts/CHN:FED-WANG-1"]`, chromedp.ByQuery),
		chromedp.Text("#sent-queries", &sent, chromedp.ByID),
		chromedp.Click(`#sent-queries a[href="/console/alerts/CHN:FED-WANG-1"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#foreign-alert", chromedp.ByID))
	if !strings.Contains(strings.ToLower(sent), "approved") {
		t.Errorf("VNM's sent queries after approval: %q", sent)
	}
}
