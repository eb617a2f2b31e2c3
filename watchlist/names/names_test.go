package names

import (
	"reflect"
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Nguyễn Thị Đào", []string{"NGUYEN THI DAO"}},
		{"Trần Đức Lương", []string{"TRAN DUC LUONG"}},
		{"Müller", []string{"MULLER", "MUELLER"}},
		{"Jürgen Straße", []string{"JURGEN STRASSE", "JUERGEN STRASSE"}},
		{"Ørsted", []string{"ORSTED", "OERSTED"}},
		{"Åsa", []string{"ASA", "AASA"}},
		{"Łukasz Żółć", []string{"LUKASZ ZOLC"}},
		{"Þórður", []string{"THORDUR"}},
		{"O'Brien-Smith", []string{"O BRIEN SMITH"}},
		{"Владимир Щербаков", []string{"VLADIMIR SHCHERBAKOV"}},
		{"Юлия Ёлкина", []string{"IULIIA ELKINA", "YULIYA YOLKINA"}}, // ICAO 9303, and Russian passports before 2015
		{"Дмитрий Ерёменко", []string{"DMITRII EREMENKO", "DMITRIY YERYOMENKO"}},
		{"Наталья", []string{"NATALIA", "NATALYA"}},        // ICAO leaves Ь out
		{"Подъячев", []string{"PODIEIACHEV", "PODYACHEV"}}, // and writes Ъ IE
		{"ＺＨＡＮＧ", []string{"ZHANG"}},                       // full-width, from some keyboards
		{"ZHANG<<XIAO<MING", []string{"ZHANG XIAO MING"}},
		{"", []string{""}},
		// Second spellings, as passports of these countries write them
		// besides the reading by the rules.
		{"ម៉ម", []string{"MAM", "MOM"}},                   // a closed first-series syllable: A or O
		{"ដារា", []string{"DAREA", "DARA"}},               // a word-final second-series ា: EA or A
		{"កញ្ញា", []string{"KANHEA", "KONHEA", "KANHA"}},  // ... beside the closed syllable's O
		{"ជា", []string{"CHEA"}},                          // ... in a word of more than one syllable
		{"ឧត្តម", []string{"UTTAM", "UTTOM"}},             // ... closed by a cluster's coda
		{"សុខ", []string{"SOK"}},                          // no inherent vowel: one spelling
		{"ဆန်း", []string{"HSAN", "SAN"}},                 // Burmese ဆ: HS or S
		{"ကျော်ဆန်း", []string{"KYAWHSAN", "KYAWSAN"}},    // ... inside a name
		{"ဝေဝင်း", []string{"WEWIN", "WAYWIN"}},           // Burmese ေ: E or AY
		{"မေကျော်", []string{"MEKYAW", "MAYKYAW"}},        // ... but ော is AW
		{"မြ", []string{"MYA"}},                           // a Burmese consonant without a vowel sign: A
		{"မလှ", []string{"MAHLA"}},                        // ... before another syllable; ှ first
		{"ကံ", []string{"KAN"}},                           // ... before ံ
		{"ထွန်းဝင်းမျိုး", []string{"HTUNWINMYO"}},        // ... not before a rhyme, ် or a vowel sign
		{"ສຸລິຍາ", []string{"SULINYAA", "SOULIYA"}},       // Lao vowels and ຍ, the passport way
		{"ທອງບຸນ", []string{"THONGBUN", "THONGBOUN"}},     // ຸ is OU
		{"ຄຳພອນ", []string{"KHMAAPHON", "KHAMPHONE"}},     // ຳ is AM; ອ before a final ນ ONE
		{"ນາລີ", []string{"NAALII", "NALY"}},              // a long I ends the word: Y
		{"ມະນີວົງ", []string{"MANIIWONG", "MANIVONG"}},    // ... only there; ວ starting a syllable V
		{"ສະຫວັນຄຳ", []string{"SAHWNKHMAA", "SAVANKHAM"}}, // ຫ before a sonorant is not written
		{"ມະຫາໄຊ", []string{"MAHAASAI", "MAHAXAY"}},       // ... before a vowel it is H; ໄ AY, ຊ X
		{"ສີສະຫວາດ", []string{"SIISAHWAAD", "SISAVATH"}},  // a final ດ TH
		{"ທອງລຸນ ສີສຸລິດ", []string{"THONGLUN SIISULID", "THONGLOUN SISOULITH"}},
		{"ສອນໄຊ ສີພັນດອນ", []string{"SONSAI SIIPHNDON", "SONEXAY SIPHANDONE"}},
		{"ພັນຄຳ ວິພາວັນ", []string{"PHNKHMAA WIPHAAWN", "PHANKHAM VIPHAVANH"}}, // ັນ ending a word ANH
		{"ສົມສັກ", []string{"SOMSK", "SOMSACK"}},                               // ັກ ending a word ACK
		{"ແກ້ວ", []string{"KEIW", "KEO"}},                                      // ແ…ວ EO
		{"ສະເລີມໄຊ", []string{"SALEIIMSAI", "SALEUMXAY"}},                      // ເ…ີ EU
		{"ດວງຈັນ ບົວ", []string{"DWNGCHN BOW", "DOUANGCHANH BOUA"}},            // the vowel ວ OUA
		{"ຂາວ ຄວາມ", []string{"KHAAW KHWAAM", "KHAO KHWAM"}},                   // ... a final ວ O; after a consonant W
		{"สมชาย ใจดี", []string{"SMCHAAY CCHAIDII", "SOMCHAI CHAIDI"}},         // Thai by syllables (thai.go)
	}
	for _, tt := range tests {
		if got := Canonical(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHanNames(t *testing.T) {
	tests := []struct {
		full, surname, given string
		// wgSurname and wgGiven are the Wade-Giles reading, the second.
		wgSurname, wgGiven string
	}{
		{"张小明", "ZHANG", "XIAO MING", "CHANG", "HSIAO MING"},
		{"单田芳", "SHAN", "TIAN FANG", "SHAN", "TIEN FANG"},
		{"曾国藩", "ZENG", "GUO FAN", "TSENG", "KUO FAN"},
		{"解缙", "XIE", "JIN", "HSIEH", "CHIN"},
		{"区小红", "OU", "XIAO HONG", "OU", "HSIAO HUNG"},
		{"仇英", "QIU", "YING", "CHIU", "YING"},
		{"朴正熙", "PIAO", "ZHENG XI", "PIAO", "CHENG HSI"},
		{"查良镛", "ZHA", "LIANG YONG", "CHA", "LIANG YUNG"},
		{"欧阳修", "OUYANG", "XIU", "OUYANG", "HSIU"},
		{"司马光", "SIMA", "GUANG", "SSUMA", "KUANG"},
		{"诸葛亮", "ZHUGE", "LIANG", "CHUKO", "LIANG"},
		{"上官婉儿", "SHANGGUAN", "WAN ER", "SHANGKUAN", "WAN ERH"},
		{"吕丽", "LYU", "LI", "LU", "LI"},
		{"張小明", "ZHANG", "XIAO MING", "CHANG", "HSIAO MING"}, // traditional characters
		// Taiwanese passports write Wade-Giles.
		{"蔣經國", "JIANG", "JING GUO", "CHIANG", "CHING KUO"},
		{"李登輝", "LI", "DENG HUI", "LI", "TENG HUI"},
		{"許志明", "XU", "ZHI MING", "HSU", "CHIH MING"},
		{"周子瑜", "ZHOU", "ZI YU", "CHOU", "TZU YU"},
		{"王芳", "WANG", "FANG", "", ""}, // the same in both
	}
	for _, tt := range tests {
		want := 2
		if tt.wgSurname == "" {
			want = 1
		}
		got := FromFull(tt.full)
		if len(got) != want {
			t.Fatalf("FromFull(%q) gave %d names, want %d: %+v", tt.full, len(got), want, got)
		}
		check := func(n Name, surname, given string) {
			t.Helper()
			if !n.Ordered || strings.Join(n.Surname, " ") != surname || strings.Join(n.Given, " ") != given || n.Script != "Han" {
				t.Errorf("FromFull(%q) = %+v, want %s / %s", tt.full, n, surname, given)
			}
		}
		check(got[0], tt.surname, tt.given)
		if want == 2 {
			check(got[1], tt.wgSurname, tt.wgGiven)
		}
		rs := []rune(tt.full)
		cut := len(rs) - len(strings.Fields(tt.given))
		parts := FromParts(string(rs[:cut]), string(rs[cut:]))
		if len(parts) != want || strings.Join(parts[0].Surname, " ") != tt.surname ||
			(want == 2 && strings.Join(parts[1].Surname, " ") != tt.wgSurname) {
			t.Errorf("FromParts for %q = %+v", tt.full, parts)
		}
	}
	// Uyghur name transcribed in Han: no Chinese surname, order unknown,
	// and no Wade-Giles reading (the bearer's documents spell it from
	// Uyghur).
	u := FromFull("阿依古丽·买买提")
	if len(u) != 1 || u[0].Ordered || strings.Join(u[0].Given, " ") != "AYIGULI MAIMAITI" {
		t.Errorf("Uyghur name: %+v", u)
	}
}

// TestWadeGiles checks the pinyin-to-Wade-Giles conversion syllable by
// syllable against the system's tables (apostrophes and umlauts dropped,
// as passports print them).
func TestWadeGiles(t *testing.T) {
	for pinyin, want := range map[string]string{
		// initials
		"ba": "PA", "pa": "PA", "da": "TA", "ta": "TA", "ga": "KA", "ka": "KA",
		"ji": "CHI", "qi": "CHI", "xi": "HSI", "zha": "CHA", "cha": "CHA", "sha": "SHA",
		"rang": "JANG", "za": "TSA", "ca": "TSA", "sa": "SA", "zu": "TSU", "cu": "TSU",
		// the empty rhyme
		"zhi": "CHIH", "chi": "CHIH", "shi": "SHIH", "ri": "JIH", "zi": "TZU", "ci": "TZU", "si": "SSU",
		// finals
		"zhong": "CHUNG", "song": "SUNG", "xiong": "HSIUNG", "qiong": "CHIUNG", "tian": "TIEN",
		"xie": "HSIEH", "lie": "LIEH", "jue": "CHUEH", "xue": "HSUEH", "lve": "LUEH", "nve": "NUEH",
		"lv": "LU", "nv": "NU", "ju": "CHU", "xu": "HSU", "qu": "CHU", "jun": "CHUN", "xuan": "HSUAN",
		"de": "TE", "zhe": "CHE", "re": "JE", "ze": "TSE", "ge": "KO", "ke": "KO", "he": "HO", "e": "O",
		"guo": "KUO", "huo": "HUO", "luo": "LO", "duo": "TO", "zuo": "TSO", "ruo": "JO", "zhuo": "CHO", "shuo": "SHUO",
		"gui": "KUEI", "kui": "KUEI", "hui": "HUI", "dui": "TUI", "rui": "JUI",
		"er": "ERH", "yi": "YI", "ye": "YEH", "you": "YU", "yu": "YU", "yan": "YEN", "yong": "YUNG",
		"yue": "YUEH", "yuan": "YUAN", "yun": "YUN", "ying": "YING", "wu": "WU", "wang": "WANG",
		"ming": "MING", "feng": "FENG", "liu": "LIU", "zhou": "CHOU", "kang": "KANG",
	} {
		if got := wadeGiles(pinyin); got != want {
			t.Errorf("wadeGiles(%q) = %q, want %q", pinyin, got, want)
		}
	}
}

// Each watchlist name, in its owner's script, must reach the ICAO Latin its
// passport carries: as the same skeleton for every part.
func TestCrossScriptSkeletons(t *testing.T) {
	tests := []struct {
		script, full, mrzSurname, mrzGiven string
	}{
		{"Han", "张小明", "ZHANG", "XIAO MING"},
		{"Han", "张小明", "ZHANG", "XIAOMING"},
		{"Latin", "Nguyễn Thị Đào", "NGUYEN", "THI DAO"},
		{"Thai", "สมชาย ใจดี", "JAIDEE", "SOMCHAI"},
		{"Thai", "สมศรี รักไทย", "RAKTHAI", "SOMSRI"},
		{"Thai", "สมศรี รักไทย", "RAKTHAI", "SOMSI"},
		{"Thai", "ประเสริฐ สุขนาค", "SUKNAK", "PRASOET"},
		{"Thai", "ประเสริฐ สุขนาค", "SUKNAK", "PRASERT"},
		{"Thai", "ทรายทอง ใจดี", "JAIDI", "SAITHONG"},
		{"Lao", "ສົມພອນ ແກ້ວມະນີ", "KEOMANY", "SOMPHONE"},
		{"Khmer", "ហ៊ុន សែន", "HUN", "SEN"},
		{"Khmer", "សុខ ចាន់", "SOK", "CHAN"},
		{"Khmer", "ទូច ធីតា", "TOUCH", "THIDA"},
		{"Khmer", "ជា សុភាព", "CHEA", "SOPHEAP"},
		{"Myanmar", "အောင်ဆန်းစုကြည်", "", "AUNG SAN SUU KYI"},
		{"Myanmar", "ဦးသိန်းစိန်", "", "THEIN SEIN"},
		{"Cyrillic", "Иванов Сергей", "IVANOV", "SERGEI"},
		{"Cyrillic", "Щербакова Юлия", "SHCHERBAKOVA", "IULIIA"},
	}
	for _, tt := range tests {
		t.Run(tt.full, func(t *testing.T) {
			forms := FromFull(tt.full)
			if len(forms) == 0 {
				t.Fatal("no reading")
			}
			if forms[0].Script != tt.script {
				t.Errorf("script %q, want %q", forms[0].Script, tt.script)
			}
			want := Skeleton(strings.ReplaceAll(tt.mrzSurname+tt.mrzGiven, " ", ""))
			wantRev := Skeleton(strings.ReplaceAll(tt.mrzGiven+tt.mrzSurname, " ", ""))
			for _, n := range forms {
				for _, sp := range n.Splits() {
					for _, got := range []string{Skeleton(sp.Surname + sp.Given), Skeleton(sp.Given + sp.Surname)} {
						if got == want || got == wantRev {
							return
						}
					}
				}
			}
			t.Errorf("no reading of %q (%+v) has the skeleton %q of %s / %s", tt.full, forms, want, tt.mrzSurname, tt.mrzGiven)
		})
	}
}

func TestSkeleton(t *testing.T) {
	same := [][2]string{
		{"THEIN", "TEIN"}, {"SOMCHAI", "SOMCHAY"}, {"JAIDEE", "CHAIDI"}, {"ZHANG", "CHANG"},
		{"NGUYEN", "NGUYEN"}, {"PHAM", "FAM"}, {"PHIM", "PIM"}, {"PHILIP", "FILIP"}, {"XIAOMING", "SHIAOMING"}, {"LUONG", "LUONG"}, {"RAK", "LAK"},
	}
	for _, p := range same {
		if Skeleton(p[0]) != Skeleton(p[1]) {
			t.Errorf("Skeleton(%s)=%s, Skeleton(%s)=%s, want equal", p[0], Skeleton(p[0]), p[1], Skeleton(p[1]))
		}
	}
	differ := [][2]string{{"WANG", "ZHANG"}, {"LI", "MA"}, {"TRAN", "NGUYEN"}, {"ANNA", "MARIA"}}
	for _, p := range differ {
		if Skeleton(p[0]) == Skeleton(p[1]) {
			t.Errorf("Skeleton(%s) = Skeleton(%s) = %s, want different", p[0], p[1], Skeleton(p[0]))
		}
	}
}

func TestSimilarity(t *testing.T) {
	if s := Similarity("ZHANGXIAOMING", "ZHANGXIAOMING"); s != 1 {
		t.Errorf("identical: %v", s)
	}
	if s := Similarity("ZHANGXIAOMING", "ZHANGXIAOMNG"); s < 0.95 {
		t.Errorf("one letter dropped: %v", s)
	}
	if s := Similarity("ZHANGXIAOMING", "WANGLI"); s > 0.7 {
		t.Errorf("different names: %v", s)
	}
}

func TestWithinOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"TAO", "TAO", true},
		{"TO", "TAO", true},   // a letter dropped
		{"TAO", "TO", true},   // either way round
		{"LI", "LY", true},    // one replaced
		{"YUN", "YUAN", true}, // one inserted
		{"SOK", "SOKHA", false},
		{"JIA", "CHEA", false},
		{"", "A", true},
		{"RASMEY", "MALY", false},
	} {
		if got := WithinOneEdit(c.a, c.b); got != c.want {
			t.Errorf("WithinOneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestSplits(t *testing.T) {
	n := FromFull("Somchai Jaidee")[0]
	got := n.Splits()
	want := []Split{{"SOMCHAI", "JAIDEE"}, {"JAIDEE", "SOMCHAI"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Splits = %v, want %v", got, want)
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"张小明", "Nguyễn Thị Đào", "สมชาย ใจดี", "အောင်ဆန်းစုကြည်", "Müller", "\xff\xfe",
		"ម៉ម ឧត្តម", "ສຸລິຍາ", "เ", "ห", "์", "พรหมบุญ", "รร", "ไทย", "Подъячев Наталья", "Ъ", "สมบูรณ์ธนา", "ນາລີ", "張志明", "欧阳修", "𠀀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range Canonical(s) {
			for i := 0; i < len(v); i++ {
				if c := v[i]; !(c >= 'A' && c <= 'Z') && c != ' ' {
					t.Fatalf("Canonical(%q) = %q holds %q", s, v, c)
				}
			}
			if strings.HasPrefix(v, " ") || strings.HasSuffix(v, " ") || strings.Contains(v, "  ") {
				t.Fatalf("Canonical(%q) = %q has stray spaces", s, v)
			}
		}
		// Han names in pinyin and Wade-Giles, and the rest: tokens of A-Z.
		for _, n := range append(FromFull(s), FromParts(s, s)...) {
			for _, tok := range append(append([]string{}, n.Surname...), n.Given...) {
				if tok == "" || strings.Trim(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
					t.Fatalf("a reading of %q holds the token %q", s, tok)
				}
			}
		}
		_ = Skeleton(CanonicalPlain(s))
	})
}

// The spelling rules a character-by-character transliteration misses.
func TestScriptSpellingRules(t *testing.T) {
	tests := []struct {
		rule, in, want string
	}{
		{"Thai karan silences its letter and vowel", "สมศักดิ์", "SMSAK"},
		{"Thai final ร is N", "สมพร", "SMPHN"},
		{"Thai final stop ช is T, ร after it silent", "เพชร", "PHET"},
		{"Thai final ล is N", "กุล", "KUN"},
		{"Thai preposed vowel follows its consonant", "ใจดี", "CAIDII"},
		{"Lao ອ inside a syllable is O", "ພອນ", "PHON"},
		{"Lao preposed vowel follows its consonant", "ແກ້ວ", "KAEW"},
		{"Burmese medial H comes first", "လှ", "HLA"},
		{"Burmese creaky tone after a nasal is T", "သန့်", "THNT"},
		{"Burmese honorific dropped", "ဦးသိန်းစိန်", "THINSIN"},
		{"Burmese ော is AW", "ကျော်", "KYAW"},
		{"Burmese ို is O", "မျိုး", "MYO"},
		{"Burmese ိုင် is AING", "ခိုင်", "KHAING"},
		{"Burmese င် alone is IN", "လင်း", "LIN"},
		{"Burmese က် is ET", "ထက်", "HTET"},
		{"Burmese ချ is CH, စ် is IT", "ချစ်", "CHIT"},
		{"Burmese ယ် is E", "နွယ်", "NWE"},
		{"Burmese ွန့် is UNT", "ညွန့်", "NYUNT"},
		{"Burmese ဖ is PH", "ဖြူ", "PHYU"},
	}
	for _, tt := range tests {
		got := strings.ReplaceAll(CanonicalPlain(tt.in), " ", "")
		if Skeleton(got) != Skeleton(tt.want) || !strings.HasPrefix(got, tt.want[:1]) {
			t.Errorf("%s: %q reads %q, want %q (skeleton %s, want %s)", tt.rule, tt.in, got, tt.want, Skeleton(got), Skeleton(tt.want))
		}
	}
}

// Khmer reads the way Cambodian passports write names, by sound and
// consonant series, not letter by letter (unidecode gives ទូច DUUC,
// ធីតា DHIITAA).
func TestKhmerPassportSpelling(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ទូច", "TOUCH"},       // ទ second series: ូ is OU; final ច CH
		{"ធីតា", "THITA"},      // ធ TH; ី after the second series is I (passports write THIDA: near enough)
		{"ជា", "CHEA"},         // ា after a second-series consonant is EA
		{"ដារា", "DAREA"},      // ... and A after a first-series one
		{"សុខ", "SOK"},         // final ខ is K
		{"ពៅ", "POV"},          // ៅ after the second series is OV
		{"ម៉ៅ", "MAO"},         // ៉ moves ម to the first series: AO
		{"ហ៊ុន", "HUN"},        // ៊ moves ហ to the second series: U
		{"ផល", "PHAL"},         // the inherent vowel of the first series is A
		{"រស់", "ROS"},         // ... of the second, O
		{"សុខលី", "SOKLY"},     // a bare consonant after a vowel closes the syllable; final I is Y
		{"ស្រីមុំ", "SREYMOM"}, // an onset cluster; ុំ is OM
		{"ចន្ថា", "CHANTHA"},   // a cluster inside a word: coda N, onset TH
		{"កញ្ញា", "KANHEA"},    // a doubled digraph written once; ា reads by ញ, second series
		{"ពេជ្រ", "PECH"},      // a final cluster reads its first consonant
		{"សំណាង", "SAMNANG"},   // ំ after the first series is AM
		{"កែវ", "KEO"},         // ែវ is EO
		{"អ៊ុក", "OUK"},        // អ carries the vowel: ុ is OU
		{"ឯក", "EK"},           // an independent vowel
		{"ឈាង", "CHHEANG"},
		{"ខៀវ", "KHIEV"},
		{"សុផល", "SOPHAL"},    // a bare consonant before a bare one ending the word opens a syllable
		{"កុសល", "KOSAL"},     // ... (a syllable has one final consonant)
		{"សុវណ្ណ", "SOVON"},   // ... and before a final cluster
		{"រដ្ឋា", "ROTHA"},    // a coda the next onset begins with is not written (T before TH)
		{"បុប្ផា", "BOPHA"},   // ... (P before PH)
		{"ពិសិដ្ឋ", "PISETH"}, // ... and a final cluster reads the consonant that absorbs it
		{"តាំង", "TANG"},      // ាំង is ANG
	}
	for _, tt := range tests {
		if got := CanonicalPlain(tt.in); got != tt.want {
			t.Errorf("%s reads %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Thai names read by syllables, the way Thai passports write them (RTGS),
// against the spellings of the generator's tables (testbench/tables.go).
// Known misses, where only a dictionary knows: สุรชัย SURACHAI, รัตนา RATTANA, สมบัติ SOMBAT,
// จันทร์ CHAN; and popular spellings (ใจ JAI, ดี DEE) that RTGS writes CHAI, DI.
func TestThaiPassportSpelling(t *testing.T) {
	tests := []struct{ in, want string }{
		{"สมชาย", "SOMCHAI"},          // closed inherent O; า + final ย is AI
		{"ประเสริฐ", "PRASOET"},       // เ…ิ before a final is OE; ร silent after ส under เ
		{"เจริญ", "CHAROEN"},          // จร no cluster: CHA, then OE on ร
		{"เฉลิม", "CHALOEM"},          // ฉล no cluster
		{"เพลิน", "PHLOEN"},           // พล a cluster
		{"เกิด", "KOET"},              // final ด is T
		{"สมศักดิ์", "SOMSAK"},        // the karan silences ดิ
		{"สมศรี", "SOMSRI"},           // ศร is a cluster
		{"วิชัย", "WICHAI"},           // ั + ย
		{"ปรีชา", "PRICHA"},           // ปร cluster
		{"นภา", "NAPHA"},              // open inherent A before a syllable with a vowel
		{"ชัยวัฒน์", "CHAIWAT"},       // final ฒ is T
		{"สมพร", "SOMPHON"},           // final ร is N
		{"อรุณ", "ARUN"},              // อ carries the open A
		{"กัญญา", "KANYA"},            // final ญ N, initial ญ Y
		{"สุนทร", "SUNTHON"},          // ทร: inherent O, final N
		{"อำนาจ", "AMNAT"},            // ำ AM; final จ T
		{"พิมพ์", "PHIM"},             // the karan silences the last พ
		{"กิตติ", "KITTI"},            // final ต, then ติ
		{"ปิยะ", "PIYA"},              // ย opens a syllable
		{"วรรณา", "WANNA"},            // รร is AN
		{"มานพ", "MANOP"},             // a consonant and one more end the word: N-O-P
		{"สมหญิง", "SOMYING"},         // ห before a sonorant marks the tone
		{"อุดม", "UDOM"},              // ... after a written vowel: U-DOM
		{"วิไล", "WILAI"},             // ไ before its consonant
		{"ทอง", "THONG"},              // อ is the vowel O
		{"แก้ว", "KAEO"},              // the tone mark is not written; final ว O
		{"ไทย", "THAI"},               // final ย after AI
		{"ใหญ่", "YAI"},               // ห before ญ
		{"พรหม", "PHROM"},             // พร cluster; ห before a final sonorant is silent
		{"เพชร", "PHET"},              // ร after a final is silent
		{"สมบูรณ์", "SOMBUN"},         // the karan silences ณ; final ร N
		{"มงคล", "MONGKHON"},          // two closed syllables
		{"สวัสดิ์", "SAWAT"},          // open A before วั
		{"พรหมบุญ", "PHROMBUN"},       // an exact miss of TestRecall before
		{"สวัสดิ์ศักดิ์", "SAWATSAK"}, // ... the other
		{"สุรชัย", "SURACHAI"},        // ร after U links with A, before a syllable with a vowel
		{"จิรวัฒน์", "CHIRAWAT"},      // ... after I
		{"ธีรพงษ์", "THIRAPHONG"},     // ... before two consonants
		{"สุรเชษฐ์", "SURACHET"},      // ... before a preposed vowel
		{"ภิรมย์", "PHIROM"},          // ร and one consonant end the word: RO-M
		{"สมบูรณ์ธนา", "SOMBUNTHANA"}, // ร before a letter the karan silences ends its syllable
	}
	for _, tt := range tests {
		got, ok := thaiPassport(tt.in)
		if got = CanonicalPlain(got); !ok || got != tt.want {
			t.Errorf("%s reads %q, want %q", tt.in, got, tt.want)
		}
	}
	if _, ok := thaiPassport("Somchai"); ok {
		t.Error("a Latin name was rewritten")
	}
}

// The syllable rules were written with the generator's Thai names in view
// (above); these are other names, in the spellings their holders use:
// 16 of 24 came out exactly at the first reading, 18 after the one rule
// their misses showed (a cluster under the karan is silent whole), and
// the rest (Sanskrit loans whose unwritten vowels only a dictionary
// knows: ถนอม THANOM, นพดล NOPPHADON) within the matcher's reach.
func TestThaiPassportSpellingOfOtherNames(t *testing.T) {
	names := [][2]string{{"ประยุทธ์", "PRAYUT"}, {"ยิ่งลักษณ์", "YINGLAK"}, {"ทักษิณ", "THAKSIN"}, {"อภิสิทธิ์", "APHISIT"},
		{"ชวน", "CHUAN"}, {"บรรหาร", "BANHAN"}, {"เปรม", "PREM"}, {"ถนอม", "THANOM"}, {"สุจินดา", "SUCHINDA"},
		{"ชาติชาย", "CHATCHAI"}, {"สมัคร", "SAMAK"}, {"นวลจันทร์", "NUANCHAN"}, {"สุเทพ", "SUTHEP"}, {"อนันต์", "ANAN"},
		{"ปัณณวัฒน์", "PANNAWAT"}, {"ณัฐวุฒิ", "NATTHAWUT"}, {"กาญจนา", "KANCHANA"}, {"เกศินี", "KESINI"}, {"พงษ์", "PHONG"},
		{"ธนาธร", "THANATHON"}, {"ศุภชัย", "SUPHACHAI"}, {"วีระ", "WIRA"}, {"บุญชัย", "BUNCHAI"}, {"นพดล", "NOPPHADON"}}
	exact := 0
	for _, n := range names {
		got, _ := thaiPassport(n[0])
		got = CanonicalPlain(got)
		if got == n[1] {
			exact++
		} else if sim := Similarity(got, n[1]); sim < 0.85 {
			t.Errorf("%s reads %s, %.2f like %s", n[0], got, sim, n[1])
		}
	}
	if exact < 18 {
		t.Errorf("%d of %d read exactly, want 18 or more", exact, len(names))
	}
}
