package api

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/cluster/federation"
	"github.com/crossguard/crossguard/watchlist"
)

// Federation is this cluster's side of the exchange with partner
// countries (cluster/federation has the protocol).
type Federation interface {
	FederationIdentity() (country string, key ed25519.PublicKey, err error)
	Partners() ([]PartnerView, error)
	PutPartner(ctx context.Context, p watchlist.Partner) error
	RemovePartner(ctx context.Context, country string) error
	Feed(ctx context.Context, partner string, since uint64) (federation.Envelope, error)
	Receive(ctx context.Context, partner string, env federation.Envelope) (uint64, error)
	AnswerQuery(ctx context.Context, partner string, env federation.Envelope) (federation.Envelope, federation.Answer, error)
	QueryPartner(ctx context.Context, partner string, q federation.Query, by string) (federation.Answer, error)
	Queries() ([]watchlist.QueryRecord, error)
	SentQueries() ([]watchlist.QueryRecord, error)
	FlagAlert(ctx context.Context, id string, f watchlist.Flag) error
	Flags(alertID string) (map[string]watchlist.FlagReport, error)
	RequestDetails(ctx context.Context, partner string, r watchlist.DetailRequest) (watchlist.DetailCase, error)
	DecideDetails(ctx context.Context, partner, reference string, approve bool, by, reason string) (watchlist.DetailCase, error)
	DetailCases() ([]watchlist.DetailCase, error)
}

// PartnerView is a partner as the API shows it: never its token.
type PartnerView struct {
	Country   string    `json:"country"`
	URL       string    `json:"url"`
	PublicKey string    `json:"public_key"`
	HasToken  bool      `json:"has_token"`
	UpdatedAt time.Time `json:"updated_at"`
	// State is the replicated record of the exchange (cursor, queues).
	State watchlist.PartnerState `json:"state"`
	// Link is the leader's live view (last sync, errors); absent on
	// other nodes.
	Link *PartnerLink `json:"link,omitempty"`
}

// PartnerLink is the leader's live view of a partner.
type PartnerLink struct {
	LastAttempt time.Time `json:"last_attempt"`
	LastOK      time.Time `json:"last_ok"`
	LastError   string    `json:"last_error,omitempty"`
	ErrorAt     time.Time `json:"error_at"`
	Failures    int       `json:"failures"`
}

// Lag is how long ago the partner's feed was last imported (-1: never).
func (v PartnerView) Lag(now time.Time) time.Duration {
	if v.State.LastSync.IsZero() {
		return -1
	}
	return now.Sub(v.State.LastSync)
}

func (h handlers) federationIdentity(c *fiber.Ctx) error {
	country, key, err := h.Federation.FederationIdentity()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"country": country, "public_key": federation.EncodeKey(key)})
}

func (h handlers) listPartners(c *fiber.Ctx) error {
	ps, err := h.Federation.Partners()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"partners": ps})
}

func (h handlers) putPartner(c *fiber.Ctx) error {
	var req struct {
		URL       string `json:"url"`
		PublicKey string `json:"public_key"`
		Token     string `json:"token"`
	}
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	key, err := federation.DecodeKey(req.PublicKey)
	if err != nil {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "public_key", Reason: "an Ed25519 public key: 32 bytes in base64 (crossguard federation keys prints it)"}}}
	}
	country := strings.ToUpper(c.Params("country"))
	p := watchlist.Partner{Country: country, URL: req.URL, PublicKey: key, Token: req.Token, UpdatedBy: Principal(c).ID}
	if err := h.Federation.PutPartner(c.UserContext(), p); err != nil {
		return err
	}
	SetAuditDetail(c, "partner %s registered at %s", country, req.URL)
	return c.SendStatus(http.StatusNoContent)
}

func (h handlers) removePartner(c *fiber.Ctx) error {
	if err := h.Federation.RemovePartner(c.UserContext(), strings.ToUpper(c.Params("country"))); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (h handlers) queryPartner(c *fiber.Ctx) error {
	var q federation.Query
	if err := decodeStrict(c.Body(), &q); err != nil {
		return err
	}
	country := strings.ToUpper(c.Params("country"))
	ans, err := h.Federation.QueryPartner(c.UserContext(), country, q, Principal(c).ID)
	if err != nil {
		return err
	}
	SetAuditDetail(c, "query to %s: %s %s", country, ans.Result, ans.Reference)
	return c.JSON(ans)
}

func (h handlers) listQueries(c *fiber.Ctx) error {
	qs, err := h.Federation.Queries()
	if err != nil {
		return err
	}
	sent, err := h.Federation.SentQueries()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"queries": qs, "sent": sent})
}

// PrincipalName is how the caller is named in records and to partners:
// its token's name, else its ID.
func PrincipalName(c *fiber.Ctx) string {
	p := Principal(c)
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

func (h handlers) requestDetails(c *fiber.Ctx) error {
	var req struct {
		Reference string `json:"reference"`
		Reason    string `json:"reason"`
	}
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	country := strings.ToUpper(c.Params("country"))
	dc, err := h.Federation.RequestDetails(c.UserContext(), country, watchlist.DetailRequest{Reference: req.Reference, Reason: req.Reason, By: PrincipalName(c)})
	if err != nil {
		return err
	}
	SetAuditDetail(c, "details behind %s requested from %s", req.Reference, country)
	return c.Status(http.StatusAccepted).JSON(dc)
}

func (h handlers) listDetails(c *fiber.Ctx) error {
	cases, err := h.Federation.DetailCases()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"requests": cases})
}

func (h handlers) decideDetails(c *fiber.Ctx) error {
	var req struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if req.Approve == nil {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "approve", Reason: "required: true to share the alerts that answered, false to refuse"}}}
	}
	country, ref := strings.ToUpper(c.Params("country")), c.Params("reference")
	dc, err := h.Federation.DecideDetails(c.UserContext(), country, ref, *req.Approve, PrincipalName(c), req.Reason)
	if err != nil {
		return err
	}
	SetAuditDetail(c, "detail request %s from %s %s; alerts %v", ref, country, dc.Status, dc.AlertIDs)
	return c.JSON(dc)
}

func (h handlers) alertFlags(c *fiber.Ctx) error {
	flags, err := h.Federation.Flags(c.Params("id"))
	if err != nil {
		return err
	}
	if flags == nil {
		flags = map[string]watchlist.FlagReport{}
	}
	SetAuditDetail(c, "partners' flags on alert %s", c.Params("id"))
	return c.JSON(fiber.Map{"flags": flags})
}

func (h handlers) flagAlert(c *fiber.Ctx) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if err := h.Federation.FlagAlert(c.UserContext(), c.Params("id"), watchlist.Flag{By: PrincipalName(c), Reason: req.Reason}); err != nil {
		return err
	}
	SetAuditDetail(c, "alert %s flagged not actionable here", c.Params("id"))
	return c.SendStatus(http.StatusNoContent)
}

// partnerOf is the partner country a request speaks for: its token's,
// over a verified client certificate when partners use mutual TLS.
func (h handlers) partnerOf(c *fiber.Ctx) (string, error) {
	if h.PartnerMTLS {
		st := c.Context().TLSConnectionState()
		if st == nil || len(st.VerifiedChains) == 0 {
			return "", fmt.Errorf("%w: partner endpoints need a client certificate of the partners' CA", errForbidden)
		}
	}
	return Principal(c).Post, nil
}

// refused records why a partner's message was refused in the audit
// entry of the request, and returns the error.
func refused(c *fiber.Ctx, what string, err error) error {
	if err != nil {
		SetAuditDetail(c, "%s refused: %v", what, err)
	}
	return err
}

func (h handlers) partnerFeed(c *fiber.Ctx) error {
	partner, err := h.partnerOf(c)
	if err != nil {
		return err
	}
	since := uint64(0)
	if s := c.Query("since"); s != "" {
		if since, err = strconv.ParseUint(s, 10, 64); err != nil {
			return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "since", Reason: "must be the cursor of the last page (a whole number)"}}}
		}
	}
	env, err := h.Federation.Feed(c.UserContext(), partner, since)
	if err != nil {
		return err
	}
	SetAuditDetail(c, "feed for %s after %d", partner, since)
	return c.JSON(env)
}

func (h handlers) partnerMessage(c *fiber.Ctx) error {
	partner, err := h.partnerOf(c)
	if err != nil {
		return err
	}
	var env federation.Envelope
	if err := decodeStrict(c.Body(), &env); err != nil {
		return refused(c, "message from "+partner, err)
	}
	seq, err := h.Federation.Receive(c.UserContext(), partner, env)
	if err != nil {
		return refused(c, "message from "+partner, err)
	}
	SetAuditDetail(c, "message %d from %s received", seq, partner)
	return c.Status(http.StatusAccepted).JSON(fiber.Map{"seq": seq})
}

func (h handlers) partnerQuery(c *fiber.Ctx) error {
	partner, err := h.partnerOf(c)
	if err != nil {
		return err
	}
	var env federation.Envelope
	if err := decodeStrict(c.Body(), &env); err != nil {
		return refused(c, "query from "+partner, err)
	}
	out, ans, err := h.Federation.AnswerQuery(c.UserContext(), partner, env)
	if err != nil {
		return refused(c, "query from "+partner, err)
	}
	SetAuditDetail(c, "query from %s answered %s %s", partner, ans.Result, ans.Reference)
	return c.JSON(out)
}
