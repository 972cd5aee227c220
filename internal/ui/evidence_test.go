package ui

import (
	"strings"
	"testing"
)

// The lines of the fields a rule read are marked, nested paths and array
// elements included, and a key that only looks like one inside a string
// is not.
func TestMarkedLines(t *testing.T) {
	raw := `{"eventName":"InvokeModel","userIdentity":{"arn":"arn:aws:iam::1:user/x","type":"IAMUser"},` +
		`"resources":[{"ARN":"a1"},{"ARN":"a2"}],"tags":["t1","t2"],"note":"\"arn\": fake","n":3}`
	reads := map[string]bool{"userIdentity.arn": true, "resources.ARN": true, "tags": true, "eventName": true}
	var got []string
	for _, l := range markedLines(prettyJSON([]byte(raw)), reads) {
		if l.Used {
			got = append(got, strings.TrimSpace(l.Text))
		}
	}
	want := []string{`"eventName": "InvokeModel",`, `"arn": "arn:aws:iam::1:user/x",`, `"ARN": "a1"`, `"ARN": "a2"`,
		`"tags": [`, `"t1",`, `"t2"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("marked:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range markedLines("not json at all\n{", reads) {
		if l.Used {
			t.Errorf("a line of text that is not JSON was marked: %q", l.Text)
		}
	}
}
