package watchlist

import (
	"bytes"
	"errors"
	"testing"
)

func TestTokensStoreOnlyHashesAndRevoke(t *testing.T) {
	e := openTest(t)
	tok := Token{ID: "T1", Hash: HashToken("cg_secret"), Role: RoleOfficer, Post: "lao-cai", CreatedAt: today}
	if err := e.PutToken(tok); err != nil {
		t.Fatal(err)
	}
	if err := e.PutToken(tok); err != nil {
		t.Fatalf("the same token again: %v", err)
	}
	other := tok
	other.Hash = HashToken("cg_other")
	if err := e.PutToken(other); !errors.Is(err, ErrInvalid) {
		t.Fatalf("another token under the same ID: %v", err)
	}
	got, err := e.TokenByHash(HashToken("cg_secret"))
	if err != nil || got.ID != "T1" || got.Post != "lao-cai" {
		t.Fatalf("by hash: %+v %v", got, err)
	}
	if _, err := e.TokenByHash(HashToken("cg_nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if err := e.RevokeToken("T1", today); err != nil {
		t.Fatal(err)
	}
	if err := e.RevokeToken("T1", today.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	got, _ = e.TokenByHash(HashToken("cg_secret"))
	if got.RevokedAt == nil || !got.RevokedAt.Equal(today) {
		t.Fatalf("revoked at %v, want the first revocation", got.RevokedAt)
	}
	if err := e.RevokeToken("T9", today); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	for name, bad := range map[string]Token{
		"officer without post": {ID: "T2", Hash: HashToken("a"), Role: RoleOfficer, CreatedAt: today},
		"analyst with post":    {ID: "T3", Hash: HashToken("b"), Role: RoleAnalyst, Post: "x", CreatedAt: today},
		"unknown role":         {ID: "T4", Hash: HashToken("c"), Role: "god", CreatedAt: today},
		"no hash":              {ID: "T5", Role: RoleAdmin, CreatedAt: today},
	} {
		var ve *ValidationError
		if err := e.PutToken(bad); !errors.As(err, &ve) {
			t.Errorf("%s: %v", name, err)
		}
	}
	list, err := e.Tokens()
	if err != nil || len(list) != 1 {
		t.Fatalf("tokens %+v %v", list, err)
	}
}

// Known tokens are answered from memory: a restore that replaces the
// store with one that lacks a token makes it unknown at once.
func TestARestoreForgetsTokensAnsweredFromMemory(t *testing.T) {
	empty := snapshotBytes(t, openTest(t))
	e := openTest(t)
	tok := Token{ID: "T1", Hash: HashToken("cg_secret"), Role: RoleAdmin, CreatedAt: today}
	if err := e.PutToken(tok); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from memory
		if got, err := e.TokenByHash(tok.Hash); err != nil || got.ID != "T1" {
			t.Fatalf("by hash: %+v %v", got, err)
		}
	}
	if err := e.Restore(bytes.NewReader(empty)); err != nil {
		t.Fatal(err)
	}
	if got, err := e.TokenByHash(tok.Hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after a restore without it: %+v %v", got, err)
	}
}
