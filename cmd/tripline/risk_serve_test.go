package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/testutil"
)

// TestServeRiskCorrelation runs security_content's "AWS S3 Exfiltration
// Behavior Identified", verbatim from the corpus, in serve: two detections
// put risk on alice within the hour (a bucket read, Collection; a snapshot
// share, Exfiltration), and the correlation over the risk index fires for
// her alone, across a restart; bob, with one detection, is the near miss.
func TestServeRiskCorrelation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	corr := filepath.Join(testutil.Shared(t, "corpus"), "splunk", "detections", "aws_s3_exfiltration_behavior_identified.yml")
	if _, err := os.Stat(corr); err != nil {
		t.Skipf("corpus file absent: %v", err)
	}
	rules := t.TempDir()
	detection := func(file, id, name, eventName, technique string, score int) {
		doc := fmt.Sprintf("name: %s\nid: %s\nversion: 1\nstatus: production\ntype: TTP\n"+
			"search: '`cloudtrail` eventName=%s | stats count by user_arn'\n"+
			"tags:\n  mitre_attack_id:\n  - %s\n  observable:\n  - name: user_arn\n    type: User\n    role:\n    - Victim\n  risk_score: %d\n",
			name, id, eventName, technique, score)
		if err := os.WriteFile(filepath.Join(rules, file), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	detection("read.yml", "11111111-1111-4111-8111-111111111111", "AWS Test Bucket Object Read", "GetObject", "T1530", 40)
	detection("share.yml", "22222222-2222-4222-8222-222222222222", "AWS Test Snapshot Shared", "ModifySnapshotAttribute", "T1537", 50)

	call := func(at time.Time, user, eventName, id string) string {
		return fmt.Sprintf(`{"eventVersion":"1.09","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"aws-cli/2.15.0","userIdentity":{"type":"IAMUser","userName":%q,"accountId":"111122223333","arn":"arn:aws:iam::111122223333:user/%s"},"eventID":%q,"recipientAccountId":"111122223333"}`,
			at.Format(time.RFC3339), eventName, user, user, id)
	}
	d := time.Date(2026, 10, 3, 8, 0, 0, 0, time.UTC)
	batches := [][]string{
		{call(d.Add(5*time.Minute), "alice", "GetObject", "e-1"), call(d.Add(6*time.Minute), "bob", "GetObject", "e-2"),
			call(d.Add(20*time.Minute), "alice", "ModifySnapshotAttribute", "e-3"),
			call(d.Add(75*time.Minute), "carol", "ListBuckets", "e-4")},
		{call(d.Add(12*time.Hour), "dave", "ListBuckets", "e-5")},
	}
	bin := buildBinary(t)
	data, watch := t.TempDir(), t.TempDir()
	for _, batch := range batches {
		p := startServeWith(t, bin, data, watch, "--rules", rules, "--rules", corr)
		resp, err := http.Post("http://"+p.addr+"/api/v1/ingest", "application/x-ndjson", strings.NewReader(strings.Join(batch, "\n")+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		p.waitStable(len(batch))
		p.stop()
	}
	out, err := exec.Command(bin, "alerts", "list", "--data", data, "--format", "ndjson").Output()
	if err != nil {
		t.Fatalf("alerts list: %v", err)
	}
	var corrAlerts []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var a struct {
			Rule struct{ Name string } `json:"rule"`
			Row  map[string]any        `json:"row"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		if a.Rule.Name == "AWS S3 Exfiltration Behavior Identified" {
			corrAlerts = append(corrAlerts, fmt.Sprint(a.Row["risk_object"]))
		}
	}
	if len(corrAlerts) != 1 || corrAlerts[0] != "arn:aws:iam::111122223333:user/alice" {
		t.Errorf("correlation alerts %q, want one for alice\n%s", corrAlerts, out)
	}
	risk, err := exec.Command(bin, "risk", "--data", data, "--since", "100000h", "--format", "json").Output()
	if err != nil {
		t.Fatalf("risk: %v", err)
	}
	if strings.Contains(string(risk), "Exfiltration Behavior") {
		t.Errorf("the correlation's alert added risk:\n%s", risk)
	}
}
