package watchlist

import (
	"context"
	"errors"
	"strings"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/crossguard/crossguard/watchlist/names"
)

// AlertQuery selects alerts for an analyst: by name in any script, or by
// document number (Text), category and status, a page at a time.
type AlertQuery struct {
	Text     string
	Category Category
	Status   Status
	// After is the cursor: the last ID of the previous page.
	After string
	Limit int
}

// SearchAlerts returns a page of the alerts the query selects, in ID
// order, and the cursor of the next page ("" at the end).
//
// Text matches an alert when every word of its canonical Latin reading
// (张小明 → ZHANG XIAOMING, Nguyễn → NGUYEN) is one of the alert's name
// words in any of their readings, or when it is one of the alert's
// document numbers. It reads the alerts in order: a search by name costs a
// pass over the watchlist (an analyst's query, not an inspection).
func (e *Engine) SearchAlerts(ctx context.Context, q AlertQuery) ([]Alert, string, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	want := searchWords(q.Text)
	docNumber := strings.ToUpper(strings.Join(strings.Fields(q.Text), ""))
	var out []Alert
	next := ""
	errFull := errors.New("page full")
	err := e.view(func(txn *badger.Txn) error {
		prefix := []byte{tagAlert}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefix})
		defer it.Close()
		start := append([]byte{tagAlert}, q.After...)
		for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := string(it.Item().Key()[1:])
			if q.After != "" && id == q.After {
				continue
			}
			a, _, err := getAlert(txn, id)
			if err != nil {
				return err
			}
			if (q.Category != "" && a.Category != q.Category) || (q.Status != "" && a.Status != q.Status) {
				continue
			}
			if q.Text != "" && !alertHasDocument(a, docNumber) && !alertHasWords(a, want) {
				continue
			}
			if len(out) == q.Limit {
				next = out[len(out)-1].ID
				return errFull
			}
			out = append(out, a)
		}
		return nil
	})
	if errors.Is(err, errFull) {
		err = nil
	}
	return out, next, err
}

// searchWords is the set of words of every reading of a query.
func searchWords(text string) [][]string {
	var out [][]string
	for _, n := range names.FromFull(text) {
		out = append(out, strings.Fields(n.Full()))
	}
	return out
}

func alertHasDocument(a Alert, number string) bool {
	for _, d := range a.Documents {
		if number != "" && strings.EqualFold(d.Number, number) {
			return true
		}
	}
	return false
}

// alertHasWords reports whether some reading of the query has all its
// words among the words of some reading of the alert's names.
func alertHasWords(a Alert, want [][]string) bool {
	if a.Person == nil || len(want) == 0 {
		return false
	}
	// Words of every reading, with each reading's surname and given names
	// also joined (Han given names read as one word or two: XIAOMING,
	// XIAO MING), and each reading written without spaces.
	have := map[string]bool{}
	var compact []string
	for _, pn := range a.Person.Names {
		var readings []names.Name
		if pn.Full != "" {
			readings = append(readings, names.FromFull(pn.Full)...)
		}
		if pn.Surname != "" || pn.Given != "" {
			readings = append(readings, names.FromParts(pn.Surname, pn.Given)...)
		}
		for _, r := range readings {
			for _, w := range strings.Fields(r.Full()) {
				have[w] = true
			}
			have[strings.Join(r.Surname, "")] = true
			have[strings.Join(r.Given, "")] = true
			compact = append(compact, strings.ReplaceAll(r.Full(), " ", ""))
		}
	}
	for _, words := range want {
		all := len(words) > 0
		for _, w := range words {
			all = all && have[w]
		}
		joined := strings.Join(words, "")
		for _, c := range compact {
			all = all || (joined != "" && strings.Contains(c, joined))
		}
		if all {
			return true
		}
	}
	return false
}
