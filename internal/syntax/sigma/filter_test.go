package sigma

import (
	"errors"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

const deleteTrail = "title: r\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteTrail}\n  condition: sel\n"

// TestFilters applies Sigma filters (Sigma filters specification 2.x:
// the events a filter's condition selects are taken out of the rules it
// names) to a rule, an old aggregation and a near condition.
func TestFilters(t *testing.T) {
	automation := "title: f\nlogsource: {product: aws, service: cloudtrail}\nfilter:\n  rules: [r]\n  role:\n    userIdentity.arn|endswith: ':role/automation'\n  ci:\n    userAgent|contains: terraform\n  condition: role or ci\n"
	for _, c := range []struct{ name, rule, want string }{
		{"rule", deleteTrail, `sigma: from sourcetype=aws:cloudtrail
| where search(eventName = "DeleteTrail") AND (NOT (search(userIdentity.arn = "*:role/automation") OR search(userAgent = "*terraform*")))`},
		{"count", "title: r\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteTrail}\n  condition: sel | count() > 2\n  timeframe: 1h\n", `sigma: from sourcetype=aws:cloudtrail
| where search(eventName = "DeleteTrail") AND (NOT (search(userIdentity.arn = "*:role/automation") OR search(userAgent = "*terraform*")))
| stats count = count()
| where count > 2.0`},
		{"near", "title: r\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  a: {eventName: DeleteTrail}\n  b: {eventName: StopLogging}\n  condition: a | near b\n", `sigma: from sourcetype=aws:cloudtrail
| where (search(eventName = "DeleteTrail") AND (NOT (search(userIdentity.arn = "*:role/automation") OR search(userAgent = "*terraform*")))) OR (search(eventName = "StopLogging") AND (NOT (search(userIdentity.arn = "*:role/automation") OR search(userAgent = "*terraform*"))))
| eval near_0 = if(search(eventName = "DeleteTrail") AND (NOT (search(userIdentity.arn = "*:role/automation") OR search(userAgent = "*terraform*"))), 1, 0), near_1 = if(search(eventName = "StopLogging") AND (NOT (search(userIdentity.arn = "*:role/automation") OR search(userAgent = "*terraform*"))), 1, 0)
| stats near_0_events = sum(near_0), near_1_events = sum(near_1)
| where (near_0_events > 0) AND (near_1_events > 0)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := ParseWith(c.rule, Options{Filters: []string{automation}})
			if err != nil {
				t.Fatal(detail(err))
			}
			if q.String() != c.want {
				t.Errorf("plan\n%s\nwant\n%s", q, c.want)
			}
		})
	}
}

// TestFilterErrors reports a broken filter on the filter, where it is
// written, and on a rule it would apply to, at the rule.
func TestFilterErrors(t *testing.T) {
	for _, c := range []struct{ src, at, msg string }{
		{"title: f\nfilter:\n  rules: [r]\n  sel: {a: b}\n  condition: sel\n", "title", "no logsource"},
		{"title: f\nlogsource: {product: aws}\nfilter:\n  sel: {a: b}\n  condition: sel\n", "sel", "names no rules"},
		{"title: f\nlogsource: {product: aws}\nfilter:\n  rules: []\n  sel: {a: b}\n  condition: sel\n", "[]", "a filter's rules are"},
		{"title: f\nlogsource: {product: aws}\nfilter:\n  rules: any\n  sel: {a: b}\n  condition: sel | count() > 1\n", "sel | count", "no aggregation"},
		{"title: f\nlogsource: {product: aws}\nfilter:\n  rules: any\n  sel: {a: b}\n  condition: other\n", "other", "no selection named"},
	} {
		_, err := ParseFilter(c.src, Options{})
		var se *syntax.Error
		if !errors.As(err, &se) || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: error %v does not say %q", c.src, err, c.msg)
			continue
		}
		if want := strings.Index(c.src, c.at); int(se.Span.Start) != want {
			t.Errorf("%q: error at %d, want %d (%q)", c.src, se.Span.Start, want, c.at)
		}
	}
	_, err := ParseWith(deleteTrail, Options{Filters: []string{"title: f\nlogsource: {product: aws}\nfilter:\n  rules: any\n  sel: {a|nope: b}\n  condition: sel\n"}})
	if err == nil || !strings.Contains(err.Error(), `filter 1 of the rule does not compile: 5:9: unknown value modifier "nope"`) {
		t.Errorf("broken filter on a rule: %v", err)
	}
	if _, err := Parse("title: f\nlogsource: {product: aws}\nfilter:\n  rules: any\n  sel: {a: b}\n  condition: sel\n"); err == nil || !strings.Contains(err.Error(), "not a rule") {
		t.Errorf("a filter parsed as a rule: %v", err)
	}
}

// TestPlaceholders expands %name% with the values the user gives
// (Sigma modifiers appendix, "expand"), and names a placeholder without
// values where it is used.
func TestPlaceholders(t *testing.T) {
	src := "title: r\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: ConsoleLogin}\n  known:\n    src_ip|expand: '%Office%'\n  arn:\n    userIdentity.arn|expand|endswith: ':user/%Team%-%Env%'\n  condition: sel and not known and not arn\n"
	q, err := ParseWith(src, Options{Placeholders: map[string][]string{"Office": {"10.0.0.1", "10.0.0.2"}, "Team": {"ops"}, "Env": {"dev", "prod"}}})
	if err != nil {
		t.Fatal(detail(err))
	}
	want := `sigma: from sourcetype=aws:cloudtrail
| where (search(eventName = "ConsoleLogin") AND (NOT (search(src_ip = "10.0.0.1") OR search(src_ip = "10.0.0.2")))) AND (NOT (search(userIdentity.arn = "*:user/ops-dev") OR search(userIdentity.arn = "*:user/ops-prod")))`
	if q.String() != want {
		t.Errorf("plan\n%s\nwant\n%s", q, want)
	}
	_, err = ParseWith(src, Options{Placeholders: map[string][]string{"Office": {"10.0.0.1"}}})
	var se *syntax.Error
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "placeholder %Team% has no values") {
		t.Fatalf("missing placeholder: %v", err)
	}
	if want := strings.Index(src, "userIdentity.arn|expand"); int(se.Span.Start) != want {
		t.Errorf("error at %d, want %d", se.Span.Start, want)
	}
}
