package ruletest

import (
	"context"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/ruleset"
)

// Every built-in rule's own tests pass, and every built-in rule has at
// least one test that raises an alert and one that raises none.
func TestBuiltinRuleTests(t *testing.T) {
	set := pack(t)
	for _, c := range set.Compiled {
		r := c.Rule
		pos, neg := 0, 0
		for _, tt := range r.Tests {
			if tt.ExpectNone || len(tt.Expect) == 0 {
				neg++
			} else {
				pos++
			}
		}
		if pos == 0 || neg == 0 {
			t.Errorf("%s (%s): %d positive and %d negative tests, want at least one of each", r.ID, r.Name, pos, neg)
		}
		for _, res := range Run(context.Background(), c, r.Tests) {
			if !res.Passed() {
				t.Errorf("%s: test %q failed:\n  %s", r.ID, res.Test.Name, strings.Join(res.Failures, "\n  "))
			}
		}
	}
}

// A test that expects the wrong thing fails, and says why.
func TestRuleTestReportsMismatch(t *testing.T) {
	set := pack(t)
	for _, c := range set.Compiled {
		for _, tt := range c.Rule.Tests {
			if len(tt.Expect) == 0 {
				continue
			}
			bad := tt
			bad.Expect = []map[string]any{{"group": map[string]any{"no.such.field": "x"}}}
			res := Run(context.Background(), c, []rule.Test{bad})[0]
			if res.Passed() || !strings.Contains(strings.Join(res.Failures, " "), "no.such.field") {
				t.Errorf("%s: a wrong expectation passed or was not explained: %v", c.Rule.ID, res.Failures)
			}
			bad.Expect, bad.ExpectNone = nil, true
			res = Run(context.Background(), c, []rule.Test{bad})[0]
			if res.Passed() {
				t.Errorf("%s: expect_none passed over events that alert", c.Rule.ID)
			}
			return
		}
	}
	t.Fatal("no built-in rule has a positive test")
}

// pack loads the built-in rules, which must load cleanly.
func pack(t *testing.T) *ruleset.Set {
	t.Helper()
	set, err := ruleset.Load(ruleset.Options{Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) > 0 {
		t.Fatalf("built-in rules have problems: %v", set.Problems)
	}
	return set
}

// A KQL query rule's own tests run and pass, and a wrong expectation fails.
func TestKQLRuleTests(t *testing.T) {
	rules, probs := rule.Load([]string{"testdata/kql_trail_stopped.yaml"})
	if len(probs) > 0 || len(rules) != 1 {
		t.Fatalf("load: %d rules, problems %v", len(rules), probs)
	}
	c := engine.Compile(rules[0], nil)
	if !c.Runnable() {
		t.Fatalf("rule does not run: %v", c.Err)
	}
	for _, res := range Run(context.Background(), c, rules[0].Tests) {
		if !res.Passed() {
			t.Errorf("test %q failed:\n  %s", res.Test.Name, strings.Join(res.Failures, "\n  "))
		}
	}
	bad := rules[0].Tests[0]
	bad.Expect = []map[string]any{{"group": map[string]any{"user.name": "eve"}}}
	if res := Run(context.Background(), c, []rule.Test{bad})[0]; res.Passed() {
		t.Error("a test expecting the failed stop to alert passed")
	}
}
