package exec

import (
	"github.com/tripline/tripline/internal/scalar"
)

// keepSpec is a compiled keep (or drop): a pattern selects a column of its
// very name, or by wildcard when the row has no column of that very name
// (ES|QL's "COUNT(*)").
type keepSpec struct {
	patterns []string
	patSlots []int
	keep     bool
	sc       *tailScope
	exact    []bool  // by slot: some pattern is the slot's name
	globs    [][]int // by slot: the other patterns matching the name
}

type keepProc struct {
	spec *keepSpec
	has  []bool // scratch: by pattern, whether the row has its very name
	next proc
}

func (p *keepProc) push(ctx *scalar.Context, r *tRow) {
	ks := p.spec
	if p.has == nil {
		p.has = make([]bool, len(ks.patterns))
	}
	for i, slot := range ks.patSlots {
		p.has[i] = r.has(slot)
	}
	for slot := range r.vals {
		if !r.has(slot) {
			continue
		}
		sel := ks.exact[slot]
		for _, i := range ks.globs[slot] {
			if sel {
				break
			}
			sel = !p.has[i]
		}
		if sel != ks.keep {
			r.del(slot)
		}
	}
	for name := range r.extra {
		if p.selects(name) != ks.keep {
			delete(r.extra, name)
		}
	}
	p.next.push(ctx, r)
}
func (p *keepProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }

func (p *keepProc) selects(name string) bool {
	for i, pat := range p.spec.patterns {
		if pat == name {
			return true
		}
		if !p.has[i] && globMatch(pat, name) {
			return true
		}
	}
	return false
}

type renameProc struct {
	pairs [][2]int // from, to slots
	next  proc
}

func (p *renameProc) push(ctx *scalar.Context, r *tRow) {
	for _, pr := range p.pairs {
		v, ok := r.vals[pr[0]], r.has(pr[0])
		r.del(pr[0])
		r.del(pr[1])
		if ok {
			r.put(pr[1], v)
		}
	}
	p.next.push(ctx, r)
}
func (p *renameProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }
