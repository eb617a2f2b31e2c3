package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/watchlist"
)

func newAlertsCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Manage the watchlist's alerts at a running node",
		Example: `  crossguard alerts import --token-file crossguard-data/analyst.token alerts.ndjson
  crossguard alerts import --token-file crossguard-data/analyst.token --format csv alerts.csv`,
	}
	cmd.AddCommand(newAlertsImportCommand(e))
	return cmd
}

// csvColumns are the columns an alerts CSV may have (a header names them,
// in any order); lists (nationalities, share) are separated by spaces or
// semicolons. One name and one document per row.
var csvColumns = []string{"id", "category", "full_name", "surname", "given", "birth_date", "sex", "nationalities",
	"document_type", "document_country", "document_number", "action", "instructions", "owner_country", "owner_agency",
	"share", "valid_until", "status"}

func newAlertsImportCommand(e *env) *cobra.Command {
	client := &apiClient{}
	var format string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Import alerts from an NDJSON or CSV file, streamed, with a progress bar and a per-line report",
		Long: "Streams the file to POST /v1/alerts/import (an analyst's token): valid alerts are stored in batches, " +
			"every invalid line is reported with its line number and errors, nothing is dropped silently, and the file " +
			"never has to fit in memory. A CSV file has a header naming its columns: " + strings.Join(csvColumns, ", ") +
			". Exits 1 when any line was invalid.",
		Example: `  crossguard alerts import --token-file crossguard-data/analyst.token interpol-export.ndjson
  gunzip -c alerts.csv.gz | crossguard alerts import --format csv -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, closeIn, err := openInput(e, args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			if format == "" {
				format = "ndjson"
				if strings.EqualFold(filepath.Ext(args[0]), ".csv") {
					format = "csv"
				}
			}
			size := int64(-1)
			if f, ok := in.(*os.File); ok && args[0] != "-" {
				if st, err := f.Stat(); err == nil {
					size = st.Size()
				}
			}
			var r io.Reader = in
			if !quiet {
				bar := progressbar.NewOptions64(size, progressbar.OptionSetWriter(e.err), progressbar.OptionShowBytes(true),
					progressbar.OptionSetDescription("importing"), progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
				defer bar.Finish()
				r = io.TeeReader(in, bar)
			}
			var lines *csvLines
			switch format {
			case "ndjson":
			case "csv":
				lines = &csvLines{}
				r = csvToNDJSON(r, lines)
			default:
				return fmt.Errorf("--format %q: ndjson or csv", format)
			}
			body, err := client.send(cmd, http.MethodPost, "/v1/alerts/import", "application/x-ndjson", r, -1, 0)
			if err != nil {
				return err
			}
			var rep api.ImportReport
			if err := json.Unmarshal(body, &rep); err != nil {
				return fmt.Errorf("the node's report: %w", err)
			}
			return printImportReport(e, rep, lines)
		},
	}
	client.addFlags(cmd)
	cmd.Flags().StringVar(&format, "format", "", "ndjson or csv (default: from the file's extension, else ndjson)")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}

// csvLines maps the NDJSON lines sent to the CSV file's lines, and holds
// the rows that could not be read as CSV.
type csvLines struct {
	fileLine []int // fileLine[i] is the file line of NDJSON line i+1
	bad      map[int]string
	// done is closed when the whole file has been converted.
	done chan struct{}
}

func (l *csvLines) of(ndjsonLine int) int {
	if ndjsonLine >= 1 && ndjsonLine <= len(l.fileLine) {
		return l.fileLine[ndjsonLine-1]
	}
	return ndjsonLine
}

// csvToNDJSON converts CSV rows into alert lines as they are read. A row
// that is not valid CSV becomes an empty line (which the node skips but
// counts) and is reported by the client.
func csvToNDJSON(r io.Reader, lines *csvLines) io.Reader {
	pr, pw := io.Pipe()
	lines.bad, lines.done = map[int]string{}, make(chan struct{})
	go func() {
		defer close(lines.done)
		cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			pw.CloseWithError(fmt.Errorf("CSV header: %w", err))
			return
		}
		col := map[string]int{}
		for i, h := range header {
			h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
			known := false
			for _, c := range csvColumns {
				known = known || c == h
			}
			if !known {
				pw.CloseWithError(fmt.Errorf("CSV header: unknown column %q (columns: %s)", h, strings.Join(csvColumns, ", ")))
				return
			}
			col[h] = i
		}
		cr.FieldsPerRecord = len(header)
		w := bufio.NewWriterSize(pw, 64<<10)
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			line, _ := cr.FieldPos(0)
			lines.fileLine = append(lines.fileLine, line)
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					pw.CloseWithError(err)
					return
				}
				lines.bad[len(lines.fileLine)] = pe.Err.Error()
				w.WriteString("\n")
				continue
			}
			b, _ := json.Marshal(alertOfCSV(rec, col))
			w.Write(b)
			w.WriteString("\n")
		}
		pw.CloseWithError(w.Flush())
	}()
	return pr
}

// alertOfCSV builds the alert of a CSV row (the node validates it).
func alertOfCSV(rec []string, col map[string]int) watchlist.Alert {
	get := func(k string) string {
		if i, ok := col[k]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	list := func(k string) []string {
		return strings.FieldsFunc(get(k), func(r rune) bool { return r == ' ' || r == ';' || r == ',' })
	}
	a := watchlist.Alert{ID: get("id"), Category: watchlist.Category(get("category")), Action: watchlist.Action(get("action")),
		Instructions: get("instructions"), Owner: watchlist.Owner{Country: get("owner_country"), Agency: get("owner_agency")},
		Share: list("share"), ValidUntil: get("valid_until"), Status: watchlist.Status(get("status"))}
	if a.Status == "" {
		a.Status = watchlist.StatusActive
	}
	name := watchlist.PersonName{Full: get("full_name"), Surname: get("surname"), Given: get("given")}
	if name != (watchlist.PersonName{}) || get("birth_date") != "" {
		a.Person = &watchlist.Person{BirthDate: get("birth_date"), Sex: get("sex"), Nationalities: list("nationalities")}
		if name != (watchlist.PersonName{}) {
			a.Person.Names = []watchlist.PersonName{name}
		}
	}
	if get("document_number") != "" {
		typ := get("document_type")
		if typ == "" {
			typ = "P"
		}
		a.Documents = []watchlist.Document{{Type: typ, Country: get("document_country"), Number: get("document_number")}}
	}
	return a
}

func printImportReport(e *env, rep api.ImportReport, lines *csvLines) error {
	read, invalid := rep.Lines, rep.Invalid
	if lines != nil {
		<-lines.done
		read, invalid = read+len(lines.bad), invalid+len(lines.bad)
		bad := make([]int, 0, len(lines.bad))
		for l := range lines.bad {
			bad = append(bad, l)
		}
		sort.Ints(bad)
		for _, l := range bad {
			fmt.Fprintf(e.out, "line %d: not valid CSV: %s\n", lines.of(l), lines.bad[l])
		}
	}
	fmt.Fprintf(e.out, "%d records read: %d alerts imported, %d invalid\n", read, rep.Imported, invalid)
	for _, le := range rep.Errors {
		n := le.Line
		if lines != nil {
			n = lines.of(le.Line)
		}
		for _, fe := range le.Errors {
			field := fe.Field
			if field == "" {
				field = "(line)"
			}
			fmt.Fprintf(e.out, "line %d: %s: %s\n", n, field, fe.Reason)
		}
	}
	if rep.Truncated {
		fmt.Fprintln(e.out, "(more lines were invalid than the node lists)")
	}
	if invalid > 0 {
		return errFindings
	}
	return nil
}
