package watchlist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"time"
	"unsafe"

	"github.com/crossguard/crossguard/watchlist/names"
)

// matchRecord is what scoring a candidate needs, kept in a compact binary
// form in the value of each of the alert's index entries, so that checking
// a traveller decodes a few hundred bytes per candidate instead of reading
// the alert's JSON. The JSON is read only for hits. It is derived from the
// alert on every write.
type matchRecord struct {
	id               string
	closed           bool
	validUntil       string // YYYY-MM-DD or ""
	category         Category
	action           Action
	sex              string
	year, month, day int
	nationalities    []string
	documents        []Document // number normalised
	names            []recName
	hasPerson        bool
	birthDate        string
	ownerCountry     string
}

type recName struct {
	written  string
	readings []names.Name
}

// matchRecordFormat starts every summary and match record; 2 since they
// are kept in the index entries (1 had a separate 'm' record).
const matchRecordFormat = 2

var errMatchRecord = errors.New("corrupt match record")

// newMatchRecord derives the match record of an alert. readings are the
// canonical readings of its person names from validation, or nil to
// compute them.
func newMatchRecord(a *Alert, readings [][]names.Name) matchRecord {
	r := matchRecord{id: a.ID, closed: a.Status == StatusClosed, validUntil: a.ValidUntil,
		category: a.Category, action: a.Action, ownerCountry: a.Owner.Country}
	for _, d := range a.Documents {
		r.documents = append(r.documents, Document{Type: d.Type, Country: d.Country, Number: NormaliseDocumentNumber(d.Number)})
	}
	if p := a.Person; p != nil {
		r.hasPerson = true
		r.sex = p.Sex
		r.birthDate = p.BirthDate
		r.year, r.month, r.day, _ = parsePartialDate(p.BirthDate)
		r.nationalities = p.Nationalities
		for i, n := range p.Names {
			written := n.Full
			if written == "" {
				written = n.Surname + " " + n.Given
			}
			var rd []names.Name
			if i < len(readings) {
				rd = readings[i]
			} else {
				rd = n.readings()
			}
			r.names = append(r.names, recName{written: written, readings: rd})
		}
	}
	return r
}

type recWriter struct{ b []byte }

func (w *recWriter) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *recWriter) num(n int)   { w.b = binary.AppendUvarint(w.b, uint64(n)) }
func (w *recWriter) flag(f bool) { w.b = append(w.b, map[bool]byte{false: 0, true: 1}[f]) }

func (r *matchRecord) encode() []byte {
	w := &recWriter{b: []byte{matchRecordFormat}}
	w.flag(r.closed)
	w.flag(r.hasPerson)
	for _, s := range []string{r.validUntil, string(r.category), string(r.action), r.sex, r.birthDate, r.ownerCountry} {
		w.str(s)
	}
	w.num(len(r.nationalities))
	for _, c := range r.nationalities {
		w.str(c)
	}
	w.num(len(r.documents))
	for _, d := range r.documents {
		w.str(d.Type)
		w.str(d.Country)
		w.str(d.Number)
	}
	w.num(len(r.names))
	for _, n := range r.names {
		w.str(n.written)
		w.num(len(n.readings))
		for _, rd := range n.readings {
			w.flag(rd.Ordered)
			w.str(rd.Script)
			w.num(len(rd.Surname))
			for _, t := range rd.Surname {
				w.str(t)
			}
			w.num(len(rd.Given))
			for _, t := range rd.Given {
				w.str(t)
			}
		}
	}
	return w.b
}

type recReader struct {
	b     []byte
	err   error
	owned bool
}

func (r *recReader) num() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > uint64(len(r.b))+1<<16 {
		r.err = errMatchRecord
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// str reads a string. A reader that owns its bytes (they are a private
// copy that nothing writes again) returns views of them instead of
// copies: one allocation for a whole record rather than one per string.
func (r *recReader) str() string {
	b := r.raw()
	if r.owned && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

// raw reads a string in place.
func (r *recReader) raw() []byte {
	n := r.num()
	if r.err != nil || n > len(r.b) {
		r.err = errMatchRecord
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// count reads the length of a list; every element takes at least a byte,
// so a corrupt count cannot make the reader allocate more than the record
// holds.
func (r *recReader) count() int {
	n := r.num()
	if n > len(r.b) {
		r.err = errMatchRecord
		return 0
	}
	return n
}

func (r *recReader) flag() bool {
	if r.err != nil || len(r.b) == 0 {
		r.err = errMatchRecord
		return false
	}
	f := r.b[0] == 1
	r.b = r.b[1:]
	return f
}

// decodeMatchRecord decodes a match record (the part of an index value
// after the summary).
func decodeMatchRecord(id string, b []byte) (matchRecord, error) {
	var m matchRecord
	err := m.decode(id, b)
	return m, err
}

// decode decodes a match record into m, reusing m's slices: checkStore
// decodes every candidate it scores into one record. The strings are
// views of one private copy of b, made per record, so that what a hit
// keeps of them stays valid after the next decode.
func (m *matchRecord) decode(id string, b []byte) error {
	if len(b) == 0 || b[0] != matchRecordFormat {
		return errMatchRecord
	}
	r := &recReader{b: bytes.Clone(b[1:]), owned: true}
	m.id = id
	m.closed = r.flag()
	m.hasPerson = r.flag()
	m.validUntil = r.str()
	m.category = Category(r.str())
	m.action = Action(r.str())
	m.sex = r.str()
	m.birthDate = r.str()
	m.ownerCountry = r.str()
	m.year, m.month, m.day, _ = parsePartialDate(m.birthDate)
	m.nationalities = resize(m.nationalities, r.count())
	for i := range m.nationalities {
		m.nationalities[i] = r.str()
	}
	m.documents = resize(m.documents, r.count())
	for i := range m.documents {
		m.documents[i] = Document{Type: r.str(), Country: r.str(), Number: r.str()}
	}
	m.names = resize(m.names, r.count())
	for i := range m.names {
		rn := &m.names[i]
		rn.written = r.str()
		rn.readings = resize(rn.readings, r.count())
		for j := range rn.readings {
			rd := &rn.readings[j]
			rd.Ordered, rd.Script = r.flag(), r.str()
			rd.Surname = resize(rd.Surname, r.count())
			for t := range rd.Surname {
				rd.Surname[t] = r.str()
			}
			rd.Given = resize(rd.Given, r.count())
			for t := range rd.Given {
				rd.Given[t] = r.str()
			}
		}
	}
	return r.err
}

// resize returns s with length n, reusing its array when it is large
// enough (the elements keep their own arrays, reused in turn).
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return append(s[:cap(s)], make([]T, n-cap(s))...)
}

func (m *matchRecord) activeOn(on time.Time) bool {
	if m.closed {
		return false
	}
	return m.validUntil == "" || on.Format(time.DateOnly) <= m.validUntil
}

// candidateSummary is what an index entry's value says about its alert:
// enough to bound the score a name match can reach, so that a candidate
// that cannot hit is skipped without reading its match record. Its fields
// point into the value they were read from.
type candidateSummary struct {
	hasPerson bool
	sex       []byte
	birthDate []byte
	// nationalities holds the count-prefixed codes as written.
	nationalities []byte
	nNationality  int
}

// hasNationality reports whether the summary lists the country code c.
func (s *candidateSummary) hasNationality(c string) bool {
	r := recReader{b: s.nationalities}
	for i := 0; i < s.nNationality && r.err == nil; i++ {
		if string(r.raw()) == c {
			return true
		}
	}
	return false
}

func (r *matchRecord) summary() []byte {
	w := &recWriter{b: []byte{matchRecordFormat}}
	w.flag(r.hasPerson)
	w.str(r.sex)
	w.str(r.birthDate)
	w.num(len(r.nationalities))
	for _, c := range r.nationalities {
		w.str(c)
	}
	return w.b
}

// indexValue is the value of each of an alert's index entries: its
// summary, then its whole match record, so that a check reads everything
// it needs about a candidate from the index scan, with no point read.
func indexValue(summary, match []byte) []byte {
	return append(slices.Clip(summary), match...)
}

// splitIndexValue decodes the summary at the start of an index value and
// returns the match record that follows it.
func splitIndexValue(b []byte) (candidateSummary, []byte, bool) {
	if len(b) == 0 || b[0] != matchRecordFormat {
		return candidateSummary{}, nil, false
	}
	r := &recReader{b: b[1:]}
	s := candidateSummary{hasPerson: r.flag(), sex: r.raw(), birthDate: r.raw()}
	s.nNationality = r.num()
	s.nationalities = r.b
	for i := 0; i < s.nNationality && r.err == nil; i++ {
		r.raw()
	}
	if r.err != nil {
		return candidateSummary{}, nil, false
	}
	s.nationalities = s.nationalities[:len(s.nationalities)-len(r.b)]
	return s, r.b, true
}
