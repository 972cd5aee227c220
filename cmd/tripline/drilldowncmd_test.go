package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/archive"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/service"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/rules"
)

const splunkSeedID = "e84b3c74-f742-11ee-9f6e-acde48001122"

var drillEnd = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// drilldownStore writes a data directory whose store holds one alert of
// the Splunk seed rule on the user bob, with its drilldowns filled, and
// risk events of bob (two rules this week, one older) and of alice.
func drilldownStore(t *testing.T) (data string, st store.Store) {
	t.Helper()
	rs, probs := rule.LoadFS(rules.FS, ".")
	if len(probs) > 0 {
		t.Fatalf("built-in rules: %v", probs)
	}
	var seed *rule.Rule
	for _, r := range rs {
		if r.ID == splunkSeedID {
			seed = r
		}
	}
	if seed == nil {
		t.Fatal("the Splunk seed is not in the built-in pack")
	}
	a := &alert.Alert{ID: "al-1", Rule: alert.NewRuleRef(seed), Timestamp: drillEnd,
		Window:    alert.Window{Start: drillEnd.Add(-time.Hour), End: drillEnd},
		Group:     alert.Fields{{Name: "user", Value: event.StringValue("bob")}},
		Row:       alert.Fields{{Name: "user", Value: event.StringValue("bob")}, {Name: "count", Value: event.LongValue(10)}},
		FirstSeen: drillEnd.Add(-50 * time.Minute), LastSeen: drillEnd.Add(-40 * time.Minute), EventCount: 10}
	a.Drilldowns = alert.Drilldowns(seed, a)
	data = t.TempDir()
	st, err := store.OpenSQLite(filepath.Join(data, "tripline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	risk := func(ago time.Duration, entity, ruleName, alertID string) store.RiskEvent {
		return store.RiskEvent{Time: drillEnd.Add(-ago), Entity: entity, EntityType: "user", Score: 40,
			AlertID: alertID, RuleName: ruleName, Message: ruleName + " by " + entity, Tactics: []string{"TA0007"}}
	}
	ctx := context.Background()
	if err := st.Upsert(ctx, []*alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRisk(ctx, []store.RiskEvent{
		risk(0, "bob", seed.Name, "al-1"), risk(48*time.Hour, "Bob", "Model Discovery", "al-0"),
		risk(300*time.Hour, "bob", "Old Rule", "al-old"), risk(time.Hour, "alice", "Model Discovery", "al-2"),
	}); err != nil {
		t.Fatal(err)
	}
	return data, st
}

// listDenials writes CloudTrail records of ten denied ListFoundationModels
// calls by each of bob and carol.
func listDenials(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, user := range []string{"bob", "carol"} {
		for i := range 10 {
			fmt.Fprintf(&b, `{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels",`+
				`"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2","errorCode":"AccessDenied",`+
				`"errorMessage":"denied","eventID":"%s-%d","userIdentity":{"type":"IAMUser","userName":%q,"accountId":"111122223333",`+
				`"arn":"arn:aws:iam::111122223333:user/%s"},"recipientAccountId":"111122223333"}`+"\n",
				drillEnd.Add(-50*time.Minute+time.Duration(i)*time.Minute).Format(time.RFC3339), user, i, user, user)
		}
	}
	path := filepath.Join(t.TempDir(), "ct.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAlertsDrilldown(t *testing.T) {
	data, _ := drilldownStore(t)
	logs := listDenials(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact when it starts with "{", else a substring
		stderr string
	}{
		{name: "list", args: []string{"al-1"}, code: exitOK,
			stdout: "2  View risk events for the last 7 days for - \"bob\"\n   (searches the risk events in the alert store)\n   | from datamodel Risk.All_Risk | search normalized_risk_object IN (\"bob\") starthoursago=168"},
		{name: "list shows the log drilldown", args: []string{"al-1"}, code: exitOK,
			stdout: "1  View the detection results for - \"bob\"\n   (searches logs: run with --logs PATH)\n   `cloudtrail` eventSource="},
		{name: "risk drilldown", args: []string{"--format", "ndjson", "al-1", "2"}, code: exitOK,
			stdout: `{"normalized_risk_object":"bob","count":2,"firstTime":"2026-11-19T09:00:00","lastTime":"2026-11-21T09:00:00",` +
				`"Search Name":["AWS Bedrock High Number List Foundation Model Failures","Model Discovery"],` +
				`"Risk Message":["AWS Bedrock High Number List Foundation Model Failures by bob","Model Discovery by Bob"],` +
				`"Analytic Stories":null,"Annotations":"Discovery","ATT&CK Tactics":"Discovery"}` + "\n",
			stderr: "searched at 2026-11-21T09:00:00Z"},
		{name: "risk drilldown at the wall clock finds nothing this week", args: []string{"--format", "ndjson", "--now", "2027-01-01T00:00:00Z", "al-1", "2"},
			code: exitOK, stderr: "0 rows"},
		{name: "risk drilldown table", args: []string{"--format", "table", "al-1", "2"}, code: exitOK, stdout: "normalized_risk_object  count  firstTime"},
		{name: "log drilldown needs logs", args: []string{"al-1", "1"}, code: exitUsage, stderr: "give the logs with --logs PATH (its window is 2026-11-21T08:00:00Z to 2026-11-21T09:00:00Z)"},
		{name: "log drilldown", args: []string{"--format", "ndjson", "--logs", logs, "al-1", "1"}, code: exitOK,
			stdout: `"user":"bob"`, stderr: "searched 20 records"},
		{name: "no such drilldown", args: []string{"al-1", "3"}, code: exitError, stderr: "has 2 drilldowns, not 3"},
		{name: "bad number", args: []string{"al-1", "0"}, code: exitUsage, stderr: "must be 1 or more"},
		{name: "unknown alert", args: []string{"nope", "1"}, code: exitError, stderr: "cannot read alert nope"},
		{name: "bad now", args: []string{"--now", "soon", "al-1", "2"}, code: exitUsage, stderr: "--now wants"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"alerts", "drilldown", "--data", data}, c.args...)
			code, stdout, stderr := runCLI(t, "", args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout, stderr)
			}
			if strings.HasPrefix(c.stdout, "{") && stdout != c.stdout || !strings.Contains(stdout, c.stdout) {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, c.stdout)
			}
			if !strings.Contains(stderr, c.stderr) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr, c.stderr)
			}
		})
	}
	// The detection-results drilldown keeps only the alert's user.
	_, stdout, _ := runCLI(t, "", "alerts", "drilldown", "--data", data, "--format", "ndjson", "--logs", logs, "al-1", "1")
	var row map[string]any
	if err := json.Unmarshal([]byte(stdout), &row); err != nil {
		t.Fatalf("log drilldown gave %q, want one row: %v", stdout, err)
	}
	if row["user"] != "bob" || row["count"] != float64(10) {
		t.Errorf("log drilldown row %v, want bob with count 10", row)
	}
}

func TestDrilldownFunc(t *testing.T) {
	_, st := drilldownStore(t)
	run := service.DrilldownFunc(st, nil, nil)
	res, err := run(context.Background(), "al-1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].Get("count").String() != "2" || res.Columns[0] != "normalized_risk_object" ||
		!strings.HasPrefix(res.Search, "| from datamodel Risk.All_Risk") {
		t.Errorf("risk drilldown result %+v", res)
	}
	cases := []struct {
		id      string
		n       int
		wantErr error
	}{
		{"al-1", 1, server.ErrCannotRun},
		{"al-1", 3, store.ErrNotFound},
		{"nope", 1, store.ErrNotFound},
	}
	for _, c := range cases {
		if _, err := run(context.Background(), c.id, c.n); !errors.Is(err, c.wantErr) {
			t.Errorf("%s %d: err %v, want %v", c.id, c.n, err, c.wantErr)
		}
	}

	// With an archive, a log drilldown reads the sources of its range:
	// the seed's runs over the alert's window ($info_min_time$ to
	// $info_max_time$), which holds bob's ten denials and not the
	// records outside it.
	logs := listDenials(t)
	outside := filepath.Join(t.TempDir(), "later.json")
	os.WriteFile(outside, []byte(`{"eventVersion":"1.09","eventTime":"2026-11-21T12:00:00Z","eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels","awsRegion":"us-east-1","errorCode":"AccessDenied","eventID":"late-1","userIdentity":{"type":"IAMUser","userName":"bob","accountId":"111122223333"},"recipientAccountId":"111122223333"}`+"\n"), 0o644)
	var asked []time.Time
	sources := func(from, to time.Time) []string {
		asked = append(asked, from, to)
		return []string{logs, outside} // an archive may name more than the range holds
	}
	res, err = service.DrilldownFunc(st, sources, nil)(context.Background(), "al-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || !asked[0].Equal(drillEnd.Add(-time.Hour)) || !asked[1].Equal(drillEnd) {
		t.Errorf("the archive was asked for %v, want the alert's window", asked)
	}
	if len(res.Rows) != 1 || res.Rows[0].Get("count").String() != "10" {
		t.Errorf("archived log drilldown rows %v, want bob's 10 denials", res.Rows)
	}
}

// After replaying old logs, "--since 24h" finds nothing: the output says
// that older alerts and risk exist and how to see them.
func TestSinceSaysWhatIsOlder(t *testing.T) {
	data, _ := drilldownStore(t)
	code, stdout, stderr := runCLI(t, "", "alerts", "list", "--data", data, "--since", "24h", "--format", "ndjson")
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "older alerts exist, the newest at 2026-11-21T09:00:00Z: see them with --since 2026-11-20T09:00:00Z") {
		t.Errorf("alerts list: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "alerts", "list", "--data", data, "--since", "2026-11-20T09:00:00Z", "--format", "ndjson")
	if code != exitOK || !strings.Contains(stdout, `"id":"al-1"`) {
		t.Errorf("the suggested --since does not show the alert: exit %d %s", code, stdout)
	}
	code, _, stderr = runCLI(t, "", "risk", "--data", data, "--since", "24h")
	if code != exitOK || !strings.Contains(stderr, "the store holds older risk") {
		t.Errorf("risk: exit %d %s", code, stderr)
	}
}

// With serve's event archive in --data, a log drilldown needs no --logs:
// it reads the archived sources of its range.
func TestAlertsDrilldownFromTheArchive(t *testing.T) {
	data, _ := drilldownStore(t)
	logs := listDenials(t)
	a, err := archive.Open(filepath.Join(data, "archive"), 0)
	if err != nil {
		t.Fatal(err)
	}
	a.Seen(logs, drillEnd.Add(-50*time.Minute), drillEnd.Add(-41*time.Minute), 20)
	a.Seen("s3://trail/AWSLogs/elsewhere.json.gz", drillEnd.Add(-30*time.Minute), drillEnd, 5)
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "alerts", "drilldown", "--data", data, "--format", "ndjson", "al-1", "1")
	if code != exitOK || !strings.Contains(stdout, `"user":"bob"`) || !strings.Contains(stdout, `"count":10`) {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "1 archived S3 objects of the range are not read here") || !strings.Contains(stderr, "archived sources from 2026-11-21T08:00:00Z") {
		t.Errorf("stderr does not say what was searched:\n%s", stderr)
	}
}

// query without log paths searches serve's archive in --data, reading only
// the events between --from and --to.
func TestQueryTheArchive(t *testing.T) {
	data := t.TempDir()
	logs := listDenials(t) // bob and carol, ten each, from 08:10 to 08:19
	a, err := archive.Open(filepath.Join(data, "archive"), 0)
	if err != nil {
		t.Fatal(err)
	}
	a.Seen(logs, drillEnd.Add(-50*time.Minute), drillEnd.Add(-41*time.Minute), 20)
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	q := "from logs-aws.cloudtrail-* | stats n = count(*)"
	code, stdout, stderr := runCLI(t, "", "query", "--data", data, "--format", "ndjson",
		"--from", "2026-11-21T08:10:00Z", "--to", "2026-11-21T08:14:00Z", q)
	if code != exitOK || strings.TrimSpace(stdout) != `{"n":10}` {
		t.Errorf("five minutes of two callers: exit %d, %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "query", "--data", data, "--format", "ndjson", "--from", "2026-11-22T00:00:00Z", "--to", "2026-11-23T00:00:00Z", q)
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "holds no source with events in that range") {
		t.Errorf("a range with nothing: exit %d, %q %s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "", "query", q)
	if code != exitUsage || !strings.Contains(stderr, "or --data to search") {
		t.Errorf("no paths, no --data: exit %d %s", code, stderr)
	}
}

// A file the archive knows in pieces is searched by the piece of the
// range alone: the other hours' bytes are not even read.
func TestQueryReadsOnlyTheRangeOfAGrowingFile(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(t.TempDir(), "growing.json")
	var early, late strings.Builder
	for i := range 5 {
		for _, p := range []struct {
			b  *strings.Builder
			at time.Time
		}{{&early, drillEnd.Add(-time.Hour)}, {&late, drillEnd.Add(2 * time.Hour)}} {
			fmt.Fprintf(p.b, `{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels","awsRegion":"us-east-1","eventID":"%d-%d","userIdentity":{"type":"IAMUser","userName":"bob","accountId":"1"},"recipientAccountId":"1"}`+"\n",
				p.at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), p.at.Hour(), i)
		}
	}
	if err := os.WriteFile(path, []byte(early.String()+late.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(data, "archive"), 0)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(early.Len())
	a.SeenRange(path, 0, n, drillEnd.Add(-time.Hour), drillEnd.Add(-time.Hour+4*time.Minute), 5)
	a.SeenRange(path, n, int64(late.Len()), drillEnd.Add(2*time.Hour), drillEnd.Add(2*time.Hour+4*time.Minute), 5)
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "query", "--data", data, "--format", "ndjson",
		"--from", drillEnd.Add(90*time.Minute).Format(time.RFC3339), "--to", drillEnd.Add(3*time.Hour).Format(time.RFC3339),
		"from logs-aws.cloudtrail-* | stats n = count(*)")
	if code != exitOK || strings.TrimSpace(stdout) != `{"n":5}` || !strings.Contains(stderr, "from 5 records") {
		t.Errorf("exit %d, %s%s; want the five later records, read alone", code, stdout, stderr)
	}
}
