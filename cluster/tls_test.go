package cluster

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"testing"
	"time"

	"github.com/crossguard/crossguard/testbench"
)

func TestMutualTLSCluster(t *testing.T) {
	dir := t.TempDir()
	ca, err := NewCA("Crossguard test cluster")
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"centre-1", "centre-2", "centre-3", "post-1"}
	if err := WriteCerts(dir, ca, ids, []string{"127.0.0.1", "localhost"}); err != nil {
		t.Fatal(err)
	}
	load := func(id string) (*tls.Config, *tls.Config) {
		s, c, err := LoadTLSConfigs(filepath.Join(dir, "ca.crt"), filepath.Join(dir, id+".crt"), filepath.Join(dir, id+".key"))
		if err != nil {
			t.Fatal(err)
		}
		return s, c
	}
	tc := newTestCluster(t, 3, 1, func(tc *testCluster) { tc.tls = load })
	upsert(t, tc.node("post-1"), testbench.NewGenerator(7, now).Alerts(0, 10)...)
	tc.assertSameState()

	// A node with a certificate from another CA cannot talk to the cluster.
	other, err := NewCA("somebody else")
	if err != nil {
		t.Fatal(err)
	}
	odir := t.TempDir()
	if err := WriteCerts(odir, other, []string{"post-9"}, []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	leader := tc.waitLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, client, err := LoadTLSConfigs(filepath.Join(odir, "ca.crt"), filepath.Join(odir, "post-9.crt"), filepath.Join(odir, "post-9.key"))
	if err != nil {
		t.Fatal(err)
	}
	m := &mux{network: TCP{}, clientTLS: client}
	if _, err := m.dial(ctx, leader.cluster.Address(), protoRPC); err == nil {
		t.Fatal("a stranger's certificate was accepted")
	}
	// Nor can a node without TLS: its request goes unanswered.
	plain := &Cluster{mux: &mux{network: TCP{}}}
	if _, err := plain.call(ctx, leader.cluster.Address(), rpcRequest{Op: opStatus}); err == nil {
		t.Fatal("a plain-TCP request was answered by a TLS cluster")
	}
	if got := len(leader.cluster.Status().Members); got != 4 {
		t.Fatalf("%d members", got)
	}
}
