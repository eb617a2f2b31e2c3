package watchlist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/crossguard/crossguard/watchlist/names"
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

// Decoding into a record that held a larger one (checkStore reuses one
// record for every candidate) gives what a fresh decode gives, and leaves
// the strings taken from the first record as they were.
func TestMatchRecordDecodeReusesTheRecord(t *testing.T) {
	big := childAlert("R1", "张小明", "2015-03")
	big.Person.Names = append(big.Person.Names, PersonName{Surname: "Müller", Given: "Anna-Lena Maria"}, PersonName{Full: "Nguyễn Thị Đào"})
	big.Person.Nationalities = []string{"CHN", "VNM", "DEU"}
	big.Documents = []Document{{Type: "P", Country: "CHN", Number: "E12345678"}, {Type: "I", Country: "VNM", Number: "B7654321"}}
	small := childAlert("R2", "Lê Văn An", "2016")
	bigRec, smallRec := newMatchRecord(&big, nil), newMatchRecord(&small, nil)
	var scratch matchRecord
	if err := scratch.decode("R1", bigRec.encode()); err != nil {
		t.Fatal(err)
	}
	kept := scratch.names[1].readings[0].Given[0]
	keptCategory := scratch.category
	for range 2 {
		if err := scratch.decode("R2", smallRec.encode()); err != nil {
			t.Fatal(err)
		}
		want, err := decodeMatchRecord("R2", smallRec.encode())
		if err != nil {
			t.Fatal(err)
		}
		// (An empty slice of a reused record is not nil: compare as printed.)
		if fmt.Sprintf("%+v", scratch) != fmt.Sprintf("%+v", want) {
			t.Fatalf("reused decode:\n got %+v\nwant %+v", scratch, want)
		}
	}
	if kept != "ANNA" || keptCategory != MissingChild {
		t.Fatalf("a string of the first record changed: %q %q", kept, keptCategory)
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

// The bound that lets bestName skip a comparison is never below the
// similarity it stands for, on real names and on random strings.
func TestMayReachBoundsJaroWinkler(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	real := []string{"ZHANGXIAOMING", "XIAOMINGZHANG", "NGUYENTHIDAO", "SOMCHAIJAIDEE", "SMCHAAYCCHAIDII",
		"MUELLERANNALENA", "MULLERANNALENA", "WANGFANG", "HUNVANNA", "IVANOVAOLGA", "AUNGSANSUU", "A", "AB", "BA"}
	random := func() string {
		b := make([]byte, 1+r.IntN(20))
		for i := range b {
			b[i] = "AEIOUNGHZXSM"[r.IntN(12)]
		}
		return string(b)
	}
	checked := 0
	for i := 0; i < 20000; i++ {
		var a, b string
		if i < len(real)*len(real) {
			a, b = real[i/len(real)], real[i%len(real)]
		} else {
			a, b = random(), random()
		}
		p := &Probe{}
		p.addForm(names.Name{Surname: []string{a}, Ordered: true})
		tf := &p.forms[0]
		sim := names.Similarity(a, b)
		if !mayReach(tf, []byte(b), false, sim) {
			t.Fatalf("bound of %s ~ %s is below their similarity %.4f", a, b, sim)
		}
		if sim >= phoneticMinJW && len(tf.skeleton) >= phoneticMinClasses && !mayReach(tf, []byte(b), true, phoneticFloor) {
			t.Fatalf("bound of %s ~ %s misses the phonetic floor", a, b)
		}
		if sameLetters(sortedLetters(a), []byte(b)) != (sortedLetters(a) == sortedLetters(b)) {
			t.Fatalf("sameLetters(%s, %s) disagrees with sortedLetters", a, b)
		}
		checked++
	}
	// And it does prune: a namesake by surname alone is not compared.
	p := &Probe{}
	p.addForm(names.Name{Surname: []string{"ZHANG"}, Given: []string{"WEI"}, Ordered: true})
	if mayReach(&p.forms[0], []byte("ZHANGXIAOMING"), false, 0.88) {
		t.Error("ZHANGWEI ~ ZHANGXIAOMING is compared although it cannot reach 0.88")
	}
	t.Logf("%d pairs", checked)
}

// No two different strings come nearer than inexactSimilarityBound of the
// first's length, and the bound is reached (a letter appended to a long
// name), so it is not loose.
func TestInexactSimilarityBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	letters := "AEIOUNGHTRSMB"
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return b
	}
	edit := func(a []byte) []byte {
		b := append([]byte(nil), a...)
		switch i := r.IntN(len(b) + 1); r.IntN(4) {
		case 0: // insert
			b = slices.Insert(b, i, letters[r.IntN(len(letters))])
		case 1: // delete
			if i < len(b) {
				b = slices.Delete(b, i, i+1)
			}
		case 2: // substitute
			if i < len(b) {
				b[i] = letters[r.IntN(len(letters))]
			}
		default: // transpose
			if i+1 < len(b) {
				b[i], b[i+1] = b[i+1], b[i]
			}
		}
		return b
	}
	checked := 0
	for i := 0; i < 200000; i++ {
		a := random(1 + r.IntN(60))
		b := edit(a)
		if i%4 == 3 {
			b = random(1 + r.IntN(60))
		} else if i%4 == 2 {
			b = edit(b)
		}
		if string(a) == string(b) {
			continue
		}
		if sim, bound := names.Similarity(string(a), string(b)), inexactSimilarityBound(len(a)); sim > bound+1e-12 {
			t.Fatalf("%s ~ %s: similarity %.6f above the bound %.6f", a, b, sim, bound)
		}
		checked++
	}
	a := "NGUYENTHITHANHHUONGANH"
	if sim, bound := names.Similarity(a, a+"H"), inexactSimilarityBound(len(a)); math.Abs(sim-bound) > 1e-12 {
		t.Errorf("%s ~ %sH: similarity %.6f, bound %.6f: the bound is loose", a, a, sim, bound)
	}
	t.Logf("%d pairs", checked)
}

// parsePartialDate, which reads dates in place, accepts exactly what
// time.Parse does for each form, from 1900.
func TestParsePartialDateAgreesWithTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	digit := func() byte { return "0123456789"[r.IntN(10)] }
	for i := 0; i < 50000; i++ {
		b := []byte(fmt.Sprintf("%04d-%02d-%02d", 1890+r.IntN(200), r.IntN(14), r.IntN(33)))
		if i%10 == 0 {
			b[r.IntN(len(b))] = digit()
		}
		if i%17 == 0 {
			b[r.IntN(len(b))] = "-x/ "[r.IntN(4)]
		}
		for _, s := range []string{string(b), string(b[:7]), string(b[:4])} {
			y, m, d, ok := parsePartialDate(s)
			layout := map[int]string{4: "2006", 7: "2006-01", 10: time.DateOnly}[len(s)]
			tm, err := time.Parse(layout, s)
			want := err == nil && tm.Year() >= 1900 && (len(s) != 4 || tm.Year() <= 2999)
			if ok != want {
				t.Fatalf("%q: ok %v, time.Parse says %v (%v)", s, ok, want, err)
			}
			if ok && (y != tm.Year() || (len(s) >= 7 && m != int(tm.Month())) || (len(s) == 10 && d != tm.Day())) {
				t.Fatalf("%q read as %d-%d-%d", s, y, m, d)
			}
			if y2, m2, d2, ok2 := parsePartialDate([]byte(s)); y2 != y || m2 != m || d2 != d || ok2 != ok {
				t.Fatalf("%q reads differently as bytes", s)
			}
		}
	}
}
