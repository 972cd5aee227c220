package exec

import (
	"fmt"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// explainRun pushes events into an instance in explain mode with panes of
// 10 minutes, evaluates the windows of an hour ending at each 10 minutes
// from base to base+2h, and returns the explanation and the result rows.
func explainRun(t *testing.T, p *Program, evs []*event.Event, base time.Time) (*Explanation, int) {
	t.Helper()
	in := p.NewInstance(10 * time.Minute)
	in.Explain()
	for _, ev := range evs {
		in.Push(ev)
	}
	rows := 0
	for tick := base.Add(10 * time.Minute); !tick.After(base.Add(2 * time.Hour)); tick = tick.Add(10 * time.Minute) {
		rows += len(in.Evaluate(tick, tick.Add(-time.Hour), tick))
	}
	return in.Explanation(3), rows
}

func field(n string) plan.Expr { return &plan.Field{Name: n} }
func str(s string) plan.Expr   { return &plan.Literal{Value: event.StringValue(s)} }
func long(n int64) plan.Expr   { return &plan.Literal{Value: event.LongValue(n)} }

// A rule that never fires because its first WHERE refuses every event: the
// explanation names that stage (and, of its AND terms, the one that
// refuses), and every stage after it is given nothing.
func TestExplainNamesTheStageThatDropsEverything(t *testing.T) {
	q := &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Where{Cond: &plan.Binary{Op: "AND",
			L: &plan.Binary{Op: "==", L: field("gen_ai.request.model.id"), R: str("m")},
			R: &plan.Binary{Op: "==", L: field("gen_ai.response.error_code"), R: str("AccessDeniedException")}}},
		&plan.Keep{Fields: []string{"user.id"}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "n", Func: "count", Args: []plan.Expr{&plan.Star{}}}},
			By: []plan.Assign{{Name: "user.id", Expr: field("user.id")}}},
		&plan.Where{Cond: &plan.Binary{Op: ">", L: field("n"), R: long(3)}},
	}}
	p, err := Compile(q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := 0; i < 12; i++ {
		evs = append(evs, invocation(t, base.Add(time.Duration(i)*time.Minute), "arn:aws:iam::111:user/a", "m", "ThrottlingException"))
	}
	x, rows := explainRun(t, p, evs, base)
	if rows != 0 {
		t.Fatalf("%d rows, want none", rows)
	}
	if x.Events != 12 {
		t.Errorf("events %d, want 12", x.Events)
	}
	want := []struct {
		node    string
		kind    string
		in, out int64
	}{
		{`where (gen_ai.request.model.id == "m") AND (gen_ai.response.error_code == "AccessDeniedException")`, StageStream, 12, 0},
		{"keep user.id", StageStream, 0, 0},
		{"stats n = count(*) by user.id", StageStats, 0, 0},
		{"where n > 3", StageWindow, 0, 0},
		{"limit 1000", StageWindow, 0, 0},
	}
	if len(x.Stages) != len(want) {
		t.Fatalf("%d stages, want %d: %+v", len(x.Stages), len(want), x.Stages)
	}
	for i, w := range want {
		st := x.Stages[i]
		if st.Node != w.node || st.Kind != w.kind || st.In != w.in || st.Out != w.out {
			t.Errorf("stage %d: %s %s %d→%d, want %s %s %d→%d", i, st.Kind, st.Node, st.In, st.Out, w.kind, w.node, w.in, w.out)
		}
	}
	if x.Drop != 0 || !x.Stages[0].DropsAll {
		t.Errorf("drop at stage %d, want 0 (the first where)", x.Drop)
	}
	if !x.Stages[1].NamesOnly || !x.Stages[4].Implicit {
		t.Errorf("keep should be names only and the limit implicit: %+v", x.Stages)
	}
	terms := x.Stages[0].Terms
	if len(terms) != 2 || terms[0].Out != 12 || terms[1].Out != 0 || terms[0].DropsAll || !terms[1].DropsAll {
		t.Errorf("terms %+v: want the model test passing 12 and the error code test dropping them", terms)
	}
	if x.Windows == 0 || x.WindowsWithRows != 0 {
		t.Errorf("windows %d with rows %d: want some windows evaluated, none with rows", x.Windows, x.WindowsWithRows)
	}
}

// A caller with 7 denials against a threshold of 10 is the nearest miss:
// the explanation gives its value, the threshold, and the window where it
// came closest; the post-aggregation WHERE is the stage that drops all.
func TestExplainNearestGroupToTheThreshold(t *testing.T) {
	p := compileDenials(t, 10)
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := 0; i < 7; i++ { // 10:00 to 10:18, in panes 10:00 and 10:10
		evs = append(evs, invocation(t, base.Add(time.Duration(i)*3*time.Minute), "alice", "m", "AccessDeniedException"))
	}
	for i := 0; i < 2; i++ {
		evs = append(evs, invocation(t, base.Add(time.Duration(i)*time.Minute), "bob", "m", "AccessDeniedException"))
	}
	evs = append(evs, invocation(t, base, "carol", "m", "ThrottlingException"))
	x, rows := explainRun(t, p, evs, base)
	if rows != 0 {
		t.Fatalf("%d rows, want none", rows)
	}
	n := x.Near
	if n == nil {
		t.Fatal("no near misses")
	}
	if n.Threshold() != "n > 10" || n.Reason != "" || len(n.Keys) != 1 || n.Keys[0] != "user.id" {
		t.Errorf("threshold %q (reason %q), keys %v; want n > 10 by user.id", n.Threshold(), n.Reason, n.Keys)
	}
	if n.Total != 2 || len(n.Groups) != 2 {
		t.Fatalf("groups %d (%d shown), want alice and bob: %+v", n.Total, len(n.Groups), n.Groups)
	}
	g := n.Groups[0]
	if g.Keys[0].String() != "alice" || g.Value.String() != "7" || g.Met {
		t.Errorf("nearest %v n=%v met=%v, want alice n=7 not met", g.Keys, g.Value, g.Met)
	}
	// The first window holding all seven: the one that ends at 10:20.
	if !g.Window.End.Equal(base.Add(20*time.Minute)) || !g.Window.Start.Equal(base.Add(-40*time.Minute)) {
		t.Errorf("closest in %s–%s, want 09:40–10:20", g.Window.Start, g.Window.End)
	}
	if n.Groups[1].Keys[0].String() != "bob" || n.Groups[1].Value.String() != "2" {
		t.Errorf("second %v n=%v, want bob n=2", n.Groups[1].Keys, n.Groups[1].Value)
	}
	where := x.Stages[x.Drop]
	if where.Node != "where n > 10" || where.Kind != StageWindow || where.In == 0 || where.MaxIn != 2 {
		t.Errorf("drop at %+v, want where n > 10 given both groups", where)
	}
	if st := x.Stages[1]; st.Kind != StageStats || st.In != 9 || st.MaxOut != 2 {
		t.Errorf("stats %+v: want the 9 denials in, at most 2 groups a window", st)
	}
}

// A filter that compares no aggregate with a constant is said to be of
// another shape; groups are then ranked by the first aggregate.
func TestExplainRanksByFirstAggregateWithoutThreshold(t *testing.T) {
	q := denialsPlan(0)
	q.Pipeline[3] = &plan.Where{Cond: &plan.Binary{Op: ">", L: field("n"), R: field("n")}}
	p, err := Compile(q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for u, k := range []int{2, 5, 1} {
		for i := 0; i < k; i++ {
			evs = append(evs, invocation(t, base.Add(time.Duration(i)*time.Minute), fmt.Sprintf("u%d", u), "m", "AccessDeniedException"))
		}
	}
	x, _ := explainRun(t, p, evs, base)
	n := x.Near
	if n == nil || n.Op != "" || n.Reason == "" || n.Column != "n" {
		t.Fatalf("near misses %+v: want no threshold, a reason, ranked by n", n)
	}
	if len(n.Groups) != 3 || n.Groups[0].Keys[0].String() != "u1" || n.Groups[0].Value.String() != "5" {
		t.Errorf("groups %+v, want u1 (5) first", n.Groups)
	}
}

// Explain mode changes no result: every window gives the same rows with
// it on as off, for a tail whose output is kept between ticks.
func TestExplainModeGivesTheSameResults(t *testing.T) {
	p := compileDenials(t, 2)
	if !p.tail.cacheable {
		t.Fatal("the test wants a tail whose output is kept between ticks")
	}
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	plain, explained := p.NewInstance(10*time.Minute), p.NewInstance(10*time.Minute)
	explained.Explain()
	for i := 0; i < 300; i++ {
		ev := invocation(t, base.Add(time.Duration(i)*7*time.Minute), fmt.Sprintf("u%d", i%7), "m", "AccessDeniedException")
		plain.Push(ev)
		explained.Push(ev)
	}
	for tick := base.Add(10 * time.Minute); tick.Before(base.Add(36 * time.Hour)); tick = tick.Add(10 * time.Minute) {
		from := tick.Add(-time.Hour)
		a, b := renderResults(plain.Evaluate(tick, from, tick)), renderResults(explained.Evaluate(tick, from, tick))
		if a != b {
			t.Fatalf("window ending %s: explain mode gives\n%s\nwant\n%s", tick, b, a)
		}
	}
}

// Merged instances add up their stream counts.
func TestExplainMergesStreamCounts(t *testing.T) {
	p := compileDenials(t, 0)
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	a, b := p.NewInstance(10*time.Minute), p.NewInstance(10*time.Minute)
	a.Explain()
	b.Explain()
	a.Push(invocation(t, base, "u", "m", "AccessDeniedException"))
	b.Push(invocation(t, base, "v", "m", "AccessDeniedException"))
	b.Push(invocation(t, base, "v", "m", "ThrottlingException"))
	a.Merge(b)
	x := a.Explanation(0)
	if x.Events != 3 || x.Stages[0].In != 3 || x.Stages[0].Out != 2 || x.Stages[1].In != 2 {
		t.Errorf("merged counts %+v, want 3 events, 2 through the where into stats", x)
	}
}
