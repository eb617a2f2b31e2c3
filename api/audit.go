package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/crossguard/crossguard/watchlist"
)

// Audit records every authenticated request and reads the audit log.
type Audit interface {
	RecordAudit(watchlist.AuditEntry) error
	Audit(q watchlist.AuditQuery) ([]watchlist.AuditEntry, uint64, error)
	VerifyAudit() (watchlist.AuditReport, error)
}

// auditDetailKey holds what a handler answered, for the audit entry;
// auditRecordedKey says the handler recorded the entry itself.
const (
	auditDetailKey   = "crossguard.audit.detail"
	auditRecordedKey = "crossguard.audit.recorded"
)

// AuditEntryOf is the audit entry of a request: who asked what.
func AuditEntryOf(c *fiber.Ctx, action string) watchlist.AuditEntry {
	p := Principal(c)
	entry := watchlist.AuditEntry{TokenID: p.ID, Role: p.Role, Post: p.Post, Action: action, Target: c.Params("id")}
	if rid, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		entry.RequestID = rid
	}
	return entry
}

// MarkAudited says the handler recorded the request's audit entry itself
// (an inspection writes it with its crossing record).
func MarkAudited(c *fiber.Ctx) { c.Locals(auditRecordedKey, true) }

// SetAuditDetail says what was answered (never a traveller's personal
// data: verdicts, IDs).
func SetAuditDetail(c *fiber.Ctx, format string, args ...any) {
	c.Locals(auditDetailKey, fmt.Sprintf(format, args...))
}

// Audited records the request once it is answered, refused or not, when
// it carried a live token: who, role, post, what was asked (the route and
// its object) and what was answered (the status and the handler's
// detail). The answer waits for the entry to be on disk: if it cannot be
// recorded, the caller gets an error, not an unaudited answer.
func Audited(a Audit, action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		chainErr := c.Next()
		if chainErr != nil {
			// Let the error handler write the answer now, so that its
			// status is known (as fiber's logger middleware does).
			if err := c.App().ErrorHandler(c, chainErr); err != nil {
				return err
			}
		}
		_, ok := c.Locals(principalKey).(watchlist.Token)
		if done, _ := c.Locals(auditRecordedKey).(bool); !ok || done || a == nil {
			return nil
		}
		entry := AuditEntryOf(c, action)
		entry.Status = c.Response().StatusCode()
		if d, ok := c.Locals(auditDetailKey).(string); ok {
			entry.Detail = d
		}
		if err := a.RecordAudit(entry); err != nil {
			c.Response().Reset()
			return c.App().ErrorHandler(c, fmt.Errorf("the audit entry could not be recorded: %w", err))
		}
		return nil
	}
}

func (h handlers) listAudit(c *fiber.Ctx) error {
	r := queryReader{c: c}
	q := watchlist.AuditQuery{TokenID: c.Query("token"), Since: r.time("since"), Until: r.time("until"),
		AfterSeq: r.seq("cursor", c.Query("cursor"), "must be a cursor from a previous page"), Limit: r.limit()}
	if err := r.err(); err != nil {
		return err
	}
	entries, next, err := h.Audit.Audit(q)
	if err != nil {
		return err
	}
	out := fiber.Map{"entries": entries}
	if next > 0 {
		out["next_cursor"] = strconv.FormatUint(next, 10)
	}
	if entries == nil {
		out["entries"] = []watchlist.AuditEntry{}
	}
	return c.JSON(out)
}

func (h handlers) verifyAudit(c *fiber.Ctx) error {
	r, err := h.Audit.VerifyAudit()
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !r.OK {
		status = http.StatusConflict
	}
	SetAuditDetail(c, "verified %d entries: ok=%t", r.Entries, r.OK)
	return c.Status(status).JSON(r)
}

// routeAction names a route in the audit log: "POST /v1/alerts/:id".
func routeAction(method, path string) string { return method + " " + strings.TrimSpace(path) }
