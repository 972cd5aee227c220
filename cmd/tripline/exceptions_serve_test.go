package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// proofRules are an aggregating rule, whose callers are a result column
// only (caller), and a per-event rule that keeps no user agent.
const proofRules = `id: denials
name: Denied callers
language: esql
query: |-
  from logs-aws_bedrock.invocation-*
  | where gen_ai.response.error_code == "AccessDeniedException"
  | stats denials = count(*) by caller = user.id
  | where denials >= 3
schedule: {interval: 10m, lookback: 1h}
severity: high
risk_score: 50
---
id: guardrail-deleted
name: Guardrail deleted
language: esql
query: |-
  from logs-aws.cloudtrail-*
  | where event.provider == "bedrock.amazonaws.com" and event.action == "DeleteGuardrail"
  | keep @timestamp, user.name, source.ip
schedule: {interval: 10m, lookback: 1h}
severity: high
risk_score: 50
`

// proofLogs are two callers denied three times each, two guardrail
// deletions (by Terraform and by hand), and quiet traffic after them that
// moves event time on, so that their windows close.
func proofLogs(t *testing.T, dir string) {
	t.Helper()
	at := time.Date(2026, 10, 3, 10, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i, user := range []string{"ci", "ci", "ci", "eve", "eve", "eve"} {
		fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/%s"},"region":"us-east-1","requestId":"d%d","operation":"InvokeModel","modelId":"m","errorCode":"AccessDeniedException"}`+"\n",
			at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), user, i)
	}
	for i, agent := range []string{"Terraform/1.9.0", "aws-cli/2.15"} {
		fmt.Fprintf(&b, `{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":"DeleteGuardrail","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.%d","userAgent":%q,"eventID":"g%d","userIdentity":{"type":"IAMUser","userName":"ops","accountId":"111122223333"},"recipientAccountId":"111122223333"}`+"\n",
			at.Add(time.Duration(10+i)*time.Minute).Format(time.RFC3339), i+1, agent, i)
	}
	for i := 0; i < 40; i++ {
		when := at.Add(time.Duration(15+i*5) * time.Minute).Format(time.RFC3339)
		fmt.Fprintf(&b, `{"eventVersion":"1.09","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"boto3","eventID":"q%d","userIdentity":{"type":"IAMUser","userName":"svc","accountId":"111122223333"},"recipientAccountId":"111122223333"}`+"\n", when, i)
		fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/app"},"region":"us-east-1","requestId":"ok%d","operation":"InvokeModel","modelId":"m"}`+"\n", when, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "logs.json"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// raised lists the alerts serve stored, as "rule subject".
func (p *serveProc) raised(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + "/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Alerts []struct {
			Rule  struct{ ID string } `json:"rule"`
			Group map[string]any      `json:"group"`
			Row   map[string]any      `json:"row"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range body.Alerts {
		subject := a.Group["caller"]
		if subject == nil {
			subject = a.Row["source.ip"]
		}
		out = append(out, a.Rule.ID+" "+fmt.Sprint(subject))
	}
	sort.Strings(out)
	return out
}

func (p *serveProc) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post("http://"+p.addr+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// The proof at the level of serve: exceptions added through the
// API while serve runs judge the events that come after. One on a result
// column of an aggregating rule and one on an event field of a per-event
// rule each stop the alert they target and no other; an expired one stops
// nothing; exported, imported into another store, and applied by another
// serve, they give the same alerts.
func TestServeAppliesStoredExceptions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs serve")
	}
	bin := buildBinary(t)
	root := t.TempDir()
	rules := filepath.Join(root, "rules")
	os.MkdirAll(rules, 0o755)
	if err := os.WriteFile(filepath.Join(rules, "proof.yaml"), []byte(proofRules), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(data string, add func(p *serveProc)) []string {
		watch := filepath.Join(data, "in")
		os.MkdirAll(watch, 0o755)
		p := startServeWith(t, bin, data, watch, "--rules", rules, "--no-builtin")
		if add != nil {
			add(p)
		}
		proofLogs(t, watch)
		p.waitStable(88)
		deadline := time.Now().Add(30 * time.Second)
		var got []string
		for time.Now().Before(deadline) {
			if got = p.raised(t); len(got) >= 2 {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		p.stop()
		return got
	}
	all := []string{"denials arn:aws:iam::111122223333:user/ci", "denials arn:aws:iam::111122223333:user/eve",
		"guardrail-deleted 192.0.2.1", "guardrail-deleted 192.0.2.2"}
	if got := run(filepath.Join(root, "plain"), nil); strings.Join(got, "\n") != strings.Join(all, "\n") {
		t.Fatalf("without exceptions:\n%s", strings.Join(got, "\n"))
	}

	want := []string{all[1], all[3]}
	data := filepath.Join(root, "tuned")
	got := run(data, func(p *serveProc) {
		for _, body := range []string{
			`{"rule":"denials","field":"caller","value":"arn:aws:iam::111122223333:user/ci","reason":"CI probes models on purpose","author":"ana"}`,
			`{"rule":"*","field":"user_agent.original","value":"Terraform/*","match":"wildcard","reason":"changes go through Terraform","author":"ben"}`,
			`{"rule":"denials","field":"caller","value":"arn:aws:iam::111122223333:user/eve","reason":"eve's week of testing","author":"ana","expires":"1s"}`,
		} {
			if code, resp := p.post(t, "/api/v1/exceptions", body); code != 201 {
				t.Fatalf("add exception: %d %s", code, resp)
			}
		}
		time.Sleep(1500 * time.Millisecond) // eve's has expired
	})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("with the stored exceptions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Exported, then imported into another serve's store.
	export := filepath.Join(root, "exceptions.yaml")
	if code, out, errs := runCLI(t, "", "exceptions", "export", "--data", data, "--out", export); code != exitOK {
		t.Fatalf("export: %d %s %s", code, out, errs)
	}
	text, _ := os.ReadFile(export)
	if n := strings.Count(string(text), "  - id: ex-"); n != 3 {
		t.Fatalf("exported %d exceptions:\n%s", n, text)
	}
	// Another serve's store, made by a run that read nothing yet.
	other := filepath.Join(root, "other")
	os.MkdirAll(filepath.Join(other, "in"), 0o755)
	startServeWith(t, bin, other, filepath.Join(other, "in"), "--rules", rules, "--no-builtin").stop()
	if code, out, errs := runCLI(t, "", "exceptions", "import", "--data", other, "--by", "ci", export); code != exitOK {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, "", "exceptions", "import", "--data", other, "--by", "ci", export); code != exitError ||
		strings.Count(errs, "is in the store already") != 3 {
		t.Errorf("a second import: exit %d\n%s", code, errs)
	}
	if got := run(other, nil); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("with the re-imported exceptions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
