package watchlist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// today is today at 10:00 UTC (crossing records expire by the wall clock).
var today = time.Now().UTC().Truncate(24 * time.Hour).Add(10 * time.Hour)

func testConfig(t testing.TB) Config {
	cfg := DefaultConfig(t.TempDir())
	cfg.HistoryKey = []byte("0123456789abcdef0123456789abcdef")
	return cfg
}

func openTest(t testing.TB) *Engine { t.Helper(); return openTestWith(t, nil) }

// openTestWith opens a test engine whose configuration configure changes
// (nil: the test configuration as it is); it is closed with the test.
func openTestWith(t testing.TB, configure func(*Config)) *Engine {
	t.Helper()
	cfg := testConfig(t)
	if configure != nil {
		configure(&cfg)
	}
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// waitRebuild waits for a background rebuild of the bloom filters.
func (e *Engine) waitRebuild() { e.background.Wait() }

// assertNoFalseNegatives checks the prefilter's one promise: every key in
// the index passes the filters.
func assertNoFalseNegatives(t *testing.T, e *Engine) {
	t.Helper()
	f := e.filters.Load()
	txn := e.locked().NewTransaction(false)
	defer txn.Discard()
	n := 0
	err := forEachIndexKey(txn, func(k key) error {
		n++
		if !f.mayContain(k) {
			return fmt.Errorf("index key %+v is not in the bloom filters", k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("empty index")
	}
}

func childAlert(id, full, birth string) Alert {
	return Alert{
		ID: id, Category: MissingChild, Action: ActionStop, Status: StatusActive,
		Person:       &Person{Names: []PersonName{{Full: full}}, BirthDate: birth, Sex: "M", Nationalities: []string{"CHN"}},
		Instructions: "Keep the child safe; call the Yunnan PSB duty officer.",
		Owner:        Owner{Country: "CHN", Agency: "Yunnan PSB"},
	}
}

func mustUpsert(t testing.TB, e *Engine, alerts ...Alert) {
	t.Helper()
	if err := e.Upsert(alerts...); err != nil {
		t.Fatal(err)
	}
}

func check(t testing.TB, e *Engine, tr Traveller) []Hit {
	t.Helper()
	p, err := e.NewProbe(tr)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := e.Check(p, today)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// hitCase is a traveller and the alert it must hit ("" for none).
type hitCase struct {
	want string
	tr   Traveller
}

// expectHits checks every case with expectHit.
func expectHits(t *testing.T, e *Engine, cases []hitCase) {
	t.Helper()
	for _, c := range cases {
		expectHit(t, e, c.want, c.tr)
	}
}

// expectHit checks tr and reports an error unless it hits exactly the
// alert want, or nothing when want is "". It returns the hit, and whether
// there was the one wanted.
func expectHit(t *testing.T, e *Engine, want string, tr Traveller) (Hit, bool) {
	t.Helper()
	hits := check(t, e, tr)
	if want == "" {
		if len(hits) != 0 {
			t.Errorf("%+v hit %s: %+v", tr, hits[0].AlertID, hits[0].Explain)
		}
		return Hit{}, false
	}
	if len(hits) != 1 || hits[0].AlertID != want {
		t.Errorf("%+v: hits %+v", tr, hits)
		return Hit{}, false
	}
	return hits[0], true
}

func TestAlertRoundTrip(t *testing.T) {
	e := openTest(t)
	in := `{"id":"01J000000000000000000000AA","category":"missing_child",
	"person":{"names":[{"full":"张小明"},{"surname":"ZHANG","given":"XIAOMING"}],"birth_date":"2015-03-09","sex":"M","nationalities":["CHN"]},
	"documents":[{"type":"P","country":"CHN","number":"E12345678"}],"action":"stop","instructions":"Call Yunnan PSB",
	"owner":{"country":"CHN","agency":"Yunnan PSB"},"share":["VNM","LAO"],"valid_until":"2027-01-01","status":"active"}`
	a, err := DecodeAlert([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, e, a)
	got, err := e.Get(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("got %+v, want %+v", got, a)
	}
	var back, orig map[string]any
	b, _ := json.Marshal(got)
	json.Unmarshal(b, &back)
	json.Unmarshal([]byte(in), &orig)
	if !reflect.DeepEqual(back, orig) {
		t.Errorf("JSON changed:\n%s\n%s", b, in)
	}
	if _, err := e.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing alert: %v", err)
	}
}

func TestAlertValidation(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		fields []string
	}{
		{"empty", `{}`, []string{"category", "action", "owner.country", "owner.agency"}},
		{"unknown field", `{"catgory":"missing_child"}`, []string{"catgory"}},
		{"wrong type", `{"category":"missing_child","person":{"names":"Zhang"}}`, []string{"person.names"}},
		{"malformed", `{"category":`, []string{""}},
		{"person alert without person", `{"category":"missing_child","action":"stop","owner":{"country":"CHN","agency":"x"}}`, []string{"person"}},
		{"no names", `{"category":"missing_child","person":{"names":[]},"action":"stop","owner":{"country":"CHN","agency":"x"}}`, []string{"person.names"}},
		{"bad name, date, sex, nationality", `{"category":"missing_child","person":{"names":[{"full":"X","surname":"Y"},{"full":"123"}],"birth_date":"2015-13-01","sex":"boy","nationalities":["CN"]},"action":"halt","owner":{"country":"ZZZ","agency":"x"},"share":["VNM","VNM"],"valid_until":"soon","status":"open"}`,
			[]string{"person.names[0]", "person.names[1]", "person.birth_date", "person.sex", "person.nationalities[0]", "action", "owner.country", "share[1]", "valid_until", "status"}},
		{"lost document without documents", `{"category":"lost_stolen_document","action":"stop","owner":{"country":"VNM","agency":"x"}}`, []string{"documents"}},
		{"bad document", `{"category":"lost_stolen_document","documents":[{"type":"Q","country":"VN","number":"--"}],"action":"stop","owner":{"country":"VNM","agency":"x"}}`,
			[]string{"documents[0].type", "documents[0].country", "documents[0].number"}},
		{"bad id", `{"id":"../etc","category":"lost_stolen_document","documents":[{"type":"P","country":"VNM","number":"C1"}],"action":"stop","owner":{"country":"VNM","agency":"x"}}`, []string{"id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeAlert([]byte(tt.json))
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			got := map[string]bool{}
			for _, f := range ve.Fields {
				got[f.Field] = true
				if f.Reason == "" {
					t.Errorf("field %s without reason", f.Field)
				}
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("no error for %q; got %+v", f, ve.Fields)
				}
			}
		})
	}
}

func TestInvalidBatchStoresNothing(t *testing.T) {
	e := openTest(t)
	good := childAlert("A1", "张小明", "2015-03-09")
	bad := childAlert("A2", "王芳", "2015-02-30")
	err := e.Upsert(good, bad)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "alerts[1].person.birth_date" {
		t.Fatalf("err = %v", err)
	}
	if _, err := e.Get("A1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("valid half of an invalid batch was stored: %v", err)
	}
	if s := e.Stats(); s.IndexKeys != 0 {
		t.Errorf("index holds %d keys after a refused batch", s.IndexKeys)
	}
}

func TestCrossScriptHits(t *testing.T) {
	e := openTest(t)
	alerts := []Alert{
		childAlert("HAN", "张小明", "2015-03-09"),
		childAlert("VIE", "Nguyễn Thị Đào", "2012-07-01"),
		childAlert("THA", "สมชาย ใจดี", "2010-01-15"),
		childAlert("LAO", "ສົມພອນ ແກ້ວມະນີ", "2011-05-05"),
		childAlert("KHM", "សុខ ចាន់", "2013-09-09"),
		childAlert("MMR", "အောင်ဆန်းစုကြည်", "2009-06-19"),
		childAlert("RUS", "Щербакова Юлия", "2014-02-02"),
		childAlert("SURNAME", "单田芳", "2016-04-04"),
		childAlert("COMPOUND", "欧阳修", "2012-12-12"),
		childAlert("TWN", "許志明", "2014-10-10"), // traditional characters
		childAlert("JEN", "任家豪", "2013-06-06"), // R is J in Wade-Giles: another skeleton
		childAlert("YOLKINA", "Ёлкина Юлия", "2013-07-07"),
	}
	mustUpsert(t, e, alerts...)
	tests := []struct {
		want string
		tr   Traveller
	}{
		{"HAN", Traveller{Surname: "ZHANG", Given: "XIAO MING", BirthDate: "2015-03-09", Sex: "M", Nationality: "CHN"}},
		{"HAN", Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09"}},
		{"HAN", Traveller{Surname: "ZHANG", Given: "XIAOMNG", BirthDate: "2015-03-09"}},  // typo
		{"HAN", Traveller{Surname: "XIAOMING", Given: "ZHANG", BirthDate: "2015-03-09"}}, // order swapped
		{"HAN", Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2016-03-09"}}, // year off by one
		{"VIE", Traveller{Surname: "NGUYEN", Given: "THI DAO", BirthDate: "2012-07-01", Sex: "F"}},
		{"THA", Traveller{Surname: "JAIDEE", Given: "SOMCHAI", BirthDate: "2010-01-15"}},
		{"LAO", Traveller{Surname: "KEOMANY", Given: "SOMPHONE", BirthDate: "2011-05-05"}},
		{"KHM", Traveller{Surname: "SOK", Given: "CHAN", BirthDate: "2013-09-09"}},
		{"MMR", Traveller{Surname: "", Given: "AUNG SAN SUU KYI", BirthDate: "2009-06-19"}},
		{"MMR", Traveller{Surname: "AUNG", Given: "SAN SUU KYI", BirthDate: "2009-06-19"}},
		{"RUS", Traveller{Surname: "SHCHERBAKOVA", Given: "IULIIA", BirthDate: "2014-02-02"}},
		{"SURNAME", Traveller{Surname: "SHAN", Given: "TIANFANG", BirthDate: "2016-04-04"}},
		{"COMPOUND", Traveller{Surname: "OUYANG", Given: "XIU", BirthDate: "2012-12-12"}},
		// Han names in Wade-Giles, as Taiwan's passports write them.
		{"TWN", Traveller{Surname: "HSU", Given: "CHIH-MING", BirthDate: "2014-10-10"}},
		{"TWN", Traveller{Surname: "XU", Given: "ZHIMING", BirthDate: "2014-10-10"}},
		{"HAN", Traveller{Surname: "CHANG", Given: "HSIAO-MING", BirthDate: "2015-03-09"}},
		{"JEN", Traveller{Surname: "JEN", Given: "CHIA-HAO", BirthDate: "2013-06-06"}},
		{"JEN", Traveller{Surname: "REN", Given: "JIAHAO", BirthDate: "2013-06-06"}},
		// Cyrillic in ICAO's spelling of 2015 and in the one before it.
		{"YOLKINA", Traveller{Surname: "ELKINA", Given: "IULIIA", BirthDate: "2013-07-07"}},
		{"YOLKINA", Traveller{Surname: "YOLKINA", Given: "YULIYA", BirthDate: "2013-07-07"}},
		// Documents that give only the birth year, or year and month, as
		// some issuers do: the alert knows the whole date.
		// (with sex and nationality, which every passport gives: the year
		// alone is weaker evidence than the whole date).
		{"HAN", Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015", Sex: "M", Nationality: "CHN"}},
		{"HAN", Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03", Sex: "M", Nationality: "CHN"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s %s", tt.want, tt.tr.Surname, tt.tr.Given), func(t *testing.T) {
			hits := check(t, e, tt.tr)
			if len(hits) == 0 || hits[0].AlertID != tt.want {
				t.Fatalf("hits %+v, want %s first", hits, tt.want)
			}
			h := hits[0]
			if h.Score < 0.8 || h.Score > 1 || h.Explain.Name == nil || h.Explain.BirthDate == "" {
				t.Errorf("hit %+v explain %+v", h, h.Explain.Name)
			}
		})
	}
	// Innocent travellers: no hit.
	for _, tr := range []Traveller{
		{Surname: "WANG", Given: "FANG", BirthDate: "2015-03-09"},
		{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "1980-03-09"}, // same name, another generation
		{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "1980"},       // and by year only
		{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-07"},    // the year, another month
		{Surname: "TRAN", Given: "VAN NAM", BirthDate: "2012-07-01"},
	} {
		if hits := check(t, e, tr); len(hits) != 0 {
			t.Errorf("%+v hit %+v", tr, hits)
		}
	}
}

func TestDocumentHits(t *testing.T) {
	e := openTest(t)
	lost := Alert{ID: "DOC", Category: LostStolenDocument, Action: ActionStop, Status: StatusActive,
		Documents: []Document{{Type: "P", Country: "VNM", Number: "C1234567"}}, Owner: Owner{Country: "VNM", Agency: "Immigration"}}
	mustUpsert(t, e, lost)
	tests := []struct {
		number, country, explain string
		hit                      bool
	}{
		{"C1234567", "VNM", "exact", true},
		{"c 1234-567", "VNM", "exact", true},
		{"C12345G7", "VNM", "equal after OCR normalisation", true}, // G read for 6
		{"C7654321", "VNM", "", false},
		{"C1234S67", "VNM", "equal after OCR normalisation", true},
		{"C1234567", "THA", "", false}, // another country's document
	}
	for _, tt := range tests {
		hits := check(t, e, Traveller{Surname: "NGUYEN", Given: "VAN A", BirthDate: "1990-01-01", Document: &Document{Type: "P", Country: tt.country, Number: tt.number}})
		if tt.hit != (len(hits) == 1) {
			t.Errorf("%s/%s: hits %+v", tt.number, tt.country, hits)
			continue
		}
		if tt.hit && (hits[0].Score != 1 || hits[0].Explain.Document != tt.explain) {
			t.Errorf("%s: %+v", tt.number, hits[0])
		}
	}
}

func TestClosedAndExpiredAlertsDoNotHit(t *testing.T) {
	e := openTest(t)
	a := childAlert("A", "张小明", "2015-03-09")
	b := childAlert("B", "李娜", "2014-01-01")
	b.ValidUntil = "2026-11-21"
	mustUpsert(t, e, a, b)
	tr := Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09"}
	if len(check(t, e, tr)) != 1 {
		t.Fatal("active alert does not hit")
	}
	if err := e.CloseAlert("A", today); err != nil {
		t.Fatal(err)
	}
	if hits := check(t, e, tr); len(hits) != 0 {
		t.Errorf("closed alert hits: %+v", hits)
	}
	got, _ := e.Get("A")
	if got.Status != StatusClosed {
		t.Errorf("closed alert not kept: %+v", got)
	}
	if hits := check(t, e, Traveller{Surname: "LI", Given: "NA", BirthDate: "2014-01-01"}); len(hits) != 0 {
		t.Errorf("expired alert hits: %+v", hits)
	}
	if s := e.Stats(); s.BloomStale == 0 {
		t.Errorf("closing left no stale keys: %+v", s)
	}
}

func TestUpdateMovesIndex(t *testing.T) {
	e := openTest(t)
	mustUpsert(t, e, childAlert("A", "张小明", "2015-03-09"))
	mustUpsert(t, e, childAlert("A", "王芳", "2015-03-09"))
	if hits := check(t, e, Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09"}); len(hits) != 0 {
		t.Errorf("old name still hits: %+v", hits)
	}
	if hits := check(t, e, Traveller{Surname: "WANG", Given: "FANG", BirthDate: "2015-03-09"}); len(hits) != 1 {
		t.Errorf("new name does not hit: %+v", hits)
	}
}

func TestReopenRebuildsBloom(t *testing.T) {
	cfg := testConfig(t)
	cfg.EncryptionKey = []byte("0123456789abcdef")
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, e, childAlert("A", "张小明", "2015-03-09"), childAlert("U", "李娜", ""))
	before := e.Stats()
	e.Close()
	e, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	after := e.Stats()
	if after.IndexKeys != before.IndexKeys || after.BloomDelta != 0 || after.BloomBuiltFor != uint(before.IndexKeys) || after.CoarseKeys == 0 {
		t.Errorf("before %+v after %+v", before, after)
	}
	if len(check(t, e, Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09"})) != 1 {
		t.Error("no hit after reopen")
	}
	if len(check(t, e, Traveller{Surname: "LI", Given: "NA", BirthDate: "2001-05-05", Sex: "M", Nationality: "CHN"})) != 1 {
		t.Error("alert without birth date does not hit after reopen")
	}
	e.Close()
	cfg.EncryptionKey = nil
	if e2, err := Open(cfg); err == nil {
		e2.Close()
		t.Error("encrypted store opened without its key")
	}
}

func TestDeltaOverflowRebuilds(t *testing.T) {
	e := openTest(t)
	var batch []Alert
	for i := 0; i < 16000; i++ {
		a := childAlert(fmt.Sprintf("B%05d", i), fmt.Sprintf("Person%c%c", 'A'+i%26, 'A'+(i/26)%26), fmt.Sprintf("%d-01-01", 1950+i%70))
		a.Person.Names[0] = PersonName{Surname: "TRAN" + strings.Repeat("X", i%7), Given: fmt.Sprintf("N%c%c%c", 'A'+i%26, 'A'+(i/26)%26, 'A'+(i/676)%26)}
		batch = append(batch, a)
	}
	// In batches, so that writes go on while the background rebuild runs.
	for from := 0; from < len(batch); from += 1000 {
		mustUpsert(t, e, batch[from:from+1000]...)
		assertNoFalseNegatives(t, e)
	}
	e.waitRebuild()
	assertNoFalseNegatives(t, e)
	s := e.Stats()
	if s.BloomBuiltFor == 0 || s.BloomBuiltFor+s.BloomDelta-s.BloomStale != uint(s.IndexKeys) {
		t.Errorf("delta was not merged by a rebuild: %+v", s)
	}
	if hits := check(t, e, Traveller{Surname: batch[777].Person.Names[0].Surname, Given: batch[777].Person.Names[0].Given, BirthDate: batch[777].Person.BirthDate}); len(hits) == 0 || hits[0].AlertID != "B00777" {
		t.Errorf("hits %+v", hits)
	}
}

func TestConcurrentChecksAndWrites(t *testing.T) {
	e := openTest(t)
	mustUpsert(t, e, childAlert("A", "张小明", "2015-03-09"))
	p, _ := e.NewProbe(Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09"})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				hits, err := e.Check(p, today)
				if err != nil || len(hits) != 1 {
					t.Errorf("check during writes: %v %v", hits, err)
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		mustUpsert(t, e, childAlert(fmt.Sprintf("W%d", i), "王芳", fmt.Sprintf("%d-01-01", 1990+i)))
	}
	wg.Wait()
}

func TestTravellerValidation(t *testing.T) {
	tr := Traveller{Surname: "", BirthDate: "2015-02-30", Sex: "Q", Nationality: "XX", Document: &Document{Number: "--", Country: "1"}}
	err := tr.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 6 {
		t.Fatalf("got %v", err)
	}
}

// A short phonetic skeleton agrees by chance: HUN VANNA (Khmer) and WANG
// FANG are both N-FN. That must not make a hit.
func TestShortSkeletonIsNoHit(t *testing.T) {
	e := openTest(t)
	a := childAlert("KHM", "ហ៊ុន វណ្ណា", "1988-04-02")
	a.Category, a.Action, a.Person.Sex, a.Person.Nationalities = SuspectedTrafficker, ActionRefer, "F", []string{"KHM"}
	mustUpsert(t, e, a)
	if hits := check(t, e, Traveller{Surname: "WANG", Given: "FANG", BirthDate: "1988-04-02", Sex: "F", Nationality: "CHN"}); len(hits) != 0 {
		t.Errorf("false alarm: %+v %+v", hits, hits[0].Explain.Name)
	}
	if hits := check(t, e, Traveller{Surname: "HUN", Given: "VANNA", BirthDate: "1988-04-02", Sex: "F", Nationality: "KHM"}); len(hits) != 1 {
		t.Errorf("true match missed: %+v", hits)
	}
}

// When only the birth year is known, on the alert or on the document, a
// Lao name presented in another spelling of the same sounds (ມະໄລ ສີວົງ
// as SEEVONG MALAI; ອຳພອນ ສຸລິດແກ້ວ as SULITHKEO AMPONE) hits by its
// phonetic skeleton with the year, sex and nationality agreeing:
// Jaro-Winkler alone stays under what a year-only date needs. With sex
// unknown, another nationality or another year, it does not.
func TestPhoneticFloorFindsAChildKnownByYear(t *testing.T) {
	e := openTest(t)
	byYear := childAlert("ALERT-YEAR", "ອຳພອນ ສຸລິດແກ້ວ", "2024")
	byYear.Person.Nationalities = []string{"LAO"}
	fullDate := childAlert("DOC-YEAR", "ມະໄລ ສີວົງ", "2016-04-21")
	fullDate.Person.Nationalities = []string{"LAO"}
	mustUpsert(t, e, byYear, fullDate)
	for _, c := range []hitCase{
		{"ALERT-YEAR", Traveller{Surname: "SULITHKEO", Given: "AMPONE", BirthDate: "2024-03-01", Sex: "M", Nationality: "LAO"}},
		{"DOC-YEAR", Traveller{Surname: "SEEVONG", Given: "MALAI", BirthDate: "2016", Sex: "M", Nationality: "LAO"}},
		{"", Traveller{Surname: "SULITHKEO", Given: "AMPONE", BirthDate: "2024-03-01", Nationality: "LAO"}},
		{"", Traveller{Surname: "SULITHKEO", Given: "AMPONE", BirthDate: "2024-03-01", Sex: "M", Nationality: "THA"}},
		{"", Traveller{Surname: "SEEVONG", Given: "MALAI", BirthDate: "2017", Sex: "M", Nationality: "LAO"}},
	} {
		if h, ok := expectHit(t, e, c.want, c.tr); ok && (h.Explain.Name == nil ||
			!strings.HasPrefix(h.Explain.Name.Method, "phonetic skeleton") || h.Explain.BirthDate != "partial: year agrees") {
			t.Errorf("%+v: hit %+v", c.tr, h)
		}
	}
}

// An alert without a birth date is found by its exact letters; by its
// whole-name skeleton only where a name of other letters could still hit
// it: a long name (a letter less on 26 scores 0.992) or a threshold
// configured lower. A short name with a letter less (0.985 on 13) cannot
// hit at the defaults, and is not looked up under the skeleton.
func TestUndatedAlertsAreLookedUpWhereTheyCanHit(t *testing.T) {
	undated := func(id, full string) Alert {
		a := childAlert(id, full, "")
		a.Person.Nationalities = []string{"THA"}
		return a
	}
	traveller := func(surname, given string) Traveller {
		return Traveller{Surname: surname, Given: given, BirthDate: "2015-03-09", Sex: "M", Nationality: "THA"}
	}
	long, short := undated("LONG", "BOONCHAI KITTIPHONGPRASERTT"), undated("SHORT", "PRASERT KASEMM")
	e := openTest(t)
	mustUpsert(t, e, long, short)
	for _, c := range []struct {
		surname, given, want string
	}{
		{"BOONCHAI", "KITTIPHONGPRASERTT", "LONG"}, // exact: the letters key
		{"BOONCHAI", "KITTIPHONGPRASERT", "LONG"},  // a letter less: the skeleton key
		{"PRASERT", "KASEMM", "SHORT"},             // exact
		{"PRASERT", "KASEM", ""},                   // a letter less: 0.797, no hit
	} {
		hits := check(t, e, traveller(c.surname, c.given))
		if got := ""; len(hits) > 1 || (len(hits) == 1) != (c.want != "") || (len(hits) == 1 && hits[0].AlertID != c.want) {
			for _, h := range hits {
				got += h.AlertID + " "
			}
			t.Errorf("%s %s: hits [%s], want [%s]", c.surname, c.given, got, c.want)
		}
	}
	shortProbe, err := e.NewProbe(traveller("PRASERT", "KASEM"))
	if err != nil {
		t.Fatal(err)
	}
	// Configured lower, the short name can hit, and is looked up.
	low := openTestWith(t, func(c *Config) { c.HitThreshold = 0.78 })
	mustUpsert(t, low, short)
	lowProbe, err := low.NewProbe(traveller("PRASERT", "KASEM"))
	if err != nil {
		t.Fatal(err)
	}
	if n, nLow := shortProbe.n, lowProbe.n; nLow != n+1 {
		t.Errorf("the short name has %d keys at the default threshold and %d at 0.78: want the skeleton key more", n, nLow)
	}
	if hits, err := low.Check(lowProbe, today); err != nil || len(hits) != 1 {
		t.Errorf("threshold 0.78: hits %+v, %v", hits, err)
	}
}

// Names that passports of Cambodia, Myanmar and Laos write in more than
// one way are found under each (names.Canonical's second spellings): the
// exact passport spelling hits an alert in the owner's script, with the
// whole birth date known and with the year only.
func TestSecondSpellingsFindTheAlert(t *testing.T) {
	cases := []struct {
		script, nat    string
		full           string
		surname, given string
	}{
		{"Khmer", "KHM", "ម៉ម ឧត្តម", "MOM", "UTTOM"},
		{"Burmese", "MMR", "ကျော်ဆန်း", "", "KYAW SAN"},
		{"Lao", "LAO", "ສຸລິຍາ ທອງບຸນ", "THONGBOUN", "SOULIYA"},
	}
	for _, c := range cases {
		t.Run(c.script, func(t *testing.T) {
			e := openTest(t)
			a := childAlert("A-"+c.nat, c.full, "2015-06-01")
			a.Person.Nationalities = []string{c.nat}
			a.Owner.Country = c.nat
			mustUpsert(t, e, a)
			for _, birth := range []string{"2015-06-01", "2015"} {
				hits := check(t, e, Traveller{Surname: c.surname, Given: c.given, BirthDate: birth, Sex: "M", Nationality: c.nat})
				if len(hits) != 1 {
					t.Errorf("%s %s born %s: hits %+v", c.surname, c.given, birth, hits)
				}
			}
		})
	}
}

// An alert that knows the birth year only, or no birth date, is looked up
// by the exact letters of its readings: a Lao name is found under the
// spelling Lao passports give it (ວັນນາ ວົງຫາລາດ VANNA VONGHALATH, ສອນໄຊ
// ສີພັນດອນ SONEXAY SIPHANDONE), which shares no letters key with the
// plain reading (WANNA WONGHALAD).
func TestLaoPassportSpellingFindsCoarseAlerts(t *testing.T) {
	e := openTest(t)
	byYear := childAlert("BY-YEAR", "ວັນນາ ວົງຫາລາດ", "1990")
	undated := childAlert("UNDATED", "ສອນໄຊ ສີພັນດອນ", "")
	for _, a := range []*Alert{&byYear, &undated} {
		a.Person.Nationalities = []string{"LAO"}
	}
	mustUpsert(t, e, byYear, undated)
	expectHits(t, e, []hitCase{
		{"BY-YEAR", Traveller{Surname: "VONGHALATH", Given: "VANNA", BirthDate: "1990-11-22", Sex: "M", Nationality: "LAO"}},
		{"BY-YEAR", Traveller{Surname: "VANNA", Given: "VONGHALATH", BirthDate: "1990-11-22", Sex: "M", Nationality: "LAO"}},
		{"UNDATED", Traveller{Surname: "SIPHANDONE", Given: "SONEXAY", BirthDate: "2012-01-05", Sex: "M", Nationality: "LAO"}},
		{"", Traveller{Surname: "VONGHALATH", Given: "VANNA", BirthDate: "1992-11-22", Sex: "M", Nationality: "LAO"}},
	})
}

// An alert that knows only the birth year is hit a year either side of it
// by the exact name with sex and nationality agreeing (the year weighs as
// unknown, 0.805), not two years out, and not by a name that only sounds
// alike.
func TestYearOnlyAlertIsHitAYearOut(t *testing.T) {
	e := openTest(t)
	a := childAlert("BY-YEAR", "白星星", "2015")
	mustUpsert(t, e, a)
	for _, c := range []struct {
		given, birth string
		want         bool
	}{
		{"XINGXING", "2016-11-29", true},
		{"XINGXING", "2014-01-02", true},
		{"XINGXING", "2015-06-01", true},
		{"XINGXING", "2017-11-29", false},
		{"XINXING", "2016-11-29", false}, // a letter less: 0.55·0.98 + 0.105 + 0.15 < 0.8
	} {
		hits := check(t, e, Traveller{Surname: "BAI", Given: c.given, BirthDate: c.birth, Sex: "M", Nationality: "CHN"})
		if got := len(hits) == 1 && hits[0].AlertID == "BY-YEAR"; got != c.want {
			t.Errorf("BAI %s born %s: hit %v, want %v (%+v)", c.given, c.birth, got, c.want, hits)
		}
		if c.want && c.birth[:4] != "2015" && (len(hits) != 1 || hits[0].Explain.BirthDate != "one year apart (the alert knows the year only)") {
			t.Errorf("BAI %s born %s: explanation %+v", c.given, c.birth, hits)
		}
	}
}

// A Han name printed with its surname in one romanisation and its given
// name in another (as Taiwan's passports allow) hits as exactly as either
// reading does, and the explanation says which spelling agreed; a mix of
// the readings of two different names does not.
func TestMixedRomanisationHits(t *testing.T) {
	e := openTest(t)
	a := childAlert("GENG", "耿融倩", "2018-10-22")
	mustUpsert(t, e, a)
	for _, c := range []struct {
		surname, given, reading string
	}{
		{"GENG", "JUNGCHIEN", "GENG JUNG CHIEN"},
		{"KENG", "RONGQIAN", "KENG RONG QIAN"},
		{"GENG", "RONGQIAN", "GENG RONG QIAN"},
		{"KENG", "JUNGCHIEN", "KENG JUNG CHIEN"},
		{"", "", ""}, // a different name: no hit
	} {
		tr := Traveller{Surname: c.surname, Given: c.given, BirthDate: "2018-10-22", Sex: "M", Nationality: "CHN"}
		if c.surname == "" {
			tr.Surname, tr.Given = "GENG", "HSIAOMING" // 耿 with 小明's Wade-Giles
			expectHit(t, e, "", tr)
			continue
		}
		h, ok := expectHit(t, e, "GENG", tr)
		if !ok {
			continue
		}
		if n := h.Explain.Name; n == nil || n.Similarity != 1 || n.AlertReading != c.reading {
			t.Errorf("%s %s: name agreement %+v, want %s exactly", c.surname, c.given, n, c.reading)
		}
	}
}

// An alert that knows the birth year only is found by a long part of its
// name and the year when the other part is misspelt or cut short by the
// MRZ, and scoring decides: the same long part with another given name is
// no hit.
func TestLongPartFindsYearOnlyAlert(t *testing.T) {
	e := openTest(t)
	a := childAlert("BY-YEAR", "สุรชัย สวัสดิ์ธนา", "2011")
	a.Person.Nationalities = []string{"THA"}
	mustUpsert(t, e, a)
	for _, c := range []struct {
		want, surname, given, birth string
	}{
		{"BY-YEAR", "SAWATTHANA", "SURA", "2011-08-26"},    // truncated
		{"BY-YEAR", "SAWATTHANA", "SUACHAI", "2011-08-26"}, // a letter dropped
		{"", "SAWATTHANA", "SURA", "2013-08-26"},           // two years out
		{"", "SAWATTHANA", "PRAWIT", "2011-08-26"},         // another child of the family
	} {
		expectHit(t, e, c.want, Traveller{Surname: c.surname, Given: c.given, BirthDate: c.birth, Sex: "M", Nationality: "THA"})
	}
}

// A part of the name that disagrees is not carried by a long part that
// agrees (Jaro-Winkler on the joined names gives TRUONG BAO NHUNG 0.90
// against TRUONG QUANG VINH); a typo in a part, even a short one where
// Jaro-Winkler says little (TO for TAO), still hits.
func TestOnePartDisagreeingIsNoHit(t *testing.T) {
	e := openTest(t)
	vn := childAlert("VINH", "Trương Quang Vinh", "2020-10-10")
	vn.Person.Nationalities = []string{"VNM"}
	zh := childAlert("TAO", "张涛", "2014-05-08")
	mustUpsert(t, e, vn, zh)
	expectHits(t, e, []hitCase{
		{"", Traveller{Surname: "TRUONG", Given: "BAO NHUNG", BirthDate: "2020-10-10", Sex: "M", Nationality: "VNM"}},
		{"VINH", Traveller{Surname: "TRUONG", Given: "QUANG VNH", BirthDate: "2020-10-10", Sex: "M", Nationality: "VNM"}},
		{"VINH", Traveller{Surname: "QUANG VINH", Given: "TRUONG", BirthDate: "2020-10-10", Sex: "M", Nationality: "VNM"}},
		{"TAO", Traveller{Surname: "ZHANG", Given: "TO", BirthDate: "2014-05-08", Sex: "M", Nationality: "CHN"}},
	})
	// Configured off, the joined name decides alone.
	off := openTestWith(t, func(c *Config) { c.NamePartThreshold = 0 })
	mustUpsert(t, off, vn)
	expectHit(t, off, "VINH", Traveller{Surname: "TRUONG", Given: "BAO NHUNG", BirthDate: "2020-10-10", Sex: "M", Nationality: "VNM"})
}

// Validation names the configuration field that is wrong.
func TestConfigValidateNamesTheField(t *testing.T) {
	if err := testConfig(t).Validate(); err != nil {
		t.Fatalf("the defaults and a key: %v", err)
	}
	for field, change := range map[string]func(*Config){
		"NamePartThreshold": func(c *Config) { c.NamePartThreshold = 1.5 },
		"HitThreshold":      func(c *Config) { c.HitThreshold = 0 },
		"NameThreshold":     func(c *Config) { c.NameThreshold = -1 },
	} {
		c := testConfig(t)
		change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// The precomputed bloom locations of a probe answer exactly as hashing the
// key does, in every filter.
func TestPrecomputedLocations(t *testing.T) {
	f := newFilterSet(indexCounts{filterDated: 5000, filterCoarse: 500, filterAnyDate: 500}, 0.001)
	var added []key
	// Every class: dated, coarse, any-date.
	keyOf := func(i int) key {
		if i%7 == 0 {
			return key{hash: uint64(i) * 0x9E3779B97F4A7C15, fam: famAnyDate}
		}
		return key{hash: uint64(i) * 0x9E3779B97F4A7C15, fam: famPair, coarse: i%5 == 0}
	}
	for i := 0; i < 3000; i++ {
		k := keyOf(i)
		if i%2 == 0 {
			f.add(k)
		} else {
			added = append(added, k)
		}
	}
	f, _ = f.withWrites(added[:100], 0) // some keys in the delta filter
	kk := f.hashes()
	if kk == 0 {
		t.Fatal("filters disagree on the number of hash functions")
	}
	for i := 0; i < 6000; i++ {
		k := keyOf(i)
		if got, want := f.mayContainAt(k.filter(), keyLocations(k, kk)), f.mayContain(k); got != want {
			t.Fatalf("key %d: precomputed %v, hashed %v", i, got, want)
		}
	}
}

// canHit, the bound that lets Check skip candidates, never skips an alert
// that score would hit, over every combination of birth date, sex and
// nationality agreement.
func TestCanHitNeverSkipsAHit(t *testing.T) {
	e := openTest(t)
	births := []string{"", "2015", "2015-03", "2015-03-09", "2016-03-09", "2015-09-03", "2015-03-10", "2014-03"}
	tBirths := []string{"2015-03-09", "2015-03", "2015", "2016-03-09"}
	sexes := []string{"", "F", "M", "X"}
	nats := [][]string{nil, {"CHN"}, {"VNM"}}
	checked := 0
	for _, ab := range births {
		for _, as := range sexes {
			for _, an := range nats {
				a := childAlert("A", "张小明", ab)
				a.Person.Sex, a.Person.Nationalities = as, an
				rec := newMatchRecord(&a, nil)
				rec.summary()
				for _, tb := range tBirths {
					for _, ts := range sexes {
						for _, tn := range []string{"", "CHN", "VNM"} {
							for _, given := range []string{"XIAOMING", "XIAOMIN", "XIAOMINGG", "XIAOMENG", "XIMING", "WEI", "MINGXIAO"} {
								p, err := e.NewProbe(Traveller{Surname: "ZHANG", Given: given, BirthDate: tb, Sex: ts, Nationality: tn})
								if err != nil {
									t.Fatal(err)
								}
								h, hit := e.score(p, &rec)
								// Skipping names that cannot matter changes no verdict.
								if full, fullHit := e.scoreWith(p, &rec, false); fullHit != hit || (hit && !reflect.DeepEqual(full, h)) {
									t.Fatalf("pruned scoring differs: %v %+v, unpruned %v %+v", hit, h, fullHit, full)
								}
								summary, match, ok := splitIndexValue(indexValue(rec.summary(), rec.encode()))
								if !ok || string(match) != string(rec.encode()) {
									t.Fatal("an index value does not split into its summary and match record")
								}
								if hit && !e.canHit(p, summary) {
									t.Fatalf("canHit skips a hit: alert %s/%s/%v, traveller %s/%s/%s/%s", ab, as, an, given, tb, ts, tn)
								}
								checked++
							}
						}
					}
				}
			}
		}
	}
	if checked < 3000 {
		t.Fatalf("only %d combinations", checked)
	}
}

func TestForEachAlert(t *testing.T) {
	e := openTest(t)
	mustUpsert(t, e, childAlert("C", "王芳", "2010-01-01"), childAlert("A", "李娜", "2011-01-01"), childAlert("B", "张伟", "2012-01-01"))
	var ids []string
	if err := e.ForEachAlert(context.Background(), func(a Alert) error { ids = append(ids, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "A,B,C" {
		t.Errorf("ids %v, want A,B,C in order", ids)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.ForEachAlert(ctx, func(Alert) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: %v", err)
	}
}

// Closing alerts leaves their keys in the bloom filters (they cannot
// forget); past RebuildStaleFraction of all keys the filters are rebuilt
// without them.
func TestStaleKeysTriggerRebuild(t *testing.T) {
	e := openTestWith(t, func(c *Config) { c.RebuildStaleFraction = 0.05 })
	var batch []Alert
	for i := 0; i < 15000; i++ {
		a := childAlert(fmt.Sprintf("S%05d", i), "王芳", fmt.Sprintf("%d-%02d-%02d", 1950+i%70, 1+i%12, 1+i%28))
		a.Person.Names[0] = PersonName{Surname: fmt.Sprintf("TRAN%c%c", 'A'+i%26, 'A'+(i/26)%26), Given: fmt.Sprintf("N%c%c%c", 'A'+i%26, 'A'+(i/26)%26, 'A'+(i/676)%26)}
		batch = append(batch, a)
	}
	mustUpsert(t, e, batch...)
	e.waitRebuild()
	if err := e.Rebuild(); err != nil {
		t.Fatal(err)
	}
	closedKeys := 0
	for i := 0; i < 2000; i++ {
		before := e.Stats().IndexKeys
		if err := e.CloseAlert(batch[i].ID, today); err != nil {
			t.Fatal(err)
		}
		closedKeys += int(before - e.Stats().IndexKeys)
	}
	e.waitRebuild()
	assertNoFalseNegatives(t, e)
	s := e.Stats()
	// The closed alerts' keys left the filters: what remains stale is at
	// most what was closed while the last rebuild ran.
	if s.BloomStale >= uint(closedKeys) || s.BloomBuiltFor+s.BloomDelta-s.BloomStale != uint(s.IndexKeys) {
		t.Fatalf("no rebuild dropped the %d stale keys: %+v", closedKeys, s)
	}
}

// Writes go into a small delta that is frozen into runs, and runs merge
// like a binary counter: however many keys are written, the runs stay few
// (log2 of written/deltaCap), every key stays findable, and the set asks
// for a rebuild once the unbuilt keys outnumber the built ones.
func TestPrefilterRunsMergeGeometrically(t *testing.T) {
	const built = 40 * deltaCap
	f := newFilterSet(indexCounts{filterDated: int64(built)}, 0.001)
	var all []key
	rnd := rand.New(rand.NewPCG(1, 2))
	grownAt := -1
	for w := 0; len(all) < 2*built; w++ {
		batch := make([]key, 1+rnd.IntN(9000))
		for i := range batch {
			batch[i] = key{hash: rnd.Uint64(), fam: famPair, coarse: i%7 == 0}
		}
		prev := f
		prevUnbuilt := prev.unbuilt()
		var grown bool
		f, grown = f.withWrites(batch, 0)
		all = append(all, batch...)
		if prev.unbuilt() != prevUnbuilt {
			t.Fatalf("write %d changed the set it was derived from", w)
		}
		if got := f.unbuilt(); got != uint(len(all)) {
			t.Fatalf("write %d: %d unbuilt keys, want %d", w, got, len(all))
		}
		if grown && grownAt < 0 {
			grownAt = len(all)
		}
		if limit := bits.Len(uint(len(all)/deltaCap)) + 1; len(f.runs) > limit {
			t.Fatalf("%d keys in %d runs, want at most %d", len(all), len(f.runs), limit)
		}
	}
	if grownAt < built || grownAt > built+9000 {
		t.Errorf("rebuild asked for at %d unbuilt keys, want at %d", grownAt, built)
	}
	if f.hashes() == 0 {
		t.Error("runs disagree on the number of hash functions")
	}
	for i, k := range all {
		if !f.mayContain(k) || !f.mayContainAt(k.filter(), keyLocations(k, f.hashes())) {
			t.Fatalf("key %d of %d lost", i, len(all))
		}
	}
	// Random absent keys: the false-positive rate of the whole set stays
	// near a few times the configured one (one test per filter).
	fp := 0
	for i := 0; i < 100000; i++ {
		if f.mayContain(key{hash: rnd.Uint64(), fam: famPair}) {
			fp++
		}
	}
	if rate := float64(fp) / 100000; rate > 0.001*float64(len(f.runs)+2) {
		t.Errorf("false-positive rate %.4f over %d runs", rate, len(f.runs))
	}
}

// A store written in another layout is refused at Open, with the format
// named, rather than misread; so is a snapshot of one, and the store is
// left as it was (empty, and of the current format) after it.
func TestStoreFormatIsChecked(t *testing.T) {
	cfg := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, e, childAlert("A", "张小明", "2015-03-09"))
	// A store of format 1 has alerts and no marker.
	if err := e.locked().Update(func(txn *badger.Txn) error { return txn.Delete(metaFormat) }); err != nil {
		t.Fatal(err)
	}
	var snap bytes.Buffer
	s, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteTo(&snap); err != nil {
		t.Fatal(err)
	}
	s.Release()
	e.Close()
	if _, err := Open(cfg); !errors.Is(err, ErrStoreFormat) || !strings.Contains(err.Error(), "format 1") {
		t.Fatalf("open of a format-1 store: %v", err)
	}

	fresh := openTest(t)
	if err := fresh.Restore(bytes.NewReader(snap.Bytes())); !errors.Is(err, ErrBadSnapshot) || !errors.Is(err, ErrStoreFormat) {
		t.Fatalf("restore of a format-1 snapshot: %v", err)
	}
	if empty, err := fresh.isEmpty(); err != nil || !empty {
		t.Fatalf("store after a refused restore: empty %v, %v", empty, err)
	}
	if err := fresh.checkFormat(); err != nil {
		t.Fatalf("store after a refused restore lost its format: %v", err)
	}

	// A future format is refused too.
	cfg2 := testConfig(t)
	e2, err := Open(cfg2)
	if err != nil {
		t.Fatal(err)
	}
	if err := e2.locked().Update(func(txn *badger.Txn) error { return txn.Set(metaFormat, []byte{storeFormat + 1}) }); err != nil {
		t.Fatal(err)
	}
	e2.Close()
	if _, err := Open(cfg2); !errors.Is(err, ErrStoreFormat) {
		t.Fatalf("open of a newer store: %v", err)
	}
}

// A traveller whose document gives no birth date finds the alerts that
// know one (a full date, a year and month, a year) by the exact letters
// of the name in any order or split, and a long name by its skeleton too;
// a short name with a letter less cannot hit and does not. Travellers
// with a date are not looked up under these keys at all.
func TestADocumentWithoutBirthDateFindsDatedAlerts(t *testing.T) {
	vietnamese := childAlert("VNM", "Nguyễn Thị Đào", "2014-05")
	vietnamese.Person.Nationalities = []string{"VNM"}
	thai := childAlert("THA", "BOONCHAI KITTIPHONGPRASERTT", "2013")
	thai.Person.Nationalities = []string{"THA"}
	e := openTest(t)
	mustUpsert(t, e, childAlert("CHN", "张小明", "2015-03-09"), vietnamese, thai)
	for _, c := range []struct {
		surname, given, nationality, birth, want string
	}{
		{"ZHANG", "XIAOMING", "CHN", "", "CHN"},
		{"XIAO MING", "ZHANG", "CHN", "", "CHN"}, // swapped and split
		{"NGUYEN", "THI DAO", "VNM", "", "VNM"},
		{"BOONCHAI", "KITTIPHONGPRASERTT", "THA", "", "THA"},
		{"BOONCHAI", "KITTIPHONGPRASERT", "THA", "", "THA"}, // a letter less: the skeleton
		{"ZHANG", "XIAOMIN", "CHN", "", ""},                 // a letter less on a short name: 0.79, no hit
		{"ZHANG", "XIAOMING", "CHN", "2001-01-01", ""},      // a date that differs
	} {
		tr := Traveller{Surname: c.surname, Given: c.given, BirthDate: c.birth, Sex: "M", Nationality: c.nationality}
		hits := check(t, e, tr)
		if got := ""; len(hits) > 1 || (len(hits) == 1) != (c.want != "") || (len(hits) == 1 && hits[0].AlertID != c.want) {
			for _, h := range hits {
				got += fmt.Sprintf("%s (%.3f) ", h.AlertID, h.Score)
			}
			t.Errorf("%s %s born %q: hits [%s], want [%s]", c.surname, c.given, c.birth, got, c.want)
		}
		p, err := e.NewProbe(tr)
		if err != nil {
			t.Fatal(err)
		}
		anyDate := 0
		for _, k := range p.keys[:p.n] {
			if k.fam == famAnyDate {
				anyDate++
			}
		}
		if (anyDate > 0) != (c.birth == "") {
			t.Errorf("%s %s born %q: %d any-date keys", c.surname, c.given, c.birth, anyDate)
		}
	}
}

// The any-date keys have a bloom filter of their own, sized from their
// count in the store, so that the filters every traveller reads do not
// grow with them: after a reopen, each is in it, none in the others.
func TestAnyDateKeysHaveTheirOwnFilter(t *testing.T) {
	cfg := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"A1", "A2", "A3"}
	thai := childAlert(ids[2], "BOONCHAI KITTIPHONGPRASERTT", "2013")
	mustUpsert(t, e, childAlert(ids[0], "张小明", "2015-03-09"), childAlert(ids[1], "Nguyễn Thị Đào", "2014-05"), thai)
	e.Close()
	if e, err = Open(cfg); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var anyDate []key
	err = e.locked().View(func(txn *badger.Txn) error {
		for _, id := range ids {
			for _, k := range mustKeys(t, txn, id) {
				if k.fam == famAnyDate {
					anyDate = append(anyDate, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Stats().AnyDateKeys; got != int64(len(anyDate)) || len(anyDate) < len(ids)+2 {
		t.Fatalf("%d any-date keys counted, %d in the alerts' key lists (want one per reading, and the skeletons of the long name)", got, len(anyDate))
	}
	f := e.filters.Load()
	for _, k := range anyDate {
		b := bloomBytes(bloomKey(k))
		if !f.main[filterAnyDate].Test(b[:]) || f.main[filterDated].Test(b[:]) || f.main[filterCoarse].Test(b[:]) {
			t.Errorf("any-date key %x: in its filter %v, dated %v, coarse %v", k.hash,
				f.main[filterAnyDate].Test(b[:]), f.main[filterDated].Test(b[:]), f.main[filterCoarse].Test(b[:]))
		}
	}
}

// The alerts' any-date skeleton keys start at the length from which a
// traveller without a birth date is looked up under them at the default
// thresholds: shorter, and long names would go unfound; longer, and
// index entries no traveller can use would be written.
func TestAnyDateSkeletonLettersFollowTheDefaultThreshold(t *testing.T) {
	e := openTest(t) // the default thresholds
	first := 0
	for n := 1; n <= 60 && first == 0; n++ {
		if e.undatedMayHitInexact(&Probe{}, &travellerForm{full: strings.Repeat("A", n)}) {
			first = n
		}
	}
	if first != anyDateSkeletonLetters {
		t.Errorf("a traveller without a birth date is looked up by skeleton from %d letters; alerts are indexed from %d", first, anyDateSkeletonLetters)
	}
}
