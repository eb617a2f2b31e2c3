package node

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/node/journal"
)

// Before the journal, the outbox was a badger store in the same
// directory, its records under one-byte tags. A node that finds one moves
// what it holds into the journals before it answers anything: an upgrade
// loses no crossing record and no audit entry.
var badgerOutboxTags = map[byte]struct {
	held bool
	kind journal.Kind
}{
	'o': {false, kindCrossing},
	'a': {false, kindAudit},
	'q': {true, kindHeldCrossing},
	'Q': {true, kindHeldAudit},
}

// migrateBadgerOutbox moves an old outbox store in dir into the journals.
// The old store is renamed first and removed last, so a migration that
// stops half-way is done again, from the start, at the next open.
func migrateBadgerOutbox(dir string, log *slog.Logger) error {
	old := dir + ".badger"
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err == nil {
		if _, err := os.Stat(old); err == nil {
			return fmt.Errorf("outbox: both %s and %s hold an old outbox store; move one away", dir, old)
		}
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	if _, err := os.Stat(old); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil { // a migration that stopped half-way
		return fmt.Errorf("outbox: %w", err)
	}
	queue, _, err := journal.Open(filepath.Join(dir, "queue"), journal.Options{Kinds: []journal.Kind{kindCrossing, kindAudit}})
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer queue.Close()
	held, _, err := journal.Open(filepath.Join(dir, "held"), journal.Options{})
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer held.Close()
	db, err := badger.Open(badger.DefaultOptions(old).WithLogger(nil))
	if err != nil {
		return fmt.Errorf("outbox: open the old store %s: %w", old, err)
	}
	counts := map[journal.Kind]int{}
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			key := it.Item().Key()
			if len(key) == 0 {
				continue
			}
			tag, known := badgerOutboxTags[key[0]]
			if !known {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			to := queue
			if tag.held {
				to = held
			}
			if err := to.Append(journal.Record{Kind: tag.kind, Data: v}); err != nil {
				return err
			}
			counts[tag.kind]++
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("outbox: move the old store %s into the journal: %w", old, err)
	}
	if err := errors.Join(queue.Close(), held.Close()); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("outbox: remove the old store: %w", err)
	}
	log.Info("outbox: moved the old outbox store into the journal", "crossings", counts[kindCrossing],
		"audit_entries", counts[kindAudit], "held_crossings", counts[kindHeldCrossing], "held_audit_entries", counts[kindHeldAudit])
	return nil
}
