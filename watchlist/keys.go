package watchlist

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/crossguard/crossguard/watchlist/names"
)

// A blocking key is a 64-bit hash of a family byte and a normalised value.
// Alerts are indexed under their keys; a traveller is looked up under its
// own. The families (DESIGN.md explains why each exists):
const (
	famDocument = 'D' // OCR-normalised document number
	famPair     = 'S' // skeletons of surname and given names, as a sorted pair, + birth date (or year-month)
	famWhole    = 'W' // skeleton of the whole name in one order, + birth date (or year-month)
	famPartDate = 'P' // the exact letters of one name part + full birth date
	famLetters  = 'L' // the letters of the whole name, sorted, + birth year: coarse-dated alerts only
	famAnyDate  = 'A' // an alert with a birth date, by letters (and skeleton, for long names): for travellers with none
	famPartYear = 'Y' // the exact letters of one long name part + birth year: alerts that know the year only
)

// keyRules numbers the rules by which blocking keys are made from an
// alert's readings, as names.Version numbers the readings: a store
// records both and re-derives its index when either differs from this
// build's (reindex.go). Bump it with every change to recordKeys. 1: up
// to the any-date keys; 2: the any-date keys (famAnyDate); 3: an alert
// that knows the birth year only also under the years either side; 4:
// such an alert also under each long name part and the year
// (famPartYear).
const keyRules = 4

// coarseSkeletonClasses is the shortest whole-name skeleton that keys a
// coarse-dated alert: shorter skeletons with only a year (or no date)
// would send a third of innocent travellers to the store.
const coarseSkeletonClasses = 5

// key is one blocking key. coarse keys belong to alerts whose birth date
// is only a year, or unknown: few alerts, in their own small filter (see
// prefilter), so that the traveller's look-ups for them stay in the CPU
// cache.
type key struct {
	hash   uint64
	fam    byte
	coarse bool
}

// ocrClass maps characters an OCR reader confuses to one representative,
// so that a document number read as "E1234S678" finds "E12345678".
var ocrClass = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for from, to := range map[byte]byte{'O': '0', 'Q': '0', 'I': '1', 'L': '1', 'Z': '2', 'S': '5', 'B': '8', 'G': '6'} {
		t[from] = to
	}
	return t
}()

// ocrNormalise maps a normalised document number to its OCR class.
func ocrNormalise(n string) string {
	b := []byte(n)
	for i, c := range b {
		b[i] = ocrClass[c]
	}
	return string(b)
}

func hashKey(fam byte, parts ...string) uint64 {
	d := xxhash.New()
	d.Write([]byte{fam})
	for _, p := range parts {
		d.Write([]byte{0})
		d.WriteString(p)
	}
	return d.Sum64()
}

func docKey(number string) key {
	return key{hash: hashKey(famDocument, ocrNormalise(number)), fam: famDocument}
}

// sortedLetters returns the letters of s (spaces dropped) in order: the
// same for every order and split of the same name.
func sortedLetters(s string) string {
	b := []byte(strings.ReplaceAll(s, " ", ""))
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return string(b)
}

func sortedPair(a, b string) (string, string) {
	if a > b {
		return b, a
	}
	return a, b
}

// birthPeriod is the birth date a key is made with: "2015-03-09";
// "2015-03" or "2015" when the day or month is unknown; "*" when the year
// is.
func birthPeriod(year, month, day int) string {
	switch {
	case year == 0:
		return "*"
	case month == 0:
		return strconv.Itoa(year)
	case day == 0:
		return fmt.Sprintf("%04d-%02d", year, month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, month, day)
}

// pairKey is the S key of one split for one period.
func pairKey(sp names.Split, period string, coarse bool) key {
	p1, p2 := sortedPair(names.Skeleton(sp.Surname), names.Skeleton(sp.Given))
	return key{hash: hashKey(famPair, p1, p2, period), fam: famPair, coarse: coarse}
}

// skeletonKeys adds the name keys of one reading for one birth period.
// A full date or a year and month gets the pair and whole-name skeletons,
// which survive typos and transliteration (a full date in the fine
// filter; a year and month, rarer, in the coarse one). A year only, or no
// date, gets the exact letters, sorted (any order or split of the same
// spelling), and the whole-name skeleton only when it is long enough to
// be selective.
func skeletonKeys(n names.Name, period string, coarse, bothOrders bool, add func(key)) {
	lettersOnly := len(period) <= 4 // "2015" or "*"
	if lettersOnly {
		add(lettersKey(n, period))
	}
	for _, sp := range n.Splits() {
		w1 := names.Skeleton(sp.Surname + sp.Given)
		if !lettersOnly {
			add(pairKey(sp, period, coarse))
		} else if len(w1) < coarseSkeletonClasses {
			continue
		}
		add(key{hash: hashKey(famWhole, w1, period), fam: famWhole, coarse: coarse})
		if bothOrders {
			add(key{hash: hashKey(famWhole, names.Skeleton(sp.Given+sp.Surname), period), fam: famWhole, coarse: coarse})
		}
	}
}

// lettersKey is the key of a name's letters, sorted, and a coarse
// period: the exact names (in any order) of coarse-dated alerts.
func lettersKey(n names.Name, period string) key {
	return key{hash: hashKey(famLetters, nameLetters(n), period), fam: famLetters, coarse: true}
}

// nameLetters returns the letters of a reading, sorted: the same for
// every order and split of one spelling.
func nameLetters(n names.Name) string {
	return sortedLetters(strings.Join(n.Surname, "") + strings.Join(n.Given, ""))
}

// anyDateKeys adds the keys of one reading of an alert that knows a birth
// date (any part of it) for a traveller whose document gives none: only
// such a traveller is looked up under them (travellers with a date find
// the alert by its dated keys). Scoring weighs the date as unknown, so a
// name hit needs the name exact, or nearly so for a long one, as for an
// alert without a date (undatedMayHitInexact): the letters, sorted; and
// for a reading of anyDateSkeletonLetters letters or more, the whole-name
// skeleton in both orders. In the fine filter: one key or three per
// reading, too many for the small one.
func anyDateKeys(n names.Name, add func(key)) {
	letters := nameLetters(n)
	add(anyDateKey(letters))
	if len(letters) < anyDateSkeletonLetters {
		return
	}
	for _, sp := range n.Splits() {
		add(anyDateSkeletonKey(names.Skeleton(sp.Surname + sp.Given)))
		add(anyDateSkeletonKey(names.Skeleton(sp.Given + sp.Surname)))
	}
}

// anyDateSkeletonLetters is the shortest name for which a traveller
// without a birth date can hit a dated alert by a name of other letters
// at the default thresholds (undatedMayHitInexact; a test keeps the two
// in step). Index entries are made before any configuration is read, so
// a threshold configured lower does not index shorter names: DESIGN.md.
const anyDateSkeletonLetters = 14

func anyDateKey(letters string) key {
	return key{hash: hashKey(famAnyDate, "L", letters), fam: famAnyDate}
}

func anyDateSkeletonKey(skeleton string) key {
	return key{hash: hashKey(famAnyDate, "W", skeleton), fam: famAnyDate}
}

// partKeys adds a key of family fam for each part (surname, given names)
// of every split of a reading that has at least minLetters letters, with
// the birth period.
func partKeys(n names.Name, fam byte, period string, minLetters int, coarse bool, add func(key)) {
	for _, sp := range n.Splits() {
		for _, part := range [2]string{sp.Surname, sp.Given} {
			if len(part) >= minLetters {
				add(key{hash: hashKey(fam, part, period), fam: fam, coarse: coarse})
			}
		}
	}
}

// partDateKeys adds the exact-part keys of one reading for a full birth
// date. Exact letters, not skeletons: Chinese surnames have skeletons of
// one class or none (WANG is N, WU is empty), while "YUAN" and a full
// birth date are selective.
func partDateKeys(n names.Name, fullDate string, add func(key)) {
	partKeys(n, famPartDate, fullDate, 2, false, add)
}

// partYearMinLetters is the shortest name part a famPartYear key is made
// of: a long part (a Thai or Lao surname, SAWATTHANA, VONGHALATH) and a
// year are selective, a short one (WANG, NGUYEN) and a year are not.
const partYearMinLetters = 8

// partYearKeys adds the keys of one reading's long parts for a birth
// year. An alert that knows the year only is otherwise found by the exact
// letters of its whole name (or a long skeleton), so that a typo or the
// MRZ's truncation of the other part hid it (SAWATTHANA SURA for
// สุรชัย สวัสดิ์ธนา); the untouched long part finds it, and scoring
// decides.
func partYearKeys(n names.Name, year int, add func(key)) {
	partKeys(n, famPartYear, birthPeriod(year, 0, 0), partYearMinLetters, true, add)
}

// recordKeys returns the distinct blocking keys of an alert's match
// record (the canonical readings are computed once, for both).
func recordKeys(r *matchRecord) []key {
	seen := map[key]bool{}
	var out []key
	add := func(k key) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, d := range r.documents {
		if d.Number != "" {
			add(docKey(d.Number))
		}
	}
	for _, n := range r.names {
		for _, rd := range n.readings {
			// Both orders of the whole name: the alert's order may not be
			// the passport's.
			// Only an alert with a full birth date goes to the fine
			// filter: a name hit on it needs the day to agree (see
			// compareBirth), so its keys carry the whole date.
			skeletonKeys(rd, birthPeriod(r.year, r.month, r.day), r.day == 0, true, add)
			if r.year > 0 && r.month == 0 {
				// A year alone is often an estimate: scoring lets an
				// exact name hit it a year out (compareBirth), and the
				// alert is found there under the years either side, so
				// that a traveller looks up its own year only.
				skeletonKeys(rd, birthPeriod(r.year-1, 0, 0), true, true, add)
				skeletonKeys(rd, birthPeriod(r.year+1, 0, 0), true, true, add)
				partYearKeys(rd, r.year, add)
			}
			if r.day > 0 {
				partDateKeys(rd, r.birthDate, add)
			}
			// For a traveller whose document gives no birth date:
			// scoring lets such a traveller hit a dated alert by its name
			// (the date weighs as unknown), and no dated key finds it.
			if r.year > 0 {
				anyDateKeys(rd, add)
			}
		}
	}
	return out
}
