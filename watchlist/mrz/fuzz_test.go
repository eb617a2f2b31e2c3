package mrz

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	f.Add("I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<")
	f.Add("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6")
	f.Add("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<")
	f.Add("I<UTO<<<<<<<<<<<<<<<<<<<<<<<<<\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<")
	f.Fuzz(func(t *testing.T, in string) {
		d := Parse(in, refDate)
		if d.Valid != (len(d.Errors) == 0) {
			t.Fatalf("valid=%v with %d errors", d.Valid, len(d.Errors))
		}
		for _, e := range d.Errors {
			if e.Field == "" || e.Reason == "" {
				t.Fatalf("error without field or reason: %+v", e)
			}
		}
		if d.Valid {
			// A valid document re-parses to itself after its corrections.
			for _, c := range []string{d.Surname, d.GivenNames, d.DocumentNumber} {
				if strings.ContainsAny(c, "<") {
					t.Fatalf("filler left in %q", c)
				}
			}
		}
	})
}
