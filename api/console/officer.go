package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

// maxParty is the most travellers one party may hold on the page.
const maxParty = 20

// partyState is the party being built: it travels with the form as JSON
// in a hidden field, so a node restart or a second tab loses nothing.
type partyState struct {
	Direction  watchlist.Direction          `json:"direction"`
	Travellers []watchlist.RequestTraveller `json:"travellers"`
	Purpose    string                       `json:"purpose,omitempty"`
}

// partyRow is a traveller as the officer sees it before inspecting.
type partyRow struct {
	Index       int
	Name        string
	BirthDate   string
	Age         int
	Minor       bool
	Sex         string
	Nationality string
	Document    string
	Scanned     bool
	// Failed lists the MRZ checks that failed (a mistyped line).
	Failed []string
	// Adult is the adult the minor travels with (-1: none marked).
	Adult    int
	Relation string
	Consent  bool
}

type inspectView struct {
	Party      partyState
	PartyJSON  string
	Rows       []partyRow
	Adults     []partyRow
	MRZ        string
	Manual     watchlist.Traveller
	ManualDoc  watchlist.Document
	Errors     []watchlist.FieldError
	Result     *api.Inspection
	Demo       []DemoParty
	Relations  []string
	Directions []watchlist.Direction
}

func (c *console) inspectPage(ctx *fiber.Ctx) error {
	v := &inspectView{Party: partyState{Direction: watchlist.Exit}}
	return c.renderInspect(ctx, http.StatusOK, v, nil)
}

// inspect is every action of the officer's page: add a document or a
// typed traveller, remove one, load a demo party, clear, inspect.
func (c *console) inspect(ctx *fiber.Ctx) error {
	v := &inspectView{}
	if raw := ctx.FormValue("party"); raw != "" {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v.Party); err != nil || len(v.Party.Travellers) > maxParty {
			return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "party", Reason: "the party on the page is damaged: clear it and start again"}}})
		}
	}
	switch d := watchlist.Direction(ctx.FormValue("direction")); d {
	case watchlist.Entry, watchlist.Exit:
		v.Party.Direction = d
	case "":
		v.Party.Direction = watchlist.Exit
	default:
		return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "direction", Reason: "must be entry or exit"}}})
	}
	v.MRZ = ctx.FormValue("mrz")
	v.Manual = watchlist.Traveller{Surname: strings.TrimSpace(ctx.FormValue("surname")), Given: strings.TrimSpace(ctx.FormValue("given")),
		BirthDate: strings.TrimSpace(ctx.FormValue("birth_date")), Sex: strings.TrimSpace(ctx.FormValue("sex")),
		Nationality: strings.ToUpper(strings.TrimSpace(ctx.FormValue("nationality")))}
	v.ManualDoc = watchlist.Document{Type: strings.ToUpper(strings.TrimSpace(ctx.FormValue("doc_type"))),
		Country: strings.ToUpper(strings.TrimSpace(ctx.FormValue("doc_country"))), Number: strings.TrimSpace(ctx.FormValue("doc_number"))}
	rels, err := relationshipsOf(ctx, len(v.Party.Travellers))
	if err != nil {
		return c.fail(ctx, err)
	}

	op := ctx.FormValue("op")
	switch {
	case op == "clear":
		return c.renderInspect(ctx, http.StatusOK, &inspectView{Party: partyState{Direction: v.Party.Direction}}, nil)
	case strings.HasPrefix(op, "remove:"):
		i, err := strconv.Atoi(strings.TrimPrefix(op, "remove:"))
		if err == nil && i >= 0 && i < len(v.Party.Travellers) {
			v.Party.Travellers = append(v.Party.Travellers[:i], v.Party.Travellers[i+1:]...)
			rels = removeTraveller(rels, i)
		}
		return c.renderInspect(ctx, http.StatusOK, v, rels)
	case strings.HasPrefix(op, "demo:"):
		i, err := strconv.Atoi(strings.TrimPrefix(op, "demo:"))
		if err != nil || i < 0 || i >= len(c.Demo) {
			return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "op", Reason: "no such demo party"}}})
		}
		d := c.Demo[i].Request
		v.Party = partyState{Direction: d.Direction, Travellers: d.Travellers, Purpose: d.Purpose}
		return c.renderInspect(ctx, http.StatusOK, v, d.Relationships)
	case op == "add", op == "inspect":
		if strings.TrimSpace(v.MRZ) != "" || v.Manual.Surname != "" || v.Manual.Given != "" {
			if !c.addTraveller(v) {
				return c.renderInspect(ctx, http.StatusBadRequest, v, rels)
			}
		}
		if op == "add" {
			return c.renderInspect(ctx, http.StatusOK, v, rels)
		}
	default:
		return c.fail(ctx, &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "op", Reason: "unknown action"}}})
	}

	if len(v.Party.Travellers) == 0 {
		v.Errors = []watchlist.FieldError{{Field: "travellers", Reason: "scan or type at least one traveller"}}
		return c.renderInspect(ctx, http.StatusBadRequest, v, rels)
	}
	req := watchlist.InspectionRequest{Direction: v.Party.Direction, Travellers: v.Party.Travellers, Relationships: rels, Purpose: v.Party.Purpose}
	entry := api.AuditEntryOf(ctx, "POST "+prefix+"/inspect")
	entry.Status = http.StatusOK
	in, err := c.API.Inspector.Inspect(ctx.UserContext(), req, &entry)
	if err != nil {
		if pr := api.ProblemOf(err); pr.Status == http.StatusBadRequest {
			v.Errors = pr.Errors
			if len(v.Errors) == 0 {
				v.Errors = []watchlist.FieldError{{Reason: pr.Detail}}
			}
			return c.renderInspect(ctx, http.StatusBadRequest, v, rels)
		}
		return c.fail(ctx, err)
	}
	api.MarkAudited(ctx)
	v.Result = &in
	return c.renderInspect(ctx, http.StatusOK, v, rels)
}

// addTraveller adds the scanned MRZ or the typed traveller to the party;
// a document that cannot be read at all, or a typed traveller with bad
// fields, stays in the form with the reason.
func (c *console) addTraveller(v *inspectView) bool {
	if len(v.Party.Travellers) >= maxParty {
		v.Errors = []watchlist.FieldError{{Field: "travellers", Reason: fmt.Sprintf("a party has at most %d travellers", maxParty)}}
		return false
	}
	if text := strings.TrimSpace(v.MRZ); text != "" {
		d := mrz.Parse(text, c.now())
		if d.Surname == "" && d.GivenNames == "" {
			reason := "the machine readable zone could not be read"
			if len(d.Errors) > 0 {
				reason += ": " + d.Errors[0].Reason
			}
			v.Errors = []watchlist.FieldError{{Field: "mrz", Reason: reason}}
			return false
		}
		v.Party.Travellers = append(v.Party.Travellers, watchlist.RequestTraveller{MRZ: text})
		v.MRZ = ""
		return true
	}
	t := v.Manual
	if v.ManualDoc.Number != "" || v.ManualDoc.Country != "" {
		doc := v.ManualDoc
		if doc.Type == "" {
			doc.Type = "P"
		}
		t.Document = &doc
	}
	if err := t.Validate(); err != nil {
		v.Errors = api.ProblemOf(err).Errors
		return false
	}
	v.Party.Travellers = append(v.Party.Travellers, watchlist.RequestTraveller{Traveller: t})
	v.Manual, v.ManualDoc = watchlist.Traveller{}, watchlist.Document{}
	return true
}

// relationshipsOf reads the relationship fields of each minor: adult_<i>
// (empty: no adult marked), relation_<i>, consent_<i>. A value the form
// cannot have sent is refused, never guessed.
func relationshipsOf(ctx *fiber.Ctx, n int) ([]watchlist.Relationship, error) {
	var out []watchlist.Relationship
	var bad []watchlist.FieldError
	for i := 0; i < n; i++ {
		field := fmt.Sprintf("adult_%d", i)
		raw := ctx.FormValue(field)
		if raw == "" {
			continue
		}
		a, err := strconv.Atoi(raw)
		if err != nil || a < 0 || a >= n || a == i {
			bad = append(bad, watchlist.FieldError{Field: field, Reason: "must be another traveller of the party"})
			continue
		}
		rel := watchlist.Relation(ctx.FormValue(fmt.Sprintf("relation_%d", i)))
		switch rel {
		case watchlist.Parent, watchlist.Guardian, watchlist.Relative, watchlist.Other:
		default:
			bad = append(bad, watchlist.FieldError{Field: fmt.Sprintf("relation_%d", i), Reason: "must be parent, guardian, relative or other"})
			continue
		}
		out = append(out, watchlist.Relationship{Adult: a, Minor: i, Relation: rel, ConsentDocument: ctx.FormValue(fmt.Sprintf("consent_%d", i)) != ""})
	}
	if len(bad) > 0 {
		return nil, &watchlist.ValidationError{Fields: bad}
	}
	return out, nil
}

// removeTraveller drops the relationships of traveller i and renumbers
// the rest.
func removeTraveller(rels []watchlist.Relationship, i int) []watchlist.Relationship {
	var out []watchlist.Relationship
	for _, r := range rels {
		if r.Adult == i || r.Minor == i {
			continue
		}
		if r.Adult > i {
			r.Adult--
		}
		if r.Minor > i {
			r.Minor--
		}
		out = append(out, r)
	}
	return out
}

func (c *console) renderInspect(ctx *fiber.Ctx, status int, v *inspectView, rels []watchlist.Relationship) error {
	now := c.now()
	v.Rows = nil
	v.Adults = nil
	for i, t := range v.Party.Travellers {
		row := partyRow{Index: i, Adult: -1}
		tr := t.Traveller
		if strings.TrimSpace(t.MRZ) != "" {
			d := mrz.Parse(t.MRZ, now)
			tr = watchlist.MemberFromMRZ(d).Traveller
			row.Scanned = true
			for name, ok := range d.Checks {
				if !ok {
					row.Failed = append(row.Failed, name)
				}
			}
		}
		row.Name = strings.TrimSpace(tr.Surname + ", " + tr.Given)
		row.BirthDate, row.Sex, row.Nationality = tr.BirthDate, tr.Sex, tr.Nationality
		if tr.Document != nil {
			row.Document = tr.Document.Country + " " + tr.Document.Number
		}
		row.Age = watchlist.AgeOn(tr.BirthDate, now)
		row.Minor = row.Age >= 0 && row.Age < 18
		for _, r := range rels {
			if r.Minor == i {
				row.Adult, row.Relation, row.Consent = r.Adult, string(r.Relation), r.ConsentDocument
			}
		}
		v.Rows = append(v.Rows, row)
		if !row.Minor {
			v.Adults = append(v.Adults, row)
		}
	}
	b, err := json.Marshal(v.Party)
	if err != nil {
		return c.fail(ctx, err)
	}
	v.PartyJSON = string(bytes.TrimSpace(b))
	v.Demo = c.Demo
	v.Relations = []string{string(watchlist.Parent), string(watchlist.Guardian), string(watchlist.Relative), string(watchlist.Other)}
	v.Directions = []watchlist.Direction{watchlist.Exit, watchlist.Entry}
	return c.render(ctx, status, "inspect", c.newPage(ctx, "Inspect a party", v))
}
