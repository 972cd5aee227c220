package exec

import (
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// fakeTable is a lookup table matching exactly, as a case-sensitive CSV
// lookup does.
type fakeTable struct {
	cols []string
	rows [][]string
}

func (f *fakeTable) Columns() []string { return f.cols }
func (f *fakeTable) Rows() [][]string  { return f.rows }
func (f *fakeTable) Matcher(in, out []string) (func([]string, [][]string) bool, error) {
	idx := func(c string) int {
		for i, x := range f.cols {
			if x == c {
				return i
			}
		}
		return -1
	}
	return func(vals []string, dst [][]string) bool {
		for i := range dst {
			dst[i] = dst[i][:0]
		}
		hit := false
		for _, row := range f.rows {
			ok := true
			for i, c := range in {
				ok = ok && row[idx(c)] == vals[i]
			}
			if !ok {
				continue
			}
			hit = true
			for i, c := range out {
				if j := idx(c); j >= 0 && row[j] != "" {
					dst[i] = append(dst[i], row[j])
				}
			}
		}
		return hit
	}, nil
}

var teams = &fakeTable{cols: []string{"arn", "team"}, rows: [][]string{{"alice", "red"}, {"alice", "blue"}, {"bob", "green"}}}

// countBy is "stats count by identity.arn" over invocation logs, in SPL.
func countBy(extra ...plan.Node) *plan.Query {
	q := &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "count", Func: "count"}}, By: []plan.Assign{{Name: "identity.arn", Expr: field("identity.arn")}}}}}
	q.Pipeline = append(q.Pipeline, extra...)
	return q
}

func runPlan(t *testing.T, q *plan.Query, opt Options, evs ...*event.Event) (string, *Program) {
	t.Helper()
	p, err := Compile(q, opt)
	if err != nil {
		t.Fatal(err)
	}
	in := p.NewInstance(time.Hour)
	for _, ev := range evs {
		in.Push(ev)
	}
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	rs := in.Evaluate(base.Add(24*time.Hour), base, base.Add(24*time.Hour))
	var lines []string
	for _, r := range rs {
		var b []byte
		for i, c := range r.Columns {
			b = append(b, c...)
			b = append(b, '=')
			b = r.Values[i].AppendJSON(b)
			b = append(b, ' ')
		}
		lines = append(lines, strings.TrimSpace(string(b)))
	}
	return strings.Join(lines, "\n"), p
}

func TestLookupAndSubsearches(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	evs := []*event.Event{
		invocation(t, at, "alice", "m1", "AccessDeniedException"),
		invocation(t, at.Add(time.Minute), "bob", "m1", ""),
		invocation(t, at.Add(2*time.Minute), "carol", "m2", "AccessDeniedException"),
	}
	opt := Options{Lookups: func(name string) (LookupTable, error) {
		if name == "teams" {
			return teams, nil
		}
		return nil, errNotFoundForTest
	}}
	denied := &plan.Subsearch{Query: &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Where{Cond: &plan.SearchCmp{Field: "errorCode", Op: "=", Value: "AccessDenied*"}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "denied", Func: "count"}}, By: []plan.Assign{{Name: "identity.arn", Expr: field("identity.arn")}}}}}}
	cases := []struct {
		name  string
		nodes []plan.Node
		opt   Options
		want  string
		warn  string
	}{
		// Search Reference, "lookup": every matching row's output, a
		// multi-value when several match; no match, no field.
		{"lookup output", []plan.Node{&plan.Lookup{Table: "teams", Match: []plan.LookupField{{Column: "arn", Field: "identity.arn"}},
			Output: []plan.LookupField{{Column: "team", Field: "team"}}}}, opt,
			"identity.arn=\"alice\" count=1 team=[\"red\",\"blue\"]\nidentity.arn=\"bob\" count=1 team=\"green\"\nidentity.arn=\"carol\" count=1 team=null", ""},
		// OUTPUTNEW leaves a field the row has alone.
		{"lookup outputnew", []plan.Node{&plan.Eval{Assigns: []plan.Assign{{Name: "team", Expr: &plan.Literal{Value: event.StringValue("own")}}}},
			&plan.Lookup{Table: "teams", Match: []plan.LookupField{{Column: "arn", Field: "identity.arn"}}, Output: []plan.LookupField{{Column: "team", Field: "team"}}, OutputNew: true}}, opt,
			"identity.arn=\"alice\" count=1 team=\"own\"\nidentity.arn=\"bob\" count=1 team=\"own\"\nidentity.arn=\"carol\" count=1 team=\"own\"", ""},
		// A table that cannot be found: the rule loads, warns, and the
		// outputs are null.
		{"lookup missing", []plan.Node{&plan.Lookup{Table: "nosuch", Match: []plan.LookupField{{Column: "arn", Field: "identity.arn"}}, Output: []plan.LookupField{{Column: "team", Field: "team"}}}}, opt,
			"identity.arn=\"alice\" count=1 team=null\nidentity.arn=\"bob\" count=1 team=null\nidentity.arn=\"carol\" count=1 team=null", "lookup nosuch"},
		// Search Reference, "join": inner keeps the matching rows, with
		// the subsearch's fields; left keeps every row.
		{"join inner", []plan.Node{&plan.Join{Fields: []string{"identity.arn"}, Max: 1, Overwrite: true, Sub: denied}}, opt,
			"identity.arn=\"alice\" count=1 denied=1\nidentity.arn=\"carol\" count=1 denied=1", ""},
		{"join left", []plan.Node{&plan.Join{Type: plan.JoinLeft, Fields: []string{"identity.arn"}, Max: 1, Overwrite: true, Sub: denied}}, opt,
			"identity.arn=\"alice\" count=1 denied=1\nidentity.arn=\"bob\" count=1 denied=null\nidentity.arn=\"carol\" count=1 denied=1", ""},
		// "append": the subsearch's rows after the search's.
		{"append", []plan.Node{&plan.Append{Sub: denied}}, opt,
			"identity.arn=\"alice\" count=1 denied=null\nidentity.arn=\"bob\" count=1 denied=null\nidentity.arn=\"carol\" count=1 denied=null\nidentity.arn=\"alice\" count=null denied=1\nidentity.arn=\"carol\" count=null denied=1", ""},
		// A subsearch in a search keeps the rows matching one of its rows.
		{"subsearch filter", []plan.Node{&plan.SubsearchFilter{Sub: &plan.Subsearch{Query: &plan.Query{Dialect: plan.SPL, Pipeline: append(append([]plan.Node(nil), denied.Query.Pipeline...),
			&plan.Keep{Fields: []string{"identity.arn"}})}}}}, opt,
			"identity.arn=\"alice\" count=1\nidentity.arn=\"carol\" count=1", ""},
	}
	for _, c := range cases {
		got, p := runPlan(t, countBy(c.nodes...), c.opt, evs...)
		if got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, got, c.want)
		}
		if c.warn != "" && !strings.Contains(strings.Join(p.Warnings, "\n"), c.warn) {
			t.Errorf("%s: warnings %q do not mention %q", c.name, p.Warnings, c.warn)
		}
	}
}

type testErr string

func (e testErr) Error() string { return string(e) }

const errNotFoundForTest = testErr("not found")
