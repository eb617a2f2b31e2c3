package names

import "strings"

// Lao passports write names in a French-influenced spelling that a
// letter-by-letter table (unidecode's, the plain reading) does not give:
// ສຸລິຍາ SOULIYA, ສີສະຫວາດ SISAVATH, ສອນໄຊ SONEXAY, ວັນນາ VANNA, ແກ້ວ
// KEO. laoPassport writes that spelling as Canonical's second one. The
// rules, each for a letter in one place of its syllable (so that a name
// written either way keeps one skeleton: V and W are dropped, D T TH and
// S X share a class):
//   - vowels: ຸ and ູ OU, ິ and ີ I (a long I that ends a word Y: ນາລີ
//     NALY), ໄ and ໃ AY (ວິໄລ VILAY), ຳ AM, ົ O, ຶ and ື EU, ແ…ວ EO (ແກ້ວ
//     KEO), ເ…ີ EU (ເລີມ LEUM), ົວ and a ວ between consonants OUA (ບົວ
//     BOUA, ດວງ DOUANG), າວ AO (ຂາວ KHAO), ອ before a final ນ ONE (ພອນ
//     PHONE);
//   - ວ starting a syllable V (ວົງ VONG, ພູວົງ PHOUVONG), ຊ X (ໄຊ XAY);
//   - finals: ດ TH (ສຸລິດ SOULITH), ັນ ending a word ANH (ວັນ VANH), ັກ
//     ending a word ACK (ສົມສັກ SOMSACK);
//   - ຫ before a sonorant only marks the tone and is not written (ສະຫວັນ
//     SAVANH); ຍ starting a syllable Y.
//
// What the rules leave in Lao script (consonants, the vowel ເ) the plain
// reading writes.
func laoPassport(s string) (string, bool) {
	if !strings.ContainsFunc(s, isLao) {
		return s, false
	}
	in := []rune(s)
	var b strings.Builder
	at := func(i int) rune { // the rune at i, or 0 past either end
		if i < 0 || i >= len(in) {
			return 0
		}
		return in[i]
	}
	for i := 0; i < len(in); i++ {
		r := in[i]
		n := laoNext(in, i)    // the letter after r, tone marks skipped
		n2 := laoNext(in, i+1) // the letter after the one at i+1
		next := at(n)
		switch {
		case r == 'ຫ' && strings.ContainsRune("ງຍນມລວຣ", at(i+1)):
			// the tone marker of a sonorant: not written
		case (r == 'ໄ' || r == 'ໃ') && isLaoConsonant(at(i+1)):
			b.WriteString(laoOnset(at(i + 1)))
			b.WriteString("ay")
			i = n2 - 1 // past the consonant and its tone marks
		case r == 'ແ' && isLaoConsonant(at(i+1)) && at(n2) == 'ວ' && !isLaoVowelSign(at(laoNext(in, n2))):
			b.WriteString(laoOnset(at(i + 1)))
			b.WriteString("eo") // ແກ້ວ KEO
			i = n2
		case r == 'ເ' && isLaoConsonant(at(i+1)) && (at(n2) == 'ີ' || at(n2) == 'ິ'):
			b.WriteString(laoOnset(at(i + 1)))
			b.WriteString("eu") // ເລີມ LEUM
			i = n2
		case r == 'ວ' && laoStartsSyllable(in, i) && (isLaoVowelSign(next) || isPreposed(at(i-1))):
			b.WriteString("v")
		case r == 'ວ' && !laoStartsSyllable(in, i) && isLaoConsonant(at(i-1)) && isLaoConsonant(next):
			b.WriteString("oua") // ດວງ DOUANG: ວ is the vowel
		case r == 'ວ' && at(i-1) == 'າ' && !isLaoVowelSign(next):
			b.WriteString("o") // ຂາວ KHAO
		case r == 'ົ' && next == 'ວ' && !isLaoVowelSign(at(laoNext(in, n))):
			b.WriteString("oua") // ບົວ BOUA
			i = n
		case r == 'ອ' && isLaoConsonant(at(i-1)) && at(i+1) == 'ນ' && !isLaoVowelSign(at(n2)):
			b.WriteString("one") // ພອນ PHONE
			i++
		case r == 'ດ' && laoClosesSyllable(in, i):
			b.WriteString("th")
		case r == 'ັ' && (at(i+1) == 'ນ' || at(i+1) == 'ກ') && laoWordEnds(in[i+2:]):
			if in[i+1] == 'ນ' {
				b.WriteString("anh")
			} else {
				b.WriteString("ack")
			}
			i++
		case r == 'ີ' && laoWordEnds(in[i+1:]):
			b.WriteString("y")
		case r == 'ຊ':
			b.WriteString("x")
		case r == 'ຍ':
			b.WriteString("y")
		default:
			if v, ok := laoVowels[r]; ok {
				b.WriteString(v)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String(), true
}

// laoVowels are the Lao vowel signs as Lao passports write them, where
// unidecode gives their letter values (ຸ U, ີ II, າ AA).
var laoVowels = map[rune]string{
	'ຸ': "ou", 'ູ': "ou", 'ິ': "i", 'ີ': "i", 'າ': "a", 'ະ': "a", 'ັ': "a",
	'ຶ': "eu", 'ື': "eu", 'ົ': "o", 'ຳ': "am", 'ໍ': "o",
}

// laoOnset writes a consonant that starts a syllable the passport way
// where that differs from the plain reading; others stay in Lao script.
func laoOnset(r rune) string {
	switch r {
	case 'ວ':
		return "v"
	case 'ຊ':
		return "x"
	case 'ຍ':
		return "y"
	}
	return string(r)
}

func isLao(r rune) bool { return r >= 0x0E80 && r <= 0x0EFF }

// isLaoConsonant reports whether r is a Lao consonant letter (ໜ and ໝ
// included).
func isLaoConsonant(r rune) bool {
	return (r >= 0x0E81 && r <= 0x0EAE) || r == 0x0EDC || r == 0x0EDD
}

// isLaoVowelSign reports whether r is a Lao vowel written after, above or
// below its consonant (the preposed ones are not).
func isLaoVowelSign(r rune) bool {
	return (r >= 0x0EB0 && r <= 0x0EBD && r != 0x0EBC) || r == 0x0ECD
}

func isLaoTone(r rune) bool { return r >= 0x0EC8 && r <= 0x0ECB }

// laoSkipTones returns the first index from i that is not a tone mark.
func laoSkipTones(in []rune, i int) int {
	for i < len(in) && isLaoTone(in[i]) {
		i++
	}
	return i
}

// laoStartsSyllable reports whether the consonant at i starts a syllable:
// it starts a word, follows a preposed vowel or ຫ (ຫວ, a tone marker), or
// follows a vowel or a consonant that closes the syllable before.
func laoStartsSyllable(in []rune, i int) bool {
	if i == 0 {
		return true
	}
	p := in[i-1]
	switch {
	case !isLao(p), isPreposed(p), p == 'ຫ', isLaoVowelSign(p), isLaoTone(p):
		return true
	case isLaoConsonant(p):
		return laoClosesSyllable(in, i-1)
	}
	return false
}

// laoClosesSyllable reports whether the consonant at i ends its syllable:
// it follows a vowel written after or over its consonant (or a tone mark
// after one, or ອ read O) and no vowel of its own follows it.
func laoClosesSyllable(in []rune, i int) bool {
	if i == 0 || isLaoVowelSign(laoAfter(in, i)) {
		return false
	}
	j := i - 1
	for j > 0 && isLaoTone(in[j]) {
		j--
	}
	p := in[j]
	return isLaoVowelSign(p) || (p == 'ອ' && j > 0 && isLaoConsonant(in[j-1]))
}

// laoNext is the index of the letter after i, tone marks skipped
// (len(in) at the end).
func laoNext(in []rune, i int) int { return laoSkipTones(in, i+1) }

// laoAfter is the rune after i and its tone marks, or 0 at the end.
func laoAfter(in []rune, i int) rune {
	if j := laoNext(in, i); j < len(in) {
		return in[j]
	}
	return 0
}

// laoWordEnds reports whether what follows a vowel sign ends its word:
// nothing, or only tone marks, before a letter of no Lao syllable.
func laoWordEnds(rest []rune) bool {
	for _, r := range rest {
		switch {
		case isLaoTone(r):
		case isLao(r):
			return false
		default:
			return true
		}
	}
	return true
}
