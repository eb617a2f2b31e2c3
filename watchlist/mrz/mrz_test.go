package mrz

import (
	"strings"
	"testing"
	"time"
)

var refDate = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// Specimens from ICAO Doc 9303 Parts 4-7 (the Utopian specimen documents of
// Anna Maria Eriksson).
func TestParseSpecimens(t *testing.T) {
	tests := []struct {
		name   string
		mrz    string
		want   Document
		checks []string
	}{
		{
			name: "TD3 passport (9303-4)",
			mrz: "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
				"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
			want: Document{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
				DocumentNumber: "L898902C3", Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15", OptionalData: "ZE184226B"},
			checks: []string{FieldDocumentNumber, FieldBirthDate, FieldExpiryDate, FieldPersonalNumber, FieldComposite},
		},
		{
			name: "TD1 identity card (9303-5)",
			mrz: "I<UTOD231458907<<<<<<<<<<<<<<<\n" +
				"7408122F1204159UTO<<<<<<<<<<<6\n" +
				"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
			want: Document{Format: TD1, DocumentCode: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
				DocumentNumber: "D23145890", Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15"},
			checks: []string{FieldDocumentNumber, FieldBirthDate, FieldExpiryDate, FieldComposite},
		},
		{
			name: "TD2 (9303-6)",
			mrz: "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n" +
				"D231458907UTO7408122F1204159<<<<<<<6",
			want: Document{Format: TD2, DocumentCode: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
				DocumentNumber: "D23145890", Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15"},
			checks: []string{FieldDocumentNumber, FieldBirthDate, FieldExpiryDate, FieldComposite},
		},
		{
			name: "MRV-A visa (9303-7)",
			mrz: "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
				"L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
			want: Document{Format: MRVA, DocumentCode: "V", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
				DocumentNumber: "L8988901C", Nationality: "XXX", BirthDate: "1940-09-07", Sex: "F", ExpiryDate: "1996-12-10", OptionalData: "6ZE184226B"},
			checks: []string{FieldDocumentNumber, FieldBirthDate, FieldExpiryDate},
		},
		{
			name: "MRV-B visa (9303-7)",
			mrz: "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n" +
				"L8988901C4XXX4009078F9612109<<<<<<<<",
			want: Document{Format: MRVB, DocumentCode: "V", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
				DocumentNumber: "L8988901C", Nationality: "XXX", BirthDate: "1940-09-07", Sex: "F", ExpiryDate: "1996-12-10"},
			checks: []string{FieldDocumentNumber, FieldBirthDate, FieldExpiryDate},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.mrz, refDate)
			if !got.Valid || len(got.Errors) > 0 {
				t.Fatalf("specimen invalid: %+v", got.Errors)
			}
			if len(got.Corrections) != 0 {
				t.Errorf("unexpected corrections %+v", got.Corrections)
			}
			compare(t, got, tt.want)
			for _, c := range tt.checks {
				if ok, present := got.Checks[c]; !present || !ok {
					t.Errorf("check %s = %v (present %v), want passed", c, ok, present)
				}
			}
			if len(got.Checks) != len(tt.checks) {
				t.Errorf("checks %v, want exactly %v", got.Checks, tt.checks)
			}
		})
	}
}

func compare(t *testing.T, got, want Document) {
	t.Helper()
	pairs := [][3]string{
		{"format", string(got.Format), string(want.Format)},
		{"document_code", got.DocumentCode, want.DocumentCode},
		{"issuing_state", got.IssuingState, want.IssuingState},
		{"surname", got.Surname, want.Surname},
		{"given_names", got.GivenNames, want.GivenNames},
		{"document_number", got.DocumentNumber, want.DocumentNumber},
		{"nationality", got.Nationality, want.Nationality},
		{"birth_date", got.BirthDate, want.BirthDate},
		{"sex", got.Sex, want.Sex},
		{"expiry_date", got.ExpiryDate, want.ExpiryDate},
		{"optional_data", got.OptionalData, want.OptionalData},
	}
	for _, p := range pairs {
		if p[1] != p[2] {
			t.Errorf("%s = %q, want %q", p[0], p[1], p[2])
		}
	}
}

func TestCheckDigit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want byte
	}{
		{"L898902C3", '6'}, {"740812", '2'}, {"120415", '9'}, {"ZE184226B<<<<<", '1'},
		{"D23145890", '7'}, {"<<<<<<", '0'}, {"520727", '3'},
	} {
		got, ok := CheckDigit(tt.in)
		if !ok || got != tt.want {
			t.Errorf("CheckDigit(%q) = %c,%v, want %c", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := CheckDigit("ab"); ok {
		t.Error("lower case accepted as MRZ characters")
	}
}

func TestTD1LongDocumentNumber(t *testing.T) {
	// ICAO 9303-5 4.2.4 note j: the document number D23145890734 overflows
	// into optional data, followed by its check digit 9 and a filler.
	mrz := "I<UTOD23145890<7349<<<<<<<<<<<\n" +
		"3407127M9507122UTO<<<<<<<<<<<2\n" +
		"STEVENSON<<PETER<JOHN<<<<<<<<<"
	got := Parse(mrz, refDate)
	if got.DocumentNumber != "D23145890734" {
		t.Fatalf("document number %q, want D23145890734", got.DocumentNumber)
	}
	if !got.Checks[FieldDocumentNumber] {
		t.Errorf("long document number check failed: %+v", got.Errors)
	}
	if got.OptionalData != "" {
		t.Errorf("optional data %q, want empty", got.OptionalData)
	}
	if got.BirthDate != "1934-07-12" || got.Sex != "M" || got.ExpiryDate != "1995-07-12" {
		t.Errorf("dates %s %s %s", got.BirthDate, got.Sex, got.ExpiryDate)
	}
	if !got.Checks[FieldComposite] || !got.Valid {
		t.Errorf("composite %v, errors %+v", got.Checks[FieldComposite], got.Errors)
	}
	// Compose writes the same overflow.
	f := Fields{IssuingState: "UTO", Surname: "STEVENSON", GivenNames: "PETER JOHN", DocumentNumber: "D23145890734",
		Nationality: "UTO", BirthDate: date(1934, 7, 12), Sex: "M", ExpiryDate: date(1995, 7, 12)}
	if c := Compose(TD1, f); c != mrz {
		t.Errorf("Compose:\n%s\nwant\n%s", c, mrz)
	}
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestCenturies(t *testing.T) {
	tests := []struct {
		birth, expiry         time.Time
		wantBirth, wantExpiry string
	}{
		{date(2015, 3, 9), date(2030, 3, 8), "2015-03-09", "2030-03-08"}, // a child born in 2015, not 1915
		{date(1950, 1, 1), date(2027, 1, 1), "1950-01-01", "2027-01-01"},
		{date(2026, 11, 1), date(2031, 10, 31), "2026-11-01", "2031-10-31"}, // born this month
		{date(1926, 12, 1), date(2028, 1, 1), "1926-12-01", "2028-01-01"},   // 26 after today's date: 1926
		{date(1990, 5, 5), date(2024, 5, 5), "1990-05-05", "2024-05-05"},    // expired
	}
	for _, tt := range tests {
		m := Compose(TD3, Fields{IssuingState: "CHN", Surname: "ZHANG", GivenNames: "XIAOMING", DocumentNumber: "E12345678",
			Nationality: "CHN", BirthDate: tt.birth, Sex: "M", ExpiryDate: tt.expiry})
		got := Parse(m, refDate)
		if got.BirthDate != tt.wantBirth || got.ExpiryDate != tt.wantExpiry || !got.Valid {
			t.Errorf("birth %s expiry %s valid %v, want %s %s", got.BirthDate, got.ExpiryDate, got.Valid, tt.wantBirth, tt.wantExpiry)
		}
	}
}

func TestUnknownBirthDayAndMonth(t *testing.T) {
	lines := strings.Split(Compose(TD3, Fields{IssuingState: "UTO", Surname: "DOE", DocumentNumber: "X1234567",
		Nationality: "UTO", BirthDate: date(1980, 1, 1), Sex: "F", ExpiryDate: date(2030, 1, 1)}), "\n")
	l2 := []byte(lines[1])
	copy(l2[13:19], "80<<<<")
	d, _ := CheckDigit("80<<<<")
	l2[19] = d
	var comp strings.Builder
	comp.Write(l2[0:10])
	comp.Write(l2[13:20])
	comp.Write(l2[21:43])
	c, _ := CheckDigit(comp.String())
	l2[43] = c
	got := Parse(lines[0]+"\n"+string(l2), refDate)
	if got.BirthDate != "1980" || !got.Valid {
		t.Errorf("birth %q valid %v errors %+v", got.BirthDate, got.Valid, got.Errors)
	}
}

func TestOCRCorrections(t *testing.T) {
	good := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	tests := []struct {
		name      string
		mrz       string
		field     string
		wantValue func(Document) string
		want      string
	}{
		{"O for 0 in birth date", strings.Replace(good, "7408122F", "74O8122F", 1), FieldBirthDate,
			func(d Document) string { return d.BirthDate }, "1974-08-12"},
		{"S for 5 in expiry", strings.Replace(good, "1204159Z", "12041S9Z", 1), FieldExpiryDate,
			func(d Document) string { return d.ExpiryDate }, "2012-04-15"},
		{"8 read as B in document number", strings.Replace(good, "L898902C3", "L89B902C3", 1), FieldDocumentNumber,
			func(d Document) string { return d.DocumentNumber }, "L898902C3"},
		{"O for 0 in a check digit", strings.Replace(good, "<<<<<10", "<<<<<1O", 1), FieldComposite + "_check",
			func(d Document) string { return d.BirthDate }, "1974-08-12"},
		{"1 for I in the name", strings.Replace(good, "ANNA<MAR", "ANNA<MAR", 1) + "", "", nil, ""},
		{"digit in the name", strings.Replace(good, "ERIKSSON", "ER1KSSON", 1), FieldName,
			func(d Document) string { return d.Surname }, "ERIKSSON"},
		{"digit in nationality", strings.Replace(good, "36UTO", "36UT0", 1), FieldNationality,
			func(d Document) string { return d.Nationality }, "UTO"},
	}
	for _, tt := range tests {
		if tt.field == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.mrz, refDate)
			if !got.Valid {
				t.Fatalf("not valid after correction: %+v", got.Errors)
			}
			if v := tt.wantValue(got); v != tt.want {
				t.Errorf("value %q, want %q", v, tt.want)
			}
			found := false
			for _, c := range got.Corrections {
				if c.Field == tt.field {
					found = true
				}
			}
			if !found {
				t.Errorf("no correction listed for %s: %+v", tt.field, got.Corrections)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	good := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	tests := []struct {
		name       string
		mrz        string
		wantField  string
		wantFailed string // a check that must be false
	}{
		{"wrong birth check digit", strings.Replace(good, "7408122F", "7408123F", 1), FieldBirthDate, FieldBirthDate},
		{"mistyped digit in document number", strings.Replace(good, "L898902C3", "L898912C3", 1), FieldDocumentNumber, FieldDocumentNumber},
		{"composite wrong", strings.Replace(good, "<<<<<10", "<<<<<19", 1), FieldComposite, FieldComposite},
		{"month 13", strings.Replace(good, "7408122F", "7413122F", 1), FieldBirthDate, ""},
		{"bad sex", strings.Replace(good, "2F12", "2Q12", 1), FieldSex, ""},
		{"short line", good[:len(good)-10], FieldLayout, ""},
		{"illegal character", strings.Replace(good, "ANNA", "AN#A", 1), FieldLayout, ""},
		{"one line", "P<UTOERIKSSON", FieldLayout, ""},
		{"four lines", good + "\nAAA\nBBB", FieldLayout, ""},
		{"empty", "", FieldLayout, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.mrz, refDate)
			if got.Valid {
				t.Fatal("invalid input reported valid")
			}
			found := false
			for _, e := range got.Errors {
				if e.Field == tt.wantField && e.Reason != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("no error for field %s: %+v", tt.wantField, got.Errors)
			}
			if tt.wantFailed != "" {
				if ok, present := got.Checks[tt.wantFailed]; !present || ok {
					t.Errorf("check %s = %v present %v, want failed", tt.wantFailed, ok, present)
				}
			}
		})
	}
}

func TestComposeRoundTrip(t *testing.T) {
	for _, f := range []Format{TD1, TD2, TD3, MRVA, MRVB} {
		in := Fields{IssuingState: "VNM", Surname: "NGUYEN", GivenNames: "THI DAO", DocumentNumber: "C1234567",
			Nationality: "VNM", BirthDate: date(2012, 2, 29), Sex: "F", ExpiryDate: date(2027, 2, 28), OptionalData: "AB12"}
		got := Parse(Compose(f, in), refDate)
		if !got.Valid {
			t.Errorf("%s: %+v", f, got.Errors)
			continue
		}
		if got.Format != f || got.Surname != "NGUYEN" || got.GivenNames != "THI DAO" || got.DocumentNumber != "C1234567" ||
			got.BirthDate != "2012-02-29" || got.ExpiryDate != "2027-02-28" || got.Sex != "F" {
			t.Errorf("%s: round trip gave %+v", f, got)
		}
	}
}

func TestNameTruncation(t *testing.T) {
	m := Compose(TD3, Fields{IssuingState: "THA", Surname: "SRISUWANNAKULCHAROENPHON", GivenNames: "CHAKKRAPHAT SOMBOON",
		DocumentNumber: "AA1234567", Nationality: "THA", BirthDate: date(1988, 1, 2), Sex: "M", ExpiryDate: date(2029, 1, 1)})
	got := Parse(m, refDate)
	if !got.NameTruncated || got.Surname != "SRISUWANNAKULCHAROENPHON" || !strings.HasPrefix("CHAKKRAPHAT SOMBOON", got.GivenNames) {
		t.Errorf("truncated %v surname %q given %q", got.NameTruncated, got.Surname, got.GivenNames)
	}
}

func TestNameWithoutSurname(t *testing.T) {
	m := Compose(TD3, Fields{IssuingState: "MMR", GivenNames: "AUNG SAN SUU KYI", DocumentNumber: "MA1234567",
		Nationality: "MMR", BirthDate: date(1945, 6, 19), Sex: "F", ExpiryDate: date(2030, 1, 1)})
	if !strings.HasPrefix(m, "P<MMR<<AUNG<SAN<SUU<KYI<") {
		t.Fatalf("composed %q", m)
	}
	got := Parse(m, refDate)
	if !got.Valid || got.Surname != "" || got.GivenNames != "AUNG SAN SUU KYI" {
		t.Errorf("%+v", got)
	}
	empty := Parse(strings.Replace(m, "AUNG<SAN<SUU<KYI", "<<<<<<<<<<<<<<<<", 1), refDate)
	if empty.Valid {
		t.Error("an empty name is valid")
	}
}

func TestSplitDocuments(t *testing.T) {
	docs := SplitDocuments("A\nB\n\n\r\nC\nD\nE\n")
	if len(docs) != 2 || docs[0] != "A\nB" || docs[1] != "C\nD\nE" {
		t.Errorf("got %q", docs)
	}
}
