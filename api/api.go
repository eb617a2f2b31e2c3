package api

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/cluster/federation"
	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

// Inspector answers inspections from the local replica.
type Inspector interface {
	// Inspect answers from the local store. audit, when given, is the
	// request's audit entry: the inspector records it together with the
	// crossing (one synced write) and fills in what was answered.
	Inspect(ctx context.Context, req watchlist.InspectionRequest, audit *watchlist.AuditEntry) (Inspection, error)
	Ready() error
}

// Inspection is the answer to an inspection request (a contract).
type Inspection struct {
	Verdict    watchlist.Verdict           `json:"verdict"`
	Travellers []watchlist.TravellerResult `json:"travellers"`
	Findings   []watchlist.Finding         `json:"findings"`
	CrossingID string                      `json:"crossing_id"`
	// Documents are the scanned MRZs by traveller index, with the checks
	// that failed (a mistyped MRZ is still inspected).
	Documents map[int]mrz.Document `json:"documents,omitempty"`
	Replica   Replica              `json:"replica"`
}

// Replica says which node answered an inspection and how fresh its copy
// is.
type Replica struct {
	Node               string `json:"node"`
	AppliedIndex       uint64 `json:"applied_index"`
	LeaderContactAgeMS int64  `json:"leader_contact_age_ms"`
	Stale              bool   `json:"stale"`
}

// Alerts changes alerts through the cluster and reads them at a
// consistency level.
type Alerts interface {
	UpsertAlerts(ctx context.Context, alerts []watchlist.Alert) ([]watchlist.Alert, error)
	CloseAlert(ctx context.Context, id string) error
	Alert(ctx context.Context, id string, level cluster.Consistency) (watchlist.Alert, error)
	AckHit(ctx context.Context, id string, ack watchlist.Acknowledgement) error
}

// Records reads crossing records and hits from the local store.
type Records interface {
	Crossing(id string) (watchlist.Crossing, error)
	Hit(id string) (watchlist.HitRecord, error)
	// AlertHitAtPost reports whether the alert was hit at the post.
	AlertHitAtPost(alertID, post string) (bool, error)
	SearchAlerts(ctx context.Context, q watchlist.AlertQuery) ([]watchlist.Alert, string, error)
	Hits(q watchlist.HitQuery) ([]watchlist.HitRecord, uint64, error)
	CrossingsOfDocument(country, number string, limit int) ([]watchlist.Crossing, error)
}

// Membership is the cluster as an operator sees it.
type Membership interface {
	Members(ctx context.Context) []cluster.MemberStatus
	Status() cluster.Status
	Join(ctx context.Context, id, address string, voter bool) error
	Remove(ctx context.Context, id string) error
}

// Backups takes and restores whole-cluster backups.
type Backups interface {
	Backup(ctx context.Context, level cluster.Consistency) (*watchlist.Snapshot, error)
	Restore(ctx context.Context, r io.Reader, force bool) (watchlist.SnapshotInfo, error)
}

// Deps are the parts of a node the API serves.
type Deps struct {
	Inspector  Inspector
	Alerts     Alerts
	Records    Records
	Membership Membership
	Backups    Backups
	Tokens     Tokens
	Audit      Audit
	Federation Federation
	Logger     *slog.Logger
	// RequestTimeout bounds every request (default 30 s).
	RequestTimeout time.Duration
	// Now is the clock (stamping alerts checked by an import).
	Now func() time.Time
	// Done is closed when the node stops: live streams end.
	Done <-chan struct{}
	// Metrics is the Prometheus exposition, served at /metrics.
	Metrics http.Handler
	// RateLimit bounds each token's requests (zero: no limit).
	RateLimit RateLimit
	// QueryLimit bounds each token's hit/no-hit queries, asked or
	// answered (zero: one a second, bursts of 30).
	QueryLimit RateLimit
	// Queries is the query limiter the console shares with the API (nil:
	// New makes one from QueryLimit, and the console limits nothing).
	Queries *QueryLimiter
	// TLS says the node serves HTTPS (the console's cookies are then
	// Secure and HSTS is sent).
	TLS bool
	// PartnerMTLS says partners must present a client certificate of the
	// partners' CA (the TLS layer verified it) on the partner endpoints.
	PartnerMTLS bool
}

// BodyLimit bounds a request body; the streamed endpoints (a restore)
// are not bounded.
const BodyLimit = 8 << 20

// MaxConnections bounds the connections a node serves at once.
const MaxConnections = 4096

// StreamTimeout bounds a request whose body is streamed (an import, a
// restore); every other request has Deps.RequestTimeout.
const StreamTimeout = 30 * time.Minute

// streamed are the routes that read their body as a stream.
var streamed = map[string]bool{"/v1/cluster/restore": true, "/v1/alerts/import": true}

// New builds the fiber app of a node.
func New(d Deps) *fiber.App {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 30 * time.Second
	}
	app := fiber.New(fiber.Config{
		AppName:               "crossguard",
		DisableStartupMessage: true,
		BodyLimit:             BodyLimit,
		// Bodies are streamed, so that a restore need not fit in memory;
		// boundedBody holds every other route to BodyLimit.
		StreamRequestBody: true,
		// A streamed body (an import, a restore) is read by its handler
		// under the connection's read deadline: allow it StreamTimeout.
		ReadTimeout:  StreamTimeout,
		WriteTimeout: d.RequestTimeout,
		IdleTimeout:  2 * time.Minute,
		// A bounded number of connections: a flood of them is refused
		// (503) instead of running the process out of file descriptors,
		// which would stop the listener and the store.
		Concurrency:  MaxConnections,
		ErrorHandler: errorHandler(d.Logger),
	})
	app.Use(requestid.New())
	app.Use(func(c *fiber.Ctx) error {
		timeout := d.RequestTimeout
		if streamed[c.Path()] {
			timeout = StreamTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	})
	app.Use(securityHeaders(d.TLS))
	h := handlers{d}
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", h.ready)
	limiter := newTokenLimiter(d.RateLimit)
	if d.Queries == nil {
		d.Queries = NewQueryLimiter(d.QueryLimit)
	}
	queries := d.Queries.t
	for _, r := range routeTable(h) {
		// Authenticate before reading a body: a caller without a token
		// cannot make the node read megabytes.
		chain := []fiber.Handler{Audited(d.Audit, routeAction(r.Method, r.Path)), authorize(d.Tokens, r.Roles), limited(limiter)}
		if strings.HasSuffix(r.Path, "/query") {
			chain = append(chain, limited(queries))
		}
		chain = append(chain, BoundedBody(BodyLimit), r.handler)
		app.Add(r.Method, r.Path, chain...)
	}
	return app
}

// BoundedBody reads the body of every route but the streamed ones into
// memory, refusing one larger than limit.
func BoundedBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		if streamed[c.Path()] || !req.IsBodyStream() {
			return c.Next()
		}
		b, err := io.ReadAll(io.LimitReader(req.BodyStream(), int64(limit)+1))
		if err != nil {
			return fiber.NewError(http.StatusBadRequest, "reading the request body: "+err.Error())
		}
		if len(b) > limit {
			c.Context().SetConnectionClose()
			return fiber.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body exceeds %d bytes", limit))
		}
		req.SetBody(b)
		return c.Next()
	}
}

type handlers struct{ Deps }

func (h handlers) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

type routeEntry struct {
	Route
	handler fiber.Handler
}

// routeTable is every authenticated endpoint with the roles allowed to
// call it: the one place access is decided (handlers narrow an officer to
// its own post).
func routeTable(h handlers) []routeEntry {
	var (
		officer          = []watchlist.Role{watchlist.RoleOfficer}
		analyst          = []watchlist.Role{watchlist.RoleAnalyst}
		analystOrOfficer = []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleOfficer}
		analystOrAdmin   = []watchlist.Role{watchlist.RoleAnalyst, watchlist.RoleAdmin}
		admin            = []watchlist.Role{watchlist.RoleAdmin}
		auditor          = []watchlist.Role{watchlist.RoleAuditor}
		partner          = []watchlist.Role{watchlist.RolePartner}
	)
	r := func(method, path string, roles []watchlist.Role, fn fiber.Handler) routeEntry {
		return routeEntry{Route{method, path, roles}, fn}
	}
	return []routeEntry{
		r(http.MethodPost, "/v1/inspections", officer, h.inspect),
		r(http.MethodPost, "/v1/alerts", analyst, h.createAlert),
		r(http.MethodGet, "/v1/alerts", analyst, h.searchAlerts),
		r(http.MethodPost, "/v1/alerts/import", analyst, h.importAlerts),
		r(http.MethodGet, "/v1/alerts/:id", analystOrOfficer, h.getAlert),
		r(http.MethodPut, "/v1/alerts/:id", analyst, h.putAlert),
		r(http.MethodDelete, "/v1/alerts/:id", analyst, h.closeAlert),
		r(http.MethodGet, "/v1/crossings", analyst, h.crossingsOfDocument),
		r(http.MethodGet, "/v1/crossings/:id", analyst, h.getCrossing),
		r(http.MethodGet, "/v1/hits", analystOrOfficer, h.listHits),
		r(http.MethodGet, "/v1/hits/stream", analystOrOfficer, h.streamHits),
		r(http.MethodGet, "/v1/hits/:id", analystOrOfficer, h.getHit),
		r(http.MethodPost, "/v1/hits/:id/ack", analystOrOfficer, h.ackHit),
		r(http.MethodGet, "/v1/cluster", analystOrAdmin, h.clusterStatus),
		r(http.MethodPost, "/v1/cluster/join", admin, h.join),
		r(http.MethodPost, "/v1/cluster/remove", admin, h.remove),
		r(http.MethodGet, "/v1/cluster/backup", admin, h.backup),
		r(http.MethodPost, "/v1/cluster/restore", admin, h.restore),
		r(http.MethodPost, "/v1/tokens", admin, h.createToken),
		r(http.MethodGet, "/v1/tokens", admin, h.listTokens),
		r(http.MethodDelete, "/v1/tokens/:id", admin, h.revokeToken),
		r(http.MethodGet, "/metrics", admin, h.metrics),
		r(http.MethodGet, "/v1/openapi.json", watchlist.Roles, h.openAPI),
		r(http.MethodGet, "/v1/audit", auditor, h.listAudit),
		r(http.MethodGet, "/v1/audit/verify", auditor, h.verifyAudit),
		r(http.MethodPost, "/v1/alerts/:id/flag", analyst, h.flagAlert),
		r(http.MethodGet, "/v1/alerts/:id/flags", analyst, h.alertFlags),
		r(http.MethodGet, "/v1/federation/identity", analystOrAdmin, h.federationIdentity),
		r(http.MethodGet, "/v1/federation/partners", analystOrAdmin, h.listPartners),
		r(http.MethodPut, "/v1/federation/partners/:country", admin, h.putPartner),
		r(http.MethodDelete, "/v1/federation/partners/:country", admin, h.removePartner),
		r(http.MethodPost, "/v1/federation/partners/:country/query", analyst, h.queryPartner),
		r(http.MethodGet, "/v1/federation/queries", analyst, h.listQueries),
		r(http.MethodPost, "/v1/federation/partners/:country/details", analyst, h.requestDetails),
		r(http.MethodGet, "/v1/federation/details", analyst, h.listDetails),
		r(http.MethodPost, "/v1/federation/details/:country/:reference", analyst, h.decideDetails),
		r(http.MethodGet, "/v1/federation/alerts", partner, h.partnerFeed),
		r(http.MethodPost, "/v1/federation/messages", partner, h.partnerMessage),
		r(http.MethodPost, "/v1/federation/query", partner, h.partnerQuery),
	}
}

// Routes lists the authenticated endpoints and their roles.
func Routes() []Route {
	var out []Route
	for _, e := range routeTable(handlers{}) {
		out = append(out, e.Route)
	}
	return out
}

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI is the OpenAPI 3 document of the API.
func OpenAPI() []byte { return openAPIDocument }

func (h handlers) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDocument)
}

// metrics serves the Prometheus exposition (a scraper holds an admin
// token: the figures describe the whole node).
func (h handlers) metrics(c *fiber.Ctx) error {
	if h.Metrics == nil {
		return fiber.ErrNotFound
	}
	return adaptor.HTTPHandler(h.Metrics)(c)
}

func (h handlers) ready(c *fiber.Ctx) error {
	if err := h.Inspector.Ready(); err != nil {
		return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "not ready", "reason": err.Error()})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

func (h handlers) inspect(c *fiber.Ctx) error {
	req, err := watchlist.DecodeInspectionRequest(bytes.NewReader(c.Body()))
	if err != nil {
		return err
	}
	// The audit entry of a successful inspection is written with its
	// crossing record, in one synced write.
	entry := AuditEntryOf(c, routeAction(http.MethodPost, "/v1/inspections"))
	entry.Status = http.StatusOK
	in, err := h.Inspector.Inspect(c.UserContext(), req, &entry)
	if err != nil {
		return err
	}
	MarkAudited(c)
	return c.JSON(in)
}

func (h handlers) createAlert(c *fiber.Ctx) error {
	a, err := watchlist.DecodeAlert(c.Body())
	if err != nil {
		return err
	}
	if a.ID != "" {
		if _, err := h.Alerts.Alert(c.UserContext(), a.ID, cluster.Leader); err == nil {
			return fiber.NewError(http.StatusConflict, "an alert with this id exists: use PUT /v1/alerts/"+a.ID)
		}
	}
	out, err := h.Alerts.UpsertAlerts(c.UserContext(), []watchlist.Alert{a})
	if err != nil {
		return err
	}
	SetAuditDetail(c, "alert %s created", out[0].ID)
	c.Location("/v1/alerts/" + out[0].ID)
	return c.Status(http.StatusCreated).JSON(out[0])
}

func (h handlers) putAlert(c *fiber.Ctx) error {
	id := c.Params("id")
	old, err := h.Alerts.Alert(c.UserContext(), id, cluster.Leader)
	if err != nil {
		return err
	}
	if old.Origin != nil {
		return fmt.Errorf("%w: alert %s is owned by %s: only its owner changes it (flag it as not actionable here instead)", cluster.ErrRefused, id, old.Origin.Country)
	}
	a, err := watchlist.DecodeAlert(c.Body())
	if err != nil {
		return err
	}
	if a.ID != "" && a.ID != id {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "id", Reason: "differs from the id in the path"}}}
	}
	a.ID = id
	a.CreatedAt = old.CreatedAt
	out, err := h.Alerts.UpsertAlerts(c.UserContext(), []watchlist.Alert{a})
	if err != nil {
		return err
	}
	return c.JSON(out[0])
}

func (h handlers) getAlert(c *fiber.Ctx) error {
	level, err := cluster.ParseConsistency(c.Query("consistency"))
	if err != nil {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "consistency", Reason: "must be local, leader or linearizable"}}}
	}
	id := c.Params("id")
	if p := Principal(c); p.Role == watchlist.RoleOfficer {
		// An officer reads only the alerts hit at its post.
		hit, err := h.Records.AlertHitAtPost(id, p.Post)
		if err != nil {
			return err
		}
		if !hit {
			return errForbidden
		}
	}
	a, err := h.Alerts.Alert(c.UserContext(), id, level)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (h handlers) closeAlert(c *fiber.Ctx) error {
	if err := h.Alerts.CloseAlert(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (h handlers) getCrossing(c *fiber.Ctx) error {
	x, err := h.Records.Crossing(c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(x)
}

// crossingsOfDocument finds the crossings of a document for an
// investigator.
func (h handlers) crossingsOfDocument(c *fiber.Ctx) error {
	country, number := c.Query("document_country"), c.Query("document_number")
	r := queryReader{c: c}
	if len(strings.TrimSpace(country)) != 3 {
		r.fail("document_country", "the issuing country's three-letter ICAO code is required")
	}
	if watchlist.NormaliseDocumentNumber(number) == "" {
		r.fail("document_number", "is required")
	}
	limit := r.limit()
	if err := r.err(); err != nil {
		return err
	}
	cs, err := h.Records.CrossingsOfDocument(country, number, limit)
	if err != nil {
		return err
	}
	// The audit entry names the document's country only: the number is
	// personal data.
	SetAuditDetail(c, "%d crossings of a %s document", len(cs), strings.ToUpper(country))
	return c.JSON(fiber.Map{"crossings": cs})
}

func (h handlers) getHit(c *fiber.Ctx) error {
	x, err := h.hitFor(c)
	if err != nil {
		return err
	}
	return c.JSON(x)
}

// HitVisibleTo says whether the token may see the hit: an officer sees
// only its own post's hits.
func HitVisibleTo(t watchlist.Token, h watchlist.HitRecord) bool {
	return t.Role != watchlist.RoleOfficer || h.Post == t.Post
}

// hitFor reads the hit of the path, which an officer may see only if it
// happened at its post.
func (h handlers) hitFor(c *fiber.Ctx) (watchlist.HitRecord, error) {
	x, err := h.Records.Hit(c.Params("id"))
	if err != nil {
		return x, err
	}
	if !HitVisibleTo(Principal(c), x) {
		return watchlist.HitRecord{}, errForbidden
	}
	return x, nil
}

func (h handlers) ackHit(c *fiber.Ctx) error {
	if _, err := h.hitFor(c); err != nil {
		return err
	}
	var ack watchlist.Acknowledgement
	if err := decodeStrict(c.Body(), &ack); err != nil {
		return err
	}
	if err := h.Alerts.AckHit(c.UserContext(), c.Params("id"), ack); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (h handlers) clusterStatus(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"node": h.Membership.Status(), "members": h.Membership.Members(c.UserContext())})
}

type joinRequest struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Voter   bool   `json:"voter"`
}

func (h handlers) join(c *fiber.Ctx) error {
	var req joinRequest
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if err := h.Membership.Join(c.UserContext(), req.ID, req.Address, req.Voter); err != nil {
		return err
	}
	return c.JSON(h.Membership.Status())
}

func (h handlers) remove(c *fiber.Ctx) error {
	var req struct {
		ID string `json:"id"`
	}
	if err := decodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if req.ID == "" {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "id", Reason: "the node to remove is required"}}}
	}
	if err := h.Membership.Remove(c.UserContext(), req.ID); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// backup streams a snapshot of the node's store, taken once the node has
// applied everything committed (consistency=leader, the default), or
// everything a confirmed leader committed (linearizable), or at once
// (local). The stream ends with a checksum: a reader that did not get
// all of it knows.
func (h handlers) backup(c *fiber.Ctx) error {
	level := cluster.Leader
	if q := c.Query("consistency"); q != "" {
		var err error
		if level, err = cluster.ParseConsistency(q); err != nil {
			return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "consistency", Reason: "must be local, leader or linearizable"}}}
		}
	}
	snap, err := h.Backups.Backup(c.UserContext(), level)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.crossguard.snapshot")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="crossguard.snapshot"`)
	log := h.Logger
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer snap.Release()
		// A large store streams for longer than the server's write
		// timeout (set before the response is written: set it again).
		conn.SetWriteDeadline(time.Now().Add(StreamTimeout))
		if _, err := snap.WriteTo(w); err != nil {
			log.Error("backup stream cut off", "err", err)
			return
		}
		if err := w.Flush(); err != nil {
			log.Error("backup stream cut off", "err", err)
		}
	})
	return nil
}

// restore seeds the cluster from a backup streamed in the body.
func (h handlers) restore(c *fiber.Ctx) error {
	var body io.Reader = c.Request().BodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	force := false
	if q := c.Query("force"); q != "" {
		var err error
		if force, err = strconv.ParseBool(q); err != nil {
			c.Context().SetConnectionClose()
			return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "force", Reason: "must be true or false"}}}
		}
	}
	info, err := h.Backups.Restore(c.UserContext(), body, force)
	if err != nil {
		// The body may not have been read to its end: the connection
		// cannot carry another request.
		c.Context().SetConnectionClose()
		return err
	}
	return c.JSON(info)
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "", Reason: "invalid JSON: " + err.Error()}}}
	}
	return nil
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string                 `json:"type"`
	Title     string                 `json:"title"`
	Status    int                    `json:"status"`
	Detail    string                 `json:"detail,omitempty"`
	Errors    []watchlist.FieldError `json:"errors,omitempty"`
	RequestID string                 `json:"request_id,omitempty"`
}

// ProblemOf is the one place errors become HTTP statuses: the JSON API
// and the console answer the same status for the same error.
func ProblemOf(err error) Problem {
	p := Problem{Type: "about:blank", Status: http.StatusInternalServerError, Title: "internal error"}
	var ve *watchlist.ValidationError
	var fe *fiber.Error
	switch {
	case errors.As(err, &ve):
		p.Status, p.Title, p.Errors = http.StatusBadRequest, "invalid input", ve.Fields
	case errors.Is(err, watchlist.ErrInvalid):
		p.Status, p.Title, p.Detail = http.StatusBadRequest, "invalid input", err.Error()
	case errors.Is(err, ErrUnauthenticated):
		p.Status, p.Title, p.Detail = http.StatusUnauthorized, "unauthenticated", "send Authorization: Bearer <token> with a live token"
	case errors.Is(err, errForbidden):
		p.Status, p.Title, p.Detail = http.StatusForbidden, "forbidden", "this token's role may not do this"
	case errors.Is(err, errRateLimited):
		p.Status, p.Title, p.Detail = http.StatusTooManyRequests, "too many requests", "this token sends more requests than its rate limit allows"
	case errors.Is(err, watchlist.ErrDecided):
		p.Status, p.Title, p.Detail = http.StatusConflict, "already decided", err.Error()
	case errors.Is(err, watchlist.ErrReplayed):
		p.Type, p.Status, p.Title, p.Detail = federation.ReplayedType, http.StatusConflict, "replayed", err.Error()
	case errors.Is(err, federation.ErrRefused), errors.Is(err, watchlist.ErrOutOfOrder),
		errors.Is(err, watchlist.ErrNotOwner), errors.Is(err, watchlist.ErrNotShared):
		p.Status, p.Title, p.Detail = http.StatusUnprocessableEntity, "message refused", err.Error()
	case errors.Is(err, federation.ErrUnreachable):
		p.Status, p.Title, p.Detail = http.StatusBadGateway, "partner unreachable", err.Error()
	case errors.Is(err, watchlist.ErrNotFound):
		p.Status, p.Title = http.StatusNotFound, "not found"
	case errors.Is(err, cluster.ErrNoLeader):
		p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, "no leader reachable", "the change was not confirmed; it may be retried"
	case errors.Is(err, cluster.ErrRefused):
		p.Status, p.Title, p.Detail = http.StatusConflict, "refused", err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		p.Status, p.Title = http.StatusGatewayTimeout, "timed out"
	case errors.As(err, &fe):
		p.Status, p.Title = fe.Code, http.StatusText(fe.Code)
		if fe.Message != p.Title {
			p.Detail = fe.Message
		}
	}
	return p
}

// errorHandler writes ProblemOf(err) as application/problem+json.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := ProblemOf(err)
		switch p.Status {
		case http.StatusUnauthorized:
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="crossguard"`)
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			c.Set(fiber.HeaderRetryAfter, "1")
		}
		if rid, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
			p.RequestID = rid
		}
		if p.Status >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", p.Status, "request_id", p.RequestID, "err", err)
		}
		b, _ := json.Marshal(p)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.Status(p.Status).Send(b)
	}
}
