package generate

import (
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

func TestCompareMatchesOneToOne(t *testing.T) {
	mk := func(rule, user string, n int64) *alert.Alert {
		return &alert.Alert{Rule: alert.RuleRef{ID: rule}, Group: alert.Fields{
			{Name: "user.id", Value: event.StringValue(user)}, {Name: "calls", Value: event.LongValue(n)}}}
	}
	alerts := []*alert.Alert{mk("r1", "ann", 3), mk("r1", "ann", 3), mk("r2", "bob", 7)}
	want := []Expected{
		{Rule: "r1", Group: map[string]any{"user.id": "ann"}},
		{Rule: "r2", Group: map[string]any{"user.id": "bob", "calls": 7}},
		{Rule: "r2", Group: map[string]any{"user.id": "carl"}},
	}
	missing, extra := Compare(alerts, want)
	if len(missing) != 1 || missing[0].Group["user.id"] != "carl" {
		t.Errorf("missing = %v, want carl's alone", missing)
	}
	// One expectation takes one alert: the second alert for ann is extra.
	if len(extra) != 1 || extra[0] != alerts[1] {
		t.Errorf("extra = %v, want ann's second alert", extra)
	}
	if (Expected{Rule: "r2", Group: map[string]any{"calls": "7"}}).Matches(alerts[2]) != true {
		t.Error("a number given as text should match")
	}
	if (Expected{Rule: "r2", Group: map[string]any{"region": "x"}}).Matches(alerts[2]) {
		t.Error("a group value the alert lacks should not match")
	}
}
