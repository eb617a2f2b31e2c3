package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

const (
	crossing Kind = 1
	audit    Kind = 2
)

func open(t testing.TB, dir string, opts Options) (*Journal, Recovery) {
	t.Helper()
	j, rec, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return j, rec
}

// appendCrossings appends crossing records c0, c1, … one by one.
func appendCrossings(t testing.TB, j *Journal, n int) {
	t.Helper()
	for i := range n {
		if err := j.Append(Record{crossing, fmt.Appendf(nil, "c%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// newestSegment is the file of the newest segment in dir.
func newestSegment(t testing.TB, dir string) string {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil || len(segs) == 0 {
		t.Fatalf("segments %v %v", segs, err)
	}
	return segmentPath(dir, segs[len(segs)-1])
}

func data(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Data))
	}
	return out
}

func mustRead(t testing.TB, j *Journal, k Kind, n int) []Entry {
	t.Helper()
	es, err := j.Read(k, n)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestKindsHaveTheirOwnCursorsAndSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Kinds: []Kind{crossing, audit}}
	j, _ := open(t, dir, opts)
	for i := range 5 {
		if err := j.Append(Record{crossing, []byte(fmt.Sprint("c", i))}, Record{audit, []byte(fmt.Sprint("a", i))}); err != nil {
			t.Fatal(err)
		}
	}
	cs := mustRead(t, j, crossing, 3)
	if fmt.Sprint(data(cs)) != "[c0 c1 c2]" {
		t.Fatalf("first crossings %v", data(cs))
	}
	// Reading does not consume: only Ack does.
	if again := mustRead(t, j, crossing, 3); fmt.Sprint(data(again)) != "[c0 c1 c2]" {
		t.Fatalf("read again %v", data(again))
	}
	if err := j.Ack(crossing, cs[1].Next); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[c2 c3 c4]" {
		t.Fatalf("after ack %v", data(got))
	}
	if got := mustRead(t, j, audit, 10); fmt.Sprint(data(got)) != "[a0 a1 a2 a3 a4]" {
		t.Fatalf("the audit cursor moved with the crossings' %v", data(got))
	}
	// A cursor never goes back.
	if err := j.Ack(crossing, cs[0].Next); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, j, crossing, 1); string(got[0].Data) != "c2" {
		t.Fatalf("the cursor went back: %v", data(got))
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Record{crossing, []byte("late")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	j, rec := open(t, dir, opts)
	defer j.Close()
	if rec.TornBytes != 0 || len(rec.Damaged) != 0 {
		t.Fatalf("clean close recovered %+v", rec)
	}
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[c2 c3 c4]" {
		t.Fatalf("after restart %v", data(got))
	}
	if err := j.Append(Record{crossing, []byte("c5")}); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[c2 c3 c4 c5]" {
		t.Fatalf("appended after restart %v", data(got))
	}
}

// Concurrent appends are all durable and each writer's records keep
// their order; the frames of one Append stay together.
func TestConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	j, _ := open(t, dir, Options{Kinds: []Kind{crossing, audit}, SegmentSize: 64 << 10})
	const writers, each = 16, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("%02d-%04d", w, i)
				if err := j.Append(Record{crossing, []byte(id)}, Record{audit, []byte(id)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	j.Close()
	j, _ = open(t, dir, Options{Kinds: []Kind{crossing, audit}, SegmentSize: 64 << 10})
	defer j.Close()
	segs, _ := listSegments(dir)
	if len(segs) < 3 {
		t.Fatalf("%d segments, want several of 64 KiB", len(segs))
	}
	next := map[string]int{}
	var prev Pos
	err := j.Each(crossing, func(e Entry) bool {
		var w, i int
		fmt.Sscanf(string(e.Data), "%d-%d", &w, &i)
		if next[fmt.Sprint(w)] != i {
			t.Fatalf("writer %d: record %d after %d", w, i, next[fmt.Sprint(w)]-1)
		}
		next[fmt.Sprint(w)]++
		if !prev.Less(e.Next) {
			t.Fatalf("positions out of order: %+v then %+v", prev, e.Next)
		}
		prev = e.Next
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		if next[fmt.Sprint(w)] != each {
			t.Fatalf("writer %d: %d records, want %d", w, next[fmt.Sprint(w)], each)
		}
	}
}

// A segment goes once every kind is done with it, not before.
func TestSegmentsAreDeletedWhenEveryKindIsDone(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Kinds: []Kind{crossing, audit}, SegmentSize: 1 << 10}
	j, _ := open(t, dir, opts)
	defer j.Close()
	for i := range 200 {
		if err := j.Append(Record{crossing, fmt.Appendf(nil, "crossing %d", i)}, Record{audit, fmt.Appendf(nil, "audit %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := listSegments(dir)
	cs := mustRead(t, j, crossing, 1000)
	if len(cs) != 200 {
		t.Fatalf("%d crossings", len(cs))
	}
	if err := j.Ack(crossing, cs[len(cs)-1].Next); err != nil {
		t.Fatal(err)
	}
	if after, _ := listSegments(dir); len(after) != len(before) {
		t.Fatalf("segments went while the audit entries in them were unread: %d → %d", len(before), len(after))
	}
	as := mustRead(t, j, audit, 150)
	if err := j.Ack(audit, as[len(as)-1].Next); err != nil {
		t.Fatal(err)
	}
	mid, _ := listSegments(dir)
	if len(mid) >= len(before) || len(mid) < 2 {
		t.Fatalf("segments %d → %d after three quarters were done", len(before), len(mid))
	}
	if got := mustRead(t, j, audit, 1000); len(got) != 50 || string(got[0].Data) != "audit 150" {
		t.Fatalf("the rest: %d from %q", len(got), got[0].Data)
	}
	as = mustRead(t, j, audit, 1000)
	if err := j.Ack(audit, as[len(as)-1].Next); err != nil {
		t.Fatal(err)
	}
	if after, _ := listSegments(dir); len(after) != 1 {
		t.Fatalf("%d segments left when everything is done, want the newest", len(after))
	}
}

// A crash in the middle of a write leaves a torn frame at the end of the
// newest segment: it is cut off, the frames before it stay, and the
// journal goes on.
func TestATornTailIsCutOff(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Kinds: []Kind{crossing}}
	j, _ := open(t, dir, opts)
	appendCrossings(t, j, 3)
	j.Close()
	last := newestSegment(t, dir)
	frame, _, _ := encodeFrame([]Record{{crossing, []byte("never acknowledged")}})
	f, _ := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(frame[:len(frame)-3])
	f.Close()
	j, rec := open(t, dir, opts)
	defer j.Close()
	if rec.TornBytes != int64(len(frame)-3) || len(rec.Damaged) != 0 {
		t.Fatalf("recovery %+v, want %d torn bytes", rec, len(frame)-3)
	}
	if err := j.Append(Record{crossing, []byte("c3")}); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[c0 c1 c2 c3]" {
		t.Fatalf("after the torn tail %v", data(got))
	}
}

// A bad frame before the end of an older segment is damage: reported,
// and the records before it are still read.
func TestDamageInAnOlderSegmentIsReported(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Kinds: []Kind{crossing}}
	j, _ := open(t, dir, opts)
	appendCrossings(t, j, 3)
	j.Close()
	path := newestSegment(t, dir)
	// The next open starts a newer segment, so this one is no longer the
	// newest (whose bad tail would be a torn write).
	j, _ = open(t, dir, opts)
	j.Close()
	b, _ := os.ReadFile(path)
	b[len(b)-2] ^= 0xff // the last frame's data
	os.WriteFile(path, b, 0o600)
	j, rec := open(t, dir, opts)
	defer j.Close()
	if len(rec.Damaged) != 1 || rec.Damaged[0] != path {
		t.Fatalf("recovery %+v, want %s damaged", rec, path)
	}
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[c0 c1]" {
		t.Fatalf("read %v", data(got))
	}
}

// Without its cursors (a crash before they reached the disk, or a
// damaged file) a journal reads from the start: records come again,
// none is lost.
func TestLostCursorsMeanReadingAgain(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Kinds: []Kind{crossing}}
	j, _ := open(t, dir, opts)
	appendCrossings(t, j, 4)
	es := mustRead(t, j, crossing, 2)
	j.Ack(crossing, es[1].Next)
	j.Close()
	os.WriteFile(filepath.Join(dir, cursorFile), []byte("garbage that is not a cursor"), 0o600)
	j, _ = open(t, dir, opts)
	defer j.Close()
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[c0 c1 c2 c3]" {
		t.Fatalf("read %v", data(got))
	}
}

func TestTooLargeAFrameIsRefused(t *testing.T) {
	j, _ := open(t, t.TempDir(), Options{})
	defer j.Close()
	if err := j.Append(Record{crossing, make([]byte, MaxFrame)}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("append %v", err)
	}
	if err := j.Append(Record{crossing, []byte("small")}); err != nil {
		t.Fatal(err)
	}
}

// A journal with no kinds keeps every segment that holds a record, and
// drops the empty ones that each open starts.
func TestAJournalWithoutKindsKeepsItsRecords(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		j, _ := open(t, dir, Options{})
		if i == 1 {
			j.Append(Record{crossing, []byte("kept")})
		}
		j.Close()
	}
	j, _ := open(t, dir, Options{})
	defer j.Close()
	if segs, _ := listSegments(dir); len(segs) != 2 {
		t.Fatalf("%d segments, want the one with the record and the newest", len(segs))
	}
	if got := mustRead(t, j, crossing, 10); fmt.Sprint(data(got)) != "[kept]" {
		t.Fatalf("read %v", data(got))
	}
}

// Whatever bytes a segment holds, opening the journal does not panic,
// and what it reads back afterwards is what was appended after the open.
func FuzzRecover(f *testing.F) {
	good, _, _ := encodeFrame([]Record{{crossing, []byte("c0")}, {audit, []byte("a0")}})
	f.Add(append([]byte(segmentMagic), good...))
	f.Add(append([]byte(segmentMagic), good[:5]...))
	f.Add([]byte("not a segment"))
	f.Add(append([]byte(segmentMagic), 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(segmentPath(dir, 1), b, 0o600); err != nil {
			t.Fatal(err)
		}
		j, _, err := Open(dir, Options{Kinds: []Kind{crossing}})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		before := mustRead(t, j, crossing, 1<<20)
		if err := j.Append(Record{crossing, []byte("after")}); err != nil {
			t.Fatal(err)
		}
		after := mustRead(t, j, crossing, 1<<20)
		if len(after) != len(before)+1 || string(after[len(after)-1].Data) != "after" {
			t.Fatalf("before %d records, after %d", len(before), len(after))
		}
	})
}
