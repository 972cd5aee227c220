package engine

import (
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/syntax/sigma"
)

// sigmaOptions gives the Sigma front end what the rule set resolved for
// a rule: its filters, the rules its correlation names (with theirs), and
// the placeholder values.
func sigmaOptions(r *rule.Rule) sigma.Options {
	s := r.Sigma
	if s == nil {
		return sigma.Options{}
	}
	o := sigma.Options{Filters: filterTexts(s.Filters), Placeholders: s.Placeholders}
	if s.Resolve != nil {
		o.Resolve = func(ref string) (sigma.Doc, error) {
			t, err := s.Resolve(ref)
			if err != nil {
				return sigma.Doc{}, err
			}
			d := sigma.Doc{Text: t.Query}
			if t.Sigma != nil {
				d.Filters = filterTexts(t.Sigma.Filters)
			}
			return d, nil
		}
	}
	return o
}

func filterTexts(fs []*rule.Rule) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Query)
	}
	return out
}
