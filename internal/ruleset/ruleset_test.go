package ruleset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodRule = `id: 11111111-aaaa-4bbb-8ccc-000000000001
name: Denied calls
language: esql
type: esql
query: |-
  from logs-aws.cloudtrail-* | where event.outcome == "failure" | stats n = count(*) by user.id | where n > 2
schedule: {interval: 10m, lookback: 1h}
severity: low
risk_score: 21
tests:
  - name: quiet
    source: cloudtrail
    events:
      - {"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::210987654321:user/a", "accountId": "210987654321", "userName": "a"}, "eventTime": "2025-03-11T09:31:00Z", "eventSource": "bedrock.amazonaws.com", "eventName": "ListGuardrails", "awsRegion": "us-east-1", "eventID": "bb75c409-d0ba-4578-8987-132ba80cd8ca", "eventType": "AwsApiCall", "recipientAccountId": "210987654321"}
    expect_none: true
`

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A broken file is a problem located in it; the good rule beside it loads
// and the pack is there too, named by its place in the source tree.
func TestLoadKeepsGoingPastBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.yaml", goodRule)
	write(t, dir, "broken.yaml", "id: [unclosed\n")
	set, err := Load(Options{Paths: []string{dir}, Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 1 || !strings.HasSuffix(set.Problems[0].File, "broken.yaml") {
		t.Fatalf("problems = %v, want broken.yaml's alone", set.Problems)
	}
	c, err := set.Find("11111111-aaaa")
	if err != nil {
		t.Fatal(err)
	}
	if st := set.State(c); st.Status != StatusOK || set.IsBuiltin(c.Rule.File) {
		t.Errorf("the user's rule: %+v, builtin %v", st, set.IsBuiltin(c.Rule.File))
	}
	var pack int
	for _, c := range set.Compiled {
		if set.IsBuiltin(c.Rule.File) {
			pack++
			if !strings.HasPrefix(set.State(c).File, "rules/") {
				t.Errorf("a pack rule shows as %q", set.State(c).File)
			}
		}
	}
	if pack == 0 {
		t.Error("the built-in pack did not load")
	}
	tally := Count(set.States())
	if tally.Errors != 1 || tally.OK+tally.Warned != len(set.Compiled) {
		t.Errorf("tally %+v over %d rules", tally, len(set.Compiled))
	}
}

func TestFind(t *testing.T) {
	set, err := Load(Options{Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	first := set.Compiled[0].Rule
	if c, err := set.Find(first.Name); err != nil || c.Rule != first {
		t.Errorf("by name: %v, %v", c, err)
	}
	if _, err := set.Find("zzzz-no-such"); !errors.Is(err, ErrNoRule) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := set.Find(""); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("an empty prefix matches every rule: %v", err)
	}
}

// Tests in <rule>.tests.yaml join the rule's own; a broken test file is a
// problem.
func TestTestsBesideTheRule(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", goodRule)
	write(t, dir, "a.tests.yaml", "tests:\n  - name: also quiet\n    source: cloudtrail\n    events:\n"+`      - {"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::210987654321:user/a", "accountId": "210987654321", "userName": "a"}, "eventTime": "2025-03-11T09:31:00Z", "eventSource": "bedrock.amazonaws.com", "eventName": "ListGuardrails", "awsRegion": "us-east-1", "eventID": "bb75c409-d0ba-4578-8987-132ba80cd8ca", "eventType": "AwsApiCall", "recipientAccountId": "210987654321"}`+"\n    expect_none: true\n")
	other := strings.Replace(goodRule, "000000000001", "000000000002", 1)
	write(t, dir, "b.yaml", other)
	write(t, dir, "b.tests.yaml", "tests: {not a list\n")
	set, err := Load(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	tests, probs := set.Tests()
	a, err := set.Find("11111111-aaaa-4bbb-8ccc-000000000001")
	if err != nil {
		t.Fatalf("%v; problems %v", err, set.Problems)
	}
	if got := len(tests[a.Rule]); got != 2 {
		t.Errorf("rule a has %d tests, want its own and the sidecar's", got)
	}
	if len(probs) != 1 || !strings.HasSuffix(probs[0].File, "b.tests.yaml") {
		t.Errorf("problems = %v, want b.tests.yaml", probs)
	}
}
