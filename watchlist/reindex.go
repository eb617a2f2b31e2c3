package watchlist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/watchlist/names"
)

// metaNames holds the rules the index was built with: names.Version,
// then keyRules. A store without it was built before versions were
// recorded (names version 1); one with the names version only, before
// key rules were (key rules 1).
var metaNames = []byte{tagMeta, 'v'}

// currentIndexRules is what metaNames holds for this build.
func currentIndexRules() []byte { return []byte{names.Version, keyRules} }

// reindexBatch is how many alerts one re-index transaction rewrites.
const reindexBatch = 2000

// reindex re-derives every alert's index entries and match record when
// the index was built by other rules than this build's: other name
// readings (names.Version), which decide the blocking keys and the
// records, or other keys made from them (keyRules). A traveller looked
// up by the new rules must find alerts indexed by them. Only derived
// records change: each alert's JSON is written back as it was, and the
// partners' feed is not touched, so every node, whenever it re-indexes,
// holds the same replicated state. Each alert's old entries are removed
// by its stored key list (putAlert), whatever rules made them.
func (e *Engine) reindex() error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.reindexLocked()
}

// reindexLocked is reindex with writeMu held (Restore: a snapshot brings
// the index of the node that made it).
func (e *Engine) reindexLocked() error {
	built, err := e.indexRules()
	if err != nil || bytes.Equal(built, currentIndexRules()) {
		return err
	}
	start := time.Now()
	var after []byte
	total := 0
	for {
		batch, last, err := e.readAlerts(after, reindexBatch)
		if err != nil {
			return fmt.Errorf("re-index: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		prepared := make([]preparedAlert, 0, len(batch))
		for i := range batch {
			a := &batch[i]
			readings, err := a.alert.validate()
			if err != nil {
				// This build refuses what an earlier one stored: keep the
				// alert and its entries as they are, and say so.
				e.log.Warn("re-index: an alert this build finds invalid keeps its old index entries", "alert", a.alert.ID, "err", err)
				continue
			}
			p, err := prepareAlert(&a.alert, readings)
			if err != nil {
				return fmt.Errorf("re-index alert %s: %w", a.alert.ID, err)
			}
			p.json = a.raw // written back as it was
			prepared = append(prepared, p)
		}
		if err := e.writeLocked(prepared, false); err != nil {
			return fmt.Errorf("re-index: %w", err)
		}
		total += len(batch)
		after = last
	}
	if err := e.locked().Update(func(txn *badger.Txn) error { return txn.Set(metaNames, currentIndexRules()) }); err != nil {
		return fmt.Errorf("re-index: %w", err)
	}
	if total > 0 {
		e.log.Info("re-indexed the alerts for this build's name readings and keys", "alerts", total,
			"from_names", built[0], "from_keys", built[1], "to_names", names.Version, "to_keys", keyRules,
			"took", time.Since(start).Round(time.Millisecond))
		return e.rebuildLocked()
	}
	return nil
}

// indexRules reads the rules the index was built with: the names
// version, then the key rules.
func (e *Engine) indexRules() ([]byte, error) {
	v, found, err := e.readMeta(metaNames)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return []byte{1, 1}, nil // written before versions were recorded
	case len(v) == 1:
		return []byte{v[0], 1}, nil // written before key rules were recorded
	case len(v) != 2:
		return nil, fmt.Errorf("index rules of %d bytes", len(v))
	}
	return v, nil
}

// storedAlert is an alert as read from the store, with its JSON.
type storedAlert struct {
	alert Alert
	raw   []byte
}

// readAlerts reads up to n stored alerts whose keys follow after (from
// the first when nil), and the key of the last one read.
func (e *Engine) readAlerts(after []byte, n int) ([]storedAlert, []byte, error) {
	var out []storedAlert
	var last []byte
	err := e.view(func(txn *badger.Txn) error {
		prefix := []byte{tagAlert}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefix})
		defer it.Close()
		it.Seek(prefix)
		if after != nil {
			it.Seek(after)
			if it.ValidForPrefix(prefix) && string(it.Item().Key()) == string(after) {
				it.Next()
			}
		}
		for ; it.ValidForPrefix(prefix) && len(out) < n; it.Next() {
			var a storedAlert
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &a.alert); err != nil {
				return fmt.Errorf("alert %s: %w", it.Item().Key()[1:], err)
			}
			a.raw = raw
			out = append(out, a)
			last = it.Item().KeyCopy(nil)
		}
		return nil
	})
	return out, last, err
}
