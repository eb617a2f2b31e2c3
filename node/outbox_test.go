package node

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

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
		o.ship(ctx, 4, func(_ context.Context, batch []watchlist.Crossing) error {
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

// The shipper reads from where it last removed records, but a record
// whose ID sorts before that point (made in the same millisecond by a
// concurrent inspection, written a moment later) is still shipped, and
// so is an audit entry in the same position.
func TestOutboxShipsRecordsBehindItsCursor(t *testing.T) {
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
	if err != nil || len(first) != 2 || first[0].ID != "01B" || first[1].ID != "01C" {
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
	// Written after the cursor moved past 01C, sorting before it.
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
			ids = append(ids, c.ID)
		}
		if err := o.remove(cs); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(ids) != "[01A 01D]" {
		t.Fatalf("shipped %v, want [01A 01D]", ids)
	}
	as, err := o.nextAudit(10)
	if err != nil || len(as) != 1 || as[0].ID != "A01A" {
		t.Fatalf("the audit entry behind the cursor: %+v %v", as, err)
	}
}
