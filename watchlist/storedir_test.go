package watchlist

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// assertDirs checks which of dir.next and dir.current exist beside dir.
func assertDirs(t *testing.T, dir string, next, pointer bool) {
	t.Helper()
	for name, want := range map[string]bool{dir + nextSuffix: next, dir + currentSuffix: pointer} {
		_, err := os.Stat(name)
		if got := err == nil; got != want {
			t.Errorf("%s exists: %v, want %v (%v)", filepath.Base(name), got, want, err)
		}
	}
}

// pausingReader delivers the first half of a snapshot, then waits until
// pause returns before it delivers the rest.
type pausingReader struct {
	b      []byte
	off    int
	paused bool
	pause  func()
}

func (r *pausingReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	half := len(r.b) / 2
	if r.off >= half && !r.paused {
		r.paused = true
		r.pause()
	}
	end := len(r.b)
	if r.off < half {
		end = half
	}
	n := copy(p, r.b[r.off:end])
	r.off += n
	return n, nil
}

// A restore is invisible to the checks and token reads that run while
// it loads: they answer from the state before it, whole, until the new
// state is whole. (The store used to be dropped first and loaded in
// place: a post catching up by a snapshot answered from a half-loaded
// store, missing alerts and refusing known tokens.)
func TestRestoreIsInvisibleToReaders(t *testing.T) {
	child := childAlert("01JD0000000000000000000001", "张小明", "2015-03-09")
	added := childAlert("01JD0000000000000000000002", "李华", "2014")
	tok := Token{ID: "T1", Hash: HashToken("cg_secret"), Role: RoleOfficer, Post: "post-1", CreatedAt: today}
	traveller := Traveller{Surname: "ZHANG", Given: "XIAOMING", BirthDate: "2015-03-09", Sex: "M"}

	src := openTest(t)
	mustUpsert(t, src, child, added)
	if err := src.PutToken(tok); err != nil {
		t.Fatal(err)
	}
	// Enough records that half the snapshot is a real part of it.
	for i := range 300 {
		a := childAlert(ulidAt(i), "王芳", "2013")
		mustUpsert(t, src, a)
	}
	snap := snapshotBytes(t, src)

	dst := openTest(t)
	mustUpsert(t, dst, child)
	if err := dst.PutToken(tok); err != nil {
		t.Fatal(err)
	}
	probe, err := dst.NewProbe(traveller)
	if err != nil {
		t.Fatal(err)
	}

	var reads atomic.Int64
	var failures []string
	var mu sync.Mutex
	fail := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 5 {
			failures = append(failures, s)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			hits, err := dst.Check(probe, today)
			if err != nil || len(hits) == 0 || hits[0].AlertID != child.ID {
				fail("check: " + hitsString(hits, err))
			}
			if got, err := dst.TokenByHash(tok.Hash); err != nil || got.ID != tok.ID {
				fail("token: " + errString(err))
			}
			reads.Add(1)
		}
	}()
	// Halfway through the snapshot, let the readers run a hundred rounds.
	r := &pausingReader{b: snap, pause: func() {
		target := reads.Load() + 100
		for reads.Load() < target {
			runtime.Gosched()
		}
	}}
	if err := dst.Restore(r); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if !r.paused {
		t.Fatal("the snapshot was not read to its middle")
	}
	if len(failures) > 0 {
		t.Fatalf("reads during the restore failed: %v", failures)
	}
	// After it, the restored state answers.
	if hits := check(t, dst, Traveller{Surname: "LI", Given: "HUA", BirthDate: "2014", Sex: "M"}); len(hits) != 1 || hits[0].AlertID != added.ID {
		t.Fatalf("hits on the restored alert: %+v", hits)
	}
	assertNoFalseNegatives(t, dst)
}

func ulidAt(i int) string {
	s := "01JD1" + strings.Repeat("0", 21)
	n := []byte(s)
	for p := len(n) - 1; i > 0; p-- {
		n[p] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[i%32]
		i /= 32
	}
	return string(n)
}

func hitsString(h []Hit, err error) string {
	var b strings.Builder
	for _, x := range h {
		b.WriteString(x.AlertID + " ")
	}
	return b.String() + errString(err)
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// Restores alternate between dir and dir.next while the engine runs; the
// next Open puts the live store back in dir, and the layout is just dir.
func TestRestoresAlternateAndOpenSettlesTheLayout(t *testing.T) {
	a := childAlert("01JD0000000000000000000001", "张小明", "2015-03-09")
	b := childAlert("01JD0000000000000000000002", "李华", "2014")
	one, two := openTest(t), openTest(t)
	mustUpsert(t, one, a)
	mustUpsert(t, two, a, b)
	snapOne, snapTwo := snapshotBytes(t, one), snapshotBytes(t, two)

	cfg := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, snap := range [][]byte{snapTwo, snapOne, snapTwo} {
		// A snapshot taken before the restore keeps reading the store it
		// was taken of.
		held, err := e.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Restore(bytes.NewReader(snap)); err != nil {
			t.Fatalf("restore %d: %v", i, err)
		}
		var old bytes.Buffer
		if _, err := held.WriteTo(&old); err != nil {
			t.Fatalf("snapshot held across restore %d: %v", i, err)
		}
		held.Release()
		live := e.cur.Load().dir
		if want := []string{cfg.Dir + nextSuffix, cfg.Dir, cfg.Dir + nextSuffix}[i]; live != want {
			t.Fatalf("restore %d: live store in %s, want %s", i, live, want)
		}
		if got := len(allAlerts(t, e)); got != []int{2, 1, 2}[i] {
			t.Fatalf("restore %d: %d alerts", i, got)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// The store replaced last is gone; the pointer names dir.next.
	if _, err := os.Stat(cfg.Dir + "/MANIFEST"); err == nil {
		t.Fatalf("the replaced store is still in %s", cfg.Dir)
	}
	assertDirs(t, cfg.Dir, true, true)

	e, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	assertDirs(t, cfg.Dir, false, false)
	if e.cur.Load().dir != filepath.Clean(cfg.Dir) {
		t.Fatalf("live store in %s after open", e.cur.Load().dir)
	}
	if got := allAlerts(t, e); len(got) != 2 {
		t.Fatalf("%d alerts after reopening", len(got))
	}
	if hits := check(t, e, Traveller{Surname: "LI", Given: "HUA", BirthDate: "2014", Sex: "M"}); len(hits) != 1 {
		t.Fatalf("hits after reopening: %+v", hits)
	}
}

// settleDir resolves every state a crash can leave the directories in.
func TestSettleDir(t *testing.T) {
	write := func(t *testing.T, name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			return "(none)"
		}
		return string(b)
	}
	cases := []struct {
		name       string
		setup      func(dir string)
		live       string // the content of dir/marker afterwards
		wantErr    bool
		keepsPoint bool
	}{
		{"nothing to do", func(dir string) { write(t, dir+"/marker", "old") }, "old", false, false},
		{"an interrupted restore is removed", func(dir string) {
			write(t, dir+"/marker", "old")
			write(t, dir+nextSuffix+"/marker", "half")
		}, "old", false, false},
		{"a finished restore is moved into place", func(dir string) {
			write(t, dir+"/marker", "old")
			write(t, dir+nextSuffix+"/marker", "new")
			write(t, dir+currentSuffix, filepath.Base(dir+nextSuffix)+"\n")
		}, "new", false, false},
		{"the move was done, the pointer not yet removed", func(dir string) {
			write(t, dir+"/marker", "new")
			write(t, dir+currentSuffix, filepath.Base(dir+nextSuffix)+"\n")
		}, "new", false, false},
		{"the second restore of a run went back into dir", func(dir string) {
			write(t, dir+"/marker", "newer")
			write(t, dir+nextSuffix+"/marker", "new")
			write(t, dir+currentSuffix, filepath.Base(dir)+"\n")
		}, "newer", false, false},
		{"a pointer naming something else is refused", func(dir string) {
			write(t, dir+"/marker", "old")
			write(t, dir+currentSuffix, "elsewhere\n")
		}, "old", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "watchlist")
			c.setup(dir)
			err := settleDir(dir)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v", err)
			}
			if got := read(dir + "/marker"); got != c.live {
				t.Fatalf("live store holds %q, want %q", got, c.live)
			}
			assertDirs(t, dir, false, c.keepsPoint)
		})
	}
}
