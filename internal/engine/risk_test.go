package engine

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

// The Splunk seed's risk: the user object with its score, the source IP
// as a threat object, its analytic story and ATT&CK mapping; the Elastic
// seed's: the user entity with the rule's risk score.
func TestRiskEventsOfTheSeeds(t *testing.T) {
	var splunk, elastic *Compiled
	for _, c := range builtinRules(t) {
		switch c.Rule.ID {
		case splunkSeedID:
			splunk = c
		case esqlSeedID(t):
			elastic = c
		}
	}
	a := &alert.Alert{ID: "a1", Timestamp: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
		Row: alert.Fields{{Name: "user", Value: event.StringValue("mallory")}, {Name: "src", Value: event.StringValue("203.0.113.9")}, {Name: "count", Value: event.LongValue(12)}}}
	evs := RiskEvents(splunk.Rule, a)
	var user, threat int
	for _, e := range evs {
		switch {
		case e.Entity == "mallory" && !e.Threat:
			user++
			if e.Score != 50 || e.EntityType != "user" || len(e.Stories) == 0 || e.Stories[0] != "AWS Bedrock Security" || len(e.Techniques) == 0 {
				t.Errorf("user risk event %+v", e)
			}
		case e.Entity == "203.0.113.9" && e.Threat:
			threat++
		}
	}
	if user != 1 || threat != 1 {
		t.Errorf("splunk seed risk events %+v, want the user and the source IP", evs)
	}
	b := &alert.Alert{ID: "b1", Timestamp: a.Timestamp, Group: alert.Fields{{Name: "user.id", Value: event.StringValue("arn:aws:iam::1:user/x")}}}
	evs = RiskEvents(elastic.Rule, b)
	if len(evs) != 1 || evs[0].Entity != "arn:aws:iam::1:user/x" || evs[0].Score != 73 {
		t.Errorf("elastic seed risk events %+v, want the user with 73", evs)
	}
}
