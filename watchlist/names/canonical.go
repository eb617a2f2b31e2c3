package names

import (
	"slices"
	"strings"
	"unicode"

	unidecode "github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// Version numbers the rules by which names are read. A store records the
// version its index was built with and re-derives its index when the
// rules change (watchlist.Engine re-indexes at open): bump it with every
// change to the readings. 1: up to the Thai silent-ร spellings; 2: Khmer
// read the passport way (khmer.go); 3: second spellings for Khmer closed
// syllables, Burmese ဆ and Lao vowels (Canonical); 4: Thai read by
// syllables (thai.go); 5: Han names also read in Wade-Giles
// (wadegiles.go); 6: Lao final long I as Y and ຫ before a sonorant
// silent, Thai linking RA (สุรชัย SURACHAI) and a sonorant before the
// karan kept; 7: F in P's class of Skeleton (พิมพ์ PHIM or PIM); 8:
// Cyrillic also in the spelling before ICAO's of 2015 (Юлия YULIYA),
// and ICAO's soft and hard signs (Ь unwritten, Ъ IE); 9: Burmese ေ also
// AY (မေ MAY); 10: Lao in the whole spelling of Lao passports (lao.go:
// ວ V, ຊ X, ໄ AY, final ດ TH, ພອນ PHONE, ແກ້ວ KEO); 11: Khmer bare
// consonants before a final one open a syllable (សុផល SOPHAL), a coda the
// next onset begins with unwritten (រដ្ឋា ROTHA), ាំង ANG, and a
// word-final second-series ា also A (ដារា DARA); 12: Burmese inherent
// vowel A (မြ MYA, လှ HLA); 13: Thai เ…ิ before a final as OE, with
// the open A on a first consonant that makes no cluster (เจริญ CHAROEN,
// ประเสริฐ PRASOET).
const Version = 13

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
// others follow where passports write the name in more than one way:
//   - an expanded ICAO spelling (MUELLER besides MULLER);
//   - a Thai cluster whose ร is silent in the Royal Thai transliteration
//     that passports use (ศรี SI besides SRI, ประเสริฐ PRASOET besides
//     PRASERT);
//   - a Thai name read by syllables, with the vowels Thai does not write
//     (สมชาย SOMCHAI besides SMCHAAY: thai.go);
//   - a Khmer closed syllable whose first-series inherent vowel some
//     families write O (ម៉ម MOM besides MAM, ឧត្តម UTTOM besides UTTAM),
//     and a word-final ា after a second-series consonant written A
//     (ដារា DARA besides DAREA);
//   - a Burmese ဆ written S (ဆန်း SAN besides HSAN), and ေ written AY (မေ
//     MAY besides ME);
//   - a Lao name written the way Lao passports do, in a French-influenced
//     spelling (ສຸລິຍາ SOULIYA besides SULINYAA, ສອນໄຊ SONEXAY besides
//     SONSAI: lao.go);
//   - a Cyrillic name in the spelling of Russian passports before ICAO's
//     of 2015, and of most Latin records (Юлия YULIYA besides IULIIA).
//
// Han characters are read character by character, each reading a word;
// use FromParts or FromFull for personal names in Han.
func Canonical(s string) []string {
	out := []string{canonical(s, spelling{})}
	add := func(v string) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, r := range s {
		if _, ok := icaoExpansions[r]; ok {
			add(canonical(s, spelling{expand: true}))
			break
		}
	}
	for _, rewrite := range []func(string) (string, bool){thaiSilentR, thaiPassport, burmeseS, burmeseAY, laoPassport, cyrillicPopular} {
		if alt, ok := rewrite(s); ok {
			add(canonical(alt, spelling{}))
		}
	}
	if strings.ContainsFunc(s, isKhmer) {
		add(canonical(s, spelling{khmerO: true}))
		add(canonical(s, spelling{khmerFinalA: true}))
	}
	return out
}

// spelling selects the variants canonical writes.
type spelling struct {
	expand      bool // ICAO's two-letter spellings (Ä AE)
	khmerO      bool // the Khmer first-series inherent vowel of a closed syllable as O
	khmerFinalA bool // a Khmer word-final ា after a second-series consonant as A
}

// cyrillicPopular writes the Cyrillic letters that ICAO 9303 (since
// 2015) spells with an I the way Russian passports did before and most
// Latin records still do: Ю YU, Я YA, Й Y, Ё YO, a word's first Е YE, and
// Ь and Ъ unwritten: Юлия YULIYA (ICAO IULIIA), Дмитрий DMITRIY (DMITRII),
// Наталья NATALYA (NATALIA), Евгений YEVGENIY (EVGENII), Сергей SERGEY.
func cyrillicPopular(s string) (string, bool) {
	if !strings.ContainsAny(s, "ЮюЯяЙйЁёЕеЬьЪъ") {
		return s, false
	}
	var b strings.Builder
	wordStart := true
	for _, r := range s {
		upper := unicode.ToUpper(r)
		switch {
		case upper == 'Ю':
			b.WriteString("YU")
		case upper == 'Я':
			b.WriteString("YA")
		case upper == 'Й':
			b.WriteString("Y")
		case upper == 'Ё':
			b.WriteString("YO")
		case upper == 'Е' && wordStart:
			b.WriteString("YE")
		case upper == 'Ь' || upper == 'Ъ':
		default:
			b.WriteRune(r)
		}
		wordStart = !unicode.IsLetter(r)
	}
	return b.String(), true
}

// burmeseAY writes the open vowel ေ as AY, the way many Myanmar
// passports do (မေ MAY, ထေ HTAY, ဝေ WAY), where the plain reading gives E
// (NWE, SWE). ော and ေါ are AW and keep it.
func burmeseAY(s string) (string, bool) {
	if !strings.ContainsRune(s, 'ေ') {
		return s, false
	}
	in := []rune(s)
	var b strings.Builder
	changed := false
	for i, r := range in {
		if r == 'ေ' && (i+1 >= len(in) || (in[i+1] != 'ာ' && in[i+1] != 'ါ')) {
			b.WriteString("AY")
			changed = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), changed
}

// burmeseS writes ဆ as စ, which passports write S: ဆန်း is SAN as often
// as HSAN.
func burmeseS(s string) (string, bool) {
	if !strings.ContainsRune(s, 'ဆ') {
		return s, false
	}
	return strings.ReplaceAll(s, "ဆ", "စ"), true
}

// thaiSilentR writes the Thai clusters whose ร is not pronounced as
// read: ร after ส, ศ or ซ, before its vowel, is silent (ศรี SI, เสริม
// SOEM), and ทร reads S (ทราย SAI). Popular spellings keep the R (SRI,
// PRASERT): Canonical returns both.
func thaiSilentR(s string) (string, bool) {
	if !strings.ContainsRune(s, 'ร') {
		return s, false
	}
	in := []rune(s)
	out := make([]rune, 0, len(in))
	changed := false
	for i, r := range in {
		if r == 'ร' && i > 0 && i+1 < len(in) && strings.ContainsRune("สศซท", in[i-1]) && isThaiVowelSign(in[i+1]) {
			if in[i-1] == 'ท' {
				out[len(out)-1] = 'ส'
			}
			changed = true
			continue
		}
		out = append(out, r)
	}
	return string(out), changed
}

// isThaiVowelSign reports whether r is a Thai vowel written after or
// over its consonant.
func isThaiVowelSign(r rune) bool {
	return (r >= 0x0E30 && r <= 0x0E3A) || r == 0x0E47 || r == 0x0E45
}

// CanonicalPlain is the first spelling Canonical returns.
func CanonicalPlain(s string) string { return canonical(s, spelling{}) }

func canonical(s string, sp spelling) string {
	s = norm.NFKC.String(s)
	s = reorderPrepositionalVowels(s)
	s = stripBurmeseHonorific(s)
	s = thaiLaoSpelling(s)
	s = khmer(s, sp)
	s = burmeseMedialH(s)
	s = burmeseRhymes.Replace(s)
	s = burmeseInherentA(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case sp.expand && icaoExpansions[r] != "":
			b.WriteString(icaoExpansions[r])
		case specialLatin[r] != "":
			b.WriteString(specialLatin[r])
		case r == 'Ь' || r == 'ь': // ICAO 9303 leaves the soft sign out
		case r == 'Ъ' || r == 'ъ':
			b.WriteString("IE")
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
// scholarly table (သ is TH, စ is S, ဖ is PH, ကြ is KY); burmeseRhymes
// writes the syllable endings first.
var burmeseTable = map[rune]string{
	'က': "K", 'ခ': "KH", 'ဂ': "G", 'ဃ': "G", 'င': "NG", 'စ': "S", 'ဆ': "HS", 'ဇ': "Z", 'ဈ': "Z",
	'ည': "NY", 'ဋ': "T", 'ဌ': "HT", 'ဍ': "D", 'ဎ': "D", 'ဏ': "N", 'တ': "T", 'ထ': "HT", 'ဒ': "D",
	'ဓ': "D", 'န': "N", 'ပ': "P", 'ဖ': "PH", 'ဗ': "B", 'ဘ': "B", 'မ': "M", 'ယ': "Y", 'ရ': "Y",
	'လ': "L", 'ဝ': "W", 'သ': "TH", 'ဟ': "H", 'ဠ': "L", 'အ': "", 'ဣ': "I", 'ဤ': "I", 'ဥ': "U",
	'ဦ': "U", 'ဧ': "E", 'ဩ': "AW", 'ဪ': "AW",
	'ျ': "Y", 'ြ': "Y", 'ွ': "W", 'ှ': "H",
	'ါ': "A", 'ာ': "A", 'ိ': "I", 'ီ': "I", 'ု': "U", 'ူ': "U", 'ေ': "E", 'ဲ': "E", 'ံ': "N",
	'း': "", '့': "T", '်': "", '္': "", // the creaky tone after a nasal is written T: THANT, MYINT
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

// thaiFinals maps Thai consonants that close a syllable to the consonant
// they are read as.
var thaiFinals = map[rune]rune{
	'ร': 'น', 'ล': 'น', 'ญ': 'น', 'ณ': 'น', 'ฬ': 'น',
	'จ': 'ต', 'ช': 'ต', 'ซ': 'ต', 'ศ': 'ต', 'ษ': 'ต', 'ส': 'ต', 'ด': 'ต', 'ถ': 'ต', 'ท': 'ต', 'ธ': 'ต',
	'ฎ': 'ต', 'ฏ': 'ต', 'ฐ': 'ต', 'ฑ': 'ต', 'ฒ': 'ต',
	'บ': 'ป', 'พ': 'ป', 'ภ': 'ป', 'ฟ': 'ป',
	'ข': 'ก', 'ค': 'ก', 'ฆ': 'ก',
}

func isThaiConsonant(r rune) bool { return r >= 0x0E01 && r <= 0x0E2E }

// thaiFinal reports whether the Thai consonant at i closes a syllable: it
// follows a vowel sign, or follows a consonant that itself opens the
// syllable, and is followed by the end of the word or another consonant.
func thaiFinal(in []rune, i int) bool {
	nextIsVowel := i+1 < len(in) && (unicode.Is(unicode.Mn, in[i+1]) || (in[i+1] >= 0x0E30 && in[i+1] <= 0x0E45))
	if nextIsVowel {
		return false
	}
	prev := in[i-1]
	if unicode.Is(unicode.Mn, prev) || (prev >= 0x0E30 && prev <= 0x0E45) {
		return true // after a vowel
	}
	if !isThaiConsonant(prev) {
		return false
	}
	// After a consonant, with the implicit vowel between: final at the
	// end of a word (สมพร SOMPHON), or when that consonant opened the
	// word (สม SOM).
	wordEnd := i+1 == len(in) || !(in[i+1] >= 0x0E01 && in[i+1] <= 0x0E5B)
	return wordEnd || i < 2 || !isThaiConsonant(in[i-2])
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

// thaiLaoSpelling applies the spelling rules of Thai and Lao that a
// character-by-character transliteration misses:
//   - a letter under the karan (์), with its vowel, is silent: ศักดิ์ SAK;
//   - อ / ອ is a silent vowel carrier at the start of a syllable and the
//     vowel O inside one (ພອນ PHON);
//   - ร, ล, ญ, ณ ending a Thai word are read N (สมพร SOMPHON).
func thaiLaoSpelling(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return (r >= 0x0E00 && r <= 0x0EFF) }) {
		return s
	}
	in := []rune(s)
	out := make([]rune, 0, len(in))
	prevFinal := false
	for i := 0; i < len(in); i++ {
		r := in[i]
		switch {
		case r == 0x0E4C: // karan: drop the silenced consonant and its vowel
			for len(out) > 0 && unicode.Is(unicode.Mn, out[len(out)-1]) {
				out = out[:len(out)-1]
			}
			if len(out) > 0 && unicode.IsLetter(out[len(out)-1]) {
				out = out[:len(out)-1]
			}
			continue
		case r == 'อ' || r == 'ອ':
			if i > 0 && unicode.IsLetter(in[i-1]) && !isPreposed(in[i-1]) {
				out = append(out, 'o')
			}
			continue
		case isThaiConsonant(r) && i > 0 && thaiFinal(in, i):
			// A Thai consonant closing a syllable is read by its class:
			// เพชร PHET, กุล KUN, ยศ YOT. ร after a final is silent.
			wasFinal := prevFinal
			prevFinal = true
			if r == 'ร' && wasFinal {
				continue
			}
			if f, ok := thaiFinals[r]; ok {
				out = append(out, f)
				continue
			}
			out = append(out, r)
			continue
		}
		prevFinal = false
		out = append(out, r)
	}
	return string(out)
}

// burmeseRhymes writes the endings of Burmese syllables (a vowel, a
// final consonant killed by ်, a tone) as Myanmar passports do, which
// letter by letter they are not: ကျော် KYAW, မျိုး MYO, ခိုင် KHAING,
// လင်း LIN, ထက် HTET, ချစ် CHIT, နွယ် NWE, ညွန့် NYUNT. Longer endings
// come first: the replacer tries its pairs in order at each position.
var burmeseRhymes = strings.NewReplacer(
	"ောင့်", "AUNG", "ောင်", "AUNG", // အောင် AUNG
	"ော့်", "AW", "ော်", "AW", "ော", "AW", "ေါ်", "AW", "ေါ", "AW", // ကျော် KYAW
	"ိုင့်", "AING", "ိုင်", "AING", // ခိုင် KHAING
	"ို့", "O", "ို", "O", // မျိုး MYO
	"ွန့်", "UNT", "ွန်", "UN", // ညွန့် NYUNT
	"ိန့်", "EINT", "ိန်", "EIN", // သိန်း THEIN, စိန် SEIN
	"ုန့်", "OUNT", "ုန်", "OUN", // ထွန်း: see ွန်
	"င့်", "INT", "င်", "IN", // လင်း LIN
	"န့်", "ANT", "န်", "AN", // ဆန်း SAN, သန့် THANT
	"ည့်", "I", "ည်", "I", // ကြည် KYI
	"ယ့်", "E", "ယ်", "E", // နွယ် NWE
	"က့်", "ET", "က်", "ET", // ထက် HTET
	"စ့်", "IT", "စ်", "IT", // ချစ် CHIT
	"တ့်", "AT", "တ်", "AT", // မြတ် MYAT
	"ချ", "CH", // ချစ် CHIT
)

// burmeseInherentA writes the inherent vowel A after a Burmese consonant
// (with its medials) that burmeseRhymes left without a vowel: no vowel
// sign follows it, no killer (်) or stacking sign (္) ends it, and no
// rhyme was written after it: မြ MYA, လှ HLA, ကံ KAN. Run after
// burmeseRhymes and burmeseMedialH.
func burmeseInherentA(s string) string {
	if !strings.ContainsFunc(s, isBurmeseConsonant) {
		return s
	}
	in := []rune(s)
	var b strings.Builder
	inSyllable := false // after a consonant and the medials written so far
	for i, r := range in {
		b.WriteRune(r)
		switch {
		case isBurmeseConsonant(r):
			inSyllable = true
		case inSyllable && r >= 0x103B && r <= 0x103D: // medials ျ ြ ွ (ှ was moved before its consonant)
		default:
			inSyllable = false
			continue
		}
		if i+1 < len(in) && in[i+1] >= 0x103B && in[i+1] <= 0x103D {
			continue // A goes after the last medial
		}
		if i+1 == len(in) || !burmeseVowelAfter(in[i+1]) {
			b.WriteByte('A')
		}
		inSyllable = false
	}
	return b.String()
}

func isBurmeseConsonant(r rune) bool { return (r >= 0x1000 && r <= 0x1021) || r == 0x103F }

// burmeseVowelAfter reports whether r, following a consonant and its
// medials, gives the syllable its vowel or ends it without one: a vowel
// sign, the killer or the stacking sign, or a rhyme written in Latin.
func burmeseVowelAfter(r rune) bool {
	return (r >= 0x102B && r <= 0x1032) || r == 0x103A || r == 0x1039 || (r < 0x80 && unicode.IsLetter(r))
}

// burmeseMedialH moves the medial ှ before its consonant: it is spoken
// and romanised first (လှ HLA, မှ HMA).
func burmeseMedialH(s string) string {
	if !strings.ContainsRune(s, 'ှ') {
		return s
	}
	in := []rune(s)
	for i := 1; i < len(in); i++ {
		if in[i] == 'ှ' && unicode.Is(unicode.Myanmar, in[i-1]) {
			in[i-1], in[i] = in[i], in[i-1]
		}
	}
	return string(in)
}
