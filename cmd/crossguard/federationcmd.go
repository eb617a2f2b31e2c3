package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/api"
)

func newFederationCommand(e *env) *cobra.Command {
	var client apiClient
	cmd := &cobra.Command{
		Use:   "federation",
		Short: "Exchange alerts and hits with partner countries' clusters",
		Long: `Each country runs its own cluster. Partners exchange what an alert's owner
shares with them, hit reports and hit/no-hit queries, every message signed
with the sender's Ed25519 key. To pair two clusters, each admin:

  1. prints its cluster's key (crossguard federation keys) and gives it to the other;
  2. creates a partner token for the other (crossguard token create --role partner --country VNM);
  3. registers the other with its URL, key and the token the other issued
     (crossguard federation add VNM --url … --key … --partner-token-file …).`,
	}
	client.addFlags(cmd)
	keys := &cobra.Command{
		Use:     "keys",
		Short:   "Print this cluster's country and public key, for partners to register",
		Example: `  crossguard federation keys`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := client.call(cmd, http.MethodGet, "/v1/federation/identity", nil)
			if err != nil {
				return err
			}
			var id struct {
				Country   string `json:"country"`
				PublicKey string `json:"public_key"`
			}
			if err := json.Unmarshal(b, &id); err != nil {
				return err
			}
			country := id.Country
			if country == "" {
				country = "(no country: start the nodes with --country)"
			}
			fmt.Fprintf(e.out, "country:    %s\npublic key: %s\n", country, id.PublicKey)
			return nil
		},
	}
	var url, key, partnerToken, partnerTokenFile string
	add := &cobra.Command{
		Use:     "add COUNTRY",
		Short:   "Register a partner (or change its record): its URL, its public key and the partner token it issued to this cluster",
		Example: `  crossguard federation add VNM --url https://crossguard.example.vn --key 3q2+7w... --partner-token-file vnm-for-chn.token`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if partnerTokenFile != "" {
				b, err := os.ReadFile(partnerTokenFile)
				if err != nil {
					return err
				}
				partnerToken = strings.TrimSpace(string(b))
			}
			_, err := client.call(cmd, http.MethodPut, "/v1/federation/partners/"+strings.ToUpper(args[0]),
				map[string]string{"url": url, "public_key": key, "token": partnerToken})
			if err == nil {
				fmt.Fprintf(e.out, "partner %s registered\n", strings.ToUpper(args[0]))
			}
			return err
		},
	}
	add.Flags().StringVar(&url, "url", "", "base URL of the partner's API")
	add.Flags().StringVar(&key, "key", "", "the partner's public key (its crossguard federation keys)")
	add.Flags().StringVar(&partnerTokenFile, "partner-token-file", "", "file holding the partner token the partner issued to this cluster")
	add.Flags().StringVar(&partnerToken, "partner-token", "", "the partner token (prefer --partner-token-file: arguments show in ps)")
	remove := &cobra.Command{
		Use:     "remove COUNTRY",
		Short:   "Forget a partner: nothing more is pulled or sent; its alerts here are closed",
		Example: `  crossguard federation remove VNM`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := client.call(cmd, http.MethodDelete, "/v1/federation/partners/"+strings.ToUpper(args[0]), nil)
			return err
		},
	}
	list := &cobra.Command{
		Use:     "partners",
		Short:   "List the partners: last sync, lag, queued reports, errors",
		Example: `  crossguard federation partners`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := client.call(cmd, http.MethodGet, "/v1/federation/partners", nil)
			if err != nil {
				return err
			}
			var out struct {
				Partners []api.PartnerView `json:"partners"`
			}
			if err := json.Unmarshal(b, &out); err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "COUNTRY\tURL\tLAST SYNC\tLAG\tIMPORTED\tQUEUED\tDELIVERED\tERROR")
			now := time.Now()
			for _, p := range out.Partners {
				last, lag := "never", "-"
				if d := p.Lag(now); d >= 0 {
					last, lag = p.State.LastSync.Format(time.RFC3339), d.Round(time.Second).String()
				}
				errText := ""
				if p.Link != nil {
					errText = p.Link.LastError
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", p.Country, p.URL, last, lag, p.State.Imported,
					p.State.Queued-p.State.Delivered, p.State.Delivered, errText)
			}
			return w.Flush()
		},
	}
	cmd.AddCommand(keys, add, remove, list)
	return cmd
}
