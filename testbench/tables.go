package testbench

// Name tables: each entry is a name as its owner writes it and as the
// passport writes it. They are written by hand, independently of the
// watchlist/names package, so that measuring recall against them is not
// circular. The pools are large enough that an innocent traveller is
// rarely an exact namesake of an alert, as at a real border (about 190
// Chinese surnames and 360 given-name characters, 39 Vietnamese surnames
// with 15 middle and 90 given names, 35 Thai, 25 Lao and 40 Khmer given
// names, 32 Burmese syllables); they were four times smaller until the
// generated watchlists of a million alerts made every Khmer traveller a
// namesake of some alert.

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
	{"孔", "KONG"}, {"白", "BAI"}, {"康", "KANG"}, {"毛", "MAO"}, {"邱", "QIU"}, {"秦", "QIN"}, {"江", "JIANG"},
	{"史", "SHI"}, {"顾", "GU"}, {"侯", "HOU"}, {"邵", "SHAO"}, {"孟", "MENG"}, {"龙", "LONG"}, {"万", "WAN"},
	{"段", "DUAN"}, {"雷", "LEI"}, {"钱", "QIAN"}, {"汤", "TANG"}, {"尹", "YIN"}, {"黎", "LI"}, {"易", "YI"},
	{"常", "CHANG"}, {"武", "WU"}, {"乔", "QIAO"}, {"贺", "HE"}, {"赖", "LAI"}, {"龚", "GONG"}, {"文", "WEN"},
	{"庞", "PANG"}, {"樊", "FAN"}, {"兰", "LAN"}, {"殷", "YIN"}, {"施", "SHI"}, {"陶", "TAO"}, {"洪", "HONG"},
	{"翟", "ZHAI"}, {"安", "AN"}, {"颜", "YAN"}, {"倪", "NI"}, {"严", "YAN"}, {"牛", "NIU"}, {"温", "WEN"},
	{"季", "JI"}, {"俞", "YU"}, {"章", "ZHANG"}, {"鲁", "LU"}, {"葛", "GE"}, {"伍", "WU"}, {"申", "SHEN"},
	{"尤", "YOU"}, {"毕", "BI"}, {"聂", "NIE"}, {"焦", "JIAO"}, {"向", "XIANG"}, {"柳", "LIU"}, {"邢", "XING"},
	{"骆", "LUO"}, {"岳", "YUE"}, {"齐", "QI"}, {"梅", "MEI"}, {"莫", "MO"}, {"庄", "ZHUANG"}, {"辛", "XIN"},
	{"管", "GUAN"}, {"祝", "ZHU"}, {"左", "ZUO"}, {"涂", "TU"}, {"谷", "GU"}, {"祁", "QI"}, {"时", "SHI"},
	{"舒", "SHU"}, {"耿", "GENG"}, {"卜", "BU"}, {"路", "LU"}, {"詹", "ZHAN"}, {"关", "GUAN"}, {"苗", "MIAO"},
	{"凌", "LING"}, {"费", "FEI"}, {"纪", "JI"}, {"靳", "JIN"}, {"盛", "SHENG"}, {"童", "TONG"}, {"欧", "OU"},
	{"甄", "ZHEN"}, {"项", "XIANG"}, {"游", "YOU"}, {"阳", "YANG"}, {"裴", "PEI"}, {"席", "XI"}, {"卫", "WEI"},
	{"屈", "QU"}, {"鲍", "BAO"}, {"霍", "HUO"}, {"翁", "WENG"}, {"甘", "GAN"}, {"景", "JING"}, {"包", "BAO"},
	{"宁", "NING"}, {"柯", "KE"}, {"阮", "RUAN"}, {"柴", "CHAI"}, {"华", "HUA"}, {"车", "CHE"}, {"房", "FANG"},
	{"边", "BIAN"}, {"吉", "JI"}, {"饶", "RAO"}, {"瞿", "QU"}, {"戚", "QI"}, {"古", "GU"}, {"米", "MI"}, {"池", "CHI"},
	{"滕", "TENG"}, {"邬", "WU"}, {"宫", "GONG"},
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
	{"婉", "WAN"}, {"蓉", "RONG"}, {"萍", "PING"}, {"燕", "YAN"}, {"玲", "LING"}, {"丹", "DAN"}, {"莉", "LI"},
	{"慧", "HUI"}, {"佩", "PEI"}, {"菲", "FEI"}, {"薇", "WEI"}, {"莹", "YING"}, {"晶", "JING"}, {"蕾", "LEI"},
	{"岚", "LAN"}, {"露", "LU"}, {"雯", "WEN"}, {"妍", "YAN"}, {"媛", "YUAN"}, {"姗", "SHAN"}, {"洁", "JIE"},
	{"珊", "SHAN"}, {"琴", "QIN"}, {"素", "SU"}, {"淑", "SHU"}, {"惠", "HUI"}, {"珍", "ZHEN"}, {"贞", "ZHEN"},
	{"凯", "KAI"}, {"斌", "BIN"}, {"彬", "BIN"}, {"帆", "FAN"}, {"峰", "FENG"}, {"锋", "FENG"}, {"健", "JIAN"},
	{"坤", "KUN"}, {"康", "KANG"}, {"力", "LI"}, {"立", "LI"}, {"良", "LIANG"}, {"民", "MIN"}, {"名", "MING"},
	{"铭", "MING"}, {"楠", "NAN"}, {"琦", "QI"}, {"奇", "QI"}, {"旗", "QI"}, {"启", "QI"}, {"谦", "QIAN"},
	{"荣", "RONG"}, {"瑞", "RUI"}, {"森", "SEN"}, {"山", "SHAN"}, {"胜", "SHENG"}, {"松", "SONG"}, {"腾", "TENG"},
	{"威", "WEI"}, {"巍", "WEI"}, {"武", "WU"}, {"翔", "XIANG"}, {"祥", "XIANG"}, {"新", "XIN"}, {"星", "XING"},
	{"兴", "XING"}, {"旭", "XU"}, {"炎", "YAN"}, {"毅", "YI"}, {"义", "YI"}, {"永", "YONG"}, {"远", "YUAN"},
	{"振", "ZHEN"}, {"正", "ZHENG"}, {"政", "ZHENG"}, {"忠", "ZHONG"}, {"柱", "ZHU"}, {"卓", "ZHUO"}, {"祖", "ZU"},
	{"彦", "YAN"}, {"逸", "YI"}, {"昊", "HAO"}, {"皓", "HAO"}, {"煜", "YU"}, {"宸", "CHEN"}, {"辰", "CHEN"},
	{"熙", "XI"}, {"曦", "XI"}, {"希", "XI"}, {"萱", "XUAN"}, {"诗", "SHI"}, {"书", "SHU"}, {"舒", "SHU"},
	{"悦", "YUE"}, {"越", "YUE"}, {"岳", "YUE"}, {"语", "YU"}, {"钰", "YU"}, {"昕", "XIN"}, {"馨", "XIN"},
	{"心", "XIN"}, {"沁", "QIN"}, {"芊", "QIAN"}, {"茜", "QIAN"}, {"可", "KE"}, {"珂", "KE"}, {"依", "YI"},
	{"伊", "YI"}, {"宜", "YI"}, {"艺", "YI"}, {"奕", "YI"}, {"若", "RUO"}, {"瑜", "YU"}, {"妤", "YU"}, {"欢", "HUAN"},
	{"桐", "TONG"}, {"童", "TONG"}, {"朵", "DUO"}, {"墨", "MO"}, {"沐", "MU"}, {"木", "MU"}, {"牧", "MU"}, {"慕", "MU"},
	{"楷", "KAI"}, {"锦", "JIN"}, {"瑾", "JIN"}, {"景", "JING"}, {"婧", "JING"}, {"菁", "JING"}, {"骏", "JUN"},
	{"君", "JUN"}, {"峻", "JUN"}, {"凡", "FAN"}, {"方", "FANG"}, {"航", "HANG"}, {"豪", "HAO"}, {"鸿", "HONG"},
	{"宏", "HONG"}, {"弘", "HONG"}, {"泓", "HONG"}, {"虹", "HONG"}, {"晖", "HUI"}, {"卉", "HUI"}, {"家", "JIA"},
	{"坚", "JIAN"}, {"剑", "JIAN"}, {"江", "JIANG"}, {"捷", "JIE"}, {"婕", "JIE"}, {"进", "JIN"}, {"晋", "JIN"},
	{"靖", "JING"}, {"菊", "JU"}, {"恺", "KAI"}, {"蓝", "LAN"}, {"朗", "LANG"}, {"黎", "LI"}, {"霖", "LIN"},
	{"麟", "LIN"}, {"凌", "LING"}, {"麒", "QI"}, {"千", "QIAN"}, {"乔", "QIAO"}, {"巧", "QIAO"}, {"青", "QING"},
	{"晴", "QING"}, {"庆", "QING"}, {"泉", "QUAN"}, {"群", "QUN"}, {"然", "RAN"}, {"冉", "RAN"}, {"仁", "REN"},
	{"融", "RONG"}, {"如", "RU"}, {"茹", "RU"}, {"锐", "RUI"}, {"润", "RUN"}, {"莎", "SHA"}, {"少", "SHAO"},
	{"绍", "SHAO"}, {"深", "SHEN"}, {"生", "SHENG"}, {"圣", "SHENG"}, {"世", "SHI"}, {"守", "SHOU"}, {"寿", "SHOU"},
	{"双", "SHUANG"}, {"爽", "SHUANG"}, {"顺", "SHUN"}, {"硕", "SHUO"}, {"斯", "SI"}, {"嵩", "SONG"}, {"颂", "SONG"},
	{"泰", "TAI"}, {"棠", "TANG"}, {"韬", "TAO"}, {"桃", "TAO"}, {"庭", "TING"}, {"霆", "TING"}, {"通", "TONG"},
	{"万", "WAN"}, {"旺", "WANG"}, {"望", "WANG"}, {"玮", "WEI"}, {"炜", "WEI"}, {"蔚", "WEI"}, {"卫", "WEI"},
	{"闻", "WEN"}, {"悟", "WU"}, {"溪", "XI"}, {"仙", "XIAN"}, {"贤", "XIAN"}, {"娴", "XIAN"}, {"香", "XIANG"},
	{"湘", "XIANG"}, {"潇", "XIAO"}, {"笑", "XIAO"}, {"孝", "XIAO"}, {"歆", "XIN"}, {"信", "XIN"}, {"杏", "XING"},
	{"修", "XIU"}, {"绪", "XU"}, {"璇", "XUAN"}, {"学", "XUE"}, {"勋", "XUN"}, {"雅", "YA"}, {"亚", "YA"},
	{"岩", "YAN"}, {"雁", "YAN"}, {"扬", "YANG"}, {"尧", "YAO"}, {"耀", "YAO"}, {"晔", "YE"}, {"仪", "YI"},
	{"颐", "YI"}, {"益", "YI"}, {"翼", "YI"}, {"音", "YIN"}, {"银", "YIN"}, {"莺", "YING"}, {"盈", "YING"},
	{"滢", "YING"}, {"咏", "YONG"}, {"优", "YOU"}, {"友", "YOU"}, {"佑", "YOU"}, {"榆", "YU"}, {"羽", "YU"},
	{"育", "YU"}, {"裕", "YU"}, {"元", "YUAN"}, {"源", "YUAN"}, {"园", "YUAN"}, {"苑", "YUAN"}, {"圆", "YUAN"},
	{"跃", "YUE"}, {"芸", "YUN"}, {"韵", "YUN"}, {"哲", "ZHE"}, {"真", "ZHEN"}, {"震", "ZHEN"}, {"峥", "ZHENG"},
	{"之", "ZHI"}, {"芝", "ZHI"}, {"智", "ZHI"}, {"致", "ZHI"}, {"中", "ZHONG"}, {"仲", "ZHONG"}, {"洲", "ZHOU"},
	{"舟", "ZHOU"}, {"珠", "ZHU"}, {"竹", "ZHU"}, {"壮", "ZHUANG"}, {"姿", "ZI"}, {"紫", "ZI"}, {"宗", "ZONG"},
}

// Vietnamese: surname, middle and given names with diacritics and their
// passport spelling.
var vieSurnames = []pair{
	{"Nguyễn", "NGUYEN"}, {"Trần", "TRAN"}, {"Lê", "LE"}, {"Phạm", "PHAM"}, {"Hoàng", "HOANG"}, {"Huỳnh", "HUYNH"},
	{"Phan", "PHAN"}, {"Vũ", "VU"}, {"Võ", "VO"}, {"Đặng", "DANG"}, {"Bùi", "BUI"}, {"Đỗ", "DO"}, {"Hồ", "HO"},
	{"Ngô", "NGO"}, {"Dương", "DUONG"}, {"Lý", "LY"}, {"Đinh", "DINH"}, {"Trương", "TRUONG"}, {"Lương", "LUONG"},
	{"Đoàn", "DOAN"}, {"Cao", "CAO"}, {"Mai", "MAI"}, {"Tô", "TO"}, {"Trịnh", "TRINH"}, {"Hà", "HA"},
	{"Lâm", "LAM"}, {"La", "LA"}, {"Châu", "CHAU"}, {"Quách", "QUACH"}, {"Tạ", "TA"}, {"Thái", "THAI"},
	{"Kiều", "KIEU"}, {"Triệu", "TRIEU"}, {"Đào", "DAO"}, {"Chu", "CHU"}, {"Lưu", "LUU"}, {"Vương", "VUONG"},
	{"Doãn", "DOAN"}, {"Tôn", "TON"},
}

var vieMiddleF = []pair{
	{"Thị", "THI"}, {"Ngọc", "NGOC"}, {"Thu", "THU"}, {"Thanh", "THANH"}, {"Kim", "KIM"}, {"Mỹ", "MY"},
	{"Bảo", "BAO"}, {"Diệu", "DIEU"}, {"Hồng", "HONG"}, {"Khánh", "KHANH"}, {"Minh", "MINH"}, {"Phương", "PHUONG"},
	{"Quỳnh", "QUYNH"}, {"Tuyết", "TUYET"}, {"Hoài", "HOAI"},
}
var vieMiddleM = []pair{
	{"Văn", "VAN"}, {"Đức", "DUC"}, {"Minh", "MINH"}, {"Hữu", "HUU"}, {"Quang", "QUANG"}, {"Công", "CONG"},
	{"Bá", "BA"}, {"Đình", "DINH"}, {"Gia", "GIA"}, {"Mạnh", "MANH"}, {"Ngọc", "NGOC"}, {"Thành", "THANH"},
	{"Trọng", "TRONG"}, {"Xuân", "XUAN"}, {"Tiến", "TIEN"},
}

var vieGivenF = []pair{
	{"Anh", "ANH"}, {"Châu", "CHAU"}, {"Đào", "DAO"}, {"Giang", "GIANG"}, {"Hà", "HA"}, {"Hạnh", "HANH"}, {"Hoa", "HOA"},
	{"Hương", "HUONG"}, {"Lan", "LAN"}, {"Linh", "LINH"}, {"Mai", "MAI"}, {"Nga", "NGA"}, {"Phương", "PHUONG"},
	{"Thảo", "THAO"}, {"Trang", "TRANG"}, {"Uyên", "UYEN"}, {"Vy", "VY"}, {"Yến", "YEN"}, {"Hằng", "HANG"}, {"Nhung", "NHUNG"},
	{"Bích", "BICH"}, {"Diệu", "DIEU"}, {"Dung", "DUNG"}, {"Hiền", "HIEN"}, {"Hồng", "HONG"}, {"Huyền", "HUYEN"},
	{"Khánh", "KHANH"}, {"Liên", "LIEN"}, {"Ngọc", "NGOC"}, {"Quỳnh", "QUYNH"}, {"Xuân", "XUAN"},
	{"Loan", "LOAN"}, {"Ly", "LY"}, {"My", "MY"}, {"Ngân", "NGAN"}, {"Nhi", "NHI"}, {"Oanh", "OANH"},
	{"Quyên", "QUYEN"}, {"Thúy", "THUY"}, {"Tiên", "TIEN"}, {"Trâm", "TRAM"}, {"Vân", "VAN"},
}

var vieGivenM = []pair{
	{"Bảo", "BAO"}, {"Dũng", "DUNG"}, {"Hải", "HAI"}, {"Hùng", "HUNG"}, {"Khánh", "KHANH"}, {"Long", "LONG"},
	{"Nam", "NAM"}, {"Phúc", "PHUC"}, {"Quân", "QUAN"}, {"Sơn", "SON"}, {"Tâm", "TAM"}, {"Trung", "TRUNG"},
	{"Tuấn", "TUAN"}, {"Thắng", "THANG"}, {"Việt", "VIET"}, {"Cường", "CUONG"}, {"Đạt", "DAT"}, {"Hiếu", "HIEU"},
	{"An", "AN"}, {"Bình", "BINH"}, {"Chiến", "CHIEN"}, {"Danh", "DANH"}, {"Duy", "DUY"}, {"Dương", "DUONG"},
	{"Định", "DINH"}, {"Đông", "DONG"}, {"Hào", "HAO"}, {"Hậu", "HAU"}, {"Hoàng", "HOANG"}, {"Huy", "HUY"},
	{"Kiên", "KIEN"}, {"Lâm", "LAM"}, {"Lộc", "LOC"}, {"Lợi", "LOI"}, {"Mạnh", "MANH"}, {"Nghĩa", "NGHIA"},
	{"Nhân", "NHAN"}, {"Phong", "PHONG"}, {"Quý", "QUY"}, {"Tài", "TAI"}, {"Thành", "THANH"},
	{"Thiện", "THIEN"}, {"Thịnh", "THINH"}, {"Toàn", "TOAN"}, {"Trí", "TRI"}, {"Trọng", "TRONG"}, {"Tú", "TU"},
	{"Vinh", "VINH"},
}

// Thai given names and surnames (RTGS-style passport spellings); the given
// name comes first.
var thaGiven = []pair{
	{"สมชาย", "SOMCHAI"}, {"สมศักดิ์", "SOMSAK"}, {"สมศรี", "SOMSRI"}, {"วิชัย", "WICHAI"}, {"สุดา", "SUDA"},
	{"มาลี", "MALI"}, {"ปรีชา", "PRICHA"}, {"บุญมี", "BUNMI"}, {"นภา", "NAPHA"}, {"ชัยวัฒน์", "CHAIWAT"},
	{"สมพร", "SOMPHON"}, {"อรุณ", "ARUN"}, {"กัญญา", "KANYA"}, {"ศิริ", "SIRI"}, {"ประเสริฐ", "PRASOET"},
	{"สุนทร", "SUNTHON"}, {"วันดี", "WANDEE"}, {"อำนาจ", "AMNAT"}, {"สุรชัย", "SURACHAI"}, {"พิมพ์", "PHIM"},
	{"กิตติ", "KITTI"}, {"ปิยะ", "PIYA"}, {"วรรณา", "WANNA"}, {"อนุชา", "ANUCHA"}, {"รัตนา", "RATTANA"},
	{"ธีระ", "THIRA"}, {"มานพ", "MANOP"}, {"สมหญิง", "SOMYING"}, {"ชุติมา", "CHUTIMA"}, {"สุริยา", "SURIYA"},
	{"นิภา", "NIPHA"}, {"ประภา", "PRAPHA"}, {"วิไล", "WILAI"}, {"อุดม", "UDOM"}, {"สมบัติ", "SOMBAT"},
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
	{"ຈັນທະລາ", "CHANTHALA"}, {"ສົມຈິດ", "SOMCHIT"}, {"ພູວົງ", "PHOUVONG"}, {"ວັນນາ", "VANNA"},
	{"ອຳພອນ", "AMPHONE"}, {"ສຸລິຍາ", "SOULIYA"}, {"ມະໄລ", "MALAY"}, {"ດວງ", "DOUANG"}, {"ບົວ", "BOUA"},
	{"ສີດາ", "SIDA"},
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
	{"ចាន់", "CHAN"}, {"អ៊ឹម", "IM"}, {"ញឹម", "NHEM"}, {"ពៅ", "POV"}, {"ទូច", "TOUCH"}, {"ស្រេង", "SRENG"},
	{"សាយ", "SAY"}, {"អ៊ួន", "OUN"}, {"ផល", "PHAL"}, {"វ៉ាន់", "VANN"}, {"តាំង", "TANG"}, {"ឈាង", "CHHEANG"},
	{"ខៀវ", "KHIEV"}, {"នួន", "NUON"}, {"រស់", "ROS"}, {"ហុក", "HOK"}, {"ម៉េង", "MENG"}, {"ឯក", "EK"},
	{"ពិន", "PIN"}, {"ស៊ិន", "SIN"},
}

var khmGiven = []pair{
	{"សុខ", "SOK"}, {"ចាន់", "CHAN"}, {"ដារា", "DARA"}, {"វណ្ណា", "VANNA"}, {"សុភា", "SOPHEA"}, {"ពិសី", "PISEY"},
	{"រតនា", "RATANA"}, {"សំណាង", "SAMNANG"}, {"ស្រីមុំ", "SREYMOM"}, {"បុប្ផា", "BOPHA"},
	{"សុផល", "SOPHAL"}, {"សុភាព", "SOPHEAP"}, {"ចន្ថា", "CHANTHA"}, {"ធីតា", "THIDA"}, {"បូរ៉ា", "BORA"},
	{"សុធា", "SOTHEA"}, {"រស្មី", "RASMEY"}, {"សុវណ្ណ", "SOVANN"}, {"វិចិត្រ", "VICHET"}, {"ពិសិដ្ឋ", "PISETH"},
	{"ណារី", "NARY"}, {"សុខា", "SOKHA"}, {"វិសាល", "VISAL"}, {"រដ្ឋា", "ROTHA"}, {"សុជាតិ", "SOCHEAT"},
	{"ម៉ាលី", "MALY"}, {"ចំរើន", "CHAMROEUN"}, {"ឧត្តម", "UDOM"}, {"សុខុម", "SOKHOM"}, {"ស្រីពៅ", "SREYPOV"},
	{"វាសនា", "VEASNA"}, {"ធារ៉ា", "THEARA"}, {"កញ្ញា", "KANHA"}, {"លីដា", "LIDA"}, {"ម៉ូនី", "MONY"},
	{"សុផាត", "SOPHAT"}, {"ដាវី", "DAVY"}, {"បញ្ញា", "PANHA"}, {"សុខលី", "SOKLY"}, {"កុសល", "KOSAL"},
}

// Burmese name syllables; Burmese names have no surname.
var mmrSyllables = []pair{
	{"အောင်", "AUNG"}, {"ဆန်း", "SAN"}, {"စု", "SU"}, {"ကြည်", "KYI"}, {"မြင့်", "MYINT"}, {"ထွန်း", "HTUN"},
	{"သိန်း", "THEIN"}, {"စိန်", "SEIN"}, {"ဇော်", "ZAW"}, {"မင်း", "MIN"}, {"ဝင်း", "WIN"}, {"လှ", "HLA"},
	{"နွယ်", "NWE"}, {"ခိုင်", "KHAING"}, {"မာ", "MA"}, {"သန့်", "THANT"},
	{"ကျော်", "KYAW"}, {"ထက်", "HTET"}, {"နိုင်", "NAING"}, {"ဖြိုး", "PHYO"}, {"မျိုး", "MYO"}, {"ရဲ", "YE"},
	{"လင်း", "LIN"}, {"သူ", "THU"}, {"ချစ်", "CHIT"}, {"မေ", "MAY"}, {"ယု", "YU"}, {"ဝေ", "WAI"}, {"ဦး", "OO"},
	{"သီ", "THI"}, {"ဖြူ", "PHYU"}, {"ညွန့်", "NYUNT"},
}

// nationalities with their document number prefixes.
var docPrefix = map[string]string{"CHN": "E", "VNM": "C", "THA": "AA", "LAO": "P", "KHM": "N", "MMR": "MA"}
