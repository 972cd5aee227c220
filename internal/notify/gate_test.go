package notify

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

func TestGate(t *testing.T) {
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	a := func(id, sev string, events int64, matches int) *alert.Alert {
		return &alert.Alert{ID: id, Rule: alert.RuleRef{Severity: sev}, EventCount: events, Matches: matches, LastSeen: at}
	}
	g := NewGate(0)
	steps := []struct {
		a            *alert.Alert
		send, update bool
		why          string
	}{
		{a("x", "high", 5, 1), true, false, "raised"},
		{a("x", "high", 6, 2), false, false, "one more event"},
		{a("x", "high", 9, 3), false, false, "not yet doubled"},
		{a("x", "high", 10, 4), true, true, "doubled"},
		{a("x", "critical", 11, 5), true, true, "severity changed"},
		{a("x", "critical", 11, 6), false, false, "nothing changed"},
		{a("y", "low", 1, 1), true, false, "another alert"},
		{a("z", "low", 1, 3), true, true, "first seen after a restart, but an update of an alert raised before"},
	}
	for i, s := range steps {
		send, update := g.Pass(s.a)
		if send != s.send || update != s.update {
			t.Errorf("step %d (%s): send %v update %v, want %v %v", i, s.why, send, update, s.send, s.update)
		}
	}
	stepped := NewGate(3)
	stepped.Pass(a("x", "high", 5, 1))
	if send, _ := stepped.Pass(a("x", "high", 7, 2)); send {
		t.Error("step 3: sent after 2 more events")
	}
	if send, update := stepped.Pass(a("x", "high", 8, 3)); !send || !update {
		t.Error("step 3: not sent after 3 more events")
	}
}

// A gate restored from its snapshot does not send again what it sent.
func TestGateSnapshot(t *testing.T) {
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	a := &alert.Alert{ID: "x", Rule: alert.RuleRef{Severity: "high"}, EventCount: 5, Matches: 1, LastSeen: at}
	g := NewGate(0)
	g.Pass(a)
	snap, err := g.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back := NewGate(0)
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if send, _ := back.Pass(a); send {
		t.Error("the restored gate sent an alert already sent")
	}
	if err := back.Restore([]byte("{")); err == nil {
		t.Error("a damaged snapshot restored without error")
	}
}
