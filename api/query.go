package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/watchlist"
)

// queryReader reads a request's query parameters and collects every bad
// one, so that the caller learns all of them at once.
type queryReader struct {
	c   *fiber.Ctx
	bad []watchlist.FieldError
}

func (q *queryReader) fail(field, reason string) {
	q.bad = append(q.bad, watchlist.FieldError{Field: field, Reason: reason})
}

// limit reads "limit": 1 to 1000; 0 when absent (the store's default).
func (q *queryReader) limit() int {
	v := q.c.Query("limit")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		q.fail("limit", "must be 1 to 1000")
	}
	return n
}

// seq reads a sequence number given as value (0 when empty).
func (q *queryReader) seq(field, value, reason string) uint64 {
	if value == "" {
		return 0
	}
	n, err := strconv.ParseUint(value, 10, 64)
	if err != nil {
		q.fail(field, reason)
	}
	return n
}

func (q *queryReader) boolean(field string) bool {
	v := q.c.Query(field)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.fail(field, "must be true or false")
	}
	return b
}

func (q *queryReader) time(field string) time.Time {
	v := q.c.Query(field)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		q.fail(field, "must be an RFC 3339 time")
	}
	return t
}

// err is the validation error naming every bad parameter, or nil.
func (q *queryReader) err() error {
	if len(q.bad) == 0 {
		return nil
	}
	return &watchlist.ValidationError{Fields: q.bad}
}
