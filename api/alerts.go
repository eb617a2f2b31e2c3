package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossguard/crossguard/watchlist"
)

func (h handlers) searchAlerts(c *fiber.Ctx) error {
	r := queryReader{c: c}
	q := watchlist.AlertQuery{Text: c.Query("q"), Category: watchlist.Category(c.Query("category")),
		Status: watchlist.Status(c.Query("status")), After: c.Query("cursor"), Limit: r.limit()}
	if err := r.err(); err != nil {
		return err
	}
	alerts, next, err := h.Records.SearchAlerts(c.UserContext(), q)
	if err != nil {
		return err
	}
	if alerts == nil {
		alerts = []watchlist.Alert{}
	}
	SetAuditDetail(c, "%d alerts", len(alerts))
	out := fiber.Map{"alerts": alerts}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(out)
}

// importBatch is how many valid lines are committed together.
const importBatch = 500

// maxImportErrors bounds the per-line errors an import answer lists (the
// counts stay exact).
const maxImportErrors = 1000

// LineError is an invalid line of an import.
type LineError struct {
	Line   int                    `json:"line"`
	Errors []watchlist.FieldError `json:"errors"`
}

// ImportReport says what an import did with each line.
type ImportReport struct {
	Lines    int         `json:"lines"`
	Imported int         `json:"imported"`
	Invalid  int         `json:"invalid"`
	Errors   []LineError `json:"errors"`
	// Truncated says that more lines were invalid than Errors lists.
	Truncated bool `json:"truncated,omitempty"`
}

// importAlerts reads an NDJSON body as a stream, one alert per line: valid
// lines are committed in batches, each invalid line is reported with its
// number and errors. The body never has to fit in memory.
func (h handlers) importAlerts(c *fiber.Ctx) error {
	var body io.Reader = c.Request().BodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	rep, err := ImportAlerts(c.UserContext(), body, h.Alerts, h.now())
	if err != nil {
		// The body may not have been read to its end.
		c.Context().SetConnectionClose()
		return err
	}
	SetAuditDetail(c, "imported %d alerts; %d invalid lines of %d", rep.Imported, rep.Invalid, rep.Lines)
	return c.JSON(rep)
}

// ImportAlerts stores the alerts of an NDJSON stream, one per line: valid
// lines are committed in batches of importBatch, each invalid line is
// reported with its number and errors; nothing is dropped silently. If the
// cluster fails mid-way, the error says how far the import got.
func ImportAlerts(ctx context.Context, body io.Reader, store Alerts, now time.Time) (ImportReport, error) {
	r := bufio.NewReaderSize(body, 64<<10)
	rep := ImportReport{Errors: []LineError{}}
	var batch []watchlist.Alert
	firstLineOfBatch := 0
	invalid := func(line int, fields []watchlist.FieldError) {
		rep.Invalid++
		if len(rep.Errors) < maxImportErrors {
			rep.Errors = append(rep.Errors, LineError{Line: line, Errors: fields})
		} else {
			rep.Truncated = true
		}
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := store.UpsertAlerts(ctx, batch); err != nil {
			return fmt.Errorf("import stopped: lines before %d were imported (%d alerts), the batch from line %d was not: %w",
				firstLineOfBatch, rep.Imported, firstLineOfBatch, err)
		}
		rep.Imported += len(batch)
		batch = batch[:0]
		return nil
	}
	for line := 1; ; line++ {
		text, err := readLine(r, watchlist.MaxAlertBytes)
		if errors.Is(err, io.EOF) && len(text) == 0 {
			break
		}
		if errors.Is(err, errLineTooLong) {
			rep.Lines++
			invalid(line, []watchlist.FieldError{{Field: "", Reason: fmt.Sprintf("line longer than %d bytes", watchlist.MaxAlertBytes)}})
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return rep, fmt.Errorf("%w: reading line %d: %v", watchlist.ErrInvalid, line, err)
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		rep.Lines++
		a, derr := watchlist.DecodeAlert(text)
		if derr == nil {
			stamped := a
			watchlist.StampAlert(&stamped, now)
			derr = stamped.Validate()
		}
		var ve *watchlist.ValidationError
		switch {
		case errors.As(derr, &ve):
			invalid(line, ve.Fields)
		case derr != nil:
			invalid(line, []watchlist.FieldError{{Field: "", Reason: derr.Error()}})
		default:
			if len(batch) == 0 {
				firstLineOfBatch = line
			}
			batch = append(batch, a)
			if len(batch) == importBatch {
				if err := flush(); err != nil {
					return rep, err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return rep, flush()
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line of at most limit bytes (without its newline); a
// longer line is read to its end and discarded, with errLineTooLong.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > limit+1 {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}
