package lint

import (
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/rule"
)

// Covered is one MITRE technique (or sub-technique) under one tactic, and
// the rules that detect it. Tactic is empty when a rule names the
// technique without a tactic (Elastic's "Mitre Atlas: T0034" tags).
type Covered struct {
	Framework string
	Tactic    rule.Ref
	Technique rule.Ref
	Rules     []*rule.Rule
}

// Coverage lists the techniques the rules cover, sorted by framework,
// tactic and technique id. A technique a rule also names under a tactic is
// not listed again without one for that rule.
func Coverage(rules []*rule.Rule) []Covered {
	type key struct{ fw, tactic, tech string }
	idx := map[key]*Covered{}
	var order []key
	add := func(r *rule.Rule, fw string, tactic, tech rule.Ref) {
		k := key{fw, tactic.ID, tech.ID}
		c := idx[k]
		if c == nil {
			c = &Covered{Framework: fw, Tactic: tactic, Technique: tech}
			idx[k] = c
			order = append(order, k)
		}
		if c.Technique.Name == "" {
			c.Technique.Name = tech.Name
		}
		if c.Tactic.Name == "" {
			c.Tactic.Name = tactic.Name
		}
		for _, have := range c.Rules {
			if have == r {
				return
			}
		}
		c.Rules = append(c.Rules, r)
	}
	for _, r := range rules {
		withTactic := map[string]bool{}
		for _, th := range r.Threat {
			if th.Tactic.ID == "" {
				continue
			}
			for _, te := range th.Techniques {
				withTactic[te.ID] = true
				for _, s := range te.Subtechniques {
					withTactic[s.ID] = true
				}
			}
		}
		for _, th := range r.Threat {
			for _, te := range th.Techniques {
				refs := append([]rule.Ref{te.Ref}, te.Subtechniques...)
				for _, ref := range refs {
					if th.Tactic.ID == "" && withTactic[ref.ID] {
						continue
					}
					add(r, th.Framework, th.Tactic, ref)
				}
			}
		}
	}
	out := make([]Covered, 0, len(order))
	for _, k := range order {
		out = append(out, *idx[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Framework != b.Framework {
			return a.Framework < b.Framework // MITRE ATLAS, then MITRE ATT&CK
		}
		if a.Tactic.ID != b.Tactic.ID {
			return a.Tactic.ID < b.Tactic.ID
		}
		return a.Technique.ID < b.Technique.ID
	})
	return out
}

// LogTypeName names a log type as a person setting up logging knows it.
func LogTypeName(lt event.LogType) string {
	switch lt {
	case event.CloudTrail:
		return "AWS CloudTrail"
	case event.BedrockInvocation:
		return "Amazon Bedrock model invocation logs"
	}
	return lt.String()
}

// DataSources names the logs a compiled program needs, in the order of
// event.LogTypes.
func DataSources(p *exec.Program) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, lt := range event.LogTypes {
		if p.Reads(lt) {
			out = append(out, LogTypeName(lt))
		}
	}
	return out
}
