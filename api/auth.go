package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/watchlist"
)

// Tokens authenticates bearer tokens and manages them.
type Tokens interface {
	Authenticate(secret string) (watchlist.Token, error)
	CreateToken(ctx context.Context, role watchlist.Role, post, name, by string) (watchlist.Token, string, error)
	RevokeToken(ctx context.Context, id string) error
	Tokens() ([]watchlist.Token, error)
}

// ErrUnauthenticated and errForbidden are the two refusals; the error
// handler maps them to 401 and 403. Tokens.Authenticate returns an error
// matching ErrUnauthenticated for a missing, unknown or revoked token;
// any other error is the store failing, answered as such (not 401: the
// caller's token may be good).
var (
	ErrUnauthenticated = errors.New("unauthenticated")
	errForbidden       = errors.New("forbidden")
)

// Route is an endpoint and the roles allowed to call it (none: a health
// probe, open to all).
type Route struct {
	Method string
	Path   string
	Roles  []watchlist.Role
}

// principalKey holds the caller's token in the request's locals.
const principalKey = "crossguard.principal"

// Principal is the token a request acts as.
func Principal(c *fiber.Ctx) watchlist.Token {
	t, _ := c.Locals(principalKey).(watchlist.Token)
	return t
}

// SetPrincipal makes t the token the request acts as (the console signs
// a browser in with a session rather than a bearer header).
func SetPrincipal(c *fiber.Ctx, t watchlist.Token) { c.Locals(principalKey, t) }

// authorize authenticates the bearer token and checks its role. A
// refused request's body is never read, so its connection is closed.
func authorize(tokens Tokens, roles []watchlist.Role) fiber.Handler {
	return func(c *fiber.Ctx) (err error) {
		refused := true
		defer func() {
			if refused && err != nil && c.Request().Header.ContentLength() != 0 {
				c.Context().SetConnectionClose()
			}
		}()
		auth := c.Get(fiber.HeaderAuthorization)
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || secret == "" {
			return ErrUnauthenticated
		}
		t, err := tokens.Authenticate(strings.TrimSpace(secret))
		if err != nil {
			return err
		}
		c.Locals(principalKey, t)
		for _, r := range roles {
			if t.Role == r {
				refused = false
				return c.Next()
			}
		}
		return errForbidden
	}
}

// tokenView is a token as the API shows it: never its secret or hash.
type tokenView struct {
	ID        string         `json:"id"`
	Role      watchlist.Role `json:"role"`
	Post      string         `json:"post,omitempty"`
	Country   string         `json:"country,omitempty"`
	Name      string         `json:"name,omitempty"`
	CreatedAt string         `json:"created_at"`
	CreatedBy string         `json:"created_by,omitempty"`
	RevokedAt string         `json:"revoked_at,omitempty"`
	// Token is the secret, in the answer to its creation only.
	Token string `json:"token,omitempty"`
}

func viewToken(t watchlist.Token) tokenView {
	v := tokenView{ID: t.ID, Role: t.Role, Post: t.Post, Name: t.Name, CreatedAt: t.CreatedAt.Format(timeFormat), CreatedBy: t.CreatedBy}
	if t.Role == watchlist.RolePartner {
		v.Post, v.Country = "", t.Post
	}
	if t.RevokedAt != nil {
		v.RevokedAt = t.RevokedAt.Format(timeFormat)
	}
	return v
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func (h handlers) createToken(c *fiber.Ctx) error {
	var req struct {
		Role    watchlist.Role `json:"role"`
		Post    string         `json:"post"`
		Country string         `json:"country"`
		Name    string         `json:"name"`
	}
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	// A partner's token names its country (kept where an officer's
	// token keeps its post).
	switch {
	case req.Role == watchlist.RolePartner && req.Post != "":
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "post", Reason: "a partner's token names a country, not a post"}}}
	case req.Role == watchlist.RolePartner:
		req.Post = req.Country
	case req.Country != "":
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "country", Reason: "only a partner's token names a country"}}}
	}
	t, secret, err := h.Tokens.CreateToken(c.UserContext(), req.Role, req.Post, req.Name, Principal(c).ID)
	if err != nil {
		return err
	}
	v := viewToken(t)
	v.Token = secret
	SetAuditDetail(c, "token %s created: role %s post %q", t.ID, t.Role, t.Post)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(v)
}

func (h handlers) listTokens(c *fiber.Ctx) error {
	ts, err := h.Tokens.Tokens()
	if err != nil {
		return err
	}
	out := make([]tokenView, len(ts))
	for i, t := range ts {
		out[i] = viewToken(t)
	}
	return c.JSON(fiber.Map{"tokens": out})
}

func (h handlers) revokeToken(c *fiber.Ctx) error {
	if err := h.Tokens.RevokeToken(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
