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

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
)

// s3ExfilCorrelation is security_content's "AWS S3 Exfiltration Behavior
// Identified" (v4), its search verbatim: an entity whose risk events come
// from two or more AWS detections and two or more ATT&CK tactics among
// Collection and Exfiltration, within one run of the search.
const s3ExfilCorrelation = `name: AWS S3 Exfiltration Behavior Identified
id: 85096389-a443-42df-b89d-200efbb1b560
version: 4
status: production
type: Correlation
search: '| tstats ` + "`security_content_summariesonly`" + ` min(_time) as firstTime max(_time) as lastTime sum(All_Risk.calculated_risk_score) as risk_score, count(All_Risk.calculated_risk_score) as risk_event_count, values(All_Risk.annotations.mitre_attack.mitre_tactic_id) as annotations.mitre_attack.mitre_tactic_id, dc(All_Risk.annotations.mitre_attack.mitre_tactic_id) as mitre_tactic_id_count, values(All_Risk.annotations.mitre_attack.mitre_technique_id) as annotations.mitre_attack.mitre_technique_id, dc(All_Risk.annotations.mitre_attack.mitre_technique_id) as mitre_technique_id_count, values(All_Risk.tag) as tag, values(source) as source, dc(source) as source_count values(All_Risk.risk_message) as risk_message  from datamodel=Risk.All_Risk where All_Risk.annotations.mitre_attack.mitre_tactic = "collection" OR All_Risk.annotations.mitre_attack.mitre_tactic = "exfiltration" source = *AWS*  by All_Risk.risk_object | ` + "`drop_dm_object_name(All_Risk)` | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)`" + ` | where source_count >= 2 and mitre_tactic_id_count>=2 | ` + "`aws_s3_exfiltration_behavior_identified_filter`" + `'
tags:
  analytic_story:
  - Data Exfiltration
  message: Multiple AWS Exfiltration detections $source$ and techniques $annotations.mitre_attack.mitre_tactic_id$ trigged for risk object $risk_object$
  mitre_attack_id:
  - T1537
  observable:
  - name: risk_object
    type: Hostname
    role:
    - Victim
  risk_score: 81
`

// riskDetection is a detection in security_content's form that alerts per
// user on one CloudTrail call and puts risk on the user.
func riskDetection(id, name, eventName, technique string, score int) string {
	return `name: ` + name + `
id: ` + id + `
version: 1
status: production
type: TTP
search: '` + "`cloudtrail`" + ` eventName=` + eventName + ` | stats count min(_time) as firstTime by user_arn'
tags:
  analytic_story:
  - Data Exfiltration
  message: User $user_arn$ called ` + eventName + `
  mitre_attack_id:
  - ` + technique + `
  observable:
  - name: user_arn
    type: User
    role:
    - Victim
  risk_score: ` + itoa(score) + `
`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// riskRuleSet loads the two detections and the correlation search.
func riskRuleSet(t *testing.T) []*Compiled {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"read.yml":  riskDetection("11111111-1111-4111-8111-111111111111", "AWS Test Bucket Object Read", "GetObject", "T1530", 40),
		"share.yml": riskDetection("22222222-2222-4222-8222-222222222222", "AWS Test Snapshot Shared", "ModifySnapshotAttribute", "T1537", 50),
		"corr.yml":  s3ExfilCorrelation,
	}
	for name, doc := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, probs := rule.Load([]string{dir})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	var out []*Compiled
	for _, r := range rs {
		c := Compile(r, nil)
		if c.Err != nil {
			t.Fatalf("rule %s does not compile: %s", r.Name, ErrorDetail(c.Err))
		}
		out = append(out, c)
	}
	return out
}

func ctCall(at time.Time, user, eventName, id string) string {
	b, _ := json.Marshal(map[string]any{
		"eventVersion": "1.09", "eventTime": at.Format(time.RFC3339), "eventSource": "s3.amazonaws.com",
		"eventName": eventName, "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.1", "userAgent": "aws-cli/2.15.0",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": user, "accountId": "111122223333",
			"arn": "arn:aws:iam::111122223333:user/" + user},
		"eventID": id, "recipientAccountId": "111122223333",
	})
	return string(b)
}

// riskStory is the input of the risk tests: alice reads a bucket object
// and shares a snapshot in the same hour (both detections put risk on
// her: the correlation fires); bob only reads (one detection: the near
// miss); carol reads, then shares six hours later, beyond the 60 minutes
// of risk one run of the correlation reads (the other near miss).
func riskStory() []string {
	d := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	return []string{
		ctCall(d.Add(5*time.Minute), "alice", "GetObject", "e-1"),
		ctCall(d.Add(6*time.Minute), "bob", "GetObject", "e-2"),
		ctCall(d.Add(7*time.Minute), "carol", "GetObject", "e-3"),
		ctCall(d.Add(20*time.Minute), "alice", "ModifySnapshotAttribute", "e-4"),
		ctCall(d.Add(6*time.Hour), "carol", "ModifySnapshotAttribute", "e-5"),
	}
}

const s3ExfilID = "85096389-a443-42df-b89d-200efbb1b560"

func checkCorrelation(t *testing.T, alerts []*alert.Alert) {
	t.Helper()
	corr := alertsOf(alerts, s3ExfilID)
	if len(corr) != 1 {
		for _, a := range alerts {
			t.Logf("%s %s %v", a.Rule.Name, a.Timestamp, a.Row)
		}
		t.Fatalf("correlation alerts %d, want 1 (alice)", len(corr))
	}
	a := corr[0]
	if got := a.Row.Get("risk_object").String(); got != "arn:aws:iam::111122223333:user/alice" {
		t.Errorf("risk_object %q, want alice's ARN", got)
	}
	for col, want := range map[string]string{"risk_score": "90", "source_count": "2", "mitre_tactic_id_count": "2",
		"annotations.mitre_attack.mitre_tactic_id": `["TA0009","TA0010"]`} {
		if got := string(a.Row.Get(col).AppendJSON(nil)); got != want {
			t.Errorf("%s = %s, want %s", col, got, want)
		}
	}
	// The detections' alerts are at 09:00 (the hourly run over 07:50 to
	// 08:50); the correlation's run at 10:00 reads 08:50 to 09:50.
	if want := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC); !a.Timestamp.Equal(want) {
		t.Errorf("correlation alert at %s, want %s", a.Timestamp, want)
	}
	if !strings.Contains(a.Reason, "alice") {
		t.Errorf("reason %q does not name alice", a.Reason)
	}
}

// A correlation search of the risk index runs, in a hunt, over the risk
// events of the other rules' alerts.
func TestHuntRiskCorrelation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(riskStory(), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rs := riskRuleSet(t)
	rep, err := Hunt(context.Background(), rs, []string{path}, HuntOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(alertsOf(rep.Alerts, "11111111-1111-4111-8111-111111111111")); n != 3 {
		t.Errorf("bucket read alerts %d, want 3", n)
	}
	checkCorrelation(t, rep.Alerts)
	for _, rr := range rep.Rules {
		if rr.Err != nil {
			t.Errorf("rule %s failed: %v", rr.Compiled.Rule.Name, rr.Err)
		}
	}

	// Risk records given as input count as well: the risk of bob's read
	// (from another run) and a share of his make him a second entity.
	var risk []byte
	for _, a := range alertsOf(rep.Alerts, "11111111-1111-4111-8111-111111111111") {
		if strings.Contains(a.Row.Get("user_arn").String(), "bob") {
			risk = RiskRecords(RiskEvents(rs[indexOfRule(rs, a.Rule.ID)].Rule, a))
		}
	}
	share := ctCall(time.Date(2026, 11, 21, 8, 30, 0, 0, time.UTC), "bob", "ModifySnapshotAttribute", "e-6")
	two := filepath.Join(t.TempDir(), "more.json")
	if err := os.WriteFile(two, append([]byte(share+"\n"), risk...), 0o644); err != nil {
		t.Fatal(err)
	}
	rs = riskRuleSet(t)
	rep, err = Hunt(context.Background(), rs, []string{two}, HuntOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if corr := alertsOf(rep.Alerts, s3ExfilID); len(corr) != 1 || !strings.Contains(corr[0].Row.Get("risk_object").String(), "bob") {
		t.Errorf("with bob's risk records given: %d correlation alerts, want 1 for bob", len(corr))
	}
}

func indexOfRule(rs []*Compiled, id string) int {
	for i, c := range rs {
		if c.Rule.ID == id {
			return i
		}
	}
	return -1
}

// In serve, each risk event is fed to the correlation as it is stored;
// the correlation's state survives a restart from a checkpoint taken
// after the risk came and before the correlation's run, and its alerts
// add no risk.
func TestLiveRiskCorrelation(t *testing.T) {
	story := riskStory()
	d := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	first := append(story[:4:4],
		// Moves the watermark past 09:00: the detections alert for
		// 07:50–08:50, and their risk reaches the correlation.
		ctCall(d.Add(75*time.Minute), "bob", "GetObject", "e-7"))
	second := []string{story[4], ctCall(d.Add(12*time.Hour), "dave", "ListBuckets", "e-8")}
	st := openTestStore(t)
	ctx := context.Background()
	run := func(lines []string, restore bool) *Live {
		l := NewLive(riskRuleSet(t), LiveOptions{Store: st, Now: far, CheckpointEvery: time.Hour})
		if restore {
			if err := l.Restore(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for i, line := range lines {
			l.process(ctx, item{in: chunk(fmt.Sprintf("c%d.json", i), line)})
		}
		if err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		return l
	}
	run(first, false)
	if as, _ := st.List(ctx, store.Filter{}); len(alertsOf(as, s3ExfilID)) != 0 {
		t.Fatal("the correlation ran before the risk of its window was complete")
	}
	run(second, true) // a new process, from the checkpoint
	as, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checkCorrelation(t, as)
	risk, err := st.RiskEvents(ctx, store.RiskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range risk {
		if e.RuleID == s3ExfilID {
			t.Errorf("the correlation's alert added risk: %+v", e)
		}
	}
}
