package notify

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

// dig walks a decoded document along keys (object keys, or array indexes
// written as "0", "1", ...).
func dig(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				t.Fatalf("no key %q in %v", k, x)
			}
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				t.Fatalf("no index %s in %v", k, x)
			}
			v = x[i]
		default:
			t.Fatalf("cannot take %q of %v", k, v)
		}
	}
	return v
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestEncodeTriplineMatchesHunt(t *testing.T) {
	a := sampleAlert()
	var want bytes.Buffer
	if err := alert.WriteNDJSON(&want, []*alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"", FormatTripline} {
		got, err := Encode(format, a)
		if err != nil {
			t.Fatal(err)
		}
		if string(got)+"\n" != want.String() {
			t.Errorf("format %q:\n got %s\nwant %s", format, got, want.String())
		}
	}
}

func TestEncodeECS(t *testing.T) {
	a := sampleAlert()
	b, err := Encode(FormatECS, a)
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, b)
	for _, tc := range []struct{ key, want string }{
		{"@timestamp", "2026-11-21T02:30:00.000Z"},
		{"event.kind", "signal"},
		{"kibana.alert.uuid", a.ID},
		{"kibana.alert.rule.uuid", a.Rule.ID},
		{"kibana.alert.rule.rule_id", a.Rule.ID},
		{"kibana.alert.rule.name", a.Rule.Name},
		{"kibana.alert.rule.version", "3"},
		{"kibana.alert.rule.category", "ES|QL Rule"},
		{"kibana.alert.rule.type", "esql"},
		{"kibana.alert.rule.severity", "high"},
		{"kibana.alert.rule.risk_score", "73"},
		{"kibana.alert.rule.tags", `["Domain: LLM","Mitre Atlas: T0015"]`},
		{"kibana.alert.rule.note", a.Guide},
		{"kibana.alert.reason", a.Reason},
		{"kibana.alert.status", "active"},
		{"kibana.alert.workflow_status", "open"},
		{"kibana.alert.original_time", "2026-11-21T02:18:00.000Z"},
		{"kibana.alert.start", "2026-11-21T02:30:00.000Z"},
		{"kibana.alert.last_detected", "2026-11-21T03:10:00.000Z"},
		{"kibana.alert.severity", "high"},
		{"kibana.alert.risk_score", "73"},
		{"kibana.alert.suppression.docs_count", "1"},
		// The row's columns sit at the top level; an alert field keeps its name.
		{"total_denials", "6"},
		{"user.id", "arn:aws:sts::123456789012:assumed-role/dev/alice"},
		{"note", "<b>&</b>"},
	} {
		if got := str(dig(t, doc, tc.key)); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.key, got, tc.want)
		}
	}
	if got := str(dig(t, doc, "kibana.alert.rule.threat", "0", "tactic", "id")); got != "AML.TA0007" {
		t.Errorf("threat tactic = %s", got)
	}
	terms := dig(t, doc, "kibana.alert.suppression.terms").([]any)
	if len(terms) != 3 || str(dig(t, terms, "1", "field")) != "gen_ai.request.model.id" ||
		str(dig(t, terms, "1", "value")) != `["mistral.mistral-large-2402-v1:0"]` {
		t.Errorf("suppression terms = %v", terms)
	}
	if got := str(dig(t, doc, "kibana.alert.ancestors", "1", "id")); got != "logs/b.json:3" {
		t.Errorf("ancestor without event id = %s", got)
	}
}

func TestECSRuleUUID(t *testing.T) {
	tests := []struct{ id, want string }{
		{"17261DA3-A6D0-463C-AAC8-EA1718AFCD20", "17261da3-a6d0-463c-aac8-ea1718afcd20"},
		{"aws_bedrock_list_foundation_model_failures", ""},
	}
	for _, tc := range tests {
		got := ruleUUID(tc.id)
		if tc.want != "" && got != tc.want {
			t.Errorf("ruleUUID(%q) = %s, want %s", tc.id, got, tc.want)
		}
		if !isUUID(got) || got[14] != '5' && tc.want == "" {
			t.Errorf("ruleUUID(%q) = %s, not a version 5 UUID", tc.id, got)
		}
		if ruleUUID(tc.id) != got {
			t.Errorf("ruleUUID(%q) is not stable", tc.id)
		}
	}
}

func TestEncodeOCSF(t *testing.T) {
	a := sampleAlert()
	b, err := Encode(FormatOCSF, a)
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, b)
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"class_uid"}, "2004"},
		{[]string{"class_name"}, "Detection Finding"},
		{[]string{"category_uid"}, "2"},
		{[]string{"activity_id"}, "2"}, // Matches 2: an update
		{[]string{"type_uid"}, "200402"},
		{[]string{"type_name"}, "Detection Finding: Update"},
		{[]string{"severity_id"}, "4"},
		{[]string{"severity"}, "High"},
		{[]string{"status_id"}, "1"},
		{[]string{"time"}, ms(t0)},
		{[]string{"risk_score"}, "73"},
		{[]string{"count"}, "6"},
		{[]string{"message"}, a.Reason},
		{[]string{"finding_info", "uid"}, a.ID},
		{[]string{"finding_info", "title"}, a.Rule.Name},
		{[]string{"finding_info", "desc"}, a.Reason},
		{[]string{"finding_info", "types"}, `["TTPs/Defense Evasion"]`},
		{[]string{"finding_info", "created_time"}, ms(t0)},
		{[]string{"finding_info", "first_seen_time"}, ms(a.FirstSeen)},
		{[]string{"finding_info", "last_seen_time"}, ms(a.LastSeen)},
		{[]string{"finding_info", "analytic", "uid"}, a.Rule.ID},
		{[]string{"finding_info", "analytic", "name"}, a.Rule.Name},
		{[]string{"finding_info", "analytic", "type_id"}, "1"},
		{[]string{"finding_info", "analytic", "category"}, "ES|QL Rule"},
		{[]string{"finding_info", "attacks", "0", "tactic", "uid"}, "AML.TA0007"},
		{[]string{"finding_info", "attacks", "0", "technique", "uid"}, "AML.T0015"},
		{[]string{"finding_info", "attacks", "1", "sub_technique", "uid"}, "T1078.004"},
		{[]string{"finding_info", "attacks", "1", "version"}, attackVersion},
		{[]string{"metadata", "product", "name"}, "tripline"},
		{[]string{"metadata", "product", "vendor_name"}, "tripline"},
		{[]string{"metadata", "version"}, "1.1.0"},
		{[]string{"observables", "0", "name"}, "unmapped.user.id"},
		{[]string{"observables", "0", "type_id"}, "4"},
		{[]string{"observables", "1", "type_id"}, "10"},
		{[]string{"observables", "2", "type_id"}, "2"},
		{[]string{"observables", "2", "value"}, "198.51.100.7"},
		{[]string{"evidences", "0", "uid"}, "5cc0b280"},
		{[]string{"evidences", "1", "data", "line"}, "3"},
		{[]string{"unmapped", "total_denials"}, "6"},
		{[]string{"unmapped", "source.ip"}, "198.51.100.7"},
	} {
		if got := str(dig(t, doc, tc.path...)); got != tc.want {
			t.Errorf("%s = %s, want %s", strings.Join(tc.path, "."), got, tc.want)
		}
	}
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func TestOCSFActivityAndStatus(t *testing.T) {
	tests := []struct {
		matches            int
		status             string
		activity, statusID int
		typeUID            int
		severity           string
		severityID         int
	}{
		{1, "open", 1, 1, 200401, "low", 2},
		{3, "acknowledged", 2, 2, 200402, "medium", 3},
		{3, "closed", 3, 4, 200403, "critical", 5},
		{1, "", 1, 1, 200401, "weird", 0},
	}
	for _, tc := range tests {
		a := sampleAlert()
		a.Matches, a.Status, a.Rule.Severity = tc.matches, tc.status, tc.severity
		f := ocsfFinding(a)
		if f.ActivityID != tc.activity || f.StatusID != tc.statusID || f.TypeUID != tc.typeUID || f.SeverityID != tc.severityID {
			t.Errorf("matches %d status %q severity %q: activity %d status %d type %d severity %d", tc.matches, tc.status,
				tc.severity, f.ActivityID, f.StatusID, f.TypeUID, f.SeverityID)
		}
	}
}

func TestObservableType(t *testing.T) {
	tests := []struct {
		name string
		v    event.Value
		want int
	}{
		{"source.ip", event.StringValue("1.2.3.4"), 2},
		{"src", event.StringValue("1.2.3.4"), 2},
		{"anything", event.IPValue("1.2.3.4"), 2},
		{"user.name", event.StringValue("alice"), 4},
		{"user_name", event.StringValue("alice"), 4},
		{"userIdentity.arn", event.StringValue("arn:aws:iam::1:user/a"), 4},
		{"user_agent.original", event.StringValue("boto3"), 16},
		{"userAgent", event.StringValue("boto3"), 16},
		{"cloud.account.id", event.StringValue("123"), 10},
		{"requestParameters.modelId", event.StringValue("m"), 10},
		{"total_denials", event.LongValue(3), 99},
	}
	for _, tc := range tests {
		if got, _ := observableType(tc.name, tc.v); got != tc.want {
			t.Errorf("observableType(%s) = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestEncodeMultiValueGroup(t *testing.T) {
	a := sampleAlert()
	a.Group = alert.Fields{{Name: "src", Value: event.MultiValue([]event.Value{event.StringValue("1.1.1.1"), event.StringValue("2.2.2.2")})}}
	f := ocsfFinding(a)
	if len(f.Observables) != 2 || f.Observables[1].Value != "2.2.2.2" {
		t.Errorf("observables = %+v", f.Observables)
	}
	doc := ecsDocument(a)
	terms := doc["kibana.alert.suppression.terms"].([]map[string]any)
	if !reflect.DeepEqual(terms[0]["value"], []string{"1.1.1.1", "2.2.2.2"}) {
		t.Errorf("terms = %v", terms)
	}
}

func TestEncodeUnknownFormat(t *testing.T) {
	if _, err := Encode("cef", sampleAlert()); err == nil || !strings.Contains(err.Error(), `unknown format "cef"`) {
		t.Errorf("err = %v", err)
	}
}

// FuzzEncode feeds arbitrary field names and values through every format;
// each must give valid JSON.
func FuzzEncode(f *testing.F) {
	f.Add("user.name", "alice", "high", 2)
	f.Add("kibana.alert.uuid", "\x00<>&\"", "", 1)
	f.Add("@timestamp", "\xff\xfe", "CRITICAL", 0)
	f.Fuzz(func(t *testing.T, name, value, severity string, matches int) {
		a := sampleAlert()
		a.Rule.Severity, a.Matches = severity, matches
		a.Group = append(a.Group, alert.Field{Name: name, Value: event.StringValue(value)})
		a.Row = append(a.Row, alert.Field{Name: name, Value: event.StringValue(value)})
		for _, format := range Formats {
			b, err := Encode(format, a)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) {
				t.Fatalf("%s: invalid JSON %s", format, b)
			}
		}
	})
}

// Threshold and new terms alerts carry their result as Kibana writes it:
// kibana.alert.threshold_result (terms, count, from, cardinality) and
// kibana.alert.new_terms, under the rule's own type.
func TestECSThresholdAndNewTerms(t *testing.T) {
	a := sampleAlert()
	a.Rule.Language, a.Rule.Type = "kuery", "threshold"
	a.Group = alert.Fields{{Name: "source.ip", Value: event.IPValue("198.51.100.7")}}
	a.Row = alert.Fields{
		{Name: "source.ip", Value: event.IPValue("198.51.100.7")},
		{Name: "threshold_result.count", Value: event.LongValue(25)},
		{Name: "threshold_result.from", Value: event.TimeValue(t0.Add(-time.Hour))},
		{Name: "threshold_result.cardinality.user.name", Value: event.LongValue(4)},
	}
	b, err := Encode(FormatECS, a)
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, b)
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"kibana.alert.rule.type"}, "threshold"},
		{[]string{"kibana.alert.threshold_result", "terms", "0", "field"}, "source.ip"},
		{[]string{"kibana.alert.threshold_result", "terms", "0", "value"}, "198.51.100.7"},
		{[]string{"kibana.alert.threshold_result", "count"}, "25"},
		{[]string{"kibana.alert.threshold_result", "cardinality", "0", "field"}, "user.name"},
		{[]string{"kibana.alert.threshold_result", "cardinality", "0", "value"}, "4"},
	} {
		if got := str(dig(t, doc, tc.keys...)); got != tc.want {
			t.Errorf("%v = %s, want %s", tc.keys, got, tc.want)
		}
	}
	if _, ok := doc["threshold_result.count"]; ok {
		t.Error("the threshold result is also written at the top level")
	}

	a.Rule.Type = "new_terms"
	a.Group = alert.Fields{{Name: "cloud.region", Value: event.StringValue("ap-southeast-3")}, {Name: "user.name", Value: event.StringValue("alice")}}
	a.Row = nil
	b, _ = Encode(FormatECS, a)
	doc = decode(t, b)
	if got := str(doc["kibana.alert.new_terms"]); got != `["ap-southeast-3","alice"]` {
		t.Errorf("new terms %s", got)
	}
	if got := str(doc["kibana.alert.rule.type"]); got != "new_terms" {
		t.Errorf("rule type %s", got)
	}
}
