package journal

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// BenchmarkAppend measures durable appends of one crossing-sized record
// (600 bytes) from 16 concurrent writers, as inspections make them,
// against two baselines in the same run: the same writers each writing
// and syncing its own record under a lock (one fsync per record, what
// group commit saves), and a badger store with synced writes (the
// outbox's storage before the journal; badger groups the writes that
// arrive while one is in flight, and syncs its memory-mapped log).
//
//	go test -run NONE -bench Append -benchtime 2s -count 3 ./node/journal/
func BenchmarkAppend(b *testing.B) {
	rec := Record{Kind: 1, Data: make([]byte, 600)}
	b.Run("group-commit", func(b *testing.B) {
		j, _, err := Open(b.TempDir(), Options{Kinds: []Kind{1}})
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		b.SetParallelism(8) // 16 writers on 2 cores
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := j.Append(rec); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("badger-synced", func(b *testing.B) {
		db, err := badger.Open(badger.DefaultOptions(b.TempDir()).WithSyncWrites(true).WithLogger(nil).
			WithMemTableSize(8 << 20).WithNumMemtables(2).WithBlockCacheSize(8 << 20).WithIndexCacheSize(0).
			WithValueLogFileSize(64 << 20))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		var n atomic.Uint64
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				key := binary.BigEndian.AppendUint64([]byte{'o'}, n.Add(1))
				if err := db.Update(func(txn *badger.Txn) error { return txn.Set(key, rec.Data) }); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("fsync-each", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "each"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		frame, _, _ := encodeFrame([]Record{rec})
		var mu sync.Mutex
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				_, err := f.Write(frame)
				if err == nil {
					err = f.Sync()
				}
				mu.Unlock()
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
