package watchlist

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func allAlerts(t *testing.T, e *Engine) []Alert {
	t.Helper()
	var out []Alert
	if err := e.ForEachAlert(context.Background(), func(a Alert) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	src := openTest(t)
	mustUpsert(t, src,
		childAlert("01JD0000000000000000000001", "张小明", "2015-03-09"),
		childAlert("01JD0000000000000000000002", "Nguyễn Thị Đào", "2016"),
	)
	if err := src.CloseAlert("01JD0000000000000000000002", today); err != nil {
		t.Fatal(err)
	}
	crossing := Crossing{ID: "01JD0000000000000000000009", At: today, Direction: Exit, Verdict: Clear,
		Parties: []Pseudonym{{1}, {2}}, Escorts: []Escort{{Adult: Pseudonym{1}, Minors: []Pseudonym{{2}}}}}
	if err := src.RecordCrossing(crossing); err != nil {
		t.Fatal(err)
	}
	if err := src.SetAppliedIndex(42); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// A write after the snapshot is not in it.
	mustUpsert(t, src, childAlert("01JD0000000000000000000003", "李华", "2014"))
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	crossings, alerts, err := SnapshotContents(bytes.NewReader(buf.Bytes()))
	if err != nil || len(crossings) != 1 || len(alerts) != 2 || alerts["01JD0000000000000000000002"].Status != StatusClosed {
		t.Fatalf("snapshot contents: %v crossings, %v alerts, %v", crossings, alerts, err)
	}
	if _, ok := crossings[crossing.ID]; !ok {
		t.Fatalf("the snapshot's crossings %v lack %s", crossings, crossing.ID)
	}

	dst := openTest(t)
	mustUpsert(t, dst, childAlert("01JD0000000000000000000007", "王芳", "2013")) // dropped by the restore
	if err := dst.Restore(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	got := allAlerts(t, dst)
	if len(got) != 2 || got[0].ID != "01JD0000000000000000000001" || got[1].Status != StatusClosed {
		t.Fatalf("restored alerts = %+v", got)
	}
	if i, err := dst.AppliedIndex(); err != nil || i != 42 {
		t.Fatalf("applied index = %d, %v", i, err)
	}
	if c, err := dst.Crossing(crossing.ID); err != nil || len(c.Escorts) != 1 {
		t.Fatalf("crossing = %+v, %v", c, err)
	}
	minors, err := dst.MinorsEscorted(Pseudonym{1}, today.AddDate(0, 0, -1))
	if err != nil || len(minors) != 1 {
		t.Fatalf("escorted = %v, %v", minors, err)
	}
	// The bloom filters were rebuilt: the restored alert hits, by name.
	hits := check(t, dst, Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09", Sex: "M"})
	if len(hits) != 1 || hits[0].AlertID != "01JD0000000000000000000001" {
		t.Fatalf("hits after restore = %+v", hits)
	}
	assertNoFalseNegatives(t, dst)
	if dst.counts != src.countsAt(t, buf.Bytes()) {
		t.Fatalf("counts %+v", dst.counts)
	}
	// The restored store snapshots to the same bytes.
	if !bytes.Equal(buf.Bytes(), snapshotBytes(t, dst)) {
		t.Fatal("a restored store does not snapshot to the same bytes")
	}
}

// countsAt restores b into a fresh engine and returns its counts.
func (e *Engine) countsAt(t *testing.T, b []byte) indexCounts {
	t.Helper()
	x := openTest(t)
	if err := x.Restore(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	return x.counts
}

func TestRestoreRefusesCorruptSnapshots(t *testing.T) {
	src := openTest(t)
	mustUpsert(t, src, childAlert("01JD0000000000000000000001", "张小明", "2015-03-09"))
	good := snapshotBytes(t, src)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x01
	cases := map[string][]byte{
		"empty":          nil,
		"not a snapshot": []byte("hello world"),
		"truncated":      good[:len(good)-10],
		"no checksum":    good[:len(good)-4],
		"flipped byte":   flipped,
		"trailing data":  append(append([]byte(nil), good...), 0),
	}
	info, err := VerifySnapshot(bytes.NewReader(good))
	if err != nil || info.Alerts != 1 || info.Bytes != int64(len(good)) || info.Records == 0 {
		t.Fatalf("VerifySnapshot(good) = %+v, %v", info, err)
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := VerifySnapshot(bytes.NewReader(b)); !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("VerifySnapshot: err = %v, want ErrBadSnapshot", err)
			}
			dst := openTest(t)
			mustUpsert(t, dst, childAlert("01JD0000000000000000000007", "王芳", "2013"))
			before := dst.counts
			err := dst.Restore(bytes.NewReader(b))
			if !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("err = %v, want ErrBadSnapshot", err)
			}
			// Nothing half-loaded stays behind: the store is as it was,
			// and the staging directory is gone.
			if got := allAlerts(t, dst); len(got) != 1 || got[0].ID != "01JD0000000000000000000007" {
				t.Fatalf("alerts after a failed restore: %+v", got)
			}
			if dst.counts != before {
				t.Fatalf("counts after a failed restore: %+v, want %+v", dst.counts, before)
			}
			if hits := check(t, dst, Traveller{Surname: "WANG", Given: "FANG", BirthDate: "2013", Sex: "M"}); len(hits) != 1 {
				t.Fatalf("hits after a failed restore: %+v", hits)
			}
			assertDirs(t, dst.cfg.Dir, false, false)
		})
	}
}

// SnapshotBytes lets the external tests (package watchlist_test) use
// snapshotBytes.
var SnapshotBytes = snapshotBytes

// snapshotBytes is a snapshot of the store, written out.
func snapshotBytes(t testing.TB, e *Engine) []byte {
	t.Helper()
	snap, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Release()
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
