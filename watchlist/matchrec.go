package watchlist

import (
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/crossguard/crossguard/watchlist/names"
)

// matchRecord is what scoring a candidate needs, kept beside each alert
// in a compact binary form ('m' id), so that checking a traveller decodes
// a few hundred bytes per candidate instead of the alert's JSON. The JSON
// is read only for hits. It is derived from the alert on every write.
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
	b   []byte
	err error
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

func (r *recReader) str() string {
	n := r.num()
	if r.err != nil || n > len(r.b) {
		r.err = errMatchRecord
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
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

func decodeMatchRecord(id string, b []byte) (matchRecord, error) {
	if len(b) == 0 || b[0] != matchRecordFormat {
		return matchRecord{}, errMatchRecord
	}
	r := &recReader{b: b[1:]}
	m := matchRecord{id: id}
	m.closed = r.flag()
	m.hasPerson = r.flag()
	m.validUntil = r.str()
	m.category = Category(r.str())
	m.action = Action(r.str())
	m.sex = r.str()
	m.birthDate = r.str()
	m.ownerCountry = r.str()
	m.year, m.month, m.day, _ = parsePartialDate(m.birthDate)
	for i, n := 0, r.num(); i < n && r.err == nil; i++ {
		m.nationalities = append(m.nationalities, r.str())
	}
	for i, n := 0, r.num(); i < n && r.err == nil; i++ {
		m.documents = append(m.documents, Document{Type: r.str(), Country: r.str(), Number: r.str()})
	}
	for i, n := 0, r.num(); i < n && r.err == nil; i++ {
		rn := recName{written: r.str()}
		for j, k := 0, r.num(); j < k && r.err == nil; j++ {
			rd := names.Name{Ordered: r.flag(), Script: r.str()}
			for t, c := 0, r.num(); t < c && r.err == nil; t++ {
				rd.Surname = append(rd.Surname, r.str())
			}
			for t, c := 0, r.num(); t < c && r.err == nil; t++ {
				rd.Given = append(rd.Given, r.str())
			}
			rn.readings = append(rn.readings, rd)
		}
		m.names = append(m.names, rn)
	}
	return m, r.err
}

func (m *matchRecord) activeOn(on time.Time) bool {
	if m.closed {
		return false
	}
	return m.validUntil == "" || on.Format(time.DateOnly) <= m.validUntil
}

// candidateSummary is what an index entry's value says about its alert:
// enough to bound the score a name match can reach, so that a candidate
// that cannot hit is skipped without reading its match record.
type candidateSummary struct {
	hasPerson     bool
	sex           string
	birthDate     string
	nationalities []string
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
	s := candidateSummary{hasPerson: r.flag(), sex: r.str(), birthDate: r.str()}
	for i, n := 0, r.num(); i < n && r.err == nil; i++ {
		s.nationalities = append(s.nationalities, r.str())
	}
	return s, r.b, r.err == nil
}
