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
