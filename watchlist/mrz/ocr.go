package mrz

// OCR readers confuse these characters. In a numeric field a letter is
// always an error, so letterToDigit is applied outright (and then checked);
// in an alphanumeric field either reading may be right, so each confusable
// position is tried both ways.
var letterToDigit = map[byte]byte{
	'O': '0', 'Q': '0', 'D': '0', 'U': '0',
	'I': '1', 'L': '1', 'T': '1',
	'Z': '2', 'S': '5', 'G': '6', 'B': '8',
}

var digitToLetter = map[byte]byte{
	'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B',
}

// swap gives the other reading of a confusable character in an
// alphanumeric field.
var swap = map[byte]byte{
	'0': 'O', 'O': '0', '1': 'I', 'I': '1', '2': 'Z', 'Z': '2',
	'5': 'S', 'S': '5', '6': 'G', 'G': '6', '8': 'B', 'B': '8',
}

// maxOCRChanges bounds how many characters one correction may change: more
// changes would let the modulo-10 check digit accept a wrong reading.
const maxOCRChanges = 2

// ocrCandidates returns the readings of value and check, differing from
// them only by OCR confusions, that make check the check digit of value. In
// a numeric field letters are mapped to digits (one candidate at most); in
// an alphanumeric field the candidates are those with the fewest changes,
// up to maxOCRChanges, among the plausible ones (see plausible). A modulo-10
// check digit accepts a wrong reading one time in ten, and in TD1, TD2 and
// TD3 the composite check digit weighs the document number exactly as its
// own check digit does, so it cannot confirm a correction.
func ocrCandidates(value string, check byte, class charClass) []fixedField {
	v := []byte(value)
	if class == numeric {
		for i, c := range v {
			if d, found := letterToDigit[c]; found {
				v[i] = d
			}
		}
	}
	chk := check
	if !isDigit(chk) {
		d, found := letterToDigit[chk]
		if !found {
			return nil
		}
		chk = d
	}
	if d, valid := CheckDigit(string(v)); valid && d == chk {
		return []fixedField{{string(v), chk}}
	}
	if class == numeric {
		return nil
	}
	var positions []int
	for i, c := range v {
		if _, found := swap[c]; found {
			positions = append(positions, i)
		}
	}
	for changes := 1; changes <= maxOCRChanges && changes <= len(positions); changes++ {
		var found []fixedField
		combinations(len(positions), changes, func(idx []int) {
			w := append([]byte(nil), v...)
			for _, k := range idx {
				w[positions[k]] = swap[w[positions[k]]]
			}
			if !plausible(w, positions, idx) {
				return
			}
			if d, valid := CheckDigit(string(w)); valid && d == chk {
				found = append(found, fixedField{string(w), chk})
			}
		})
		if len(found) > 0 {
			return found
		}
	}
	return nil
}

// combinations calls fn with every k-subset of 0..n-1, in lexical order.
func combinations(n, k int, fn func([]int)) {
	idx := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			fn(idx)
			return
		}
		for i := start; i < n; i++ {
			idx[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}

// plausible reports whether every changed character now has the class
// (letter or digit) of both its neighbours: document numbers are runs of
// letters and runs of digits, so "L89B902" reads as "L898902", while
// changing a digit inside a run of digits into a letter is implausible.
func plausible(w []byte, positions, idx []int) bool {
	for _, k := range idx {
		i := positions[k]
		want := isDigit(w[i])
		for _, j := range []int{i - 1, i + 1} {
			if j < 0 || j >= len(w) || w[j] == '<' {
				continue
			}
			if isDigit(w[j]) != want {
				return false
			}
		}
	}
	return true
}
