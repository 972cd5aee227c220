package ui_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/ui"
)

// benchAlerts is the size of the store the page benchmarks render from.
const benchAlerts = 100_000

// BenchmarkPages renders each page over a store of 100,000 alerts, with
// their risk, as an analyst would ask for them:
//
//	go test -run XXX -bench Pages -benchtime 20x ./internal/ui
func BenchmarkPages(b *testing.B) {
	st, err := store.OpenSQLite(filepath.Join(b.TempDir(), "tripline.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	sevs := []string{"low", "medium", "high", "critical"}
	const batch = 2000
	for i := 0; i < benchAlerts; i += batch {
		var as []*alert.Alert
		var rs []store.RiskEvent
		for j := i; j < i+batch; j++ {
			ts := t0.Add(time.Duration(j) * 20 * time.Second)
			user := fmt.Sprintf("arn:aws:iam::123456789012:user/u%d", j%500)
			a := &alert.Alert{ID: fmt.Sprintf("a%07d", j),
				Rule: alert.RuleRef{ID: fmt.Sprintf("r%d", j%40), Name: fmt.Sprintf("Rule %d", j%40), Language: "esql",
					Severity: sevs[j%4], RiskScore: 20 + j%50,
					Threat: []alert.Threat{{Framework: "MITRE ATT&CK", Tactic: alert.Ref{ID: "TA0007", Name: "Discovery"},
						Technique: []alert.Technique{{Ref: alert.Ref{ID: fmt.Sprintf("T%04d", 1000+j%60)}}}}}},
				Timestamp: ts, Window: alert.Window{Start: ts.Add(-time.Hour), End: ts}, FirstSeen: ts.Add(-time.Minute), LastSeen: ts,
				Group:  alert.Fields{{Name: "user.id", Value: event.StringValue(user)}},
				Row:    alert.Fields{{Name: "count", Value: event.LongValue(int64(j % 97))}},
				Reason: fmt.Sprintf("Rule %d: count=%d for user.id=%s", j%40, j%97, user), EventCount: 3, Matches: 1,
				Evidence: []alert.Evidence{}}
			as = append(as, a)
			rs = append(rs, store.RiskEvent{Time: ts, Entity: user, EntityType: "user", Score: a.Rule.RiskScore, AlertID: a.ID, RuleID: a.Rule.ID})
		}
		if err := st.Upsert(ctx, as); err != nil {
			b.Fatal(err)
		}
		if err := st.AddRisk(ctx, rs); err != nil {
			b.Fatal(err)
		}
	}
	var rules []server.RuleStatus
	for i := range 40 {
		rules = append(rules, server.RuleStatus{ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Rule %d", i), Language: "esql", Healthy: true})
	}
	web, err := ui.New(ui.Options{Store: st, Rules: func() []server.RuleStatus { return rules },
		Now: func() time.Time { return t0.Add(benchAlerts * 20 * time.Second) }})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(server.Options{Store: st, Pages: web.Pages()})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	for _, p := range []struct{ name, target string }{
		{"queue", "/"},
		{"queue-page-100", "/?offset=5000"},
		{"queue-filtered", "/?severity=high&status=open&since=7d&rule=r3"},
		{"queue-entity", "/?entity=arn:aws:iam::123456789012:user/u7"},
		{"queue-text", "/?q=count%3D42"},
		{"queue-technique", "/?technique=T1042"},
		{"group-rule", "/?group=rule"},
		{"group-entity", "/?group=entity"},
		{"alert", "/alerts/a0050000"},
		{"entity", "/entity?name=arn:aws:iam::123456789012:user/u7"},
		{"rules", "/rules"},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				req := httptest.NewRequest("GET", p.target, nil)
				req.Host = "127.0.0.1:7700"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%s: %d %s", p.target, rec.Code, rec.Body.String())
				}
				n = rec.Body.Len()
			}
			b.SetBytes(int64(n))
		})
	}
}
