package engine

import (
	"cmp"
	"slices"

	"github.com/tripline/tripline/internal/exec"
)

// prefilters evaluates every rule's prefilter over one record, searching
// each distinct literal at most once however many rules name it (the
// log-type markers and "bedrock.amazonaws.com" are shared by most rules).
type prefilters struct {
	lits  []exec.Literal
	rules [][][]int // per rule: clauses of literal indexes; nil admits all
	// order lists the rules with the fewest clauses first: the read filter
	// stops at the first rule that admits a record, and a rule that asks
	// less admits after fewer searches.
	order []int
}

func newPrefilters(pres []exec.Prefilter) *prefilters {
	p := &prefilters{}
	index := map[string]int{}
	for _, pre := range pres {
		if pre.Empty() {
			p.rules = append(p.rules, nil)
			continue
		}
		var clauses [][]int
		for _, c := range pre.Clauses {
			var alts []int
			for _, l := range c {
				i, ok := index[l.Key()]
				if !ok {
					i = len(p.lits)
					index[l.Key()] = i
					p.lits = append(p.lits, l)
				}
				alts = append(alts, i)
			}
			clauses = append(clauses, alts)
		}
		p.rules = append(p.rules, clauses)
	}
	p.order = make([]int, len(p.rules))
	for i := range p.order {
		p.order[i] = i
	}
	slices.SortStableFunc(p.order, func(a, b int) int { return cmp.Compare(len(p.rules[a]), len(p.rules[b])) })
	return p
}

// recordMemo remembers, for the record the read filter is looking at,
// which literals it holds: 0 not searched yet, 1 present, 2 absent, so
// that a literal several rules name is searched once.
type recordMemo struct {
	seen []uint8
}

// start forgets what was found for the previous record.
func (m *recordMemo) start(nlits int) {
	if cap(m.seen) < nlits {
		m.seen = make([]uint8, nlits)
	}
	m.seen = m.seen[:nlits]
	clear(m.seen)
}

// match reports whether rule i's prefilter admits raw.
func (p *prefilters) match(i int, raw []byte, m *recordMemo) bool {
	clauses := p.rules[i]
	if clauses == nil {
		return true
	}
	for _, alts := range clauses {
		ok := false
		for _, li := range alts {
			switch m.seen[li] {
			case 0:
				if p.lits[li].In(raw) {
					m.seen[li] = 1
					ok = true
				} else {
					m.seen[li] = 2
				}
			case 1:
				ok = true
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// empty reports whether rule i admits every record.
func (p *prefilters) empty(i int) bool { return p.rules[i] == nil }
