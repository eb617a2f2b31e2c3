package cluster

import (
	"errors"
	"fmt"
	"testing"

	"github.com/crossguard/crossguard/watchlist"
)

// A command forwarded to the leader returns the sentinel the leader's
// state machine did: the API answers the same status on every node.
func TestForwardedErrorsKeepTheirSentinel(t *testing.T) {
	want := []error{watchlist.ErrInvalid, watchlist.ErrNotFound, ErrNoLeader, ErrRefused}
	for _, s := range sentinels {
		want = append(want, s.err)
	}
	for _, sentinel := range want {
		r := errorResponse(fmt.Errorf("applying: %w", sentinel))
		got := r.err()
		if !errors.Is(got, sentinel) {
			t.Errorf("%v came back as %v (kind %q)", sentinel, got, r.Kind)
		}
	}
	ve := &watchlist.ValidationError{Fields: []watchlist.FieldError{{Field: "reason", Reason: "required"}}}
	var back *watchlist.ValidationError
	if r := errorResponse(ve); !errors.As(r.err(), &back) || back.Fields[0].Field != "reason" {
		t.Errorf("a validation error came back as %v", r.err())
	}
	if r := errorResponse(errors.New("disk full")); r.err() == nil || errors.Is(r.err(), watchlist.ErrInvalid) {
		t.Errorf("another error came back as %v", r.err())
	}
}
