package node

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/cluster/federation"
	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// country is one country's cluster in a federation test: a real
// single-voter cluster (raft, badger, HTTP) of its own.
type country struct {
	code string
	tn   *testNodes
	n    *Node
}

// federated starts one cluster per country code and makes each a partner
// of every other: each issues the other a partner token, and each
// registers the other's URL, public key and token through the API.
func federated(t *testing.T, codes ...string) map[string]*country {
	t.Helper()
	out := map[string]*country{}
	for _, code := range codes {
		tn := newTestNodes(t)
		tn.configure = func(c *Config) {
			c.Country, c.FederationInterval = code, 50*time.Millisecond
		}
		id := strings.ToLower(code) + "-centre"
		n := tn.start(id, true, "")
		// Partners know its URL: a restart keeps its port.
		cfg := tn.cfgs[id]
		cfg.HTTPAddr = n.HTTPAddr()
		tn.cfgs[id] = cfg
		c := &country{code: code, tn: tn, n: n}
		tn.waitFor(code+" identity", func() bool {
			id, err := n.Engine().Identity()
			return err == nil && id.Country == code
		})
		out[code] = c
	}
	for _, a := range codes {
		for _, b := range codes {
			if a != b {
				out[a].register(t, out[b])
			}
		}
	}
	return out
}

// register makes p a partner of c: p issues c a partner token, and c's
// admin registers p through the API.
func (c *country) register(t *testing.T, p *country) {
	t.Helper()
	_, secret, err := p.n.CreateToken(p.tn.ctx(), watchlist.RolePartner, c.code, c.code+" liaison", "test")
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := p.n.FederationIdentity()
	if err != nil {
		t.Fatal(err)
	}
	code, body := callAs(t, c.n, c.admin(t), http.MethodPut, "/v1/federation/partners/"+p.code,
		map[string]string{"url": "http://" + p.n.HTTPAddr(), "public_key": federation.EncodeKey(key), "token": secret})
	if code != http.StatusNoContent {
		t.Fatalf("%s registers %s: %d %s", c.code, p.code, code, body)
	}
}

func (c *country) admin(t *testing.T) string { return tokenFor(t, c.n, watchlist.RoleAdmin) }

// alert is the generator's alert i, owned by c and shared as given.
func (c *country) alert(g *testbench.Generator, i int, share ...string) watchlist.Alert {
	a := g.Alert(i)
	a.ID = fmt.Sprintf("%s-%d", c.code, i)
	a.Owner = watchlist.Owner{Country: c.code, Agency: c.code + " police"}
	a.Share = share
	return a
}

// child is a missing-child alert owned by c, its name in Han
// characters, and the child as a scanned passport presents it.
func (c *country) child(id string, share ...string) (watchlist.Alert, watchlist.Member) {
	a := watchlist.Alert{ID: id, Category: watchlist.MissingChild, Action: watchlist.ActionStop,
		Person:       &watchlist.Person{Names: []watchlist.PersonName{{Full: "张小明"}}, BirthDate: "2015-03-09", Sex: "M", Nationalities: []string{"CHN"}},
		Documents:    []watchlist.Document{{Type: "P", Country: "CHN", Number: "E12345678"}},
		Instructions: "Keep the child safe; call the owner's duty officer.",
		Owner:        watchlist.Owner{Country: c.code, Agency: c.code + " police"}, Share: share}
	m := watchlist.Member{Traveller: watchlist.Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09", Sex: "M", Nationality: "CHN",
		Document: &watchlist.Document{Type: "P", Country: "CHN", Number: "E12345678"}}}
	return a, m
}

func (c *country) put(t *testing.T, alerts ...watchlist.Alert) {
	t.Helper()
	if _, err := c.n.UpsertAlerts(c.tn.ctx(), alerts); err != nil {
		t.Fatal(err)
	}
}

// foreign reads c's copy of the partner's alert (ok false: never
// received).
func (c *country) foreign(owner, id string) (watchlist.Alert, bool) {
	a, err := c.n.Engine().Get(watchlist.ForeignID(owner, id))
	return a, err == nil
}

func (c *country) waitFor(what string, cond func() bool) { c.tn.waitFor(c.code+": "+what, cond) }

// Sharing and withdrawal between three real clusters, and the scoping
// test: a partner never receives an alert that was not shared with it,
// not even as a withdrawal.
func TestSharingAndWithdrawalAcrossThreeClusters(t *testing.T) {
	fed := federated(t, "CHN", "VNM", "LAO")
	chn, vnm, lao := fed["CHN"], fed["VNM"], fed["LAO"]
	g := testbench.NewGenerator(61, testNow)
	both, child := chn.child("CHN-1", "VNM", "LAO")
	onlyVNM, none, onlyLAO := chn.alert(g, 2, "VNM"), chn.alert(g, 3), chn.alert(g, 4, "LAO")
	chn.put(t, both, onlyVNM, none, onlyLAO)

	vnm.waitFor("the shared alerts", func() bool {
		_, a := vnm.foreign("CHN", both.ID)
		_, b := vnm.foreign("CHN", onlyVNM.ID)
		return a && b
	})
	lao.waitFor("the shared alerts", func() bool {
		_, a := lao.foreign("CHN", both.ID)
		_, b := lao.foreign("CHN", onlyLAO.ID)
		return a && b
	})
	got, _ := vnm.foreign("CHN", both.ID)
	if got.Origin == nil || got.Origin.Country != "CHN" || got.Origin.ID != both.ID || got.Owner.Country != "CHN" {
		t.Fatalf("foreign alert at VNM: %+v", got)
	}
	if !slices.Equal(got.Share, []string{"VNM"}) {
		t.Errorf("VNM learns the owner's other partners: share %v", got.Share)
	}
	// Searchable like VNM's own, shown with its owner.
	name := both.Person.Names[0]
	q := name.Full
	if q == "" {
		q = name.Surname + " " + name.Given
	}
	code, body := call(t, vnm.n, http.MethodGet, "/v1/alerts?q="+urlQuery(q), nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"CHN:`+both.ID+`"`) {
		t.Errorf("search at VNM for %q: %d %s", q, code, body)
	}
	// Read-only: only the owner changes or closes it.
	if code, body := call(t, vnm.n, http.MethodDelete, "/v1/alerts/CHN:"+both.ID, nil); code != http.StatusConflict {
		t.Errorf("VNM closes CHN's alert: %d %s, want 409", code, body)
	}
	edit := got
	edit.Origin, edit.Instructions = nil, "changed at VNM"
	if code, body := call(t, vnm.n, http.MethodPut, "/v1/alerts/CHN:"+both.ID, edit); code != http.StatusConflict {
		t.Errorf("VNM changes CHN's alert: %d %s, want 409", code, body)
	}
	forged := vnm.alert(g, 9)
	forged.ID, forged.Origin = "", &watchlist.Origin{Country: "CHN", ID: "X"}
	if code, body := call(t, vnm.n, http.MethodPost, "/v1/alerts", forged); code != http.StatusBadRequest || !strings.Contains(string(body), "origin") {
		t.Errorf("an alert posted with an origin: %d %s, want 400 naming origin", code, body)
	}

	// CHN updates one alert, stops sharing another with VNM, closes a
	// third.
	updated := both
	updated.Instructions = "Call the Yunnan duty officer at once."
	unshared := onlyVNM
	unshared.Share = nil
	chn.put(t, updated, unshared)
	if err := chn.n.CloseAlert(chn.tn.ctx(), onlyLAO.ID); err != nil {
		t.Fatal(err)
	}
	vnm.waitFor("the update and the withdrawal", func() bool {
		a, _ := vnm.foreign("CHN", both.ID)
		b, _ := vnm.foreign("CHN", onlyVNM.ID)
		return a.Instructions == updated.Instructions && b.Status == watchlist.StatusClosed
	})
	lao.waitFor("the update and the withdrawal", func() bool {
		a, _ := lao.foreign("CHN", both.ID)
		b, _ := lao.foreign("CHN", onlyLAO.ID)
		return a.Instructions == updated.Instructions && b.Status == watchlist.StatusClosed
	})
	for _, c := range []struct {
		at   *country
		id   string
		want bool
	}{{vnm, none.ID, false}, {vnm, onlyLAO.ID, false}, {lao, none.ID, false}, {lao, onlyVNM.ID, false}} {
		if _, ok := c.at.foreign("CHN", c.id); ok != c.want {
			t.Errorf("%s holds CHN's %s: %v, want %v", c.at.code, c.id, ok, c.want)
		}
	}

	// The scoping test, on the wire: every page of each partner's feed,
	// from the start, names only what was shared with that partner.
	for _, c := range []struct {
		partner string
		never   []string
	}{{"VNM", []string{none.ID, onlyLAO.ID}}, {"LAO", []string{none.ID, onlyVNM.ID}}} {
		raw := feedFromStart(t, chn, c.partner)
		for _, id := range c.never {
			if bytes.Contains(raw, []byte(id)) {
				t.Errorf("CHN's feed for %s names %s, never shared with it", c.partner, id)
			}
		}
		if !bytes.Contains(raw, []byte(both.ID)) {
			t.Errorf("CHN's feed for %s misses %s", c.partner, both.ID)
		}
	}

	// An alert shared with a partner is matched at its posts.
	in := inspect(t, vnm.n, watchlist.Party{Direction: watchlist.Entry, At: testNow, Travellers: []watchlist.Member{child}})
	hit := false
	for _, tr := range in.Travellers {
		for _, h := range tr.Hits {
			hit = hit || h.AlertID == "CHN:"+both.ID
		}
	}
	if !hit {
		t.Errorf("CHN's shared alert not hit at VNM's post: %+v", in)
	}
}

// feedFromStart reads every page of the owner's feed for a partner, as
// the partner would, and returns the raw bytes of all of them.
func feedFromStart(t *testing.T, owner *country, partner string) []byte {
	t.Helper()
	_, secret, err := owner.n.CreateToken(owner.tn.ctx(), watchlist.RolePartner, partner, "scoping test", "test")
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	since := uint64(0)
	for {
		code, body := callAs(t, owner.n, secret, http.MethodGet, fmt.Sprintf("/v1/federation/alerts?since=%d", since), nil)
		if code != http.StatusOK {
			t.Fatalf("feed for %s: %d %s", partner, code, body)
		}
		all = append(all, body...)
		var env federation.Envelope
		var m struct {
			Seq  uint64          `json:"seq"`
			Body federation.Feed `json:"body"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(env.Message, &m); err != nil {
			t.Fatal(err)
		}
		if m.Seq >= m.Body.Head || m.Seq == since {
			return all
		}
		since = m.Seq
	}
}

// Messages that are tampered with, replayed, out of order, signed with a
// key the partner did not register, too old, or about an alert never
// shared are refused, audited, and store nothing.
func TestRefusedMessages(t *testing.T) {
	fed := federated(t, "CHN", "VNM")
	chn, vnm := fed["CHN"], fed["VNM"]
	g := testbench.NewGenerator(62, testNow)
	shared, private := chn.alert(g, 1, "VNM"), chn.alert(g, 2)
	chn.put(t, shared, private)
	vnm.waitFor("the shared alert", func() bool { _, ok := vnm.foreign("CHN", shared.ID); return ok })

	id, err := vnm.n.Engine().Identity()
	if err != nil {
		t.Fatal(err)
	}
	vnmKey := ed25519.NewKeyFromSeed(id.Seed)
	_, rogueKey, _ := ed25519.GenerateKey(nil)
	_, token, err := chn.n.CreateToken(chn.tn.ctx(), watchlist.RolePartner, "VNM", "VNM liaison", "test")
	if err != nil {
		t.Fatal(err)
	}
	report := func(seq uint64, alert string) watchlist.Message {
		return watchlist.Message{Seq: seq, Kind: watchlist.KindHit, Hit: &watchlist.HitReport{HitID: fmt.Sprintf("h%d", seq),
			AlertRef: alert, Post: "lao-cai", At: testNow, Action: watchlist.ActionStop, Verdict: watchlist.Stop}}
	}
	seal := func(key ed25519.PrivateKey, h federation.Header, m watchlist.Message) federation.Envelope {
		if h.From == "" {
			h.From = "VNM"
		}
		if h.To == "" {
			h.To = "CHN"
		}
		if h.Kind == "" {
			h.Kind = federation.KindMessage
		}
		if h.SentAt.IsZero() {
			h.SentAt = chn.tn.clock.now()
		}
		h.Seq = m.Seq
		env, err := federation.Seal(key, h, m)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	send := func(env federation.Envelope) (int, string) {
		code, body := callAs(t, chn.n, token, http.MethodPost, "/v1/federation/messages", env)
		return code, string(body)
	}
	if code, body := send(seal(vnmKey, federation.Header{}, report(1, shared.ID))); code != http.StatusAccepted {
		t.Fatalf("a good hit report: %d %s", code, body)
	}
	tampered := seal(vnmKey, federation.Header{}, report(2, shared.ID))
	tampered.Message = bytes.Replace(tampered.Message, []byte("lao-cai"), []byte("lao-caj"), 1)
	cases := []struct {
		name string
		env  federation.Envelope
		code int
		why  string
	}{
		{"replayed", seal(vnmKey, federation.Header{}, report(1, shared.ID)), http.StatusConflict, "replayed"},
		{"a changed byte", tampered, http.StatusUnprocessableEntity, "signature"},
		{"a key VNM did not register", seal(rogueKey, federation.Header{}, report(2, shared.ID)), http.StatusUnprocessableEntity, "signature"},
		{"out of order", seal(vnmKey, federation.Header{}, report(3, shared.ID)), http.StatusUnprocessableEntity, "out of order"},
		{"too old", seal(vnmKey, federation.Header{SentAt: testNow.Add(-time.Hour)}, report(2, shared.ID)), http.StatusUnprocessableEntity, "too old"},
		{"posing as LAO", seal(vnmKey, federation.Header{From: "LAO"}, report(2, shared.ID)), http.StatusUnprocessableEntity, "wrong sender"},
		{"addressed to LAO", seal(vnmKey, federation.Header{To: "LAO"}, report(2, shared.ID)), http.StatusUnprocessableEntity, "wrong sender"},
		{"an alert never shared", seal(vnmKey, federation.Header{}, report(2, private.ID)), http.StatusUnprocessableEntity, "not shared"},
		{"details behind a reference never answered", seal(vnmKey, federation.Header{}, watchlist.Message{Seq: 2, Kind: watchlist.KindDetailRequest,
			Request: &watchlist.DetailRequest{Reference: "VNM-Q424242", Reason: "curious", By: "rogue", At: testNow}}), http.StatusUnprocessableEntity, "no hit was answered"},
	}
	for _, c := range cases {
		code, body := send(c.env)
		if code != c.code || !strings.Contains(body, c.why) {
			t.Errorf("%s: %d %s, want %d naming %q", c.name, code, body, c.code, c.why)
		}
	}
	hits, _, err := chn.n.Engine().Hits(watchlist.HitQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ReportedBy != "VNM" || hits[0].AlertID != shared.ID {
		t.Fatalf("CHN's hits after one good report and %d refused: %+v", len(cases), hits)
	}
	if st, _ := chn.n.Engine().PartnerState("VNM"); st.Received != 1 {
		t.Errorf("CHN received up to %d, want 1", st.Received)
	}
	// Each refusal is in the audit log with its reason.
	chn.waitFor("the refusals in the audit log", func() bool { return chn.n.AuditDepth() == 0 })
	entries, _, err := chn.n.Audit(watchlist.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	refusals := 0
	for _, e := range entries {
		if e.Action == "POST /v1/federation/messages" && strings.Contains(e.Detail, "refused") {
			refusals++
		}
	}
	if refusals != len(cases) {
		t.Errorf("%d refusals audited, want %d", refusals, len(cases))
	}
}

// A partner offline for a while catches up from its cursor when it
// comes back: new alerts, updates and withdrawals made meanwhile.
func TestOfflinePartnerCatchesUp(t *testing.T) {
	fed := federated(t, "CHN", "VNM")
	chn, vnm := fed["CHN"], fed["VNM"]
	g := testbench.NewGenerator(63, testNow)
	first, later := chn.alert(g, 1, "VNM"), chn.alert(g, 2, "VNM")
	chn.put(t, first)
	vnm.waitFor("the first alert", func() bool { _, ok := vnm.foreign("CHN", first.ID); return ok })
	cursor := func() uint64 { s, _ := vnm.n.Engine().PartnerState("CHN"); return s.Cursor }
	before := cursor()
	vnm.tn.stop("vnm-centre")

	chn.put(t, later)
	if err := chn.n.CloseAlert(chn.tn.ctx(), first.ID); err != nil {
		t.Fatal(err)
	}
	many := make([]watchlist.Alert, 0, 1200) // more than one page
	for i := 10; i < 1210; i++ {
		many = append(many, chn.alert(g, i, "VNM"))
	}
	chn.put(t, many...)

	vnm.n = vnm.tn.start("vnm-centre", true, "")
	vnm.waitFor("catching up", func() bool {
		a, _ := vnm.foreign("CHN", first.ID)
		_, b := vnm.foreign("CHN", later.ID)
		_, c := vnm.foreign("CHN", many[len(many)-1].ID)
		return a.Status == watchlist.StatusClosed && b && c
	})
	if after := cursor(); after <= before {
		t.Errorf("cursor %d after catching up, was %d", after, before)
	}
}

// A post of VNM hits CHN's alert while CHN is down: the hit report waits
// in VNM's queue (through a restart of VNM too), reaches CHN's live hit
// feed exactly once, marked VNM; VNM's acknowledgement follows it, and
// CHN's acknowledgement comes back to VNM as the owner's reply.
func TestForeignHitReachesOwnerOnce(t *testing.T) {
	fed := federated(t, "CHN", "VNM")
	chn, vnm := fed["CHN"], fed["VNM"]
	alert, child := chn.child("CHN-MISSING-1", "VNM")
	chn.put(t, alert)
	vnm.waitFor("the shared alert", func() bool { _, ok := vnm.foreign("CHN", alert.ID); return ok })
	chn.tn.stop("chn-centre")

	in := inspect(t, vnm.n, watchlist.Party{Direction: watchlist.Exit, At: testNow, Travellers: []watchlist.Member{child}})
	if in.Verdict != watchlist.Stop {
		t.Fatalf("verdict %s at VNM's post, want stop", in.Verdict)
	}
	vnm.waitFor("the hit report queued", func() bool {
		s, _ := vnm.n.Engine().PartnerState("CHN")
		return s.Queued == 1
	})
	vnm.tn.stop("vnm-centre")
	vnm.n = vnm.tn.start("vnm-centre", true, "")
	chn.n = chn.tn.start("chn-centre", true, "")

	chn.waitFor("the report", func() bool {
		hits, _, _ := chn.n.Engine().Hits(watchlist.HitQuery{AlertID: alert.ID})
		return len(hits) > 0
	})
	vnm.waitFor("the report delivered", func() bool {
		s, _ := vnm.n.Engine().PartnerState("CHN")
		return s.Delivered == 1
	})
	hits, _, err := chn.n.Engine().Hits(watchlist.HitQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ReportedBy != "VNM" || hits[0].AlertID != alert.ID || hits[0].Action != watchlist.ActionStop {
		t.Fatalf("CHN's hits: %+v, want one reported by VNM", hits)
	}
	// The live feed shows it, marked with the reporting country.
	code, body := call(t, chn.n, http.MethodGet, "/v1/hits", nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"reported_by":"VNM"`) {
		t.Errorf("CHN's hit list: %d %s", code, body)
	}

	vnmHits, _, _ := vnm.n.Engine().Hits(watchlist.HitQuery{})
	if len(vnmHits) != 1 {
		t.Fatalf("VNM's hits: %+v", vnmHits)
	}
	ack := map[string]string{"by": "Officer Tran", "outcome": watchlist.OutcomeChildSafe, "notes": "child handed to child protection at Lao Cai"}
	if code, body := call(t, vnm.n, http.MethodPost, "/v1/hits/"+vnmHits[0].ID+"/ack", ack); code != http.StatusNoContent {
		t.Fatalf("ack at VNM: %d %s", code, body)
	}
	chn.waitFor("VNM's follow-up", func() bool {
		h, _ := chn.n.Engine().Hit(hits[0].ID)
		return len(h.FollowUps) == 1 && h.FollowUps[0].Outcome == watchlist.OutcomeChildSafe && h.FollowUps[0].From == "VNM"
	})
	reply := map[string]string{"by": "Analyst Li", "outcome": watchlist.OutcomeConfirmed, "notes": "parents informed; liaison on the way"}
	if code, body := call(t, chn.n, http.MethodPost, "/v1/hits/"+hits[0].ID+"/ack", reply); code != http.StatusNoContent {
		t.Fatalf("ack at CHN: %d %s", code, body)
	}
	vnm.waitFor("CHN's reply", func() bool {
		h, _ := vnm.n.Engine().Hit(vnmHits[0].ID)
		return len(h.FollowUps) == 1 && h.FollowUps[0].From == "CHN" && strings.Contains(h.FollowUps[0].Notes, "liaison")
	})
	hits, _, _ = chn.n.Engine().Hits(watchlist.HitQuery{})
	if len(hits) != 1 {
		t.Errorf("CHN holds %d hits after the follow-ups, want 1", len(hits))
	}
}

// A hit/no-hit query answers only hit or no hit and a reference, only
// about alerts the owner lets the asker query, never a third country's.
func TestHitNoHitQuery(t *testing.T) {
	fed := federated(t, "CHN", "VNM", "LAO")
	chn, vnm, lao := fed["CHN"], fed["VNM"], fed["LAO"]
	queryable, _ := chn.child("CHN-Q-1")
	queryable.QueryBy = []string{"VNM"}
	chn.put(t, queryable)
	// LAO shares an alert with CHN: CHN holds it, but never answers
	// about it.
	laoAlert, _ := lao.child("LAO-1", "CHN")
	laoAlert.Documents = []watchlist.Document{{Type: "P", Country: "LAO", Number: "P7654321"}}
	lao.put(t, laoAlert)
	chn.waitFor("LAO's alert", func() bool { _, ok := chn.foreign("LAO", laoAlert.ID); return ok })

	ask := func(from *country, q federation.Query) (int, map[string]any, string) {
		code, body := call(t, from.n, http.MethodPost, "/v1/federation/partners/CHN/query", q)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		return code, m, string(body)
	}
	doc := federation.Query{Document: &watchlist.Document{Type: "P", Country: "CHN", Number: "E12345678"}}
	code, ans, body := ask(vnm, doc)
	if code != http.StatusOK || ans["result"] != federation.Hit || ans["reference"] == "" || len(ans) != 2 {
		t.Fatalf("VNM asks about the document: %d %s", code, body)
	}
	for _, leak := range []string{"张小明", "CHN-Q-1", "missing_child", "E12345678", "police"} {
		if strings.Contains(body, leak) {
			t.Errorf("the answer leaks %q: %s", leak, body)
		}
	}
	if code, ans, body := ask(vnm, federation.Query{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09"}); code != http.StatusOK || ans["result"] != federation.Hit {
		t.Errorf("VNM asks about the person: %d %s", code, body)
	}
	if code, ans, body := ask(vnm, federation.Query{Document: &watchlist.Document{Type: "P", Country: "CHN", Number: "E99999999"}}); code != http.StatusOK || ans["result"] != federation.NoHit {
		t.Errorf("an unknown document: %d %s", code, body)
	}
	if code, ans, body := ask(vnm, federation.Query{Document: &watchlist.Document{Type: "P", Country: "LAO", Number: "P7654321"}}); code != http.StatusOK || ans["result"] != federation.NoHit {
		t.Errorf("LAO's alert held by CHN: %d %s, want no_hit", code, body)
	}
	if code, ans, body := ask(lao, doc); code != http.StatusOK || ans["result"] != federation.NoHit {
		t.Errorf("LAO, not allowed to query: %d %s, want no_hit", code, body)
	}
	if code, _, body := ask(vnm, federation.Query{}); code != http.StatusBadRequest || !strings.Contains(body, "surname") {
		t.Errorf("an empty query: %d %s", code, body)
	}
	// The owner sees what was asked and what answered it.
	code, raw := call(t, chn.n, http.MethodGet, "/v1/federation/queries", nil)
	if code != http.StatusOK || !strings.Contains(string(raw), `"alert_ids":["CHN-Q-1"]`) || strings.Count(string(raw), `"from":"VNM"`) != 4 {
		t.Errorf("CHN's queries: %d %s", code, raw)
	}
}

// Details after a hit answer: the asker requests them under the
// answer's reference; a human at the owner refuses, then (asked again)
// approves; approval shares the alerts that answered, which reach the
// asker through its feed. Nothing of the alert leaves the owner before.
func TestDetailRequests(t *testing.T) {
	fed := federated(t, "CHN", "VNM")
	chn, vnm := fed["CHN"], fed["VNM"]
	queryable, _ := chn.child("CHN-D-1")
	queryable.QueryBy = []string{"VNM"}
	chn.put(t, queryable)

	code, raw := call(t, vnm.n, http.MethodPost, "/v1/federation/partners/CHN/query",
		federation.Query{Document: &watchlist.Document{Type: "P", Country: "CHN", Number: "E12345678"}})
	var ans federation.Answer
	if err := json.Unmarshal(raw, &ans); code != http.StatusOK || err != nil || ans.Result != federation.Hit {
		t.Fatalf("VNM's query: %d %s", code, raw)
	}
	ref := ans.Reference
	// VNM keeps its query's answer.
	code, raw = call(t, vnm.n, http.MethodGet, "/v1/federation/queries", nil)
	if code != http.StatusOK || !strings.Contains(string(raw), `"to":"CHN"`) || !strings.Contains(string(raw), `"reference":"`+ref+`"`) {
		t.Errorf("VNM's sent queries: %d %s", code, raw)
	}

	request := func(reference, reason string) (int, string) {
		code, body := call(t, vnm.n, http.MethodPost, "/v1/federation/partners/CHN/details", map[string]string{"reference": reference, "reason": reason})
		return code, string(body)
	}
	if code, body := request("VNM-Q999999", "a child at Lao Cai"); code != http.StatusNotFound {
		t.Errorf("a reference CHN never answered: %d %s, want 404", code, body)
	}
	if code, body := request(ref, " "); code != http.StatusBadRequest || !strings.Contains(body, `"reason"`) {
		t.Errorf("no reason: %d %s, want 400 naming reason", code, body)
	}
	if code, body := request(ref, "The boy is at Lao Cai with an unrelated man."); code != http.StatusAccepted || !strings.Contains(body, `"status":"pending"`) {
		t.Fatalf("VNM requests details: %d %s", code, body)
	}
	if code, body := request(ref, "again"); code != http.StatusConflict {
		t.Errorf("a second request while one is pending: %d %s, want 409", code, body)
	}

	caseAt := func(c *country, partner string) watchlist.DetailCase {
		dc, _ := c.n.Engine().DetailCase(partner, ref)
		return dc
	}
	chn.waitFor("VNM's request", func() bool { return caseAt(chn, "VNM").Status == watchlist.DetailPending })
	if dc := caseAt(chn, "VNM"); !slices.Equal(dc.AlertIDs, []string{"CHN-D-1"}) || dc.Reason != "The boy is at Lao Cai with an unrelated man." {
		t.Errorf("CHN's case: %+v", dc)
	}
	if dc := caseAt(vnm, "CHN"); len(dc.AlertIDs) != 0 {
		t.Errorf("VNM knows the owner's alert before approval: %+v", dc)
	}
	decide := func(body map[string]any) (int, string) {
		code, raw := call(t, chn.n, http.MethodPost, "/v1/federation/details/VNM/"+ref, body)
		return code, string(raw)
	}
	if code, body := decide(map[string]any{"approve": false}); code != http.StatusBadRequest || !strings.Contains(body, `"reason"`) {
		t.Errorf("a refusal without a reason: %d %s, want 400 naming reason", code, body)
	}
	if code, body := decide(map[string]any{"reason": "x"}); code != http.StatusBadRequest || !strings.Contains(body, `"approve"`) {
		t.Errorf("no decision: %d %s, want 400 naming approve", code, body)
	}
	if code, body := decide(map[string]any{"approve": false, "reason": "Send it through the liaison office."}); code != http.StatusOK || !strings.Contains(body, `"status":"refused"`) {
		t.Fatalf("CHN refuses: %d %s", code, body)
	}
	vnm.waitFor("the refusal", func() bool { return caseAt(vnm, "CHN").Status == watchlist.DetailRefused })
	if dc := caseAt(vnm, "CHN"); dc.Decision != "Send it through the liaison office." || len(dc.AlertIDs) != 0 {
		t.Errorf("VNM's refused case: %+v", dc)
	}
	if _, ok := vnm.foreign("CHN", "CHN-D-1"); ok {
		t.Fatal("a refusal shared the alert")
	}

	// Asked again with a better reason, CHN approves.
	if code, body := request(ref, "The liaison office asks: the man has no consent letter."); code != http.StatusAccepted {
		t.Fatalf("VNM asks again: %d %s", code, body)
	}
	chn.waitFor("the second request", func() bool { return caseAt(chn, "VNM").Status == watchlist.DetailPending })
	if code, body := decide(map[string]any{"approve": true}); code != http.StatusOK || !strings.Contains(body, `"status":"approved"`) {
		t.Fatalf("CHN approves: %d %s", code, body)
	}
	if code, body := decide(map[string]any{"approve": true}); code != http.StatusConflict {
		t.Errorf("deciding twice: %d %s, want 409", code, body)
	}
	if a, err := chn.n.Engine().Get("CHN-D-1"); err != nil || !slices.Contains(a.Share, "VNM") {
		t.Errorf("CHN's alert after approval: %+v %v", a.Share, err)
	}
	vnm.waitFor("the approved alert", func() bool { _, ok := vnm.foreign("CHN", "CHN-D-1"); return ok })
	vnm.waitFor("the approval", func() bool { return caseAt(vnm, "CHN").Status == watchlist.DetailApproved })
	if dc := caseAt(vnm, "CHN"); !slices.Equal(dc.AlertIDs, []string{"CHN:CHN-D-1"}) {
		t.Errorf("VNM's approved case: %+v", dc)
	}
	// Both sides list the case.
	for _, c := range []*country{chn, vnm} {
		code, raw := call(t, c.n, http.MethodGet, "/v1/federation/details", nil)
		if code != http.StatusOK || !strings.Contains(string(raw), `"status":"approved"`) {
			t.Errorf("%s's detail requests: %d %s", c.code, code, raw)
		}
	}
}

// Partner traffic over mutual TLS: the clusters exchange over HTTPS with
// client certificates of the partners' CA, and a partner endpoint
// refuses a caller without one even with a valid partner token.
func TestPartnersOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, err := cluster.NewCA("partners CA")
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.WriteCerts(dir, ca, []string{"chn-centre", "vnm-centre"}, []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	start := func(code string) *country {
		tn := newTestNodes(t)
		id := strings.ToLower(code) + "-centre"
		tn.configure = func(c *Config) {
			c.Country, c.FederationInterval = code, 50*time.Millisecond
			c.HTTPSCert, c.HTTPSKey = filepath.Join(dir, id+".crt"), filepath.Join(dir, id+".key")
			c.PartnerTLSCA, c.PartnerTLSCert, c.PartnerTLSKey = filepath.Join(dir, "ca.crt"), c.HTTPSCert, c.HTTPSKey
		}
		n := tn.start(id, true, "")
		tn.waitFor(code+" identity", func() bool { id, err := n.Engine().Identity(); return err == nil && id.Country == code })
		return &country{code: code, tn: tn, n: n}
	}
	chn, vnm := start("CHN"), start("VNM")
	for _, x := range [][2]*country{{chn, vnm}, {vnm, chn}} {
		at, other := x[0], x[1]
		_, secret, err := other.n.CreateToken(other.tn.ctx(), watchlist.RolePartner, at.code, "liaison", "test")
		if err != nil {
			t.Fatal(err)
		}
		_, key, _ := other.n.FederationIdentity()
		if err := at.n.PutPartner(at.tn.ctx(), watchlist.Partner{Country: other.code, URL: "https://" + other.n.HTTPAddr(), PublicKey: key, Token: secret}); err != nil {
			t.Fatal(err)
		}
	}
	alert, _ := chn.child("CHN-TLS-1", "VNM")
	chn.put(t, alert)
	vnm.waitFor("the alert over mutual TLS", func() bool { _, ok := vnm.foreign("CHN", alert.ID); return ok })

	// Without a client certificate: refused, though the token is good.
	_, secret, err := chn.n.CreateToken(chn.tn.ctx(), watchlist.RolePartner, "VNM", "liaison", "test")
	if err != nil {
		t.Fatal(err)
	}
	client := trustingCA(t, dir)
	req, _ := http.NewRequest(http.MethodGet, "https://"+chn.n.HTTPAddr()+"/v1/federation/alerts", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a partner call without a client certificate: %d, want 403", resp.StatusCode)
	}
}
