package server

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/store"
)

// TestWithSQLite runs the alert and risk endpoints over the real embedded
// store.
func TestWithSQLite(t *testing.T) {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "alerts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	if err := st.Upsert(ctx, []*alert.Alert{
		testAlert("a1", "r-denied", "medium", testNow.Add(-2*time.Hour)),
		testAlert("a2", "r-jack", "high", testNow.Add(-30*time.Hour)),
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRisk(ctx, []store.RiskEvent{
		{Time: testNow.Add(-time.Hour), Entity: "alice", EntityType: "user", Score: 50, AlertID: "a1", RuleID: "r-denied"},
		{Time: testNow.Add(-2 * time.Hour), Entity: "alice", EntityType: "user", Score: 70, AlertID: "a2", RuleID: "r-jack"},
		{Time: testNow.Add(-2 * time.Hour), Entity: "bob", EntityType: "user", Score: 30, AlertID: "a2", RuleID: "r-jack"},
	}); err != nil {
		t.Fatal(err)
	}
	h := newTest(t, Options{Store: st}).Handler()

	var list struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	r := do(t, h, "GET", "/api/v1/alerts?severity=high", nil)
	r.json(t, &list)
	if r.code != 200 || len(list.Alerts) != 1 || list.Alerts[0].ID != "a2" {
		t.Fatalf("severity=high: %d %s", r.code, r.body)
	}
	r = do(t, h, "GET", "/api/v1/alerts?since=24h", nil)
	r.json(t, &list)
	if len(list.Alerts) != 1 || list.Alerts[0].ID != "a1" {
		t.Errorf("since=24h: %s", r.body)
	}

	r = do(t, h, "PATCH", "/api/v1/alerts/a1/status", strings.NewReader(`{"status":"acknowledged","by":"ana"}`))
	if r.code != 200 {
		t.Fatalf("status: %d %s", r.code, r.body)
	}
	r = do(t, h, "GET", "/api/v1/alerts?status=acknowledged", nil)
	r.json(t, &list)
	if len(list.Alerts) != 1 || list.Alerts[0].ID != "a1" || list.Alerts[0].Status != "acknowledged" {
		t.Errorf("status=acknowledged: %s", r.body)
	}
	var d struct {
		History []store.StatusChange `json:"history"`
	}
	do(t, h, "GET", "/api/v1/alerts/a1", nil).json(t, &d)
	if len(d.History) == 0 || d.History[len(d.History)-1].By != "ana" {
		t.Errorf("history %+v", d.History)
	}
	if r := do(t, h, "PATCH", "/api/v1/alerts/nope/status", strings.NewReader(`{"status":"closed"}`)); r.code != 404 {
		t.Errorf("unknown alert: %d %s", r.code, r.body)
	}
	if r := do(t, h, "GET", "/api/v1/alerts/nope", nil); r.code != 404 {
		t.Errorf("unknown alert: %d %s", r.code, r.body)
	}

	var risk struct {
		Risk []store.EntityRisk `json:"risk"`
	}
	r = do(t, h, "GET", "/api/v1/risk?since=7d", nil)
	r.json(t, &risk)
	if len(risk.Risk) != 2 || risk.Risk[0].Entity != "alice" || risk.Risk[0].Score != 120 || risk.Risk[1].Score != 30 {
		t.Errorf("risk: %s", r.body)
	}

	// The triage filters, groups and the bulk status change.
	r = do(t, h, "GET", "/api/v1/alerts?entity=bob", nil)
	r.json(t, &list)
	if len(list.Alerts) != 1 || list.Alerts[0].ID != "a2" {
		t.Errorf("entity=bob: %s", r.body)
	}
	r = do(t, h, "GET", "/api/v1/alerts?q=REASON+FOR+A2&language=ESQL", nil)
	r.json(t, &list)
	if len(list.Alerts) != 1 || list.Alerts[0].ID != "a2" {
		t.Errorf("q and language: %s", r.body)
	}
	r = do(t, h, "GET", "/api/v1/alerts?offset=1", nil)
	r.json(t, &list)
	if len(list.Alerts) != 1 || list.Alerts[0].ID != "a2" {
		t.Errorf("offset=1: %s", r.body)
	}
	if r := do(t, h, "GET", "/api/v1/alerts?offset=-1", nil); r.code != 400 {
		t.Errorf("offset=-1: %d", r.code)
	}
	var groups struct {
		Groups []store.Group `json:"groups"`
	}
	r = do(t, h, "GET", "/api/v1/alerts/groups?by=entity", nil)
	r.json(t, &groups)
	if len(groups.Groups) != 2 || groups.Groups[0].Key != "alice" || groups.Groups[0].Count != 2 {
		t.Errorf("groups by entity: %s", r.body)
	}
	if r := do(t, h, "GET", "/api/v1/alerts/groups?by=file", nil); r.code != 400 {
		t.Errorf("groups by file: %d", r.code)
	}
	r = do(t, h, "POST", "/api/v1/alerts/status", strings.NewReader(`{"ids":["a1","a2"],"status":"closed","by":"ana","note":"benign"}`))
	if r.code != 200 {
		t.Fatalf("bulk status: %d %s", r.code, r.body)
	}
	r = do(t, h, "GET", "/api/v1/alerts?status=closed", nil)
	r.json(t, &list)
	if len(list.Alerts) != 2 {
		t.Errorf("closed after bulk: %s", r.body)
	}
	for body, want := range map[string]int{
		`{"ids":["a1","nope"],"status":"open"}`: 404,
		`{"ids":[],"status":"open"}`:            400,
		`{"ids":["a1"],"status":"gone"}`:        400,
		`{"ids":["a1"],"status":"open","x":1}`:  400,
	} {
		if r := do(t, h, "POST", "/api/v1/alerts/status", strings.NewReader(body)); r.code != want {
			t.Errorf("bulk %s: %d, want %d", body, r.code, want)
		}
	}
	r = do(t, h, "GET", "/api/v1/alerts?status=closed", nil)
	r.json(t, &list)
	if len(list.Alerts) != 2 {
		t.Errorf("a refused bulk change changed something: %s", r.body)
	}
}
