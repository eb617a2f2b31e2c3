package names

import (
	"strings"
	"unicode"

	unidecode "github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// icaoExpansions are the letters for which ICAO 9303 Part 3 gives a
// two-letter transliteration besides the plain letter; documents use
// either, so both become variants.
var icaoExpansions = map[rune]string{
	'Ä': "AE", 'ä': "AE", 'Ö': "OE", 'ö': "OE", 'Ü': "UE", 'ü': "UE",
	'Å': "AA", 'å': "AA", 'Ø': "OE", 'ø': "OE",
}

// specialLatin are the letters NFKD does not decompose, and their ICAO
// transliteration.
var specialLatin = map[rune]string{
	'Đ': "D", 'đ': "D", 'Ð': "D", 'ð': "D", 'ß': "SS", 'ẞ': "SS", 'Þ': "TH", 'þ': "TH",
	'Æ': "AE", 'æ': "AE", 'Œ': "OE", 'œ': "OE", 'Ø': "O", 'ø': "O", 'Ł': "L", 'ł': "L",
	'ı': "I", 'Ħ': "H", 'ħ': "H", 'Ŋ': "NG", 'ŋ': "NG", 'Ĳ': "IJ", 'ĳ': "IJ",
}

// Canonical returns the canonical ICAO Latin spellings of s: upper-case
// A-Z words separated by single spaces. The first is the plain spelling;
// a second follows when ICAO allows an expanded one (MUELLER besides
// MULLER). Han characters are read character by character, each reading
// a word; use FromParts or FromFull for personal names in Han.
func Canonical(s string) []string {
	plain := canonical(s, false)
	for _, r := range s {
		if _, ok := icaoExpansions[r]; ok {
			if expanded := canonical(s, true); expanded != plain {
				return []string{plain, expanded}
			}
			break
		}
	}
	return []string{plain}
}

// CanonicalPlain is the first spelling Canonical returns.
func CanonicalPlain(s string) string { return canonical(s, false) }

func canonical(s string, expand bool) string {
	s = norm.NFKC.String(s)
	s = reorderPrepositionalVowels(s)
	s = stripBurmeseHonorific(s)
	// Burmese ည with a killed vowel ends a syllable as "I" (ကြည် KYI).
	s = strings.ReplaceAll(s, "ည်", "ီ")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case expand && icaoExpansions[r] != "":
			b.WriteString(icaoExpansions[r])
		case specialLatin[r] != "":
			b.WriteString(specialLatin[r])
		case unicode.Is(unicode.Han, r):
			b.WriteByte(' ')
			b.WriteString(hanReading(r))
			b.WriteByte(' ')
		case unicode.Is(unicode.Myanmar, r):
			b.WriteString(burmese(r))
		default:
			b.WriteRune(r)
		}
	}
	s = stripLatinMarks(b.String())
	s = unidecode.Unidecode(s)
	return asciiWords(s)
}

// stripLatinMarks removes combining marks that follow a Latin, Cyrillic or
// Greek letter (the diacritics of Nguyễn, Müller, Ёлкин) and keeps those of
// Thai, Lao, Khmer and Burmese, where vowel signs are combining marks.
func stripLatinMarks(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	strip := false
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if strip {
				continue
			}
		} else {
			strip = r < 0x80 || unicode.In(r, unicode.Latin, unicode.Cyrillic, unicode.Greek)
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// asciiWords upper-cases s and keeps A-Z words: every other character
// (hyphens, apostrophes, digits, '<', punctuation) separates words.
func asciiWords(s string) string {
	var b strings.Builder
	space := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// reorderPrepositionalVowels moves the Thai (เ แ โ ใ ไ) and Lao (ເ ແ ໂ ໃ ໄ)
// vowels that are written before their consonant but spoken after it, so
// that ใจ reads "jai" rather than "aij".
func reorderPrepositionalVowels(s string) string {
	if !strings.ContainsFunc(s, isPreposed) {
		return s
	}
	r := []rune(s)
	for i := 0; i+1 < len(r); i++ {
		if isPreposed(r[i]) && unicode.IsLetter(r[i+1]) && !isPreposed(r[i+1]) {
			r[i], r[i+1] = r[i+1], r[i]
			i++
		}
	}
	return string(r)
}

func isPreposed(r rune) bool {
	return (r >= 0x0E40 && r <= 0x0E44) || (r >= 0x0EC0 && r <= 0x0EC4)
}

// burmeseTable romanises Burmese letters close to the way Myanmar passports
// write names (Aung, Thein, Kyi, Hla), which differs from unidecode's
// scholarly table (သ is TH, စ is S, ကြ is KY).
var burmeseTable = map[rune]string{
	'က': "K", 'ခ': "KH", 'ဂ': "G", 'ဃ': "G", 'င': "NG", 'စ': "S", 'ဆ': "HS", 'ဇ': "Z", 'ဈ': "Z",
	'ည': "NY", 'ဋ': "T", 'ဌ': "HT", 'ဍ': "D", 'ဎ': "D", 'ဏ': "N", 'တ': "T", 'ထ': "HT", 'ဒ': "D",
	'ဓ': "D", 'န': "N", 'ပ': "P", 'ဖ': "HP", 'ဗ': "B", 'ဘ': "B", 'မ': "M", 'ယ': "Y", 'ရ': "Y",
	'လ': "L", 'ဝ': "W", 'သ': "TH", 'ဟ': "H", 'ဠ': "L", 'အ': "", 'ဣ': "I", 'ဤ': "I", 'ဥ': "U",
	'ဦ': "U", 'ဧ': "E", 'ဩ': "AW", 'ဪ': "AW",
	'ျ': "Y", 'ြ': "Y", 'ွ': "W", 'ှ': "H",
	'ါ': "A", 'ာ': "A", 'ိ': "I", 'ီ': "I", 'ု': "U", 'ူ': "U", 'ေ': "E", 'ဲ': "E", 'ံ': "N",
	'း': "", '့': "", '်': "", '္': "",
}

func burmese(r rune) string {
	if v, ok := burmeseTable[r]; ok {
		return v
	}
	if r >= 0x1040 && r <= 0x1049 { // Burmese digits
		return " "
	}
	return ""
}

// Burmese names carry honorifics (ဦး U, ဒေါ် Daw) that passports do not.
func stripBurmeseHonorific(s string) string {
	for _, h := range []string{"ဦး", "ဒေါ်"} {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s), h); ok && strings.TrimSpace(rest) != "" {
			return strings.TrimSpace(rest)
		}
	}
	return s
}
