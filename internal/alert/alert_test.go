package alert

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/rule"
)

func TestIDsDependOnContentOnly(t *testing.T) {
	g := Fields{{Name: "user", Value: event.StringValue("mallory")}, {Name: "src", Value: event.StringValue("203.0.113.9")}}
	start := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	a := GroupID("r1", g, start)
	if a != GroupID("r1", append(Fields(nil), g...), start) {
		t.Error("the same content gave two ids")
	}
	for name, other := range map[string]string{
		"another rule":    GroupID("r2", g, start),
		"another group":   GroupID("r1", Fields{{Name: "user", Value: event.StringValue("bob")}, g[1]}, start),
		"another episode": GroupID("r1", g, start.Add(time.Hour)),
	} {
		if other == a {
			t.Errorf("%s gave the same id", name)
		}
	}
	if GroupID("r1", Fields{{Name: "n", Value: event.LongValue(1)}}, start) == GroupID("r1", Fields{{Name: "n", Value: event.StringValue("1")}}, start) {
		t.Error("a number and a string with the same text gave the same id")
	}
	if EventID("r1", "e1") == EventID("r1", "e2") || EventID("r1", "e1") != EventID("r1", "e1") {
		t.Error("per-event ids are not content ids")
	}
}

func TestFieldsKeepOrderInJSON(t *testing.T) {
	fs := Fields{{Name: "z", Value: event.LongValue(1)}, {Name: "a", Value: event.StringValue("x&y")}, {Name: "m", Value: event.Value{}}}
	// Alerts are written by an encoder that leaves & alone (see WriteNDJSON).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fs); err != nil {
		t.Fatal(err)
	}
	b := bytes.TrimSpace(buf.Bytes())
	if string(b) != `{"z":1,"a":"x&y","m":null}` {
		t.Errorf("marshalled %s", b)
	}
	var back Fields
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 3 || back[0].Name != "z" || back[1].Value.String() != "x&y" || !back[2].Value.IsNull() {
		t.Errorf("round trip %+v", back)
	}
}

func TestDrilldownTokens(t *testing.T) {
	r := &rule.Rule{ID: "r", Name: "n", Query: "`cloudtrail` eventName=X | stats count by user",
		Drilldowns: []rule.Drilldown{{Name: `View "$user$"`, Search: `%original_detection_search% | search user = "$user$" $missing$`,
			EarliestOffset: "$info_min_time$", LatestOffset: "$info_max_time$"}}}
	a := &Alert{Window: Window{Start: time.Unix(1000, 0), End: time.Unix(4600, 0)},
		Group: Fields{{Name: "user", Value: event.StringValue("mallory")}}}
	d := Drilldowns(r, a)
	if len(d) != 1 {
		t.Fatalf("%d drilldowns", len(d))
	}
	want := Drilldown{Name: `View "mallory"`, Search: "`cloudtrail` eventName=X | stats count by user | search user = \"mallory\" $missing$",
		Earliest: "1000", Latest: "4600"}
	if d[0] != want {
		t.Errorf("drilldown %+v\nwant %+v", d[0], want)
	}
}

func TestTableAndLocation(t *testing.T) {
	a := &Alert{Rule: RuleRef{Name: "Rule", Severity: "high"}, Reason: "why", EventCount: 5,
		Group: Fields{{Name: "user", Value: event.StringValue("mallory")}},
		Evidence: []Evidence{{File: "ct.json.gz", Line: 1, Offset: 120, Raw: []byte(`{"eventName":"ListFoundationModels","userAgent":"a\u001b[2J"}`)},
			{File: "inv.json", Line: 7}, {File: "x", Offset: 9}, {File: "y", Line: 2}}}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []*Alert{a}, true, 0); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"user=mallory", "#1 why", "ct.json.gz:1 (byte 120)", `"eventName":"ListFoundationModels"`, "inv.json:7", "x (byte 9)", "and 2 more source events"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "y:2") {
		t.Error("more than three evidence lines shown")
	}
}

// On a terminal the table fits its width, however long the groups.
func TestTableFitsTheTerminal(t *testing.T) {
	var alerts []*Alert
	for i := 0; i < 3; i++ {
		alerts = append(alerts, &Alert{Rule: RuleRef{Name: "AWS Bedrock Burst of Invocations Without a Guardrail by a Normally Guarded Principal", Severity: "medium"},
			EventCount: 1234, Group: Fields{{Name: "user.id", Value: event.StringValue("arn:aws:sts::123456789012:assumed-role/bedrock-inference-role/someone@example.com")},
				{Name: "cloud.account.id", Value: event.StringValue("123456789012")}}})
	}
	for _, width := range []int{72, 100, 140} {
		var buf bytes.Buffer
		if err := WriteTable(&buf, alerts, false, width); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			if n := len([]rune(line)); n > width {
				t.Errorf("width %d: a line of %d: %q", width, n, line)
			}
		}
		if !strings.Contains(buf.String(), "1234") {
			t.Errorf("width %d: the event count was cut:\n%s", width, buf.String())
		}
	}
}
