package watchlist

import (
	"sort"

	"github.com/crossguard/crossguard/watchlist/mrz"
)

// MemberFromMRZ turns a parsed machine readable zone into a party member.
// A document whose checks failed is still inspected: the failed checks go
// into FailedChecks, and the rules refer the traveller.
func MemberFromMRZ(d mrz.Document) Member {
	m := Member{
		Traveller: Traveller{
			Surname:     d.Surname,
			Given:       d.GivenNames,
			BirthDate:   d.BirthDate,
			Nationality: normaliseCountry(d.Nationality),
		},
		DocumentExpiry: d.ExpiryDate,
	}
	if d.Sex == "F" || d.Sex == "M" {
		m.Sex = d.Sex
	}
	if m.Nationality != "" && !ValidCountry(m.Nationality) {
		m.Nationality = "" // unreadable or a specimen code: not a reason to refuse the inspection
	}
	if d.DocumentNumber != "" {
		code := d.DocumentCode
		if code == "" {
			code = "P"
		}
		m.Document = &Document{Type: code, Country: normaliseCountry(d.IssuingState), Number: d.DocumentNumber}
		if !ValidCountry(m.Document.Country) {
			m.Document.Country = ""
		}
	}
	for field, ok := range d.Checks {
		if !ok {
			m.FailedChecks = append(m.FailedChecks, field)
		}
	}
	if !d.Valid && len(m.FailedChecks) == 0 {
		for _, e := range d.Errors {
			m.FailedChecks = append(m.FailedChecks, e.Field)
		}
	}
	sort.Strings(m.FailedChecks)
	return m
}
