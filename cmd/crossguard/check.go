package main

import (
	"encoding/json"

	"github.com/crossguard/crossguard/api"
	"github.com/crossguard/crossguard/watchlist"
	"github.com/spf13/cobra"
)

func newCheckCommand(e *env) *cobra.Command {
	var dataDir, post string
	var demo, record bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Inspect a party read as JSON from standard input against the local watchlist",
		Long: "Reads one party as JSON from standard input ({\"direction\": \"entry|exit\", \"travellers\": [{\"mrz\": \"...\"} | {\"surname\": ..., \"given\": ..., \"birth_date\": ..., \"sex\": ..., \"nationality\": ..., \"document\": {...}}], \"relationships\": [{\"adult\": 0, \"minor\": 1, \"relation\": \"parent|guardian|relative|other\", \"consent_document\": true}]}), " +
			"checks every traveller against the watchlist and the child-protection rules, and prints the verdict (clear, refer or stop) with hits and findings as JSON. Exits 1 when the verdict is not clear.",
		Example: `  crossguard check --demo <<'EOF'
  {"direction": "exit", "travellers": [
    {"surname": "WANG", "given": "FANG", "birth_date": "1988-04-02", "sex": "F", "nationality": "CHN"},
    {"surname": "ZHANG", "given": "XIAOMING", "birth_date": "2015-03-09", "sex": "M", "nationality": "CHN"}],
   "relationships": [{"adult": 0, "minor": 1, "relation": "other"}]}
  EOF`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := watchlist.DecodeInspectionRequest(e.in)
			if err != nil {
				return err
			}
			eng, err := openEngine(dataDir)
			if err != nil {
				return err
			}
			defer eng.Close()
			if demo {
				if err := loadDemo(cmd.Context(), eng, defaultDemoAlerts, e.now()); err != nil {
					return err
				}
			}
			party, docs, err := req.Party(e.now(), post)
			if err != nil {
				return err
			}
			in, err := eng.Inspect(party)
			if err != nil {
				return err
			}
			if record {
				if err := eng.RecordCrossing(in.Crossing); err != nil {
					return err
				}
			}
			// The API's answer; the replica is this command's own store.
			out := api.Inspection{Verdict: in.Verdict, Travellers: in.Travellers, Findings: in.Findings, CrossingID: in.Crossing.ID, Documents: docs,
				Replica: api.Replica{Node: "local"}}
			enc := json.NewEncoder(e.out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return err
			}
			if in.Verdict != watchlist.Clear {
				return errFindings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "crossguard-data", "data directory")
	cmd.Flags().StringVar(&post, "post", "", "the border post inspecting")
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo watchlist first (once)")
	cmd.Flags().BoolVar(&record, "record", true, "record the crossing in the (pseudonymised) history")
	return cmd
}
