// Package names turns personal names written in any script into the Latin
// form that ICAO 9303 machine readable zones use (upper-case A-Z), and
// compares them.
//
// Watchlists keep names in the owner's script (张小明, Nguyễn Thị Đào,
// สมชาย ใจดี); documents scanned at the border carry ICAO Latin
// (ZHANG<<XIAOMING, NGUYEN<<THI<DAO, SOMCHAI<<JAIDEE). The package
// canonicalises both sides to the same alphabet:
//
//   - Latin, Cyrillic and Greek letters lose their diacritics (NFKD with the
//     marks removed, golang.org/x/text), with the ICAO special cases
//     Đ → D, ß → SS, Þ → TH, Æ → AE, Œ → OE; where ICAO allows two spellings
//     (Ä → AE or A, Ö → OE or O, Ü → UE or U, Å → AA or A, Ø → OE or O) both
//     are produced as variants.
//   - Han characters become Hanyu Pinyin without tones (mozillazg/go-pinyin),
//     with the surname read as a surname (单 SHAN, 曾 ZENG, 区 OU ...) and the
//     two-character surnames (欧阳, 司马, 诸葛 ...) recognised; a Han name
//     is also read in Wade-Giles, as Taiwan's passports write it (張志明
//     CHANG CHIH MING besides ZHANG ZHI MING).
//   - Thai and Lao preposed vowels are moved after their consonant, Burmese
//     is romanised with a table close to passport practice, and the other
//     scripts (Thai, Lao, Khmer, Cyrillic ...) are transliterated by
//     mozillazg/go-unidecode.
//
// Transliterations of the same name still differ (Thai has several
// romanisation systems, Vietnamese names lose tone marks differently), so
// Skeleton gives a phonetic key that survives those differences and
// Similarity a Jaro-Winkler score for the final comparison.
package names

import (
	"strings"
	"unicode"
)

// Name is one canonical reading of a personal name.
type Name struct {
	// Surname and Given are canonical tokens (A-Z only).
	Surname []string
	Given   []string
	// Ordered is false when the name was written as one string whose
	// surname is unknown: then Given holds every token in written order
	// and Surname is empty.
	Ordered bool
	// Script is the script the name was written in ("Latin", "Han", ...).
	Script string
}

// Full returns the name as one canonical string, surname first.
func (n Name) Full() string {
	return strings.Join(append(append([]string{}, n.Surname...), n.Given...), " ")
}

// Split is one way of reading a name as surname and given names, each
// joined without spaces ("ZHANG", "XIAOMING").
type Split struct{ Surname, Given string }

// Splits returns the readings of n as surname and given names: one for an
// ordered name; for an unordered one, surname first (Chinese, Vietnamese,
// Khmer order) and surname last (Thai, Lao, Russian, Western order).
func (n Name) Splits() []Split {
	if n.Ordered {
		return []Split{{strings.Join(n.Surname, ""), strings.Join(n.Given, "")}}
	}
	t := n.Given
	switch len(t) {
	case 0:
		return nil
	case 1:
		return []Split{{t[0], ""}}
	}
	return []Split{
		{t[0], strings.Join(t[1:], "")},
		{t[len(t)-1], strings.Join(t[:len(t)-1], "")},
	}
}

// FromParts reads a name given as surname and given names, in any script.
// It returns one Name per spelling variant (ICAO's Ä → AE or A, for
// example); nil when neither part holds a letter.
func FromParts(surname, given string) []Name {
	script := scriptOf(surname + given)
	if script == "Han" && !strings.ContainsFunc(surname+given, isLatinLetter) {
		return hanNames(surname, given)
	}
	ss := Canonical(surname)
	gs := Canonical(given)
	var out []Name
	for _, s := range ss {
		for _, g := range gs {
			n := Name{Surname: fields(s), Given: fields(g), Ordered: true, Script: script}
			if len(n.Surname)+len(n.Given) > 0 && !containsName(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// FromFull reads a name written as one string. A Han name is split into
// its surname and given name; any other name keeps its tokens unordered.
func FromFull(full string) []Name {
	script := scriptOf(full)
	if script == "Han" && !strings.ContainsFunc(full, isLatinLetter) {
		return parseHanFull(full)
	}
	var out []Name
	for _, v := range Canonical(full) {
		n := Name{Given: fields(v), Script: script}
		if len(n.Given) > 0 && !containsName(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func containsName(list []Name, n Name) bool {
	for _, m := range list {
		if m.Full() == n.Full() && m.Ordered == n.Ordered && len(m.Surname) == len(n.Surname) {
			return true
		}
	}
	return false
}

func fields(s string) []string { return strings.Fields(s) }

func isLatinLetter(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }

// scriptOf names the script of the first letter of s that is not Common.
func scriptOf(s string) string {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		for _, sc := range []struct {
			name  string
			table *unicode.RangeTable
		}{
			{"Han", unicode.Han}, {"Latin", unicode.Latin}, {"Thai", unicode.Thai}, {"Lao", unicode.Lao},
			{"Khmer", unicode.Khmer}, {"Myanmar", unicode.Myanmar}, {"Cyrillic", unicode.Cyrillic},
			{"Greek", unicode.Greek}, {"Hangul", unicode.Hangul}, {"Arabic", unicode.Arabic},
		} {
			if unicode.Is(sc.table, r) {
				return sc.name
			}
		}
		return "Other"
	}
	return ""
}
