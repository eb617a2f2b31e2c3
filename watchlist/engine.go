package watchlist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/oklog/ulid/v2"
)

// Engine is the watchlist: alerts in badger, their blocking-key index, the
// bloom prefilter in front of it, matching and the child-protection rules.
// It is safe for concurrent use: checks never take a lock; writes are
// serialised.
type Engine struct {
	cfg     Config
	cur     atomic.Pointer[store] // the store answering now (storedir.go)
	log     *slog.Logger
	filters atomic.Pointer[filterSet]

	writeMu sync.Mutex // serialises writes and the swap of rebuilt filters
	counts  indexCounts
	closed  atomic.Bool

	// A background rebuild builds filters from a snapshot taken under
	// writeMu; the keys written after it (since, removed) go into the new
	// filters' delta when they are swapped in. Guarded by writeMu.
	rebuilding bool
	generation uint64 // bumped by Restore: a rebuild of an older store is dropped
	since      []key
	removed    int
	background sync.WaitGroup

	tokens tokenCache
	// replaced are the stores Restore swapped out, closed when their last
	// reader is done; Close waits for them. Guarded by writeMu.
	replaced []*store
}

// Open opens (or creates) the watchlist in cfg.Dir and builds the bloom
// filters from the stored index.
func Open(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("watchlist config: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = log
	if err := settleDir(cfg.Dir); err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.Dir, err)
	}
	s, err := openStore(cfg, cfg.Dir)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, log: log}
	e.cur.Store(s)
	fail := func(err error) (*Engine, error) {
		s.db.Close()
		return nil, err
	}
	if err := e.checkFormat(); err != nil {
		return fail(err)
	}
	if err := e.locked().View(func(txn *badger.Txn) error {
		var err error
		e.counts, err = readCounts(txn)
		return err
	}); err != nil {
		return fail(err)
	}
	if err := e.Rebuild(); err != nil {
		return fail(err)
	}
	if err := e.reindex(); err != nil {
		return fail(err)
	}
	return e, nil
}

// Close stops a background rebuild, waits for a running write and for
// the reads in flight, and closes the store.
func (e *Engine) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	e.background.Wait()
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	s := e.cur.Load()
	s.release()
	<-s.done
	err := s.err
	for _, r := range e.replaced {
		<-r.done
		err = errors.Join(err, r.err)
	}
	e.replaced = nil
	return err
}

// Rebuild builds the bloom filters anew from the stored index and swaps
// them in, holding the write lock. Open calls it; writes start a
// background rebuild instead (see publish).
func (e *Engine) Rebuild() error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.rebuildLocked()
}

func (e *Engine) rebuildLocked() error {
	start := time.Now()
	txn := e.locked().NewTransaction(false)
	defer txn.Discard()
	f, n, err := e.buildFilters(txn, e.counts)
	if err != nil {
		return err
	}
	if n != e.counts {
		// The stored counts only size the filters, and are written in the
		// same transactions as the index; correct them if they ever drift.
		e.log.Warn("index counts differed from the index; corrected", "stored", e.counts, "counted", n)
		e.counts = n
		if err := e.locked().Update(func(txn *badger.Txn) error { return writeCounts(txn, n) }); err != nil {
			return err
		}
	}
	e.filters.Store(f)
	e.log.Info("bloom filters built", "keys", f.builtKeys, "bytes", f.bytes(), "took", time.Since(start))
	return nil
}

// buildFilters builds a filter set from the index as txn sees it, sized
// from counts; it also counts the entries it saw.
func (e *Engine) buildFilters(txn *badger.Txn, counts indexCounts) (*filterSet, indexCounts, error) {
	f := newFilterSet(counts, e.cfg.FalsePositiveRate)
	var n indexCounts
	err := forEachIndexKey(txn, func(k key) error {
		if n.total()&0xffff == 0 && e.closed.Load() {
			return ErrClosed
		}
		f.add(k)
		n.add(k, 1)
		return nil
	})
	if err != nil {
		return nil, n, fmt.Errorf("build bloom filters: %w", err)
	}
	f.builtKeys = uint(n.total())
	return f, n, nil
}

// startRebuild starts a background rebuild from a snapshot of the store
// as of now. Called with writeMu held, between two writes, so the writes
// after the snapshot are exactly those published while it runs.
func (e *Engine) startRebuild() {
	if e.rebuilding || e.closed.Load() {
		return
	}
	s, err := e.acquire()
	if err != nil {
		return
	}
	e.rebuilding, e.since, e.removed = true, nil, 0
	txn := s.db.NewTransaction(false)
	counts := e.counts
	gen := e.generation
	e.background.Add(1)
	go func() {
		defer e.background.Done()
		defer s.release()
		defer txn.Discard()
		start := time.Now()
		f, _, err := e.buildFilters(txn, counts)
		e.writeMu.Lock()
		defer e.writeMu.Unlock()
		since, removed := e.since, e.removed
		e.rebuilding, e.since, e.removed = false, nil, 0
		if gen != e.generation {
			return // the store was replaced meanwhile
		}
		if err != nil {
			if !errors.Is(err, ErrClosed) {
				// The published filters still answer correctly (a full
				// delta only raises the false-positive rate).
				e.log.Error("bloom rebuild failed", "err", err)
			}
			return
		}
		next, _ := f.withWrites(since, removed)
		e.filters.Store(next)
		e.log.Info("bloom filters rebuilt in the background", "keys", next.builtKeys,
			"written meanwhile", len(since), "took", time.Since(start))
	}()
}

// StampAlert gives a new alert its ID and times, before it is validated and
// written (or, in a cluster, before it enters the log: Apply must not read
// the clock). An alert with an ID keeps it; created_at is kept if set.
func StampAlert(a *Alert, now time.Time) {
	if a.ID == "" {
		a.ID = ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String()
	}
	ts := now.UTC().Format(time.RFC3339Nano)
	if a.CreatedAt == "" {
		a.CreatedAt = ts
	}
	a.UpdatedAt = ts
	if a.Status == "" {
		a.Status = StatusActive
	}
}

// Upsert validates every alert and stores them, replacing earlier versions
// with the same ID. If any alert is invalid nothing is stored and the
// *ValidationError names the fields as alerts[i].field. Alerts must have
// IDs (see StampAlert). Upsert is deterministic: the same alerts on the
// same state give the same state. Each alert is written whole, in one
// transaction; validation, encoding and key computation run in parallel
// before the write lock is taken.
func (e *Engine) Upsert(alerts ...Alert) error {
	prepared, fieldErrs, errs := prepareAlerts(alerts)
	var p problems
	for i, fs := range fieldErrs {
		for _, f := range fs {
			p.add(fmt.Sprintf("alerts[%d].%s", i, f.Field), f.Reason)
		}
	}
	if err := p.err(); err != nil {
		return err
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return e.write(prepared)
}

// prepareAlerts validates, encodes and keys alerts on every CPU. For each
// alert it gives either its prepared form, or its invalid fields, or
// another error.
func prepareAlerts(alerts []Alert) (prepared []preparedAlert, fieldErrs [][]FieldError, errs []error) {
	prepared = make([]preparedAlert, len(alerts))
	fieldErrs = make([][]FieldError, len(alerts))
	errs = make([]error, len(alerts))
	parallel(len(alerts), func(i int) {
		a := &alerts[i]
		if a.Status == "" {
			a.Status = StatusActive
		}
		if a.ID == "" {
			fieldErrs[i] = append(fieldErrs[i], FieldError{Field: "id", Reason: "required (stamp the alert first)"})
		}
		var ve *ValidationError
		readings, err := a.validate()
		if errors.As(err, &ve) {
			fieldErrs[i] = append(fieldErrs[i], ve.Fields...)
		}
		if len(fieldErrs[i]) == 0 {
			prepared[i], errs[i] = prepareAlert(a, readings)
		}
	})
	return prepared, fieldErrs, errs
}

// parallel runs fn(0..n-1) on every CPU.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// CloseAlert closes the alert id at time at: it stays stored, for audit,
// and never hits again. Closing a closed alert is a no-op.
func (e *Engine) CloseAlert(id string, at time.Time) error {
	a, err := e.Get(id)
	if err != nil {
		return err
	}
	if a.Status == StatusClosed {
		return nil
	}
	a.Status = StatusClosed
	a.UpdatedAt = at.UTC().Format(time.RFC3339Nano)
	p, err := prepareAlert(&a, nil)
	if err != nil {
		return err
	}
	return e.write([]preparedAlert{p})
}

// write stores prepared alerts in one transaction, or in chunks when the
// batch is too big for one; each alert is written whole in one
// transaction.
func (e *Engine) write(alerts []preparedAlert) error {
	if e.closed.Load() {
		return ErrClosed
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.writeLocked(alerts, true)
}

// writeLocked writes alerts, in chunks if one transaction cannot hold
// them; feed says whether shared alerts go to the partners' feed (not
// when only derived records are rewritten). Called with writeMu held.
func (e *Engine) writeLocked(alerts []preparedAlert, feed bool) error {
	err := e.writeChunk(alerts, nil, feed)
	if !errors.Is(err, badger.ErrTxnTooBig) {
		return err
	}
	// Nothing of that transaction was committed: write in chunks.
	const chunk = 500
	for start := 0; start < len(alerts); start += chunk {
		if err := e.writeChunk(alerts[start:min(start+chunk, len(alerts))], nil, feed); err != nil {
			return err
		}
	}
	return nil
}

// writeAlso writes a few prepared alerts and also runs fn, all in one
// transaction: a change to alerts and the records that go with it (a
// message queued, a decision) are stored together or not at all.
func (e *Engine) writeAlso(alerts []preparedAlert, fn func(txn *badger.Txn) error) error {
	if e.closed.Load() {
		return ErrClosed
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.writeChunk(alerts, fn, true)
}

// writeChunk writes alerts, and runs also (when set), in one transaction.
func (e *Engine) writeChunk(alerts []preparedAlert, also func(txn *badger.Txn) error, feed bool) error {
	counts := e.counts
	var res writeResult
	err := e.locked().Update(func(txn *badger.Txn) error {
		var seqs feedSeq
		for i := range alerts {
			if err := putAlert(txn, &alerts[i], &counts, &res); err != nil {
				return err
			}
			if !feed {
				continue
			}
			if err := recordShared(txn, &alerts[i], &seqs); err != nil {
				return err
			}
		}
		if err := seqs.flush(txn); err != nil {
			return err
		}
		if also != nil {
			if err := also(txn); err != nil {
				return err
			}
		}
		return writeCounts(txn, counts)
	})
	if err != nil {
		return err
	}
	e.counts = counts
	e.publish(res)
	return nil
}

// publish makes a committed write visible to the prefilter (writeMu is
// held), and starts a background rebuild when the keys written since the
// filters were built outnumber those built in, or too much of the filters
// is stale. While one runs, the writes are also kept for the filters it
// will swap in.
func (e *Engine) publish(res writeResult) {
	cur := e.filters.Load()
	next, grown := cur.withWrites(res.added, res.removed)
	e.filters.Store(next)
	if e.rebuilding {
		e.since = append(e.since, res.added...)
		e.removed += res.removed
		return
	}
	staleLimit := uint(e.cfg.RebuildStaleFraction * float64(max(next.builtKeys, deltaCap)))
	if grown || next.stale > staleLimit {
		e.startRebuild()
	}
}

// Get returns the alert with the given ID.
func (e *Engine) Get(id string) (Alert, error) {
	var a Alert
	err := e.view(func(txn *badger.Txn) error {
		var found bool
		var err error
		a, found, err = getAlert(txn, id)
		if err == nil && !found {
			err = fmt.Errorf("alert %q: %w", id, ErrNotFound)
		}
		return err
	})
	return a, err
}

// ForEachAlert calls fn with every stored alert, in ID order, until fn
// returns an error or ctx ends.
func (e *Engine) ForEachAlert(ctx context.Context, fn func(Alert) error) error {
	return e.view(func(txn *badger.Txn) error {
		prefix := []byte{tagAlert}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := string(it.Item().Key()[1:])
			a, _, err := getAlert(txn, id)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
}

// Stats describes the engine's state.
type Stats struct {
	IndexKeys     int64 `json:"index_keys"`
	CoarseKeys    int64 `json:"coarse_keys"`
	AnyDateKeys   int64 `json:"any_date_keys"`
	BloomBytes    uint  `json:"bloom_bytes"`
	BloomDelta    uint  `json:"bloom_delta_keys"`
	BloomStale    uint  `json:"bloom_stale_keys"`
	BloomBuiltFor uint  `json:"bloom_built_keys"`
}

// Stats reports index and prefilter sizes.
func (e *Engine) Stats() Stats {
	f := e.filters.Load()
	e.writeMu.Lock()
	c := e.counts
	e.writeMu.Unlock()
	return Stats{IndexKeys: c.total(), CoarseKeys: c[filterCoarse], AnyDateKeys: c[filterAnyDate], BloomBytes: f.bytes(),
		BloomDelta: f.unbuilt(), BloomStale: f.stale, BloomBuiltFor: f.builtKeys}
}

// badgerLogger sends badger's messages to slog.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.log.Error(fmt.Sprintf(f, a...), "component", "badger")
}
func (l badgerLogger) Warningf(f string, a ...any) {
	l.log.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (l badgerLogger) Infof(f string, a ...any) {
	l.log.Debug(fmt.Sprintf(f, a...), "component", "badger")
}
func (l badgerLogger) Debugf(f string, a ...any) {
	l.log.Debug(fmt.Sprintf(f, a...), "component", "badger")
}
