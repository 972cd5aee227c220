package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exception"
)

// t0 is the start of the suite's event time.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// mkAlert builds an alert of rule ruleID raised at t0+at.
func mkAlert(id, ruleID, severity string, at time.Duration) *alert.Alert {
	ts := t0.Add(at)
	return &alert.Alert{
		ID: id,
		Rule: alert.RuleRef{ID: ruleID, Name: "Rule " + ruleID, Version: 1, Language: "esql",
			Severity: severity, RiskScore: 47, Tags: []string{"AWS"},
			Threat: []alert.Threat{{Framework: "MITRE ATLAS", Tactic: alert.Ref{ID: "AML.TA0000", Name: "Access"}}}},
		Timestamp: ts,
		RaisedAt:  ts.Add(time.Minute),
		Window:    alert.Window{Start: ts.Add(-time.Hour), End: ts},
		Group:     alert.Fields{{Name: "user.name", Value: event.StringValue("alice")}},
		// Row's order is not alphabetical: the store must keep it.
		Row: alert.Fields{
			{Name: "user.name", Value: event.StringValue("alice")},
			{Name: "count", Value: event.LongValue(3)},
			{Name: "avg_tokens", Value: event.DoubleValue(12.5)},
		},
		FirstSeen:  ts.Add(-10 * time.Minute),
		LastSeen:   ts,
		EventCount: 3,
		Evidence:   []alert.Evidence{{File: "logs/a.json.gz", Offset: 1234, EventID: "ev-" + id, Time: ts}},
		Reason:     "Rule " + ruleID + ": count=3 for user.name=alice",
		Matches:    1,
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("cannot marshal %T: %v", v, err)
	}
	return string(b)
}

func ids(as []*alert.Alert) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// testStore runs the semantics every Store must have; open gives a fresh,
// empty store each call.
func testStore(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("UpsertTwiceIsOne", func(t *testing.T) {
		s := open(t)
		a := mkAlert("a1", "r1", "high", 0)
		for range 2 {
			if err := s.Upsert(ctx, []*alert.Alert{a, a}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("List after two upserts: %d alerts, want 1", len(got))
		}
		want := *a
		want.Status = StatusOpen
		if g, w := jsonOf(t, got[0]), jsonOf(t, &want); g != w {
			t.Errorf("stored alert differs:\n got %s\nwant %s", g, w)
		}
		if err := s.Upsert(ctx, nil); err != nil {
			t.Errorf("Upsert of no alerts: %v", err)
		}
		if err := s.Upsert(ctx, []*alert.Alert{{}}); err == nil {
			t.Error("Upsert of an alert without id: no error")
		}
	})

	// An update replaces the alert but not when it was first raised.
	t.Run("RaisedAtKeepsTheFirst", func(t *testing.T) {
		s := open(t)
		a := mkAlert("a1", "r1", "high", 0)
		first := a.RaisedAt
		b := *a
		b.RaisedAt, b.EventCount = first.Add(time.Hour), 99
		if err := s.Upsert(ctx, []*alert.Alert{a}); err != nil {
			t.Fatal(err)
		}
		if err := s.Upsert(ctx, []*alert.Alert{&b}); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.Get(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if !got.RaisedAt.Equal(first) || got.EventCount != 99 {
			t.Errorf("raised at %v with %d events, want %v and the update's 99", got.RaisedAt, got.EventCount, first)
		}
		list, err := s.List(ctx, Filter{})
		if err != nil || len(list) != 1 || !list[0].RaisedAt.Equal(first) {
			t.Errorf("List gives %v, %v", list, err)
		}
	})

	t.Run("LargeBatches", func(t *testing.T) {
		// More rows than one statement takes arguments for.
		s := open(t)
		alerts := make([]*alert.Alert, maxArgs/8+10)
		risk := make([]RiskEvent, maxArgs/12+10)
		for i := range alerts {
			alerts[i] = mkAlert(fmt.Sprint("a", i), "r1", "low", time.Duration(i)*time.Second)
		}
		for i := range risk {
			risk[i] = RiskEvent{Time: t0, Entity: fmt.Sprint("e", i), Score: 1, AlertID: "a1"}
		}
		if err := s.Upsert(ctx, alerts); err != nil {
			t.Fatal(err)
		}
		if err := s.AddRisk(ctx, risk); err != nil {
			t.Fatal(err)
		}
		if got, err := s.List(ctx, Filter{}); err != nil || len(got) != len(alerts) {
			t.Errorf("alerts stored = %d (%v), want %d", len(got), err, len(alerts))
		}
		if got, err := s.RiskEvents(ctx, RiskFilter{}); err != nil || len(got) != len(risk) {
			t.Errorf("risk events stored = %d (%v), want %d", len(got), err, len(risk))
		}
	})

	t.Run("UpdateKeepsStatus", func(t *testing.T) {
		s := open(t)
		a := mkAlert("a1", "r1", "medium", 0)
		if err := s.Upsert(ctx, []*alert.Alert{a}); err != nil {
			t.Fatal(err)
		}
		ack := StatusChange{Status: StatusAcknowledged, By: "bob", At: t0.Add(time.Hour), Note: "looking"}
		if err := s.SetStatus(ctx, "a1", ack); err != nil {
			t.Fatal(err)
		}
		b := mkAlert("a1", "r1", "medium", 0)
		b.Row = alert.Fields{{Name: "user.name", Value: event.StringValue("alice")}, {Name: "count", Value: event.LongValue(9)}}
		b.LastSeen = t0.Add(30 * time.Minute)
		b.EventCount = 9
		b.Matches = 2
		b.Status = StatusOpen // what a fresh run would say; the stored status wins
		if err := s.Upsert(ctx, []*alert.Alert{b}); err != nil {
			t.Fatal(err)
		}
		got, hist, err := s.Get(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusAcknowledged {
			t.Errorf("status after update = %q, want acknowledged", got.Status)
		}
		if got.EventCount != 9 || got.Matches != 2 || !got.LastSeen.Equal(b.LastSeen) {
			t.Errorf("content not replaced: event_count=%d matches=%d last_seen=%v", got.EventCount, got.Matches, got.LastSeen)
		}
		if g, w := jsonOf(t, got.Row), `{"user.name":"alice","count":9}`; g != w {
			t.Errorf("row = %s, want %s", g, w)
		}
		if len(hist) != 1 || hist[0].By != "bob" || hist[0].Note != "looking" || !hist[0].At.Equal(ack.At) {
			t.Errorf("history = %+v, want bob's acknowledgement", hist)
		}
		// Pruning by last seen uses the updated time.
		if n, err := s.Prune(ctx, t0.Add(10*time.Minute)); err != nil || n != 0 {
			t.Errorf("Prune before the updated last seen removed %d (%v), want 0", n, err)
		}
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		batch := []*alert.Alert{
			mkAlert("low1", "r1", "low", 1*time.Minute),
			mkAlert("med1", "r2", "medium", 2*time.Minute),
			mkAlert("high1", "r1", "high", 3*time.Minute),
			mkAlert("crit1", "r3", "critical", 4*time.Minute),
			mkAlert("high2", "r2", "High", 5*time.Minute),
		}
		if err := s.Upsert(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := s.SetStatus(ctx, "high1", StatusChange{Status: StatusClosed, By: "carol"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    Filter
			want []string
		}{
			{"all newest first", Filter{}, []string{"high2", "crit1", "high1", "med1", "low1"}},
			{"since inclusive", Filter{Since: t0.Add(3 * time.Minute)}, []string{"high2", "crit1", "high1"}},
			{"until exclusive", Filter{Until: t0.Add(3 * time.Minute)}, []string{"med1", "low1"}},
			{"since and until", Filter{Since: t0.Add(2 * time.Minute), Until: t0.Add(5 * time.Minute)}, []string{"crit1", "high1", "med1"}},
			{"severity at or above", Filter{Severity: "high"}, []string{"high2", "crit1", "high1"}},
			{"severity any case", Filter{Severity: "MEDIUM"}, []string{"high2", "crit1", "high1", "med1"}},
			{"severity critical", Filter{Severity: "critical"}, []string{"crit1"}},
			{"rule", Filter{RuleID: "r2"}, []string{"high2", "med1"}},
			{"status closed", Filter{Status: StatusClosed}, []string{"high1"}},
			{"status open", Filter{Status: StatusOpen}, []string{"high2", "crit1", "med1", "low1"}},
			{"limit", Filter{Limit: 2}, []string{"high2", "crit1"}},
			{"combined", Filter{RuleID: "r1", Severity: "low", Status: StatusOpen}, []string{"low1"}},
			{"nothing", Filter{RuleID: "nope"}, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.List(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(ids(got), tt.want) {
					t.Errorf("List(%+v) = %v, want %v", tt.f, ids(got), tt.want)
				}
			})
		}
		got, err := s.List(ctx, Filter{Status: StatusClosed})
		if err != nil || len(got) != 1 || got[0].Status != StatusClosed {
			t.Errorf("listed alert does not carry its status: %v %v", got, err)
		}
		for _, f := range []Filter{{Severity: "severe"}, {Status: "resolved"}} {
			if _, err := s.List(ctx, f); err == nil {
				t.Errorf("List(%+v): no error", f)
			}
		}
	})

	// The triage views: the filters beyond List's first ones, paging,
	// counts, groups, and status changes of many alerts.
	t.Run("Views", func(t *testing.T) {
		s := open(t)
		v, ok := s.(Views)
		if !ok {
			t.Fatalf("%T does not implement Views", s)
		}
		spl := mkAlert("spl1", "r2", "medium", 2*time.Minute)
		spl.Rule.Language = "spl"
		spl.Rule.Threat = []alert.Threat{}
		tech := mkAlert("tech1", "r3", "critical", 4*time.Minute)
		tech.Rule.Threat[0].Technique = []alert.Technique{{Ref: alert.Ref{ID: "T1078"},
			Subtechnique: []alert.Ref{{ID: "T1078.004"}}}}
		tech.Reason = `Prompt "ignore previous" 100%_done\x <script>`
		batch := []*alert.Alert{mkAlert("low1", "r1", "low", 1*time.Minute), spl, tech,
			mkAlert("high1", "r1", "high", 5*time.Minute)}
		if err := s.Upsert(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := s.AddRisk(ctx, []RiskEvent{
			{Time: t0, Entity: "alice", Score: 10, AlertID: "low1", RuleID: "r1"},
			{Time: t0, Entity: "alice", Score: 10, AlertID: "tech1", RuleID: "r3"},
			{Time: t0, Entity: "bob", Score: 10, AlertID: "tech1", RuleID: "r3"},
			{Time: t0, Entity: "9.9.9.9", Score: 10, AlertID: "high1", RuleID: "r1", Threat: true},
		}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    Filter
			want []string
		}{
			{"entity", Filter{Entity: "alice"}, []string{"tech1", "low1"}},
			{"entity exact", Filter{Entity: "ali"}, []string{}},
			{"language", Filter{Language: "spl"}, []string{"spl1"}},
			{"technique", Filter{Technique: "T1078"}, []string{"tech1"}},
			{"sub-technique", Filter{Technique: "T1078.004"}, []string{"tech1"}},
			{"technique whole id", Filter{Technique: "T107"}, []string{}},
			{"text any case", Filter{Text: "IGNORE previous"}, []string{"tech1"}},
			{"text with quotes", Filter{Text: `"ignore`}, []string{"tech1"}},
			{"text wildcards are literal", Filter{Text: "100%_d"}, []string{"tech1"}},
			{"text percent alone", Filter{Text: "%"}, []string{"tech1"}},
			{"text backslash", Filter{Text: `\x`}, []string{"tech1"}},
			{"text html", Filter{Text: "<script>"}, []string{"tech1"}},
			{"text nowhere", Filter{Text: "zebra"}, []string{}},
			{"offset", Filter{Offset: 1}, []string{"tech1", "spl1", "low1"}},
			{"limit and offset", Filter{Limit: 2, Offset: 1}, []string{"tech1", "spl1"}},
			{"offset past the end", Filter{Offset: 9}, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.List(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(ids(got), tt.want) {
					t.Errorf("List(%+v) = %v, want %v", tt.f, ids(got), tt.want)
				}
				n, err := v.Count(ctx, tt.f)
				want := len(tt.want)
				if tt.f.Limit == 0 && tt.f.Offset == 0 && (err != nil || n != want) {
					t.Errorf("Count(%+v) = %d, %v; want %d", tt.f, n, err, want)
				}
			})
		}
		if n, err := v.Count(ctx, Filter{Limit: 1, Offset: 1}); err != nil || n != 4 {
			t.Errorf("Count ignores limit and offset: %d, %v", n, err)
		}

		byRule, err := v.Groups(ctx, Filter{}, ByRule)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonOf(t, byRule); got != jsonOf(t, []Group{
			{Key: "r1", Count: 2, Latest: t0.Add(5 * time.Minute)},
			{Key: "r2", Count: 1, Latest: t0.Add(2 * time.Minute)},
			{Key: "r3", Count: 1, Latest: t0.Add(4 * time.Minute)},
		}) {
			t.Errorf("Groups by rule = %s", got)
		}
		byEntity, err := v.Groups(ctx, Filter{Severity: "low"}, ByEntity)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonOf(t, byEntity); got != jsonOf(t, []Group{
			{Key: "alice", Count: 2, Latest: t0.Add(4 * time.Minute)},
			{Key: "bob", Count: 1, Latest: t0.Add(4 * time.Minute)},
		}) {
			t.Errorf("Groups by entity (threat objects left out) = %s", got)
		}
		if g, err := v.Groups(ctx, Filter{Severity: "high"}, ByEntity); err != nil || len(g) != 2 || g[0].Count != 1 || g[1].Count != 1 {
			t.Errorf("Groups by entity of high alerts = %+v, %v", g, err)
		}
		if g, err := v.Groups(ctx, Filter{Language: "spl"}, ByEntity); err != nil || len(g) != 0 {
			t.Errorf("Groups by entity of alerts without risk = %+v, %v", g, err)
		}
		if _, err := v.Groups(ctx, Filter{}, "file"); err == nil {
			t.Error("Groups by an unknown key: no error")
		}

		ch := StatusChange{Status: StatusAcknowledged, By: "ana", Note: "bulk", At: t0}
		if err := v.SetStatuses(ctx, []string{"low1", "nope", "spl1"}, ch); !errors.Is(err, ErrNotFound) {
			t.Fatalf("SetStatuses with an unknown id: %v, want ErrNotFound", err)
		}
		if got, _ := s.List(ctx, Filter{Status: StatusAcknowledged}); len(got) != 0 {
			t.Fatalf("a failed SetStatuses changed %v", ids(got))
		}
		if err := v.SetStatuses(ctx, []string{"low1", "spl1"}, ch); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.List(ctx, Filter{Status: StatusAcknowledged}); !reflect.DeepEqual(ids(got), []string{"spl1", "low1"}) {
			t.Errorf("acknowledged after SetStatuses: %v", ids(got))
		}
		if _, hist, err := s.Get(ctx, "spl1"); err != nil || len(hist) != 1 || hist[0].By != "ana" || hist[0].Note != "bulk" {
			t.Errorf("history of spl1: %+v, %v", hist, err)
		}
		if err := v.SetStatuses(ctx, []string{"low1"}, StatusChange{Status: "gone"}); err == nil {
			t.Error("SetStatuses to an unknown status: no error")
		}
		evs, err := s.RiskEvents(ctx, RiskFilter{AlertIDs: []string{"tech1", "high1"}})
		if err != nil || len(evs) != 3 {
			t.Errorf("RiskEvents of two alerts: %+v, %v", evs, err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		if _, _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get of unknown id: %v, want ErrNotFound", err)
		}
		if err := s.SetStatus(ctx, "nope", StatusChange{Status: StatusClosed, By: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetStatus of unknown id: %v, want ErrNotFound", err)
		}
		if err := s.Upsert(ctx, []*alert.Alert{mkAlert("a1", "r1", "low", 0)}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetStatus(ctx, "a1", StatusChange{Status: "resolved", By: "x"}); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("SetStatus to an unknown status: %v, want a validation error", err)
		}
	})

	t.Run("StatusHistory", func(t *testing.T) {
		s := open(t)
		if err := s.Upsert(ctx, []*alert.Alert{mkAlert("a1", "r1", "low", 0)}); err != nil {
			t.Fatal(err)
		}
		_, hist, err := s.Get(ctx, "a1")
		if err != nil || hist == nil || len(hist) != 0 {
			t.Fatalf("history of a new alert = %#v, %v; want empty, not nil", hist, err)
		}
		// Same timestamps on purpose: order is the order of the changes.
		at := t0.Add(time.Hour)
		changes := []StatusChange{
			{Status: StatusAcknowledged, By: "bob", At: at, Note: "mine"},
			{Status: StatusClosed, By: "bob", At: at, Note: "benign"},
			{Status: StatusOpen, By: "carol", At: at, Note: "reopened"},
			{Status: StatusClosed, By: "carol", At: at.Add(time.Minute)},
		}
		for _, ch := range changes {
			if err := s.SetStatus(ctx, "a1", ch); err != nil {
				t.Fatal(err)
			}
		}
		a, hist, err := s.Get(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != StatusClosed {
			t.Errorf("status = %q, want closed", a.Status)
		}
		if g, w := jsonOf(t, hist), jsonOf(t, changes); g != w {
			t.Errorf("history:\n got %s\nwant %s", g, w)
		}
		if err := s.SetStatus(ctx, "a1", StatusChange{Status: StatusOpen, By: "dave"}); err != nil {
			t.Fatal(err)
		}
		_, hist, _ = s.Get(ctx, "a1")
		if last := hist[len(hist)-1]; last.At.IsZero() || last.By != "dave" {
			t.Errorf("a change without time was not stamped: %+v", last)
		}
	})

	t.Run("AddRiskIdempotent", func(t *testing.T) {
		s := open(t)
		evs := []RiskEvent{
			{Time: t0, Entity: "alice", EntityType: "user", Score: 40, AlertID: "a1", RuleID: "r1", RuleName: "Rule r1",
				Message: "alice did x", Tactics: []string{"AML.TA0000"}, Techniques: []string{"AML.T0051"}, Stories: []string{"Suspicious AWS"}},
			{Time: t0, Entity: "alice", EntityType: "user", Score: 40, AlertID: "a1", RuleID: "r1", RuleName: "Rule r1", Message: "alice did x"},
			{Time: t0, Entity: "10.0.0.1", EntityType: "ip_address", Score: 40, Threat: true, AlertID: "a1", RuleID: "r1", RuleName: "Rule r1"},
		}
		for range 3 {
			if err := s.AddRisk(ctx, evs); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.RiskEvents(ctx, RiskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("risk events after three replays = %d, want 2: %+v", len(got), got)
		}
		// Same time and alert: ordered by entity.
		if !got[0].Threat || got[0].Entity != "10.0.0.1" || got[1].Threat {
			t.Errorf("order: want the threat object 10.0.0.1 before alice, got %+v", got)
		}
		// The later duplicate in the batch won: it has no tactics.
		if got[1].Tactics != nil || got[1].Message != "alice did x" || !got[1].Time.Equal(t0) {
			t.Errorf("risk event = %+v", got[1])
		}
		// A replay with another score replaces, never adds.
		evs[1].Score = 10
		if err := s.AddRisk(ctx, evs[1:2]); err != nil {
			t.Fatal(err)
		}
		risk, err := s.Risk(ctx, RiskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(risk) != 1 || risk[0].Score != 10 || risk[0].Count != 1 {
			t.Errorf("risk after replacing = %+v, want alice with 10", risk)
		}
		if err := s.AddRisk(ctx, []RiskEvent{{Entity: "x"}}); err == nil {
			t.Error("AddRisk without alert id: no error")
		}
		// Round trip of the lists.
		if err := s.AddRisk(ctx, evs[0:1]); err != nil {
			t.Fatal(err)
		}
		got, _ = s.RiskEvents(ctx, RiskFilter{Entities: []string{"alice"}})
		if len(got) != 1 || !reflect.DeepEqual(got[0].Techniques, []string{"AML.T0051"}) ||
			!reflect.DeepEqual(got[0].Stories, []string{"Suspicious AWS"}) || got[0].RuleID != "r1" || got[0].EntityType != "user" {
			t.Errorf("risk event round trip = %+v", got)
		}
	})

	t.Run("Risk", func(t *testing.T) {
		s := open(t)
		ev := func(entity string, at time.Duration, score int, alertID, rule string, threat bool) RiskEvent {
			return RiskEvent{Time: t0.Add(at), Entity: entity, EntityType: "user", Score: score, Threat: threat,
				AlertID: alertID, RuleID: rule, RuleName: "Rule " + rule}
		}
		evs := []RiskEvent{
			ev("alice", 0, 50, "a1", "r1", false),
			ev("alice", time.Hour, 30, "a2", "r2", false),
			ev("alice", 2*time.Hour, 30, "a3", "r1", false),
			ev("bob", time.Hour, 20, "a4", "r1", false),
			ev("bob", 25*time.Hour, 500, "a5", "r1", false), // outside the day
			ev("carol", 90*time.Minute, 90, "a6", "r3", false),
			ev("1.2.3.4", time.Hour, 1000, "a2", "r2", true), // a threat object: never summed
			ev("1.2.3.4", 2*time.Hour, 1000, "a3", "r2", false),
		}
		evs[6].EntityType = "ip_address"
		evs[7].Entity = "dave"
		evs[7].Score = 5
		if err := s.AddRisk(ctx, evs); err != nil {
			t.Fatal(err)
		}
		day := RiskFilter{Since: t0, Until: t0.Add(24 * time.Hour)}
		got, err := s.Risk(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		want := []EntityRisk{
			{Entity: "alice", EntityType: "user", Score: 110, Count: 3, Rules: []string{"Rule r1", "Rule r2"},
				AlertIDs: []string{"a1", "a2", "a3"}, First: t0, Last: t0.Add(2 * time.Hour)},
			{Entity: "carol", EntityType: "user", Score: 90, Count: 1, Rules: []string{"Rule r3"},
				AlertIDs: []string{"a6"}, First: t0.Add(90 * time.Minute), Last: t0.Add(90 * time.Minute)},
			{Entity: "bob", EntityType: "user", Score: 20, Count: 1, Rules: []string{"Rule r1"},
				AlertIDs: []string{"a4"}, First: t0.Add(time.Hour), Last: t0.Add(time.Hour)},
			{Entity: "dave", EntityType: "user", Score: 5, Count: 1, Rules: []string{"Rule r2"},
				AlertIDs: []string{"a3"}, First: t0.Add(2 * time.Hour), Last: t0.Add(2 * time.Hour)},
		}
		if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
			t.Errorf("Risk over the day:\n got %s\nwant %s", g, w)
		}
		tests := []struct {
			name string
			f    RiskFilter
			want string // entity:score ...
		}{
			{"all time", RiskFilter{}, "bob:520 alice:110 carol:90 dave:5"},
			{"window cuts", RiskFilter{Since: t0.Add(time.Hour), Until: t0.Add(2 * time.Hour)}, "carol:90 alice:30 bob:20"},
			{"entities", RiskFilter{Entities: []string{"bob", "carol"}, Until: t0.Add(24 * time.Hour)}, "carol:90 bob:20"},
			{"limit", RiskFilter{Limit: 2}, "bob:520 alice:110"},
			{"empty", RiskFilter{Since: t0.Add(100 * time.Hour)}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Risk(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				g := ""
				for i, r := range got {
					if i > 0 {
						g += " "
					}
					g += fmt.Sprintf("%s:%d", r.Entity, r.Score)
				}
				if g != tt.want {
					t.Errorf("Risk(%+v) = %q, want %q", tt.f, g, tt.want)
				}
			})
		}
		all, err := s.RiskEvents(ctx, RiskFilter{Since: t0.Add(time.Hour), Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || !all[0].Time.Equal(t0.Add(time.Hour)) || !all[2].Time.Equal(t0.Add(time.Hour)) {
			t.Errorf("RiskEvents oldest first with limit = %+v", all)
		}
	})

	t.Run("Prune", func(t *testing.T) {
		s := open(t)
		old := mkAlert("old", "r1", "low", 0)
		recent := mkAlert("recent", "r1", "low", 48*time.Hour)
		if err := s.Upsert(ctx, []*alert.Alert{old, recent}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetStatus(ctx, "old", StatusChange{Status: StatusClosed, By: "bob"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddRisk(ctx, []RiskEvent{
			{Time: t0, Entity: "alice", Score: 10, AlertID: "old"},
			{Time: t0.Add(48 * time.Hour), Entity: "alice", Score: 20, AlertID: "recent"},
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCheckpoint(ctx, "keep", []byte("x")); err != nil {
			t.Fatal(err)
		}
		n, err := s.Prune(ctx, t0.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("Prune removed %d alerts, want 1", n)
		}
		if _, _, err := s.Get(ctx, "old"); !errors.Is(err, ErrNotFound) {
			t.Errorf("pruned alert: %v, want ErrNotFound", err)
		}
		left, _ := s.List(ctx, Filter{})
		if !reflect.DeepEqual(ids(left), []string{"recent"}) {
			t.Errorf("alerts after prune = %v", ids(left))
		}
		evs, _ := s.RiskEvents(ctx, RiskFilter{})
		if len(evs) != 1 || evs[0].AlertID != "recent" {
			t.Errorf("risk events after prune = %+v", evs)
		}
		if cp, _ := s.GetCheckpoint(ctx, "keep"); string(cp) != "x" {
			t.Errorf("prune touched checkpoints: %q", cp)
		}
		// The same id raised again starts a fresh history.
		if err := s.Upsert(ctx, []*alert.Alert{old}); err != nil {
			t.Fatal(err)
		}
		if a, hist, err := s.Get(ctx, "old"); err != nil || a.Status != StatusOpen || len(hist) != 0 {
			t.Errorf("re-raised pruned alert: status %v, history %v, %v", a, hist, err)
		}
	})

	t.Run("Checkpoints", func(t *testing.T) {
		s := open(t)
		got, err := s.GetCheckpoint(ctx, "missing")
		if err != nil || got != nil {
			t.Errorf("missing checkpoint = %q, %v; want nil, nil", got, err)
		}
		blob := []byte{0, 1, 2, 255, '\n', 'x'}
		for _, data := range [][]byte{blob, []byte("second"), {}} {
			if err := s.PutCheckpoint(ctx, "reader/logs", data); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetCheckpoint(ctx, "reader/logs")
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || string(got) != string(data) {
				t.Errorf("checkpoint = %q, want %q (non-nil)", got, data)
			}
		}
	})

	t.Run("Exceptions", func(t *testing.T) { testExceptions(t, open(t)) })

	t.Run("ConcurrentUpserts", func(t *testing.T) {
		s := open(t)
		const workers, rounds, perBatch = 8, 10, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				for r := range rounds {
					var batch []*alert.Alert
					for i := range perBatch {
						// Half the ids are shared by every worker.
						id := fmt.Sprintf("w%d-%d-%d", w, r, i)
						if i%2 == 0 {
							id = fmt.Sprintf("shared-%d-%d", r, i)
						}
						a := mkAlert(id, fmt.Sprintf("r%d", w), "high", time.Duration(r)*time.Minute)
						a.EventCount = int64(w)
						batch = append(batch, a)
					}
					// Reverse order in odd workers: writers must not deadlock.
					if w%2 == 1 {
						for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
							batch[i], batch[j] = batch[j], batch[i]
						}
					}
					if err := s.Upsert(ctx, batch); err != nil {
						errs <- err
						return
					}
					if err := s.SetStatus(ctx, batch[0].ID, StatusChange{Status: StatusAcknowledged, By: fmt.Sprint(w)}); err != nil {
						errs <- err
						return
					}
					if err := s.AddRisk(ctx, []RiskEvent{{Time: t0, Entity: "alice", Score: 1, AlertID: batch[0].ID}}); err != nil {
						errs <- err
						return
					}
					if _, err := s.List(ctx, Filter{Limit: 10}); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// Per round: 3 shared ids and 2 of each worker's own.
		if want := rounds * (3 + 2*workers); len(got) != want {
			t.Errorf("alerts after concurrent upserts = %d, want %d", len(got), want)
		}
	})
}

// testExceptions runs the semantics of the exceptions a store keeps.
func testExceptions(t *testing.T, s Store) {
	ctx := context.Background()
	x, ok := s.(Exceptions)
	if !ok {
		t.Fatalf("%T keeps no exceptions", s)
	}
	hostile := `<script>alert(1)</script> "quoted" \ back ` + "\x1b[31m"
	e := exception.Exception{ID: "ex-1", Rule: "r1", Field: "Esql.user_id_values", Values: []string{"ci", hostile},
		Reason: hostile, Author: "ana", Expires: t0.Add(48 * time.Hour)}
	if err := x.AddException(ctx, e, ExceptionChange{By: "ana", At: t0, Note: "from alert a1"}); err != nil {
		t.Fatal(err)
	}
	if err := x.AddException(ctx, e, ExceptionChange{By: "bob", At: t0.Add(time.Minute)}); !errors.Is(err, ErrExists) {
		t.Errorf("the same id again: %v, want ErrExists", err)
	}
	if err := x.AddException(ctx, exception.Exception{ID: "bad", Field: "f"}, ExceptionChange{By: "ana"}); err == nil {
		t.Error("an exception without values, reason or author was stored")
	}
	every := exception.Exception{ID: "ex-2", Field: "source.ip", Values: []string{"10.0.*"}, Match: exception.MatchWildcard,
		Reason: "scanner", Author: "bob"}
	if err := x.AddException(ctx, every, ExceptionChange{By: "bob", At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := x.ListExceptions(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "ex-1" || got[1].ID != "ex-2" || got[0].Removed != nil {
		t.Fatalf("listed %+v", got)
	}
	if g := got[0]; g.Reason != hostile || g.Values[1] != hostile || !g.Expires.Equal(e.Expires) || !g.Created.Equal(t0) || g.Rule != "r1" {
		t.Errorf("read back %+v, want %+v (created at the change)", g.Exception, e)
	}
	if err := x.RemoveException(ctx, "ex-1", ExceptionChange{By: "carl", At: t0.Add(2 * time.Hour), Note: "the CI moved"}); err != nil {
		t.Fatal(err)
	}
	if err := x.RemoveException(ctx, "ex-1", ExceptionChange{By: "carl"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v, want ErrNotFound", err)
	}
	if err := x.RemoveException(ctx, "nope", ExceptionChange{By: "carl"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing an unknown id: %v, want ErrNotFound", err)
	}
	if got, _ := x.ListExceptions(ctx, false); len(got) != 1 || got[0].ID != "ex-2" {
		t.Errorf("in force after the removal: %+v", got)
	}
	all, err := x.ListExceptions(ctx, true)
	if err != nil || len(all) != 2 || all[0].Removed == nil || all[0].Removed.By != "carl" || all[0].Removed.Note != "the CI moved" ||
		!all[0].Removed.At.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("with the removed: %+v %v", all, err)
	}
	// Added again, it is in force again; the history keeps every change.
	if err := x.AddException(ctx, e, ExceptionChange{By: "dana", At: t0.Add(3 * time.Hour), Note: "back"}); err != nil {
		t.Fatal(err)
	}
	hist, err := x.ExceptionHistory(ctx, "ex-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []ExceptionChange{
		{ExceptionID: "ex-1", Action: ExceptionCreated, By: "ana", At: t0, Note: "from alert a1"},
		{ExceptionID: "ex-1", Action: ExceptionRemoved, By: "carl", At: t0.Add(2 * time.Hour), Note: "the CI moved"},
		{ExceptionID: "ex-1", Action: ExceptionCreated, By: "dana", At: t0.Add(3 * time.Hour), Note: "back"},
	}
	if jsonOf(t, hist) != jsonOf(t, want) {
		t.Errorf("history\n%s\nwant\n%s", jsonOf(t, hist), jsonOf(t, want))
	}
	if all, err := x.ExceptionHistory(ctx, ""); err != nil || len(all) != 4 {
		t.Errorf("every change: %d, %v; want 4", len(all), err)
	}
	// Pruning alerts keeps exceptions.
	if _, err := s.Prune(ctx, t0.Add(1000*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.ListExceptions(ctx, false); len(got) != 2 {
		t.Errorf("after a prune: %d exceptions", len(got))
	}
}

// benchStore measures Upsert batches of new and then repeated alerts.
func benchStore(b *testing.B, s Store) {
	ctx := context.Background()
	const batch = 100
	alerts := make([]*alert.Alert, batch)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range alerts {
			// Every other iteration updates the previous iteration's ids.
			alerts[j] = mkAlert(fmt.Sprintf("b%d-%d", i/2, j), "r1", "high", time.Duration(j)*time.Second)
		}
		if err := s.Upsert(ctx, alerts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "alerts/s")
}
