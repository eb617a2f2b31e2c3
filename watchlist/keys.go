package watchlist

import (
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
	famLetters  = 'L' // the letters of the whole name, sorted, + birth year
	famPair     = 'S' // skeletons of surname and given names, as a sorted pair, + birth year
	famWhole    = 'W' // skeleton of the whole name in one order, + birth year
	famPartDate = 'P' // the exact letters of one name part + full birth date
)

// key is one blocking key. undated keys belong to alerts without a birth
// year; they live in their own (small) filter, see prefilter.
type key struct {
	hash    uint64
	fam     byte
	undated bool
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

// nameKeys returns the name keys of one reading n for a birth date given
// as year (0 when unknown) and full date ("" unless complete). years lists
// the birth years to key under (the traveller side widens it by the year
// tolerance).
func nameKeys(n names.Name, years []int, fullDate string, add func(key)) {
	full := strings.Join(append(append([]string{}, n.Surname...), n.Given...), "")
	letters := sortedLetters(full)
	for _, sp := range n.Splits() {
		ss, gs := names.Skeleton(sp.Surname), names.Skeleton(sp.Given)
		p1, p2 := sortedPair(ss, gs)
		w1, w2 := names.Skeleton(sp.Surname+sp.Given), names.Skeleton(sp.Given+sp.Surname)
		for i, y := range years {
			ys := "*"
			if y > 0 {
				ys = strconv.Itoa(y)
			}
			undated := y == 0
			if i == 0 {
				add(key{hash: hashKey(famLetters, letters, ys), fam: famLetters, undated: undated})
				add(key{hash: hashKey(famWhole, w1, ys), fam: famWhole, undated: undated})
				if w2 != w1 {
					add(key{hash: hashKey(famWhole, w2, ys), fam: famWhole, undated: undated})
				}
			}
			add(key{hash: hashKey(famPair, p1, p2, ys), fam: famPair, undated: undated})
		}
		if fullDate != "" {
			// Exact letters, not the skeleton: Chinese surnames have
			// skeletons of one class or none (WANG is N, WU is empty),
			// while "YUAN" + a full birth date is selective.
			for _, part := range []string{sp.Surname, sp.Given} {
				if len(part) >= 2 {
					add(key{hash: hashKey(famPartDate, part, fullDate), fam: famPartDate})
				}
			}
		}
	}
}

// alertKeys returns the distinct blocking keys of an active alert.
func alertKeys(a *Alert) []key {
	seen := map[key]bool{}
	var out []key
	add := func(k key) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, d := range a.Documents {
		if n := NormaliseDocumentNumber(d.Number); n != "" {
			add(docKey(n))
		}
	}
	if a.Person != nil {
		year, _, day, _ := parsePartialDate(a.Person.BirthDate)
		full := ""
		if day > 0 {
			full = a.Person.BirthDate
		}
		for _, pn := range a.Person.Names {
			for _, n := range pn.readings() {
				nameKeys(n, []int{year}, full, add)
			}
		}
	}
	return out
}
