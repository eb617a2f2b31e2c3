package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/watchlist"
)

func newBackupCommand(e *env) *cobra.Command {
	var client apiClient
	var out, consistency string
	cmd := &cobra.Command{
		Use: "backup",
		Example: `  crossguard backup --node http://127.0.0.1:8082 --token-file d/centre-1/admin.token --out cg.snapshot
  crossguard backup --out - | gzip > cg.snapshot.gz`,
		Short: "Write a consistent snapshot of a running cluster to a file, or to stdout with --out -",
		Long: "backup asks any node for a snapshot of its store, taken once it has applied everything the cluster committed " +
			"(--consistency leader; linearizable also has the leader confirm it still leads). The stream is verified " +
			"(record count and checksum) as it arrives; a file is written under a temporary name and renamed only when whole.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := client.get(cmd, "/v1/cluster/backup?consistency="+url.QueryEscape(consistency))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
				return fmt.Errorf("backup: %s: %s", resp.Status, bytes.TrimSpace(b))
			}
			if out == "-" {
				info, err := watchlist.VerifySnapshot(io.TeeReader(resp.Body, e.out))
				if err != nil {
					return fmt.Errorf("the backup written to stdout is not whole: %w", err)
				}
				fmt.Fprintf(e.err, "backup: %d alerts, %d crossings, index %d, %d bytes\n", info.Alerts, info.Crossings, info.AppliedIndex, info.Bytes)
				return nil
			}
			f, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.tmp")
			if err != nil {
				return err
			}
			defer os.Remove(f.Name()) // after the rename, a no-op
			info, err := watchlist.VerifySnapshot(io.TeeReader(resp.Body, f))
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("backup not written: %w", err)
			}
			if err := os.Rename(f.Name(), out); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "wrote %s: %d alerts, %d crossings, index %d, %d bytes\n", out, info.Alerts, info.Crossings, info.AppliedIndex, info.Bytes)
			return nil
		},
	}
	client.addFlags(cmd)
	cmd.Flags().StringVarP(&out, "out", "o", "crossguard.snapshot", "file to write; - for stdout")
	cmd.Flags().StringVar(&consistency, "consistency", "leader", "leader or linearizable (local: the node's copy as it is)")
	return cmd
}

func newRestoreCommand(e *env) *cobra.Command {
	var client apiClient
	var force bool
	cmd := &cobra.Command{
		Use: "restore FILE",
		Example: `  crossguard restore --node http://127.0.0.1:8081 --token-file d/centre-1/admin.token cg.snapshot
  gunzip -c cg.snapshot.gz | crossguard restore --force -`,
		Short: "Seed a new cluster from a backup (on its leader); - reads stdin",
		Long: "restore verifies the backup, then sends it to the leader of a cluster that holds no alerts or crossings yet " +
			"(--force replaces what it holds). Start the first voter of the new cluster, restore into it, then start the " +
			"other nodes: each installs the restored state from the leader. The nodes must share the old cluster's " +
			"history key (history.key), or crossing records restored cannot be matched against new ones.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var body io.Reader
			var size int64 = -1
			if args[0] == "-" {
				body = e.in
			} else {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				if _, err := watchlist.VerifySnapshot(f); err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if size, err = f.Seek(0, io.SeekEnd); err != nil {
					return err
				}
				if _, err := f.Seek(0, io.SeekStart); err != nil {
					return err
				}
				body = f
			}
			b, err := client.send(cmd, http.MethodPost, fmt.Sprintf("/v1/cluster/restore?force=%t", force),
				"application/vnd.crossguard.snapshot", body, size, 0)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.out, "restored: %s\n", bytes.TrimSpace(b))
			return nil
		},
	}
	client.addFlags(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "replace a cluster that already holds alerts or crossings")
	return cmd
}
