package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

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
	setAuditDetail(c, "%d alerts", len(alerts))
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

type lineError struct {
	Line   int                    `json:"line"`
	Errors []watchlist.FieldError `json:"errors"`
}

type importReport struct {
	Lines    int         `json:"lines"`
	Imported int         `json:"imported"`
	Invalid  int         `json:"invalid"`
	Errors   []lineError `json:"errors"`
	// Truncated says that more lines were invalid than Errors lists.
	Truncated bool `json:"truncated,omitempty"`
}

// importAlerts reads an NDJSON body as a stream, one alert per line: valid
// lines are committed in batches, each invalid line is reported with its
// number and errors. The body never has to fit in memory. If the cluster
// fails mid-way, the answer says how far the import got.
func (h handlers) importAlerts(c *fiber.Ctx) error {
	var body io.Reader = c.Request().BodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	r := bufio.NewReaderSize(body, 64<<10)
	rep := importReport{Errors: []lineError{}}
	var batch []watchlist.Alert
	firstLineOfBatch := 0
	invalid := func(line int, fields []watchlist.FieldError) {
		rep.Invalid++
		if len(rep.Errors) < maxImportErrors {
			rep.Errors = append(rep.Errors, lineError{Line: line, Errors: fields})
		} else {
			rep.Truncated = true
		}
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := h.Alerts.UpsertAlerts(c.UserContext(), batch); err != nil {
			c.Context().SetConnectionClose()
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
			c.Context().SetConnectionClose()
			return fmt.Errorf("%w: reading line %d: %v", watchlist.ErrInvalid, line, err)
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		rep.Lines++
		a, derr := watchlist.DecodeAlert(text)
		if derr == nil {
			stamped := a
			watchlist.StampAlert(&stamped, h.now())
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
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if err := flush(); err != nil {
		return err
	}
	setAuditDetail(c, "imported %d alerts; %d invalid lines of %d", rep.Imported, rep.Invalid, rep.Lines)
	return c.JSON(rep)
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
