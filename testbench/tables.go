package testbench

// Name tables: each entry is a name as its owner writes it and as the
// passport writes it. They are written by hand, independently of the
// watchlist/names package, so that measuring recall against them is not
// circular.

type pair struct{ native, latin string }

// Chinese surnames (with the reading as a surname) and given-name
// characters, in Han with their passport Pinyin.
var hanSurnames = []pair{
	{"王", "WANG"}, {"李", "LI"}, {"张", "ZHANG"}, {"刘", "LIU"}, {"陈", "CHEN"}, {"杨", "YANG"}, {"黄", "HUANG"},
	{"赵", "ZHAO"}, {"吴", "WU"}, {"周", "ZHOU"}, {"徐", "XU"}, {"孙", "SUN"}, {"马", "MA"}, {"朱", "ZHU"},
	{"胡", "HU"}, {"郭", "GUO"}, {"何", "HE"}, {"高", "GAO"}, {"林", "LIN"}, {"罗", "LUO"}, {"郑", "ZHENG"},
	{"梁", "LIANG"}, {"谢", "XIE"}, {"宋", "SONG"}, {"唐", "TANG"}, {"许", "XU"}, {"韩", "HAN"}, {"冯", "FENG"},
	{"邓", "DENG"}, {"曹", "CAO"}, {"彭", "PENG"}, {"曾", "ZENG"}, {"肖", "XIAO"}, {"田", "TIAN"}, {"董", "DONG"},
	{"袁", "YUAN"}, {"潘", "PAN"}, {"于", "YU"}, {"蒋", "JIANG"}, {"蔡", "CAI"}, {"余", "YU"}, {"杜", "DU"},
	{"叶", "YE"}, {"程", "CHENG"}, {"苏", "SU"}, {"魏", "WEI"}, {"吕", "LYU"}, {"丁", "DING"}, {"任", "REN"},
	{"沈", "SHEN"}, {"姚", "YAO"}, {"卢", "LU"}, {"姜", "JIANG"}, {"崔", "CUI"}, {"钟", "ZHONG"}, {"谭", "TAN"},
	{"陆", "LU"}, {"汪", "WANG"}, {"范", "FAN"}, {"金", "JIN"}, {"石", "SHI"}, {"廖", "LIAO"}, {"贾", "JIA"},
	{"单", "SHAN"}, {"区", "OU"}, {"仇", "QIU"}, {"查", "ZHA"}, {"解", "XIE"}, {"欧阳", "OUYANG"}, {"司马", "SIMA"},
	{"诸葛", "ZHUGE"}, {"上官", "SHANGGUAN"}, {"覃", "QIN"}, {"韦", "WEI"}, {"蒙", "MENG"}, {"农", "NONG"},
}

var hanGiven = []pair{
	{"伟", "WEI"}, {"芳", "FANG"}, {"娜", "NA"}, {"敏", "MIN"}, {"静", "JING"}, {"丽", "LI"}, {"强", "QIANG"},
	{"磊", "LEI"}, {"军", "JUN"}, {"洋", "YANG"}, {"勇", "YONG"}, {"艳", "YAN"}, {"杰", "JIE"}, {"娟", "JUAN"},
	{"涛", "TAO"}, {"明", "MING"}, {"超", "CHAO"}, {"秀", "XIU"}, {"霞", "XIA"}, {"平", "PING"}, {"刚", "GANG"},
	{"桂", "GUI"}, {"英", "YING"}, {"华", "HUA"}, {"小", "XIAO"}, {"红", "HONG"}, {"梅", "MEI"}, {"兰", "LAN"},
	{"玉", "YU"}, {"海", "HAI"}, {"林", "LIN"}, {"波", "BO"}, {"宇", "YU"}, {"浩", "HAO"}, {"轩", "XUAN"},
	{"子", "ZI"}, {"涵", "HAN"}, {"欣", "XIN"}, {"怡", "YI"}, {"梓", "ZI"}, {"晨", "CHEN"}, {"佳", "JIA"},
	{"雨", "YU"}, {"思", "SI"}, {"嘉", "JIA"}, {"俊", "JUN"}, {"博", "BO"}, {"文", "WEN"}, {"建", "JIAN"},
	{"国", "GUO"}, {"志", "ZHI"}, {"鹏", "PENG"}, {"辉", "HUI"}, {"婷", "TING"}, {"雪", "XUE"}, {"琳", "LIN"},
	{"晓", "XIAO"}, {"鑫", "XIN"}, {"宁", "NING"}, {"安", "AN"}, {"东", "DONG"}, {"春", "CHUN"}, {"秋", "QIU"},
	{"月", "YUE"}, {"凤", "FENG"}, {"金", "JIN"}, {"成", "CHENG"}, {"飞", "FEI"}, {"龙", "LONG"}, {"云", "YUN"},
	{"清", "QING"}, {"亮", "LIANG"}, {"倩", "QIAN"}, {"颖", "YING"}, {"瑶", "YAO"}, {"璐", "LU"}, {"琪", "QI"},
	{"天", "TIAN"}, {"阳", "YANG"}, {"一", "YI"}, {"诺", "NUO"}, {"泽", "ZE"}, {"睿", "RUI"}, {"彤", "TONG"},
}

// Vietnamese: surname, middle and given names with diacritics and their
// passport spelling.
var vieSurnames = []pair{
	{"Nguyễn", "NGUYEN"}, {"Trần", "TRAN"}, {"Lê", "LE"}, {"Phạm", "PHAM"}, {"Hoàng", "HOANG"}, {"Huỳnh", "HUYNH"},
	{"Phan", "PHAN"}, {"Vũ", "VU"}, {"Võ", "VO"}, {"Đặng", "DANG"}, {"Bùi", "BUI"}, {"Đỗ", "DO"}, {"Hồ", "HO"},
	{"Ngô", "NGO"}, {"Dương", "DUONG"}, {"Lý", "LY"}, {"Đinh", "DINH"}, {"Trương", "TRUONG"}, {"Lương", "LUONG"},
}

var vieMiddleF = []pair{{"Thị", "THI"}, {"Ngọc", "NGOC"}, {"Thu", "THU"}, {"Thanh", "THANH"}, {"Kim", "KIM"}, {"Mỹ", "MY"}}
var vieMiddleM = []pair{{"Văn", "VAN"}, {"Đức", "DUC"}, {"Minh", "MINH"}, {"Hữu", "HUU"}, {"Quang", "QUANG"}, {"Công", "CONG"}}

var vieGivenF = []pair{
	{"Anh", "ANH"}, {"Châu", "CHAU"}, {"Đào", "DAO"}, {"Giang", "GIANG"}, {"Hà", "HA"}, {"Hạnh", "HANH"}, {"Hoa", "HOA"},
	{"Hương", "HUONG"}, {"Lan", "LAN"}, {"Linh", "LINH"}, {"Mai", "MAI"}, {"Nga", "NGA"}, {"Phương", "PHUONG"},
	{"Thảo", "THAO"}, {"Trang", "TRANG"}, {"Uyên", "UYEN"}, {"Vy", "VY"}, {"Yến", "YEN"}, {"Hằng", "HANG"}, {"Nhung", "NHUNG"},
}

var vieGivenM = []pair{
	{"Bảo", "BAO"}, {"Dũng", "DUNG"}, {"Hải", "HAI"}, {"Hùng", "HUNG"}, {"Khánh", "KHANH"}, {"Long", "LONG"},
	{"Nam", "NAM"}, {"Phúc", "PHUC"}, {"Quân", "QUAN"}, {"Sơn", "SON"}, {"Tâm", "TAM"}, {"Trung", "TRUNG"},
	{"Tuấn", "TUAN"}, {"Thắng", "THANG"}, {"Việt", "VIET"}, {"Cường", "CUONG"}, {"Đạt", "DAT"}, {"Hiếu", "HIEU"},
}

// Thai given names and surnames (RTGS-style passport spellings); the given
// name comes first.
var thaGiven = []pair{
	{"สมชาย", "SOMCHAI"}, {"สมศักดิ์", "SOMSAK"}, {"สมศรี", "SOMSRI"}, {"วิชัย", "WICHAI"}, {"สุดา", "SUDA"},
	{"มาลี", "MALI"}, {"ปรีชา", "PRICHA"}, {"บุญมี", "BUNMI"}, {"นภา", "NAPHA"}, {"ชัยวัฒน์", "CHAIWAT"},
	{"สมพร", "SOMPHON"}, {"อรุณ", "ARUN"}, {"กัญญา", "KANYA"}, {"ศิริ", "SIRI"}, {"ประเสริฐ", "PRASOET"},
	{"สุนทร", "SUNTHON"}, {"วันดี", "WANDEE"}, {"อำนาจ", "AMNAT"}, {"สุรชัย", "SURACHAI"}, {"พิมพ์", "PHIM"},
}

// Thai surnames are compounds (ศรี+สุข, แก้ว+มณี): they are composed from
// these parts, which gives hundreds of surnames, as in life.
var thaSurnameParts = []pair{
	{"ศรี", "SRI"}, {"สุข", "SUK"}, {"ใจ", "JAI"}, {"ดี", "DEE"}, {"ทอง", "THONG"}, {"แก้ว", "KAEO"}, {"มณี", "MANI"},
	{"บุญ", "BUN"}, {"มา", "MA"}, {"รัก", "RAK"}, {"ไทย", "THAI"}, {"แสง", "SAENG"}, {"ใหญ่", "YAI"}, {"พรหม", "PHROM"},
	{"ชัย", "CHAI"}, {"เพชร", "PHET"}, {"รุ่ง", "RUNG"}, {"กุล", "KUN"}, {"ธนา", "THANA"}, {"นาค", "NAK"}, {"สมบูรณ์", "SOMBUN"},
	{"ศักดิ์", "SAK"}, {"วงศ์", "WONG"}, {"จันทร์", "CHAN"}, {"สวัสดิ์", "SAWAT"}, {"มงคล", "MONGKHON"}, {"ประเสริฐ", "PRASOET"},
}

// Lao given names and surnames; the given name comes first.
var laoGiven = []pair{
	{"ສົມພອນ", "SOMPHONE"}, {"ບຸນມີ", "BOUNMY"}, {"ຄຳ", "KHAM"}, {"ທອງ", "THONG"}, {"ແກ້ວ", "KEO"},
	{"ພອນ", "PHONE"}, {"ສຸກ", "SOUK"}, {"ສົມສັກ", "SOMSACK"}, {"ວັນ", "VANH"}, {"ມະນີ", "MANY"},
	{"ບຸນທັນ", "BOUNTHANH"}, {"ສີສະຫວາດ", "SISAVATH"}, {"ຄຳພອນ", "KHAMPHONE"}, {"ນາລີ", "NALY"}, {"ວິໄລ", "VILAY"},
}

// Lao surnames are compounds too.
var laoSurnameParts = []pair{
	{"ແກ້ວ", "KEO"}, {"ມະນີ", "MANY"}, {"ສີ", "SI"}, {"ສຸລິດ", "SOULITH"}, {"ວົງ", "VONG"}, {"ສາ", "SA"}, {"ພົມ", "PHOM"},
	{"ມະຈັນ", "MACHANH"}, {"ຫາລາດ", "HALATH"}, {"ບຸບຜາ", "BOUPHA"}, {"ສຸວັນ", "SOUVAN"}, {"ນະ", "NA"}, {"ທອງ", "THONG"},
	{"ໄຊ", "XAY"}, {"ພອນ", "PHONE"}, {"ສະຫວັນ", "SAVANH"}, {"ຄຳ", "KHAM"}, {"ດາລາ", "DALA"}, {"ບຸນ", "BOUN"}, {"ພັນ", "PHANH"},
}

// Khmer surnames and given names; the surname comes first.
var khmSurnames = []pair{
	{"ហ៊ុន", "HUN"}, {"សែន", "SEN"}, {"ជា", "CHEA"}, {"កែវ", "KEO"}, {"លី", "LY"}, {"ម៉ៅ", "MAO"}, {"សុខ", "SOK"}, {"ស៊ុន", "SUN"},
	{"ឈឹម", "CHHIM"}, {"ពេជ្រ", "PECH"}, {"ទេព", "TEP"}, {"យិន", "YIN"}, {"ឡុង", "LONG"}, {"ហេង", "HENG"}, {"គឹម", "KIM"},
	{"អ៊ុក", "OUK"}, {"ជាម", "CHEAM"}, {"ស៊ាន", "SEAN"}, {"ម៉ម", "MOM"}, {"ប៊ុន", "BUN"},
}

var khmGiven = []pair{
	{"សុខ", "SOK"}, {"ចាន់", "CHAN"}, {"ដារា", "DARA"}, {"វណ្ណា", "VANNA"}, {"សុភា", "SOPHEA"}, {"ពិសី", "PISEY"},
	{"រតនា", "RATANA"}, {"សំណាង", "SAMNANG"}, {"ស្រីមុំ", "SREYMOM"}, {"បុប្ផា", "BOPHA"},
	{"សុផល", "SOPHAL"}, {"សុភាព", "SOPHEAP"}, {"ចន្ថា", "CHANTHA"}, {"ធីតា", "THIDA"}, {"បូរ៉ា", "BORA"},
	{"សុធា", "SOTHEA"}, {"រស្មី", "RASMEY"}, {"សុវណ្ណ", "SOVANN"}, {"វិចិត្រ", "VICHET"}, {"ពិសិដ្ឋ", "PISETH"},
}

// Burmese name syllables; Burmese names have no surname.
var mmrSyllables = []pair{
	{"အောင်", "AUNG"}, {"ဆန်း", "SAN"}, {"စု", "SU"}, {"ကြည်", "KYI"}, {"မြင့်", "MYINT"}, {"ထွန်း", "HTUN"},
	{"သိန်း", "THEIN"}, {"စိန်", "SEIN"}, {"ဇော်", "ZAW"}, {"မင်း", "MIN"}, {"ဝင်း", "WIN"}, {"လှ", "HLA"},
	{"နွယ်", "NWE"}, {"ခိုင်", "KHAING"}, {"မာ", "MA"}, {"သန့်", "THANT"},
}

// nationalities with their document number prefixes.
var docPrefix = map[string]string{"CHN": "E", "VNM": "C", "THA": "AA", "LAO": "P", "KHM": "N", "MMR": "MA"}
