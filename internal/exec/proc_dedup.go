package exec

import (
	"github.com/tripline/tripline/internal/plan"
)

type dedupProc struct {
	fields      []string
	count       int
	consecutive bool
	seen        map[string]int
	last        string
	next        proc
}

func (p *dedupProc) push(ctx *plan.Context, r *tRow) {
	var key []byte
	for _, f := range p.fields {
		v, ok := r.cols[f]
		if !ok || v.IsNull() {
			return
		}
		key = v.Key(key)
	}
	k := string(key)
	if p.consecutive {
		if k == p.last {
			return
		}
		p.last = k
		p.next.push(ctx, r)
		return
	}
	if p.seen[k] >= p.count {
		return
	}
	p.seen[k]++
	p.next.push(ctx, r)
}
func (p *dedupProc) flush(ctx *plan.Context) { p.next.flush(ctx) }
