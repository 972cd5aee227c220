package exec

import (
	"github.com/tripline/tripline/internal/plan"
)

type keepProc struct {
	patterns []string
	keep     bool
	next     proc
}

func (p *keepProc) push(ctx *plan.Context, r *tRow) {
	for k := range r.cols {
		if p.selects(k, r) != p.keep {
			delete(r.cols, k)
		}
	}
	p.next.push(ctx, r)
}
func (p *keepProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

func (p *keepProc) selects(name string, r *tRow) bool {
	for _, pat := range p.patterns {
		if pat == name {
			return true
		}
		if _, exact := r.cols[pat]; !exact && globMatch(pat, name) {
			return true
		}
	}
	return false
}

type renameProc struct {
	pairs []plan.RenamePair
	next  proc
}

func (p *renameProc) push(ctx *plan.Context, r *tRow) {
	for _, pr := range p.pairs {
		v, ok := r.cols[pr.From]
		delete(r.cols, pr.From)
		delete(r.cols, pr.To)
		if ok {
			r.cols[pr.To] = v
		}
	}
	p.next.push(ctx, r)
}
func (p *renameProc) flush(ctx *plan.Context) { p.next.flush(ctx) }
