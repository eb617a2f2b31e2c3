package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crossguard/crossguard/api"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{streams: streams{in: strings.NewReader(stdin), out: &out, err: &errOut},
		now: func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }}
	cmd := newRootCommand(e)
	cmd.SetArgs(args)
	cmd.SetIn(e.in)
	cmd.SetOut(e.out)
	cmd.SetErr(e.err)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestMRZCommand(t *testing.T) {
	in := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n\n" +
		"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<7\n"
	out, err := runCLI(t, in, "mrz")
	if !errors.Is(err, errFindings) {
		t.Fatalf("err = %v, want errFindings for the invalid second document", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d JSON lines, want 2:\n%s", len(lines), out)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"format", "document_code", "issuing_state", "surname", "given_names", "document_number",
		"nationality", "birth_date", "sex", "expiry_date", "optional_data", "valid", "checks", "corrections", "errors"} {
		if _, ok := first[key]; !ok {
			t.Errorf("key %q missing from %s", key, lines[0])
		}
	}
	if first["valid"] != true || first["birth_date"] != "1974-08-12" {
		t.Errorf("first document: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"composite":false`) || !strings.Contains(lines[1], `"valid":false`) {
		t.Errorf("second document should fail its composite check: %s", lines[1])
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	child := "P<CHNZHANG<<XIAOMING<<<<<<<<<<<<<<<<<<<<<<<<\nE500043215CHN1503092M3001019<<<<<<<<<<<<<<<2"
	party := `{"direction":"exit","travellers":[{"surname":"WANG","given":"FANG","birth_date":"1988-04-02","sex":"F","nationality":"CHN"},` +
		`{"mrz":` + jsonString(child) + `}],"relationships":[{"adult":0,"minor":1,"relation":"other"}]}`
	out, err := runCLI(t, party, "check", "--demo", "--data", dir)
	if !errors.Is(err, errFindings) {
		t.Fatalf("err %v, want a non-clear verdict\n%s", err, out)
	}
	var got api.Inspection
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Verdict != "stop" || len(got.Travellers) != 2 || len(got.Travellers[1].Hits) == 0 ||
		got.Travellers[1].Hits[0].AlertID != "DEMO-MISSING-ZHANG" || got.CrossingID == "" || !got.Travellers[1].Minor {
		t.Errorf("unexpected answer:\n%s", out)
	}
	if got.Documents[1].Format != "TD3" {
		t.Errorf("parsed MRZ not returned: %+v", got.Documents)
	}
	// The history key was created private.
	if fi, err := os.Stat(filepath.Join(dir, "history.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history key: %v %v", fi, err)
	}

	// An innocent traveller is cleared.
	out, err = runCLI(t, `{"direction":"entry","travellers":[{"surname":"KOVAC","given":"IVAN","birth_date":"1970-01-01","sex":"M","nationality":"HRV"}]}`, "check", "--data", dir)
	if err != nil || !strings.Contains(out, `"verdict": "clear"`) {
		t.Errorf("innocent: %v\n%s", err, out)
	}

	// Bad input names the field.
	_, err = runCLI(t, `{"direction":"sideways","travellers":[{"surname":"X","sex":"boy"}]}`, "check", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "direction") || !strings.Contains(err.Error(), "travellers[0].sex") {
		t.Errorf("bad input: %v", err)
	}
	_, err = runCLI(t, `{"direction":"exit","travelers":[]}`, "check", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "travelers") {
		t.Errorf("unknown field: %v", err)
	}
}

func TestDemoCommand(t *testing.T) {
	out, err := runCLI(t, "", "demo", "--data", t.TempDir(), "--alerts", "2000")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CLEAR  An innocent family", "STOP   A woman leaves with a boy", "CHILD_AT_RISK_EXIT", "LOST_STOLEN_DOCUMENT", "MINOR_WITHOUT_GUARDIAN"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
