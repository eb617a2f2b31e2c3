package names

import (
	"strings"

	"github.com/xrash/smetrics"
)

// Skeleton returns a phonetic key of a canonical name part (A-Z, spaces
// ignored) that survives the differences between romanisations of the
// same name: vowels, H and the semivowels Y and W are dropped (Thai and
// Burmese scripts leave vowels implicit; THEIN, TEIN and THIN are one
// name), V and W are dropped too (ວົງສາ is VONGSA or WONGSA), aspirated
// and plain consonants merge (PH/P/B, TH/T/D, KH/K/G,
// CH/J/ZH/Q/C, SH/S/X/Z), L and R merge, and runs of one class collapse.
// F is P's class too: PH is an aspirated P in Thai and Lao names (พิมพ์
// PHIM or PIM) and an F in Vietnamese and European ones (PHAM, FAM).
// A name that starts with a vowel keeps a leading "A".
func Skeleton(s string) string {
	var b strings.Builder
	last := byte(0)
	first := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			continue
		}
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		class := byte(0)
		switch c {
		case 'A', 'E', 'I', 'O', 'U', 'Y', 'W', 'V', 'H':
			// V and W are one sound in Lao, Thai and Khmer names (ວົງສາ is
			// VONGSA or WONGSA) and mostly a glide: dropped like vowels.
			if first && c != 'H' && c != 'Y' && c != 'W' && c != 'V' {
				class = 'A'
			}
		case 'B', 'P', 'F':
			class = 'P'
		case 'D', 'T':
			class = 'T'
			if c == 'T' && (next == 'S' || next == 'Z') {
				class = 'C'
				i++
			}
		case 'G', 'K':
			class = 'K'
		case 'C':
			class = 'C'
			if next == 'K' {
				class = 'K'
				i++
			}
		case 'J', 'Q':
			class = 'C'
		case 'Z':
			class = 'S'
			if next == 'H' {
				class = 'C'
				i++
			}
		case 'S', 'X':
			class = 'S'
		case 'L', 'R':
			class = 'L'
		case 'N':
			class = 'N'
			if next == 'G' || next == 'H' || next == 'Y' {
				i++
			}
		case 'M':
			class = 'M'
		}
		first = false
		if class == 0 || class == last {
			if class == 0 {
				continue
			}
			continue
		}
		b.WriteByte(class)
		last = class
	}
	return b.String()
}

// Similarity is the Jaro-Winkler similarity of two canonical strings, in
// [0, 1].
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	return smetrics.JaroWinkler(a, b, 0.7, 4)
}

// WithinOneEdit reports whether b is a with at most one letter inserted,
// deleted or replaced (Levenshtein distance ≤ 1): a typo in a short name
// part, where Jaro-Winkler, which matches letters only within a window of
// half the length, says little (TO and TAO are 0.61).
func WithinOneEdit(a, b string) bool {
	if d := len(a) - len(b); d > 1 || d < -1 {
		return false
	}
	return smetrics.WagnerFischer(a, b, 1, 1, 1) <= 1
}
