package watchlist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// A store is one open badger directory. The engine answers from the
// current one (Engine.cur); Restore fills a new one beside it and swaps
// it in, so that checks go on answering from the old state, whole, until
// the new state is whole. Readers hold a reference while they read
// (Engine.view, Engine.acquire); the store that was current is closed,
// and its directory removed, when its last reader is done.
type store struct {
	db  *badger.DB
	dir string
	// refs is 1 while the store is current, plus one per reader. At 0 the
	// store is closed and can no longer be acquired.
	refs atomic.Int64
	// remove says to remove dir once closed (a store replaced by Restore).
	remove atomic.Bool
	done   chan struct{} // closed once db is closed (and dir removed)
	err    error         // from closing; read after done
}

// openStore opens (or creates) the badger store in dir with the
// engine's options.
func openStore(cfg Config, dir string) (*store, error) {
	opts := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{cfg.Logger}).
		WithSyncWrites(cfg.SyncWrites).
		WithMemTableSize(32 << 20).
		WithNumMemtables(3).
		WithBlockCacheSize(128 << 20).
		WithIndexCacheSize(64 << 20).
		WithNumCompactors(2).
		WithDetectConflicts(false)
	if len(cfg.EncryptionKey) > 0 {
		opts = opts.WithEncryptionKey(cfg.EncryptionKey)
	}
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &store{db: db, dir: dir, done: make(chan struct{})}
	s.refs.Store(1)
	return s, nil
}

// tryAcquire takes a reference unless the store is already closing.
func (s *store) tryAcquire() bool {
	for {
		n := s.refs.Load()
		if n <= 0 {
			return false
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one closes the store, in the
// background (the last reader may be a check that must answer now).
func (s *store) release() {
	if s.refs.Add(-1) != 0 {
		return
	}
	go func() {
		s.err = s.db.Close()
		if s.remove.Load() {
			s.err = errors.Join(s.err, os.RemoveAll(s.dir))
		}
		close(s.done)
	}()
}

// acquire returns the current store with a reference the caller must
// release.
func (e *Engine) acquire() (*store, error) {
	for {
		if e.closed.Load() {
			return nil, ErrClosed
		}
		if s := e.cur.Load(); s.tryAcquire() {
			return s, nil
		}
		// Replaced between the load and the acquire: the next is current.
	}
}

// view runs fn in a read transaction of the current store.
func (e *Engine) view(fn func(txn *badger.Txn) error) error {
	s, err := e.acquire()
	if err != nil {
		return err
	}
	defer s.release()
	return s.db.View(fn)
}

// update runs fn in a read-write transaction of the current store, with
// the write lock held (a write must not land in a store that Restore is
// replacing).
func (e *Engine) update(fn func(txn *badger.Txn) error) error {
	if e.closed.Load() {
		return ErrClosed
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.locked().Update(fn)
}

// locked returns the current store's database. Only with writeMu held
// (Restore swaps the store under it), or before Open returns.
func (e *Engine) locked() *badger.DB { return e.cur.Load().db }

// The store's directory is cfg.Dir. Restore fills Dir+".next" while Dir
// answers; when it is whole, the file Dir+".current" names it the live
// one, atomically. The next Open moves it back into Dir (the old store is
// closed then), so that between restores the layout is just Dir:
//
//	no pointer              Dir is live; a Dir.next is an interrupted restore, removed
//	pointer names Dir.next  Dir.next is live: Dir is removed, Dir.next renamed Dir
//	pointer names Dir       Dir is live (a second restore in one run); Dir.next removed
//
// A running engine alternates: a second restore fills Dir again once the
// store replaced first is closed.
const (
	nextSuffix    = ".next"
	currentSuffix = ".current"
)

// settleDir puts the live store back in dir after a restore that an
// earlier run did not get to move, and removes what an interrupted one
// left.
func settleDir(dir string) error {
	dir = filepath.Clean(dir)
	next := dir + nextSuffix
	pointer := dir + currentSuffix
	b, err := os.ReadFile(pointer)
	if errors.Is(err, os.ErrNotExist) {
		return os.RemoveAll(next)
	}
	if err != nil {
		return fmt.Errorf("store pointer: %w", err)
	}
	switch live := strings.TrimSpace(string(b)); live {
	case filepath.Base(next):
		if _, err := os.Stat(next); err == nil {
			if err := os.RemoveAll(dir); err != nil {
				return fmt.Errorf("remove the replaced store: %w", err)
			}
			if err := os.Rename(next, dir); err != nil {
				return fmt.Errorf("move the restored store into place: %w", err)
			}
			if err := syncDir(filepath.Dir(dir)); err != nil {
				return err
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	case filepath.Base(dir):
		if err := os.RemoveAll(next); err != nil {
			return err
		}
	default:
		return fmt.Errorf("store pointer %s names %q, neither %s nor %s", pointer, live, filepath.Base(dir), filepath.Base(next))
	}
	if err := os.Remove(pointer); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// pointTo records atomically that live (dir or dir.next) holds the
// store: a crash after it restarts on live.
func pointTo(dir, live string) error {
	dir = filepath.Clean(dir)
	pointer := dir + currentSuffix
	tmp := pointer + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(filepath.Base(live) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, pointer)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store pointer: %w", err)
	}
	return syncDir(filepath.Dir(dir))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// stagingDir is where a restore builds the next store: whichever of dir
// and dir.next the live store is not in.
func stagingDir(dir, live string) string {
	dir = filepath.Clean(dir)
	if filepath.Clean(live) == dir {
		return dir + nextSuffix
	}
	return dir
}
