package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/cluster"
	"github.com/crossguard/crossguard/node"
)

func newClusterCommand(e *env) *cobra.Command {
	var client apiClient
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Show and change the membership of a running cluster, through any node's API",
	}
	client.addFlags(cmd)
	status := &cobra.Command{
		Use: "status",
		Example: `  crossguard cluster status
  crossguard cluster status --node http://127.0.0.1:8091 --token-file d/centre-1/admin.token`,
		Short: "Print every member, the leader, and each node's applied index and lag",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := client.call(cmd, http.MethodGet, "/v1/cluster", nil)
			if err != nil {
				return err
			}
			var st struct {
				Node    cluster.Status         `json:"node"`
				Members []cluster.MemberStatus `json:"members"`
			}
			if err := json.Unmarshal(b, &st); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "leader: %s (%s), term %d, commit index %d\n", st.Node.LeaderID, st.Node.LeaderAddr, st.Node.Term, st.Node.CommitIndex)
			fmt.Fprintf(e.out, "%-16s %-22s %-9s %-10s %-9s %-6s %s\n", "ID", "RAFT ADDRESS", "ROLE", "STATE", "APPLIED", "LAG", "LEADER CONTACT")
			for _, m := range st.Members {
				role := "replica"
				if m.Voter {
					role = "voter"
				}
				if m.Status == nil {
					fmt.Fprintf(e.out, "%-16s %-22s %-9s %-10s %-9s %-6s %s\n", m.ID, m.Address, role, "unreachable", "-", "-", m.Error)
					continue
				}
				contact := fmt.Sprintf("%d ms ago", m.Status.LeaderContactAgeMS)
				if m.Status.LeaderContactAgeMS < 0 {
					contact = "never"
				}
				fmt.Fprintf(e.out, "%-16s %-22s %-9s %-10s %-9d %-6d %s\n", m.ID, m.Address, role, m.Status.State, m.Status.AppliedIndex, max(m.Lag, 0), contact)
			}
			return nil
		},
	}
	var voter bool
	join := &cobra.Command{
		Use: "join ID RAFT-ADDRESS",
		Example: `  crossguard cluster join post-3 10.2.0.7:8089 --node http://127.0.0.1:8081
  crossguard cluster join centre-4 10.1.0.4:8089 --voter`,
		Short: "Add a node (idempotent); --voter for an operations centre",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := client.call(cmd, http.MethodPost, "/v1/cluster/join", map[string]any{"id": args[0], "address": args[1], "voter": voter})
			if err == nil {
				fmt.Fprintf(e.out, "%s is a member\n", args[0])
			}
			return err
		},
	}
	join.Flags().BoolVar(&voter, "voter", false, "join as a voter")
	remove := &cobra.Command{
		Use:     "remove ID",
		Example: `  crossguard cluster remove post-3 --node http://127.0.0.1:8081`,
		Short:   "Remove a node (a dead one, or one leaving)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := client.call(cmd, http.MethodPost, "/v1/cluster/remove", map[string]any{"id": args[0]})
			if err == nil {
				fmt.Fprintf(e.out, "%s removed\n", args[0])
			}
			return err
		},
	}
	cmd.AddCommand(status, join, remove)
	return cmd
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newCertsCommand(e *env) *cobra.Command {
	var dir, nodes, hosts string
	cmd := &cobra.Command{
		Use:     "certs",
		Example: `  crossguard certs --dir certs --nodes centre-1,centre-2,centre-3,post-1,post-2 --hosts 127.0.0.1,localhost`,
		Short:   "Create a cluster CA, a certificate per node and a shared history key, for a test or demo cluster",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ca, err := cluster.NewCA("Crossguard cluster CA")
			if err != nil {
				return err
			}
			ids := strings.Split(nodes, ",")
			if err := cluster.WriteCerts(dir, ca, ids, strings.Split(hosts, ",")); err != nil {
				return err
			}
			if _, err := node.LoadOrCreateKey(filepath.Join(dir, "history.key")); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "wrote %s/ca.crt, ca.key, history.key and a certificate and key for %s\n", dir, strings.Join(ids, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "crossguard-certs", "directory to write into")
	cmd.Flags().StringVar(&nodes, "nodes", "centre-1,centre-2,centre-3,post-1,post-2", "node IDs, comma-separated")
	cmd.Flags().StringVar(&hosts, "hosts", "127.0.0.1,localhost", "host names and IPs every certificate is valid for")
	return cmd
}
