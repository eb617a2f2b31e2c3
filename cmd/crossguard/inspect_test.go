package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/crossguard/crossguard/testbench"
)

// TestInspectAndImportCommands: `crossguard inspect` sends scanned MRZs
// to a running node and prints the verdict (exit 1 unless clear);
// `crossguard alerts import` streams NDJSON and CSV files and reports each
// invalid line by its line in the file.
func TestInspectAndImportCommands(t *testing.T) {
	tmp := t.TempDir()
	n := serveNode(t, "--data", filepath.Join(tmp, "d"), "--demo", "--demo-alerts", "0")
	n.waitStatus(t, "/v1/alerts/DEMO-MISSING-ZHANG", http.StatusOK)
	officer := filepath.Join(tmp, "officer.token")
	analyst := filepath.Join(tmp, "analyst.token")
	os.WriteFile(officer, []byte(n.secret(t, "officer")), 0o600)
	os.WriteFile(analyst, []byte(n.secret(t, "analyst")), 0o600)

	req := testbench.ScannedRequest(testbench.DemoParties(time.Now())[1].Party)
	stdin := req.Travellers[0].MRZ + "\n\n" + req.Travellers[1].MRZ + "\n"
	out, _, err := runCommand(t, strings.NewReader(stdin), "inspect", "--node", n.url, "--token-file", officer, "--rel", "1:2:relative")
	if !errors.Is(err, errFindings) || !strings.HasPrefix(out, "STOP") || !strings.Contains(out, "DEMO-MISSING-ZHANG") || !strings.Contains(out, "Keep the child safe") {
		t.Fatalf("inspect: %v\n%s", err, out)
	}
	family := testbench.ScannedRequest(testbench.DemoParties(time.Now())[0].Party)
	b, _ := json.Marshal(family)
	out, _, err = runCommand(t, strings.NewReader(string(b)), "inspect", "--node", n.url, "--token-file", officer, "--request", "-", "--json")
	var answer struct{ Verdict string }
	if err != nil || json.Unmarshal([]byte(out), &answer) != nil || answer.Verdict != "clear" {
		t.Fatalf("family: %v %s", err, out)
	}
	if _, _, err := runCommand(t, strings.NewReader(stdin), "inspect", "--node", n.url, "--token-file", officer, "--rel", "1:3:parent"); err == nil || !strings.Contains(err.Error(), "numbered 1 to 2") {
		t.Fatalf("bad --rel: %v", err)
	}

	// NDJSON: two valid, one invalid on line 3.
	g := testbench.NewGenerator(11, time.Now())
	alerts := g.Alerts(0, 3)
	var lines []string
	for _, a := range alerts[:2] {
		b, _ := json.Marshal(a)
		lines = append(lines, string(b))
	}
	lines = append(lines, `{"category": "missing_child", "action": "stop", "owner": {"country": "CHN", "agency": "x"}}`)
	nd := filepath.Join(tmp, "a.ndjson")
	os.WriteFile(nd, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	out, _, err = runCommand(t, nil, "alerts", "import", "--node", n.url, "--token-file", analyst, "--quiet", nd)
	if !errors.Is(err, errFindings) || !strings.Contains(out, "3 records read: 2 alerts imported, 1 invalid") || !strings.Contains(out, "line 3: person") {
		t.Fatalf("ndjson import: %v\n%s", err, out)
	}
	for _, a := range alerts[:2] {
		n.waitStatus(t, "/v1/alerts/"+a.ID, http.StatusOK)
	}

	// CSV: a header, a valid row, a row with a quoted multi-line field
	// (so file lines and records differ), an invalid row, a broken row.
	csvText := "id,category,full_name,birth_date,sex,nationalities,document_country,document_number,action,instructions,owner_country,owner_agency,share\n" +
		"CSV-1,missing_child,阮文安,2016-02-02,M,VNM,VNM,C7000001,stop,Call the duty officer,VNM,Lao Cai police,CHN LAO\n" +
		"CSV-2,abducted_child,Trần Thị Bích,2014,F,VNM,,,refer,\"Two lines\nof instructions\",VNM,Ha Giang police,\n" +
		"CSV-3,missing_child,,2015,M,VNM,,,stop,,VNM,police,\n" +
		"CSV-4,missing_child,\"broken\n"
	cf := filepath.Join(tmp, "a.csv")
	os.WriteFile(cf, []byte(csvText), 0o600)
	out, _, err = runCommand(t, nil, "alerts", "import", "--node", n.url, "--token-file", analyst, "--quiet", cf)
	if !errors.Is(err, errFindings) || !strings.Contains(out, "2 alerts imported, 2 invalid") || !strings.Contains(out, "line 5: person") ||
		!strings.Contains(out, "line 6: not valid CSV") {
		t.Fatalf("csv import: %v\n%s", err, out)
	}
	body := n.waitStatus(t, "/v1/alerts/CSV-2", http.StatusOK)
	if !strings.Contains(string(body), `Two lines\nof instructions`) {
		t.Fatalf("CSV-2: %s", body)
	}
}

// TestEverySubcommandHasAnExample: `--help` of every command shows an
// example.
func TestEverySubcommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example == "" && c.Runnable() && c.Name() != "help" && c.Name() != "completion" {
			t.Errorf("%s has no example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand(&env{}))
}
