package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

// Inspector answers inspections from the local replica.
type Inspector interface {
	Inspect(ctx context.Context, req watchlist.InspectionRequest) (Inspection, error)
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
	Logger     *slog.Logger
	// RequestTimeout bounds every request (default 30 s).
	RequestTimeout time.Duration
}

// BodyLimit bounds a request body; the streamed endpoints (a restore)
// are not bounded.
const BodyLimit = 8 << 20

// streamed are the routes that read their body as a stream.
var streamed = map[string]bool{"/v1/cluster/restore": true}

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
		ReadTimeout:       d.RequestTimeout,
		WriteTimeout:      d.RequestTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorHandler:      errorHandler(d.Logger),
	})
	app.Use(requestid.New())
	app.Use(boundedBody(BodyLimit))
	app.Use(func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(context.Background(), d.RequestTimeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	})
	h := handlers{d}
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", h.ready)
	v1 := app.Group("/v1")
	v1.Post("/inspections", h.inspect)
	v1.Post("/alerts", h.createAlert)
	v1.Get("/alerts/:id", h.getAlert)
	v1.Put("/alerts/:id", h.putAlert)
	v1.Delete("/alerts/:id", h.closeAlert)
	v1.Get("/crossings/:id", h.getCrossing)
	v1.Get("/hits/:id", h.getHit)
	v1.Post("/hits/:id/ack", h.ackHit)
	v1.Get("/cluster", h.clusterStatus)
	v1.Post("/cluster/join", h.join)
	v1.Post("/cluster/remove", h.remove)
	v1.Get("/cluster/backup", h.backup)
	v1.Post("/cluster/restore", h.restore)
	return app
}

// boundedBody reads the body of every route but the streamed ones into
// memory, refusing one larger than limit.
func boundedBody(limit int) fiber.Handler {
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
	in, err := h.Inspector.Inspect(c.UserContext(), req)
	if err != nil {
		return err
	}
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
	c.Location("/v1/alerts/" + out[0].ID)
	return c.Status(http.StatusCreated).JSON(out[0])
}

func (h handlers) putAlert(c *fiber.Ctx) error {
	a, err := watchlist.DecodeAlert(c.Body())
	if err != nil {
		return err
	}
	id := c.Params("id")
	if a.ID != "" && a.ID != id {
		return &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "id", Reason: "differs from the id in the path"}}}
	}
	a.ID = id
	old, err := h.Alerts.Alert(c.UserContext(), id, cluster.Leader)
	if err != nil {
		return err
	}
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
	a, err := h.Alerts.Alert(c.UserContext(), c.Params("id"), level)
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

func (h handlers) getHit(c *fiber.Ctx) error {
	x, err := h.Records.Hit(c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(x)
}

func (h handlers) ackHit(c *fiber.Ctx) error {
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
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer snap.Release()
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

// problem is an RFC 9457 problem document.
type problem struct {
	Type      string                 `json:"type"`
	Title     string                 `json:"title"`
	Status    int                    `json:"status"`
	Detail    string                 `json:"detail,omitempty"`
	Errors    []watchlist.FieldError `json:"errors,omitempty"`
	RequestID string                 `json:"request_id,omitempty"`
}

// errorHandler is the one place errors become HTTP statuses.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := problem{Type: "about:blank", Status: http.StatusInternalServerError, Title: "internal error"}
		var ve *watchlist.ValidationError
		var fe *fiber.Error
		switch {
		case errors.As(err, &ve):
			p.Status, p.Title, p.Errors = http.StatusBadRequest, "invalid input", ve.Fields
		case errors.Is(err, watchlist.ErrInvalid):
			p.Status, p.Title, p.Detail = http.StatusBadRequest, "invalid input", err.Error()
		case errors.Is(err, watchlist.ErrNotFound):
			p.Status, p.Title = http.StatusNotFound, "not found"
		case errors.Is(err, cluster.ErrNoLeader):
			p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, "no leader reachable", "the change was not confirmed; it may be retried"
			c.Set(fiber.HeaderRetryAfter, "1")
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
