// Package testbench generates realistic, reproducible border data for
// tests, benchmarks, the demo watchlist and load runs: alerts in their
// owners' scripts, travellers with passport spellings and valid machine
// readable zones, families and escorts, and a border day's traffic
// (Traffic, DayProfile) in which every traveller carries the ground truth
// (the alert it should hit, if any) so that a run can score the answers.
// Every output is a pure function of the seed (and of the index, for
// alerts), so runs can be repeated and alerts generated in parallel.
package testbench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

// Generator produces alerts and travellers from a seed.
type Generator struct {
	seed       uint64
	now        time.Time
	rng        *rand.Rand // for travellers and parties (a sequential stream)
	categories []categoryShare
}

// NewGenerator returns a generator for the seed; now anchors ages and
// document expiry dates. Its watchlists have a national register's
// category mix (WithCategories changes it).
func NewGenerator(seed uint64, now time.Time) *Generator {
	return &Generator{seed: seed, now: now, rng: rand.New(rand.NewPCG(seed, 0x7261766c6c6572)), categories: categoryMix}
}

// WithCategories gives the generator's watchlists another category mix:
// each category's weight (any positive numbers; a category left out has
// none). Alert i is still a pure function of the seed, i and the mix.
func (g *Generator) WithCategories(weights map[watchlist.Category]int) (*Generator, error) {
	var mix []categoryShare
	for _, m := range categoryMix { // the categories' order and actions
		w, ok := weights[m.cat]
		if !ok {
			continue
		}
		if w < 0 {
			return nil, fmt.Errorf("category %s: a weight must not be negative (%d)", m.cat, w)
		}
		mix = append(mix, categoryShare{m.cat, m.action, w})
	}
	for c := range weights {
		known := false
		for _, m := range categoryMix {
			known = known || m.cat == c
		}
		if !known {
			return nil, fmt.Errorf("category %q: not a category of alert", c)
		}
	}
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	if total == 0 {
		return nil, errors.New("category mix: at least one category needs a positive weight")
	}
	out := *g
	out.categories = mix
	return &out, nil
}

// ParseCategoryMix reads a category mix as "missing_child=30,lost_stolen_document=50".
func ParseCategoryMix(s string) (map[watchlist.Category]int, error) {
	out := map[watchlist.Category]int{}
	for _, part := range strings.Split(s, ",") {
		name, weight, ok := strings.Cut(strings.TrimSpace(part), "=")
		w, err := strconv.Atoi(weight)
		if !ok || err != nil {
			return nil, fmt.Errorf("category mix %q: write category=weight, e.g. missing_child=30", part)
		}
		out[watchlist.Category(name)] = w
	}
	return out, nil
}

// Identity is a generated person: the name as the owner's records write it
// and as the passport does, and the ground truth of birth date and
// document.
type Identity struct {
	Nationality string
	Script      string
	// Native is the name as written in the owner's script, surname first
	// or last as that culture writes it.
	Native string
	// Surname and Given are the passport's ICAO Latin.
	Surname, Given string
	BirthDate      time.Time
	Sex            string
	Document       watchlist.Document
}

// nationality mix of alerts and travellers: the Mekong sub-region.
var nationalities = []struct {
	code   string
	weight int
}{{"CHN", 40}, {"VNM", 20}, {"THA", 10}, {"LAO", 10}, {"KHM", 10}, {"MMR", 10}}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func pickNationality(r *rand.Rand) string {
	n := r.IntN(100)
	for _, c := range nationalities {
		if n < c.weight {
			return c.code
		}
		n -= c.weight
	}
	return "CHN"
}

// identity draws a person of the nationality aged between minAge and maxAge.
func (g *Generator) identity(r *rand.Rand, nat string, minAge, maxAge int) Identity {
	id := Identity{Nationality: nat, Sex: pick(r, []string{"F", "M"})}
	switch nat {
	case "CHN":
		s := pick(r, hanSurnames)
		g1 := pick(r, hanGiven)
		native, latinGiven := s.native+g1.native, g1.latin
		if r.IntN(4) > 0 { // most Chinese given names have two characters
			g2 := pick(r, hanGiven)
			native += g2.native
			latinGiven += g2.latin
		}
		id.Script, id.Native, id.Surname, id.Given = "Han", native, s.latin, latinGiven
	case "VNM":
		s := pick(r, vieSurnames)
		mid, giv := pick(r, vieMiddleM), pick(r, vieGivenM)
		if id.Sex == "F" {
			mid, giv = pick(r, vieMiddleF), pick(r, vieGivenF)
		}
		id.Script = "Latin"
		id.Native = s.native + " " + mid.native + " " + giv.native
		id.Surname, id.Given = s.latin, mid.latin+" "+giv.latin
	case "THA":
		giv, s1, s2 := pick(r, thaGiven), pick(r, thaSurnameParts), pick(r, thaSurnameParts)
		id.Script, id.Native, id.Surname, id.Given = "Thai", giv.native+" "+s1.native+s2.native, s1.latin+s2.latin, giv.latin
	case "LAO":
		giv, s1, s2 := pick(r, laoGiven), pick(r, laoSurnameParts), pick(r, laoSurnameParts)
		id.Script, id.Native, id.Surname, id.Given = "Lao", giv.native+" "+s1.native+s2.native, s1.latin+s2.latin, giv.latin
	case "KHM":
		s, giv := pick(r, khmSurnames), pick(r, khmGiven)
		id.Script, id.Native, id.Surname, id.Given = "Khmer", s.native+" "+giv.native, s.latin, giv.latin
	default: // MMR: two or three syllables, no surname
		n := 2 + r.IntN(2)
		var native, latin []string
		for i := 0; i < n; i++ {
			s := pick(r, mmrSyllables)
			native = append(native, s.native)
			latin = append(latin, s.latin)
		}
		id.Script, id.Native, id.Surname, id.Given = "Myanmar", strings.Join(native, ""), "", strings.Join(latin, " ")
	}
	age := minAge + r.IntN(maxAge-minAge+1)
	id.BirthDate = g.now.AddDate(-age, 0, -r.IntN(365))
	id.BirthDate = time.Date(id.BirthDate.Year(), id.BirthDate.Month(), id.BirthDate.Day(), 0, 0, 0, 0, time.UTC)
	return id
}

// documentNumber builds a passport number of the nationality. Alerts draw
// from the lower half of the number space and travellers from the upper
// half, so an innocent traveller's document is never on an alert by
// construction (only by the generator's intent).
func documentNumber(nat string, n uint64, alert bool) string {
	prefix := docPrefix[nat]
	digits := 9 - len(prefix)
	space := uint64(1)
	for i := 0; i < digits; i++ {
		space *= 10
	}
	half := space / 2
	v := (n*7919 + 12345) % half
	if !alert {
		v += half
	}
	return fmt.Sprintf("%s%0*d", prefix, digits, v)
}

// Category mix of a national watchlist: lost and stolen documents
// dominate, as in SIS and SLTD.
type categoryShare struct {
	cat    watchlist.Category
	action watchlist.Action
	weight int
}

var categoryMix = []categoryShare{
	{watchlist.LostStolenDocument, watchlist.ActionStop, 45},
	{watchlist.MissingChild, watchlist.ActionStop, 25},
	{watchlist.AbductedChild, watchlist.ActionStop, 5},
	{watchlist.ChildAtRisk, watchlist.ActionStop, 5},
	{watchlist.SuspectedTrafficker, watchlist.ActionRefer, 12},
	{watchlist.PersonOfInterest, watchlist.ActionReport, 8},
}

var agencies = map[string]string{"CHN": "Yunnan PSB", "VNM": "Lao Cai Immigration", "THA": "Royal Thai Police",
	"LAO": "Vientiane Immigration", "KHM": "Cambodian National Police", "MMR": "Myanmar Police Force"}

// alertRand is the random stream of alert i: alerts are independent of
// the order they are generated in.
func (g *Generator) alertRand(i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, uint64(i)+1<<40))
}

// AlertIdentity returns the person behind alert i (the ground truth).
func (g *Generator) AlertIdentity(i int) Identity {
	id, _ := g.alert(i)
	return id
}

// Alert returns alert i of the generated watchlist.
func (g *Generator) Alert(i int) watchlist.Alert {
	_, a := g.alert(i)
	return a
}

func (g *Generator) alert(i int) (Identity, watchlist.Alert) {
	r := g.alertRand(i)
	total := 0
	for _, m := range g.categories {
		total += m.weight
	}
	n := r.IntN(total)
	mix := g.categories[0]
	for _, m := range g.categories {
		if n < m.weight {
			mix = m
			break
		}
		n -= m.weight
	}
	nat := pickNationality(r)
	minAge, maxAge := 20, 65
	if mix.cat.ProtectsChild() {
		minAge, maxAge = 1, 17
	}
	id := g.identity(r, nat, minAge, maxAge)
	id.Document = watchlist.Document{Type: "P", Country: nat, Number: documentNumber(nat, uint64(i), true)}
	a := watchlist.Alert{
		ID:       fmt.Sprintf("G%09d", i),
		Category: mix.cat,
		Action:   mix.action,
		Owner:    watchlist.Owner{Country: nat, Agency: agencies[nat]},
		Status:   watchlist.StatusActive,
	}
	switch mix.cat {
	case watchlist.LostStolenDocument:
		a.Documents = []watchlist.Document{id.Document}
		a.Instructions = "Seize the document and establish the holder's identity."
		return id, a
	case watchlist.MissingChild, watchlist.AbductedChild:
		a.Instructions = "Keep the child safe and separate from the adults; call the owner's duty officer at once."
	case watchlist.ChildAtRisk:
		a.Instructions = "A court forbids this child to leave the country. Do not let the child pass; call child protection."
	case watchlist.SuspectedTrafficker:
		a.Instructions = "Secondary inspection: check every child travelling with this person."
	case watchlist.PersonOfInterest:
		a.Instructions = "Discreet check: let pass without comment and report the crossing."
	}
	p := &watchlist.Person{Names: []watchlist.PersonName{{Full: id.Native}}, Sex: id.Sex, Nationalities: []string{nat}}
	if r.IntN(2) == 0 && id.Surname != "" {
		p.Names = append(p.Names, watchlist.PersonName{Surname: id.Surname, Given: id.Given})
	}
	switch n := r.IntN(100); {
	case n < 80:
		p.BirthDate = id.BirthDate.Format(time.DateOnly)
	case n < 90:
		p.BirthDate = id.BirthDate.Format("2006-01")
	case n < 96:
		p.BirthDate = id.BirthDate.Format("2006")
	}
	a.Person = p
	if r.IntN(2) == 0 {
		a.Documents = []watchlist.Document{id.Document}
	}
	if r.IntN(3) == 0 {
		a.Share = []string{pickOther(r, nat)}
	}
	return id, a
}

func pickOther(r *rand.Rand, nat string) string {
	for {
		c := nationalities[r.IntN(len(nationalities))].code
		if c != nat {
			return c
		}
	}
}

// Alerts returns alerts [from, to).
func (g *Generator) Alerts(from, to int) []watchlist.Alert {
	out := make([]watchlist.Alert, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, g.Alert(i))
	}
	return out
}

// Traveller returns an innocent traveller (from the generator's sequential
// stream) aged between minAge and maxAge, with a document.
func (g *Generator) Traveller(minAge, maxAge int) Identity {
	nat := pickNationality(g.rng)
	id := g.identity(g.rng, nat, minAge, maxAge)
	id.Document = watchlist.Document{Type: "P", Country: nat, Number: documentNumber(nat, g.rng.Uint64(), false)}
	return id
}

// Member turns an identity into a party member as the officer's reader
// would: with the document and its expiry.
func (g *Generator) Member(id Identity) watchlist.Member {
	doc := id.Document
	return watchlist.Member{
		Traveller: watchlist.Traveller{Surname: id.Surname, Given: id.Given, BirthDate: id.BirthDate.Format(time.DateOnly),
			Sex: id.Sex, Nationality: id.Nationality, Document: &doc},
		DocumentExpiry: g.now.AddDate(3, 0, 0).Format(time.DateOnly),
	}
}

// MRZ writes the identity's passport machine readable zone (TD3), with
// valid check digits, expiring in three years.
func (g *Generator) MRZ(id Identity) string {
	return mrz.Compose(mrz.TD3, mrz.Fields{
		DocumentCode: "P", IssuingState: id.Nationality, Surname: id.Surname, GivenNames: id.Given,
		DocumentNumber: id.Document.Number, Nationality: id.Nationality, BirthDate: id.BirthDate,
		Sex: id.Sex, ExpiryDate: g.now.AddDate(3, 0, 0),
	})
}

// Variant is how a traveller's data differs from the alert that should hit.
type Variant string

// The variants of a true match.
const (
	VariantExact      Variant = "exact"
	VariantTypo       Variant = "typo in given name"
	VariantJoined     Variant = "given names joined or split"
	VariantSwapped    Variant = "surname and given names swapped"
	VariantYear       Variant = "birth year off by one"
	VariantOCRDoc     Variant = "document number misread by OCR"
	VariantTruncation Variant = "name truncated"
	// VariantRomanised is the name in another romanisation than the
	// owner's records used (Wade-Giles for Pinyin, another Thai, Lao or
	// Khmer system): the passport of another time or another issuer.
	VariantRomanised Variant = "another romanisation"
	// VariantPartialBirth is a traveller whose document gives the birth
	// year only (as some issuers do when the day is not known).
	VariantPartialBirth Variant = "birth date known by year only"
	// VariantNoBirth is a traveller whose document gives no birth date
	// at all (a child without birth registration, a date never known).
	VariantNoBirth Variant = "no birth date"
)

// Variants lists every variant.
var Variants = []Variant{VariantExact, VariantTypo, VariantJoined, VariantSwapped, VariantYear, VariantOCRDoc, VariantTruncation,
	VariantRomanised, VariantPartialBirth, VariantNoBirth}

// otherRomanisations are, per nationality, the spellings another
// romanisation system gives the same sounds, applied in order to a
// passport name. Written by hand from the systems themselves (Wade-Giles;
// older Thai, Lao and Khmer practice), not from watchlist/names.
var otherRomanisations = map[string]*strings.Replacer{
	"CHN": strings.NewReplacer("ZH", "CH", "CH", "CH", "SH", "SH", "XI", "HSI", "X", "HS", "Q", "CH", "IAN", "IEN", "ONG", "UNG", "R", "J", "Z", "TS", "C", "TS"),
	"VNM": strings.NewReplacer("UY", "UI", "Y", "I"),
	"THA": strings.NewReplacer("PH", "P", "TH", "T", "CH", "J", "AE", "E", "UE", "UI", "KH", "K"),
	"LAO": strings.NewReplacer("OU", "U", "X", "S", "PH", "P", "V", "W"),
	"KHM": strings.NewReplacer("EA", "IA", "OU", "U", "CH", "J", "Y", "I"),
	"MMR": strings.NewReplacer("TH", "T", "HT", "T", "KY", "CH", "AW", "AU"),
}

// Presented returns the traveller that alert i's person would present at
// the border, altered by the variant: the ground truth for recall.
func (g *Generator) Presented(i int, v Variant) watchlist.Member {
	id, a := g.alert(i)
	m := g.Member(id)
	if a.Category == watchlist.LostStolenDocument && v != VariantOCRDoc {
		v = VariantExact // only the document matters
	}
	switch v {
	case VariantTypo:
		m.Given = typo(m.Given, uint64(i))
	case VariantJoined:
		if strings.Contains(m.Given, " ") {
			m.Given = strings.ReplaceAll(m.Given, " ", "")
		} else if len(m.Given) > 4 {
			m.Given = m.Given[:len(m.Given)/2] + " " + m.Given[len(m.Given)/2:]
		}
	case VariantSwapped:
		m.Surname, m.Given = m.Given, m.Surname
	case VariantYear:
		m.BirthDate = id.BirthDate.AddDate(1, 0, 0).Format(time.DateOnly)
	case VariantOCRDoc:
		n := []byte(m.Document.Number)
		for k := len(n) - 1; k >= 0; k-- {
			if c, ok := map[byte]byte{'0': 'O', '1': 'I', '5': 'S', '8': 'B', '2': 'Z', '6': 'G'}[n[k]]; ok {
				n[k] = c
				break
			}
		}
		m.Document.Number = string(n)
	case VariantPartialBirth:
		m.BirthDate = id.BirthDate.Format("2006")
	case VariantNoBirth:
		m.BirthDate = ""
	case VariantRomanised:
		if r := otherRomanisations[id.Nationality]; r != nil {
			m.Surname, m.Given = r.Replace(m.Surname), r.Replace(m.Given)
		}
	case VariantTruncation:
		full := m.Surname + "  " + m.Given
		if len(full) > 16 {
			cut := strings.TrimSpace(full[:16])
			m.Surname, m.Given, _ = strings.Cut(cut, "  ")
		}
	}
	return m
}

// typo changes one letter of s (not the first).
func typo(s string, seed uint64) string {
	b := []byte(s)
	var letters []int
	for i := 1; i < len(b); i++ {
		if b[i] >= 'A' && b[i] <= 'Z' {
			letters = append(letters, i)
		}
	}
	if len(letters) == 0 {
		return s
	}
	k := letters[seed%uint64(len(letters))]
	if seed%2 == 0 {
		return string(append(b[:k:k], b[k+1:]...)) // drop a letter
	}
	b[k] = 'A' + byte((int(b[k]-'A')+1+int(seed%5))%26) // replace it
	return string(b)
}
