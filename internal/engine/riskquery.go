package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/store"
)

// ErrNotRiskSearch is returned by RunRiskSearch for a search that does not
// read Splunk's Risk data model.
var ErrNotRiskSearch = errors.New("not a search of the Risk data model")

// riskRecord is one risk event as a record of Splunk's Risk data model
// (dataset All_Risk), the fields an SPL risk search reads.
type riskRecord struct {
	Time                 json.Number     `json:"_time"`
	NormalizedRiskObject *string         `json:"normalized_risk_object"`
	RiskObject           string          `json:"risk_object,omitempty"`
	RiskObjectType       string          `json:"risk_object_type,omitempty"`
	RiskScore            int             `json:"risk_score"`
	CalculatedRiskScore  int             `json:"calculated_risk_score"`
	ThreatObject         []string        `json:"threat_object,omitempty"`
	ThreatObjectType     []string        `json:"threat_object_type,omitempty"`
	SearchName           string          `json:"search_name"`
	Source               string          `json:"source"`
	RiskMessage          string          `json:"risk_message,omitempty"`
	AnalyticStories      []string        `json:"analyticstories,omitempty"`
	Annotations          riskAnnotations `json:"annotations"`
	AlertID              string          `json:"alert_id"`
	RuleID               string          `json:"rule_id,omitempty"`
}

type riskAnnotations struct {
	All         []string         `json:"_all,omitempty"`
	MitreAttack mitreAnnotations `json:"mitre_attack"`
}

type mitreAnnotations struct {
	Tactic      []string `json:"mitre_tactic,omitempty"`
	TacticID    []string `json:"mitre_tactic_id,omitempty"`
	TechniqueID []string `json:"mitre_technique_id,omitempty"`
}

// RiskRecords renders risk events as JSON lines with the fields of Splunk's
// Risk data model: _time (epoch seconds), normalized_risk_object (the
// entity in lower case), risk_object, risk_object_type, risk_score and
// calculated_risk_score (the same: tripline applies no risk factors),
// search_name and source (the rule's name), risk_message, analyticstories,
// annotations.mitre_attack.mitre_tactic (names where known, else ids),
// annotations.mitre_attack.mitre_tactic_id, .mitre_technique_id,
// annotations._all, alert_id and rule_id. As in Splunk, the threat objects
// of an alert ride on each of its risk-object records (threat_object,
// threat_object_type); an alert with threat objects only gives one record
// whose normalized_risk_object is null. Records keep the events' order.
func RiskRecords(events []store.RiskEvent) []byte {
	type threats struct{ objs, types []string }
	byAlert := map[string]*threats{}
	hasRisk := map[string]bool{}
	for _, e := range events {
		if !e.Threat {
			hasRisk[e.AlertID] = true
			continue
		}
		th := byAlert[e.AlertID]
		if th == nil {
			th = &threats{}
			byAlert[e.AlertID] = th
		}
		th.objs = append(th.objs, e.Entity)
		th.types = append(th.types, e.EntityType)
	}
	var buf bytes.Buffer
	threatOnly := map[string]bool{}
	for _, e := range events {
		if e.Threat && (hasRisk[e.AlertID] || threatOnly[e.AlertID]) {
			continue
		}
		rec := riskRecord{
			Time: epochSeconds(e.Time), RiskScore: e.Score, CalculatedRiskScore: e.Score, SearchName: e.RuleName, Source: e.RuleName,
			RiskMessage: e.Message, AnalyticStories: e.Stories, AlertID: e.AlertID, RuleID: e.RuleID,
		}
		if e.Threat {
			threatOnly[e.AlertID] = true
		} else {
			norm := lowerASCII(e.Entity)
			rec.NormalizedRiskObject, rec.RiskObject, rec.RiskObjectType = &norm, e.Entity, e.EntityType
		}
		if th := byAlert[e.AlertID]; th != nil {
			rec.ThreatObject, rec.ThreatObjectType = th.objs, th.types
		}
		m := &rec.Annotations.MitreAttack
		for _, id := range e.Tactics {
			name := rule.MitreName(id)
			if name == "" {
				name = id
			}
			m.Tactic = append(m.Tactic, name)
			m.TacticID = append(m.TacticID, id)
		}
		m.TechniqueID = e.Techniques
		rec.Annotations.All = distinctSorted(m.TechniqueID, m.Tactic, e.Stories)
		b, err := json.Marshal(&rec)
		if err != nil {
			panic("BUG: cannot encode a risk record: " + err.Error())
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// lowerASCII lower-cases as Splunk's risk normalization does for
// identities (case is not significant in user names).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// epochSeconds renders a time as Splunk's _time: whole seconds, or
// seconds with the fraction when there is one.
func epochSeconds(t time.Time) json.Number {
	ns := t.UnixNano()
	if ns%1e9 == 0 {
		return json.Number(strconv.FormatInt(ns/1e9, 10))
	}
	return json.Number(strconv.FormatFloat(float64(ns)/1e9, 'f', 6, 64))
}

func distinctSorted(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// IsRiskSearch reports whether an SPL search reads Splunk's Risk data model
// (| from datamodel Risk.All_Risk, | datamodel Risk All_Risk search), and
// so can run against tripline's risk store with RunRiskSearch.
func IsRiskSearch(search string) bool {
	q, err := ParseQuery(rule.LangSPL, search, nil)
	if err != nil {
		return false
	}
	from, _ := q.Pipeline[0].(*plan.From)
	if from == nil || from.Datamodel == "" {
		return false
	}
	lt, ok := schema.Datamodel(from.Datamodel)
	return ok && lt == event.Risk
}

// RunRiskSearch runs an SPL search of the Risk data model over the risk
// events of a store, as one window, and returns its rows. now is the time
// the search runs at: now() in the search, and so its time modifiers
// (starthoursago=168 keeps _time >= now - 168 h), are that time. Risk
// events are read from the store within the time range the search's
// leading conditions on _time give, or all of them.
func RunRiskSearch(ctx context.Context, st store.Store, search string, now time.Time) ([]exec.Result, error) {
	q, err := ParseQuery(rule.LangSPL, search, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot parse risk search: %w", err)
	}
	from, _ := q.Pipeline[0].(*plan.From)
	if lt, ok := schema.Datamodel(from.Datamodel); !ok || lt != event.Risk {
		return nil, ErrNotRiskSearch
	}
	q = bindNow(q, now)
	prog, err := exec.Compile(q, exec.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot plan risk search: %w", err)
	}
	since, until := timeBounds(q, now)
	events, err := st.RiskEvents(ctx, store.RiskFilter{Since: since, Until: until})
	if err != nil {
		return nil, fmt.Errorf("cannot read risk events: %w", err)
	}
	in := prog.NewInstance(0)
	stats, err := logs.ReadStream(ctx, "risk-store", bytes.NewReader(RiskRecords(events)), logs.StreamStart{}, logs.Options{},
		func(_ int, ev *event.Event) error {
			in.Push(ev)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("cannot read risk records: %w", err)
	}
	if stats.Bad > 0 {
		return nil, fmt.Errorf("BUG: %d risk records did not decode; first: %v", stats.Bad, stats.BadSamples)
	}
	return in.Evaluate(now, time.Time{}, now), nil
}

// bindNow replaces now() in the conditions and evaluations with the search
// time as a constant, so that the executor filters risk records as they
// stream instead of keeping them for evaluation at the end, and so that
// the store read can be bounded (timeBounds).
func bindNow(q *plan.Query, now time.Time) *plan.Query {
	lit := &plan.Literal{Value: event.LongValue(now.Unix())}
	out := &plan.Query{Dialect: q.Dialect, Pipeline: make([]plan.Node, len(q.Pipeline))}
	for i, n := range q.Pipeline {
		switch t := n.(type) {
		case *plan.Where:
			n = &plan.Where{Cond: substNow(t.Cond, lit)}
		case *plan.Eval:
			as := make([]plan.Assign, len(t.Assigns))
			for j, a := range t.Assigns {
				as[j] = plan.Assign{Name: a.Name, Expr: substNow(a.Expr, lit)}
			}
			n = &plan.Eval{Assigns: as}
		}
		out.Pipeline[i] = n
	}
	return out
}

func substNow(e plan.Expr, lit plan.Expr) plan.Expr {
	switch t := e.(type) {
	case *plan.Call:
		if t.Name == "now" && len(t.Args) == 0 {
			return lit
		}
		args := make([]plan.Expr, len(t.Args))
		for i, a := range t.Args {
			args[i] = substNow(a, lit)
		}
		return &plan.Call{Name: t.Name, Args: args}
	case *plan.Binary:
		return &plan.Binary{Op: t.Op, L: substNow(t.L, lit), R: substNow(t.R, lit)}
	case *plan.Unary:
		return &plan.Unary{Op: t.Op, X: substNow(t.X, lit)}
	case *plan.In:
		list := make([]plan.Expr, len(t.List))
		for i, x := range t.List {
			list[i] = substNow(x, lit)
		}
		return &plan.In{X: substNow(t.X, lit), List: list, Not: t.Not}
	case *plan.Like:
		return &plan.Like{X: substNow(t.X, lit), Patterns: t.Patterns, Regex: t.Regex, Not: t.Not}
	case *plan.IsNull:
		return &plan.IsNull{X: substNow(t.X, lit), Not: t.Not}
	}
	return e
}

// timeBounds reads the store range [since, until) from the top-level
// conditions _time >= X, _time > X, _time < X and _time <= X (X constant)
// of the where operators right after from. Zero times do not bound.
func timeBounds(q *plan.Query, now time.Time) (since, until time.Time) {
	for _, n := range q.Pipeline[1:] {
		w, ok := n.(*plan.Where)
		if !ok {
			break
		}
		for _, c := range andTerms(w.Cond, nil) {
			b, ok := c.(*plan.Binary)
			if !ok {
				continue
			}
			if f, ok := b.L.(*plan.Field); !ok || f.Name != "_time" || !isConstant(b.R) {
				continue
			}
			secs, ok := constSeconds(b.R, now)
			if !ok {
				continue
			}
			switch b.Op {
			case ">=", ">":
				if t := time.Unix(int64(math.Floor(secs)), 0); t.After(since) {
					since = t
				}
			case "<", "<=":
				t := time.Unix(int64(math.Ceil(secs)), 0)
				if b.Op == "<=" {
					t = time.Unix(int64(math.Floor(secs))+1, 0)
				}
				if until.IsZero() || t.Before(until) {
					until = t
				}
			}
		}
	}
	return since, until
}

func andTerms(e plan.Expr, out []plan.Expr) []plan.Expr {
	if b, ok := e.(*plan.Binary); ok && b.Op == "AND" {
		return andTerms(b.R, andTerms(b.L, out))
	}
	return append(out, e)
}

// isConstant reports an expression that reads no field of the row.
func isConstant(e plan.Expr) bool {
	switch t := e.(type) {
	case *plan.Literal:
		return true
	case *plan.Call:
		for _, a := range t.Args {
			if !isConstant(a) {
				return false
			}
		}
		return t.Name != "now" && t.Name != "time" && t.Name != "random"
	case *plan.Binary:
		return isConstant(t.L) && isConstant(t.R)
	case *plan.Unary:
		return isConstant(t.X)
	}
	return false
}

// constSeconds evaluates a constant expression to epoch seconds.
func constSeconds(e plan.Expr, now time.Time) (float64, bool) {
	ev, err := scalar.Compile(e, plan.SPL, func(string) int { return 0 })
	if err != nil {
		return 0, false
	}
	v := ev(&scalar.Context{Now: now.UnixNano()}, nil)
	if ns, ok := v.Nanos(); ok {
		return float64(ns) / 1e9, true
	}
	return v.Number()
}
