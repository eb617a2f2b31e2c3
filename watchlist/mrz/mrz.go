// Package mrz parses the machine readable zone of travel documents as defined
// by ICAO Doc 9303: TD1 identity cards (3 lines of 30), TD2 (2 lines of 36),
// TD3 passports (2 lines of 44) and the MRV-A / MRV-B visas (2 lines of 44 /
// 36).
//
// Parse never panics and never refuses: whatever it was given, it returns a
// Document that says which checks passed, which failed and why, and which
// characters it corrected. A document reader's OCR confuses O/0, I/1, Z/2,
// S/5, B/8 and G/6; a field is corrected only when the correction makes the
// field's check digit valid, and every correction is listed.
package mrz

import (
	"strings"
	"time"
)

// Format names one of the ICAO 9303 machine readable zone layouts.
type Format string

// The layouts Parse recognises.
const (
	TD1  Format = "TD1"
	TD2  Format = "TD2"
	TD3  Format = "TD3"
	MRVA Format = "MRV-A"
	MRVB Format = "MRV-B"
)

// Field names used as keys of Document.Checks and in corrections and
// problems.
const (
	FieldDocumentNumber = "document_number"
	FieldBirthDate      = "birth_date"
	FieldExpiryDate     = "expiry_date"
	FieldPersonalNumber = "personal_number"
	FieldComposite      = "composite"
	FieldOptionalData   = "optional_data"
	FieldIssuingState   = "issuing_state"
	FieldNationality    = "nationality"
	FieldName           = "name"
	FieldSex            = "sex"
	FieldDocumentCode   = "document_code"
	FieldLayout         = "layout"
)

// Correction records one OCR correction applied to a field.
type Correction struct {
	Field  string `json:"field"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// Problem names a field that failed a check and says why.
type Problem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Document is the parsed content of one machine readable zone.
//
// Dates are ISO 8601: YYYY-MM-DD, or YYYY-MM / YYYY when the document marks
// the day or month as unknown; empty when unreadable.
type Document struct {
	Format         Format          `json:"format"`
	DocumentCode   string          `json:"document_code"`
	IssuingState   string          `json:"issuing_state"`
	Surname        string          `json:"surname"`
	GivenNames     string          `json:"given_names"`
	DocumentNumber string          `json:"document_number"`
	Nationality    string          `json:"nationality"`
	BirthDate      string          `json:"birth_date"`
	Sex            string          `json:"sex"`
	ExpiryDate     string          `json:"expiry_date"`
	OptionalData   string          `json:"optional_data"`
	OptionalData2  string          `json:"optional_data_2,omitempty"`
	NameTruncated  bool            `json:"name_truncated,omitempty"`
	Valid          bool            `json:"valid"`
	Checks         map[string]bool `json:"checks"`
	Corrections    []Correction    `json:"corrections"`
	Errors         []Problem       `json:"errors"`
}

// layout describes where the fields of one format sit. Positions are
// zero-based [start, end) offsets into the named line.
type layout struct {
	format    Format
	lines     int
	width     int
	nameLine  int
	name      span
	docNum    span
	docCheck  pos
	nat       span
	birth     span
	birthChk  pos
	sex       pos
	expiry    span
	expiryChk pos
	optional  span
	optChk    pos // personal number check (TD3), line -1 when absent
	optional2 span
	composite pos // line -1 when absent
	compParts []span
}

type span struct{ line, start, end int }
type pos struct{ line, at int }

var noPos = pos{line: -1}
var noSpan = span{line: -1}

// The layouts of ICAO 9303 Parts 4 (TD3), 5 (TD1), 6 (TD2) and 7 (MRV).
func layoutOf(f Format) layout {
	switch f {
	case TD1:
		return layout{format: TD1, lines: 3, width: 30, nameLine: 2, name: span{2, 0, 30},
			docNum: span{0, 5, 14}, docCheck: pos{0, 14}, optional: span{0, 15, 30},
			birth: span{1, 0, 6}, birthChk: pos{1, 6}, sex: pos{1, 7},
			expiry: span{1, 8, 14}, expiryChk: pos{1, 14}, nat: span{1, 15, 18},
			optional2: span{1, 18, 29}, optChk: noPos, composite: pos{1, 29},
			compParts: []span{{0, 5, 30}, {1, 0, 7}, {1, 8, 15}, {1, 18, 29}}}
	case TD2:
		return layout{format: TD2, lines: 2, width: 36, nameLine: 0, name: span{0, 5, 36},
			docNum: span{1, 0, 9}, docCheck: pos{1, 9}, nat: span{1, 10, 13},
			birth: span{1, 13, 19}, birthChk: pos{1, 19}, sex: pos{1, 20},
			expiry: span{1, 21, 27}, expiryChk: pos{1, 27}, optional: span{1, 28, 35},
			optChk: noPos, optional2: noSpan, composite: pos{1, 35},
			compParts: []span{{1, 0, 10}, {1, 13, 20}, {1, 21, 35}}}
	case TD3:
		return layout{format: TD3, lines: 2, width: 44, nameLine: 0, name: span{0, 5, 44},
			docNum: span{1, 0, 9}, docCheck: pos{1, 9}, nat: span{1, 10, 13},
			birth: span{1, 13, 19}, birthChk: pos{1, 19}, sex: pos{1, 20},
			expiry: span{1, 21, 27}, expiryChk: pos{1, 27}, optional: span{1, 28, 42},
			optChk: pos{1, 42}, optional2: noSpan, composite: pos{1, 43},
			compParts: []span{{1, 0, 10}, {1, 13, 20}, {1, 21, 43}}}
	case MRVA:
		return layout{format: MRVA, lines: 2, width: 44, nameLine: 0, name: span{0, 5, 44},
			docNum: span{1, 0, 9}, docCheck: pos{1, 9}, nat: span{1, 10, 13},
			birth: span{1, 13, 19}, birthChk: pos{1, 19}, sex: pos{1, 20},
			expiry: span{1, 21, 27}, expiryChk: pos{1, 27}, optional: span{1, 28, 44},
			optChk: noPos, optional2: noSpan, composite: noPos}
	default: // MRVB
		return layout{format: MRVB, lines: 2, width: 36, nameLine: 0, name: span{0, 5, 36},
			docNum: span{1, 0, 9}, docCheck: pos{1, 9}, nat: span{1, 10, 13},
			birth: span{1, 13, 19}, birthChk: pos{1, 19}, sex: pos{1, 20},
			expiry: span{1, 21, 27}, expiryChk: pos{1, 27}, optional: span{1, 28, 36},
			optChk: noPos, optional2: noSpan, composite: noPos}
	}
}

// Parse reads one machine readable zone: two or three lines of text. Years
// written with two digits are resolved against now: a birth date never lies
// in the future, and an expiry date lies after the birth date.
func Parse(text string, now time.Time) Document {
	p := parser{now: now, doc: Document{Checks: map[string]bool{}, Corrections: []Correction{}, Errors: []Problem{}}}
	p.run(text)
	p.doc.Valid = len(p.doc.Errors) == 0
	return p.doc
}

// SplitDocuments splits text holding several machine readable zones,
// separated by blank lines, into one string per zone.
func SplitDocuments(text string) []string {
	var docs []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			docs = append(docs, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return docs
}

type parser struct {
	now   time.Time
	doc   Document
	lines [][]byte
}

func (p *parser) fail(field, reason string) {
	p.doc.Errors = append(p.doc.Errors, Problem{Field: field, Reason: reason})
}

func (p *parser) correct(field, from, to, reason string) {
	p.doc.Corrections = append(p.doc.Corrections, Correction{Field: field, From: from, To: to, Reason: reason})
}

func (p *parser) get(s span) string {
	if s.line < 0 {
		return ""
	}
	return string(p.lines[s.line][s.start:s.end])
}

func (p *parser) set(s span, v string) { copy(p.lines[s.line][s.start:s.end], v) }

func (p *parser) at(q pos) byte { return p.lines[q.line][q.at] }

func (p *parser) run(text string) {
	raw := normaliseLines(text)
	l, ok := p.detect(raw)
	if !ok {
		return
	}
	p.doc.Format = l.format
	p.lines = make([][]byte, l.lines)
	for i := range p.lines {
		p.lines[i] = p.clean(i, raw[i], l.width)
	}

	code := strings.TrimRight(string(p.lines[0][0:2]), "<")
	p.doc.DocumentCode = code
	if code == "" || !isAlpha(code[0]) {
		p.fail(FieldDocumentCode, "document code must start with a letter")
	}
	p.doc.IssuingState = p.alphaField(FieldIssuingState, span{0, 2, 5})

	p.parseDocumentNumber(l)
	p.doc.Nationality = p.alphaField(FieldNationality, l.nat)
	p.doc.BirthDate = p.dateField(FieldBirthDate, l.birth, l.birthChk, true)
	p.doc.ExpiryDate = p.dateField(FieldExpiryDate, l.expiry, l.expiryChk, false)
	p.resolveCenturies()
	p.parseSex(l.sex)

	if l.optChk.line >= 0 {
		// TD3 personal number: its check digit may be '<' when the field is empty.
		v := p.get(l.optional)
		if strings.Trim(v, "<") == "" && (p.at(l.optChk) == '<' || p.at(l.optChk) == '0') {
			p.doc.Checks[FieldPersonalNumber] = true
		} else {
			p.checkedSpans(FieldPersonalNumber, []span{l.optional}, l.optChk, alphanumeric, func(string) {})
		}
	}
	if l.format != TD1 {
		p.doc.OptionalData = trimFiller(p.get(l.optional))
	}
	if l.optional2.line >= 0 {
		p.doc.OptionalData2 = trimFiller(p.get(l.optional2))
	}
	if l.composite.line >= 0 {
		p.checkComposite(l)
	}
	p.parseName(l)
}

// normaliseLines splits the input into trimmed, upper-cased, non-empty lines.
// A zone typed as one long line is split at the width of its format.
func normaliseLines(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.ToUpper(strings.TrimSpace(line))
		if line != "" {
			out = append(out, line)
		}
	}
	if len(out) == 1 {
		s := out[0]
		switch len(s) {
		case 88:
			return []string{s[:44], s[44:]}
		case 72:
			return []string{s[:36], s[36:]}
		case 90:
			return []string{s[:30], s[30:60], s[60:]}
		}
	}
	return out
}

func (p *parser) detect(raw []string) (layout, bool) {
	switch len(raw) {
	case 3:
		l := layoutOf(TD1)
		return l, p.widthsOK(raw, l)
	case 2:
		width := len(raw[0])
		if len(raw[1]) > width {
			width = len(raw[1])
		}
		visa := strings.HasPrefix(raw[0], "V")
		var l layout
		switch {
		case width > 40 && visa:
			l = layoutOf(MRVA)
		case width > 40:
			l = layoutOf(TD3)
		case visa:
			l = layoutOf(MRVB)
		default:
			l = layoutOf(TD2)
		}
		return l, p.widthsOK(raw, l)
	case 0:
		p.fail(FieldLayout, "no machine readable zone: the input is empty")
		return layout{}, false
	default:
		p.fail(FieldLayout, "a machine readable zone has 2 or 3 lines, got "+itoa(len(raw)))
		return layout{}, false
	}
}

// widthsOK reports line-length problems. Lines a few characters short (a
// reader that drops trailing fillers) are padded and parsed, but the
// document stays invalid; lines far from the expected width are refused.
func (p *parser) widthsOK(raw []string, l layout) bool {
	ok := true
	for i, line := range raw {
		if len(line) == l.width {
			continue
		}
		p.fail(FieldLayout, "line "+itoa(i+1)+" has "+itoa(len(line))+" characters, "+string(l.format)+" lines have "+itoa(l.width))
		if len(line) < l.width-8 || len(line) > l.width+8 {
			ok = false
		}
	}
	return ok
}

// clean copies one line at the layout's width, replacing characters outside
// A-Z, 0-9 and '<' by '<' (each reported) and padding or cutting to width.
func (p *parser) clean(i int, line string, width int) []byte {
	b := make([]byte, width)
	for j := range b {
		b[j] = '<'
	}
	for j := 0; j < len(line) && j < width; j++ {
		c := line[j]
		if isAlpha(c) || isDigit(c) || c == '<' {
			b[j] = c
			continue
		}
		p.fail(FieldLayout, "line "+itoa(i+1)+" column "+itoa(j+1)+": character "+quoteByte(c)+" is not allowed in a machine readable zone")
	}
	return b
}

func (p *parser) parseDocumentNumber(l layout) {
	if l.format == TD1 && p.at(l.docCheck) == '<' {
		// ICAO 9303-5 note j: a document number longer than 9 characters
		// continues in optional data element 1, followed by its check
		// digit and a filler.
		opt := p.get(l.optional)
		end := strings.IndexByte(opt, '<')
		if end < 0 {
			end = len(opt)
		}
		if end < 2 {
			p.fail(FieldDocumentNumber, "the check digit position holds '<' but optional data does not continue the document number")
			p.doc.DocumentNumber = trimFiller(p.get(l.docNum))
			p.doc.OptionalData = trimFiller(opt)
			return
		}
		// The number is split around the '<' at position 14; address it as
		// two spans of line 1 that a correction writes back.
		parts := []span{l.docNum, {0, 15, 15 + end - 1}}
		p.checkedSpans(FieldDocumentNumber, parts, pos{0, 15 + end - 1}, alphanumeric, func(v string) {
			p.doc.DocumentNumber = strings.ReplaceAll(v, "<", "")
		})
		p.doc.OptionalData = trimFiller(opt[min(end+1, len(opt)):])
		return
	}
	p.checkedSpans(FieldDocumentNumber, []span{l.docNum}, l.docCheck, alphanumeric, func(v string) {
		p.doc.DocumentNumber = trimFiller(v)
	})
	if l.format == TD1 {
		p.doc.OptionalData = trimFiller(p.get(l.optional))
	}
}

type charClass int

const (
	numeric charClass = iota
	alphanumeric
)

type fixedField struct {
	value string
	check byte
}

func (p *parser) read(parts []span) string {
	var b strings.Builder
	for _, s := range parts {
		b.WriteString(p.get(s))
	}
	return b.String()
}

func (p *parser) write(parts []span, c pos, f fixedField) {
	v := f.value
	for _, s := range parts {
		n := s.end - s.start
		p.set(s, v[:n])
		v = v[n:]
	}
	p.lines[c.line][c.at] = f.check
}

// checkedSpans verifies a field made of parts against the check digit at c,
// corrects it when exactly one plausible OCR reading satisfies the check
// digit, and publishes its (corrected) value.
func (p *parser) checkedSpans(field string, parts []span, c pos, class charClass, publish func(string)) {
	value := p.read(parts)
	check := p.at(c)
	if d, ok := CheckDigit(value); ok && isDigit(check) && d == check {
		p.doc.Checks[field] = true
		publish(value)
		return
	}
	switch candidates := ocrCandidates(value, check, class); len(candidates) {
	case 1:
		p.applyFix(field, parts, c, value, check, candidates[0])
		publish(candidates[0].value)
	case 0:
		p.doc.Checks[field] = false
		publish(value)
		p.checkDigitFailure(field, value, check)
	default:
		p.doc.Checks[field] = false
		publish(value)
		p.fail(field, "check digit does not match and "+itoa(len(candidates))+" OCR corrections would; not corrected")
	}
}

func (p *parser) applyFix(field string, parts []span, c pos, value string, check byte, f fixedField) {
	p.doc.Checks[field] = true
	if f.value != value {
		p.correct(field, value, f.value, "OCR confusion; the corrected value passes its check digit")
	}
	if f.check != check {
		p.correct(field+"_check", string(check), string(f.check), "OCR confusion in the check digit")
	}
	p.write(parts, c, f)
}

func (p *parser) checkDigitFailure(field, value string, check byte) {
	if !isDigit(check) {
		p.fail(field, "check digit "+quoteByte(check)+" is not a digit")
		return
	}
	d, _ := CheckDigit(value)
	p.fail(field, "check digit is "+string(check)+", the field computes to "+string(d))
}

func (p *parser) dateField(field string, s span, c pos, birth bool) string {
	var v string
	p.checkedSpans(field, []span{s}, c, numeric, func(got string) { v = got })
	return p.parseDate(field, v, birth)
}

// parseDate turns YYMMDD into a provisional date string with a two-digit
// year marker; resolveCenturies fixes the century once both dates are known.
func (p *parser) parseDate(field, v string, birth bool) string {
	if len(v) != 6 {
		return ""
	}
	yy, mm, dd := v[0:2], v[2:4], v[4:6]
	if !allDigits(yy) {
		p.fail(field, "year "+quote(yy)+" is not two digits")
		return ""
	}
	if birth && mm == "<<" {
		if dd != "<<" {
			p.fail(field, "day given without a month")
			return ""
		}
		return "YY" + yy
	}
	if !allDigits(mm) || atoi(mm) < 1 || atoi(mm) > 12 {
		p.fail(field, "month "+quote(mm)+" is not 01 to 12")
		return ""
	}
	if birth && dd == "<<" {
		return "YY" + yy + "-" + mm
	}
	if !allDigits(dd) || atoi(dd) < 1 || atoi(dd) > daysIn(2000+atoi(yy), atoi(mm)) {
		// 2000+yy and 1900+yy agree on leap years except 1900, which a
		// living traveller's document does not carry.
		p.fail(field, "day "+quote(dd)+" does not exist in month "+mm)
		return ""
	}
	return "YY" + yy + "-" + mm + "-" + dd
}

// resolveCenturies replaces the "YY" marker of both dates by a century: a
// birth date is the latest century not in the future; an expiry date is the
// century that puts it within 50 years of now, moved forward if that would
// fall before the birth date.
func (p *parser) resolveCenturies() {
	nowYear := p.now.Year()
	birthYear := 0
	if strings.HasPrefix(p.doc.BirthDate, "YY") {
		yy := atoi(p.doc.BirthDate[2:4])
		y := (nowYear/100)*100 + yy
		if y > nowYear || (y == nowYear && p.doc.BirthDate[4:] > p.now.Format("-01-02")[:len(p.doc.BirthDate[4:])]) {
			y -= 100
		}
		birthYear = y
		p.doc.BirthDate = itoa4(y) + p.doc.BirthDate[4:]
	}
	if strings.HasPrefix(p.doc.ExpiryDate, "YY") {
		yy := atoi(p.doc.ExpiryDate[2:4])
		y := (nowYear/100)*100 + yy
		if y > nowYear+50 {
			y -= 100
		} else if y <= nowYear-50 {
			y += 100
		}
		if birthYear > 0 && y < birthYear {
			y += 100
		}
		p.doc.ExpiryDate = itoa4(y) + p.doc.ExpiryDate[4:]
	}
}

func (p *parser) parseSex(q pos) {
	switch c := p.at(q); c {
	case 'M', 'F', 'X':
		p.doc.Sex = string(c)
	case '<':
		p.doc.Sex = "X"
	default:
		p.doc.Sex = "X"
		p.fail(FieldSex, "sex "+quoteByte(c)+" is not M, F, X or '<'")
	}
}

func (p *parser) checkComposite(l layout) {
	value := p.read(l.compParts)
	d, ok := CheckDigit(value)
	c := p.at(l.composite)
	switch {
	case !ok:
		p.doc.Checks[FieldComposite] = false
		p.fail(FieldComposite, "composite check digit cannot be computed")
	case d == c:
		p.doc.Checks[FieldComposite] = true
	case letterToDigit[c] == d:
		p.doc.Checks[FieldComposite] = true
		p.correct(FieldComposite+"_check", string(c), string(d), "OCR confusion in the check digit")
		p.lines[l.composite.line][l.composite.at] = d
	default:
		p.doc.Checks[FieldComposite] = false
		p.fail(FieldComposite, "composite check digit is "+quoteByte(c)+", the fields compute to "+string(d))
	}
}

// digitsToLetters maps the digits OCR confuses with letters (0→O, 1→I,
// 2→Z, 5→S, 6→G, 8→B) in a letter-only field; any other digit becomes '<'
// and is returned as bad.
func digitsToLetters(raw string) (fixed string, mapped bool, bad byte) {
	b := []byte(raw)
	for i, c := range b {
		if r, ok := digitToLetter[c]; ok {
			b[i] = r
			mapped = true
		} else if isDigit(c) {
			if bad == 0 {
				bad = c
			}
			b[i] = '<'
		}
	}
	return string(b), mapped, bad
}

// alphaField reads a three-letter code. Digits that OCR confuses with
// letters are corrected (digits never appear in these codes) and listed.
func (p *parser) alphaField(field string, s span) string {
	v := p.get(s)
	fixed, mapped, bad := digitsToLetters(v)
	if bad != 0 {
		p.fail(field, "code "+quote(v)+" holds the digit "+quoteByte(bad))
		return trimFiller(v)
	}
	if mapped {
		p.correct(field, v, fixed, "digit in a letter-only field")
		p.set(s, fixed)
	}
	out := trimFiller(fixed)
	if out == "" {
		p.fail(field, "code is empty")
	}
	return out
}

func (p *parser) parseName(l layout) {
	raw := p.get(l.name)
	name, mapped, bad := digitsToLetters(raw)
	if bad != 0 {
		p.fail(FieldName, "name holds the digit "+quoteByte(bad))
	}
	if mapped {
		p.correct(FieldName, raw, name, "digit in the name")
	}
	p.doc.NameTruncated = name[len(name)-1] != '<'
	surname, given, found := strings.Cut(name, "<<")
	if !found {
		// Only a surname, or a truncated one that filled the field.
		surname, given = name, ""
	}
	p.doc.Surname = strings.Join(strings.Fields(strings.ReplaceAll(surname, "<", " ")), " ")
	p.doc.GivenNames = strings.Join(strings.Fields(strings.ReplaceAll(given, "<", " ")), " ")
	// An empty primary identifier is allowed: names without a surname
	// (Burmese, many Indonesian names) are written as "<<GIVEN<NAMES".
	if p.doc.Surname == "" && p.doc.GivenNames == "" {
		p.fail(FieldName, "the name is empty")
	}
}

func trimFiller(s string) string { return strings.TrimRight(strings.TrimLeft(s, "<"), "<") }
