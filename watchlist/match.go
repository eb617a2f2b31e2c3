package watchlist

import (
	"cmp"
	"fmt"
	"slices"
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
	// span holds the fine keys of every date a document that gives only
	// the birth year (or year and month) allows: hundreds, for a rare
	// traveller, tested after keys (nil for everyone else).
	span []key
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
	counts                       [256]uint8 // of each byte in full
}

// addForm adds a reading of the traveller's name as scoring compares it.
func (p *Probe) addForm(n names.Name) {
	sur, giv := strings.Join(n.Surname, ""), strings.Join(n.Given, "")
	f := travellerForm{name: n, full: sur + giv, rev: giv + sur,
		letters: sortedLetters(sur + giv), skeleton: names.Skeleton(sur + giv)}
	for i := 0; i < len(f.full); i++ {
		if c := f.full[i]; f.counts[c] < 255 {
			f.counts[c]++
		}
	}
	p.forms = append(p.forms, f)
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
		p.addForm(n)
	}
	for i := range p.forms {
		e.travellerNameKeys(p, &p.forms[i], add)
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
func (e *Engine) travellerNameKeys(p *Probe, tf *travellerForm, add func(key)) {
	n := tf.name
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
	if y > 0 && d == 0 {
		// The document gives the year (and perhaps the month) only, as some
		// issuers do when the day is not known: the alerts that know the
		// whole date are looked up under every date the document allows
		// (a month's days, or a year's). Dozens to hundreds of bloom tests,
		// for a rare traveller; without them such a child would pass.
		first := time.Date(y, time.Month(max(m, 1)), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(1, 0, 0)
		if m > 0 {
			last = first.AddDate(0, 1, 0)
		}
		splits := n.Splits()
		pairs := make([][2]string, len(splits)) // the skeletons, once
		for i, sp := range splits {
			pairs[i][0], pairs[i][1] = sortedPair(names.Skeleton(sp.Surname), names.Skeleton(sp.Given))
		}
		for day := first; day.Before(last); day = day.AddDate(0, 0, 1) {
			period := birthPeriod(day.Year(), int(day.Month()), day.Day())
			for _, pr := range pairs {
				p.span = append(p.span, key{hash: hashKey(famPair, pr[0], pr[1], period), fam: famPair})
			}
		}
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
		// An alert that knows only the year is indexed under the years
		// either side too (recordKeys): one look-up finds it a year out.
		skeletonKeys(n, birthPeriod(y, 0, 0), true, false, add)
		// Its long name parts and the year find it when the other part
		// is misspelt or truncated.
		partYearKeys(n, y, add)
	}
	// Alerts without a birth date: their exact letters always; their
	// whole-name skeletons only when a name of other letters could still
	// hit one (undatedMayHitInexact).
	inexact := e.undatedMayHitInexact(p, tf)
	if inexact {
		skeletonKeys(n, birthPeriod(0, 0, 0), true, false, add)
	} else {
		add(lettersKey(n, birthPeriod(0, 0, 0)))
	}
	// A document without a birth date: the alerts that know one, by
	// their any-date keys, under the same rule (the date weighs as
	// unknown either way).
	if y == 0 {
		add(anyDateKey(tf.letters))
		if inexact {
			for _, sp := range n.Splits() {
				add(anyDateSkeletonKey(names.Skeleton(sp.Surname + sp.Given)))
			}
		}
	}
}

// undatedMayHitInexact reports whether an alert without a birth date
// could be hit by a name that is not the traveller's reading tf in its
// letters (the same letters, in any order, are found by the letters key).
// With no date to weigh, such a hit needs a name similarity near 1 at the
// default thresholds, and Jaro-Winkler bounds how near two different
// names come: for different strings, one of n letters, either a letter of
// one is left unmatched or two matched letters are out of order, so Jaro
// is at most 1 - 1/(3(n+1)), and Winkler's prefix bonus adds at most 0.4
// of what Jaro leaves: at most 1 - 0.2/(n+1) (TestInexactSimilarityBound).
// A short name therefore cannot hit an undated alert unless its letters
// are the alert's; a long one, or thresholds configured lower, can, and
// is looked up under the skeleton too. The bound takes the other fields
// at their best, and the phonetic floor where the skeleton allows it.
func (e *Engine) undatedMayHitInexact(p *Probe, tf *travellerForm) bool {
	best := inexactSimilarityBound(len(tf.full))
	if len(tf.skeleton) >= phoneticMinClasses {
		best = max(best, phoneticFloor)
	}
	birth, _ := compareBirth(p, "")
	return roundScore(weightName*best+weightBirth*birth+weightSex+weightNationality)+scoreMargin >= e.cfg.HitThreshold
}

// inexactSimilarityBound is the highest Jaro-Winkler similarity (as
// names.Similarity computes it) between a name of n letters and any other
// string: 1 - 0.2/(n+1).
func inexactSimilarityBound(n int) float64 { return 1 - 0.2/float64(n+1) }

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
			if f.mayContainAt(p.keys[i].filter(), p.locs[i*int(k):(i+1)*int(k)]) {
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
	passing := pass[:np]
	for _, k := range p.span {
		if f.mayContain(k) {
			passing = append(passing, k)
		}
	}
	if len(passing) == 0 {
		return nil, nil
	}
	return e.checkStore(p, passing, on)
}

func (e *Engine) checkStore(p *Probe, keys []key, on time.Time) ([]Hit, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	var hits []Hit
	err := e.view(func(txn *badger.Txn) error {
		// Each candidate is judged where the iterator finds it, from the
		// value in place (no copy), and once: document keys are read
		// first, because a candidate found by its document is scored even
		// when its summary says a name match could not hit.
		seen := make(map[string]struct{}, 16)
		var rec matchRecord
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: []byte{tagIndex}})
		defer it.Close()
		for _, byDoc := range [2]bool{true, false} {
			for _, k := range keys {
				if (k.fam == famDocument) != byDoc {
					continue
				}
				prefix := indexPrefix(k)
				for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
					item := it.Item()
					id := item.Key()[len(prefix):]
					if _, dup := seen[string(id)]; dup {
						continue
					}
					seen[string(id)] = struct{}{}
					var h Hit
					var hit bool
					if err := item.Value(func(v []byte) (err error) {
						h, hit, err = e.judge(p, id, v, byDoc, on, &rec)
						return err
					}); err != nil {
						return err
					}
					if !hit {
						continue
					}
					// A hit: now read the alert itself, for the officer.
					a, found, err := getAlert(txn, h.AlertID)
					if err != nil {
						return err
					}
					if !found {
						continue
					}
					h.Instructions, h.Owner, h.Alert = a.Instructions, a.Owner, &a
					hits = append(hits, h)
				}
			}
		}
		return nil
	})
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.AlertID, b.AlertID)
	})
	return hits, err
}

// judge scores one candidate from the value of its index entry, which is
// valid only during the call: what it returns is copied out of it. rec
// is scratch space, reused from one candidate to the next.
func (e *Engine) judge(p *Probe, id, value []byte, byDoc bool, on time.Time, rec *matchRecord) (Hit, bool, error) {
	match, worth, err := e.worthScoring(p, value, byDoc)
	if err != nil {
		return Hit{}, false, fmt.Errorf("index entry of %s: %w", id, err)
	}
	if !worth {
		return Hit{}, false, nil
	}
	// The ID is copied only for a hit.
	if err := rec.decode("", match); err != nil {
		return Hit{}, false, fmt.Errorf("match record of %s: %w", id, err)
	}
	if !rec.activeOn(on) {
		return Hit{}, false, nil
	}
	h, hit := e.score(p, rec)
	if hit {
		h.AlertID = string(id)
	}
	return h, hit, nil
}

// worthScoring reads the summary at the start of an index value and
// returns the match record that follows it, and false when a candidate
// found by name alone could not reach the hit threshold. It allocates
// nothing.
func (e *Engine) worthScoring(p *Probe, value []byte, byDoc bool) (match []byte, worth bool, err error) {
	s, match, ok := splitIndexValue(value)
	if !ok {
		return nil, false, errMatchRecord
	}
	return match, byDoc || e.canHit(p, s), nil
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
	nat, _ := nationalityAgreement(p.traveller.Nationality, s.nNationality, s.hasNationality)
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
	// phoneticMinJW. At 0.91 such a name hits when only the birth year is
	// known (0.55·0.91 + 0.30·0.5 + sex + nationality = 0.801): a child
	// without a registered birth date is as likely as any to be written
	// in another spelling; at 0.90 it fell 0.005 short.
	phoneticFloor      = 0.91
	phoneticMinClasses = 4
	phoneticMinJW      = 0.60
)

func (e *Engine) score(p *Probe, a *matchRecord) (Hit, bool) { return e.scoreWith(p, a, true) }

// scoreWith scores a candidate; prune lets bestName skip names that
// cannot matter (false only to test that skipping changes nothing).
func (e *Engine) scoreWith(p *Probe, a *matchRecord, prune bool) (Hit, bool) {
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
	var agree nameChoice
	if a.hasPerson {
		birth, birthNote := compareBirth(p, a.birthDate)
		sex, sexNote := compareSex(p.traveller.Sex, a.sex)
		nat, natNote := compareNationality(p.traveller.Nationality, a.nationalities)
		h.Explain.BirthDate, h.Explain.Sex, h.Explain.Nationality = birthNote, sexNote, natNote
		// Unless the document hit (whose explanation shows the best name
		// however poor), a name can only matter if it reaches both the
		// lower gate and what the other fields leave to reach the hit
		// threshold; bestName need not compare names that cannot.
		need := 0.0
		if !docHit && prune {
			need = max(min(e.cfg.NameThreshold, e.cfg.NameThresholdTransliterated),
				(e.cfg.HitThreshold-weightBirth*birth-weightSex*sex-weightNationality*nat)/weightName)
		}
		agree = bestName(p, a.names, need, e.cfg.NamePartThreshold)
		gate := e.cfg.NameThreshold
		if agree.transliterated() {
			gate = e.cfg.NameThresholdTransliterated
		}
		if agree.found() && agree.sim >= gate {
			nameScore = weightName*agree.sim + weightBirth*birth + weightSex*sex + weightNationality*nat
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
	if h.Score < e.cfg.HitThreshold {
		return h, false
	}
	h.Explain.Name = agree.explain() // only for a hit: it allocates
	return h, true
}

// nameChoice is the best agreement between the traveller's names and an
// alert's, before it is explained.
type nameChoice struct {
	sim     float64 // rounded, as reported
	method  string
	form    *travellerForm
	name    *recName
	reading *names.Name
	// givenFrom, when set, is the reading the given names were taken
	// from, the surname being reading's (a mixed romanisation).
	givenFrom *names.Name
}

func (c *nameChoice) found() bool { return c.form != nil }

// transliterated reports whether the alert's name was read from a script
// other than Latin by approximate transliteration (pinyin is exact).
func (c *nameChoice) transliterated() bool {
	return c.found() && c.reading.Script != "Latin" && c.reading.Script != "" && c.reading.Script != "Han"
}

// explain writes the agreement out for the officer; nil when no name was
// compared.
func (c *nameChoice) explain() *NameAgreement {
	if !c.found() {
		return nil
	}
	method := c.method
	if c.reading.Script != "Latin" && c.reading.Script != "" {
		method += ", transliterated from " + c.reading.Script
	}
	reading := c.reading.Full()
	if c.givenFrom != nil {
		method += " (surname and given names in different romanisations)"
		reading = strings.Join(append(slices.Clip(c.reading.Surname), c.givenFrom.Given...), " ")
	}
	return &NameAgreement{Method: method, Similarity: c.sim,
		AlertName: strings.TrimSpace(c.name.written), AlertReading: reading, TravellerName: c.form.name.Full(),
		transliterated: c.transliterated()}
}

// mixedRomanisation reports whether a Han name's surname as read in
// reading a, followed by its given names as read in reading g, is a
// spelling neither reading gives: Taiwan's passports allow a family to
// keep its surname's customary Wade-Giles (CHANG) while a child's given
// name is written in pinyin, or the other way round, so that 耿融倩 may
// be printed GENG JUNGCHIEN as well as GENG RONGQIAN and KENG JUNGCHIEN.
func mixedRomanisation(a, g *names.Name) bool {
	return a != g && a.Script == "Han" && g.Script == "Han" && a.Ordered && g.Ordered &&
		len(a.Surname) > 0 && len(g.Given) > 0 &&
		!slices.Equal(a.Surname, g.Surname) && !slices.Equal(a.Given, g.Given)
}

// bestName compares every reading of the traveller's name with every
// reading of every alert name (and, for a Han name, with the surname of
// one reading before the given names of another: mixedRomanisation) and
// keeps the best agreement. Pairs whose similarity cannot reach need are
// not compared: the choice is then the best of the others, and only
// matters when it reaches need.
func bestName(p *Probe, alertNames []recName, need, partFloor float64) nameChoice {
	var best nameChoice
	for fi := range p.forms {
		tf := &p.forms[fi]
		for ni := range alertNames {
			pn := &alertNames[ni]
			for ri := range pn.readings {
				an := &pn.readings[ri]
				for _, sp := range an.Splits() {
					best.consider(tf, pn, an, nil, sp.Surname, sp.Given, need, partFloor)
				}
				for gi := range pn.readings {
					if g := &pn.readings[gi]; mixedRomanisation(an, g) {
						best.consider(tf, pn, an, g, strings.Join(an.Surname, ""), strings.Join(g.Given, ""), need, partFloor)
					}
				}
			}
		}
	}
	return best
}

// consider compares the traveller's form tf with one spelling of an alert
// name (surname, given, from reading an, the given names from givenFrom
// when not nil) and keeps it in c when it agrees better. A Jaro-Winkler
// agreement that would count is checked part by part (partsAgree) and,
// when a part disagrees, falls to that part's similarity.
func (c *nameChoice) consider(tf *travellerForm, pn *recName, an, givenFrom *names.Name, surname, given string, need, partFloor float64) {
	var full, rev [64]byte
	// Only an approximate transliteration earns the phonetic floor: Latin
	// is compared as written and pinyin is exact.
	approximate := an.Script != "Latin" && an.Script != "Han" && an.Script != ""
	aFull := append(append(full[:0], surname...), given...)
	var sim float64
	var method string
	switch {
	case string(aFull) == tf.full:
		sim, method = 1, "exact"
	case string(aFull) == tf.rev:
		sim, method = 1, "exact, surname and given names swapped"
	case sameLetters(tf.letters, aFull):
		sim, method = 0.98, "same letters, names in another order"
	case !mayReach(tf, aFull, approximate, need):
		return
	default:
		aRev := append(append(rev[:0], given...), surname...)
		s1 := names.Similarity(tf.full, string(aFull))
		s2 := names.Similarity(tf.full, string(aRev))
		sim, method = max(s1, s2), "jaro-winkler"
		if approximate && sim < phoneticFloor && sim >= phoneticMinJW && len(tf.skeleton) >= phoneticMinClasses &&
			(names.Skeleton(string(aFull)) == tf.skeleton || names.Skeleton(string(aRev)) == tf.skeleton) {
			sim, method = phoneticFloor, "phonetic skeleton"
		} else if sim >= need && sim > c.sim {
			if agree, weaker := partsAgree(tf, surname, given, partFloor); !agree {
				sim, method = min(sim, weaker), "jaro-winkler, one part disagrees"
			}
		}
	}
	if !c.found() || sim > c.sim {
		*c = nameChoice{sim: float64(int(sim*1000+0.5)) / 1000, method: method, form: tf, name: pn, reading: an, givenFrom: givenFrom}
	}
}

// partsAgree reports whether both parts of the traveller's name agree
// with an alert's spelling (surname, given) when set side by side,
// surname against surname or against the given names, for some split of
// the traveller's name: each part's Jaro-Winkler reaches partFloor
// (Config.NamePartThreshold), or the part is within one edit of the
// alert's. weaker is then, or else for the best arrangement, the
// similarity of the part that agrees less. A side that lacks one of the
// parts agrees (nothing to set side by side).
//
// On the joined name, a long part that agrees carries a part that does
// not: TRUONG BAO NHUNG against TRUONG QUANG VINH is 0.90, SOULITHPHONE
// VANH against PHOUVONG SOULITHPHONE 0.92. A typo or the MRZ's truncation
// leaves the part it touches near the original (SURA for SURACHAI 0.90;
// TO for TAO, 0.61 on Jaro-Winkler, one edit).
func partsAgree(tf *travellerForm, surname, given string, partFloor float64) (agree bool, weaker float64) {
	if partFloor <= 0 || surname == "" || given == "" {
		return true, 1
	}
	weaker = -1
	for _, sp := range tf.name.Splits() {
		if sp.Surname == "" || sp.Given == "" {
			continue
		}
		for _, pair := range [2][2]string{{surname, given}, {given, surname}} {
			s1, s2 := names.Similarity(sp.Surname, pair[0]), names.Similarity(sp.Given, pair[1])
			ok := (s1 >= partFloor || names.WithinOneEdit(sp.Surname, pair[0])) &&
				(s2 >= partFloor || names.WithinOneEdit(sp.Given, pair[1]))
			if ok {
				return true, min(s1, s2)
			}
			weaker = max(weaker, min(s1, s2))
		}
	}
	if weaker < 0 {
		return true, 1
	}
	return false, weaker
}

// mayReach reports whether the Jaro-Winkler similarity of the traveller's
// form and an alert name (in either order: they share their letters) can
// reach need, by a bound computed in one pass over the letters: at most
// the letters the two names share can match, and Jaro-Winkler adds at
// most 0.4 of what Jaro leaves to 1. An approximate transliteration whose
// bound reaches the phonetic minimum may be lifted to the phonetic floor.
// The bound is loosened by a margin for the rounding of reported scores.
func mayReach(tf *travellerForm, name []byte, approximate bool, need float64) bool {
	if need <= 0 || len(tf.full) == 0 || len(name) == 0 {
		return true
	}
	var used [256]uint8
	common := 0
	for _, c := range name {
		if used[c] < tf.counts[c] {
			used[c]++
			common++
		}
	}
	jaro := (float64(common)/float64(len(tf.full)) + float64(common)/float64(len(name)) + 1) / 3
	bound := 0.6*jaro + 0.4
	if approximate && bound >= phoneticMinJW && len(tf.skeleton) >= phoneticMinClasses {
		bound = max(bound, phoneticFloor)
	}
	return bound+scoreMargin >= need
}

// scoreMargin covers the rounding of similarities and scores to three
// decimals, and float error, wherever a bound decides to skip work.
const scoreMargin = 0.002

// sameLetters reports whether name holds the letters of sorted (a name's
// letters in order, as sortedLetters gives them), in any order; spaces
// do not count. It allocates nothing.
func sameLetters(sorted string, name []byte) bool {
	if len(name) < len(sorted) {
		return false
	}
	var count [256]int16
	for i := 0; i < len(sorted); i++ {
		count[sorted[i]]++
	}
	n := 0
	for _, c := range name {
		if c == ' ' {
			continue
		}
		if count[c]--; count[c] < 0 {
			return false
		}
		n++
	}
	return n == len(sorted)
}

// compareBirth weighs the birth dates. The weights are evidence: an exact
// date is 1 in ~20,000 for people of an age; a year alone 1 in 365 of
// that; a missing date is no evidence at all, so that an alert without
// one hits by name only when the name is exact and nothing contradicts.
// An alert that knows only the birth year often knows it as an estimate
// (a child's age as a witness gave it): a document a year either side of
// it weighs as a missing date, neither for nor against, so that such an
// alert is not harder to hit than one that knows no date at all.
func compareBirth[T string | []byte](p *Probe, alertDate T) (float64, string) {
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
	case dy == 0 && p.month == 0: // the document gives the year only
		return 0.5, "partial: year agrees"
	case dy == 0 && p.day == 0 && p.month == am: // the document gives year and month
		return 0.75, "partial: year and month agree"
	case dy == 0 && p.month == am && p.day == ad:
		return 1, "exact"
	case dy == 0 && p.month == ad && p.day == am:
		return 0.7, "day and month swapped"
	case dy == 1 && am != 0 && p.month == am && (ad == 0 || p.day == ad):
		return 0.6, "one year apart, same day"
	case dy == 1 && am == 0:
		return 0.35, "one year apart (the alert knows the year only)"
	case dy <= 1:
		return 0.2, "close"
	}
	return 0, "differs"
}

func compareSex[T string | []byte](t string, a T) (float64, string) {
	if t == "" || len(a) == 0 || t == "X" || string(a) == "X" {
		return 0.5, "unknown"
	}
	if t == string(a) {
		return 1, "agrees"
	}
	return 0, "differs"
}

func compareNationality(t string, a []string) (float64, string) {
	return nationalityAgreement(t, len(a), func(c string) bool { return slices.Contains(a, c) })
}

// nationalityAgreement weighs the traveller's nationality t against an
// alert's n nationalities, of which has reports membership.
func nationalityAgreement(t string, n int, has func(string) bool) (float64, string) {
	if t == "" || n == 0 {
		return 0.5, "unknown"
	}
	if has(normaliseCountry(t)) {
		return 1, "agrees"
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
