package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
)

// RiskEvents derives the risk an alert attributes: one event per risk
// object the rule names (Splunk RBA risk and threat objects), or, for a
// rule without any (Elastic rules), the user entity of the alert with the
// rule's risk score. Multi-valued objects give one event per value.
func RiskEvents(r *rule.Rule, a *alert.Alert) []store.RiskEvent {
	msg, _ := r.Extra["risk_message"].(string)
	if msg == "" {
		msg = a.Reason
	} else {
		msg = fillTokens(msg, a)
	}
	var tactics, techniques []string
	for _, th := range r.Threat {
		if th.Tactic.ID != "" {
			tactics = append(tactics, th.Tactic.ID)
		}
		for _, t := range th.Techniques {
			techniques = append(techniques, t.ID)
		}
	}
	var stories []string
	for _, tag := range r.Tags {
		if s, ok := strings.CutPrefix(tag, "Analytic Story: "); ok {
			stories = append(stories, s)
		}
	}
	base := store.RiskEvent{Time: a.Timestamp, AlertID: a.ID, RuleID: r.ID, RuleName: r.Name,
		Message: msg, Tactics: tactics, Techniques: techniques, Stories: stories}
	var out []store.RiskEvent
	add := func(v event.Value, typ string, score int, threat bool) {
		for _, e := range v.Values() {
			s := e.String()
			if s == "" {
				continue
			}
			ev := base
			ev.Entity, ev.EntityType, ev.Score, ev.Threat = s, typ, score, threat
			if threat {
				ev.Score = 0
			}
			out = append(out, ev)
		}
	}
	if len(r.Risk) > 0 {
		for _, ro := range r.Risk {
			v := a.Row.Get(ro.Field)
			if v.IsNull() {
				v = a.Group.Get(ro.Field)
			}
			score := ro.Score
			if score == 0 && !ro.Threat {
				score = r.RiskScore
			}
			add(v, ro.Type, score, ro.Threat)
		}
		return out
	}
	for _, f := range []string{"user.id", "user.name", "user", "user_name", "userIdentity.arn", "identity.arn"} {
		v := a.Row.Get(f)
		if v.IsNull() {
			v = a.Group.Get(f)
		}
		if !v.IsNull() {
			add(v, "user", r.RiskScore, false)
			break
		}
	}
	return out
}

func fillTokens(s string, a *alert.Alert) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(s[i+1:], '$')
		}
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+1 : i+1+j]
		v := a.Row.Get(name)
		if v.IsNull() {
			v = a.Group.Get(name)
		}
		b.WriteString(s[:i])
		if v.IsNull() {
			b.WriteString(s[i : i+2+j])
		} else {
			b.WriteString(v.String())
		}
		s = s[i+2+j:]
	}
}

// RiskRuleID is the id of the built-in risk threshold rule.
const RiskRuleID = "tripline-risk-threshold"

// RiskOptions configure the risk threshold rule: an entity whose total
// risk over Window exceeds Threshold raises a risk incident.
type RiskOptions struct {
	Threshold int
	Window    time.Duration
	Disabled  bool
}

func (o RiskOptions) withDefaults() RiskOptions {
	if o.Threshold == 0 {
		o.Threshold = 100
	}
	if o.Window == 0 {
		o.Window = 24 * time.Hour
	}
	return o
}

// riskRule is the rule model of the risk threshold rule, so that its
// incidents look like every other alert.
func riskRule(o RiskOptions) *rule.Rule {
	return &rule.Rule{
		ID: RiskRuleID, Name: "Risk threshold exceeded for an entity", Version: 1, Language: "risk",
		Severity: "high", RiskScore: 0, Tags: []string{"Risk Incident"},
		Description: fmt.Sprintf("The total risk of one entity exceeded %d within %s.", o.Threshold, o.Window),
		Guide: "## Triage\n\nThe entity collected risk from several detections. Read the contributing alerts " +
			"in order: together they often tell one story (reconnaissance, then probing, then use) that no single " +
			"alert shows. Close the incident only when each contributing alert is explained.\n",
	}
}

// incident is an open risk incident of one entity.
type incident struct {
	a    *alert.Alert
	last time.Time
}

// riskIncident builds or updates the risk incident of one entity from its
// risk events over the window ending at t.
func riskIncident(o RiskOptions, r *rule.Rule, entity string, evs []store.RiskEvent, t time.Time, open *incident) *alert.Alert {
	total := 0
	var alerts, rules []string
	seenA, seenR := map[string]bool{}, map[string]bool{}
	first, last := time.Time{}, time.Time{}
	for _, e := range evs {
		if e.Threat {
			continue
		}
		total += e.Score
		if !seenA[e.AlertID] {
			seenA[e.AlertID] = true
			alerts = append(alerts, e.AlertID)
		}
		if !seenR[e.RuleName] {
			seenR[e.RuleName] = true
			rules = append(rules, e.RuleName)
		}
		if first.IsZero() || e.Time.Before(first) {
			first = e.Time
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	if total <= o.Threshold {
		return nil
	}
	group := alert.Fields{{Name: "entity", Value: event.StringValue(entity)}}
	row := alert.Fields{
		{Name: "entity", Value: event.StringValue(entity)},
		{Name: "total_risk", Value: event.LongValue(int64(total))},
		{Name: "contributing_alerts", Value: event.StringsValue(alerts)},
		{Name: "rules", Value: event.StringsValue(rules)},
	}
	var a *alert.Alert
	if open != nil {
		a = open.a
	} else {
		a = &alert.Alert{ID: alert.GroupID(RiskRuleID, group, first), Rule: alert.NewRuleRef(r),
			Timestamp: t, RaisedAt: raisedNow(), Group: group, Status: "open", Guide: r.Guide}
	}
	a.Row = row
	a.Window = alert.Window{Start: t.Add(-o.Window), End: t}
	if a.FirstSeen.IsZero() || first.Before(a.FirstSeen) {
		a.FirstSeen = first
	}
	if last.After(a.LastSeen) {
		a.LastSeen = last
	}
	a.EventCount = int64(len(alerts))
	a.Matches++
	a.Reason = fmt.Sprintf("%s: %s reached total risk %d (threshold %d) from %d alerts of %d rules: %s",
		r.Name, entity, total, o.Threshold, len(alerts), len(rules), strings.Join(rules, "; "))
	return a
}
