package ruleset

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/syntax/sigma"
)

// LoadPlaceholders reads a Sigma placeholders file: a YAML map from a
// placeholder's name (as %name% in |expand values, without the percent
// signs) to its values, a list or a single value.
func LoadPlaceholders(file string) (map[string][]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read Sigma placeholders: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("cannot read Sigma placeholders %s: %w", file, err)
	}
	out := make(map[string][]string, len(raw))
	for name, v := range raw {
		name = strings.Trim(name, "%")
		switch x := v.(type) {
		case []any:
			vals := make([]string, 0, len(x))
			for _, e := range x {
				if e == nil {
					return nil, fmt.Errorf("cannot read Sigma placeholders %s: %s: an empty value", file, name)
				}
				vals = append(vals, fmt.Sprint(e))
			}
			out[name] = vals
		case nil:
			out[name] = nil
		case map[string]any:
			return nil, fmt.Errorf("cannot read Sigma placeholders %s: %s: want a list of values, not a map", file, name)
		default:
			out[name] = []string{fmt.Sprint(x)}
		}
	}
	return out, nil
}

// sigmaLinks ties the Sigma documents of a set together before they
// compile: each rule gets the placeholders, a way to find the rules its
// correlation names (by id, or by name: in its own file first, else the
// one rule of the set with that name), and the filters that apply to it.
// A filter that does not compile applies to nothing; its state says why.
type sigmaLinks struct {
	byID    map[string]*rule.Rule
	byName  map[string][]*rule.Rule
	filters map[*rule.Rule][]*rule.Rule // filter -> the rules it applies to
	errs    map[*rule.Rule]error        // filter -> why it does not compile
}

func linkSigma(all []*rule.Rule, placeholders map[string][]string) *sigmaLinks {
	l := &sigmaLinks{byID: map[string]*rule.Rule{}, byName: map[string][]*rule.Rule{},
		filters: map[*rule.Rule][]*rule.Rule{}, errs: map[*rule.Rule]error{}}
	var sig []*rule.Rule
	for _, r := range all {
		if r.Sigma == nil {
			continue
		}
		sig = append(sig, r)
		if _, ok := l.byID[r.ID]; !ok {
			l.byID[r.ID] = r
		}
		if r.Sigma.Name != "" {
			l.byName[r.Sigma.Name] = append(l.byName[r.Sigma.Name], r)
		}
	}
	for _, r := range sig {
		r.Sigma.Placeholders = placeholders
		r.Sigma.Resolve = l.resolver(r)
		r.Sigma.Filters = nil
	}
	for _, f := range sig {
		if !f.Sigma.Filter {
			continue
		}
		if _, err := sigma.ParseFilter(f.Query, sigma.Options{Placeholders: placeholders}); err != nil {
			l.errs[f] = err
			continue
		}
		var targets []*rule.Rule
		if f.Sigma.AnyRule {
			for _, r := range sig {
				if r.Sigma.Filter || r.Type == "correlation" || !sameSource(f.Sigma.Logsource, r.Sigma.Logsource) {
					continue
				}
				targets = append(targets, r)
			}
		} else {
			resolve := l.resolver(f)
			for _, ref := range f.Sigma.Refs {
				if r, err := resolve(ref); err == nil && !r.Sigma.Filter && r.Type != "correlation" && !slices.Contains(targets, r) {
					targets = append(targets, r)
				}
			}
		}
		for _, r := range targets {
			r.Sigma.Filters = append(r.Sigma.Filters, f)
		}
		l.filters[f] = targets
	}
	return l
}

// sameSource reports whether a rule's log source is within a filter's:
// each of product, category and service the filter gives, the rule gives
// too.
func sameSource(filter, r map[string]string) bool {
	for k, v := range filter {
		if r[k] != v {
			return false
		}
	}
	return true
}

// resolver finds the rule a document names by id or name.
func (l *sigmaLinks) resolver(from *rule.Rule) func(string) (*rule.Rule, error) {
	return func(ref string) (*rule.Rule, error) {
		if r := l.byID[ref]; r != nil && r != from {
			return r, nil
		}
		var same, other []*rule.Rule
		for _, r := range l.byName[ref] {
			switch {
			case r == from:
			case r.File == from.File:
				same = append(same, r)
			default:
				other = append(other, r)
			}
		}
		switch {
		case len(same) == 1:
			return same[0], nil
		case len(same) == 0 && len(other) == 1:
			return other[0], nil
		case len(same)+len(other) == 0:
			return nil, fmt.Errorf("no rule of the set has id or name %q", ref)
		}
		var where []string
		for _, r := range append(same, other...) {
			where = append(where, fmt.Sprintf("%s:%d", r.File, r.Line))
		}
		return nil, fmt.Errorf("%q names %d rules (%s): name one by its id", ref, len(where), strings.Join(where, ", "))
	}
}

// compileFilter reports a filter document: it raises no alerts, and says
// which rules it applies to, or why it does not compile.
func (l *sigmaLinks) compileFilter(r *rule.Rule) *engine.Compiled {
	c := &engine.Compiled{Rule: r}
	if err := l.errs[r]; err != nil {
		c.Err = err
		return c
	}
	var ids []string
	for _, t := range l.filters[r] {
		ids = append(ids, t.ID)
	}
	if len(ids) == 0 {
		r.Skip = "Sigma filter: it applies to no rule of the set"
	} else {
		r.Skip = fmt.Sprintf("Sigma filter: applies to %d %s (%s)", len(ids), plural(len(ids), "rule"), strings.Join(ids, ", "))
	}
	c.Err = errors.New(r.Skip)
	return c
}

// quietReferenced keeps the rules that correlations name from alerting on
// their own, unless one of those correlations says generate: true (Sigma
// correlation rules specification, "Generate": only the correlation's
// query is generated by default). A correlation that does not compile
// quiets nothing, so that its rules still run.
func quietReferenced(cs []*engine.Compiled) {
	quiet := map[*rule.Rule]*rule.Rule{}
	loud := map[*rule.Rule]bool{}
	for _, c := range cs {
		r := c.Rule
		if r.Sigma == nil || r.Type != "correlation" || !c.Runnable() || r.Sigma.Resolve == nil {
			continue
		}
		for _, ref := range r.Sigma.Refs {
			t, err := r.Sigma.Resolve(ref)
			if err != nil {
				continue
			}
			if r.Sigma.Generate {
				loud[t] = true
			} else if quiet[t] == nil {
				quiet[t] = r
			}
		}
	}
	for _, c := range cs {
		by := quiet[c.Rule]
		if by == nil || loud[c.Rule] || !c.Runnable() {
			continue
		}
		c.Rule.Skip = fmt.Sprintf("named by correlation %s (%s), which does not generate it: it raises no alerts of its own (generate: true would)", by.ID, by.Name)
		c.Err = errors.New(c.Rule.Skip)
	}
}

// FiltersOf lists the ids of the Sigma filters that apply to a rule.
func FiltersOf(r *rule.Rule) []string {
	if r.Sigma == nil {
		return nil
	}
	var out []string
	for _, f := range r.Sigma.Filters {
		out = append(out, f.ID)
	}
	return out
}
