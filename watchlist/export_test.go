package watchlist

import badger "github.com/dgraph-io/badger/v4"

// ReadIndex reads what checkStore reads for a probe, and judges nothing:
// for each of its first maxKeys keys that pass the bloom filters (all
// when maxKeys is 0), a seek to the key and every index entry under it,
// values included. BenchmarkCheck measures it beside the store path, as
// the store's own share of it. It returns the entries read.
func (e *Engine) ReadIndex(p *Probe, maxKeys int) (entries int, err error) {
	f := e.filters.Load()
	var keys []key
	for _, k := range append(append([]key(nil), p.keys[:p.n]...), p.span...) {
		if f.mayContain(k) && (maxKeys == 0 || len(keys) < maxKeys) {
			keys = append(keys, k)
		}
	}
	err = e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: []byte{tagIndex}})
		defer it.Close()
		for _, k := range keys {
			prefix := indexPrefix(k)
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				if err := it.Item().Value(func([]byte) error { return nil }); err != nil {
					return err
				}
				entries++
			}
		}
		return nil
	})
	return entries, err
}

// FirstIndexEntry returns the key of the first index entry under the
// probe's first key that passes the bloom filters (nil if none).
func (e *Engine) FirstIndexEntry(p *Probe) ([]byte, error) {
	f := e.filters.Load()
	var out []byte
	err := e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: []byte{tagIndex}})
		defer it.Close()
		for _, k := range append(append([]key(nil), p.keys[:p.n]...), p.span...) {
			if !f.mayContain(k) {
				continue
			}
			prefix := indexPrefix(k)
			it.Seek(prefix)
			if it.ValidForPrefix(prefix) {
				out = it.Item().KeyCopy(nil)
				return nil
			}
		}
		return nil
	})
	return out, err
}

// GetIndexEntry reads one index entry by its whole key, in a read
// transaction of its own: what a lookup by key costs, against a seek.
func (e *Engine) GetIndexEntry(k []byte) error {
	return e.view(func(txn *badger.Txn) error {
		item, err := txn.Get(k)
		if err != nil {
			return err
		}
		return item.Value(func([]byte) error { return nil })
	})
}
