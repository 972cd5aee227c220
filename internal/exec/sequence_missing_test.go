package exec

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// missingSeq compiles "sequence by user.id with maxspan=10m" over steps
// written as error codes, "!" before a code making the step missing.
func missingSeq(t testing.TB, steps ...string) *Program {
	t.Helper()
	s := &plan.Sequence{By: []plan.Expr{&plan.Field{Name: "user.id"}}, MaxSpan: 10 * time.Minute}
	for _, c := range steps {
		st := plan.SeqStep{Runs: 1}
		if c[0] == '!' {
			st.Missing, c = true, c[1:]
		}
		st.Cond = &plan.Binary{Op: "==", L: &plan.Field{Name: "gen_ai.response.error_code"}, R: &plan.Literal{Value: event.StringValue(c)}}
		s.Steps = append(s.Steps, st)
	}
	p, err := Compile(&plan.Query{Dialect: plan.EQL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}}, s}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ev is one invocation: minutes after base, user, error code.
type ev struct {
	m          int
	user, code string
}

func pushAll(t *testing.T, in *Instance, base time.Time, evs []ev) {
	for _, e := range evs {
		in.Push(invocation(t, base.Add(time.Duration(e.m)*time.Minute), e.user, "m", e.code))
	}
}

// matched lists the users of the results with the minutes of their
// evidence: "u1@0,2;".
func matched(base time.Time, res []Result) string {
	s := ""
	for _, r := range res {
		s += r.Get("user.id").String() + "@"
		for i, e := range r.Evidence {
			if i > 0 {
				s += ","
			}
			s += time.Unix(0, e.Time).Sub(base).String()
		}
		s += ";"
	}
	return s
}

// The cases follow Elasticsearch's syntax reference, "Missing events", and
// its TumblingWindow: a missing event with the same join key discards a
// sequence between the present events around it, before the first within
// maxspan of the last, after the last within maxspan of the first; one of
// another key never does; only present events are evidence.
func TestSequenceMissing(t *testing.T) {
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		steps []string
		evs   []ev
		want  string
	}{
		{"leading", []string{"!A", "B"}, []ev{
			{5, "u1", "B"},                 // nothing before: matches
			{0, "u2", "A"}, {5, "u2", "B"}, // A 5m before B: discarded
			{0, "u3", "A"}, {20, "u3", "B"}, // A 20m before: past maxspan
			{1, "u9", "A"}, {2, "u4", "B"}, // A of another user
		}, "u4@2m0s;u1@5m0s;u3@20m0s;"},
		{"middle", []string{"A", "!C", "B"}, []ev{
			{0, "u1", "A"}, {2, "u1", "B"},
			{0, "u2", "A"}, {1, "u2", "C"}, {2, "u2", "B"},
			{0, "u3", "A"}, {1, "u9", "C"}, {2, "u3", "B"},
			// C at the very time of B is not between them.
			{0, "u4", "A"}, {3, "u4", "C"}, {3, "u4", "B"},
		}, "u1@0s,2m0s;u3@0s,2m0s;u4@0s,3m0s;"},
		{"trailing", []string{"A", "!B"}, []ev{
			{0, "u1", "A"},
			{0, "u2", "A"}, {5, "u2", "B"},
			{0, "u3", "A"}, {15, "u3", "B"}, // 15m after: past maxspan
			{0, "u4", "A"}, {5, "u9", "B"},
		}, "u1@0s;u3@0s;u4@0s;"},
		{"leading and trailing", []string{"!B", "A", "!B"}, []ev{
			{10, "u1", "A"},
			// B 5m before and 4m after: no 10m span avoids both.
			{5, "u2", "B"}, {10, "u2", "A"}, {14, "u2", "B"},
			// B 5m before and 6m after: 11m apart, a span fits between.
			{5, "u3", "B"}, {10, "u3", "A"}, {16, "u3", "B"},
		}, "u1@10m0s;u3@10m0s;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := missingSeq(t, tc.steps...)
			in := p.NewInstance(5 * time.Minute)
			pushAll(t, in, base, tc.evs)
			res := in.Evaluate(base.Add(time.Hour), base.Add(-time.Hour), base.Add(time.Hour))
			sortResults(res)
			if got := matched(base, res); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if in.Pending() != 0 {
				t.Errorf("%d sequences pending after their deadline", in.Pending())
			}
		})
	}
}

// sortResults orders results by their first event's time, then user.
func sortResults(res []Result) {
	for i := 1; i < len(res); i++ {
		for j := i; j > 0; j-- {
			a, b := &res[j-1], &res[j]
			if a.First.Before(b.First) || a.First.Equal(b.First) && a.Get("user.id").String() <= b.Get("user.id").String() {
				break
			}
			res[j-1], res[j] = res[j], res[j-1]
		}
	}
}

// A trailing missing step is decided only once maxspan has passed: a
// window that ends before the deadline leaves the sequence pending, a
// snapshot keeps it, and a later window whose end passes the deadline
// completes it, though its present event has left the window, or
// discards it when the forbidden event came in the meantime.
func TestSequenceMissingTrailingWaits(t *testing.T) {
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p := missingSeq(t, "A", "!B")
	in := p.NewInstance(5 * time.Minute)
	pushAll(t, in, base, []ev{{0, "u1", "A"}, {1, "u2", "A"}})
	if res := in.Evaluate(base.Add(5*time.Minute), base, base.Add(5*time.Minute)); len(res) != 0 {
		t.Fatalf("before the deadline: %s", matched(base, res))
	}
	if in.Pending() != 2 {
		t.Fatalf("pending %d, want 2", in.Pending())
	}
	// A second evaluation of the same window does not pend them twice.
	in.Evaluate(base.Add(5*time.Minute), base, base.Add(5*time.Minute))
	if in.Pending() != 2 {
		t.Fatalf("pending %d after a second look, want 2", in.Pending())
	}
	restored := p.NewInstance(5 * time.Minute)
	if err := restored.Restore(in.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if restored.Pending() != 2 {
		t.Fatalf("restored pending %d, want 2", restored.Pending())
	}
	for _, x := range []*Instance{in, restored} {
		x.Evict(base.Add(5 * time.Minute)) // the present events' pane goes
		pushAll(t, x, base, []ev{{7, "u2", "B"}, {12, "u3", "C"}})
		if res := x.Evaluate(base.Add(10*time.Minute), base.Add(5*time.Minute), base.Add(10*time.Minute)); len(res) != 0 {
			t.Fatalf("at the deadline: %s", matched(base, res))
		}
		if x.Pending() != 1 {
			t.Fatalf("pending %d, want u1's alone", x.Pending())
		}
		res := x.Evaluate(base.Add(15*time.Minute), base.Add(10*time.Minute), base.Add(15*time.Minute))
		if got := matched(base, res); got != "u1@0s;" {
			t.Errorf("past the deadline: %q, want u1@0s;", got)
		}
		if x.Pending() != 0 {
			t.Errorf("pending %d after the deadline", x.Pending())
		}
	}
	// At the end of a batch run's data, what still waits completes.
	end := p.NewInstance(5 * time.Minute)
	pushAll(t, end, base, []ev{{0, "u1", "A"}, {1, "u2", "A"}, {3, "u2", "B"}})
	end.Evaluate(base.Add(5*time.Minute), base, base.Add(5*time.Minute))
	if got := matched(base, end.Finish()); got != "u1@0s;" {
		t.Errorf("Finish: %q, want u1@0s;", got)
	}
}

// Pending sequences are bounded per join key like partial ones.
func TestSequenceMissingPendingBound(t *testing.T) {
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p := missingSeq(t, "A", "!B")
	in := p.NewInstance(0)
	for i := 0; i < MaxPartialSequences+5; i++ {
		in.Push(invocation(t, base.Add(time.Duration(i)*time.Millisecond), "u1", "m", "A"))
	}
	in.Evaluate(base, base, base.Add(time.Second))
	if in.Pending() != MaxPartialSequences || in.Dropped() != 5 {
		t.Errorf("pending %d, dropped %d; want %d and 5", in.Pending(), in.Dropped(), MaxPartialSequences)
	}
}

// A plan no front end should give is refused: all steps missing, or
// missing steps without a maxspan.
func TestSequenceMissingRefused(t *testing.T) {
	for _, s := range []*plan.Sequence{
		{MaxSpan: time.Minute, Steps: []plan.SeqStep{{Missing: true, Runs: 1}, {Missing: true, Runs: 1}}},
		{Steps: []plan.SeqStep{{Runs: 1}, {Missing: true, Runs: 1}}},
	} {
		if _, err := Compile(&plan.Query{Dialect: plan.EQL, Pipeline: []plan.Node{&plan.From{}, s}}, Options{}); err == nil {
			t.Errorf("Compile(%s): no error", s)
		}
	}
}
