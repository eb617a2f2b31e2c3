package watchlist

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

func auditEntries(n int, from int, at time.Time) []AuditEntry {
	var out []AuditEntry
	for i := from; i < from+n; i++ {
		out = append(out, AuditEntry{ID: fmt.Sprintf("A%06d", i), At: at.Add(time.Duration(i) * time.Second), Node: "post-1",
			TokenID: "T1", Role: RoleOfficer, Post: "lao-cai", Action: "POST /v1/inspections", Status: 200,
			Detail: "verdict clear", Expires: at.Add(time.Duration(i)*time.Second + 24*time.Hour)})
	}
	return out
}

// tamper rewrites or deletes a stored entry behind the engine's back, as
// someone with the disk could.
func tamper(t *testing.T, e *Engine, seq uint64, change func(*AuditEntry) bool) {
	t.Helper()
	err := e.locked().Update(func(txn *badger.Txn) error {
		item, err := txn.Get(auditKey(seq))
		if err != nil {
			return err
		}
		var a AuditEntry
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
			return err
		}
		if !change(&a) {
			return txn.Delete(auditKey(seq))
		}
		v, _ := json.Marshal(a)
		return txn.Set(auditKey(seq), v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	cases := map[string]struct {
		seq    uint64
		change func(*AuditEntry) bool
		broken uint64
	}{
		"changed detail": {5, func(a *AuditEntry) bool { a.Detail = "verdict stop"; return true }, 5},
		"changed and rehashed": {5, func(a *AuditEntry) bool {
			a.Detail = "verdict stop"
			a.Hash, _ = auditHash(*a)
			return true
		}, 6},
		"removed":           {5, func(*AuditEntry) bool { return false }, 5},
		"removed the last":  {10, func(*AuditEntry) bool { return false }, 10},
		"removed the first": {1, func(*AuditEntry) bool { return false }, 1},
		"renumbered":        {7, func(a *AuditEntry) bool { a.Seq = 8; return true }, 7},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := openTest(t)
			if err := e.AppendAudit(auditEntries(10, 0, today)); err != nil {
				t.Fatal(err)
			}
			r, err := e.VerifyAudit()
			if err != nil || !r.OK || r.Entries != 10 {
				t.Fatalf("untouched chain: %+v %v", r, err)
			}
			tamper(t, e, c.seq, c.change)
			r, err = e.VerifyAudit()
			if err != nil || r.OK || r.BrokenAt != c.broken {
				t.Fatalf("after tampering: %+v %v, want broken at %d", r, err, c.broken)
			}
		})
	}
}

func TestAuditAppendIsIdempotentAndPurgeKeepsTheChain(t *testing.T) {
	e := openTest(t)
	batch := auditEntries(10, 0, today)
	if err := e.AppendAudit(batch); err != nil {
		t.Fatal(err)
	}
	if err := e.AppendAudit(append(batch[5:], auditEntries(5, 10, today)...)); err != nil {
		t.Fatal(err)
	}
	got, next, err := e.Audit(AuditQuery{Limit: 100})
	if err != nil || len(got) != 15 || next != 0 || got[14].Seq != 15 {
		t.Fatalf("entries %d next %d: %v", len(got), next, err)
	}
	page, next, _ := e.Audit(AuditQuery{Limit: 4})
	if len(page) != 4 || next != 4 {
		t.Fatalf("page of 4: %d next %d", len(page), next)
	}
	page, _, _ = e.Audit(AuditQuery{AfterSeq: next, Limit: 4})
	if page[0].Seq != 5 {
		t.Fatalf("next page starts at %d", page[0].Seq)
	}
	// Entries 0..6 are past their retention a day and 6 seconds later.
	through, err := e.ExpiredAuditThrough(today.Add(24*time.Hour + 6*time.Second))
	if err != nil || through != 7 {
		t.Fatalf("expired through %d: %v", through, err)
	}
	if err := e.PurgeAudit(through); err != nil {
		t.Fatal(err)
	}
	r, err := e.VerifyAudit()
	if err != nil || !r.OK || r.Entries != 8 || r.First != 8 {
		t.Fatalf("after purge: %+v %v", r, err)
	}
	// Removing the first entry kept is still detected.
	tamper(t, e, 8, func(*AuditEntry) bool { return false })
	if r, _ := e.VerifyAudit(); r.OK || r.BrokenAt != 8 {
		t.Fatalf("removed the first kept entry: %+v", r)
	}
}
