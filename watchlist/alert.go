package watchlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crossguard/crossguard/watchlist/names"
)

// Category is the kind of an alert.
type Category string

// The alert categories. The first three protect children.
const (
	MissingChild        Category = "missing_child"
	AbductedChild       Category = "abducted_child"
	ChildAtRisk         Category = "child_at_risk"
	SuspectedTrafficker Category = "suspected_trafficker"
	PersonOfInterest    Category = "person_of_interest"
	LostStolenDocument  Category = "lost_stolen_document"
)

var categories = []Category{MissingChild, AbductedChild, ChildAtRisk, SuspectedTrafficker, PersonOfInterest, LostStolenDocument}

// Categories lists the alert categories, the children's first.
func Categories() []Category { return append([]Category(nil), categories...) }

// Action is what the officer must do on a hit.
type Action string

// The actions: stop (do not let pass), refer (secondary inspection), report
// (a discreet check: let pass and report).
const (
	ActionStop   Action = "stop"
	ActionRefer  Action = "refer"
	ActionReport Action = "report"
)

// Status is whether an alert still hits.
type Status string

// Alert statuses. A closed alert is kept for audit but never hits.
const (
	StatusActive Status = "active"
	StatusClosed Status = "closed"
)

// Alert is the JSON contract of a watchlist alert; tools outside this
// repository read and write it.
type Alert struct {
	ID           string     `json:"id,omitempty"`
	Category     Category   `json:"category"`
	Person       *Person    `json:"person,omitempty"`
	Documents    []Document `json:"documents,omitempty"`
	Action       Action     `json:"action"`
	Instructions string     `json:"instructions,omitempty"`
	Owner        Owner      `json:"owner"`
	Share        []string   `json:"share,omitempty"`
	// QueryBy lists the partners that may ask whether a document or a
	// person is on this alert (hit or no hit) without receiving it.
	QueryBy    []string `json:"query_by,omitempty"`
	ValidUntil string   `json:"valid_until,omitempty"`
	Status     Status   `json:"status"`
	CreatedAt  string   `json:"created_at,omitempty"`
	UpdatedAt  string   `json:"updated_at,omitempty"`
	// Origin is set on a foreign alert only (a partner owns it): it is
	// set by the federation, never by a client.
	Origin *Origin `json:"origin,omitempty"`
}

// Person describes the person an alert is about.
type Person struct {
	Names         []PersonName `json:"names"`
	BirthDate     string       `json:"birth_date,omitempty"`
	Sex           string       `json:"sex,omitempty"`
	Nationalities []string     `json:"nationalities,omitempty"`
}

// PersonName is a name as written by the owner: either full, or surname
// and given names, in any script.
type PersonName struct {
	Full    string `json:"full,omitempty"`
	Surname string `json:"surname,omitempty"`
	Given   string `json:"given,omitempty"`
}

// Document identifies a travel document.
type Document struct {
	Type    string `json:"type"`
	Country string `json:"country"`
	Number  string `json:"number"`
}

// Owner is the country and agency that issued an alert and alone may
// change it.
type Owner struct {
	Country string `json:"country"`
	Agency  string `json:"agency"`
}

// Limits on free text, so that one alert cannot bloat the store.
const (
	maxIDLen           = 64
	maxNames           = 16
	maxNameLen         = 200
	maxDocuments       = 16
	maxInstructionsLen = 4000
	maxAgencyLen       = 200
	maxDocNumberLen    = 24
	// MaxAlertBytes bounds the JSON encoding of one alert.
	MaxAlertBytes = 64 << 10
)

// DecodeAlert reads one alert from JSON, refusing unknown fields (a
// misspelt "catgory" must not silently create an alert without a
// category), and validates it.
func DecodeAlert(data []byte) (Alert, error) {
	var a Alert
	if len(data) > MaxAlertBytes {
		return a, &ValidationError{Fields: []FieldError{{Field: "", Reason: fmt.Sprintf("alert is %d bytes, the limit is %d", len(data), MaxAlertBytes)}}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, &ValidationError{Fields: []FieldError{jsonFieldError(err)}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return a, &ValidationError{Fields: []FieldError{{Field: "", Reason: "trailing data after the alert"}}}
	}
	if a.Origin != nil {
		// Only the federation marks an alert as a partner's.
		return a, &ValidationError{Fields: []FieldError{{Field: "origin", Reason: "set by the federation only: a partner's alert comes from its owner"}}}
	}
	return a, a.Validate()
}

// jsonFieldError turns a decoding error into a field error with a path.
func jsonFieldError(err error) FieldError {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(document)"
		}
		return FieldError{Field: field, Reason: "must be " + jsonKind(typeErr.Type.Kind().String()) + ", got " + typeErr.Value}
	case errors.As(err, &syntaxErr):
		return FieldError{Field: "", Reason: fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, err)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return FieldError{Field: f, Reason: "unknown field"}
	}
	return FieldError{Field: "", Reason: "malformed JSON: " + err.Error()}
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "an array"
	case "struct", "ptr":
		return "an object"
	case "string":
		return "a string"
	}
	return "a " + k
}

// Validate checks the alert against the contract and returns a
// *ValidationError naming every invalid field, or nil.
func (a *Alert) Validate() error {
	_, err := a.validate()
	return err
}

// validate also returns the canonical readings of each person name, in
// order (nil without a person), computed once for validation and for the
// match record.
func (a *Alert) validate() ([][]names.Name, error) {
	var p problems
	var readings [][]names.Name
	switch {
	case a.Origin != nil:
		// A foreign alert: "CHN:<the owner's ID>", owned by its origin.
		if a.ID != ForeignID(a.Origin.Country, a.Origin.ID) || !validID(a.Origin.ID) {
			p.add("id", "a partner's alert is stored as COUNTRY:ID")
		}
		if a.Owner.Country != a.Origin.Country {
			p.add("owner.country", "a partner's alert is owned by the partner that shared it")
		}
	case a.ID != "" && !validID(a.ID):
		p.add("id", "must be 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
	case IsForeignID(a.ID):
		p.add("id", "the form COUNTRY:ID is kept for partners' alerts")
	}
	if !a.Category.valid() {
		p.add("category", "must be one of "+joinCategories())
	}
	switch {
	case a.Person == nil && a.Category != LostStolenDocument && a.Category.valid():
		p.add("person", "required for a "+string(a.Category)+" alert")
	case a.Person != nil:
		readings = a.Person.validate(&p)
	}
	if a.Category == LostStolenDocument && len(a.Documents) == 0 {
		p.add("documents", "a lost_stolen_document alert names at least one document")
	}
	if len(a.Documents) > maxDocuments {
		p.add("documents", fmt.Sprintf("at most %d documents", maxDocuments))
	}
	for i, d := range a.Documents {
		d.validate(&p, fmt.Sprintf("documents[%d]", i))
	}
	switch a.Action {
	case ActionStop, ActionRefer, ActionReport:
	case "":
		p.add("action", "required: stop, refer or report")
	default:
		p.add("action", "must be stop, refer or report")
	}
	if utf8.RuneCountInString(a.Instructions) > maxInstructionsLen {
		p.add("instructions", fmt.Sprintf("at most %d characters", maxInstructionsLen))
	}
	if !ValidCountry(a.Owner.Country) {
		p.add("owner.country", "must be an ICAO 9303 three-letter country code")
	}
	if strings.TrimSpace(a.Owner.Agency) == "" {
		p.add("owner.agency", "required")
	} else if utf8.RuneCountInString(a.Owner.Agency) > maxAgencyLen {
		p.add("owner.agency", fmt.Sprintf("at most %d characters", maxAgencyLen))
	}
	validPartners(&p, "share", a.Share, a.Owner.Country)
	validPartners(&p, "query_by", a.QueryBy, a.Owner.Country)
	if a.ValidUntil != "" {
		if _, err := time.Parse(time.DateOnly, a.ValidUntil); err != nil {
			p.add("valid_until", "must be a date YYYY-MM-DD")
		}
	}
	switch a.Status {
	case StatusActive, StatusClosed, "":
	default:
		p.add("status", "must be active or closed")
	}
	for _, f := range []struct{ name, v string }{{"created_at", a.CreatedAt}, {"updated_at", a.UpdatedAt}} {
		if f.v != "" {
			if _, err := time.Parse(time.RFC3339Nano, f.v); err != nil {
				p.add(f.name, "must be an RFC 3339 time")
			}
		}
	}
	return readings, p.err()
}

// validPartners checks a list of partner countries: codes, each once,
// never the owner's own.
func validPartners(p *problems, field string, list []string, owner string) {
	seen := map[string]bool{}
	for i, c := range list {
		switch {
		case !ValidCountry(c):
			p.add(fmt.Sprintf("%s[%d]", field, i), "must be an ICAO 9303 three-letter country code")
		case seen[c]:
			p.add(fmt.Sprintf("%s[%d]", field, i), "listed twice")
		case c == owner:
			p.add(fmt.Sprintf("%s[%d]", field, i), "the owner's own country")
		}
		seen[c] = true
	}
}

func (p *Person) validate(pr *problems) [][]names.Name {
	readings := make([][]names.Name, len(p.Names))
	if len(p.Names) == 0 {
		pr.add("person.names", "at least one name")
	}
	if len(p.Names) > maxNames {
		pr.add("person.names", fmt.Sprintf("at most %d names", maxNames))
	}
	for i, n := range p.Names {
		path := fmt.Sprintf("person.names[%d]", i)
		switch {
		case n.Full == "" && n.Surname == "" && n.Given == "":
			pr.add(path, "give full, or surname and given")
		case n.Full != "" && (n.Surname != "" || n.Given != ""):
			pr.add(path, "give either full or surname and given, not both")
		case utf8.RuneCountInString(n.Full+n.Surname+n.Given) > maxNameLen:
			pr.add(path, fmt.Sprintf("at most %d characters", maxNameLen))
		case !utf8.ValidString(n.Full + n.Surname + n.Given):
			pr.add(path, "not valid UTF-8")
		default:
			if readings[i] = n.readings(); len(readings[i]) == 0 {
				pr.add(path, "holds no letter that can be read")
			}
		}
	}
	if p.BirthDate != "" {
		if _, _, _, ok := parsePartialDate(p.BirthDate); !ok {
			pr.add("person.birth_date", "must be YYYY-MM-DD, YYYY-MM or YYYY, from 1900")
		}
	}
	switch p.Sex {
	case "", "F", "M", "X":
	default:
		pr.add("person.sex", "must be F, M or X")
	}
	for i, c := range p.Nationalities {
		if !ValidCountry(c) {
			pr.add(fmt.Sprintf("person.nationalities[%d]", i), "must be an ICAO 9303 three-letter country code")
		}
	}
	return readings
}

func (d Document) validate(p *problems, path string) {
	if len(d.Type) < 1 || len(d.Type) > 2 || !strings.ContainsRune("ACIPV", rune(d.Type[0])) ||
		(len(d.Type) == 2 && !(d.Type[1] >= 'A' && d.Type[1] <= 'Z')) {
		p.add(path+".type", "must be an ICAO document code: P, I, A, C or V, optionally followed by a letter")
	}
	if !ValidCountry(d.Country) {
		p.add(path+".country", "must be an ICAO 9303 three-letter country code")
	}
	n := NormaliseDocumentNumber(d.Number)
	switch {
	case n == "":
		p.add(path+".number", "required: letters and digits")
	case len(n) > maxDocNumberLen:
		p.add(path+".number", fmt.Sprintf("at most %d letters and digits", maxDocNumberLen))
	}
}

func (c Category) valid() bool {
	for _, k := range categories {
		if c == k {
			return true
		}
	}
	return false
}

// ProtectsChild reports whether the category is about a child's safety.
func (c Category) ProtectsChild() bool {
	return c == MissingChild || c == AbductedChild || c == ChildAtRisk
}

func joinCategories() string {
	s := make([]string, len(categories))
	for i, c := range categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !alnum && (i == 0 || !strings.ContainsRune("._:-", rune(c))) {
			return false
		}
	}
	return true
}

// readings are the canonical readings of one written name.
func (n PersonName) readings() []names.Name {
	if n.Full != "" {
		return names.FromFull(n.Full)
	}
	return names.FromParts(n.Surname, n.Given)
}

// NormaliseDocumentNumber keeps the letters and digits of a document
// number, upper-cased: "e 1234-5678" and "E12345678" are one document.
func NormaliseDocumentNumber(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parsePartialDate reads YYYY-MM-DD, YYYY-MM or YYYY (years from 1900;
// 2999 at most for a year alone); month and day are 0 when absent, and
// all three are 0 when s is not such a date. It allocates nothing, so
// that a check can read the dates of its candidates in place.
func parsePartialDate[T string | []byte](s T) (year, month, day int, ok bool) {
	digits := func(from, n int) int {
		v := 0
		for i := from; i < from+n; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	n := len(s)
	if n != 4 && n != 7 && n != 10 {
		return 0, 0, 0, false
	}
	year = digits(0, 4)
	if year < 1900 || (n == 4 && year > 2999) {
		return 0, 0, 0, false
	}
	if n >= 7 {
		month = digits(5, 2)
		if s[4] != '-' || month < 1 || month > 12 {
			return 0, 0, 0, false
		}
	}
	if n == 10 {
		day = digits(8, 2)
		// The last day of the month is day 0 of the next one.
		last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if s[7] != '-' || day < 1 || day > last {
			return 0, 0, 0, false
		}
	}
	return year, month, day, true
}
