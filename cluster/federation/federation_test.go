package federation

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func keys(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// Every way a message can be wrong is refused with its own reason; the
// good message opens.
func TestOpenRefuses(t *testing.T) {
	pub, priv := keys(t)
	_, other := keys(t)
	rules := Rules{Self: "CHN", Now: func() time.Time { return now }}
	good := Header{From: "VNM", To: "CHN", Kind: KindMessage, Seq: 7, SentAt: now.Add(-time.Second)}
	body := map[string]string{"x": "y <&>"}
	seal := func(k ed25519.PrivateKey, h Header) Envelope {
		env, err := Seal(k, h, body)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	env := seal(priv, good)
	var got map[string]string
	h, err := rules.Open(env, "VNM", pub, KindMessage, &got)
	if err != nil || h.Seq != 7 || got["x"] != "y <&>" {
		t.Fatalf("a good message: %v %+v %v", err, h, got)
	}

	flipped := env
	flipped.Message = bytes.Replace(env.Message, []byte(`"seq":7`), []byte(`"seq":8`), 1)
	reencoded := env
	var loose map[string]any
	_ = json.Unmarshal(env.Message, &loose)
	reencoded.Message, _ = json.MarshalIndent(loose, "", " ")
	cases := []struct {
		name string
		env  Envelope
		from string
		kind Kind
		want error
	}{
		{"a changed byte", flipped, "VNM", KindMessage, ErrSignature},
		{"a foreign key", seal(other, good), "VNM", KindMessage, ErrSignature},
		{"no signature", Envelope{Message: env.Message}, "VNM", KindMessage, ErrSignature},
		{"another sender", env, "LAO", KindMessage, ErrAddress},
		{"another recipient", seal(priv, Header{From: "VNM", To: "LAO", Kind: KindMessage, Seq: 7, SentAt: now}), "VNM", KindMessage, ErrAddress},
		{"another kind", env, "VNM", KindFeed, ErrAddress},
		{"too old", seal(priv, Header{From: "VNM", To: "CHN", Kind: KindMessage, Seq: 7, SentAt: now.Add(-time.Hour)}), "VNM", KindMessage, ErrTooOld},
		{"from the future", seal(priv, Header{From: "VNM", To: "CHN", Kind: KindMessage, Seq: 7, SentAt: now.Add(time.Hour)}), "VNM", KindMessage, ErrTooOld},
	}
	for _, c := range cases {
		var b map[string]string
		if _, err := rules.Open(c.env, c.from, pub, c.kind, &b); !errors.Is(err, c.want) || !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Signed but not canonical: the signature covers other bytes, so a
	// relay that re-encodes a message breaks it (and a sender must send
	// the canonical form).
	signedLoose := Envelope{Message: reencoded.Message, Signature: ed25519.Sign(priv, append([]byte(signingDomain), reencoded.Message...))}
	var b map[string]string
	if _, err := rules.Open(signedLoose, "VNM", pub, KindMessage, &b); !errors.Is(err, ErrNotCanonical) {
		t.Errorf("a non-canonical encoding: %v", err)
	}
}

// A page carrying an alert its sender does not own is refused whole.
func TestFeedCheckOwner(t *testing.T) {
	page := Feed{Entries: []watchlist.SharedChange{
		{Op: watchlist.ShareUpsert, ID: "CHN-1", Alert: &watchlist.Alert{ID: "CHN-1", Owner: watchlist.Owner{Country: "CHN"}}},
		{Op: watchlist.ShareWithdraw, ID: "CHN-2"},
	}}
	if err := page.CheckOwner("CHN"); err != nil {
		t.Fatalf("CHN's own page: %v", err)
	}
	page.Entries = append(page.Entries, watchlist.SharedChange{Op: watchlist.ShareUpsert, ID: "LAO-1", Alert: &watchlist.Alert{ID: "LAO-1", Owner: watchlist.Owner{Country: "LAO"}}})
	if err := page.CheckOwner("CHN"); !errors.Is(err, watchlist.ErrNotOwner) || !errors.Is(err, ErrRefused) {
		t.Errorf("LAO's alert in CHN's page: %v", err)
	}
}

func TestQueryValidate(t *testing.T) {
	for _, c := range []struct {
		q     Query
		field string
	}{
		{Query{}, "surname"},
		{Query{Surname: "ZHANG"}, "birth_date"},
		{Query{Document: &watchlist.Document{Country: "CHN"}}, "document.number"},
		{Query{Document: &watchlist.Document{Country: "CHN", Number: "E1"}, Surname: "ZHANG"}, "document"},
	} {
		var ve *watchlist.ValidationError
		if err := c.q.Validate(); !errors.As(err, &ve) || ve.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want %s named", c.q, err, c.field)
		}
	}
	if err := (Query{Surname: "ZHANG", BirthDate: "2015"}).Validate(); err != nil {
		t.Error(err)
	}
}
