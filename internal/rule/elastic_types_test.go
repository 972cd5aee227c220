package rule

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Threshold and new_terms rules load from detection-rules TOML and from a
// Kibana export, with their own keys read into the rule.
func TestElasticThresholdAndNewTerms(t *testing.T) {
	const thresholdTOML = `[metadata]
maturity = "production"

[rule]
rule_id = "th-1"
name = "Root brute force"
description = "d"
type = "threshold"
language = "kuery"
index = ["logs-aws.cloudtrail-*"]
from = "now-6m"
severity = "medium"
risk_score = 47
query = 'event.action:ConsoleLogin and event.outcome:failure'

[rule.threshold]
field = ["cloud.account.id", "source.ip"]
value = 10
[[rule.threshold.cardinality]]
field = "user.name"
value = 3
`
	const newTermsTOML = `[metadata]
maturity = "production"

[rule]
rule_id = "nt-1"
name = "First-time caller"
description = "d"
type = "new_terms"
language = "kuery"
index = ["logs-aws.cloudtrail-*"]
from = "now-9m"
severity = "low"
risk_score = 21
query = 'event.action:GetCallerIdentity'

[rule.new_terms]
field = "new_terms_fields"
value = ["cloud.account.id", "user.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-10d"
`
	const export = `{"rule_id":"th-2","name":"t","description":"d","type":"threshold","language":"kuery","query":"event.action:X","index":["logs-*"],"threshold":{"field":"user.id","value":5},"risk_score":21,"severity":"low","version":1}
{"rule_id":"nt-2","name":"n","description":"d","type":"new_terms","language":"kuery","query":"event.action:X","index":["logs-*"],"new_terms_fields":["user.id"],"history_window_start":"now-7d","risk_score":21,"severity":"low","version":1}
{"rule_id":"th-3","name":"t","description":"d","type":"threshold","language":"lucene","query":"event.action:X","index":["logs-*"],"threshold":{"field":[],"value":5},"risk_score":21,"severity":"low","version":1}
`
	fsys := fstest.MapFS{
		"r/th.toml":      {Data: []byte(thresholdTOML)},
		"r/nt.toml":      {Data: []byte(newTermsTOML)},
		"r/rules.ndjson": {Data: []byte(export)},
	}
	rules, probs := LoadFS(fsys, "r")
	for _, p := range probs {
		t.Errorf("unexpected problem: %s", p)
	}
	byID := map[string]*Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	want := map[string]*Threshold{
		"th-1": {Fields: []string{"cloud.account.id", "source.ip"}, Value: 10, Cardinality: []Cardinality{{"user.name", 3}}},
		"th-2": {Fields: []string{"user.id"}, Value: 5},
	}
	for id, th := range want {
		r := byID[id]
		if r == nil || !r.Runnable() || !reflect.DeepEqual(r.Threshold, th) {
			t.Errorf("%s: %+v, want a runnable rule with threshold %+v", id, r, th)
		}
	}
	wantNT := map[string]*NewTerms{
		"nt-1": {Fields: []string{"cloud.account.id", "user.name"}, History: 10 * 24 * time.Hour},
		"nt-2": {Fields: []string{"user.id"}, History: 7 * 24 * time.Hour},
	}
	for id, nt := range wantNT {
		r := byID[id]
		if r == nil || !r.Runnable() || !reflect.DeepEqual(r.NewTerms, nt) {
			t.Errorf("%s: %+v, want a runnable rule with new terms %+v", id, r, nt)
		}
		if r != nil && r.Extra["new_terms_fields"] != nil {
			t.Errorf("%s: new_terms_fields left in Extra", id)
		}
	}
	if r := byID["th-3"]; r == nil || r.Runnable() || !strings.Contains(r.Skip, "threshold rules in Lucene syntax") {
		t.Errorf("th-3: want skipped for Lucene, got %+v", r)
	}
}

// The limits Kibana puts on the two rule types are checked when a rule loads.
func TestElasticTypeLimits(t *testing.T) {
	base := func() *Rule {
		return &Rule{ID: "x", Name: "x", Language: LangKQL, Query: "a:b", Interval: 5 * time.Minute,
			LookBack: 6 * time.Minute, Severity: "low"}
	}
	tests := []struct {
		name string
		set  func(*Rule)
		want string
	}{
		{"six group fields", func(r *Rule) { r.Threshold = &Threshold{Fields: strings.Split("a,b,c,d,e,f", ","), Value: 1} }, "at most 5"},
		{"zero threshold", func(r *Rule) { r.Threshold = &Threshold{Value: 0} }, "at least 1"},
		{"four new terms fields", func(r *Rule) { r.NewTerms = &NewTerms{Fields: []string{"a", "b", "c", "d"}, History: time.Hour} }, "want 1 to 3"},
		{"history inside the window", func(r *Rule) { r.NewTerms = &NewTerms{Fields: []string{"a"}, History: 5 * time.Minute} }, "must be earlier"},
	}
	for _, tt := range tests {
		r := base()
		tt.set(r)
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	r := base()
	r.NewTerms = &NewTerms{Fields: []string{"a", "b", "c"}, History: 24 * time.Hour}
	if err := r.Validate(); err != nil {
		t.Errorf("valid new terms rule: %v", err)
	}
}
