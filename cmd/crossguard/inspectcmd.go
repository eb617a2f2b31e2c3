package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/watchlist"
	"github.com/crossguard/crossguard/watchlist/mrz"
)

func newInspectCommand(e *env) *cobra.Command {
	client := &apiClient{}
	var direction, asJSON, purpose string
	var rels []string
	var printJSON bool
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Inspect a party at a running node, as a post's document reader does",
		Long: "Reads the party's machine readable zones from standard input, documents separated by a blank line " +
			"(or a whole inspection request as JSON with --request), sends them to a node with an officer's token " +
			"and prints the verdict, each hit with its instructions, and the findings. Exits 1 when the verdict is not clear.",
		Example: `  # A woman and a boy leaving; the boy (traveller 2) travels with her (traveller 1) as a relative:
  crossguard inspect --token-file crossguard-data/officer.token --direction exit --rel 1:2:relative <<'EOF'
  P<CHNWANG<<FANG<<<<<<<<<<<<<<<<<<<<<<<<<<<<<
  E500012341CHN8804020F3011227<<<<<<<<<<<<<<<0

  P<CHNZHANG<<XIAOMING<<<<<<<<<<<<<<<<<<<<<<<<
  E500043215CHN1503092M3011227<<<<<<<<<<<<<<<0
  EOF
  # A request as the API takes it, answer as JSON:
  crossguard inspect --request party.json --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var req watchlist.InspectionRequest
			if asJSON != "" {
				r, closeIn, err := openInput(e, asJSON)
				if err != nil {
					return err
				}
				defer closeIn()
				if req, err = watchlist.DecodeInspectionRequest(r); err != nil {
					return err
				}
			} else {
				in, err := io.ReadAll(io.LimitReader(e.in, watchlist.MaxRequestBytes))
				if err != nil {
					return err
				}
				for _, text := range mrz.SplitDocuments(string(in)) {
					req.Travellers = append(req.Travellers, watchlist.RequestTraveller{MRZ: text})
				}
				if len(req.Travellers) == 0 {
					return fmt.Errorf("no document on standard input: give machine readable zones separated by blank lines, or --request")
				}
				req.Direction, req.Purpose = watchlist.Direction(direction), purpose
				for _, s := range rels {
					r, err := parseRelationship(s, len(req.Travellers))
					if err != nil {
						return err
					}
					req.Relationships = append(req.Relationships, r)
				}
			}
			body, err := client.call(cmd, http.MethodPost, "/v1/inspections", req)
			if err != nil {
				return err
			}
			var in api.Inspection
			if err := json.Unmarshal(body, &in); err != nil {
				return fmt.Errorf("the node's answer: %w", err)
			}
			if printJSON {
				_, err = e.out.Write(body)
			} else {
				err = printInspection(e.out, in)
			}
			if err != nil {
				return err
			}
			if in.Verdict != watchlist.Clear {
				return errFindings
			}
			return nil
		},
	}
	client.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&direction, "direction", "exit", "exit or entry")
	f.StringVar(&purpose, "purpose", "", "the stated purpose of the journey (e.g. work)")
	f.StringArrayVar(&rels, "rel", nil, "ADULT:MINOR:RELATION[:consent], travellers numbered from 1 (parent, guardian, relative, other); repeatable")
	f.StringVar(&asJSON, "request", "", "a JSON inspection request file (- for standard input) instead of MRZs")
	f.BoolVar(&printJSON, "json", false, "print the node's answer as JSON")
	return cmd
}

// parseRelationship reads ADULT:MINOR:RELATION[:consent], travellers
// numbered from 1 as the officer counts them.
func parseRelationship(s string, n int) (watchlist.Relationship, error) {
	parts := strings.Split(s, ":")
	bad := func(why string) (watchlist.Relationship, error) {
		return watchlist.Relationship{}, fmt.Errorf("--rel %q: %s (want ADULT:MINOR:RELATION[:consent], e.g. 1:2:parent)", s, why)
	}
	if len(parts) < 3 || len(parts) > 4 {
		return bad("three or four parts")
	}
	adult, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || adult < 1 || minor < 1 || adult > n || minor > n || adult == minor {
		return bad(fmt.Sprintf("travellers are numbered 1 to %d", n))
	}
	r := watchlist.Relationship{Adult: adult - 1, Minor: minor - 1, Relation: watchlist.Relation(parts[2])}
	if len(parts) == 4 {
		if parts[3] != "consent" {
			return bad("the fourth part, if given, is consent")
		}
		r.ConsentDocument = true
	}
	return r, nil
}

func printInspection(w io.Writer, in api.Inspection) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tcrossing %s, answered by %s", strings.ToUpper(string(in.Verdict)), in.CrossingID, in.Replica.Node)
	if in.Replica.Stale {
		fmt.Fprintf(tw, " (STALE: no contact with the leader for %d s)", in.Replica.LeaderContactAgeMS/1000)
	}
	fmt.Fprintln(tw)
	for _, t := range in.Travellers {
		for _, h := range t.Hits {
			fmt.Fprintf(tw, "traveller %d\t%s %s (%s, score %.2f): %s\n", t.Index+1, h.Category, h.AlertID, h.Action, h.Score, h.Instructions)
		}
	}
	for i, d := range in.Documents {
		if !d.Valid {
			var failed []string
			for name, ok := range d.Checks {
				if !ok {
					failed = append(failed, name)
				}
			}
			fmt.Fprintf(tw, "traveller %d\tdocument checks failed: %s\n", i+1, strings.Join(failed, ", "))
		}
	}
	for _, f := range in.Findings {
		fmt.Fprintf(tw, "%s\t[%s] %s\n", f.Code, f.Severity, f.Message)
	}
	return tw.Flush()
}

// openInput opens a file, or standard input for "-".
func openInput(e *env, path string) (io.Reader, func(), error) {
	if path == "-" {
		return e.in, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
