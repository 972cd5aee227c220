package exec

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// TestTailColumns runs column operators over open rows whose names are
// partly unknown to the tail (held by name) and checks null-versus-absent
// and the exact-name rule of keep and drop.
func TestTailColumns(t *testing.T) {
	in := map[string]event.Value{
		"COUNT(*)": event.LongValue(3), "COUNT(x)": event.LongValue(4),
		"user": event.StringValue("bob"), "doc.field": event.StringValue("d"),
	}
	cases := []struct {
		name  string
		nodes []plan.Node
		want  string
	}{
		{"keep exact name", []plan.Node{&plan.Keep{Fields: []string{"COUNT(*)"}}}, "COUNT(*)=3"},
		{"keep wildcard", []plan.Node{&plan.Keep{Fields: []string{"COUNT*"}}}, "COUNT(*)=3 COUNT(x)=4"},
		{"keep unknown by wildcard", []plan.Node{&plan.Keep{Fields: []string{"doc.*"}}}, "doc.field=d"},
		{"drop exact name", []plan.Node{&plan.Drop{Fields: []string{"COUNT(*)"}}}, "COUNT(x)=4 doc.field=d user=bob"},
		{"drop unknown", []plan.Node{&plan.Drop{Fields: []string{"doc*", "user"}}}, "COUNT(*)=3 COUNT(x)=4"},
		{"rename", []plan.Node{&plan.Rename{Pairs: []plan.RenamePair{{From: "user", To: "who"}}}},
			"COUNT(*)=3 COUNT(x)=4 doc.field=d who=bob"},
		{"rename missing removes target", []plan.Node{&plan.Rename{Pairs: []plan.RenamePair{{From: "nope", To: "user"}}}},
			"COUNT(*)=3 COUNT(x)=4 doc.field=d"},
		{"fillnull with null stays a column", []plan.Node{&plan.FillNull{Value: &plan.Literal{}, Fields: []string{"gone"}}},
			"COUNT(*)=3 COUNT(x)=4 doc.field=d gone=null user=bob"},
		{"fillnull then keep", []plan.Node{
			&plan.FillNull{Value: &plan.Literal{Value: event.LongValue(0)}, Fields: []string{"gone"}},
			&plan.Keep{Fields: []string{"gone", "user"}}}, "gone=0 user=bob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp, err := compileTail(c.nodes, plan.SPL, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			tp.finish()
			r := newTRow(tp.width, &meta{})
			for k, v := range in {
				r.putName(tp.scope, k, v)
			}
			out := tp.run(&scalar.Context{}, []*tRow{r})
			if len(out) != 1 {
				t.Fatalf("got %d rows", len(out))
			}
			names := out[0].names(tp.scope)
			sort.Strings(names)
			var parts []string
			for _, n := range names {
				v, ok := out[0].getName(tp.scope, n)
				if !ok {
					t.Fatalf("%s listed but absent", n)
				}
				s := "null"
				if !v.IsNull() {
					s = fmt.Sprint(v)
				}
				parts = append(parts, n+"="+s)
			}
			if got := strings.Join(parts, " "); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestBufferedRows covers open rows buffered in panes: ticks must not see
// each other's changes, and a snapshot must restore the same rows.
func TestBufferedRows(t *testing.T) {
	q := &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Sort{Keys: []plan.SortKey{{Expr: &plan.Field{Name: "user.id"}}}},
		&plan.Eval{Assigns: []plan.Assign{{Name: "user.id", Expr: &plan.Call{Name: "concat", Args: []plan.Expr{
			&plan.Field{Name: "user.id"}, &plan.Literal{Value: event.StringValue("x")}}}}}},
		&plan.Drop{Fields: []string{"gen_ai.prompt*"}},
	}}
	p, err := Compile(q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	in := p.NewInstance(10 * time.Minute)
	for i := 0; i < 5; i++ {
		in.Push(invocation(t, base.Add(time.Duration(i)*time.Minute), fmt.Sprintf("u%d", i), "m", "AccessDeniedException"))
	}
	first := renderResults(in.Evaluate(base, base, base.Add(time.Hour)))
	if second := renderResults(in.Evaluate(base, base, base.Add(time.Hour))); second != first {
		t.Fatalf("second tick differs:\n%s\nfirst\n%s", second, first)
	}
	if !strings.Contains(first, `user.id="u3x"`) || !strings.Contains(first, "gen_ai.response.error_code=") {
		t.Fatalf("unexpected rows:\n%s", first)
	}
	back := p.NewInstance(10 * time.Minute)
	if err := back.Restore(in.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if got := renderResults(back.Evaluate(base, base, base.Add(time.Hour))); got != first {
		t.Fatalf("restored rows differ:\n%s\nwant\n%s", got, first)
	}
}
