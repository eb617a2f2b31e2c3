package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/watchlist"
)

func newAuditCommand(e *env) *cobra.Command {
	var client apiClient
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the audit log (auditor)",
		Example: `  crossguard audit verify --token-file auditor.token
  crossguard audit list --since 2026-11-01T00:00:00Z --limit 50 --token-file auditor.token`,
	}
	client.addFlags(cmd)
	verify := &cobra.Command{
		Use: "verify",
		Example: `  crossguard audit verify --token-file auditor.token
  crossguard audit verify --node https://centre-1:8081 --ca certs/ca.crt --token-file auditor.token`,
		Short: "Check the audit log's hash chain on a node: exit 1 and name the first broken entry if it was changed or cut",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := client.get(cmd, "/v1/audit/verify")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusConflict {
				return fmt.Errorf("audit verify: %s: %s", resp.Status, strings.TrimSpace(string(b)))
			}
			var r watchlist.AuditReport
			if err := json.Unmarshal(b, &r); err != nil {
				return err
			}
			if !r.OK {
				fmt.Fprintf(e.out, "audit chain BROKEN at entry %d: %s (%d entries verified before it)\n", r.BrokenAt, r.Problem, r.Entries)
				return errFindings
			}
			fmt.Fprintf(e.out, "audit chain intact: %d entries, %d to %d\n", r.Entries, r.First, r.Last)
			return nil
		},
	}
	var since, until, token string
	var limit int
	list := &cobra.Command{
		Use:     "list",
		Example: `  crossguard audit list --token-file auditor.token --since 2026-11-01T00:00:00Z --limit 50`,
		Short:   "Print audit entries as JSON lines, oldest first",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			for k, v := range map[string]string{"since": since, "until": until, "token": token} {
				if v != "" {
					q.Set(k, v)
				}
			}
			q.Set("limit", fmt.Sprint(limit))
			b, err := client.call(cmd, http.MethodGet, "/v1/audit?"+q.Encode(), nil)
			if err != nil {
				return err
			}
			var page struct {
				Entries []json.RawMessage `json:"entries"`
				Next    string            `json:"next_cursor"`
			}
			if err := json.Unmarshal(b, &page); err != nil {
				return err
			}
			for _, en := range page.Entries {
				fmt.Fprintln(e.out, string(en))
			}
			if page.Next != "" {
				fmt.Fprintf(e.err, "more entries: next cursor %s\n", page.Next)
			}
			return nil
		},
	}
	list.Flags().StringVar(&since, "since", "", "from this time (RFC 3339)")
	list.Flags().StringVar(&until, "until", "", "before this time (RFC 3339)")
	list.Flags().StringVar(&token, "token-id", "", "only this token's requests")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many entries (1 to 1000)")
	cmd.AddCommand(verify, list)
	return cmd
}
