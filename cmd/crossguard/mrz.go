package main

import (
	"encoding/json"
	"io"

	"github.com/crossguard/crossguard/watchlist/mrz"
	"github.com/spf13/cobra"
)

func newMRZCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "mrz",
		Short: "Parse machine readable zones (ICAO 9303) read from standard input",
		Long: "Reads one or more machine readable zones from standard input, documents separated by a blank line, " +
			"and prints one JSON object per document: every field, every check digit, the OCR corrections made and the errors found. " +
			"Exits 1 when any document is invalid.",
		Example: `  printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n' | crossguard mrz`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := io.ReadAll(io.LimitReader(e.in, 16<<20))
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.out)
			enc.SetEscapeHTML(false)
			invalid := false
			for _, text := range mrz.SplitDocuments(string(in)) {
				d := mrz.Parse(text, e.now())
				invalid = invalid || !d.Valid
				if err := enc.Encode(d); err != nil {
					return err
				}
			}
			if invalid {
				return errFindings
			}
			return nil
		},
	}
}
