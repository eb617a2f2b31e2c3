package node

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oklog/ulid/v2"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/watchlist"
)

// tokenPrefix marks Crossguard secrets, so that a leaked one is easy to
// recognise (and to scan for).
const tokenPrefix = "cg_"

// newSecret is 256 random bits, URL-safe.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// ErrUnauthenticated means a request carried no token, or one that is
// unknown or revoked.
var ErrUnauthenticated = api.ErrUnauthenticated

// Authenticate finds the live token a secret belongs to, in the local
// store (a post that is cut off still knows its tokens).
func (n *Node) Authenticate(secret string) (watchlist.Token, error) {
	if secret == "" {
		return watchlist.Token{}, fmt.Errorf("%w: no bearer token", ErrUnauthenticated)
	}
	t, err := n.engine.TokenByHash(watchlist.HashToken(secret))
	if errors.Is(err, watchlist.ErrNotFound) {
		return watchlist.Token{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return watchlist.Token{}, err
	}
	if t.RevokedAt != nil {
		return watchlist.Token{}, fmt.Errorf("%w: token %s was revoked", ErrUnauthenticated, t.ID)
	}
	return t, nil
}

// CreateToken makes a token and commits its hash; it returns the secret,
// which is never stored and cannot be shown again.
func (n *Node) CreateToken(ctx context.Context, role watchlist.Role, post, name, by string) (watchlist.Token, string, error) {
	secret, err := newSecret()
	if err != nil {
		return watchlist.Token{}, "", err
	}
	t := watchlist.Token{ID: ulid.Make().String(), Hash: watchlist.HashToken(secret), Role: role, Post: post, Name: name,
		CreatedAt: n.now().UTC(), CreatedBy: by}
	if err := t.Validate(); err != nil {
		return watchlist.Token{}, "", err
	}
	idx, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandPutToken, Body: cluster.PutToken{Token: t}})
	if err != nil {
		return watchlist.Token{}, "", err
	}
	return t, secret, n.cluster.WaitForApplied(ctx, idx)
}

// RevokeToken revokes a token everywhere.
func (n *Node) RevokeToken(ctx context.Context, id string) error {
	idx, err := n.cluster.Apply(ctx, cluster.Command{Type: cluster.CommandRevokeToken, Body: cluster.RevokeToken{ID: id, At: n.now().UTC()}})
	if err != nil {
		return err
	}
	return n.cluster.WaitForApplied(ctx, idx)
}

// Tokens lists the tokens (never a secret).
func (n *Node) Tokens() ([]watchlist.Token, error) { return n.engine.Tokens() }

// AdminTokenFile is where the first start of a cluster writes its admin
// token.
func (n *Node) AdminTokenFile() string { return n.TokenFile(watchlist.RoleAdmin) }

// TokenFile is where the first start of a cluster writes the token of a
// role (a demo cluster has one of each): <data>/<role>.token.
func (n *Node) TokenFile(role watchlist.Role) string {
	return filepath.Join(n.cfg.DataDir, string(role)+".token")
}

// firstAdminToken creates the cluster's first admin token, once: on the
// node that bootstrapped the cluster, when no token exists. The secret is
// written to a 0600 file in the data directory and handed to announce
// (the serve command prints it); it never reaches the log.
func (n *Node) firstAdminToken(ctx context.Context, announce func(role watchlist.Role, secret, file string)) error {
	if _, err := n.cluster.WaitForLeader(ctx); err != nil {
		return err
	}
	if err := n.cluster.Barrier(ctx, cluster.Leader); err != nil {
		return err
	}
	tokens, err := n.engine.Tokens()
	if err != nil || len(tokens) > 0 {
		return err
	}
	type first struct {
		role       watchlist.Role
		post, name string
	}
	firsts := []first{{watchlist.RoleAdmin, "", "first admin"}}
	if n.cfg.Demo {
		// A newcomer signs in to the console as each of the people who
		// use it.
		firsts = append(firsts, first{watchlist.RoleOfficer, n.cfg.Post, "demo officer"},
			first{watchlist.RoleAnalyst, "", "demo analyst"}, first{watchlist.RoleAuditor, "", "demo auditor"})
	}
	for _, f := range firsts {
		_, secret, err := n.CreateToken(ctx, f.role, f.post, f.name, "crossguard serve")
		if err != nil {
			return err
		}
		file := n.TokenFile(f.role)
		if err := writePrivate(file, []byte(secret+"\n")); err != nil {
			return err
		}
		n.log.Info("first token created and written to a file (the token is not logged)", "role", f.role, "file", file)
		if announce != nil {
			announce(f.role, secret, file)
		}
	}
	return nil
}

// writePrivate writes a file readable by its owner only, whole or not at
// all.
func writePrivate(file string, b []byte) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
