package watchlist

import "golang.org/x/text/language"

// icaoCodes are the three-letter codes ICAO Doc 9303 Part 3 uses besides
// ISO 3166-1 alpha-3: special nationalities, organisations and the British
// categories.
var icaoCodes = map[string]bool{
	"D": true, "UNO": true, "UNA": true, "UNK": true, "XBA": true, "XIM": true, "XCC": true, "XCE": true,
	"XCO": true, "XEC": true, "XPO": true, "XES": true, "XMP": true, "XOM": true, "XDC": true,
	"XXA": true, "XXB": true, "XXC": true, "XXX": true, "EUE": true, "GBD": true, "GBN": true,
	"GBO": true, "GBP": true, "GBS": true, "RKS": true,
}

// ValidCountry reports whether code is an ICAO 9303 country code: an ISO
// 3166-1 alpha-3 code (checked with golang.org/x/text) or one of ICAO's
// own codes.
func ValidCountry(code string) bool {
	if icaoCodes[code] {
		return true
	}
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.ISO3() == code && r.IsCountry()
}

// normaliseCountry maps the one-letter MRZ code of Germany to its alpha-3.
func normaliseCountry(code string) string {
	if code == "D" {
		return "DEU"
	}
	return code
}
