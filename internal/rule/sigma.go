package rule

import (
	"regexp"
	"strings"

	"github.com/tripline/tripline/internal/duration"
	"gopkg.in/yaml.v3"
)

// sigmaLevels maps Sigma levels to severities and risk scores (the scores
// Elastic gives its own severities: 21, 47, 73, 99).
var sigmaLevels = map[string]struct {
	severity string
	score    int
}{
	"informational": {"low", 21}, "low": {"low", 21}, "medium": {"medium", 47},
	"high": {"high", 73}, "critical": {"critical", 99},
}

var sigmaAttackTag = regexp.MustCompile(`^attack\.(t\d{4}(\.\d{3})?)$`)

// sigmaCorrelation reads what the rule set and the schedule need of a
// correlation: the rules it names, generate, and its timespan, which is
// the window of each run (evaluated every Sigma interval, or every
// timespan when that is shorter). A temporal_ordered correlation's
// matches are sequences, one alert per group-by values and window like
// the counting types' (the suppression of its group-by).
func (o Options) sigmaCorrelation(f *fields, r *Rule) {
	c := f.sub("correlation")
	r.Sigma.Refs = c.strs("rules")
	if g, ok := c.m["generate"].(bool); ok {
		r.Sigma.Generate = g
	}
	if g, ok := f.m["generate"].(bool); ok {
		r.Sigma.Generate = g
	}
	f.used["generate"] = true
	if ts, ok := c.m["timespan"].(string); ok {
		if d, err := duration.Parse(ts); err == nil && d > 0 {
			r.LookBack, r.Interval = d, min(r.Interval, d)
		}
		// A bad timespan is the front end's error, placed in the rule.
	}
	if t, _ := c.m["type"].(string); t == "temporal_ordered" {
		if groups := c.strs("group-by"); len(groups) > 0 {
			r.Suppression = &Suppression{GroupBy: groups}
		}
	}
	f.used["correlation"] = true // it is in Query
}

// sigmaRule reads a Sigma rule's metadata; the query is the document's text,
// which the Sigma front end parses.
func (o Options) sigmaRule(n *yaml.Node, text string) (*Rule, error) {
	v, err := plainValue(n)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	f := newFields(m, n, nil)
	r := &Rule{Format: FormatSigmaYAML, Language: LangSigma, Query: text, Version: 1, Type: "sigma"}
	r.ID = f.str("id")
	r.Name = f.str("title")
	r.Description = f.str("description")
	r.Status = f.str("status")
	r.References = f.strs("references")
	if a := f.str("author"); a != "" {
		r.Authors = []string{a}
	}
	r.License = f.str("license")
	r.FalsePositives = f.strs("falsepositives")
	r.Tags = f.strs("tags")
	f.used["detection"] = true // it is in Query
	var ids []string
	for _, t := range r.Tags {
		if m := sigmaAttackTag.FindStringSubmatch(strings.ToLower(t)); m != nil {
			ids = append(ids, m[1])
		}
	}
	r.Threat = attackThreats(ids)
	level := strings.ToLower(f.str("level"))
	if l, ok := sigmaLevels[level]; ok {
		r.Severity, r.RiskScore = l.severity, l.score
	} else if level == "" {
		r.Severity, r.RiskScore = "medium", 47
	} else {
		f.fail("level", "%q is not informational, low, medium, high or critical", level)
	}
	r.Interval, r.LookBack, r.WindowEnd = o.Sigma.Interval, o.Sigma.LookBack, o.Sigma.WindowEnd
	sg := &Sigma{Name: f.str("name"), Logsource: map[string]string{}}
	r.Sigma = sg
	if ls, ok := m["logsource"].(map[string]any); ok {
		for _, k := range []string{"product", "category", "service"} {
			if v, ok := ls[k].(string); ok {
				sg.Logsource[k] = strings.ToLower(v)
			}
		}
	}
	if r.ID == "" {
		// A rule that a correlation names by name alone needs no id.
		r.ID = sg.Name
	}
	switch {
	case f.has("correlation"):
		r.Type = "correlation"
		o.sigmaCorrelation(f, r)
	case f.has("filter") && !f.has("detection"):
		r.Type = "filter"
		sg.Filter = true
		ff := f.sub("filter")
		if v, _ := ff.m["rules"].(string); strings.EqualFold(v, "any") {
			sg.AnyRule = true
		} else {
			sg.Refs = ff.strs("rules")
		}
		f.used["filter"] = true // it is in Query
	}
	if det, ok := m["detection"].(map[string]any); ok {
		// The old aggregations count over the detection's timeframe:
		// a window that long, evaluated at the usual interval or more
		// often.
		if tf, ok := det["timeframe"].(string); ok {
			d, err := duration.Parse(tf)
			if err != nil || d <= 0 {
				f.fail("detection", "timeframe %q: want a length such as 10m or 1h", tf)
			} else {
				r.LookBack, r.Interval = d, min(r.Interval, d)
			}
		}
	}
	// "unsupported" marks rules written in the old aggregation syntax,
	// which tripline reads; deprecated rules are replaced by others.
	if strings.EqualFold(r.Status, "deprecated") {
		r.Skip = "the Sigma rule is deprecated"
	}
	if *f.err != nil {
		return nil, *f.err
	}
	// everything else (logsource, detection, dates, ...) stays readable in Extra
	if rest := f.rest(); len(rest) > 0 {
		r.Extra = rest
	}
	return r, nil
}
