package watchlist

import (
	"bytes"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// A store indexed by earlier name-reading rules is re-indexed at open:
// the entries the old rules made go, the new rules' entries come, and
// the alerts themselves and the partners' feed stay byte for byte.
func TestAStoreIndexedByOlderNameRulesIsReindexed(t *testing.T) {
	cfg := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	khmer := childAlert("01JD00000000000000000000K1", "ទូច ធីតា", "2015-06-01")
	khmer.Person.Nationalities = []string{"KHM"}
	khmer.Owner = Owner{Country: "KHM", Agency: "Phnom Penh police"}
	khmer.Share = []string{"THA"}
	mustUpsert(t, e, khmer, childAlert("01JD00000000000000000000K2", "张小明", "2015-03-09"))
	traveller := Traveller{Surname: "TOUCH", Given: "THIDA", BirthDate: "2015-06-01", Sex: "M", Nationality: "KHM"}
	if hits := check(t, e, traveller); len(hits) != 1 || hits[0].AlertID != khmer.ID {
		t.Fatalf("before: hits %+v", hits)
	}
	// Make it look like an older build's store: the Khmer alert indexed
	// under a key the new rules never make, and no version recorded.
	stale := key{fam: 1, hash: 0xdeadbeef}
	err = e.locked().Update(func(txn *badger.Txn) error {
		for _, k := range mustKeys(t, txn, khmer.ID) {
			if err := txn.Delete(indexKey(k, khmer.ID)); err != nil {
				return err
			}
		}
		if err := txn.Set(indexKey(stale, khmer.ID), []byte{}); err != nil {
			return err
		}
		if err := txn.Set(append([]byte{tagAlertKeys}, khmer.ID...), encodeKeys([]key{stale})); err != nil {
			return err
		}
		return txn.Delete(metaNames)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := rawRecords(t, e)
	e = reopenReindexed(t, cfg, e)
	if hits := check(t, e, traveller); len(hits) != 1 || hits[0].AlertID != khmer.ID {
		t.Fatalf("after the re-index: hits %+v", hits)
	}
	err = e.locked().View(func(txn *badger.Txn) error {
		if _, err := txn.Get(indexKey(stale, khmer.ID)); err != badger.ErrKeyNotFound {
			t.Errorf("the old rules' entry is still there: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	after := rawRecords(t, e)
	for k, v := range before {
		if k[0] == tagAlert || k[0] == 'f' {
			if !bytes.Equal(after[k], v) {
				t.Errorf("record %q changed in the re-index", k)
			}
		}
	}
	for k := range after {
		if k[0] == 'f' && before[k] == nil {
			t.Errorf("record %q appeared in the re-index (the feed is not touched)", k)
		}
	}
}

// A store indexed by the key rules before the any-date keys (its index
// rules record the names version only) is re-indexed at open, so that a
// traveller without a birth date finds the dated alerts it already held.
func TestAStoreIndexedByOlderKeyRulesIsReindexed(t *testing.T) {
	cfg := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := childAlert("01JD00000000000000000000K3", "张小明", "2015-03-09")
	mustUpsert(t, e, a)
	traveller := Traveller{Surname: "ZHANG", Given: "XIAOMING", Sex: "M", Nationality: "CHN"}
	// The older build's index: no any-date keys, rules of one byte.
	err = e.locked().Update(func(txn *badger.Txn) error {
		var kept []key
		for _, k := range mustKeys(t, txn, a.ID) {
			if k.fam != famAnyDate {
				kept = append(kept, k)
			} else if err := txn.Delete(indexKey(k, a.ID)); err != nil {
				return err
			}
		}
		if err := txn.Set(append([]byte{tagAlertKeys}, a.ID...), encodeKeys(kept)); err != nil {
			return err
		}
		return txn.Set(metaNames, currentIndexRules()[:1])
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits := check(t, e, traveller); len(hits) != 0 {
		t.Fatalf("the older index already finds the traveller: %+v", hits)
	}
	e = reopenReindexed(t, cfg, e)
	if hits := check(t, e, traveller); len(hits) != 1 || hits[0].AlertID != a.ID {
		t.Fatalf("after the re-index: hits %+v", hits)
	}
}

// reopenReindexed closes e and opens its store again, which re-indexes
// it, and checks that the index now records this build's rules; the
// engine is closed with the test.
func reopenReindexed(t *testing.T, cfg Config, e *Engine) *Engine {
	t.Helper()
	e.Close()
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if v, err := e.indexRules(); err != nil || !bytes.Equal(v, currentIndexRules()) {
		t.Fatalf("index rules %v %v, want %v", v, err, currentIndexRules())
	}
	return e
}

func mustKeys(t *testing.T, txn *badger.Txn, id string) []key {
	item, err := txn.Get(append([]byte{tagAlertKeys}, id...))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := item.ValueCopy(nil)
	keys, err := decodeKeys(v)
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v %v", keys, err)
	}
	return keys
}

func rawRecords(t *testing.T, e *Engine) map[string][]byte {
	out := map[string][]byte{}
	err := e.locked().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().KeyCopy(nil))] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
