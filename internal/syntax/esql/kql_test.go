package esql

import (
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
)

// kql("...") is planned by the KQL front end, in place of the call.
func TestKQLFunction(t *testing.T) {
	q, err := Parse(`from logs-aws.cloudtrail-* | where kql("event.action:DeleteBucket") and user.name == "x"`)
	if err != nil {
		t.Fatal(err)
	}
	text := q.String()
	if strings.Contains(text, "kql(") || !strings.Contains(text, "event.action") {
		t.Errorf("kql() not replaced by its filter:\n%s", text)
	}
	if _, ok := q.Pipeline[1].(*plan.Where); !ok {
		t.Fatalf("want a WHERE, got %T", q.Pipeline[1])
	}
	for src, want := range map[string]string{
		`from logs-* | where kql("event.action:(a or")`: "in the KQL query",
		`from logs-* | where kql(user.name)`:            "constant query string",
		`from logs-* | where kql("a:b", "c")`:           "one query string",
	} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}
