package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newTokenCommand(e *env) *cobra.Command {
	var client apiClient
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke API tokens (admin)",
		Example: `  # An officer's token for the Lao Cai post, written to a file only its owner reads:
  crossguard token create --role officer --post lao-cai --name "Officer Tran" --out tran.token
  crossguard token list
  crossguard token revoke 01JD...`,
	}
	client.addFlags(cmd)
	var role, post, country, name, out string
	create := &cobra.Command{
		Use: "create",
		Example: `  crossguard token create --role officer --post lao-cai --name "Officer Nguyen" --out nguyen.token
  crossguard token create --role analyst --out analyst.token`,
		Short: "Create a token; its secret is shown once (or written to --out, mode 0600)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := client.call(cmd, http.MethodPost, "/v1/tokens", map[string]string{"role": role, "post": post, "country": country, "name": name})
			if err != nil {
				return err
			}
			var t struct {
				ID    string `json:"id"`
				Token string `json:"token"`
			}
			if err := json.Unmarshal(b, &t); err != nil {
				return err
			}
			if out != "" {
				if err := os.WriteFile(out, []byte(t.Token+"\n"), 0o600); err != nil {
					return err
				}
				fmt.Fprintf(e.out, "token %s written to %s\n", t.ID, out)
				return nil
			}
			fmt.Fprintf(e.out, "token %s (shown once):\n%s\n", t.ID, t.Token)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "officer, analyst, auditor, partner or admin")
	create.Flags().StringVar(&post, "post", "", "the border post of an officer's token")
	create.Flags().StringVar(&country, "country", "", "the partner country of a partner's token")
	create.Flags().StringVar(&name, "name", "", "who or what holds the token")
	create.Flags().StringVarP(&out, "out", "o", "", "write the secret to this file (mode 0600) instead of stdout")
	list := &cobra.Command{
		Use:     "list",
		Example: `  crossguard token list`,
		Short:   "List tokens (never their secrets)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := client.call(cmd, http.MethodGet, "/v1/tokens", nil)
			if err != nil {
				return err
			}
			var raw struct {
				Tokens []map[string]string `json:"tokens"`
			}
			if err := json.Unmarshal(b, &raw); err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.out, 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tROLE\tPOST\tNAME\tCREATED\tREVOKED")
			for _, t := range raw.Tokens {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t["id"], t["role"], t["post"]+t["country"], t["name"], t["created_at"], t["revoked_at"])
			}
			return w.Flush()
		},
	}
	revoke := &cobra.Command{
		Use:     "revoke ID",
		Example: `  crossguard token revoke 01JD0Q8W3Z6W4Y2X1V0T9S8R7Q`,
		Short:   "Revoke a token everywhere in the cluster",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := client.call(cmd, http.MethodDelete, "/v1/tokens/"+args[0], nil); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "token %s revoked\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
