package exec

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// TestEvalsShareThroughTheRecordMemo runs three programs over one record
// with a shared memo: two compute to_lower(user.id) from the record and
// must both see it, the second from the memo; the third first sets
// user.id itself, so the same text means another value and must not be
// shared.
func TestEvalsShareThroughTheRecordMemo(t *testing.T) {
	lower := func(pre ...plan.Node) *Program {
		nodes := append([]plan.Node{&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}}}, pre...)
		nodes = append(nodes,
			&plan.Eval{Assigns: []plan.Assign{{Name: "who", Expr: &plan.Call{Name: "to_lower", Args: []plan.Expr{&plan.Field{Name: "user.id"}}}}}},
			&plan.Stats{Aggs: []plan.Agg{{Name: "n", Func: "count", Args: []plan.Expr{&plan.Star{}}}},
				By: []plan.Assign{{Name: "who", Expr: &plan.Field{Name: "who"}}}})
		p, err := Compile(&plan.Query{Dialect: plan.ESQL, Pipeline: nodes}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := lower(), lower()
	c := lower(&plan.Eval{Assigns: []plan.Assign{{Name: "user.id", Expr: &plan.Literal{Value: event.StringValue("SET-BY-EVAL")}}}})
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	ev := invocation(t, at, "arn:aws:iam::111:user/Alice", "m", "")
	ev.Memo = &event.Memo{}
	ev.Memo.Next()
	slot := a.steps[0].op.(*evalOp).memo[0]
	if slot < 0 || b.steps[0].op.(*evalOp).memo[0] != slot {
		t.Fatalf("the two programs do not share a memo slot: %d and %d", slot, b.steps[0].op.(*evalOp).memo[0])
	}
	if c.steps[1].op.(*evalOp).memo[0] >= 0 {
		t.Fatal("an eval reading a field set by an earlier eval is shared")
	}
	got := func(p *Program) string {
		in := p.NewInstance(0)
		in.Push(ev)
		rs := in.Evaluate(at, at.Add(-time.Hour), at.Add(time.Hour))
		if len(rs) != 1 {
			t.Fatalf("%d rows", len(rs))
		}
		return rs[0].Get("who").String()
	}
	if g := got(a); g != "arn:aws:iam::111:user/alice" {
		t.Errorf("first program: %q", g)
	}
	if v, ok := ev.Memo.Get(slot); !ok || v.String() != "arn:aws:iam::111:user/alice" {
		t.Errorf("memo holds %v, %v after the first program", v, ok)
	}
	// The second program reads the memo: a planted value proves it.
	ev.Memo.Put(slot, event.StringValue("from-memo"))
	if g := got(b); g != "from-memo" {
		t.Errorf("second program computed %q instead of reading the memo", g)
	}
	if g := got(c); g != "set-by-eval" {
		t.Errorf("third program: %q, want its own eval's value", g)
	}
	ev.Memo.Next()
	if _, ok := ev.Memo.Get(slot); ok {
		t.Error("the memo kept a value across records")
	}
}

// TestWhereTermsShareThroughTheRecordMemo checks that the AND terms of a
// filter reading only the record are shared between rules, and that a
// term reading a column an earlier eval set is not, whether written as an
// expression or as an SPL search comparison.
func TestWhereTermsShareThroughTheRecordMemo(t *testing.T) {
	compile := func(d plan.Dialect, nodes ...plan.Node) *Program {
		idx := "logs-aws_bedrock.invocation-*"
		if d == plan.SPL {
			idx = "sourcetype=aws:bedrock:invocation"
		}
		all := append([]plan.Node{&plan.From{Indices: []string{idx}}}, nodes...)
		p, err := Compile(&plan.Query{Dialect: d, Pipeline: all}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	model := &plan.Binary{Op: "==", L: &plan.Field{Name: "gen_ai.request.model.id"}, R: &plan.Literal{Value: event.StringValue("m")}}
	where := &plan.Where{Cond: &plan.Binary{Op: "AND", L: &plan.IsNull{X: &plan.Field{Name: "user.id"}, Not: true}, R: model}}
	a, b := compile(plan.ESQL, where), compile(plan.ESQL, where)
	wa, wb := a.steps[0].op.(*whereOp), b.steps[0].op.(*whereOp)
	if len(wa.memo) != 2 || wa.memo[0] < 0 || wa.memo[1] < 0 || wa.memo[1] != wb.memo[1] {
		t.Fatalf("the terms are not shared: %v and %v", wa.memo, wb.memo)
	}
	set := &plan.Eval{Assigns: []plan.Assign{{Name: "gen_ai.request.model.id", Expr: &plan.Literal{Value: event.StringValue("m")}}}}
	c := compile(plan.ESQL, set, where)
	if wc := c.steps[1].op.(*whereOp); wc.memo[1] >= 0 || wc.memo[0] < 0 {
		t.Errorf("after an eval set the model, its term is shared: %v", wc.memo)
	}
	search := &plan.Where{Cond: &plan.Binary{Op: "AND", L: &plan.SearchCmp{Field: "modelId", Op: "=", Value: "m"}, R: &plan.SearchCmp{Field: "operation", Op: "=", Value: "InvokeModel"}}}
	setSPL := &plan.Eval{Assigns: []plan.Assign{{Name: "modelId", Expr: &plan.Literal{Value: event.StringValue("m")}}}}
	d := compile(plan.SPL, setSPL, search)
	if wd := d.steps[1].op.(*whereOp); wd.memo[0] >= 0 || wd.memo[1] < 0 {
		t.Errorf("after an eval set modelId, its search term is shared: %v", wd.memo)
	}

	// Shared or not, the filter gives the same answer.
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	for _, p := range []*Program{a, b, c} {
		ev := invocation(t, at, "arn:aws:iam::111:user/a", "m", "")
		ev.Memo = &event.Memo{}
		ev.Memo.Next()
		in := p.NewInstance(0)
		in.Push(ev)
		in.Push(ev) // the second push reads the memo
		if n := len(in.panes[0].rows); n != 2 {
			t.Errorf("%d rows passed the filter, want 2", n)
		}
	}
}
