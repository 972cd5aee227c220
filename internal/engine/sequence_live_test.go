package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
)

// A partial EQL sequence survives a restart of serve: the first step seen
// before the checkpoint joins the second seen after it, and the alert's
// evidence is both events in order; a run started without that state
// raises nothing.
func TestLiveSequenceSurvivesRestart(t *testing.T) {
	day := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	call := func(id string, at time.Time, action, key string) string {
		return fmt.Sprintf(`{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","eventID":%q,"recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":"u","accountId":"123456789012","accessKeyId":%q}}`,
			at.Format(time.RFC3339), action, id, key)
	}
	before := chunk("d1.json", call("e1", day, "ListFoundationModels", "AKIA1"))
	after := chunk("d2.json",
		call("e2", day.Add(5*time.Minute), "InvokeModel", "AKIA1"),
		call("e3", day.Add(3*time.Hour), "ListUsers", "AKIA9")) // moves the watermark
	newRule := func() []*Compiled {
		r := &rule.Rule{ID: "seq", Name: "list then invoke", Language: rule.LangEQL,
			Query: `sequence by aws.cloudtrail.user_identity.access_key_id with maxspan=15m
  [any where event.action == "ListFoundationModels"]
  [any where event.action == "InvokeModel"]`,
			Indices: []string{"logs-aws.cloudtrail-*"}, Interval: 10 * time.Minute, LookBack: 30 * time.Minute,
			Severity: "high", MaxAlerts: 100}
		c := Compile(r, nil)
		if c.Err != nil {
			t.Fatal(c.Err)
		}
		return []*Compiled{c}
	}
	run := func(st store.Store, in Input, restore bool) { liveOnce(t, st, newRule(), in, restore) }
	alerts := func(st store.Store) string {
		as, err := st.List(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			var ids []string
			for _, e := range a.Evidence {
				ids = append(ids, e.EventID)
			}
			out = append(out, strings.Join(ids, ","))
		}
		return strings.Join(out, " ")
	}

	restarted := openTestStore(t)
	run(restarted, before, false)
	run(restarted, after, true)
	if got, want := alerts(restarted), "e1,e2"; got != want {
		t.Errorf("after a restart: alerts %q, want %q", got, want)
	}

	lost := openTestStore(t)
	run(lost, after, false)
	if got := alerts(lost); got != "" {
		t.Errorf("without the partial sequence: alerts %q, want none", got)
	}
}
