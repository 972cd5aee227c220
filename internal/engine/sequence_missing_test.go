package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
)

// listedNotInvoked is an EQL rule with a trailing missing-event step, the
// shape of Elasticsearch's "logon not followed by logoff" example: a key
// lists the foundation models and does not invoke one within maxspan.
func listedNotInvoked(t *testing.T, maxspan string) *Compiled {
	t.Helper()
	r := &rule.Rule{ID: "seq-missing", Name: "listed, never invoked", Language: rule.LangEQL,
		Query: `sequence by aws.cloudtrail.user_identity.access_key_id with maxspan=` + maxspan + `
  [any where event.action == "ListFoundationModels"]
  ![any where event.action == "InvokeModel"]`,
		Indices: []string{"logs-aws.cloudtrail-*"}, Interval: 10 * time.Minute, LookBack: 30 * time.Minute,
		Severity: "medium", MaxAlerts: 100}
	c := Compile(r, nil)
	if c.Err != nil || !c.Runnable() {
		t.Fatalf("compile: %v", c.Err)
	}
	return c
}

func bedrockCall(id string, at time.Time, action, key string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","eventID":%q,"recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":"u","accountId":"123456789012","accessKeyId":%q}}`,
		at.Format(time.RFC3339), action, id, key)
}

// evidenceOf lists each alert's evidence event IDs, sorted.
func evidenceOf(t *testing.T, as [][]string) string {
	var out []string
	for _, ids := range as {
		out = append(out, strings.Join(ids, ","))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Through hunt, evaluating as it reads and holding all state (as it does
// for input out of time order): a key that lists and never invokes alerts with the listing as
// its only evidence; one that invokes within the hour does not; another
// key's invocation does not stop it; a listing whose hour outlasts the
// data (and the 30-minute look-back) is decided at the end of the data.
func TestHuntSequenceMissing(t *testing.T) {
	day := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return day.Add(time.Duration(m) * time.Minute) }
	lines := []string{
		bedrockCall("k1-list", at(0), "ListFoundationModels", "AKIA1"),
		bedrockCall("k2-list", at(1), "ListFoundationModels", "AKIA2"),
		bedrockCall("k3-list", at(2), "ListFoundationModels", "AKIA3"),
		bedrockCall("k9-invoke", at(3), "InvokeModel", "AKIA9"),
		bedrockCall("k2-invoke", at(45), "InvokeModel", "AKIA2"),
		bedrockCall("k4-list", at(50), "ListFoundationModels", "AKIA4"),
		bedrockCall("k5-other", at(60), "ListCustomModels", "AKIA5"),
	}
	want := "k1-list k3-list k4-list"
	f := filepath.Join(t.TempDir(), "trail.json")
	if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, hunt := range map[string]func(context.Context, []*Compiled, []string, HuntOptions) (*Report, error){
		"in order": huntInOrder, "all state": huntAll} {
		t.Run(name, func(t *testing.T) {
			rep, err := hunt(context.Background(), []*Compiled{listedNotInvoked(t, "1h")}, []string{f}, HuntOptions{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, a := range rep.Alerts {
				var ids []string
				for _, e := range a.Evidence {
					ids = append(ids, e.EventID)
				}
				got = append(got, ids)
			}
			if s := evidenceOf(t, got); s != want {
				t.Errorf("alerts %q, want %q", s, want)
			}
		})
	}
}

// In serve, a trailing missing step completes only when the watermark
// passes the first event's time plus maxspan, and the wait survives a
// restart: the listing is seen before the checkpoint, the watermark passes
// its deadline after it.
func TestLiveSequenceMissingWaitsForWatermark(t *testing.T) {
	day := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return day.Add(time.Duration(m) * time.Minute) }
	st := openTestStore(t)
	alerts := func() string {
		as, err := st.List(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for _, a := range as {
			var ids []string
			for _, e := range a.Evidence {
				ids = append(ids, e.EventID)
			}
			got = append(got, ids)
		}
		return evidenceOf(t, got)
	}
	run := func(in Input) { liveOnce(t, st, []*Compiled{listedNotInvoked(t, "15m")}, in, true) }
	// The windows up to 11:10 close; the listings' deadlines (11:15,
	// 11:16) have not passed.
	run(chunk("d1.json",
		bedrockCall("k1-list", at(0), "ListFoundationModels", "AKIA1"),
		bedrockCall("k2-list", at(1), "ListFoundationModels", "AKIA2"),
		bedrockCall("k9-tick", at(12), "ListCustomModels", "AKIA9")))
	if got := alerts(); got != "" {
		t.Fatalf("before the deadline: alerts %q", got)
	}
	// After a restart, k2 invokes in time; then the watermark passes both
	// deadlines.
	run(chunk("d2.json",
		bedrockCall("k2-invoke", at(14), "InvokeModel", "AKIA2"),
		bedrockCall("k9-late", at(180), "ListCustomModels", "AKIA9")))
	if got, want := alerts(), "k1-list"; got != want {
		t.Errorf("after the deadline: alerts %q, want %q", got, want)
	}
}
