package watchlist

import (
	"encoding/binary"

	"github.com/bits-and-blooms/bloom/v3"
)

// filterSet is the in-memory prefilter: bloom filters over every blocking
// key in the index, so that a traveller who matches nothing is answered
// without touching badger. It is immutable once published; writers build a
// new set and swap it in (copy-on-write of the small delta filter), so
// readers never take a lock.
//
//   - dated holds the keys of alerts with a birth year: nearly all of them.
//   - coarse holds the keys of alerts without one; it is small and stays
//     in the CPU cache.
//   - delta holds the keys added since dated and coarse were built; when it
//     is full a rebuild starts in the background, and the keys written
//     meanwhile go into the delta of the rebuilt set.
//
// Bloom filters cannot forget: keys of closed or changed alerts stay until
// the next rebuild (stale counts them); they only cost a wasted look-up.
type filterSet struct {
	dated, coarse, delta *bloom.BloomFilter
	deltaKeys            uint
	deltaCap             uint
	builtKeys            uint
	stale                uint
	fpRate               float64
}

// The delta filter holds between minDeltaCap and maxDeltaCap keys (an
// eighth of the built filters in between): every write copies it, so it
// stays small (at most 1.8 MB at 0.1%), and rebuilds run in the
// background.
const (
	minDeltaCap = 1 << 16
	maxDeltaCap = 1 << 20
)

func newFilterSet(dated, coarse uint, fpRate float64) *filterSet {
	built := dated + coarse
	dc := min(max(minDeltaCap, built/8), maxDeltaCap)
	return &filterSet{
		dated:     bloom.NewWithEstimates(max(dated, 1024), fpRate),
		coarse:    bloom.NewWithEstimates(max(coarse, 1024), fpRate),
		delta:     bloom.NewWithEstimates(dc, fpRate),
		deltaCap:  dc,
		builtKeys: built,
		fpRate:    fpRate,
	}
}

// add is used while building a set that is not yet published.
func (f *filterSet) add(k key) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], k.hash^uint64(k.fam))
	if k.coarse {
		f.coarse.Add(b[:])
	} else {
		f.dated.Add(b[:])
	}
}

// mayContain reports whether k may be in the index. False is certain.
func (f *filterSet) mayContain(k key) bool {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], k.hash^uint64(k.fam))
	main := f.dated
	if k.coarse {
		main = f.coarse
	}
	if main.Test(b[:]) {
		return true
	}
	return f.deltaKeys > 0 && f.delta.Test(b[:])
}

// hashes returns the bit locations (before the modulo of each filter's
// size) of k for hash functions; a probe computes them once, so that
// checking it only tests bits.
func keyLocations(k key, hashes uint) []uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], k.hash^uint64(k.fam))
	return bloom.Locations(b[:], hashes)
}

// mayContainAt is mayContain with the locations precomputed by
// keyLocations for f.hashes() hash functions.
func (f *filterSet) mayContainAt(coarse bool, locs []uint64) bool {
	main := f.dated
	if coarse {
		main = f.coarse
	}
	if main.TestLocations(locs) {
		return true
	}
	return f.deltaKeys > 0 && f.delta.TestLocations(locs)
}

// hashes is the number of hash functions of the filters (they share the
// false-positive rate, hence the number), or 0 if they differ.
func (f *filterSet) hashes() uint {
	k := f.dated.K()
	if f.coarse.K() != k || f.delta.K() != k {
		return 0
	}
	return k
}

// withWrites returns a new set that also holds added and counts removed
// index entries as stale. It copies only the delta filter. full reports
// that the delta is full and the filters should be rebuilt.
func (f *filterSet) withWrites(added []key, removed int) (next *filterSet, full bool) {
	n := *f
	if len(added) > 0 {
		// Copied, never grown: if writes outrun a background rebuild the
		// delta holds more keys than it was sized for and its
		// false-positive rate rises until the rebuilt set is swapped in.
		n.delta = f.delta.Copy()
		for _, k := range added {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], k.hash^uint64(k.fam))
			n.delta.Add(b[:])
		}
		n.deltaKeys += uint(len(added))
	}
	n.stale += uint(removed)
	return &n, n.deltaKeys >= n.deltaCap
}

// bytes is the memory the filters hold.
func (f *filterSet) bytes() uint {
	return (f.dated.Cap() + f.coarse.Cap() + f.delta.Cap()) / 8
}
