package names

import "strings"

// Wade-Giles is the romanisation of Mandarin that Taiwan's passports, and
// Chinese documents older than pinyin, mostly follow: 張志明 is CHANG
// CHIH-MING where a mainland passport writes ZHANG ZHIMING, 許 HSU for XU,
// 謝 HSIEH for XIE, 郭 KUO for GUO. Passports drop its apostrophes (the
// aspiration: CH'EN is CHEN) and its umlaut (HSÜ is HSU), so one Wade-Giles
// spelling stands for several pinyin ones; the conversion runs from pinyin
// to Wade-Giles, syllable by syllable, where it is a function.

// wadeGilesInitials are pinyin's initials, longest first, with their
// Wade-Giles spelling without the apostrophe of aspiration.
var wadeGilesInitials = []struct{ pinyin, wg string }{
	{"zh", "ch"}, {"ch", "ch"}, {"sh", "sh"},
	{"b", "p"}, {"p", "p"}, {"m", "m"}, {"f", "f"},
	{"d", "t"}, {"t", "t"}, {"n", "n"}, {"l", "l"},
	{"g", "k"}, {"k", "k"}, {"h", "h"},
	{"j", "ch"}, {"q", "ch"}, {"x", "hs"},
	{"r", "j"}, {"z", "ts"}, {"c", "ts"}, {"s", "s"},
}

// wadeGilesWhole are the syllables Wade-Giles spells as a whole rather
// than initial + final: the "empty rhyme" after sibilants, and the
// syllables pinyin writes with y or w or alone. Yi stays YI, as Taiwan's
// passports print it (怡君 YI-CHUN), not the I of the dictionaries.
var wadeGilesWhole = map[string]string{
	"zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih",
	"zi": "tzu", "ci": "tzu", "si": "ssu",
	"er": "erh", "e": "o", "ye": "yeh", "you": "yu",
	"yan": "yen", "yong": "yung", "yu": "yu", "yue": "yueh", "yuan": "yuan", "yun": "yun",
	"ge": "ko", "ke": "ko", "he": "ho",
	"duo": "to", "tuo": "to", "nuo": "no", "luo": "lo", "zuo": "tso", "cuo": "tso",
	"suo": "so", "ruo": "jo", "zhuo": "cho", "chuo": "cho",
	"gui": "kuei", "kui": "kuei",
}

// wadeGiles writes one toneless pinyin syllable (lower case, ü as v, as
// go-pinyin gives it) in Wade-Giles as passports print it: upper case, no
// apostrophes, ü as U. A syllable that is not pinyin comes back in upper
// case as it was.
func wadeGiles(syllable string) string {
	if w, ok := wadeGilesWhole[syllable]; ok {
		return strings.ToUpper(w)
	}
	initial, final := "", syllable
	wgInitial := ""
	for _, in := range wadeGilesInitials {
		if strings.HasPrefix(syllable, in.pinyin) {
			initial, final, wgInitial = in.pinyin, syllable[len(in.pinyin):], in.wg
			break
		}
	}
	// After j, q, x (and y) pinyin writes ü as u: ju is chü, xuan hsüan.
	palatal := initial == "j" || initial == "q" || initial == "x"
	switch {
	case final == "ong":
		final = "ung"
	case final == "iong":
		final = "iung"
	case final == "ian":
		final = "ien"
	case final == "ie":
		final = "ieh"
	case final == "ve" || (final == "ue" && (palatal || initial == "l" || initial == "n")):
		final = "ueh" // lüeh, hsüeh
	case strings.Contains(final, "v"):
		final = strings.ReplaceAll(final, "v", "u") // lü, nü
	}
	if initial == "z" && final == "u" {
		wgInitial = "ts" // tsu; tzu only for zi
	}
	return strings.ToUpper(wgInitial + final)
}
