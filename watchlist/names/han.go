package names

import (
	"strings"
	"unicode"

	pinyin "github.com/mozillazg/go-pinyin"
)

// compoundSurnames are the two-character Chinese surnames, with their
// reading as a surname, syllable by syllable.
var compoundSurnames = map[string]string{
	"欧阳": "OU YANG", "司马": "SI MA", "诸葛": "ZHU GE", "上官": "SHANG GUAN", "东方": "DONG FANG",
	"皇甫": "HUANG FU", "尉迟": "YU CHI", "公孙": "GONG SUN", "慕容": "MU RONG", "令狐": "LING HU",
	"长孙": "ZHANG SUN", "宇文": "YU WEN", "司徒": "SI TU", "夏侯": "XIA HOU", "轩辕": "XUAN YUAN",
	"端木": "DUAN MU", "西门": "XI MEN", "南宫": "NAN GONG", "独孤": "DU GU", "呼延": "HU YAN",
	"万俟": "MO QI", "闻人": "WEN REN", "东郭": "DONG GUO", "澹台": "TAN TAI", "公冶": "GONG YE",
	"赫连": "HE LIAN", "申屠": "SHEN TU", "太史": "TAI SHI", "钟离": "ZHONG LI", "司空": "SI KONG",
	"歐陽": "OU YANG", "司馬": "SI MA", "諸葛": "ZHU GE", "長孫": "ZHANG SUN",
}

// surnameReadings are single-character surnames whose reading as a
// surname differs from the character's most common reading.
var surnameReadings = map[rune]string{
	'单': "SHAN", '單': "SHAN", '曾': "ZENG", '解': "XIE", '区': "OU", '區': "OU", '仇': "QIU",
	'朴': "PIAO", '查': "ZHA", '盖': "GE", '蓋': "GE", '乐': "YUE", '樂': "YUE", '覃': "QIN",
	'翟': "ZHAI", '缪': "MIAO", '繆': "MIAO", '隗': "WEI", '秘': "BI", '员': "YUN", '員': "YUN",
	'种': "CHONG", '種': "CHONG", '祭': "ZHAI", '冼': "XIAN", '沈': "SHEN", '过': "GUO", '過': "GUO",
	'句': "GOU", '召': "SHAO", '黑': "HE", '重': "CHONG", '华': "HUA", '華': "HUA", '任': "REN",
	'尉': "WEI", '宓': "FU", '阚': "KAN", '闞': "KAN", '郇': "HUAN", '瞿': "QU", '殷': "YIN",
	'石': "SHI", '长': "CHANG", '長': "CHANG", '贲': "BEN", '柏': "BAI", '莘': "SHEN", '纪': "JI",
	'紀': "JI", '折': "SHE", '藏': "ZANG", '蔺': "LIN", '薄': "BO", '能': "NAI", '洗': "XIAN",
	'燕': "YAN", '宁': "NING", '寧': "NING", '哈': "HA", '卜': "BU", '都': "DU", '和': "HE",
}

func newPinyinArgs() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	return a
}

// A romanisation writes one toneless pinyin syllable (go-pinyin's: lower
// case, ü as v) the way a passport prints it.
type romanisation func(syllable string) string

// hanSystems are the romanisations a Han name is read in: pinyin, as
// mainland Chinese passports write it, then Wade-Giles, as Taiwan's and
// older documents do (wadegiles.go).
var hanSystems = []romanisation{passportPinyin, wadeGiles}

// hanSyllable is the toneless pinyin of one Han character, "" for none.
func hanSyllable(r rune) string {
	p := pinyin.SinglePinyin(r, newPinyinArgs())
	if len(p) == 0 {
		return ""
	}
	return p[0]
}

// hanReading is the pinyin of one Han character as a Chinese passport
// writes it.
func hanReading(r rune) string { return passportPinyin(hanSyllable(r)) }

// passportPinyin writes a pinyin syllable as Chinese passports do:
// upper-case, ü (go-pinyin's "v") as YU.
func passportPinyin(s string) string {
	s = strings.ToUpper(s)
	if strings.Contains(s, "V") {
		s = strings.ReplaceAll(s, "V", "YU")
	}
	return s
}

// hanSyllables reads a Han string as toneless pinyin syllables, those
// go-pinyin cannot read left out; a surname is read with its surname
// reading (单 SHAN, 欧阳 OU YANG).
func hanSyllables(s string, surname bool) []string {
	s = stripNonHan(s)
	if s == "" {
		return nil
	}
	if surname {
		if r, ok := compoundSurnames[s]; ok && r != "" {
			return strings.Fields(strings.ToLower(r))
		}
		if rs := []rune(s); len(rs) == 1 {
			if r, ok := surnameReadings[rs[0]]; ok {
				return []string{strings.ToLower(r)}
			}
		}
	}
	var out []string
	for _, r := range s {
		if syl := hanSyllable(r); syl != "" {
			out = append(out, syl)
		}
	}
	return out
}

// hanNames returns the readings of a Han name, one per romanisation of
// hanSystems, without repeats (王芳 is WANG FANG in both): the surname as
// one token, each syllable of the given name a token. The syllables are
// looked up once for every romanisation.
func hanNames(surname, given string) []Name {
	sur, giv := hanSyllables(surname, true), hanSyllables(given, false)
	if len(sur)+len(giv) == 0 {
		return nil
	}
	var out []Name
	for _, write := range hanSystems {
		n := Name{Ordered: true, Script: "Han"}
		if len(sur) > 0 {
			var b strings.Builder
			for _, syl := range sur {
				b.WriteString(write(syl))
			}
			n.Surname = []string{b.String()}
		}
		for _, syl := range giv {
			n.Given = append(n.Given, write(syl))
		}
		if !containsName(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func stripNonHan(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Han, r) {
			return r
		}
		return -1
	}, s)
}

// parseHanFull splits a Han personal name into surname and given name: a
// two-character surname when the name starts with one, otherwise the first
// character; one reading per romanisation (hanNames). Names transcribed
// into Han with a middle dot (Uyghur, foreign names: 阿依古丽·买买提) have
// no Chinese surname and stay unordered, in pinyin only: their bearers'
// documents spell them from the original language, not from Han.
func parseHanFull(full string) []Name {
	if strings.ContainsAny(full, "·・•.") {
		var tokens []string
		for _, part := range strings.FieldsFunc(full, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			var b strings.Builder
			for _, r := range part {
				b.WriteString(hanReading(r))
			}
			if b.Len() > 0 { // a part of characters go-pinyin cannot read is left out
				tokens = append(tokens, b.String())
			}
		}
		if len(tokens) == 0 {
			return nil
		}
		return []Name{{Given: tokens, Script: "Han"}}
	}
	rs := []rune(stripNonHan(full))
	if len(rs) == 0 {
		return nil
	}
	cut := 1
	if len(rs) >= 3 {
		if r, ok := compoundSurnames[string(rs[:2])]; ok && r != "" {
			cut = 2
		}
	}
	return hanNames(string(rs[:cut]), string(rs[cut:]))
}
