package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/generate"
)

// TestScenarios generates every scenario over a small background and hunts
// it with the whole built-in pack: each must raise exactly the alerts its
// expected.ndjson names, and the benign day none at all.
func TestScenarios(t *testing.T) {
	all := builtinRules(t)
	list := generate.Scenarios()
	if len(list) < 8 {
		t.Fatalf("%d scenarios, want at least benign and the seven lifecycle ones", len(list))
	}
	for _, sc := range list {
		t.Run(sc.Name, func(t *testing.T) {
			dir := t.TempDir()
			sum, err := generate.Scenario(sc.Name, generate.Options{Out: dir, Seed: 11, Principals: 40, Background: 0.05})
			if err != nil {
				t.Fatal(err)
			}
			if sc.Name == "benign" && len(sum.Expected) != 0 {
				t.Fatalf("the benign day expects %d alerts", len(sum.Expected))
			}
			if sc.Name != "benign" && len(sum.Expected) == 0 {
				t.Fatal("the scenario expects no alert")
			}
			rep, err := Hunt(context.Background(), all, []string{dir}, HuntOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Read.Bad != 0 {
				t.Fatalf("%d bad records in generated data: %v", rep.Read.Bad, rep.Read.BadSamples)
			}
			for _, r := range rep.Rules {
				if r.Err != nil {
					t.Errorf("rule %s failed: %v", r.Compiled.Rule.ID, r.Err)
				}
			}
			missing, extra := generate.Compare(rep.Alerts, sum.Expected)
			for _, m := range missing {
				t.Errorf("expected alert not raised: %s %v (%s)", m.Rule, m.Group, m.Note)
			}
			for _, a := range extra {
				t.Errorf("unexpected alert: %s %s", a.Rule.ID, a.Reason)
			}
		})
	}
}

// TestScenarioUnknown checks that a misspelt name is refused, naming the
// known ones.
func TestScenarioUnknown(t *testing.T) {
	_, err := generate.Scenario("llmjack", generate.Options{Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "llmjacking") {
		t.Fatalf("got %v, want an error naming the known scenarios", err)
	}
}

// TestHuntSharedDataAlerts pins what the built-in pack raises on the real
// attack simulations in ../shared/data, each alert one a reader of those
// logs expects:
//   - Stratus Red Team's bedrock-invoke-model detonation enables model
//     access with temporary credentials and polls availability ten times,
//     about a second apart;
//   - Elastic's aws_bedrock test records hold one user's guardrail
//     interventions, one of them blocked for three findings at once;
//   - splunk/attack_data's prompt-injection file is six users sending
//     jailbreak phrasing that nothing stopped;
//   - its cross-region file is two users pasting credential files into
//     prompts, one served in eu-north-1 for a us-west-2 request, the other
//     served in us-east-2, a region it had not used;
//   - the invictus-ir set and the other Stratus detonations touch no
//     Bedrock, so nothing else alerts.
func TestHuntSharedDataAlerts(t *testing.T) {
	data := sharedData(t)
	const (
		stratus   = "aws.impact.bedrock-invoke-model.json"
		elastic   = "elastic-integrations-test-aws-bedrock.log"
		injection = "aws_bedrock_claude_possible_prompt_injection.ndjson"
		crossReg  = "aws_bedrock_claude_cross_region_possible_inference_abuse.ndjson"
		role      = "arn:aws:sts::387769110234:assumed-role/bedrock-inference-role/"
	)
	want := []struct {
		file, rule string
		group      map[string]any
	}{
		{stratus, "5345f9ca-89f3-4e8e-a36f-a0c78b1284b0", map[string]any{"user": "arn:aws:sts::494659789341:assumed-role/test-role/cli", "vendor_region": "megov-northeast-1r"}},
		{stratus, "53e8acc8-d4f8-4122-a0ff-67ad5a5e0b11", map[string]any{"user": "arn:aws:sts::494659789341:assumed-role/test-role/cli", "vendor_region": "megov-northeast-1r"}},
		{elastic, "b8e2f6d1-45a9-4c3e-9b71-0e6d8a2c5f37", map[string]any{"user.id": "arn:aws:iam::144492464627:user/andrew.kroh@elastic.co"}},
		{elastic, "3c7e91a4-d05b-4f62-a8e3-91b4c6d27f08", map[string]any{"user.id": "arn:aws:iam::144492464627:user/andrew.kroh@elastic.co"}},
		{injection, "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14", map[string]any{"user.id": role + "ak@foo.com"}},
		{injection, "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14", map[string]any{"user.id": role + "jj@foo.com"}},
		{injection, "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14", map[string]any{"user.id": role + "ml@foo.com"}},
		{injection, "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14", map[string]any{"user.id": role + "rd@foo.com"}},
		{injection, "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14", map[string]any{"user.id": role + "ts@foo.com"}},
		{injection, "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14", map[string]any{"user.id": role + "vg@foo.com"}},
		{crossReg, "0f3c9a52-6b1e-4d7a-9f08-2c5e7b41d9a3", map[string]any{"user.id": role + "ak@foo.com"}},
		{crossReg, "0f3c9a52-6b1e-4d7a-9f08-2c5e7b41d9a3", map[string]any{"user.id": role + "vg@foo.com"}},
		{crossReg, "71c5e9b3-2a4d-4e86-b0f7-5d3a8c1e9f24", map[string]any{"user.id": role + "ak@foo.com", "cloud.region": "us-west-2", "aws_bedrock.invocation.inference_region": "eu-north-1"}},
		{crossReg, "4f8d2a19-c6e3-4b07-9a5d-e81b3c7f0a62", map[string]any{"user.id": role + "vg@foo.com", "inference_region": "us-east-2"}},
	}
	rep, err := Hunt(context.Background(), builtinRules(t), []string{data}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	used := make([]bool, len(rep.Alerts))
	for _, w := range want {
		found := false
		for i, a := range rep.Alerts {
			if used[i] || a.Rule.ID != w.rule || !generate.GroupMatches(a.Group, w.group) {
				continue
			}
			used[i], found = true, true
			if !evidenceIn(a, w.file) {
				t.Errorf("alert %s %v: evidence %v, want it all from %s", w.rule, w.group, a.Evidence, w.file)
			}
			break
		}
		if !found {
			t.Errorf("%s: no alert of rule %s for %v", w.file, w.rule, w.group)
		}
	}
	for i, a := range rep.Alerts {
		if !used[i] {
			t.Errorf("unexpected alert on the shared data: %s %s", a.Rule.ID, a.Reason)
		}
	}
}

// evidenceIn reports whether an alert has evidence and all of it comes
// from the file named base.
func evidenceIn(a *alert.Alert, base string) bool {
	if len(a.Evidence) == 0 {
		return false
	}
	for _, e := range a.Evidence {
		if filepath.Base(e.File) != base {
			return false
		}
	}
	return true
}
