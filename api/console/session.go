package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// session is a signed-in browser. It holds the token's secret in the
// node's memory only (never in the browser): every request authenticates
// it again, so a revoked token ends its sessions at once.
type session struct {
	secret  string
	csrf    string
	expires time.Time
}

// sessions are the browsers signed in to this node. They live in memory:
// a restart signs everyone out, which a shift survives.
type sessions struct {
	ttl time.Duration
	max int
	mu  sync.Mutex
	by  map[string]session
}

func newSessions(ttl time.Duration, max int) *sessions {
	return &sessions{ttl: ttl, max: max, by: map[string]session{}}
}

// randomID is 256 random bits, URL-safe.
func randomID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// start opens a session for a token's secret and answers its ID.
func (s *sessions) start(secret string, now time.Time) (string, session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.by) >= s.max {
		for id, x := range s.by {
			if now.After(x.expires) {
				delete(s.by, id)
			}
		}
		// Still full: drop the session closest to its end.
		for len(s.by) >= s.max {
			var oldest string
			for id, x := range s.by {
				if oldest == "" || x.expires.Before(s.by[oldest].expires) {
					oldest = id
				}
			}
			delete(s.by, oldest)
		}
	}
	id := randomID()
	x := session{secret: secret, csrf: randomID(), expires: now.Add(s.ttl)}
	s.by[id] = x
	return id, x
}

// get answers a live session.
func (s *sessions) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.by[id]
	if ok && now.After(x.expires) {
		delete(s.by, id)
		return session{}, false
	}
	return x, ok
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.by, id)
}

// csrfOK compares a form's anti-forgery token with the session's in
// constant time.
func (x session) csrfOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(x.csrf)) == 1
}
