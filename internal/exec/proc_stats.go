package exec

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

type statsProc struct {
	spec  *statsSpec
	width int
	tab   *groupTable
	sc    statsScratch
	next  proc
}

// noMeta stands for the provenance of a row that has none; merging it
// changes nothing.
var noMeta = &meta{}

func (p *statsProc) push(ctx *scalar.Context, r *tRow) {
	if p.tab == nil {
		p.tab = newGroupTable()
	}
	t := int64(0)
	m := r.meta
	if m != nil {
		t = m.first
	} else {
		m = noMeta
	}
	p.spec.add(p.tab, &p.sc, ctx, tableRow{r: r}, t, nil, m)
}

func (p *statsProc) flush(ctx *scalar.Context) {
	if p.tab == nil {
		p.tab = newGroupTable()
	}
	for _, r := range p.spec.rows(p.tab, p.width) {
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}

type inlineStatsProc struct {
	spec *statsSpec
	rows []*tRow
	next proc
}

func (p *inlineStatsProc) push(_ *scalar.Context, r *tRow) { p.rows = append(p.rows, r) }

func (p *inlineStatsProc) flush(ctx *scalar.Context) {
	s := p.spec
	tab := newGroupTable()
	var sc statsScratch
	for _, r := range p.rows {
		s.add(tab, &sc, ctx, tableRow{r: r}, 0, nil, noMeta)
	}
	// Each group's results, computed once.
	nagg := len(s.aggNames)
	res := make([]event.Value, nagg*len(tab.order))
	idx := make(map[*group]int, len(tab.order))
	for gi, g := range tab.order {
		idx[g] = gi
		for j := range g.aggs {
			res[gi*nagg+j] = g.aggs[j].Result()
		}
	}
	var key []byte
	for _, r := range p.rows {
		key = key[:0]
		skip := false
		for _, k := range s.keys {
			v := k(ctx, tableRow{r: r})
			if v.IsNull() && s.d != plan.ESQL {
				skip = true
			}
			key = v.Key(key)
		}
		if g, ok := tab.groups[string(key)]; ok && !skip {
			gi := idx[g]
			for j, slot := range s.aggSlots {
				if v := res[gi*nagg+j]; !v.IsNull() {
					r.put(slot, v)
				}
			}
		}
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}
