package exec

// maxOrClauses bounds the clauses of a disjunction of prefilters: past
// it, the disjunction admits everything rather than grow a test per
// record that costs more than it saves.
const maxOrClauses = 64

// orPrefilters returns a prefilter admitting every record that a or b
// admits: (A1 and A2) or (B1 and B2) is (A1 or B1) and (A1 or B2) and
// (A2 or B1) and (A2 or B2), a clause per pair. It admits everything when
// either does, or when that would take more than maxOrClauses clauses.
func orPrefilters(a, b Prefilter) Prefilter {
	if a.Empty() || b.Empty() || len(a.Clauses)*len(b.Clauses) > maxOrClauses {
		return Prefilter{}
	}
	var out Prefilter
	for _, ca := range a.Clauses {
		for _, cb := range b.Clauses {
			seen := make(map[string]bool, len(ca)+len(cb))
			var c []Literal
			for _, l := range append(append([]Literal(nil), ca...), cb...) {
				if k := l.Key(); !seen[k] {
					seen[k] = true
					c = append(c, l)
				}
			}
			out.Clauses = append(out.Clauses, c)
		}
	}
	return out
}
