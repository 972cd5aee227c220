package exec

import (
	"github.com/tripline/tripline/internal/scalar"
)

type dedupProc struct {
	slots       []int
	count       int
	consecutive bool
	seen        map[string]int
	last        string
	key         []byte
	next        proc
}

func (p *dedupProc) push(ctx *scalar.Context, r *tRow) {
	key := p.key[:0]
	for _, s := range p.slots {
		v := r.vals[s]
		if v.IsNull() {
			return // rows missing a field are dropped
		}
		key = v.Key(key)
	}
	p.key = key
	if p.consecutive {
		if string(key) == p.last {
			return
		}
		p.last = string(key)
		p.next.push(ctx, r)
		return
	}
	n := p.seen[string(key)]
	if n >= p.count {
		return
	}
	p.seen[string(key)] = n + 1
	p.next.push(ctx, r)
}
func (p *dedupProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }
