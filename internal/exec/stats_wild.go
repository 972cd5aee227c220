package exec

import (
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/plan"
)

// wildAgg reports whether an aggregate reads a wildcard field
// ("values(requestParameters.*)").
func wildAgg(a plan.Agg) (string, bool) {
	if len(a.Args) != 1 {
		return "", false
	}
	f, ok := a.Args[0].(*plan.Field)
	if !ok || !strings.Contains(f.Name, "*") {
		return "", false
	}
	return f.Name, true
}

// expandWildAggs turns each aggregate over a wildcard field into one per
// column that the wildcard matches, as Splunk's stats does: values(a*) as
// b* gives b<X> = values(a<X>) for each column a<X>, values(a*) without a
// name gives values(a<X>). The by-fields and the columns starting with "_"
// are left out. cols are the columns coming in; nil when they are known
// only per row, which a wildcard aggregate cannot read.
func expandWildAggs(st *plan.Stats, cols []string) (*plan.Stats, error) {
	wild := false
	for _, a := range st.Aggs {
		if _, ok := wildAgg(a); ok {
			wild = true
		}
	}
	if !wild {
		return st, nil
	}
	out := &plan.Stats{By: st.By, Inline: st.Inline}
	for _, a := range st.Aggs {
		pat, ok := wildAgg(a)
		if !ok {
			out.Aggs = append(out.Aggs, a)
			continue
		}
		if cols == nil {
			return nil, fmt.Errorf("%s(%s): a wildcard aggregate needs the fields before it known (by a table, fields or stats command before it); over events, whose fields vary, it is not supported", a.Func, pat)
		}
		for _, c := range cols {
			if strings.HasPrefix(c, "_") || isByField(st, c) {
				continue
			}
			x, ok := wildPart(pat, c)
			if !ok {
				continue
			}
			name := a.Func + "(" + c + ")"
			if strings.Contains(a.Name, "*") {
				name = strings.Replace(a.Name, "*", x, 1)
			}
			out.Aggs = append(out.Aggs, plan.Agg{Name: name, Func: a.Func, Args: []plan.Expr{&plan.Field{Name: c}}})
		}
	}
	if len(out.Aggs) == 0 {
		return nil, fmt.Errorf("no field before the stats command matches its wildcard aggregates")
	}
	return out, nil
}

func isByField(st *plan.Stats, name string) bool {
	for _, b := range st.By {
		if b.Name == name {
			return true
		}
	}
	return false
}

// wildPart matches name against a pattern with one * and returns what the
// * matched.
func wildPart(pattern, name string) (string, bool) {
	i := strings.IndexByte(pattern, '*')
	pre, suf := pattern[:i], pattern[i+1:]
	if strings.Contains(suf, "*") || len(name) < len(pre)+len(suf) || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, suf) {
		return "", false
	}
	return name[len(pre) : len(name)-len(suf)], true
}
