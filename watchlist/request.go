package watchlist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crossguard/crossguard/watchlist/mrz"
)

// InspectionRequest is the JSON an officer's reader or console sends for
// one party. Each traveller is either a scanned machine readable zone
// ({"mrz": "..."}) or typed fields.
type InspectionRequest struct {
	Direction     Direction          `json:"direction"`
	Travellers    []RequestTraveller `json:"travellers"`
	Relationships []Relationship     `json:"relationships,omitempty"`
	Purpose       string             `json:"purpose,omitempty"`
}

// RequestTraveller is a traveller as sent: an MRZ, or fields.
type RequestTraveller struct {
	MRZ string `json:"mrz,omitempty"`
	Traveller
}

// MaxRequestBytes bounds one inspection request.
const MaxRequestBytes = 256 << 10

// DecodeInspectionRequest reads an inspection request, refusing unknown
// fields.
func DecodeInspectionRequest(r io.Reader) (InspectionRequest, error) {
	var req InspectionRequest
	data, err := io.ReadAll(io.LimitReader(r, MaxRequestBytes+1))
	if err != nil {
		return req, err
	}
	if len(data) > MaxRequestBytes {
		return req, &ValidationError{Fields: []FieldError{{Reason: fmt.Sprintf("request larger than %d bytes", MaxRequestBytes)}}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, &ValidationError{Fields: []FieldError{jsonFieldError(err)}}
	}
	return req, nil
}

// Party turns the request into a party crossing at the given time and
// post (Inspect validates it), parsing each MRZ (a document that fails its checks is still
// inspected; see MemberFromMRZ). It also returns the parsed MRZs, by
// traveller index, so the caller can show which checks failed.
func (req InspectionRequest) Party(at time.Time, post string) (Party, map[int]mrz.Document, error) {
	p := Party{Direction: req.Direction, Relationships: req.Relationships, Purpose: req.Purpose, Post: post, At: at}
	parsed := map[int]mrz.Document{}
	var pr problems
	for i, t := range req.Travellers {
		if strings.TrimSpace(t.MRZ) == "" {
			p.Travellers = append(p.Travellers, Member{Traveller: t.Traveller})
			continue
		}
		if t.Surname != "" || t.Given != "" || t.Document != nil {
			pr.add(fmt.Sprintf("travellers[%d]", i), "give either mrz or the traveller's fields, not both")
		}
		d := mrz.Parse(t.MRZ, at)
		if d.Surname == "" && d.GivenNames == "" {
			reason := "the machine readable zone could not be read"
			if len(d.Errors) > 0 {
				reason += ": " + d.Errors[0].Reason
			}
			pr.add(fmt.Sprintf("travellers[%d].mrz", i), reason)
			continue
		}
		parsed[i] = d
		p.Travellers = append(p.Travellers, MemberFromMRZ(d))
	}
	if err := pr.err(); err != nil {
		return Party{}, nil, err
	}
	return p, parsed, nil
}
