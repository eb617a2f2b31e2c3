package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/cluster/federation"
	"github.com/crossguard/crossguard/watchlist"
)

// federator runs this cluster's side of cross-border sharing on the
// leader: it pulls each partner's feed and delivers the queued messages
// (hit reports, follow-ups, flags), each partner with its own back-off.
// Every node answers partners' requests (feed, messages, queries).
type federator struct {
	n      *Node
	client federation.Client

	mu    sync.Mutex
	links map[string]*link
}

// link is the leader's view of one partner right now (not replicated:
// a new leader starts afresh).
type link struct {
	LastAttempt time.Time
	LastOK      time.Time
	LastError   string
	ErrorAt     time.Time
	Failures    int
	next        time.Time
}

func newFederator(n *Node) (*federator, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	if n.cfg.PartnerTLSCert != "" || n.cfg.PartnerTLSCA != "" {
		tcfg, err := partnerTLS(n.cfg)
		if err != nil {
			return nil, err
		}
		hc.Transport = &http.Transport{TLSClientConfig: tcfg, Proxy: http.ProxyFromEnvironment}
	}
	return &federator{n: n, client: federation.Client{HTTP: hc}, links: map[string]*link{}}, nil
}

// run works every interval while this node leads.
func (f *federator) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if f.n.cluster.IsLeader() {
			if err := f.n.ensureIdentity(ctx); err != nil && ctx.Err() == nil {
				f.n.log.Warn("federation identity not set yet", "err", err)
			}
			f.round(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round exchanges with every partner whose back-off has passed.
func (f *federator) round(ctx context.Context) {
	id, err := f.n.engine.Identity()
	if err != nil || id.Country == "" {
		return
	}
	partners, err := f.n.engine.Partners()
	if err != nil {
		return
	}
	now := time.Now()
	var wg sync.WaitGroup
	for _, p := range partners {
		l := f.link(p.Country)
		f.mu.Lock()
		due := !now.Before(l.next)
		f.mu.Unlock()
		if !due || p.Token == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.exchange(ctx, id, p)
			f.mu.Lock()
			defer f.mu.Unlock()
			l.LastAttempt = now
			if err == nil {
				l.LastOK, l.Failures, l.next = time.Now(), 0, time.Time{}
				return
			}
			l.Failures++
			l.LastError, l.ErrorAt = err.Error(), time.Now()
			// Back off: 1 s, 2 s, 4 s … up to 5 minutes.
			l.next = time.Now().Add(min(time.Second<<min(l.Failures-1, 9), 5*time.Minute))
			f.n.log.Warn("exchange with a partner failed", "partner", p.Country, "failures", l.Failures, "err", err)
		}()
	}
	wg.Wait()
}

func (f *federator) link(country string) *link {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.links[country]
	if l == nil {
		l = &link{}
		f.links[country] = l
	}
	return l
}

// exchange pulls the partner's feed to its end, then delivers the
// messages queued for it, in order.
func (f *federator) exchange(ctx context.Context, id watchlist.Identity, p watchlist.Partner) error {
	if err := f.pull(ctx, id, p); err != nil {
		return err
	}
	return f.deliver(ctx, id, p)
}

func (f *federator) pull(ctx context.Context, id watchlist.Identity, p watchlist.Partner) error {
	for pages := 0; pages < 1000; pages++ {
		state, err := f.n.engine.PartnerState(p.Country)
		if err != nil {
			return err
		}
		env, err := f.client.Feed(ctx, p, state.Cursor)
		if err != nil {
			return err
		}
		var feed federation.Feed
		h, err := f.n.rules(id).Open(env, p.Country, p.PublicKey, federation.KindFeed, &feed)
		if err == nil {
			err = feed.CheckOwner(p.Country)
		}
		if err == nil && h.Prev != state.Cursor {
			err = fmt.Errorf("%w: the page continues from %d, the cursor is %d: %w", federation.ErrRefused, h.Prev, state.Cursor, watchlist.ErrOutOfOrder)
		}
		if err != nil {
			f.n.auditFederation(p.Country, "federation.pull", http.StatusUnprocessableEntity, "feed page refused: "+err.Error())
			return err
		}
		if h.Seq == h.Prev && len(feed.Entries) == 0 {
			return nil // nothing new
		}
		idx, err := f.n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandImportShared, Body: cluster.ImportShared{
			From: p.Country, Prev: h.Prev, Next: h.Seq, Head: feed.Head, Changes: feed.Entries, At: f.n.now().UTC()}})
		if err != nil {
			return err
		}
		if err := f.n.cluster.WaitForApplied(ctx, idx); err != nil {
			return err
		}
		f.n.auditFederation(p.Country, "federation.pull", http.StatusOK, fmt.Sprintf("feed %d..%d: %d changes imported", h.Prev, h.Seq, len(feed.Entries)))
		if h.Seq >= feed.Head {
			return nil
		}
	}
	return nil
}

func (f *federator) deliver(ctx context.Context, id watchlist.Identity, p watchlist.Partner) error {
	key := ed25519.NewKeyFromSeed(id.Seed)
	for {
		msgs, err := f.n.engine.Queued(p.Country, 64)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			env, err := federation.Seal(key, federation.Header{From: id.Country, To: p.Country, Kind: federation.KindMessage,
				Seq: m.Seq, SentAt: f.n.now()}, m)
			if err != nil {
				return err
			}
			if err := f.client.Send(ctx, p, env); err != nil && !errors.Is(err, watchlist.ErrReplayed) {
				return err
			}
			if _, err := f.n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandMarkDelivered,
				Body: cluster.MarkDelivered{To: p.Country, Through: m.Seq}}); err != nil {
				return err
			}
		}
	}
}

// rules are how this cluster checks partners' messages.
func (n *Node) rules(id watchlist.Identity) federation.Rules {
	return federation.Rules{Self: id.Country, MaxAge: n.cfg.FederationMaxAge, Now: n.now}
}

// auditFederation records what the federation did or refused outside a
// request (a pulled page).
func (n *Node) auditFederation(partner, action string, status int, detail string) {
	e := watchlist.AuditEntry{Role: watchlist.RolePartner, Post: partner, Action: action, Status: status, Detail: detail}
	if err := n.RecordAudit(e); err != nil {
		n.log.Error("federation audit entry not recorded", "err", err)
	}
}

// ensureIdentity creates the cluster's signing key (once, on the
// leader) and sets its country from the configuration when unset.
func (n *Node) ensureIdentity(ctx context.Context) error {
	id, err := n.engine.Identity()
	switch {
	case errors.Is(err, watchlist.ErrNotFound):
		id.Seed = make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(id.Seed); err != nil {
			return err
		}
		id.Country = n.cfg.Country
	case err != nil:
		return err
	case id.Country == "" && n.cfg.Country != "":
		id.Country = n.cfg.Country
	default:
		if n.cfg.Country != "" && id.Country != n.cfg.Country {
			return fmt.Errorf("the cluster's country is %s; this node is configured for %s", id.Country, n.cfg.Country)
		}
		return nil
	}
	idx, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandSetIdentity, Body: cluster.SetIdentity{Identity: id}})
	if err != nil {
		return err
	}
	return n.cluster.WaitForApplied(ctx, idx)
}

// identity is the cluster's identity, which federation needs with its
// country set.
func (n *Node) identity() (watchlist.Identity, error) {
	id, err := n.engine.Identity()
	if err == nil && id.Country == "" {
		err = fmt.Errorf("%w: this cluster has no country: start its nodes with --country", cluster.ErrRefused)
	}
	if errors.Is(err, watchlist.ErrNotFound) {
		err = fmt.Errorf("%w: this cluster has no federation key yet", cluster.ErrRefused)
	}
	return id, err
}

// FederationIdentity is the cluster's country and public key.
func (n *Node) FederationIdentity() (string, ed25519.PublicKey, error) {
	id, err := n.engine.Identity()
	if err != nil {
		return "", nil, err
	}
	return id.Country, ed25519.NewKeyFromSeed(id.Seed).Public().(ed25519.PublicKey), nil
}

// Partners lists the partners with what this cluster knows of each
// exchange (never the token).
func (n *Node) Partners() ([]api.PartnerView, error) {
	ps, err := n.engine.Partners()
	if err != nil {
		return nil, err
	}
	out := make([]api.PartnerView, 0, len(ps))
	for _, p := range ps {
		st, err := n.engine.PartnerState(p.Country)
		if err != nil {
			return nil, err
		}
		v := api.PartnerView{Country: p.Country, URL: p.URL, PublicKey: federation.EncodeKey(p.PublicKey), HasToken: p.Token != "",
			UpdatedAt: p.UpdatedAt, State: st}
		if n.cluster.IsLeader() {
			n.federator.mu.Lock()
			if l := n.federator.links[p.Country]; l != nil {
				v.Link = &api.PartnerLink{LastAttempt: l.LastAttempt, LastOK: l.LastOK, LastError: l.LastError, ErrorAt: l.ErrorAt, Failures: l.Failures}
			}
			n.federator.mu.Unlock()
		}
		out = append(out, v)
	}
	return out, nil
}

// PutPartner registers a partner (or replaces its record); an empty
// token keeps the one registered.
func (n *Node) PutPartner(ctx context.Context, p watchlist.Partner) error {
	if id, err := n.engine.Identity(); err == nil && id.Country == p.Country {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "country", Reason: "this cluster's own country"}}}
	}
	if p.Token == "" {
		if old, err := n.engine.Partner(p.Country); err == nil {
			p.Token = old.Token
		}
	}
	p.UpdatedAt = n.now().UTC()
	if err := p.Validate(); err != nil {
		return err
	}
	return n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandPutPartner, Body: cluster.PutPartner{Partner: p}})
}

// RemovePartner forgets a partner.
func (n *Node) RemovePartner(ctx context.Context, country string) error {
	if _, err := n.engine.Partner(country); err != nil {
		return err
	}
	return n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandRemovePartner, Body: cluster.RemovePartner{Country: country, At: n.now().UTC()}})
}

func (n *Node) applyAndWait(ctx context.Context, cmd cluster.Command) error {
	idx, err := n.cluster.Apply(ctx, cmd)
	if err != nil {
		return err
	}
	return n.cluster.WaitForApplied(ctx, idx)
}

// partnerKey is the registered key of the partner a token speaks for.
func (n *Node) partnerKey(partner string) (watchlist.Partner, error) {
	p, err := n.engine.Partner(partner)
	if errors.Is(err, watchlist.ErrNotFound) {
		return p, fmt.Errorf("%w: %s is not a registered partner", federation.ErrRefused, partner)
	}
	return p, err
}

// Feed serves a page of this cluster's feed to a partner, signed.
func (n *Node) Feed(ctx context.Context, partner string, since uint64) (federation.Envelope, error) {
	id, err := n.identity()
	if err != nil {
		return federation.Envelope{}, err
	}
	if _, err := n.partnerKey(partner); err != nil {
		return federation.Envelope{}, err
	}
	if err := n.cluster.Barrier(ctx, cluster.Local); err != nil {
		return federation.Envelope{}, err
	}
	changes, next, head, err := n.engine.SharedChanges(partner, since, 500)
	if err != nil {
		return federation.Envelope{}, err
	}
	return federation.Seal(ed25519.NewKeyFromSeed(id.Seed), federation.Header{From: id.Country, To: partner, Kind: federation.KindFeed,
		Seq: next, Prev: since, SentAt: n.now()}, federation.Feed{Entries: changes, Head: head})
}

// Receive verifies and applies a message a partner sent: it answers the
// message's sequence number.
func (n *Node) Receive(ctx context.Context, partner string, env federation.Envelope) (uint64, error) {
	id, err := n.identity()
	if err != nil {
		return 0, err
	}
	p, err := n.partnerKey(partner)
	if err != nil {
		return 0, err
	}
	var m watchlist.Message
	h, err := n.rules(id).Open(env, partner, p.PublicKey, federation.KindMessage, &m)
	if err != nil {
		return 0, err
	}
	if h.Seq != m.Seq {
		return 0, fmt.Errorf("%w: the header says message %d, the body %d", federation.ErrMalformed, h.Seq, m.Seq)
	}
	if err := m.Validate(); err != nil {
		return 0, err
	}
	return m.Seq, n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandReceiveMessage,
		Body: cluster.ReceiveMessage{From: partner, Message: m, At: n.now().UTC()}})
}

// AnswerQuery answers a partner's hit/no-hit query, signed: hit or no
// hit and a reference, nothing else.
func (n *Node) AnswerQuery(ctx context.Context, partner string, env federation.Envelope) (federation.Envelope, federation.Answer, error) {
	id, err := n.identity()
	if err != nil {
		return federation.Envelope{}, federation.Answer{}, err
	}
	p, err := n.partnerKey(partner)
	if err != nil {
		return federation.Envelope{}, federation.Answer{}, err
	}
	var q federation.Query
	h, err := n.rules(id).Open(env, partner, p.PublicKey, federation.KindQuery, &q)
	if err != nil {
		return federation.Envelope{}, federation.Answer{}, err
	}
	if err := q.Validate(); err != nil {
		return federation.Envelope{}, federation.Answer{}, err
	}
	now := n.now().UTC()
	ids, err := n.engine.MatchForPartner(partner, watchlist.Traveller{Surname: q.Surname, Given: q.Given, BirthDate: q.BirthDate, Document: q.Document}, now)
	if err != nil {
		return federation.Envelope{}, federation.Answer{}, err
	}
	rec := watchlist.QueryRecord{From: partner, Seq: h.Seq, At: now, Result: federation.NoHit, AlertIDs: ids}
	ans := federation.Answer{Result: federation.NoHit}
	if len(ids) > 0 {
		rec.Result, ans.Result, ans.Reference = federation.Hit, federation.Hit, watchlist.QueryReference(partner, h.Seq)
	}
	if err := n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandAcceptQuery, Body: cluster.AcceptQuery{Query: rec}}); err != nil {
		return federation.Envelope{}, federation.Answer{}, err
	}
	out, err := federation.Seal(ed25519.NewKeyFromSeed(id.Seed), federation.Header{From: id.Country, To: partner, Kind: federation.KindAnswer,
		Seq: h.Seq, SentAt: n.now()}, ans)
	return out, ans, err
}

// QueryPartner asks a partner a hit/no-hit query for a local analyst and
// verifies the signed answer.
func (n *Node) QueryPartner(ctx context.Context, partner string, q federation.Query, by string) (federation.Answer, error) {
	if err := q.Validate(); err != nil {
		return federation.Answer{}, err
	}
	id, err := n.identity()
	if err != nil {
		return federation.Answer{}, err
	}
	p, err := n.engine.Partner(partner)
	if err != nil {
		return federation.Answer{}, err
	}
	// The query's sequence number is the raft index of its record:
	// unique and rising, whichever voter leads.
	seq, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandAcceptQuery, Body: cluster.AcceptQuery{
		Query: watchlist.QueryRecord{To: partner, At: n.now().UTC(), By: by}}})
	if err != nil {
		return federation.Answer{}, err
	}
	env, err := federation.Seal(ed25519.NewKeyFromSeed(id.Seed), federation.Header{From: id.Country, To: partner, Kind: federation.KindQuery,
		Seq: seq, SentAt: n.now()}, q)
	if err != nil {
		return federation.Answer{}, err
	}
	back, err := n.federator.client.Query(ctx, p, env)
	if err != nil {
		return federation.Answer{}, err
	}
	var ans federation.Answer
	h, err := n.rules(id).Open(back, partner, p.PublicKey, federation.KindAnswer, &ans)
	if err == nil && h.Seq != seq {
		err = fmt.Errorf("%w: the answer is to query %d, this was %d", federation.ErrAddress, h.Seq, seq)
	}
	if err == nil && !slices.Contains([]string{federation.Hit, federation.NoHit}, ans.Result) {
		err = fmt.Errorf("%w: result %q", federation.ErrMalformed, ans.Result)
	}
	if err != nil {
		return federation.Answer{}, err
	}
	// The answer is kept with the query: a hit's reference is what a
	// detail request names.
	return ans, n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandRecordAnswer, Body: cluster.RecordAnswer{
		To: partner, Seq: seq, Result: ans.Result, Reference: ans.Reference}})
}

// RequestDetails asks a partner for the details behind the reference of
// a hit it answered: a human there approves or refuses; the request and
// the decision travel through the message queues.
func (n *Node) RequestDetails(ctx context.Context, partner string, r watchlist.DetailRequest) (watchlist.DetailCase, error) {
	if _, err := n.engine.Partner(partner); err != nil {
		return watchlist.DetailCase{}, err
	}
	r.At = n.now().UTC()
	if err := n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandRequestDetails, Body: cluster.RequestDetails{To: partner, Request: r}}); err != nil {
		return watchlist.DetailCase{}, err
	}
	return n.engine.DetailCase(partner, r.Reference)
}

// DecideDetails approves or refuses a partner's pending detail request.
func (n *Node) DecideDetails(ctx context.Context, partner, reference string, approve bool, by, reason string) (watchlist.DetailCase, error) {
	c, err := n.engine.DetailCase(partner, reference)
	if err != nil {
		return c, err
	}
	if c.From != partner || c.Status != watchlist.DetailPending {
		return c, fmt.Errorf("%w: the request %s from %s is not pending (%s)", watchlist.ErrDecided, reference, partner, c.Status)
	}
	if err := n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandDecideDetails, Body: cluster.DecideDetails{
		From: partner, Reference: reference, Approve: approve, By: by, Reason: reason, At: n.now().UTC()}}); err != nil {
		return c, err
	}
	return n.engine.DetailCase(partner, reference)
}

// DetailCases lists the detail requests received and sent.
func (n *Node) DetailCases() ([]watchlist.DetailCase, error) { return n.engine.DetailCases() }

// SentQueries lists the hit/no-hit queries this cluster sent, with
// their answers.
func (n *Node) SentQueries() ([]watchlist.QueryRecord, error) { return n.engine.SentQueries() }

// Flags lists the partners' "not actionable here" flags on an own
// alert, by country.
func (n *Node) Flags(alertID string) (map[string]watchlist.FlagReport, error) {
	if _, err := n.engine.Get(alertID); err != nil {
		return nil, err
	}
	return n.engine.Flags(alertID)
}

// FlagAlert flags a foreign alert as not actionable here; the owner is
// told.
func (n *Node) FlagAlert(ctx context.Context, id string, f watchlist.Flag) error {
	a, err := n.Alert(ctx, id, cluster.Leader)
	if err != nil {
		return err
	}
	if a.Origin == nil {
		return fmt.Errorf("%w: alert %s is this cluster's own: change or close it instead", cluster.ErrRefused, id)
	}
	f.At = n.now().UTC()
	if err := f.Validate(); err != nil {
		return err
	}
	return n.applyAndWait(ctx, cluster.Command{Type: cluster.CommandFlagAlert, Body: cluster.FlagAlert{ID: id, Flag: f}})
}

// Queries lists the partners' hit/no-hit queries answered here.
func (n *Node) Queries() ([]watchlist.QueryRecord, error) { return n.engine.Queries() }
