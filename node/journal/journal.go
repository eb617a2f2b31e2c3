// Package journal is a durable queue on local disk: an append-only log of
// checksummed frames in numbered segment files, with group commit. It is
// the storage of a node's outbox (crossing records and audit entries that
// an inspection must not lose before the cluster has them).
//
//   - Append writes records as one frame and returns once the frame is on
//     disk (fsync). Appends that arrive while a sync is in flight are
//     written together and share the next sync: the cost of durability is
//     one fsync per group, not per record.
//   - Records carry a kind. Each kind has a cursor: Read returns records
//     of a kind from its cursor, Ack moves the cursor past records that
//     are done with. A segment is deleted once every kind's cursor has
//     passed all of that kind's records in it.
//   - Cursors are saved without a sync, at most once a second and at
//     Close: after a crash a reader may see records again that it had
//     acknowledged. The outbox's records are
//     idempotent in the cluster (a crossing ID, an audit entry ID is
//     recorded once), so this costs a resend, never a loss.
//   - Open recovers: a frame torn by a crash at the end of the newest
//     segment (its length or checksum wrong) is cut off; it was never
//     acknowledged to its writer. A bad frame anywhere else is corruption:
//     the segment is read up to it and the damage is reported in Recovery.
//     (A bad frame in the middle of the newest segment cannot be told from
//     a torn write: the frames after it are cut off with it, and counted
//     in Recovery.TornBytes.)
//
// The journal is written for one process: nothing locks the directory
// against a second one (the node's raft and badger stores already do).
package journal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrClosed is returned by the methods of a closed journal.
var ErrClosed = errors.New("journal closed")

// ErrTooLarge is returned by Append for a frame beyond MaxFrame.
var ErrTooLarge = errors.New("journal frame too large")

// Kind tells records apart; each kind has its own cursor.
type Kind byte

// Record is one entry of the journal.
type Record struct {
	Kind Kind
	Data []byte
}

// Pos is a place in the journal: in segment Segment, the frame at Offset,
// after its first Skip records. Positions order as the records were
// appended.
type Pos struct {
	Segment uint64
	Offset  int64
	Skip    int
}

// Less reports whether p comes before q.
func (p Pos) Less(q Pos) bool {
	if p.Segment != q.Segment {
		return p.Segment < q.Segment
	}
	if p.Offset != q.Offset {
		return p.Offset < q.Offset
	}
	return p.Skip < q.Skip
}

// Entry is a record read back, with the position just after it (what to
// Ack once it is done with).
type Entry struct {
	Record
	Next Pos
}

const (
	segmentMagic = "CGJRNL1\n"
	headerSize   = len(segmentMagic)
	frameHeader  = 8 // body length, CRC-32C of the body
	// MaxFrame bounds one frame (one Append): a length beyond it in a
	// segment is damage, not data.
	MaxFrame       = 16 << 20
	recordHeader   = 5 // kind, data length
	cursorFile     = "cursors"
	segmentSuffix  = ".seg"
	defaultSegment = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options configure a journal.
type Options struct {
	// Kinds are the kinds whose cursors decide when a segment may go. A
	// journal with no kinds keeps every segment (a record of what
	// happened, read from the start).
	Kinds []Kind
	// SegmentSize is the size at which a new segment is started (default
	// 64 MiB).
	SegmentSize int64
	// SaveCursorsEvery spaces the saving of the cursors (default one
	// second; Close saves them too). A crash makes a reader see again at
	// most this long's acknowledged records.
	SaveCursorsEvery time.Duration
}

// Recovery says what Open found.
type Recovery struct {
	Segments int
	// TornBytes were cut off the end of the newest segment: a frame
	// being written when the process stopped.
	TornBytes int64
	// Damaged lists segments with a bad frame before their end; records
	// after it are not read.
	Damaged []string
}

// segment is one file of the journal.
type segment struct {
	num  uint64
	size int64        // readable bytes (frames after a bad one are not)
	last map[Kind]Pos // per kind: the position after its last record here
}

// Journal is an open journal. Its methods are safe for concurrent use.
type Journal struct {
	dir  string
	opts Options

	saveMu   sync.Mutex // serialises saving the cursors and removing segments (taken before mu)
	mu       sync.Mutex
	segments []*segment // oldest first; the last is the one written to
	cursors  map[Kind]Pos
	saved    time.Time // when the cursors were last saved
	dirty    bool      // the cursors moved since
	pending  []byte    // frames appended and not yet written
	kinds    [][]Kind  // the kinds of each pending frame's records
	batch    *commit   // the commit the pending frames belong to
	closed   bool

	file *os.File // the newest segment, written by the committer only
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// commit is one group of frames written and synced together.
type commit struct {
	done chan struct{}
	err  error
}

// Open opens or creates the journal in dir and starts its committer.
func Open(dir string, opts Options) (*Journal, Recovery, error) {
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = defaultSegment
	}
	if opts.SaveCursorsEvery <= 0 {
		opts.SaveCursorsEvery = time.Second
	}
	var rec Recovery
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, rec, fmt.Errorf("journal: %w", err)
	}
	nums, err := listSegments(dir)
	if err != nil {
		return nil, rec, err
	}
	j := &Journal{dir: dir, opts: opts, cursors: map[Kind]Pos{}, batch: newCommit(),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for i, n := range nums {
		s, torn, damaged, err := j.recover(n, i == len(nums)-1)
		if err != nil {
			return nil, rec, err
		}
		rec.TornBytes += torn
		if damaged {
			rec.Damaged = append(rec.Damaged, j.path(n))
		}
		j.segments = append(j.segments, s)
	}
	rec.Segments = len(nums)
	j.loadCursors()
	// Appends go to a new segment: never after a tail that a crash may
	// have left half-written.
	next := uint64(1)
	if len(nums) > 0 {
		next = nums[len(nums)-1] + 1
	}
	if err := j.startSegment(next); err != nil {
		return nil, rec, err
	}
	j.mu.Lock()
	doomed := j.collect()
	j.mu.Unlock()
	if err := removeAll(doomed); err != nil {
		j.file.Close()
		return nil, rec, err
	}
	go j.commitLoop()
	return j, rec, nil
}

func newCommit() *commit { return &commit{done: make(chan struct{})} }

func (j *Journal) path(n uint64) string { return segmentPath(j.dir, n) }

// segmentPath is the file of segment n in dir.
func segmentPath(dir string, n uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%016x%s", n, segmentSuffix))
}

func listSegments(dir string) ([]uint64, error) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var nums []uint64
	for _, e := range names {
		name, ok := strings.CutSuffix(e.Name(), segmentSuffix)
		if !ok || e.IsDir() {
			continue
		}
		n, err := strconv.ParseUint(name, 16, 64)
		if err != nil {
			continue
		}
		nums = append(nums, n)
	}
	slices.Sort(nums)
	return nums, nil
}

// recover reads a segment's frames to find where its readable part ends
// and where each kind's records end; the newest segment's torn tail is
// cut off.
func (j *Journal) recover(n uint64, newest bool) (s *segment, torn int64, damaged bool, err error) {
	s = &segment{num: n, last: map[Kind]Pos{}}
	f, err := os.OpenFile(j.path(n), os.O_RDWR, 0)
	if err != nil {
		return nil, 0, false, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, false, fmt.Errorf("journal: %w", err)
	}
	end, err := scan(f, int64(headerSize), info.Size(), func(off int64, recs []Record) bool {
		for i, r := range recs {
			s.last[r.Kind] = Pos{Segment: n, Offset: off, Skip: i + 1}
		}
		return true
	})
	if err != nil {
		return nil, 0, false, err
	}
	s.size = end
	if end < info.Size() {
		if !newest {
			return s, 0, true, nil
		}
		if err := f.Truncate(end); err != nil {
			return nil, 0, false, fmt.Errorf("journal: cut the torn end of %s: %w", j.path(n), err)
		}
		if err := f.Sync(); err != nil {
			return nil, 0, false, fmt.Errorf("journal: %w", err)
		}
		torn = info.Size() - end
	}
	return s, torn, false, nil
}

// scan reads the frames of a segment file from off to limit and calls fn
// with each frame's offset and records until fn returns false; it returns
// the offset just after the last good frame read. A file without the
// journal's header has no good frame.
func scan(f *os.File, off, limit int64, fn func(off int64, recs []Record) bool) (int64, error) {
	var magic [headerSize]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil || string(magic[:]) != segmentMagic {
		return 0, nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, limit-off), 256<<10)
	var head [frameHeader]byte
	for off < limit {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return off, nil
		}
		size := int64(binary.LittleEndian.Uint32(head[:4]))
		if size > MaxFrame || off+frameHeader+size > limit {
			return off, nil
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return off, nil
		}
		if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(head[4:]) {
			return off, nil
		}
		recs, ok := decodeFrame(body)
		if !ok {
			return off, nil
		}
		if !fn(off, recs) {
			return off, nil
		}
		off += frameHeader + size
	}
	return off, nil
}

func encodeFrame(recs []Record) ([]byte, []Kind, error) {
	size := 0
	for _, r := range recs {
		size += recordHeader + len(r.Data)
	}
	if size > MaxFrame {
		return nil, nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, size, MaxFrame)
	}
	buf := make([]byte, frameHeader, frameHeader+size)
	kinds := make([]Kind, len(recs))
	for i, r := range recs {
		buf = append(buf, byte(r.Kind))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r.Data)))
		buf = append(buf, r.Data...)
		kinds[i] = r.Kind
	}
	binary.LittleEndian.PutUint32(buf[:4], uint32(size))
	binary.LittleEndian.PutUint32(buf[4:8], crc32.Checksum(buf[frameHeader:], castagnoli))
	return buf, kinds, nil
}

// decodeFrame splits a frame's body into records; the data slices share
// the body.
func decodeFrame(body []byte) ([]Record, bool) {
	var recs []Record
	for len(body) > 0 {
		if len(body) < recordHeader {
			return nil, false
		}
		k, n := Kind(body[0]), int(binary.LittleEndian.Uint32(body[1:recordHeader]))
		body = body[recordHeader:]
		if n > len(body) {
			return nil, false
		}
		recs = append(recs, Record{Kind: k, Data: body[:n:n]})
		body = body[n:]
	}
	return recs, true
}

// startSegment creates segment n and makes it the one written to.
func (j *Journal) startSegment(n uint64) error {
	f, err := os.OpenFile(j.path(n), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(j.path(n)) // so that the next attempt can create it
		return fmt.Errorf("journal: start segment: %w", err)
	}
	if _, err := f.Write([]byte(segmentMagic)); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := syncDir(j.dir); err != nil {
		return fail(err)
	}
	old := j.file
	j.file = f
	j.mu.Lock()
	j.segments = append(j.segments, &segment{num: n, size: int64(headerSize), last: map[Kind]Pos{}})
	j.mu.Unlock()
	if old != nil {
		return old.Close()
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}

// Append writes the records as one frame (all of them or, after a crash,
// none) and returns once it is synced to disk.
func (j *Journal) Append(recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	frame, kinds, err := encodeFrame(recs)
	if err != nil {
		return err
	}
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	j.pending = append(j.pending, frame...)
	j.kinds = append(j.kinds, kinds)
	c := j.batch
	j.mu.Unlock()
	select {
	case j.kick <- struct{}{}:
	default:
	}
	<-c.done
	return c.err
}

// commitLoop writes and syncs the pending frames, one group at a time,
// until Close; what Close finds pending is committed before it returns.
func (j *Journal) commitLoop() {
	defer close(j.done)
	var spare []byte
	for {
		select {
		case <-j.kick:
		case <-j.stop:
			j.commitPending(&spare)
			return
		}
		j.commitPending(&spare)
	}
}

func (j *Journal) commitPending(spare *[]byte) {
	j.mu.Lock()
	buf, kinds, c := j.pending, j.kinds, j.batch
	j.pending, j.kinds, j.batch = (*spare)[:0], nil, newCommit()
	j.mu.Unlock()
	if len(kinds) == 0 {
		close(c.done)
		*spare = buf
		return
	}
	c.err = j.write(buf, kinds)
	close(c.done)
	*spare = buf
}

// write appends a group of frames to the newest segment (starting a new
// one first when it is full) and syncs it; on failure the segment is cut
// back so that no part of the group stays behind.
func (j *Journal) write(buf []byte, kinds [][]Kind) error {
	j.mu.Lock()
	cur := j.segments[len(j.segments)-1]
	size := cur.size
	j.mu.Unlock()
	if size >= j.opts.SegmentSize {
		if err := j.startSegment(cur.num + 1); err != nil {
			return err
		}
		j.mu.Lock()
		cur = j.segments[len(j.segments)-1]
		size = cur.size
		j.mu.Unlock()
	}
	if _, err := j.file.Write(buf); err != nil {
		return j.undo(size, err)
	}
	if err := j.file.Sync(); err != nil {
		return j.undo(size, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	off := size
	for _, ks := range kinds {
		for i, k := range ks {
			cur.last[k] = Pos{Segment: cur.num, Offset: off, Skip: i + 1}
		}
		off += frameHeader + int64(binary.LittleEndian.Uint32(buf[off-size:]))
	}
	cur.size = off
	return nil
}

func (j *Journal) undo(size int64, cause error) error {
	if err := j.file.Truncate(size); err != nil {
		return fmt.Errorf("journal: write failed (%w) and so did cutting it back: %v", cause, err)
	}
	if _, err := j.file.Seek(size, io.SeekStart); err != nil {
		return fmt.Errorf("journal: write failed (%w) and so did cutting it back: %v", cause, err)
	}
	return fmt.Errorf("journal: %w", cause)
}

// Each calls fn with every record of the kind from its cursor, in the
// order they were appended, until fn returns false.
func (j *Journal) Each(kind Kind, fn func(Entry) bool) error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	from := j.cursors[kind]
	type part struct {
		num        uint64
		start, end int64
	}
	var parts []part
	for _, s := range j.segments {
		if s.num < from.Segment || s.size <= int64(headerSize) {
			continue
		}
		if _, has := s.last[kind]; !has {
			continue
		}
		p := part{num: s.num, start: int64(headerSize), end: s.size}
		if s.num == from.Segment {
			p.start = max(p.start, from.Offset)
		}
		parts = append(parts, p)
	}
	j.mu.Unlock()
	for _, p := range parts {
		f, err := os.Open(j.path(p.num))
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		more := true
		_, err = scan(f, p.start, p.end, func(off int64, recs []Record) bool {
			for i, r := range recs {
				if r.Kind != kind || (p.num == from.Segment && off == from.Offset && i < from.Skip) {
					continue
				}
				if more = fn(Entry{Record: r, Next: Pos{Segment: p.num, Offset: off, Skip: i + 1}}); !more {
					return false
				}
			}
			return true
		})
		f.Close()
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Read returns up to n records of the kind from its cursor.
func (j *Journal) Read(kind Kind, n int) ([]Entry, error) {
	var out []Entry
	err := j.Each(kind, func(e Entry) bool {
		out = append(out, e)
		return len(out) < n
	})
	return out, err
}

// Ack moves the kind's cursor to pos (never back) and deletes the
// segments every kind has finished with. The files are written and
// removed outside the journal's lock: appends never wait for them.
func (j *Journal) Ack(kind Kind, pos Pos) error {
	j.saveMu.Lock()
	defer j.saveMu.Unlock()
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	if !j.cursors[kind].Less(pos) {
		j.mu.Unlock()
		return nil
	}
	j.cursors[kind] = pos
	j.dirty = true
	var cursors []byte
	if now := time.Now(); now.Sub(j.saved) >= j.opts.SaveCursorsEvery {
		cursors = j.encodeCursors()
		j.saved, j.dirty = now, false
	}
	doomed := j.collect()
	j.mu.Unlock()
	var errs []error
	if cursors != nil {
		errs = append(errs, j.writeCursors(cursors))
	}
	return errors.Join(append(errs, removeAll(doomed))...)
}

// collect takes the segments, other than the newest, in which no kind
// has a record past its cursor (with no kinds: the empty ones) out of the
// journal and returns their files, for the caller to remove. Called with
// mu held.
func (j *Journal) collect() []string {
	var doomed []string
	kept := j.segments[:0]
	for i, s := range j.segments {
		done := i < len(j.segments)-1 && (len(j.opts.Kinds) > 0 || len(s.last) == 0)
		for _, k := range j.opts.Kinds {
			if last, has := s.last[k]; has && j.cursors[k].Less(last) {
				done = false
			}
		}
		if done {
			doomed = append(doomed, j.path(s.num))
			continue
		}
		kept = append(kept, s)
	}
	j.segments = kept
	return doomed
}

// removeAll removes segment files. One that cannot be removed stays on
// disk, out of the journal; the next Open finds it finished and tries again.
func removeAll(paths []string) error {
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("journal: %w", err))
		}
	}
	return errors.Join(errs...)
}

// encodeCursors is the content of the cursor file. Called with mu held.
func (j *Journal) encodeCursors() []byte {
	kinds := make([]Kind, 0, len(j.cursors))
	for k := range j.cursors {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var buf []byte
	for _, k := range kinds {
		p := j.cursors[k]
		buf = append(buf, byte(k))
		buf = binary.LittleEndian.AppendUint64(buf, p.Segment)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(p.Offset))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(p.Skip))
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
}

// writeCursors replaces the cursor file, without a sync (see the package
// doc). Called with saveMu held, so that saves land in order.
func (j *Journal) writeCursors(buf []byte) error {
	tmp := filepath.Join(j.dir, cursorFile+".tmp")
	if err := os.WriteFile(tmp, buf, 0o600); err != nil {
		return fmt.Errorf("journal: save cursors: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(j.dir, cursorFile)); err != nil {
		return fmt.Errorf("journal: save cursors: %w", err)
	}
	return nil
}

// loadCursors reads the saved cursors; a missing or damaged file means
// every kind reads from the start (records are read again, not lost).
func (j *Journal) loadCursors() {
	buf, err := os.ReadFile(filepath.Join(j.dir, cursorFile))
	const entry = 1 + 8 + 8 + 4
	if err != nil || len(buf) < 4 || (len(buf)-4)%entry != 0 {
		return
	}
	body := buf[:len(buf)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(buf[len(buf)-4:]) {
		return
	}
	for ; len(body) > 0; body = body[entry:] {
		j.cursors[Kind(body[0])] = Pos{Segment: binary.LittleEndian.Uint64(body[1:9]),
			Offset: int64(binary.LittleEndian.Uint64(body[9:17])), Skip: int(binary.LittleEndian.Uint32(body[17:21]))}
	}
}

// Close commits what is pending, stops the committer and closes the
// newest segment.
func (j *Journal) Close() error {
	j.saveMu.Lock()
	defer j.saveMu.Unlock()
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	var cursors []byte
	if j.dirty {
		cursors = j.encodeCursors()
	}
	j.mu.Unlock()
	var err error
	if cursors != nil {
		err = j.writeCursors(cursors)
	}
	close(j.stop)
	<-j.done
	return errors.Join(err, j.file.Close())
}
