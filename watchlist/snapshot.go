package watchlist

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"

	badger "github.com/dgraph-io/badger/v4"
)

// A snapshot is the whole store as one read transaction saw it, streamed
// as records:
//
//	magic "CGSNAP1\n"
//	repeated: uvarint len(key) > 0, key, uvarint len(value), value, uvarint expiresAt
//	uvarint 0, uint64 record count, uint32 CRC-32C of everything before it
//
// Everything in the store is state (alerts, index, match records, counts,
// history, the applied index); the bloom filters are not in it: they are
// rebuilt after a restore.
const snapshotMagic = "CGSNAP1\n"

// maxSnapshotField bounds a key or value read from a snapshot, so that a
// corrupt stream cannot make Restore allocate without limit.
const maxSnapshotField = 64 << 20

// ErrBadSnapshot means a snapshot stream is corrupt or not a snapshot.
var ErrBadSnapshot = errors.New("bad snapshot")

// Snapshot is a consistent view of the store, to be written while writes
// go on. Release it when done.
type Snapshot struct {
	txn   *badger.Txn
	store *store
}

// Snapshot opens a read transaction: the snapshot holds exactly the writes
// committed before the call.
func (e *Engine) Snapshot() (*Snapshot, error) {
	s, err := e.acquire()
	if err != nil {
		return nil, err
	}
	return &Snapshot{txn: s.db.NewTransaction(false), store: s}, nil
}

// Release discards the snapshot's transaction.
func (s *Snapshot) Release() {
	s.txn.Discard()
	s.store.release()
}

// WriteTo streams the snapshot to w.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	cw := &countingWriter{w: io.MultiWriter(w, crc)}
	bw := bufio.NewWriterSize(cw, 256<<10)
	if _, err := bw.WriteString(snapshotMagic); err != nil {
		return cw.n, err
	}
	it := s.txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	var count uint64
	var buf [binary.MaxVarintLen64]byte
	putUvarint := func(v uint64) error {
		_, err := bw.Write(buf[:binary.PutUvarint(buf[:], v)])
		return err
	}
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if err := putUvarint(uint64(len(k))); err != nil {
			return cw.n, err
		}
		if _, err := bw.Write(k); err != nil {
			return cw.n, err
		}
		err := item.Value(func(v []byte) error {
			if err := putUvarint(uint64(len(v))); err != nil {
				return err
			}
			_, err := bw.Write(v)
			return err
		})
		if err != nil {
			return cw.n, err
		}
		if err := putUvarint(item.ExpiresAt()); err != nil {
			return cw.n, err
		}
		count++
	}
	if err := putUvarint(0); err != nil {
		return cw.n, err
	}
	if err := binary.Write(bw, binary.BigEndian, count); err != nil {
		return cw.n, err
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	// The checksum covers everything before it; it is written last, and
	// straight to w.
	sum := binary.BigEndian.AppendUint32(nil, crc.Sum32())
	n, err := w.Write(sum)
	return cw.n + int64(n), err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Restore replaces the whole store with a snapshot read from r. The
// snapshot is loaded into a new store beside the current one (see
// storedir.go), checked, re-indexed if its name rules are older, and its
// bloom filters built; only then is it swapped in. Until the swap, checks
// and reads answer from the state before the restore, whole: a post that
// catches up by a snapshot never answers from a half-loaded store. Writes
// wait. A corrupt snapshot, or one of another store format, leaves the
// current store as it was and returns an error matching ErrBadSnapshot.
// The disk holds both stores until the swap.
func (e *Engine) Restore(r io.Reader) error {
	if e.closed.Load() {
		return ErrClosed
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	// A second restore in one run fills the directory of the store the
	// first replaced: wait until its last reader is done and it is gone.
	for _, old := range e.replaced {
		<-old.done
		if old.err != nil {
			return fmt.Errorf("restore: the store replaced earlier: %w", old.err)
		}
	}
	e.replaced = nil
	cur := e.cur.Load()
	dir := stagingDir(e.cfg.Dir, cur.dir)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	next, err := e.stage(dir, r)
	if err != nil {
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
		return err
	}
	// The new store is durable before it is named the live one.
	s := next.cur.Load()
	if err := s.db.Sync(); err != nil {
		return abandon(s, fmt.Errorf("restore: %w", err))
	}
	if err := pointTo(e.cfg.Dir, dir); err != nil {
		return abandon(s, fmt.Errorf("restore: %w", err))
	}
	e.generation++ // a background rebuild of the old store is dropped
	e.counts = next.counts
	e.cur.Store(s)
	e.filters.Store(next.filters.Load())
	e.tokens.invalidate()
	cur.remove.Store(true)
	cur.release()
	e.replaced = append(e.replaced, cur)
	e.log.Info("store restored from a snapshot", "dir", dir, "index entries", e.counts.total())
	return nil
}

// stage loads a snapshot into a new store in dir and prepares it as Open
// would (format, counts, bloom filters, re-index), in an engine of its
// own that no reader sees. On error the store is closed; the caller
// removes dir.
func (e *Engine) stage(dir string, r io.Reader) (*Engine, error) {
	s, err := openStore(e.cfg, dir)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	next := &Engine{cfg: e.cfg, log: e.log}
	next.cfg.Dir = dir
	next.cur.Store(s)
	err = next.prepareRestored(r)
	// A re-index may have started a background rebuild of the staged
	// filters: let it finish before they are taken.
	next.background.Wait()
	if err != nil {
		next.closed.Store(true)
		s.release()
		<-s.done
		return nil, err
	}
	return next, nil
}

func (e *Engine) prepareRestored(r io.Reader) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if err := e.load(r); err != nil {
		return err
	}
	// A snapshot of a store of another format is refused whole.
	if err := e.checkFormat(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSnapshot, err)
	}
	if err := e.locked().View(func(txn *badger.Txn) (err error) {
		e.counts, err = readCounts(txn)
		return err
	}); err != nil {
		return err
	}
	if err := e.rebuildLocked(); err != nil {
		return err
	}
	return e.reindexLocked()
}

// abandon closes a staged store that is not to be swapped in, and
// removes it.
func abandon(s *store, err error) error {
	s.remove.Store(true)
	s.release()
	<-s.done
	return errors.Join(err, s.err)
}

func (e *Engine) load(r io.Reader) error {
	wb := e.locked().NewWriteBatch()
	defer wb.Cancel()
	_, err := readSnapshot(r, func(k, v []byte, exp uint64) error {
		ent := badger.NewEntry(k, v)
		ent.ExpiresAt = exp
		if err := wb.SetEntry(ent); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// SnapshotInfo describes a snapshot stream that was read to its end and
// found whole.
type SnapshotInfo struct {
	Records      uint64 `json:"records"`
	Alerts       uint64 `json:"alerts"`
	Crossings    uint64 `json:"crossings"`
	AppliedIndex uint64 `json:"applied_index"`
	Bytes        int64  `json:"bytes"`
}

// VerifySnapshot reads a snapshot stream to its end without storing it:
// it checks the format, the record count and the checksum, and reports
// what the snapshot holds. A backup is verified before it is kept or
// restored.
func VerifySnapshot(r io.Reader) (SnapshotInfo, error) {
	var info SnapshotInfo
	n, err := readSnapshot(r, func(k, v []byte, _ uint64) error {
		info.Records++
		switch {
		case len(k) > 0 && k[0] == tagAlert:
			info.Alerts++
		case len(k) > 0 && k[0] == tagCrossing:
			info.Crossings++
		case bytes.Equal(k, appliedIndexKey) && len(v) == 8:
			info.AppliedIndex = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	info.Bytes = n
	return info, err
}

// readSnapshot parses a snapshot stream, hands each record to fn (the
// slices are fresh for each record) and checks the trailer and checksum.
// It returns the bytes read.
func readSnapshot(r io.Reader, fn func(k, v []byte, expiresAt uint64) error) (int64, error) {
	br := &summingReader{r: bufio.NewReaderSize(r, 256<<10), crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadSnapshot, fmt.Sprintf(format, args...))
	}
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != snapshotMagic {
		return br.n, bad("no snapshot header")
	}
	var count uint64
	for {
		klen, err := binary.ReadUvarint(br)
		if err != nil {
			return br.n, bad("record %d: key length: %v", count, err)
		}
		if klen == 0 {
			break
		}
		if klen > maxSnapshotField {
			return br.n, bad("record %d: key of %d bytes", count, klen)
		}
		k := make([]byte, klen)
		if _, err := io.ReadFull(br, k); err != nil {
			return br.n, bad("record %d: key: %v", count, err)
		}
		vlen, err := binary.ReadUvarint(br)
		if err != nil || vlen > maxSnapshotField {
			return br.n, bad("record %d: value length", count)
		}
		v := make([]byte, vlen)
		if _, err := io.ReadFull(br, v); err != nil {
			return br.n, bad("record %d: value: %v", count, err)
		}
		exp, err := binary.ReadUvarint(br)
		if err != nil {
			return br.n, bad("record %d: expiry: %v", count, err)
		}
		if err := fn(k, v, exp); err != nil {
			return br.n, err
		}
		count++
	}
	var want uint64
	if err := binary.Read(br, binary.BigEndian, &want); err != nil {
		return br.n, bad("record count: %v", err)
	}
	if want != count {
		return br.n, bad("%d records, trailer says %d", count, want)
	}
	sum := br.crc.Sum32()
	var tail [4]byte
	n, err := io.ReadFull(br.r, tail[:])
	br.n += int64(n)
	if err != nil {
		return br.n, bad("checksum: %v", err)
	}
	if binary.BigEndian.Uint32(tail[:]) != sum {
		return br.n, bad("checksum mismatch")
	}
	// Anything after the checksum is not a snapshot this build wrote.
	if _, err := br.r.ReadByte(); err != io.EOF {
		return br.n, bad("data after the checksum")
	}
	return br.n, nil
}

// appliedIndexKey holds the last raft index applied to the store (written
// by the cluster's state machine, and part of every snapshot).
var appliedIndexKey = []byte{tagMeta, 'i'}

// SetAppliedIndex records the index of the last replicated command applied
// to the store.
func (e *Engine) SetAppliedIndex(i uint64) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.update(func(txn *badger.Txn) error {
		return txn.Set(appliedIndexKey, binary.BigEndian.AppendUint64(nil, i))
	})
}

// AppliedIndex is the index SetAppliedIndex last recorded, 0 if none.
func (e *Engine) AppliedIndex() (uint64, error) {
	v, found, err := e.readMeta(appliedIndexKey)
	switch {
	case err != nil || !found:
		return 0, err
	case len(v) != 8:
		return 0, fmt.Errorf("applied index record of %d bytes", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// summingReader checksums exactly the bytes read through it.
type summingReader struct {
	r   *bufio.Reader
	crc hash.Hash32
	n   int64
	one [1]byte
}

func (s *summingReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.crc.Write(p[:n])
	s.n += int64(n)
	return n, err
}

func (s *summingReader) ReadByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == nil {
		s.one[0] = b
		s.crc.Write(s.one[:])
		s.n++
	}
	return b, err
}

// HoldsData reports whether the store holds any alert or crossing record
// (a store that does not can be seeded from a backup without losing
// anything).
func (e *Engine) HoldsData() (bool, error) {
	if e.closed.Load() {
		return false, ErrClosed
	}
	found := false
	err := e.view(func(txn *badger.Txn) error {
		for _, tag := range []byte{tagAlert, tagCrossing} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{tag}})
			it.Rewind()
			found = found || it.Valid()
			it.Close()
		}
		return nil
	})
	return found, err
}

// StateDigest reads a snapshot stream and returns a SHA-256 over every
// record but the audit log and the applied index: two nodes that applied
// the same changes have the same digest even while audit entries (which
// reading a snapshot itself creates) are still arriving.
// SnapshotContents reads a snapshot stream (a backup) and answers the IDs
// of its crossing records and its alerts as stored: what the testbench's
// fault checker compares with what a cluster acknowledged, one backup per
// node rather than one request per record.
func SnapshotContents(r io.Reader) (crossings map[string]struct{}, alerts map[string]Alert, err error) {
	crossings, alerts = map[string]struct{}{}, map[string]Alert{}
	_, err = readSnapshot(r, func(k, v []byte, _ uint64) error {
		switch {
		case len(k) > 1 && k[0] == tagCrossing:
			crossings[string(k[1:])] = struct{}{}
		case len(k) > 1 && k[0] == tagAlert:
			var a Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("alert %s in the snapshot: %w", k[1:], err)
			}
			alerts[a.ID] = a
		}
		return nil
	})
	return crossings, alerts, err
}

func StateDigest(r io.Reader) (string, SnapshotInfo, error) {
	h := sha256.New()
	var info SnapshotInfo
	var lb [binary.MaxVarintLen64]byte
	n, err := readSnapshot(r, func(k, v []byte, exp uint64) error {
		info.Records++
		switch {
		case len(k) > 0 && (k[0] == tagAudit || k[0] == tagAuditID):
			return nil
		case bytes.Equal(k, appliedIndexKey) || bytes.Equal(k, auditHeadKey):
			return nil
		case len(k) > 0 && k[0] == tagAlert:
			info.Alerts++
		case len(k) > 0 && k[0] == tagCrossing:
			info.Crossings++
		}
		h.Write(lb[:binary.PutUvarint(lb[:], uint64(len(k)))])
		h.Write(k)
		h.Write(lb[:binary.PutUvarint(lb[:], uint64(len(v)))])
		h.Write(v)
		h.Write(lb[:binary.PutUvarint(lb[:], exp)])
		return nil
	})
	info.Bytes = n
	return hex.EncodeToString(h.Sum(nil)), info, err
}
