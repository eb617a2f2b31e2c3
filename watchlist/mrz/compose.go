package mrz

import (
	"strings"
	"time"
)

// Fields are the data printed into a machine readable zone by Compose.
type Fields struct {
	DocumentCode   string // "P", "PP", "I", "ID", "V" ...
	IssuingState   string
	Surname        string // A-Z and spaces; spaces become '<'
	GivenNames     string
	DocumentNumber string
	Nationality    string
	BirthDate      time.Time
	Sex            string // M, F or X
	ExpiryDate     time.Time
	OptionalData   string
}

// Compose writes f as a machine readable zone of the given format, with
// every check digit computed, lines separated by '\n'. Names longer than
// the name field are truncated as ICAO 9303 Part 3 allows.
func Compose(format Format, f Fields) string {
	l := layoutOf(format)
	lines := make([][]byte, l.lines)
	for i := range lines {
		lines[i] = []byte(strings.Repeat("<", l.width))
	}
	put := func(s span, v string) {
		n := s.end - s.start
		if len(v) > n {
			v = v[:n]
		}
		copy(lines[s.line][s.start:], v)
	}
	putCheck := func(c pos, v string) {
		d, _ := CheckDigit(v)
		lines[c.line][c.at] = d
	}
	code := f.DocumentCode
	if code == "" {
		code = map[Format]string{TD1: "I", TD2: "I", TD3: "P", MRVA: "V", MRVB: "V"}[format]
	}
	put(span{0, 0, 2}, code)
	put(span{0, 2, 5}, f.IssuingState)
	put(l.name, nameField(f.Surname, f.GivenNames))
	num := fill(f.DocumentNumber)
	if format == TD1 && len(num) > 9 {
		// Long document number: the rest, its check digit and a filler go
		// to optional data element 1.
		put(l.docNum, num[:9])
		lines[0][14] = '<'
		d, _ := CheckDigit(num)
		put(l.optional, num[9:]+string(d)+"<"+fill(f.OptionalData))
	} else {
		put(l.docNum, num)
		putCheck(l.docCheck, string(lines[l.docNum.line][l.docNum.start:l.docNum.end]))
		if format == TD1 {
			put(l.optional, fill(f.OptionalData))
		}
	}
	put(l.nat, f.Nationality)
	put(l.birth, f.BirthDate.Format("060102"))
	putCheck(l.birthChk, f.BirthDate.Format("060102"))
	sex := f.Sex
	if sex == "X" || sex == "" {
		sex = "<"
	}
	lines[l.sex.line][l.sex.at] = sex[0]
	put(l.expiry, f.ExpiryDate.Format("060102"))
	putCheck(l.expiryChk, f.ExpiryDate.Format("060102"))
	if format != TD1 {
		put(l.optional, fill(f.OptionalData))
	}
	if l.optChk.line >= 0 {
		v := string(lines[l.optional.line][l.optional.start:l.optional.end])
		if strings.Trim(v, "<") == "" {
			lines[l.optChk.line][l.optChk.at] = '<'
		} else {
			putCheck(l.optChk, v)
		}
	}
	if l.composite.line >= 0 {
		var b strings.Builder
		for _, s := range l.compParts {
			b.Write(lines[s.line][s.start:s.end])
		}
		putCheck(l.composite, b.String())
	}
	out := make([]string, len(lines))
	for i, line := range lines {
		out[i] = string(line)
	}
	return strings.Join(out, "\n")
}

func fill(s string) string {
	return strings.Join(strings.Fields(strings.ToUpper(strings.NewReplacer("-", " ", "'", " ").Replace(s))), "<")
}

func nameField(surname, given string) string {
	s := fill(surname)
	if g := fill(given); g != "" {
		s += "<<" + g
	}
	return s
}
