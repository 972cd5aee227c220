package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/store"
)

var riskNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// riskFixture holds risk events of two users from three rules: Alice has
// one event from each rule, the last of them older than seven days; Bob
// has one, with a threat object beside it.
func riskFixture() []store.RiskEvent {
	ev := func(ago time.Duration, entity, rule, alertID string, tactics, techniques []string) store.RiskEvent {
		return store.RiskEvent{Time: riskNow.Add(-ago), Entity: entity, EntityType: "user", Score: 50,
			AlertID: alertID, RuleID: "id-" + rule, RuleName: rule, Message: rule + " for " + entity,
			Tactics: tactics, Techniques: techniques, Stories: []string{"AWS Bedrock Security"}}
	}
	threat := ev(3*time.Hour, "203.0.113.9", "Model Discovery", "a4", nil, nil)
	threat.Threat, threat.EntityType, threat.Score = true, "ip_address", 0
	return []store.RiskEvent{
		ev(200*time.Hour, "Alice", "Old Rule", "a0", []string{"TA0001"}, []string{"T1078"}),
		ev(30*time.Hour, "Alice", "List Failures", "a1", []string{"TA0043"}, []string{"T1595"}),
		ev(2*time.Hour, "Alice", "Model Discovery", "a2", []string{"TA0007", "AML.TA9999"}, []string{"T1580"}),
		ev(3*time.Hour, "bob", "Model Discovery", "a4", []string{"TA0007"}, []string{"T1580"}),
		threat,
	}
}

func TestRiskRecordsFields(t *testing.T) {
	data := RiskRecords(riskFixture())
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d records, want 4 (the threat object rides on bob's record):\n%s", len(lines), data)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"_time": float64(riskNow.Add(-2 * time.Hour).Unix()), "normalized_risk_object": "alice",
		"risk_object": "Alice", "risk_object_type": "user", "risk_score": float64(50), "calculated_risk_score": float64(50),
		"search_name": "Model Discovery", "source": "Model Discovery", "risk_message": "Model Discovery for Alice",
		"analyticstories": []any{"AWS Bedrock Security"}, "alert_id": "a2", "rule_id": "id-Model Discovery",
		"annotations": map[string]any{
			"_all": []any{"AML.TA9999", "AWS Bedrock Security", "Discovery", "T1580"},
			"mitre_attack": map[string]any{"mitre_tactic": []any{"Discovery", "AML.TA9999"},
				"mitre_tactic_id": []any{"TA0007", "AML.TA9999"}, "mitre_technique_id": []any{"T1580"}},
		},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("record:\n%v\nwant:\n%v", m, want)
	}
	if !strings.Contains(lines[3], `"threat_object":["203.0.113.9"],"threat_object_type":["ip_address"]`) {
		t.Errorf("bob's record lacks the threat object: %s", lines[3])
	}

	// The records read back as risk events whose fields the Risk view names.
	var got []map[string]string
	_, err := logs.ReadStream(context.Background(), "risk", bytes.NewReader(data), logs.StreamStart{}, logs.Options{},
		func(_ int, ev *event.Event) error {
			if ev.LogType != event.Risk {
				t.Errorf("log type %v, want risk", ev.LogType)
			}
			row := map[string]string{}
			for _, f := range []string{"_time", "normalized_risk_object", "annotations.mitre_attack.mitre_tactic",
				"All_Risk.search_name", "annotations._all", "threat_object", "index"} {
				g, known := schema.Resolve(schema.Raw, event.Risk, f)
				if !known {
					t.Errorf("field %s is not known to the risk view", f)
				}
				row[f] = g(ev).String()
			}
			got = append(got, row)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("read %d records, want 4", len(got))
	}
	wantRow := map[string]string{"_time": strconv.FormatInt(riskNow.Add(-2*time.Hour).Unix(), 10), "normalized_risk_object": "alice",
		"annotations.mitre_attack.mitre_tactic": "Discovery,AML.TA9999", "All_Risk.search_name": "Model Discovery",
		"annotations._all": "AML.TA9999,AWS Bedrock Security,Discovery,T1580", "threat_object": "", "index": "risk"}
	if !reflect.DeepEqual(got[2], wantRow) {
		t.Errorf("fields of the third record:\n%v\nwant:\n%v", got[2], wantRow)
	}
}

// seedRiskDrilldown is the second drilldown of the built-in Splunk seed rule
// with its tokens filled for the user alice (as Alice: values match without
// case).
func seedRiskDrilldown(t *testing.T, user string) alert.Drilldown {
	t.Helper()
	for _, c := range builtinRules(t) {
		if c.Rule.ID != splunkSeedID {
			continue
		}
		a := &alert.Alert{Row: alert.Fields{{Name: "user", Value: event.StringValue(user)}},
			Window: alert.Window{Start: riskNow.Add(-70 * time.Minute), End: riskNow.Add(-10 * time.Minute)}}
		dds := alert.Drilldowns(c.Rule, a)
		if len(dds) != 2 {
			t.Fatalf("seed rule has %d drilldowns, want 2", len(dds))
		}
		return dds[1]
	}
	t.Fatal("the Splunk seed is not in the built-in pack")
	return alert.Drilldown{}
}

func openRiskStore(t *testing.T, events []store.RiskEvent) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "tripline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.AddRisk(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRunRiskSearch(t *testing.T) {
	st := openRiskStore(t, riskFixture())
	dd := seedRiskDrilldown(t, "Alice")
	if !strings.HasPrefix(dd.Search, `| from datamodel Risk.All_Risk | search normalized_risk_object IN ("Alice") starthoursago=168 | stats`) {
		t.Fatalf("drilldown search not filled as expected: %s", dd.Search)
	}
	if !IsRiskSearch(dd.Search) {
		t.Fatal("IsRiskSearch = false for the seed's risk drilldown")
	}
	cases := []struct {
		name   string
		search string
		want   string // rows as NDJSON
	}{
		{name: "seed drilldown", search: dd.Search,
			want: `{"normalized_risk_object":"alice","count":2,"firstTime":"2026-11-27T06:00:00","lastTime":"2026-11-28T10:00:00",` +
				`"Search Name":["List Failures","Model Discovery"],"Risk Message":["List Failures for Alice","Model Discovery for Alice"],` +
				`"Analytic Stories":"AWS Bedrock Security","Annotations":["AML.TA9999","AWS Bedrock Security","Discovery","Reconnaissance","T1580","T1595"],` +
				`"ATT&CK Tactics":["AML.TA9999","Discovery","Reconnaissance"]}`},
		{name: "all time",
			search: `| from datamodel Risk.All_Risk | search normalized_risk_object IN ("alice") | stats count sum(risk_score) as total by normalized_risk_object`,
			want:   `{"normalized_risk_object":"alice","count":3,"total":150}`},
		{name: "datamodel command with dataset prefix and earliest",
			search: `| datamodel Risk All_Risk search | search All_Risk.risk_object=bob earliest=-1d | stats count values(threat_object) as threats by All_Risk.risk_object`,
			want:   `{"All_Risk.risk_object":"bob","count":1,"threats":"203.0.113.9"}`},
		{name: "endhoursago", search: `| from datamodel Risk.All_Risk | search endhoursago=24 | stats count`,
			want: `{"count":2}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := RunRiskSearch(context.Background(), st, tc.search, riskNow)
			if err != nil {
				t.Fatalf("%s: %s", tc.search, ErrorDetail(err))
			}
			if got := strings.TrimSpace(ndjson(rows)); got != tc.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestRunRiskSearchRejects(t *testing.T) {
	st := openRiskStore(t, nil)
	if _, err := RunRiskSearch(context.Background(), st, "`cloudtrail` | stats count", riskNow); err != ErrNotRiskSearch {
		t.Errorf("raw log search: err %v, want ErrNotRiskSearch", err)
	}
	if IsRiskSearch("`cloudtrail` | search user = \"alice\"") {
		t.Error("IsRiskSearch = true for a raw log search")
	}
	if _, err := RunRiskSearch(context.Background(), st, "| from datamodel Risk.All_Risk | search starthoursago=x", riskNow); err == nil {
		t.Error("a bad starthoursago parsed")
	}
}

func TestTimeBounds(t *testing.T) {
	cases := []struct {
		search       string
		since, until time.Time
	}{
		{"| from datamodel Risk | search starthoursago=168", riskNow.Add(-168 * time.Hour), time.Time{}},
		{"| from datamodel Risk | search earliest=1764000000 latest=1764000000.5", time.Unix(1764000000, 0), time.Unix(1764000001, 0)},
		{"| from datamodel Risk | search earliest=-1d@d", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Time{}},
		{"| from datamodel Risk | eval _time = 0 | search starthoursago=1", time.Time{}, time.Time{}},
		{"| from datamodel Risk | search x=1 | search startdaysago=1 OR y=2", time.Time{}, time.Time{}},
	}
	for _, tc := range cases {
		q, err := ParseQuery("spl", tc.search, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.search, err)
		}
		since, until := timeBounds(bindNow(q, riskNow), riskNow)
		if !since.Equal(tc.since) || !until.Equal(tc.until) {
			t.Errorf("%s: bounds [%v, %v), want [%v, %v)", tc.search, since, until, tc.since, tc.until)
		}
	}
}

func ndjson(rows []exec.Result) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteByte('{')
		for i, c := range r.Columns {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(c))
			b.WriteByte(':')
			b.Write(r.Values[i].AppendJSON(nil))
		}
		b.WriteString("}\n")
	}
	return b.String()
}
