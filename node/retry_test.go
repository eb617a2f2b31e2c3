package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
)

// A change that got no answer in time is sent again until it is answered;
// any other outcome ends the retries at once; so does the caller's context.
func TestRetryUnanswered(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	unanswered := fmt.Errorf("%w: context deadline exceeded", cluster.ErrNoLeader)

	calls := 0
	err := retryUnanswered(context.Background(), log, func() error {
		calls++
		if calls < 3 {
			return unanswered
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("answered on the third try: err %v after %d calls", err, calls)
	}

	calls = 0
	invalid := &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "alerts[0].category", Reason: "unknown"}}}
	err = retryUnanswered(context.Background(), log, func() error { calls++; return invalid })
	if !errors.Is(err, invalid) || calls != 1 {
		t.Fatalf("a refused change is not retried: err %v after %d calls", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = retryUnanswered(ctx, log, func() error {
		calls++
		cancel()
		return unanswered
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("the caller's end stops the retries: err %v after %d calls", err, calls)
	}
}
