package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/rule"
)

// corpusRule loads one of Elastic's own rules from the shared corpus, as
// published; the test is skipped where the corpus is not checked out.
func corpusRule(t *testing.T, name string) *Compiled {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "corpus", "elastic", "aws", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the rule corpus is not here (%v)", err)
	}
	rules, probs := rule.Load([]string{path})
	if len(probs) > 0 || len(rules) != 1 {
		t.Fatalf("load %s: %d rules, problems %v", name, len(rules), probs)
	}
	c := Compile(rules[0], nil)
	if !c.Runnable() {
		t.Fatalf("%s does not run: %v", name, c.Err)
	}
	return c
}

func s3Get(at time.Time, id, ip, key, identity string) string {
	b, _ := json.Marshal(map[string]any{
		"eventVersion": "1.09", "eventTime": at.Format(time.RFC3339), "eventSource": "s3.amazonaws.com",
		"eventName": "GetObject", "awsRegion": "eu-west-1", "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0",
		"eventID": id, "recipientAccountId": "123456789012",
		"userIdentity":      map[string]any{"type": identity, "userName": "u", "accountId": "123456789012"},
		"requestParameters": map[string]any{"bucketName": "b", "key": key},
	})
	return string(b)
}

// Elastic's "Sensitive Credential Files Accessed via S3" (a KQL query rule
// with alert_suppression by source.ip and cloud.account.id for 5 m) runs
// as published: reads of credential files from one address within the
// duration are one alert; an AWS service's reads and other keys none.
func TestCorpusKQLQueryRule(t *testing.T) {
	c := corpusRule(t, "aws_credential_access_credentials_in_s3_bucket.toml")
	at := time.Date(2026, 11, 21, 10, 0, 30, 0, time.UTC)
	lines := []string{
		s3Get(at, "c1", "192.0.2.1", "home/alice/.aws/credentials", "IAMUser"),
		s3Get(at.Add(time.Minute), "c2", "192.0.2.1", "deploy/id_rsa", "IAMUser"),
		s3Get(at.Add(2*time.Minute), "c3", "192.0.2.9", "reports/q3.pdf", "IAMUser"),
		s3Get(at.Add(3*time.Minute), "c4", "192.0.2.8", "x/.env", "AWSService"),
		s3Get(at.Add(30*time.Minute), "c5", "192.0.2.1", "y/server.pem", "IAMUser"),
	}
	path := filepath.Join(t.TempDir(), "s3.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Hunt(context.Background(), []*Compiled{c}, []string{path}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range rep.Alerts {
		var ids []string
		for _, e := range a.Evidence {
			ids = append(ids, e.EventID)
		}
		got = append(got, fmt.Sprintf("%s %v", a.Group, ids))
	}
	// c1 and c2 fall within 5 m of each other; c5, 30 m later, is a new alert.
	if len(got) != 2 || !strings.Contains(got[0], "[c1 c2]") || !strings.Contains(got[1], "[c5]") {
		t.Errorf("alerts:\n  %s\nwant one for c1 and c2, one for c5", strings.Join(got, "\n  "))
	}
}
