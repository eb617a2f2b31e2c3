package names

import (
	"strings"
	"unicode"
)

// Khmer names are romanised on Cambodian passports by sound, in a
// French-influenced spelling (សុខ SOK, ទូច TOUCH, ធីតា THIDA, ជា CHEA,
// ពៅ POV), which a letter-by-letter table does not give: unidecode reads
// the letters by their Sanskrit values (ទូច DUUC, ធីតា DHIITAA). khmer
// writes a Khmer word the passport way:
//
//   - each consonant has a Latin onset and a Latin coda (ខ KH, final K);
//   - a vowel sign reads by the series of its consonant (ា is A after a
//     first-series consonant, EA after a second-series one: ដា DA, ជា
//     CHEA); ៊ and ៉ move a consonant to the other series;
//   - a consonant with no vowel sign carries the inherent vowel (A or O by
//     series) at the start of a word, after another such consonant, or
//     before a bare consonant that ends the word (ផល PHAL, រតនា ROTANA,
//     សុផល SOPHAL), and otherwise closes the syllable before it (សុខលី
//     SOKLY);
//   - a subscript cluster at the start of a word is an onset (ស្រី SREY);
//     inside a word its first consonant closes the syllable before and its
//     subscript opens the next (ចន្ថា CHANTHA, វណ្ណា VONNA);
//   - a word-final I is written Y (លី LY, ណារី NARY).
//
// With sp.khmerO, the first-series inherent vowel of a syllable closed by
// a final consonant is written O, as some families write it (ម៉ម MOM,
// ឧត្តម UTTOM); with sp.khmerFinalA, a word-final ា after a second-series
// consonant, in a word of more than one syllable, is A, as many given
// names of Pali and Sanskrit origin are written (ដារា DARA, វាសនា VEASNA,
// កញ្ញា KANHA; the rule gives DAREA, as សុភា SOPHEA is written; a word of
// one syllable keeps EA: ជា CHEA). Canonical gives each spelling.
//
// It is an approximation of a practice that is not a standard; the name
// matcher's similarity absorbs the rest (VONNA for VANNA).
type khmerLetter struct {
	onset, coda string
	second      bool // second (o-) series
}

var khmerConsonants = map[rune]khmerLetter{
	'ក': {"K", "K", false}, 'ខ': {"KH", "K", false}, 'គ': {"K", "K", true}, 'ឃ': {"KH", "K", true}, 'ង': {"NG", "NG", true},
	'ច': {"CH", "CH", false}, 'ឆ': {"CHH", "CH", false}, 'ជ': {"CH", "CH", true}, 'ឈ': {"CHH", "CH", true}, 'ញ': {"NH", "NH", true},
	'ដ': {"D", "T", false}, 'ឋ': {"TH", "TH", false}, 'ឌ': {"D", "T", true}, 'ឍ': {"TH", "TH", true}, 'ណ': {"N", "N", false},
	'ត': {"T", "T", false}, 'ថ': {"TH", "TH", false}, 'ទ': {"T", "T", true}, 'ធ': {"TH", "TH", true}, 'ន': {"N", "N", true},
	'ប': {"B", "P", false}, 'ផ': {"PH", "P", false}, 'ព': {"P", "P", true}, 'ភ': {"PH", "P", true}, 'ម': {"M", "M", true},
	'យ': {"Y", "Y", true}, 'រ': {"R", "R", true}, 'ល': {"L", "L", true}, 'វ': {"V", "V", true}, 'ឝ': {"S", "S", false},
	'ឞ': {"S", "S", false}, 'ស': {"S", "S", false}, 'ហ': {"H", "H", false}, 'ឡ': {"L", "L", false}, 'អ': {"", "", false},
}

// khmerVowels are the dependent vowel signs, read after a first- and a
// second-series consonant.
var khmerVowels = map[rune][2]string{
	'ា': {"A", "EA"}, 'ិ': {"E", "I"}, 'ី': {"EY", "I"}, 'ឹ': {"E", "I"}, 'ឺ': {"EU", "EU"},
	'ុ': {"O", "U"}, 'ូ': {"O", "OU"}, 'ួ': {"UO", "UO"}, 'ើ': {"AE", "OEU"}, 'ឿ': {"OEA", "OEA"},
	'ៀ': {"IE", "IE"}, 'េ': {"E", "E"}, 'ែ': {"AE", "AE"}, 'ៃ': {"AI", "EY"}, 'ោ': {"O", "OU"},
	'ៅ': {"AO", "OV"}, '័': {"A", "A"},
}

// khmerIndependent are the independent vowels (a syllable of their own).
var khmerIndependent = map[rune]string{
	'ឥ': "E", 'ឦ': "EY", 'ឧ': "U", 'ឩ': "OU", 'ឪ': "OV", 'ឫ': "RU", 'ឬ': "RUE", 'ឭ': "LU", 'ឮ': "LUE",
	'ឯ': "E", 'ឰ': "AI", 'ឱ': "AO", 'ឲ': "AO", 'ឳ': "AU",
}

const (
	khmerCoeng      = '្'
	khmerNikahit    = 'ំ'
	khmerReahmuk    = 'ះ'
	khmerTriisap    = '៊' // first series to second
	khmerMusikatoan = '៉' // second series to first
	khmerSilencer   = '៍' // toandakhiat: the letter under it is silent
)

func isKhmer(r rune) bool { return r >= 0x1780 && r <= 0x17FF }

// khmerSyllable is one consonant (or cluster) with what is written on it.
type khmerSyllable struct {
	letters []khmerLetter // the base and its subscripts
	indep   string        // an independent vowel instead of letters
	vowel   string        // the vowel signs, in order
	second  bool
	nikahit bool
	reahmuk bool
	silent  bool
}

// khmer romanises the Khmer words in s and leaves the rest as it is.
func khmer(s string, sp spelling) string {
	return romaniseWords(s, isKhmer, func(w []rune) string { return khmerWord(w, sp) })
}

// romaniseWords replaces each run of the letters of one script in s
// (isScript) by word(run), set apart by spaces, and leaves the rest.
func romaniseWords(s string, isScript func(rune) bool, word func([]rune) string) string {
	if !strings.ContainsFunc(s, isScript) {
		return s
	}
	var b strings.Builder
	in := []rune(s)
	for i := 0; i < len(in); {
		if !isScript(in[i]) {
			b.WriteRune(in[i])
			i++
			continue
		}
		j := i
		for j < len(in) && isScript(in[j]) {
			j++
		}
		b.WriteByte(' ')
		b.WriteString(word(in[i:j]))
		b.WriteByte(' ')
		i = j
	}
	return b.String()
}

func khmerWord(w []rune, sp spelling) string {
	var syl []khmerSyllable
	for i := 0; i < len(w); i++ {
		r := w[i]
		if c, ok := khmerConsonants[r]; ok {
			syl = append(syl, khmerSyllable{letters: []khmerLetter{c}, second: c.second})
			continue
		}
		if v, ok := khmerIndependent[r]; ok {
			syl = append(syl, khmerSyllable{indep: v})
			continue
		}
		if len(syl) == 0 {
			continue
		}
		cur := &syl[len(syl)-1]
		switch {
		case r == khmerCoeng && i+1 < len(w):
			if c, ok := khmerConsonants[w[i+1]]; ok {
				cur.letters = append(cur.letters, c)
				i++
			}
		case r == khmerTriisap:
			cur.second = true
		case r == khmerMusikatoan:
			cur.second = false
		case r == khmerNikahit:
			cur.nikahit = true
		case r == khmerReahmuk:
			cur.reahmuk = true
		case r == khmerSilencer:
			cur.silent = true
		default:
			if _, ok := khmerVowels[r]; ok {
				cur.vowel += string(r)
			}
		}
	}
	// ែវ ending a word reads EO (កែវ KEO), not AEV.
	if n := len(syl); n >= 2 && strings.HasSuffix(syl[n-2].vowel, "ែ") && syl[n-1].vowel == "" && !syl[n-1].nikahit &&
		len(syl[n-1].letters) == 1 && syl[n-1].letters[0].coda == "V" {
		syl[n-2].vowel = strings.TrimSuffix(syl[n-2].vowel, "ែ") + "េ"
		syl[n-1].letters = []khmerLetter{{onset: "O", coda: "O"}}
	}
	var b strings.Builder
	bare := true // the syllable before carried the inherent vowel (or there was none)
	for k, s := range syl {
		if s.silent {
			continue
		}
		last := k == len(syl)-1
		if s.indep != "" {
			b.WriteString(s.indep)
			bare = false
			continue
		}
		letters := s.letters
		hasVowel := s.vowel != "" || s.nikahit
		switch {
		case k > 0 && len(letters) > 1:
			// Inside a word a cluster's first consonant closes the
			// syllable before; a doubled digraph is written once (ញ្ញ NH),
			// and a coda the onset after it begins with is not written
			// (រដ្ឋា ROTHA, បុប្ផា BOPHA).
			coda, onset := letters[0].coda, letters[1].onset
			absorbed := coda != onset && strings.HasPrefix(onset, coda) // ដ្ឋ: T before TH
			if last && !hasVowel {
				// A final cluster reads its first consonant (ពេជ្រ PECH),
				// or its second where that one absorbs it (ពិសិដ្ឋ PISETH).
				if absorbed {
					coda = letters[1].coda
				}
				b.WriteString(coda)
				bare = false
				continue
			}
			if (coda != onset || len(coda) == 1) && !absorbed {
				b.WriteString(coda)
			}
			letters = letters[1:]
			s.second = letters[0].second // the vowel reads by the subscript that opens the syllable
		case k > 0 && !hasVowel && (last || (!bare && !closedByLast(syl, k))):
			b.WriteString(letters[0].coda) // a bare consonant closing a syllable
			bare = false
			continue
		}
		for _, l := range letters {
			b.WriteString(l.onset)
		}
		series := 0
		if s.second {
			series = 1
		}
		switch {
		case s.vowel != "":
			for _, v := range s.vowel {
				switch {
				case len(letters) == 1 && letters[0].onset == "" && (v == 'ុ' || v == 'ួ'):
					b.WriteString("OU") // អុក OUK, អួន OUN
				case v == 'ុ' && s.nikahit:
					b.WriteString("O") // ុំ is OM in either series (មុំ MOM)
				case v == 'ា' && series == 1 && last && k > 0 && sp.khmerFinalA && s.vowel == "ា" && !s.nikahit && !s.reahmuk:
					b.WriteString("A") // ដារា DARA, កញ្ញា KANHA
				default:
					b.WriteString(khmerVowels[v][series])
				}
			}
			if s.nikahit && !(s.vowel == "ា" && nextIsFinalNG(syl, k)) {
				b.WriteString("M") // but ាំង is ANG (តាំង TANG)
			}
			bare = false
		case s.nikahit:
			b.WriteString([2]string{"AM", "UM"}[series])
			bare = false
		case !last:
			inherent := [2]string{"A", "O"}[series]
			if sp.khmerO && closedBy(syl, k) {
				inherent = "O"
			}
			b.WriteString(inherent)
			bare = true
		}
		if s.reahmuk {
			b.WriteString("H")
		}
	}
	out := b.String()
	if strings.HasSuffix(out, "I") && len(out) > 1 && !strings.HasSuffix(out, "AI") {
		out = out[:len(out)-1] + "Y"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, out)
}

// closedByLast reports whether syllable k, a bare consonant after a
// vowel, is the onset of the word's last syllable rather than a coda: the
// syllable after it ends the word and is a bare consonant (or cluster) too, and a
// Khmer syllable has one final consonant, so the two are onset and coda
// with the inherent vowel between (សុផល SOPHAL, កុសល KOSAL, not SOPL).
func closedByLast(syl []khmerSyllable, k int) bool {
	if k+2 != len(syl) {
		return false
	}
	next := syl[k+1]
	return next.indep == "" && next.vowel == "" && !next.nikahit && !next.silent
}

// nextIsFinalNG reports whether the syllable after k is a bare ង ending
// the word.
func nextIsFinalNG(syl []khmerSyllable, k int) bool {
	if k+2 != len(syl) {
		return false
	}
	next := syl[k+1]
	return next.vowel == "" && !next.nikahit && len(next.letters) == 1 && next.letters[0].onset == "NG"
}

// closedBy reports whether the syllable after k closes syllable k: a
// bare consonant ending the word (ម៉ម), or a cluster whose first
// consonant is a coda (ឧត្តម: ត្ត).
func closedBy(syl []khmerSyllable, k int) bool {
	if k+1 >= len(syl) {
		return false
	}
	next := syl[k+1]
	if next.indep != "" {
		return false
	}
	bareNext := next.vowel == "" && !next.nikahit
	return (bareNext && k+2 == len(syl)) || len(next.letters) > 1
}
