package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/watchlist"
)

// hitQuery reads the filters of the hit list and stream; an officer sees
// only its own post's hits.
func hitQuery(c *fiber.Ctx) (watchlist.HitQuery, error) {
	r := queryReader{c: c}
	q := watchlist.HitQuery{Post: c.Query("post"), AlertID: c.Query("alert"),
		AfterSeq:       r.seq("after", c.Query("after", c.Get("Last-Event-ID")), "must be the seq of a hit"),
		Unacknowledged: r.boolean("unacknowledged"), Limit: r.limit()}
	if err := r.err(); err != nil {
		return q, err
	}
	if p := Principal(c); p.Role == watchlist.RoleOfficer {
		if q.Post != "" && q.Post != p.Post {
			return q, errForbidden
		}
		q.Post = p.Post
	}
	return q, nil
}

// listHits answers hits in commit order after a cursor.
func (h handlers) listHits(c *fiber.Ctx) error {
	q, err := hitQuery(c)
	if err != nil {
		return err
	}
	hits, cursor, err := h.Records.Hits(q)
	if err != nil {
		return err
	}
	SetAuditDetail(c, "%d hits", len(hits))
	return c.JSON(fiber.Map{"hits": hits, "cursor": strconv.FormatUint(cursor, 10)})
}

// hitPoll is how often the live feed looks for newly committed hits.
const hitPoll = 250 * time.Millisecond

// streamHits is the live hit feed, as server-sent events: every hit the
// cluster commits, from every post, in commit order, each with its seq
// as the event ID (a client that reconnects sends Last-Event-ID and
// misses nothing). A comment every 15 s keeps proxies from closing it.
func (h handlers) streamHits(c *fiber.Ctx) error {
	q, err := hitQuery(c)
	if err != nil {
		return err
	}
	SetAuditDetail(c, "live hit feed from seq %d", q.AfterSeq)
	StreamHits(c, h.Records, q, h.Done, h.Logger, func(w *bufio.Writer, x watchlist.HitRecord) error {
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "id: %d\nevent: hit\ndata: %s\n\n", x.Seq, b)
		return err
	})
	return nil
}

// StreamHits answers the request with a server-sent event stream of the
// hits q selects, in commit order, as they are committed, until the
// client goes away or done closes; event writes each hit (the JSON API
// writes it as JSON, the console as a table row).
func StreamHits(c *fiber.Ctx, records Records, q watchlist.HitQuery, done <-chan struct{}, log *slog.Logger,
	event func(w *bufio.Writer, x watchlist.HitRecord) error) {
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		lastWrite := time.Time{}
		fmt.Fprint(w, "retry: 2000\n\n")
		for {
			q.Limit = 100
			hits, cursor, err := records.Hits(q)
			if err != nil {
				log.Error("hit feed", "err", err)
				return
			}
			for _, x := range hits {
				if err := event(w, x); err != nil {
					log.Error("hit feed", "err", err)
					return
				}
			}
			q.AfterSeq = cursor
			if len(hits) > 0 || time.Since(lastWrite) > 15*time.Second {
				if len(hits) == 0 {
					fmt.Fprint(w, ": keep-alive\n\n")
				}
				// The stream outlives the server's write timeout: each
				// flush gets its own deadline.
				conn.SetWriteDeadline(time.Now().Add(time.Minute))
				if err := w.Flush(); err != nil {
					return // the client went away
				}
				lastWrite = time.Now()
			}
			if len(hits) == q.Limit {
				continue
			}
			select {
			case <-done:
				return
			case <-time.After(hitPoll):
			}
		}
	})
}
