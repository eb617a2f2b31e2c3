package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/oklog/ulid/v2"

	"github.com/crossguard/crossguard/testbench"
	"github.com/crossguard/crossguard/watchlist"
)

// The cluster is replaced by a function here: the test is about what the
// outbox does with the answers, and a real cluster cannot be made to
// refuse a record this build writes.
func TestOutboxHoldsRefusedRecordsAsideAndShipsTheRest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o, err := openOutbox(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Hour) // records expire by the wall clock
	var cs []watchlist.Crossing
	for i := 0; i < 10; i++ {
		c := watchlist.Crossing{ID: ulid.Make().String(), At: at.Add(time.Duration(i) * time.Second), Direction: watchlist.Exit,
			Escorts: []watchlist.Escort{{Adult: watchlist.Pseudonym{byte(i)}, Minors: []watchlist.Pseudonym{{0xff}}}}}
		cs = append(cs, c)
		if err := o.add(c); err != nil {
			t.Fatal(err)
		}
	}
	poison := cs[3].ID
	var mu sync.Mutex
	committed := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		o.ship(ctx, 4, 0, func(_ context.Context, batch []watchlist.Crossing) error {
			for _, c := range batch {
				if c.ID == poison {
					return fmt.Errorf("crossing %s: %w", c.ID, watchlist.ErrInvalid)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range batch {
				committed[c.ID]++
			}
			return nil
		}, func(context.Context, []watchlist.AuditEntry) error { return nil })
	}()
	deadline := time.After(20 * time.Second)
	for o.Depth() > 0 {
		select {
		case <-deadline:
			t.Fatalf("outbox still holds %d records", o.Depth())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	<-done
	mu.Lock()
	for _, c := range cs {
		want := 1
		if c.ID == poison {
			want = 0
		}
		if committed[c.ID] != want {
			t.Errorf("%s committed %d times, want %d", c.ID, committed[c.ID], want)
		}
	}
	mu.Unlock()
	if o.Held() != 1 {
		t.Fatalf("held %d, want 1", o.Held())
	}
	// The held record still counts for the escort rule, and survives a
	// restart, still held and not queued.
	if m, _ := o.MinorsEscorted(watchlist.Pseudonym{3}, at.Add(-time.Hour)); len(m) != 1 {
		t.Fatalf("the held crossing's escort is gone: %v", m)
	}
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
	o, err = openOutbox(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	if o.Depth() != 0 || o.Held() != 1 {
		t.Fatalf("after restart: depth %d held %d", o.Depth(), o.Held())
	}
	if m, _ := o.MinorsEscorted(watchlist.Pseudonym{3}, at.Add(-time.Hour)); len(m) != 1 {
		t.Fatalf("the held crossing's escort is gone after restart: %v", m)
	}
}

// Records are shipped in the order they were written, whatever their
// IDs (made in the same millisecond by concurrent inspections, a later
// record's ID may sort first), and so are audit entries.
func TestOutboxShipsRecordsInTheOrderWritten(t *testing.T) {
	o, err := openOutbox(filepath.Join(t.TempDir(), "outbox"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	at := time.Now().UTC().Truncate(time.Hour)
	crossing := func(id string) watchlist.Crossing {
		return watchlist.Crossing{ID: id, At: at, Direction: watchlist.Entry}
	}
	for _, id := range []string{"01B", "01C", "01D"} {
		if err := o.add(crossing(id), watchlist.AuditEntry{ID: "A" + id}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := o.next(2)
	if err != nil || len(first) != 2 || first[0].rec.ID != "01B" || first[1].rec.ID != "01C" {
		t.Fatalf("first batch %+v %v", first, err)
	}
	if err := o.remove(first); err != nil {
		t.Fatal(err)
	}
	audit, err := o.nextAudit(3)
	if err != nil || len(audit) != 3 {
		t.Fatalf("audit %+v %v", audit, err)
	}
	if err := o.removeAudit(audit, nil); err != nil {
		t.Fatal(err)
	}
	if err := o.add(crossing("01A"), watchlist.AuditEntry{ID: "A01A"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for o.Depth() > 0 {
		cs, err := o.next(10)
		if err != nil || len(cs) == 0 {
			t.Fatalf("depth %d but next gives %+v %v", o.Depth(), cs, err)
		}
		for _, c := range cs {
			ids = append(ids, c.rec.ID)
		}
		if err := o.remove(cs); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(ids) != "[01D 01A]" {
		t.Fatalf("shipped %v, want [01D 01A]", ids)
	}
	as, err := o.nextAudit(10)
	if err != nil || len(as) != 1 || as[0].rec.ID != "A01A" || o.AuditDepth() != 1 {
		t.Fatalf("the audit entry written last: %+v %v (depth %d)", as, err, o.AuditDepth())
	}
}

// A data directory from before the journal holds its outbox in a badger
// store: the records in it, queued and held, move into the journals at
// the first start, and the old store goes.
func TestAnOldOutboxStoreMovesIntoTheJournal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Hour)
	put := func(tag byte, id string, v any) {
		b, _ := json.Marshal(v)
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set(append([]byte{tag}, id...), b) }); err != nil {
			t.Fatal(err)
		}
	}
	escort := []watchlist.Escort{{Adult: watchlist.Pseudonym{7}, Minors: []watchlist.Pseudonym{{8}}}}
	put('o', "01A", watchlist.Crossing{ID: "01A", At: at, Direction: watchlist.Exit, Escorts: escort})
	put('o', "01B", watchlist.Crossing{ID: "01B", At: at, Direction: watchlist.Entry})
	put('a', "A01", watchlist.AuditEntry{ID: "A01"})
	put('q', "01C", heldCrossing{Crossing: watchlist.Crossing{ID: "01C", At: at, Escorts: escort}, Reason: "refused", At: at})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	o, err := openOutbox(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	if o.Depth() != 2 || o.AuditDepth() != 1 || o.Held() != 1 {
		t.Fatalf("after the move: depth %d, audit %d, held %d; want 2, 1, 1", o.Depth(), o.AuditDepth(), o.Held())
	}
	cs, err := o.next(10)
	if err != nil || len(cs) != 2 || cs[0].rec.ID != "01A" || cs[1].rec.ID != "01B" {
		t.Fatalf("queued crossings %+v %v", cs, err)
	}
	if m, _ := o.MinorsEscorted(watchlist.Pseudonym{7}, at.Add(-time.Hour)); len(m) != 2 {
		t.Fatalf("escorts of the queued and the held crossing: %v", m)
	}
	if _, err := os.Stat(dir + ".badger"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old store is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("badger files left in the outbox: %v", err)
	}
}

// The outbox journal can live on a disk of its own (--outbox-dir): the
// inspection's record is synced there, not under the data directory.
func TestTheOutboxCanLiveOutsideTheDataDirectory(t *testing.T) {
	tn := newTestNodes(t)
	outbox := filepath.Join(t.TempDir(), "fast-disk", "outbox")
	tn.configure = func(c *Config) { c.OutboxDir = outbox }
	n := tn.start("centre-1", true, "")
	tn.waitFor("leader", func() bool { return n.Cluster().IsLeader() })
	in := inspect(t, n, testbench.NewGenerator(3, testNow).Family(watchlist.Exit, testNow))
	segments, err := filepath.Glob(filepath.Join(outbox, "queue", "*.seg"))
	if err != nil || len(segments) == 0 {
		t.Fatalf("no journal in %s: %v %v", outbox, segments, err)
	}
	if _, err := os.Stat(filepath.Join(tn.cfgs["centre-1"].DataDir, "outbox")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an outbox under the data directory too: %v", err)
	}
	tn.waitFor("the crossing to commit", func() bool { return n.OutboxDepth() == 0 })
	if _, err := n.Engine().Crossing(in.CrossingID); err != nil {
		t.Fatal(err)
	}
}
