package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
)

// A new_terms rule's history survives a restart of serve: what was seen
// before the checkpoint is still history after it, so a term seen again
// does not alert, while a run started without that state (as if the
// history were lost) alerts on it.
func TestLiveNewTermsSurviveRestart(t *testing.T) {
	day := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	call := func(id string, at time.Time, user, action string) string {
		return fmt.Sprintf(`{"eventVersion":"1.09","eventTime":%q,"eventSource":"sts.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","eventID":%q,"recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":%q,"accountId":"123456789012"}}`,
			at.Format(time.RFC3339), action, id, user)
	}
	before := chunk("d1.json",
		call("e1", day.Add(time.Minute), "alice", "GetCallerIdentity"),
		call("e2", day.Add(3*time.Hour), "x", "ListUsers")) // moves the watermark
	after := chunk("d3.json",
		call("e3", day.Add(48*time.Hour+time.Minute), "alice", "GetCallerIdentity"),
		call("e4", day.Add(48*time.Hour+2*time.Minute), "carol", "GetCallerIdentity"),
		call("e5", day.Add(51*time.Hour), "x", "ListUsers"))
	newRule := func() []*Compiled {
		r := &rule.Rule{ID: "nt", Name: "first caller", Language: rule.LangKQL, Type: "new_terms",
			Query: "event.action: GetCallerIdentity", Indices: []string{"logs-aws.cloudtrail-*"},
			Interval: 5 * time.Minute, LookBack: 6 * time.Minute, Severity: "low", MaxAlerts: 100,
			NewTerms: &rule.NewTerms{Fields: []string{"user.name"}, History: 10 * 24 * time.Hour}}
		c := Compile(r, nil)
		if c.Err != nil {
			t.Fatal(c.Err)
		}
		return []*Compiled{c}
	}
	run := func(st store.Store, in Input, restore bool) { liveOnce(t, st, newRule(), in, restore) }
	users := func(st store.Store) string {
		as, err := st.List(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s@%s", a.Group.Get("user.name"), a.FirstSeen.Format("01-02")))
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}

	restarted := openTestStore(t)
	run(restarted, before, false)
	run(restarted, after, true)
	if got, want := users(restarted), `alice@11-21 carol@11-23`; got != want {
		t.Errorf("after a restart: alerts %s, want %s (alice is history)", got, want)
	}

	lost := openTestStore(t)
	run(lost, after, false)
	if got, want := users(lost), `alice@11-23 carol@11-23`; got != want {
		t.Errorf("without the history: alerts %s, want %s", got, want)
	}
}
