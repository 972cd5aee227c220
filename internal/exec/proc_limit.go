package exec

import (
	"github.com/tripline/tripline/internal/scalar"
)

type limitProc struct {
	n    int
	tail bool
	seen int
	buf  []*tRow
	next proc
}

func (p *limitProc) push(ctx *scalar.Context, r *tRow) {
	if p.tail {
		p.buf = append(p.buf, r)
		if len(p.buf) > p.n {
			p.buf = p.buf[1:]
		}
		return
	}
	if p.seen < p.n {
		p.seen++
		p.next.push(ctx, r)
	}
}

func (p *limitProc) flush(ctx *scalar.Context) {
	// Splunk's tail returns the last rows in reverse order.
	for i := len(p.buf) - 1; i >= 0; i-- {
		p.next.push(ctx, p.buf[i])
	}
	p.next.flush(ctx)
}
