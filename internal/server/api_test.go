package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/store"
)

func TestListAlerts(t *testing.T) {
	tests := []struct {
		query string
		want  []string // ids, newest first
	}{
		{"", []string{"a1", "a2", "a3"}},
		{"?since=24h", []string{"a1"}},
		{"?since=2d", []string{"a1", "a2"}},
		{"?since=1d12h", []string{"a1", "a2"}},
		{"?until=24h", []string{"a2", "a3"}},
		{"?since=2025-03-09T00:00:00Z&until=2025-03-10T09:00:00Z", []string{"a2"}},
		{"?since=2025-03-01T00:00:00Z&until=2025-03-01T09:00:00Z", []string{}},
		{"?since=2025-03-09", []string{"a1", "a2"}},
		{"?severity=high", []string{"a2", "a3"}},
		{"?severity=CRITICAL", []string{"a3"}},
		{"?rule=r-jack", []string{"a2", "a3"}},
		{"?rule=r-jack&since=7d", []string{"a2"}},
		{"?status=open", []string{"a1", "a2", "a3"}},
		{"?status=closed", []string{}},
		{"?limit=2", []string{"a1", "a2"}},
		{"?limit=0", []string{"a1", "a2", "a3"}},
	}
	s := newTest(t, Options{Store: fixture()})
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := do(t, s.Handler(), "GET", "/api/v1/alerts"+tc.query, nil)
			if r.code != 200 {
				t.Fatalf("%d %s", r.code, r.body)
			}
			var got struct {
				Alerts []json.RawMessage `json:"alerts"`
			}
			r.json(t, &got)
			if got.Alerts == nil {
				t.Fatalf("alerts is not a list: %s", r.body)
			}
			var ids []string
			for _, raw := range got.Alerts {
				var a alert.Alert
				if err := json.Unmarshal(raw, &a); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", ids, tc.want)
			}
		})
	}
}

func TestListAlertsFilterPassed(t *testing.T) {
	st := fixture()
	s := newTest(t, Options{Store: st})
	r := do(t, s.Handler(), "GET", "/api/v1/alerts?since=24h&until=2025-03-10T11:30:00%2B01:00&severity=Medium&rule=r1&status=acknowledged&limit=5", nil)
	if r.code != 200 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	want := store.Filter{Since: testNow.Add(-24 * time.Hour), Severity: "medium", RuleID: "r1", Status: "acknowledged", Limit: 5}
	f := st.lastFilter
	if !f.Since.Equal(want.Since) || !f.Until.Equal(time.Date(2025, 3, 10, 10, 30, 0, 0, time.UTC)) ||
		f.Severity != want.Severity || f.RuleID != want.RuleID || f.Status != want.Status || f.Limit != want.Limit {
		t.Errorf("filter %+v", f)
	}
}

// TestAlertJSONExact checks that the list carries each alert exactly as
// tripline writes it (hunt --format ndjson).
func TestAlertJSONExact(t *testing.T) {
	a := testAlert("a1", "r", "high", testNow)
	a.Status = "open"
	s := newTest(t, Options{Store: newMemStore(a)})
	r := do(t, s.Handler(), "GET", "/api/v1/alerts", nil)
	var ndjson bytes.Buffer
	if err := alert.WriteNDJSON(&ndjson, []*alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	want := `{"alerts":[` + strings.TrimSpace(ndjson.String()) + "]}\n"
	if string(r.body) != want {
		t.Errorf("got\n%s\nwant\n%s", r.body, want)
	}
}

func TestListAlertsBadParameters(t *testing.T) {
	tests := []struct{ query, param string }{
		{"?since=yesterday", "since"},
		{"?since=-5h", "since"},
		{"?since=5x", "since"},
		{"?until=2025-13-01", "until"},
		{"?since=1h&until=2h", "until"}, // until before since
		{"?severity=urgent", "severity"},
		{"?status=done", "status"},
		{"?limit=-1", "limit"},
		{"?limit=ten", "limit"},
	}
	st := fixture()
	s := newTest(t, Options{Store: st})
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := do(t, s.Handler(), "GET", "/api/v1/alerts"+tc.query, nil)
			if r.code != 400 {
				t.Fatalf("%d, want 400: %s", r.code, r.body)
			}
			if msg := r.errMsg(t); !strings.Contains(msg, "parameter "+tc.param) {
				t.Errorf("error %q does not name %s", msg, tc.param)
			}
		})
	}
}

func TestStoreFailures(t *testing.T) {
	st := fixture()
	st.failList = errors.New("disk on fire")
	s := newTest(t, Options{Store: st})
	r := do(t, s.Handler(), "GET", "/api/v1/alerts", nil)
	if r.code != 500 || !strings.Contains(r.errMsg(t), "cannot list alerts: disk on fire") {
		t.Errorf("%d %s", r.code, r.body)
	}
	noStore := newTest(t, Options{})
	for _, p := range []string{"/api/v1/alerts", "/api/v1/alerts/x", "/api/v1/risk", "/api/v1/risk/events"} {
		if r := do(t, noStore.Handler(), "GET", p, nil); r.code != 503 {
			t.Errorf("%s without store: %d", p, r.code)
		}
	}
}

func TestGetAlert(t *testing.T) {
	s := newTest(t, Options{Store: fixture()})
	r := do(t, s.Handler(), "GET", "/api/v1/alerts/a2", nil)
	if r.code != 200 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	var d struct {
		Alert   alert.Alert          `json:"alert"`
		History []store.StatusChange `json:"history"`
	}
	r.json(t, &d)
	if d.Alert.ID != "a2" || d.Alert.Rule.ID != "r-jack" || d.History == nil || len(d.History) != 0 {
		t.Errorf("got %+v", d)
	}
	r = do(t, s.Handler(), "GET", "/api/v1/alerts/nope", nil)
	if r.code != 404 || !strings.Contains(r.errMsg(t), "nope") {
		t.Errorf("unknown id: %d %s", r.code, r.body)
	}
}

func TestStatusFlow(t *testing.T) {
	st := fixture()
	s := newTest(t, Options{Store: st})
	h := s.Handler()
	steps := []struct {
		method, id, body string
		want             int
		status           string // the alert's status after the step
		history          int
	}{
		{"PATCH", "a1", `{"status":"acknowledged","by":"ana","note":"looking"}`, 200, "acknowledged", 1},
		{"POST", "a1", `{"status":"Closed","by":"ana"}`, 200, "closed", 2},
		{"PATCH", "a1", `{"status":"open"}`, 200, "open", 3},
		{"PATCH", "a1", `{"status":"resolved"}`, 400, "open", 3},
		{"PATCH", "a1", `{"status":""}`, 400, "open", 3},
		{"PATCH", "a1", `{"status":"closed","who":"x"}`, 400, "open", 3},
		{"PATCH", "a1", `{"status":`, 400, "open", 3},
		{"PATCH", "a1", `{"status":"closed"} {"status":"open"}`, 400, "open", 3},
		{"PATCH", "a1", `{"status":"closed","note":"` + strings.Repeat("x", maxStatusBody) + `"}`, 413, "open", 3},
		{"PATCH", "zz", `{"status":"closed"}`, 404, "", 0},
	}
	for i, step := range steps {
		r := do(t, h, step.method, "/api/v1/alerts/"+step.id+"/status", strings.NewReader(step.body),
			"Content-Type", "application/json")
		if r.code != step.want {
			t.Fatalf("step %d: %d, want %d: %s", i, r.code, step.want, r.body)
		}
		if step.want == 200 {
			var d struct {
				Alert   alert.Alert          `json:"alert"`
				History []store.StatusChange `json:"history"`
			}
			r.json(t, &d)
			if d.Alert.Status != step.status || len(d.History) != step.history {
				t.Errorf("step %d: status %q history %d", i, d.Alert.Status, len(d.History))
			}
		}
		if step.id == "a1" {
			a, hist, _ := st.Get(t.Context(), "a1")
			if a.Status != step.status || len(hist) != step.history {
				t.Errorf("step %d: stored status %q history %d, want %q %d", i, a.Status, len(hist), step.status, step.history)
			}
		}
	}
	_, hist, _ := st.Get(t.Context(), "a1")
	first := hist[0]
	if first.By != "ana" || first.Note != "looking" || !first.At.Equal(testNow) || hist[2].By != "api" {
		t.Errorf("history %+v", hist)
	}
}

func TestRisk(t *testing.T) {
	st := fixture()
	_ = st.AddRisk(t.Context(), []store.RiskEvent{
		{Time: testNow.Add(-time.Hour), Entity: "alice", EntityType: "user", Score: 50, AlertID: "a1"},
		{Time: testNow.Add(-2 * time.Hour), Entity: "bob", EntityType: "user", Score: 80, AlertID: "a2"},
		{Time: testNow.Add(-3 * 24 * time.Hour), Entity: "alice", EntityType: "user", Score: 60, AlertID: "a3"},
		{Time: testNow.Add(-time.Hour), Entity: "203.0.113.9", EntityType: "ip_address", Score: 50, Threat: true, AlertID: "a1"},
	})
	s := newTest(t, Options{Store: st})
	tests := []struct {
		query string
		want  string // entity:score, highest first
	}{
		{"?since=7d", "alice:110,bob:80"},
		{"?since=24h", "bob:80,alice:50"},
		{"?since=7d&entity=bob", "bob:80"},
		{"?entity=alice&entity=bob&since=24h", "bob:80,alice:50"},
		{"?since=50m&until=30m", ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := do(t, s.Handler(), "GET", "/api/v1/risk"+tc.query, nil)
			if r.code != 200 {
				t.Fatalf("%d %s", r.code, r.body)
			}
			var got struct {
				Risk []store.EntityRisk `json:"risk"`
			}
			r.json(t, &got)
			if got.Risk == nil {
				t.Fatalf("risk is not a list: %s", r.body)
			}
			var parts []string
			for _, e := range got.Risk {
				parts = append(parts, e.Entity+":"+itoa(e.Score))
			}
			if strings.Join(parts, ",") != tc.want {
				t.Errorf("got %v, want %s", parts, tc.want)
			}
		})
	}
	r := do(t, s.Handler(), "GET", "/api/v1/risk/events?since=24h&entity=alice&limit=3", nil)
	var evs struct {
		Events []store.RiskEvent `json:"events"`
	}
	r.json(t, &evs)
	if r.code != 200 || len(evs.Events) != 1 || evs.Events[0].Score != 50 {
		t.Errorf("events %d %s", r.code, r.body)
	}
	if f := st.lastRisk; f.Limit != 3 || len(f.Entities) != 1 || !f.Since.Equal(testNow.Add(-24*time.Hour)) {
		t.Errorf("risk filter %+v", f)
	}
	if r := do(t, s.Handler(), "GET", "/api/v1/risk?since=soon", nil); r.code != 400 || !strings.Contains(r.errMsg(t), "since") {
		t.Errorf("bad since: %d %s", r.code, r.body)
	}
}

func TestRules(t *testing.T) {
	last := time.Date(2025, 3, 10, 11, 50, 0, 0, time.UTC)
	rules := []RuleStatus{
		{ID: "r1", Name: "Denied models", Language: "esql", Severity: "medium", Interval: "10m", LookBack: "60m", Healthy: true, LastRun: last, Alerts: 2},
		{ID: "r2", Name: "Broken", Language: "spl", Severity: "high", LastError: "division by zero"},
		{ID: "r3", Name: "KQL rule", Language: "kuery", Skipped: "language kuery is not supported"},
	}
	s := newTest(t, Options{Rules: func() []RuleStatus { return rules }})
	r := do(t, s.Handler(), "GET", "/api/v1/rules", nil)
	var got struct {
		Rules []map[string]any `json:"rules"`
	}
	r.json(t, &got)
	if r.code != 200 || len(got.Rules) != 3 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	if got.Rules[0]["last_run"] != "2025-03-10T11:50:00Z" || got.Rules[0]["healthy"] != true || got.Rules[0]["look_back"] != "60m" {
		t.Errorf("rule 0: %v", got.Rules[0])
	}
	if _, ok := got.Rules[1]["last_run"]; ok || got.Rules[1]["last_error"] != "division by zero" || got.Rules[1]["healthy"] != false {
		t.Errorf("rule 1: %v", got.Rules[1])
	}
	if got.Rules[2]["skipped"] == nil {
		t.Errorf("rule 2: %v", got.Rules[2])
	}
	r = do(t, newTest(t, Options{}).Handler(), "GET", "/api/v1/rules", nil)
	if strings.TrimSpace(string(r.body)) != `{"rules":[]}` {
		t.Errorf("no rules: %s", r.body)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
