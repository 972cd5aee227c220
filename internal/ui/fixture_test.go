package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/service"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/ui"
)

// demo is the built-in LLMjacking story hunted by the built-in rules,
// once per test binary: the alerts (with their evidence records, as serve
// keeps them) and the risk they attribute.
type demo struct {
	alerts []*alert.Alert
	risk   []store.RiskEvent
	rules  []server.RuleStatus
	// logs is the demo's day of logs with a record of hostile strings
	// beside it: the event archive the search and entity pages read.
	logs string
	err  error
}

var (
	demoOnce sync.Once
	demoData demo
)

func loadDemo(t testing.TB) demo {
	t.Helper()
	demoOnce.Do(func() { demoData = huntDemo() })
	if demoData.err != nil {
		t.Fatalf("cannot hunt the demo: %v", demoData.err)
	}
	return demoData
}

// demoDir holds the demo's logs while the tests run; TestMain removes it.
var demoDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

func huntDemo() demo {
	dir, err := os.MkdirTemp("", "tripline-ui-demo-")
	if err != nil {
		return demo{err: err}
	}
	demoDir = dir
	if _, err := generate.Scenario("llmjacking", generate.Options{Out: dir, Principals: 40, Background: 0.02}); err != nil {
		return demo{err: err}
	}
	set, err := ruleset.Load(ruleset.Options{Builtin: true})
	if err != nil {
		return demo{err: err}
	}
	rep, err := engine.Hunt(context.Background(), set.Compiled, []string{dir}, engine.HuntOptions{})
	if err != nil {
		return demo{err: err}
	}
	var d demo
	for _, c := range set.Compiled {
		rs := server.RuleStatus{ID: c.Rule.ID, Name: c.Rule.Name, Language: c.Rule.Language, Severity: c.Rule.Severity,
			Type: c.Rule.Type, Query: c.Rule.Query, Healthy: c.Runnable()}
		if c.Runnable() {
			rs.Interval, rs.LookBack = c.Spec.Interval.String(), c.Spec.LookBack.String()
			rs.Plan = c.Program.Query.String()
			rs.Reads = c.Program.RecordPaths()
		} else {
			rs.Skipped = c.Err.Error()
		}
		d.rules = append(d.rules, rs)
		for _, a := range rep.Alerts {
			if a.Rule.ID != c.Rule.ID {
				continue
			}
			for i, e := range a.Evidence {
				if rec, err := logs.RecordAt(e.File, e.Offset, 1<<20); err == nil && json.Valid(rec) {
					a.Evidence[i].Raw = rec
				}
			}
			d.alerts = append(d.alerts, a)
			d.risk = append(d.risk, engine.RiskEvents(c.Rule, a)...)
		}
	}
	if len(d.alerts) == 0 {
		d.err = fmt.Errorf("the demo raised no alerts")
	}
	d.logs = dir
	d.err = cmpErr(d.err, os.WriteFile(filepath.Join(dir, "hostile.json"), []byte(hostileRecord), 0o644))
	return d
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// hostileRecord is a CloudTrail record of the demo's day whose fields a
// search shows.
var hostileRecord = func() string {
	b, _ := json.Marshal(map[string]any{"eventVersion": "1.09", "eventTime": "2026-11-21T12:00:00Z",
		"eventSource": "bedrock.amazonaws.com", "eventName": "InvokeModel", "awsRegion": "us-east-1",
		"sourceIPAddress": "192.0.2.66", "userAgent": hostileScript + hostileImg + hostileANSI,
		"eventID": "hostile-1", "recipientAccountId": "123456789012",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": hostileSVG, "accountId": "123456789012"}})
	return string(b) + "\n"
}()

// archiveDay is the time the demo's archive covers.
var archiveDay = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// demoSources is the archive's index as serve keeps it: the demo's log
// files, for a range that meets the demo's day.
func demoSources(dir string) func(from, to time.Time) []string {
	return func(from, to time.Time) []string {
		if (!from.IsZero() && !from.Before(archiveDay.Add(24*time.Hour))) || (!to.IsZero() && to.Before(archiveDay)) {
			return nil
		}
		var out []string
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".json")) {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
}

// Hostile strings an attacker can put in logs (prompts, user agents, role
// names) and rules: each would run script if a page put it into HTML as
// it is, and each sets window.__pwned when it runs.
const (
	hostileScript  = `<script>window.__pwned="script"</script>`
	hostileImg     = `<img src=x onerror="window.__pwned='img'">`
	hostileJS      = `javascript:window.__pwned='link'`
	hostileSVG     = `<svg onload="window.__pwned='svg'"><script>window.__pwned='svg-script'</script></svg>`
	hostileANSI    = "\x1b[2J\x1b[31mred\x1b[0m\u202eevil"
	hostileAttr    = `" onmouseover="window.__pwned='attr'" x="`
	hostileEntity  = `arn:aws:iam::123456789012:user/<img src=x onerror="window.__pwned='entity'">`
	hostileRuleID  = `r-"><script>window.__pwned='rule'</script>`
	hostileAlertID = "hostile00000000000000000000000001"
)

// hostileAlert carries the hostile strings in every field a page shows.
func hostileAlert(ts time.Time) (*alert.Alert, []store.RiskEvent) {
	big := strings.Repeat("A", 1<<20) + hostileScript
	raw, _ := json.Marshal(map[string]any{
		"eventName": "InvokeModel", "userAgent": hostileScript + hostileANSI, "sourceIPAddress": hostileImg,
		"requestParameters": map[string]any{"prompt": big, "roleSessionName": hostileSVG},
	})
	a := &alert.Alert{
		ID: hostileAlertID,
		Rule: alert.RuleRef{ID: hostileRuleID, Name: "Hostile " + hostileImg, Version: 1, Language: "esql",
			Severity: "critical", RiskScore: 99, Tags: []string{hostileScript, hostileAttr},
			Threat: []alert.Threat{{Framework: "MITRE ATT&CK " + hostileSVG,
				Tactic: alert.Ref{ID: "TA0001", Name: hostileImg, Reference: hostileJS},
				Technique: []alert.Technique{{Ref: alert.Ref{ID: "T1078", Name: "Valid Accounts", Reference: "https://evil.example/T1078"},
					Subtechnique: []alert.Ref{{ID: "T1078.004", Name: "Cloud Accounts"}}}}},
				{Framework: "MITRE ATLAS", Tactic: alert.Ref{ID: hostileJS, Name: "bad id"}}}},
		Timestamp: ts, RaisedAt: ts,
		Window: alert.Window{Start: ts.Add(-time.Hour), End: ts},
		Group:  alert.Fields{{Name: "user.id", Value: event.StringValue(hostileEntity)}, {Name: hostileAttr, Value: event.StringValue(hostileJS)}},
		Row: alert.Fields{{Name: "user_agent", Value: event.StringValue(hostileScript + hostileANSI)},
			{Name: "prompt", Value: event.StringValue(big)}},
		FirstSeen: ts.Add(-time.Hour), LastSeen: ts, EventCount: 1,
		Evidence: []alert.Evidence{{File: hostileSVG, Line: 1, EventID: hostileImg, Time: ts, Raw: raw}},
		Reason:   "Hostile " + hostileScript + hostileImg + hostileANSI + hostileAttr + big,
		Guide: "## Triage\n\nRead the [prompt](" + hostileJS + ") and [the docs](https://docs.example/guide).\n\n" +
			hostileScript + "\n\n<img src=x onerror=\"window.__pwned='guide'\">\n\n" + hostileSVG +
			"\n\n[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <a href=\"" + hostileJS + "\">raw link</a>\n",
		Drilldowns: []alert.Drilldown{{Name: "Drill " + hostileImg, Search: hostileScript}},
		Matches:    1,
	}
	risk := []store.RiskEvent{
		{Time: ts, Entity: hostileEntity, EntityType: "user", Score: 150, AlertID: a.ID, RuleID: a.Rule.ID, RuleName: a.Rule.Name, Message: hostileScript},
		{Time: ts, Entity: hostileImg, EntityType: "ip_address", Score: 1, Threat: true, AlertID: a.ID, RuleID: a.Rule.ID, RuleName: a.Rule.Name},
	}
	return a, risk
}

// testClock is "now" for the pages: a day after the demo's day.
var testClock = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// env is a store loaded with the demo and the hostile alert, and the
// handler of a server that serves the UI over it.
type env struct {
	st      store.Store
	demo    demo
	handler http.Handler
	srv     *server.Server
	mu      sync.Mutex
	changes int // calls of ExceptionsChanged
}

// newEnv builds an env; token, when set, is the server's API token.
func newEnv(t testing.TB, token string) *env {
	t.Helper()
	d := loadDemo(t)
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "tripline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	h, hrisk := hostileAlert(testClock.Add(-2 * time.Hour))
	if err := st.Upsert(ctx, append(append([]*alert.Alert{}, d.alerts...), h)); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRisk(ctx, append(append([]store.RiskEvent{}, d.risk...), hrisk...)); err != nil {
		t.Fatal(err)
	}
	rules := append(append([]server.RuleStatus{}, d.rules...), server.RuleStatus{ID: hostileRuleID, Name: "Hostile " + hostileImg,
		Language: "esql", Severity: "critical", Query: hostileScript + "\n| where x == \"" + hostileANSI + "\"",
		LastError: hostileSVG, Skipped: "", Interval: "5m", LookBack: "1h", LastRun: testClock.Add(-time.Minute), RunTime: "12.5ms",
		Tests: []server.RuleTest{{Name: "hostile " + hostileImg, Failures: []string{hostileScript + "\n" + hostileANSI}, Elapsed: "3ms"},
			{Name: "quiet day", Passed: true, Elapsed: "1ms"}, {Name: "skipped", Skipped: hostileSVG}}})
	search := service.SearchFunc(demoSources(d.logs), nil, nil)
	files := func() []exception.Exception { return fileExceptions }
	web, err := ui.New(ui.Options{Store: st, Rules: func() []server.RuleStatus { return rules }, Now: func() time.Time { return testClock },
		Search: search, FileExceptions: files})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, demo: d}
	opt := server.Options{Store: st, Pages: web.Pages(), Rules: func() []server.RuleStatus { return rules },
		Drilldown: service.DrilldownFunc(st, nil, nil), Search: search, FileExceptions: files,
		ExceptionsChanged: func(ctx context.Context) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.changes++
			return nil
		}}
	if token != "" {
		opt.Listen, opt.Token = "127.0.0.1:7700", token
	}
	srv, err := server.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	e.handler, e.srv = srv.Handler(), srv
	return e
}

// fileExceptions stand for an exceptions file beside the rules: one for
// every rule, on the hostile alert's group value.
var fileExceptions = []exception.Exception{{ID: "ex-file-hostile", Field: hostileAttr, Values: []string{hostileJS},
	Reason: "a file's reason " + hostileScript, Author: hostileImg}}

// serve runs the env's server on a loopback port until the test ends,
// and returns its base URL.
func (e *env) serve(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func storeFilterClosed() store.Filter { return store.Filter{Status: store.StatusClosed} }

func urlQuery(s string) string { return url.QueryEscape(s) }

func entityPath(name string) string { return "/entity?name=" + url.QueryEscape(name) }
