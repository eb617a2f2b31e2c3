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
