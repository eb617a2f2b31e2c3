package watchlist

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// LoadOptions tunes Load.
type LoadOptions struct {
	// TempDir holds the sorted runs of a load too large to sort in memory
	// (default: the system's temporary directory). They are removed when
	// Load returns.
	TempDir string
	// RunBytes is how many bytes of records are sorted in memory at once
	// (default 256 MiB, at most 2 GiB).
	RunBytes int
	// Rejected is told the position in the input (0-based) of each invalid
	// alert and why; the load goes on without it. If nil, the first
	// invalid alert ends the load with its error and nothing is stored.
	Rejected func(n int, err error)
}

// LoadReport says what a load did.
type LoadReport struct {
	Loaded   int           `json:"loaded"`
	Rejected int           `json:"rejected"`
	Runs     int           `json:"sorted_runs"` // runs spilled to TempDir
	Took     time.Duration `json:"took_ns"`
	// The three phases of Took: validating and preparing the alerts (on
	// every CPU), sorting their records (and merging spilled runs), and
	// writing the tables (badger's StreamWriter, one stream per CPU).
	Prepare time.Duration `json:"prepare_ns"`
	Sort    time.Duration `json:"sort_ns"`
	Write   time.Duration `json:"write_ns"`
	// Records and Bytes are what was written: keys and values.
	Records int   `json:"records"`
	Bytes   int64 `json:"bytes"`
}

// defaultRunBytes bounds the memory of a load: records are sorted in runs
// of this many bytes (each record costs 24 bytes more to sort).
const defaultRunBytes = 256 << 20

// Load fills an empty store with alerts, several times faster than Upsert
// (the initial load of a national register, or of a benchmark store). It
// validates and prepares the alerts on every CPU, sorts their records in
// runs (spilled to TempDir when they do not fit in RunBytes), and merges
// the runs into badger's StreamWriter, which writes the tables of the LSM
// tree directly: no write-ahead log, no memtable, no compaction. The bloom
// filters are built at the end.
//
// next yields the alerts, already stamped (StampAlert), and io.EOF after
// the last. The store must hold nothing at all (ErrNotEmpty otherwise),
// and the engine must not answer checks or take writes while Load runs:
// badger's StreamWriter is made for stores that are not in use. If Load
// fails, the store is left empty. Two alerts with the same ID fail the
// load (ErrDuplicate).
func (e *Engine) Load(ctx context.Context, next func() (Alert, error), opt LoadOptions) (LoadReport, error) {
	start := time.Now()
	var rep LoadReport
	if e.closed.Load() {
		return rep, ErrClosed
	}
	if opt.RunBytes <= 0 {
		opt.RunBytes = defaultRunBytes
	}
	opt.RunBytes = min(opt.RunBytes, 2<<30)
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if empty, err := e.isEmpty(); err != nil {
		return rep, err
	} else if !empty {
		return rep, fmt.Errorf("load: %w", ErrNotEmpty)
	}
	e.generation++ // a background rebuild of the empty store is dropped

	runs := &sortedRuns{limit: opt.RunBytes, tempDir: opt.TempDir, parts: max(2, runtime.GOMAXPROCS(0))}
	defer runs.remove()
	var counts indexCounts
	// The bloom filters are built from the keys as they come, not read back
	// from the store (8 bytes per index entry, about 30 per alert).
	var filterKeys [filterClasses][]uint64
	// Shared alerts enter the partners' feed in load order, as Upsert
	// would have entered them.
	var feedSeq uint64
	batch := make([]Alert, 0, 4096)
	pos := 0
	prepareBatch := func() error {
		prepared, fieldErrs, errs := prepareAlerts(batch)
		for i := range batch {
			err := errs[i]
			if len(fieldErrs[i]) > 0 {
				err = &ValidationError{Fields: fieldErrs[i]}
			}
			if err != nil {
				if opt.Rejected == nil {
					return fmt.Errorf("load: alert %d (%s): %w", pos+i, batch[i].ID, err)
				}
				rep.Rejected++
				opt.Rejected(pos+i, err)
				continue
			}
			for _, k := range prepared[i].keys {
				counts.add(k, 1)
				filterKeys[k.filter()] = append(filterKeys[k.filter()], bloomKey(k))
			}
			if err := prepared[i].records(runs.add); err != nil {
				return fmt.Errorf("load: %w", err)
			}
			if p := &prepared[i]; len(p.share) > 0 && !p.foreign {
				feedSeq++
				if err := sharedRecords(p, feedSeq, runs.add); err != nil {
					return fmt.Errorf("load: %w", err)
				}
			}
			rep.Loaded++
		}
		pos += len(batch)
		batch = batch[:0]
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		a, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("load: alert %d: %w", pos+len(batch), err)
		}
		batch = append(batch, a)
		if len(batch) == cap(batch) {
			if err := prepareBatch(); err != nil {
				return rep, err
			}
		}
	}
	if err := prepareBatch(); err != nil {
		return rep, err
	}
	if err := runs.add(metaIndexCount, countsValue(counts)); err != nil {
		return rep, fmt.Errorf("load: %w", err)
	}
	if err := runs.add(metaFormat, []byte{storeFormat}); err != nil {
		return rep, fmt.Errorf("load: %w", err)
	}
	if err := runs.add(metaNames, currentIndexRules()); err != nil {
		return rep, fmt.Errorf("load: %w", err)
	}
	if feedSeq > 0 {
		if err := runs.add(fedKey('n'), binary.BigEndian.AppendUint64(nil, feedSeq)); err != nil {
			return rep, fmt.Errorf("load: %w", err)
		}
	}
	rep.Prepare = time.Since(start)
	parts, err := runs.partitions()
	if err != nil {
		return rep, fmt.Errorf("load: %w", err)
	}
	rep.Sort = time.Since(start) - rep.Prepare
	rep.Runs = len(runs.files)
	rep.Records, rep.Bytes = runs.total, runs.totalBytes
	if err := e.streamSorted(ctx, parts); err != nil {
		// Leave nothing half-loaded behind.
		if dropErr := e.empty(); dropErr != nil {
			err = errors.Join(err, dropErr)
		}
		return rep, fmt.Errorf("load: %w", err)
	}
	rep.Write = time.Since(start) - rep.Prepare - rep.Sort
	e.counts = counts
	e.filters.Store(filtersOf(filterKeys, e.cfg.FalsePositiveRate))
	rep.Took = time.Since(start)
	e.log.Info("alerts loaded", "loaded", rep.Loaded, "rejected", rep.Rejected, "sorted runs", rep.Runs, "took", rep.Took,
		"prepare", rep.Prepare, "sort", rep.Sort, "write", rep.Write, "records", rep.Records, "bytes", rep.Bytes)
	return rep, nil
}

// isEmpty reports whether the store holds no record but its format and
// index-rules markers.
func (e *Engine) isEmpty() (bool, error) {
	empty := true
	err := e.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid() && empty; it.Next() {
			empty = bytes.Equal(it.Item().Key(), metaFormat) || bytes.Equal(it.Item().Key(), metaNames)
		}
		return nil
	})
	return empty, err
}

// recordSource yields records in ascending key order; the slices are
// valid until the next call.
type recordSource func() (k, v []byte, ok bool, err error)

// streamSorted replaces everything in the store with the records of the
// sources: each yields its records in strictly ascending key order, and
// the key ranges of the sources are disjoint, as badger's StreamWriter
// requires of its streams. Each source is one stream, written from its
// own goroutine, so that decoding and table building run on every CPU.
func (e *Engine) streamSorted(ctx context.Context, sources []recordSource) error {
	sw := e.locked().NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		return err
	}
	var failed atomic.Bool
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, next := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := streamOne(ctx, sw, uint32(i+1), next, &failed); err != nil {
				errs[i] = err
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		sw.Cancel()
		return errors.Join(errs...)
	}
	return sw.Flush()
}

// streamOne writes one source as stream id, in pieces of streamPiece
// bytes; it stops early when another stream failed.
func streamOne(ctx context.Context, sw *badger.StreamWriter, id uint32, next recordSource, failed *atomic.Bool) error {
	buf := z.NewBuffer(streamPiece+streamPiece/8, "watchlist.Load")
	defer buf.Release()
	var prev []byte
	var kv pb.KV
	for n := 0; ; n++ {
		if n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if failed.Load() {
				return nil
			}
		}
		k, v, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if c := bytes.Compare(k, prev); prev != nil && c <= 0 {
			if c == 0 {
				return fmt.Errorf("%w: %s", ErrDuplicate, describeRecord(k))
			}
			return fmt.Errorf("records out of order at %q", k)
		}
		prev = append(prev[:0], k...)
		kv = pb.KV{Key: k, Value: v, Version: 1, StreamId: id}
		badger.KVToBuffer(&kv, buf)
		if buf.LenNoPadding() >= streamPiece {
			if err := sw.Write(buf); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	badger.KVToBuffer(&pb.KV{StreamId: id, StreamDone: true}, buf)
	return sw.Write(buf)
}

// streamPiece is how many bytes of records a stream hands badger at once.
const streamPiece = 16 << 20

// describeRecord names the alert a record belongs to.
func describeRecord(k []byte) string {
	switch {
	case len(k) > 10 && k[0] == tagIndex:
		return fmt.Sprintf("alert %q appears more than once", k[10:])
	case len(k) > 1 && (k[0] == tagAlert || k[0] == tagAlertKeys):
		return fmt.Sprintf("alert %q appears more than once", k[1:])
	}
	return fmt.Sprintf("record %q appears more than once", k)
}

// sortedRuns collects records in memory up to limit bytes, sorts them and
// spills them to a file as a sorted run when full. partitions then cuts
// the records into parts ranges of keys, each merged from every run.
// Records are kept in fixed-size blocks, so that collecting them never
// copies what was collected.
type sortedRuns struct {
	limit   int
	tempDir string
	parts   int
	blocks  [][]byte // blocks[:used] hold records; the rest are kept for reuse
	used    int
	size    int // bytes of records
	// total and totalBytes count every record added, spilled or not.
	total      int
	totalBytes int64
	recs       []runRecord
	dir        string     // created with the first spill
	splits     [][]byte   // parts-1 keys that cut the key space, from the first run
	files      []*os.File // the runs
	cuts       [][]int64  // for each run, the offsets where each part starts, and its size
}

// runBlock is the size of a block of records (a larger record gets a block
// of its own).
const runBlock = 1 << 20

// runRecord is a record in a block; p0 and p1 are the first 16 bytes of
// its key, big-endian, so that most comparisons are integer comparisons
// (an index key's 16 bytes hold its family, hash and the start of the
// alert ID; an alert key's, the time part of a ULID and more).
type runRecord struct {
	p0, p1     uint64
	block, off uint32
	klen, vlen uint32
}

func keyPrefix(k []byte) (uint64, uint64) {
	var b [16]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func (r *sortedRuns) key(x runRecord) []byte {
	return r.blocks[x.block][x.off : x.off+x.klen]
}

func (r *sortedRuns) value(x runRecord) []byte {
	return r.blocks[x.block][x.off+x.klen : x.off+x.klen+x.vlen]
}

func (r *sortedRuns) add(k, v []byte) error {
	n := len(k) + len(v)
	if r.size+n > r.limit && len(r.recs) > 0 {
		if err := r.spill(); err != nil {
			return err
		}
	}
	if r.used == 0 || len(r.blocks[r.used-1])+n > cap(r.blocks[r.used-1]) {
		switch {
		case r.used < len(r.blocks) && cap(r.blocks[r.used]) >= n:
			r.blocks[r.used] = r.blocks[r.used][:0]
		case r.used < len(r.blocks):
			r.blocks[r.used] = make([]byte, 0, max(runBlock, n))
		default:
			r.blocks = append(r.blocks, make([]byte, 0, max(runBlock, n)))
		}
		r.used++
	}
	last := r.used - 1
	b := r.blocks[last]
	if len(r.recs) == cap(r.recs) {
		// Doubled by hand: append grows large slices by a quarter, which
		// copies the records many more times.
		r.recs = slices.Grow(r.recs, max(1<<16, len(r.recs)))
	}
	p0, p1 := keyPrefix(k)
	r.recs = append(r.recs, runRecord{p0: p0, p1: p1, block: uint32(last), off: uint32(len(b)), klen: uint32(len(k)), vlen: uint32(len(v))})
	r.blocks[last] = append(append(b, k...), v...)
	r.size += n
	r.total++
	r.totalBytes += int64(n)
	return nil
}

func (r *sortedRuns) compare(a, b runRecord) int {
	if c := cmp.Compare(a.p0, b.p0); c != 0 {
		return c
	}
	if c := cmp.Compare(a.p1, b.p1); c != 0 {
		return c
	}
	return bytes.Compare(r.key(a), r.key(b))
}

// sort sorts the records, halves on two CPUs when there are many.
func (r *sortedRuns) sort() {
	if len(r.recs) < 1<<16 || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(r.recs, r.compare)
		return
	}
	a, b := r.recs[:len(r.recs)/2], r.recs[len(r.recs)/2:]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(a, r.compare)
	}()
	slices.SortFunc(b, r.compare)
	wg.Wait()
	out := make([]runRecord, 0, len(r.recs))
	for len(a) > 0 && len(b) > 0 {
		if r.compare(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	r.recs = append(append(out, a...), b...)
}

// bounds returns the indexes in the sorted records where each part
// starts, and len(recs): records equal to a split key go to the part it
// starts, so equal keys (duplicates) always meet in one part.
func (r *sortedRuns) bounds() []int {
	b := make([]int, 0, len(r.splits)+2)
	b = append(b, 0)
	for _, s := range r.splits {
		b = append(b, sort.Search(len(r.recs), func(i int) bool { return bytes.Compare(r.key(r.recs[i]), s) >= 0 }))
	}
	return append(b, len(r.recs))
}

// chooseSplits takes the split keys from the sorted records at even
// intervals (the first run is a fair sample of the key space).
func (r *sortedRuns) chooseSplits() {
	for i := 1; i < r.parts && len(r.recs) > 0; i++ {
		s := slices.Clone(r.key(r.recs[len(r.recs)*i/r.parts]))
		if len(r.splits) == 0 || bytes.Compare(s, r.splits[len(r.splits)-1]) > 0 {
			r.splits = append(r.splits, s)
		}
	}
}

// spill writes the records, sorted, to a new run file and empties memory.
func (r *sortedRuns) spill() error {
	if r.dir == "" {
		dir, err := os.MkdirTemp(r.tempDir, "crossguard-load-")
		if err != nil {
			return fmt.Errorf("sorted runs: %w", err)
		}
		r.dir = dir
	}
	r.sort()
	if len(r.files) == 0 {
		r.chooseSplits()
	}
	f, err := os.Create(filepath.Join(r.dir, fmt.Sprintf("run-%04d", len(r.files))))
	if err != nil {
		return fmt.Errorf("sorted runs: %w", err)
	}
	r.files = append(r.files, f)
	bounds := r.bounds()
	cuts := make([]int64, 0, len(bounds))
	var off int64
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [2 * binary.MaxVarintLen32]byte
	for i, x := range r.recs {
		for len(cuts) < len(bounds) && bounds[len(cuts)] == i {
			cuts = append(cuts, off)
		}
		n := binary.PutUvarint(hdr[:], uint64(x.klen))
		n += binary.PutUvarint(hdr[n:], uint64(x.vlen))
		w.Write(hdr[:n]) // errors stick in w until Flush
		w.Write(r.key(x))
		w.Write(r.value(x))
		off += int64(n) + int64(x.klen) + int64(x.vlen)
	}
	for len(cuts) < len(bounds) {
		cuts = append(cuts, off)
	}
	r.cuts = append(r.cuts, cuts)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("sorted runs: %w", err)
	}
	r.used, r.recs, r.size = 0, r.recs[:0], 0 // the blocks are reused
	return nil
}

// partitions returns one source per part of the key space: from memory
// if the records never spilled, else each merged from its section of
// every run file.
func (r *sortedRuns) partitions() ([]recordSource, error) {
	if len(r.files) == 0 {
		r.sort()
		r.chooseSplits()
		b := r.bounds()
		out := make([]recordSource, len(b)-1)
		for p := range out {
			i, end := b[p], b[p+1]
			out[p] = func() ([]byte, []byte, bool, error) {
				if i == end {
					return nil, nil, false, nil
				}
				x := r.recs[i]
				i++
				return r.key(x), r.value(x), true, nil
			}
		}
		return out, nil
	}
	if len(r.recs) > 0 {
		if err := r.spill(); err != nil {
			return nil, err
		}
	}
	r.blocks, r.recs, r.used = nil, nil, 0
	out := make([]recordSource, len(r.splits)+1)
	for p := range out {
		h := make(runHeap, 0, len(r.files))
		for i, f := range r.files {
			from, to := r.cuts[i][p], r.cuts[i][p+1]
			rr := &runReader{name: f.Name(), r: bufio.NewReaderSize(io.NewSectionReader(f, from, to-from), 256<<10)}
			if ok, err := rr.next(); err != nil {
				return nil, err
			} else if ok {
				h = append(h, rr)
			}
		}
		heap.Init(&h)
		out[p] = h.merge()
	}
	return out, nil
}

// remove closes and deletes the run files.
func (r *sortedRuns) remove() {
	for _, f := range r.files {
		f.Close()
	}
	if r.dir != "" {
		os.RemoveAll(r.dir)
	}
}

// runReader reads one section of a run file record by record.
type runReader struct {
	name string
	r    *bufio.Reader
	k, v []byte
}

func (rr *runReader) next() (bool, error) {
	klen, err := binary.ReadUvarint(rr.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sorted run %s: %w", rr.name, err)
	}
	vlen, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return false, fmt.Errorf("sorted run %s: %w", rr.name, err)
	}
	rr.k = slices.Grow(rr.k[:0], int(klen))[:klen]
	rr.v = slices.Grow(rr.v[:0], int(vlen))[:vlen]
	if _, err := io.ReadFull(rr.r, rr.k); err != nil {
		return false, fmt.Errorf("sorted run %s: %w", rr.name, err)
	}
	if _, err := io.ReadFull(rr.r, rr.v); err != nil {
		return false, fmt.Errorf("sorted run %s: %w", rr.name, err)
	}
	return true, nil
}

// runHeap orders run readers by their current record's key.
type runHeap []*runReader

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return bytes.Compare(h[i].k, h[j].k) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// merge yields the records of every reader in key order.
func (h *runHeap) merge() recordSource {
	var last *runReader
	return func() ([]byte, []byte, bool, error) {
		if last != nil {
			// The record handed out last time is used: advance its run.
			ok, err := last.next()
			if err != nil {
				return nil, nil, false, err
			}
			if ok {
				heap.Fix(h, 0)
			} else {
				heap.Pop(h)
			}
			last = nil
		}
		if len(*h) == 0 {
			return nil, nil, false, nil
		}
		last = (*h)[0]
		return last.k, last.v, true, nil
	}
}
