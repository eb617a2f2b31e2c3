// Package console is the web console of a node: server-rendered pages
// (html/template, embedded with go:embed, no external asset) for the
// border officer who inspects parties and the operations-centre analyst
// who keeps the watchlist and follows hits, in English, Simplified
// Chinese and Vietnamese.
//
// A browser signs in with a token; the node keeps a session in memory and
// sets an HttpOnly, SameSite=Strict cookie. Every page is authorised by
// the same roles as the API, every request is audited like an API call,
// and every form carries an anti-forgery token.
package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/watchlist"
)

// Freshness says how fresh this node's copy of the watchlist is.
type Freshness interface {
	Replica() api.Replica
}

// DemoParty is a party a newcomer can load into the officer's page.
type DemoParty struct {
	Title   string
	Request watchlist.InspectionRequest
}

// Deps are what the console shows and changes: the API's parts, and the
// node's freshness.
type Deps struct {
	API       api.Deps
	Freshness Freshness
	// Demo parties are offered on the officer's page (demo mode only).
	Demo []DemoParty
	// SessionTTL is how long a sign-in lasts (default 12 h, a shift).
	SessionTTL time.Duration
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Paths.
const (
	prefix        = "/console"
	sessionCookie = "crossguard_session"
	langCookie    = "crossguard_lang"
)

type console struct {
	Deps
	tr    *translator
	pages map[string]*template.Template
	// parts are the fragments a script asks for (a hit row).
	parts    *template.Template
	sessions *sessions
	log      *slog.Logger
}

// Mount adds the console's routes to the API's app.
func Mount(app *fiber.App, d Deps) error {
	tr, err := newTranslator()
	if err != nil {
		return err
	}
	pages, parts, err := parsePages()
	if err != nil {
		return err
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = 12 * time.Hour
	}
	log := d.API.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &console{Deps: d, tr: tr, pages: pages, parts: parts, sessions: newSessions(d.SessionTTL, 10000), log: log}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return err
	}
	app.Get("/", func(ctx *fiber.Ctx) error { return ctx.Redirect(prefix+"/", http.StatusSeeOther) })
	app.Use(prefix+"/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	app.Get(prefix+"/signin", c.signinPage)
	app.Post(prefix+"/signin", api.BoundedBody(64<<10), c.signin)
	for _, r := range c.routes() {
		// The session and role are checked before a body is read; the
		// anti-forgery token after.
		handlers := []fiber.Handler{api.Audited(d.API.Audit, r.Method+" "+r.Path), c.signedIn(r.Roles)}
		if r.Method == http.MethodPost {
			if !r.Streamed {
				handlers = append(handlers, api.BoundedBody(api.BodyLimit))
			}
			handlers = append(handlers, c.checkForm)
		}
		app.Add(r.Method, r.Path, append(handlers, r.handler)...)
	}
	return nil
}

// route is a console page or action and the roles that may use it.
type route struct {
	api.Route
	Streamed bool
	handler  fiber.Handler
}

func (c *console) routes() []route {
	var (
		officer          = []watchlist.Role{watchlist.RoleOfficer}
		analyst          = []watchlist.Role{watchlist.RoleAnalyst}
		analystOrOfficer = []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleOfficer}
		analystOrAdmin   = []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleAdmin}
		auditor          = []watchlist.Role{watchlist.RoleAuditor}
	)
	r := func(method, path string, roles []watchlist.Role, fn fiber.Handler) route {
		return route{Route: api.Route{Method: method, Path: prefix + path, Roles: roles}, handler: fn}
	}
	imp := r(http.MethodPost, "/import", analyst, c.importAlerts)
	imp.Streamed = true
	return []route{
		r(http.MethodGet, "/", watchlist.Roles, c.home),
		r(http.MethodPost, "/signout", watchlist.Roles, c.signout),
		r(http.MethodGet, "/inspect", officer, c.inspectPage),
		r(http.MethodPost, "/inspect", officer, c.inspect),
		r(http.MethodGet, "/alerts", analyst, c.alertsPage),
		r(http.MethodGet, "/alerts/new", analyst, c.newAlertPage),
		r(http.MethodPost, "/alerts/new", analyst, c.createAlert),
		r(http.MethodGet, "/alerts/:id", analyst, c.alertPage),
		r(http.MethodPost, "/alerts/:id", analyst, c.updateAlert),
		r(http.MethodPost, "/alerts/:id/close", analyst, c.closeAlert),
		r(http.MethodGet, "/import", analyst, c.importPage),
		imp,
		r(http.MethodGet, "/hits", analystOrOfficer, c.hitsPage),
		r(http.MethodGet, "/hits/stream", analystOrOfficer, c.hitStream),
		r(http.MethodPost, "/hits/:id/ack", analystOrOfficer, c.ackHit),
		r(http.MethodGet, "/cluster", analystOrAdmin, c.clusterPage),
		r(http.MethodGet, "/partners", analystOrAdmin, c.partnersPage),
		r(http.MethodPost, "/alerts/:id/flag", analyst, c.flagAlert),
		r(http.MethodPost, "/partners/query", analyst, c.queryPartner),
		r(http.MethodPost, "/partners/:country/details", analyst, c.requestDetails),
		r(http.MethodPost, "/partners/:country/details/:reference", analyst, c.decideDetails),
		r(http.MethodGet, "/audit", auditor, c.auditPage),
	}
}

// Routes lists the console's pages and actions with their roles (the
// role-matrix test walks them).
func Routes() []api.Route {
	var out []api.Route
	for _, r := range (&console{}).routes() {
		out = append(out, r.Route)
	}
	return out
}

// parsePages parses each page with the layout and the shared parts.
func parsePages() (map[string]*template.Template, *template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, nil, err
	}
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, f)
		if err != nil {
			return nil, nil, err
		}
		pages[name] = t
	}
	return pages, layout, nil
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"upper": func(v any) string {
		return strings.ToUpper(fmt.Sprint(v))
	},
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"add":  func(a, b int) int { return a + b },
	"sub":  func(a, b uint64) uint64 { return a - b },
	"pct":  func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"list": func(s ...string) []string { return s },
	"staleSeconds": func(r *api.Replica) int64 {
		return r.LeaderContactAgeMS / 1000
	},
}

// page is what every template is given.
type page struct {
	Title     string
	Lang      string
	Languages []langChoice
	Principal watchlist.Token
	CSRF      string
	Nav       []navItem
	Path      string
	Replica   *api.Replica
	// Flash is a message from the previous action.
	Flash string
	Data  any
	p     *message.Printer
}

type langChoice struct {
	Code, Name string
	Current    bool
}

type navItem struct {
	Path, Label, Key string
	Current          bool
}

// T translates a message into the page's language.
func (p *page) T(key string, args ...any) string { return p.p.Sprintf(key, args...) }

// hitRow is what the hit-row part is given.
type hitRow struct {
	*page
	Hit watchlist.HitRecord
}

// WithHit pairs the page with one hit, for the hit-row part.
func (p *page) WithHit(h watchlist.HitRecord) hitRow { return hitRow{p, h} }

// Is says whether the signed-in token has one of the roles.
func (p *page) Is(roles ...string) bool {
	for _, r := range roles {
		if string(p.Principal.Role) == r {
			return true
		}
	}
	return false
}

// newPage prepares the page for a request: its language, the signed-in
// token and its navigation.
func (c *console) newPage(ctx *fiber.Ctx, title string, data any) *page {
	tag := c.language(ctx)
	p := &page{Lang: langCode(tag), Path: ctx.Path(), Data: data, p: c.tr.printer(tag)}
	p.Title = p.T(title)
	for _, l := range languages {
		p.Languages = append(p.Languages, langChoice{Code: langCode(l), Name: langName(l), Current: l == tag})
	}
	if x, ok := ctx.Locals(sessionKey).(session); ok {
		p.CSRF = x.csrf
		p.Principal = api.Principal(ctx)
		for _, n := range nav {
			if roleIn(p.Principal.Role, n.roles) {
				p.Nav = append(p.Nav, navItem{Path: prefix + n.path, Label: p.T(n.label), Key: n.key, Current: strings.HasPrefix(ctx.Path(), prefix+n.path)})
			}
		}
	}
	if c.Freshness != nil {
		r := c.Freshness.Replica()
		p.Replica = &r
	}
	return p
}

var nav = []struct {
	path, label, key string
	roles            []watchlist.Role
}{
	{"/inspect", "Inspect", "i", []watchlist.Role{watchlist.RoleOfficer}},
	{"/hits", "Hits", "h", []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleOfficer}},
	{"/alerts", "Alerts", "a", []watchlist.Role{watchlist.RoleAnalyst}},
	{"/import", "Import", "m", []watchlist.Role{watchlist.RoleAnalyst}},
	{"/cluster", "Cluster", "c", []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleAdmin}},
	{"/partners", "Partners", "p", []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleAdmin}},
	{"/audit", "Audit", "u", []watchlist.Role{watchlist.RoleAuditor}},
}

func roleIn(r watchlist.Role, roles []watchlist.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// language is the request's language: ?lang= (remembered in a cookie),
// the cookie, or Accept-Language.
func (c *console) language(ctx *fiber.Ctx) language.Tag {
	chosen := ctx.Query("lang")
	if chosen != "" {
		tag := c.tr.match(chosen, "")
		ctx.Cookie(&fiber.Cookie{Name: langCookie, Value: langCode(tag), Path: prefix, MaxAge: 365 * 24 * 3600,
			SameSite: fiber.CookieSameSiteStrictMode, Secure: c.API.TLS})
		return tag
	}
	return c.tr.match(ctx.Cookies(langCookie), ctx.Get(fiber.HeaderAcceptLanguage))
}

// render writes a page; pages that may hold personal data are never
// cached.
func (c *console) render(ctx *fiber.Ctx, status int, name string, p *page) error {
	t, ok := c.pages[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		c.log.Error("console page failed", "page", name, "err", err)
		return ctx.Status(http.StatusInternalServerError).SendString("the page could not be drawn")
	}
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	ctx.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return ctx.Status(status).Send(buf.Bytes())
}

// fail renders an error as a page, with the status the API gives the same
// error (api.ProblemOf).
func (c *console) fail(ctx *fiber.Ctx, err error) error {
	pr := api.ProblemOf(err)
	if pr.Status >= 500 {
		c.log.Error("console request failed", "path", ctx.Path(), "status", pr.Status, "err", err)
	}
	p := c.newPage(ctx, "Something went wrong", pr)
	return c.render(ctx, pr.Status, "error", p)
}

// sessionKey holds the request's session in its locals.
const sessionKey = "crossguard.console.session"

var errBadForm = errors.New("the form is out of date or was not sent by this console: reload the page and try again")

// signedIn authenticates the session cookie, checks the role and, for a
// form, the anti-forgery token. A browser that is not signed in is sent
// to the sign-in page.
func (c *console) signedIn(roles []watchlist.Role) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		x, ok := c.sessions.get(ctx.Cookies(sessionCookie), c.now())
		var t watchlist.Token
		var err error
		if ok {
			t, err = c.API.Tokens.Authenticate(x.secret)
		}
		if err != nil && !errors.Is(err, api.ErrUnauthenticated) {
			return c.fail(ctx, err) // the store failed: the session may be good
		}
		if !ok || err != nil {
			if ctx.Method() == http.MethodGet && ctx.Get("Accept") != "text/event-stream" {
				return ctx.Redirect(prefix+"/signin", http.StatusSeeOther)
			}
			return ctx.Status(http.StatusUnauthorized).SendString("sign in again")
		}
		api.SetPrincipal(ctx, t)
		ctx.Locals(sessionKey, x)
		if !roleIn(t.Role, roles) {
			return c.fail(ctx, fiber.NewError(http.StatusForbidden, "this token's role may not do this"))
		}
		return ctx.Next()
	}
}

// checkForm refuses a form that does not carry the session's
// anti-forgery token (a header for a script's upload, a field for a
// form).
func (c *console) checkForm(ctx *fiber.Ctx) error {
	x, _ := ctx.Locals(sessionKey).(session)
	got := ctx.Get("X-CSRF-Token")
	if ct := string(ctx.Request().Header.ContentType()); got == "" &&
		(strings.HasPrefix(ct, fiber.MIMEApplicationForm) || strings.HasPrefix(ct, fiber.MIMEMultipartForm)) {
		got = ctx.FormValue("csrf")
	}
	if !x.csrfOK(got) {
		return c.fail(ctx, fiber.NewError(http.StatusForbidden, errBadForm.Error()))
	}
	return ctx.Next()
}

func (c *console) now() time.Time {
	if c.API.Now != nil {
		return c.API.Now()
	}
	return time.Now()
}

func (c *console) signinPage(ctx *fiber.Ctx) error {
	return c.render(ctx, http.StatusOK, "signin", c.newPage(ctx, "Sign in", nil))
}

// signin checks the token and opens a session. A wrong token is told
// apart from nothing only by the message; the attempt is logged without
// the token.
func (c *console) signin(ctx *fiber.Ctx) error {
	// fiber's strings point into the request's buffer: the session
	// keeps a copy.
	secret := strings.Clone(strings.TrimSpace(ctx.FormValue("token")))
	t, err := c.API.Tokens.Authenticate(secret)
	if secret == "" || err != nil {
		p := c.newPage(ctx, "Sign in", nil)
		p.Flash = p.T("This token is not valid, or has been revoked.")
		return c.render(ctx, http.StatusUnauthorized, "signin", p)
	}
	id, _ := c.sessions.start(secret, c.now())
	ctx.Cookie(&fiber.Cookie{Name: sessionCookie, Value: id, Path: prefix, HTTPOnly: true, Secure: c.API.TLS,
		SameSite: fiber.CookieSameSiteStrictMode, Expires: c.now().Add(c.SessionTTL)})
	if c.API.Audit != nil {
		entry := watchlist.AuditEntry{TokenID: t.ID, Role: t.Role, Post: t.Post, Action: "POST " + prefix + "/signin",
			Status: http.StatusSeeOther, Detail: "signed in to the console"}
		if err := c.API.Audit.RecordAudit(entry); err != nil {
			c.sessions.end(id)
			return c.fail(ctx, fmt.Errorf("the audit entry could not be recorded: %w", err))
		}
	}
	return ctx.Redirect(prefix+"/", http.StatusSeeOther)
}

func (c *console) signout(ctx *fiber.Ctx) error {
	c.sessions.end(ctx.Cookies(sessionCookie))
	ctx.ClearCookie(sessionCookie)
	return ctx.Redirect(prefix+"/signin", http.StatusSeeOther)
}

// home sends each role to its first page.
func (c *console) home(ctx *fiber.Ctx) error {
	switch api.Principal(ctx).Role {
	case watchlist.RoleOfficer:
		return ctx.Redirect(prefix+"/inspect", http.StatusSeeOther)
	case watchlist.RoleAnalyst:
		return ctx.Redirect(prefix+"/hits", http.StatusSeeOther)
	case watchlist.RoleAdmin:
		return ctx.Redirect(prefix+"/cluster", http.StatusSeeOther)
	case watchlist.RoleAuditor:
		return ctx.Redirect(prefix+"/audit", http.StatusSeeOther)
	}
	return c.render(ctx, http.StatusOK, "error", c.newPage(ctx, "Nothing to show", api.Problem{Status: 200, Title: "This role has no console pages."}))
}
