package ruleset

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
)

// ct writes one CloudTrail record: its id (eventID), minute past 10:00,
// event name, source IP, user name, and extra JSON members.
func ct(id string, minute int, name, ip, user, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Sprintf(`{"eventVersion":"1.09","eventTime":"2026-11-21T%02d:%02d:00Z","eventSource":"s3.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"aws-cli/2","eventID":%q,"recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":%q,"arn":"arn:aws:iam::123456789012:user/%s","accountId":"123456789012"}%s}`,
		10+minute/60, minute%60, name, ip, id, user, user, extra)
}

const (
	failed = `"errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}`
	ok     = `"responseElements":{"ConsoleLogin":"Success"}`
)

// bytesOut is an S3 data event's size.
func bytesOut(n int) string {
	return fmt.Sprintf(`"additionalEventData":{"bytesTransferredOut":%d}`, n)
}

// The rules the correlations name live in a file of their own; the
// correlations name them by name (in another file) and by id.
const sigmaBaseRules = `title: Failed console login
id: 2f6a7c1e-0000-4000-8000-000000000001
name: login_fail
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Failure
  condition: sel
---
title: Console login
id: 2f6a7c1e-0000-4000-8000-000000000002
name: login_ok
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Success
  condition: sel
---
title: S3 object read
id: 2f6a7c1e-0000-4000-8000-000000000003
name: get_object
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetObject}
  condition: sel
---
title: Access key created
id: 2f6a7c1e-0000-4000-8000-000000000004
name: create_key
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: CreateAccessKey}
  condition: sel
`

func corrDoc(id, title, body string) string {
	return fmt.Sprintf("title: %s\nid: %s\nlevel: high\ntags: [attack.t1110]\ncorrelation:\n%s", title, id, body)
}

var sigmaCorrelations = strings.Join([]string{
	// event_count (spec "Event Count"): four failures from one address
	// in 10 minutes; .2 fails three times.
	corrDoc("c-event-count", "Failed logins from one address", "  type: event_count\n  rules: [login_fail]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 4}\n"),
	// value_count ("Value Count"): three users tried from one address;
	// .4 tries three times but two users.
	corrDoc("c-value-count", "Password spraying", "  type: value_count\n  rules: [2f6a7c1e-0000-4000-8000-000000000001]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {field: userIdentity.userName, gte: 3}\n"),
	// value_sum, value_avg, value_percentile (spec 2.1): mallory reads
	// 600000 + 700000 bytes, trent 400000 + 500000.
	corrDoc("c-value-sum", "Large S3 reads", "  type: value_sum\n  rules: [get_object]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {field: additionalEventData.bytesTransferredOut, gt: 1000000}\n"),
	corrDoc("c-value-avg", "Large S3 reads on average", "  type: value_avg\n  rules: [get_object]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {field: additionalEventData.bytesTransferredOut, gte: 550000}\n"),
	corrDoc("c-value-percentile", "Large median S3 read", "  type: value_percentile\n  rules: [get_object]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {field: additionalEventData.bytesTransferredOut, percentile: 50, gte: 650000}\n"),
	// temporal ("Temporal Proximity", with "Field Name Aliases"): a key
	// made for a user who then logs in; trent's key, victor's login do
	// not meet.
	corrDoc("c-temporal", "Key created for a user who logs in", "  type: temporal\n  rules: [create_key, login_ok]\n  group-by: [user]\n  timespan: 10m\n  aliases:\n    user:\n      create_key: requestParameters.userName\n      login_ok: userIdentity.userName\n"),
	// temporal_ordered ("Ordered Temporal Proximity"): a failure then a
	// success from .7; .8 succeeds first, then fails.
	corrDoc("c-ordered", "Failed then successful login", "  type: temporal_ordered\n  rules: [login_fail, login_ok]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n"),
}, "---\n")

var sigmaEvents = []string{
	// event_count
	ct("ec0", 0, "ConsoleLogin", "198.51.100.1", "alice", failed),
	ct("ec1", 1, "ConsoleLogin", "198.51.100.1", "alice", failed),
	ct("ec2", 2, "ConsoleLogin", "198.51.100.1", "alice", failed),
	ct("ec3", 3, "ConsoleLogin", "198.51.100.1", "alice", failed),
	ct("ec4", 1, "ConsoleLogin", "198.51.100.2", "bob", failed),
	ct("ec5", 2, "ConsoleLogin", "198.51.100.2", "bob", failed),
	ct("ec6", 3, "ConsoleLogin", "198.51.100.2", "bob", failed),
	// value_count
	ct("vc1", 11, "ConsoleLogin", "198.51.100.3", "u1", failed),
	ct("vc2", 12, "ConsoleLogin", "198.51.100.3", "u2", failed),
	ct("vc3", 13, "ConsoleLogin", "198.51.100.3", "u3", failed),
	ct("vc4", 11, "ConsoleLogin", "198.51.100.4", "u1", failed),
	ct("vc5", 12, "ConsoleLogin", "198.51.100.4", "u1", failed),
	ct("vc6", 13, "ConsoleLogin", "198.51.100.4", "u2", failed),
	// value_sum, value_avg, value_percentile
	ct("vs1", 21, "GetObject", "203.0.113.1", "mallory", bytesOut(600000)),
	ct("vs2", 22, "GetObject", "203.0.113.1", "mallory", bytesOut(700000)),
	ct("vs3", 21, "GetObject", "203.0.113.2", "trent", bytesOut(400000)),
	ct("vs4", 22, "GetObject", "203.0.113.2", "trent", bytesOut(500000)),
	// temporal
	ct("tp1", 31, "CreateAccessKey", "203.0.113.9", "admin", `"requestParameters":{"userName":"mallory"}`),
	ct("tp2", 33, "ConsoleLogin", "203.0.113.3", "mallory", ok),
	ct("tp3", 31, "CreateAccessKey", "203.0.113.9", "admin", `"requestParameters":{"userName":"trent"}`),
	ct("tp4", 33, "ConsoleLogin", "203.0.113.4", "victor", ok),
	// temporal_ordered
	ct("to1", 41, "ConsoleLogin", "198.51.100.7", "carol", failed),
	ct("to2", 42, "ConsoleLogin", "198.51.100.7", "carol", ok),
	ct("to3", 41, "ConsoleLogin", "198.51.100.8", "dave", ok),
	ct("to4", 42, "ConsoleLogin", "198.51.100.8", "dave", failed),
}

func hunt(t *testing.T, set *Set, events []string) []*alert.Alert {
	t.Helper()
	dir := t.TempDir()
	sort.SliceStable(events, func(i, j int) bool { return eventTime(events[i]) < eventTime(events[j]) })
	data := write(t, dir, "events.json", strings.Join(events, "\n")+"\n")
	rep, err := engine.Hunt(context.Background(), set.Runnable(), []string{data}, engine.HuntOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read.Bad > 0 {
		t.Fatalf("%d bad records: %v", rep.Read.Bad, rep.Read.BadSamples)
	}
	return rep.Alerts
}

func eventTime(rec string) string {
	var v struct{ EventTime string }
	_ = json.Unmarshal([]byte(rec), &v)
	return v.EventTime
}

// render prints an alert as rule id, group values and evidence ids.
func render(a *alert.Alert) string {
	var g, ids []string
	for _, f := range a.Group {
		g = append(g, f.Name+"="+string(f.Value.AppendJSON(nil)))
	}
	for _, e := range a.Evidence {
		ids = append(ids, e.EventID)
	}
	sort.Strings(ids)
	return fmt.Sprintf("%s {%s} [%s]", a.Rule.ID, strings.Join(g, " "), strings.Join(ids, " "))
}

// TestSigmaCorrelationsHunt runs each correlation type through the
// loader and hunt: the group that meets the condition alerts once, with
// the correlation's title, level and tags, its group-by values and the
// matched events as evidence; each near miss raises nothing; the rules
// the correlations name raise nothing of their own.
func TestSigmaCorrelationsHunt(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "base.yml", sigmaBaseRules)
	write(t, dir, "correlations.yml", sigmaCorrelations)
	set, err := Load(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range set.States() {
		switch {
		case st.Status == StatusError:
			t.Errorf("%s: %s\n%s", st.Location(), st.Message, st.Detail)
		case strings.HasPrefix(st.ID, "2f6a7c1e") && (st.Status != StatusSkipped || !strings.Contains(st.Message, "raises no alerts of its own")):
			t.Errorf("%s (%s) is named by correlations without generate, yet: %s %s", st.ID, st.Name, st.Status, st.Message)
		}
	}
	var got []string
	for _, a := range hunt(t, set, slices.Clone(sigmaEvents)) {
		got = append(got, render(a))
		if a.Rule.Severity != "high" || !slices.Contains(a.Rule.Tags, "attack.t1110") || a.Rule.Language != "sigma" {
			t.Errorf("%s: rule %+v", a.Rule.ID, a.Rule)
		}
	}
	sort.Strings(got)
	want := []string{
		`c-event-count {sourceIPAddress="198.51.100.1"} [ec0 ec1 ec2 ec3]`,
		`c-ordered {sourceIPAddress="198.51.100.7"} [to1 to2]`,
		`c-temporal {user="mallory"} [tp1 tp2]`,
		`c-value-avg {userIdentity.arn="arn:aws:iam::123456789012:user/mallory"} [vs1 vs2]`,
		`c-value-count {sourceIPAddress="198.51.100.3"} [vc1 vc2 vc3]`,
		`c-value-percentile {userIdentity.arn="arn:aws:iam::123456789012:user/mallory"} [vs1 vs2]`,
		`c-value-sum {userIdentity.arn="arn:aws:iam::123456789012:user/mallory"} [vs1 vs2]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestSigmaGenerate: "generate: true" keeps the named rules alerting on
// their own beside the correlation.
func TestSigmaGenerate(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "base.yml", sigmaBaseRules)
	write(t, dir, "c.yml", corrDoc("c-gen", "Failed logins", "  type: event_count\n  rules: [login_fail]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 4}\n")+"generate: true\n")
	set, err := Load(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, a := range hunt(t, set, slices.Clone(sigmaEvents[:4])) {
		n[a.Rule.ID]++
	}
	if n["c-gen"] != 1 || n["2f6a7c1e-0000-4000-8000-000000000001"] != 4 {
		t.Errorf("alerts by rule %v: want the correlation once and each of the 4 failures", n)
	}
}

// TestSigmaMissingReference: a correlation naming a rule the set lacks is
// an error at the reference; the other rules load and run.
func TestSigmaMissingReference(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "base.yml", sigmaBaseRules)
	f := write(t, dir, "c.yml", corrDoc("c-bad", "Bad", "  type: temporal\n  rules: [login_ok, nobody]\n  group-by: [x]\n  timespan: 10m\n"))
	set, err := Load(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := set.Find("c-bad")
	if err != nil {
		t.Fatal(err)
	}
	st := set.State(c)
	if st.Status != StatusError || st.File != f || st.Line != 7 || st.Col != 21 || !strings.Contains(st.Message, `no rule of the set has id or name "nobody"`) {
		t.Errorf("state %+v", st)
	}
	// The correlation did not compile, so its rules still alert alone.
	if len(set.Runnable()) != 4 {
		t.Errorf("%d runnable rules, want the 4 base rules", len(set.Runnable()))
	}
}

// TestSigmaFilter: a filter takes a known automation role's events out of
// the rule it names, and only that rule (Sigma filters specification).
func TestSigmaFilter(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "rules.yml", `title: Bucket deleted
id: 3a000000-0000-4000-8000-000000000001
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: DeleteBucket}
  condition: sel
---
title: Bucket changed
id: 3a000000-0000-4000-8000-000000000002
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: [DeleteBucket, PutBucketPolicy]}
  condition: sel
`)
	write(t, dir, "mf_automation.yml", `title: Terraform automation
id: 3a000000-0000-4000-8000-0000000000ff
logsource: {product: aws, service: cloudtrail}
filter:
  rules: [3a000000-0000-4000-8000-000000000001]
  automation:
    userIdentity.arn|endswith: ':user/terraform'
  condition: automation
`)
	set, err := Load(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, st := range set.States() {
		states = append(states, fmt.Sprintf("%s %s %v %s", st.ID, st.Status, st.Filters, st.Message))
	}
	wantStates := []string{
		"3a000000-0000-4000-8000-0000000000ff skipped [] Sigma filter: applies to 1 rule (3a000000-0000-4000-8000-000000000001)",
		"3a000000-0000-4000-8000-000000000001 ok [3a000000-0000-4000-8000-0000000000ff] ",
		"3a000000-0000-4000-8000-000000000002 ok [] ",
	}
	if strings.Join(states, "\n") != strings.Join(wantStates, "\n") {
		t.Errorf("states\n  %s\nwant\n  %s", strings.Join(states, "\n  "), strings.Join(wantStates, "\n  "))
	}
	var got []string
	for _, a := range hunt(t, set, []string{
		ct("f1", 1, "DeleteBucket", "203.0.113.1", "terraform", ""),
		ct("f2", 2, "DeleteBucket", "203.0.113.2", "alice", ""),
	}) {
		got = append(got, render(a))
	}
	sort.Strings(got)
	want := []string{
		"3a000000-0000-4000-8000-000000000001 {} [f2]",
		"3a000000-0000-4000-8000-000000000002 {} [f1]",
		"3a000000-0000-4000-8000-000000000002 {} [f2]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestSigmaPlaceholdersFile reads a placeholders file; the corpus rule
// that needs one loads with it.
func TestSigmaPlaceholdersFile(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "p.yml", "Legitimate_Countries: [US, DE]\n'%Legitimate_IP_Ranges%': 203.0.113.0/24\n")
	p, err := LoadPlaceholders(f)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p) != "map[Legitimate_Countries:[US DE] Legitimate_IP_Ranges:[203.0.113.0/24]]" {
		t.Errorf("placeholders %v", p)
	}
	if _, err := LoadPlaceholders(write(t, dir, "bad.yml", "x: {a: b}\n")); err == nil || !strings.Contains(err.Error(), "x: want a list") {
		t.Errorf("bad file: %v", err)
	}
}
