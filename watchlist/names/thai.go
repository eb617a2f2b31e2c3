package names

import "strings"

// Thai passports write names in the Royal Thai General System (RTGS) or
// close to it: สมชาย SOMCHAI, สุนทร SUNTHON, สวัสดิ์ SAWAT, พรหม PHROM.
// The plain reading (canonical: unidecode with Thai finals) writes the
// letters and leaves out the vowels that Thai does not write (SMCHAAY),
// so thaiPassport gives a second spelling that puts them back by the
// syllable rules:
//
//   - a consonant with no vowel sign, followed by one that opens a
//     syllable (carries a vowel sign), has the open inherent vowel A
//     (สวัส SA-WAT, นภา NA-PHA); followed by one that closes it, O
//     (สม SOM, สมพร SOM-PHON);
//   - after a vowel, a consonant closes the syllable, unless it and one
//     more consonant end the word (อุดม U-DOM); a final is read by its
//     class (ด ต ศ ส ... T, บ พ ... P, ร ล ญ ณ ... N, ย I, ว O);
//   - ห before a sonorant only marks its tone (หญิง YING, พรหม PHROM);
//     อ carries a vowel or is the vowel O (ทอง THONG); ร ล ว after some
//     consonants make a cluster (ประ PRA, ศรี SRI); รร is AN (วรรณา WANNA);
//   - a letter under the karan (์) is silent, tone marks are not written;
//   - ร after a written I or U, before another syllable, is RA: the
//     linking vowel of Sanskrit and Pali compounds (สุรชัย SURACHAI).
//
// It is an approximation: a dictionary knows where Sanskrit loans keep a
// vowel (รัตนา RATTANA reads RATNA here); the matcher's similarity takes
// the rest.
func thaiPassport(s string) (string, bool) {
	if !strings.ContainsFunc(s, isThaiLetter) {
		return s, false
	}
	return romaniseWords(s, isThaiLetter, thaiWord), true
}

func isThaiLetter(r rune) bool { return r >= 0x0E01 && r <= 0x0E4E }

var thaiInitials = map[rune]string{
	'ก': "K", 'ข': "KH", 'ฃ': "KH", 'ค': "KH", 'ฅ': "KH", 'ฆ': "KH", 'ง': "NG", 'จ': "CH", 'ฉ': "CH", 'ช': "CH",
	'ซ': "S", 'ฌ': "CH", 'ญ': "Y", 'ฎ': "D", 'ฏ': "T", 'ฐ': "TH", 'ฑ': "TH", 'ฒ': "TH", 'ณ': "N", 'ด': "D",
	'ต': "T", 'ถ': "TH", 'ท': "TH", 'ธ': "TH", 'น': "N", 'บ': "B", 'ป': "P", 'ผ': "PH", 'ฝ': "F", 'พ': "PH",
	'ฟ': "F", 'ภ': "PH", 'ม': "M", 'ย': "Y", 'ร': "R", 'ล': "L", 'ว': "W", 'ศ': "S", 'ษ': "S", 'ส': "S",
	'ห': "H", 'ฬ': "L", 'อ': "", 'ฮ': "H",
}

var thaiFinalLatin = map[rune]string{
	'ก': "K", 'ข': "K", 'ค': "K", 'ฆ': "K", 'ง': "NG", 'ม': "M", 'ย': "I", 'ว': "O",
	'บ': "P", 'ป': "P", 'พ': "P", 'ฟ': "P", 'ภ': "P",
	'ญ': "N", 'ณ': "N", 'น': "N", 'ร': "N", 'ล': "N", 'ฬ': "N",
}

// thaiVowelLatin are the vowel signs written after or over a consonant.
var thaiVowelLatin = map[rune]string{
	'ะ': "A", 'ั': "A", 'า': "A", 'ำ': "AM", 'ิ': "I", 'ี': "I", 'ึ': "UE", 'ื': "UE", 'ุ': "U", 'ู': "U",
}

func isThaiConsonantLetter(r rune) bool { _, ok := thaiInitials[r]; return ok }

func isThaiSonorant(r rune) bool { return strings.ContainsRune("งญนมยรลว", r) }

func thaiFinalOf(r rune) string {
	if f, ok := thaiFinalLatin[r]; ok {
		return f
	}
	if _, ok := thaiInitials[r]; ok {
		return "T"
	}
	return ""
}

// thaiClean drops tone marks and the maitaikhu, and each letter under a
// karan with its vowel. closed reports, for each letter it keeps, whether
// the karan silenced what followed it: such a letter ends its syllable
// (the ร of สมบูรณ์ธนา SOMBUN-THANA).
func thaiClean(w []rune) (out []rune, closed []bool) {
	out = make([]rune, 0, len(w))
	closed = make([]bool, len(w))
	for _, r := range w {
		switch {
		case r >= 0x0E48 && r <= 0x0E4B, r == 0x0E47: // tone marks, maitaikhu
		case r == 0x0E4C: // karan
			for len(out) > 0 && (out[len(out)-1] == 'ิ' || out[len(out)-1] == 'ุ') {
				out = out[:len(out)-1]
			}
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			// A cluster under the karan after a closed syllable is silent
			// whole: จันทร์ CHAN, ลักษณ์ LAK; a sonorant before the
			// karan's letter is not part of it (ภิรมย์ PHIROM).
			if k := len(out); k >= 3 && isThaiConsonantLetter(out[k-1]) && !isThaiSonorant(out[k-1]) &&
				isThaiConsonantLetter(out[k-2]) && thaiVowelLatin[out[k-3]] != "" {
				out = out[:k-1]
			}
			if k := len(out); k > 0 {
				closed[k-1] = true
			}
		default:
			closed[len(out)] = false
			out = append(out, r)
		}
	}
	return out, closed[:len(out)]
}

func thaiWord(raw []rune) string {
	w, closed := thaiClean(raw)
	n := len(w)
	isCons := func(i int) bool {
		if i >= n {
			return false
		}
		_, ok := thaiInitials[w[i]]
		return ok
	}
	hasVowelAfter := func(i int) bool { // the consonant at i carries a vowel sign
		if i+1 >= n {
			return false
		}
		_, ok := thaiVowelLatin[w[i+1]]
		return ok
	}
	var b strings.Builder
	for i := 0; i < n; {
		pre := rune(0)
		if isPreposed(w[i]) {
			pre = w[i]
			i++
			if i >= n {
				break
			}
		}
		if !isCons(i) {
			b.WriteString(thaiVowelLatin[w[i]])
			i++
			continue
		}
		// The onset: ห before a sonorant, อย, a cluster.
		c := w[i]
		onset := thaiInitials[c]
		i++
		switch {
		case i < n && ((c == 'ห' && isThaiSonorant(w[i])) || (c == 'อ' && w[i] == 'ย')) && (i+1 >= n || !isCons(i+1) || hasVowelAfter(i) || pre != 0):
			onset = thaiInitials[w[i]]
			i++
		case i+1 < n && ((w[i] == 'ร' && strings.ContainsRune("กขคตปผพศส", c)) || (w[i] == 'ล' && strings.ContainsRune("กขคปผพ", c)) ||
			(w[i] == 'ว' && strings.ContainsRune("กขค", c))) && w[i+1] != 'ร' && (hasVowelAfter(i) || isCons(i+1)):
			onset += thaiInitials[w[i]]
			if c == 'ศ' || c == 'ส' {
				onset = "SR"
				if pre != 0 {
					onset = "S" // ร silent after ส under a preposed vowel (เสริม SOEM)
				}
			}
			i++
		case pre == 'เ' && i+2 < n && isCons(i) && w[i+1] == 'ิ' && isCons(i+2) && !hasVowelAfter(i+2):
			// เ…ิ with a final is OE and belongs to the second of two
			// consonants that make no cluster; the first keeps the open
			// A (เจริญ CHAROEN, เฉลิม CHALOEM).
			b.WriteString(onset + "A")
			onset = thaiInitials[w[i]]
			i++
		}
		b.WriteString(onset)
		// The vowel.
		vowel := ""
		for i < n {
			if v, ok := thaiVowelLatin[w[i]]; ok {
				vowel += v
				i++
				continue
			}
			break
		}
		switch {
		case pre == 'เ' && vowel == "" && i < n && w[i] == 'อ':
			vowel = "OE"
			i++
		case pre == 'เ' && vowel == "A":
			vowel = "AO"
		case pre == 'เ' && vowel == "I" && i < n && w[i] == 'ย':
			vowel = "IA"
			i++
		case pre == 'เ' && vowel == "I" && i < n && isCons(i) && !hasVowelAfter(i):
			vowel = "OE" // เ…ิ before a final (เดิน DOEN, เปิด POET)
		case pre == 'เ' && vowel == "UE" && i < n && w[i] == 'อ':
			vowel = "UEA"
			i++
		case pre != 0:
			vowel = map[rune]string{'เ': "E", 'แ': "AE", 'โ': "O", 'ใ': "AI", 'ไ': "AI"}[pre] + vowel
		case vowel == "UE" && i < n && w[i] == 'อ':
			i++
		case vowel == "A" && w[i-1] == 'ั' && i < n && w[i] == 'ว' && (i+1 >= n || !hasVowelAfter(i)):
			vowel = "UA"
			i++
		case vowel == "" && i+1 < n && w[i] == 'ว' && isCons(i+1) && !hasVowelAfter(i) && !hasVowelAfter(i+1):
			vowel = "UA" // ว between two consonants is the vowel UA (ชวน CHUAN)
			i++
		case vowel == "" && i < n && w[i] == 'อ' && !hasVowelAfter(i):
			vowel = "O"
			i++
		case vowel == "" && i+1 < n && w[i] == 'ร' && w[i+1] == 'ร':
			vowel = "A"
			i += 2
			if i >= n || !isCons(i) || hasVowelAfter(i) {
				vowel = "AN"
			}
		case vowel == "":
			// The inherent vowel: open before a consonant that opens a
			// syllable, closed before one that closes it.
			if i < n && isCons(i) && (hasVowelAfter(i) || (i+1 < n && isPreposed(w[i+1]))) {
				vowel = "A"
			} else {
				vowel = "O"
			}
		}
		b.WriteString(vowel)
		written := vowel != "O" || pre != 0
		// The final.
		if i < n && isCons(i) && !hasVowelAfter(i) {
			j := i
			if w[j] == 'ห' && j+1 < n && isThaiSonorant(w[j+1]) && !(j+2 < n && thaiVowelLatin[w[j+2]] != "") {
				j++ // ห before a final sonorant is silent (พรหม)
			}
			// After a written vowel, a consonant that one more consonant
			// follows to the end of the word opens the last syllable
			// (อุดม U-DOM); ร there is silent after a final (เพชร PHET).
			opens := written && j+2 == n && isCons(j+1) && w[j+1] != 'ร' && !strings.HasSuffix(vowel, "M")
			// In a compound of Sanskrit or Pali words, ร after a written I
			// or U, with a syllable after it, links the two with A: สุรชัย
			// SURACHAI, จิรวัฒน์ CHIRAWAT, ธีรพงษ์ THIRAPHONG.
			linking := !opens && j == i && w[j] == 'ร' && !closed[j] && pre == 0 && (vowel == "I" || vowel == "U") && j+1 < n &&
				(isPreposed(w[j+1]) || (isCons(j+1) && (hasVowelAfter(j+1) || (j+2 < n && isCons(j+2)))))
			if linking {
				b.WriteString("RA")
				i = j + 1
			} else if !opens {
				f := thaiFinalOf(w[j])
				if f == "I" && strings.HasSuffix(vowel, "I") {
					f = ""
				}
				b.WriteString(f)
				i = j + 1
				if i < n && w[i] == 'ร' && i+1 == n {
					i++ // ร after a final is silent
				}
			}
		}
	}
	return b.String()
}
