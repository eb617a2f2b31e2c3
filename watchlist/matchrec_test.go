package watchlist

import (
	"reflect"
	"testing"
)

func TestMatchRecordRoundTrip(t *testing.T) {
	a := childAlert("R1", "张小明", "2015-03")
	a.Person.Names = append(a.Person.Names, PersonName{Surname: "Müller", Given: "Anna-Lena"})
	a.Documents = []Document{{Type: "P", Country: "CHN", Number: "e 1234-5678"}}
	a.ValidUntil = "2027-01-01"
	rec := newMatchRecord(&a, nil)
	got, err := decodeMatchRecord("R1", rec.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rec) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, rec)
	}
	if got.documents[0].Number != "E12345678" || got.month != 3 || got.day != 0 {
		t.Errorf("%+v", got)
	}
	for _, bad := range [][]byte{nil, {9}, {matchRecordFormat}, rec.encode()[:len(rec.encode())-3]} {
		if _, err := decodeMatchRecord("x", bad); err == nil {
			t.Errorf("corrupt record %v decoded", bad)
		}
	}
}

func FuzzDecodeMatchRecord(f *testing.F) {
	a := childAlert("R1", "Nguyễn Thị Đào", "2012-07-01")
	rec := newMatchRecord(&a, nil)
	f.Add(rec.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeMatchRecord("x", b) // must not panic or allocate without bound
	})
}
