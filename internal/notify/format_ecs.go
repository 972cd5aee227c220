package notify

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

// ecsVersion is the ECS version the alert documents claim.
const ecsVersion = "8.11.0"

// ecsDocument builds a flat Kibana alert-as-data document: the alert's own
// fields under kibana.alert.*, and the result row's columns at the top level
// as Kibana's ES|QL rules write them. A row column never overrides an alert
// field of the same name.
func ecsDocument(a *alert.Alert) map[string]any {
	status := a.Status
	if status == "" {
		status = "open"
	}
	doc := map[string]any{
		"@timestamp":                   ts(a.Timestamp),
		"ecs.version":                  ecsVersion,
		"event.kind":                   "signal",
		"kibana.space_ids":             []string{"default"},
		"kibana.alert.uuid":            a.ID,
		"kibana.alert.status":          "active",
		"kibana.alert.workflow_status": status,
		"kibana.alert.reason":          a.Reason,
		"kibana.alert.severity":        a.Rule.Severity,
		"kibana.alert.risk_score":      a.Rule.RiskScore,
		"kibana.alert.original_time":   ts(a.FirstSeen),
		"kibana.alert.start":           ts(a.Timestamp),
		"kibana.alert.last_detected":   ts(lastDetected(a)),
		"kibana.alert.depth":           1,
		"kibana.alert.rule.uuid":       ruleUUID(a.Rule.ID),
		"kibana.alert.rule.rule_id":    a.Rule.ID,
		"kibana.alert.rule.name":       a.Rule.Name,
		"kibana.alert.rule.version":    strconv.Itoa(a.Rule.Version),
		"kibana.alert.rule.category":   ruleCategory(a.Rule.Language),
		"kibana.alert.rule.type":       ruleType(a.Rule),
		"kibana.alert.rule.producer":   "siem",
		"kibana.alert.rule.severity":   a.Rule.Severity,
		"kibana.alert.rule.risk_score": a.Rule.RiskScore,
		"kibana.alert.rule.tags":       nonNilStrings(a.Rule.Tags),
		"kibana.alert.rule.threat":     nonNilThreat(a.Rule.Threat),
	}
	if a.Guide != "" {
		doc["kibana.alert.rule.note"] = a.Guide
	}
	switch ruleType(a.Rule) {
	case "threshold":
		doc["kibana.alert.threshold_result"] = thresholdResult(a)
	case "new_terms":
		terms := make([]string, 0, len(a.Group))
		for _, f := range a.Group {
			terms = append(terms, f.Value.String())
		}
		doc["kibana.alert.new_terms"] = terms
	case "eql":
		if len(a.Evidence) > 1 {
			// A sequence's alert is the shell of its building blocks,
			// which share its group id.
			doc["kibana.alert.group.id"] = a.ID
		}
	}
	if len(a.Group) > 0 {
		terms := make([]map[string]any, 0, len(a.Group))
		for _, f := range a.Group {
			terms = append(terms, map[string]any{"field": f.Name, "value": termValues(f.Value)})
		}
		doc["kibana.alert.suppression.terms"] = terms
		doc["kibana.alert.suppression.start"] = ts(a.FirstSeen)
		doc["kibana.alert.suppression.end"] = ts(a.LastSeen)
		doc["kibana.alert.suppression.docs_count"] = max(a.Matches-1, 0)
	}
	if len(a.Evidence) > 0 {
		ancestors := make([]map[string]any, 0, len(a.Evidence))
		for _, e := range a.Evidence {
			id := e.EventID
			if id == "" {
				id = e.File + ":" + strconv.Itoa(e.Line)
			}
			ancestors = append(ancestors, map[string]any{"id": id, "index": e.File, "depth": 0, "type": "event"})
		}
		doc["kibana.alert.ancestors"] = ancestors
	}
	for _, f := range a.Row {
		if _, taken := doc[f.Name]; taken || strings.HasPrefix(f.Name, "kibana.") || strings.HasPrefix(f.Name, thresholdPrefix) {
			continue
		}
		doc[f.Name] = f.Value
	}
	return doc
}

// thresholdPrefix starts the columns of a threshold rule's result (see
// internal/syntax/kql), which Kibana writes under
// kibana.alert.threshold_result rather than at the top level.
const thresholdPrefix = "threshold_result."

// thresholdResult is a threshold alert's result as Kibana writes it: the
// group's terms, the count, when the window began, and each cardinality.
func thresholdResult(a *alert.Alert) map[string]any {
	terms := make([]map[string]any, 0, len(a.Group))
	for _, f := range a.Group {
		terms = append(terms, map[string]any{"field": f.Name, "value": f.Value.String()})
	}
	res := map[string]any{"terms": terms}
	var card []map[string]any
	for _, f := range a.Row {
		switch {
		case f.Name == thresholdPrefix+"count":
			res["count"] = f.Value
		case f.Name == thresholdPrefix+"from":
			res["from"] = f.Value
		case strings.HasPrefix(f.Name, thresholdPrefix+"cardinality."):
			card = append(card, map[string]any{"field": strings.TrimPrefix(f.Name, thresholdPrefix+"cardinality."), "value": f.Value})
		}
	}
	if card != nil {
		res["cardinality"] = card
	}
	return res
}

// lastDetected is the end of the latest window that matched, or the alert's
// time when the window is unset.
func lastDetected(a *alert.Alert) time.Time {
	if a.Window.End.After(a.Timestamp) {
		return a.Window.End
	}
	return a.Timestamp
}

// termValues renders a group value as Kibana's suppression terms do: an
// array of strings.
func termValues(v event.Value) []string {
	if v.IsNull() {
		return []string{}
	}
	vs := v.Values()
	out := make([]string, 0, len(vs))
	for _, e := range vs {
		out = append(out, e.String())
	}
	return out
}

// ruleCategory is Kibana's human name for a rule type.
func ruleCategory(language string) string {
	switch language {
	case "esql":
		return "ES|QL Rule"
	case "spl":
		return "Splunk Search Rule"
	case "sigma":
		return "Sigma Rule"
	case "kuery", "lucene":
		return "Custom Query Rule"
	case "eql":
		return "Event Correlation Rule"
	}
	return "Custom Rule"
}

// ruleType is Kibana's rule type: an Elastic rule's own (query,
// threshold, new_terms, eql, esql), else one for its language; languages
// Kibana does not run keep their own name.
func ruleType(r alert.RuleRef) string {
	switch r.Type {
	case "query", "threshold", "new_terms", "eql", "esql":
		return r.Type
	}
	switch r.Language {
	case "kuery", "lucene", "":
		return "query"
	}
	return r.Language
}

// ruleUUID returns the rule id when it already is a UUID (Elastic rule ids
// are) and otherwise a name-based UUID (version 5 layout) derived from it,
// so the same rule always has the same uuid.
func ruleUUID(id string) string {
	if isUUID(id) {
		return strings.ToLower(id)
	}
	sum := sha1.Sum([]byte("tripline-rule:" + id))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

func ts(t time.Time) string { return t.UTC().Format(isoMillis) }

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilThreat(t []alert.Threat) []alert.Threat {
	if t == nil {
		return []alert.Threat{}
	}
	return t
}
