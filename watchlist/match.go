package watchlist

import (
	"fmt"
	"sort"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/watchlist/names"
)

// Traveller is one person presented at the border, as read from a
// document or typed by the officer.
type Traveller struct {
	Surname     string `json:"surname"`
	Given       string `json:"given,omitempty"`
	BirthDate   string `json:"birth_date,omitempty"` // YYYY-MM-DD, YYYY-MM or YYYY
	Sex         string `json:"sex,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	// Document is nil when the traveller presented none.
	Document *Document `json:"document,omitempty"`
}

// Validate names every invalid field of the traveller. Only a name is
// required: an officer can inspect a child with no document and no known
// birth date (the rules then say so).
func (t *Traveller) Validate() error {
	var p problems
	t.validate(&p, "")
	return p.err()
}

// validate adds the traveller's invalid fields to p and returns the
// canonical readings of its name, computed once for validation and for the
// probe.
func (t *Traveller) validate(p *problems, prefix string) []names.Name {
	var readings []names.Name
	if strings.TrimSpace(t.Surname+t.Given) == "" {
		p.add(prefix+"surname", "a name is required")
	} else if readings = names.FromParts(t.Surname, t.Given); len(readings) == 0 {
		p.add(prefix+"surname", "holds no letter that can be read")
	}
	if len(t.Surname)+len(t.Given) > 4*maxNameLen {
		p.add(prefix+"surname", "name too long")
	}
	if t.BirthDate != "" {
		if _, _, _, ok := parsePartialDate(t.BirthDate); !ok {
			p.add(prefix+"birth_date", "must be YYYY-MM-DD, YYYY-MM or YYYY, from 1900")
		}
	}
	switch t.Sex {
	case "", "F", "M", "X":
	default:
		p.add(prefix+"sex", "must be F, M or X")
	}
	if t.Nationality != "" && !ValidCountry(t.Nationality) {
		p.add(prefix+"nationality", "must be an ICAO 9303 three-letter country code")
	}
	if d := t.Document; d != nil {
		if NormaliseDocumentNumber(d.Number) == "" {
			p.add(prefix+"document.number", "required: letters and digits")
		}
		if d.Country != "" && !ValidCountry(normaliseCountry(d.Country)) {
			p.add(prefix+"document.country", "must be an ICAO 9303 three-letter country code")
		}
	}
	return readings
}

// maxProbeKeys bounds the keys of one traveller.
const maxProbeKeys = 128

// Probe is a traveller prepared for checking: canonical names and blocking
// keys computed once. Checking a probe that passes no bloom filter
// allocates nothing.
type Probe struct {
	keys [maxProbeKeys]key
	n    int
	// locs holds each key's bloom bit locations, hashes per key, computed
	// once for the filters' number of hash functions.
	locs       []uint64
	hashes     uint
	readings   []names.Name
	forms      []travellerForm // per reading, what scoring compares
	traveller  Traveller
	year       int
	month, day int
	docNumber  string
	docCountry string
}

// travellerForm is one reading of the traveller's name as scoring compares
// it, computed once per probe rather than once per candidate.
type travellerForm struct {
	name                         names.Name
	full, rev, letters, skeleton string
}

// NewProbe validates t and computes its blocking keys.
func (e *Engine) NewProbe(t Traveller) (*Probe, error) {
	var pr problems
	readings := t.validate(&pr, "")
	if err := pr.err(); err != nil {
		return nil, err
	}
	return e.newProbe(t, readings), nil
}

// newProbe builds the probe of a validated traveller from the canonical
// readings of its name.
func (e *Engine) newProbe(t Traveller, readings []names.Name) *Probe {
	p := &Probe{traveller: t, readings: readings}
	p.year, p.month, p.day, _ = parsePartialDate(t.BirthDate)
	add := func(k key) {
		for i := 0; i < p.n; i++ {
			if p.keys[i] == k {
				return
			}
		}
		if p.n < maxProbeKeys {
			p.keys[p.n] = k
			p.n++
		}
	}
	if t.Document != nil {
		p.docNumber = NormaliseDocumentNumber(t.Document.Number)
		p.docCountry = normaliseCountry(t.Document.Country)
		add(docKey(p.docNumber))
	}
	for _, n := range p.readings {
		sur, giv := strings.Join(n.Surname, ""), strings.Join(n.Given, "")
		p.forms = append(p.forms, travellerForm{name: n, full: sur + giv, rev: giv + sur,
			letters: sortedLetters(sur + giv), skeleton: names.Skeleton(sur + giv)})
	}
	for _, n := range p.readings {
		e.travellerNameKeys(p, n, add)
	}
	if k := e.filters.Load().hashes(); k > 0 {
		p.hashes = k
		p.locs = make([]uint64, 0, p.n*int(k))
		for i := 0; i < p.n; i++ {
			p.locs = append(p.locs, keyLocations(p.keys[i], k)...)
		}
	}
	return p
}

// travellerNameKeys adds the keys a traveller's name reading is looked up
// under. Fine keys (large filter) carry the full birth date, and the dates
// a hit still allows: the same day YearTolerance years apart, and day and
// month swapped. Coarse keys (small filter) find alerts that know only the
// year and month, only the year, or nothing.
func (e *Engine) travellerNameKeys(p *Probe, n names.Name, add func(key)) {
	y, m, d := p.year, p.month, p.day
	if y > 0 && m > 0 && d > 0 {
		skeletonKeys(n, birthPeriod(y, m, d), false, false, add)
		for dy := 1; dy <= e.cfg.YearTolerance; dy++ {
			for _, yy := range []int{y - dy, y + dy} {
				for _, sp := range n.Splits() {
					add(pairKey(sp, birthPeriod(yy, m, d), false))
				}
			}
		}
		if d <= 12 && d != m {
			for _, sp := range n.Splits() {
				add(pairKey(sp, birthPeriod(y, d, m), false))
			}
		}
		partDateKeys(n, p.traveller.BirthDate, add)
	}
	if y > 0 {
		months := []int{m}
		if m == 0 { // the document does not give the month: try them all
			months = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		}
		for _, mo := range months {
			skeletonKeys(n, birthPeriod(y, mo, 0), true, false, add)
			for dy := 1; dy <= e.cfg.YearTolerance && m > 0; dy++ {
				for _, sp := range n.Splits() {
					add(pairKey(sp, birthPeriod(y-dy, mo, 0), true))
					add(pairKey(sp, birthPeriod(y+dy, mo, 0), true))
				}
			}
		}
		skeletonKeys(n, birthPeriod(y, 0, 0), true, false, add)
	}
	skeletonKeys(n, birthPeriod(0, 0, 0), true, false, add)
}

// Hit is a traveller matching an alert.
type Hit struct {
	AlertID      string      `json:"alert_id"`
	Category     Category    `json:"category"`
	Score        float64     `json:"score"`
	Action       Action      `json:"action"`
	Instructions string      `json:"instructions,omitempty"`
	Owner        Owner       `json:"owner"`
	Explain      Explanation `json:"explain"`
	// Alert is the alert that was hit, for the rules and the caller.
	Alert *Alert `json:"-"`
}

// Explanation says what agreed between the traveller and the alert.
type Explanation struct {
	Document    string         `json:"document,omitempty"`
	Name        *NameAgreement `json:"name,omitempty"`
	BirthDate   string         `json:"birth_date,omitempty"`
	Sex         string         `json:"sex,omitempty"`
	Nationality string         `json:"nationality,omitempty"`
}

// NameAgreement explains a name comparison.
type NameAgreement struct {
	Method        string  `json:"method"`
	Similarity    float64 `json:"similarity"`
	AlertName     string  `json:"alert_name"`
	AlertReading  string  `json:"alert_reading"`
	TravellerName string  `json:"traveller_name"`

	transliterated bool
}

// Check returns the hits of the traveller on the active alerts valid on
// the given date, best first. A traveller whose keys pass no bloom filter
// is answered from memory.
func (e *Engine) Check(p *Probe, on time.Time) ([]Hit, error) {
	f := e.filters.Load()
	var pass [maxProbeKeys]key
	np := 0
	if k := p.hashes; k > 0 && k == f.hashes() {
		for i := 0; i < p.n; i++ {
			if f.mayContainAt(p.keys[i].coarse, p.locs[i*int(k):(i+1)*int(k)]) {
				pass[np] = p.keys[i]
				np++
			}
		}
	} else {
		for i := 0; i < p.n; i++ {
			if f.mayContain(p.keys[i]) {
				pass[np] = p.keys[i]
				np++
			}
		}
	}
	if np == 0 {
		return nil, nil
	}
	return e.checkStore(p, pass[:np], on)
}

func (e *Engine) checkStore(p *Probe, keys []key, on time.Time) ([]Hit, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	var hits []Hit
	err := e.db.View(func(txn *badger.Txn) error {
		found := map[string]candidate{}
		if err := candidates(txn, keys, found); err != nil {
			return err
		}
		for id, c := range found {
			summary, match, ok := splitIndexValue(c.value)
			if !ok {
				return fmt.Errorf("index entry of %s: %w", id, errMatchRecord)
			}
			if !c.viaDoc && !e.canHit(p, summary) {
				continue
			}
			rec, err := decodeMatchRecord(id, match)
			if err != nil {
				return fmt.Errorf("match record of %s: %w", id, err)
			}
			if !rec.activeOn(on) {
				continue
			}
			h, ok := e.score(p, &rec)
			if !ok {
				continue
			}
			// A hit: now read the alert itself, for the officer.
			a, found, err := getAlert(txn, id)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			h.Instructions, h.Owner, h.Alert = a.Instructions, a.Owner, &a
			hits = append(hits, h)
		}
		return nil
	})
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].AlertID < hits[j].AlertID
	})
	return hits, err
}

// canHit reports whether a candidate found by name could reach the hit
// threshold with a perfect name: the bound uses the very comparisons of
// score, so it never skips an alert that could hit.
func (e *Engine) canHit(p *Probe, s candidateSummary) bool {
	if !s.hasPerson {
		return false // a document alert hits by document only
	}
	birth, _ := compareBirth(p, s.birthDate)
	sex, _ := compareSex(p.traveller.Sex, s.sex)
	nat, _ := compareNationality(p.traveller.Nationality, s.nationalities)
	return roundScore(weightName+weightBirth*birth+weightSex*sex+weightNationality*nat) >= e.cfg.HitThreshold
}

// roundScore rounds a score to three decimals, as hits report it.
func roundScore(s float64) float64 { return float64(int(s*1000+0.5)) / 1000 }

// Score weights of a name-based hit; a document hit scores docScore.
const (
	weightName        = 0.55
	weightBirth       = 0.30
	weightSex         = 0.10
	weightNationality = 0.05
	docScore          = 0.95
	// phoneticFloor is the similarity given to names whose whole-name
	// skeletons agree: transliterations of one name (สมชาย ใจดี read as
	// SMCHAAY CCHAIDII, passport SOMCHAI JAIDEE) score as low as 0.65 on
	// Jaro-Winkler while sounding alike. Short skeletons agree by chance
	// (HUN VANNA and WANG FANG are both N-FN), so the floor needs at least
	// phoneticMinClasses consonant classes and a Jaro-Winkler of
	// phoneticMinJW.
	phoneticFloor      = 0.90
	phoneticMinClasses = 4
	phoneticMinJW      = 0.60
)

func (e *Engine) score(p *Probe, a *matchRecord) (Hit, bool) {
	h := Hit{AlertID: a.id, Category: a.category, Action: a.action}
	docHit := false
	if p.docNumber != "" {
		for _, d := range a.documents {
			if p.docCountry != "" && d.Country != "" && p.docCountry != d.Country {
				continue
			}
			if d.Number == p.docNumber {
				h.Explain.Document = "exact"
				docHit = true
				break
			}
			if ocrNormalise(d.Number) == ocrNormalise(p.docNumber) {
				h.Explain.Document = "equal after OCR normalisation"
				docHit = true
			}
		}
	}
	nameScore := 0.0
	if a.hasPerson {
		agree := bestName(p, a.names)
		if agree != nil {
			h.Explain.Name = agree
		}
		birth, birthNote := compareBirth(p, a.birthDate)
		sex, sexNote := compareSex(p.traveller.Sex, a.sex)
		nat, natNote := compareNationality(p.traveller.Nationality, a.nationalities)
		h.Explain.BirthDate, h.Explain.Sex, h.Explain.Nationality = birthNote, sexNote, natNote
		gate := e.cfg.NameThreshold
		if agree != nil && agree.transliterated {
			gate = e.cfg.NameThresholdTransliterated
		}
		if agree != nil && agree.Similarity >= gate {
			nameScore = weightName*agree.Similarity + weightBirth*birth + weightSex*sex + weightNationality*nat
		}
	}
	switch {
	case docHit && !a.hasPerson:
		h.Score = 1
	case docHit:
		h.Score = max(docScore, nameScore)
	default:
		h.Score = nameScore
	}
	h.Score = roundScore(h.Score)
	return h, h.Score >= e.cfg.HitThreshold
}

// bestName compares every reading of the traveller's name with every
// reading of every alert name and keeps the best agreement.
func bestName(p *Probe, alertNames []recName) *NameAgreement {
	var best *NameAgreement
	for _, tf := range p.forms {
		tn, tFull, tRev, tLetters, tSkel := tf.name, tf.full, tf.rev, tf.letters, tf.skeleton
		for _, pn := range alertNames {
			written := strings.TrimSpace(pn.written)
			for _, an := range pn.readings {
				for _, sp := range an.Splits() {
					aFull := sp.Surname + sp.Given
					var sim float64
					var method string
					switch {
					case aFull == tFull:
						sim, method = 1, "exact"
					case aFull == tRev:
						sim, method = 1, "exact, surname and given names swapped"
					case sortedLetters(aFull) == tLetters:
						sim, method = 0.98, "same letters, names in another order"
					default:
						s1 := names.Similarity(tFull, aFull)
						s2 := names.Similarity(tFull, sp.Given+sp.Surname)
						sim, method = max(s1, s2), "jaro-winkler"
						// Only an approximate transliteration earns the floor:
						// Latin is compared as written and pinyin is exact.
						approximate := an.Script != "Latin" && an.Script != "Han" && an.Script != ""
						if approximate && sim < phoneticFloor && sim >= phoneticMinJW && len(tSkel) >= phoneticMinClasses &&
							(names.Skeleton(aFull) == tSkel || names.Skeleton(sp.Given+sp.Surname) == tSkel) {
							sim, method = phoneticFloor, "phonetic skeleton"
						}
					}
					if an.Script != "Latin" && an.Script != "" {
						method += ", transliterated from " + an.Script
					}
					if best == nil || sim > best.Similarity {
						best = &NameAgreement{Method: method, Similarity: float64(int(sim*1000+0.5)) / 1000,
							AlertName: written, AlertReading: an.Full(), TravellerName: tn.Full(),
							transliterated: an.Script != "Latin" && an.Script != "" && an.Script != "Han"}
					}
				}
			}
		}
	}
	return best
}

// compareBirth weighs the birth dates. The weights are evidence: an exact
// date is 1 in ~20,000 for people of an age; a year alone 1 in 365 of
// that; a missing date is no evidence at all, so that an alert without
// one hits by name only when the name is exact and nothing contradicts.
func compareBirth(p *Probe, alertDate string) (float64, string) {
	ay, am, ad, ok := parsePartialDate(alertDate)
	if !ok || p.year == 0 {
		return 0.35, "unknown"
	}
	dy := p.year - ay
	if dy < 0 {
		dy = -dy
	}
	switch {
	case am == 0 && dy == 0:
		return 0.5, "partial: year agrees"
	case ad == 0 && dy == 0 && (p.month == am || p.month == 0):
		return 0.75, "partial: year and month agree"
	case dy == 0 && p.month == am && p.day == ad:
		return 1, "exact"
	case dy == 0 && p.month == ad && p.day == am:
		return 0.7, "day and month swapped"
	case dy == 1 && am != 0 && p.month == am && (ad == 0 || p.day == ad):
		return 0.6, "one year apart, same day"
	case dy <= 1:
		return 0.2, "close"
	}
	return 0, "differs"
}

func compareSex(t, a string) (float64, string) {
	if t == "" || a == "" || t == "X" || a == "X" {
		return 0.5, "unknown"
	}
	if t == a {
		return 1, "agrees"
	}
	return 0, "differs"
}

func compareNationality(t string, a []string) (float64, string) {
	if t == "" || len(a) == 0 {
		return 0.5, "unknown"
	}
	t = normaliseCountry(t)
	for _, c := range a {
		if c == t {
			return 1, "agrees"
		}
	}
	return 0, "differs"
}

// PassingFamilies names the key families of the probe that pass the bloom
// filters ("S", "W", "P", "D"; "coarse S" for the small filter); for
// measurements.
func (e *Engine) PassingFamilies(p *Probe) []string {
	f := e.filters.Load()
	var out []string
	for i := 0; i < p.n; i++ {
		if f.mayContain(p.keys[i]) {
			name := string(p.keys[i].fam)
			if p.keys[i].coarse {
				name = "coarse " + name
			}
			out = append(out, name)
		}
	}
	return out
}

// Keys returns how many blocking keys the probe has and how many of them
// pass the current bloom filters; for measurements.
func (e *Engine) Keys(p *Probe) (total, passing int) {
	f := e.filters.Load()
	for i := 0; i < p.n; i++ {
		if f.mayContain(p.keys[i]) {
			passing++
		}
	}
	return p.n, passing
}
