package exception

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/schema"
	"github.com/valyala/fastjson"
)

const sample = `exceptions:
  - rule: 4f8d2a19-c6e3-4b07-9a5d-e81b3c7f0a62
    field: user.id
    value: arn:aws:iam::111122223333:user/ci
    reason: CI runs inference in every region nightly
    author: alice@example.com
  - field: source.ip
    values: ["10.0.*"]
    match: wildcard
    reason: the scanner subnet
    author: bob@example.com
    expires: 2027-01-01T00:00:00Z
  - field: user.id
    values: [x]
    author: carol@example.com
  - field: user.id
    values: [y]
    match: regex
    reason: r
    author: a
  - rule: 4f8d2a19-c6e3-4b07-9a5d-e81b3c7f0a62
    field: user.id
    value: arn:aws:iam::111122223333:user/ci
    reason: the same again
    author: dave@example.com
`

func TestParseReportsEachBadEntryAtItsLine(t *testing.T) {
	excs, probs, err := Parse("exceptions.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(excs) != 2 || excs[0].Values[0] != "arn:aws:iam::111122223333:user/ci" || !strings.HasPrefix(excs[0].ID, "ex-") {
		t.Fatalf("loaded %+v", excs)
	}
	want := []string{
		"exceptions.yaml:13:5: reason is empty",
		"exceptions.yaml:16:5: match \"regex\" (want equals or wildcard)",
		"exceptions.yaml:21:5: id " + excs[0].ID + " is already used at line 2",
	}
	if len(probs) != len(want) {
		t.Fatalf("problems %v, want %d", probs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(probs[i].Error(), w) {
			t.Errorf("problem %d: %q, want it to start %q", i, probs[i].Error(), w)
		}
	}
	if _, _, err := Parse("x.yaml", []byte("exceptions:\n  - fild: a\n")); err != nil {
		t.Fatalf("an unknown key is a problem of its entry, not of the file: %v", err)
	}
	if _, probs, _ := Parse("x.yaml", []byte("exceptions:\n  - fild: a\n")); len(probs) != 1 || !strings.Contains(probs[0].Error(), "fild") {
		t.Errorf("a misspelt key: %v", probs)
	}
}

// Exported exceptions read back the same.
func TestMarshalRoundTrip(t *testing.T) {
	excs, _, _ := Parse("exceptions.yaml", []byte(sample))
	excs[0].Created = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	text, err := Marshal(excs)
	if err != nil {
		t.Fatal(err)
	}
	back, probs, err := Parse("export.yaml", text)
	if err != nil || len(probs) > 0 {
		t.Fatalf("re-import: %v %v\n%s", err, probs, text)
	}
	if len(back) != len(excs) {
		t.Fatalf("re-imported %d, want %d", len(back), len(excs))
	}
	for i := range back {
		a, b := back[i], excs[i]
		if a.ID != b.ID || a.Field != b.Field || strings.Join(a.Values, ",") != strings.Join(b.Values, ",") ||
			!a.Created.Equal(b.Created) || !a.Expires.Equal(b.Expires) || a.Reason != b.Reason {
			t.Errorf("exception %d: %+v, want %+v", i, a, b)
		}
	}
}

func TestWildcard(t *testing.T) {
	cases := []struct {
		pat, text string
		want      bool
	}{
		{"10.0.*", "10.0.3.4", true},
		{"10.0.*", "10.1.3.4", false},
		{"arn:aws:sts::*:assumed-role/ci-*/*", "arn:aws:sts::1:assumed-role/ci-deploy/session", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
	}
	for _, c := range cases {
		e := &Exception{Values: []string{c.pat}, Match: MatchWildcard}
		if got := e.Matches(c.text); got != c.want {
			t.Errorf("%q ~ %q = %v, want %v", c.pat, c.text, got, c.want)
		}
	}
	if (&Exception{Values: []string{"10.0.*"}}).Matches("10.0.3.4") {
		t.Error("an equals exception read * as a wildcard")
	}
}

func invocation(t *testing.T, user, ip string) *event.Event {
	t.Helper()
	raw := `{"schemaType":"ModelInvocationLog","timestamp":"2026-11-21T10:00:00Z","accountId":"111","identity":{"arn":"` + user + `"},"requestId":"r","operation":"InvokeModel","modelId":"m","region":"us-east-1","sourceIPAddress":"` + ip + `"}`
	doc, err := fastjson.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{LogType: event.BedrockInvocation, Raw: []byte(raw), Doc: doc, Strings: &event.Interner{}}
}

// A matcher reads the field through the rule's view, applies only the
// exceptions of its rule, and stops nothing once they expire.
func TestMatcher(t *testing.T) {
	excs, _, _ := Parse("exceptions.yaml", []byte(sample))
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	lts := []event.LogType{event.BedrockInvocation}
	m := NewMatcher(excs, "4f8d2a19-c6e3-4b07-9a5d-e81b3c7f0a62", schema.ECS, lts, now)
	if e := m.Event(invocation(t, "arn:aws:iam::111122223333:user/ci", "192.0.2.1")); e == nil || e.ID != excs[0].ID {
		t.Errorf("the CI user's event was not stopped by its exception: %v", e)
	}
	if e := m.Event(invocation(t, "arn:aws:iam::111122223333:user/eve", "192.0.2.1")); e != nil {
		t.Errorf("another user's event was stopped by %s", e.ID)
	}
	other := NewMatcher(excs, "some-other-rule", schema.ECS, lts, now)
	if e := other.Event(invocation(t, "arn:aws:iam::111122223333:user/ci", "192.0.2.1")); e != nil {
		t.Errorf("a rule's exception applied to another rule: %s", e.ID)
	}
	row := func(cols map[string]string) func(string) event.Value {
		return func(name string) event.Value {
			if v, ok := cols[name]; ok {
				return event.StringValue(v)
			}
			return event.Value{}
		}
	}
	if e := other.Row(row(map[string]string{"source.ip": "10.0.9.9"})); e == nil {
		t.Error("the every-rule wildcard exception did not stop a result row")
	}
	clock = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	if e := other.Row(row(map[string]string{"source.ip": "10.0.9.9"})); e != nil {
		t.Error("an expired exception still stops rows")
	}
	if h := m.Hits(); h[excs[0].ID] != 1 {
		t.Errorf("hits %v", h)
	}
	if NewMatcher(excs[:1], "no-rule-of-it", schema.ECS, lts, now) != nil {
		t.Error("a matcher with no exception of its rule is not nil")
	}
}

// An exception on a field the view derives from a database (the caller's
// ASN organisation) reads it as the rule does.
func TestMatcherReadsDerivedFields(t *testing.T) {
	org := "Example Scanner Ltd"
	en := &schema.Enrich{AS: func(a netip.Addr) *schema.AS {
		if a.String() == "198.51.100.7" {
			return &schema.AS{Number: 64500, Organization: org, HasNumber: true}
		}
		return nil
	}}
	excs := []Exception{{ID: "ex-scanner", Field: "source.as.organization.name", Values: []string{org}, Reason: "our scanner", Author: "a"}}
	ct := []event.LogType{event.CloudTrail}
	trail := func(ip string) *event.Event {
		raw := `{"eventVersion":"1.08","eventTime":"2026-11-21T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"` + ip + `","eventID":"e"}`
		doc, err := fastjson.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		ev := &event.Event{LogType: event.CloudTrail, Raw: []byte(raw), Doc: doc, Memo: &event.Memo{}, Strings: &event.Interner{}}
		ev.Memo.Next()
		return ev
	}
	m := NewMatcherWith(excs, "r", schema.ECS, ct, en, nil)
	if e := m.Event(trail("198.51.100.7")); e == nil {
		t.Error("the scanner's event was not stopped")
	}
	if e := m.Event(trail("203.0.113.9")); e != nil {
		t.Error("another address's event was stopped")
	}
	if e := NewMatcher(excs, "r", schema.ECS, ct, nil).Event(trail("198.51.100.7")); e != nil {
		t.Error("without the database the field is null, so nothing is stopped")
	}
}
