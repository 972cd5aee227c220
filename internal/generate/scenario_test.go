package generate

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// small is the size scenario tests generate: every planted record over a
// thin background.
var small = Options{Seed: 5, Principals: 40, Background: 0.02}

func scenarioLogs(t *testing.T, name string) (logs, Summary) {
	t.Helper()
	opt := small
	opt.Out = t.TempDir()
	sum, err := Scenario(name, opt)
	if err != nil {
		t.Fatal(err)
	}
	return readDay(t, opt.Out), sum
}

func TestScenarioList(t *testing.T) {
	var names []string
	for _, s := range Scenarios() {
		if s.Description == "" {
			t.Errorf("scenario %s has no description", s.Name)
		}
		if slices.Contains(names, s.Name) {
			t.Errorf("scenario %s listed twice", s.Name)
		}
		names = append(names, s.Name)
	}
	for _, want := range []string{"benign", "recon", "probing", "enabling", "evasion", "misuse", "persistence", "llmjacking"} {
		if !slices.Contains(names, want) {
			t.Errorf("no scenario %s in %v", want, names)
		}
	}
}

func TestScenarioErrors(t *testing.T) {
	cases := []struct {
		name string
		opt  Options
		want string
	}{
		{"nope", Options{Out: t.TempDir()}, "unknown"},
		{"recon", Options{}, "no output directory"},
		{"recon", Options{Out: t.TempDir(), Background: -1}, "negative background"},
	}
	for _, c := range cases {
		if _, err := Scenario(c.name, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Scenario(%q, %+v): %v, want an error with %q", c.name, c.opt, err, c.want)
		}
	}
}

// TestScenarioDeterministic writes a scenario twice and compares every byte.
func TestScenarioDeterministic(t *testing.T) {
	digest := func() map[string][32]byte {
		opt := small
		opt.Out = t.TempDir()
		if _, err := Scenario("llmjacking", opt); err != nil {
			t.Fatal(err)
		}
		out := map[string][32]byte{}
		err := filepath.WalkDir(opt.Out, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			rel, _ := filepath.Rel(opt.Out, path)
			out[rel] = sha256.Sum256(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := digest(), digest()
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s differs between two runs with the same seed", k)
		}
	}
}

// TestScenarioExpectedFile checks expected.ndjson against the summary and
// that every expected alert names a rule of the pack.
func TestScenarioExpectedFile(t *testing.T) {
	known := []string{SplunkSeedRuleID, ElasticSeedRuleID, ruleAgentChanged, ruleGuardrailDeleted, ruleGuardrailWeakened,
		ruleLoggingDisabled, ruleRefusedAcrossModels, ruleKnowledgeBase, ruleLoggingChecked, ruleModelAccessEnabled,
		ruleModelAccessAKIA, ruleAvailabilityPolling, ruleDiscoveryFailures, ruleModelFromAnother, ruleModelImported,
		ruleDeniedModelVariety, ruleGuardrailBypass, ruleGuardrailInterventns, ruleGuardrailFindings, ruleOutsideGeography,
		ruleNewInferenceRegion, rulePromptInjection, ruleSecretsInPrompts, ruleTokenSpike, ruleValidationProbes}
	cases := map[string]int{"benign": 0, "recon": 4, "probing": 7, "enabling": 2, "evasion": 4, "misuse": 8, "persistence": 4, "llmjacking": 13}
	for name, n := range cases {
		l, sum := scenarioLogs(t, name)
		if len(sum.Expected) != n || len(l.expected) != n {
			t.Errorf("%s: %d expected in the summary, %d in the file; want %d", name, len(sum.Expected), len(l.expected), n)
			continue
		}
		for i, e := range l.expected {
			s, _ := json.Marshal(sum.Expected[i])
			f, _ := json.Marshal(e)
			if !bytes.Equal(s, f) {
				t.Errorf("%s: line %d of expected.ndjson is %s, summary has %s", name, i+1, f, s)
			}
			if !slices.Contains(known, e.Rule) || len(e.Group) == 0 || e.Note == "" {
				t.Errorf("%s: expected alert %+v names no rule of the pack, no group or no note", name, e)
			}
		}
	}
}

// TestScenarioRecords checks the planted records look as the rules and
// AWS expect them.
func TestScenarioRecords(t *testing.T) {
	count := func(rs []map[string]any, pred func(map[string]any) bool) int {
		n := 0
		for _, r := range rs {
			if pred(r) {
				n++
			}
		}
		return n
	}
	body := func(r map[string]any, side, key string) string {
		m, _ := r[side].(map[string]any)
		if m == nil || m[key] == nil {
			return ""
		}
		b, _ := json.Marshal(m[key])
		return string(b)
	}
	name := func(r map[string]any) string { s, _ := r["eventName"].(string); return s }
	cases := []struct {
		scenario, what string
		ct             bool
		pred           func(map[string]any) bool
		least, most    int
	}{
		{"probing", "max_tokens 0 probes rejected", false, func(r map[string]any) bool {
			return r["errorCode"] == "ValidationException" && strings.Contains(body(r, "input", "inputBodyJson"), `"max_tokens":0`)
		}, 24, 24},
		{"probing", "probes refused in CloudTrail", true, func(r map[string]any) bool {
			return name(r) == "InvokeModel" && r["errorCode"] == "AccessDenied" && r["userAgent"] == checkerUA
		}, 32, 32},
		{"llmjacking", "invocations logged without text", false, func(r map[string]any) bool {
			return body(r, "input", "inputBodyJson") == "" && body(r, "output", "outputBodyJson") == "" && r["errorCode"] == nil
		}, 480, 480},
		{"llmjacking", "model access calls with the long-lived key", true, func(r map[string]any) bool {
			id, _ := r["userIdentity"].(map[string]any)
			k, _ := id["accessKeyId"].(string)
			return strings.HasPrefix(k, "AKIA") && slices.Contains([]string{"PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"}, name(r))
		}, 3, 3},
		{"evasion", "logging text turned off", true, func(r map[string]any) bool {
			return name(r) == "PutModelInvocationLoggingConfiguration" && strings.Contains(body(r, "requestParameters", "loggingConfig"), `"textDataDeliveryEnabled":false`)
		}, 1, 1},
		{"evasion", "filters weakened to LOW", true, func(r map[string]any) bool {
			return name(r) == "UpdateGuardrail" && strings.Contains(body(r, "requestParameters", "contentPolicyConfig"), `"inputStrength":"LOW"`)
		}, 1, 1},
		{"misuse", "served in another geography", false, func(r map[string]any) bool { return r["inferenceRegion"] == "eu-north-1" }, 6, 6},
		{"misuse", "access keys in prompts", false, func(r map[string]any) bool {
			return strings.Contains(body(r, "input", "inputBodyJson"), "aws_access_key_id = AKIA")
		}, 2, 2},
		{"persistence", "action group run by a foreign Lambda", true, func(r map[string]any) bool {
			return name(r) == "CreateAgentActionGroup" && strings.Contains(body(r, "requestParameters", "actionGroupExecutor"), ":"+foreignAccount+":")
		}, 1, 1},
		{"benign", "logging rewritten with text on", true, func(r map[string]any) bool {
			return name(r) == "PutModelInvocationLoggingConfiguration" && strings.Contains(body(r, "requestParameters", "loggingConfig"), `"textDataDeliveryEnabled":true`)
		}, 1, 1},
	}
	cache := map[string]logs{}
	for _, c := range cases {
		l, ok := cache[c.scenario]
		if !ok {
			l, _ = scenarioLogs(t, c.scenario)
			cache[c.scenario] = l
		}
		rs := l.inv
		if c.ct {
			rs = l.ct
		}
		if n := count(rs, c.pred); n < c.least || n > c.most {
			t.Errorf("%s: %d records %s, want %d to %d", c.scenario, n, c.what, c.least, c.most)
		}
	}
}
