package kql

import (
	"fmt"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// Columns of the rows a threshold or new_terms plan gives, named after the
// fields of Kibana's alerts (kibana.alert.threshold_result.*,
// kibana.alert.new_terms).
const (
	ThresholdCount = "threshold_result.count"
	ThresholdFrom  = "threshold_result.from"
	ThresholdTo    = "threshold_result.to"
	// ThresholdCardinality prefixes the distinct count of a field.
	ThresholdCardinality = "threshold_result.cardinality."
	NewTermsFirstSeen    = "new_terms.first_seen"
)

// timestampField is the time Kibana's threshold and new terms
// aggregations read.
const timestampField = "@timestamp"

// Threshold is what an Elastic threshold rule counts: the group-by
// fields, the least count, and distinct counts a group must reach.
type Threshold struct {
	Fields      []string
	Value       int
	Cardinality []Distinct
}

// Distinct asks for at least Value distinct values of Field.
type Distinct struct {
	Field string
	Value int
}

// ParseThreshold plans an Elastic threshold rule: the KQL filter over the
// index patterns, the matches counted per combination of the group-by
// fields (an event missing one of them is not counted, and a multi-valued
// one counts once under each value, as Elasticsearch's terms aggregation
// does), then the groups whose count reaches Value and whose distinct
// counts reach theirs. Each row is one group: its field values, the count,
// the distinct counts, and the first and last event time.
//
// The aggregation runs with ES|QL's semantics (typed comparisons, a count
// of rows), which are Elasticsearch's aggregations'; the filter keeps
// KQL's, as in ES|QL's kql().
func ParseThreshold(src string, indices []string, t Threshold) (*plan.Query, error) {
	if len(t.Fields) > 5 {
		return nil, fmt.Errorf("a threshold rule groups by at most 5 fields, got %d", len(t.Fields))
	}
	if t.Value < 1 {
		return nil, fmt.Errorf("a threshold must be at least 1, got %d", t.Value)
	}
	q, err := filtered(src, indices, t.Fields)
	if err != nil {
		return nil, err
	}
	st := &plan.Stats{By: byFields(t.Fields)}
	st.Aggs = append(st.Aggs, plan.Agg{Name: ThresholdCount, Func: "count", Args: []plan.Expr{&plan.Star{}}})
	cond := atLeast(ThresholdCount, t.Value)
	for _, c := range t.Cardinality {
		if c.Field == "" || c.Value < 1 {
			return nil, fmt.Errorf("a threshold cardinality needs a field and a value of at least 1")
		}
		name := ThresholdCardinality + c.Field
		st.Aggs = append(st.Aggs, plan.Agg{Name: name, Func: "count_distinct", Args: []plan.Expr{&plan.Field{Name: c.Field}}})
		cond = &plan.Binary{Op: "AND", L: cond, R: atLeast(name, c.Value)}
	}
	st.Aggs = append(st.Aggs,
		plan.Agg{Name: ThresholdFrom, Func: "min", Args: []plan.Expr{&plan.Field{Name: timestampField}}},
		plan.Agg{Name: ThresholdTo, Func: "max", Args: []plan.Expr{&plan.Field{Name: timestampField}}})
	q.Pipeline = append(q.Pipeline, st, &plan.Where{Cond: cond})
	return q, nil
}

// ParseNewTerms plans an Elastic new_terms rule run over a look-back that
// holds both its history and its window: the KQL filter, the first time
// each value (or combination of values) of the fields was seen, then the
// terms first seen no earlier than window before the run, that is in the
// rule's own window and not in the history before it. An event missing
// one of the fields has no term; a multi-valued field gives one term per
// value, and one combination per choice of values, as Kibana's new terms
// do.
func ParseNewTerms(src string, indices []string, fields []string, window time.Duration) (*plan.Query, error) {
	if len(fields) < 1 || len(fields) > 3 {
		return nil, fmt.Errorf("a new_terms rule takes 1 to 3 fields, got %d", len(fields))
	}
	if window <= 0 {
		return nil, fmt.Errorf("a new_terms rule needs a window, got %s", window)
	}
	q, err := filtered(src, indices, fields)
	if err != nil {
		return nil, err
	}
	st := &plan.Stats{By: byFields(fields), Aggs: []plan.Agg{
		{Name: NewTermsFirstSeen, Func: "min", Args: []plan.Expr{&plan.Field{Name: timestampField}}},
	}}
	since := &plan.Binary{Op: "-", L: &plan.Call{Name: "now"}, R: &plan.Span{D: window}}
	q.Pipeline = append(q.Pipeline, st, &plan.Where{Cond: &plan.Binary{Op: ">=", L: &plan.Field{Name: NewTermsFirstSeen}, R: since}})
	return q, nil
}

// filtered plans the rule's KQL filter, with the events that lack one of
// the fields left out, in the dialect the aggregation runs in.
func filtered(src string, indices, fields []string) (*plan.Query, error) {
	cond, err := Cond(src, indices)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		has := &plan.IsNull{X: &plan.Field{Name: f}, Not: true}
		if cond == nil {
			cond = has
			continue
		}
		cond = &plan.Binary{Op: "AND", L: cond, R: has}
	}
	q := &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{&plan.From{Indices: append([]string(nil), indices...)}}}
	if cond != nil {
		q.Pipeline = append(q.Pipeline, &plan.Where{Cond: cond})
	}
	return q, nil
}

func byFields(fields []string) []plan.Assign {
	by := make([]plan.Assign, len(fields))
	for i, f := range fields {
		by[i] = plan.Assign{Name: f, Expr: &plan.Field{Name: f}}
	}
	return by
}

func atLeast(col string, n int) plan.Expr {
	return &plan.Binary{Op: ">=", L: &plan.Field{Name: col}, R: &plan.Literal{Value: event.LongValue(int64(n))}}
}
