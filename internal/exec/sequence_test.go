package exec

import (
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// deniedThenThrottled is "sequence by user.id with maxspan=10m
// [error_code == AccessDeniedException] [error_code == ThrottlingException]",
// built by hand.
func deniedThenThrottled(t testing.TB) *Program {
	t.Helper()
	code := func(c string) plan.Expr {
		return &plan.Binary{Op: "==", L: &plan.Field{Name: "gen_ai.response.error_code"}, R: &plan.Literal{Value: event.StringValue(c)}}
	}
	q := &plan.Query{Dialect: plan.EQL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Sequence{By: []plan.Expr{&plan.Field{Name: "user.id"}}, MaxSpan: 10 * time.Minute,
			Steps: []plan.SeqStep{{Cond: code("AccessDeniedException"), Runs: 1}, {Cond: code("ThrottlingException"), Runs: 1}}},
	}}
	p, err := Compile(q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// seqEvents: u1 is denied then throttled twice (one sequence, the second
// throttle has nothing left to follow), u2 is throttled then denied
// (none), u3 is denied and throttled 11 minutes later (past maxspan).
func seqEvents(t *testing.T, base time.Time) []*event.Event {
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	return []*event.Event{
		invocation(t, at(0), "u1", "m", "AccessDeniedException"),
		invocation(t, at(1), "u2", "m", "ThrottlingException"),
		invocation(t, at(2), "u1", "m", "ThrottlingException"),
		invocation(t, at(3), "u2", "m", "AccessDeniedException"),
		invocation(t, at(4), "u3", "m", "AccessDeniedException"),
		invocation(t, at(5), "u1", "m", "ThrottlingException"),
		invocation(t, at(15), "u3", "m", "ThrottlingException"),
	}
}

func seqString(res []Result) string {
	var b strings.Builder
	for _, r := range res {
		b.WriteString(r.Get("user.id").String())
		for _, e := range r.Evidence {
			b.WriteString(" " + e.ID)
		}
		b.WriteString(";")
	}
	return b.String()
}

func TestSequenceMergeAndSnapshot(t *testing.T) {
	p := deniedThenThrottled(t)
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	from, to := base, base.Add(time.Hour)
	evs := seqEvents(t, base)
	one := p.NewInstance(10 * time.Minute)
	for _, ev := range evs {
		one.Push(ev)
	}
	want := seqString(one.Evaluate(to, from, to))
	first := evs[0].ID + " " + evs[2].ID
	if want != "u1 "+first+";" {
		t.Fatalf("sequences %q, want u1 %s", want, first)
	}
	// Two workers each take every other event, in reverse; merged, they
	// find the same sequences, since a window is matched in time order.
	a, b := p.NewInstance(10*time.Minute), p.NewInstance(10*time.Minute)
	for i := len(evs) - 1; i >= 0; i-- {
		if i%2 == 0 {
			a.Push(evs[i])
		} else {
			b.Push(evs[i])
		}
	}
	a.Merge(b)
	if got := seqString(a.Evaluate(to, from, to)); got != want {
		t.Errorf("merged: %q, want %q", got, want)
	}
	back := p.NewInstance(10 * time.Minute)
	if err := back.Restore(one.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if got := seqString(back.Evaluate(to, from, to)); got != want {
		t.Errorf("restored: %q, want %q", got, want)
	}
	if err := compileDenials(t, 0).NewInstance(10 * time.Minute).Restore(one.Snapshot()); err == nil {
		t.Error("a sequence snapshot restored into an aggregation")
	}
	// Evicting the panes before the first throttle leaves no sequence.
	one.Evict(base.Add(10 * time.Minute))
	if got := one.Evaluate(to, from, to); len(got) != 0 {
		t.Errorf("after evict: %q", seqString(got))
	}
}

// TestSequencePartialCap: partials per key are bounded; the oldest go
// first and are counted, and the latest partial is the one a later step
// extends.
func TestSequencePartialCap(t *testing.T) {
	p := deniedThenThrottled(t)
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	in := p.NewInstance(0)
	var last *event.Event
	for i := 0; i < MaxPartialSequences+5; i++ {
		last = invocation(t, base.Add(time.Duration(i)*time.Millisecond), "u1", "m", "AccessDeniedException")
		in.Push(last)
	}
	end := invocation(t, base.Add(time.Second*2), "u1", "m", "ThrottlingException")
	in.Push(end)
	res := in.Evaluate(base.Add(time.Hour), base, base.Add(time.Hour))
	if len(res) != 1 || res[0].Evidence[0].ID != last.ID || res[0].Evidence[1].ID != end.ID {
		t.Fatalf("sequences %q, want one from the latest denial", seqString(res))
	}
	if in.Dropped() != 5 {
		t.Errorf("dropped %d, want 5", in.Dropped())
	}
}

func FuzzRestoreSequence(f *testing.F) {
	p := deniedThenThrottled(f)
	in := p.NewInstance(time.Minute)
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	in.Push(invocation(&testing.T{}, base, "u1", "m", "AccessDeniedException"))
	f.Add(in.Snapshot())
	f.Fuzz(func(t *testing.T, b []byte) {
		back := p.NewInstance(time.Minute)
		if back.Restore(b) == nil {
			back.Evaluate(base, base.Add(-time.Hour), base.Add(time.Hour)) // must not panic
		}
	})
}
