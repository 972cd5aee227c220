package engine

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/testutil"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/rules"
)

// sharedData returns ../shared/data beside the repository, or skips.
func sharedData(t testing.TB) string { return testutil.Shared(t, "data") }

func builtinRules(t testing.TB) []*Compiled {
	t.Helper()
	rs, probs := rule.LoadFS(rules.FS, ".")
	if len(probs) > 0 {
		t.Fatalf("built-in rules have problems: %v", probs)
	}
	var out []*Compiled
	for _, r := range rs {
		c := Compile(r, nil)
		if c.Err != nil {
			t.Fatalf("built-in rule %s does not compile: %s", r.ID, ErrorDetail(c.Err))
		}
		out = append(out, c)
	}
	return out
}

// TestHuntSharedData runs the built-in rules over the real attack
// simulations. None of them contains what the two seeds look for (denied
// ListFoundationModels bursts, denied invocations), so the seeds stay quiet,
// and every record must read cleanly.
func TestHuntSharedData(t *testing.T) {
	data := sharedData(t)
	// Parse every record (no prefilter), so that any damage would show.
	rep, err := Hunt(context.Background(), builtinRules(t), []string{data}, HuntOptions{NoPrefilter: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read.Bad != 0 {
		t.Fatalf("%d bad records in the shared data: %v", rep.Read.Bad, rep.Read.BadSamples)
	}
	fast, err := Hunt(context.Background(), builtinRules(t), []string{data}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fast.Alerts) != len(rep.Alerts) || fast.Read.Seen() != rep.Read.Total() {
		t.Errorf("with prefilters: %d alerts, %d+%v records; without: %d alerts, %d records",
			len(fast.Alerts), fast.Read.Total(), fast.Read.Skipped, len(rep.Alerts), rep.Read.Total())
	}
	if rep.Read.Records[event.CloudTrail] < 2900 {
		t.Errorf("read %d CloudTrail records, want at least the invictus set's 2,900", rep.Read.Records[event.CloudTrail])
	}
	if got := rep.Read.Records[event.BedrockInvocation]; got != 36 {
		t.Errorf("read %d invocation records, want 36 (19 Elastic + 17 Splunk)", got)
	}
	for _, a := range rep.Alerts {
		if a.Rule.ID == "e84b3c74-f742-11ee-9f6e-acde48001122" || strings.Contains(a.Rule.Name, "Denied Models") {
			t.Errorf("seed rule alerted on data without denials: %s", a.Reason)
		}
	}
	for _, r := range rep.Rules {
		if r.Err != nil {
			t.Errorf("rule %s failed: %v", r.Compiled.Rule.ID, r.Err)
		}
	}
}

// TestQuerySharedDataStratusBedrock reads the Stratus Red Team Bedrock
// detonation the way an analyst would: availability polled ten times, then
// the model invoked once, all from one role session.
func TestQuerySharedDataStratusBedrock(t *testing.T) {
	data := sharedData(t)
	file := filepath.Join(data, "cloudtrail", "stratus-red-team-detonation-logs", "aws.impact.bedrock-invoke-model.json")
	cases := []struct {
		lang, query string
		want        []string
	}{
		{"spl", "`cloudtrail` eventSource=bedrock.amazonaws.com | stats count by eventName user_name src",
			[]string{
				`{"eventName":"CreateFoundationModelAgreement","user_name":"test-role","src":"035.249.253.232","count":1}`,
				`{"eventName":"GetFoundationModelAvailability","user_name":"test-role","src":"035.249.253.232","count":10}`,
				`{"eventName":"InvokeModel","user_name":"test-role","src":"035.249.253.232","count":1}`,
				`{"eventName":"ListFoundationModelAgreementOffers","user_name":"test-role","src":"035.249.253.232","count":1}`,
				`{"eventName":"PutFoundationModelEntitlement","user_name":"test-role","src":"035.249.253.232","count":1}`,
				`{"eventName":"PutUseCaseForModelAccess","user_name":"test-role","src":"035.249.253.232","count":1}`,
			}},
		{"esql", "from logs-aws.cloudtrail-* | where event.provider == \"bedrock.amazonaws.com\" | stats n = count(*), first = min(@timestamp) by user.name, source.address | sort n desc",
			[]string{`{"n":15,"first":"2024-10-17T20:09:50.000Z","user.name":"test-role","source.address":"035.249.253.232"}`}},
	}
	for _, c := range cases {
		r := &rule.Rule{ID: "q", Name: "q", Language: c.lang, Query: c.query, Interval: QuerySpec.Interval, LookBack: QuerySpec.LookBack}
		comp := Compile(r, nil)
		if comp.Err != nil {
			t.Fatalf("%s: %s", c.query, ErrorDetail(comp.Err))
		}
		rows, _, err := Query(context.Background(), comp, []string{file}, HuntOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := renderRows(rows)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s\ngot:\n  %s\nwant:\n  %s", c.query, strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
		}
	}
}

// TestHuntGeneratedDay hunts a generated day with the two seed rules and
// expects exactly the planted alerts: every attack found, no near miss
// alerting.
func TestHuntGeneratedDay(t *testing.T) {
	dir := t.TempDir()
	sum, err := generate.Day(generate.Options{Out: dir, Seed: 7, Principals: 60})
	if err != nil {
		t.Fatal(err)
	}
	var seeds []*Compiled
	for _, c := range builtinRules(t) {
		if c.Rule.ID == generate.SplunkSeedRuleID || c.Rule.ID == generate.ElasticSeedRuleID {
			seeds = append(seeds, c)
		}
	}
	if len(seeds) != 2 {
		t.Fatalf("found %d seed rules in the pack, want 2", len(seeds))
	}
	rep, err := Hunt(context.Background(), seeds, []string{dir}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read.Bad != 0 {
		t.Fatalf("%d bad records in generated data: %v", rep.Read.Bad, rep.Read.BadSamples)
	}
	if len(sum.Expected) == 0 {
		t.Fatal("the generator planted no attacks")
	}
	missing, extra := generate.Compare(rep.Alerts, sum.Expected)
	for _, m := range missing {
		t.Errorf("planted attack not alerted: %s %v (%s)", m.Rule, m.Group, m.Note)
	}
	for _, a := range extra {
		t.Errorf("unexpected alert: %s", a.Reason)
	}
	seen := map[string]bool{}
	for _, a := range rep.Alerts {
		if seen[a.ID] {
			t.Errorf("duplicate alert id %s", a.ID)
		}
		seen[a.ID] = true
	}
}

// Every record the reader classifies carries one of its log type's markers,
// which prefilters rely on to skip records of other log types unparsed.
func TestLogTypeMarkersHoldOnRealLogs(t *testing.T) {
	data := sharedData(t)
	gen := t.TempDir()
	if _, err := generate.Scenario("misuse", generate.Options{Out: gen, Seed: 3, Principals: 40}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[event.LogType]int{}
	_, err := logs.Read(context.Background(), []string{data, gen}, logs.Options{}, func(_ int, ev *event.Event) error {
		ok := false
		for _, m := range schema.LogTypeMarkers(ev.LogType) {
			if bytes.Contains(ev.Raw, []byte(m)) {
				ok = true
			}
		}
		mu.Lock()
		defer mu.Unlock()
		seen[ev.LogType]++
		if !ok {
			t.Errorf("%s: a %s record without any of its markers", ev.Origin, ev.LogType)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen[event.CloudTrail] == 0 || seen[event.BedrockInvocation] == 0 {
		t.Fatalf("records seen: %v", seen)
	}
}
