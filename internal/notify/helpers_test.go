package notify

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fast is a Delivery for tests: short timeouts and backoffs, no logs.
func fast() Delivery {
	return Delivery{
		QueueSize: 16, Timeout: 2 * time.Second, MaxRetries: 3,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		MaxRetryAfter: 3 * time.Second, DrainTimeout: 3 * time.Second, Logger: quiet,
	}
}

var t0 = time.Date(2026, 11, 21, 2, 30, 0, 0, time.UTC)

// sampleAlert is an aggregating ES|QL alert shaped like the seed rule's.
func sampleAlert() *alert.Alert {
	user := event.StringValue("arn:aws:sts::123456789012:assumed-role/dev/alice")
	model := event.StringValue("mistral.mistral-large-2402-v1:0")
	return &alert.Alert{
		ID: "e70fccd32a9a0884777eaf592a61f7a4",
		Rule: alert.RuleRef{
			ID: "17261da3-a6d0-463c-aac8-ea1718afcd20", Name: "AWS Bedrock Detected Multiple Attempts to use Denied Models by a Single User",
			Version: 3, Language: "esql", Severity: "high", RiskScore: 73,
			Tags: []string{"Domain: LLM", "Mitre Atlas: T0015"},
			Threat: []alert.Threat{{
				Framework: "MITRE ATLAS",
				Tactic:    alert.Ref{ID: "AML.TA0007", Name: "Defense Evasion", Reference: "https://atlas.mitre.org/tactics/AML.TA0007"},
				Technique: []alert.Technique{{Ref: alert.Ref{ID: "AML.T0015", Name: "Evade AI Model"}}},
			}, {
				Framework: "MITRE ATT&CK",
				Tactic:    alert.Ref{ID: "TA0005", Name: "Defense Evasion"},
				Technique: []alert.Technique{{Ref: alert.Ref{ID: "T1078", Name: "Valid Accounts"},
					Subtechnique: []alert.Ref{{ID: "T1078.004", Name: "Cloud Accounts"}}}},
			}},
		},
		Timestamp: t0,
		Window:    alert.Window{Start: t0.Add(-time.Hour), End: t0.Add(40 * time.Minute)},
		Group: alert.Fields{
			{Name: "user.id", Value: user},
			{Name: "gen_ai.request.model.id", Value: model},
			{Name: "source.ip", Value: event.IPValue("198.51.100.7")},
		},
		Row: alert.Fields{
			{Name: "total_denials", Value: event.LongValue(6)},
			{Name: "user.id", Value: user},
			{Name: "gen_ai.request.model.id", Value: model},
			{Name: "@timestamp", Value: event.StringValue("row timestamp must not win")},
			{Name: "note", Value: event.StringValue("<b>&</b>")},
		},
		FirstSeen:  t0.Add(-12 * time.Minute),
		LastSeen:   t0.Add(-21 * time.Second),
		EventCount: 6,
		Evidence: []alert.Evidence{
			{File: "logs/a.json.gz", Line: 60, Offset: 78794, EventID: "5cc0b280", Time: t0.Add(-12 * time.Minute)},
			{File: "logs/b.json", Line: 3, Offset: 900, Time: t0.Add(-1 * time.Minute)},
		},
		Reason:     "AWS Bedrock Detected Multiple Attempts to use Denied Models by a Single User: total_denials=6 for user.id=arn:aws:sts::123456789012:assumed-role/dev/alice",
		Guide:      "## Triage\nLook at the user.",
		Drilldowns: []alert.Drilldown{{Name: "View the detection results", Search: `index=* user="alice" | stats count by model`, Earliest: "-7d", Latest: "now"}},
		Matches:    2,
		Status:     "open",
	}
}

// withRule returns a copy of the sample alert for another rule and severity.
func withRule(id, severity string) *alert.Alert {
	a := sampleAlert()
	a.Rule.ID, a.Rule.Name, a.Rule.Severity = id, "rule "+id, severity
	return a
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
