package exec

import (
	"fmt"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/valyala/fastjson"
)

// withInput is an invocation log of user whose input object is input
// (JSON).
func withInput(t *testing.T, at time.Time, user, input string) *event.Event {
	t.Helper()
	raw := fmt.Sprintf(`{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111","identity":{"arn":%q},"requestId":"r-%d","operation":"InvokeModel","modelId":"m","input":%s}`,
		at.Format(time.RFC3339), user, at.UnixNano(), input)
	doc, err := fastjson.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{LogType: event.BedrockInvocation, Time: at, Raw: []byte(raw), Doc: doc, Strings: &event.Interner{},
		ID: fmt.Sprintf("r-%d", at.UnixNano()), Origin: event.Origin{File: "f", Line: 1}}
}

// wildStats is "stats count values(input.*) as in_* by identity.arn" in
// SPL over invocation logs.
func wildStats() *plan.Query {
	return &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "count", Func: "count"}, {Name: "in_*", Func: "values", Args: []plan.Expr{field("input.*")}}},
			By: []plan.Assign{{Name: "identity.arn", Expr: field("identity.arn")}}}}}
}

func render(rs []Result) string {
	out := ""
	for _, r := range rs {
		for i, c := range r.Columns {
			out += c + "=" + string(r.Values[i].AppendJSON(nil)) + " "
		}
		out += "\n"
	}
	return out
}

// Search Reference, "stats": an aggregate over a wildcard field applies to
// each field that matches it. Over events the fields vary: a window's
// columns are the union of those its panes met, and a field goes when the
// last pane holding it leaves the window.
func TestWildcardStatsUnionOverPanes(t *testing.T) {
	p, err := Compile(wildStats(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	in := p.NewInstance(10 * time.Minute)
	in.Push(withInput(t, base, "alice", `{"inputTokenCount":5,"inputContentType":"application/json"}`))
	in.Push(withInput(t, base.Add(12*time.Minute), "alice", `{"inputTokenCount":7,"inputBodyS3Path":"s3://b/k"}`))
	in.Push(withInput(t, base.Add(25*time.Minute), "alice", `{"inputBodyS3Path":"s3://b/j"}`))
	in.Push(withInput(t, base.Add(3*time.Minute), "bob", `{}`))
	cases := []struct {
		from, to time.Duration
		want     string
	}{
		{0, 10 * time.Minute, `identity.arn="alice" count=1 in_inputContentType="application/json" in_inputTokenCount=5 ` + "\n" +
			`identity.arn="bob" count=1 ` + "\n"},
		{0, 20 * time.Minute, `identity.arn="alice" count=2 in_inputBodyS3Path="s3://b/k" in_inputContentType="application/json" in_inputTokenCount=[5,7] ` + "\n" +
			`identity.arn="bob" count=1 ` + "\n"},
		// Slid on: the first pane left, and with it inputContentType.
		{10 * time.Minute, 30 * time.Minute, `identity.arn="alice" count=2 in_inputBodyS3Path=["s3://b/j","s3://b/k"] in_inputTokenCount=7 ` + "\n"},
		{20 * time.Minute, 30 * time.Minute, `identity.arn="alice" count=1 in_inputBodyS3Path="s3://b/j" ` + "\n"},
	}
	for _, c := range cases {
		got := render(in.Evaluate(base.Add(c.to), base.Add(c.from), base.Add(c.to)))
		if got != c.want {
			t.Errorf("window %s–%s:\n%s\nwant:\n%s", c.from, c.to, got, c.want)
		}
	}

	// The per-field states survive a snapshot, and two instances' states
	// merge into the union of their fields.
	snap := in.Snapshot()
	back := p.NewInstance(10 * time.Minute)
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	other := p.NewInstance(10 * time.Minute)
	other.Push(withInput(t, base.Add(5*time.Minute), "alice", `{"inputTokenCount":9,"messages":["hi","there"]}`))
	back.Merge(other)
	got := render(back.Evaluate(base.Add(20*time.Minute), base, base.Add(20*time.Minute)))
	want := `identity.arn="alice" count=3 in_inputBodyS3Path="s3://b/k" in_inputContentType="application/json" in_inputTokenCount=[5,7,9] in_messages{}=["hi","there"] ` + "\n" +
		`identity.arn="bob" count=1 ` + "\n"
	if got != want {
		t.Errorf("restored and merged:\n%s\nwant:\n%s", got, want)
	}
}

// Over events, a wildcard does not take a by-field, nor a field whose
// column another aggregate or a by-field names; it takes the columns evals
// made before the stats.
func TestWildcardStatsTakes(t *testing.T) {
	q := wildStats()
	st := q.Pipeline[1].(*plan.Stats)
	st.Aggs = []plan.Agg{{Name: "count", Func: "count"},
		{Name: "*", Func: "values", Args: []plan.Expr{field("input.*")}},
		{Name: "id_*", Func: "values", Args: []plan.Expr{field("identity.*")}}}
	q.Pipeline = []plan.Node{q.Pipeline[0],
		&plan.Eval{Assigns: []plan.Assign{{Name: "input.extra", Expr: &plan.Literal{Value: event.StringValue("x")}}}}, st}
	p, err := Compile(q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := p.NewInstance(time.Hour)
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	in.Push(withInput(t, base, "alice", `{"inputTokenCount":5,"count":99}`))
	got := render(in.Evaluate(base.Add(time.Hour), base, base.Add(time.Hour)))
	want := `identity.arn="alice" count=1 extra="x" inputTokenCount=5 ` + "\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
