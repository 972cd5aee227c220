package sigma

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// RuleColumn is the column a correlation's plan adds to each event: the
// rule it matched, as the correlation's rules list names it.
const RuleColumn = "sigma_rule"

// Correlation types of the Sigma correlation rules specification 2.1.
const (
	EventCount      = "event_count"
	ValueCount      = "value_count"
	Temporal        = "temporal"
	TemporalOrdered = "temporal_ordered"
	ValueSum        = "value_sum"
	ValueAvg        = "value_avg"
	ValuePercentile = "value_percentile"
)

// DefaultPercentile is the percentile a value_percentile correlation
// compares when its condition names none (pySigma's default).
const DefaultPercentile = 95

// correlator plans a correlation rule.
type correlator struct {
	opts Options
	// local are the other documents of the text being parsed, which the
	// correlation may name before Resolve is asked.
	local []*yaml.Node
}

// corrMember is a rule a correlation names, planned.
type corrMember struct {
	ref      string     // as the correlation's rules list writes it
	id, name string     // the rule's own id and name
	node     *yaml.Node // the reference, for errors
	*member
}

// bound is one comparison of a correlation's condition.
type bound struct {
	op string // plan operator: > >= < <= == !=
	n  float64
}

var condOps = map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "==", "neq": "!="}

// plan reads the correlation section of root and plans it.
func (c *correlator) plan(p *parser, root *yaml.Node) (*plan.Query, error) {
	corr := lookup(root, "correlation")
	if corr.Kind != yaml.MappingNode {
		return nil, p.errAt(corr, "correlation is a map: type, rules, group-by, timespan and condition")
	}
	tn := lookup(corr, "type")
	if tn == nil {
		return nil, p.errAt(corr, "the correlation has no type (event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)")
	}
	typ := tn.Value
	switch typ {
	case EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile:
	default:
		return nil, p.errAt(tn, "unknown correlation type %q (want event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)", typ)
	}
	members, err := c.members(p, corr)
	if err != nil {
		return nil, err
	}
	groups, err := p.names(corr, "group-by")
	if err != nil {
		return nil, err
	}
	span, err := p.timespan(corr)
	if err != nil {
		return nil, err
	}
	aliases, err := p.aliases(corr, members, groups)
	if err != nil {
		return nil, err
	}
	cond := lookup(corr, "condition")
	bounds, fields, pct, err := p.condition(corr, cond, typ)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(corr.Content); i += 2 {
		switch k := corr.Content[i]; k.Value {
		case "type", "rules", "group-by", "timespan", "condition", "aliases", "generate":
		default:
			return nil, p.errAt(k, "unknown key %q in the correlation", k.Value)
		}
	}

	from, conds := combine(members)
	pipe := []plan.Node{from, &plan.Where{Cond: orAll(conds)}}
	// Which rule each event matched, and the group-by columns that have
	// a field of their own in some rule.
	ev := &plan.Eval{}
	if typ == Temporal || len(aliases) > 0 {
		ev.Assigns = append(ev.Assigns, plan.Assign{Name: RuleColumn, Expr: ruleOf(members, conds)})
	}
	for _, g := range groups {
		if a, ok := aliases[g]; ok {
			ev.Assigns = append(ev.Assigns, plan.Assign{Name: g, Expr: aliasOf(members, g, a)})
		}
	}
	if len(ev.Assigns) > 0 {
		pipe = append(pipe, ev)
	}
	var by []plan.Expr
	st := &plan.Stats{}
	for _, g := range groups {
		st.By = append(st.By, plan.Assign{Name: g, Expr: &plan.Field{Name: g}})
		by = append(by, &plan.Field{Name: g})
	}

	var measure []string // the columns the condition compares
	switch typ {
	case TemporalOrdered:
		if err := orderedCondition(p, cond, bounds, len(members)); err != nil {
			return nil, err
		}
		seq := &plan.Sequence{By: by, MaxSpan: span}
		for i := range members {
			seq.Steps = append(seq.Steps, plan.SeqStep{Cond: conds[i]})
		}
		return &plan.Query{Dialect: plan.Sigma, Pipeline: append(pipe, seq)}, nil
	case Temporal:
		st.Aggs = []plan.Agg{{Name: "rule_count", Func: "dc", Args: []plan.Expr{&plan.Field{Name: RuleColumn}}}}
		if bounds == nil {
			bounds = []bound{{op: "==", n: float64(len(members))}}
		}
		measure = []string{"rule_count"}
	case EventCount:
		st.Aggs = []plan.Agg{{Name: "event_count", Func: "count"}}
		measure = []string{"event_count"}
	default:
		fn := map[string]string{ValueCount: "dc", ValueSum: "sum", ValueAvg: "avg", ValuePercentile: "percentile"}[typ]
		for i, f := range fields {
			name := typ
			if len(fields) > 1 {
				name = fmt.Sprintf("%s_%d", typ, i+1)
			}
			args := []plan.Expr{&plan.Field{Name: f}}
			if typ == ValuePercentile {
				args = append(args, &plan.Literal{Value: event.LongValue(int64(pct))})
			}
			st.Aggs = append(st.Aggs, plan.Agg{Name: name, Func: fn, Args: args})
			measure = append(measure, name)
		}
	}
	var keep plan.Expr
	for _, m := range measure {
		for _, b := range bounds {
			keep = and(keep, &plan.Binary{Op: b.op, L: &plan.Field{Name: m}, R: &plan.Literal{Value: number(b.n)}})
		}
	}
	pipe = append(pipe, st, &plan.Where{Cond: keep})
	return &plan.Query{Dialect: plan.Sigma, Pipeline: pipe}, nil
}

// members resolves and plans the rules the correlation names.
func (c *correlator) members(p *parser, corr *yaml.Node) ([]*corrMember, error) {
	rn := lookup(corr, "rules")
	if rn == nil {
		return nil, p.errAt(corr, "the correlation names no rules")
	}
	refs := []*yaml.Node{rn}
	if rn.Kind == yaml.SequenceNode {
		refs = rn.Content
	}
	if len(refs) == 0 {
		return nil, p.errAt(rn, "the correlation names no rules")
	}
	var out []*corrMember
	seen := map[string]bool{}
	for _, r := range refs {
		if r.Kind != yaml.ScalarNode || r.Value == "" {
			return nil, p.errAt(r, "rules lists rule ids or names")
		}
		if seen[r.Value] {
			return nil, p.errAt(r, "rule %q is named twice", r.Value)
		}
		seen[r.Value] = true
		m, err := c.member(p, r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// member finds the rule a reference names, in the text's other documents
// first, and plans it.
func (c *correlator) member(p *parser, ref *yaml.Node) (*corrMember, error) {
	for _, d := range c.local {
		if scalar(d, "id") != ref.Value && scalar(d, "name") != ref.Value {
			continue
		}
		if err := p.plainRule(d, ref); err != nil {
			return nil, err
		}
		sub := &parser{src: p.src, opts: Options{Placeholders: c.opts.Placeholders}}
		m, err := sub.member(d)
		if err != nil {
			return nil, err
		}
		return c.checked(p, ref, d, m)
	}
	if c.opts.Resolve == nil {
		return nil, p.errAt(ref, "no rule with id or name %q in this file", ref.Value)
	}
	doc, err := c.opts.Resolve(ref.Value)
	if err != nil {
		return nil, p.errAt(ref, "%v", err)
	}
	sub := &parser{src: doc.Text, opts: Options{Filters: doc.Filters, Placeholders: c.opts.Placeholders}}
	docs, err := sub.documents()
	if err != nil {
		return nil, p.errAt(ref, "rule %q does not compile: %s", ref.Value, errText(err))
	}
	if err := p.plainRule(docs[0], ref); err != nil {
		return nil, err
	}
	m, err := sub.member(docs[0])
	if err != nil {
		return nil, p.errAt(ref, "rule %q does not compile: %s", ref.Value, errText(err))
	}
	return c.checked(p, ref, docs[0], m)
}

// plainRule refuses what a correlation cannot count: other correlations
// and filters.
func (p *parser) plainRule(d, ref *yaml.Node) error {
	switch {
	case lookup(d, "correlation") != nil:
		return p.errAt(ref, "%q is a correlation: correlations over the results of other correlations are not run yet", ref.Value)
	case lookup(d, "filter") != nil && lookup(d, "detection") == nil:
		return p.errAt(ref, "%q is a Sigma filter, not a rule", ref.Value)
	}
	return nil
}

func (c *correlator) checked(p *parser, ref, d *yaml.Node, m *member) (*corrMember, error) {
	if m.agg != nil {
		return nil, p.errAt(ref, "rule %q aggregates in its condition (| count(), near): a correlation counts the events of plain rules", ref.Value)
	}
	return &corrMember{ref: ref.Value, id: scalar(d, "id"), name: scalar(d, "name"), node: ref, member: m}, nil
}

// scalar returns the text of a map's scalar value, or "".
func scalar(m *yaml.Node, key string) string {
	if v := lookup(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// names reads a list of field names (or a single one) under key.
func (p *parser) names(m *yaml.Node, key string) ([]string, error) {
	n := lookup(m, key)
	if n == nil || isNull(n) {
		return nil, nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []string
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || it.Value == "" {
			return nil, p.errAt(it, "%s lists field names", key)
		}
		if slices.Contains(out, it.Value) {
			return nil, p.errAt(it, "field %q is named twice", it.Value)
		}
		out = append(out, it.Value)
	}
	return out, nil
}

// timespan reads the correlation's window: a number and a unit, s m h d
// (w as well, as pySigma reads).
func (p *parser) timespan(corr *yaml.Node) (time.Duration, error) {
	n := lookup(corr, "timespan")
	if n == nil {
		return 0, p.errAt(corr, "the correlation has no timespan (a number and a unit: 30s, 10m, 1h, 1d)")
	}
	d, err := duration.Parse(n.Value)
	if err != nil || d <= 0 || n.Kind != yaml.ScalarNode {
		return 0, p.errAt(n, "timespan %q: want a number and a unit, like 30s, 10m, 1h or 1d", n.Value)
	}
	return d, nil
}

// aliases reads the correlation's aliases: for a group-by name, the field
// each rule holds it in. A rule not listed holds it under the name itself.
func (p *parser) aliases(corr *yaml.Node, members []*corrMember, groups []string) (map[string]map[*corrMember]string, error) {
	n := lookup(corr, "aliases")
	if n == nil || isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errAt(n, "aliases map a group-by name to the field of each rule: {name: {rule: field}}")
	}
	out := map[string]map[*corrMember]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(groups, k.Value) {
			return nil, p.errAt(k, "alias %q is not one of the correlation's group-by fields", k.Value)
		}
		if v.Kind != yaml.MappingNode {
			return nil, p.errAt(v, "alias %q maps rule names to fields: {rule: field}", k.Value)
		}
		byRule := map[*corrMember]string{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j], v.Content[j+1]
			var m *corrMember
			for _, c := range members {
				if rk.Value == c.ref || (c.name != "" && rk.Value == c.name) || (c.id != "" && rk.Value == c.id) {
					m = c
				}
			}
			if m == nil {
				return nil, p.errAt(rk, "alias %q names rule %q, which the correlation does not", k.Value, rk.Value)
			}
			if rv.Kind != yaml.ScalarNode || rv.Value == "" {
				return nil, p.errAt(rv, "alias %q: the field of rule %q is a field name", k.Value, rk.Value)
			}
			byRule[m] = rv.Value
		}
		out[k.Value] = byRule
	}
	return out, nil
}

// condition reads a correlation's condition: comparisons (gt, gte, lt,
// lte, eq, neq; several are all required), the field of value_* types,
// and value_percentile's percentile.
func (p *parser) condition(corr, n *yaml.Node, typ string) (bounds []bound, fields []string, pct int, err error) {
	valueType := typ == ValueCount || typ == ValueSum || typ == ValueAvg || typ == ValuePercentile
	if n == nil || isNull(n) {
		if typ == Temporal || typ == TemporalOrdered {
			return nil, nil, 0, nil
		}
		return nil, nil, 0, p.errAt(corr, "a %s correlation has a condition (gt, gte, lt, lte, eq or neq a number)", typ)
	}
	if n.Kind != yaml.MappingNode {
		return nil, nil, 0, p.errAt(n, "the condition is a map: gt, gte, lt, lte, eq or neq a number%s", map[bool]string{true: ", and field"}[valueType])
	}
	pct = DefaultPercentile
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case condOps[k.Value] != "":
			x, err := strconv.ParseFloat(v.Value, 64)
			if v.Kind != yaml.ScalarNode || err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, nil, 0, p.errAt(v, "%s takes a number", k.Value)
			}
			bounds = append(bounds, bound{op: condOps[k.Value], n: x})
		case k.Value == "field" && valueType:
			if fields, err = p.names(n, "field"); err != nil {
				return nil, nil, 0, err
			}
		case k.Value == "field":
			return nil, nil, 0, p.errAt(k, "a %s correlation counts no field: field is for value_count, value_sum, value_avg and value_percentile", typ)
		case k.Value == "percentile" && typ == ValuePercentile:
			x, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil || x < 0 || x > 100 {
				return nil, nil, 0, p.errAt(v, "percentile is a whole number from 0 to 100")
			}
			pct = x
		default:
			return nil, nil, 0, p.errAt(k, "unknown condition %q (want gt, gte, lt, lte, eq, neq%s)", k.Value, map[bool]string{true: ", field"}[valueType])
		}
	}
	if len(bounds) == 0 {
		return nil, nil, 0, p.errAt(n, "the condition compares with none of gt, gte, lt, lte, eq or neq")
	}
	if valueType && len(fields) == 0 {
		return nil, nil, 0, p.errAt(n, "a %s condition names the field it reads (field: name)", typ)
	}
	return bounds, fields, pct, nil
}

// orderedCondition accepts a temporal_ordered condition only when it
// holds for all the rules and for no fewer: the plan matches every rule,
// in order.
func orderedCondition(p *parser, n *yaml.Node, bounds []bound, rules int) error {
	holds := func(k int) bool {
		for _, b := range bounds {
			x := float64(k)
			ok := map[string]bool{">": x > b.n, ">=": x >= b.n, "<": x < b.n, "<=": x <= b.n, "==": x == b.n, "!=": x != b.n}[b.op]
			if !ok {
				return false
			}
		}
		return true
	}
	if bounds == nil {
		return nil
	}
	if !holds(rules) {
		return p.errAt(n, "the condition does not hold for all %d rules, so the ordered correlation could never match", rules)
	}
	for k := 1; k < rules; k++ {
		if holds(k) {
			return p.errAt(n, "temporal_ordered matches all its rules in order; a condition that %d of them satisfy is not run yet", k)
		}
	}
	return nil
}

// combine reads the members' sources as one: the union of their source
// types, and each member's condition limited to its own sources when the
// members read different ones.
func combine(members []*corrMember) (*plan.From, []plan.Expr) {
	from := &plan.From{}
	same := true
	for _, m := range members {
		if !slices.Equal(m.from.Sourcetypes, members[0].from.Sourcetypes) {
			same = false
		}
		for _, s := range m.from.Sourcetypes {
			if !slices.Contains(from.Sourcetypes, s) {
				from.Sourcetypes = append(from.Sourcetypes, s)
			}
		}
	}
	conds := make([]plan.Expr, len(members))
	for i, m := range members {
		conds[i] = m.cond
		if same {
			continue
		}
		var src plan.Expr
		for _, s := range m.from.Sourcetypes {
			src = or(src, &plan.Binary{Op: "==", L: &plan.Field{Name: "sourcetype"}, R: lit(s)})
		}
		conds[i] = and(src, m.cond)
	}
	return from, conds
}

// number is a whole number as a long, else a double.
func number(x float64) event.Value {
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return event.LongValue(int64(x))
	}
	return event.DoubleValue(x)
}

func orAll(es []plan.Expr) plan.Expr {
	var out plan.Expr
	for _, e := range es {
		out = or(out, e)
	}
	return out
}

// ruleOf names the first rule an event matches.
func ruleOf(members []*corrMember, conds []plan.Expr) plan.Expr {
	if len(members) == 1 {
		return lit(members[0].ref)
	}
	var args []plan.Expr
	for i, m := range members {
		args = append(args, conds[i], lit(m.ref))
	}
	return &plan.Call{Name: "case", Args: args}
}

// aliasOf reads a group-by alias from the field of the rule the event
// matched.
func aliasOf(members []*corrMember, alias string, byRule map[*corrMember]string) plan.Expr {
	var args []plan.Expr
	for _, m := range members {
		f := alias
		if x, ok := byRule[m]; ok {
			f = x
		}
		args = append(args, &plan.Binary{Op: "==", L: &plan.Field{Name: RuleColumn}, R: lit(m.ref)}, &plan.Field{Name: f})
	}
	return &plan.Call{Name: "case", Args: args}
}
