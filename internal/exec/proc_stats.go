package exec

import (
	"github.com/tripline/tripline/internal/plan"
)

type statsProc struct {
	spec  *statsSpec
	names *[]string
	tab   *groupTable
	sc    statsScratch
	next  proc
}

func (p *statsProc) push(ctx *plan.Context, r *tRow) {
	if p.tab == nil {
		p.tab = newGroupTable()
	}
	t := int64(0)
	if r.meta != nil {
		t = r.meta.first
	}
	m := r.meta
	if m == nil {
		m = &meta{}
	}
	p.spec.add(p.tab, &p.sc, ctx, tableRow{r: r, names: p.names}, t, nil, m)
}

func (p *statsProc) flush(ctx *plan.Context) {
	if p.tab == nil {
		p.tab = newGroupTable()
	}
	for _, r := range p.spec.rows(p.tab) {
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}

type inlineStatsProc struct {
	spec  *statsSpec
	names *[]string
	rows  []*tRow
	next  proc
}

func (p *inlineStatsProc) push(_ *plan.Context, r *tRow) { p.rows = append(p.rows, r) }

func (p *inlineStatsProc) flush(ctx *plan.Context) {
	tab := newGroupTable()
	var sc statsScratch
	for _, r := range p.rows {
		p.spec.add(tab, &sc, ctx, tableRow{r: r, names: p.names}, 0, nil, &meta{})
	}
	results := map[string]*tRow{}
	for _, g := range tab.order {
		var key []byte
		for _, v := range g.keys {
			key = v.Key(key)
		}
		results[string(key)] = p.spec.rows(&groupTable{order: []*group{g}})[0]
	}
	for _, r := range p.rows {
		var key []byte
		skip := false
		for _, k := range p.spec.keys {
			v := k(ctx, tableRow{r: r, names: p.names})
			if v.IsNull() && p.spec.d != plan.ESQL {
				skip = true
			}
			key = v.Key(key)
		}
		if g, ok := results[string(key)]; ok && !skip {
			for _, a := range p.spec.aggNames {
				if v, ok := g.cols[a]; ok {
					r.cols[a] = v
				}
			}
		}
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}
