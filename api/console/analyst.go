package console

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
)

type alertsView struct {
	Query      watchlist.AlertQuery
	Alerts     []alertRow
	Next       string
	Categories []watchlist.Category
}

type alertRow struct {
	watchlist.Alert
	Names     string
	Documents string
}

func rowOf(a watchlist.Alert) alertRow {
	r := alertRow{Alert: a}
	var names, docs []string
	if a.Person != nil {
		for _, n := range a.Person.Names {
			if n.Full != "" {
				names = append(names, n.Full)
			} else {
				names = append(names, strings.TrimSpace(n.Surname+", "+n.Given))
			}
		}
	}
	for _, d := range a.Documents {
		docs = append(docs, d.Country+" "+d.Number)
	}
	r.Names, r.Documents = strings.Join(names, " · "), strings.Join(docs, " · ")
	return r
}

// alertsPage lists and searches the alerts (a name in any script, or a
// document number).
func (c *console) alertsPage(ctx *fiber.Ctx) error {
	q := watchlist.AlertQuery{Text: strings.TrimSpace(ctx.Query("q")), Category: watchlist.Category(ctx.Query("category")),
		Status: watchlist.Status(ctx.Query("status")), After: ctx.Query("cursor"), Limit: 50}
	alerts, next, err := c.API.Records.SearchAlerts(ctx.UserContext(), q)
	if err != nil {
		return c.fail(ctx, err)
	}
	v := alertsView{Query: q, Next: next, Categories: watchlist.Categories()}
	for _, a := range alerts {
		v.Alerts = append(v.Alerts, rowOf(a))
	}
	api.SetAuditDetail(ctx, "%d alerts", len(alerts))
	return c.render(ctx, http.StatusOK, "alerts", c.newPage(ctx, "Alerts", v))
}

// alertForm is an alert as its form shows it: three name rows and three
// document rows.
type alertForm struct {
	New           bool
	Alert         watchlist.Alert
	Names         []watchlist.PersonName
	Documents     []watchlist.Document
	BirthDate     string
	Sex           string
	Nationalities string
	Share         string
	// Flags are partners' "not actionable here" flags on an own alert.
	Flags      map[string]watchlist.FlagReport
	Errors     []watchlist.FieldError
	Categories []watchlist.Category
	Actions    []watchlist.Action
}

const formRows = 3

func formOf(a watchlist.Alert) *alertForm {
	f := &alertForm{Alert: a, Share: strings.Join(a.Share, " "), Categories: watchlist.Categories(),
		Actions: []watchlist.Action{watchlist.ActionStop, watchlist.ActionRefer, watchlist.ActionReport}}
	if a.Person != nil {
		f.Names = append(f.Names, a.Person.Names...)
		f.BirthDate, f.Sex, f.Nationalities = a.Person.BirthDate, a.Person.Sex, strings.Join(a.Person.Nationalities, " ")
	}
	f.Documents = append(f.Documents, a.Documents...)
	for len(f.Names) < formRows {
		f.Names = append(f.Names, watchlist.PersonName{})
	}
	for len(f.Documents) < formRows {
		f.Documents = append(f.Documents, watchlist.Document{})
	}
	return f
}

// alertOf reads the alert form.
func alertOf(ctx *fiber.Ctx) watchlist.Alert {
	val := func(k string) string { return strings.TrimSpace(ctx.FormValue(k)) }
	list := func(k string) []string {
		return strings.FieldsFunc(strings.ToUpper(val(k)), func(r rune) bool { return r == ',' || r == ' ' })
	}
	a := watchlist.Alert{Category: watchlist.Category(val("category")), Action: watchlist.Action(val("action")),
		Instructions: val("instructions"), Owner: watchlist.Owner{Country: strings.ToUpper(val("owner_country")), Agency: val("owner_agency")},
		Share: list("share"), ValidUntil: val("valid_until"), Status: watchlist.Status(val("status"))}
	if a.Status == "" {
		a.Status = watchlist.StatusActive
	}
	p := &watchlist.Person{BirthDate: val("birth_date"), Sex: strings.ToUpper(val("sex")), Nationalities: list("nationalities")}
	for i := 0; i < formRows; i++ {
		n := watchlist.PersonName{Full: val(fmt.Sprintf("name_full_%d", i)), Surname: val(fmt.Sprintf("name_surname_%d", i)), Given: val(fmt.Sprintf("name_given_%d", i))}
		if n != (watchlist.PersonName{}) {
			p.Names = append(p.Names, n)
		}
		d := watchlist.Document{Type: strings.ToUpper(val(fmt.Sprintf("doc_type_%d", i))), Country: strings.ToUpper(val(fmt.Sprintf("doc_country_%d", i))),
			Number: val(fmt.Sprintf("doc_number_%d", i))}
		if d.Number != "" || d.Country != "" {
			if d.Type == "" {
				d.Type = "P"
			}
			a.Documents = append(a.Documents, d)
		}
	}
	if len(p.Names) > 0 || p.BirthDate != "" || p.Sex != "" || len(p.Nationalities) > 0 {
		a.Person = p
	}
	return a
}

func (c *console) newAlertPage(ctx *fiber.Ctx) error {
	f := formOf(watchlist.Alert{Category: watchlist.MissingChild, Action: watchlist.ActionStop, Status: watchlist.StatusActive})
	f.New = true
	return c.render(ctx, http.StatusOK, "alert", c.newPage(ctx, "New alert", f))
}

func (c *console) createAlert(ctx *fiber.Ctx) error {
	a := alertOf(ctx)
	out, err := c.API.Alerts.UpsertAlerts(ctx.UserContext(), []watchlist.Alert{a})
	if err != nil {
		return c.alertFormFailed(ctx, a, true, err)
	}
	api.SetAuditDetail(ctx, "alert %s created", out[0].ID)
	return ctx.Redirect(prefix+"/alerts/"+out[0].ID+"?saved=1", http.StatusSeeOther)
}

// alertFormFailed shows the form again with what was typed and why it
// was refused (each field by its JSON path).
func (c *console) alertFormFailed(ctx *fiber.Ctx, a watchlist.Alert, isNew bool, err error) error {
	pr := api.ProblemOf(err)
	if pr.Status != http.StatusBadRequest {
		return c.fail(ctx, err)
	}
	f := formOf(a)
	f.New = isNew
	f.Errors = pr.Errors
	for i := range f.Errors {
		// UpsertAlerts names fields alerts[0].…: the form holds one.
		f.Errors[i].Field = strings.TrimPrefix(f.Errors[i].Field, "alerts[0].")
	}
	if len(f.Errors) == 0 {
		f.Errors = []watchlist.FieldError{{Reason: pr.Detail}}
	}
	title := "Edit alert"
	if isNew {
		title = "New alert"
	}
	return c.render(ctx, http.StatusBadRequest, "alert", c.newPage(ctx, title, f))
}

func (c *console) alertPage(ctx *fiber.Ctx) error {
	a, err := c.API.Alerts.Alert(ctx.UserContext(), ctx.Params("id"), cluster.Local)
	if err != nil {
		return c.fail(ctx, err)
	}
	f := formOf(a)
	if a.Origin == nil && c.API.Federation != nil {
		if f.Flags, err = c.API.Federation.Flags(a.ID); err != nil {
			return c.fail(ctx, err)
		}
	}
	p := c.newPage(ctx, "Edit alert", f)
	if ctx.Query("saved") != "" {
		p.Flash = p.T("Saved.")
	}
	return c.render(ctx, http.StatusOK, "alert", p)
}

func (c *console) updateAlert(ctx *fiber.Ctx) error {
	id := ctx.Params("id")
	old, err := c.API.Alerts.Alert(ctx.UserContext(), id, cluster.Leader)
	if err != nil {
		return c.fail(ctx, err)
	}
	a := alertOf(ctx)
	a.ID, a.CreatedAt = id, old.CreatedAt
	if _, err := c.API.Alerts.UpsertAlerts(ctx.UserContext(), []watchlist.Alert{a}); err != nil {
		return c.alertFormFailed(ctx, a, false, err)
	}
	return ctx.Redirect(prefix+"/alerts/"+id+"?saved=1", http.StatusSeeOther)
}

func (c *console) closeAlert(ctx *fiber.Ctx) error {
	if err := c.API.Alerts.CloseAlert(ctx.UserContext(), ctx.Params("id")); err != nil {
		return c.fail(ctx, err)
	}
	return ctx.Redirect(prefix+"/alerts/"+ctx.Params("id")+"?saved=1", http.StatusSeeOther)
}

func (c *console) importPage(ctx *fiber.Ctx) error {
	return c.render(ctx, http.StatusOK, "import", c.newPage(ctx, "Import alerts", (*api.ImportReport)(nil)))
}

// importAlerts stores an NDJSON file: sent as the body by the page's
// script (which shows the upload's progress), or as a form's file. The
// answer is the report (for the script, the report's HTML alone).
func (c *console) importAlerts(ctx *fiber.Ctx) error {
	var body io.Reader
	if strings.HasPrefix(string(ctx.Request().Header.ContentType()), "multipart/form-data") {
		fh, err := ctx.FormFile("file")
		if err != nil {
			return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "file", Reason: "choose an NDJSON file"}}})
		}
		f, err := fh.Open()
		if err != nil {
			return c.fail(ctx, err)
		}
		defer func(f multipart.File) { f.Close() }(f)
		body = f
	} else if body = ctx.Request().BodyStream(); body == nil {
		body = bytes.NewReader(ctx.Body())
	}
	// An import may outlast the request timeout: it has the API's stream
	// timeout.
	ictx, cancel := context.WithTimeout(context.Background(), api.StreamTimeout)
	defer cancel()
	rep, err := api.ImportAlerts(ictx, body, c.API.Alerts, c.now())
	if err != nil {
		ctx.Context().SetConnectionClose()
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "imported %d alerts; %d invalid lines of %d", rep.Imported, rep.Invalid, rep.Lines)
	p := c.newPage(ctx, "Import alerts", &rep)
	if ctx.Get("X-Requested-With") == "console" {
		return c.renderPart(ctx, "import-report", p)
	}
	return c.render(ctx, http.StatusOK, "import", p)
}

// renderPart writes one named template of a page, without the layout.
func (c *console) renderPart(ctx *fiber.Ctx, name string, p *page) error {
	var buf bytes.Buffer
	if err := c.parts.ExecuteTemplate(&buf, name, p); err != nil {
		c.log.Error("console fragment failed", "fragment", name, "err", err)
		return ctx.Status(http.StatusInternalServerError).SendString("the page could not be drawn")
	}
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	ctx.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return ctx.Send(buf.Bytes())
}

type hitsView struct {
	Hits     []watchlist.HitRecord
	Cursor   uint64
	Outcomes []string
}

var outcomes = []string{watchlist.OutcomeConfirmed, watchlist.OutcomeChildSafe, watchlist.OutcomeReferred, watchlist.OutcomeFalseAlarm, watchlist.OutcomeNotActionable}

// hitQuery is the hits a token may follow: an officer its own post's.
func hitQuery(ctx *fiber.Ctx) watchlist.HitQuery {
	q := watchlist.HitQuery{Unacknowledged: true, Limit: 200}
	if p := api.Principal(ctx); p.Role == watchlist.RoleOfficer {
		q.Post = p.Post
	}
	return q
}

// hitsPage is the work queue: every hit not yet acknowledged, oldest
// first; the page's script appends new hits as the cluster commits them.
func (c *console) hitsPage(ctx *fiber.Ctx) error {
	hits, cursor, err := c.API.Records.Hits(hitQuery(ctx))
	if err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "%d open hits", len(hits))
	return c.render(ctx, http.StatusOK, "hits", c.newPage(ctx, "Hits", hitsView{Hits: hits, Cursor: cursor, Outcomes: outcomes}))
}

// hitStream is the live feed of the hits page: each new hit as a table
// row, rendered here in the page's language.
func (c *console) hitStream(ctx *fiber.Ctx) error {
	q := hitQuery(ctx)
	q.Unacknowledged = false
	after, err := strconv.ParseUint(ctx.Query("after", ctx.Get("Last-Event-ID", "0")), 10, 64)
	if err != nil {
		return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "after", Reason: "must be the seq of a hit"}}})
	}
	q.AfterSeq = after
	p := c.newPage(ctx, "Hits", hitsView{Outcomes: outcomes})
	row := c.parts.Lookup("hit-row")
	api.SetAuditDetail(ctx, "live hit feed from seq %d", after)
	api.StreamHits(ctx, c.API.Records, q, c.API.Done, c.log, func(w *bufio.Writer, x watchlist.HitRecord) error {
		var buf bytes.Buffer
		if err := row.Execute(&buf, p.WithHit(x)); err != nil {
			return err
		}
		fmt.Fprintf(w, "id: %d\nevent: hit\n", x.Seq)
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			fmt.Fprintf(w, "data: %s\n", line)
		}
		_, err := fmt.Fprint(w, "\n")
		return err
	})
	return nil
}

func (c *console) ackHit(ctx *fiber.Ctx) error {
	id := ctx.Params("id")
	x, err := c.API.Records.Hit(id)
	if err != nil {
		return c.fail(ctx, err)
	}
	p := api.Principal(ctx)
	if !api.HitVisibleTo(p, x) {
		return c.fail(ctx, fiber.NewError(http.StatusForbidden, "an officer acknowledges the hits of its own post"))
	}
	by := p.Name
	if by == "" {
		by = p.ID
	}
	ack := watchlist.Acknowledgement{By: by, Outcome: ctx.FormValue("outcome"), Notes: strings.TrimSpace(ctx.FormValue("notes"))}
	if err := c.API.Alerts.AckHit(ctx.UserContext(), id, ack); err != nil {
		return c.fail(ctx, err)
	}
	api.SetAuditDetail(ctx, "hit %s acknowledged: %s", id, ack.Outcome)
	return ctx.Redirect(prefix+"/hits", http.StatusSeeOther)
}

type clusterView struct {
	Node    cluster.Status
	Members []cluster.MemberStatus
}

func (c *console) clusterPage(ctx *fiber.Ctx) error {
	v := clusterView{Node: c.API.Membership.Status(), Members: c.API.Membership.Members(ctx.UserContext())}
	return c.render(ctx, http.StatusOK, "cluster", c.newPage(ctx, "Cluster", v))
}

type auditView struct {
	Entries []watchlist.AuditEntry
	Next    uint64
	Report  *watchlist.AuditReport
}

// auditPage shows the audit log, newest page first by cursor, and
// verifies its chain on request.
func (c *console) auditPage(ctx *fiber.Ctx) error {
	var after uint64
	if s := ctx.Query("cursor"); s != "" {
		var err error
		if after, err = strconv.ParseUint(s, 10, 64); err != nil {
			return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "cursor", Reason: "must be a cursor from a previous page"}}})
		}
	}
	entries, next, err := c.API.Audit.Audit(watchlist.AuditQuery{AfterSeq: after, Limit: 100, TokenID: ctx.Query("token")})
	if err != nil {
		return c.fail(ctx, err)
	}
	v := auditView{Entries: entries, Next: next}
	if ctx.Query("verify") != "" {
		r, err := c.API.Audit.VerifyAudit()
		if err != nil {
			return c.fail(ctx, err)
		}
		v.Report = &r
		api.SetAuditDetail(ctx, "verified %d entries: ok=%t", r.Entries, r.OK)
	}
	return c.render(ctx, http.StatusOK, "audit", c.newPage(ctx, "Audit log", v))
}
