package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/rule"
)

const (
	splunkSeedID = "e84b3c74-f742-11ee-9f6e-acde48001122"
)

func esqlSeedID(t *testing.T) string {
	t.Helper()
	for _, c := range builtinRules(t) {
		if c.Rule.Language == "esql" && strings.Contains(c.Rule.Name, "Denied Models") {
			return c.Rule.ID
		}
	}
	t.Fatal("the Elastic seed is not in the built-in pack")
	return ""
}

var base = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

func denial(at time.Time, user, model string) string {
	b, _ := json.Marshal(map[string]any{
		"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
		"timestamp": at.Format(time.RFC3339), "accountId": "111122223333",
		"identity": map[string]any{"arn": "arn:aws:sts::111122223333:assumed-role/app/" + user},
		"region":   "us-east-1", "requestId": fmt.Sprintf("%s-%s-%d", user, model, at.Unix()),
		"operation": "InvokeModel", "modelId": model, "errorCode": "AccessDeniedException",
	})
	return string(b)
}

func listFailure(at time.Time, user, ip string) string {
	b, _ := json.Marshal(map[string]any{
		"eventVersion": "1.09", "eventTime": at.Format(time.RFC3339),
		"eventSource": "bedrock.amazonaws.com", "eventName": "ListFoundationModels",
		"awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0",
		"errorCode": "AccessDenied", "errorMessage": "not authorized",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": user, "accountId": "111122223333",
			"arn": "arn:aws:iam::111122223333:user/" + user},
		"eventID": fmt.Sprintf("%s-%s-%d", user, ip, at.UnixNano()), "recipientAccountId": "111122223333",
	})
	return string(b)
}

func huntLines(t *testing.T, lines []string) []*alert.Alert {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Hunt(context.Background(), builtinRules(t), []string{path}, HuntOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read.Bad > 0 {
		t.Fatalf("bad records: %v", rep.Read.BadSamples)
	}
	return rep.Alerts
}

func alertsOf(alerts []*alert.Alert, ruleID string) []*alert.Alert {
	var out []*alert.Alert
	for _, a := range alerts {
		if a.Rule.ID == ruleID {
			out = append(out, a)
		}
	}
	return out
}

// A burst of denials inside one 10-minute pane is seen by the six windows
// (every 10 minutes over 60) that cover it: it raises one alert, not six.
func TestESQLSeedOneAlertAcrossOverlappingWindows(t *testing.T) {
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "anthropic.claude-3-opus-20240229-v1:0"))
	}
	got := alertsOf(huntLines(t, lines), esqlSeedID(t))
	if len(got) != 1 {
		t.Fatalf("got %d alerts, want 1", len(got))
	}
	a := got[0]
	if a.Matches != 6 {
		t.Errorf("alert matched %d windows, want 6", a.Matches)
	}
	if a.EventCount != 5 || a.Row.Get("total_denials").String() != "5" {
		t.Errorf("event count %d, total_denials %s; want 5 and 5", a.EventCount, a.Row.Get("total_denials"))
	}
	if a.Group.Get("user.id").String() != "arn:aws:sts::111122223333:assumed-role/app/thief" ||
		a.Group.Get("gen_ai.request.model.id").String() != "anthropic.claude-3-opus-20240229-v1:0" ||
		a.Group.Get("cloud.account.id").String() != "111122223333" {
		t.Errorf("group %v", a.Group)
	}
	if len(a.Evidence) != 5 || a.Evidence[0].Line != 1 {
		t.Errorf("evidence %+v, want the 5 records from line 1", a.Evidence)
	}
	if a.Rule.Severity != "high" || a.Rule.RiskScore != 73 {
		t.Errorf("rule severity %q risk %d, want high 73", a.Rule.Severity, a.Rule.RiskScore)
	}
}

// Exactly at the threshold (3 denials) raises nothing; one more raises.
func TestESQLSeedThresholdIsStrict(t *testing.T) {
	var lines []string
	for i := 0; i < 3; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "three", "m1"))
	}
	for i := 0; i < 4; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "four", "m1"))
	}
	got := alertsOf(huntLines(t, lines), esqlSeedID(t))
	if len(got) != 1 || !strings.HasSuffix(got[0].Group.Get("user.id").String(), "/four") {
		t.Fatalf("got %d alerts (%v), want one for 'four'", len(got), got)
	}
}

// Eight denials spread one per 70 minutes never put more than one in any
// 60-minute window: no alert, though the day's total is over the threshold.
func TestESQLSeedSpreadDenialsDoNotAlert(t *testing.T) {
	var lines []string
	for i := 0; i < 8; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*70*time.Minute), "slow", "m1"))
	}
	if got := alertsOf(huntLines(t, lines), esqlSeedID(t)); len(got) != 0 {
		t.Fatalf("got %d alerts, want none: %s", len(got), got[0].Reason)
	}
}

// The Splunk seed: 10 failures from one IP alert; 6 + 6 from two IPs are
// two groups under the threshold; the drilldowns carry the user.
func TestSplunkSeedGroupsAndDrilldowns(t *testing.T) {
	var lines []string
	for i := 0; i < 10; i++ {
		lines = append(lines, listFailure(base.Add(time.Duration(i)*time.Minute), "mallory", "203.0.113.9"))
	}
	for i := 0; i < 6; i++ {
		lines = append(lines, listFailure(base.Add(time.Duration(i)*time.Minute), "carol", "198.51.100.1"))
		lines = append(lines, listFailure(base.Add(time.Duration(i)*time.Minute), "carol", "198.51.100.2"))
	}
	got := alertsOf(huntLines(t, lines), splunkSeedID)
	if len(got) != 1 {
		t.Fatalf("got %d alerts, want 1 (mallory)", len(got))
	}
	a := got[0]
	if a.Group.Get("user").String() != "mallory" || a.Group.Get("src").String() != "203.0.113.9" {
		t.Errorf("group %v", a.Group)
	}
	if a.Row.Get("firstTime").String() != "2026-11-21T08:00:00" || a.Row.Get("lastTime").String() != "2026-11-21T08:09:00" {
		t.Errorf("firstTime %s lastTime %s", a.Row.Get("firstTime"), a.Row.Get("lastTime"))
	}
	if len(a.Drilldowns) != 2 {
		t.Fatalf("drilldowns %+v, want 2", a.Drilldowns)
	}
	for _, d := range a.Drilldowns {
		if strings.Contains(d.Name+d.Search, "$user$") || !strings.Contains(d.Name, "mallory") {
			t.Errorf("drilldown not filled: %+v", d)
		}
		if strings.Contains(d.Earliest, "$") || d.Earliest == "" {
			t.Errorf("drilldown earliest not filled: %q", d.Earliest)
		}
	}
	if !strings.Contains(a.Drilldowns[0].Search, "ListFoundationModels") {
		t.Errorf("first drilldown does not hold the detection search: %s", a.Drilldowns[0].Search)
	}
}

// Alert ids depend on content only: hunting the same data twice gives the
// same ids.
func TestAlertIDsAreStable(t *testing.T) {
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	a1 := huntLines(t, lines)
	a2 := huntLines(t, lines)
	if len(a1) == 0 || len(a1) != len(a2) {
		t.Fatalf("runs gave %d and %d alerts", len(a1), len(a2))
	}
	for i := range a1 {
		if a1[i].ID != a2[i].ID {
			t.Errorf("alert %d id %s then %s", i, a1[i].ID, a2[i].ID)
		}
	}
}

// now() in a rule is the tick's time, also before STATS: a rule that only
// counts the last ten minutes of its hour-long window sees a burst in the
// one tick whose last ten minutes hold it, however many windows hold it.
func TestNowIsTheTickTime(t *testing.T) {
	r := &rule.Rule{ID: "recent", Name: "recent denials", Language: "esql", Severity: "low",
		Interval: 10 * time.Minute, LookBack: time.Hour,
		Query: `from logs-aws_bedrock.invocation-* | where @timestamp >= now() - 10 minutes | stats n = count(*) by user.id | where n > 3`}
	c := Compile(r, nil)
	if c.Err != nil {
		t.Fatal(ErrorDetail(c.Err))
	}
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Hunt(context.Background(), []*Compiled{c}, []string{path}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Alerts) != 1 || rep.Alerts[0].Matches != 1 || !rep.Alerts[0].Timestamp.Equal(base.Add(10*time.Minute)) {
		t.Fatalf("alerts %+v, want one raised by the 08:10 tick alone", rep.Alerts)
	}
}

// TestHuntProfile checks that --profile measures every runnable rule: the
// rules that events reached show them, their ticks and their state, and
// the table names each rule once.
func TestHuntProfile(t *testing.T) {
	dir := t.TempDir()
	if _, err := generate.Scenario("llmjacking", generate.Options{Out: dir, Seed: 3, Principals: 30, Background: 0.02}); err != nil {
		t.Fatal(err)
	}
	rules := builtinRules(t)
	rep, err := Hunt(context.Background(), rules, []string{dir}, HuntOptions{Profile: true})
	if err != nil {
		t.Fatal(err)
	}
	reached := 0
	for _, r := range rep.Rules {
		p := r.Profile
		if p == nil {
			t.Fatalf("rule %s has no profile", r.Compiled.Rule.ID)
		}
		if p.Events > 0 {
			reached++
			if p.Push <= 0 {
				t.Errorf("rule %s: %d events but no push time", r.Compiled.Rule.ID, p.Events)
			}
		}
		if r.Ticks > 0 && (p.Largest.Panes == 0 || p.Evaluate <= 0) {
			t.Errorf("rule %s: %d ticks but %d panes, evaluated in %s", r.Compiled.Rule.ID, r.Ticks, p.Largest.Panes, p.Evaluate)
		}
	}
	if reached < 5 {
		t.Fatalf("events reached only %d rules", reached)
	}
	var b strings.Builder
	WriteProfile(&b, rep)
	for _, r := range rep.Rules {
		if n := strings.Count(b.String(), r.Compiled.Rule.Name+"\n"); n != 1 {
			t.Errorf("rule %q appears %d times in the profile:\n%s", r.Compiled.Rule.Name, n, b.String())
		}
	}
}

// cancelAfter is a context that cancels itself on the given call of Err:
// a Ctrl-C that lands while windows are being evaluated, since reading
// consults only Done.
type cancelAfter struct {
	context.Context
	calls, after atomic.Int64
	once         sync.Once
	done         chan struct{}
}

func newCancelAfter(n int64) *cancelAfter {
	c := &cancelAfter{Context: context.Background(), done: make(chan struct{})}
	c.after.Store(n)
	return c
}

func (c *cancelAfter) Done() <-chan struct{} { return c.done }

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) > c.after.Load() {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	return nil
}

// An interrupt while ticks are evaluated stops the run there, in order
// and out of order, rather than after every remaining tick.
func TestHuntStopsWhileEvaluating(t *testing.T) {
	var lines []string
	for i := 0; i < 300; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*7*time.Minute), fmt.Sprintf("u%d", i%5), "m1"))
	}
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{path, "-"} {
		ctx := newCancelAfter(50)
		opt := HuntOptions{Workers: 1}
		if in == "-" {
			opt.Stdin.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
		}
		rep, err := Hunt(ctx, builtinRules(t), []string{in}, opt)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: err %v, want context.Canceled", in, err)
		}
		if rep != nil && len(rep.Alerts) > 0 {
			t.Errorf("%s: an interrupted run reported %d alerts as if it had finished", in, len(rep.Alerts))
		}
	}
}
