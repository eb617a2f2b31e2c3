package api

import (
	"errors"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"golang.org/x/time/rate"
)

// errRateLimited refuses a request over its token's rate (429).
var errRateLimited = errors.New("rate limited")

// RateLimit is how many requests a token may send: a sustained rate per
// second and a burst. The zero value sets no limit.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// tokenLimiter holds a token bucket per token ID (tokens are few: one
// per officer, analyst and system, so the map stays small).
type tokenLimiter struct {
	limit RateLimit
	mu    sync.Mutex
	by    map[string]*rate.Limiter
}

func newTokenLimiter(l RateLimit) *tokenLimiter {
	if l.PerSecond <= 0 {
		return nil
	}
	if l.Burst <= 0 {
		l.Burst = max(1, int(l.PerSecond))
	}
	return &tokenLimiter{limit: l, by: map[string]*rate.Limiter{}}
}

func (t *tokenLimiter) allow(tokenID string) bool {
	if t == nil {
		return true
	}
	t.mu.Lock()
	l, ok := t.by[tokenID]
	if !ok {
		l = rate.NewLimiter(rate.Limit(t.limit.PerSecond), t.limit.Burst)
		t.by[tokenID] = l
	}
	t.mu.Unlock()
	return l.Allow()
}

// limited refuses a request once its token has used its rate; it runs
// after authorize, so that the bucket is the caller's own.
// QueryLimiter bounds each token's hit/no-hit queries, asked through the
// API or the console alike (one bucket per token for both).
type QueryLimiter struct{ t *tokenLimiter }

// NewQueryLimiter makes a query limiter; the zero RateLimit is one query
// a second with bursts of 30.
func NewQueryLimiter(l RateLimit) *QueryLimiter {
	if l.PerSecond <= 0 {
		l = RateLimit{PerSecond: 1, Burst: 30}
	}
	return &QueryLimiter{newTokenLimiter(l)}
}

// Check refuses (429) the request's token once it has used its queries.
func (q *QueryLimiter) Check(c *fiber.Ctx) error {
	if q != nil && !q.t.allow(Principal(c).ID) {
		return errRateLimited
	}
	return nil
}

func limited(t *tokenLimiter) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !t.allow(Principal(c).ID) {
			if c.Request().Header.ContentLength() != 0 {
				c.Context().SetConnectionClose()
			}
			return errRateLimited
		}
		return c.Next()
	}
}

// contentSecurityPolicy lets pages load only the node's own scripts,
// styles and images (the console embeds everything: a post may be
// offline), never be framed, and post forms only to the node.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the security headers on every answer (helmet):
// a strict content security policy, no framing, no sniffing, no referrer,
// and HSTS over HTTPS.
func securityHeaders(tls bool) fiber.Handler {
	cfg := helmet.Config{
		ContentSecurityPolicy: contentSecurityPolicy,
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "no-referrer",
		PermissionPolicy:      "camera=(), microphone=(), geolocation=(), payment=()",
	}
	if tls {
		cfg.HSTSMaxAge = 31536000
		cfg.HSTSExcludeSubdomains = true
	}
	return helmet.New(cfg)
}
