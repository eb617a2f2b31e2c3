package watchlist

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bits-and-blooms/bloom/v3"
)

// The filters keep the configured false-positive rate with fewer hash
// functions than the smallest filter would use, within maxFilterGrowth of
// its memory, so that an absent key (an innocent traveller's) reads fewer
// bits before the first that is clear.
func TestFilterShapeKeepsTheRateAndReadsLess(t *testing.T) {
	const keys, absent = 100_000, 2_000_000
	for _, fp := range []float64{0.05, 0.01, 0.001, 0.0001} {
		m, k := filterShape(keys, fp)
		smallest, optimal := bloom.EstimateParameters(keys, fp)
		if float64(m) > maxFilterGrowth*float64(smallest) || k > optimal {
			t.Errorf("rate %v: %d bits, %d hashes; the smallest filter has %d bits, %d hashes", fp, m, k, smallest, optimal)
		}
		// Filters of every size share the number of hash functions, so
		// that a probe's locations serve them all (the delta is small).
		for _, n := range []uint{1, 1024, deltaCap, 1 << 30} {
			if _, kn := filterShape(n, fp); kn != k {
				t.Errorf("rate %v: %d hashes for %d keys, %d for %d", fp, kn, n, k, keys)
			}
		}
		ours, classic := newFilter(keys, fp), bloom.NewWithEstimates(keys, fp)
		r := rand.New(rand.NewPCG(uint64(k), 7))
		for i := 0; i < keys; i++ {
			b := bloomBytes(r.Uint64())
			ours.Add(b[:])
			classic.Add(b[:])
		}
		var falsePositives int
		var oursRead, classicRead float64
		for i := 0; i < absent; i++ {
			b := bloomBytes(r.Uint64())
			if ours.Test(b[:]) {
				falsePositives++
			}
			oursRead += bitsRead(ours, b[:])
			classicRead += bitsRead(classic, b[:])
		}
		// The rate within three standard deviations of the target (a
		// filter's real rate sits a little above the textbook formula).
		rate := float64(falsePositives) / absent
		if limit := fp*1.1 + 3*math.Sqrt(fp/absent); rate > limit {
			t.Errorf("rate %v: measured %.5f on %d absent keys, over %.5f", fp, rate, absent, limit)
		}
		if oursRead > 0.75*classicRead {
			t.Errorf("rate %v: an absent key reads %.2f bits with %d hashes, %.2f with the classic %d: not sparser",
				fp, oursRead/absent, k, classicRead/absent, optimal)
		}
		t.Logf("rate %v: %d hashes, %.1f bits a key (classic %d, %.1f); measured %.5f; bits read by an absent key %.2f (classic %.2f)",
			fp, k, float64(m)/keys, optimal, float64(smallest)/keys, rate, oursRead/absent, classicRead/absent)
	}
}

// bitsRead is the number of a key's bits a test reads: up to the first
// that is clear, all of them for a key the filter may contain.
func bitsRead(f *bloom.BloomFilter, data []byte) float64 {
	locs := bloom.Locations(data, f.K())
	for i, l := range locs {
		if !f.BitSet().Test(uint(l % uint64(f.Cap()))) {
			return float64(i + 1)
		}
	}
	return float64(len(locs))
}
