package exec

import (
	"github.com/tripline/tripline/internal/scalar"
)

type rowProc struct {
	op   rowOp
	next proc
}

func (p *rowProc) push(ctx *scalar.Context, r *tRow) {
	if p.op.apply(ctx, tableRow{r: r}) {
		p.next.push(ctx, r)
	}
}
func (p *rowProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }

type fillNullProc struct {
	slots []int
	value scalar.Evaluator
	next  proc
}

func (p *fillNullProc) push(ctx *scalar.Context, r *tRow) {
	for _, s := range p.slots {
		if r.vals[s].IsNull() {
			r.put(s, p.value(ctx, tableRow{r: r}))
		}
	}
	p.next.push(ctx, r)
}
func (p *fillNullProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }

// fillAllProc is fillnull without fields over rows whose columns are
// known only per row: Splunk fills every field of the results, the
// fields any row has, so it holds the rows until the last.
type fillAllProc struct {
	value scalar.Evaluator
	sc    *tailScope
	rows  []*tRow
	next  proc
}

func (p *fillAllProc) push(_ *scalar.Context, r *tRow) { p.rows = append(p.rows, r) }

func (p *fillAllProc) flush(ctx *scalar.Context) {
	seen := map[string]bool{}
	var names []string
	for _, r := range p.rows {
		for _, n := range r.names(p.sc) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	for _, r := range p.rows {
		for _, n := range names {
			if v, _ := r.getName(p.sc, n); v.IsNull() {
				r.putName(p.sc, n, p.value(ctx, tableRow{r: r}))
			}
		}
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}

type mvExpandProc struct {
	slot int
	next proc
}

func (p *mvExpandProc) push(ctx *scalar.Context, r *tRow) {
	v := r.vals[p.slot]
	if v.Len() <= 1 {
		p.next.push(ctx, r)
		return
	}
	for _, e := range v.Values() {
		c := r.clone(r.meta)
		c.put(p.slot, e)
		p.next.push(ctx, c)
	}
}
func (p *mvExpandProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }
