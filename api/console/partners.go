package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/cluster/federation"
	"github.com/crossguard/crossguard/watchlist"
)

type partnersView struct {
	Country   string
	PublicKey string
	Partners  []partnerRow
	Queries   []watchlist.QueryRecord
	// Analyst is true for an analyst: the queries and detail requests
	// are shown, with their forms.
	Analyst bool
	// Sent are the queries this cluster sent, newest first, with the
	// detail request made under each hit's reference.
	Sent []sentQuery
	// Received are the partners' detail requests, pending first.
	Received []watchlist.DetailCase
	// Answer is the answer to the query just asked.
	Answer  *federation.Answer
	AskedTo string
}

type sentQuery struct {
	watchlist.QueryRecord
	Details *watchlist.DetailCase
}

type partnerRow struct {
	api.PartnerView
	Lag   string
	Error string
}

// partnersPage shows this cluster's identity and each partner's state:
// last sync, lag, reports queued and delivered, the leader's last error;
// and the partners' hit/no-hit queries answered here.
func (c *console) partnersPage(ctx *fiber.Ctx) error {
	f := c.API.Federation
	var v partnersView
	if country, key, err := f.FederationIdentity(); err == nil {
		v.Country, v.PublicKey = country, federation.EncodeKey(key)
	}
	ps, err := f.Partners()
	if err != nil {
		return c.fail(ctx, err)
	}
	now := c.API.Now
	if now == nil {
		now = time.Now
	}
	for _, p := range ps {
		row := partnerRow{PartnerView: p, Lag: "—"}
		if d := p.Lag(now()); d >= 0 {
			row.Lag = d.Round(time.Second).String()
		}
		if p.Link != nil && p.Link.Failures > 0 {
			row.Error = p.Link.LastError
		}
		v.Partners = append(v.Partners, row)
	}
	if v.Analyst = api.Principal(ctx).Role == watchlist.RoleAnalyst; v.Analyst {
		if err := c.analystPartnerView(&v); err != nil {
			return c.fail(ctx, err)
		}
		if r := ctx.Query("result"); r == federation.Hit || r == federation.NoHit {
			v.Answer, v.AskedTo = &federation.Answer{Result: r, Reference: ctx.Query("reference")}, ctx.Query("to")
		}
	}
	p := c.newPage(ctx, "Partners", v)
	if ctx.Query("saved") != "" {
		p.Flash = p.T("Saved.")
	}
	return c.render(ctx, http.StatusOK, "partners", p)
}

// analystPartnerView adds the queries and detail requests.
func (c *console) analystPartnerView(v *partnersView) error {
	f := c.API.Federation
	var err error
	if v.Queries, err = f.Queries(); err != nil {
		return err
	}
	sent, err := f.SentQueries()
	if err != nil {
		return err
	}
	cases, err := f.DetailCases()
	if err != nil {
		return err
	}
	byRef := map[string]*watchlist.DetailCase{}
	for i := range cases {
		dc := &cases[i]
		if dc.To != "" {
			byRef[dc.To+" "+dc.Reference] = dc
		} else {
			v.Received = append(v.Received, *dc)
		}
	}
	slices.SortStableFunc(v.Received, func(a, b watchlist.DetailCase) int {
		return cmp.Compare(boolRank(a.Status != watchlist.DetailPending), boolRank(b.Status != watchlist.DetailPending))
	})
	for i := len(sent) - 1; i >= 0; i-- {
		q := sent[i]
		v.Sent = append(v.Sent, sentQuery{QueryRecord: q, Details: byRef[q.To+" "+q.Reference]})
	}
	return nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// queryPartner asks a partner a hit/no-hit query from the Partners
// page: a document, or a name with a birth date.
func (c *console) queryPartner(ctx *fiber.Ctx) error {
	if err := c.API.Queries.Check(ctx); err != nil {
		return c.fail(ctx, err)
	}
	to := strings.ToUpper(strings.TrimSpace(ctx.FormValue("partner")))
	var q federation.Query
	if n := strings.TrimSpace(ctx.FormValue("doc_number")); n != "" {
		q.Document = &watchlist.Document{Type: strings.ToUpper(strings.TrimSpace(ctx.FormValue("doc_type"))),
			Country: strings.ToUpper(strings.TrimSpace(ctx.FormValue("doc_country"))), Number: n}
	} else {
		q.Surname, q.Given, q.BirthDate = strings.TrimSpace(ctx.FormValue("surname")), strings.TrimSpace(ctx.FormValue("given")), strings.TrimSpace(ctx.FormValue("birth_date"))
	}
	ans, err := c.API.Federation.QueryPartner(ctx.UserContext(), to, q, api.Principal(ctx).ID)
	if err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "query to %s: %s %s", to, ans.Result, ans.Reference)
	return ctx.Redirect(prefix+"/partners?"+url.Values{"to": {to}, "result": {ans.Result}, "reference": {ans.Reference}}.Encode()+"#ask", http.StatusSeeOther)
}

// requestDetails asks the owner for the details behind a hit answer.
func (c *console) requestDetails(ctx *fiber.Ctx) error {
	to, ref := strings.ToUpper(ctx.Params("country")), ctx.FormValue("reference")
	r := watchlist.DetailRequest{Reference: ref, Reason: strings.TrimSpace(ctx.FormValue("reason")), By: api.PrincipalName(ctx)}
	if _, err := c.API.Federation.RequestDetails(ctx.UserContext(), to, r); err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "details behind %s requested from %s", ref, to)
	return ctx.Redirect(prefix+"/partners?saved=1#sent", http.StatusSeeOther)
}

// decideDetails approves or refuses a partner's detail request.
func (c *console) decideDetails(ctx *fiber.Ctx) error {
	from, ref := strings.ToUpper(ctx.Params("country")), ctx.Params("reference")
	decision := ctx.FormValue("decision")
	if decision != "approve" && decision != "refuse" {
		return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "decision", Reason: "must be approve or refuse"}}})
	}
	approve := decision == "approve"
	dc, err := c.API.Federation.DecideDetails(ctx.UserContext(), from, ref, approve, api.PrincipalName(ctx), strings.TrimSpace(ctx.FormValue("reason")))
	if err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "detail request %s from %s %s; alerts %v", ref, from, dc.Status, dc.AlertIDs)
	return ctx.Redirect(prefix+"/partners?saved=1#requests", http.StatusSeeOther)
}

// flagAlert flags a partner's alert as not actionable here.
func (c *console) flagAlert(ctx *fiber.Ctx) error {
	id := ctx.Params("id")
	if err := c.API.Federation.FlagAlert(ctx.UserContext(), id, watchlist.Flag{By: api.PrincipalName(ctx), Reason: strings.TrimSpace(ctx.FormValue("reason"))}); err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "alert %s flagged not actionable here", id)
	return ctx.Redirect(prefix+"/alerts/"+id+"?saved=1", http.StatusSeeOther)
}
