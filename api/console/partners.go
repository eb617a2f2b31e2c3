package console

import (
	"net/http"
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
	if api.Principal(ctx).Role == watchlist.RoleAnalyst {
		if v.Queries, err = f.Queries(); err != nil {
			return c.fail(ctx, err)
		}
	}
	return c.render(ctx, http.StatusOK, "partners", c.newPage(ctx, "Partners", v))
}

// flagAlert flags a partner's alert as not actionable here.
func (c *console) flagAlert(ctx *fiber.Ctx) error {
	p := api.Principal(ctx)
	by := p.Name
	if by == "" {
		by = p.ID
	}
	id := ctx.Params("id")
	if err := c.API.Federation.FlagAlert(ctx.UserContext(), id, watchlist.Flag{By: by, Reason: strings.TrimSpace(ctx.FormValue("reason"))}); err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "alert %s flagged not actionable here", id)
	return ctx.Redirect(prefix+"/alerts/"+id+"?saved=1", http.StatusSeeOther)
}
