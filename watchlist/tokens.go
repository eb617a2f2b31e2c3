package watchlist

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Role is what a token may do.
type Role string

// Roles. An officer inspects at its post; an analyst manages alerts, hits
// and crossings; an auditor reads the audit log; a partner is another
// country's cluster; an admin manages tokens and the cluster. No role
// includes another.
const (
	RoleOfficer Role = "officer"
	RoleAnalyst Role = "analyst"
	RoleAuditor Role = "auditor"
	RolePartner Role = "partner"
	RoleAdmin   Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleOfficer, RoleAnalyst, RoleAuditor, RolePartner, RoleAdmin}

// TokenHash is the SHA-256 of a token's secret: the only form in which a
// secret is stored or replicated. Secrets are 256 random bits, so a fast
// hash is enough (nothing to brute-force).
type TokenHash [sha256.Size]byte

// HashToken hashes a token's secret.
func HashToken(secret string) TokenHash { return sha256.Sum256([]byte(secret)) }

// MarshalText writes the hash in hex.
func (h TokenHash) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h[:])), nil }

// UnmarshalText reads a hex hash.
func (h *TokenHash) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(h) {
		return fmt.Errorf("token hash of %d hex digits", len(b))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// Token is a stored token: who may do what, never its secret.
type Token struct {
	ID   string    `json:"id"`
	Hash TokenHash `json:"hash"`
	Role Role      `json:"role"`
	// Post is the border post an officer's token inspects at, or the
	// country of a partner's token (the API shows it as "country").
	Post      string     `json:"post,omitempty"`
	Name      string     `json:"name,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Validate checks a token record.
func (t *Token) Validate() error {
	var p []FieldError
	bad := func(field, reason string) { p = append(p, FieldError{Field: field, Reason: reason}) }
	if !validID(t.ID) {
		bad("id", "must be 1 to 64 letters, digits, '-' or '_'")
	}
	if t.Hash == (TokenHash{}) {
		bad("hash", "is required")
	}
	known := false
	for _, r := range Roles {
		known = known || r == t.Role
	}
	if !known {
		bad("role", "must be officer, analyst, auditor, partner or admin")
	}
	if t.Role == RoleOfficer && t.Post == "" {
		bad("post", "an officer's token names its border post")
	}
	if t.Role == RolePartner && !ValidCountry(t.Post) {
		bad("country", "a partner's token names the partner's three-letter country code")
	}
	if t.Role != RoleOfficer && t.Role != RolePartner && t.Post != "" {
		bad("post", "only an officer's token names a post")
	}
	if len(t.Name) > 200 {
		bad("name", "at most 200 characters")
	}
	if t.CreatedAt.IsZero() {
		bad("created_at", "is required")
	}
	if len(p) > 0 {
		return &ValidationError{Fields: p}
	}
	return nil
}

// Keys: tagToken + hash → the token; tagTokenID + id → hash.
const (
	tagToken   = 'u'
	tagTokenID = 'v'
)

// PutToken stores a new token. Storing the same token again changes
// nothing; a different token under an existing ID or hash is refused.
func (e *Engine) PutToken(t Token) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if err := t.Validate(); err != nil {
		return err
	}
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	hk, ik := append([]byte{tagToken}, t.Hash[:]...), append([]byte{tagTokenID}, t.ID...)
	defer e.tokens.invalidate()
	return e.update(func(txn *badger.Txn) error {
		if item, err := txn.Get(ik); err == nil {
			var have TokenHash
			if err := item.Value(func(b []byte) error { copy(have[:], b); return nil }); err != nil {
				return err
			}
			if have == t.Hash {
				return nil
			}
			return fmt.Errorf("token %s exists: %w", t.ID, ErrInvalid)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if _, err := txn.Get(hk); err == nil {
			return fmt.Errorf("a token with this secret exists: %w", ErrInvalid)
		}
		if err := txn.Set(hk, v); err != nil {
			return err
		}
		return txn.Set(ik, t.Hash[:])
	})
}

// TokenByHash returns the token whose secret hashes to h, revoked or not.
// Every request asks it, so known tokens are answered from memory
// (tokenCache); unknown ones always read the store.
func (e *Engine) TokenByHash(h TokenHash) (Token, error) {
	t, ok, gen := e.tokens.get(h)
	if ok {
		return t, nil
	}
	err := e.view(func(txn *badger.Txn) error {
		item, err := txn.Get(append([]byte{tagToken}, h[:]...))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &t) })
	})
	if err == nil {
		e.tokens.put(h, t, gen)
	}
	return t, err
}

// tokenCache holds the tokens read from the store. Any change to the
// tokens (a new one, a revocation, a restore) empties it; a read that
// began before a change does not fill it.
type tokenCache struct {
	mu  sync.RWMutex
	gen uint64
	m   map[TokenHash]Token
}

func (c *tokenCache) get(h TokenHash) (Token, bool, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.m[h]
	return t, ok, c.gen
}

func (c *tokenCache) put(h TokenHash, t Token, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil {
		c.m = map[TokenHash]Token{}
	}
	c.m[h] = t
}

func (c *tokenCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// RevokeToken revokes a token at a stamped time; revoking twice keeps
// the first time.
func (e *Engine) RevokeToken(id string, at time.Time) error {
	if e.closed.Load() {
		return ErrClosed
	}
	defer e.tokens.invalidate()
	return e.update(func(txn *badger.Txn) error {
		item, err := txn.Get(append([]byte{tagTokenID}, id...))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("token %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		hk, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		hk = append([]byte{tagToken}, hk...)
		item, err = txn.Get(hk)
		if err != nil {
			return err
		}
		var t Token
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &t) }); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		at = at.UTC()
		t.RevokedAt = &at
		v, err := json.Marshal(t)
		if err != nil {
			return err
		}
		return txn.Set(hk, v)
	})
}

// Tokens lists every token (never a secret), oldest first.
func (e *Engine) Tokens() ([]Token, error) {
	var out []Token
	err := e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte{tagToken}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var t Token
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &t) }); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}
