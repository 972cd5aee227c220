package exec

import (
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

type sortKey struct {
	eval       scalar.Evaluator
	desc       bool
	nullsFirst bool
}

type sortProc struct {
	keys []sortKey
	d    plan.Dialect
	rows []*tRow
	next proc
}

func (p *sortProc) push(_ *scalar.Context, r *tRow) { p.rows = append(p.rows, r) }

func (p *sortProc) flush(ctx *scalar.Context) {
	vals := make([][]event.Value, len(p.rows))
	for i, r := range p.rows {
		vals[i] = make([]event.Value, len(p.keys))
		for j, k := range p.keys {
			v := k.eval(ctx, tableRow{r: r})
			if p.d != plan.ESQL {
				v = scalar.SPLNumber(v)
			}
			vals[i][j] = v
		}
	}
	idx := make([]int, len(p.rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		for j, k := range p.keys {
			c := compareSort(vals[idx[a]][j], vals[idx[b]][j], k)
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	for _, i := range idx {
		p.next.push(ctx, p.rows[i])
	}
	p.next.flush(ctx)
}

func compareSort(a, b event.Value, k sortKey) int {
	an, bn := a.IsNull(), b.IsNull()
	switch {
	case an && bn:
		return 0
	case an:
		if k.nullsFirst {
			return -1
		}
		return 1
	case bn:
		if k.nullsFirst {
			return 1
		}
		return -1
	}
	if a.Kind() == event.Multi {
		a = a.Values()[0]
	}
	if b.Kind() == event.Multi {
		b = b.Values()[0]
	}
	c := event.Order(a, b)
	if k.desc {
		c = -c
	}
	return c
}
