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
	if f.has("correlation") {
		r.Type = "correlation"
	}
	r.Interval, r.LookBack, r.WindowEnd = o.Sigma.Interval, o.Sigma.LookBack, o.Sigma.WindowEnd
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
