package sigma

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/plan"
)

// ParseFilter reads a Sigma filter document (Sigma filters specification
// 2.x: title, logsource, and filter with rules, its selections and a
// condition) and returns the condition of the events it takes out of the
// rules it applies to. Which rules those are (its rules: ids, names or
// any, and its logsource) the rule set decides.
func ParseFilter(text string, o Options) (plan.Expr, error) {
	p := &parser{src: text, opts: Options{Placeholders: o.Placeholders}}
	docs, err := p.documents()
	if err != nil {
		return nil, err
	}
	root := docs[0]
	f := lookup(root, "filter")
	if f == nil || f.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "a Sigma filter has a filter map: rules, selections and a condition")
	}
	if lookup(root, "logsource") == nil {
		return nil, p.errAt(root, "the filter has no logsource")
	}
	if _, err := p.filterTargets(f); err != nil {
		return nil, err
	}
	cond, agg, err := p.detection(f, map[string]bool{"rules": true})
	if err != nil {
		return nil, err
	}
	if agg != nil {
		return nil, p.errAt(lookup(f, "condition"), "a filter's condition selects events: it has no aggregation")
	}
	return cond, nil
}

// filterTargets reads a filter's rules: a list of rule ids or names, or
// "any" for every rule of the filter's log source (nil list).
func (p *parser) filterTargets(f *yaml.Node) ([]string, error) {
	n := lookup(f, "rules")
	switch {
	case n == nil:
		return nil, p.errAt(f, "the filter names no rules: give their ids or names, or any")
	case n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, "any"):
		return nil, nil
	case n.Kind == yaml.ScalarNode && n.Value != "":
		return []string{n.Value}, nil
	case n.Kind != yaml.SequenceNode || len(n.Content) == 0:
		return nil, p.errAt(n, "a filter's rules are a list of rule ids or names, or any")
	}
	var out []string
	for _, r := range n.Content {
		if r.Kind != yaml.ScalarNode || r.Value == "" {
			return nil, p.errAt(r, "a filter's rules are rule ids or names")
		}
		out = append(out, r.Value)
	}
	return out, nil
}
