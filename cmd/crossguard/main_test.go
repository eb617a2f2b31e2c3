package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
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
