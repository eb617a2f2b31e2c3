package names

import (
	"strings"
	"unicode"

	pinyin "github.com/mozillazg/go-pinyin"
)

// compoundSurnames are the two-character Chinese surnames, with their
// reading as a surname.
var compoundSurnames = map[string]string{
	"欧阳": "OUYANG", "司马": "SIMA", "诸葛": "ZHUGE", "上官": "SHANGGUAN", "东方": "DONGFANG",
	"皇甫": "HUANGFU", "尉迟": "YUCHI", "公孙": "GONGSUN", "慕容": "MURONG", "令狐": "LINGHU",
	"长孙": "ZHANGSUN", "宇文": "YUWEN", "司徒": "SITU", "夏侯": "XIAHOU", "轩辕": "XUANYUAN",
	"端木": "DUANMU", "西门": "XIMEN", "南宫": "NANGONG", "独孤": "DUGU", "呼延": "HUYAN",
	"万俟": "MOQI", "闻人": "WENREN", "东郭": "DONGGUO", "澹台": "TANTAI", "公冶": "GONGYE",
	"赫连": "HELIAN", "申屠": "SHENTU", "太史": "TAISHI", "钟离": "ZHONGLI", "司空": "SIKONG",
	"歐陽": "OUYANG", "司馬": "SIMA", "諸葛": "ZHUGE", "長孫": "ZHANGSUN",
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

// hanReading is the toneless pinyin of one Han character, as a Chinese
// passport writes it (ü as YU).
func hanReading(r rune) string {
	p := pinyin.SinglePinyin(r, newPinyinArgs())
	if len(p) == 0 {
		return ""
	}
	return passportPinyin(p[0])
}

// passportPinyin writes a pinyin syllable as Chinese passports do:
// upper-case, ü (go-pinyin's "v") as YU.
func passportPinyin(s string) string {
	s = strings.ToUpper(s)
	if strings.Contains(s, "V") {
		s = strings.ReplaceAll(s, "V", "YU")
	}
	return s
}

// hanToLatin reads a Han string as syllable tokens; a surname is read with
// its surname reading and as one token.
func hanToLatin(s string, surname bool) []string {
	s = stripNonHan(s)
	if s == "" {
		return nil
	}
	if surname {
		if r, ok := compoundSurnames[s]; ok && r != "" {
			return []string{r}
		}
		rs := []rune(s)
		if len(rs) == 1 {
			if r, ok := surnameReadings[rs[0]]; ok {
				return []string{r}
			}
		}
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(hanReading(r))
		}
		return []string{b.String()}
	}
	var out []string
	for _, r := range s {
		if syl := hanReading(r); syl != "" {
			out = append(out, syl)
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
// character. Names transcribed into Han with a middle dot (Uyghur, foreign
// names: 阿依古丽·买买提) have no Chinese surname and stay unordered.
func parseHanFull(full string) (Name, bool) {
	if strings.ContainsAny(full, "·・•.") {
		var tokens []string
		for _, part := range strings.FieldsFunc(full, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			var b strings.Builder
			for _, r := range part {
				b.WriteString(hanReading(r))
			}
			tokens = append(tokens, b.String())
		}
		return Name{Given: tokens, Script: "Han"}, len(tokens) > 0
	}
	rs := []rune(stripNonHan(full))
	if len(rs) == 0 {
		return Name{}, false
	}
	cut := 1
	if len(rs) >= 3 {
		if r, ok := compoundSurnames[string(rs[:2])]; ok && r != "" {
			cut = 2
		}
	}
	return Name{
		Surname: hanToLatin(string(rs[:cut]), true),
		Given:   hanToLatin(string(rs[cut:]), false),
		Ordered: true,
		Script:  "Han",
	}, true
}
