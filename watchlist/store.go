package watchlist

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/watchlist/names"
)

// Key layout in badger. Every key starts with a one-byte table tag.
//
//	'a' id                        -> alert JSON
//	'k' id                        -> the alert's index keys, 9 bytes each (family, hash)
//	'x' family hash(8) id         -> candidate summary (sex, birth date, nationalities), then the match record (matchrec.go)
//	'c' "count"                   -> number of index entries, dated and coarse (derived, for sizing)
//	'c' "i"                       -> the last raft index applied (snapshot.go)
//	'h', 'r' ...                  -> crossing history, see history.go
//	't' hitID                     -> hit record and its acknowledgement (hits.go)
//	'f' ...                       -> federation: identity, partners, feed, queues (federation.go)
const (
	tagAlert     = 'a'
	tagAlertKeys = 'k'
	tagIndex     = 'x'
	tagMeta      = 'c'
)

var metaIndexCount = []byte{tagMeta, 'n'}

// storeFormat is the layout of the records in badger, kept under
// metaFormat; Open refuses a store of another layout rather than misread
// it. 1 (no marker) kept match records under their own 'm' keys; 2 keeps
// them in the index entries.
const storeFormat = 2

var metaFormat = []byte{tagMeta, 'f'}

// readMeta reads one of the store's small records by key: a copy of its
// value, and whether it is there.
func (e *Engine) readMeta(key []byte) (v []byte, found bool, err error) {
	err = e.view(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		v, err = item.ValueCopy(nil)
		return err
	})
	return v, found, err
}

// checkFormat marks an empty store with storeFormat, and refuses a store
// written in another format.
func (e *Engine) checkFormat() error {
	found, ok, err := e.readMeta(metaFormat)
	if err != nil {
		return err
	}
	switch {
	case len(found) == 1 && found[0] == storeFormat:
		return nil
	case ok:
		return fmt.Errorf("%w: the store has format %v, this build reads format %d", ErrStoreFormat, found, storeFormat)
	}
	empty, err := e.isEmpty()
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("%w: the store has format 1 (written before the format was recorded), this build reads format %d: "+
			"start from an empty data directory and reload the alerts, or let the node catch up from its cluster", ErrStoreFormat, storeFormat)
	}
	return e.locked().Update(func(txn *badger.Txn) error { return txn.Set(metaFormat, []byte{storeFormat}) })
}

// empty drops everything in the store (after a failed load or restore),
// leaving an empty store of the current format.
func (e *Engine) empty() error {
	err := e.locked().DropAll()
	e.counts = indexCounts{}
	e.filters.Store(newFilterSet(indexCounts{}, e.cfg.FalsePositiveRate))
	if err != nil {
		return err
	}
	return e.locked().Update(func(txn *badger.Txn) error { return txn.Set(metaFormat, []byte{storeFormat}) })
}

func alertKey(id string) []byte { return append([]byte{tagAlert}, id...) }

func indexKey(k key, id string) []byte {
	b := make([]byte, 0, 11+len(id))
	b = append(b, tagIndex, k.fam)
	if k.coarse {
		b[1] |= 0x80 // coarse keys of the same family sort apart
	}
	b = binary.BigEndian.AppendUint64(b, k.hash)
	return append(b, id...)
}

func indexPrefix(k key) []byte {
	b := make([]byte, 0, 10)
	b = append(b, tagIndex, k.fam)
	if k.coarse {
		b[1] |= 0x80
	}
	return binary.BigEndian.AppendUint64(b, k.hash)
}

// indexCounts is the number of index entries of each filter class, kept
// in the store so that the bloom filters can be sized before they are
// built.
type indexCounts [filterClasses]int64

func (c indexCounts) total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

func readCounts(txn *badger.Txn) (indexCounts, error) {
	item, err := txn.Get(metaIndexCount)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return indexCounts{}, nil
	}
	if err != nil {
		return indexCounts{}, err
	}
	var c indexCounts
	err = item.Value(func(v []byte) error {
		// 16 bytes: written before the any-date keys (none counted).
		if len(v) != 8*len(c) && len(v) != 16 {
			return fmt.Errorf("index count record is %d bytes, want %d", len(v), 8*len(c))
		}
		for i := 0; i < len(v)/8; i++ {
			c[i] = int64(binary.BigEndian.Uint64(v[8*i:]))
		}
		return nil
	})
	return c, err
}

func writeCounts(txn *badger.Txn, c indexCounts) error {
	return txn.Set(metaIndexCount, countsValue(c))
}

func countsValue(c indexCounts) []byte {
	v := make([]byte, 0, 8*len(c))
	for _, n := range c {
		v = binary.BigEndian.AppendUint64(v, uint64(n))
	}
	return v
}

func getAlert(txn *badger.Txn, id string) (Alert, bool, error) {
	item, err := txn.Get(alertKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Alert{}, false, nil
	}
	if err != nil {
		return Alert{}, false, err
	}
	var a Alert
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &a) })
	if err != nil {
		return Alert{}, false, fmt.Errorf("alert %s in store: %w", id, err)
	}
	return a, true, nil
}

// writeResult tells the prefilter what one write changed.
type writeResult struct {
	added   []key // index entries written
	removed int   // index entries deleted (stale in the bloom filters)
}

// preparedAlert is an alert validated, encoded and keyed outside the write
// lock (in parallel), ready for putAlert.
type preparedAlert struct {
	id    string
	json  []byte
	index []byte // the value of each of its index entries: summary and match record
	keys  []key  // nil for a closed alert: it is not indexed
	// share and foreign feed the partners' feed (federation.go).
	share   []string
	foreign bool
}

func prepareAlert(a *Alert, readings [][]names.Name) (preparedAlert, error) {
	v, err := json.Marshal(a)
	if err != nil {
		return preparedAlert{}, err
	}
	rec := newMatchRecord(a, readings)
	p := preparedAlert{id: a.ID, json: v, index: indexValue(rec.summary(), rec.encode()), share: a.Share, foreign: a.Origin != nil}
	if a.Status != StatusClosed {
		p.keys = recordKeys(&rec)
	}
	return p, nil
}

func encodeKeys(keys []key) []byte {
	b := make([]byte, 0, 9*len(keys))
	for _, k := range keys {
		fam := k.fam
		if k.coarse {
			fam |= 0x80
		}
		b = append(b, fam)
		b = binary.BigEndian.AppendUint64(b, k.hash)
	}
	return b
}

func decodeKeys(b []byte) ([]key, error) {
	if len(b)%9 != 0 {
		return nil, fmt.Errorf("alert key list of %d bytes", len(b))
	}
	out := make([]key, 0, len(b)/9)
	for i := 0; i < len(b); i += 9 {
		out = append(out, key{fam: b[i] &^ 0x80, coarse: b[i]&0x80 != 0, hash: binary.BigEndian.Uint64(b[i+1 : i+9])})
	}
	return out, nil
}

// putAlert writes a prepared alert, replacing its previous version and
// exactly the index entries that version was given (read from its stored
// key list, so a change in how keys are computed never strands an entry).
func putAlert(txn *badger.Txn, p *preparedAlert, counts *indexCounts, res *writeResult) error {
	kk := append([]byte{tagAlertKeys}, p.id...)
	var oldKeys []key
	item, err := txn.Get(kk)
	switch {
	case err == nil:
		if err := item.Value(func(v []byte) error {
			var derr error
			oldKeys, derr = decodeKeys(v)
			return derr
		}); err != nil {
			return err
		}
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	old := make(map[key]bool, len(oldKeys))
	for _, k := range oldKeys {
		old[k] = true
	}
	keep := make(map[key]bool, len(p.keys))
	for _, k := range p.keys {
		if old[k] {
			keep[k] = true
			continue
		}
		res.added = append(res.added, k)
		counts.add(k, 1)
	}
	for _, k := range oldKeys {
		if keep[k] {
			continue
		}
		if err := txn.Delete(indexKey(k, p.id)); err != nil {
			return err
		}
		res.removed++
		counts.add(k, -1)
	}
	if len(p.keys) == 0 {
		if err := txn.Delete(kk); err != nil {
			return err
		}
	}
	// Every entry is written, kept index entries too: their summary may
	// have changed.
	return p.records(txn.Set)
}

// records hands every record of the alert to set: its index entries
// (each with the match record), its index keys (if it has any) and its
// JSON. Upsert and Load store exactly these.
func (p *preparedAlert) records(set func(k, v []byte) error) error {
	for _, k := range p.keys {
		if err := set(indexKey(k, p.id), p.index); err != nil {
			return err
		}
	}
	if len(p.keys) > 0 {
		if err := set(append([]byte{tagAlertKeys}, p.id...), encodeKeys(p.keys)); err != nil {
			return err
		}
	}
	return set(alertKey(p.id), p.json)
}

func (c *indexCounts) add(k key, n int64) { c[k.filter()] += n }

// forEachIndexKey calls fn with every index entry's key as txn sees it,
// for building the bloom filters; it stops at fn's first error.
func forEachIndexKey(txn *badger.Txn, fn func(k key) error) error {
	prefix := []byte{tagIndex}
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: prefix})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		b := it.Item().Key()
		if len(b) < 10 {
			return fmt.Errorf("index key of %d bytes", len(b))
		}
		if err := fn(key{fam: b[1] &^ 0x80, coarse: b[1]&0x80 != 0, hash: binary.BigEndian.Uint64(b[2:10])}); err != nil {
			return err
		}
	}
	return nil
}
