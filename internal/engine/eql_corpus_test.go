package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/testutil"
)

// eqlCorpusFloor is how many of the Elastic EQL rules for AWS in the
// corpus must compile to run: all of them, the sequence included.
const eqlCorpusFloor = 27

// TestEQLCorpus loads every Elastic EQL rule for AWS in the corpus and
// compiles it: each runs.
func TestEQLCorpus(t *testing.T) {
	dir := testutil.Shared(t, "corpus/elastic/aws")
	rs, _ := rule.Load([]string{dir})
	total, runs := 0, 0
	for _, r := range rs {
		if r.Language != rule.LangEQL {
			continue
		}
		total++
		c := Compile(r, nil)
		switch {
		case c.Runnable():
			runs++
		default:
			t.Errorf("%s: %s", filepath.Base(r.File), ErrorDetail(c.Err))
		}
	}
	t.Logf("Elastic EQL rules for AWS: %d, %d run", total, runs)
	if runs < eqlCorpusFloor {
		t.Errorf("%d EQL rules run, want at least %d", runs, eqlCorpusFloor)
	}
}

// TestEQLCorpusSequence runs Elastic's one AWS sequence rule verbatim
// (model listing, then invocation, by a long-term access key within 15
// minutes) over CloudTrail records: one alert whose evidence is the two
// events in order; a role's temporary key, and an invocation 20 minutes
// after listing, raise none.
func TestEQLCorpusSequence(t *testing.T) {
	dir := testutil.Shared(t, "corpus/elastic/aws")
	rs, probs := rule.Load([]string{filepath.Join(dir, "aws_discovery_bedrock_model_recon_and_invocation_via_long_term_key.toml")})
	if len(probs) > 0 || len(rs) != 1 {
		t.Fatalf("load: %v (%d rules)", probs, len(rs))
	}
	c := Compile(rs[0], nil)
	if !c.Runnable() {
		t.Fatalf("the sequence rule does not run: %v", c.Err)
	}
	rec := func(id, at, action, key string) string {
		return `{"eventVersion":"1.09","eventTime":"2026-11-21T` + at + `:00Z","eventSource":"bedrock.amazonaws.com","eventName":"` + action +
			`","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"Boto3/1.34","eventID":"` + id +
			`","recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":"u","arn":"arn:aws:iam::123456789012:user/u","accountId":"123456789012","accessKeyId":"` + key + `"}}`
	}
	lines := []string{
		rec("a1", "11:00", "ListFoundationModels", "AKIAEXAMPLE1"),
		rec("a2", "11:04", "Converse", "AKIAEXAMPLE1"),
		rec("b1", "11:01", "ListFoundationModels", "ASIAEXAMPLE2"),
		rec("b2", "11:02", "InvokeModel", "ASIAEXAMPLE2"),
		rec("c1", "11:03", "ListFoundationModels", "AKIAEXAMPLE3"),
		rec("c2", "11:23", "InvokeModel", "AKIAEXAMPLE3"),
	}
	f := filepath.Join(t.TempDir(), "trail.json")
	if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Hunt(context.Background(), []*Compiled{c}, []string{f}, HuntOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Alerts) != 1 {
		t.Fatalf("%d alerts, want 1", len(rep.Alerts))
	}
	var ids []string
	for _, e := range rep.Alerts[0].Evidence {
		ids = append(ids, e.EventID)
	}
	if strings.Join(ids, ",") != "a1,a2" {
		t.Errorf("evidence %v, want a1,a2", ids)
	}
	// explain runs the sequence too, and says it alerts.
	ex, err := Explain(context.Background(), c, []string{f}, ExplainOptions{HuntOptions: HuntOptions{Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if v := ex.Verdict(); !strings.Contains(v, "alert") {
		t.Errorf("explain verdict %q", v)
	}
}
