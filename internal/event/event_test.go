package event

import (
	"strings"
	"testing"

	"github.com/valyala/fastjson"
)

func TestPathLeaves(t *testing.T) {
	doc, err := fastjson.Parse(`{"requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Suspended","MfaDelete":"Disabled"},"tags":[{"k":"x"},{"k":"y"}]},"eventName":"PutBucketVersioning"}`)
	if err != nil {
		t.Fatal(err)
	}
	ev := &Event{Doc: doc, Memo: &Memo{}}
	got := ev.PathLeaves(SplitPath("requestParameters")).String()
	for _, want := range []string{"b", "Suspended", "Disabled", "x", "y"} {
		if !strings.Contains(got, want) {
			t.Errorf("leaves %q lack %q", got, want)
		}
	}
	if v := ev.PathLeaves(SplitPath("eventName")); v.String() != "PutBucketVersioning" {
		t.Errorf("a scalar reads as itself: %v", v)
	}
	if v := ev.PathLeaves(SplitPath("requestParameters.nope")); !v.IsNull() {
		t.Errorf("a missing path reads %v", v)
	}
}
