package watchlist

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/bits-and-blooms/bloom/v3"
)

// filterSet is the in-memory prefilter: bloom filters over every blocking
// key in the index, so that a traveller who matches nothing is answered
// without touching badger. It is immutable once published; writers build a
// new set and swap it in, so readers never take a lock.
//
//   - main holds the keys as the set was built, one filter per class
//     (filterClass): the dated keys of alerts with a full birth date,
//     nearly all of them; the coarse keys of alerts with part of a date
//     or none, small enough to stay in the CPU cache; and the any-date
//     keys, which only a traveller without a birth date looks up, kept
//     apart so that the filters every traveller reads do not grow with
//     them.
//   - runs and delta hold the keys written since main was built. Every
//     write copies delta (it stays small); a full delta is frozen into a
//     run, and runs of similar size are merged into one twice as large (a
//     binary counter), so there are never more than about
//     log2(written/deltaCap) of them and each key is re-added O(log n)
//     times. Each run keeps its keys (8 bytes each) for the next merge.
//   - Once the runs hold as many keys as main was built for, the whole set
//     is rebuilt from the store in the background (and the runs' keys are
//     freed). Rebuilds therefore come at each doubling of the index: a
//     bulk load costs O(n) key reads in rebuilds, not O(n²).
//
// Bloom filters cannot forget: keys of closed or changed alerts stay until
// the next rebuild (stale counts them); they only cost a wasted look-up.
type filterSet struct {
	main      [filterClasses]*bloom.BloomFilter
	runs      []run // oldest and largest first; never modified once published
	delta     run
	builtKeys uint
	stale     uint
	fpRate    float64
}

// filterClass is the main filter that holds a key.
type filterClass uint8

const (
	filterDated   filterClass = iota // keys of alerts with a full birth date
	filterCoarse                     // keys of alerts with part of a date, or none
	filterAnyDate                    // famAnyDate: for travellers without a birth date only
	filterClasses
)

// filter is the class of the main filter that holds k.
func (k key) filter() filterClass {
	switch {
	case k.fam == famAnyDate:
		return filterAnyDate
	case k.coarse:
		return filterCoarse
	}
	return filterDated
}

// run is a bloom filter over the keys written since the last rebuild, with
// those keys (as hashed by bloomKey) for merging it into a larger run.
type run struct {
	filter *bloom.BloomFilter
	keys   []uint64
}

// deltaCap is the number of keys the delta filter is sized for: copying
// it on every write costs about 230 KB at 0.1% (filterShape).
const deltaCap = 1 << 16

// rebuildFloor is the fewest keys outside the built filters that start a
// rebuild for growth (an empty store is rebuilt after this many).
const rebuildFloor = deltaCap

func newFilterSet(sizes indexCounts, fpRate float64) *filterSet {
	f := &filterSet{
		delta:  run{filter: newFilter(deltaCap, fpRate)},
		fpRate: fpRate,
	}
	for c, n := range sizes {
		f.main[c] = newFilter(uint(max(n, 1024)), fpRate)
		f.builtKeys += uint(max(n, 0))
	}
	return f
}

// maxFilterGrowth bounds the memory newFilter may spend, as a multiple of
// the smallest filter for the same keys and false-positive rate.
const maxFilterGrowth = 2.0

// filterShape returns the bits and hash functions of a filter for n keys
// at false-positive rate fp: the fewest hash functions whose filter is at
// most maxFilterGrowth times the smallest one (DESIGN.md: a key that is
// absent, the common case, costs fewer memory reads in a sparser filter).
// With k hash functions and m bits the rate is (1 - e^(-kn/m))^k, so m is
// -kn / ln(1 - fp^(1/k)). The number of hash functions depends on fp
// only, so that every filter of a set, whatever its size, has the same
// and a probe's bit locations serve them all.
func filterShape(n uint, fp float64) (m, k uint) {
	bitsPerKey := func(k uint) float64 { return -float64(k) / math.Log1p(-math.Pow(fp, 1/float64(k))) }
	smallest := -math.Log(fp) / (math.Ln2 * math.Ln2)
	k = 1
	for bitsPerKey(k) > maxFilterGrowth*smallest { // ends by the optimal k, where bitsPerKey is smallest
		k++
	}
	return uint(math.Ceil(bitsPerKey(k) * float64(n))), k
}

// newFilter returns an empty filter shaped by filterShape.
func newFilter(n uint, fp float64) *bloom.BloomFilter {
	return bloom.New(filterShape(n, fp))
}

// filtersOf builds a set over the keys (as hashed by bloomKey) of the
// index entries of each class.
func filtersOf(keys [filterClasses][]uint64, fpRate float64) *filterSet {
	var sizes indexCounts
	for c := range keys {
		sizes[c] = int64(len(keys[c]))
	}
	f := newFilterSet(sizes, fpRate)
	for c := range keys {
		for _, h := range keys[c] {
			b := bloomBytes(h)
			f.main[c].Add(b[:])
		}
	}
	return f
}

// bloomKey is the hash a key is entered into the filters as (runs keep
// it), and bloomBytes its bytes: every filter is written and tested
// through these two.
func bloomKey(k key) uint64 { return k.hash ^ uint64(k.fam) }

func bloomBytes(h uint64) (b [8]byte) {
	binary.LittleEndian.PutUint64(b[:], h)
	return b
}

// add is used while building a set that is not yet published.
func (f *filterSet) add(k key) {
	b := bloomBytes(bloomKey(k))
	f.main[k.filter()].Add(b[:])
}

// mayContain reports whether k may be in the index. False is certain.
func (f *filterSet) mayContain(k key) bool {
	b := bloomBytes(bloomKey(k))
	if f.main[k.filter()].Test(b[:]) {
		return true
	}
	for i := range f.runs {
		if f.runs[i].filter.Test(b[:]) {
			return true
		}
	}
	return len(f.delta.keys) > 0 && f.delta.filter.Test(b[:])
}

// keyLocations returns the bit locations (before the modulo of each
// filter's size) of k for hashes hash functions; a probe computes them
// once, so that checking it only tests bits.
func keyLocations(k key, hashes uint) []uint64 {
	b := bloomBytes(bloomKey(k))
	return bloom.Locations(b[:], hashes)
}

// mayContainAt is mayContain with the locations precomputed by
// keyLocations for f.hashes() hash functions.
func (f *filterSet) mayContainAt(class filterClass, locs []uint64) bool {
	if f.main[class].TestLocations(locs) {
		return true
	}
	for i := range f.runs {
		if f.runs[i].filter.TestLocations(locs) {
			return true
		}
	}
	return len(f.delta.keys) > 0 && f.delta.filter.TestLocations(locs)
}

// hashes is the number of hash functions of the filters (they share the
// false-positive rate, hence the number), or 0 if they differ.
func (f *filterSet) hashes() uint {
	k := f.delta.filter.K()
	for _, m := range f.main {
		if m.K() != k {
			return 0
		}
	}
	for i := range f.runs {
		if f.runs[i].filter.K() != k {
			return 0
		}
	}
	return k
}

// unbuilt is the number of keys in the runs and the delta.
func (f *filterSet) unbuilt() uint {
	n := uint(len(f.delta.keys))
	for i := range f.runs {
		n += uint(len(f.runs[i].keys))
	}
	return n
}

// withWrites returns a new set that also holds added and counts removed
// index entries as stale. f is left as it was: readers may still use it.
// It must be called on the newest set only (the engine's writes are
// serialised), since the delta's keys are shared with it.
// grown reports that the keys outside the built filters now outnumber
// those inside: time to rebuild.
func (f *filterSet) withWrites(added []key, removed int) (next *filterSet, grown bool) {
	n := *f
	n.stale += uint(removed)
	for len(added) > 0 {
		room := deltaCap - len(n.delta.keys)
		take := added[:min(room, len(added))]
		added = added[len(take):]
		if len(n.delta.keys) == 0 && len(take) == deltaCap {
			// A whole delta's worth: build it directly as a run.
			n.pushRun(n.newRun(take))
			continue
		}
		// The filter is copied; the keys are appended in place, which is
		// safe because only the newest set is ever extended (writes are
		// serialised) and f reads no further than its own length.
		d := run{keys: n.delta.keys}
		if len(d.keys) == 0 {
			d.filter = newFilter(deltaCap, n.fpRate)
		} else {
			d.filter = n.delta.filter.Copy()
		}
		for _, k := range take {
			d.add(bloomKey(k))
		}
		n.delta = d
		if len(n.delta.keys) == deltaCap {
			// Published sets share no mutable state: the frozen delta
			// becomes a run as it is, and the next write copies a fresh one.
			n.pushRun(n.delta)
			n.delta = run{filter: n.delta.filter, keys: nil}
		}
	}
	return &n, n.unbuilt() >= max(n.builtKeys, rebuildFloor)
}

// newRun builds a run over keys.
func (f *filterSet) newRun(keys []key) run {
	r := run{filter: newFilter(uint(len(keys)), f.fpRate), keys: make([]uint64, 0, len(keys))}
	for _, k := range keys {
		r.add(bloomKey(k))
	}
	return r
}

func (r *run) add(h uint64) {
	b := bloomBytes(h)
	r.filter.Add(b[:])
	r.keys = append(r.keys, h)
}

// pushRun appends r to the runs, merging it with the last run while that
// one is not larger. The runs slice is copied: the published set keeps
// its own.
func (f *filterSet) pushRun(r run) {
	runs := slices.Clone(f.runs)
	for len(runs) > 0 && len(runs[len(runs)-1].keys) <= len(r.keys) {
		last := runs[len(runs)-1]
		runs = runs[:len(runs)-1]
		m := run{filter: newFilter(uint(len(last.keys)+len(r.keys)), f.fpRate),
			keys: make([]uint64, 0, len(last.keys)+len(r.keys))}
		for _, h := range last.keys {
			m.add(h)
		}
		for _, h := range r.keys {
			m.add(h)
		}
		r = m
	}
	f.runs = append(runs, r)
}

// bytes is the memory the prefilter holds: the filters and the runs' keys.
func (f *filterSet) bytes() uint {
	b := f.delta.filter.Cap() / 8
	for _, m := range f.main {
		b += m.Cap() / 8
	}
	for i := range f.runs {
		b += f.runs[i].filter.Cap()/8 + 8*uint(len(f.runs[i].keys))
	}
	return b + 8*uint(len(f.delta.keys))
}
