package testbench

import (
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// Family returns parents and one to three children of one nationality
// crossing together, with the parents declared.
func (g *Generator) Family(dir watchlist.Direction, at time.Time) watchlist.Party {
	father := g.Traveller(28, 50)
	father.Sex = "M"
	mother := g.Traveller(26, 48)
	mother.Sex = "F"
	mother.Nationality, mother.Document.Country = father.Nationality, father.Nationality
	p := watchlist.Party{Direction: dir, At: at, Travellers: []watchlist.Member{g.Member(father), g.Member(mother)}}
	for k := 0; k < 1+g.rng.IntN(3); k++ {
		c := g.Traveller(1, 16)
		c.Nationality, c.Document.Country = father.Nationality, father.Nationality
		if father.Surname != "" && father.Nationality != "THA" && father.Nationality != "LAO" {
			c.Surname = father.Surname
		}
		p.Travellers = append(p.Travellers, g.Member(c))
		idx := len(p.Travellers) - 1
		p.Relationships = append(p.Relationships,
			watchlist.Relationship{Adult: 0, Minor: idx, Relation: watchlist.Parent},
			watchlist.Relationship{Adult: 1, Minor: idx, Relation: watchlist.Parent})
	}
	return p
}

// Escort returns an adult crossing with a child who is not theirs, with or
// without a parental consent document.
func (g *Generator) Escort(dir watchlist.Direction, at time.Time, consent bool) watchlist.Party {
	adult := g.Traveller(25, 55)
	child := g.Traveller(6, 16)
	return watchlist.Party{Direction: dir, At: at,
		Travellers:    []watchlist.Member{g.Member(adult), g.Member(child)},
		Relationships: []watchlist.Relationship{{Adult: 0, Minor: 1, Relation: watchlist.Other, ConsentDocument: consent}}}
}

// Solo returns one adult crossing alone.
func (g *Generator) Solo(dir watchlist.Direction, at time.Time) watchlist.Party {
	return watchlist.Party{Direction: dir, At: at, Travellers: []watchlist.Member{g.Member(g.Traveller(18, 75))}}
}

// Request is the inspection request an officer's scanner sends for the
// party (travellers by their data pages, not MRZ).
func Request(p watchlist.Party) watchlist.InspectionRequest {
	req := watchlist.InspectionRequest{Direction: p.Direction, Relationships: p.Relationships}
	for _, m := range p.Travellers {
		req.Travellers = append(req.Travellers, watchlist.RequestTraveller{Traveller: m.Traveller})
	}
	return req
}
