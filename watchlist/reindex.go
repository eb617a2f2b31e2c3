package watchlist

import (
	"encoding/json"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/watchlist/names"
)

// metaNames holds the names.Version the index was built with. A store
// without it was built before versions were recorded (version 1).
var metaNames = []byte{tagMeta, 'v'}

// reindexBatch is how many alerts one re-index transaction rewrites.
const reindexBatch = 2000

// reindexNames re-derives every alert's index entries and match record
// when the index was built by other name-reading rules than this build's
// (names.Version): the readings decide the blocking keys, and a traveller
// read by the new rules must find alerts indexed by them. Only derived
// records change: each alert's JSON is written back as it was, and the
// partners' feed is not touched, so every node, whenever it re-indexes,
// holds the same replicated state. Each alert's old entries are removed
// by its stored key list (putAlert), whatever rules made them.
func (e *Engine) reindexNames() error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.reindexNamesLocked()
}

// reindexNamesLocked is reindexNames with writeMu held (Restore: a
// snapshot brings the index of the node that made it).
func (e *Engine) reindexNamesLocked() error {
	version, err := e.namesVersion()
	if err != nil || version == names.Version {
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
	if err := e.locked().Update(func(txn *badger.Txn) error { return txn.Set(metaNames, []byte{names.Version}) }); err != nil {
		return fmt.Errorf("re-index: %w", err)
	}
	if total > 0 {
		e.log.Info("re-indexed the alerts for this build's name readings", "alerts", total,
			"from_version", version, "to_version", names.Version, "took", time.Since(start).Round(time.Millisecond))
		return e.rebuildLocked()
	}
	return nil
}

// namesVersion reads the version the index was built with.
func (e *Engine) namesVersion() (byte, error) {
	v, found, err := e.readMeta(metaNames)
	switch {
	case err != nil:
		return 0, err
	case !found:
		return 1, nil // written before the version was recorded
	case len(v) != 1:
		return 0, fmt.Errorf("names version of %d bytes", len(v))
	}
	return v[0], nil
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
