package exec

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

type rowProc struct {
	op    rowOp
	names *[]string
	next  proc
}

func (p *rowProc) push(ctx *plan.Context, r *tRow) {
	if p.op.apply(ctx, tableRow{r: r, names: p.names}) {
		p.next.push(ctx, r)
	}
}
func (p *rowProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

type fillNullProc struct {
	fields, known []string
	value         plan.Evaluator
	names         *[]string
	next          proc
}

func (p *fillNullProc) push(ctx *plan.Context, r *tRow) {
	fields := p.fields
	if len(fields) == 0 {
		fields = p.known
	}
	for _, f := range fields {
		if v, ok := r.cols[f]; !ok || v.IsNull() {
			r.cols[f] = p.value(ctx, tableRow{r: r, names: p.names})
		}
	}
	p.next.push(ctx, r)
}
func (p *fillNullProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

type mvExpandProc struct {
	field string
	next  proc
}

func (p *mvExpandProc) push(ctx *plan.Context, r *tRow) {
	v := r.cols[p.field]
	if v.Len() <= 1 {
		p.next.push(ctx, r)
		return
	}
	for _, e := range v.Values() {
		c := &tRow{cols: make(map[string]event.Value, len(r.cols)), meta: r.meta}
		for k, x := range r.cols {
			c.cols[k] = x
		}
		c.cols[p.field] = e
		p.next.push(ctx, c)
	}
}
func (p *mvExpandProc) flush(ctx *plan.Context) { p.next.flush(ctx) }
